/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the SAM protocol's frames (spec/sam-protocol.md): the input is a
 * frame as it arrives on the socket, a 4-byte header and the payload. The header goes through
 * samp_frame_len (whose answer must write back to the same header), the payload through the
 * verified request decoder (src/core/samp.h) and, once that accepts it, through every
 * parameter reader of the SAM shell (src/sam/samd_params.c) on every key, as the operations
 * call them; each result must lie inside the buffer and within the bounds asked for. The same
 * payload is read as a response by the SAM client's strict decoder (src/samc/samc.h).
 */
#include <string.h>

#include "fuzz_common.h"
#include "samc.h"
#include "samd_int.h"
#include "samp.h"

static void header(const uint8_t *d)
{
    uint8_t again[SAMP_HEADER_LEN];
    size_t n = 0;

    if (samp_frame_len(d, SAMP_REQUEST_MAX, &n) != QSCD_OK)
        return;
    CHECK(n >= 1 && n <= SAMP_REQUEST_MAX);
    samp_frame_header(n, again);
    CHECK(memcmp(again, d, SAMP_HEADER_LEN) == 0);
}

static bool inside(const samd_req *r, const uint8_t *p, size_t n)
{
    return p >= r->buf && n <= r->len && (size_t)(p - r->buf) <= r->len - n;
}

/* Every reader on key k, with bounds that vary with k so each branch is met. */
static void readers(const samd_req *r, int k)
{
    static uint8_t hashes[QSCD_MAX_HASHES * QSCD_MAX_DIGEST];
    const uint8_t *p = NULL;
    size_t n = 0, lo = (size_t)k % 5, hi = lo + 1 + 16 * (size_t)k;
    uint64_t v = 0, vlo = (uint64_t)k % 3, vhi = k == 8 ? UINT64_MAX : 255u * (uint64_t)k;
    qscd_id id;
    bool b;

    if (samd_param_bstr(r, k, lo, hi, &p, &n) == QSCD_OK)
        CHECK(inside(r, p, n) && lo <= n && n <= hi);
    if (samd_param_tstr(r, k, lo, hi, &p, &n) == QSCD_OK)
        CHECK(inside(r, p, n) && lo <= n && n <= hi && scbor_utf8_valid(p, n));
    if (samd_param_id(r, k, &id) == QSCD_OK)
        CHECK(id.len >= 1 && id.len <= QSCD_ID_MAX);
    if (samd_param_uint(r, k, vlo, vhi, &v) == QSCD_OK)
        CHECK(vlo <= v && v <= vhi);
    (void)samd_param_bool(r, k, &b);
    for (int alg = 0; alg <= 3; alg++)
        if (samd_param_hashes(r, k, alg, hashes, &n) == QSCD_OK)
            CHECK(n >= 1 && n <= QSCD_MAX_HASHES);
    CHECK(samd_param_has(r, k) == samd_param_has(r, k));
}

static void params(const uint8_t *buf, size_t len, const samp_request *env)
{
    /* (required, allowed) key sets as operations have them: authorize, sign, an id alone,
     * none, an id with optional others. */
    static const uint32_t sets[][2] = { { 0x1e, 0xfe }, { 0x3e, 0x3e }, { 0x02, 0x02 }, { 0, 0 },
                                        { 0x02, 0x7e } };
    samd_detail detail;
    samd_req r;

    memset(&r, 0, sizeof r);
    r.buf = buf;
    r.len = len;
    r.env = *env;
    r.detail = &detail;
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        CHECK(samd_params_check(&r, sets[i][0], sets[i][1]) == QSCD_OK ||
              samd_params_check(&r, sets[i][0], sets[i][1]) == QSCD_ERR_PROTO_FRAME);
    for (int k = 0; k <= 8; k++) {
        memset(&detail, 0, sizeof detail);
        readers(&r, k);
        CHECK(memchr(detail.text, '\0', sizeof detail.text) != NULL);
    }
}

static void request(const uint8_t *d, size_t n)
{
    samp_request env;
    uint64_t count = 0;
    size_t first = 0;
    int rc = samp_request_parse(d, n, &env);

    CHECK(rc == QSCD_OK || rc == QSCD_ERR_PROTO_VERSION || rc == QSCD_ERR_PROTO_FRAME);
    if (rc != QSCD_OK)
        return;
    CHECK(env.req_id_len >= 1 && env.req_id_len <= SAMP_REQUEST_ID_MAX);
    CHECK(env.req_id_off + env.req_id_len <= n);
    CHECK(env.caller.len >= 1 && env.caller.len <= QSCD_ID_MAX);
    CHECK(!env.has_password || (env.pw_off + env.pw_len <= n && env.pw_len <= SAMP_PASSWORD_MAX));
    CHECK(env.params_off < n && scbor_get_map(d, n, env.params_off, &count, &first) == QSCD_OK);
    params(d, n, &env);
}

/* The payload as a response: the client's decoder and its readers. */
static void response(const uint8_t *d, size_t n)
{
    uint8_t *buf = malloc(n > 0 ? n : 1);
    const uint8_t *p = NULL;
    size_t off = 0, len = 0, map = 0;
    uint64_t count = 0, u = 0;
    samc_resp r;

    CHECK(buf != NULL);
    memcpy(buf, d, n);
    if (samc_resp_parse(buf, n, NULL, 0, &r) == QSCD_OK) {
        CHECK(memchr(r.message, '\0', sizeof r.message) != NULL);
        for (int k = 0; k <= 8; k++) {
            (void)samc_get_uint(&r, k, &u);
            if (samc_get_bstr(&r, k, &p, &len) == QSCD_OK || samc_get_tstr(&r, k, &p, &len) == QSCD_OK)
                CHECK(p >= r.buf && (size_t)(p - r.buf) + len <= r.len);
            if (samc_get_array(&r, k, &count, &off) == QSCD_OK)
                for (uint64_t i = 0; i < count && off < r.len; i++)
                    if (samc_next_bstr(&r, &off, &p, &len) != QSCD_OK &&
                        samc_next_map(&r, &off, &map) != QSCD_OK)
                        break;
        }
    }
    samc_resp_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < SAMP_HEADER_LEN)
        return 0;
    header(data);
    request(data + SAMP_HEADER_LEN, size - SAMP_HEADER_LEN);
    response(data + SAMP_HEADER_LEN, size - SAMP_HEADER_LEN);
    return 0;
}
