/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Client applications and bearer tokens. A client application is registered in the clients
 * file (one line: `ID SHA256-HEX-OF-SECRET SIGNERS`, SIGNERS `*` or a comma list); it logs in
 * with HTTP Basic as `SIGNER@CLIENT` and its secret (auth/login) and gets a bearer token
 * scoped to that client and that signer: every SAM request made with it is made as that
 * signer, so credentials/list never shows another signer's credentials. The signer is only
 * asserted here; the SAM proves the signer with both SAP factors (authorize) and the SAD
 * (sign). Tokens are random 256-bit values; the table keeps only their SHA-256.
 */
#include "ssa_int.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qscd_err.h"

static int unhex32(const char *h, uint8_t out[32])
{
    if (strlen(h) != 64)
        return -1;
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (!isxdigit((unsigned char)h[2 * i]) || !isxdigit((unsigned char)h[2 * i + 1]) ||
            sscanf(h + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (uint8_t)v;
    }
    return 0;
}

static bool id_ok(const char *id)
{
    size_t n = strlen(id);

    return n >= 1 && n <= SSA_ID_MAX && strchr(id, '@') == NULL && strchr(id, ':') == NULL;
}

int ssa_clients_load(ssa *s, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1400], id[128], hash[128], signers[1100];
    int rc = 0;

    if (f == NULL) {
        fprintf(stderr, "qscd ssa: cannot read the clients file %s\n", path);
        return -1;
    }
    while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
        ssa_client *c = &s->clients[s->n_clients];
        if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
            continue;
        if (s->n_clients == SSA_CLIENTS_MAX ||
            sscanf(line, "%127s %127s %1099s", id, hash, signers) != 3 || !id_ok(id) ||
            unhex32(hash, c->secret_hash) != 0 || strlen(signers) >= sizeof c->signers) {
            fprintf(stderr, "qscd ssa: %s: bad line (ID SHA256-HEX SIGNERS expected)\n", path);
            rc = -1;
            break;
        }
        snprintf(c->id, sizeof c->id, "%.64s", id);
        snprintf(c->signers, sizeof c->signers, "%.1023s", signers);
        s->n_clients++;
    }
    fclose(f);
    return rc;
}

int ssa_client_line(const char *id, const char *secret, const char *signers, char *out,
                    size_t cap)
{
    uint8_t h[32];
    char hex[65];

    if (!id_ok(id) || strchr(signers, ' ') != NULL || *signers == '\0')
        return -1;
    SHA256((const uint8_t *)secret, strlen(secret), h);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
    return snprintf(out, cap, "%s %s %s\n", id, hex, signers) < (int)cap ? 0 : -1;
}

static bool may_act_for(const ssa_client *c, const char *signer)
{
    size_t n = strlen(signer);

    if (strcmp(c->signers, "*") == 0)
        return true;
    for (const char *p = c->signers; *p != '\0';) {
        size_t k = strcspn(p, ",");
        if (k == n && strncmp(p, signer, n) == 0)
            return true;
        p += k + (p[k] == ',');
    }
    return false;
}

/* Decode "Basic base64(user:secret)"; user is SIGNER@CLIENT (the last '@' splits). */
static int basic_credentials(const char *h, char *user, size_t ucap, char *secret, size_t scap)
{
    uint8_t buf[512];
    long n;
    char *colon;

    if (h == NULL || strncmp(h, "Basic ", 6) != 0)
        return -1;
    n = ssa_b64_decode(h + 6, strlen(h + 6), buf, sizeof buf - 1, false);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    colon = memchr(buf, ':', (size_t)n);
    if (colon == NULL || strlen((char *)buf) != (size_t)n || (size_t)(colon - (char *)buf) >= ucap ||
        strlen(colon + 1) >= scap) {
        OPENSSL_cleanse(buf, sizeof buf);
        return -1;
    }
    *colon = '\0';                      /* both lengths were checked against the caps */
    memcpy(user, buf, (size_t)(colon - (char *)buf) + 1);
    memcpy(secret, colon + 1, strlen(colon + 1) + 1);
    OPENSSL_cleanse(buf, sizeof buf);
    return 0;
}

static const ssa_client *client_check(const ssa *s, const char *id, const char *secret)
{
    uint8_t h[32];
    const ssa_client *found = NULL;

    SHA256((const uint8_t *)secret, strlen(secret), h);
    for (size_t i = 0; i < s->n_clients; i++)
        if (strcmp(s->clients[i].id, id) == 0 &&
            CRYPTO_memcmp(s->clients[i].secret_hash, h, 32) == 0)
            found = &s->clients[i];
    return found;
}

static int token_add(ssa *s, const ssa_token *t)
{
    int64_t now = (int64_t)time(NULL);
    int rc = -1;

    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < SSA_TOKENS_MAX && rc != 0; i++)
        if (s->tokens[i].expiry <= now) {     /* free or expired: reuse */
            s->tokens[i] = *t;
            rc = 0;
        }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int ssa_h_login(ssa_req *r)
{
    char user[200], secret[256], *at, *tok;
    const ssa_client *c;
    uint8_t raw[32];
    ssa_token t;

    if (basic_credentials(r->authz, user, sizeof user, secret, sizeof secret) != 0)
        return ssa_fail(r, 400, "invalid_request", "Malformed authorization header.");
    at = strrchr(user, '@');
    if (at != NULL)
        *at = '\0';
    c = at != NULL ? client_check(r->s, at + 1, secret) : NULL;
    OPENSSL_cleanse(secret, sizeof secret);
    if (c == NULL || *user == '\0' || strlen(user) > SSA_ID_MAX || !may_act_for(c, user))
        return ssa_fail(r, 401, "unauthorized_client", "Invalid client credentials");
    if (RAND_bytes(raw, sizeof raw) != 1 || (tok = ssa_b64_encode(raw, 32, true)) == NULL)
        return ssa_fail(r, 500, "server_error", "Internal error");
    memset(&t, 0, sizeof t);
    SHA256((const uint8_t *)tok, strlen(tok), t.hash);
    t.expiry = (int64_t)time(NULL) + r->s->cfg.token_ttl;
    snprintf(t.client, sizeof t.client, "%.64s", c->id);
    snprintf(t.signer, sizeof t.signer, "%.64s", user);
    if (token_add(r->s, &t) != 0) {
        free(tok);
        return ssa_fail(r, 503, "temporarily_unavailable", "Too many sessions");
    }
    r->out = json_pack("{s:s,s:I}", "access_token", tok, "expires_in",
                       (json_int_t)r->s->cfg.token_ttl);
    OPENSSL_cleanse(tok, strlen(tok));
    free(tok);
    return 0;
}

/* The table's entry for a token string, with the lock held; NULL when unknown. */
static ssa_token *token_find(ssa *s, const char *tok)
{
    uint8_t h[32];

    SHA256((const uint8_t *)tok, strlen(tok), h);
    for (size_t i = 0; i < SSA_TOKENS_MAX; i++)
        if (s->tokens[i].expiry != 0 && CRYPTO_memcmp(s->tokens[i].hash, h, 32) == 0)
            return &s->tokens[i];
    return NULL;
}

int ssa_auth_bearer(ssa_req *r)
{
    const char *h = r->authz;
    ssa_token *t;
    int64_t now = (int64_t)time(NULL);
    int rc = 0;

    if (h == NULL)
        return ssa_fail(r, 401, "invalid_token", "Missing access token");
    if (strncmp(h, "Bearer ", 7) != 0 || h[7] == '\0' || strlen(h) > 7 + 128)
        return ssa_fail(r, 400, "invalid_request", "Malformed authorization header.");
    pthread_mutex_lock(&r->s->lock);
    t = token_find(r->s, h + 7);
    if (t == NULL)
        rc = 1;
    else if (t->expiry <= now)
        rc = 2;
    else
        r->tok_copy = *t;
    pthread_mutex_unlock(&r->s->lock);
    if (rc == 1)
        return ssa_fail(r, 401, "invalid_token", "Invalid access token");
    if (rc == 2)
        return ssa_fail(r, 401, "expired_token", "The access token has expired");
    r->tok = &r->tok_copy;
    return 0;
}

/* auth/revoke (CSC 11.3, RFC 7009): revokes a token of the same client; 204 whatever the
 * token was, so nothing is learnt about other clients' tokens. */
int ssa_h_revoke(ssa_req *r)
{
    const char *tok, *hint;
    ssa_token *t;

    if (ssa_get_str(r, "token", true, &tok) < 0 || ssa_get_str(r, "token_type_hint", false, &hint) < 0)
        return -1;
    if (hint != NULL && strcmp(hint, "access_token") != 0 && strcmp(hint, "refresh_token") != 0)
        return ssa_bad(r, "Invalid parameter token_type_hint");
    pthread_mutex_lock(&r->s->lock);
    t = token_find(r->s, tok);
    if (t != NULL && strcmp(t->client, r->tok->client) == 0)
        memset(t, 0, sizeof *t);
    pthread_mutex_unlock(&r->s->lock);
    r->http = 204;
    return 0;
}
