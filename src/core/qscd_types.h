/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Limits and small value types shared by the core and the shells: identifier sizes, hash
 * algorithms and their digest lengths. Every size here bounds a buffer in a caller-owned
 * struct; the decoders reject anything larger before copying.
 */
#ifndef QSCD_TYPES_H
#define QSCD_TYPES_H

#include <stddef.h>
#include <stdint.h>

/* Signer and credential identifiers: opaque bytes (printable in practice), 1..64 long. */
#define QSCD_ID_MAX 64
/* A SAD token authorises at most this many hashes (CSC numSignatures is bounded further by
 * the credential's multisign). */
#define QSCD_MAX_HASHES 32
/* Largest digest: SHA-512. */
#define QSCD_MAX_DIGEST 64
/* SAD token identifiers: 16 random bytes from the module's RNG. */
#define QSCD_TOKEN_ID_LEN 16
/* The service identity a SAD token is issued for (its audience), 1..64 bytes. */
#define QSCD_AUDIENCE_MAX 64

/* Hash algorithms a SAD may name. SHA-1 has no value: it cannot even be represented
 * (ETSI TS 119 312; CSC requires at least SHA-256). */
typedef enum qscd_hash {
    QSCD_HASH_NONE = 0,
    QSCD_HASH_SHA256 = 1,
    QSCD_HASH_SHA384 = 2,
    QSCD_HASH_SHA512 = 3,
} qscd_hash;

/*@ logic integer qscd_digest_len(integer alg) =
        alg == QSCD_HASH_SHA256 ? 32 :
        alg == QSCD_HASH_SHA384 ? 48 :
        alg == QSCD_HASH_SHA512 ? 64 : 0;
    predicate qscd_hash_ok(integer alg) =
        alg == QSCD_HASH_SHA256 || alg == QSCD_HASH_SHA384 || alg == QSCD_HASH_SHA512;
*/

/* Digest length of an allowed hash algorithm; 0 for anything else.
 *
 *   returns 32, 48, 64   for SHA-256, SHA-384, SHA-512
 *   returns 0            for any other value
 */
/*@ terminates \true;
    assigns \nothing;
    ensures \result == qscd_digest_len(alg);
*/
size_t qscd_hash_digest_len(int alg);

/* A byte string bounded by QSCD_ID_MAX, stored inline (signer and credential ids). */
typedef struct qscd_id {
    uint8_t len;
    uint8_t b[QSCD_ID_MAX];
} qscd_id;

/*@ predicate qscd_id_ok(qscd_id *i) = \valid_read(i) && 1 <= i->len <= QSCD_ID_MAX;
    predicate qscd_id_eq{L}(qscd_id *a, qscd_id *b) =
        a->len == b->len && (\forall integer k; 0 <= k < a->len ==> a->b[k] == b->b[k]);
*/

/* Equality of two ids, in time that depends only on their lengths.
 *
 *   returns 1   same length and bytes
 *   returns 0   otherwise
 */
/*@ requires qscd_id_ok(a) && qscd_id_ok(b);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 <==> qscd_id_eq(a, b);
*/
int qscd_id_equal(const qscd_id *a, const qscd_id *b);

/* Copy an id (length and bytes). */
/*@ requires qscd_id_ok(src) && \valid(dst) && \separated(dst, src);
    terminates \true;
    assigns *dst;
    ensures qscd_id_ok(dst) && qscd_id_eq(dst, src);
*/
void qscd_id_copy(qscd_id *dst, const qscd_id *src);

/* Make an id empty (length 0, bytes zero): the "none" value of event fields. */
/*@ requires \valid(dst);
    terminates \true;
    assigns *dst;
    ensures dst->len == 0;
*/
void qscd_id_clear(qscd_id *dst);

#endif
