/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SAM killed with SIGKILL at random points (a fixed seed, printed, so a failure replays):
 * of a signing loop, twelve times, and of credential creations. After each restart: the
 * audit chain verifies; every signature a client received has its audit record; no SAD token
 * gave more signatures than its count, before and after the kill; the failure counters were
 * kept (the fifth acknowledged failure across the kills locks the signer); and a half-made
 * credential left neither a record nor a key without the other (recovered and audited).
 */
#include "unit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "qscd_err.h"
#include "sam_roles.h"
#include "sam_types.h"
#include "util_samd.h"

#define KILLS 12
#define NUMSIG 3
#define HALF_ROUNDS 12 /* credential creations killed (about one in twenty leaves a key shell) */
#define MAX_TOKENS 4096
#define SEED 20261127u

static it_sam T;
static const char *why_not;
static EVP_PKEY *kim_dev, *lou_dev;
static uint8_t *kim_cert;
static size_t kim_cert_len;

#define NEED_SAM() do { if (why_not != NULL) UNIT_SKIP("%s", why_not); } while (0)

static int setup(void)
{
    why_not = it_unavailable();
    if (why_not != NULL)
        return 0;
    if (it_init(&T, "samdkill", NULL) != 0 || it_start(&T, NULL) != 0) {
        why_not = "the SAM did not start (see build/it-*/samdkill.log)";
        return 0;
    }
    if (it_enrol(&T, "kim", "kim-pin-1") != 0 || it_enrol(&T, "lou", "lou-pin-2") != 0 ||
        (kim_dev = it_device_enrol(&T, "kim")) == NULL ||
        (lou_dev = it_device_enrol(&T, "lou")) == NULL ||
        it_cred(&T, "kim", "k-1", SAM_KEY_EC_P256, SAM_SAP_SIC, NUMSIG, false) != 0 ||
        it_cred(&T, "lou", "l-1", SAM_KEY_EC_P256, SAM_SAP_SIC, 1, false) != 0 ||
        (kim_cert = it_cert(&T, "kim", "k-1", &kim_cert_len)) == NULL || it_audit_count(&T) == 0)
        why_not = "the signers could not be set up";
    return 0;
}

static int cleanup(void)
{
    EVP_PKEY_free(kim_dev);
    EVP_PKEY_free(lou_dev);
    free(kim_cert);
    if (T.pid > 0 && it_stop(&T) != 0)
        return -1;
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

    nanosleep(&ts, NULL);
}

/* --------------------------------------------------------------- the signing loop */

typedef struct token {
    uint8_t bytes[4096];
    size_t len;
    uint8_t id[16];
    uint8_t h[NUMSIG][32];
    int received;               /* signatures the client got (each verified) */
} token;

static token tokens[MAX_TOKENS];
static int ntokens;
static int bad_signatures;
static volatile int stop_loop;

/* Authorise three digests, sign them one by one, until the SAM goes away. */
static void *signing_loop(void *arg)
{
    int round = *(int *)arg;
    uint8_t sig[1][512];
    size_t sl[1];

    for (int k = 0; !stop_loop && ntokens < MAX_TOKENS; k++) {
        token *t = &tokens[ntokens];
        char text[64];
        uint8_t hs[NUMSIG * 32];
        memset(t, 0, sizeof *t);
        for (int j = 0; j < NUMSIG; j++) {
            snprintf(text, sizeof text, "round %d token %d hash %d", round, k, j);
            it_sha256(text, t->h[j]);
            memcpy(hs + 32 * j, t->h[j], 32);
        }
        if (it_authz_sic(&T, "kim", "k-1", "kim-pin-1", kim_dev, NUMSIG, hs, NUMSIG, t->bytes,
                         &t->len) != 0)
            break;
        it_token_id(t->bytes, t->len, t->id);
        ntokens++;
        for (int j = 0; j < NUMSIG; j++) {
            if (it_sign(&T, "kim", "k-1", t->bytes, t->len, SAM_SIGN_ECDSA, t->h[j], 1, sig, sl) != 0)
                return NULL;
            t->received++;
            bad_signatures += !it_verify(kim_cert, kim_cert_len, SAM_SIGN_ECDSA, t->h[j], sig[0], sl[0]);
        }
    }
    return NULL;
}

/* ------------------------------------------------------------- after a restart */

typedef struct audit_view {
    int signed_ok[MAX_TOKENS];  /* successful signature events per token */
    bool found[MAX_TOKENS][NUMSIG];
} audit_view;

static audit_view view;

/* A successful signature's record: counted for its token, its first hash found. */
static void on_sign(void *ctx, const uint8_t id[16], const uint8_t *first, size_t first_len,
                    int n)
{
    (void)ctx;
    for (int t = 0; t < ntokens; t++) {
        if (memcmp(tokens[t].id, id, 16) != 0)
            continue;
        view.signed_ok[t] += n;
        for (int j = 0; j < NUMSIG; j++)
            view.found[t][j] |= first_len == 32 && memcmp(tokens[t].h[j], first, 32) == 0;
    }
}

/* Walk the whole log: successful sign events, by token and first hash. */
static int read_log(void)
{
    memset(&view, 0, sizeof view);
    return it_audit_signs(&T, on_sign, NULL);
}

static bool chain_intact(void)
{
    samc_resp r;
    uint64_t bad;
    bool ok = it_call(&T, SAM_ROLE_AUDITOR, "aud", "aud-password", SAMC_AUDIT_VERIFY, NULL, &r) == 0 &&
              samc_get_uint(&r, 3, &bad) == QSCD_ERR_NOT_FOUND;

    samc_resp_free(&r);
    return ok;
}

/* Every received signature is in the log (durable before it was handed out); no token gives
 * more than NUMSIG signatures: the ones logged before the kill plus any made afterwards. */
static void check_tokens(int first, int *received, int *extra)
{
    uint8_t sig[1][512];
    size_t sl[1];

    for (int t = first; t < ntokens; t++) {
        int more = 0;
        for (int j = 0; j < NUMSIG; j++) {
            if (j < tokens[t].received)
                CU_ASSERT(view.found[t][j]); /* received, therefore audited */
            if (it_sign(&T, "kim", "k-1", tokens[t].bytes, tokens[t].len, SAM_SIGN_ECDSA,
                        tokens[t].h[j], 1, sig, sl) == 0)
                more++;
        }
        CU_ASSERT(tokens[t].received <= view.signed_ok[t]);
        CU_ASSERT(view.signed_ok[t] + more <= NUMSIG); /* CSC 11.9 across the crash */
        *received += tokens[t].received;
        *extra += more;
    }
}

static int lou_try(const char *pin)
{
    uint8_t h[32], tok[4096];
    size_t tl;

    it_sha256("lou", h);
    return it_authz_sic(&T, "lou", "l-1", pin, lou_dev, 1, h, 1, tok, &tl);
}

/* SIGKILL during the signing loop, KILLS times. */
static void test_SIGKILL_signing_loop(void)
{
    unsigned seed = SEED;
    int failures = 0, total_received = 0, total_extra = 0;

    NEED_SAM();
    printf("(seed %u) ", SEED);
    for (int round = 1; round <= KILLS; round++) {
        pthread_t th;
        int first = ntokens, received = 0, extra = 0;
        /* one acknowledged failure of lou per round: the count must survive the kills */
        CU_ASSERT_EQUAL(lou_try("not-lou"), QSCD_ERR_AUTH_FAILED);
        failures++;
        stop_loop = 0;
        pthread_create(&th, NULL, signing_loop, &round);
        sleep_ms(30 + rand_r(&seed) % 470);
        it_kill(&T);
        stop_loop = 1;
        pthread_join(th, NULL);
        CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
        CU_ASSERT(chain_intact());
        CU_ASSERT_EQUAL_FATAL(read_log(), 0);
        check_tokens(first, &received, &extra);
        total_received += received;
        total_extra += extra;
        if (failures == 5) {
            CU_ASSERT_EQUAL(lou_try("lou-pin-2"), QSCD_ERR_AUTH_LOCKED); /* SRC_SA.2.2 */
            it_p p;
            itp_map(&p, 1);
            itp_id(&p, 1, "lou");
            CU_ASSERT_EQUAL(it_so(&T, SAMC_SIGNER_UNLOCK, &p, NULL), 0);
            CU_ASSERT_EQUAL(lou_try("lou-pin-2"), 0);
            failures = 0;
        }
    }
    CU_ASSERT_EQUAL(bad_signatures, 0);
    CU_ASSERT(total_received > 0); /* the loop signed before being cut */
    printf("(%d tokens, %d signatures received, %d more after restarts) ", ntokens,
           total_received, total_extra);
}

/* ---------------------------------------------------- half-made credentials */

typedef struct create_arg {
    char cred[24];
    int alg;
} create_arg;

static void *create(void *p)
{
    create_arg *a = p;

    it_cred(&T, "kim", a->cred, a->alg, SAM_SAP_SIC, 1, false);
    return NULL;
}

/* SIGKILL during credential creations (an RSA-4096 generation, and P-256 ones at random
 * moments): after the restart every credential is whole (usable, certified) or gone, and
 * the module holds exactly one private key per credential record (a kill inside SoftHSMv2's
 * C_GenerateKeyPair can leave a key object without CKA_ID: the restart destroys it). */
static void test_SIGKILL_half_created_credential(void)
{
    unsigned seed = SEED + 1;

    NEED_SAM();
    if (access("/usr/bin/pkcs11-tool", X_OK) != 0 || access("/usr/bin/sqlite3", X_OK) != 0)
        UNIT_SKIP("pkcs11-tool (opensc) or sqlite3 is not installed: keys cannot be counted");
    for (int i = 0; i < HALF_ROUNDS; i++) {
        create_arg a;
        pthread_t th;
        size_t len = 0;
        uint8_t *cert;
        snprintf(a.cred, sizeof a.cred, "half-%d", i);
        a.alg = i == 0 ? SAM_KEY_RSA_4096 : SAM_KEY_EC_P256;
        pthread_create(&th, NULL, create, &a);
        sleep_ms(i == 0 ? 300 : (long)(rand_r(&seed) % 60));
        it_kill(&T);
        pthread_join(th, NULL);
        CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0); /* recovery runs here */
        cert = it_cert(&T, "kim", a.cred, &len);
        if (cert != NULL) { /* made whole before the kill: usable */
            uint8_t h[32], tok[4096], sig[1][512];
            size_t tl = 0, sl[1];
            it_sha256(a.cred, h);
            CU_ASSERT(it_authz_sic(&T, "kim", a.cred, "kim-pin-1", kim_dev, 1, h, 1, tok, &tl) == 0 &&
                      it_sign(&T, "kim", a.cred, tok, tl, SAM_SIGN_ECDSA, h, 1, sig, sl) == 0 &&
                      it_verify(cert, len, SAM_SIGN_ECDSA, h, sig[0], sl[0]));
            free(cert);
        }
        CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0);
        long keys = it_privkeys(&T), creds = it_cred_records(&T);
        if (keys != creds) {
            printf("(round %d: %ld private keys, %ld credentials) ", i, keys, creds);
            it_dump_keys_and_creds(&T);
        }
        CU_ASSERT_EQUAL(keys, creds); /* no key without a record */
        CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
    }
    CU_ASSERT(chain_intact());
}

/* SoftHSMv2's file store empties token.object for a moment at every login (samd_token.c):
 * a SIGKILL then would lose the token. The SAM restores the copy it kept, and says so. */
static long repairs(void)
{
    return it_sql_long(&T, "SELECT count(*) FROM audit WHERE op = 902 AND hash_alg = 3");
}

static void test_SIGKILL_token_file_repaired(void)
{
    char cmd[1200];
    size_t len = 0;
    uint8_t *cert;
    long before;

    NEED_SAM();
    before = repairs();
    CU_ASSERT_FATAL(before >= 0);
    it_kill(&T);
    snprintf(cmd, sizeof cmd, "for f in '%s'/hsm/tokens/*/token.object; do : > \"$f\"; done",
             T.dir);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
    cert = it_cert(&T, "kim", "k-1", &len);
    CU_ASSERT(cert != NULL);
    free(cert);
    CU_ASSERT_EQUAL(repairs(), before + 1);
    CU_ASSERT(chain_intact());
}

/* A SIGKILL inside SoftHSMv2's C_GenerateKeyPair can leave key objects with their default
 * attributes only: no CKA_ID, no key (p11a_sweep_anonymous). Two objects without CKA_ID put in
 * the token while the SAM is stopped stand for them: the next start destroys both, says so
 * in the audit log (cred.recover, hash_alg 4, count 2), and touches nothing else. */
static void test_SIGKILL_key_shells_swept(void)
{
    static const char *swept_q = "SELECT coalesce(sum(count), 0) FROM audit WHERE op = 902 AND "
                                 "hash_alg = 4";
    char tool[1200], cmd[4000];
    long keys, swept;

    NEED_SAM();
    if (access("/usr/bin/pkcs11-tool", X_OK) != 0 || access("/usr/bin/sqlite3", X_OK) != 0)
        UNIT_SKIP("pkcs11-tool (opensc) or sqlite3 is not installed: keys cannot be counted");
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0);
    keys = it_privkeys(&T);
    swept = it_sql_long(&T, swept_q);
    CU_ASSERT_FATAL(keys >= 2 && swept >= 0);
    it_p11tool(&T, tool, sizeof tool);
    snprintf(cmd, sizeof cmd, "cd '%s' && openssl genpkey -algorithm EC -pkeyopt "
             "ec_paramgen_curve:P-256 -outform DER -out shell.der && openssl pkey -inform DER "
             "-in shell.der -pubout -outform DER -out shell-pub.der && %s --write-object "
             "shell.der --type privkey --label shell >/dev/null && %s --write-object shell-pub.der "
             "--type pubkey --label shell >/dev/null && rm -f shell.der shell-pub.der", T.dir, tool, tool);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    CU_ASSERT_EQUAL_FATAL(it_privkeys(&T), keys + 1);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0); /* recovery runs here */
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0);
    CU_ASSERT_EQUAL(it_privkeys(&T), keys);
    CU_ASSERT_EQUAL(it_privkeys(&T), it_cred_records(&T));
    CU_ASSERT_EQUAL(it_sql_long(&T, swept_q), swept + 2);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
    CU_ASSERT(chain_intact());
}

UNIT_SUITE(samdkill)
{
    static const unit_test tests[] = {
        { "SIGKILL_signing_loop", test_SIGKILL_signing_loop },
        { "SIGKILL_half_created_credential", test_SIGKILL_half_created_credential },
        { "SIGKILL_token_file_repaired", test_SIGKILL_token_file_repaired },
        { "SIGKILL_key_shells_swept", test_SIGKILL_key_shells_swept },
        { NULL, NULL },
    };
    return unit_add_suite("samdkill", setup, cleanup, tests);
}
