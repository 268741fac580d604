/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The embedded SoftHSMv2 token against crashes. SoftHSMv2 2.6.1's file object store rewrites
 * the token's `token.object` in place (ftruncate to 0, then write, no fsync) at every
 * C_Login, and the SAM logs in for every signature (CKA_ALWAYS_AUTHENTICATE). A SIGKILL
 * between the two calls leaves the file empty and the token unusable: every key lost. (Found
 * by the SIGKILL test, conformance/unit/test_samdkill.c; Debian's SoftHSMv2 has no
 * transactional SQLite store to switch to.)
 *
 * So, for its own embedded token only, the SAM keeps a copy of `token.object` as it stood
 * after `qscd sam --init` made it and after the last successful start, written atomically
 * (temporary file, fsync, rename), and at start, before the module is loaded, puts it back
 * if the live file is missing or was cut to nothing. Empty is the only torn state a SIGKILL
 * can leave: SoftHSMv2 writes the whole file (320 bytes) with one write() through its stdio
 * buffer (checked with strace), and the kernel does not split a write within one page.
 * The copy differs from the live file only by SoftHSM's object generation counter.
 * The file holds the token's label, flags and its PIN-wrapped token keys; the SAM never
 * changes PINs, so its content does not change between starts. (A PIN changed with
 * SoftHSM's own tools while the SAM is stopped is copied at the next start.) A repair is
 * reported on stderr and in the audit log (event 902, cred.recover, hash_alg 3). External
 * modules are the operator's: nothing is touched.
 */
#include "samd_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN_OBJECT_MAX 65536

/* The token's directory: the one directory under the configuration's tokendir. */
static int token_dir(const samd_config *c, char *out, size_t cap)
{
    char line[SAMD_PATH_MAX + 64], dir[SAMD_PATH_MAX] = "";
    FILE *f = fopen(c->softhsm_conf, "r");
    struct dirent *e;
    DIR *d;
    int found = 0;

    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, " directories.tokendir = %1023s", dir) == 1)
            break;
    if (f != NULL)
        fclose(f);
    d = dir[0] != '\0' ? opendir(dir) : NULL;
    while (d != NULL && (e = readdir(d)) != NULL) {
        char path[2 * SAMD_PATH_MAX];
        struct stat st;
        size_t n;

        if (e->d_name[0] == '.')
            continue;
        /* d_type is DT_UNKNOWN on some file systems: ask stat. */
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        n = strlen(path);
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode) || n >= cap)
            continue;
        found++;
        memcpy(out, path, n + 1);
    }
    if (d != NULL)
        closedir(d);
    return found == 1 ? 0 : -1;
}

static long read_all(const char *path, uint8_t *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, cap) : -1;

    if (fd >= 0)
        close(fd);
    return (long)n;
}

/* Write buf to path atomically: a temporary file, fsync, rename, fsync of the directory. */
static int write_atomic(const char *path, const uint8_t *buf, size_t len)
{
    char tmp[SAMD_PATH_MAX + 8], dir[SAMD_PATH_MAX];
    int fd, ok, dfd;

    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ok = fd >= 0 && write(fd, buf, len) == (ssize_t)len && fsync(fd) == 0;
    if (fd >= 0)
        ok = close(fd) == 0 && ok;
    ok = ok && rename(tmp, path) == 0;
    snprintf(dir, sizeof dir, "%s", path);
    dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return ok ? 0 : -1;
}

static void kept_path(const samd_config *c, char *out, size_t cap)
{
    char dir[SAMD_PATH_MAX];

    snprintf(dir, sizeof dir, "%s", c->softhsm_conf);
    snprintf(out, cap, "%s/token.object.kept", dirname(dir));
}

/* The live file and the copy of the embedded token; -1 for a configured module (or a token
 * directory that is not exactly one), which is left alone. */
static int token_paths(const samd_config *c, char live[SAMD_PATH_MAX + 16],
                       char kept[SAMD_PATH_MAX + 24])
{
    char dir[SAMD_PATH_MAX];

    if (!c->embedded || token_dir(c, dir, sizeof dir) != 0)
        return -1;
    snprintf(live, SAMD_PATH_MAX + 16, "%s/token.object", dir);
    kept_path(c, kept, SAMD_PATH_MAX + 24);
    return 0;
}

/* Copy from to `to` atomically when from has content: 1 copied, 0 from is missing or
 * empty, -1 failure. */
static int copy_atomic(const char *from, const char *to)
{
    uint8_t *buf = malloc(TOKEN_OBJECT_MAX);
    long n = buf != NULL ? read_all(from, buf, TOKEN_OBJECT_MAX) : -1;
    int rc = buf == NULL ? -1 : 0;

    if (n > 0)
        rc = write_atomic(to, buf, (size_t)n) == 0 ? 1 : -1;
    free(buf);
    return rc;
}

int samd_token_repair(const samd_config *c, int *repaired)
{
    char live[SAMD_PATH_MAX + 16], kept[SAMD_PATH_MAX + 24];
    struct stat st;
    int rc;

    *repaired = 0;
    if (token_paths(c, live, kept) != 0 || (stat(live, &st) == 0 && st.st_size > 0))
        return 0;
    rc = copy_atomic(kept, live);
    fprintf(stderr, "qscd sam: the token's %s was cut by a crash: %s %s\n", live,
            rc > 0 ? "restored from" : rc == 0 ? "no copy to restore in" :
                                                "COULD NOT BE RESTORED from", kept);
    *repaired = rc > 0;
    return rc < 0 ? -1 : 0;
}

int samd_token_keep(const samd_config *c)
{
    char live[SAMD_PATH_MAX + 16], kept[SAMD_PATH_MAX + 24];

    if (token_paths(c, live, kept) != 0)
        return 0;
    return copy_atomic(live, kept) < 0 ? -1 : 0;
}
