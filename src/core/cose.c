/* SPDX-License-Identifier: Apache-2.0 */
/*
 * COSE_Sign1 / COSE_Mac0 parsing and the to-be-signed structures (contracts in cose.h). The
 * message is first validated whole by scbor_check, then read with the proved readers; every
 * part is an offset and a length into the caller's buffer.
 */
#include "cose.h"

/* The CBOR profile of a COSE message, and of the map inside its protected bstr. */
static const scbor_limits cose_limits = { 8u, 256u, 0x100000u, SCBOR_ALLOW_TAGS };
static const scbor_limits cose_hdr_limits = { 4u, 64u, 4096u, 0u };

static const uint8_t cose_ctx_sig1[10] = { 'S', 'i', 'g', 'n', 'a', 't', 'u', 'r', 'e', '1' };
static const uint8_t cose_ctx_mac0[4] = { 'M', 'A', 'C', '0' };

/* What one header bucket holds of the parameters we read. */
typedef struct cose_hdr {
    size_t kid_off, kid_len;
    int64_t alg;
    bool has_alg, alg_int, has_kid;
} cose_hdr;

/* A byte string to put in a structure: src[off .. off+n-1], a part of src[0 .. src_len-1]. */
typedef struct cose_part {
    const uint8_t *src;
    size_t src_len, off, n;
} cose_part;

/*@ predicate part_ok{L}(cose_part *p) =
      \valid_read(p) && \valid_read(p->src + (0 .. p->src_len - 1));
*/

/* --------------------------------------------------------------------------- parsing */

/* The tag in front of the message, as mode wants it; *arr: where the array starts. */
/*@ requires \valid_read(buf + (0 .. len - 1)) && 0 < len;
    requires \valid(arr) && \valid(tagged) && \separated(arr, tagged, buf + (0 .. len - 1));
    terminates \true;
    assigns *arr, *tagged;
    ensures \result == QSCD_OK ==> *arr < len;
*/
static int cose_untag(const uint8_t *buf, size_t len, cose_tag_mode mode, uint64_t want,
                      size_t *arr, bool *tagged)
{
    uint64_t tag = 0;
    size_t content = 0;
    int rc = QSCD_OK;

    *arr = 0;
    *tagged = false;
    if (mode != COSE_TAG_REQUIRED && mode != COSE_TAG_OPTIONAL && mode != COSE_TAG_FORBIDDEN) {
        rc = QSCD_ERR_ARG;
    } else if (scbor_get_tag(buf, len, 0, &tag, &content) == QSCD_OK) {
        if (tag != want || mode == COSE_TAG_FORBIDDEN) {
            rc = QSCD_ERR_COSE_TAG;
        } else {
            *arr = content;
            *tagged = true;
        }
    } else if (mode == COSE_TAG_REQUIRED) {
        rc = QSCD_ERR_COSE_TAG;
    }
    return rc;
}

/* The four elements of the array at buf[arr]; *unprot: where the unprotected map is. */
/*@ requires \valid_read(buf + (0 .. len - 1));
    requires \valid(m) && \valid(unprot) && \separated(m, unprot, buf + (0 .. len - 1));
    terminates \true;
    assigns m->prot_off, m->prot_len, m->payload_off, m->payload_len, m->sig_off, m->sig_len,
            m->detached, *unprot;
    ensures \result == QSCD_OK ==>
      m->prot_off + m->prot_len <= len && m->sig_off + m->sig_len <= len && *unprot < len &&
      (!m->detached ==> m->payload_off + m->payload_len <= len);
*/
static int cose_layout(const uint8_t *buf, size_t len, size_t arr, cose_msg *m, size_t *unprot)
{
    uint64_t n = 0;
    size_t e = 0;
    int rc = scbor_get_array(buf, len, arr, &n, &e);

    if (rc == QSCD_OK && n != 4u)
        rc = QSCD_ERR_COSE_STRUCTURE;
    if (rc == QSCD_OK)
        rc = scbor_get_bstr(buf, len, e, &m->prot_off, &m->prot_len);
    if (rc == QSCD_OK)
        rc = scbor_skip(buf, len, e, &e);
    if (rc == QSCD_OK) {
        *unprot = e;
        rc = scbor_skip(buf, len, e, &e);
    }
    if (rc == QSCD_OK) {
        m->detached = scbor_is_null(buf, len, e);
        m->payload_off = 0;
        m->payload_len = 0;
        if (!m->detached)
            rc = scbor_get_bstr(buf, len, e, &m->payload_off, &m->payload_len);
    }
    if (rc == QSCD_OK)
        rc = scbor_skip(buf, len, e, &e);
    if (rc == QSCD_OK)
        rc = scbor_get_bstr(buf, len, e, &m->sig_off, &m->sig_len);
    if (rc != QSCD_OK)
        rc = QSCD_ERR_COSE_STRUCTURE;
    return rc;
}

/* One header parameter: label at buf[p], value at buf[v]. Labels are integers or text strings
 * (RFC 9052 §3); we read alg and kid, refuse crit, and ignore the others. */
/*@ requires \valid_read(buf + (0 .. end - 1));
    requires \valid(h) && \separated(h, buf + (0 .. end - 1));
    requires h->has_kid ==> h->kid_off + h->kid_len <= end;
    terminates \true;
    assigns *h;
    ensures h->has_kid ==> h->kid_off + h->kid_len <= end;
*/
static int cose_param(const uint8_t *buf, size_t end, size_t p, size_t v, cose_hdr *h)
{
    int64_t label = 0;
    size_t a = 0, b = 0;
    int rc = scbor_get_int(buf, end, p, &label);

    if (rc != QSCD_OK) {
        /* a text label is legal and not one we know; anything else is no label */
        rc = scbor_get_tstr(buf, end, p, &a, &b) == QSCD_OK ? QSCD_OK : QSCD_ERR_COSE_HEADER;
    } else if (label == COSE_HDR_CRIT) {
        rc = QSCD_ERR_COSE_HEADER;
    } else if (label == COSE_HDR_ALG) {
        h->has_alg = true;
        h->alg_int = scbor_get_int(buf, end, v, &h->alg) == QSCD_OK;
    } else if (label == COSE_HDR_KID) {
        if (scbor_get_bstr(buf, end, v, &a, &b) != QSCD_OK) {
            rc = QSCD_ERR_COSE_HEADER;
        } else {
            h->has_kid = true;
            h->kid_off = a;
            h->kid_len = b;
        }
    }
    return rc;
}

/* The header map at buf[map_off]; a label also found in the map at buf[other_off] (which ends
 * at other_end, and is absent when other_off == other_end) is refused (RFC 9052 §3). */
/*@ requires \valid_read(buf + (0 .. end - 1)) && end <= SCBOR_MAX_LEN;
    requires other_off <= other_end <= end;
    requires \valid(h) && \separated(h, buf + (0 .. end - 1));
    requires h->has_kid ==> h->kid_off + h->kid_len <= end;
    terminates \true;
    assigns *h;
    ensures h->has_kid ==> h->kid_off + h->kid_len <= end;
*/
static int cose_bucket(const uint8_t *buf, size_t end, size_t map_off, size_t other_off,
                       size_t other_end, cose_hdr *h)
{
    uint64_t n = 0, i;
    size_t p = 0, v = 0, found = 0;
    int rc = scbor_get_map(buf, end, map_off, &n, &p);

    /*@ loop invariant 0 <= i <= n && p <= end;
        loop invariant h->has_kid ==> h->kid_off + h->kid_len <= end;
        loop assigns i, p, v, found, rc, *h;
        loop variant n - i;
    */
    for (i = 0; i < n && rc == QSCD_OK; i++) {
        rc = scbor_skip(buf, end, p, &v);
        if (rc == QSCD_OK && other_off < other_end &&
            scbor_map_find_enc(buf, other_end, other_off, buf, p, v, &found) != QSCD_ERR_NOT_FOUND)
            rc = QSCD_ERR_COSE_HEADER;
        if (rc == QSCD_OK)
            rc = cose_param(buf, end, p, v, h);
        if (rc == QSCD_OK)
            rc = scbor_skip(buf, end, v, &p);
    }
    if (rc != QSCD_OK)
        rc = QSCD_ERR_COSE_HEADER;
    return rc;
}

/* alg from the one bucket that has it, and kid. */
/*@ requires \valid(m) && \valid_read(ph) && \valid_read(uh) && \separated(m, ph, uh);
    terminates \true;
    assigns m->alg, m->alg_protected, m->has_kid, m->kid_off, m->kid_len;
    ensures m->has_kid ==> (ph->has_kid && m->kid_off == ph->kid_off && m->kid_len == ph->kid_len) ||
                           (uh->has_kid && m->kid_off == uh->kid_off && m->kid_len == uh->kid_len);
*/
static int cose_pick(cose_msg *m, const cose_hdr *ph, const cose_hdr *uh)
{
    const cose_hdr *a = ph->has_alg ? ph : uh;
    const cose_hdr *k = ph->has_kid ? ph : uh;
    int rc = QSCD_OK;

    m->alg_protected = ph->has_alg;
    m->alg = a->alg;
    m->has_kid = k->has_kid;
    m->kid_off = k->kid_off;
    m->kid_len = k->kid_len;
    if (!a->has_alg || !a->alg_int)
        rc = QSCD_ERR_COSE_ALG;
    return rc;
}

/* Both buckets. The protected one is a bstr holding one map of the header profile (or
 * nothing); the unprotected one is a map. */
/*@ requires \valid_read(buf + (0 .. len - 1)) && len <= SCBOR_MAX_LEN;
    requires \valid(m) && \separated(m, buf + (0 .. len - 1));
    requires m->prot_off + m->prot_len <= len;
    terminates \true;
    assigns m->alg, m->alg_protected, m->has_kid, m->kid_off, m->kid_len;
    ensures \result == QSCD_OK && m->has_kid ==> m->kid_off + m->kid_len <= len;
*/
static int cose_headers(const uint8_t *buf, size_t len, cose_msg *m, size_t unprot)
{
    cose_hdr ph = { 0, 0, 0, false, false, false }, uh = { 0, 0, 0, false, false, false };
    size_t pend = m->prot_off + m->prot_len, other_end = m->prot_off, first = 0;
    uint64_t n = 0;
    int rc = QSCD_OK;

    /*@ assert inside: pend <= len; */
    if (m->prot_len > 0u) {
        other_end = pend;
        if (scbor_check_at(buf, pend, m->prot_off, &cose_hdr_limits) != QSCD_OK)
            rc = QSCD_ERR_COSE_HEADER;
        else
            rc = cose_bucket(buf, pend, m->prot_off, m->prot_off, m->prot_off, &ph);
    }
    if (rc == QSCD_OK && scbor_get_map(buf, len, unprot, &n, &first) != QSCD_OK)
        rc = QSCD_ERR_COSE_STRUCTURE;
    else if (rc == QSCD_OK)
        rc = cose_bucket(buf, len, unprot, m->prot_off, other_end, &uh);
    if (rc == QSCD_OK)
        rc = cose_pick(m, &ph, &uh);
    return rc;
}

/* The algorithm is on the message type's allow-list and the signature or tag has its size. */
/*@ requires \valid_read(m);
    terminates \true;
    assigns \nothing;
    ensures mac: \result == QSCD_OK && mac ==> cose_mac0_alg(m->alg, m->sig_len);
    ensures sign: \result == QSCD_OK && !mac ==> cose_sign1_alg(m->alg, m->sig_len);
*/
static int cose_alg_check(const cose_msg *m, bool mac)
{
    size_t want = 0;
    int rc = QSCD_OK;

    if (mac && m->alg == COSE_ALG_HMAC256)
        want = 32;
    else if (!mac && m->alg == COSE_ALG_ES256)
        want = 64;
    else if (!mac && m->alg == COSE_ALG_ES384)
        want = 96;
    if (want == 0u)
        rc = QSCD_ERR_COSE_ALG;
    else if (m->sig_len != want)
        rc = QSCD_ERR_COSE_SIG_LENGTH;
    return rc;
}

/* Field by field: WP proves field equalities after this far more easily than after a struct
 * assignment. */
/*@ requires \valid(dst) && \valid_read(src) && \separated(dst, src);
    terminates \true;
    assigns *dst;
    ensures dst->prot_off == src->prot_off && dst->prot_len == src->prot_len;
    ensures dst->kid_off == src->kid_off && dst->kid_len == src->kid_len;
    ensures dst->payload_off == src->payload_off && dst->payload_len == src->payload_len;
    ensures dst->sig_off == src->sig_off && dst->sig_len == src->sig_len;
    ensures dst->alg == src->alg && dst->alg_protected == src->alg_protected;
    ensures dst->has_kid == src->has_kid && dst->detached == src->detached;
    ensures dst->tagged == src->tagged;
*/
static void cose_msg_copy(cose_msg *dst, const cose_msg *src)
{
    dst->prot_off = src->prot_off;
    dst->prot_len = src->prot_len;
    dst->kid_off = src->kid_off;
    dst->kid_len = src->kid_len;
    dst->payload_off = src->payload_off;
    dst->payload_len = src->payload_len;
    dst->sig_off = src->sig_off;
    dst->sig_len = src->sig_len;
    dst->alg = src->alg;
    dst->alg_protected = src->alg_protected;
    dst->has_kid = src->has_kid;
    dst->detached = src->detached;
    dst->tagged = src->tagged;
}

/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_msg: \valid(msg);
    requires sep: \separated(msg, buf + (0 .. len - 1));
    terminates \true;
    assigns *msg;
    ensures ok_in: \result == QSCD_OK ==> cose_msg_in(msg, len);
    ensures ok_alg: \result == QSCD_OK ==>
      (mac ? cose_mac0_alg(msg->alg, msg->sig_len) : cose_sign1_alg(msg->alg, msg->sig_len));
    ensures untouched: \result != QSCD_OK ==> *msg == \old(*msg);
*/
static int cose_parse(const uint8_t *buf, size_t len, cose_tag_mode mode, uint64_t want,
                      bool mac, cose_msg *msg)
{
    cose_msg m = { 0, 0, 0, 0, 0, 0, 0, 0, 0, false, false, false, false };
    size_t n = 0, arr = 0, unprot = 0;
    int rc = scbor_check(buf, len, &cose_limits, &n);

    if (rc == QSCD_OK)
        rc = cose_untag(buf, len, mode, want, &arr, &m.tagged);
    if (rc == QSCD_OK)
        rc = cose_layout(buf, len, arr, &m, &unprot);
    if (rc == QSCD_OK)
        rc = cose_headers(buf, len, &m, unprot);
    if (rc == QSCD_OK)
        rc = cose_alg_check(&m, mac);
    /*@ assert alg_ok: rc == QSCD_OK ==>
          (mac ? cose_mac0_alg(m.alg, m.sig_len) : cose_sign1_alg(m.alg, m.sig_len)); */
    if (rc == QSCD_OK)
        cose_msg_copy(msg, &m);
    return rc;
}

int cose_sign1_parse(const uint8_t *buf, size_t len, cose_tag_mode mode, cose_msg *msg)
{
    return cose_parse(buf, len, mode, COSE_TAG_SIGN1, false, msg);
}

int cose_mac0_parse(const uint8_t *buf, size_t len, cose_tag_mode mode, cose_msg *msg)
{
    return cose_parse(buf, len, mode, COSE_TAG_MAC0, true, msg);
}

/* ------------------------------------------------------------------------ structures */

/* [context, protected, external_aad, payload] (RFC 9052 §4.4, §6.3) into out[0 .. cap-1]. */
/*@ requires part_ok(prot) && part_ok(aad) && part_ok(pl);
    requires \valid(out + (0 .. cap - 1)) && \valid(out_len);
    requires sep_out: \separated(out + (0 .. cap - 1), out_len);
    requires sep_parts: \separated(out + (0 .. cap - 1), prot, aad, pl) &&
                        \separated(out_len, prot, aad, pl);
    requires sep_prot: \separated(out + (0 .. cap - 1), prot->src + (0 .. prot->src_len - 1)) &&
                       \separated(out_len, prot->src + (0 .. prot->src_len - 1));
    requires sep_aad: \separated(out + (0 .. cap - 1), aad->src + (0 .. aad->src_len - 1)) &&
                      \separated(out_len, aad->src + (0 .. aad->src_len - 1));
    requires sep_pl: \separated(out + (0 .. cap - 1), pl->src + (0 .. pl->src_len - 1)) &&
                     \separated(out_len, pl->src + (0 .. pl->src_len - 1));
    terminates \true;
    assigns out[0 .. cap - 1], *out_len;
    ensures \result == QSCD_OK ==> *out_len <= cap;
*/
static int cose_structure(bool mac, const cose_part *prot, const cose_part *aad,
                          const cose_part *pl, uint8_t *out, size_t cap, size_t *out_len)
{
    scbor_enc e;

    scbor_enc_init(&e, out, cap);
    scbor_put_array(&e, 4u);
    if (mac)
        scbor_put_tstr(&e, cose_ctx_mac0, sizeof cose_ctx_mac0);
    else
        scbor_put_tstr(&e, cose_ctx_sig1, sizeof cose_ctx_sig1);
    scbor_put_bstr_at(&e, prot->src, prot->src_len, prot->off, prot->n);
    scbor_put_bstr_at(&e, aad->src, aad->src_len, aad->off, aad->n);
    scbor_put_bstr_at(&e, pl->src, pl->src_len, pl->off, pl->n);
    if (e.err == QSCD_OK)
        *out_len = e.len;
    return e.err;
}

/*@ requires valid_msg: \valid_read(msg);
    requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires valid_aad: \valid_read(aad + (0 .. aad_len - 1));
    requires valid_payload: \valid_read(payload + (0 .. payload_len - 1));
    requires valid_out: \valid(out + (0 .. cap - 1)) && \valid(out_len);
    requires sep_out: \separated(out + (0 .. cap - 1), out_len);
    requires sep_msg: \separated(out + (0 .. cap - 1), msg) && \separated(out_len, msg);
    requires sep_buf: \separated(out + (0 .. cap - 1), buf + (0 .. len - 1)) &&
                      \separated(out_len, buf + (0 .. len - 1));
    requires sep_aad: \separated(out + (0 .. cap - 1), aad + (0 .. aad_len - 1)) &&
                      \separated(out_len, aad + (0 .. aad_len - 1));
    requires sep_payload: \separated(out + (0 .. cap - 1), payload + (0 .. payload_len - 1)) &&
                          \separated(out_len, payload + (0 .. payload_len - 1));
    terminates \true;
    assigns out[0 .. cap - 1], *out_len;
    ensures ok: \result == QSCD_OK ==> *out_len <= cap;
*/
static int cose_msg_structure(bool mac, const cose_msg *msg, const uint8_t *buf, size_t len,
                              const uint8_t *aad, size_t aad_len, const uint8_t *payload,
                              size_t payload_len, uint8_t *out, size_t cap, size_t *out_len)
{
    cose_part prot = { buf, len, msg->prot_off, msg->prot_len };
    cose_part a = { aad, aad_len, 0, aad_len };
    cose_part pl = { buf, len, msg->payload_off, msg->payload_len };
    int rc = QSCD_OK;

    /* h'a0' holds no parameter: the structure carries an empty bstr (RFC 9052 §3) */
    if (msg->prot_len == 1u && msg->prot_off < len && buf[msg->prot_off] == 0xa0u)
        prot.n = 0;
    if (msg->detached) {
        pl.src = payload;
        pl.src_len = payload_len;
        pl.off = 0;
        pl.n = payload_len;
    } else if (payload_len != 0u) {
        rc = QSCD_ERR_ARG;
    }
    if (rc == QSCD_OK)
        rc = cose_structure(mac, &prot, &a, &pl, out, cap, out_len);
    return rc;
}

int cose_sig_structure(const cose_msg *msg, const uint8_t *buf, size_t len, const uint8_t *aad,
                       size_t aad_len, const uint8_t *payload, size_t payload_len, uint8_t *out,
                       size_t cap, size_t *out_len)
{
    return cose_msg_structure(false, msg, buf, len, aad, aad_len, payload, payload_len, out,
                              cap, out_len);
}

int cose_mac_structure(const cose_msg *msg, const uint8_t *buf, size_t len, const uint8_t *aad,
                       size_t aad_len, const uint8_t *payload, size_t payload_len, uint8_t *out,
                       size_t cap, size_t *out_len)
{
    return cose_msg_structure(true, msg, buf, len, aad, aad_len, payload, payload_len, out,
                              cap, out_len);
}

/* ------------------------------------------------------------------------- issuing */

int cose_protected_header(int64_t alg, uint8_t *out, size_t cap, size_t *out_len)
{
    scbor_enc e;

    scbor_enc_init(&e, out, cap);
    scbor_put_map(&e, 1u);
    scbor_put_uint(&e, COSE_HDR_ALG);
    scbor_put_int(&e, alg);
    if (e.err == QSCD_OK)
        *out_len = e.len;
    return e.err;
}

int cose_mac0_tbs(int64_t alg, const uint8_t *aad, size_t aad_len, const uint8_t *payload,
                  size_t payload_len, uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t hdr[COSE_PROTECTED_MAX] = { 0 };
    size_t hl = 0;
    cose_part prot, a = { aad, aad_len, 0, aad_len }, pl = { payload, payload_len, 0, payload_len };
    int rc = QSCD_ERR_COSE_ALG;

    if (alg == COSE_ALG_HMAC256)
        rc = cose_protected_header(alg, hdr, sizeof hdr, &hl);
    if (rc == QSCD_OK) {
        prot.src = hdr;
        prot.src_len = sizeof hdr;
        prot.off = 0;
        prot.n = hl;
        rc = cose_structure(true, &prot, &a, &pl, out, cap, out_len);
    }
    return rc;
}

int cose_mac0_encode(int64_t alg, const uint8_t *payload, size_t payload_len, const uint8_t *tag,
                     size_t tag_len, bool tagged, uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t hdr[COSE_PROTECTED_MAX] = { 0 };
    size_t hl = 0;
    scbor_enc e;
    int rc = QSCD_ERR_COSE_ALG;

    if (alg == COSE_ALG_HMAC256)
        rc = tag_len == 32u ? cose_protected_header(alg, hdr, sizeof hdr, &hl)
                            : QSCD_ERR_COSE_SIG_LENGTH;
    if (rc == QSCD_OK) {
        scbor_enc_init(&e, out, cap);
        if (tagged)
            scbor_put_tag(&e, COSE_TAG_MAC0);
        scbor_put_array(&e, 4u);
        scbor_put_bstr_at(&e, hdr, sizeof hdr, 0, hl);
        scbor_put_map(&e, 0u);
        scbor_put_bstr(&e, payload, payload_len);
        scbor_put_bstr(&e, tag, tag_len);
        rc = e.err;
        if (rc == QSCD_OK)
            *out_len = e.len;
    }
    return rc;
}
