/* SPDX-License-Identifier: Apache-2.0 */
/* EVA driver for the audit chain: an event begun for an operation without a credential (the
 * SAM's administrative ones), record encoding of an unknown event, append, a verification
 * walk step over unknown stored links, seal and seal check. */
#include "harness.h"
#include "audit.h"
#include "sam_event.h"

void harness_audit(void)
{
    static sam_event ev;
    static audit_chain c, w;
    static uint8_t rec[AUDIT_REC_LEN], link[AUDIT_HASH_LEN], stored[AUDIT_HASH_LEN];
    static uint8_t seal[AUDIT_HASH_LEN];
    static sam_actor actor;
    uint64_t seq = (uint64_t)Frama_C_unsigned_long_interval(0, 0xffffffffffffffffUL);

    harness_bytes(&actor, sizeof actor);
    actor.id.len = (uint8_t)Frama_C_interval(1, QSCD_ID_MAX);
    sam_event_begin(&ev, Frama_C_interval(0, 50), &actor, (const qscd_id *)0);
    harness_bytes(&ev, sizeof ev);
    harness_bytes(stored, sizeof stored);
    (void)audit_record_encode(&ev, seq, rec);
    audit_chain_init(&c);
    (void)audit_chain_append((qscd_ports *)0, &c, &ev, rec, link);
    harness_bytes(&w, sizeof w);
    (void)audit_walk_step((qscd_ports *)0, &w, &ev, seq, stored);
    (void)audit_seal((qscd_ports *)0, &c, seal);
    harness_bytes(seal, sizeof seal);
    (void)audit_seal_verify((qscd_ports *)0, &c, seal);
}
