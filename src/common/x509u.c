/* SPDX-License-Identifier: Apache-2.0 */
/* Certificate-building steps (x509u.h). */
#include "x509u.h"

#include <openssl/bn.h>
#include <openssl/x509v3.h>

int x509u_start(X509 *x, uint8_t serial[16])
{
    BIGNUM *bn;
    int ok;

    serial[0] = (uint8_t)((serial[0] & 0x7f) | 0x01); /* never zero, never negative */
    bn = BN_bin2bn(serial, 16, NULL);
    ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL &&
         X509_set_version(x, 2) == 1;
    BN_free(bn);
    return ok;
}

int x509u_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    ok = ext != NULL && X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}
