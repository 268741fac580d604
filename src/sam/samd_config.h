/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SAM's configuration file (spec/sam-config.md): `key = value` lines, `#` comments, every
 * key optional with a documented default. Relative paths are taken from the data directory.
 * When no PKCS#11 module is named, the SAM uses its embedded default: a SoftHSMv2 token under
 * the data directory, made by `qscd sam --init`.
 */
#ifndef QSCD_SAMD_CONFIG_H
#define QSCD_SAMD_CONFIG_H

#include <stddef.h>

#define SAMD_PATH_MAX 1024
/* sockaddr_un.sun_path holds 108 bytes, the terminating NUL included. */
#define SAMD_SOCKET_MAX 107
#define SAMD_SOFTHSM_MODULE "/usr/lib/softhsm/libsofthsm2.so"

typedef struct samd_config {
    char data_dir[SAMD_PATH_MAX];
    char socket[SAMD_PATH_MAX];
    char socket_group[64];
    char database[SAMD_PATH_MAX];
    /* the cryptographic module */
    char module[SAMD_PATH_MAX];
    char uri[SAMD_PATH_MAX];
    char token_label[33];
    char pin_file[SAMD_PATH_MAX];
    char so_pin_file[SAMD_PATH_MAX];
    char init_args[SAMD_PATH_MAX];
    char softhsm_conf[SAMD_PATH_MAX];
    int embedded;                 /* no module configured: the SoftHSMv2 token under data_dir */
    /* the SAP */
    char service_name[65];        /* the SAD tokens' audience */
    long token_ttl, token_max_life, clock_skew, lockout_limit, challenge_ttl, otp_digits, otp_step;
    long argon2_t, argon2_m, argon2_p;
    /* the server */
    long workers, max_connections, read_timeout;
    long seal_interval;           /* seconds between seals of the audit log's head */
    /* the monitor (SRG_AA.6.1): alerts on failed authentications and authorisation rates */
    long alert_auth_failures, alert_auth_window, alert_authz_limit, alert_authz_window;
    /* certificates */
    char ca_cert[SAMD_PATH_MAX];
    char ca_key[SAMD_PATH_MAX];
    char ca_files[SAMD_PATH_MAX]; /* more trust anchors for cert.import, comma-separated */
    long cert_days;
    /* the first security officer (`--init`) */
    char admin_id[65];
    char admin_password_file[SAMD_PATH_MAX];
} samd_config;

/* Defaults for a data directory (NULL: /var/lib/qscd). */
void samd_config_defaults(samd_config *c, const char *data_dir);

/* Read a configuration file over the defaults (samd_config_finish then resolves what depends
 * on the data directory). On error, err holds "FILE:LINE: what is wrong".
 *
 *   0    *c holds the configuration
 *   -1   the file cannot be read or a line is wrong
 */
int samd_config_load(samd_config *c, const char *path, char *err, size_t errlen);

/* Fill in what was left to the data directory (socket, database, token, CA) and check the
 * whole. Returns 0, or -1 with err set. */
int samd_config_finish(samd_config *c, char *err, size_t errlen);

/* The effective configuration as canonical text (one `key = value` line per key, in a fixed
 * order): what `qscd sam --print-config` shows and what the start event's digest covers. The
 * text is written into buf (NUL-terminated, truncated to cap). Returns its length. */
size_t samd_config_text(const samd_config *c, char *buf, size_t cap);

/* The worker threads that answer requests: `workers`, or when 0 four per online core (at
 * least 8): a worker spends much of a signature waiting (two durable commits, the module),
 * and the waiting ones are what lets one commit serve several requests. At most 64. */
long samd_config_workers(const samd_config *c);

/* The Argon2id verifications that may run at once: one per online core (at most the
 * workers): they are CPU-bound, and each holds argon2_m KiB while it runs. */
long samd_config_kdf_slots(const samd_config *c);

/* Read a secret (a PIN or a password) from a file: the first line, without its newline.
 * The file must be a regular file that only its owner can read or write (mode 0600 or
 * stricter). Returns 0, or -1 with err set. */
int samd_secret_read(const char *path, char *out, size_t cap, char *err, size_t errlen);

#endif
