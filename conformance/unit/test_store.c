/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the SQLite store (src/store/): records, the SAD registry under concurrency, the
 * challenges, and the audit chain with tamper detection on the database file itself
 * (SRG_AA.2, SRG_AA.7): an edited, deleted, inserted or reordered record, a forged seal.
 */
#include "unit.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "util_world.h"

static char dir[256];
static char path[300];
static world W;

static int setup(void)
{
    snprintf(dir, sizeof dir, "%s/qscd-store-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(dir) == NULL)
        return -1;
    world_init(&W);
    return 0;
}

static int cleanup(void)
{
    char cmd[400];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    world_free(&W);
    return system(cmd) == 0 ? 0 : -1;
}

/* A fresh database file for each test. */
static store *fresh(const char *name)
{
    store *s = NULL;

    snprintf(path, sizeof path, "%s/%s.db", dir, name);
    unlink(path);
    CU_ASSERT_EQUAL(store_open(path, &W.ports, &s), QSCD_OK);
    return s;
}

static void sql(const char *stmt)
{
    sqlite3 *db = NULL;

    CU_ASSERT_EQUAL(sqlite3_open(path, &db), SQLITE_OK);
    CU_ASSERT_EQUAL(sqlite3_exec(db, stmt, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* The integer the query answers, -1 when none. */
static long long sql_long(const char *query)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;

    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, query, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void test_signer_records(void)
{
    store *s = fresh("signers");
    store_signer in, out;

    memset(&in, 0, sizeof in);
    in.rec.id = world_id("alice");
    in.rec.enabled = 1;
    in.rec.has_pin = 1;
    memset(in.pin_salt, 7, 16);
    memset(in.rec.pin_verifier, 9, 32);
    snprintf(in.name, sizeof in.name, "Alice Example");
    CU_ASSERT_EQUAL(store_signer_add(s, &in), QSCD_OK);
    CU_ASSERT_EQUAL(store_signer_add(s, &in), QSCD_ERR_EXISTS);
    CU_ASSERT_EQUAL(store_signer_get(s, &in.rec.id, &out), QSCD_OK);
    CU_ASSERT_STRING_EQUAL(out.name, "Alice Example");
    CU_ASSERT_EQUAL(memcmp(out.rec.pin_verifier, in.rec.pin_verifier, 32), 0);
    CU_ASSERT_EQUAL(store_signer_auth(s, &in.rec.id, 5, 1, 1234), QSCD_OK);
    CU_ASSERT_EQUAL(store_signer_get(s, &in.rec.id, &out), QSCD_OK);
    CU_ASSERT(out.rec.failures == 5 && out.rec.locked == 1 && out.rec.otp_last_counter == 1234);
    CU_ASSERT_EQUAL(store_signer_unlock(s, &in.rec.id), QSCD_OK);
    CU_ASSERT_EQUAL(store_signer_get(s, &in.rec.id, &out), QSCD_OK);
    CU_ASSERT(out.rec.failures == 0 && out.rec.locked == 0);
    CU_ASSERT(out.pin_kdf.t == 0 && out.pin_kdf.m == 0 && out.pin_kdf.p == 0);
    /* Schema 3: a new PIN's verifier is kept with its Argon2id cost. */
    store_kdf kdf = { 3, 65536, 2 };
    uint8_t salt[16], v[32];
    memset(salt, 0x51, sizeof salt);
    memset(v, 0x5a, sizeof v);
    CU_ASSERT_EQUAL(store_signer_set_pin(s, &in.rec.id, salt, v, &kdf), QSCD_OK);
    CU_ASSERT_EQUAL(store_signer_get(s, &in.rec.id, &out), QSCD_OK);
    CU_ASSERT(out.pin_kdf.t == 3 && out.pin_kdf.m == 65536 && out.pin_kdf.p == 2);
    CU_ASSERT(memcmp(out.pin_salt, salt, 16) == 0 && memcmp(out.rec.pin_verifier, v, 32) == 0);
    qscd_id nobody = world_id("nobody");
    CU_ASSERT_EQUAL(store_signer_get(s, &nobody, &out), QSCD_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(store_signer_unlock(s, &nobody), QSCD_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(store_signer_set_pin(s, &nobody, salt, v, &kdf), QSCD_ERR_NOT_FOUND);
    store_close(s);
}

/* Administrators: the password verifier with its cost (schema 3), the lockout state. */
static void test_admin_records(void)
{
    store *s = fresh("admins");
    store_admin in, out;

    memset(&in, 0, sizeof in);
    in.id = world_id("aud");
    in.role = 4;
    memset(in.pw_salt, 1, 16);
    memset(in.pw_verifier, 2, 32);
    in.pw_kdf.t = 1;
    in.pw_kdf.m = 256;
    in.pw_kdf.p = 1;
    CU_ASSERT_EQUAL(store_admin_add(s, &in), QSCD_OK);
    CU_ASSERT_EQUAL(store_admin_add(s, &in), QSCD_ERR_EXISTS);
    CU_ASSERT_EQUAL(store_admin_get(s, &in.id, &out), QSCD_OK);
    CU_ASSERT(out.role == 4 && memcmp(out.pw_salt, in.pw_salt, 16) == 0 &&
              memcmp(out.pw_verifier, in.pw_verifier, 32) == 0);
    CU_ASSERT(out.pw_kdf.t == 1 && out.pw_kdf.m == 256 && out.pw_kdf.p == 1);
    store_close(s);
}

static void test_cred_records_and_backups(void)
{
    store *s = fresh("creds");
    store_signer sg;
    store_cred c, out;
    qscd_id *ids = NULL, owner = world_id("alice");
    uint8_t (*backups)[32] = NULL, bid[32];
    size_t n = 0;

    memset(&sg, 0, sizeof sg);
    sg.rec.id = owner;
    CU_ASSERT_EQUAL(store_signer_add(s, &sg), QSCD_OK);
    memset(&c, 0, sizeof c);
    c.rec.owner = owner;
    c.rec.enabled = 1;
    c.rec.key_alg = SAM_KEY_EC_P256;
    c.rec.sap = SAM_SAP_TOTP;
    c.rec.multisign = 5;
    c.rec.key_ref_len = 4;
    memcpy(c.rec.key_ref, "k001", 4);
    for (int i = 0; i < 3; i++) {
        char id[24];
        snprintf(id, sizeof id, "cred-%d", i);
        c.rec.id = world_id(id);
        CU_ASSERT_EQUAL(store_cred_add(s, &c), QSCD_OK);
    }
    c.rec.owner = world_id("ghost"); /* foreign key: no such signer */
    c.rec.id = world_id("orphan");
    CU_ASSERT_NOT_EQUAL(store_cred_add(s, &c), QSCD_OK);
    CU_ASSERT_EQUAL(store_cred_list(s, &owner, &ids, &n), QSCD_OK);
    CU_ASSERT_EQUAL(n, 3);
    free(ids);
    qscd_id c1 = world_id("cred-1");
    CU_ASSERT_EQUAL(store_cred_set_cert(s, &c1, (const uint8_t *)"\x30\x03\x02\x01\x01", 5, 10, 20),
                    QSCD_OK);
    CU_ASSERT_EQUAL(store_cred_get(s, &c1, &out), QSCD_OK);
    CU_ASSERT(out.rec.has_cert == 1 && out.cert_len == 5 && out.rec.cert_not_after == 20);
    store_cred_free(&out);
    CU_ASSERT_EQUAL(store_cred_revoke(s, &c1), QSCD_OK);
    CU_ASSERT_EQUAL(store_cred_get(s, &c1, &out), QSCD_OK);
    CU_ASSERT_EQUAL(out.rec.cert_revoked, 1);
    store_cred_free(&out);
    memset(bid, 0xB1, sizeof bid);
    CU_ASSERT_EQUAL(store_backup_add(s, &c1, bid, sizeof bid), QSCD_OK);
    CU_ASSERT_EQUAL(store_backup_list(s, &c1, &backups, &n), QSCD_OK);
    CU_ASSERT(n == 1 && memcmp(backups[0], bid, 32) == 0);
    free(backups);
    CU_ASSERT_EQUAL(store_cred_delete(s, &c1), QSCD_OK);
    CU_ASSERT_EQUAL(store_cred_get(s, &c1, &out), QSCD_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(store_signer_delete(s, &owner), QSCD_OK);
    CU_ASSERT_EQUAL(store_cred_list(s, NULL, &ids, &n), QSCD_OK);
    CU_ASSERT_EQUAL(n, 0);
    free(ids);
    store_close(s);
}

/* CSC 11.9 under concurrency: 8 threads race for one token's 100 signatures. */
typedef struct racer { store *s; uint8_t id[QSCD_TOKEN_ID_LEN]; int granted; } racer;

static void *race(void *arg)
{
    racer *r = arg;

    for (int i = 0; i < 40; i++)
        if (store_registry_consume(r->s, r->id, 1, 100) == QSCD_OK)
            r->granted++;
    return NULL;
}

static void test_CSC_11_9_registry_race(void)
{
    store *s = fresh("registry");
    uint8_t id[QSCD_TOKEN_ID_LEN], other[QSCD_TOKEN_ID_LEN];
    pthread_t t[8];
    racer r[8];
    int total = 0;

    memset(id, 0x11, sizeof id);
    memset(other, 0x22, sizeof other);
    CU_ASSERT_EQUAL(store_registry_create(s, id, 100, 2000000000), QSCD_OK);
    CU_ASSERT_EQUAL(store_registry_consume(s, other, 1, 100), QSCD_ERR_SAD_UNKNOWN);
    CU_ASSERT_EQUAL(store_registry_consume(s, id, 1, 99), QSCD_ERR_SAD_UNKNOWN); /* other max */
    for (int i = 0; i < 8; i++) {
        r[i] = (racer){ s, { 0 }, 0 };
        memcpy(r[i].id, id, sizeof id);
        pthread_create(&t[i], NULL, race, &r[i]);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        total += r[i].granted;
    }
    CU_ASSERT_EQUAL(total, 100);
    CU_ASSERT_EQUAL(store_registry_consume(s, id, 1, 100), QSCD_ERR_SAD_EXHAUSTED);
    CU_ASSERT(store_commits(s) < 320); /* group commit: fewer commits than writes */
    store_close(s);
    /* durable: after reopening, still exhausted */
    CU_ASSERT_EQUAL(store_open(path, &W.ports, &s), QSCD_OK);
    CU_ASSERT_EQUAL(store_registry_consume(s, id, 1, 100), QSCD_ERR_SAD_EXHAUSTED);
    store_close(s);
}

static void test_challenges_once(void)
{
    store *s = fresh("challenges");
    qscd_id a = world_id("alice"), b = world_id("bob");
    uint8_t ch[SAM_CHALLENGE_LEN];
    int64_t issued = 0;

    memset(ch, 0x5A, sizeof ch);
    CU_ASSERT_EQUAL(store_challenge_add(s, &a, ch, 1234), QSCD_OK);
    CU_ASSERT_EQUAL(store_challenge_take(s, &b, ch, &issued), QSCD_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(store_challenge_take(s, &a, ch, &issued), QSCD_OK);
    CU_ASSERT_EQUAL(issued, 1234);
    CU_ASSERT_EQUAL(store_challenge_take(s, &a, ch, &issued), QSCD_ERR_NOT_FOUND);
    store_close(s);
}

/* Ten audit events, sealed. */
static store *audit_log(const char *name)
{
    store *s = fresh(name);
    store_audit_meta meta = { "req", 3, "uid=0" };
    sam_event ev;

    for (int i = 0; i < 10; i++) {
        memset(&ev, 0, sizeof ev);
        ev.op = SAM_OP_SIGN;
        ev.role = SAM_ROLE_SIGNER;
        ev.actor = world_id("alice");
        ev.cred = world_id("a-totp");
        ev.time = 1800000000 + i;
        ev.outcome = i % 3 == 0 ? QSCD_ERR_SAD_HASH : QSCD_OK;
        ev.count = 1;
        CU_ASSERT_EQUAL(store_audit_append(s, &ev, &meta), QSCD_OK);
    }
    CU_ASSERT_EQUAL(store_audit_seal(s), QSCD_OK);
    return s;
}

static int verify(store *s, uint64_t *first_bad)
{
    uint64_t records = 0, seals = 0;

    return store_audit_verify(s, &records, &seals, first_bad);
}

static void test_SRG_AA_7_audit_intact(void)
{
    store *s = audit_log("intact");
    uint64_t records = 0, seals = 0, bad = 0;
    store_audit_row *rows = NULL;
    size_t n = 0;

    CU_ASSERT_EQUAL(store_audit_verify(s, &records, &seals, &bad), QSCD_OK);
    CU_ASSERT_EQUAL(records, 10);
    CU_ASSERT_EQUAL(seals, 1);
    CU_ASSERT_EQUAL(store_audit_read(s, 3, 4, &rows, &n), QSCD_OK);
    CU_ASSERT(n == 4 && rows[0].seq == 3 && rows[0].ev.time == 1800000003);
    free(rows);
    store_close(s);
    /* the chain continues after a restart */
    CU_ASSERT_EQUAL(store_open(path, &W.ports, &s), QSCD_OK);
    sam_event ev;
    memset(&ev, 0, sizeof ev);
    ev.actor = world_id("auditor");
    CU_ASSERT_EQUAL(store_audit_append(s, &ev, NULL), QSCD_OK);
    CU_ASSERT_EQUAL(store_audit_verify(s, &records, &seals, &bad), QSCD_OK);
    CU_ASSERT_EQUAL(records, 11);
    store_close(s);
}

static void test_SRG_AA_7_audit_edit_detected(void)
{
    store *s = audit_log("edit");
    uint64_t bad = 0;

    sql("UPDATE audit SET outcome = 0 WHERE seq = 6");
    CU_ASSERT_EQUAL(verify(s, &bad), QSCD_ERR_AUDIT_CHAIN);
    CU_ASSERT_EQUAL(bad, 6);
    store_close(s);
}

static void test_SRG_AA_7_audit_delete_detected(void)
{
    store *s = audit_log("delete");
    uint64_t bad = 0;

    sql("DELETE FROM audit WHERE seq = 4");
    CU_ASSERT_EQUAL(verify(s, &bad), QSCD_ERR_AUDIT_MISSING);
    CU_ASSERT_EQUAL(bad, 4);
    store_close(s);
}

static void test_SRG_AA_7_audit_tail_truncation_detected(void)
{
    store *s = audit_log("tail");
    uint64_t bad = 0;

    sql("DELETE FROM audit WHERE seq >= 8");
    CU_ASSERT_EQUAL(verify(s, &bad), QSCD_ERR_AUDIT_MISSING);
    store_close(s);
}

static void test_SRG_AA_7_audit_insert_and_reorder_detected(void)
{
    store *s = audit_log("insert");
    uint64_t bad = 0;

    /* an inserted record: everything after shifts by one */
    sql("UPDATE audit SET seq = seq + 100 WHERE seq >= 5; UPDATE audit SET seq = seq - 99 WHERE seq >= 105;"
        "INSERT INTO audit SELECT 5, time, op, role, outcome, actor, cred, has_token, token_id,"
        " hash_alg, count, first_hash, request_id, peer, link FROM audit WHERE seq = 4");
    CU_ASSERT_NOT_EQUAL(verify(s, &bad), QSCD_OK);
    CU_ASSERT_EQUAL(bad, 5);
    store_close(s);
    s = audit_log("reorder");
    sql("UPDATE audit SET seq = 100 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3;"
        "UPDATE audit SET seq = 3 WHERE seq = 100");
    CU_ASSERT_EQUAL(verify(s, &bad), QSCD_ERR_AUDIT_CHAIN);
    CU_ASSERT_EQUAL(bad, 2);
    store_close(s);
}

static void test_SRG_AA_7_audit_forged_seal_detected(void)
{
    store *s = audit_log("seal");
    uint64_t bad = 0;

    sql("UPDATE seals SET seal = zeroblob(32)");
    CU_ASSERT_EQUAL(verify(s, &bad), QSCD_ERR_AUDIT_SEAL);
    CU_ASSERT_EQUAL(bad, 10);
    store_close(s);
}

/* Schema 2: a credential's lifecycle state, listed by state, kept across a reopen; a
 * database of schema 1 is migrated forward (to 3) with its records (their state READY,
 * their verifiers' cost unknown: 0). */
/* The signer alice, and a credential template of hers (id and state to fill in). */
static int owner_add(store *s, store_signer *in, store_cred *c)
{
    memset(in, 0, sizeof *in);
    in->rec.id = world_id("alice");
    memset(c, 0, sizeof *c);
    c->rec.owner = in->rec.id;
    c->rec.key_ref_len = 2;
    return store_signer_add(s, in);
}

static void test_cred_state_and_migration(void)
{
    store *s = fresh("state");
    store_signer in, sg;
    store_cred c, got;
    qscd_id *ids = NULL, a = world_id("a-1"), b = world_id("b-1");
    size_t n = 0;

    CU_ASSERT_EQUAL_FATAL(owner_add(s, &in, &c), QSCD_OK);
    c.rec.id = a;
    c.state = STORE_CRED_CREATING;
    CU_ASSERT_EQUAL(store_cred_add(s, &c), QSCD_OK);
    c.rec.id = b;
    c.state = STORE_CRED_READY;
    CU_ASSERT_EQUAL(store_cred_add(s, &c), QSCD_OK);
    CU_ASSERT_EQUAL(store_cred_list_state(s, STORE_CRED_CREATING, &ids, &n), QSCD_OK);
    CU_ASSERT(n == 1 && ids[0].len == 3 && memcmp(ids[0].b, "a-1", 3) == 0);
    free(ids);
    CU_ASSERT_EQUAL(store_cred_set_state(s, &b, STORE_CRED_DELETING), QSCD_OK);
    CU_ASSERT_EQUAL(store_cred_set_state(s, &in.rec.id, STORE_CRED_READY), QSCD_ERR_NOT_FOUND);
    store_close(s);
    CU_ASSERT_EQUAL_FATAL(store_open(path, &W.ports, &s), QSCD_OK);
    CU_ASSERT(store_cred_get(s, &b, &got) == QSCD_OK && got.state == STORE_CRED_DELETING);
    store_cred_free(&got);
    store_close(s);
    /* back to schema 1 by hand: no state column, no verifier costs, version 1 */
    sql("CREATE TABLE c1 AS SELECT id, owner, enabled, key_alg, sap, multisign, key_ref,"
        " backup_capable, cert, cert_not_before, cert_not_after, cert_revoked FROM credentials;"
        "DROP TABLE credentials; ALTER TABLE c1 RENAME TO credentials;"
        "ALTER TABLE signers DROP COLUMN pin_kdf_t; ALTER TABLE signers DROP COLUMN pin_kdf_m;"
        "ALTER TABLE signers DROP COLUMN pin_kdf_p; ALTER TABLE admins DROP COLUMN pw_kdf_t;"
        "ALTER TABLE admins DROP COLUMN pw_kdf_m; ALTER TABLE admins DROP COLUMN pw_kdf_p;"
        "UPDATE meta SET value = 1 WHERE key = 'schema'");
    CU_ASSERT_EQUAL_FATAL(store_open(path, &W.ports, &s), QSCD_OK);
    CU_ASSERT(store_cred_get(s, &b, &got) == QSCD_OK && got.state == STORE_CRED_READY);
    store_cred_free(&got);
    /* schema 3 added the costs: 0 for the verifiers recorded before (the configured cost) */
    CU_ASSERT(store_signer_get(s, &in.rec.id, &sg) == QSCD_OK && sg.pin_kdf.t == 0 &&
              sg.pin_kdf.m == 0 && sg.pin_kdf.p == 0);
    CU_ASSERT_EQUAL(sql_long("SELECT value FROM meta WHERE key = 'schema'"), STORE_SCHEMA_VERSION);
    CU_ASSERT_EQUAL(store_cred_list_state(s, STORE_CRED_READY, &ids, &n), QSCD_OK);
    CU_ASSERT_EQUAL(n, 2);
    free(ids);
    store_close(s);
}

/* The revocations the start-up recovery finishes: ready credentials with a revoked
 * certificate only (one being deleted is the other recovery's). */
static void test_cred_list_revoked(void)
{
    static const char *names[3] = { "r-1", "v-1", "d-1" };
    store *s = fresh("revoked");
    store_signer in;
    store_cred c;
    qscd_id *ids = NULL;
    size_t n = 0;

    CU_ASSERT_EQUAL_FATAL(owner_add(s, &in, &c), QSCD_OK);
    for (int i = 0; i < 3; i++) {
        c.rec.id = world_id(names[i]);
        c.state = i == 2 ? STORE_CRED_DELETING : STORE_CRED_READY;
        CU_ASSERT_EQUAL_FATAL(store_cred_add(s, &c), QSCD_OK);
        if (i != 1)
            CU_ASSERT_EQUAL(store_cred_revoke(s, &c.rec.id), QSCD_OK);
    }
    CU_ASSERT_EQUAL(store_cred_list_revoked(s, &ids, &n), QSCD_OK);
    CU_ASSERT(n == 1 && ids[0].len == 3 && memcmp(ids[0].b, "r-1", 3) == 0);
    free(ids);
    store_close(s);
}

static void test_schema_newer_refused(void)
{
    store *s = fresh("schema");

    store_close(s);
    sql("UPDATE meta SET value = 99 WHERE key = 'schema'");
    CU_ASSERT_EQUAL(store_open(path, &W.ports, &s), QSCD_ERR_STORE_SCHEMA);
}

UNIT_SUITE(store)
{
    static const unit_test tests[] = {
        { "signer_records", test_signer_records },
        { "admin_records", test_admin_records },
        { "cred_records_and_backups", test_cred_records_and_backups },
        { "CSC_11_9_registry_race", test_CSC_11_9_registry_race },
        { "challenges_once", test_challenges_once },
        { "SRG_AA_7_audit_intact", test_SRG_AA_7_audit_intact },
        { "SRG_AA_7_audit_edit_detected", test_SRG_AA_7_audit_edit_detected },
        { "SRG_AA_7_audit_delete_detected", test_SRG_AA_7_audit_delete_detected },
        { "SRG_AA_7_audit_tail_truncation_detected", test_SRG_AA_7_audit_tail_truncation_detected },
        { "SRG_AA_7_audit_insert_and_reorder_detected", test_SRG_AA_7_audit_insert_and_reorder_detected },
        { "SRG_AA_7_audit_forged_seal_detected", test_SRG_AA_7_audit_forged_seal_detected },
        { "cred_state_and_migration", test_cred_state_and_migration },
        { "cred_list_revoked", test_cred_list_revoked },
        { "schema_newer_refused", test_schema_newer_refused },
        { NULL, NULL },
    };
    return unit_add_suite("store", setup, cleanup, tests);
}
