/* SPDX-License-Identifier: Apache-2.0 */
/* The audit chain (contracts and record layout in audit.h). */
#include "audit.h"

#include "qscd_mem.h"

/*@ requires off <= AUDIT_REC_LEN && \valid(out + (off .. off + 7));
    terminates \true;
    assigns out[off .. off + 7];
*/
static void put_u64(uint8_t *out, size_t off, uint64_t v)
{
    size_t i;

    /*@ loop invariant 0 <= i <= 8;
        loop assigns i, out[off .. off + 7];
        loop variant 8 - i;
    */
    for (i = 0; i < 8; i++)
        out[off + i] = (uint8_t)((v >> (56u - 8u * (unsigned)i)) % 256u);
}

/*@ requires off <= AUDIT_REC_LEN && \valid(out + (off .. off + 3));
    terminates \true;
    assigns out[off .. off + 3];
*/
static void put_u32(uint8_t *out, size_t off, uint32_t v)
{
    out[off] = (uint8_t)(v / 16777216u);
    out[off + 1] = (uint8_t)((v / 65536u) % 256u);
    out[off + 2] = (uint8_t)((v / 256u) % 256u);
    out[off + 3] = (uint8_t)(v % 256u);
}

/* An id into its slot: length byte, then 64 bytes, zero-padded. */
/*@ requires \valid_read(id) && id->len <= QSCD_ID_MAX;
    requires off <= AUDIT_REC_LEN && \valid(out + (off .. off + QSCD_ID_MAX));
    requires \separated(id, out + (off .. off + QSCD_ID_MAX));
    terminates \true;
    assigns out[off .. off + QSCD_ID_MAX];
*/
static void put_id(uint8_t *out, size_t off, const qscd_id *id)
{
    out[off] = id->len;
    qscd_wipe(&out[off + 1], QSCD_ID_MAX);
    qscd_copy(&out[off + 1], id->b, id->len);
}

int audit_record_encode(const sam_event *ev, uint64_t seq, uint8_t *out)
{
    /* The digest length read once, checked, and used from here. */
    uint8_t first_len = ev->first_hash_len;
    int rc = QSCD_ERR_AUDIT_RECORD;

    qscd_wipe(out, AUDIT_REC_LEN);
    /* audit_event_ok spelled out on the fields themselves, not through a flag: EVA does not
     * relate a flag to the values it was computed from, and must see each field's range
     * where it is converted below. */
    if (ev->actor.len <= QSCD_ID_MAX && ev->cred.len <= QSCD_ID_MAX &&
        first_len <= QSCD_MAX_DIGEST && ev->time >= 0 && ev->op >= 0 && ev->role >= 0 &&
        ev->outcome >= 0 && ev->hash_alg >= 0) {
        out[0] = 'Q';
        out[1] = 'A';
        out[2] = AUDIT_VERSION;
        put_u64(out, 3, seq);
        put_u64(out, 11, (uint64_t)ev->time);
        put_u32(out, 19, (uint32_t)ev->op);
        put_u32(out, 23, (uint32_t)ev->role);
        put_u32(out, 27, (uint32_t)ev->outcome);
        put_id(out, 31, &ev->actor);
        put_id(out, 96, &ev->cred);
        out[161] = ev->has_token;
        qscd_copy(&out[162], ev->token_id, QSCD_TOKEN_ID_LEN);
        put_u32(out, 178, (uint32_t)ev->hash_alg);
        put_u32(out, 182, ev->count);
        out[186] = first_len;
        qscd_copy(&out[187], ev->first_hash, first_len);
        rc = QSCD_OK;
    }
    return rc;
}

void audit_chain_init(audit_chain *c)
{
    c->next_seq = 0;
    qscd_wipe(c->head, AUDIT_HASH_LEN);
}

int audit_chain_append(qscd_ports *p, audit_chain *c, const sam_event *ev, uint8_t *rec,
                       uint8_t *link)
{
    int rc = QSCD_ERR_LIMIT;

    if (c->next_seq < 0xffffffffffffffffu) {
        rc = audit_record_encode(ev, c->next_seq, rec);
        if (rc == QSCD_OK)
            rc = qscd_port_sha256(p, c->head, AUDIT_HASH_LEN, rec, AUDIT_REC_LEN, link);
        if (rc == QSCD_OK) {
            qscd_copy(c->head, link, AUDIT_HASH_LEN);
            c->next_seq = c->next_seq + 1;
        }
    }
    return rc;
}

int audit_walk_step(qscd_ports *p, audit_chain *w, const sam_event *ev, uint64_t seq,
                    const uint8_t *stored)
{
    uint8_t rec[AUDIT_REC_LEN];
    uint8_t link[AUDIT_HASH_LEN];
    int rc = QSCD_ERR_AUDIT_MISSING;

    if (seq == w->next_seq && w->next_seq < 0xffffffffffffffffu) {
        rc = audit_record_encode(ev, seq, rec);
        if (rc == QSCD_OK)
            rc = qscd_port_sha256(p, w->head, AUDIT_HASH_LEN, rec, AUDIT_REC_LEN, link);
        if (rc == QSCD_OK && qscd_ct_equal(link, stored, AUDIT_HASH_LEN) != 1)
            rc = QSCD_ERR_AUDIT_CHAIN;
        if (rc == QSCD_OK) {
            qscd_copy(w->head, stored, AUDIT_HASH_LEN);
            w->next_seq = w->next_seq + 1;
        }
    }
    return rc;
}

/*@ requires \valid_read(c);
    requires \valid(data + (0 .. AUDIT_SEAL_DATA_LEN - 1));
    requires \separated(c, data + (0 .. AUDIT_SEAL_DATA_LEN - 1));
    terminates \true;
    assigns data[0 .. AUDIT_SEAL_DATA_LEN - 1];
*/
static void seal_data(const audit_chain *c, uint8_t *data)
{
    qscd_copy(data, c->head, AUDIT_HASH_LEN);
    put_u64(data, AUDIT_HASH_LEN, c->next_seq);
}

int audit_seal(qscd_ports *p, const audit_chain *c, uint8_t *seal)
{
    uint8_t data[AUDIT_SEAL_DATA_LEN];

    seal_data(c, data);
    return qscd_port_seal_mac(p, data, sizeof data, seal);
}

int audit_seal_verify(qscd_ports *p, const audit_chain *c, const uint8_t *seal)
{
    uint8_t data[AUDIT_SEAL_DATA_LEN];
    uint8_t mac[AUDIT_HASH_LEN];
    int rc;

    seal_data(c, data);
    rc = qscd_port_seal_mac(p, data, sizeof data, mac);
    if (rc == QSCD_OK && qscd_ct_equal(mac, seal, AUDIT_HASH_LEN) != 1)
        rc = QSCD_ERR_AUDIT_SEAL;
    qscd_wipe(mac, sizeof mac);
    return rc;
}
