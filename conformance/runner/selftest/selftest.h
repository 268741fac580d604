/* SPDX-License-Identifier: Apache-2.0 */
/* The runner's self-test parts, each reporting through the outcome function main owns. */
#ifndef CONFORM_SELFTEST_H
#define CONFORM_SELFTEST_H

typedef void (*outcome_fn)(const char *name, int ok, const char *why);

/* csc_cades_selftest.c: the CAdES judge against CMS signatures made there */
void csc_cades_selftest(outcome_fn out);

#endif
