/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Integration tests of the SAM service's administration (a real `qscd sam` on a throw-away
 * SoftHSMv2 token): role separation, lockout and unlock of signers and administrators, the
 * signer and credential lifecycles, key backup and restore, the certification request under
 * a SAD, and one audit record per request.
 */
#include "unit.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qscd_err.h"
#include "sam_roles.h"
#include "sam_types.h"
#include "util_samd.h"

static it_sam T;
static const char *why_not;
static uint8_t H1[32], H2[32];
static EVP_PKEY *dev;
static uint8_t tok[4096];
static size_t tok_len;
static uint8_t sigs[QSCD_MAX_HASHES][512];
static size_t sig_lens[QSCD_MAX_HASHES];

#define NEED_SAM() do { if (why_not != NULL) UNIT_SKIP("%s", why_not); } while (0)
#define OP_PW "operator-password"

/* dora (SIC, credential d-1), an operator op1 and an auditor aud. */
static int setup(void)
{
    it_sha256("contract", H1);
    it_sha256("annex", H2);
    why_not = it_unavailable();
    if (why_not != NULL)
        return 0;
    if (it_init(&T, "samdadm", NULL) != 0 || it_start(&T, NULL) != 0) {
        why_not = "the SAM did not start (see build/it-*/samdadm.log)";
        return 0;
    }
    if (it_enrol(&T, "dora", "dora-pin-4") != 0 || (dev = it_device_enrol(&T, "dora")) == NULL ||
        it_cred(&T, "dora", "d-1", SAM_KEY_EC_P256, SAM_SAP_SIC, 2, false) != 0 ||
        it_admin_create(&T, "op1", SAM_ROLE_OPERATOR, OP_PW) != 0 || it_audit_count(&T) == 0)
        why_not = "the shared accounts could not be set up";
    return 0;
}

static int cleanup(void)
{
    EVP_PKEY_free(dev);
    if (T.pid > 0 && it_stop(&T) != 0)
        return -1;
    return 0;
}

static int dora_authz(const char *cred, const char *pin, EVP_PKEY *key, const uint8_t *h)
{
    return it_authz_sic(&T, "dora", cred, pin, key, 1, h, 1, tok, &tok_len);
}

static int one_id(unsigned op, const char *id, int role, const char *who, const char *pw)
{
    it_p p;

    itp_map(&p, 1);
    itp_id(&p, 1, id);
    return it_call(&T, role, who, pw, op, &p, NULL);
}

static bool signs_and_verifies(const char *signer, const char *cred, const uint8_t *h)
{
    size_t len = 0;
    uint8_t *cert;
    bool ok = it_sign(&T, signer, cred, tok, tok_len, SAM_SIGN_ECDSA, h, 1, sigs, sig_lens) == 0 &&
              (cert = it_cert(&T, signer, cred, &len)) != NULL &&
              it_verify(cert, len, SAM_SIGN_ECDSA, h, sigs[0], sig_lens[0]);

    if (ok)
        free(cert);
    return ok;
}

/* ---------------------------------------------------------------------- roles */

/* SRA_SKM.2.7: no privileged role reaches authorize or sign, password or not. */
static void test_SRA_SKM_2_7_privileged_cannot_sign(void)
{
    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(dora_authz("d-1", "dora-pin-4", dev, H1), 0);
    for (int role = SAM_ROLE_SECURITY_OFFICER; role <= SAM_ROLE_AUDITOR; role++) {
        it_p p;
        itp_map(&p, 5);
        itp_id(&p, 1, "d-1");
        itp_bytes(&p, 2, tok, tok_len);
        itp_uint(&p, 3, 1);
        itp_uint(&p, 4, SAM_SIGN_ECDSA);
        itp_hashes(&p, 5, H1, 32, 1);
        CU_ASSERT_EQUAL(it_call(&T, role, "dora", IT_SO_PASSWORD, SAMC_SIGN, &p, NULL),
                        QSCD_ERR_ROLE_DENIED);
        itp_map(&p, 5);
        itp_id(&p, 1, "d-1");
        itp_uint(&p, 2, 1);
        itp_uint(&p, 3, 1);
        itp_hashes(&p, 4, H1, 32, 1);
        itp_bytes(&p, 5, (const uint8_t *)"dora-pin-4", 10);
        CU_ASSERT_EQUAL(it_call(&T, role, "so", IT_SO_PASSWORD, SAMC_AUTHORIZE, &p, NULL),
                        QSCD_ERR_ROLE_DENIED);
    }
    CU_ASSERT(signs_and_verifies("dora", "d-1", H1)); /* the token was not consumed */
}

/* SRG_M.1.1, SRG_M.1.6, SRG_M.1.7, SRG_AA.5: each role to its own operations. */
static void test_SRG_M_1_role_separation(void)
{
    NEED_SAM();
    CU_ASSERT_EQUAL(one_id(SAMC_SIGNER_ENROL, "x", 4, "aud", "aud-password"), QSCD_ERR_ROLE_DENIED);
    CU_ASSERT_EQUAL(one_id(SAMC_SIGNER_DISABLE, "dora", 3, "op1", OP_PW), QSCD_ERR_ROLE_DENIED);
    CU_ASSERT_EQUAL(one_id(SAMC_SIGNER_DISABLE, "dora", 1, "dora", NULL), QSCD_ERR_ROLE_DENIED);
    CU_ASSERT_EQUAL(one_id(SAMC_KEY_BACKUP, "d-1", 2, "so", IT_SO_PASSWORD), QSCD_ERR_ROLE_DENIED);
    CU_ASSERT_EQUAL(one_id(SAMC_KEY_BACKUP, "d-1", 4, "aud", "aud-password"), QSCD_ERR_ROLE_DENIED);
    CU_ASSERT_EQUAL(it_so(&T, SAMC_AUDIT_VERIFY, NULL, NULL), QSCD_ERR_ROLE_DENIED);
    CU_ASSERT_EQUAL(it_call(&T, 3, "op1", OP_PW, SAMC_AUDIT_VERIFY, NULL, NULL), QSCD_ERR_ROLE_DENIED);
    CU_ASSERT_EQUAL(it_call(&T, 4, "aud", "aud-password", SAMC_AUDIT_VERIFY, NULL, NULL), 0);
    /* an account acts only in its own role, and only with its password */
    CU_ASSERT_EQUAL(one_id(SAMC_SIGNER_DISABLE, "dora", 2, "aud", "aud-password"),
                    QSCD_ERR_AUTH_FAILED);
    CU_ASSERT_EQUAL(one_id(SAMC_SIGNER_DISABLE, "dora", 2, "so", NULL), QSCD_ERR_AUTH_FAILED);
    CU_ASSERT_EQUAL(it_call(&T, 4, "aud", "aud-password", SAMC_ADMIN_CREATE, NULL, NULL),
                    QSCD_ERR_ROLE_DENIED);
}

/* SRC_SA.1.4: a signer sees and uses only their own credentials. */
static void test_SRC_SA_1_4_signer_sees_own_only(void)
{
    const uint8_t *id;
    uint64_t n = 0;
    size_t off = 0, len = 0;
    samc_resp r;
    it_p p;

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_enrol(&T, "eve", "eve-pin-55"), 0);
    CU_ASSERT_EQUAL(one_id(SAMC_CRED_INFO, "d-1", 1, "eve", NULL), QSCD_ERR_CRED_NOT_FOUND);
    CU_ASSERT_EQUAL(one_id(SAMC_CHALLENGE, "d-1", 1, "eve", NULL), QSCD_ERR_CRED_NOT_FOUND);
    CU_ASSERT_EQUAL(it_signer(&T, "eve", SAMC_CRED_LIST, NULL, &r), 0);
    CU_ASSERT(samc_get_array(&r, 1, &n, &off) == 0 && n == 0);
    samc_resp_free(&r);
    CU_ASSERT_EQUAL(one_id(SAMC_CRED_LIST, "dora", 1, "eve", NULL), QSCD_ERR_PROTO_FRAME);
    CU_ASSERT_EQUAL(it_signer(&T, "dora", SAMC_CRED_LIST, NULL, &r), 0);
    CU_ASSERT(samc_get_array(&r, 1, &n, &off) == 0 && n >= 1 &&
              samc_next_bstr(&r, &off, &id, &len) == 0 && len == 3 && memcmp(id, "d-1", 3) == 0);
    samc_resp_free(&r);
    itp_map(&p, 1);
    itp_id(&p, 1, "dora");
    CU_ASSERT_EQUAL(it_so(&T, SAMC_CRED_LIST, &p, NULL), 0);
}

/* -------------------------------------------------------------------- lockout */

/* SRC_SA.2.1, SRC_SA.2.2, SRG_IA.2.1: failures count durably; at the limit (5) the signer is
 * locked whatever is presented, until a security officer unlocks. Either factor wrong gives
 * the same answer (SRA_SAP.2.4). */
static void test_SRC_SA_2_lockout_and_unlock(void)
{
    EVP_PKEY *other = EVP_EC_gen("P-256");

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_enrol(&T, "finn", "finn-pin-6"), 0);
    EVP_PKEY *fdev = it_device_enrol(&T, "finn");
    CU_ASSERT_FATAL(fdev != NULL && other != NULL);
    CU_ASSERT_EQUAL_FATAL(it_cred(&T, "finn", "f-1", SAM_KEY_EC_P256, SAM_SAP_SIC, 1, false), 0);
    CU_ASSERT_EQUAL(it_authz_sic(&T, "finn", "f-1", "wrong-pin", fdev, 1, H1, 1, tok, &tok_len),
                    QSCD_ERR_AUTH_FAILED);
    CU_ASSERT_EQUAL(it_authz_sic(&T, "finn", "f-1", "finn-pin-6", other, 1, H1, 1, tok, &tok_len),
                    QSCD_ERR_AUTH_FAILED);
    CU_ASSERT_EQUAL(it_authz_sic(&T, "finn", "f-1", "finn-pin-6", NULL, 1, H1, 1, tok, &tok_len),
                    QSCD_ERR_AUTH_FAILED);
    CU_ASSERT_EQUAL(it_authz_sic(&T, "finn", "f-1", "wrong-pin", other, 1, H1, 1, tok, &tok_len),
                    QSCD_ERR_AUTH_FAILED);
    CU_ASSERT_EQUAL(it_authz_sic(&T, "finn", "f-1", "wrong-pin", fdev, 1, H1, 1, tok, &tok_len),
                    QSCD_ERR_AUTH_FAILED);
    CU_ASSERT_EQUAL(it_authz_sic(&T, "finn", "f-1", "finn-pin-6", fdev, 1, H1, 1, tok, &tok_len),
                    QSCD_ERR_AUTH_LOCKED);
    CU_ASSERT_EQUAL(one_id(SAMC_SIGNER_UNLOCK, "finn", 2, "so", IT_SO_PASSWORD), 0);
    CU_ASSERT_EQUAL_FATAL(it_authz_sic(&T, "finn", "f-1", "finn-pin-6", fdev, 1, H1, 1, tok,
                                       &tok_len), 0);
    CU_ASSERT(signs_and_verifies("finn", "f-1", H1));
    EVP_PKEY_free(fdev);
    EVP_PKEY_free(other);
}

/* SRG_IA.2.1 for administrators: wrong passwords lock the account too. */
static void test_SRG_IA_2_1_admin_lockout(void)
{
    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_admin_create(&T, "op2", SAM_ROLE_OPERATOR, "op2-password"), 0);
    CU_ASSERT_EQUAL(it_admin_create(&T, "op2", SAM_ROLE_OPERATOR, "op2-password"),
                    QSCD_ERR_EXISTS);
    CU_ASSERT_EQUAL(one_id(SAMC_KEY_BACKUP, "nope", 3, "op2", "op2-password"),
                    QSCD_ERR_CRED_NOT_FOUND);
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(one_id(SAMC_KEY_BACKUP, "nope", 3, "op2", "guess"), QSCD_ERR_AUTH_FAILED);
    CU_ASSERT_EQUAL(one_id(SAMC_KEY_BACKUP, "nope", 3, "op2", "op2-password"), QSCD_ERR_AUTH_LOCKED);
    CU_ASSERT_EQUAL(one_id(SAMC_KEY_BACKUP, "nope", 3, "nobody", "guess"), QSCD_ERR_AUTH_FAILED);
}

/* ---------------------------------------------------------------- lifecycles */

/* 241-2/ENROL, 241-2/DEL: enrol, disable, enable, delete (credentials and keys go too). */
static void test_R_241_2_ENROL_signer_lifecycle(void)
{
    samc_resp r;
    uint64_t n = 9;
    size_t off;
    EVP_PKEY *gdev;
    it_p p;

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_enrol(&T, "gil", "gil-pin-77"), 0);
    CU_ASSERT_EQUAL(it_enrol(&T, "gil", "gil-pin-77"), QSCD_ERR_EXISTS);
    gdev = it_device_enrol(&T, "gil");
    CU_ASSERT_EQUAL_FATAL(it_cred(&T, "gil", "g-1", SAM_KEY_EC_P256, SAM_SAP_SIC, 1, false), 0);
    CU_ASSERT_EQUAL(one_id(SAMC_SIGNER_DISABLE, "gil", 2, "so", IT_SO_PASSWORD), 0);
    CU_ASSERT_EQUAL(it_authz_sic(&T, "gil", "g-1", "gil-pin-77", gdev, 1, H1, 1, tok, &tok_len),
                    QSCD_ERR_SIGNER_DISABLED);
    CU_ASSERT_EQUAL(one_id(SAMC_SIGNER_ENABLE, "gil", 2, "so", IT_SO_PASSWORD), 0);
    CU_ASSERT_EQUAL_FATAL(it_authz_sic(&T, "gil", "g-1", "gil-pin-77", gdev, 1, H1, 1, tok,
                                       &tok_len), 0);
    itp_map(&p, 0);
    CU_ASSERT_EQUAL(it_so(&T, SAMC_SIGNER_DELETE, &p, NULL), QSCD_ERR_PROTO_FRAME);
    CU_ASSERT_EQUAL(one_id(SAMC_SIGNER_DELETE, "gil", 2, "so", IT_SO_PASSWORD), 0);
    CU_ASSERT_EQUAL(one_id(SAMC_SIGNER_DELETE, "gil", 2, "so", IT_SO_PASSWORD),
                    QSCD_ERR_SIGNER_NOT_FOUND);
    CU_ASSERT_EQUAL(it_sign(&T, "gil", "g-1", tok, tok_len, SAM_SIGN_ECDSA, H1, 1, NULL, NULL),
                    QSCD_ERR_CRED_NOT_FOUND);
    CU_ASSERT_EQUAL(it_signer(&T, "gil", SAMC_CRED_LIST, NULL, &r), 0);
    CU_ASSERT(samc_get_array(&r, 1, &n, &off) == 0 && n == 0);
    samc_resp_free(&r);
    CU_ASSERT_EQUAL(it_enrol(&T, "gil", "gil-pin-77"), 0);
    EVP_PKEY_free(gdev);
}

/* The signer's own PIN change needs the old PIN (a wrong one counts as a failure). */
static void test_pin_change(void)
{
    it_p p;

    NEED_SAM();
    itp_map(&p, 2);
    itp_bytes(&p, 1, (const uint8_t *)"not-it", 6);
    itp_bytes(&p, 2, (const uint8_t *)"dora-pin-44", 11);
    CU_ASSERT_EQUAL(it_signer(&T, "dora", SAMC_PIN_CHANGE, &p, NULL), QSCD_ERR_AUTH_FAILED);
    itp_map(&p, 2);
    itp_bytes(&p, 1, (const uint8_t *)"dora-pin-4", 10);
    itp_bytes(&p, 2, (const uint8_t *)"abc", 3);
    CU_ASSERT_EQUAL(it_signer(&T, "dora", SAMC_PIN_CHANGE, &p, NULL), QSCD_ERR_ARG);
    itp_map(&p, 2);
    itp_bytes(&p, 1, (const uint8_t *)"dora-pin-4", 10);
    itp_bytes(&p, 2, (const uint8_t *)"dora-pin-44", 11);
    CU_ASSERT_EQUAL_FATAL(it_signer(&T, "dora", SAMC_PIN_CHANGE, &p, NULL), 0);
    CU_ASSERT_EQUAL(dora_authz("d-1", "dora-pin-4", dev, H1), QSCD_ERR_AUTH_FAILED);
    CU_ASSERT_EQUAL_FATAL(dora_authz("d-1", "dora-pin-44", dev, H1), 0);
    CU_ASSERT(signs_and_verifies("dora", "d-1", H1));
    itp_map(&p, 2);
    itp_bytes(&p, 1, (const uint8_t *)"dora-pin-44", 11);
    itp_bytes(&p, 2, (const uint8_t *)"dora-pin-4", 10);
    CU_ASSERT_EQUAL(it_signer(&T, "dora", SAMC_PIN_CHANGE, &p, NULL), 0);
}

/* --------------------------------------------------------- verifier costs */

/* Move the configured Argon2id memory cost from `from` to `to` KiB and restart. */
static int restart_with_memory(int from, int to)
{
    char cmd[1500];

    if (it_stop(&T) != 0)
        return -1;
    snprintf(cmd, sizeof cmd, "sed -i 's/^argon2_m = %d$/argon2_m = %d/' '%s' && "
             "grep -q '^argon2_m = %d$' '%s'", from, to, T.conf, to, T.conf);
    if (system(cmd) != 0)
        return -1;
    return it_start(&T, NULL);
}

/* A change of the configured Argon2id cost applies to new PINs and passwords; those made
 * before keep the cost they were made with (stored beside them, schema 3) and still verify:
 * the officer's password, dora's PIN. Back at the first cost, a PIN made at the second still
 * verifies too. */
static void test_argon2_cost_change_keeps_verifiers(void)
{
    EVP_PKEY *cdev = NULL;

    NEED_SAM();
    CU_ASSERT_EQUAL(it_sql_long(&T, "SELECT pin_kdf_m FROM signers WHERE id = x'646f7261'"), 256);
    CU_ASSERT_EQUAL_FATAL(restart_with_memory(256, 512), 0);
    CU_ASSERT_EQUAL(dora_authz("d-1", "dora-pin-4", dev, H1), 0);
    CU_ASSERT_EQUAL(it_sign(&T, "dora", "d-1", tok, tok_len, SAM_SIGN_ECDSA, H1, 1, sigs,
                            sig_lens), 0);
    CU_ASSERT_EQUAL_FATAL(it_enrol(&T, "cody", "cody-pin-31"), 0); /* the officer's password */
    CU_ASSERT((cdev = it_device_enrol(&T, "cody")) != NULL);
    CU_ASSERT_EQUAL(it_cred(&T, "cody", "cy-1", SAM_KEY_EC_P256, SAM_SAP_SIC, 1, false), 0);
    CU_ASSERT_EQUAL(it_sql_long(&T, "SELECT pin_kdf_m FROM signers WHERE id = x'636f6479'"), 512);
    CU_ASSERT_EQUAL_FATAL(restart_with_memory(512, 256), 0);
    CU_ASSERT_EQUAL(it_authz_sic(&T, "cody", "cy-1", "cody-pin-31", cdev, 1, H2, 1, tok,
                                 &tok_len), 0);
    CU_ASSERT_EQUAL(it_authz_sic(&T, "cody", "cy-1", "cody-pin-3", cdev, 1, H2, 1, tok,
                                 &tok_len), QSCD_ERR_AUTH_FAILED);
    CU_ASSERT_EQUAL(dora_authz("d-1", "dora-pin-4", dev, H2), 0);
    EVP_PKEY_free(cdev);
}

/* ------------------------------------------------------------- backup, restore */

static int backup(const char *cred, uint8_t *blob, size_t *blen, uint8_t id[32])
{
    const uint8_t *b = NULL, *i = NULL;
    size_t n = 0, m = 0;
    samc_resp r;
    it_p p;
    int rc;

    itp_map(&p, 1);
    itp_id(&p, 1, cred);
    rc = it_call(&T, 3, "op1", OP_PW, SAMC_KEY_BACKUP, &p, &r);
    if (rc == 0 && (samc_get_bstr(&r, 1, &b, &n) != 0 || n > 8192 ||
                    samc_get_bstr(&r, 2, &i, &m) != 0 || m != 32))
        rc = -2;
    if (rc == 0) {
        memcpy(blob, b, n);
        *blen = n;
        memcpy(id, i, 32);
    }
    samc_resp_free(&r);
    return rc;
}

static int restore(const char *cred, const uint8_t *blob, size_t blen)
{
    it_p p;

    itp_map(&p, 2);
    itp_id(&p, 1, cred);
    itp_bytes(&p, 2, blob, blen);
    return it_call(&T, 3, "op1", OP_PW, SAMC_KEY_RESTORE, &p, NULL);
}

/* The credential's key reference (CKA_ID), read from the database. */
static int key_ref_hex(const char *cred, char *hex, size_t cap)
{
    char path[700], sql[200];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int ok;

    snprintf(path, sizeof path, "%s/sam.db", T.dir);
    snprintf(sql, sizeof sql, "SELECT hex(key_ref) FROM credentials WHERE id = CAST('%s' AS BLOB)",
             cred);
    ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
         sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    if (ok)
        snprintf(hex, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ok ? 0 : -1;
}

/* Destroy the key behind the SAM's back (with the SAM stopped), as a lost HSM would. */
static int lose_key(const char *cred)
{
    char hex[80], cmd[2000], pin[64] = "";
    FILE *f;

    snprintf(cmd, sizeof cmd, "%s/hsm/user.pin", T.dir);
    if (key_ref_hex(cred, hex, sizeof hex) != 0 || (f = fopen(cmd, "r")) == NULL)
        return -1;
    if (fgets(pin, sizeof pin, f) == NULL)
        pin[0] = '\0';
    fclose(f);
    snprintf(cmd, sizeof cmd, "for t in privkey pubkey; do SOFTHSM2_CONF='%s/hsm/softhsm2.conf' "
             "pkcs11-tool --module /usr/lib/softhsm/libsofthsm2.so --token-label qscd-sam "
             "--login --pin '%s' --delete-object --type $t --id %s >/dev/null 2>&1 || exit 1; done",
             T.dir, pin, hex);
    return system(cmd) == 0 ? 0 : -1;
}

/* SRG_BK.1, SRG_BK.2: a backup-capable key leaves the module only wrapped, and comes back
 * from its backup after the module lost it; the backup fits only its own credential. */
static void test_SRG_BK_2_backup_restore(void)
{
    static uint8_t blob[8192];
    uint8_t id[32];
    size_t blen = 0;

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_cred(&T, "dora", "d-bk", SAM_KEY_EC_P256, SAM_SAP_SIC, 2, true), 0);
    CU_ASSERT_EQUAL(backup("d-1", blob, &blen, id), QSCD_ERR_KEY_POLICY);
    CU_ASSERT_EQUAL_FATAL(backup("d-bk", blob, &blen, id), 0);
    CU_ASSERT_EQUAL(restore("d-bk", blob, blen), QSCD_ERR_EXISTS);
    CU_ASSERT_EQUAL(restore("d-1", blob, blen), QSCD_ERR_NOT_OWNER);
    blob[blen - 10] ^= 1; /* the backup id: the record's integrity fails */
    CU_ASSERT_EQUAL(restore("d-bk", blob, blen), QSCD_ERR_P11_WRAPPED);
    blob[blen - 10] ^= 1;
    blob[blen - 40] ^= 1; /* the public key: not this credential's any more */
    CU_ASSERT_EQUAL(restore("d-bk", blob, blen), QSCD_ERR_NOT_OWNER);
    blob[blen - 40] ^= 1;
    blob[blen / 2] ^= 1; /* the wrapped key */
    CU_ASSERT(restore("d-bk", blob, blen) != 0);
    blob[blen / 2] ^= 1;
    if (access("/usr/bin/pkcs11-tool", X_OK) != 0)
        UNIT_SKIP("pkcs11-tool (opensc) is not installed: the loss of the key is not simulated");
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0);
    CU_ASSERT_EQUAL(lose_key("d-bk"), 0);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(dora_authz("d-bk", "dora-pin-4", dev, H2), 0);
    CU_ASSERT_EQUAL(it_sign(&T, "dora", "d-bk", tok, tok_len, SAM_SIGN_ECDSA, H2, 1, NULL, NULL),
                    QSCD_ERR_P11_KEY);
    CU_ASSERT_EQUAL(restore("d-bk", blob, blen), 0);
    CU_ASSERT_EQUAL_FATAL(dora_authz("d-bk", "dora-pin-4", dev, H2), 0);
    CU_ASSERT(signs_and_verifies("dora", "d-bk", H2));
}

/* The private keys in the module and the credential records, counted with the SAM stopped
 * (the token and the database as they are on disk), then the SAM started again. */
static void count_keys(long *keys, long *records)
{
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0);
    *keys = it_privkeys(&T);
    *records = it_cred_records(&T);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
}

/* An officer's cred.delete or cert.revoke of cred: 0 when it succeeded and named exactly
 * the one backup id to purge, else -1. */
static int purges_one(unsigned op, const char *cred, const uint8_t id[32])
{
    const uint8_t *b = NULL;
    size_t off = 0, n = 0;
    uint64_t count = 0;
    samc_resp r;
    it_p p;
    int rc;

    itp_map(&p, 1);
    itp_id(&p, 1, cred);
    if (it_so(&T, op, &p, &r) != 0)
        return -1;
    rc = samc_get_array(&r, 1, &count, &off) == 0 && count == 1 &&
         samc_next_bstr(&r, &off, &b, &n) == 0 && n == 32 && memcmp(b, id, 32) == 0 ? 0 : -1;
    samc_resp_free(&r);
    return rc;
}

/* SRG_KM.7.1, DEL-6.3.2-02: deletion destroys the key and names the backups to purge. */
static void test_SRG_KM_7_1_cred_delete(void)
{
    static uint8_t blob[8192];
    uint8_t id[32];
    size_t blen = 0;
    long keys;

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_cred(&T, "dora", "d-del", SAM_KEY_EC_P256, SAM_SAP_SIC, 1, true), 0);
    CU_ASSERT_EQUAL_FATAL(backup("d-del", blob, &blen, id), 0);
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0);
    keys = it_privkeys(&T);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
    CU_ASSERT_FATAL(keys >= 1);
    CU_ASSERT_EQUAL_FATAL(dora_authz("d-del", "dora-pin-4", dev, H1), 0);
    CU_ASSERT_EQUAL_FATAL(purges_one(SAMC_CRED_DELETE, "d-del", id), 0);
    CU_ASSERT_EQUAL(it_sign(&T, "dora", "d-del", tok, tok_len, SAM_SIGN_ECDSA, H1, 1, NULL, NULL),
                    QSCD_ERR_CRED_NOT_FOUND);
    CU_ASSERT_EQUAL(one_id(SAMC_CRED_INFO, "d-del", 2, "so", IT_SO_PASSWORD),
                    QSCD_ERR_CRED_NOT_FOUND);
    CU_ASSERT_EQUAL(restore("d-del", blob, blen), QSCD_ERR_CRED_NOT_FOUND);
    /* In the HSM itself: the key is gone, as many private keys as credential records. */
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0);
    CU_ASSERT_EQUAL(it_privkeys(&T), keys - 1);
    CU_ASSERT_EQUAL(it_privkeys(&T), it_cred_records(&T));
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
}

/* DEL-6.3.2-01, SRG_KM.7.1: revoking the certificate destroys the key in the module and
 * names the backups to purge (SRG_KM.7.3); the record stays, revoked, and nothing brings the
 * key back or uses it. */
static void test_DEL_6_3_2_01_revoke_destroys_key(void)
{
    static uint8_t blob[8192];
    uint8_t id[32];
    size_t blen = 0, n = 0;
    long keys, records, after, after_records;

    NEED_SAM();
    CU_ASSERT_EQUAL_FATAL(it_cred(&T, "dora", "d-rev", SAM_KEY_EC_P256, SAM_SAP_SIC, 1, true), 0);
    CU_ASSERT_EQUAL_FATAL(backup("d-rev", blob, &blen, id), 0);
    count_keys(&keys, &records);
    CU_ASSERT_FATAL(keys >= 1 && records >= 1);
    CU_ASSERT_EQUAL_FATAL(purges_one(SAMC_CERT_REVOKE, "d-rev", id), 0);
    CU_ASSERT_EQUAL(dora_authz("d-rev", "dora-pin-4", dev, H1), QSCD_ERR_CERT_REVOKED);
    CU_ASSERT_EQUAL(backup("d-rev", blob + 4096, &n, id), QSCD_ERR_CERT_REVOKED);
    CU_ASSERT_EQUAL(restore("d-rev", blob, blen), QSCD_ERR_CERT_REVOKED);
    CU_ASSERT_EQUAL(one_id(SAMC_CRED_CSR, "d-rev", 1, "dora", NULL), QSCD_ERR_CERT_REVOKED);
    /* repeating it finds the key gone and succeeds: how a revocation cut short is finished */
    CU_ASSERT_EQUAL(purges_one(SAMC_CERT_REVOKE, "d-rev", id), 0);
    CU_ASSERT_EQUAL(one_id(SAMC_CRED_INFO, "d-rev", 2, "so", IT_SO_PASSWORD), 0);
    /* In the HSM itself: one private key fewer, the credential's record kept. */
    count_keys(&after, &after_records);
    CU_ASSERT_EQUAL(after, keys - 1);
    CU_ASSERT_EQUAL(after_records, records);
    /* deleting it afterwards still works (its key already gone) */
    CU_ASSERT_EQUAL(one_id(SAMC_CRED_DELETE, "d-rev", 2, "so", IT_SO_PASSWORD), 0);
}

/* cert.revoke cut short by a crash: marked revoked in the store, its key still in the module
 * (the mark alone, written with the SAM stopped, as cert.revoke writes it first). */
static int revoke_behind_back(const char *cred)
{
    char sql[200];

    snprintf(sql, sizeof sql, "UPDATE credentials SET cert_revoked = 1 WHERE id = CAST('%s' AS "
             "BLOB); SELECT changes()", cred);
    return it_sql_long(&T, sql) == 1 ? 0 : -1;
}

/* DEL-6.3.2-01, SRG_KM.7.1 across a crash inside cert.revoke: the next start destroys the key
 * a revoked credential left in the module and audits it once (cred.recover, hash_alg 5
 * (SAMD_RECOVER_REVOKED), count = the one backup to purge); the chain still verifies and a
 * further restart records nothing. */
static void test_DEL_6_3_2_01_revoke_finished_at_start(void)
{
    static const char *done_q = "SELECT count(*) FROM audit WHERE op = 902 AND hash_alg = 5 AND "
                                "cred = CAST('d-rvk' AS BLOB) AND count = 1 AND outcome = 0";
    static const char *all_q = "SELECT count(*) FROM audit WHERE op = 902";
    static uint8_t blob[8192];
    char out[4096];
    uint8_t id[32];
    size_t blen = 0;
    long keys, records, recovers;

    NEED_SAM();
    if (access("/usr/bin/pkcs11-tool", X_OK) != 0 || access("/usr/bin/sqlite3", X_OK) != 0)
        UNIT_SKIP("pkcs11-tool (opensc) or sqlite3 is not installed: keys cannot be counted");
    CU_ASSERT_EQUAL_FATAL(it_cred(&T, "dora", "d-rvk", SAM_KEY_EC_P256, SAM_SAP_SIC, 1, true), 0);
    CU_ASSERT_EQUAL_FATAL(backup("d-rvk", blob, &blen, id), 0);
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0);
    keys = it_privkeys(&T);
    records = it_cred_records(&T);
    recovers = it_sql_long(&T, all_q);
    CU_ASSERT_FATAL(keys >= 1 && records >= 1 && recovers >= 0);
    CU_ASSERT_EQUAL_FATAL(revoke_behind_back("d-rvk"), 0);
    CU_ASSERT_EQUAL_FATAL(it_privkeys(&T), keys); /* the key is still there */
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0); /* recovery runs here */
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0);
    CU_ASSERT_EQUAL(it_privkeys(&T), keys - 1);
    CU_ASSERT_EQUAL(it_cred_records(&T), records); /* the record stays, revoked */
    CU_ASSERT_EQUAL(it_sql_long(&T, done_q), 1);
    CU_ASSERT_EQUAL(it_sql_long(&T, all_q), recovers + 1);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
    CU_ASSERT_EQUAL(it_audit_verify_cmd(&T, out, sizeof out), 0);
    CU_ASSERT_EQUAL(dora_authz("d-rvk", "dora-pin-4", dev, H1), QSCD_ERR_CERT_REVOKED);
    /* nothing left to do: a second restart records nothing */
    CU_ASSERT_EQUAL_FATAL(it_stop(&T), 0);
    CU_ASSERT_EQUAL_FATAL(it_start(&T, NULL), 0);
    CU_ASSERT_EQUAL(it_sql_long(&T, all_q), recovers + 1);
    CU_ASSERT_EQUAL(one_id(SAMC_CRED_DELETE, "d-rvk", 2, "so", IT_SO_PASSWORD), 0);
}

/* ------------------------------------------------------------------------ CSR */

/* SRC_SKS.1.2: a PKCS#10 request signed by the credential's key only under a SAD for its
 * digest (proof of possession by the SAP); the CA's answer imported and used. */
static void test_SRC_SKS_1_2_csr_and_import(void)
{
    const uint8_t *b = NULL;
    uint8_t digest[32], *der = NULL, *cert = NULL;
    size_t n = 0, clen = 0;
    X509_REQ *req = NULL;
    samc_resp r;
    it_p p;

    NEED_SAM();
    itp_map(&p, 1);
    itp_id(&p, 1, "d-1");
    CU_ASSERT_EQUAL_FATAL(it_signer(&T, "dora", SAMC_CRED_CSR, &p, &r), 0);
    CU_ASSERT_FATAL(samc_get_bstr(&r, 1, &b, &n) == 0 && n == 32);
    memcpy(digest, b, 32);
    samc_resp_free(&r);
    CU_ASSERT_EQUAL(one_id(SAMC_CRED_CSR, "d-1", 1, "eve", NULL), QSCD_ERR_CRED_NOT_FOUND);
    /* a SAD for another digest does not sign the request */
    CU_ASSERT_EQUAL_FATAL(dora_authz("d-1", "dora-pin-4", dev, H1), 0);
    itp_map(&p, 2);
    itp_id(&p, 1, "d-1");
    itp_bytes(&p, 2, tok, tok_len);
    CU_ASSERT_EQUAL(it_signer(&T, "dora", SAMC_CRED_CSR, &p, NULL), QSCD_ERR_SAD_HASH);
    CU_ASSERT_EQUAL_FATAL(dora_authz("d-1", "dora-pin-4", dev, digest), 0);
    itp_map(&p, 2);
    itp_id(&p, 1, "d-1");
    itp_bytes(&p, 2, tok, tok_len);
    CU_ASSERT_EQUAL_FATAL(it_signer(&T, "dora", SAMC_CRED_CSR, &p, &r), 0);
    CU_ASSERT_FATAL(samc_get_bstr(&r, 1, &b, &n) == 0);
    const uint8_t *q = b;
    req = d2i_X509_REQ(NULL, &q, (long)n);
    samc_resp_free(&r);
    CU_ASSERT_FATAL(req != NULL);
    CU_ASSERT(X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) == 1); /* OpenSSL checks it */
    /* the CA answers; its certificate replaces the credential's and is used from then on */
    n = it_ca_issue(&T, X509_REQ_get0_pubkey(req), X509_REQ_get_subject_name(req), -60, 3600,
                    &der);
    CU_ASSERT_FATAL(n > 0);
    itp_map(&p, 2);
    itp_id(&p, 1, "d-1");
    itp_bytes(&p, 2, der, n);
    CU_ASSERT_EQUAL(it_so(&T, SAMC_CERT_IMPORT, &p, NULL), 0);
    cert = it_cert(&T, "dora", "d-1", &clen);
    CU_ASSERT(cert != NULL && clen == n && memcmp(cert, der, n) == 0);
    CU_ASSERT_EQUAL_FATAL(dora_authz("d-1", "dora-pin-4", dev, H2), 0);
    CU_ASSERT(signs_and_verifies("dora", "d-1", H2));
    X509_REQ_free(req);
    OPENSSL_free(der);
    free(cert);
}

/* --------------------------------------------------------------------- audit */

/* SRG_AA.1: exactly one record per request, whatever its outcome (unknown operations and
 * refused roles included). */
static void test_SRG_AA_1_one_record_per_request(void)
{
    uint64_t before, after;

    NEED_SAM();
    before = it_audit_count(&T);
    CU_ASSERT_EQUAL(one_id(SAMC_CRED_INFO, "d-1", 1, "dora", NULL), 0);
    CU_ASSERT_EQUAL(one_id(SAMC_CRED_INFO, "d-1", 1, "eve", NULL), QSCD_ERR_CRED_NOT_FOUND);
    CU_ASSERT_EQUAL(it_call(&T, 2, "so", IT_SO_PASSWORD, 77, NULL, NULL), QSCD_ERR_PROTO_OP);
    CU_ASSERT_EQUAL(one_id(SAMC_SIGNER_ENROL, "x", 4, "aud", "aud-password"), QSCD_ERR_ROLE_DENIED);
    CU_ASSERT_EQUAL(dora_authz("d-1", "dora-pin-4", dev, H1), 0); /* challenge + authorize */
    CU_ASSERT(signs_and_verifies("dora", "d-1", H1));              /* sign + cred.info */
    after = it_audit_count(&T);
    /* 4 + 2 + 2 requests, and the admin.create and audit.verify of the first count */
    CU_ASSERT_EQUAL(after - before, 10);
}

UNIT_SUITE(samdadm)
{
    static const unit_test tests[] = {
        { "SRA_SKM_2_7_privileged_cannot_sign", test_SRA_SKM_2_7_privileged_cannot_sign },
        { "SRG_M_1_role_separation", test_SRG_M_1_role_separation },
        { "SRC_SA_1_4_signer_sees_own_only", test_SRC_SA_1_4_signer_sees_own_only },
        { "SRC_SA_2_lockout_and_unlock", test_SRC_SA_2_lockout_and_unlock },
        { "SRG_IA_2_1_admin_lockout", test_SRG_IA_2_1_admin_lockout },
        { "R_241_2_ENROL_signer_lifecycle", test_R_241_2_ENROL_signer_lifecycle },
        { "pin_change", test_pin_change },
        { "SRG_BK_2_backup_restore", test_SRG_BK_2_backup_restore },
        { "SRG_KM_7_1_cred_delete", test_SRG_KM_7_1_cred_delete },
        { "SRC_SKS_1_2_csr_and_import", test_SRC_SKS_1_2_csr_and_import },
        { "SRG_AA_1_one_record_per_request", test_SRG_AA_1_one_record_per_request },
        { "argon2_cost_change_keeps_verifiers", test_argon2_cost_change_keeps_verifiers },
        { "DEL_6_3_2_01_revoke_destroys_key", test_DEL_6_3_2_01_revoke_destroys_key },
        { "DEL_6_3_2_01_revoke_finished_at_start", test_DEL_6_3_2_01_revoke_finished_at_start },
        { NULL, NULL },
    };
    return unit_add_suite("samdadm", setup, cleanup, tests);
}
