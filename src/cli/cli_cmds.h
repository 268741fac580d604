/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The operations of `qscd admin`, as data: for each, its protocol number, its options (how
 * each becomes a parameter of spec/sam-protocol.md §3) and its results (how each is shown).
 */
#ifndef QSCD_CLI_CMDS_H
#define QSCD_CLI_CMDS_H

#include "cli.h"

typedef enum ptype {
    P_END = 0,
    P_ID,        /* --opt TEXT, sent as a byte string */
    P_TEXT,      /* --opt TEXT */
    P_UINT,      /* --opt N */
    P_FLAG,      /* --opt (true when present) */
    P_KEYALG,    /* p256 p384 rsa2048 rsa3072 rsa4096 */
    P_SAP,       /* totp sic */
    P_ROLE,      /* so operator auditor */
    P_HASHALG,   /* sha256 sha384 sha512 */
    P_SIGNALG,   /* ecdsa rsa-pkcs1 rsa-pss */
    P_HASHES,    /* --opt HEX, repeated */
    P_DER,       /* --opt FILE, PEM or DER */
    P_BLOB,      /* --opt FILE, raw bytes */
    P_SECRET,    /* --opt-file FILE, else $QSCD_OPT, else a prompt */
    P_OTP,       /* --opt CODE */
    P_SAD,       /* --opt HEX or --opt @FILE */
} ptype;

typedef enum rtype {
    R_END = 0, R_UINT, R_TEXT, R_HEX, R_BOOL, R_IDLIST, R_HEXLIST, R_DER, R_DERLIST, R_BLOB,
    R_KEYALG, R_SAP, R_ID, R_RECORDS, R_ERR, R_CSR,
    R_SIGLIST, /* signatures: hex, or with --out FILE each into FILE (one) or FILE.i (several) */
} rtype;

typedef struct pdef {
    int key;
    const char *opt;
    ptype type;
    bool required;
    const char *dflt;
} pdef;

typedef struct rdef {
    int key;
    const char *name;
    rtype type;
} rdef;

typedef struct cli_cmd {
    const char *name;
    unsigned op;
    const char *role;
    const char *help;
    pdef p[8];
    rdef r[10];
} cli_cmd;

extern const cli_cmd cli_cmds[];
const cli_cmd *cli_cmd_find(const char *name);

/* Print the results of a successful answer; --out FILE (may be NULL) receives a DER or
 * blob result. Returns CLI_OK or CLI_FAILED. */
int cli_print(const cli_cmd *cmd, const samc_resp *r, bool json, const char *out);
/* Print the audit records of an audit.export answer as JSON lines, or as rows of a table
 * (table: the header first with cli_print_records_header); *n is their number, *last_seq
 * the sequence number of the last one. */
int cli_print_records(const samc_resp *r, bool table, size_t *n, int64_t *last_seq);
void cli_print_records_header(void);
/* Names of the enumerations, both ways. */
const char *cli_keyalg_name(uint64_t v);
const char *cli_sap_name(uint64_t v);

#endif
