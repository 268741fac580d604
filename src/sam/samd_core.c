/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening and closing the service's world: the configuration the core reads, the module and
 * the SAM's own keys in it (SAD token MAC key, audit seal key, backup KEK), the store, the
 * CA. With `create` (qscd sam --init) the keys that are missing are made; otherwise a missing
 * key is an error that says to run --init.
 */
#include "samd_int.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void core_config(samd *d)
{
    const samd_config *c = &d->cfg;
    size_t n = strlen(c->service_name);

    memset(&d->core, 0, sizeof d->core);
    d->core.audience_len = (uint8_t)n;
    memcpy(d->core.audience, c->service_name, n);
    d->core.token_ttl = c->token_ttl;
    d->core.token_max_life = c->token_max_life;
    d->core.clock_skew = c->clock_skew;
    d->core.lockout_limit = (uint32_t)c->lockout_limit;
    d->core.challenge_ttl = c->challenge_ttl;
    d->core.otp_step = c->otp_step;
    d->core.otp_digits = (uint32_t)c->otp_digits;
}

static int open_module(samd *d)
{
    const samd_config *c = &d->cfg;
    char pin[P11A_PIN_MAX + 1], err[512];
    p11a_config pc;
    int rc;

    if (c->softhsm_conf[0] != '\0')
        setenv("SOFTHSM2_CONF", c->softhsm_conf, 1);
    if (samd_secret_read(c->pin_file, pin, sizeof pin, err, sizeof err) != 0) {
        fprintf(stderr, "qscd sam: user PIN: %s\n", err);
        return QSCD_ERR_CONFIG;
    }
    memset(&pc, 0, sizeof pc);
    pc.module = c->uri[0] != '\0' ? NULL : c->module;
    pc.uri = c->uri[0] != '\0' ? c->uri : NULL;
    pc.token_label = c->token_label[0] != '\0' ? c->token_label : NULL;
    pc.init_args = c->init_args[0] != '\0' ? c->init_args : NULL;
    pc.user_pin = pin;
    pc.max_sessions = (unsigned)samd_config_workers(c) + 4;
    rc = p11a_open(&pc, &d->hsm);
    samd_wipe(pin, sizeof pin);
    if (rc != QSCD_OK)
        fprintf(stderr, "qscd sam: cannot open the cryptographic module: %s (%s)\n",
                qscd_err_name(rc), p11a_last_error());
    return rc;
}

/* One of the SAM's HMAC keys: found, or (create) made. */
static int own_mac_key(samd *d, const char *id, p11a_key *k, int create)
{
    int rc = p11a_key_find(d->hsm, (const uint8_t *)id, strlen(id), k);

    if (rc == QSCD_ERR_NOT_FOUND && create) {
        rc = p11a_mac_generate(d->hsm, 32, (const uint8_t *)id, strlen(id), id, k);
        if (rc == QSCD_OK)
            printf("qscd sam --init: created the key %s in the module\n", id);
    } else if (rc == QSCD_ERR_NOT_FOUND) {
        fprintf(stderr, "qscd sam: the key %s is not in the module: run `qscd sam --init`\n",
                id);
    }
    return rc;
}

/* The backup KEK is made in a security-officer session, so only when the SO PIN is at hand;
 * without it the service runs and refuses key.backup (QSCD_ERR_UNSUPPORTED). */
static int own_kek(samd *d, int create)
{
    const uint8_t *id = (const uint8_t *)SAMD_KEK_ID;
    char so[P11A_PIN_MAX + 1], err[512];
    p11a_key k;
    int rc = p11a_key_find(d->hsm, id, strlen(SAMD_KEK_ID), &k);

    if (rc == QSCD_OK)
        p11a_key_clear(&k);
    if (rc == QSCD_ERR_NOT_FOUND && create && d->cfg.so_pin_file[0] != '\0') {
        if (samd_secret_read(d->cfg.so_pin_file, so, sizeof so, err, sizeof err) != 0) {
            fprintf(stderr, "qscd sam --init: no backup KEK made: %s\n", err);
            return QSCD_OK;
        }
        rc = p11a_kek_create(d->hsm, so, id, strlen(SAMD_KEK_ID), SAMD_KEK_ID);
        samd_wipe(so, sizeof so);
        if (rc == QSCD_OK)
            printf("qscd sam --init: created the backup KEK %s in the module\n", SAMD_KEK_ID);
    }
    d->have_kek = rc == QSCD_OK;
    return rc == QSCD_OK || rc == QSCD_ERR_NOT_FOUND ? QSCD_OK : rc;
}

static void digest_config(samd *d)
{
    char *text = malloc(65536);

    if (text != NULL) {
        size_t n = samd_config_text(&d->cfg, text, 65536);
        SHA256((const uint8_t *)text, n, d->config_digest);
        free(text);
    }
}

int samd_open(samd *d, const samd_config *cfg, int create)
{
    int rc;

    memset(d, 0, sizeof *d);
    d->cfg = *cfg;
    core_config(d);
    digest_config(d);
    pthread_mutex_init(&d->keys_mu, NULL);
    for (int i = 0; i < SAMD_STRIPES; i++)
        pthread_mutex_init(&d->stripes[i], NULL);
    d->kdf_gate = malloc(sizeof *d->kdf_gate);
    if (d->kdf_gate != NULL &&
        sem_init(d->kdf_gate, 0, (unsigned)samd_config_kdf_slots(cfg)) != 0) {
        free(d->kdf_gate);
        d->kdf_gate = NULL;
    }
    samd_ports_init(d);
    samd_monitor_init(d);
    rc = d->kdf_gate == NULL ? QSCD_ERR_NOMEM
         : samd_token_repair(cfg, &d->token_repaired) == 0 ? QSCD_OK : QSCD_ERR_IO;
    if (rc == QSCD_OK)
        rc = open_module(d);
    if (rc == QSCD_OK && samd_token_keep(cfg) != 0)
        fprintf(stderr, "qscd sam: could not keep a copy of the token's file\n");
    if (rc == QSCD_OK)
        rc = own_mac_key(d, SAMD_SAD_KEY_ID, &d->sad_key, create);
    if (rc == QSCD_OK)
        rc = own_mac_key(d, SAMD_SEAL_KEY_ID, &d->seal_key, create);
    if (rc == QSCD_OK)
        rc = own_kek(d, create);
    if (rc == QSCD_OK) {
        rc = store_open(cfg->database, &d->ports, &d->db);
        if (rc != QSCD_OK)
            fprintf(stderr, "qscd sam: cannot open the database %s: %s (%s)\n", cfg->database,
                    qscd_err_name(rc), store_last_error());
    }
    if (rc == QSCD_OK)
        rc = samd_ca_load(d);
    if (rc != QSCD_OK)
        samd_close(d);
    return rc;
}

void samd_close(samd *d)
{
    samd_key *k = d->keys, *next;

    store_close(d->db);
    d->db = NULL;
    for (; k != NULL; k = next) {
        next = k->next;
        p11a_key_clear(&k->key);
        free(k);
    }
    d->keys = NULL;
    p11a_key_clear(&d->sad_key);
    p11a_key_clear(&d->seal_key);
    p11a_close(d->hsm);
    d->hsm = NULL;
    samd_ca_free(d);
    pthread_mutex_destroy(&d->keys_mu);
    samd_monitor_close(d);
    for (int i = 0; i < SAMD_STRIPES; i++)
        pthread_mutex_destroy(&d->stripes[i]);
    if (d->kdf_gate != NULL) {
        sem_destroy(d->kdf_gate);
        free(d->kdf_gate);
        d->kdf_gate = NULL;
    }
}
