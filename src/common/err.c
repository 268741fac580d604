/* SPDX-License-Identifier: Apache-2.0 */
/* Names and messages of the error codes of src/core/qscd_err.h, for every shell. */
#include "qscd_err.h"

#define QSCD_ERR_NAME_CASE_(name, value, msg) case value: return #name;
#define QSCD_ERR_MSG_CASE_(name, value, msg)  case value: return msg;

const char *qscd_err_name(int code)
{
    switch (code) {
    QSCD_ERRORS(QSCD_ERR_NAME_CASE_)
    default: return "QSCD_ERR_UNKNOWN";
    }
}

const char *qscd_err_message(int code)
{
    switch (code) {
    QSCD_ERRORS(QSCD_ERR_MSG_CASE_)
    default: return "unknown error";
    }
}
