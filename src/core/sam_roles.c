/* SPDX-License-Identifier: Apache-2.0 */
/* The role table (contract in sam_roles.h). */
#include "sam_roles.h"

int sam_role_allows(int role, int op)
{
    switch (role) {
    case SAM_ROLE_SIGNER:
        return op == SAM_OP_AUTHORIZE || op == SAM_OP_SIGN || op == SAM_OP_CHALLENGE ||
               op == SAM_OP_CRED_LIST_OWN || op == SAM_OP_CRED_INFO_OWN ||
               op == SAM_OP_PIN_CHANGE || op == SAM_OP_EXTEND;
    case SAM_ROLE_SECURITY_OFFICER:
        return op >= SAM_OP_SIGNER_ENROL && op <= SAM_OP_CERT_REVOKE;
    case SAM_ROLE_OPERATOR:
        return op == SAM_OP_KEY_BACKUP || op == SAM_OP_KEY_RESTORE;
    case SAM_ROLE_AUDITOR:
        return op == SAM_OP_AUDIT_EXPORT || op == SAM_OP_AUDIT_VERIFY;
    default:
        return 0;
    }
}
