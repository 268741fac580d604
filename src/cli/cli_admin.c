/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `qscd admin [CONNECTION] OPERATION [OPTIONS]`: every operation of the SAM protocol from the
 * command line. The table below is the whole command: options become parameters, results
 * are printed by cli_out.c. Exit status 0 done, 1 refused or failed, 2 usage.
 */
#include "cli_cmds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qscd_err.h"
#include "samp.h"
#include "scbor.h"

#define ID(k, o) { k, o, P_ID, true, NULL }
#define CRED { 1, "cred", P_ID, true, NULL }
#define SIGNER { 1, "signer", P_ID, true, NULL }

const cli_cmd cli_cmds[] = {
    { "info", SAMC_INFO, "any", "the service's name, audience and versions", { { 0 } },
      { { 1, "service", R_TEXT }, { 2, "audience", R_TEXT }, { 3, "protocol", R_UINT },
        { 4, "version", R_TEXT } } },
    { "signer.enrol", SAMC_SIGNER_ENROL, "so", "enrol a signer",
      { SIGNER, { 2, "name", P_TEXT, true, NULL } }, { { 0 } } },
    { "signer.disable", SAMC_SIGNER_DISABLE, "so", "disable a signer", { SIGNER }, { { 0 } } },
    { "signer.enable", SAMC_SIGNER_ENABLE, "so", "enable a signer", { SIGNER }, { { 0 } } },
    { "signer.unlock", SAMC_SIGNER_UNLOCK, "so", "unlock a signer after failed attempts",
      { SIGNER }, { { 0 } } },
    { "signer.delete", SAMC_SIGNER_DELETE, "so", "delete a signer, its credentials and keys",
      { SIGNER }, { { 1, "purge-backups", R_HEXLIST } } },
    { "pin.set", SAMC_PIN_SET, "so", "set a signer's PIN (--pin-file, $QSCD_PIN or a prompt)",
      { SIGNER, { 2, "pin", P_SECRET, true, NULL } }, { { 0 } } },
    { "pin.change", SAMC_PIN_CHANGE, "signer",
      "change one's PIN ($QSCD_PIN / --pin-file, $QSCD_NEW_PIN / --new-pin-file)",
      { { 1, "pin", P_SECRET, true, NULL }, { 2, "new-pin", P_SECRET, true, NULL } }, { { 0 } } },
    { "totp.provision", SAMC_TOTP_PROVISION, "so",
      "give a signer a TOTP factor; the otpauth:// URI is shown once", { SIGNER },
      { { 1, "uri", R_TEXT } } },
    { "device.enrol", SAMC_DEVICE_ENROL, "so", "enrol a signer's SIC device key (P-256, PEM/DER)",
      { SIGNER, { 2, "key", P_DER, true, NULL } }, { { 0 } } },
    { "cred.create", SAMC_CRED_CREATE, "so", "create a credential: key in the HSM, certificate",
      { SIGNER, ID(2, "cred"), { 3, "alg", P_KEYALG, false, "p256" },
        { 4, "sap", P_SAP, false, "totp" }, { 5, "multisign", P_UINT, false, "1" },
        { 6, "backup", P_FLAG, false, NULL } },
      { { 1, "certificate", R_DER } } },
    { "cred.list", SAMC_CRED_LIST, "signer, so", "list credentials (a signer: its own)",
      { { 1, "signer", P_ID, false, NULL } }, { { 1, "credentials", R_IDLIST } } },
    { "cred.info", SAMC_CRED_INFO, "signer, so", "describe a credential", { CRED },
      { { 1, "alg", R_KEYALG }, { 2, "bits", R_UINT }, { 3, "sap", R_SAP },
        { 4, "multisign", R_UINT }, { 5, "enabled", R_BOOL }, { 6, "chain", R_DERLIST },
        { 7, "certificate-status", R_TEXT }, { 8, "owner", R_ID }, { 9, "backup-capable", R_BOOL } } },
    { "cred.disable", SAMC_CRED_DISABLE, "so", "disable a credential", { CRED }, { { 0 } } },
    { "cred.enable", SAMC_CRED_ENABLE, "so", "enable a credential", { CRED }, { { 0 } } },
    { "cred.delete", SAMC_CRED_DELETE, "so", "delete a credential and destroy its key", { CRED },
      { { 1, "purge-backups", R_HEXLIST } } },
    { "cert.import", SAMC_CERT_IMPORT, "so", "import a credential's certificate (PEM/DER)",
      { CRED, { 2, "cert", P_DER, true, NULL } }, { { 0 } } },
    { "cert.revoke", SAMC_CERT_REVOKE, "so",
      "revoke a credential's certificate and destroy its key", { CRED },
      { { 1, "purge-backups", R_HEXLIST } } },
    { "cred.csr", SAMC_CRED_CSR, "signer",
      "without --sad: the digest to authorise; with --sad: the PKCS#10 request", { CRED,
      { 2, "sad", P_SAD, false, NULL } }, { { 1, "csr", R_CSR } } },
    { "challenge", SAMC_CHALLENGE, "signer", "a fresh challenge for a SIC assertion", { CRED },
      { { 1, "challenge", R_HEX } } },
    { "authorize", SAMC_AUTHORIZE, "signer", "authorise hashes: PIN and OTP (or assertion) give a SAD",
      { CRED, { 2, "numsig", P_UINT, false, "1" }, { 3, "hash-alg", P_HASHALG, false, "sha256" },
        { 4, "hash", P_HASHES, true, NULL }, { 5, "pin", P_SECRET, true, NULL },
        { 6, "otp", P_OTP, false, NULL }, { 7, "assertion", P_BLOB, false, NULL } },
      { { 1, "sad", R_BLOB }, { 2, "expires-in", R_UINT } } },
    { "sign", SAMC_SIGN, "signer", "sign hashes under a SAD",
      { CRED, { 2, "sad", P_SAD, true, NULL }, { 3, "hash-alg", P_HASHALG, false, "sha256" },
        { 4, "sign-alg", P_SIGNALG, false, "ecdsa" }, { 5, "hash", P_HASHES, true, NULL } },
      { { 1, "signatures", R_SIGLIST } } },
    { "key.backup", SAMC_KEY_BACKUP, "operator", "back a key up, wrapped (--out FILE)", { CRED },
      { { 1, "backup", R_BLOB }, { 2, "backup-id", R_HEX } } },
    { "key.restore", SAMC_KEY_RESTORE, "operator", "restore a key from its backup file",
      { CRED, { 2, "backup", P_BLOB, true, NULL } }, { { 0 } } },
    { "audit.export", SAMC_AUDIT_EXPORT, "auditor", "audit records as JSON lines",
      { { 1, "from", P_UINT, false, "0" }, { 2, "count", P_UINT, false, "1000" } },
      { { 1, "records", R_RECORDS } } },
    { "audit.verify", SAMC_AUDIT_VERIFY, "auditor", "verify the audit chain and its seals",
      { { 0 } },
      { { 1, "records", R_UINT }, { 2, "seals", R_UINT }, { 3, "first-broken", R_UINT },
        { 4, "finding", R_ERR } } },
    { "admin.create", SAMC_ADMIN_CREATE, "so",
      "create an administrator ($QSCD_NEW_PASSWORD / --new-password-file)",
      { ID(1, "admin"), { 2, "role", P_ROLE, true, NULL },
        { 3, "new-password", P_SECRET, true, NULL } }, { { 0 } } },
    { NULL, 0, NULL, NULL, { { 0 } }, { { 0 } } },
};

const cli_cmd *cli_cmd_find(const char *name)
{
    for (const cli_cmd *c = cli_cmds; c->name != NULL; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

/* ----------------------------------------------------------------------- options */

typedef struct opts {
    const char *val[8];        /* the value given for each parameter */
    const char *hashes[QSCD_MAX_HASHES + 1];
    size_t nhashes;
    const char *out;
} opts;

static const struct { const char *name; uint64_t v; } enums[] = {
    { "p256", 1 }, { "p384", 2 }, { "rsa2048", 3 }, { "rsa3072", 4 }, { "rsa4096", 5 },
    { "totp", 1 }, { "sic", 2 }, { "so", 2 }, { "operator", 3 }, { "auditor", 4 },
    { "sha256", 1 }, { "sha384", 2 }, { "sha512", 3 },
    { "ecdsa", 1 }, { "rsa-pkcs1", 2 }, { "rsa-pss", 3 },
};

static int enum_value(const char *s, uint64_t *v)
{
    for (size_t i = 0; i < sizeof enums / sizeof enums[0]; i++)
        if (strcmp(enums[i].name, s) == 0) {
            *v = enums[i].v;
            return 0;
        }
    return -1;
}

static int find_opt(const cli_cmd *cmd, const char *arg)
{
    char want[64];

    for (int i = 0; i < 8 && cmd->p[i].type != P_END; i++) {
        snprintf(want, sizeof want, cmd->p[i].type == P_SECRET ? "--%s-file" : "--%s",
                 cmd->p[i].opt);
        if (strcmp(arg, want) == 0)
            return i;
    }
    return -1;
}

static int parse_opts(const cli_cmd *cmd, int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < argc; i++) {
        int k = find_opt(cmd, argv[i]);
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            o->out = argv[++i];
        } else if (k >= 0 && cmd->p[k].type == P_FLAG) {
            o->val[k] = "true";
        } else if (k >= 0 && i + 1 < argc && cmd->p[k].type == P_HASHES) {
            if (o->nhashes == QSCD_MAX_HASHES + 1)
                return CLI_USAGE;
            o->hashes[o->nhashes++] = argv[++i];
            o->val[k] = "";
        } else if (k >= 0 && i + 1 < argc) {
            o->val[k] = argv[++i];
        } else {
            fprintf(stderr, "qscd admin %s: unexpected '%s' (see --help)\n", cmd->name, argv[i]);
            return CLI_USAGE;
        }
    }
    return CLI_OK;
}

/* ---------------------------------------------------------------------- parameters */

/* The environment variable of a secret option: --new-pin-file -> QSCD_NEW_PIN. */
static void secret_env(const pdef *p, char env[64])
{
    snprintf(env, 64, "QSCD_%s", p->opt);
    for (size_t i = 5; env[i] != '\0'; i++)
        env[i] = env[i] == '-' ? '_' : (char)(env[i] >= 'a' && env[i] <= 'z' ? env[i] - 32 : env[i]);
}

/* The parameter's value into the encoder. A secret is read here (file, environment,
 * prompt), sent, and wiped. */
static int put_secret(scbor_enc *e, const pdef *p, const char *file)
{
    char env[64], buf[256];
    int rc;

    secret_env(p, env);
    rc = cli_secret(p->opt, file, env, buf, sizeof buf);
    if (rc == 0)
        scbor_put_bstr(e, (const uint8_t *)buf, strlen(buf));
    memset(buf, 0, sizeof buf);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}

static int put_file(scbor_enc *e, const char *path, bool der)
{
    uint8_t *buf = NULL;
    size_t n = 0;
    int rc = cli_read_file(path, der, &buf, &n);

    if (rc == 0)
        scbor_put_bstr(e, buf, n);
    free(buf);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}

static int put_hashes(scbor_enc *e, const opts *o)
{
    uint8_t h[QSCD_MAX_DIGEST];

    scbor_put_array(e, o->nhashes);
    for (size_t i = 0; i < o->nhashes; i++) {
        long n = cli_unhex(o->hashes[i], h, sizeof h);
        if (n < 0) {
            fprintf(stderr, "qscd admin: --hash takes a digest in hex\n");
            return CLI_USAGE;
        }
        scbor_put_bstr(e, h, (size_t)n);
    }
    return CLI_OK;
}

static int put_sad(scbor_enc *e, const char *v)
{
    uint8_t tok[4096];
    long n;

    if (v[0] == '@')
        return put_file(e, v + 1, false);
    n = cli_unhex(v, tok, sizeof tok);
    if (n <= 0) {
        fprintf(stderr, "qscd admin: --sad takes the token in hex, or @FILE\n");
        return CLI_USAGE;
    }
    scbor_put_bstr(e, tok, (size_t)n);
    return CLI_OK;
}

static int put_value(scbor_enc *e, const pdef *p, const char *v, const opts *o)
{
    uint64_t n = 0;
    char *end = NULL;

    switch (p->type) {
    case P_ID: scbor_put_bstr(e, (const uint8_t *)v, strlen(v)); return CLI_OK;
    case P_TEXT: scbor_put_tstr(e, (const uint8_t *)v, strlen(v)); return CLI_OK;
    case P_OTP: scbor_put_bstr(e, (const uint8_t *)v, strlen(v)); return CLI_OK;
    case P_FLAG: scbor_put_bool(e, true); return CLI_OK;
    case P_UINT:
        n = strtoull(v, &end, 10);
        if (*v == '\0' || *end != '\0')
            break;
        scbor_put_uint(e, n);
        return CLI_OK;
    case P_HASHES: return put_hashes(e, o);
    case P_DER: return put_file(e, v, true);
    case P_BLOB: return put_file(e, v, false);
    case P_SECRET: return put_secret(e, p, v);
    case P_SAD: return put_sad(e, v);
    default:
        if (enum_value(v, &n) != 0)
            break;
        scbor_put_uint(e, n);
        return CLI_OK;
    }
    fprintf(stderr, "qscd admin: --%s: '%s' is not a valid value\n", p->opt, v);
    return CLI_USAGE;
}

/* Parameters in key order (the table lists them so): present, defaulted, or asked for. */
static int build_params(const cli_cmd *cmd, const opts *o, scbor_enc *e)
{
    size_t n = 0;
    int rc = CLI_OK;

    for (int i = 0; i < 8 && cmd->p[i].type != P_END; i++)
        n += o->val[i] != NULL || cmd->p[i].dflt != NULL ||
             (cmd->p[i].type == P_SECRET && cmd->p[i].required);
    scbor_put_map(e, n);
    for (int i = 0; i < 8 && rc == CLI_OK && cmd->p[i].type != P_END; i++) {
        const pdef *p = &cmd->p[i];
        const char *v = o->val[i] != NULL ? o->val[i] : p->dflt;
        if (v == NULL && p->type == P_SECRET && p->required) {
            scbor_put_uint(e, (uint64_t)p->key);
            rc = put_secret(e, p, NULL);
        } else if (v == NULL && p->required) {
            fprintf(stderr, "qscd admin %s: --%s is required\n", cmd->name, p->opt);
            rc = CLI_USAGE;
        } else if (v != NULL) {
            scbor_put_uint(e, (uint64_t)p->key);
            rc = put_value(e, p, v, o);
        }
    }
    if (rc == CLI_OK && e->err != QSCD_OK)
        rc = CLI_FAILED;
    return rc;
}

/* ------------------------------------------------------------------------- help */

static void usage(FILE *f)
{
    fprintf(f, "usage: qscd admin [--socket PATH] [--as ROLE:ID] [--password-file FILE] [--json]\n"
               "                  [--timeout SECONDS] [--wait SECONDS] OPERATION [OPTIONS]\n\n"
               "Every operation of the SAM protocol (spec/sam-protocol.md). The caller is\n"
               "ROLE:ID (signer, so, operator, auditor; default $QSCD_AS, else so:so); an\n"
               "administrator's password comes from --password-file, $QSCD_ADMIN_PASSWORD or a\n"
               "prompt. The socket is --socket, $QSCD_SAM_SOCKET or /var/lib/qscd/sam.sock.\n"
               "--timeout: seconds to wait for an answer (default 60); --wait: seconds to wait\n"
               "for a SAM that is still starting (default 0: fail at once).\n"
               "Exit status: 0 done, 1 refused or failed, 2 usage.\n\nOperations:\n");
    for (const cli_cmd *c = cli_cmds; c->name != NULL; c++)
        fprintf(f, "  %-16s %-11s %s\n", c->name, c->role, c->help);
    fprintf(f, "\n`qscd admin OPERATION --help` lists an operation's options.\n");
}

static void cmd_help(const cli_cmd *c)
{
    printf("usage: qscd admin [CONNECTION] %s [OPTIONS]\n%s (role: %s)\n\n", c->name, c->help,
           c->role);
    for (int i = 0; i < 8 && c->p[i].type != P_END; i++) {
        const pdef *p = &c->p[i];
        char env[64], opt[64];
        if (p->type == P_SECRET) {
            secret_env(p, env);
            snprintf(opt, sizeof opt, "--%s-file FILE", p->opt);
            printf("  %-24s else $%s, else a prompt without echo\n", opt, env);
            continue;
        }
        printf("  --%s%s%s%s%s\n", p->opt, p->type == P_SECRET ? "-file FILE" :
               p->type == P_FLAG ? "" : " VALUE", p->required ? " (required)" : "",
               p->dflt ? ", default " : "", p->dflt ? p->dflt : "");
    }
    printf("  %-24s write the result to FILE (certificate, request, backup, SAD: sign takes\n"
           "  %-24s --sad @FILE; signatures: FILE, or FILE.0, FILE.1, ... for several)\n",
           "--out FILE", "");
}

/* A refusal about "parameter K": name the option that gives it. */
static void param_hint(const cli_cmd *cmd, const samc_resp *r)
{
    const char *at = r->status != 0 ? strstr(r->message, "(parameter ") : NULL;
    char env[64];
    int key = 0;

    if (at == NULL || sscanf(at, "(parameter %d:", &key) != 1)
        return;
    for (int i = 0; i < 8 && cmd->p[i].type != P_END; i++) {
        const pdef *p = &cmd->p[i];
        if (p->key != key)
            continue;
        secret_env(p, env);
        if (p->type == P_SECRET)
            fprintf(stderr, "qscd %s: parameter %d is --%s-file or $%s\n", cmd->name, key,
                    p->opt, env);
        else
            fprintf(stderr, "qscd %s: parameter %d is --%s\n", cmd->name, key, p->opt);
    }
}

int cli_admin(int argc, char **argv)
{
    uint8_t *params = malloc(SAMP_REQUEST_MAX);
    const cli_cmd *cmd;
    samc_resp r;
    cli_conn c;
    scbor_enc e;
    opts o;
    int used = 0, rc = cli_conn_options(argc, argv, "so:so", &c, &used);

    memset(&r, 0, sizeof r);
    memset(&o, 0, sizeof o);
    if (rc == CLI_OK && (used >= argc || strcmp(argv[used], "--help") == 0)) {
        usage(used >= argc ? stderr : stdout);
        rc = used >= argc ? CLI_USAGE : CLI_OK;
        free(params);
        return rc;
    }
    cmd = rc == CLI_OK ? cli_cmd_find(argv[used]) : NULL;
    if (rc == CLI_OK && cmd == NULL) {
        fprintf(stderr, "qscd admin: unknown operation '%s' (qscd admin --help)\n", argv[used]);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK && used + 1 < argc && strcmp(argv[used + 1], "--help") == 0) {
        cmd_help(cmd);
        free(params);
        return CLI_OK;
    }
    if (rc == CLI_OK)
        rc = parse_opts(cmd, argc - used - 1, argv + used + 1, &o);
    if (rc == CLI_OK && params == NULL)
        rc = CLI_FAILED;
    if (rc == CLI_OK) {
        scbor_enc_init(&e, params, SAMP_REQUEST_MAX);
        rc = build_params(cmd, &o, &e);
    }
    if (rc == CLI_OK)
        rc = cli_conn_password(&c);
    if (rc == CLI_OK) {
        rc = cli_call(&c, cmd->name, cmd->op, params, e.len, &r);
        param_hint(cmd, &r);
    }
    if (rc == CLI_OK)
        rc = cli_print(cmd, &r, c.json, o.out);
    if (params != NULL)
        memset(params, 0, SAMP_REQUEST_MAX);
    free(params);
    samc_resp_free(&r);
    memset(&c, 0, sizeof c);
    return rc;
}
