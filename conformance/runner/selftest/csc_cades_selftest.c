/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Self-test of the CAdES judge (csc_cades.c) with CMS signatures made here by OpenSSL: a
 * detached CAdES signature over a document's digest must be accepted, and each signature
 * with one thing wrong refused (another digest, another certificate, a bit of the signature
 * value flipped, no signing-certificate-v2, another digest algorithm, the chain left out,
 * no policy, another encapsulated document, a subject that does not name the signer).
 * The JSON glue of a signDoc answer is checked on the same signatures.
 */
#include "../csc.h"
#include "selftest.h"

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#define SHA256_OID "2.16.840.1.101.3.4.2.1"
#define SHA384_OID "2.16.840.1.101.3.4.2.2"

static const char DOC[] = "qscd-conform selftest document";
/* A SignaturePolicyIdentifier stand-in: SEQUENCE { OID 1.2.3.4 }; only its presence is judged. */
static const uint8_t POLICY[] = {0x30, 0x05, 0x06, 0x03, 0x2a, 0x03, 0x04};

typedef struct keyed {
    EVP_PKEY *k;
    X509 *x;
    uint8_t der[4096];
    int len;
} keyed;

static int keyed_make(keyed *kd, const char *cn, const char *org)
{
    X509_NAME *n;
    unsigned char *p = kd->der;
    kd->k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    kd->x = X509_new();
    n = kd->x ? X509_get_subject_name(kd->x) : NULL;
    kd->len = -1;
    if (kd->k && n && X509_set_version(kd->x, 2) &&
        ASN1_INTEGER_set(X509_get_serialNumber(kd->x), 7) &&
        X509_gmtime_adj(X509_getm_notBefore(kd->x), 0) &&
        X509_gmtime_adj(X509_getm_notAfter(kd->x), 3600) && X509_set_pubkey(kd->x, kd->k) &&
        X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                   0) &&
        (!org || X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)org,
                                            -1, -1, 0)) &&
        X509_set_issuer_name(kd->x, n) && X509_sign(kd->x, kd->k, EVP_sha256()) &&
        i2d_X509(kd->x, NULL) <= (int)sizeof kd->der)
        kd->len = i2d_X509(kd->x, &p);
    return kd->len > 0;
}

static void keyed_free(keyed *kd)
{
    EVP_PKEY_free(kd->k);
    X509_free(kd->x);
}

enum { MK_DETACHED = 1, MK_NO_ESS = 2, MK_EXTRA_CERT = 4, MK_POLICY = 8 };

/* A CMS SignedData over DOC by kd, as DER into out; its length or 0. */
static size_t cms_make(keyed *kd, X509 *extra, int how, uint8_t *out, size_t cap)
{
    unsigned int flags = CMS_BINARY | CMS_PARTIAL | (how & MK_NO_ESS ? 0 : CMS_CADES) |
                         (how & MK_DETACHED ? CMS_DETACHED : 0);
    BIO *in = BIO_new_mem_buf(DOC, (int)strlen(DOC));
    CMS_ContentInfo *cms = in ? CMS_sign(kd->x, kd->k, NULL, NULL, flags) : NULL;
    CMS_SignerInfo *si = cms ? sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0) : NULL;
    int ok = si != NULL;
    unsigned char *p = out;
    if (ok && (how & MK_EXTRA_CERT))
        ok = CMS_add1_cert(cms, extra);
    if (ok && (how & MK_POLICY))
        ok = CMS_signed_add1_attr_by_NID(si, NID_id_smime_aa_ets_sigPolicyId, V_ASN1_SEQUENCE,
                                         POLICY, (int)sizeof POLICY);
    ok = ok && CMS_final(cms, in, NULL, flags & ~(unsigned)CMS_PARTIAL) == 1 &&
         i2d_CMS_ContentInfo(cms, NULL) <= (int)cap;
    size_t n = ok ? (size_t)i2d_CMS_ContentInfo(cms, &p) : 0;
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    return n;
}

typedef struct fixture {
    keyed a, b;                 /* the credential's key and another */
    uint8_t dg[32], dg2[32];    /* SHA-256 of DOC, and another digest */
    uint8_t sig[8192];
    size_t sl;
} fixture;

static int check(fixture *fx, const csc_cades_want *w, char *why, size_t wl)
{
    why[0] = '\0';
    return csc_cades_check(fx->sig, fx->sl, w, why, wl);
}

static csc_cades_want want_of(fixture *fx)
{
    csc_cades_want w;
    memset(&w, 0, sizeof w);
    w.cert = fx->a.der;
    w.cert_len = (size_t)fx->a.len;
    w.digest = fx->dg;
    w.dlen = sizeof fx->dg;
    w.hash_oid = SHA256_OID;
    return w;
}

/* The detached signature: accepted, then each single fault refused. */
static void check_detached(fixture *fx, outcome_fn out)
{
    char why[300];
    csc_cades_want w = want_of(fx);
    fx->sl = cms_make(&fx->a, NULL, MK_DETACHED, fx->sig, sizeof fx->sig);
    out("cades_detached_verifies", fx->sl && check(fx, &w, why, sizeof why) == 1, why);
    w.digest = fx->dg2;
    out("cades_other_digest_refused", check(fx, &w, why, sizeof why) == 0 &&
        strstr(why, "messageDigest"), "accepted over another digest");
    w = want_of(fx);
    w.cert = fx->b.der;
    w.cert_len = (size_t)fx->b.len;
    out("cades_other_certificate_refused", check(fx, &w, why, sizeof why) == 0,
        "accepted for another credential's certificate");
    w = want_of(fx);
    w.hash_oid = SHA384_OID;
    out("cades_other_digest_algorithm_refused", check(fx, &w, why, sizeof why) == 0 &&
        strstr(why, "digest algorithm"), "accepted under another digest algorithm");
    w = want_of(fx);
    w.subject = "selftest signer";
    out("cades_subject_names_signer", check(fx, &w, why, sizeof why) == 1, why);
    w.subject = "mallory";
    out("cades_subject_other_refused", check(fx, &w, why, sizeof why) == 0,
        "a subject that does not name the signer accepted");
    w = want_of(fx);
    w.checks = CSC_CADES_POLICY;
    out("cades_policy_absent_refused", check(fx, &w, why, sizeof why) == 0,
        "accepted without a signature-policy-identifier");
    w.checks = CSC_CADES_COMMITMENT;
    out("cades_commitment_absent_refused", check(fx, &w, why, sizeof why) == 0,
        "accepted without a commitment type or policy");
    w = want_of(fx);
    fx->sig[fx->sl - 1] ^= 0x01;   /* the signature value is the last field of the signer */
    out("cades_bitflip_refused", check(fx, &w, why, sizeof why) == 0 &&
        strstr(why, "does not verify"), "accepted a bit-flipped signature value");
}

/* Signatures made another way: without ESS, with the chain, with a policy, attached. */
static void check_variants(fixture *fx, outcome_fn out)
{
    char why[300];
    csc_cades_want w = want_of(fx);
    const uint8_t *chain[2] = {fx->a.der, fx->b.der};
    size_t lens[2] = {(size_t)fx->a.len, (size_t)fx->b.len};
    fx->sl = cms_make(&fx->a, NULL, MK_DETACHED | MK_NO_ESS, fx->sig, sizeof fx->sig);
    out("cades_without_signing_certificate_v2_refused", fx->sl &&
        check(fx, &w, why, sizeof why) == 0 && strstr(why, "signing-certificate-v2"),
        "accepted without signing-certificate-v2");
    w.chain = chain;
    w.chain_len = lens;
    w.nchain = 2;
    w.checks = CSC_CADES_CHAIN;
    fx->sl = cms_make(&fx->a, NULL, MK_DETACHED, fx->sig, sizeof fx->sig);
    out("cades_chain_missing_refused", fx->sl && check(fx, &w, why, sizeof why) == 0,
        "accepted without the chain's second certificate");
    fx->sl = cms_make(&fx->a, fx->b.x, MK_DETACHED | MK_EXTRA_CERT, fx->sig, sizeof fx->sig);
    out("cades_chain_inside_verifies", fx->sl && check(fx, &w, why, sizeof why) == 1, why);
    w = want_of(fx);
    w.checks = CSC_CADES_POLICY | CSC_CADES_COMMITMENT;
    fx->sl = cms_make(&fx->a, NULL, MK_DETACHED | MK_POLICY, fx->sig, sizeof fx->sig);
    out("cades_policy_present_verifies", fx->sl && check(fx, &w, why, sizeof why) == 1, why);
    w = want_of(fx);
    w.digest = NULL;
    w.doc = (const uint8_t *)DOC;
    w.doc_len = strlen(DOC);
    w.checks = CSC_CADES_ATTACHED;
    fx->sl = cms_make(&fx->a, NULL, 0, fx->sig, sizeof fx->sig);
    out("cades_attached_verifies", fx->sl && check(fx, &w, why, sizeof why) == 1, why);
    w.doc = (const uint8_t *)"another document";
    w.doc_len = strlen("another document");
    out("cades_attached_other_document_refused", check(fx, &w, why, sizeof why) == 0,
        "accepted with another document encapsulated");
    w.doc = (const uint8_t *)DOC;
    w.doc_len = strlen(DOC);
    fx->sl = cms_make(&fx->a, NULL, MK_DETACHED, fx->sig, sizeof fx->sig);
    out("cades_attached_but_detached_refused", fx->sl && check(fx, &w, why, sizeof why) == 0 &&
        strstr(why, "does not carry"), "a detached signature taken for an attached one");
}

/* A seal certificate: its organizationName is judged exactly. */
static void check_seal(outcome_fn out)
{
    keyed s;
    char why[300] = "";
    fixture fx;
    memset(&fx, 0, sizeof fx);
    int ok = keyed_make(&s, "selftest seal", "Example Seal Creator") &&
             EVP_Digest(DOC, strlen(DOC), fx.dg, NULL, EVP_sha256(), NULL);
    fx.a = s;
    csc_cades_want w = want_of(&fx);
    fx.sl = ok ? cms_make(&s, NULL, MK_DETACHED, fx.sig, sizeof fx.sig) : 0;
    w.organization = "Example Seal Creator";
    out("cades_seal_organization_verifies", fx.sl && check(&fx, &w, why, sizeof why) == 1,
        why);
    w.organization = "Another Creator";
    out("cades_seal_other_organization_refused", fx.sl &&
        check(&fx, &w, why, sizeof why) == 0, "another organizationName accepted");
    keyed_free(&s);
}

/* A signDoc answer as JSON: one digest, one SignatureObject; then two for one. */
static void check_judge(fixture *fx, outcome_fn out)
{
    char why[300] = "";
    fx->sl = cms_make(&fx->a, NULL, MK_DETACHED, fx->sig, sizeof fx->sig);
    char *s = csc_b64_encode(fx->sig, fx->sl), *h = csc_b64_encode(fx->dg, 32);
    char *c = csc_b64_encode(fx->a.der, (size_t)fx->a.len);
    json_t *req = json_pack("{s:[{s:[s],s:s}]}", "documentDigests", "hashes", h,
                            "hashAlgorithmOID", SHA256_OID);
    json_t *ans = json_pack("{s:[s]}", "SignatureObject", s);
    json_t *two = json_pack("{s:[s,s]}", "SignatureObject", s, s);
    json_t *chain = json_pack("[s]", c), *ex = json_object();
    out("cades_judge_signdoc_answer", req && ans && chain &&
        csc_cades_judge(ex, req, ans, chain, why, sizeof why) == 1, why);
    out("cades_judge_count_mismatch_refused", two &&
        csc_cades_judge(ex, req, two, chain, why, sizeof why) == 0,
        "two signatures for one digest accepted");
    json_decref(req);
    json_decref(ans);
    json_decref(two);
    json_decref(chain);
    json_decref(ex);
    free(s);
    free(h);
    free(c);
}

void csc_cades_selftest(outcome_fn out)
{
    fixture *fx = calloc(1, sizeof *fx);
    int ok = fx && keyed_make(&fx->a, "selftest signer", NULL) &&
             keyed_make(&fx->b, "selftest other", NULL) &&
             EVP_Digest(DOC, strlen(DOC), fx->dg, NULL, EVP_sha256(), NULL);
    if (!ok) {
        out("cades_setup", 0, "no keys or certificates");
    } else {
        memcpy(fx->dg2, fx->dg, sizeof fx->dg);
        fx->dg2[0] ^= 0x80;
        check_detached(fx, out);
        check_variants(fx, out);
        check_judge(fx, out);
        check_seal(out);
    }
    if (fx) {
        keyed_free(&fx->a);
        keyed_free(&fx->b);
    }
    free(fx);
}
