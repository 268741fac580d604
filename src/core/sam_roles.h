/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Roles and the operations each may perform (EN 419 241-1 SRG_M.1: separation of roles).
 * The table is the only place that decides; every SAM entry point asks it before anything
 * else, and its contract states the separations the standard asks for, so the proof shows
 * them on the table itself.
 *
 * Roles: the signer (non-privileged; reaches the signing path only through a SAD), and three
 * privileged roles: security officer (signers, credentials, unlock), operator (key backup and
 * restore), auditor (reads and verifies the audit log). A session has exactly one role.
 */
#ifndef SAM_ROLES_H
#define SAM_ROLES_H

typedef enum sam_role {
    SAM_ROLE_NONE = 0,
    SAM_ROLE_SIGNER = 1,
    SAM_ROLE_SECURITY_OFFICER = 2,
    SAM_ROLE_OPERATOR = 3,
    SAM_ROLE_AUDITOR = 4,
} sam_role;

typedef enum sam_op {
    /* signer operations */
    SAM_OP_AUTHORIZE = 1,        /* factors -> SAD token */
    SAM_OP_SIGN = 2,             /* SAD token + hashes -> signatures */
    SAM_OP_CHALLENGE = 3,        /* fresh challenge for a SIC assertion */
    SAM_OP_CRED_LIST_OWN = 4,    /* own credentials only */
    SAM_OP_CRED_INFO_OWN = 5,
    SAM_OP_PIN_CHANGE = 6,       /* own PIN, old PIN required */
    SAM_OP_EXTEND = 7,           /* SAD token -> the same grant with a later expiry */
    /* security officer */
    SAM_OP_SIGNER_ENROL = 10,
    SAM_OP_SIGNER_DISABLE = 11,
    SAM_OP_SIGNER_ENABLE = 12,
    SAM_OP_SIGNER_UNLOCK = 13,
    SAM_OP_SIGNER_DELETE = 14,
    SAM_OP_PIN_SET = 15,
    SAM_OP_FACTOR_PROVISION = 16, /* TOTP seed or SIC device key */
    SAM_OP_CRED_CREATE = 17,
    SAM_OP_CRED_DISABLE = 18,
    SAM_OP_CRED_ENABLE = 19,
    SAM_OP_CRED_DELETE = 20,
    SAM_OP_CRED_LIST_ALL = 21,
    SAM_OP_CRED_INFO_ALL = 22,
    SAM_OP_CERT_IMPORT = 23,
    SAM_OP_CERT_REVOKE = 24,
    /* operator */
    SAM_OP_KEY_BACKUP = 30,
    SAM_OP_KEY_RESTORE = 31,
    /* auditor */
    SAM_OP_AUDIT_EXPORT = 40,
    SAM_OP_AUDIT_VERIFY = 41,
} sam_op;

/*@ predicate sam_privileged(integer r) =
        r == SAM_ROLE_SECURITY_OFFICER || r == SAM_ROLE_OPERATOR || r == SAM_ROLE_AUDITOR;
    predicate sam_signer_op(integer op) =
        op == SAM_OP_AUTHORIZE || op == SAM_OP_SIGN || op == SAM_OP_CHALLENGE ||
        op == SAM_OP_CRED_LIST_OWN || op == SAM_OP_CRED_INFO_OWN || op == SAM_OP_PIN_CHANGE ||
        op == SAM_OP_EXTEND;
    predicate sam_so_op(integer op) = SAM_OP_SIGNER_ENROL <= op <= SAM_OP_CERT_REVOKE;
    predicate sam_operator_op(integer op) = op == SAM_OP_KEY_BACKUP || op == SAM_OP_KEY_RESTORE;
    predicate sam_auditor_op(integer op) = op == SAM_OP_AUDIT_EXPORT || op == SAM_OP_AUDIT_VERIFY;
    predicate sam_allowed(integer r, integer op) =
        (r == SAM_ROLE_SIGNER && sam_signer_op(op)) ||
        (r == SAM_ROLE_SECURITY_OFFICER && sam_so_op(op)) ||
        (r == SAM_ROLE_OPERATOR && sam_operator_op(op)) ||
        (r == SAM_ROLE_AUDITOR && sam_auditor_op(op));
*/

/* May a session of this role perform this operation? Any value outside the enums is
 * refused.
 *
 *   returns 1   allowed
 *   returns 0   refused (QSCD_ERR_ROLE_DENIED for the caller)
 */
/*@ terminates \true;
    assigns \nothing;
    ensures range: \result == 0 || \result == 1;
    ensures table: \result == 1 <==> sam_allowed(role, op);
    ensures SRA_SKM_2_7_privileged_never_sign:
        sam_privileged(role) &&
        (op == SAM_OP_SIGN || op == SAM_OP_AUTHORIZE || op == SAM_OP_EXTEND) ==> \result == 0;
    ensures SRG_M_1_5_privileged_not_signer:
        sam_privileged(role) && sam_signer_op(op) ==> \result == 0;
    ensures SRG_M_1_6_officer_not_auditor:
        role == SAM_ROLE_SECURITY_OFFICER && sam_auditor_op(op) ==> \result == 0;
    ensures SRG_M_1_7_operator_not_officer_or_auditor:
        role == SAM_ROLE_OPERATOR && (sam_so_op(op) || sam_auditor_op(op)) ==> \result == 0;
    ensures SRG_AA_5_audit_read_auditor_only:
        sam_auditor_op(op) && \result == 1 ==> role == SAM_ROLE_AUDITOR;
    ensures R_241_2_ENROL_officer_only:
        sam_so_op(op) && \result == 1 ==> role == SAM_ROLE_SECURITY_OFFICER;
    ensures SRG_M_1_1_one_role_per_op:
        \result == 1 && role != SAM_ROLE_SIGNER ==> !sam_signer_op(op);
*/
int sam_role_allows(int role, int op);

#endif
