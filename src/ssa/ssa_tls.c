/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TLS server certificate `qscd serve` gives the SSA: an EC P-256 key and a certificate
 * for localhost and 127.0.0.1 issued by the (test) CA, so a client trusts the CA file only.
 */
#include "ssa.h"
#include "x509u.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static X509 *issue(EVP_PKEY *key, X509 *ca, EVP_PKEY *ca_key, int days)
{
    X509 *x = X509_new();
    uint8_t serial[16];
    int ok = x != NULL && RAND_bytes(serial, sizeof serial) == 1;

    ok = ok && x509u_start(x, serial) &&
         X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
                                    (const unsigned char *)"localhost", -1, -1, 0) == 1 &&
         X509_set_issuer_name(x, X509_get_subject_name(ca)) == 1 &&
         X509_gmtime_adj(X509_getm_notBefore(x), -300) &&
         X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) && X509_set_pubkey(x, key) == 1 &&
         x509u_add_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE") &&
         x509u_add_ext(x, ca, NID_key_usage, "critical,digitalSignature") &&
         x509u_add_ext(x, ca, NID_ext_key_usage, "serverAuth") &&
         x509u_add_ext(x, ca, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") &&
         x509u_add_ext(x, ca, NID_authority_key_identifier, "keyid") &&
         X509_sign(x, ca_key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(x);
        x = NULL;
    }
    return x;
}

int ssa_tls_issue(const char *ca_cert, const char *ca_key, const char *cert_out,
                  const char *key_out, int days)
{
    FILE *f = fopen(ca_cert, "r"), *g = NULL;
    X509 *ca = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL, *x = NULL;
    EVP_PKEY *cak = NULL, *key = NULL;
    int ok = 0, fd;

    if (f != NULL)
        fclose(f);
    if ((f = fopen(ca_key, "r")) != NULL) {
        cak = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
    }
    if (ca != NULL && cak != NULL && (key = EVP_EC_gen("P-256")) != NULL &&
        (x = issue(key, ca, cak, days)) != NULL) {
        unlink(key_out);
        fd = open(key_out, O_WRONLY | O_CREAT | O_EXCL, 0600);
        g = fd >= 0 ? fdopen(fd, "w") : NULL;
        ok = g != NULL && PEM_write_PrivateKey(g, key, NULL, NULL, 0, NULL, NULL) == 1;
        if (g != NULL)
            ok = fclose(g) == 0 && ok;
        else if (fd >= 0)
            close(fd);
        f = ok ? fopen(cert_out, "w") : NULL;
        ok = f != NULL && PEM_write_X509(f, x) == 1 && PEM_write_X509(f, ca) == 1;
        if (f != NULL)
            ok = fclose(f) == 0 && ok;
    }
    X509_free(x);
    X509_free(ca);
    EVP_PKEY_free(key);
    EVP_PKEY_free(cak);
    return ok ? 0 : -1;
}
