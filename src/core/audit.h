/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit chain (DESIGN §5, EN 419 241-1 SRG_AA.2, SRG_AA.3, SRG_AA.7). Every event becomes
 * one record with a fixed canonical byte layout; the records are chained with SHA-256
 * (link_i = H(link_{i-1} || record_i), link_0 over 32 zero bytes) and the chain head is
 * sealed from time to time with an HSM key (HMAC-SHA-256 over head || sequence number).
 * A verifier walks the records in sequence order: a deleted, inserted, reordered or edited
 * record breaks the sequence or the chain, a forged tail breaks the seal.
 *
 * Record layout (AUDIT_REC_LEN bytes, integers big-endian, ids zero-padded):
 *   0   'Q' 'A' version(1)      3   seq u64      11  time i64      19  op i32
 *   23  role i32                27  outcome i32  31  actor len u8 + 64 bytes
 *   96  cred len u8 + 64 bytes  161 has_token u8 162 token id 16 bytes
 *   178 hash_alg i32            182 count u32    186 first hash len u8 + 64 bytes
 *   251 end
 */
#ifndef QSCD_AUDIT_H
#define QSCD_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "qscd_ports.h"
#include "sam_types.h"

#define AUDIT_REC_LEN 251
#define AUDIT_HASH_LEN 32
#define AUDIT_VERSION 1
/* Sealed data: head (32) || seq (8, big-endian). */
#define AUDIT_SEAL_DATA_LEN 40

/*@ predicate audit_event_ok(sam_event *ev) =
        \valid_read(ev) && ev->actor.len <= QSCD_ID_MAX && ev->cred.len <= QSCD_ID_MAX &&
        ev->first_hash_len <= QSCD_MAX_DIGEST && ev->time >= 0 &&
        ev->op >= 0 && ev->role >= 0 && ev->outcome >= 0 && ev->hash_alg >= 0;
*/

/* The canonical bytes of one record. Fields that do not fit (an id or a digest longer than
 * its slot) make the record invalid rather than truncated.
 *
 *   QSCD_OK                  out[0 .. AUDIT_REC_LEN - 1] holds the record
 *   QSCD_ERR_AUDIT_RECORD    a length field is out of range
 */
/*@ requires \valid_read(ev);
    requires \valid(out + (0 .. AUDIT_REC_LEN - 1));
    requires \separated(ev, out + (0 .. AUDIT_REC_LEN - 1));
    terminates \true;
    assigns out[0 .. AUDIT_REC_LEN - 1];
    ensures \result == QSCD_OK <==> \at(audit_event_ok(ev), Pre);
    ensures SRG_AA_3_parameters: \result == QSCD_OK ==> out[0] == 'Q' && out[1] == 'A' &&
        out[2] == AUDIT_VERSION;
*/
int audit_record_encode(const sam_event *ev, uint64_t seq, uint8_t *out);

/* Where a chain stands: the next sequence number and the last link. */
typedef struct audit_chain {
    uint64_t next_seq;
    uint8_t  head[AUDIT_HASH_LEN];
} audit_chain;

/* Start a chain (or a verification walk) at sequence 0 with an all-zero head. */
/*@ requires \valid(c);
    terminates \true;
    assigns *c;
    ensures c->next_seq == 0;
    ensures \forall integer k; 0 <= k < AUDIT_HASH_LEN ==> c->head[k] == 0;
*/
void audit_chain_init(audit_chain *c);

/* Append: the record for ev at the chain's next sequence number and its link; the chain
 * advances only on success. The shell stores record fields, seq and link together.
 *
 *   QSCD_OK                 rec and link hold the new record; c advanced by one
 *   QSCD_ERR_AUDIT_RECORD   ev is not a valid record
 *   QSCD_ERR_LIMIT          the sequence number space is exhausted
 *   other                   the hash port's error
 */
/*@ requires \valid(c) && \valid_read(ev);
    requires \valid(rec + (0 .. AUDIT_REC_LEN - 1)) && \valid(link + (0 .. AUDIT_HASH_LEN - 1));
    requires \separated(c, ev, rec + (0 .. AUDIT_REC_LEN - 1), link + (0 .. AUDIT_HASH_LEN - 1));
    terminates \true;
    assigns *c, rec[0 .. AUDIT_REC_LEN - 1], link[0 .. AUDIT_HASH_LEN - 1];
    ensures SRG_AA_2_append_only: \result == QSCD_OK ==> c->next_seq == \old(c->next_seq) + 1;
    ensures \result == QSCD_OK ==> \forall integer k; 0 <= k < AUDIT_HASH_LEN ==> c->head[k] == link[k];
    ensures \result != QSCD_OK ==> c->next_seq == \old(c->next_seq);
*/
int audit_chain_append(qscd_ports *p, audit_chain *c, const sam_event *ev, uint8_t *rec,
                       uint8_t *link);

/* Verify the next stored record of a walk: it must carry the walk's next sequence number and
 * its stored link must be the hash of the walk's head and the record rebuilt from its fields.
 *
 *   QSCD_OK                 the record continues the chain; the walk advanced
 *   QSCD_ERR_AUDIT_MISSING  sequence number is not the next one (deleted, inserted, reordered)
 *   QSCD_ERR_AUDIT_CHAIN    the link does not match (a field or the link was edited)
 *   QSCD_ERR_AUDIT_RECORD   the stored fields do not form a valid record
 *   other                   the hash port's error
 * On error the walk is unchanged, so the caller reports this record as the first broken one.
 */
/*@ requires \valid(w) && \valid_read(ev);
    requires \valid_read(stored + (0 .. AUDIT_HASH_LEN - 1));
    requires \separated(w, ev, stored + (0 .. AUDIT_HASH_LEN - 1));
    terminates \true;
    assigns *w;
    ensures SRG_AA_7_sequence: \result == QSCD_OK ==> seq == \old(w->next_seq);
    ensures \result == QSCD_OK ==> w->next_seq == \old(w->next_seq) + 1;
    ensures \result == QSCD_OK ==> \forall integer k; 0 <= k < AUDIT_HASH_LEN ==> w->head[k] == stored[k];
    ensures \result != QSCD_OK ==> w->next_seq == \old(w->next_seq);
*/
int audit_walk_step(qscd_ports *p, audit_chain *w, const sam_event *ev, uint64_t seq,
                    const uint8_t *stored);

/* The seal over a chain position: HMAC(seal key, head || seq) by the seal port. */
/*@ requires \valid_read(c);
    requires \valid(seal + (0 .. AUDIT_HASH_LEN - 1));
    requires \separated(c, seal + (0 .. AUDIT_HASH_LEN - 1));
    terminates \true;
    assigns seal[0 .. AUDIT_HASH_LEN - 1];
*/
int audit_seal(qscd_ports *p, const audit_chain *c, uint8_t *seal);

/* Check a stored seal against the walk's position, in constant time.
 *
 *   QSCD_OK                the seal is the HSM's over this head and sequence number
 *   QSCD_ERR_AUDIT_SEAL    it is not
 *   other                  the seal port's error
 */
/*@ requires \valid_read(c);
    requires \valid_read(seal + (0 .. AUDIT_HASH_LEN - 1));
    terminates \true;
    assigns \nothing;
*/
int audit_seal_verify(qscd_ports *p, const audit_chain *c, const uint8_t *seal);

#endif
