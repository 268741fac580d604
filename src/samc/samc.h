/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SAM client (spec/sam-protocol.md): a connection to the SAM's Unix socket, frame I/O,
 * the request envelope, and strict decoding of the answer with the verified core's CBOR
 * readers. Used by the `qscd` command and the tests; the SSA will use it too.
 *
 * Every function returns QSCD_OK or a QSCD_ERR_* code: QSCD_ERR_IO (the socket failed or the
 * SAM closed it), QSCD_ERR_TIMEOUT (no answer in time), QSCD_ERR_PROTO_FRAME (the answer is
 * not a valid response to this request), QSCD_ERR_NOT_FOUND (a result key is absent),
 * QSCD_ERR_CBOR_TYPE (it has another type). The SAM's own verdict is the response's status.
 */
#ifndef QSCD_SAMC_H
#define QSCD_SAMC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct samc samc;

/* Connect to the socket at path; reads and writes give up after timeout_s seconds. */
int samc_connect(const char *path, int timeout_s, samc **out);
void samc_close(samc *c);
/* The connection's descriptor (for tests that write raw bytes). */
int samc_fd(const samc *c);

/* Who asks (spec/sam-protocol.md §2.1): role 1..4, id, and an administrator's password. */
typedef struct samc_caller {
    int role;
    const uint8_t *id;
    size_t id_len;
    const uint8_t *password;   /* NULL for a signer */
    size_t password_len;
} samc_caller;

/* An answer: the status, its message on error, the result map on success. buf holds the
 * whole response; readers below take offsets into it. */
typedef struct samc_resp {
    uint8_t *buf;
    size_t len;
    int status;
    char message[256];
    bool has_result;
    size_t result_off;
} samc_resp;

/* One request: params is an encoded CBOR map (NULL for the empty map), sent in an envelope
 * with a fresh random request id; the answer is checked (strict CBOR, version, the same
 * request id) and decoded into *r, which the caller releases with samc_resp_free. */
int samc_call(samc *c, const samc_caller *who, unsigned op, const uint8_t *params,
              size_t params_len, samc_resp *r);
void samc_resp_free(samc_resp *r);

/* Frames as they are: a 4-byte big-endian length, then the payload. */
int samc_send_frame(samc *c, const uint8_t *payload, size_t len);
/* Read one frame (at most 1 MiB); *payload to release with free(). */
int samc_recv_frame(samc *c, uint8_t **payload, size_t *len);
/* Decode a response payload (as samc_call does); req_id may be NULL to accept any. */
int samc_resp_parse(uint8_t *buf, size_t len, const uint8_t *req_id, size_t req_id_len,
                    samc_resp *r);

/* Result readers: the value of key in the result map. */
int samc_get_uint(const samc_resp *r, int key, uint64_t *v);
int samc_get_int(const samc_resp *r, int key, int64_t *v);
int samc_get_bool(const samc_resp *r, int key, bool *v);
int samc_get_bstr(const samc_resp *r, int key, const uint8_t **p, size_t *n);
int samc_get_tstr(const samc_resp *r, int key, const uint8_t **p, size_t *n);
/* An array: its length and the offset of its first element. */
int samc_get_array(const samc_resp *r, int key, uint64_t *count, size_t *first);
/* The byte string at *off (an array element), advancing *off past it. */
int samc_next_bstr(const samc_resp *r, size_t *off, const uint8_t **p, size_t *n);
/* The map at *off (an array element): *map is its offset; *off advances past it. Read its
 * keys with samc_map_* below. */
int samc_next_map(const samc_resp *r, size_t *off, size_t *map);
int samc_map_int(const samc_resp *r, size_t map, int key, int64_t *v);
int samc_map_bstr(const samc_resp *r, size_t map, int key, const uint8_t **p, size_t *n);
int samc_map_tstr(const samc_resp *r, size_t map, int key, const uint8_t **p, size_t *n);

/* The protocol's operation numbers (spec/sam-protocol.md §3). */
enum samc_op {
    SAMC_INFO = 1,
    SAMC_SIGNER_ENROL = 10, SAMC_SIGNER_DISABLE = 11, SAMC_SIGNER_ENABLE = 12,
    SAMC_SIGNER_UNLOCK = 13, SAMC_SIGNER_DELETE = 14, SAMC_PIN_SET = 15, SAMC_PIN_CHANGE = 16,
    SAMC_TOTP_PROVISION = 17, SAMC_DEVICE_ENROL = 18,
    SAMC_CRED_CREATE = 20, SAMC_CRED_LIST = 21, SAMC_CRED_INFO = 22, SAMC_CRED_DISABLE = 23,
    SAMC_CRED_ENABLE = 24, SAMC_CRED_DELETE = 25, SAMC_CERT_IMPORT = 26, SAMC_CERT_REVOKE = 27,
    SAMC_CRED_CSR = 28,
    SAMC_CHALLENGE = 30, SAMC_AUTHORIZE = 31, SAMC_SIGN = 32, SAMC_EXTEND = 33,
    SAMC_KEY_BACKUP = 40, SAMC_KEY_RESTORE = 41,
    SAMC_AUDIT_EXPORT = 50, SAMC_AUDIT_VERIFY = 51,
    SAMC_ADMIN_CREATE = 60,
};

/* The name of an audit record's operation (the role table's sam_op, or the service's own
 * events, spec/sam-protocol.md §4), "op-N" when unknown. */
const char *samc_event_name(int64_t op);
/* The operation of an event name (the inverse of samc_event_name): QSCD_OK, or
 * QSCD_ERR_NOT_FOUND for a name no event has. */
int samc_event_op(const char *name, int64_t *op);
/* The i-th event name (for listing them), NULL past the last. */
const char *samc_event_name_at(size_t i);

#endif
