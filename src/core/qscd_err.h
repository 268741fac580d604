/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The project's one table of symbolic error codes. Every module returns these; the SAM
 * protocol carries their numbers on the wire, so a value never changes once released
 * (append, never renumber). The SSA maps them once to CSC error strings (spec/csc-errors.md).
 *
 * X(NAME, value, "readable message"): messages are for operators and logs; they never
 * contain a secret and never say which authentication factor was wrong.
 */
#ifndef QSCD_ERR_H
#define QSCD_ERR_H

#define QSCD_ERRORS(X)                                                                      \
    X(QSCD_OK,                       0, "success")                                          \
    /* generic, 1..99 */                                                                    \
    X(QSCD_ERR_ARG,                  1, "invalid argument")                                 \
    X(QSCD_ERR_INTERNAL,             2, "internal error")                                   \
    X(QSCD_ERR_IO,                   3, "input/output error")                               \
    X(QSCD_ERR_NOMEM,                4, "out of memory")                                    \
    X(QSCD_ERR_BUFFER_TOO_SMALL,     5, "output buffer too small")                          \
    X(QSCD_ERR_UNSUPPORTED,          6, "not supported")                                    \
    X(QSCD_ERR_NOT_FOUND,            7, "not found")                                        \
    X(QSCD_ERR_EXISTS,               8, "already exists")                                   \
    X(QSCD_ERR_TIMEOUT,              9, "timed out")                                        \
    X(QSCD_ERR_LIMIT,               10, "size or count limit exceeded")                     \
    X(QSCD_ERR_CONFIG,              11, "invalid configuration")                            \
    X(QSCD_ERR_RANDOM,              12, "random number source failed")                      \
    X(QSCD_ERR_CLOCK,               13, "trusted clock unavailable")                        \
    /* strict CBOR decoding (RFC 8949), 100..129 */                                         \
    X(QSCD_ERR_CBOR_TRUNCATED,     100, "CBOR: input ends inside an item")                  \
    X(QSCD_ERR_CBOR_MALFORMED,     101, "CBOR: not well-formed")                            \
    X(QSCD_ERR_CBOR_NONMINIMAL,    102, "CBOR: argument not in its shortest form")          \
    X(QSCD_ERR_CBOR_INDEFINITE,    103, "CBOR: indefinite length not allowed here")         \
    X(QSCD_ERR_CBOR_DUPLICATE_KEY, 104, "CBOR: duplicate map key")                          \
    X(QSCD_ERR_CBOR_DEPTH,         105, "CBOR: nesting too deep")                           \
    X(QSCD_ERR_CBOR_TOO_LARGE,     106, "CBOR: item larger than allowed")                   \
    X(QSCD_ERR_CBOR_TRAILING,      107, "CBOR: bytes after the top-level item")             \
    X(QSCD_ERR_CBOR_TYPE,          108, "CBOR: unexpected item type")                       \
    X(QSCD_ERR_CBOR_UNSORTED,      109, "CBOR: map keys not in deterministic order")        \
    X(QSCD_ERR_CBOR_UNSUPPORTED,   110, "CBOR: item kind not supported here")               \
    X(QSCD_ERR_CBOR_UTF8,          111, "CBOR: text string is not valid UTF-8")             \
    /* COSE (RFC 9052), 130..149 */                                                         \
    X(QSCD_ERR_COSE_STRUCTURE,     130, "COSE: wrong message structure")                    \
    X(QSCD_ERR_COSE_TAG,           131, "COSE: wrong or missing tag")                       \
    X(QSCD_ERR_COSE_ALG,           132, "COSE: algorithm not allowed")                      \
    X(QSCD_ERR_COSE_HEADER,        133, "COSE: invalid header")                             \
    X(QSCD_ERR_COSE_BAD_MAC,       134, "COSE: MAC does not verify")                        \
    X(QSCD_ERR_COSE_BAD_SIGNATURE, 135, "COSE: signature does not verify")                  \
    X(QSCD_ERR_COSE_SIG_LENGTH,    136, "COSE: signature or tag length wrong for the algorithm") \
    /* SAD token and SIC assertion, 150..179 */                                             \
    X(QSCD_ERR_SAD_MALFORMED,      150, "SAD: malformed token")                             \
    X(QSCD_ERR_SAD_VERSION,        151, "SAD: unsupported version")                         \
    X(QSCD_ERR_SAD_MAC,            152, "SAD: token MAC does not verify")                   \
    X(QSCD_ERR_SAD_EXPIRED,        153, "SAD: expired")                                     \
    X(QSCD_ERR_SAD_NOT_YET_VALID,  154, "SAD: issued in the future")                        \
    X(QSCD_ERR_SAD_AUDIENCE,       155, "SAD: issued for another service")                  \
    X(QSCD_ERR_SAD_CREDENTIAL,     156, "SAD: issued for another credential")               \
    X(QSCD_ERR_SAD_SIGNER,         157, "SAD: issued for another signer")                   \
    X(QSCD_ERR_SAD_HASH,           158, "SAD: hash not authorised by the SAD")              \
    X(QSCD_ERR_SAD_HASH_ALG,       159, "SAD: hash algorithm differs from the SAD's")       \
    X(QSCD_ERR_SAD_EXHAUSTED,      160, "SAD: no signatures left")                          \
    X(QSCD_ERR_SAD_COUNT,          161, "SAD: more signatures requested than left")         \
    X(QSCD_ERR_SAD_UNKNOWN,        162, "SAD: token not issued by this service")            \
    X(QSCD_ERR_ASSERTION,          163, "SIC assertion invalid")                            \
    X(QSCD_ERR_CHALLENGE,          164, "challenge unknown, used or expired")               \
    /* authorisation requests, 180..199 */                                                  \
    X(QSCD_ERR_AUTH_FAILED,        180, "the authentication data is invalid")               \
    X(QSCD_ERR_AUTH_LOCKED,        181, "signer locked after too many failed attempts")     \
    X(QSCD_ERR_NUMSIG_INVALID,     182, "invalid value for numSignatures")                  \
    X(QSCD_ERR_NUMSIG_TOO_HIGH,    183, "numSignatures above the credential's multisign")   \
    X(QSCD_ERR_HASH_ALG,           184, "hash algorithm not allowed")                       \
    X(QSCD_ERR_DIGEST_LENGTH,      185, "invalid digest value length")                      \
    X(QSCD_ERR_HASH_COUNT,         186, "number of hashes invalid")                         \
    X(QSCD_ERR_SIGN_ALG,           187, "signature algorithm not allowed for this key")     \
    /* credentials, signers, roles, 200..229 */                                             \
    X(QSCD_ERR_CRED_NOT_FOUND,     200, "credential not found")                             \
    X(QSCD_ERR_CRED_DISABLED,      201, "credential disabled")                              \
    X(QSCD_ERR_CERT_MISSING,       202, "credential has no certificate")                    \
    X(QSCD_ERR_CERT_EXPIRED,       203, "signing certificate expired")                      \
    X(QSCD_ERR_CERT_NOT_YET_VALID, 204, "signing certificate not yet valid")                \
    X(QSCD_ERR_CERT_REVOKED,       205, "signing certificate revoked")                      \
    X(QSCD_ERR_SIGNER_NOT_FOUND,   206, "signer not found")                                 \
    X(QSCD_ERR_SIGNER_DISABLED,    207, "signer disabled")                                  \
    X(QSCD_ERR_ROLE_DENIED,        208, "operation not allowed for this role")              \
    X(QSCD_ERR_NOT_OWNER,          209, "credential belongs to another signer")             \
    X(QSCD_ERR_REQUESTER,          210, "requester not authenticated")                      \
    X(QSCD_ERR_KEY_POLICY,         211, "key algorithm or size refused by policy")          \
    /* audit, 230..249 */                                                                   \
    X(QSCD_ERR_AUDIT_CHAIN,        230, "audit: hash chain broken")                         \
    X(QSCD_ERR_AUDIT_SEAL,         231, "audit: seal does not verify")                      \
    X(QSCD_ERR_AUDIT_MISSING,      232, "audit: record missing")                            \
    X(QSCD_ERR_AUDIT_RECORD,       233, "audit: malformed record")                          \
    X(QSCD_ERR_AUDIT_WRITE,        234, "audit: record could not be made durable")          \
    /* crypto module (PKCS#11), 250..289 */                                                 \
    X(QSCD_ERR_P11_MODULE,         250, "PKCS#11: module cannot be loaded")                 \
    X(QSCD_ERR_P11_TOKEN,          251, "PKCS#11: token not found")                         \
    X(QSCD_ERR_P11_PIN,            252, "PKCS#11: PIN incorrect")                           \
    X(QSCD_ERR_P11_PIN_LOCKED,     253, "PKCS#11: PIN locked")                              \
    X(QSCD_ERR_P11_KEY,            254, "PKCS#11: key not found or unusable")               \
    X(QSCD_ERR_P11_MECHANISM,      255, "PKCS#11: mechanism not supported")                 \
    X(QSCD_ERR_P11_SENSITIVE,      256, "PKCS#11: attribute is sensitive")                  \
    X(QSCD_ERR_P11_SESSION,        257, "PKCS#11: session closed or invalid")               \
    X(QSCD_ERR_P11_DEVICE,         258, "PKCS#11: device error")                            \
    X(QSCD_ERR_P11_NOT_LOGGED_IN,  259, "PKCS#11: not logged in")                           \
    X(QSCD_ERR_P11_TEMPLATE,       260, "PKCS#11: template rejected by the module")         \
    X(QSCD_ERR_P11_FAILED,         261, "PKCS#11: function failed")                         \
    X(QSCD_ERR_P11_SIGNATURE,      262, "PKCS#11: module returned a signature that does not verify") \
    X(QSCD_ERR_P11_URI,            263, "PKCS#11: URI invalid or not usable")               \
    X(QSCD_ERR_P11_KEK,            264, "PKCS#11: key not acceptable as a backup KEK")      \
    X(QSCD_ERR_P11_WRAPPED,        265, "PKCS#11: wrapped key invalid or not for this KEK") \
    /* storage, 290..309 */                                                                 \
    X(QSCD_ERR_STORE,              290, "store: operation failed")                          \
    X(QSCD_ERR_STORE_CONFLICT,     291, "store: concurrent update conflict")                \
    X(QSCD_ERR_STORE_SCHEMA,       292, "store: unknown schema version")                    \
    /* SAM protocol, 310..329 */                                                            \
    X(QSCD_ERR_PROTO_FRAME,        310, "protocol: malformed frame")                        \
    X(QSCD_ERR_PROTO_TOO_LARGE,    311, "protocol: frame too large")                        \
    X(QSCD_ERR_PROTO_VERSION,      312, "protocol: unsupported version")                    \
    X(QSCD_ERR_PROTO_OP,           313, "protocol: unknown operation")

#define QSCD_ERR_ENUM_ITEM_(name, value, msg) name = value,
typedef enum qscd_err { QSCD_ERRORS(QSCD_ERR_ENUM_ITEM_) QSCD_ERR_MAX_ } qscd_err;
#undef QSCD_ERR_ENUM_ITEM_

/* The symbolic name ("QSCD_ERR_SAD_EXPIRED") and readable message of a code; an unknown
 * code gives "QSCD_ERR_UNKNOWN" and "unknown error". Never NULL. */
const char *qscd_err_name(int code);
const char *qscd_err_message(int code);

#endif
