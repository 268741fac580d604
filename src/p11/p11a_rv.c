/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every CK_RV of Cryptoki 2.40 (p11-kit's pkcs11.h), its name and the one QSCD_ERR_* code it
 * maps to, in one table; and the thread's last error message.
 */
#include <stdio.h>

#include "p11a_int.h"

/* X(rv, code). USER_ALREADY_LOGGED_IN and CRYPTOKI_ALREADY_INITIALIZED are handled as
 * success where they are expected (C_Login, C_Initialize); anywhere else they are errors. */
#define P11A_RVS(X) \
    X(CKR_OK,                               QSCD_OK) \
    X(CKR_CANCEL,                           QSCD_ERR_P11_FAILED) \
    X(CKR_HOST_MEMORY,                      QSCD_ERR_NOMEM) \
    X(CKR_SLOT_ID_INVALID,                  QSCD_ERR_P11_TOKEN) \
    X(CKR_GENERAL_ERROR,                    QSCD_ERR_P11_DEVICE) \
    X(CKR_FUNCTION_FAILED,                  QSCD_ERR_P11_FAILED) \
    X(CKR_ARGUMENTS_BAD,                    QSCD_ERR_INTERNAL) \
    X(CKR_NO_EVENT,                         QSCD_ERR_P11_FAILED) \
    X(CKR_NEED_TO_CREATE_THREADS,           QSCD_ERR_P11_MODULE) \
    X(CKR_CANT_LOCK,                        QSCD_ERR_P11_MODULE) \
    X(CKR_ATTRIBUTE_READ_ONLY,              QSCD_ERR_P11_TEMPLATE) \
    X(CKR_ATTRIBUTE_SENSITIVE,              QSCD_ERR_P11_SENSITIVE) \
    X(CKR_ATTRIBUTE_TYPE_INVALID,           QSCD_ERR_P11_TEMPLATE) \
    X(CKR_ATTRIBUTE_VALUE_INVALID,          QSCD_ERR_P11_TEMPLATE) \
    X(CKR_ACTION_PROHIBITED,                QSCD_ERR_P11_TEMPLATE) \
    X(CKR_DATA_INVALID,                     QSCD_ERR_ARG) \
    X(CKR_DATA_LEN_RANGE,                   QSCD_ERR_DIGEST_LENGTH) \
    X(CKR_DEVICE_ERROR,                     QSCD_ERR_P11_DEVICE) \
    X(CKR_DEVICE_MEMORY,                    QSCD_ERR_P11_DEVICE) \
    X(CKR_DEVICE_REMOVED,                   QSCD_ERR_P11_DEVICE) \
    X(CKR_ENCRYPTED_DATA_INVALID,           QSCD_ERR_P11_FAILED) \
    X(CKR_ENCRYPTED_DATA_LEN_RANGE,         QSCD_ERR_P11_FAILED) \
    X(CKR_FUNCTION_CANCELED,                QSCD_ERR_P11_FAILED) \
    X(CKR_FUNCTION_NOT_PARALLEL,            QSCD_ERR_P11_FAILED) \
    X(CKR_FUNCTION_NOT_SUPPORTED,           QSCD_ERR_UNSUPPORTED) \
    X(CKR_KEY_HANDLE_INVALID,               QSCD_ERR_P11_KEY) \
    X(CKR_KEY_SIZE_RANGE,                   QSCD_ERR_P11_KEY) \
    X(CKR_KEY_TYPE_INCONSISTENT,            QSCD_ERR_P11_KEY) \
    X(CKR_KEY_NOT_NEEDED,                   QSCD_ERR_INTERNAL) \
    X(CKR_KEY_CHANGED,                      QSCD_ERR_P11_KEY) \
    X(CKR_KEY_NEEDED,                       QSCD_ERR_P11_KEY) \
    X(CKR_KEY_INDIGESTIBLE,                 QSCD_ERR_P11_KEY) \
    X(CKR_KEY_FUNCTION_NOT_PERMITTED,       QSCD_ERR_P11_KEY) \
    X(CKR_KEY_NOT_WRAPPABLE,                QSCD_ERR_P11_KEK) \
    X(CKR_KEY_UNEXTRACTABLE,                QSCD_ERR_P11_SENSITIVE) \
    X(CKR_MECHANISM_INVALID,                QSCD_ERR_P11_MECHANISM) \
    X(CKR_MECHANISM_PARAM_INVALID,          QSCD_ERR_P11_MECHANISM) \
    X(CKR_OBJECT_HANDLE_INVALID,            QSCD_ERR_P11_KEY) \
    X(CKR_OPERATION_ACTIVE,                 QSCD_ERR_P11_SESSION) \
    X(CKR_OPERATION_NOT_INITIALIZED,        QSCD_ERR_P11_SESSION) \
    X(CKR_PIN_INCORRECT,                    QSCD_ERR_P11_PIN) \
    X(CKR_PIN_INVALID,                      QSCD_ERR_P11_PIN) \
    X(CKR_PIN_LEN_RANGE,                    QSCD_ERR_P11_PIN) \
    X(CKR_PIN_EXPIRED,                      QSCD_ERR_P11_PIN) \
    X(CKR_PIN_LOCKED,                       QSCD_ERR_P11_PIN_LOCKED) \
    X(CKR_SESSION_CLOSED,                   QSCD_ERR_P11_SESSION) \
    X(CKR_SESSION_COUNT,                    QSCD_ERR_LIMIT) \
    X(CKR_SESSION_HANDLE_INVALID,           QSCD_ERR_P11_SESSION) \
    X(CKR_SESSION_PARALLEL_NOT_SUPPORTED,   QSCD_ERR_P11_SESSION) \
    X(CKR_SESSION_READ_ONLY,                QSCD_ERR_P11_SESSION) \
    X(CKR_SESSION_EXISTS,                   QSCD_ERR_P11_SESSION) \
    X(CKR_SESSION_READ_ONLY_EXISTS,         QSCD_ERR_P11_SESSION) \
    X(CKR_SESSION_READ_WRITE_SO_EXISTS,     QSCD_ERR_P11_SESSION) \
    X(CKR_SIGNATURE_INVALID,                QSCD_ERR_P11_SIGNATURE) \
    X(CKR_SIGNATURE_LEN_RANGE,              QSCD_ERR_P11_SIGNATURE) \
    X(CKR_TEMPLATE_INCOMPLETE,              QSCD_ERR_P11_TEMPLATE) \
    X(CKR_TEMPLATE_INCONSISTENT,            QSCD_ERR_P11_TEMPLATE) \
    X(CKR_TOKEN_NOT_PRESENT,                QSCD_ERR_P11_TOKEN) \
    X(CKR_TOKEN_NOT_RECOGNIZED,             QSCD_ERR_P11_TOKEN) \
    X(CKR_TOKEN_WRITE_PROTECTED,            QSCD_ERR_P11_TOKEN) \
    X(CKR_UNWRAPPING_KEY_SIZE_RANGE,        QSCD_ERR_P11_KEK) \
    X(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT, QSCD_ERR_P11_KEK) \
    X(CKR_USER_ALREADY_LOGGED_IN,           QSCD_ERR_P11_SESSION) \
    X(CKR_USER_NOT_LOGGED_IN,               QSCD_ERR_P11_NOT_LOGGED_IN) \
    X(CKR_USER_PIN_NOT_INITIALIZED,         QSCD_ERR_P11_PIN) \
    X(CKR_USER_TYPE_INVALID,                QSCD_ERR_INTERNAL) \
    X(CKR_USER_ANOTHER_ALREADY_LOGGED_IN,   QSCD_ERR_P11_SESSION) \
    X(CKR_USER_TOO_MANY_TYPES,              QSCD_ERR_P11_SESSION) \
    X(CKR_WRAPPED_KEY_INVALID,              QSCD_ERR_P11_WRAPPED) \
    X(CKR_WRAPPED_KEY_LEN_RANGE,            QSCD_ERR_P11_WRAPPED) \
    X(CKR_WRAPPING_KEY_HANDLE_INVALID,      QSCD_ERR_P11_KEK) \
    X(CKR_WRAPPING_KEY_SIZE_RANGE,          QSCD_ERR_P11_KEK) \
    X(CKR_WRAPPING_KEY_TYPE_INCONSISTENT,   QSCD_ERR_P11_KEK) \
    X(CKR_RANDOM_SEED_NOT_SUPPORTED,        QSCD_ERR_UNSUPPORTED) \
    X(CKR_RANDOM_NO_RNG,                    QSCD_ERR_RANDOM) \
    X(CKR_DOMAIN_PARAMS_INVALID,            QSCD_ERR_P11_TEMPLATE) \
    X(CKR_CURVE_NOT_SUPPORTED,              QSCD_ERR_P11_MECHANISM) \
    X(CKR_BUFFER_TOO_SMALL,                 QSCD_ERR_BUFFER_TOO_SMALL) \
    X(CKR_SAVED_STATE_INVALID,              QSCD_ERR_P11_FAILED) \
    X(CKR_INFORMATION_SENSITIVE,            QSCD_ERR_P11_SENSITIVE) \
    X(CKR_STATE_UNSAVEABLE,                 QSCD_ERR_P11_FAILED) \
    X(CKR_CRYPTOKI_NOT_INITIALIZED,         QSCD_ERR_P11_MODULE) \
    X(CKR_CRYPTOKI_ALREADY_INITIALIZED,     QSCD_ERR_P11_MODULE) \
    X(CKR_MUTEX_BAD,                        QSCD_ERR_P11_MODULE) \
    X(CKR_MUTEX_NOT_LOCKED,                 QSCD_ERR_P11_MODULE) \
    X(CKR_NEW_PIN_MODE,                     QSCD_ERR_P11_PIN) \
    X(CKR_NEXT_OTP,                         QSCD_ERR_P11_PIN) \
    X(CKR_EXCEEDED_MAX_ITERATIONS,          QSCD_ERR_P11_FAILED) \
    X(CKR_FIPS_SELF_TEST_FAILED,            QSCD_ERR_P11_DEVICE) \
    X(CKR_LIBRARY_LOAD_FAILED,              QSCD_ERR_P11_MODULE) \
    X(CKR_PIN_TOO_WEAK,                     QSCD_ERR_P11_PIN) \
    X(CKR_PUBLIC_KEY_INVALID,               QSCD_ERR_P11_KEY) \
    X(CKR_FUNCTION_REJECTED,                QSCD_ERR_P11_FAILED) \

static const CK_RV rv_all[] = {
#define RV_ITEM_(rv, code) rv,
    P11A_RVS(RV_ITEM_)
};

int p11a_rv_err(CK_RV rv)
{
    switch (rv) {
#define RV_ERR_(rv, code) case rv: return code;
    P11A_RVS(RV_ERR_)
    default: return QSCD_ERR_P11_FAILED;
    }
}

const char *p11a_rv_name(CK_RV rv)
{
    switch (rv) {
#define RV_NAME_(rv, code) case rv: return #rv;
    P11A_RVS(RV_NAME_)
    default: return (rv & CKR_VENDOR_DEFINED) != 0 ? "CKR_VENDOR_DEFINED" : "CKR_UNKNOWN";
    }
}

const CK_RV *p11a_rv_all(size_t *n)
{
    *n = sizeof rv_all / sizeof rv_all[0];
    return rv_all;
}

static _Thread_local char last_error[256];

int p11a_fail(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return code;
}

int p11a_fail_rv(const char *what, CK_RV rv)
{
    int code = p11a_rv_err(rv);

    if (code == QSCD_OK)
        return QSCD_OK;
    return p11a_fail(code, "%s: %s (0x%lx)", what, p11a_rv_name(rv), (unsigned long)rv);
}

const char *p11a_last_error(void)
{
    return last_error;
}
