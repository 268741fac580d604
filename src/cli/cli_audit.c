/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `qscd audit verify|export`: the auditor's view of the SAM's audit log, through the SAM
 * (which holds the seal key). verify walks the hash chain and the seals and names the first
 * record that does not verify (exit status 1); export writes every record as a JSON line.
 */
#include "cli.h"
#include "cli_cmds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qscd_err.h"
#include "scbor.h"

#define PAGE 1000

static void usage(FILE *f)
{
    fprintf(f, "usage: qscd audit [--socket PATH] [--as auditor:ID] [--password-file FILE]\n"
               "                  [--timeout SECONDS] [--wait SECONDS] verify | export [--from SEQ]\n\n"
               "verify: check the hash chain and the seals of the whole log; names the first\n"
               "        broken record and exits 1 when there is one.\n"
               "export: every record from SEQ (default 0) as one JSON line each.\n"
               "The caller defaults to $QSCD_AS, else auditor:auditor; the password comes from\n"
               "--password-file, $QSCD_ADMIN_PASSWORD or a prompt.\n");
}

static int verify(const cli_conn *c)
{
    uint64_t records = 0, seals = 0, bad = 0, why = 0;
    samc_resp r;
    int rc = cli_call(c, "audit verify", SAMC_AUDIT_VERIFY, NULL, 0, &r);

    if (rc == CLI_OK) {
        samc_get_uint(&r, 1, &records);
        samc_get_uint(&r, 2, &seals);
        if (samc_get_uint(&r, 3, &bad) == QSCD_OK) {
            samc_get_uint(&r, 4, &why);
            printf("audit: BROKEN at record %llu: %s (%s); %llu records and %llu seals verified "
                   "before it\n", (unsigned long long)bad, qscd_err_name((int)why),
                   qscd_err_message((int)why), (unsigned long long)records,
                   (unsigned long long)seals);
            rc = CLI_FAILED;
        } else {
            printf("audit: intact: %llu records, %llu seals verified\n",
                   (unsigned long long)records, (unsigned long long)seals);
        }
    }
    samc_resp_free(&r);
    return rc;
}

static int export_all(const cli_conn *c, uint64_t from)
{
    uint8_t params[32];
    size_t n = PAGE;
    int rc = CLI_OK;

    while (rc == CLI_OK && n == PAGE) {
        scbor_enc e;
        samc_resp r;
        int64_t last = -1;
        scbor_enc_init(&e, params, sizeof params);
        scbor_put_map(&e, 2);
        scbor_put_uint(&e, 1);
        scbor_put_uint(&e, from);
        scbor_put_uint(&e, 2);
        scbor_put_uint(&e, PAGE);
        rc = cli_call(c, "audit export", SAMC_AUDIT_EXPORT, params, e.len, &r);
        if (rc == CLI_OK && cli_print_records(&r, &n, &last) != 0)
            rc = CLI_FAILED;
        if (rc == CLI_OK && n > 0)
            from = (uint64_t)last + 1;
        samc_resp_free(&r);
    }
    return rc;
}

int cli_audit(int argc, char **argv)
{
    cli_conn c;
    uint64_t from = 0;
    int used = 0, rc = cli_conn_options(argc, argv, "auditor:auditor", &c, &used);

    if (rc == CLI_OK && (used >= argc || strcmp(argv[used], "--help") == 0)) {
        usage(used >= argc ? stderr : stdout);
        return used >= argc ? CLI_USAGE : CLI_OK;
    }
    if (rc == CLI_OK && strcmp(argv[used], "export") == 0 && used + 2 < argc &&
        strcmp(argv[used + 1], "--from") == 0) {
        from = strtoull(argv[used + 2], NULL, 10);
        used += 2;
    }
    if (rc == CLI_OK && (used + 1 != argc || (strcmp(argv[used], "verify") != 0 &&
                                              strcmp(argv[used], "export") != 0))) {
        usage(stderr);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK)
        rc = cli_conn_password(&c);
    if (rc == CLI_OK)
        rc = strcmp(argv[used], "verify") == 0 ? verify(&c) : export_all(&c, from);
    memset(&c, 0, sizeof c);
    return rc;
}
