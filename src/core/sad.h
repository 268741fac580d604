/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SAD token (spec/sap.md): the Signature Activation Data the SAM issues at authorize and
 * checks at signHash. A COSE_Mac0 (RFC 9052, HMAC 256/256, tag 17 required) whose key is a
 * non-extractable secret in the HSM, over a deterministic CBOR map of claims: version, token
 * id, signer, credential, audience, hash algorithm, hashes, number of signatures, issued-at,
 * expiry, SCAL. This header holds the decoded claims and the functions that make and check
 * tokens; the MAC itself is computed by the crypto port (acsl/ports/qscd_ports.h).
 */
#ifndef SAD_H
#define SAD_H

#include <stddef.h>
#include <stdint.h>

#include "qscd_err.h"
#include "qscd_types.h"

/*@ ghost extern struct sad_claims *sam_g_verified; */

/* The one claims version this SAM issues and accepts. */
#define SAD_VERSION 1
/* The sole-control assurance level the claims carry (EN 419 241-1 SCAL2). */
#define SAD_SCAL 2
/* Largest encoded token: claims with QSCD_MAX_HASHES SHA-512 digests fit with room. */
#define SAD_TOKEN_MAX 2600
/* Largest MAC_structure: the token's protected header and payload plus the array heads. */
#define SAD_MACSTRUCT_MAX (SAD_TOKEN_MAX + 32)

typedef struct sad_claims {
    uint32_t version;
    uint8_t  token_id[QSCD_TOKEN_ID_LEN];
    qscd_id  signer;                              /* the authenticated signer */
    qscd_id  credential;                          /* the one credential (key) authorised */
    uint8_t  audience_len;
    uint8_t  audience[QSCD_AUDIENCE_MAX];         /* the service the token was issued for */
    int32_t  hash_alg;                            /* qscd_hash */
    uint32_t nhashes;
    /* The DTBS/R digests: digest j at hashes[j * QSCD_MAX_DIGEST], of the algorithm's length.
     * One flat array: the proofs reason about one range instead of rows. */
    uint8_t  hashes[QSCD_MAX_HASHES * QSCD_MAX_DIGEST];
    uint32_t num_signatures;                      /* CSC numSignatures */
    int64_t  iat;                                 /* issued at, seconds since the epoch (UTC) */
    int64_t  exp;                                 /* expires at, same clock */
    uint32_t scal;
} sad_claims;

/*@ predicate sad_claims_ok(sad_claims *c) =
        \valid_read(c) &&
        c->version == SAD_VERSION &&
        qscd_id_ok(&c->signer) && qscd_id_ok(&c->credential) &&
        1 <= c->audience_len <= QSCD_AUDIENCE_MAX &&
        qscd_hash_ok(c->hash_alg) &&
        1 <= c->nhashes <= QSCD_MAX_HASHES &&
        1 <= c->num_signatures &&
        0 <= c->iat <= c->exp &&
        c->scal == SAD_SCAL;

    // h[0 .. n-1] equals digest j of the claims.
    predicate sad_digest_is{L}(sad_claims *c, integer j, uint8_t *h, integer n) =
        \forall integer k; 0 <= k < n ==> c->hashes[j * QSCD_MAX_DIGEST + k] == h[k];

    // h[0 .. n-1] equals one of the first m digests of the claims.
    predicate sad_listed_upto{L}(sad_claims *c, uint8_t *h, integer n, integer m) =
        \exists integer j; 0 <= j < m && sad_digest_is(c, j, h, n);

    // h[0 .. n-1] equals one of the digests the claims authorise.
    predicate sad_listed{L}(sad_claims *c, uint8_t *h, integer n) =
        sad_listed_upto(c, h, n, c->nhashes);

    // Every field of *c is the same at labels A and B.
    predicate sad_claims_same{A, B}(sad_claims *c) =
        \at(c->version, A) == \at(c->version, B) &&
        \at(c->signer.len, A) == \at(c->signer.len, B) &&
        \at(c->credential.len, A) == \at(c->credential.len, B) &&
        \at(c->hash_alg, A) == \at(c->hash_alg, B) &&
        \at(c->nhashes, A) == \at(c->nhashes, B) &&
        \at(c->num_signatures, A) == \at(c->num_signatures, B) &&
        \at(c->iat, A) == \at(c->iat, B) && \at(c->exp, A) == \at(c->exp, B) &&
        (\forall integer k; 0 <= k < QSCD_TOKEN_ID_LEN ==> \at(c->token_id[k], A) == \at(c->token_id[k], B)) &&
        (\forall integer k; 0 <= k < QSCD_ID_MAX ==> \at(c->signer.b[k], A) == \at(c->signer.b[k], B)) &&
        (\forall integer k; 0 <= k < QSCD_ID_MAX ==> \at(c->credential.b[k], A) == \at(c->credential.b[k], B)) &&
        (\forall integer k; 0 <= k < QSCD_MAX_HASHES * QSCD_MAX_DIGEST ==>
            \at(c->hashes[k], A) == \at(c->hashes[k], B));
*/

/* Is h[0 .. n-1] one of the digests the claims authorise? Each candidate is compared in
 * constant time; the loop always visits every listed digest.
 *
 *   returns 1   listed
 *   returns 0   not listed (or n is not the claims' digest length)
 */
/*@ requires sad_claims_ok(c);
    requires \valid_read(h + (0 .. n - 1));
    requires n == qscd_digest_len(c->hash_alg);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures SRA_SAP_2_3_hash_listed: \result == 1 <==> sad_listed(c, h, n);
*/
int sad_hash_listed(const sad_claims *c, const uint8_t *h, size_t n);

/* Overwrite every field of the claims with zeros: decoded SAD content does not outlive the
 * request (EN 419 241-1 SRA_SAP.2.8, SRA_SKM.2.8). */
/*@ requires \valid(c);
    terminates \true;
    assigns *c;
    ensures SRA_SAP_2_8_wiped: c->nhashes == 0 && c->num_signatures == 0 &&
        (\forall integer k; 0 <= k < QSCD_MAX_HASHES * QSCD_MAX_DIGEST ==> c->hashes[k] == 0);
*/
void sad_claims_wipe(sad_claims *c);

typedef struct qscd_ports qscd_ports;

/* Verify a SAD token and decode its claims: COSE_Mac0 structure (tag 17, HMAC 256/256), the
 * MAC recomputed by the token-MAC port over the exact MAC_structure and compared in constant
 * time, then the claims decoded strictly (spec/sap.md).
 *
 *   QSCD_OK                 out holds the claims of a token this service issued
 *   QSCD_ERR_SAD_MALFORMED  not a COSE_Mac0 of the SAD profile, or claims malformed
 *   QSCD_ERR_SAD_VERSION    claims of another version
 *   QSCD_ERR_SAD_MAC        the tag does not verify
 *   other                   the MAC port's error
 * On error out is wiped.
 */
/*@ requires \valid_read(tok + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, tok + (0 .. len - 1));
    terminates \true;
    assigns *out, sam_g_verified;
    ensures SRA_SAP_1_6_authentic: \result == QSCD_OK ==> sam_g_verified == out && sad_claims_ok(out);
    ensures \result != QSCD_OK ==> sam_g_verified == \old(sam_g_verified);
*/
int sad_token_verify(qscd_ports *p, const uint8_t *tok, size_t len, sad_claims *out);

/* Issue a SAD token for the claims: encode them (deterministic CBOR, spec/sap.md), MAC the
 * MAC_structure with the token-MAC port, assemble the tagged COSE_Mac0 into out.
 *
 *   QSCD_OK                    out[0 .. *len - 1] holds the token
 *   QSCD_ERR_BUFFER_TOO_SMALL  cap is too small
 *   other                      the MAC port's error
 */
/*@ requires sad_claims_ok(c);
    requires \valid(out + (0 .. cap - 1)) && \valid(len);
    requires \separated(out + (0 .. cap - 1), len, c);
    terminates \true;
    assigns out[0 .. cap - 1], *len;
    ensures \result == QSCD_OK ==> 0 < *len <= cap;
*/
int sad_token_issue(qscd_ports *p, const sad_claims *c, uint8_t *out, size_t cap, size_t *len);

#endif
