/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `qscd` command: one binary, subcommands `sam`, `admin`, `audit`, `ca`. Each returns the
 * process exit status: 0 done, 1 refused or failed (the symbolic error on stderr), 2 usage.
 */
#ifndef QSCD_CLI_H
#define QSCD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samc.h"

#define CLI_OK 0
#define CLI_FAILED 1
#define CLI_USAGE 2

int cli_sam(int argc, char **argv);
int cli_admin(int argc, char **argv);
int cli_audit(int argc, char **argv);
int cli_ca(int argc, char **argv);

/* How the admin-channel commands reach the SAM and who they are. */
typedef struct cli_conn {
    const char *socket;
    char role_name[32];
    int role;
    char id[65];
    char password[129];
    const char *password_file;
    bool json;
    int timeout;
    int wait;                  /* seconds to wait for a SAM that is still starting */
} cli_conn;

/* Parse the connection options (--socket, --as ROLE:ID, --password-file, --json, --timeout,
 * --wait)
 * at the front of argv; *used is how many arguments they took. The caller is --as, else
 * $QSCD_AS, else dflt_as. Returns CLI_OK or CLI_USAGE. */
int cli_conn_options(int argc, char **argv, const char *dflt_as, cli_conn *c, int *used);
/* Get the administrator's password (--password-file, QSCD_ADMIN_PASSWORD, or a prompt) when
 * the role needs one. */
int cli_conn_password(cli_conn *c);
/* Connect and send one request; prints the SAM's error and returns CLI_FAILED on refusal. */
int cli_call(const cli_conn *c, const char *what, unsigned op, const uint8_t *params,
             size_t params_len, samc_resp *r);

/* A secret: from the file, else the environment variable, else a prompt without echo. */
int cli_secret(const char *what, const char *file, const char *env, char *out, size_t cap);
/* A file's bytes (PEM blocks are decoded to DER when der is set). *buf with free(). */
int cli_read_file(const char *path, bool der, uint8_t **buf, size_t *len);
int cli_write_file(const char *path, const uint8_t *buf, size_t len, int mode);
/* Hex in and out. */
long cli_unhex(const char *hex, uint8_t *out, size_t cap);
void cli_hex(const uint8_t *p, size_t n, char *out);
/* Parse a role name (signer, so, operator, auditor) or number. */
int cli_role(const char *name);

#endif
