/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `qscd` command: `qscd sam` (the Signature Activation Module), `qscd admin` (every
 * operation of the SAM protocol), `qscd audit verify|export` (the auditor's), `qscd ca init`
 * (a test CA). Exit status: 0 done, 1 refused or failed, 2 usage.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samd.h"
#include "signer.h"
#include "ssa.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: qscd COMMAND [OPTIONS]    (qscd COMMAND --help for more)\n\n"
               "  sam     run the Signature Activation Module (--init to set it up)\n"
               "  admin   any operation of the SAM protocol (signers, credentials, keys, ...)\n"
               "  audit   verify or export the audit log (auditor)\n"
               "  ca      make a test CA (ca init)\n"
               "  ssa     serve the CSC API v2 over HTTPS in front of a SAM\n"
               "  serve   a SAM and an SSA with the embedded defaults (the demo)\n"
               "  sign    sign a file through the CSC API (detached CMS, FILE.p7s)\n"
               "  verify  check a detached CMS signature\n\n"
               "Exit status: 0 done, 1 refused or failed, 2 usage.\n");
}

static void sam_usage(FILE *f)
{
    fprintf(f, "usage: qscd sam [--config FILE] [--data DIR] [--init] [--print-config]\n\n"
               "Runs the SAM until SIGTERM or SIGINT. The configuration (spec/sam-config.md) is\n"
               "--config FILE, else DIR/sam.conf when present, else the defaults for the data\n"
               "directory DIR (--data, default /var/lib/qscd).\n"
               "  --init          create what is missing: a SoftHSMv2 token under DIR when no\n"
               "                  module is configured, a test CA, the SAM's keys, the database,\n"
               "                  the first security officer (password from $QSCD_ADMIN_PASSWORD\n"
               "                  or admin_password_file, else generated and printed once); then\n"
               "                  exit. Running it again keeps what exists.\n"
               "  --print-config  print the effective configuration and exit\n");
}

int cli_sam(int argc, char **argv)
{
    samd_options o = { NULL, NULL, 0, 0 };

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            sam_usage(stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            o.config = argv[++i];
        } else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            o.data_dir = argv[++i];
        } else if (strcmp(argv[i], "--init") == 0) {
            o.init = 1;
        } else if (strcmp(argv[i], "--print-config") == 0) {
            o.print_config = 1;
        } else {
            fprintf(stderr, "qscd sam: unexpected '%s'\n", argv[i]);
            sam_usage(stderr);
            return CLI_USAGE;
        }
    }
    return samd_main(&o);
}

int cli_ca(int argc, char **argv)
{
    const char *dir = NULL, *name = "qscd test CA";
    int days = 3650, force = 0;

    bool help = (argc > 0 && strcmp(argv[0], "--help") == 0) ||
                (argc > 1 && strcmp(argv[1], "--help") == 0);

    if (argc < 1 || strcmp(argv[0], "init") != 0 || help) {
        FILE *f = help ? stdout : stderr;
        fprintf(f, "usage: qscd ca init --dir DIR [--name CN] [--days N] [--force]\n\n"
                   "Makes a TEST CA in DIR: ca.pem and ca-key.pem (EC P-256, a software key in a\n"
                   "file marked TEST ONLY). Point the SAM's ca_cert and ca_key at them. Existing\n"
                   "files are kept unless --force.\n");
        return f == stdout ? CLI_OK : CLI_USAGE;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (strcmp(argv[i], "--days") == 0 && i + 1 < argc)
            days = atoi(argv[++i]);
        else if (strcmp(argv[i], "--force") == 0)
            force = 1;
        else {
            fprintf(stderr, "qscd ca init: unexpected '%s'\n", argv[i]);
            return CLI_USAGE;
        }
    }
    if (dir == NULL || days < 1 || days > 36500) {
        fprintf(stderr, "qscd ca init: --dir DIR is required (and --days 1..36500)\n");
        return CLI_USAGE;
    }
    return samd_ca_create(dir, name, days, force) == 0 ? CLI_OK : CLI_FAILED;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "sam") == 0)
        return cli_sam(argc - 2, argv + 2);
    if (strcmp(argv[1], "admin") == 0)
        return cli_admin(argc - 2, argv + 2);
    if (strcmp(argv[1], "audit") == 0)
        return cli_audit(argc - 2, argv + 2);
    if (strcmp(argv[1], "ca") == 0)
        return cli_ca(argc - 2, argv + 2);
    if (strcmp(argv[1], "ssa") == 0)
        return ssa_cli(argc - 2, argv + 2);
    if (strcmp(argv[1], "serve") == 0)
        return ssa_serve_cli(argc - 2, argv + 2);
    if (strcmp(argv[1], "sign") == 0)
        return signer_sign_cli(argc - 2, argv + 2);
    if (strcmp(argv[1], "verify") == 0)
        return signer_verify_cli(argc - 2, argv + 2);
    fprintf(stderr, "qscd: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
