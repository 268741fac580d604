/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SAM protocol's framing and request envelope (spec/sam-protocol.md §1-§2), decoded by the
 * verified core: every byte a client sends the SAM goes through here first. The parameters map
 * is left where it is (an offset) for the operation's reader, which uses the strict readers of
 * scbor.h on the same, already checked, buffer.
 */
#ifndef QSCD_SAMP_H
#define QSCD_SAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qscd_err.h"
#include "qscd_types.h"

#define SAMP_VERSION 1u
/* Largest request frame payload, and largest response. */
#define SAMP_REQUEST_MAX 65536u
#define SAMP_RESPONSE_MAX 1048576u
#define SAMP_HEADER_LEN 4u
#define SAMP_REQUEST_ID_MAX 32u
#define SAMP_PASSWORD_MAX 128u

/* A decoded request envelope: offsets into the caller's buffer, the caller's id copied. */
typedef struct samp_request {
    uint64_t op;
    size_t   req_id_off, req_id_len;
    int32_t  role;
    qscd_id  caller;
    bool     has_password;
    size_t   pw_off, pw_len;
    size_t   params_off;          /* the parameters map (scbor_get_map there) */
} samp_request;

/*@ predicate samp_request_in(samp_request *r, integer len) =
        r->req_id_off + r->req_id_len <= len && 1 <= r->req_id_len <= SAMP_REQUEST_ID_MAX &&
        r->params_off < len && qscd_id_ok(&r->caller) &&
        (r->has_password ==> r->pw_off + r->pw_len <= len && r->pw_len <= SAMP_PASSWORD_MAX);
*/

/* The payload length a frame header announces.
 *
 *   QSCD_OK                    *len holds it, 1 .. max
 *   QSCD_ERR_PROTO_FRAME       0
 *   QSCD_ERR_PROTO_TOO_LARGE   above max
 */
/*@ requires \valid_read(hdr + (0 .. SAMP_HEADER_LEN - 1)) && \valid(len);
    requires \separated(len, hdr + (0 .. SAMP_HEADER_LEN - 1));
    terminates \true;
    assigns *len;
    ensures \result == QSCD_OK ==> 1 <= *len <= max;
    ensures \result == QSCD_OK || \result == QSCD_ERR_PROTO_FRAME ||
            \result == QSCD_ERR_PROTO_TOO_LARGE;
*/
int samp_frame_len(const uint8_t *hdr, uint32_t max, size_t *len);

/* Write the frame header for a payload of len bytes (len <= SAMP_RESPONSE_MAX). */
/*@ requires \valid(hdr + (0 .. SAMP_HEADER_LEN - 1)) && len <= SAMP_RESPONSE_MAX;
    terminates \true;
    assigns hdr[0 .. SAMP_HEADER_LEN - 1];
*/
void samp_frame_header(size_t len, uint8_t *hdr);

/* Decode a request: strictly valid CBOR of the project's profile (sorted keys, definite
 * lengths, no tags), a map of exactly the keys 1..5 in order: version 1, the operation (uint),
 * the request id (bstr 1..32), the caller (map {1: role uint, 2: id bstr 1..64, 3: password bstr
 * 0..128 optional}), the parameters (a map).
 *
 *   QSCD_OK                 *r filled
 *   QSCD_ERR_PROTO_VERSION  another version
 *   QSCD_ERR_PROTO_FRAME    anything else that does not follow the rules
 */
/*@ requires \valid_read(buf + (0 .. len - 1)) && \valid(r);
    requires \separated(r, buf + (0 .. len - 1));
    terminates \true;
    assigns *r;
    ensures \result == QSCD_OK ==> samp_request_in(r, len);
    ensures \result == QSCD_OK || \result == QSCD_ERR_PROTO_VERSION ||
            \result == QSCD_ERR_PROTO_FRAME;
*/
int samp_request_parse(const uint8_t *buf, size_t len, samp_request *r);

#endif
