/* SPDX-License-Identifier: Apache-2.0 */
/*
 * COSE_Sign1 and COSE_Mac0 (RFC 9052 §4.2, §6.2) for the verified core: strict parsers that
 * return offsets and lengths into the caller's buffer (no copies), the builders of the exact
 * bytes that are signed or MACed (Sig_structure §4.4, MAC_structure §6.3), and the encoder of
 * the COSE_Mac0 messages the SAM issues. Cryptography is not here: the shell verifies or
 * computes the signature or MAC over the bytes the core built (spec/cbor-profile.md, "COSE").
 *
 * The profile, as the parsers enforce it:
 *  - the message is CBOR under the strict profile of scbor.h (cose_limits: definite lengths,
 *    depth 8, no duplicate map keys; tags allowed; map keys need not be sorted);
 *  - tag 18 (Sign1) or 17 (Mac0) in front: required, optional or forbidden by the caller
 *    (COSE_TAG_*); a wrong tag number, a missing required tag or a forbidden one:
 *    QSCD_ERR_COSE_TAG;
 *  - an array of exactly four elements: protected (bstr), unprotected (map), payload (bstr, or
 *    null when detached), signature or tag (bstr); otherwise QSCD_ERR_COSE_STRUCTURE;
 *  - the protected bstr is empty or holds exactly one CBOR map (strict profile, no tags);
 *    labels are integers or text strings; a label in both buckets; a crit parameter (label 2:
 *    no extension is understood, so any critical one is refused, RFC 9052 §3.1); a kid that is
 *    not a byte string: QSCD_ERR_COSE_HEADER;
 *  - alg (label 1) present in one bucket, an integer on the allow-list: ES256 (-7) and ES384
 *    (-35) for Sign1, HMAC 256/256 (5) for Mac0; else QSCD_ERR_COSE_ALG;
 *  - the signature or tag has the algorithm's length (64, 96, 32 bytes):
 *    QSCD_ERR_COSE_SIG_LENGTH.
 * Unknown labels other than crit are ignored (RFC 9052 §3). The result says whether alg was
 * protected: the layers above (SAD tokens, SIC assertions) require it; the COSE examples do not.
 *
 * When the protected bucket holds no parameter (an empty bstr, or h'a0'), the structures carry
 * an empty bstr in its place (RFC 9052 §3: the zero-length form "is used in the serialization
 * structures for cryptographic computation"), as the COSE working group's examples do.
 */
#ifndef QSCD_COSE_H
#define QSCD_COSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qscd_err.h"
#include "scbor.h"

#define COSE_TAG_SIGN1 18u
#define COSE_TAG_MAC0  17u

#define COSE_ALG_ES256   (-7)
#define COSE_ALG_ES384   (-35)
#define COSE_ALG_HMAC256 5

#define COSE_HDR_ALG  1
#define COSE_HDR_CRIT 2
#define COSE_HDR_KID  4

/* Largest protected header cose_protected_header writes. */
#define COSE_PROTECTED_MAX 16u

typedef enum cose_tag_mode {
    COSE_TAG_REQUIRED = 0,
    COSE_TAG_OPTIONAL = 1,
    COSE_TAG_FORBIDDEN = 2
} cose_tag_mode;

/* A parsed COSE_Sign1 or COSE_Mac0: where its parts are in the caller's buffer. */
typedef struct cose_msg {
    size_t prot_off, prot_len;       /* content of the protected bstr (a map, or empty) */
    size_t kid_off, kid_len;         /* content of kid, when has_kid */
    size_t payload_off, payload_len; /* content of the payload bstr, unless detached */
    size_t sig_off, sig_len;         /* signature (Sign1) or MAC tag (Mac0) */
    int64_t alg;
    bool alg_protected; /* alg was in the protected bucket */
    bool has_kid;
    bool detached;      /* payload was null: supplied separately */
    bool tagged;        /* the message carried its COSE tag */
} cose_msg;

/*@ predicate cose_msg_in{L}(cose_msg *m, integer len) =
      m->prot_off + m->prot_len <= len && m->sig_off + m->sig_len <= len &&
      (!m->detached ==> m->payload_off + m->payload_len <= len) &&
      (m->has_kid ==> m->kid_off + m->kid_len <= len);

    predicate cose_sign1_alg(integer alg, integer sig_len) =
      (alg == COSE_ALG_ES256 && sig_len == 64) || (alg == COSE_ALG_ES384 && sig_len == 96);

    predicate cose_mac0_alg(integer alg, integer sig_len) =
      alg == COSE_ALG_HMAC256 && sig_len == 32;
*/

/* Parse buf[0 .. len-1] as a COSE_Sign1 (tag 18).
 *
 *   QSCD_OK                    *msg filled
 *   QSCD_ERR_CBOR_*            not CBOR of the strict profile
 *   QSCD_ERR_COSE_TAG / _STRUCTURE / _HEADER / _ALG / _SIG_LENGTH   (see the profile above)
 * *msg is written only on success.
 */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_msg: \valid(msg);
    requires sep: \separated(msg, buf + (0 .. len - 1));
    terminates \true;
    assigns *msg;
    ensures ok: \result == QSCD_OK ==>
      cose_msg_in(msg, len) && cose_sign1_alg(msg->alg, msg->sig_len);
    ensures untouched: \result != QSCD_OK ==> *msg == \old(*msg);
*/
int cose_sign1_parse(const uint8_t *buf, size_t len, cose_tag_mode mode, cose_msg *msg);

/* Parse buf[0 .. len-1] as a COSE_Mac0 (tag 17). Same results as cose_sign1_parse. */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_msg: \valid(msg);
    requires sep: \separated(msg, buf + (0 .. len - 1));
    terminates \true;
    assigns *msg;
    ensures ok: \result == QSCD_OK ==>
      cose_msg_in(msg, len) && cose_mac0_alg(msg->alg, msg->sig_len);
    ensures untouched: \result != QSCD_OK ==> *msg == \old(*msg);
*/
int cose_mac0_parse(const uint8_t *buf, size_t len, cose_tag_mode mode, cose_msg *msg);

/* The bytes a COSE_Sign1 signature covers: ["Signature1", protected, external_aad, payload]
 * (RFC 9052 §4.4) into out[0 .. cap-1]. msg comes from cose_sign1_parse over buf[0 .. len-1];
 * payload[0 .. payload_len-1] is the detached payload, given exactly when msg->detached (when
 * not, pass payload_len 0).
 *
 *   QSCD_OK                      *out_len bytes written, *out_len <= cap
 *   QSCD_ERR_BUFFER_TOO_SMALL    cap too small (nothing useful in out)
 *   QSCD_ERR_ARG                 msg does not fit buf, or a payload given for an attached one
 */
/*@ requires valid_msg: \valid_read(msg);
    requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_aad: \valid_read(aad + (0 .. aad_len - 1));
    requires valid_payload: \valid_read(payload + (0 .. payload_len - 1));
    requires valid_out: \valid(out + (0 .. cap - 1)) && \valid(out_len);
    requires sep_out: \separated(out + (0 .. cap - 1), out_len);
    requires sep_msg: \separated(out + (0 .. cap - 1), msg) && \separated(out_len, msg);
    requires sep_buf: \separated(out + (0 .. cap - 1), buf + (0 .. len - 1)) &&
                      \separated(out_len, buf + (0 .. len - 1));
    requires sep_aad: \separated(out + (0 .. cap - 1), aad + (0 .. aad_len - 1)) &&
                      \separated(out_len, aad + (0 .. aad_len - 1));
    requires sep_payload: \separated(out + (0 .. cap - 1), payload + (0 .. payload_len - 1)) &&
                          \separated(out_len, payload + (0 .. payload_len - 1));
    terminates \true;
    assigns out[0 .. cap - 1], *out_len;
    ensures ok: \result == QSCD_OK ==> *out_len <= cap;
*/
int cose_sig_structure(const cose_msg *msg, const uint8_t *buf, size_t len, const uint8_t *aad,
                       size_t aad_len, const uint8_t *payload, size_t payload_len, uint8_t *out,
                       size_t cap, size_t *out_len);

/* The bytes a COSE_Mac0 tag covers: ["MAC0", protected, external_aad, payload] (RFC 9052
 * §6.3). Same parameters and results as cose_sig_structure. */
/*@ requires valid_msg: \valid_read(msg);
    requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_aad: \valid_read(aad + (0 .. aad_len - 1));
    requires valid_payload: \valid_read(payload + (0 .. payload_len - 1));
    requires valid_out: \valid(out + (0 .. cap - 1)) && \valid(out_len);
    requires sep_out: \separated(out + (0 .. cap - 1), out_len);
    requires sep_msg: \separated(out + (0 .. cap - 1), msg) && \separated(out_len, msg);
    requires sep_buf: \separated(out + (0 .. cap - 1), buf + (0 .. len - 1)) &&
                      \separated(out_len, buf + (0 .. len - 1));
    requires sep_aad: \separated(out + (0 .. cap - 1), aad + (0 .. aad_len - 1)) &&
                      \separated(out_len, aad + (0 .. aad_len - 1));
    requires sep_payload: \separated(out + (0 .. cap - 1), payload + (0 .. payload_len - 1)) &&
                          \separated(out_len, payload + (0 .. payload_len - 1));
    terminates \true;
    assigns out[0 .. cap - 1], *out_len;
    ensures ok: \result == QSCD_OK ==> *out_len <= cap;
*/
int cose_mac_structure(const cose_msg *msg, const uint8_t *buf, size_t len, const uint8_t *aad,
                       size_t aad_len, const uint8_t *payload, size_t payload_len, uint8_t *out,
                       size_t cap, size_t *out_len);

/* The protected header the SAM puts on what it issues: the map {1: alg}, deterministic.
 *   QSCD_OK; QSCD_ERR_BUFFER_TOO_SMALL. At most COSE_PROTECTED_MAX bytes. */
/*@ requires valid_out: \valid(out + (0 .. cap - 1)) && \valid(out_len);
    requires sep: \separated(out + (0 .. cap - 1), out_len);
    terminates \true;
    assigns out[0 .. cap - 1], *out_len;
    ensures ok: \result == QSCD_OK ==> 0 < *out_len <= cap && *out_len <= COSE_PROTECTED_MAX;
*/
int cose_protected_header(int64_t alg, uint8_t *out, size_t cap, size_t *out_len);

/* The MAC_structure of a COSE_Mac0 to be issued with algorithm alg over payload[0 ..
 * payload_len-1], with its protected header as cose_protected_header makes it: the shell MACs
 * these bytes, then cose_mac0_encode assembles the message.
 *   QSCD_OK; QSCD_ERR_COSE_ALG (alg not HMAC 256/256); QSCD_ERR_BUFFER_TOO_SMALL. */
/*@ requires valid_aad: \valid_read(aad + (0 .. aad_len - 1));
    requires valid_payload: \valid_read(payload + (0 .. payload_len - 1));
    requires valid_out: \valid(out + (0 .. cap - 1)) && \valid(out_len);
    requires sep_out: \separated(out + (0 .. cap - 1), out_len);
    requires sep_aad: \separated(out + (0 .. cap - 1), aad + (0 .. aad_len - 1)) &&
                      \separated(out_len, aad + (0 .. aad_len - 1));
    requires sep_payload: \separated(out + (0 .. cap - 1), payload + (0 .. payload_len - 1)) &&
                          \separated(out_len, payload + (0 .. payload_len - 1));
    terminates \true;
    assigns out[0 .. cap - 1], *out_len;
    ensures ok: \result == QSCD_OK ==> *out_len <= cap;
*/
int cose_mac0_tbs(int64_t alg, const uint8_t *aad, size_t aad_len, const uint8_t *payload,
                  size_t payload_len, uint8_t *out, size_t cap, size_t *out_len);

/* A COSE_Mac0 [protected {1: alg}, {}, payload, tag], with tag 17 in front when tagged.
 *   QSCD_OK; QSCD_ERR_COSE_ALG (alg not HMAC 256/256); QSCD_ERR_COSE_SIG_LENGTH (tag_len is
 *   not 32); QSCD_ERR_BUFFER_TOO_SMALL. */
/*@ requires valid_payload: \valid_read(payload + (0 .. payload_len - 1));
    requires valid_tag: \valid_read(tag + (0 .. tag_len - 1));
    requires valid_out: \valid(out + (0 .. cap - 1)) && \valid(out_len);
    requires sep_out: \separated(out + (0 .. cap - 1), out_len);
    requires sep_payload: \separated(out + (0 .. cap - 1), payload + (0 .. payload_len - 1)) &&
                          \separated(out_len, payload + (0 .. payload_len - 1));
    requires sep_tag: \separated(out + (0 .. cap - 1), tag + (0 .. tag_len - 1)) &&
                      \separated(out_len, tag + (0 .. tag_len - 1));
    terminates \true;
    assigns out[0 .. cap - 1], *out_len;
    ensures ok: \result == QSCD_OK ==> *out_len <= cap;
*/
int cose_mac0_encode(int64_t alg, const uint8_t *payload, size_t payload_len, const uint8_t *tag,
                     size_t tag_len, bool tagged, uint8_t *out, size_t cap, size_t *out_len);

#endif
