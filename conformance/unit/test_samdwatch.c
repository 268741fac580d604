/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the SAM monitor's counting rules (src/sam/samd_watch.c, EN 419 241-1 SRG_AA.6.1,
 * TS 119 431-1 OVR-6.5.3-02): a burst of failed authentications within a sliding window
 * raises one alert, and no other until a window has passed (no alert storm); a signer over
 * its authorisation limit in its window raises one alert per window.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samd_watch.h"

static samd_burst B;
static samd_rate R;

/* SRG_AA.6.1: limit-1 failures within the window are quiet, the limit-th alerts, with the
 * number counted. */
static void test_burst_at_limit_SRG_AA_6_1(void)
{
    uint32_t n = 0;

    samd_burst_init(&B);
    for (int i = 0; i < 9; i++)
        CU_ASSERT_EQUAL(samd_burst_note(&B, 1000 + i, 10, 60, &n), 0);
    CU_ASSERT_EQUAL(n, 9);
    CU_ASSERT_EQUAL(samd_burst_note(&B, 1009, 10, 60, &n), 1);
    CU_ASSERT_EQUAL(n, 10);
}

/* No alert storm: after an alert, more failures in the same window are counted but quiet;
 * a burst after the window alerts again. */
static void test_burst_one_per_window(void)
{
    uint32_t n = 0;
    int alerts = 0;

    samd_burst_init(&B);
    for (int i = 0; i < 50; i++)
        alerts += samd_burst_note(&B, 1000 + i, 10, 60, &n);
    CU_ASSERT_EQUAL(alerts, 1);
    CU_ASSERT_EQUAL(n, 10); /* the ring holds the last limit failures */
    for (int i = 0; i < 10; i++)
        alerts += samd_burst_note(&B, 1009 + 60 + i, 10, 60, &n);
    CU_ASSERT_EQUAL(alerts, 2);
}

/* The window slides: failures spread wider than the window never reach the limit. */
static void test_burst_spread_quiet(void)
{
    uint32_t n = 0;
    int alerts = 0;

    samd_burst_init(&B);
    for (int i = 0; i < 100; i++)
        alerts += samd_burst_note(&B, 1000 + 7 * i, 10, 60, &n);
    CU_ASSERT_EQUAL(alerts, 0);
    CU_ASSERT_EQUAL(n, 9); /* 0, 7, .., 56 s back: nine within 60 s */
}

/* A limit of 0 turns the check off; a clock stepped back does not hide a burst. */
static void test_burst_off_and_clock_back(void)
{
    uint32_t n = 0;
    int alerts = 0;

    samd_burst_init(&B);
    for (int i = 0; i < 20; i++)
        alerts += samd_burst_note(&B, 1000 + i, 0, 60, &n);
    CU_ASSERT_EQUAL(alerts, 0);
    CU_ASSERT_EQUAL(n, 0);
    samd_burst_init(&B);
    for (int i = 0; i < 3; i++)
        alerts += samd_burst_note(&B, 5000 - 100 * i, 3, 60, &n);
    CU_ASSERT_EQUAL(alerts, 1);
}

/* SRG_AA.6.1: a signer over its limit alerts once in its window; another signer's count is
 * its own; the next window counts afresh. */
static void test_rate_per_signer_SRG_AA_6_1(void)
{
    uint32_t n = 0;
    int alerts = 0;

    samd_rate_init(&R);
    for (int i = 0; i < 3; i++)
        alerts += samd_rate_note(&R, (const uint8_t *)"alice", 5, 100 + i, 3, 300, &n);
    CU_ASSERT_EQUAL(alerts, 0);
    CU_ASSERT_EQUAL(samd_rate_note(&R, (const uint8_t *)"bob", 3, 103, 3, 300, &n), 0);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(samd_rate_note(&R, (const uint8_t *)"alice", 5, 104, 3, 300, &n), 1);
    CU_ASSERT_EQUAL(n, 4);
    for (int i = 0; i < 20; i++)
        alerts += samd_rate_note(&R, (const uint8_t *)"alice", 5, 105 + i, 3, 300, &n);
    CU_ASSERT_EQUAL(alerts, 0);
    for (int i = 0; i < 4; i++)
        alerts += samd_rate_note(&R, (const uint8_t *)"alice", 5, 400 + i, 3, 300, &n);
    CU_ASSERT_EQUAL(alerts, 1);
    CU_ASSERT_EQUAL(n, 4);
}

/* More signers than slots: the least recent window is forgotten, the newcomer counts from
 * one; a limit of 0 or an over-long id counts nothing. */
static void test_rate_table_full(void)
{
    uint8_t id[16];
    uint32_t n = 0;

    samd_rate_init(&R);
    for (int i = 0; i < SAMD_WATCH_SUBJECTS; i++) {
        snprintf((char *)id, sizeof id, "s%05d", i);
        samd_rate_note(&R, id, 6, 100 + i, 5, 3600, &n);
        samd_rate_note(&R, id, 6, 100 + i, 5, 3600, &n);
    }
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(samd_rate_note(&R, (const uint8_t *)"new", 3, 1000, 5, 3600, &n), 0);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(samd_rate_note(&R, (const uint8_t *)"s00000", 6, 1001, 5, 3600, &n), 0);
    CU_ASSERT_EQUAL(n, 1); /* s00000 (the oldest window) was the one forgotten */
    snprintf((char *)id, sizeof id, "s%05d", 1);
    CU_ASSERT_EQUAL(samd_rate_note(&R, id, 6, 1002, 5, 3600, &n), 0);
    CU_ASSERT_EQUAL(n, 1); /* and then s00001, the next oldest, for s00000 */
    CU_ASSERT_EQUAL(samd_rate_note(&R, (const uint8_t *)"x", 1, 1003, 0, 3600, &n), 0);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(samd_rate_note(&R, id, SAMD_WATCH_ID_MAX + 1, 1003, 5, 3600, &n), 0);
    CU_ASSERT_EQUAL(n, 0);
}

UNIT_SUITE(samdwatch)
{
    static const unit_test tests[] = {
        { "burst_at_limit_SRG_AA_6_1", test_burst_at_limit_SRG_AA_6_1 },
        { "burst_one_per_window", test_burst_one_per_window },
        { "burst_spread_quiet", test_burst_spread_quiet },
        { "burst_off_and_clock_back", test_burst_off_and_clock_back },
        { "rate_per_signer_SRG_AA_6_1", test_rate_per_signer_SRG_AA_6_1 },
        { "rate_table_full", test_rate_table_full },
        { NULL, NULL },
    };
    return unit_add_suite("samdwatch", NULL, NULL, tests);
}
