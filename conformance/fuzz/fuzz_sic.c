/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the SIC assertion check (src/core/sic.h). The first byte sets the
 * scene: whether the request is a fixed one (the seeds' credential and digest) or is read
 * from the assertion's own claims, so that matching claims are common and the challenge and
 * signature steps are reached; what the challenge port answers (fresh, too old, from the
 * future, unknown, failing); what the device-key port answers (valid, invalid, failing). The
 * rest is the assertion. Checked: the challenge is taken at most once and before any
 * signature check, the signature is checked at most once, over the Sig_structure of the
 * assertion as parsed here, and possession is granted only when the claims repeat the
 * request, the challenge was fresh and the signature verified.
 */
#include <string.h>

#include "cose.h"
#include "fuzz_common.h"
#include "ports.h"
#include "sic.h"

#define NOW 1000000
#define CHALLENGE_TTL 300

typedef struct scene {
    int64_t issued;        /* what the challenge port says; 0 with take_rc != QSCD_OK */
    int take_rc, verify_rc;
    int takes, verifies;   /* calls seen */
    const uint8_t *tbs;    /* the device port's input, as given */
    size_t tbs_len;
    const uint8_t *sig;
} scene;

static scene g;

static int port_take(void *ctx, const qscd_id *signer, const uint8_t *challenge, int64_t *issued)
{
    (void)ctx;
    (void)signer;
    (void)challenge;
    g.takes++;
    *issued = g.issued;
    return g.take_rc;
}

static int port_verify(void *ctx, const qscd_id *signer, const uint8_t *tbs, size_t tbs_len,
                       const uint8_t *sig)
{
    (void)ctx;
    (void)signer;
    CHECK(g.takes == 1 && g.take_rc == QSCD_OK);
    g.verifies++;
    g.tbs = tbs;
    g.tbs_len = tbs_len;
    g.sig = sig;
    return g.verify_rc;
}

static qscd_ports g_ports = { .challenge_take = port_take, .device_verify = port_verify };

static void scene_set(uint8_t b)
{
    static const int64_t ages[8] = { 10, 0, CHALLENGE_TTL + 1, -5, 0, 0, CHALLENGE_TTL, 1 };
    static const int takes[8] = { QSCD_OK, QSCD_OK, QSCD_OK, QSCD_OK, QSCD_ERR_NOT_FOUND,
                                  QSCD_ERR_IO, QSCD_OK, QSCD_OK };
    static const int verifies[4] = { QSCD_OK, QSCD_ERR_COSE_BAD_SIGNATURE, QSCD_ERR_IO, QSCD_OK };

    memset(&g, 0, sizeof g);
    g.issued = NOW - ages[(b >> 1) & 7];
    g.take_rc = takes[(b >> 1) & 7];
    g.verify_rc = verifies[(b >> 4) & 3];
}

/* The request the seeds' assertions were made for (seeds.py writes the same). */
static void request_fixed(sam_authz_req *q)
{
    memset(q, 0, sizeof *q);
    q->actor.role = 1;
    q->actor.id.len = 5;
    memcpy(q->actor.id.b, "alice", 5);
    q->cred.len = 6;
    memcpy(q->cred.b, "cred-1", 6);
    q->num_signatures = 1;
    q->hash_alg = QSCD_HASH_SHA256;
    q->nhashes = 1;
    memset(q->hashes, 0x01, 32);
}

/* The request the assertion's claims (keys 3 to 6) describe, when they can be read; 0 if not. */
static int request_of_claims(const uint8_t *pl, size_t n, sam_authz_req *q)
{
    size_t v = 0, a = 0, len = 0, item = 0;
    uint64_t u = 0, count = 0;

    if (scbor_map_find_int(pl, n, 0, 3, &v) != QSCD_OK ||
        scbor_get_bstr(pl, n, v, &a, &len) != QSCD_OK || len < 1 || len > QSCD_ID_MAX)
        return 0;
    q->cred.len = (uint8_t)len;
    memcpy(q->cred.b, pl + a, len);
    if (scbor_map_find_int(pl, n, 0, 4, &v) != QSCD_OK ||
        scbor_get_uint(pl, n, v, &u) != QSCD_OK || u > 0xffffffffu)
        return 0;
    q->num_signatures = (uint32_t)u;
    if (scbor_map_find_int(pl, n, 0, 5, &v) != QSCD_OK ||
        scbor_get_uint(pl, n, v, &u) != QSCD_OK || u > 3 || qscd_hash_digest_len((int32_t)u) == 0)
        return 0;
    q->hash_alg = (int32_t)u;
    if (scbor_map_find_int(pl, n, 0, 6, &v) != QSCD_OK ||
        scbor_get_array(pl, n, v, &count, &item) != QSCD_OK || count < 1 || count > QSCD_MAX_HASHES)
        return 0;
    for (uint64_t j = 0; j < count; j++) {
        if (scbor_get_bstr(pl, n, item, &a, &len) != QSCD_OK ||
            len != qscd_hash_digest_len(q->hash_alg))
            return 0;
        memcpy(&q->hashes[j * QSCD_MAX_DIGEST], pl + a, len);
        item = a + len;
    }
    q->nhashes = (size_t)count;
    return 1;
}

/* Possession was granted: every step that grants it must have happened, as it should. */
static void granted(const sam_authz_req *q)
{
    static uint8_t tbs[SAM_ASSERTION_MAX + 64];
    static const uint8_t none[1] = { 0 };
    static sam_authz_req again;
    size_t n = 0;
    cose_msg m;

    CHECK(g.takes == 1 && g.take_rc == QSCD_OK);
    CHECK(g.issued <= NOW && NOW - g.issued <= CHALLENGE_TTL);
    CHECK(g.verifies == 1 && g.verify_rc == QSCD_OK);
    CHECK(cose_sign1_parse(q->assertion, q->assertion_len, COSE_TAG_REQUIRED, &m) == QSCD_OK);
    CHECK(m.alg == COSE_ALG_ES256 && !m.detached && g.sig == q->assertion + m.sig_off);
    CHECK(cose_sig_structure(&m, q->assertion, q->assertion_len, none, 0, none, 0, tbs,
                             sizeof tbs, &n) == QSCD_OK);
    CHECK(n == g.tbs_len && memcmp(tbs, g.tbs, n) == 0);
    /* the claims name exactly the request */
    memset(&again, 0, sizeof again);
    CHECK(request_of_claims(q->assertion + m.payload_off, m.payload_len, &again) == 1);
    CHECK(again.cred.len == q->cred.len && memcmp(again.cred.b, q->cred.b, q->cred.len) == 0);
    CHECK(again.num_signatures == q->num_signatures && again.hash_alg == q->hash_alg);
    CHECK(again.nhashes == q->nhashes &&
          memcmp(again.hashes, q->hashes, q->nhashes * QSCD_MAX_DIGEST) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sam_config cfg = {
        .audience_len = 4, .audience = "qscd", .token_ttl = 300, .token_max_life = 86400,
        .clock_skew = 60, .lockout_limit = 5, .challenge_ttl = CHALLENGE_TTL, .otp_step = 30,
        .otp_digits = 6,
    };
    static sam_authz_req q;
    static sam_signer signer;
    int ok = -1, rc;
    cose_msg m;

    if (size == 0 || size - 1 > SAM_ASSERTION_MAX)
        return 0;
    scene_set(data[0]);
    request_fixed(&q);
    if ((data[0] & 1) && cose_sign1_parse(data + 1, size - 1, COSE_TAG_OPTIONAL, &m) == QSCD_OK &&
        !m.detached) {
        static sam_authz_req t;
        t = q;
        if (request_of_claims(data + 1 + m.payload_off, m.payload_len, &t))
            q = t;
    }
    q.assertion_len = size - 1;
    memcpy(q.assertion, data + 1, size - 1);
    signer.id = q.actor.id;
    rc = sic_assertion_check(&g_ports, &cfg, &q, &signer, NOW, &ok);
    CHECK(ok == 0 || ok == 1);
    CHECK(g.takes <= 1 && g.verifies <= 1);
    CHECK(rc == QSCD_OK || rc == g.take_rc || rc == g.verify_rc);
    if (ok == 1)
        granted(&q);
    return 0;
}
