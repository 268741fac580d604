#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Write the PKCS#11 module vectors, vectors/pkcs11/*.json, from the tables below.

The JSON files are the vectors (the runner and the linter read only them); this script is
how they are kept consistent: tcIds numbered in order, numberOfTests counted, every flag
given its note. Edit the tables here and run

  src/tools/pkcs11_vectors.py [--out vectors/pkcs11]

then `make vectors-lint`. The operations ("op") and key specs are documented in
vectors/schemas/pkcs11_module_test_schema.json and in conformance/runner/p11_*.c.
"""
import argparse
import os

import vectorgen

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = "pkcs11_module_test_schema.json"

EC256 = {"type": "EC", "curve": "P-256"}
EC384 = {"type": "EC", "curve": "P-384"}
RSA2048 = {"type": "RSA", "bits": 2048}
RSA3072 = {"type": "RSA", "bits": 3072}
RSA4096 = {"type": "RSA", "bits": 4096}
WRAPPING = {"type": "AES", "bytes": 32,
            "private": {"CKA_WRAP": True, "CKA_UNWRAP": True, "CKA_SENSITIVE": True,
                        "CKA_EXTRACTABLE": False, "CKA_ENCRYPT": False, "CKA_DECRYPT": False}}
# Other return values PKCS#11 allows for the same refusal.
COPY_ERRS = ["CKR_TEMPLATE_INCONSISTENT", "CKR_ACTION_PROHIBITED", "CKR_ATTRIBUTE_VALUE_INVALID",
             "CKR_FUNCTION_NOT_SUPPORTED"]
SIZE_ERRS = ["CKR_TEMPLATE_INCONSISTENT", "CKR_ATTRIBUTE_VALUE_INVALID"]
CURVE_ERRS = ["CKR_DOMAIN_PARAMS_INVALID", "CKR_TEMPLATE_INCONSISTENT", "CKR_ATTRIBUTE_VALUE_INVALID"]
HANDLE_ERRS = ["CKR_KEY_HANDLE_INVALID", "CKR_OBJECT_HANDLE_INVALID"]
ATTACK_ERRS = ["CKR_TEMPLATE_INCONSISTENT", "CKR_KEY_NOT_WRAPPABLE", "CKR_ATTRIBUTE_VALUE_INVALID"]
AES_MECHS = ["CKM_AES_KEY_WRAP_PAD", "CKM_AES_KEY_WRAP", "CKM_AES_CBC_PAD", "CKM_AES_CBC"]


def sensitive_aes(nbytes, **extra):
    attrs = {"CKA_SENSITIVE": True, "CKA_EXTRACTABLE": True, "CKA_ENCRYPT": True}
    attrs.update(extra)
    return {"type": "AES", "bytes": nbytes, "private": attrs}


def with_aa(spec):
    s = dict(spec)
    s["private"] = {"CKA_ALWAYS_AUTHENTICATE": True}
    return s


def name(spec):
    if spec["type"] == "EC":
        return "EC " + spec["curve"]
    if spec["type"] == "RSA":
        return f"RSA-{spec['bits']}"
    return f"AES-{spec['bytes'] * 8}"


def t(comment, result, reqs, flags=(), **kw):
    d = {"comment": comment, "flags": list(flags), "result": result, "requirements": list(reqs)}
    d.update(kw)
    return d


KEY_NOTES = {
    "SensitiveKey": "Private and secret key material must never leave the module in plaintext "
                    "(PKCS#11 CKA_SENSITIVE, EN 419 221-5 FDP_ACF.1).",
    "NonExtractable": "A signing key is generated non-extractable and stays so (CKA_EXTRACTABLE, "
                      "CKA_NEVER_EXTRACTABLE).",
    "KeyProvenance": "The module must tell keys it generated (CKA_LOCAL, CKA_ALWAYS_SENSITIVE, "
                     "CKA_NEVER_EXTRACTABLE) from imported ones, so a SAM can check provenance.",
    "KeyUsage": "A signing key can only sign: decryption, unwrapping and derivation are off.",
}


def file_keygen():
    groups = []
    for spec in (EC256, EC384, RSA2048, RSA3072):
        gen = "CKM_EC_KEY_PAIR_GEN" if spec["type"] == "EC" else "CKM_RSA_PKCS_KEY_PAIR_GEN"
        n = name(spec)
        tests = [
            t(f"{n}: generated signing key is sensitive", "valid",
              ["221-5/SENSITIVE", "SRG_KM.1.3", "GEN-6.2.1-04"], ["SensitiveKey"],
              attribute="CKA_SENSITIVE", expect=True),
            t(f"{n}: generated signing key is not extractable", "valid",
              ["221-5/SENSITIVE", "SRG_KM.1.1", "SRG_KM.1.3"], ["NonExtractable"],
              attribute="CKA_EXTRACTABLE", expect=False),
            t(f"{n}: key was always sensitive", "valid", ["221-5/SENSITIVE", "221-5/KEYGEN-INSIDE"],
              ["SensitiveKey", "KeyProvenance"], attribute="CKA_ALWAYS_SENSITIVE", expect=True),
            t(f"{n}: key was never extractable", "valid", ["221-5/SENSITIVE", "221-5/KEYGEN-INSIDE"],
              ["NonExtractable", "KeyProvenance"], attribute="CKA_NEVER_EXTRACTABLE", expect=True),
            t(f"{n}: key is local (generated in the module)", "valid",
              ["221-5/KEYGEN-INSIDE", "SRG_KM.1.1", "GEN-6.2.1-01"], ["KeyProvenance"],
              attribute="CKA_LOCAL", expect=True),
            t(f"{n}: key records its generation mechanism", "valid", ["221-5/KEYGEN-INSIDE"],
              ["KeyProvenance"], attribute="CKA_KEY_GEN_MECHANISM", expect=gen),
            t(f"{n}: key is private (needs a login)", "valid", ["SRG_KM.3.3", "SRG_SA.1.1"], [],
              attribute="CKA_PRIVATE", expect=True),
            t(f"{n}: key may sign", "valid", ["221-5/KEY-USAGE", "SRG_KM.3.1"], ["KeyUsage"],
              attribute="CKA_SIGN", expect=True),
            t(f"{n}: key may not unwrap", "valid", ["221-5/KEY-USAGE", "SRG_KM.3.1"], ["KeyUsage"],
              attribute="CKA_UNWRAP", expect=False),
            t(f"{n}: key may not derive", "valid", ["221-5/KEY-USAGE", "SRG_KM.3.1"], ["KeyUsage"],
              attribute="CKA_DERIVE", expect=False),
        ]
        if spec["type"] == "RSA":
            tests.append(t(f"{n}: key may not decrypt", "valid", ["221-5/KEY-USAGE", "SRG_KM.3.1"],
                           ["KeyUsage"], attribute="CKA_DECRYPT", expect=False))
        groups.append({"type": "P11KeyAttributeTest", "op": "getAttribute", "key": spec,
                       "tests": tests})
    return ("PKCS#11 generated signing key attributes", KEY_NOTES, groups,
            "Attributes a freshly generated signing key (the SAM's template: token, private, "
            "sensitive, not extractable, sign only) reports about itself.")


def file_secrecy():
    groups = []
    secret = {"EC": ["CKA_VALUE"],
              "RSA": ["CKA_PRIVATE_EXPONENT", "CKA_PRIME_1", "CKA_PRIME_2", "CKA_EXPONENT_1",
                      "CKA_EXPONENT_2", "CKA_COEFFICIENT"]}
    for spec in (EC256, EC384, RSA2048, RSA3072):
        tests = [t(f"{name(spec)}: {a} cannot be read", "invalid",
                   ["221-5/SENSITIVE", "SRG_KM.1.3", "eIDAS-AnnexII-1a"], ["SensitiveKey"],
                   attribute=a, expectedError="CKR_ATTRIBUTE_SENSITIVE")
                 for a in secret[spec["type"]]]
        groups.append({"type": "P11KeySecrecyTest", "op": "attributeHidden", "key": spec,
                       "tests": tests})
    groups.append({"type": "P11KeyProvenanceTest", "op": "importedKeyProvenance", "tests": [
        t(f"imported EC P-256 key does not claim {a}", "valid", ["221-5/KEYGEN-INSIDE"],
          ["KeyProvenance"], attribute=a, expect=False)
        for a in ("CKA_LOCAL", "CKA_ALWAYS_SENSITIVE", "CKA_NEVER_EXTRACTABLE")]})
    return ("PKCS#11 private key secrecy", KEY_NOTES, groups,
            "The secret components of a sensitive key are never returned, not even their "
            "length; an imported key never passes for a generated one.")


def file_attribute_change():
    tests_ec, tests_rsa = [], []
    for spec, tests in ((EC256, tests_ec), (RSA2048, tests_rsa)):
        n = name(spec)
        tests += [
            t(f"{n}: CKA_EXTRACTABLE cannot be set to TRUE", "invalid",
              ["221-5/SENSITIVE", "SRG_KM.1.3", "SRG_KM.2.1", "GEN-6.3.3-01", "241-2/ATTR"],
              ["NonExtractable", "ReadOnly"],
              op="setAttribute", attribute="CKA_EXTRACTABLE", value=True,
              expectedError="CKR_ATTRIBUTE_READ_ONLY"),
            t(f"{n}: CKA_SENSITIVE cannot be set to FALSE", "invalid",
              ["221-5/SENSITIVE", "SRG_KM.1.3", "SRG_KM.2.1", "241-2/ATTR"], ["SensitiveKey", "ReadOnly"],
              op="setAttribute", attribute="CKA_SENSITIVE", value=False,
              expectedError="CKR_ATTRIBUTE_READ_ONLY"),
            t(f"{n}: copy with CKA_EXTRACTABLE TRUE is refused or stays non-extractable", "invalid",
              ["221-5/SENSITIVE", "SRG_KM.1.3"], ["NonExtractable", "CopyObject"],
              op="copyObject", template={"CKA_EXTRACTABLE": True},
              expectedError="CKR_ATTRIBUTE_READ_ONLY",
              acceptedErrors=COPY_ERRS),
            t(f"{n}: copy with CKA_SENSITIVE FALSE is refused or stays sensitive", "invalid",
              ["221-5/SENSITIVE", "SRG_KM.1.3"], ["SensitiveKey", "CopyObject"],
              op="copyObject", template={"CKA_SENSITIVE": False},
              expectedError="CKR_ATTRIBUTE_READ_ONLY",
              acceptedErrors=COPY_ERRS),
        ]
    tests_ec += [
        t("EC P-256: a modifiable attribute (CKA_SIGN) can be changed", "valid",
          ["SRG_KM.3.1"], ["Modifiable"], op="setAttribute", attribute="CKA_SIGN", value=False),
        t("EC P-256: CKA_ALWAYS_SENSITIVE cannot be cleared", "invalid",
          ["221-5/SENSITIVE", "221-5/KEYGEN-INSIDE"], ["KeyProvenance", "ReadOnly"],
          op="setAttribute", attribute="CKA_ALWAYS_SENSITIVE", value=False,
          expectedError="CKR_ATTRIBUTE_READ_ONLY"),
        t("EC P-256: CKA_NEVER_EXTRACTABLE cannot be cleared", "invalid",
          ["221-5/SENSITIVE", "221-5/KEYGEN-INSIDE"], ["KeyProvenance", "ReadOnly"],
          op="setAttribute", attribute="CKA_NEVER_EXTRACTABLE", value=False,
          expectedError="CKR_ATTRIBUTE_READ_ONLY"),
        t("EC P-256: CKA_LOCAL cannot be cleared", "invalid", ["221-5/KEYGEN-INSIDE"],
          ["KeyProvenance", "ReadOnly"], op="setAttribute", attribute="CKA_LOCAL", value=False,
          expectedError="CKR_ATTRIBUTE_READ_ONLY"),
    ]
    notes = dict(KEY_NOTES)
    notes["ReadOnly"] = ("PKCS#11 2.40 (private key attributes, footnotes 11 and 4): "
                         "CKA_EXTRACTABLE can only become FALSE, CKA_SENSITIVE only TRUE, and "
                         "once so they are read-only; CKA_ALWAYS_SENSITIVE, "
                         "CKA_NEVER_EXTRACTABLE and CKA_LOCAL are read-only. The runner reads "
                         "the attribute back.")
    notes["Modifiable"] = ("C_SetAttributeValue works on a modifiable attribute, so that the "
                           "refusals are about the protected attributes.")
    notes["CopyObject"] = ("C_CopyObject must not yield a weaker copy: refused, or a copy that "
                           "is still sensitive and non-extractable.")
    groups = [{"type": "P11AttributeChangeTest", "key": EC256, "tests": tests_ec},
              {"type": "P11AttributeChangeTest", "key": RSA2048, "tests": tests_rsa}]
    return ("PKCS#11 key attribute changes", notes, groups,
            "A sensitive, non-extractable key stays so: C_SetAttributeValue and C_CopyObject "
            "cannot weaken it. Each vector uses a key of its own.")


def file_usage():
    notes = {"KeyUsage": KEY_NOTES["KeyUsage"],
             "WrongKeyType": "A mechanism used with a key of another type is refused "
                             "(CKR_KEY_TYPE_INCONSISTENT)."}
    fn = "CKR_KEY_FUNCTION_NOT_PERMITTED"
    reqs = ["221-5/KEY-USAGE", "SRG_KM.3.1"]
    groups = [
        {"type": "P11KeyUsageTest", "op": "usageRefused", "key": RSA2048, "tests": [
            t("RSA-2048 signing key cannot decrypt (CKM_RSA_PKCS)", "invalid", reqs, ["KeyUsage"],
              function="decrypt", mechanism="CKM_RSA_PKCS", expectedError=fn),
            t("RSA-2048 signing key cannot decrypt (CKM_RSA_X_509)", "invalid", reqs, ["KeyUsage"],
              function="decrypt", mechanism="CKM_RSA_X_509", expectedError=fn),
            t("RSA-2048 verification key cannot encrypt", "invalid", reqs, ["KeyUsage"],
              function="encrypt", mechanism="CKM_RSA_PKCS", object="public", expectedError=fn),
            t("RSA-2048 private key with CKM_ECDSA is refused", "invalid", reqs, ["WrongKeyType"],
              function="sign", mechanism="CKM_ECDSA", expectedError="CKR_KEY_TYPE_INCONSISTENT",
              acceptedErrors=[fn, "CKR_MECHANISM_INVALID"]),
        ]},
        {"type": "P11KeyUsageTest", "op": "usageRefused", "key": EC256, "tests": [
            t("EC P-256 signing key cannot derive (ECDH)", "invalid", reqs, ["KeyUsage"],
              function="derive", mechanism="CKM_ECDH1_DERIVE", expectedError=fn),
            t("EC P-256 private key with CKM_RSA_PKCS is refused", "invalid", reqs,
              ["WrongKeyType"], function="sign", mechanism="CKM_RSA_PKCS",
              expectedError="CKR_KEY_TYPE_INCONSISTENT",
              acceptedErrors=[fn, "CKR_MECHANISM_INVALID"]),
            t("EC P-256 public key cannot sign", "invalid", reqs, ["WrongKeyType"],
              function="sign", mechanism="CKM_ECDSA", object="public",
              expectedError="CKR_KEY_TYPE_INCONSISTENT",
              acceptedErrors=[fn, "CKR_KEY_HANDLE_INVALID"]),
        ]},
        {"type": "P11KeyUsageTest", "op": "usageRefused", "key": EC384, "tests": [
            t("EC P-384 signing key cannot derive (ECDH)", "invalid", reqs, ["KeyUsage"],
              function="derive", mechanism="CKM_ECDH1_DERIVE", expectedError=fn)]},
        {"type": "P11KeyUsageTest", "op": "usageRefused",
         "key": {"type": "EC", "curve": "P-256", "private": {"CKA_SIGN": False}}, "tests": [
            t("EC P-256 key with CKA_SIGN FALSE cannot sign", "invalid", reqs, ["KeyUsage"],
              function="sign", mechanism="CKM_ECDSA", expectedError=fn)]},
    ]
    return ("PKCS#11 key usage", notes, groups,
            "A key is used only for the functions its attributes allow.")


def sign_tests(spec):
    n = name(spec)
    out = []
    reqs = ["221-5/ALGO", "SRG_KM.1.2", "SRC_DSC.1.1", "eIDAS-AnnexII-1c", "SIG-6.3.1-10"]
    for h in ("SHA-256", "SHA-384", "SHA-512"):
        hh = h.replace("-", "")
        if spec["type"] == "EC":
            out.append(t(f"{n}: CKM_ECDSA over a {h} digest verifies", "valid", reqs,
                         ["Ecdsa", "Prehashed"], mechanism="CKM_ECDSA", hash=h))
            out.append(t(f"{n}: CKM_ECDSA_{hh} verifies", "valid", reqs, ["Ecdsa"],
                         mechanism=f"CKM_ECDSA_{hh}", hash=h))
        else:
            out += [
                t(f"{n}: CKM_{hh}_RSA_PKCS verifies", "valid", reqs, ["RsaPkcs1"],
                  mechanism=f"CKM_{hh}_RSA_PKCS", hash=h),
                t(f"{n}: CKM_RSA_PKCS over a {h} DigestInfo verifies", "valid", reqs,
                  ["RsaPkcs1", "Prehashed"], mechanism="CKM_RSA_PKCS", hash=h),
                t(f"{n}: CKM_{hh}_RSA_PKCS_PSS verifies", "valid", reqs, ["RsaPss"],
                  mechanism=f"CKM_{hh}_RSA_PKCS_PSS", hash=h),
                t(f"{n}: CKM_RSA_PKCS_PSS over a {h} digest verifies", "valid", reqs,
                  ["RsaPss", "Prehashed"], mechanism="CKM_RSA_PKCS_PSS", hash=h),
            ]
    return out


def file_sign():
    notes = {
        "Ecdsa": "ECDSA (FIPS 186-4); PKCS#11 returns r||s, the runner converts it to DER and "
                 "verifies with OpenSSL against the public key read from the module.",
        "RsaPkcs1": "RSASSA-PKCS1-v1_5 (RFC 8017), verified with OpenSSL.",
        "RsaPss": "RSASSA-PSS (RFC 8017) with MGF1 on the same hash and a salt as long as the "
                  "hash, verified with OpenSSL.",
        "Prehashed": "The runner hashes the message itself and gives the module the digest (for "
                     "CKM_RSA_PKCS the DigestInfo), as a SAM signing a CSC hash does.",
        "Slow": "RSA-4096 key generation takes seconds on software modules; left out of the "
                "quick make-check run (--skip-slow).",
        "ModuleVerify": "The module's own C_Verify must reject a signature with one bit changed.",
    }
    groups = [{"type": "P11SignatureTest", "op": "sign", "key": s, "tests": sign_tests(s)}
              for s in (EC256, EC384, RSA2048, RSA3072)]
    reqs = ["221-5/ALGO", "SRG_KM.1.2", "SRC_DSC.1.1"]
    groups.append({"type": "P11SignatureTest", "op": "sign", "key": RSA4096, "tests": [
        t("RSA-4096: CKM_SHA256_RSA_PKCS_PSS verifies", "valid", reqs, ["RsaPss", "Slow"],
          mechanism="CKM_SHA256_RSA_PKCS_PSS", hash="SHA-256"),
        t("RSA-4096: CKM_SHA512_RSA_PKCS verifies", "valid", reqs, ["RsaPkcs1", "Slow"],
          mechanism="CKM_SHA512_RSA_PKCS", hash="SHA-512")]})
    groups.append({"type": "P11SignatureTest", "op": "verifyTampered", "tests": [
        t("EC P-256: C_Verify rejects a tampered CKM_ECDSA signature", "invalid",
          ["eIDAS-AnnexII-1c", "221-5/ALGO"], ["ModuleVerify", "Ecdsa"], key=EC256,
          mechanism="CKM_ECDSA", hash="SHA-256", expectedError="CKR_SIGNATURE_INVALID"),
        t("RSA-2048: C_Verify rejects a tampered PSS signature", "invalid",
          ["eIDAS-AnnexII-1c", "221-5/ALGO"], ["ModuleVerify", "RsaPss"], key=RSA2048,
          mechanism="CKM_SHA256_RSA_PKCS_PSS", hash="SHA-256",
          expectedError="CKR_SIGNATURE_INVALID")]})
    return ("PKCS#11 signature mechanisms", notes, groups,
            "Each signature mechanism a SAM uses produces signatures that OpenSSL verifies; "
            "a mechanism the module does not list is a SKIP with that reason.")


def file_always_auth():
    notes = {"AlwaysAuthenticate": "CKA_ALWAYS_AUTHENTICATE (PKCS#11 2.40 4.9): every C_Sign "
                                   "needs its own C_Login(CKU_CONTEXT_SPECIFIC) after C_SignInit. "
                                   "Known: NSS softokn stores the attribute but does not "
                                   "enforce it.",
             "WrongPin": "A wrong PIN is presented; on a token that counts failures this uses "
                         "one try, reset by the next correct login."}
    reqs = ["221-5/AUTH-PER-KEY", "SRA_SKM.2.1", "SRG_KM.3.3", "eIDAS-AnnexII-1d"]
    groups = []
    for spec, mech in ((EC256, "CKM_ECDSA"), (RSA2048, "CKM_SHA256_RSA_PKCS")):
        n = name(spec)
        groups.append({"type": "P11AlwaysAuthenticateTest", "op": "alwaysAuthenticate",
                       "key": with_aa(spec), "mechanism": mech, "hash": "SHA-256", "tests": [
            t(f"{n}: C_Sign without a context-specific login is refused", "invalid", reqs,
              ["AlwaysAuthenticate"], scenario="noContextLogin",
              expectedError="CKR_USER_NOT_LOGGED_IN"),
            t(f"{n}: C_Sign after a context-specific login signs", "valid", reqs,
              ["AlwaysAuthenticate"], scenario="contextLogin"),
            t(f"{n}: one context-specific login allows one signature only", "invalid", reqs,
              ["AlwaysAuthenticate"], scenario="secondSignNeedsLogin",
              expectedError="CKR_USER_NOT_LOGGED_IN"),
            t(f"{n}: a context-specific login with a wrong PIN allows nothing", "invalid", reqs,
              ["AlwaysAuthenticate", "WrongPin"], scenario="contextLoginWrongPin",
              expectedError="CKR_PIN_INCORRECT"),
        ]})
    return ("PKCS#11 per-signature authorisation", notes, groups,
            "A key generated with CKA_ALWAYS_AUTHENTICATE needs the PIN again for each signature, "
            "which is how only the SAM can activate it.")


def file_policy():
    notes = {"WeakKeySize": "Key sizes below ETSI TS 119 312's recommendations. PKCS#11 does not "
                            "require a module to refuse them; a module that claims a key-size "
                            "policy (--claim module-enforces-key-size-policy) must.",
             "WeakHash": "SHA-1 signatures: refused by a module that claims "
                         "module-refuses-sha1-signatures.",
             "StrongKey": "Sizes a SAM uses; the module must generate them."}
    opt = "module-enforces-key-size-policy"
    reqs = ["221-5/ALGO", "SRG_KM.1.2", "GEN-6.2.1-03"]
    gen = [
        t("RSA-1024 key generation", "acceptable", reqs, ["WeakKeySize"],
          key={"type": "RSA", "bits": 1024}, profileOption=opt, expectedError="CKR_KEY_SIZE_RANGE",
          acceptedErrors=SIZE_ERRS),
        t("RSA-512 key generation", "acceptable", reqs, ["WeakKeySize"],
          key={"type": "RSA", "bits": 512}, profileOption=opt, expectedError="CKR_KEY_SIZE_RANGE",
          acceptedErrors=SIZE_ERRS),
        t("EC P-192 key generation", "acceptable", reqs, ["WeakKeySize"],
          key={"type": "EC", "curve": "P-192"}, profileOption=opt,
          expectedError="CKR_CURVE_NOT_SUPPORTED",
          acceptedErrors=CURVE_ERRS),
        t("EC P-224 key generation", "acceptable", reqs, ["WeakKeySize"],
          key={"type": "EC", "curve": "P-224"}, profileOption=opt,
          expectedError="CKR_CURVE_NOT_SUPPORTED",
          acceptedErrors=CURVE_ERRS),
        t("RSA-2048 key generation", "valid", reqs, ["StrongKey"], key=RSA2048),
        t("EC P-256 key generation", "valid", reqs, ["StrongKey"], key=EC256),
        t("EC P-384 key generation", "valid", reqs, ["StrongKey"], key=EC384),
        t("EC P-521 key generation", "valid", reqs, ["StrongKey"],
          key={"type": "EC", "curve": "P-521"}),
    ]
    groups = [
        {"type": "P11KeySizePolicyTest", "op": "generateKey", "tests": gen},
        {"type": "P11KeySizePolicyTest", "op": "mechanismMinKeySize", "tests": [
            t("RSA key generation announces at least 2048 bits", "acceptable", reqs,
              ["WeakKeySize"], mechanism="CKM_RSA_PKCS_KEY_PAIR_GEN", minimum=2048,
              profileOption=opt),
            t("EC key generation announces at least 256 bits", "acceptable", reqs,
              ["WeakKeySize"], mechanism="CKM_EC_KEY_PAIR_GEN", minimum=256, profileOption=opt)]},
        {"type": "P11KeySizePolicyTest", "op": "sign", "tests": [
            t("RSA-2048: CKM_SHA1_RSA_PKCS signature", "acceptable", ["221-5/ALGO", "SRG_KM.1.2"],
              ["WeakHash"], key=RSA2048, mechanism="CKM_SHA1_RSA_PKCS", hash="SHA-1",
              profileOption="module-refuses-sha1-signatures",
              expectedError="CKR_MECHANISM_INVALID"),
            t("EC P-256: CKM_ECDSA_SHA1 signature", "acceptable", ["221-5/ALGO", "SRG_KM.1.2"],
              ["WeakHash"], key=EC256, mechanism="CKM_ECDSA_SHA1", hash="SHA-1",
              profileOption="module-refuses-sha1-signatures",
              expectedError="CKR_MECHANISM_INVALID")]},
    ]
    return ("PKCS#11 key size and algorithm policy", notes, groups,
            "Weak sizes and hashes are refused where the module claims a policy; the sizes a "
            "SAM uses are generated.")


def file_wrap():
    notes = {
        "NonExtractable": KEY_NOTES["NonExtractable"],
        "WrapWorks": "Wrapping an extractable key succeeds, so that the refusals above are "
                     "about the key and not about a broken wrap mechanism.",
        "TookanWrapDecrypt": "Tookan (Bortolozzo et al., CCS 2010): wrap a sensitive key under a "
                             "key that may also decrypt, then decrypt the blob. The sensitive "
                             "key's value must not come out; a module may stop it at any step, "
                             "e.g. by refusing a key with both CKA_WRAP and CKA_DECRYPT.",
        "WrapWithTrusted": "CKA_WRAP_WITH_TRUSTED: the key may be wrapped only under a key with "
                           "CKA_TRUSTED, which only the security officer can set; an imported "
                           "public key is not trusted.",
        "UntrustedWrap": "Tookan: the attacker imports an RSA public key with CKA_WRAP, wraps a "
                         "sensitive extractable key under it and opens the blob off the module. "
                         "PKCS#11 allows this for keys without CKA_WRAP_WITH_TRUSTED.",
        "RoleConflict": "One key that can wrap and decrypt (or unwrap and encrypt) is what the "
                        "wrap attacks need; a module may refuse to create it.",
    }
    reqs = ["221-5/SENSITIVE", "221-5/BACKUP-WRAP", "SRG_KM.2.1", "SRG_KM.1.3"]
    wrap_tests = [t(f"{name(s)} signing key cannot be wrapped", "invalid", reqs + ["SRG_KM.3.2"],
                    ["NonExtractable"], key=s, expectedError="CKR_KEY_UNEXTRACTABLE")
                  for s in (EC256, EC384, RSA2048)]
    wrap_tests.append(t("an extractable AES-256 key can be wrapped (the mechanism works)",
                        "valid", ["221-5/BACKUP-WRAP", "SRG_KM.2.2", "GEN-6.3.3-02"], ["WrapWorks"],
                        key=sensitive_aes(32)))
    attack = ["CKM_AES_CBC_PAD", "CKM_AES_CBC", "CKM_AES_ECB", "CKM_AES_KEY_WRAP_PAD",
              "CKM_AES_KEY_WRAP"]
    conflicting = {"type": "AES", "bytes": 32,
                   "private": {"CKA_WRAP": True, "CKA_DECRYPT": True, "CKA_ENCRYPT": True,
                               "CKA_UNWRAP": True, "CKA_SENSITIVE": True}}
    sreq = ["221-5/SENSITIVE", "SRG_KM.1.3", "eIDAS-AnnexII-1a"]
    groups = [
        {"type": "P11WrapTest", "op": "wrapKey", "wrappingKey": WRAPPING, "mechanisms": AES_MECHS,
         "tests": wrap_tests},
        {"type": "P11WrapAttackTest", "op": "wrapDecryptAttack", "wrappingKey": conflicting,
         "mechanisms": attack, "tests": [
            t("sensitive AES-256 key: wrap then decrypt does not reveal it", "invalid", sreq,
              ["TookanWrapDecrypt"], key=sensitive_aes(32), expectedError="CKR_KEY_FUNCTION_NOT_PERMITTED",
              acceptedErrors=ATTACK_ERRS),
            t("sensitive AES-128 key: wrap then decrypt does not reveal it", "invalid", sreq,
              ["TookanWrapDecrypt"], key=sensitive_aes(16), expectedError="CKR_KEY_FUNCTION_NOT_PERMITTED",
              acceptedErrors=ATTACK_ERRS)]},
        {"type": "P11WrapAttackTest", "op": "wrapUntrustedPublicKey",
         "mechanisms": ["CKM_RSA_PKCS_OAEP", "CKM_RSA_PKCS"], "tests": [
            t("CKA_WRAP_WITH_TRUSTED key cannot be wrapped under an imported public key",
              "invalid", sreq + ["SRG_KM.4.2"], ["WrapWithTrusted", "UntrustedWrap"],
              key=sensitive_aes(32, CKA_WRAP_WITH_TRUSTED=True),
              expectedError="CKR_KEY_NOT_WRAPPABLE",
              acceptedErrors=["CKR_WRAPPING_KEY_HANDLE_INVALID", "CKR_KEY_FUNCTION_NOT_PERMITTED",
                              "CKR_TEMPLATE_INCONSISTENT", "CKR_ATTRIBUTE_VALUE_INVALID"]),
            t("sensitive key without WRAP_WITH_TRUSTED under an imported public key",
              "acceptable", sreq, ["UntrustedWrap"], key=sensitive_aes(32),
              profileOption="module-restricts-wrap-to-trusted-keys",
              expectedError="CKR_KEY_NOT_WRAPPABLE")]},
        {"type": "P11WrapAttackTest", "op": "createConflictingKey", "tests": [
            t("a key that can both wrap and decrypt is refused", "acceptable",
              ["221-5/KEY-USAGE", "221-5/SENSITIVE"], ["RoleConflict"], key=conflicting,
              profileOption="module-enforces-key-role-separation",
              expectedError="CKR_TEMPLATE_INCONSISTENT")]},
    ]
    return ("PKCS#11 key wrapping and wrap attacks", notes, groups,
            "Non-extractable keys cannot be wrapped; sensitive keys do not come out in "
            "plaintext through a wrap (Tookan-style attacks).")


def file_backup_restore():
    notes = {
        "Restore": "A backup of a sensitive signing key (extractable only for backup) "
                   "wrapped under an AES key-encryption key with CKM_AES_KEY_WRAP_PAD "
                   "(RFC 5649, which carries an integrity check), then unwrapped as a "
                   "sensitive, non-extractable signing key. SKIP when the module offers no such "
                   "wrap mechanism.",
        "RestoreAttack": "The restore must check the blob: a changed blob, or a blob opened "
                         "under another key-encryption key, gives no key.",
    }
    backup = {"private": {"CKA_EXTRACTABLE": True, "CKA_SENSITIVE": True}}
    ec, rsa = dict(EC256, **backup), dict(RSA2048, **backup)
    kek = {"type": "AES", "bytes": 32,
           "private": {"CKA_WRAP": True, "CKA_UNWRAP": True, "CKA_SENSITIVE": True,
                       "CKA_EXTRACTABLE": False, "CKA_ENCRYPT": False, "CKA_DECRYPT": False}}
    reqs = ["221-5/RESTORE", "SRG_KM.4.1", "SRA_SKM.1.3", "GEN-6.3.3-02", "SRG_KM.2.2"]
    # A restored key keeps the original's protection (eIDAS Art. 29a(1)(b)(i)) and a backup
    # can be recovered (SRG_BK.2); a changed blob or another KEK restores nothing (SRG_BK.1).
    recover = ["SRG_BK.2", "eIDAS-Art29a-1b-i"]
    protect = ["SRG_BK.1"]
    bad = ["CKR_WRAPPED_KEY_INVALID", "CKR_ENCRYPTED_DATA_INVALID", "CKR_WRAPPED_KEY_LEN_RANGE",
           "CKR_UNWRAPPING_KEY_HANDLE_INVALID", "CKR_DATA_INVALID", "CKR_FUNCTION_FAILED"]
    groups = [{"type": "P11BackupRestoreTest", "op": "wrapRestore", "key": ec,
               "wrappingKey": kek, "mechanisms": ["CKM_AES_KEY_WRAP_PAD"], "tests": [
        t("EC P-256: a wrapped signing key restored under its KEK is sensitive and signs as "
          "before", "valid", reqs + recover, ["Restore"], scenario="roundTrip"),
        t("RSA-2048: a wrapped signing key restored under its KEK is sensitive and signs as "
          "before", "valid", reqs + recover, ["Restore"], scenario="roundTrip", key=rsa),
        t("a wrapped key with one bit changed is not restored", "invalid", reqs + protect,
          ["Restore", "RestoreAttack"], scenario="tampered",
          expectedError="CKR_WRAPPED_KEY_INVALID", acceptedErrors=bad),
        t("a wrapped key is not restored under another KEK", "invalid", reqs + protect,
          ["Restore", "RestoreAttack"], scenario="otherKek",
          expectedError="CKR_WRAPPED_KEY_INVALID", acceptedErrors=bad),
    ]}]
    return ("PKCS#11 protected backup and restore", notes, groups,
            "A key leaves the module only wrapped, and a restore accepts only an intact blob "
            "under the key that wrapped it.")


def file_objects():
    notes = {"SessionObject": "A session object (CKA_TOKEN FALSE) is visible to the "
                              "application's sessions and gone with the session that made it.",
             "TokenObject": "A token object stays after its session is closed.",
             "Destroy": "A destroyed key can be neither found nor used."}
    dreq = ["221-5/DESTROY", "SRG_KM.7.1", "DEL-6.3.2-02"]
    groups = [
        {"type": "P11ObjectTest", "tests": [
            t("session object goes with its session", "valid", ["SRG_KM.7.2", "DEL-6.3.2-03"],
              ["SessionObject"], op="sessionObject"),
            t("token object stays after its session", "valid",
              ["SRG_KM.2.1", "SRC_SKS.1.3", "GEN-6.2.1-07", "GEN-6.3.3-01"],
              ["TokenObject"], op="tokenObject")]},
        {"type": "P11ObjectTest", "op": "destroyObject", "tests": [
            t(f"destroyed {name(s)} key can be neither used nor found", "invalid", dreq,
              ["Destroy"], key=s, expectedError="CKR_OBJECT_HANDLE_INVALID",
              acceptedErrors=["CKR_KEY_HANDLE_INVALID"]) for s in (EC256, RSA2048)]},
    ]
    return ("PKCS#11 object lifetime", notes, groups,
            "Session objects, token objects and destroyed keys.")


def file_random():
    notes = {"Random": "C_GenerateRandom output: outputs do not repeat and are not constant; a "
                       "FIPS 140-1 monobit bound as a gross sanity check (not a proof of quality, "
                       "which EN 419 221-5 leaves to certification)."}
    reqs = ["221-5/RNG"]
    groups = [{"type": "P11RandomTest", "op": "random", "tests": [
        t("two 32-byte outputs differ", "valid", reqs, ["Random"], length=32, count=2,
          check="distinct"),
        t("64 outputs of 16 bytes all differ", "valid", reqs, ["Random"], length=16, count=64,
          check="distinct"),
        t("256 outputs of 8 bytes all differ", "valid", reqs, ["Random"], length=8, count=256,
          check="distinct"),
        t("1024 bytes are not one repeated byte", "valid", reqs, ["Random"], length=1024,
          count=1, check="notConstant"),
        t("20000 bits pass the monobit bound", "valid", reqs, ["Random"], length=2500, count=1,
          check="monobit")]}]
    return ("PKCS#11 random number generation", notes, groups,
            "The module's random number generator, as far as a black-box test can see it.")


def file_login():
    notes = {"WrongPin": "A wrong PIN is presented; on a token that counts failures this uses one "
                         "try, reset by the next correct login.",
             "LoginState": "Runs alone after the other vectors: it logs the application out and "
                           "in again.",
             "NeedsSoPin": "Needs the security officer's PIN (--so-pin); SKIP without it."}
    groups = [{"type": "P11LoginTest", "op": "login", "tests": [
        t("login with a wrong PIN is refused", "invalid", ["SRG_IA.1.1", "SRC_SA.1.2", "221-5/ROLES"],
          ["WrongPin", "LoginState"], scenario="wrongPin", expectedError="CKR_PIN_INCORRECT"),
        t("login with an empty PIN is refused", "invalid", ["SRG_IA.1.1", "SRG_IA.1.3"],
          ["WrongPin", "LoginState"], scenario="emptyPin", expectedError="CKR_PIN_INCORRECT",
          acceptedErrors=["CKR_PIN_LEN_RANGE", "CKR_ARGUMENTS_BAD", "CKR_PIN_INVALID"]),
        t("a second login is refused while logged in", "invalid", ["SRG_IA.1.1"], ["LoginState"],
          scenario="alreadyLoggedIn", expectedError="CKR_USER_ALREADY_LOGGED_IN"),
        t("no signature without a login", "invalid", ["SRG_IA.1.2", "SRC_SA.1.2", "SRG_KM.3.3"],
          ["LoginState"], scenario="signLoggedOut", key=EC256,
          expectedError="CKR_USER_NOT_LOGGED_IN",
          acceptedErrors=HANDLE_ERRS),
        t("private key not visible without a login", "invalid", ["SRG_SA.1.1", "SRG_KM.3.3"],
          ["LoginState"], scenario="privateHiddenLoggedOut", key=EC256,
          expectedError="CKR_USER_NOT_LOGGED_IN",
          acceptedErrors=HANDLE_ERRS),
        t("the security officer cannot use a signer's key", "invalid",
          ["221-5/ROLES", "SRA_SKM.2.7", "SRG_KM.3.3"], ["LoginState", "NeedsSoPin"],
          scenario="soCannotUseKey", key=EC256, expectedError="CKR_USER_NOT_LOGGED_IN",
          acceptedErrors=["CKR_KEY_HANDLE_INVALID", "CKR_OBJECT_HANDLE_INVALID"])]}]
    return ("PKCS#11 login and roles", notes, groups,
            "PIN checks, what a session may do without a login, and the security officer's "
            "lack of access to the signer's keys.")


def file_token_init():
    notes = {"Destructive": "Re-initialises the token: runs only with --destructive, on a "
                            "throw-away token.",
             "NeedsSoPin": "Needs the security officer's PIN (--so-pin); SKIP without it."}
    groups = [{"type": "P11TokenInitTest", "op": "initToken", "tests": [
        t("C_InitToken with a wrong SO PIN is refused", "invalid", ["221-5/ROLES"],
          ["Destructive", "NeedsSoPin"], scenario="wrongSoPin", expectedError="CKR_PIN_INCORRECT"),
        t("C_InitToken erases every object", "valid", ["221-5/DESTROY", "221-5/ROLES"],
          ["Destructive", "NeedsSoPin"], scenario="erasesObjects")]}]
    return ("PKCS#11 token initialisation", notes, groups,
            "Token re-initialisation: only the security officer, and nothing survives it.")


FILES = {
    "p11_keygen_attributes_test.json": file_keygen,
    "p11_key_secrecy_test.json": file_secrecy,
    "p11_attribute_change_test.json": file_attribute_change,
    "p11_key_usage_test.json": file_usage,
    "p11_sign_test.json": file_sign,
    "p11_always_authenticate_test.json": file_always_auth,
    "p11_key_size_policy_test.json": file_policy,
    "p11_wrap_test.json": file_wrap,
    "p11_backup_restore_test.json": file_backup_restore,
    "p11_objects_test.json": file_objects,
    "p11_random_test.json": file_random,
    "p11_login_test.json": file_login,
    "p11_token_init_test.json": file_token_init,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(TOP, "vectors", "pkcs11"))
    a = ap.parse_args()
    vectorgen.write(FILES, a.out, "pkcs11-module", SCHEMA, "pkcs11_vectors")


if __name__ == "__main__":
    main()
