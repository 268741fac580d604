/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The reference target (--target ref): the reference stack started for the run. open()
 * runs ref_start.sh, which starts `qscd serve` on a throw-away data directory (port 0),
 * enrols the suite's signers and credentials with `qscd admin` and writes the CSC target's
 * configuration as a vendor would; the run is then the CSC target's, word for word; close()
 * stops the server it started (SIGTERM to the pid the script recorded, nothing else).
 */
#include "csc.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int reft_open(cf_target *ct, const cf_options *o, char *err, size_t errlen)
{
    csc_target *t = calloc(1, sizeof *t);
    char cmd[3000], path[1100];
    if (!t)
        return -1;
    ct->state = t;
    const char *qscd = o->qscd ? o->qscd : "build/rel/bin/qscd";
    snprintf(t->ref_dir, sizeof t->ref_dir, "%s", o->ref_dir ? o->ref_dir : "build/conformance/ref");
    if (access(qscd, X_OK) != 0) {
        snprintf(err, errlen, "%s is not there: build it (make) or name it with --qscd", qscd);
        return -1;
    }
    if (!o->quiet)
        fprintf(stderr, "qscd-conform: starting the reference stack in %s\n", t->ref_dir);
    snprintf(cmd, sizeof cmd, "%s/ref_start.sh '%s' '%s' >'%s.setup.log' 2>&1",
             o->ref_script_dir ? o->ref_script_dir : "conformance/runner", t->ref_dir, qscd,
             t->ref_dir);
    cf_mkdirs(t->ref_dir);
    int rc = system(cmd);
    snprintf(path, sizeof path, "%s/serve.pid", t->ref_dir);
    FILE *f = fopen(path, "r");
    for (int i = 0; f && i < 4 && fscanf(f, "%ld", &t->ref_pid[i]) == 1; i++)
        ;
    if (f)
        fclose(f);
    if (rc != 0) {
        snprintf(err, errlen, "the reference stack did not start (see %s.setup.log and "
                 "%s/serve.log)", t->ref_dir, t->ref_dir);
        return -1;
    }
    snprintf(path, sizeof path, "%s/csc-config.json", t->ref_dir);
    if (csc_open_config(ct, o, path, NULL, err, errlen) != 0)
        return -1;
    csc_worker w = {t, curl_easy_init()};
    rc = -1;
    if (w.curl && csc_info(&w, err, errlen) == 0)
        rc = csc_login(&w, csc_identity_get(t, "signer"), err, errlen);
    if (w.curl)
        curl_easy_cleanup(w.curl);
    return rc;
}

/* Stop a server this run started: SIGTERM to its pid, then wait until it is gone. */
static void stop_server(long pid)
{
    if (pid <= 0 || kill((pid_t)pid, SIGTERM) != 0)
        return;
    for (int i = 0; i < 200 && kill((pid_t)pid, 0) == 0; i++) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (kill((pid_t)pid, 0) == 0)
        fprintf(stderr, "qscd-conform: the reference server (pid %ld) did not stop\n", pid);
}

static void reft_close(cf_target *ct)
{
    csc_target *t = ct->state;
    if (!t)
        return;
    for (int i = 0; i < 4; i++)
        stop_server(t->ref_pid[i]);
    csc_target_free(t);
    ct->state = NULL;
}

int cf_target_ref(cf_target *t)
{
    cf_target_csc(t);
    t->open = reft_open;
    t->close = reft_close;
    return 0;
}
