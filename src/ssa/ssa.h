/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Server Signing Application (`qscd ssa`): the CSC API v2.0.0.2 over HTTPS
 * (libmicrohttpd with GnuTLS, JSON with jansson) in front of the SAM. It holds no signing
 * secret and decides nothing the SAM must decide: it authenticates client applications
 * (HTTP Basic → bearer token), turns CSC JSON into SAM protocol requests (src/samc/) as the
 * token's signer, and maps the SAM's verdicts to the CSC error table (spec/csc-api.md).
 * PINs, OTPs, assertions and SADs pass through without being kept or logged.
 *
 * Functions return QSCD_OK or a QSCD_ERR_* code (QSCD_ERR_CONFIG for a bad configuration,
 * QSCD_ERR_IO when the listener cannot be made).
 */
#ifndef QSCD_SSA_H
#define QSCD_SSA_H

#include <stddef.h>
#include <stdint.h>

/* Bounds of the input discipline (spec/csc-api.md §2). */
#define SSA_BODY_MAX      65536u  /* request body bytes; more: 413 */
#define SSA_HASHES_MAX    32u     /* hashes per request (the SAM's bound) */
#define SSA_TOKENS_MAX    4096u   /* live bearer tokens */
#define SSA_TOKEN_TTL     3600u   /* bearer token lifetime, seconds */
#define SSA_CLIENTS_MAX   64u

typedef struct ssa_config {
    const char *sam_socket;   /* the SAM's Unix socket */
    const char *listen_addr;  /* IPv4 address to bind, default 127.0.0.1 */
    unsigned port;            /* 0: any free port (ssa_port tells which) */
    const char *tls_cert;     /* PEM file: the server certificate (then its chain) */
    const char *tls_key;      /* PEM file: its private key */
    const char *clients;      /* the registered client applications (spec/csc-api.md §3) */
    const char *name;         /* the service name `info` shows */
    unsigned token_ttl;       /* bearer token lifetime; 0: SSA_TOKEN_TTL */
    int quiet;                /* no request log on stderr */
} ssa_config;

typedef struct ssa ssa;

/* Start the service (its own threads); *out to stop with ssa_stop. */
int ssa_start(const ssa_config *cfg, ssa **out);
/* The TCP port it listens on. */
unsigned ssa_port(const ssa *s);
/* Stop serving, wipe the token table, free. NULL is allowed. */
void ssa_stop(ssa *s);

/* The CSC methods this service serves, NULL-terminated (for `info` and the OpenAPI test). */
extern const char *const ssa_methods[];

/* Register a client: a line for the clients file from an id, a secret and the signers it may
 * act for ("*" for any, else a comma-separated list). 0 or -1 (bad id or no room). */
int ssa_client_line(const char *id, const char *secret, const char *signers, char *out,
                    size_t cap);

/* Issue a TLS server certificate for localhost and 127.0.0.1 with the CA in ca_cert/ca_key
 * (PEM files), valid for days; cert and key written as PEM (key mode 0600). 0 or -1. */
int ssa_tls_issue(const char *ca_cert, const char *ca_key, const char *cert_out,
                  const char *key_out, int days);

/* `qscd ssa` and `qscd serve`: the command's exit status (0, 1, 2 usage). */
int ssa_cli(int argc, char **argv);
int ssa_serve_cli(int argc, char **argv);

#endif
