/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SAM service (`qscd sam`): the Signature Activation Module as a process. It alone loads
 * the PKCS#11 module and holds the user PIN; it answers the SAM protocol
 * (spec/sam-protocol.md) on a Unix socket, deciding every authorisation and signature with
 * the verified core (src/core/sam.h) and keeping its state in the store (src/store/store.h).
 * Configuration: spec/sam-config.md.
 */
#ifndef QSCD_SAMD_H
#define QSCD_SAMD_H

typedef struct samd_options {
    const char *config;     /* --config FILE, or NULL: <data>/sam.conf when it exists */
    const char *data_dir;   /* --data DIR, or NULL: the configuration's (default /var/lib/qscd) */
    int init;               /* --init: create the token, keys, database and first officer */
    int print_config;       /* --print-config: print the effective configuration and exit */
} samd_options;

/* Run `qscd sam` with these options until SIGTERM or SIGINT (or, with init or print_config,
 * until that is done). Returns the process exit status: 0 on a clean stop, 1 when the service
 * could not start or failed, 2 for a configuration error. Messages go to stderr. */
int samd_main(const samd_options *o);

/* `qscd ca init`: make a test CA in dir (created if needed): ca.pem, its self-signed
 * certificate, and ca-key.pem, its EC P-256 key in a PEM file of mode 0600 whose first line
 * marks it TEST ONLY. Existing files are kept unless force. Returns 0, or -1 with a message
 * on stderr. */
int samd_ca_create(const char *dir, const char *name, int days, int force);

#endif
