/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The shells' side of the core's ports (acsl/ports/qscd_ports.h): a struct of function
 * pointers and a context. The core calls qscd_port_*(p, ...); src/common/ports.c forwards each
 * call to p->fn(p->ctx, ...). The running SAM fills the struct with its HSM, store, clock and
 * audit functions; the tests with theirs. Every function must keep the contract of its port:
 * that contract is what the proof of the core assumes (spec/trusted-base.md).
 */
#ifndef QSCD_COMMON_PORTS_H
#define QSCD_COMMON_PORTS_H

#include "qscd_ports.h"

struct qscd_ports {
    void *ctx;
    int (*now)(void *ctx, int64_t *now);
    int (*token_mac)(void *ctx, const uint8_t *data, size_t len, uint8_t *tag);
    int (*cred_get)(void *ctx, const qscd_id *id, sam_cred *out);
    int (*registry_consume)(void *ctx, const uint8_t *token_id, uint32_t n, uint32_t max);
    int (*sign)(void *ctx, const sam_sign_req *req, const sad_claims *authz, const sam_cred *cred,
                size_t i, uint8_t *sig, size_t cap, size_t *sig_len);
    int (*signer_get)(void *ctx, const qscd_id *id, sam_signer *out);
    int (*signer_update)(void *ctx, const qscd_id *id, uint32_t failures, int locked,
                         uint64_t otp_counter);
    int (*pin_derive)(void *ctx, const qscd_id *signer, const uint8_t *pin, size_t len,
                      uint8_t *out);
    int (*otp_mac)(void *ctx, const qscd_id *signer, uint64_t counter, uint8_t *mac);
    int (*random)(void *ctx, uint8_t *buf, size_t n);
    int (*registry_create)(void *ctx, const uint8_t *token_id, uint32_t max, int64_t exp);
    int (*registry_extend)(void *ctx, const uint8_t *token_id, uint32_t max, int64_t exp);
    int (*challenge_take)(void *ctx, const qscd_id *signer, const uint8_t *challenge,
                          int64_t *issued_at);
    int (*device_verify)(void *ctx, const qscd_id *signer, const uint8_t *tbs, size_t tbs_len,
                         const uint8_t *sig);
    int (*sha256)(void *ctx, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                  uint8_t *out);
    int (*seal_mac)(void *ctx, const uint8_t *data, size_t len, uint8_t *out);
    int (*audit)(void *ctx, const sam_event *ev);
};

#endif
