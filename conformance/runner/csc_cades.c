/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Judging the CAdES signatures `signatures/signDoc` returns (CSC API v2 §11.11), all with
 * OpenSSL's CMS API: a service that offers signDoc acts as the signature creation
 * application of TS 119 431-2, and what that document asks of the signature can be read in
 * it. Every signature must be a CMS SignedData with one signer whose certificate is the one
 * in the signature and is the credential's own, whose signed attributes carry the content
 * type, the document's digest and a signing-certificate-v2 that names that certificate, made
 * with the digest algorithm the request named, and whose signature value verifies over those
 * attributes with the certificate's key. The vector may ask for more: the certificate chain
 * inside, a signature-policy identifier, a commitment type, the document encapsulated, a
 * subject that names the signer or the seal's creator.
 */
#include "csc.h"

#include <openssl/cms.h>
#include <openssl/ess.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#define CADES_MAX_SIG   65536
#define CADES_MAX_DOC   65536
#define CADES_MAX_CHAIN 8

static X509 *x509_of(const uint8_t *der, size_t len)
{
    const uint8_t *p = der;
    return der ? d2i_X509(NULL, &p, (long)len) : NULL;
}

/* The one signer, and its certificate inside the signature: it must be the credential's. */
static CMS_SignerInfo *cades_signer(CMS_ContentInfo *cms, X509 *cred, char *why, size_t wl)
{
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    CMS_SignerInfo *si = sk_CMS_SignerInfo_num(sis) == 1 ? sk_CMS_SignerInfo_value(sis, 0)
                                                         : NULL;
    int inside = 0;
    for (int i = 0; si && i < sk_X509_num(certs); i++)
        inside |= X509_cmp(sk_X509_value(certs, i), cred) == 0;
    sk_X509_pop_free(certs, X509_free);
    if (!si)
        snprintf(why, wl, "the signature has %d signers, not one", sk_CMS_SignerInfo_num(sis));
    else if (CMS_SignerInfo_cert_cmp(si, cred) != 0)
        snprintf(why, wl, "the signer is not the credential's certificate");
    else if (!inside)
        snprintf(why, wl, "the signing certificate is not inside the signature");
    else {
        CMS_SignerInfo_set1_signer_cert(si, cred);   /* what CMS_SignerInfo_verify uses */
        return si;
    }
    return NULL;
}

/* The digest algorithm is the request's; the messageDigest attribute is the document's. */
static int cades_digest(CMS_SignerInfo *si, const csc_cades_want *w, char *why, size_t wl)
{
    X509_ALGOR *dig = NULL;
    char oid[80] = "";
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    const uint8_t *want = w->digest;
    size_t wantlen = w->dlen;
    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
    if (!dig) {
        snprintf(why, wl, "the signer names no digest algorithm");
        return 0;
    }
    OBJ_obj2txt(oid, sizeof oid, dig->algorithm, 1);
    if (w->hash_oid && strcmp(oid, w->hash_oid) != 0) {
        snprintf(why, wl, "digest algorithm %s, not the requested %s", oid, w->hash_oid);
        return 0;
    }
    if (!want) {   /* a document: its digest under the signer's own algorithm */
        const EVP_MD *m = EVP_get_digestbyobj(dig->algorithm);
        if (!m || !EVP_Digest(w->doc, w->doc_len, md, &mdlen, m, NULL)) {
            snprintf(why, wl, "cannot compute the document's digest with %s", oid);
            return 0;
        }
        want = md;
        wantlen = mdlen;
    }
    ASN1_OCTET_STRING *got = CMS_signed_get0_data_by_OBJ(
        si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING);
    if (!got || (size_t)ASN1_STRING_length(got) != wantlen ||
        memcmp(ASN1_STRING_get0_data(got), want, wantlen) != 0) {
        snprintf(why, wl, "the messageDigest attribute is %s the document's digest",
                 got ? "not" : "absent, not");
        return 0;
    }
    return 1;
}

/* content-type present, signing-certificate-v2 naming the credential's certificate. */
static int cades_attrs(CMS_SignerInfo *si, X509 *cred, char *why, size_t wl)
{
    if (CMS_signed_get_attr_by_NID(si, NID_pkcs9_contentType, -1) < 0) {
        snprintf(why, wl, "no content-type signed attribute");
        return 0;
    }
    ASN1_STRING *v2 = CMS_signed_get0_data_by_OBJ(
        si, OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2), -3, V_ASN1_SEQUENCE);
    const uint8_t *p = v2 ? ASN1_STRING_get0_data(v2) : NULL;
    ESS_SIGNING_CERT_V2 *ss = p ? d2i_ESS_SIGNING_CERT_V2(NULL, &p, ASN1_STRING_length(v2))
                                : NULL;
    STACK_OF(X509) *chain = sk_X509_new_null();
    int ok = ss && chain && sk_X509_push(chain, cred) > 0 &&
             OSSL_ESS_check_signing_certs(NULL, ss, chain, 1) == 1;
    sk_X509_free(chain);
    ESS_SIGNING_CERT_V2_free(ss);
    if (!ok)
        snprintf(why, wl, "signing-certificate-v2 is %s", v2 ? "not the credential's "
                 "certificate" : "absent");
    return ok;
}

/* Every certificate of the credential's chain (credentials/info) is inside the signature. */
static int cades_chain(CMS_ContentInfo *cms, const csc_cades_want *w, char *why, size_t wl)
{
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    int ok = 1;
    for (size_t i = 0; ok && i < w->nchain; i++) {
        X509 *c = x509_of(w->chain[i], w->chain_len[i]);
        int found = 0;
        for (int k = 0; c && k < sk_X509_num(certs); k++)
            found |= X509_cmp(sk_X509_value(certs, k), c) == 0;
        X509_free(c);
        if (!found) {
            snprintf(why, wl, "certificate %zu of the credential's chain is not inside", i + 1);
            ok = 0;
        }
    }
    sk_X509_pop_free(certs, X509_free);
    return ok;
}

/* The document encapsulated byte for byte (an enveloping signature). */
static int cades_attached(CMS_ContentInfo *cms, const csc_cades_want *w, char *why, size_t wl)
{
    ASN1_OCTET_STRING **c = CMS_get0_content(cms);
    if (!c || !*c || (size_t)ASN1_STRING_length(*c) != w->doc_len ||
        memcmp(ASN1_STRING_get0_data(*c), w->doc, w->doc_len) != 0) {
        snprintf(why, wl, "the signature does not carry the document that was sent");
        return 0;
    }
    return 1;
}

/* The signer's subject names the signer (any attribute's text) or carries the seal
 * creator's organizationName. */
static int cades_subject(X509 *cred, const csc_cades_want *w, char *why, size_t wl)
{
    X509_NAME *n = X509_get_subject_name(cred);
    char org[256] = "";
    int ok = 1;
    if (w->subject) {
        ok = 0;
        for (int i = 0; i < X509_NAME_entry_count(n) && !ok; i++) {
            ASN1_STRING *d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
            unsigned char *u = NULL;
            int len = ASN1_STRING_to_UTF8(&u, d);
            ok = len > 0 && strstr((char *)u, w->subject) != NULL;
            OPENSSL_free(u);
        }
        if (!ok)
            snprintf(why, wl, "the signing certificate's subject does not name %s", w->subject);
    }
    if (ok && w->organization) {
        X509_NAME_get_text_by_NID(n, NID_organizationName, org, sizeof org);
        ok = strcmp(org, w->organization) == 0;
        if (!ok)
            snprintf(why, wl, "the signing certificate's organizationName is '%s', not '%s'",
                     org, w->organization);
    }
    return ok;
}

static int cades_optional(CMS_ContentInfo *cms, CMS_SignerInfo *si, X509 *cred,
                          const csc_cades_want *w, char *why, size_t wl)
{
    int policy = CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_ets_sigPolicyId, -1) >= 0;
    int commit = CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_ets_commitmentType, -1) >= 0;
    if ((w->checks & CSC_CADES_CHAIN) && !cades_chain(cms, w, why, wl))
        return 0;
    if ((w->checks & CSC_CADES_ATTACHED) && !cades_attached(cms, w, why, wl))
        return 0;
    if ((w->checks & CSC_CADES_POLICY) && !policy) {
        snprintf(why, wl, "no signature-policy-identifier signed attribute");
        return 0;
    }
    if ((w->checks & CSC_CADES_COMMITMENT) && !commit && !policy) {
        snprintf(why, wl, "neither a commitment-type-indication nor a signature policy");
        return 0;
    }
    return cades_subject(cred, w, why, wl);
}

int csc_cades_check(const uint8_t *sig, size_t len, const csc_cades_want *w, char *why,
                    size_t wl)
{
    const uint8_t *p = sig;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    X509 *cred = x509_of(w->cert, w->cert_len);
    CMS_SignerInfo *si = NULL;
    int ok = 0;
    if (!cred)
        snprintf(why, wl, "the credential's certificate does not parse");
    else if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed)
        snprintf(why, wl, "not a CMS SignedData");
    else
        si = cades_signer(cms, cred, why, wl);
    if (si && cades_digest(si, w, why, wl) && cades_attrs(si, cred, why, wl)) {
        if (CMS_SignerInfo_verify(si) != 1)
            snprintf(why, wl, "the signature value does not verify over the signed "
                     "attributes with the credential's key");
        else
            ok = cades_optional(cms, si, cred, w, why, wl);
    }
    CMS_ContentInfo_free(cms);
    X509_free(cred);
    return ok;
}

/* ------------------------------------------------------------ the signDoc step's answer */

static const struct { const char *key; unsigned bit; } CHECKS[] = {
    {"chain", CSC_CADES_CHAIN}, {"policy", CSC_CADES_POLICY},
    {"commitment", CSC_CADES_COMMITMENT}, {"attached", CSC_CADES_ATTACHED},
};

/* A Base64 member into a fresh buffer (free'd by the caller); its length, or -1. */
static long b64_dup(json_t *s, size_t cap, uint8_t **out)
{
    const char *t = json_string_value(s);
    *out = t ? malloc(cap) : NULL;
    long n = *out ? csc_b64_decode(t, *out, cap) : -1;
    if (n <= 0) {
        free(*out);
        *out = NULL;
    }
    return n;
}

/* Signature i of the answer against value i of the request: a document, or a digest under
 * hash_oid. */
static int judge_one(csc_cades_want *w, json_t *value, const char *hash_oid, json_t *sig,
                     int docs, size_t i, char *why, size_t wl)
{
    uint8_t *s = NULL, *d = NULL;
    long sl = b64_dup(sig, CADES_MAX_SIG, &s), dl = b64_dup(value, CADES_MAX_DOC, &d);
    int ok = 0;
    w->digest = docs ? NULL : d;
    w->dlen = docs ? 0 : (size_t)dl;
    w->doc = docs ? d : NULL;
    w->doc_len = docs ? (size_t)dl : 0;
    w->hash_oid = hash_oid;
    if (sl <= 0)
        snprintf(why, wl, "signature %zu is absent or not Base64", i + 1);
    else if (dl <= 0)
        snprintf(why, wl, "the request's %s %zu is not Base64", docs ? "document" : "hash",
                 i + 1);
    else if (!csc_cades_check(s, (size_t)sl, w, why, wl)) {
        char inner[240];
        snprintf(inner, sizeof inner, "%s", why);
        snprintf(why, wl, "signature %zu: %s", i + 1, inner);
    } else {
        ok = 1;
    }
    free(s);
    free(d);
    return ok;
}

/* What the request asked to have signed, flat: one entry per document or per digest (a
 * documentDigests item may list several hashes), with the digest algorithm it named. */
static json_t *signed_values(json_t *req, int *docs)
{
    json_t *list = json_array(), *item, *h;
    size_t i, k;
    json_t *d = json_object_get(req, "documents");
    *docs = d != NULL;
    json_array_foreach(d ? d : json_object_get(req, "documentDigests"), i, item) {
        json_t *oid = json_object_get(item, "hashAlgorithmOID");
        if (d)
            json_array_append_new(list, json_pack("{sO}", "v", json_object_get(item,
                                                                                "document")));
        else
            json_array_foreach(json_object_get(item, "hashes"), k, h)
                json_array_append_new(list, json_pack("{sOsO?}", "v", h, "oid", oid));
    }
    return list;
}

static int load_chain(json_t *chain, csc_cades_want *w, uint8_t **ders, size_t *lens,
                      char *why, size_t wl)
{
    size_t n = json_array_size(chain);
    if (n == 0 || n > CADES_MAX_CHAIN) {
        snprintf(why, wl, "credentials/info gave %zu certificates", n);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        long l = b64_dup(json_array_get(chain, i), CADES_MAX_SIG, &ders[i]);
        if (l <= 0) {
            snprintf(why, wl, "certificate %zu of credentials/info is not Base64", i + 1);
            return 0;
        }
        lens[i] = (size_t)l;
    }
    w->cert = ders[0];
    w->cert_len = lens[0];
    w->chain = (const uint8_t *const *)ders;
    w->chain_len = lens;
    w->nchain = n;
    return 1;
}

int csc_cades_judge(json_t *ex, json_t *req, json_t *ans, json_t *chain, char *why, size_t wl)
{
    csc_cades_want w;
    uint8_t *ders[CADES_MAX_CHAIN] = {0};
    size_t lens[CADES_MAX_CHAIN] = {0};
    int docs = 0;
    memset(&w, 0, sizeof w);
    for (size_t i = 0; i < sizeof CHECKS / sizeof CHECKS[0]; i++)
        if (json_is_true(json_object_get(ex, CHECKS[i].key)))
            w.checks |= CHECKS[i].bit;
    w.subject = json_string_value(json_object_get(ex, "subject"));
    w.organization = json_string_value(json_object_get(ex, "organization"));
    json_t *vals = signed_values(req, &docs);
    /* Signed documents come back in DocumentWithSignature, signatures over digests in
     * SignatureObject (§11.11); an attached signature is the signed document itself. */
    const char *where = docs ? "DocumentWithSignature" : "SignatureObject";
    json_t *sigs = json_object_get(ans, where);
    int ok = load_chain(chain, &w, ders, lens, why, wl);
    if (ok && (json_array_size(vals) == 0 || json_array_size(sigs) != json_array_size(vals))) {
        snprintf(why, wl, "%zu signatures in %s for %zu signed values", json_array_size(sigs),
                 where, json_array_size(vals));
        ok = 0;
    }
    for (size_t i = 0; ok && i < json_array_size(vals); i++) {
        json_t *v = json_array_get(vals, i);
        ok = judge_one(&w, json_object_get(v, "v"),
                       json_string_value(json_object_get(v, "oid")), json_array_get(sigs, i),
                       docs, i, why, wl);
    }
    json_decref(vals);
    for (size_t i = 0; i < CADES_MAX_CHAIN; i++)
        free(ders[i]);
    return ok;
}
