/* SPDX-License-Identifier: Apache-2.0 */
/* The SIC assertion (contract in sic.h, format in spec/sap.md §3). */
#include "sic.h"

#include <stdbool.h>

#include "cose.h"
#include "qscd_mem.h"
#include "scbor.h"

/* The assertion's claims map has exactly these keys, 1 to SIC_KEYS, in order. */
#define SIC_KEYS 6u
#define SIC_VERSION 1u
/* Sig_structure of the largest assertion. */
#define SIC_TBS_MAX (SAM_ASSERTION_MAX + 32)

static const scbor_limits sic_limits = { 2u, QSCD_MAX_HASHES, 64u, SCBOR_REQUIRE_SORTED };
static const uint8_t sic_no_aad[1] = { 0 };

/* Is the byte string at off exactly ref[0 .. n-1]? */
/*@ requires \valid_read(pl + (0 .. plen - 1)) && \valid_read(ref + (0 .. n - 1));
    requires n <= QSCD_MAX_DIGEST;
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int bstr_is(const uint8_t *pl, size_t plen, size_t off, const uint8_t *ref, size_t n)
{
    size_t doff = 0, dlen = 0;
    uint8_t v[QSCD_MAX_DIGEST] = { 0 };   /* the string, copied to start at its first byte */

    if (scbor_get_bstr(pl, plen, off, &doff, &dlen) != QSCD_OK || dlen != n)
        return 0;
    qscd_copy_at(v, pl, plen, doff, n);
    return qscd_ct_equal(v, ref, n) == 1;
}

/* Is the uint at off exactly v? */
/*@ requires \valid_read(pl + (0 .. plen - 1));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int uint_is(const uint8_t *pl, size_t plen, size_t off, uint64_t v)
{
    uint64_t x = 0;

    return scbor_get_uint(pl, plen, off, &x) == QSCD_OK && x == v;
}

/* Key 6: exactly the request's hashes, in order. */
/*@ requires \valid_read(pl + (0 .. plen - 1)) && sam_authz_req_ok(req);
    requires 1 <= req->nhashes <= QSCD_MAX_HASHES && qscd_hash_ok(req->hash_alg);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int hashes_are(const uint8_t *pl, size_t plen, size_t off, const sam_authz_req *req)
{
    size_t dlen = qscd_hash_digest_len(req->hash_alg);
    uint64_t count = 0;
    size_t item = 0;
    int same = scbor_get_array(pl, plen, off, &count, &item) == QSCD_OK && count == req->nhashes;
    size_t j;

    /*@ loop invariant 0 <= j <= req->nhashes;
        loop invariant same == 0 || same == 1;
        loop assigns j, same, item;
        loop variant req->nhashes - j;
    */
    for (j = 0; same == 1 && j < req->nhashes; j++) {
        same = bstr_is(pl, plen, item, &req->hashes[j * QSCD_MAX_DIGEST], dlen);
        if (same == 1 && scbor_skip(pl, plen, item, &item) != QSCD_OK)
            same = 0;
    }
    return same;
}

/* The value of key k (1..6) against the request; key 2 (the challenge) is copied out. */
/*@ requires \valid_read(pl + (0 .. plen - 1)) && sam_authz_req_ok(req);
    requires 1 <= req->nhashes <= QSCD_MAX_HASHES && qscd_hash_ok(req->hash_alg);
    requires \valid(challenge + (0 .. SAM_CHALLENGE_LEN - 1));
    requires \separated(challenge + (0 .. SAM_CHALLENGE_LEN - 1), pl + (0 .. plen - 1));
    requires \separated(challenge + (0 .. SAM_CHALLENGE_LEN - 1), req);
    terminates \true;
    assigns challenge[0 .. SAM_CHALLENGE_LEN - 1];
    ensures \result == 0 || \result == 1;
*/
static int field_matches(const uint8_t *pl, size_t plen, size_t off, uint64_t k,
                         const sam_authz_req *req, uint8_t *challenge)
{
    size_t doff = 0, dlen = 0;
    int m = 0;

    if (k == 1) {
        m = uint_is(pl, plen, off, SIC_VERSION);
    } else if (k == 2) {
        if (scbor_get_bstr(pl, plen, off, &doff, &dlen) == QSCD_OK && dlen == SAM_CHALLENGE_LEN) {
            qscd_copy(challenge, &pl[doff], SAM_CHALLENGE_LEN);
            m = 1;
        }
    } else if (k == 3) {
        m = bstr_is(pl, plen, off, req->cred.b, req->cred.len);
    } else if (k == 4) {
        m = uint_is(pl, plen, off, req->num_signatures);
    } else if (k == 5) {
        m = uint_is(pl, plen, off, (uint64_t)req->hash_alg);
    } else if (k == 6) {
        m = hashes_are(pl, plen, off, req);
    }
    return m;
}

/* The assertion's claims: strictly valid CBOR, keys 1..6 in order, each equal to the request;
 * the challenge they carry is copied out. */
/*@ requires \valid_read(pl + (0 .. plen - 1)) && sam_authz_req_ok(req);
    requires 1 <= req->nhashes <= QSCD_MAX_HASHES && qscd_hash_ok(req->hash_alg);
    requires \valid(challenge + (0 .. SAM_CHALLENGE_LEN - 1));
    requires \separated(challenge + (0 .. SAM_CHALLENGE_LEN - 1), pl + (0 .. plen - 1));
    requires \separated(challenge + (0 .. SAM_CHALLENGE_LEN - 1), req);
    terminates \true;
    assigns challenge[0 .. SAM_CHALLENGE_LEN - 1];
    ensures \result == 0 || \result == 1;
*/
static int claims_match(const uint8_t *pl, size_t plen, const sam_authz_req *req,
                        uint8_t *challenge)
{
    size_t item_len = 0, off = 0, voff = 0;
    uint64_t count = 0, key = 0, k;
    int m = scbor_check(pl, plen, &sic_limits, &item_len) == QSCD_OK &&
            scbor_get_map(pl, plen, 0, &count, &off) == QSCD_OK && count == SIC_KEYS;

    /*@ loop invariant 1 <= k <= SIC_KEYS + 1;
        loop invariant m == 0 || m == 1;
        loop assigns k, m, key, off, voff, challenge[0 .. SAM_CHALLENGE_LEN - 1];
        loop variant SIC_KEYS + 1 - k;
    */
    for (k = 1; m == 1 && k <= SIC_KEYS; k++) {
        m = scbor_get_uint(pl, plen, off, &key) == QSCD_OK && key == k &&
            scbor_skip(pl, plen, off, &voff) == QSCD_OK &&
            field_matches(pl, plen, voff, k, req, challenge) == 1 &&
            scbor_skip(pl, plen, voff, &off) == QSCD_OK;
    }
    return m;
}

/* Take the challenge: it must be this signer's, unused, and younger than its lifetime. */
/*@ requires sam_config_ok(cfg) && sam_signer_ok(signer);
    requires 0 <= now <= 0x7fffffff00;
    requires \valid_read(challenge + (0 .. SAM_CHALLENGE_LEN - 1));
    requires \valid(fresh) && \separated(fresh, challenge + (0 .. SAM_CHALLENGE_LEN - 1));
    terminates \true;
    assigns *fresh;
    ensures *fresh == 0 || *fresh == 1;
    ensures *fresh == 1 ==> \result == QSCD_OK;
*/
static int challenge_fresh(qscd_ports *p, const sam_config *cfg, const sam_signer *signer,
                           const uint8_t *challenge, int64_t now, int *fresh)
{
    int64_t issued = 0;
    int rc = qscd_port_challenge_take(p, &signer->id, challenge, &issued);

    *fresh = 0;
    if (rc == QSCD_ERR_NOT_FOUND)
        rc = QSCD_OK;
    else if (rc == QSCD_OK && issued <= now && now - issued <= cfg->challenge_ttl)
        *fresh = 1;
    return rc;
}

int sic_assertion_check(qscd_ports *p, const sam_config *cfg, const sam_authz_req *req,
                        const sam_signer *signer, int64_t now, int *ok)
{
    uint8_t challenge[SAM_CHALLENGE_LEN];
    uint8_t tbs[SIC_TBS_MAX];
    uint8_t payload[SAM_ASSERTION_MAX] = { 0 };   /* zeroed: see sam_authorize's claims */
    size_t tbs_len = 0;
    cose_msg msg = { 0 };
    int valid = 0, rc = QSCD_OK, vr;

    *ok = 0;
    qscd_wipe(challenge, sizeof challenge);
    if (req->assertion_len <= SAM_ASSERTION_MAX && req->nhashes >= 1 &&
        req->nhashes <= QSCD_MAX_HASHES && qscd_hash_digest_len(req->hash_alg) != 0 &&
        cose_sign1_parse(req->assertion, req->assertion_len, COSE_TAG_REQUIRED, &msg) == QSCD_OK &&
        msg.alg == COSE_ALG_ES256 && !msg.detached) {
        /* The claims are decoded from a copy that starts at its own first byte. */
        qscd_copy_at(payload, req->assertion, req->assertion_len, msg.payload_off,
                     msg.payload_len);
        valid = claims_match(payload, msg.payload_len, req, challenge);
    }
    /* The challenge is used up by its first use, whatever the signature turns out to be. */
    if (valid == 1)
        rc = challenge_fresh(p, cfg, signer, challenge, now, &valid);
    if (rc == QSCD_OK && valid == 1)
        rc = cose_sig_structure(&msg, req->assertion, req->assertion_len, sic_no_aad, 0,
                                sic_no_aad, 0, tbs, sizeof tbs, &tbs_len);
    if (rc == QSCD_OK && valid == 1) {
        vr = qscd_port_device_verify(p, &signer->id, tbs, tbs_len, &req->assertion[msg.sig_off]);
        if (vr == QSCD_OK) {
            *ok = 1;
            /*@ ghost sam_g_possession_ok = 1; */
        } else if (vr != QSCD_ERR_COSE_BAD_SIGNATURE) {
            rc = vr;
        }
    }
    return rc;
}
