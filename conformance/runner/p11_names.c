/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Symbolic names of PKCS#11 return values, mechanisms and attributes, both ways: vectors
 * name them (expectedError "CKR_KEY_UNEXTRACTABLE", mechanism "CKM_ECDSA") and results show
 * them. The return-value list is every CKR_* of <p11-kit/pkcs11.h> (Cryptoki 2.40); the
 * mechanism and attribute lists are the ones vectors may use.
 */
#include "p11.h"

#include <stdio.h>
#include <string.h>

typedef struct p11_name { unsigned long value; const char *name; } p11_name;

#define N(x) { x, #x }
static const p11_name RV[] = {
    N(CKR_ACTION_PROHIBITED),
    N(CKR_ARGUMENTS_BAD),
    N(CKR_ATTRIBUTE_READ_ONLY),
    N(CKR_ATTRIBUTE_SENSITIVE),
    N(CKR_ATTRIBUTE_TYPE_INVALID),
    N(CKR_ATTRIBUTE_VALUE_INVALID),
    N(CKR_BUFFER_TOO_SMALL),
    N(CKR_CANCEL),
    N(CKR_CANT_LOCK),
    N(CKR_CRYPTOKI_ALREADY_INITIALIZED),
    N(CKR_CRYPTOKI_NOT_INITIALIZED),
    N(CKR_CURVE_NOT_SUPPORTED),
    N(CKR_DATA_INVALID),
    N(CKR_DATA_LEN_RANGE),
    N(CKR_DEVICE_ERROR),
    N(CKR_DEVICE_MEMORY),
    N(CKR_DEVICE_REMOVED),
    N(CKR_DOMAIN_PARAMS_INVALID),
    N(CKR_ENCRYPTED_DATA_INVALID),
    N(CKR_ENCRYPTED_DATA_LEN_RANGE),
    N(CKR_EXCEEDED_MAX_ITERATIONS),
    N(CKR_FIPS_SELF_TEST_FAILED),
    N(CKR_FUNCTION_CANCELED),
    N(CKR_FUNCTION_FAILED),
    N(CKR_FUNCTION_NOT_PARALLEL),
    N(CKR_FUNCTION_NOT_SUPPORTED),
    N(CKR_FUNCTION_REJECTED),
    N(CKR_GENERAL_ERROR),
    N(CKR_HOST_MEMORY),
    N(CKR_INFORMATION_SENSITIVE),
    N(CKR_KEY_CHANGED),
    N(CKR_KEY_FUNCTION_NOT_PERMITTED),
    N(CKR_KEY_HANDLE_INVALID),
    N(CKR_KEY_INDIGESTIBLE),
    N(CKR_KEY_NEEDED),
    N(CKR_KEY_NOT_NEEDED),
    N(CKR_KEY_NOT_WRAPPABLE),
    N(CKR_KEY_SIZE_RANGE),
    N(CKR_KEY_TYPE_INCONSISTENT),
    N(CKR_KEY_UNEXTRACTABLE),
    N(CKR_LIBRARY_LOAD_FAILED),
    N(CKR_MECHANISM_INVALID),
    N(CKR_MECHANISM_PARAM_INVALID),
    N(CKR_MUTEX_BAD),
    N(CKR_MUTEX_NOT_LOCKED),
    N(CKR_NEED_TO_CREATE_THREADS),
    N(CKR_NEW_PIN_MODE),
    N(CKR_NEXT_OTP),
    N(CKR_NO_EVENT),
    N(CKR_OBJECT_HANDLE_INVALID),
    N(CKR_OK),
    N(CKR_OPERATION_ACTIVE),
    N(CKR_OPERATION_NOT_INITIALIZED),
    N(CKR_PIN_EXPIRED),
    N(CKR_PIN_INCORRECT),
    N(CKR_PIN_INVALID),
    N(CKR_PIN_LEN_RANGE),
    N(CKR_PIN_LOCKED),
    N(CKR_PIN_TOO_WEAK),
    N(CKR_PUBLIC_KEY_INVALID),
    N(CKR_RANDOM_NO_RNG),
    N(CKR_RANDOM_SEED_NOT_SUPPORTED),
    N(CKR_SAVED_STATE_INVALID),
    N(CKR_SESSION_CLOSED),
    N(CKR_SESSION_COUNT),
    N(CKR_SESSION_EXISTS),
    N(CKR_SESSION_HANDLE_INVALID),
    N(CKR_SESSION_PARALLEL_NOT_SUPPORTED),
    N(CKR_SESSION_READ_ONLY),
    N(CKR_SESSION_READ_ONLY_EXISTS),
    N(CKR_SESSION_READ_WRITE_SO_EXISTS),
    N(CKR_SIGNATURE_INVALID),
    N(CKR_SIGNATURE_LEN_RANGE),
    N(CKR_SLOT_ID_INVALID),
    N(CKR_STATE_UNSAVEABLE),
    N(CKR_TEMPLATE_INCOMPLETE),
    N(CKR_TEMPLATE_INCONSISTENT),
    N(CKR_TOKEN_NOT_PRESENT),
    N(CKR_TOKEN_NOT_RECOGNIZED),
    N(CKR_TOKEN_WRITE_PROTECTED),
    N(CKR_UNWRAPPING_KEY_SIZE_RANGE),
    N(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT),
    N(CKR_USER_ALREADY_LOGGED_IN),
    N(CKR_USER_ANOTHER_ALREADY_LOGGED_IN),
    N(CKR_USER_NOT_LOGGED_IN),
    N(CKR_USER_PIN_NOT_INITIALIZED),
    N(CKR_USER_TOO_MANY_TYPES),
    N(CKR_USER_TYPE_INVALID),
    N(CKR_WRAPPED_KEY_INVALID),
    N(CKR_WRAPPED_KEY_LEN_RANGE),
    N(CKR_WRAPPING_KEY_HANDLE_INVALID),
    N(CKR_WRAPPING_KEY_SIZE_RANGE),
    N(CKR_WRAPPING_KEY_TYPE_INCONSISTENT),
};

static const p11_name MECH[] = {
    N(CKM_RSA_PKCS_KEY_PAIR_GEN), N(CKM_RSA_PKCS), N(CKM_RSA_X_509), N(CKM_RSA_PKCS_OAEP),
    N(CKM_RSA_PKCS_PSS), N(CKM_SHA1_RSA_PKCS), N(CKM_SHA224_RSA_PKCS), N(CKM_SHA256_RSA_PKCS),
    N(CKM_SHA384_RSA_PKCS), N(CKM_SHA512_RSA_PKCS), N(CKM_SHA1_RSA_PKCS_PSS),
    N(CKM_SHA224_RSA_PKCS_PSS), N(CKM_SHA256_RSA_PKCS_PSS), N(CKM_SHA384_RSA_PKCS_PSS),
    N(CKM_SHA512_RSA_PKCS_PSS), N(CKM_EC_KEY_PAIR_GEN), N(CKM_ECDSA), N(CKM_ECDSA_SHA1),
    N(CKM_ECDSA_SHA224), N(CKM_ECDSA_SHA256), N(CKM_ECDSA_SHA384), N(CKM_ECDSA_SHA512),
    N(CKM_ECDH1_DERIVE), N(CKM_AES_KEY_GEN), N(CKM_AES_ECB), N(CKM_AES_CBC), N(CKM_AES_CBC_PAD),
    N(CKM_AES_KEY_WRAP), N(CKM_AES_KEY_WRAP_PAD), N(CKM_AES_GCM), N(CKM_GENERIC_SECRET_KEY_GEN),
    N(CKM_SHA256_HMAC), N(CKM_SHA_1), N(CKM_SHA256), N(CKM_SHA384), N(CKM_SHA512),
    N(CKM_EC_EDWARDS_KEY_PAIR_GEN), N(CKM_EDDSA), N(CKM_DES3_KEY_GEN), N(CKM_DES3_ECB),
};

static const p11_name ATTR[] = {
    N(CKA_CLASS), N(CKA_TOKEN), N(CKA_PRIVATE), N(CKA_LABEL), N(CKA_VALUE), N(CKA_TRUSTED),
    N(CKA_KEY_TYPE), N(CKA_ID), N(CKA_SENSITIVE), N(CKA_ENCRYPT), N(CKA_DECRYPT), N(CKA_WRAP),
    N(CKA_UNWRAP), N(CKA_SIGN), N(CKA_SIGN_RECOVER), N(CKA_VERIFY), N(CKA_VERIFY_RECOVER),
    N(CKA_DERIVE), N(CKA_MODULUS), N(CKA_MODULUS_BITS), N(CKA_PUBLIC_EXPONENT),
    N(CKA_PRIVATE_EXPONENT), N(CKA_PRIME_1), N(CKA_PRIME_2), N(CKA_EXPONENT_1),
    N(CKA_EXPONENT_2), N(CKA_COEFFICIENT), N(CKA_VALUE_LEN), N(CKA_EXTRACTABLE), N(CKA_LOCAL),
    N(CKA_NEVER_EXTRACTABLE), N(CKA_ALWAYS_SENSITIVE), N(CKA_KEY_GEN_MECHANISM),
    N(CKA_MODIFIABLE), N(CKA_COPYABLE), N(CKA_DESTROYABLE), N(CKA_EC_PARAMS), N(CKA_EC_POINT),
    N(CKA_ALWAYS_AUTHENTICATE), N(CKA_WRAP_WITH_TRUSTED),
};
#undef N

static const char *find_name(const p11_name *t, size_t n, unsigned long v)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].value == v)
            return t[i].name;
    return NULL;
}

static int find_value(const p11_name *t, size_t n, const char *name, unsigned long *v)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(t[i].name, name) == 0) {
            *v = t[i].value;
            return 0;
        }
    return -1;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Unknown values are shown in hex in a buffer per thread, so names stay valid to print. */
static const char *or_hex(const char *name, unsigned long v)
{
    static _Thread_local char buf[4][24];
    static _Thread_local unsigned next;
    if (name)
        return name;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "0x%lx", v);
    return b;
}

const char *p11_rv_name(CK_RV rv) { return or_hex(find_name(RV, COUNT(RV), rv), rv); }
const char *p11_mech_name(CK_MECHANISM_TYPE m) { return or_hex(find_name(MECH, COUNT(MECH), m), m); }
const char *p11_attr_name(CK_ATTRIBUTE_TYPE a) { return or_hex(find_name(ATTR, COUNT(ATTR), a), a); }

int p11_mech_value(const char *name, CK_MECHANISM_TYPE *m)
{
    unsigned long v;
    if (find_value(MECH, COUNT(MECH), name, &v) != 0)
        return -1;
    *m = v;
    return 0;
}

int p11_attr_value(const char *name, CK_ATTRIBUTE_TYPE *a)
{
    unsigned long v;
    if (find_value(ATTR, COUNT(ATTR), name, &v) != 0)
        return -1;
    *a = v;
    return 0;
}

int p11_rv_value(const char *name, CK_RV *rv)
{
    unsigned long v;
    if (find_value(RV, COUNT(RV), name, &v) != 0)
        return -1;
    *rv = v;
    return 0;
}
