/* SPDX-License-Identifier: Apache-2.0 */
/* SAD token claims: lookups and wiping (contracts in sad.h). */
#include "sad.h"

#include <stdbool.h>

#include "cose.h"
#include "qscd_mem.h"
#include "qscd_ports.h"
#include "scbor.h"

int sad_hash_listed(const sad_claims *c, const uint8_t *h, size_t n)
{
    size_t m = c->nhashes;
    int found = 0;
    size_t j;

    /*@ loop invariant 0 <= j <= m <= QSCD_MAX_HASHES;
        loop invariant found == 0 || found == 1;
        loop invariant found == 1 <==> sad_listed_upto(c, h, n, j);
        loop assigns j, found;
        loop variant m - j;
    */
    for (j = 0; j < m; j++) {
        /* Digests are not secret: stopping early would be fine, but every candidate is
         * compared so the cost does not depend on the request. */
        int eq = qscd_ct_equal(&c->hashes[j * QSCD_MAX_DIGEST], h, n);
        /*@ assert eq == 1 <==> sad_digest_is(c, j, h, n); */
        if (eq)
            found = 1;
    }
    return found;
}

void sad_claims_wipe(sad_claims *c)
{
    qscd_wipe(c->hashes, sizeof c->hashes);
    qscd_wipe(c->token_id, QSCD_TOKEN_ID_LEN);
    qscd_wipe(c->audience, QSCD_AUDIENCE_MAX);
    qscd_id_clear(&c->signer);
    qscd_id_clear(&c->credential);
    c->version = 0;
    c->nhashes = 0;
    c->num_signatures = 0;
    c->hash_alg = 0;
    c->iat = 0;
    c->exp = 0;
    c->scal = 0;
    c->audience_len = 0;
}

/* ---------------------------------------------------------------------- token encoding */

/* Largest claims payload: 11 keys, three ids, the audience and 32 SHA-512 digests. */
#define SAD_PAYLOAD_MAX 2560
/* The claims map has exactly these keys, 1 to SAD_KEYS, in order (spec/sap.md §2). */
#define SAD_KEYS 11u

/* External AAD of the token's MAC: empty (a pointer to something, for the contracts). */
static const uint8_t sad_no_aad[1] = { 0 };

/* The deterministic encoding of the claims map (keys in increasing order). */
/*@ requires sad_claims_ok(c);
    requires scbor_enc_ok(e);
    requires \separated(e, c, e->buf + (0 .. e->cap - 1));
    requires \separated(c, e->buf + (0 .. e->cap - 1));
    terminates \true;
    assigns e->len, e->err, e->buf[0 .. e->cap - 1];
    ensures scbor_enc_ok(e);
*/
static void claims_put(scbor_enc *e, const sad_claims *c)
{
    /* Every scalar read before the first write: the encoder's writes cannot change them. */
    size_t dlen = qscd_hash_digest_len(c->hash_alg);
    uint64_t alg = (uint64_t)c->hash_alg;
    uint64_t iat = (uint64_t)c->iat;
    uint64_t exp = (uint64_t)c->exp;
    uint32_t n = c->nhashes;
    uint32_t j;

    scbor_put_map(e, SAD_KEYS);
    scbor_put_uint(e, 1);
    scbor_put_uint(e, c->version);
    scbor_put_uint(e, 2);
    scbor_put_bstr(e, c->token_id, QSCD_TOKEN_ID_LEN);
    scbor_put_uint(e, 3);
    scbor_put_bstr(e, c->signer.b, c->signer.len);
    scbor_put_uint(e, 4);
    scbor_put_bstr(e, c->credential.b, c->credential.len);
    scbor_put_uint(e, 5);
    scbor_put_bstr(e, c->audience, c->audience_len);
    scbor_put_uint(e, 6);
    scbor_put_uint(e, alg);
    scbor_put_uint(e, 7);
    scbor_put_array(e, n);
    /*@ loop invariant 0 <= j <= n <= QSCD_MAX_HASHES;
        loop invariant scbor_enc_ok(e);
        loop assigns j, e->len, e->err, e->buf[0 .. e->cap - 1];
        loop variant n - j;
    */
    for (j = 0; j < n; j++)
        scbor_put_bstr(e, &c->hashes[j * QSCD_MAX_DIGEST], dlen);
    scbor_put_uint(e, 8);
    scbor_put_uint(e, c->num_signatures);
    scbor_put_uint(e, 9);
    scbor_put_uint(e, iat);
    scbor_put_uint(e, 10);
    scbor_put_uint(e, exp);
    scbor_put_uint(e, 11);
    scbor_put_uint(e, c->scal);
}

int sad_token_issue(qscd_ports *p, const sad_claims *c, uint8_t *out, size_t cap, size_t *len)
{
    /* Zeroed: EVA then knows every byte the encoder leaves initialised. */
    uint8_t payload[SAD_PAYLOAD_MAX] = { 0 };
    uint8_t tbs[SAD_MACSTRUCT_MAX] = { 0 };
    uint8_t tag[32];
    size_t tbs_len = 0;
    scbor_enc e;
    int rc;

    scbor_enc_init(&e, payload, sizeof payload);
    claims_put(&e, c);
    rc = e.err;
    if (rc == QSCD_OK)
        rc = cose_mac0_tbs(COSE_ALG_HMAC256, sad_no_aad, 0, payload, e.len, tbs, sizeof tbs,
                           &tbs_len);
    if (rc == QSCD_OK)
        rc = qscd_port_token_mac(p, tbs, tbs_len, tag);
    if (rc == QSCD_OK)
        rc = cose_mac0_encode(COSE_ALG_HMAC256, payload, e.len, tag, sizeof tag, true, out, cap,
                              len);
    if (rc == QSCD_OK && *len == 0)
        rc = QSCD_ERR_INTERNAL;
    qscd_wipe(tag, sizeof tag);
    return rc;
}

/* ---------------------------------------------------------------------- token decoding */

/* The strict profile of the claims: sorted keys, definite lengths, no tags, a map of 32 at
 * most with one array inside, strings of 64 bytes at most. */
static const scbor_limits sad_limits = { 2u, QSCD_MAX_HASHES, 64u, SCBOR_REQUIRE_SORTED };

/* Largest time the claims may carry (the trusted clock's bound, see qscd_port_now). */
#define SAD_TIME_MAX 0x7fffffff00u

/* Is every field of the claims within the profile? The last word on sad_claims_ok. */
/*@ requires \valid_read(c);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 <==> sad_claims_ok(c);
*/
static int claims_valid(const sad_claims *c)
{
    return c->version == SAD_VERSION && c->signer.len >= 1 && c->signer.len <= QSCD_ID_MAX &&
           c->credential.len >= 1 && c->credential.len <= QSCD_ID_MAX &&
           c->audience_len >= 1 && c->audience_len <= QSCD_AUDIENCE_MAX &&
           qscd_hash_digest_len(c->hash_alg) != 0 && c->nhashes >= 1 &&
           c->nhashes <= QSCD_MAX_HASHES && c->num_signatures >= 1 && c->iat >= 0 && c->iat <= c->exp &&
           c->scal == SAD_SCAL;
}

/* A byte string of lo..hi bytes at off, into dst (zero-padded to cap). */
/*@ requires \valid_read(pl + (0 .. plen - 1));
    requires 1 <= lo <= hi <= cap;
    requires \valid(dst + (0 .. cap - 1)) && \valid(n);
    requires \separated(dst + (0 .. cap - 1), n, pl + (0 .. plen - 1));
    terminates \true;
    assigns dst[0 .. cap - 1], *n;
    ensures \result == QSCD_OK ==> lo <= *n <= hi;
    ensures *n <= hi;
*/
static int get_bytes(const uint8_t *pl, size_t plen, size_t off, size_t lo, size_t hi,
                     uint8_t *dst, size_t cap, size_t *n)
{
    size_t doff = 0, dlen = 0;
    int rc = scbor_get_bstr(pl, plen, off, &doff, &dlen);

    qscd_wipe(dst, cap);
    *n = 0;
    if (rc == QSCD_OK && (dlen < lo || dlen > hi))
        rc = QSCD_ERR_SAD_MALFORMED;
    if (rc == QSCD_OK) {
        qscd_copy_at(dst, pl, plen, doff, dlen);
        *n = dlen;
    }
    return rc;
}

/* An unsigned integer in lo..hi at off. */
/*@ requires \valid_read(pl + (0 .. plen - 1));
    requires \valid(v) && \separated(v, pl + (0 .. plen - 1));
    terminates \true;
    assigns *v;
    ensures \result == QSCD_OK ==> lo <= *v <= hi;
    ensures *v <= hi;
*/
static int get_range(const uint8_t *pl, size_t plen, size_t off, uint64_t lo, uint64_t hi,
                     uint64_t *v)
{
    uint64_t x = 0;
    int rc = scbor_get_uint(pl, plen, off, &x);

    *v = 0;
    if (rc == QSCD_OK && (x < lo || x > hi))
        rc = QSCD_ERR_SAD_MALFORMED;
    if (rc == QSCD_OK)
        *v = x;
    return rc;
}

/* Key 7: 1..32 digests, each of the length of the hash algorithm already read (key 6). */
/*@ requires \valid_read(pl + (0 .. plen - 1));
    requires \valid(c) && \separated(c, pl + (0 .. plen - 1));
    terminates \true;
    assigns c->nhashes, c->hashes[0 .. QSCD_MAX_HASHES * QSCD_MAX_DIGEST - 1];
    ensures \result == QSCD_OK ==> 1 <= c->nhashes <= QSCD_MAX_HASHES;
*/
static int get_hashes(const uint8_t *pl, size_t plen, size_t off, sad_claims *c)
{
    size_t dlen = qscd_hash_digest_len(c->hash_alg);
    uint64_t count = 0;
    size_t item = 0, got = 0;
    int rc = scbor_get_array(pl, plen, off, &count, &item);
    uint32_t j;

    c->nhashes = 0;
    if (rc == QSCD_OK && (dlen == 0 || count < 1 || count > QSCD_MAX_HASHES))
        rc = QSCD_ERR_SAD_MALFORMED;
    /*@ loop invariant 0 <= j <= QSCD_MAX_HASHES;
        loop invariant dlen <= QSCD_MAX_DIGEST;
        loop invariant rc == QSCD_OK ==> 1 <= dlen && 1 <= count <= QSCD_MAX_HASHES;
        loop invariant rc == QSCD_OK ==> j <= count;
        loop assigns j, rc, item, got, c->hashes[0 .. QSCD_MAX_HASHES * QSCD_MAX_DIGEST - 1];
        loop variant QSCD_MAX_HASHES - j;
    */
    for (j = 0; rc == QSCD_OK && j < count && j < QSCD_MAX_HASHES; j++) {
        rc = get_bytes(pl, plen, item, dlen, dlen, &c->hashes[j * QSCD_MAX_DIGEST],
                       QSCD_MAX_DIGEST, &got);
        if (rc == QSCD_OK)
            rc = scbor_skip(pl, plen, item, &item);
    }
    if (rc == QSCD_OK)
        c->nhashes = (uint32_t)count;
    return rc;
}

/* The value of key k (1..11) at off. */
/*@ requires \valid_read(pl + (0 .. plen - 1));
    requires \valid(c) && \separated(c, pl + (0 .. plen - 1));
    terminates \true;
    assigns *c;
*/
static int get_field(const uint8_t *pl, size_t plen, size_t off, uint64_t k, sad_claims *c)
{
    uint64_t v = 0;
    size_t n = 0;
    int rc;

    switch (k) {
    case 1:
        rc = get_range(pl, plen, off, SAD_VERSION, SAD_VERSION, &v);
        if (rc == QSCD_ERR_SAD_MALFORMED)
            rc = QSCD_ERR_SAD_VERSION;
        c->version = (uint32_t)v;
        break;
    case 2:
        rc = get_bytes(pl, plen, off, QSCD_TOKEN_ID_LEN, QSCD_TOKEN_ID_LEN, c->token_id,
                       QSCD_TOKEN_ID_LEN, &n);
        break;
    case 3:
        rc = get_bytes(pl, plen, off, 1, QSCD_ID_MAX, c->signer.b, QSCD_ID_MAX, &n);
        c->signer.len = (uint8_t)n;
        break;
    case 4:
        rc = get_bytes(pl, plen, off, 1, QSCD_ID_MAX, c->credential.b, QSCD_ID_MAX, &n);
        c->credential.len = (uint8_t)n;
        break;
    case 5:
        rc = get_bytes(pl, plen, off, 1, QSCD_AUDIENCE_MAX, c->audience, QSCD_AUDIENCE_MAX, &n);
        c->audience_len = (uint8_t)n;
        break;
    case 6:
        rc = get_range(pl, plen, off, QSCD_HASH_SHA256, QSCD_HASH_SHA512, &v);
        c->hash_alg = (int32_t)v;
        break;
    case 7:
        rc = get_hashes(pl, plen, off, c);
        break;
    case 8:
        rc = get_range(pl, plen, off, 1, 0xffffffffu, &v);
        c->num_signatures = (uint32_t)v;
        break;
    case 9:
        rc = get_range(pl, plen, off, 0, SAD_TIME_MAX, &v);
        c->iat = (int64_t)v;
        break;
    case 10:
        rc = get_range(pl, plen, off, 0, SAD_TIME_MAX, &v);
        c->exp = (int64_t)v;
        break;
    case 11:
        rc = get_range(pl, plen, off, SAD_SCAL, SAD_SCAL, &v);
        c->scal = (uint32_t)v;
        break;
    default:
        rc = QSCD_ERR_SAD_MALFORMED;
        break;
    }
    return rc;
}

/* The claims map: strictly valid CBOR, exactly the keys 1..11 in order, each value within
 * its rule, and the whole within sad_claims_ok. */
/*@ requires \valid_read(pl + (0 .. plen - 1));
    requires \valid(c) && \separated(c, pl + (0 .. plen - 1));
    terminates \true;
    assigns *c;
    ensures \result == QSCD_OK ==> sad_claims_ok(c);
*/
static int claims_decode(const uint8_t *pl, size_t plen, sad_claims *c)
{
    size_t item_len = 0, off = 0, voff = 0;
    uint64_t count = 0, key = 0;
    int rc = scbor_check(pl, plen, &sad_limits, &item_len);
    uint64_t k;

    if (rc == QSCD_OK)
        rc = scbor_get_map(pl, plen, 0, &count, &off);
    if (rc == QSCD_OK && count != SAD_KEYS)
        rc = QSCD_ERR_SAD_MALFORMED;
    /*@ loop invariant 1 <= k <= SAD_KEYS + 1;
        loop assigns k, rc, key, off, voff, *c;
        loop variant SAD_KEYS + 1 - k;
    */
    for (k = 1; rc == QSCD_OK && k <= SAD_KEYS; k++) {
        rc = scbor_get_uint(pl, plen, off, &key);
        if (rc == QSCD_OK && key != k)
            rc = QSCD_ERR_SAD_MALFORMED;
        if (rc == QSCD_OK)
            rc = scbor_skip(pl, plen, off, &voff);
        if (rc == QSCD_OK)
            rc = get_field(pl, plen, voff, k, c);
        if (rc == QSCD_OK)
            rc = scbor_skip(pl, plen, voff, &off);
    }
    if (rc == QSCD_OK && !claims_valid(c))
        rc = QSCD_ERR_SAD_MALFORMED;
    /* Every decoding failure is one answer to the outside: malformed (or wrong version). */
    if (rc != QSCD_OK && rc != QSCD_ERR_SAD_VERSION)
        rc = QSCD_ERR_SAD_MALFORMED;
    return rc;
}

int sad_token_verify(qscd_ports *p, const uint8_t *tok, size_t len, sad_claims *out)
{
    uint8_t tbs[SAD_MACSTRUCT_MAX];
    uint8_t tag[32];
    uint8_t payload[SAD_TOKEN_MAX] = { 0 };   /* zeroed: see sad_token_issue */
    size_t tbs_len = 0;
    cose_msg msg = { 0 };
    int rc = QSCD_ERR_SAD_MALFORMED;

    sad_claims_wipe(out);
    if (len <= SAD_TOKEN_MAX && cose_mac0_parse(tok, len, COSE_TAG_REQUIRED, &msg) == QSCD_OK &&
        !msg.detached &&
        cose_mac_structure(&msg, tok, len, sad_no_aad, 0, sad_no_aad, 0, tbs, sizeof tbs,
                           &tbs_len) == QSCD_OK)
        rc = qscd_port_token_mac(p, tbs, tbs_len, tag);
    /* The tag is compared before anything of the payload is believed (SRA_SAP.1.6). */
    if (rc == QSCD_OK && qscd_ct_equal(tag, &tok[msg.sig_off], sizeof tag) != 1)
        rc = QSCD_ERR_SAD_MAC;
    if (rc == QSCD_OK) {
        /* The claims are decoded from a copy that starts at its own first byte. */
        qscd_copy_at(payload, tok, len, msg.payload_off, msg.payload_len);
        rc = claims_decode(payload, msg.payload_len, out);
    }
    if (rc == QSCD_OK) {
        /*@ ghost sam_g_verified = out; */
    } else {
        sad_claims_wipe(out);
    }
    qscd_wipe(tag, sizeof tag);
    qscd_wipe(payload, sizeof payload);
    return rc;
}
