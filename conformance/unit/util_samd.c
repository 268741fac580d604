/* SPDX-License-Identifier: Apache-2.0 */
/* The integration-test helpers of util_samd.h. */
#include "util_samd.h"
#include "signer.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cose.h"
#include "otp.h"
#include "qscd_err.h"
#include "sam_types.h"
#include "util_world.h"

#define FAKETIME_LIB "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"

const char *it_unavailable(void)
{
    const char *bin = getenv("QSCD_BIN"), *dir = getenv("QSCD_IT_DIR");

    if (bin == NULL || dir == NULL)
        return "QSCD_BIN and QSCD_IT_DIR are not set (run through `make unit`)";
    if (access(bin, X_OK) != 0)
        return "the qscd binary is not built";
    if (access("/usr/lib/softhsm/libsofthsm2.so", R_OK) != 0)
        return "SoftHSMv2 is not installed (make deps)";
    return NULL;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

    nanosleep(&ts, NULL);
}

int it_init(it_sam *t, const char *name, const char *extra)
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char cmd[1200];
    FILE *f;

    memset(t, 0, sizeof *t);
    snprintf(t->dir, sizeof t->dir, "%s/%s", getenv("QSCD_IT_DIR"), name);
    snprintf(t->conf, sizeof t->conf, "%s.conf", t->dir);
    snprintf(t->log, sizeof t->log, "%s.log", t->dir);
    snprintf(t->sock, sizeof t->sock, "%s/qscd-it-%d-%s.sock", tmp, (int)getpid(), name);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", t->dir, getenv("QSCD_IT_DIR"));
    unlink(t->log);
    if (system(cmd) != 0 || (f = fopen(t->conf, "w")) == NULL)
        return -1;
    /* Argon2id at its cheapest: the tests make hundreds of verifications. */
    fprintf(f, "# integration test %s\ndata_dir = %s\nsocket = %s\nargon2_t = 1\n"
               "argon2_m = 256\nservice_name = qscd-it-%s\n%s", name, t->dir, t->sock, name,
            extra != NULL ? extra : "");
    fclose(f);
    return it_cli(NULL, 0, NULL, "sam", "--config", t->conf, "--init", (char *)NULL) == 0 ? 0 : -1;
}

static void exec_sam(it_sam *t, const char *faketime)
{
    int fd = open(t->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    const char *asan = getenv("ASAN_OPTIONS");
    char opts[1024];

    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    if (faketime != NULL) {
        setenv("LD_PRELOAD", FAKETIME_LIB, 1);
        setenv("FAKETIME", faketime, 1);
        setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1", 1);
        /* libfaketime is preloaded before the ASan runtime of a SAN build: allow that, and
         * keep the options the check step set (log_path, halt_on_error, leak detection). */
        snprintf(opts, sizeof opts, "%s%sverify_asan_link_order=0", asan != NULL ? asan : "",
                 asan != NULL && *asan != '\0' ? ":" : "");
        setenv("ASAN_OPTIONS", opts, 1);
    }
    execl(getenv("QSCD_BIN"), "qscd", "sam", "--config", t->conf, (char *)NULL);
    _exit(127);
}

int it_start(it_sam *t, const char *faketime)
{
    pid_t pid;

    if (faketime != NULL && access(FAKETIME_LIB, R_OK) != 0)
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        exec_sam(t, faketime);
    t->pid = pid;
    for (int i = 0; i < 1500; i++) {
        samc *c = NULL;
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            t->pid = 0;
            return -1;
        }
        if (samc_connect(t->sock, 5, &c) == QSCD_OK) {
            samc_close(c);
            return 0;
        }
        sleep_ms(20);
    }
    it_kill(t);
    return -1;
}

int it_stop(it_sam *t)
{
    int st = 0;

    if (t->pid <= 0)
        return -1;
    kill(t->pid, SIGTERM);
    if (waitpid(t->pid, &st, 0) != t->pid)
        return -1;
    t->pid = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void it_kill(it_sam *t)
{
    int st;

    if (t->pid > 0) {
        kill(t->pid, SIGKILL);
        waitpid(t->pid, &st, 0);
    }
    t->pid = 0;
}

int it_cli(char *out, size_t cap, const char *env, ...)
{
    const char *argv[32];
    int fds[2], st = 0, n = 1;
    size_t got = 0;
    va_list ap;
    pid_t pid;

    argv[0] = "qscd";
    va_start(ap, env);
    while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
        n++;
    va_end(ap);
    argv[n] = NULL;
    if (pipe(fds) != 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        setenv("QSCD_ADMIN_PASSWORD", IT_SO_PASSWORD, 1);
        if (env != NULL)
            putenv((char *)env);
        execv(getenv("QSCD_BIN"), (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    for (ssize_t r; (r = read(fds[0], out != NULL ? out + got : (char[256]){ 0 },
                              out != NULL ? cap - 1 - got : 256)) > 0;)
        got += out != NULL ? (size_t)r : 0;
    close(fds[0]);
    if (out != NULL)
        out[got] = '\0';
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ------------------------------------------------------------------- parameters */

void itp_map(it_p *p, size_t n)
{
    scbor_enc_init(&p->e, p->buf, sizeof p->buf);
    scbor_put_map(&p->e, n);
}

void itp_id(it_p *p, int key, const char *s)
{
    scbor_put_uint(&p->e, (uint64_t)key);
    scbor_put_bstr(&p->e, (const uint8_t *)s, strlen(s));
}

void itp_text(it_p *p, int key, const char *s)
{
    scbor_put_uint(&p->e, (uint64_t)key);
    scbor_put_tstr(&p->e, (const uint8_t *)s, strlen(s));
}

void itp_uint(it_p *p, int key, uint64_t v)
{
    scbor_put_uint(&p->e, (uint64_t)key);
    scbor_put_uint(&p->e, v);
}

void itp_bytes(it_p *p, int key, const uint8_t *b, size_t n)
{
    scbor_put_uint(&p->e, (uint64_t)key);
    scbor_put_bstr(&p->e, b, n);
}

void itp_bool(it_p *p, int key, bool v)
{
    scbor_put_uint(&p->e, (uint64_t)key);
    scbor_put_bool(&p->e, v);
}

void itp_hashes(it_p *p, int key, const uint8_t *h, size_t dlen, size_t n)
{
    scbor_put_uint(&p->e, (uint64_t)key);
    scbor_put_array(&p->e, n);
    for (size_t i = 0; i < n; i++)
        scbor_put_bstr(&p->e, h + i * dlen, dlen);
}

/* ------------------------------------------------------------------------ calls */

int it_call(it_sam *t, int role, const char *id, const char *pw, unsigned op, it_p *params,
            samc_resp *r)
{
    samc_caller who = { role, (const uint8_t *)id, strlen(id), (const uint8_t *)pw,
                        pw != NULL ? strlen(pw) : 0 };
    samc_resp local;
    samc *c = NULL;
    int rc = samc_connect(t->sock, 60, &c);

    if (r == NULL)
        r = &local;
    memset(r, 0, sizeof *r);
    if (rc == QSCD_OK)
        rc = samc_call(c, &who, op, params != NULL ? params->buf : NULL,
                       params != NULL ? params->e.len : 0, r);
    samc_close(c);
    rc = rc == QSCD_OK ? r->status : -1;
    if (r == &local)
        samc_resp_free(r);
    return rc;
}

int it_so(it_sam *t, unsigned op, it_p *params, samc_resp *r)
{
    return it_call(t, 2, "so", IT_SO_PASSWORD, op, params, r);
}

int it_signer(it_sam *t, const char *signer, unsigned op, it_p *params, samc_resp *r)
{
    return it_call(t, 1, signer, NULL, op, params, r);
}

int it_enrol(it_sam *t, const char *signer, const char *pin)
{
    it_p p;
    int rc;

    itp_map(&p, 2);
    itp_id(&p, 1, signer);
    itp_text(&p, 2, signer);
    rc = it_so(t, SAMC_SIGNER_ENROL, &p, NULL);
    itp_map(&p, 2);
    itp_id(&p, 1, signer);
    itp_bytes(&p, 2, (const uint8_t *)pin, strlen(pin));
    return rc != 0 ? rc : it_so(t, SAMC_PIN_SET, &p, NULL);
}

int it_totp_provision(it_sam *t, const char *signer, uint8_t seed[20])
{
    const uint8_t *uri = NULL;
    const char *sec;
    size_t n = 0;
    samc_resp r;
    it_p p;
    int rc;

    itp_map(&p, 1);
    itp_id(&p, 1, signer);
    rc = it_so(t, SAMC_TOTP_PROVISION, &p, &r);
    if (rc == 0 && samc_get_tstr(&r, 1, &uri, &n) == 0) {
        char text[600];
        snprintf(text, sizeof text, "%.*s", (int)n, (const char *)uri);
        sec = strstr(text, "secret=");
        rc = strncmp(text, "otpauth://totp/", 15) != 0 || sec == NULL ||
                     signer_base32_decode(sec + 7, strcspn(sec + 7, "&"), seed, 20) != 20
                 ? -2 : 0;
    }
    samc_resp_free(&r);
    return rc;
}

void it_totp_code(const uint8_t seed[20], int offset, char code[9])
{
    uint8_t msg[8], mac[20];
    unsigned n = 20;
    uint64_t c = (uint64_t)(time(NULL) / 30 + offset);

    for (int i = 7; i >= 0; i--, c >>= 8)
        msg[i] = (uint8_t)c;
    HMAC(EVP_sha1(), seed, 20, msg, 8, mac, &n);
    otp_format(otp_truncate(mac, 6), 6, (uint8_t *)code);
    code[6] = '\0';
}

EVP_PKEY *it_device_enrol(it_sam *t, const char *signer)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    uint8_t *spki = NULL;
    int n = k != NULL ? i2d_PUBKEY(k, &spki) : -1;
    it_p p;

    itp_map(&p, 2);
    itp_id(&p, 1, signer);
    itp_bytes(&p, 2, spki, n > 0 ? (size_t)n : 0);
    if (n <= 0 || it_so(t, SAMC_DEVICE_ENROL, &p, NULL) != 0) {
        EVP_PKEY_free(k);
        k = NULL;
    }
    OPENSSL_free(spki);
    return k;
}

int it_cred(it_sam *t, const char *signer, const char *cred, int alg, int sap, int multisign,
            bool backup)
{
    it_p p;

    itp_map(&p, 6);
    itp_id(&p, 1, signer);
    itp_id(&p, 2, cred);
    itp_uint(&p, 3, (uint64_t)alg);
    itp_uint(&p, 4, (uint64_t)sap);
    itp_uint(&p, 5, (uint64_t)multisign);
    itp_bool(&p, 6, backup);
    return it_so(t, SAMC_CRED_CREATE, &p, NULL);
}

uint8_t *it_cert(it_sam *t, const char *signer, const char *cred, size_t *len)
{
    const uint8_t *der = NULL;
    uint8_t *out = NULL;
    uint64_t count = 0;
    size_t off = 0, n = 0;
    samc_resp r;
    it_p p;

    itp_map(&p, 1);
    itp_id(&p, 1, cred);
    *len = 0;
    if (it_signer(t, signer, SAMC_CRED_INFO, &p, &r) == 0 &&
        samc_get_array(&r, 6, &count, &off) == 0 && count >= 1 &&
        samc_next_bstr(&r, &off, &der, &n) == 0 && (out = malloc(n)) != NULL) {
        memcpy(out, der, n);
        *len = n;
    }
    samc_resp_free(&r);
    return out;
}

static int authz(it_sam *t, const char *signer, it_p *p, uint8_t *tok, size_t *tok_len)
{
    const uint8_t *b = NULL;
    samc_resp r;
    size_t n = 0;
    int rc = it_signer(t, signer, SAMC_AUTHORIZE, p, &r);

    *tok_len = 0;
    if (rc == 0 && samc_get_bstr(&r, 1, &b, &n) == 0 && n <= 4096) {
        memcpy(tok, b, n);
        *tok_len = n;
    }
    samc_resp_free(&r);
    return rc;
}

int it_authz_totp(it_sam *t, const char *signer, const char *cred, const char *pin,
                  const char *otp, uint32_t numsig, const uint8_t *h, size_t n, uint8_t *tok,
                  size_t *tok_len)
{
    it_p p;

    itp_map(&p, otp != NULL ? 6 : 5);
    itp_id(&p, 1, cred);
    itp_uint(&p, 2, numsig);
    itp_uint(&p, 3, 1);
    itp_hashes(&p, 4, h, 32, n);
    itp_bytes(&p, 5, (const uint8_t *)pin, strlen(pin));
    if (otp != NULL)
        itp_bytes(&p, 6, (const uint8_t *)otp, strlen(otp));
    return authz(t, signer, &p, tok, tok_len);
}

static int challenge(it_sam *t, const char *signer, const char *cred, uint8_t ch[32])
{
    const uint8_t *b = NULL;
    size_t n = 0;
    samc_resp r;
    it_p p;
    int rc;

    itp_map(&p, 1);
    itp_id(&p, 1, cred);
    rc = it_signer(t, signer, SAMC_CHALLENGE, &p, &r);
    if (rc == 0 && (samc_get_bstr(&r, 1, &b, &n) != 0 || n != 32))
        rc = -2;
    if (rc == 0)
        memcpy(ch, b, 32);
    samc_resp_free(&r);
    return rc;
}

int it_authz_sic(it_sam *t, const char *signer, const char *cred, const char *pin,
                 EVP_PKEY *key, uint32_t numsig, const uint8_t *h, size_t n, uint8_t *tok,
                 size_t *tok_len)
{
    uint8_t ch[32], as[3000];
    size_t alen = 0;
    it_p p;
    int rc = key != NULL ? challenge(t, signer, cred, ch) : 0;

    if (rc != 0)
        return rc;
    if (key != NULL)
        alen = it_assertion(key, ch, cred, numsig, 1, h, 32, n, as, sizeof as);
    itp_map(&p, alen > 0 ? 6 : 5);
    itp_id(&p, 1, cred);
    itp_uint(&p, 2, numsig);
    itp_uint(&p, 3, 1);
    itp_hashes(&p, 4, h, 32, n);
    itp_bytes(&p, 5, (const uint8_t *)pin, strlen(pin));
    if (alen > 0)
        itp_bytes(&p, 7, as, alen);
    return authz(t, signer, &p, tok, tok_len);
}

int it_sign(it_sam *t, const char *signer, const char *cred, const uint8_t *tok, size_t tok_len,
            int sign_alg, const uint8_t *h, size_t n, uint8_t (*sigs)[512], size_t *sig_lens)
{
    const uint8_t *b;
    uint64_t count = 0;
    size_t off = 0, len = 0;
    samc_resp r;
    it_p p;
    int rc;

    itp_map(&p, 5);
    itp_id(&p, 1, cred);
    itp_bytes(&p, 2, tok, tok_len);
    itp_uint(&p, 3, 1);
    itp_uint(&p, 4, (uint64_t)sign_alg);
    itp_hashes(&p, 5, h, 32, n);
    rc = it_signer(t, signer, SAMC_SIGN, &p, &r);
    if (rc == 0 && (samc_get_array(&r, 1, &count, &off) != 0 || count != n))
        rc = -2;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (samc_next_bstr(&r, &off, &b, &len) != 0 || len > 512)
            rc = -2;
        else if (sigs != NULL) {
            memcpy(sigs[i], b, len);
            sig_lens[i] = len;
        }
    }
    samc_resp_free(&r);
    return rc;
}

bool it_verify(const uint8_t *cert, size_t cert_len, int sign_alg, const uint8_t *h,
               const uint8_t *sig, size_t sig_len)
{
    const uint8_t *q = cert;
    X509 *x = d2i_X509(NULL, &q, (long)cert_len);
    EVP_PKEY_CTX *pc = x != NULL ? EVP_PKEY_CTX_new(X509_get0_pubkey(x), NULL) : NULL;
    bool ok = pc != NULL && EVP_PKEY_verify_init(pc) == 1 &&
              EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()) == 1;

    if (ok && sign_alg == SAM_SIGN_RSA_PSS)
        ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pc, EVP_sha256()) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, 32) == 1;
    else if (ok && sign_alg == SAM_SIGN_RSA_PKCS1)
        ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1;
    ok = ok && EVP_PKEY_verify(pc, sig, sig_len, h, 32) == 1;
    EVP_PKEY_CTX_free(pc);
    X509_free(x);
    return ok;
}

bool it_token_id(const uint8_t *tok, size_t len, uint8_t id[16])
{
    cose_msg m;
    size_t v = 0, off = 0, n = 0;

    if (cose_mac0_parse(tok, len, COSE_TAG_REQUIRED, &m) != QSCD_OK ||
        scbor_map_find_int(tok, m.payload_off + m.payload_len, m.payload_off, 2, &v) != QSCD_OK ||
        scbor_get_bstr(tok, m.payload_off + m.payload_len, v, &off, &n) != QSCD_OK || n != 16)
        return false;
    memcpy(id, tok + off, 16);
    return true;
}

bool it_token_exp(const uint8_t *tok, size_t len, int64_t *exp)
{
    cose_msg m;
    uint64_t e = 0;
    size_t v = 0;

    if (cose_mac0_parse(tok, len, COSE_TAG_REQUIRED, &m) != QSCD_OK ||
        scbor_map_find_int(tok, m.payload_off + m.payload_len, m.payload_off, 10, &v) != QSCD_OK ||
        scbor_get_uint(tok, m.payload_off + m.payload_len, v, &e) != QSCD_OK || e > INT64_MAX)
        return false;
    *exp = (int64_t)e;
    return true;
}

int it_extend(it_sam *t, const char *signer, const char *cred, const uint8_t *tok,
              size_t tok_len, const uint8_t *h, size_t n, uint8_t *out, size_t *out_len,
              uint64_t *expires_in)
{
    const uint8_t *b = NULL;
    samc_resp r;
    it_p p;
    int rc;

    itp_map(&p, 4);
    itp_id(&p, 1, cred);
    itp_bytes(&p, 2, tok, tok_len);
    itp_uint(&p, 3, 1);
    itp_hashes(&p, 4, h, 32, n);
    rc = it_signer(t, signer, SAMC_EXTEND, &p, &r);
    if (rc == 0 && (samc_get_bstr(&r, 1, &b, out_len) != 0 || *out_len > 4096 ||
                    samc_get_uint(&r, 2, expires_in) != 0))
        rc = -2;
    if (rc == 0)
        memcpy(out, b, *out_len);
    samc_resp_free(&r);
    return rc;
}

size_t it_assertion(EVP_PKEY *key, const uint8_t ch[32], const char *cred, uint32_t numsig,
                    int hash_alg, const uint8_t *h, size_t dlen, size_t n, uint8_t *out,
                    size_t cap)
{
    return world_sic_assertion(key, ch, (const uint8_t *)cred, strlen(cred), numsig, hash_alg, h,
                               dlen, n, out, cap);
}

size_t it_ca_issue(it_sam *t, EVP_PKEY *key, X509_NAME *subject, long nb, long na,
                   uint8_t **out)
{
    char path[700];
    X509 *ca = NULL, *x = X509_new();
    EVP_PKEY *cakey = NULL;
    FILE *f;
    int n = -1;

    snprintf(path, sizeof path, "%s/ca/ca-key.pem", t->dir);
    if ((f = fopen(path, "r")) != NULL) {
        cakey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/ca/ca.pem", t->dir);
    if ((f = fopen(path, "r")) != NULL) {
        ca = PEM_read_X509(f, NULL, NULL, NULL);
        fclose(f);
    }
    *out = NULL;
    if (key != NULL && cakey != NULL && ca != NULL && x != NULL && X509_set_version(x, 2) &&
        ASN1_INTEGER_set(X509_get_serialNumber(x), 4242 + nb + 7 * na) &&
        X509_set_subject_name(x, subject) && X509_set_issuer_name(x, X509_get_subject_name(ca)) &&
        X509_gmtime_adj(X509_getm_notBefore(x), nb) && X509_gmtime_adj(X509_getm_notAfter(x), na) &&
        X509_set_pubkey(x, key) && X509_sign(x, cakey, EVP_sha256()) > 0)
        n = i2d_X509(x, out);
    X509_free(ca);
    X509_free(x);
    EVP_PKEY_free(cakey);
    return n > 0 ? (size_t)n : 0;
}

void it_sha256(const char *text, uint8_t out[32])
{
    SHA256((const uint8_t *)text, strlen(text), out);
}

int it_admin_create(it_sam *t, const char *id, int role, const char *password)
{
    it_p p;

    itp_map(&p, 3);
    itp_id(&p, 1, id);
    itp_uint(&p, 2, (uint64_t)role);
    itp_bytes(&p, 3, (const uint8_t *)password, strlen(password));
    return it_so(t, SAMC_ADMIN_CREATE, &p, NULL);
}

uint64_t it_audit_count(it_sam *t)
{
    uint64_t n = 0;
    samc_resp r;

    it_admin_create(t, "aud", 4, "aud-password"); /* QSCD_ERR_EXISTS after the first time */
    if (it_call(t, 4, "aud", "aud-password", SAMC_AUDIT_VERIFY, NULL, &r) == 0)
        samc_get_uint(&r, 1, &n);
    samc_resp_free(&r);
    return n;
}

/* One page of audit.export from `from`: the records' count into *count. */
static int audit_page(it_sam *t, uint64_t from, uint64_t *count, it_sign_record_fn *fn, void *ctx)
{
    size_t off = 0, map = 0;
    samc_resp r;
    it_p p;
    int rc = -1;

    itp_map(&p, 2);
    itp_uint(&p, 1, from);
    itp_uint(&p, 2, 1000);
    if (it_call(t, 4, "aud", "aud-password", SAMC_AUDIT_EXPORT, &p, &r) == 0 &&
        samc_get_array(&r, 1, count, &off) == 0)
        rc = 0;
    for (uint64_t i = 0; rc == 0 && i < *count && samc_next_map(&r, &off, &map) == 0; i++) {
        const uint8_t *tid = NULL, *fh = NULL;
        size_t tn = 0, fn_len = 0;
        int64_t op = -1, outcome = -1, n = 0;
        samc_map_int(&r, map, 3, &op);
        samc_map_int(&r, map, 7, &outcome);
        samc_map_int(&r, map, 10, &n);
        samc_map_bstr(&r, map, 8, &tid, &tn);
        samc_map_bstr(&r, map, 11, &fh, &fn_len);
        if (op == 2 && outcome == 0 && tn == 16) /* sign, succeeded, under a SAD */
            fn(ctx, tid, fh, fh != NULL ? fn_len : 0, (int)n);
    }
    samc_resp_free(&r);
    return rc;
}

int it_audit_signs(it_sam *t, it_sign_record_fn *fn, void *ctx)
{
    uint64_t from = 0, count = 1000;

    while (count == 1000) {
        if (audit_page(t, from, &count, fn, ctx) != 0)
            return -1;
        from += count;
    }
    return 0;
}

int it_audit_verify_cmd(it_sam *t, char *out, size_t cap)
{
    return it_cli(out, cap, "QSCD_ADMIN_PASSWORD=aud-password", "audit", "--socket", t->sock,
                  "--as", "auditor:aud", "verify", (char *)NULL);
}

void it_p11tool(it_sam *t, char *cmd, size_t cap)
{
    char path[700], pin[64] = "";
    FILE *f;

    snprintf(path, sizeof path, "%s/hsm/user.pin", t->dir);
    f = fopen(path, "r");
    if (f == NULL || fgets(pin, sizeof pin, f) == NULL)
        pin[0] = '\0';
    if (f != NULL)
        fclose(f);
    pin[strcspn(pin, "\r\n")] = '\0';
    snprintf(cmd, cap, "SOFTHSM2_CONF='%s/hsm/softhsm2.conf' pkcs11-tool --module "
             "/usr/lib/softhsm/libsofthsm2.so --token-label qscd-sam --login --pin '%s'", t->dir,
             pin);
}

long it_privkeys(it_sam *t)
{
    char cmd[1500], line[256];
    long n = 0;
    FILE *f;

    it_p11tool(t, cmd, sizeof cmd - 64);
    strcat(cmd, " --list-objects --type privkey 2>/dev/null");
    f = popen(cmd, "r");
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        n += strncmp(line, "Private Key Object", 18) == 0;
    if (f == NULL || pclose(f) != 0)
        return -1;
    return n;
}

long it_sql_long(it_sam *t, const char *query)
{
    char cmd[1400], q[420];
    size_t j = 0;
    long n = -1;
    FILE *f;

    /* The query goes in single quotes: each of its own becomes '\'' for the shell. */
    for (size_t i = 0; query[i] != '\0' && j + 5 < sizeof q; i++) {
        if (query[i] == '\'') {
            memcpy(q + j, "'\\''", 4);
            j += 4;
        } else {
            q[j++] = query[i];
        }
    }
    q[j] = '\0';
    snprintf(cmd, sizeof cmd, "sqlite3 '%s/sam.db' '%s'", t->dir, q);
    f = popen(cmd, "r");
    if (f != NULL && fscanf(f, "%ld", &n) != 1)
        n = -1;
    if (f != NULL)
        pclose(f);
    return n;
}

long it_cred_records(it_sam *t)
{
    return it_sql_long(t, "SELECT count(*) FROM credentials");
}

void it_dump_keys_and_creds(it_sam *t)
{
    char cmd[2600], keys[1500];

    it_p11tool(t, keys, sizeof keys);
    snprintf(cmd, sizeof cmd, "sqlite3 '%s/sam.db' 'SELECT cast(id AS text), hex(key_ref), "
             "state FROM credentials' >&2; %s --list-objects --type privkey >&2", t->dir, keys);
    if (system(cmd) != 0)
        fprintf(stderr, "(listing failed)\n");
}
