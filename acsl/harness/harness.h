/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Common ground of the EVA drivers: every driver fills buffers with unknown bytes and
 * unknown lengths (Frama_C_make_unknown, Frama_C_interval) and calls one core entry point,
 * so EVA explores every input the entry point can receive. Compiled only under Frama-C.
 */
#ifndef QSCD_HARNESS_H
#define QSCD_HARNESS_H
#include <stddef.h>
#include <stdint.h>
#include "__fc_builtin.h"

/* Largest unknown input a driver feeds; large enough to reach every size check. */
#define HARNESS_MAX 512

/* An unknown length in [lo, hi]. */
#define harness_len(lo, hi) ((size_t)Frama_C_unsigned_long_interval((lo), (hi)))

/* Fill buf[0 .. n-1] with unknown bytes. */
#define harness_bytes(buf, n) Frama_C_make_unknown((char *)(buf), (n))
#endif
