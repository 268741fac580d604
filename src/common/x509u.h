/* SPDX-License-Identifier: Apache-2.0 */
/* Certificate-building steps shared by the SAM's CA and credential certificates and the
 * SSA's TLS certificate (OpenSSL). */
#ifndef QSCD_X509U_H
#define QSCD_X509U_H

#include <stdint.h>

#include <openssl/x509.h>

/* Make x a version-3 certificate with the serial number taken from the 16 random bytes
 * given, forced positive and non-zero (RFC 5280 §4.1.2.2). 1 on success, 0 on failure. */
int x509u_start(X509 *x, uint8_t serial[16]);

/* Add one extension, given in OpenSSL's configuration syntax (e.g. "critical,CA:FALSE");
 * issuer is the certificate whose key the key identifiers name. 1 on success, 0 on failure. */
int x509u_add_ext(X509 *x, X509 *issuer, int nid, const char *value);

#endif
