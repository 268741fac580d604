/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `qscd sign FILE` and `qscd verify FILE FILE.p7s`: the signer's side of the flow.
 * sign: hash the file, log in, read the credential (certificate chain, auth objects), build
 * the CMS signed attributes, authorise their digest with PIN + TOTP code or PIN + SIC
 * assertion, signHash, verify the signature with OpenSSL against the certificate, write
 * FILE.p7s and check it as `openssl cms -verify` would.
 */
#include "signer.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sam_types.h"

typedef struct sign_opts {
    const char *file, *out, *url, *cacert, *client, *secret_file, *signer, *cred;
    const char *pin_file, *otp, *totp_seed, *device_key, *hash, *keep_request;
    int verbose;
} sign_opts;

static void sign_usage(FILE *f)
{
    fprintf(f,
        "usage: qscd sign FILE --signer ID --cred ID [--otp CODE | --totp-seed FILE |\n"
        "                 --device-key PEM] [--pin-file FILE] [--hash sha256|sha384|sha512]\n"
        "                 [--url URL] [--cacert PEM] [--client ID] [--secret-file FILE]\n"
        "                 [--out FILE.p7s] [--keep-request FILE] [--verbose]\n\n"
        "Signs FILE through the CSC API and writes a detached CMS signature (CAdES-B-B\n"
        "signed attributes) to FILE.p7s. The PIN comes from --pin-file, else $QSCD_PIN, else a\n"
        "prompt; the possession factor is a TOTP code (--otp, or computed from the seed file\n"
        "holding the otpauth:// URI) or a SIC assertion by the device key (--device-key).\n"
        "Defaults: --url $QSCD_URL or https://localhost:8443/csc/v2, --cacert $QSCD_CACERT,\n"
        "--client $QSCD_CLIENT or demo, --secret-file $QSCD_CLIENT_SECRET_FILE.\n"
        "--keep-request FILE writes the signHash request sent (its SAD is used up by then),\n"
        "to show that replaying it is refused.\n");
}

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);

    return v != NULL && *v != '\0' ? v : dflt;
}

static int parse_sign(int argc, char **argv, sign_opts *o)
{
    struct { const char *name; const char **slot; } opts[] = {
        { "--out", &o->out }, { "--url", &o->url }, { "--cacert", &o->cacert },
        { "--client", &o->client }, { "--secret-file", &o->secret_file },
        { "--signer", &o->signer }, { "--cred", &o->cred }, { "--pin-file", &o->pin_file },
        { "--otp", &o->otp }, { "--totp-seed", &o->totp_seed },
        { "--device-key", &o->device_key }, { "--hash", &o->hash },
        { "--keep-request", &o->keep_request },
    };

    memset(o, 0, sizeof *o);
    for (int i = 0; i < argc; i++) {
        size_t k = 0;
        if (strcmp(argv[i], "--verbose") == 0) {
            o->verbose = 1;
            continue;
        }
        if (strcmp(argv[i], "--help") == 0)
            return 1;
        for (; k < sizeof opts / sizeof opts[0]; k++)
            if (strcmp(argv[i], opts[k].name) == 0 && i + 1 < argc) {
                *opts[k].slot = argv[++i];
                break;
            }
        if (k < sizeof opts / sizeof opts[0])
            continue;
        if (argv[i][0] == '-' || o->file != NULL) {
            fprintf(stderr, "qscd sign: unexpected '%s'\n", argv[i]);
            return -1;
        }
        o->file = argv[i];
    }
    o->url = o->url != NULL ? o->url : env_or("QSCD_URL", "https://localhost:8443/csc/v2");
    o->cacert = o->cacert != NULL ? o->cacert : env_or("QSCD_CACERT", NULL);
    o->client = o->client != NULL ? o->client : env_or("QSCD_CLIENT", "demo");
    o->secret_file = o->secret_file != NULL ? o->secret_file
                                            : env_or("QSCD_CLIENT_SECRET_FILE", NULL);
    o->hash = o->hash != NULL ? o->hash : "sha256";
    if (o->file == NULL || o->signer == NULL || o->cred == NULL || o->cacert == NULL ||
        o->secret_file == NULL ||
        (o->otp != NULL) + (o->totp_seed != NULL) + (o->device_key != NULL) != 1) {
        fprintf(stderr, "qscd sign: FILE, --signer, --cred, --cacert, --secret-file and one of "
                        "--otp, --totp-seed, --device-key are required\n");
        return -1;
    }
    return 0;
}

/* The first line of a file, or the environment variable, or a prompt without echo. */
static int read_secret(const char *what, const char *file, const char *env, char *out, size_t cap)
{
    const char *v = env != NULL ? getenv(env) : NULL;
    FILE *f = NULL;
    struct termios t, quiet;
    bool tty;

    if (file != NULL) {
        f = fopen(file, "r");
        if (f == NULL || fgets(out, (int)cap, f) == NULL) {
            if (f != NULL)
                fclose(f);
            fprintf(stderr, "qscd sign: cannot read %s from %s\n", what, file);
            return -1;
        }
        fclose(f);
    } else if (v != NULL) {
        snprintf(out, cap, "%s", v);
    } else {
        tty = tcgetattr(0, &t) == 0;
        fprintf(stderr, "%s: ", what);
        if (tty) {
            quiet = t;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(0, TCSANOW, &quiet);
        }
        v = fgets(out, (int)cap, stdin);
        if (tty)
            tcsetattr(0, TCSANOW, &t);
        fprintf(stderr, "\n");
        if (v == NULL)
            return -1;
    }
    out[strcspn(out, "\r\n")] = '\0';
    return out[0] != '\0' ? 0 : -1;
}

static int hash_file(const char *path, const EVP_MD *md, uint8_t *out, unsigned *len)
{
    FILE *f = fopen(path, "rb");
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    uint8_t buf[65536];
    size_t n;
    int ok = f != NULL && c != NULL && EVP_DigestInit_ex(c, md, NULL) == 1;

    while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
        ok = EVP_DigestUpdate(c, buf, n) == 1;
    ok = ok && !ferror(f) && EVP_DigestFinal_ex(c, out, len) == 1;
    EVP_MD_CTX_free(c);
    if (f != NULL)
        fclose(f);
    if (!ok)
        fprintf(stderr, "qscd sign: cannot read %s\n", path);
    return ok ? 0 : -1;
}

static X509 *d2i_b64_cert(const char *b64)
{
    size_t n = strlen(b64);
    uint8_t *der = malloc(n);
    const uint8_t *q = der;
    int len = der != NULL ? EVP_DecodeBlock(der, (const unsigned char *)b64, (int)n) : -1;
    X509 *x = len > 0 ? d2i_X509(NULL, &q, len) : NULL;

    free(der);
    return x;
}

/* The credential: its certificate chain, key kind and possession factor. */
typedef struct cred_view {
    X509 *cert;
    STACK_OF(X509) *chain;
    bool rsa;
    bool sic;
} cred_view;

static int get_cred(signer_conn *c, const char *cred, cred_view *v)
{
    json_t *req = json_pack("{s:s,s:s,s:b,s:b}", "credentialID", cred, "certificates", "chain",
                            "certInfo", 1, "authInfo", 1), *resp = NULL, *certs, *x;
    long st = signer_call(c, "credentials/info", req, &resp);
    const char *expr;
    size_t i;

    json_decref(req);
    memset(v, 0, sizeof *v);
    certs = json_object_get(json_object_get(resp, "cert"), "certificates");
    expr = json_string_value(json_object_get(json_object_get(resp, "auth"), "expression"));
    if (st != 200 || !json_is_array(certs) || json_array_size(certs) == 0 || expr == NULL) {
        fprintf(stderr, "qscd sign: credentials/info failed (HTTP %ld): %s\n", st,
                json_string_value(json_object_get(resp, "error_description")));
        json_decref(resp);
        return -1;
    }
    v->chain = sk_X509_new_null();
    json_array_foreach(certs, i, x) {
        X509 *cert = json_is_string(x) ? d2i_b64_cert(json_string_value(x)) : NULL;
        if (cert == NULL)
            break;
        if (i == 0)
            v->cert = cert;
        else
            sk_X509_push(v->chain, cert);
    }
    v->rsa = v->cert != NULL && EVP_PKEY_get_base_id(X509_get0_pubkey(v->cert)) == EVP_PKEY_RSA;
    v->sic = strstr(expr, "SIC") != NULL;
    json_decref(resp);
    return v->cert != NULL ? 0 : -1;
}

static void cred_view_free(cred_view *v)
{
    X509_free(v->cert);
    sk_X509_pop_free(v->chain, X509_free);
}

static char *b64(const uint8_t *p, size_t n)
{
    char *s = malloc(4 * ((n + 2) / 3) + 1);

    if (s != NULL)
        EVP_EncodeBlock((unsigned char *)s, p, (int)n);
    return s;
}

/* The possession factor's auth object: {"id":"OTP"} or {"id":"SIC"} with its value. */
static json_t *possession(signer_conn *c, const sign_opts *o, int hash_alg, const uint8_t *tbs,
                          size_t tbs_len)
{
    char code[9];
    json_t *resp = NULL, *obj = NULL;
    uint8_t seed[64], ch[32], as[3000];
    size_t slen = 0, alen;
    int period, digits;

    if (o->otp != NULL)
        return json_pack("{s:s,s:s}", "id", "OTP", "value", o->otp);
    if (o->totp_seed != NULL) {
        if (signer_totp_seed(o->totp_seed, seed, sizeof seed, &slen, &period, &digits) != 0)
            return NULL;
        signer_totp_code(seed, slen, period, digits, 0, code);
        OPENSSL_cleanse(seed, sizeof seed);
        obj = json_pack("{s:s,s:s}", "id", "OTP", "value", code);
        OPENSSL_cleanse(code, sizeof code);
        return obj;
    }
    {
        FILE *f = fopen(o->device_key, "r");
        EVP_PKEY *k = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
        json_t *req = json_pack("{s:s,s:s}", "credentialID", o->cred, "authObjectID", "SIC");
        long st = k != NULL ? signer_call(c, "credentials/getChallenge", req, &resp) : -1;
        const char *chs = json_string_value(json_object_get(resp, "challenge"));
        char *v;

        if (f != NULL)
            fclose(f);
        json_decref(req);
        if (st != 200 || chs == NULL || strlen(chs) != 44 ||
            EVP_DecodeBlock(ch, (const unsigned char *)chs, 44) != 33 ||
            (alen = signer_assertion(k, ch, o->cred, 1, hash_alg, tbs, tbs_len, 1, as,
                                     sizeof as)) == 0 || (v = b64(as, alen)) == NULL) {
            fprintf(stderr, "qscd sign: no SIC assertion (device key %s, challenge HTTP %ld)\n",
                    o->device_key, st);
            EVP_PKEY_free(k);
            json_decref(resp);
            return NULL;
        }
        obj = json_pack("{s:s,s:s}", "id", "SIC", "value", v);
        free(v);
        EVP_PKEY_free(k);
        json_decref(resp);
        return obj;
    }
}

static const char *hash_oid(int alg)
{
    return alg == 1 ? "2.16.840.1.101.3.4.2.1" : alg == 2 ? "2.16.840.1.101.3.4.2.2"
                                                          : "2.16.840.1.101.3.4.2.3";
}

static const char *sign_oid(bool rsa, int alg)
{
    static const char *const ec[] = { "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3",
                                      "1.2.840.10045.4.3.4" };
    static const char *const rs[] = { "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12",
                                      "1.2.840.113549.1.1.13" };

    return rsa ? rs[alg - 1] : ec[alg - 1];
}

/* authorize then signHash for one digest; the signature into sig. */
static int remote_sign(signer_conn *c, const sign_opts *o, const cred_view *v, int alg,
                       const uint8_t *tbs, size_t tbs_len, uint8_t *sig, size_t *sig_len)
{
    char pin[80], *h64 = b64(tbs, tbs_len);
    json_t *pos = possession(c, o, alg, tbs, tbs_len), *req, *resp = NULL;
    const char *sad, *s64;
    long st = -1;
    int n, rc = -1;

    if (pos == NULL || h64 == NULL || read_secret("PIN", o->pin_file, "QSCD_PIN", pin, sizeof pin) != 0)
        goto out;
    req = json_pack("{s:s,s:i,s:[s],s:s,s:[{s:s,s:s},o]}", "credentialID", o->cred,
                    "numSignatures", 1, "hashes", h64, "hashAlgorithmOID", hash_oid(alg),
                    "authData", "id", "PIN", "value", pin, pos);
    pos = NULL;
    OPENSSL_cleanse(pin, sizeof pin);
    st = signer_call(c, "credentials/authorize", req, &resp);
    json_decref(req);
    if (st != 200 || (sad = json_string_value(json_object_get(resp, "SAD"))) == NULL) {
        fprintf(stderr, "qscd sign: credentials/authorize refused (HTTP %ld): %s %s\n", st,
                json_string_value(json_object_get(resp, "error")),
                json_string_value(json_object_get(resp, "error_description")));
        goto out;
    }
    req = json_pack("{s:s,s:s,s:[s],s:s,s:s}", "credentialID", o->cred, "SAD", sad, "hashes", h64,
                    "hashAlgorithmOID", hash_oid(alg), "signAlgo", sign_oid(v->rsa, alg));
    json_decref(resp);
    resp = NULL;
    st = signer_call(c, "signatures/signHash", req, &resp);
    if (o->keep_request != NULL && json_dump_file(req, o->keep_request, JSON_COMPACT) != 0)
        fprintf(stderr, "qscd sign: cannot write %s\n", o->keep_request);
    json_decref(req);
    s64 = json_string_value(json_array_get(json_object_get(resp, "signatures"), 0));
    if (st != 200 || s64 == NULL || strlen(s64) > 1400 ||
        (n = EVP_DecodeBlock(sig, (const unsigned char *)s64, (int)strlen(s64))) <= 0) {
        fprintf(stderr, "qscd sign: signatures/signHash refused (HTTP %ld): %s\n", st,
                json_string_value(json_object_get(resp, "error_description")));
        goto out;
    }
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    *sig_len = (size_t)n - (s64[strlen(s64) - 1] == '=') - (s64[strlen(s64) - 2] == '=');
    rc = 0;
out:
    json_decref(pos);
    json_decref(resp);
    free(h64);
    return rc;
}

static int sign_run(const sign_opts *o)
{
    int alg = strcmp(o->hash, "sha256") == 0 ? 1 : strcmp(o->hash, "sha384") == 0 ? 2
            : strcmp(o->hash, "sha512") == 0 ? 3 : 0;
    uint8_t dg[64], tbs[64], sig[1024];
    unsigned dlen = 0;
    size_t tbs_len = 0, sig_len = 0;
    char secret[256], out[4096], who[512];
    CMS_ContentInfo *cms = NULL;
    signer_conn c;
    cred_view v = { 0 };
    int rc = 1;

    snprintf(out, sizeof out, "%s%s", o->out != NULL ? o->out : o->file, o->out != NULL ? "" : ".p7s");
    if (alg == 0 || hash_file(o->file, signer_md(alg), dg, &dlen) != 0 ||
        read_secret("client secret", o->secret_file, NULL, secret, sizeof secret) != 0 ||
        signer_open(&c, o->url, o->cacert) != 0)
        return 1;
    c.verbose = o->verbose;
    {
        char user[200];
        snprintf(user, sizeof user, "%s@%s", o->signer, o->client);
        if (signer_login(&c, user, secret) != 0)
            goto out;
    }
    if (get_cred(&c, o->cred, &v) != 0 ||
        signer_cms_prepare(v.cert, v.chain, alg, dg, dlen, &cms, tbs, &tbs_len) != 0 ||
        remote_sign(&c, o, &v, alg, tbs, tbs_len, sig, &sig_len) != 0)
        goto out;
    /* The service's signature is checked before anything is written. */
    if (!signer_verify_digest(v.cert, v.rsa ? SAM_SIGN_RSA_PKCS1 : SAM_SIGN_ECDSA, alg, tbs,
                              tbs_len, sig, sig_len)) {
        fprintf(stderr, "qscd sign: the signature returned does not verify with the "
                        "credential's certificate: nothing written\n");
        goto out;
    }
    if (signer_cms_finish(cms, sig, sig_len, out) != 0)
        goto out;
    if (signer_cms_verify(o->file, out, o->cacert, who, sizeof who) != 0) {
        fprintf(stderr, "qscd sign: %s does not verify with %s\n", out, o->cacert);
        goto out;
    }
    printf("qscd sign: signature verified with OpenSSL (signer %s); wrote %s\n", who, out);
    rc = 0;
out:
    OPENSSL_cleanse(secret, sizeof secret);
    CMS_ContentInfo_free(cms);
    cred_view_free(&v);
    signer_close(&c);
    return rc;
}

int signer_sign_cli(int argc, char **argv)
{
    sign_opts o;
    int p = parse_sign(argc, argv, &o);

    if (p != 0) {
        sign_usage(p > 0 ? stdout : stderr);
        return p > 0 ? 0 : 2;
    }
    return sign_run(&o);
}

int signer_verify_cli(int argc, char **argv)
{
    const char *ca = env_or("QSCD_CACERT", NULL), *files[2] = { NULL, NULL };
    char who[512] = "";
    int nf = 0;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--cacert") == 0 && i + 1 < argc)
            ca = argv[++i];
        else if (argv[i][0] != '-' && nf < 2)
            files[nf++] = argv[i];
        else {
            fprintf(stderr, "usage: qscd verify FILE FILE.p7s --cacert CA.pem\n\n"
                            "Checks a detached CMS signature over FILE with the CA file "
                            "(or $QSCD_CACERT).\n");
            return strcmp(argv[i], "--help") == 0 ? 0 : 2;
        }
    }
    if (nf != 2 || ca == NULL) {
        fprintf(stderr, "usage: qscd verify FILE FILE.p7s --cacert CA.pem\n");
        return 2;
    }
    if (signer_cms_verify(files[0], files[1], ca, who, sizeof who) != 0) {
        printf("qscd verify: %s: verification FAILED\n", files[1]);
        return 1;
    }
    printf("qscd verify: %s: Verification successful (signer %s)\n", files[1], who);
    return 0;
}
