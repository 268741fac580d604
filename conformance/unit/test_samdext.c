/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SAM on a configured module rather than its embedded token (spec/sam-config.md): a
 * SoftHSMv2 token made apart (src/tools/mktoken.sh), named by an RFC 7512 URI with
 * module-path, its PINs in 0600 files. `qscd sam --init` makes the SAM's keys in it and
 * nothing else; a signer is enrolled, a credential made and a signature verified with
 * OpenSSL; the token's files are the operator's (no copy kept, no sweep).
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qscd_err.h"
#include "sam_types.h"
#include "util_samd.h"

static it_sam T;
static const char *why_not;
static char token_dir[600];

#define NEED_SAM() do { if (why_not != NULL) UNIT_SKIP("%s", why_not); } while (0)

/* A token of its own, and a configuration naming it by URI. */
static int make_token(char *extra, size_t cap)
{
    char cmd[2000];

    snprintf(token_dir, sizeof token_dir, "%s/samdext-token", getenv("QSCD_IT_DIR"));
    snprintf(cmd, sizeof cmd, "src/tools/mktoken.sh '%s' qscd-ext 'ext-so-pin-1' "
             "'ext-user-pin-1' >/dev/null && umask 077 && echo ext-user-pin-1 > '%s/user.pin' "
             "&& echo ext-so-pin-1 > '%s/so.pin'", token_dir, token_dir, token_dir);
    if (system(cmd) != 0)
        return -1;
    snprintf(extra, cap, "uri = pkcs11:token=qscd-ext?module-path=/usr/lib/softhsm/libsofthsm2.so\n"
             "softhsm_conf = %s/softhsm2.conf\npin_file = %s/user.pin\n"
             "so_pin_file = %s/so.pin\n", token_dir, token_dir, token_dir);
    return 0;
}

static int setup(void)
{
    char extra[2000];

    why_not = it_unavailable();
    if (why_not != NULL)
        return 0;
    if (make_token(extra, sizeof extra) != 0)
        why_not = "src/tools/mktoken.sh could not make a token";
    else if (it_init(&T, "samdext", extra) != 0 || it_start(&T, NULL) != 0)
        why_not = "the SAM did not start on the configured token (see build/it-*/samdext.log)";
    return 0;
}

static int cleanup(void)
{
    if (T.pid > 0 && it_stop(&T) != 0)
        return -1;
    return 0;
}

static void test_configured_module_uri_signs(void)
{
    uint8_t h[32], tok[4096], sigs[1][512], *cert;
    size_t tok_len = 0, sig_lens[1], len = 0;
    char path[900];
    EVP_PKEY *dev;

    NEED_SAM();
    it_sha256("signed on a configured token", h);
    CU_ASSERT_EQUAL_FATAL(it_enrol(&T, "eve", "eve-pin-77"), 0);
    dev = it_device_enrol(&T, "eve");
    CU_ASSERT_FATAL(dev != NULL);
    CU_ASSERT_EQUAL_FATAL(it_cred(&T, "eve", "e-1", SAM_KEY_EC_P256, SAM_SAP_SIC, 1, false), 0);
    CU_ASSERT_EQUAL(it_authz_sic(&T, "eve", "e-1", "eve-pin-77", dev, 1, h, 1, tok, &tok_len), 0);
    CU_ASSERT_EQUAL(it_sign(&T, "eve", "e-1", tok, tok_len, SAM_SIGN_ECDSA, h, 1, sigs, sig_lens),
                    0);
    cert = it_cert(&T, "eve", "e-1", &len);
    CU_ASSERT(cert != NULL && it_verify(cert, len, SAM_SIGN_ECDSA, h, sigs[0], sig_lens[0]));
    free(cert);
    EVP_PKEY_free(dev);
    /* The operator's token: no embedded-token files, no copy of its token.object. */
    snprintf(path, sizeof path, "%s/hsm", T.dir);
    CU_ASSERT(access(path, F_OK) != 0);
    snprintf(path, sizeof path, "%s/token.object.kept", token_dir);
    CU_ASSERT(access(path, F_OK) != 0);
}

/* A URI naming no token is a clear start failure, and nothing is made. */
static void test_configured_module_unknown_token(void)
{
    char conf[700], cmd[2000], out[4096];

    NEED_SAM();
    snprintf(conf, sizeof conf, "%s-bad.conf", T.dir);
    snprintf(cmd, sizeof cmd, "sed 's/token=qscd-ext/token=no-such-token/' '%s' > '%s'", T.conf,
             conf);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    CU_ASSERT_EQUAL(it_cli(out, sizeof out, NULL, "sam", "--config", conf, (char *)NULL), 1);
    CU_ASSERT(strstr(out, "QSCD_ERR_P11_TOKEN (no initialised token labelled 'no-such-token')") != NULL);
    unlink(conf);
}

UNIT_SUITE(samdext)
{
    static const unit_test tests[] = {
        { "configured_module_uri_signs", test_configured_module_uri_signs },
        { "configured_module_unknown_token", test_configured_module_unknown_token },
        { NULL, NULL },
    };
    return unit_add_suite("samdext", setup, cleanup, tests);
}
