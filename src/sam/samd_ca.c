/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The test CA (`qscd ca init`, and `qscd sam --init` when no CA is configured): an EC P-256
 * key made by OpenSSL in software and a self-signed certificate. Its key is a file marked
 * TEST ONLY: good for demonstrations and conformance runs, never for qualified certificates.
 */
#include "samd.h"
#include "x509u.h"
#include "samd_int.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEST_MARK "# qscd TEST CA key: for tests and demonstrations only, never for production\n"

static X509 *self_signed(EVP_PKEY *key, const char *name, int days)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_get_subject_name(x);
    uint8_t serial[16];
    int ok = x != NULL && RAND_bytes(serial, sizeof serial) == 1;

    ok = ok && x509u_start(x, serial) &&
         X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)name, -1,
                                    -1, 0) == 1 &&
         X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8,
                                    (const unsigned char *)"qscd test CA (not trusted)", -1, -1,
                                    0) == 1 &&
         X509_set_issuer_name(x, n) == 1 && X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
         X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) && X509_set_pubkey(x, key) == 1 &&
         x509u_add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") &&
         x509u_add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") &&
         x509u_add_ext(x, x, NID_subject_key_identifier, "hash") && X509_sign(x, key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(x);
        x = NULL;
    }
    return x;
}

static FILE *create(const char *path, mode_t mode, int force)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), mode);

    if (fd < 0) {
        fprintf(stderr, "qscd ca init: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    fchmod(fd, mode);
    return fdopen(fd, "w");
}

static int write_files(const char *dir, EVP_PKEY *key, X509 *x, int force)
{
    char kp[1100], cp[1100];
    FILE *fk, *fc;
    int ok;

    snprintf(kp, sizeof kp, "%s/ca-key.pem", dir);
    snprintf(cp, sizeof cp, "%s/ca.pem", dir);
    fk = create(kp, 0600, force);
    if (fk == NULL)
        return -1;
    ok = fputs(TEST_MARK, fk) >= 0 &&
         PEM_write_PrivateKey(fk, key, NULL, NULL, 0, NULL, NULL) == 1;
    ok = fclose(fk) == 0 && ok;
    fc = ok ? create(cp, 0644, force) : NULL;
    ok = fc != NULL && PEM_write_X509(fc, x) == 1;
    if (fc != NULL)
        ok = fclose(fc) == 0 && ok;
    return ok ? 0 : -1;
}

int samd_ca_create(const char *dir, const char *name, int days, int force)
{
    EVP_PKEY *key = NULL;
    X509 *x = NULL;
    int rc = -1;

    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "qscd ca init: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    key = EVP_EC_gen("P-256");
    x = key != NULL ? self_signed(key, name, days) : NULL;
    if (x == NULL)
        fprintf(stderr, "qscd ca init: OpenSSL could not make the CA\n");
    else
        rc = write_files(dir, key, x, force);
    if (rc == 0)
        printf("qscd ca init: test CA \"%s\" in %s (ca.pem, ca-key.pem: TEST ONLY)\n", name, dir);
    X509_free(x);
    EVP_PKEY_free(key);
    return rc;
}
