#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Write the CSC API v2 protocol vectors, vectors/csc/*.json, from the tables below.

Each vector is a flow of requests with expected responses; a value captured in one step
("capture": {"sad": "$.SAD"}) is used in a later one as "${sad}". "${config.x}" comes from
the target's configuration (--config FILE: client credentials, the test signers' PINs and
TOTP seeds or SIC device keys, their credential ids, the optional features claimed), and
"${hash:N}" is a fresh random digest, the N-th of the test, as long as the step's hash
algorithm needs. qscd-conform's CSC target runs them (--target csc:URL, and --target ref
against the reference stack); "as" names another identity of the configuration, and a
vector's "needs" skips it unless the service offers the method or claims the feature. Run

  src/tools/csc_vectors.py [--out vectors/csc]
"""
import argparse
import base64
import hashlib
import os

import vectorgen

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = "csc_protocol_test_schema.json"
SHA256, SHA384, SHA1 = "2.16.840.1.101.3.4.2.1", "2.16.840.1.101.3.4.2.2", "1.3.14.3.2.26"
ECDSA_SHA256, ECDSA_SHA384 = "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3"
RSA_ENC, RSA_PSS = "1.2.840.113549.1.1.1", "1.2.840.113549.1.1.10"
# RSASSA-PSS-params: SHA-256, MGF1 with SHA-256, salt 32 (RFC 4055), DER then Base64.
PSS_SHA256 = base64.b64encode(bytes.fromhex(
    "3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d0609608648016503"
    "0402010500a203020120")).decode()
AUTH = [{"id": "PIN", "value": "${config.pin}"}, {"id": "OTP", "value": "${config.otp}"}]
BAD = "invalid_request"


def authorize(cred="${config.credentialID}", n=1, hashes=("${hash:1}",), alg=SHA256,
              auth=None, expect=None, capture=True, **kw):
    step = {"call": "credentials/authorize",
            "request": {"credentialID": cred, "numSignatures": n, "hashes": list(hashes),
                        "hashAlgorithmOID": alg, "authData": auth or AUTH}}
    step.update(kw)
    if expect:
        step["expect"] = expect
    elif capture:
        step["expect"] = {"status": 200, "present": ["$.SAD"]}
        step["capture"] = {"sad": "$.SAD"}
    return step


def sign(cred="${config.credentialID}", sad="${sad}", hashes=("${hash:1}",), alg=SHA256,
         algo=ECDSA_SHA256, params=None, expect=None, extra=None, **kw):
    req = {"credentialID": cred, "SAD": sad, "hashes": list(hashes), "hashAlgorithmOID": alg,
           "signAlgo": algo}
    req.update(extra or {})
    if params:
        req["signAlgoParams"] = params
    step = {"call": "signatures/signHash", "request": req}
    step.update(kw)
    step["expect"] = expect or {"status": 200, "signaturesVerify": True}
    return step


def err(code=BAD, status=400):
    return {"status": status, "error": code}


def t(comment, result, reqs, steps, flags=(), **kw):
    d = {"comment": comment, "flags": list(flags), "result": result, "requirements": list(reqs),
         "steps": steps}
    d.update(kw)
    return d


def file_flows():
    notes = {"Scal2": "SCAL 2: the SAD is bound to the hashes; every signature is verified with "
                      "OpenSSL against the credential's certificate.",
             "MultiSign": "One authorisation for several hashes, signed in one or several calls."}
    r = ["CSC-11.6", "CSC-11.10", "CSC-8.2-scal2-binding", "TS119432-5.3.1", "TS119432-7.5",
         "SRA_SKM.2.1", "241-2/SIGN-1", "SIG-6.3.1-05", "SRC_SA.1.5", "SIG-6.3.1-04",
         "LNK-6.2.3-01", "SRC_SKS.1.2", "eIDAS-AnnexII-2"]
    flows = []
    for name, cred, alg, algo, params in (
            ("ECDSA P-256 with SHA-256", "${config.credentialP256}", SHA256, ECDSA_SHA256, None),
            ("ECDSA P-384 with SHA-384", "${config.credentialP384}", SHA384, ECDSA_SHA384, None),
            ("RSA PKCS#1 v1.5 with SHA-256", "${config.credentialRSA}", SHA256, RSA_ENC, None),
            ("RSASSA-PSS with SHA-256", "${config.credentialRSA}", SHA256, RSA_PSS, PSS_SHA256)):
        flows.append(t(f"{name}: authorize one hash, sign it", "valid", r,
                       [authorize(cred, alg=alg), sign(cred, alg=alg, algo=algo, params=params)],
                       ["Scal2"]))
    # The whole flow over the TS 119 432 profile of the CSC API is what ASI-8.1-01 asks of a
    # machine interface.
    flows.append(t("authorize three hashes, sign them in one call", "valid",
                   r + ["CSC-9-max-signatures", "ASI-8.1-01"],
                   [authorize(n=3, hashes=["${hash:1}", "${hash:2}", "${hash:3}"]),
                    sign(hashes=["${hash:1}", "${hash:2}", "${hash:3}"])], ["Scal2", "MultiSign"]))
    flows.append(t("authorize two hashes, sign them in two calls", "valid",
                   r + ["CSC-9-max-signatures"],
                   [authorize(n=2, hashes=["${hash:1}", "${hash:2}"]),
                    sign(hashes=["${hash:1}"]), sign(hashes=["${hash:2}"])], ["Scal2", "MultiSign"]))
    info = [t("info answers with the methods and the service description", "valid",
              ["CSC-11.1", "TS119432-7.2"],
              [{"call": "info", "request": {},
                "expect": {"status": 200, "present": ["$.specs", "$.name", "$.methods"]}}]),
            t("credentials/info describes key, certificate, auth objects and SCAL 2", "valid",
              ["CSC-11.5", "CSC-8.3.1-auth-objects", "TS119432-7.4"],
              [{"call": "credentials/info",
                "request": {"credentialID": "${config.credentialID}", "certificates": "chain",
                            "certInfo": True, "authInfo": True},
                "expect": {"status": 200, "body": {"SCAL": "2"},
                           "present": ["$.key.algo", "$.cert.certificates", "$.auth.objects"]}}])]
    groups = [{"type": "CscSignFlow", "tests": flows}, {"type": "CscInfo", "tests": info}]
    return ("CSC API v2 signing flows", notes, groups,
            "Positive flows: authorize with PIN and OTP, sign the authorised hashes, verify.")


def file_sad_attacks():
    notes = {"SadAttack": "An attack on the SAD (sole control): the service must refuse it and "
                          "sign nothing.",
             "NeedsConfig": "Needs a credential or a second signer named in the target's "
                            "configuration; SKIP when it is not configured.",
             "Slow": "Waits for the SAD to expire (its expiresIn); SKIP when that is longer than the "
                     "configuration's sadWaitMaxSeconds.",
             "OtherSigner": "Acts as a second test signer of the configuration "
                            "(identities.signerB or identities.lockSigner)."}
    base = ["SRA_SKM.2.5", "241-2/SIGN-1", "CSC-11.10-sad-invalid", "SIG-6.3.1-07"]
    tests = [
        t("replay: a SAD for one signature used twice", "invalid",
          base + ["CSC-11.9-count", "241-2/REPLAY", "SRA_SAP.2.6", "CSC-9-max-signatures",
                  "SIG-A.6-06A", "SRA_SAP.2.8", "SIG-A.6-08", "SIG-A.5-04", "SRA_SKM.2.8"],
          [authorize(), sign(), sign(expect=err())], ["SadAttack"], expectedError=BAD),
        t("hash substitution: sign a hash the SAD does not name", "invalid",
          base + ["CSC-11.10-hash-not-authorized", "SRA_SAP.2.3", "TS119432-5.3.1",
                  "SIG-A.6-03", "SIG-6.3.1-09"],
          [authorize(), sign(hashes=["${hash:2}"], expect=err())], ["SadAttack"],
          expectedError=BAD),
        t("cross-signer: signer A's SAD with signer B's credential", "invalid",
          base + ["SRC_SA.1.4", "SRA_SKM.1.4", "SIG-6.3.1-03", "SRA_SKM.2.4"],
          [authorize(), sign(cred="${config.credentialB}", expect=err())],
          ["SadAttack", "NeedsConfig"], expectedError=BAD),
        t("expired: the SAD used after its lifetime", "invalid",
          base + ["CSC-11.10-sad-expired"],
          [authorize(), sign(waitSadExpiry=True, expect=err())], ["SadAttack", "Slow"],
          expectedError=BAD),
        t("tampered: one bit of the SAD changed", "invalid",
          base + ["SIG-A.5-06", "SIG-A.6-05"],
          [authorize(), sign(sad="${sad:tampered}", expect=err())], ["SadAttack"],
          expectedError=BAD),
        t("wrong audience: a SAD issued by another service", "invalid",
          base + ["SRA_SAP.2.5", "SIG-A.6-05"],
          [authorize(**{"as": "otherService"}), sign(expect=err())], ["SadAttack", "NeedsConfig"],
          expectedError=BAD),
        t("over-count: two hashes signed with a SAD for one", "invalid",
          base + ["CSC-11.9-count", "CSC-9-max-signatures"],
          [authorize(n=1, hashes=["${hash:1}"]),
           sign(hashes=["${hash:1}", "${hash:2}"], expect=err())], ["SadAttack"],
          expectedError=BAD),
        t("weak hash: SHA-1 OID in the authorisation", "invalid",
          ["CSC-11.10-hashalgo-invalid", "SRG_KM.1.2"],
          [authorize(alg=SHA1, hashes=["${hash:1}"], expect=err(), capture=False)],
          ["SadAttack"], expectedError=BAD),
        t("digest length: a 20-byte value under the SHA-256 OID", "invalid",
          ["CSC-11.10-digest-length"],
          [authorize(hashes=["AAAAAAAAAAAAAAAAAAAAAAAAAAA="], expect=err(), capture=False)],
          ["SadAttack"], expectedError=BAD),
        t("SAD of a disabled credential", "invalid", ["CSC-11.6-credential-disabled"],
          [authorize(cred="${config.disabledCredentialID}", expect=err(), capture=False)],
          ["NeedsConfig"], expectedError=BAD),
        t("credential with an expired certificate", "invalid",
          ["CSC-11.10-cert-expired", "SIG-6.3.1-08", "SRC_SKS.1.4", "LNK-6.2.3-02"],
          [authorize(cred="${config.expiredCertCredentialID}", expect=err(), capture=False)],
          ["NeedsConfig"], expectedError=BAD),
        t("credential with a revoked certificate", "invalid",
          ["SIG-6.3.1-08", "SRC_SKS.1.4", "LNK-6.2.3-02"],
          [authorize(cred="${config.revokedCertCredentialID}", expect=err(), capture=False)],
          ["NeedsConfig"], expectedError=BAD),
        t("wrong PIN is refused", "invalid",
          ["CSC-11.6-invalid-auth-data", "SRC_SA.1.2", "SIG-6.3.1-01", "SIG-A.6-04"],
          [authorize(auth=[{"id": "PIN", "value": "${config.wrongPin}"},
                           {"id": "OTP", "value": "${config.otp}"}],
                     expect=err("invalid_authentication_data"), capture=False)],
          [], expectedError="invalid_authentication_data"),
        t("locked after repeated wrong PINs, even with the right one", "invalid",
          ["CSC-11.6-credential-locked", "SRC_SA.2.1", "SRC_SA.2.2", "SRG_IA.2.1", "241-2/SIGN-2"],
          [authorize(auth=[{"id": "PIN", "value": "${config.wrongPin}"},
                           {"id": "OTP", "value": "${config.otp}"}],
                     expect=err("invalid_authentication_data"), capture=False, repeat=5,
                     **{"as": "lockSigner"}),
           authorize(expect=err(), capture=False, **{"as": "lockSigner"})],
          ["NeedsConfig", "OtherSigner"], expectedError=BAD),
        t("cross-signer: signer B signs with its own credential under signer A's SAD", "invalid",
          base + ["SRC_SA.1.4", "SRA_SKM.1.4", "SRA_SAP.2.6", "SIG-6.3.1-03", "SIG-A.6-06A"],
          [authorize(), sign(cred="${config.credentialID}", expect=err(), **{"as": "signerB"})],
          ["SadAttack", "OtherSigner"], expectedError=BAD),
        t("cross-signer: signer B presents signer A's SAD for signer A's credential", "invalid",
          base + ["SRC_SA.1.4", "SRA_SKM.1.4", "SIG-6.3.1-03", "SRA_SAP.2.7", "SIG-A.6-07",
                  "SRA_SKM.2.2"],
          [dict(authorize(capture=False, expect={"status": 200, "present": ["$.SAD"]}),
                capture={"sadA": "$.SAD"}),
           sign(cred="${config.credentialP256}", sad="${sadA}", expect=err(),
                **{"as": "signerB"})],
          ["SadAttack", "OtherSigner"], expectedError=BAD),
        t("wrong OTP with the right PIN is refused", "invalid",
          ["CSC-11.6-invalid-auth-data", "CSC-11.10-invalid-otp", "SRC_SA.1.2", "SIG-6.3.1-01",
           "SIG-A.6-04"],
          [authorize(auth=[{"id": "PIN", "value": "${config.pin}"},
                           {"id": "OTP", "value": "000000"}],
                     expect=err("invalid_authentication_data"), capture=False)],
          [], expectedError="invalid_otp", acceptedErrors=["invalid_authentication_data"]),
        t("a PIN alone, without the second factor, is refused", "invalid",
          ["CSC-11.6-invalid-auth-data", "SRC_SA.1.2", "TS119432-5.3.2", "SIG-6.3.1-01",
           "SIG-A.6-04", "SRA_SAP.1.1", "LNK-6.2.2-02E"],
          [authorize(auth=[{"id": "PIN", "value": "${config.pin}"}], expect=err(),
                     capture=False)], [], expectedError=BAD,
          acceptedErrors=["invalid_authentication_data"]),
        t("a SAD used with another credential of the same signer", "invalid",
          base + ["SRC_SA.1.5", "SIG-6.3.1-04", "SIG-A.6-03", "SRA_SKM.2.4"],
          [authorize(), sign(cred="${config.credentialP384}", alg=SHA384, algo=ECDSA_SHA384,
                             expect=err())], ["SadAttack"], expectedError=BAD),
    ]
    return ("CSC API v2 attacks on the SAD", notes, [{"type": "CscSadAttack", "tests": tests}],
            "The SAD attacks of issue 7: replay, hash substitution, cross-signer, expired, "
            "tampered, wrong audience, over-count, weak hash OID, digest length, locked and "
            "disabled credential, expired and revoked certificate.")


def file_errors():
    notes = {"NeedsConfig": "Needs a second signer named in the target's configuration.",
             "Isolation": "A signer sees only its own credentials."}
    sh = "signatures/signHash"
    tests = [
        t("credentials/list shows only the caller's credentials", "valid",
          ["CSC-11.4", "SRC_SA.1.4", "TS119432-7.3"],
          [{"call": "credentials/list", "request": {},
            "expect": {"status": 200, "present": ["$.credentialIDs"],
                       "excludes": {"$.credentialIDs": "${config.credentialB}"}}}],
          ["Isolation", "NeedsConfig"]),
        t("credentials/info without credentialID", "invalid", ["CSC-11.5-missing-credentialid"],
          [{"call": "credentials/info", "request": {}, "expect": err()}], [], expectedError=BAD),
        t("credentials/info of another signer's credential", "invalid",
          ["CSC-11.5-invalid-credentialid", "SRC_SA.1.4"],
          [{"call": "credentials/info", "request": {"credentialID": "${config.credentialB}"},
            "expect": err()}], ["Isolation", "NeedsConfig"], expectedError=BAD),
        t("authorize without numSignatures", "invalid", ["CSC-11.6-numsig-missing"],
          [{"call": "credentials/authorize",
            "request": {"credentialID": "${config.credentialID}", "hashes": ["${hash:1}"],
                        "hashAlgorithmOID": SHA256, "authData": AUTH}, "expect": err()}], [],
          expectedError=BAD),
        t("authorize with numSignatures 0", "invalid", ["CSC-11.6-numsig-invalid"],
          [authorize(n=0, expect=err(), capture=False)], [], expectedError=BAD),
        t("authorize with more signatures than multisign", "invalid",
          ["CSC-11.6-numsig-too-high", "CSC-9-max-signatures"],
          [authorize(n=1000, hashes=["${hash:1}"], expect=err(), capture=False)], [],
          expectedError=BAD),
        t("authorize at SCAL 2 without hashes", "invalid", ["CSC-11.6-scal2-hashes", "CSC-8.2-scal2-binding"],
          [{"call": "credentials/authorize",
            "request": {"credentialID": "${config.credentialID}", "numSignatures": 1,
                        "authData": AUTH}, "expect": err()}], [], expectedError=BAD),
        t("signHash without SAD", "invalid", ["CSC-11.10-sad-missing"],
          [{"call": sh, "request": {"credentialID": "${config.credentialID}",
                                    "hashes": ["${hash:1}"], "hashAlgorithmOID": SHA256,
                                    "signAlgo": ECDSA_SHA256}, "expect": err()}], [],
          expectedError=BAD),
        t("signHash without hashes", "invalid", ["CSC-11.10-hashes-missing"],
          [authorize(), {"call": sh, "request": {"credentialID": "${config.credentialID}",
                                                 "SAD": "${sad}", "signAlgo": ECDSA_SHA256},
                         "expect": err()}], [], expectedError=BAD),
        t("signHash with an empty hash array", "invalid", ["CSC-11.10-hashes-empty"],
          [authorize(), sign(hashes=[], expect=err())], [], expectedError=BAD),
        t("signHash with a hash that is not Base64", "invalid", ["CSC-11.10-hash-bad-base64"],
          [authorize(), sign(hashes=["not base64!"], expect=err())], [], expectedError=BAD),
        t("signHash without signAlgo", "invalid", ["CSC-11.10-signalgo-missing"],
          [authorize(), {"call": sh, "request": {"credentialID": "${config.credentialID}",
                                                 "SAD": "${sad}", "hashes": ["${hash:1}"],
                                                 "hashAlgorithmOID": SHA256},
                         "expect": err()}], [], expectedError=BAD),
        t("signHash with an unknown signAlgo", "invalid", ["CSC-11.10-signalgo-invalid"],
          [authorize(), sign(algo="1.2.3.4", expect=err())], [], expectedError=BAD),
        t("signHash with RSASSA-PSS but no signAlgoParams", "invalid",
          ["CSC-11.10-signalgoparams-missing"],
          [authorize(cred="${config.credentialRSA}"),
           sign(cred="${config.credentialRSA}", algo=RSA_PSS, expect=err())], [],
          expectedError=BAD),
        t("signHash with rsaEncryption but no hashAlgorithmOID", "invalid",
          ["CSC-11.10-hashalgo-missing"],
          [authorize(cred="${config.credentialRSA}"),
           {"call": sh, "request": {"credentialID": "${config.credentialRSA}", "SAD": "${sad}",
                                    "hashes": ["${hash:1}"], "signAlgo": RSA_ENC},
            "expect": err()}], [], expectedError=BAD),
        t("signHash with an invalid operationMode", "invalid", ["CSC-11.10-operationmode-invalid"],
          [authorize(), {"call": sh, "request": {"credentialID": "${config.credentialID}",
                                                 "SAD": "${sad}", "hashes": ["${hash:1}"],
                                                 "hashAlgorithmOID": SHA256,
                                                 "signAlgo": ECDSA_SHA256, "operationMode": "X"},
                         "expect": err()}], [], expectedError=BAD),
        t("a malformed Authorization header", "invalid",
          ["CSC-10-malformed-auth-header", "TS119432-5.1"],
          [{"call": "credentials/list", "request": {}, "headers": {"Authorization": "Basic"},
            "expect": err()}], [], expectedError=BAD),
        t("an invalid access token", "invalid", ["CSC-10-invalid-token", "TS119432-5.1"],
          [{"call": "credentials/list", "request": {},
            "headers": {"Authorization": "Bearer not-a-token"},
            "expect": err("invalid_token", 401)}], [], expectedError="invalid_token"),
        t("an error body carries error and error_description", "invalid", ["CSC-10-error-body"],
          [{"call": "credentials/info", "request": {"credentialID": "no-such-credential"},
            "expect": {"status": 400, "error": BAD, "present": ["$.error_description"]}}], [],
          expectedError=BAD),
    ]
    return ("CSC API v2 error cases", notes, [{"type": "CscErrors", "tests": tests}],
            "Error cases of CSC API v2 section 10 for the methods the reference implements, "
            "and the isolation of one signer's credentials from another's.")


def file_session():
    notes = {"NeedsConfig": "Needs a key of the target's configuration; SKIP when it is not "
                            "there.",
             "Slow": "Waits for the access token to expire (its expires_in); SKIP when that "
                     "is longer than the configuration's sadWaitMaxSeconds."}
    sh = "signatures/signHash"
    login = {"call": "auth/login", "request": {}, "auth": "basic",
             "expect": {"status": 200, "present": ["$.access_token", "$.expires_in"]},
             "capture": {"tok": "$.access_token"}}
    bearer = {"Authorization": "Bearer ${tok}"}
    tests = [
        t("auth/login with HTTP Basic gives an access token and its lifetime", "valid",
          ["CSC-11.2", "TS119432-5.2.2", "TS119432-7.1"],
          [login, {"call": "credentials/list", "request": {}, "headers": bearer,
                   "expect": {"status": 200, "present": ["$.credentialIDs"]}}]),
        t("auth/login with a wrong client secret", "invalid",
          ["CSC-11.2", "TS119432-5.2.2", "CSC-10-http-status"],
          [{"call": "auth/login", "request": {}, "auth": "basicWrongSecret",
            "expect": {"status": 401, "error": "unauthorized_client"}}], [],
          expectedError="unauthorized_client", acceptedErrors=["invalid_client",
                                                               "access_denied"]),
        t("auth/login without client authentication is refused", "invalid",
          ["CSC-11.2", "TS119432-5.2.2", "TS119432-5.2.4", "CSC-10-http-status"],
          [{"call": "auth/login", "request": {}, "auth": "none", "expect": err()}], [],
          expectedError=BAD, acceptedErrors=["unauthorized_client", "invalid_client",
                                             "invalid_token"]),
        t("auth/revoke answers 204 and the token no longer works", "invalid",
          ["CSC-11.3", "TS119432-5.2.2", "CSC-10-invalid-token", "CSC-10-http-status"],
          [login, {"call": "auth/revoke", "request": {"token": "${tok}"}, "headers": bearer,
                   "expect": {"status": 204}},
           {"call": "credentials/list", "request": {}, "headers": bearer,
            "expect": {"status": 401, "error": "invalid_token"}}], [],
          expectedError="invalid_token"),
        t("an expired access token is refused", "invalid", ["CSC-10-expired-token"],
          [login, {"call": "credentials/list", "request": {}, "headers": bearer,
                   "waitTokenExpiry": True,
                   "expect": {"status": 401, "error": "expired_token"}}], ["Slow"],
          expectedError="expired_token", acceptedErrors=["invalid_token"]),
        t("no access token at all", "invalid", ["CSC-10-invalid-token", "CSC-10-http-status"],
          [{"call": "credentials/list", "request": {}, "headers": {"Authorization": ""},
            "expect": {"status": 401, "error": "invalid_token"}}], [],
          expectedError="invalid_token", acceptedErrors=["invalid_request"]),
        t("an unknown method is refused with 404 and an error body", "invalid",
          ["CSC-10-http-status", "CSC-10-error-body"],
          [{"call": "signatures/noSuchMethod", "request": {},
            "expect": {"status": 404, "error": BAD, "present": ["$.error_description"]}}], [],
          expectedError=BAD),
        t("credentials/list with a userID and a user-bound token", "invalid",
          ["CSC-11.4-userid-must-be-null"],
          [{"call": "credentials/list", "request": {"userID": "${config.user}"},
            "expect": err()}], [], expectedError=BAD),
        t("credentials/list with a malformed userID", "invalid", ["CSC-11.4-invalid-userid"],
          [{"call": "credentials/list", "request": {"userID": "x" * 300}, "expect": err()}], [],
          expectedError=BAD),
        t("credentials/list with credentialInfo describes each credential", "valid",
          ["CSC-11.4", "TS119432-7.3", "TS119432-7.1"],
          [{"call": "credentials/list", "request": {"credentialInfo": True, "certInfo": True},
            "expect": {"status": 200, "present": ["$.credentialIDs", "$.credentialInfos"]}}]),
        t("credentials/info with an invalid certificates value", "invalid",
          ["CSC-11.5-invalid-certificates"],
          [{"call": "credentials/info",
            "request": {"credentialID": "${config.credentialID}", "certificates": "all"},
            "expect": err()}], [], expectedError=BAD),
        t("credentials/info of an unknown credential", "invalid",
          ["CSC-11.5-invalid-credentialid"],
          [{"call": "credentials/info", "request": {"credentialID": "no-such-credential-x"},
            "expect": err()}], [], expectedError=BAD),
        t("signHash with clientData that is not a string", "invalid",
          ["CSC-11.10-clientdata-invalid"],
          [authorize(), sign(extra={"clientData": 42}, expect=err())], [], expectedError=BAD),
        t("getChallenge gives a fresh challenge for the SIC authentication object", "valid",
          ["CSC-11.8", "TS119432-5.3.2"],
          [{"call": "credentials/getChallenge",
            "request": {"credentialID": "${config.sicCredentialID}", "authObjectID": "SIC"},
            "expect": {"status": 200, "present": ["$.challenge"]}}], ["NeedsConfig"]),
        t("getChallenge for a credential without a challenge-response object", "invalid",
          ["CSC-11.8"],
          [{"call": "credentials/getChallenge",
            "request": {"credentialID": "${config.credentialID}", "authObjectID": "SIC"},
            "expect": err()}], [], expectedError=BAD),
        t("the key is not usable without a SAD: signHash with a SAD of another service's "
          "form", "invalid", ["TS119432-4.4.1.3", "CSC-11.10-sad-invalid", "SIG-A.6-01",
                              "SIG-A.6-05"],
          [sign(sad="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", expect=err())], [],
          expectedError=BAD),
        t("signHash answers the signatures in the hashes' order, each verified", "valid",
          ["CSC-11.10", "TS119432-7.5", "TS119432-7.1", "TS119432-4.4.1.3"],
          [authorize(n=2, hashes=["${hash:1}", "${hash:2}"]),
           sign(hashes=["${hash:2}", "${hash:1}"])], []),
    ]
    return ("CSC API v2 sessions, tokens and parameters", notes,
            [{"type": "CscSession", "tests": tests}],
            "Service authorisation (auth/login, auth/revoke, tokens), request parameters of "
            "credentials/list and credentials/info, getChallenge, and the key's use only under "
            "a SAD.")


def file_optional():
    notes = {"Optional": "A method or feature the CSC API makes optional: SKIP with the reason "
                         "unless the service lists the method in info (needs method:NAME) or "
                         "the configuration claims the feature."}
    sh = "signatures/signHash"
    o = ["Optional"]
    tests = [
        t("extendTransaction gives a new SAD for the remaining signatures", "valid",
          ["CSC-11.9", "TS119432-5.3.2"],
          [authorize(n=2, hashes=["${hash:1}", "${hash:2}"]), sign(hashes=["${hash:1}"]),
           {"call": "credentials/extendTransaction",
            "request": {"credentialID": "${config.credentialID}", "SAD": "${sad}",
                        "hashes": ["${hash:2}"], "hashAlgorithmOID": SHA256},
            "expect": {"status": 200, "present": ["$.SAD"]}, "capture": {"sad2": "$.SAD"}},
           sign(sad="${sad2}", hashes=["${hash:2}"])], o,
          needs=["method:credentials/extendTransaction"]),
        t("extendTransaction of an expired SAD", "invalid",
          ["CSC-11.9-expired-sad", "CSC-11.10-sad-expired"],
          [authorize(n=2, hashes=["${hash:1}", "${hash:2}"]),
           {"call": "credentials/extendTransaction", "waitSadExpiry": True,
            "request": {"credentialID": "${config.credentialID}", "SAD": "${sad}",
                        "hashes": ["${hash:1}", "${hash:2}"], "hashAlgorithmOID": SHA256},
            "expect": err()}], o + ["Slow"], expectedError=BAD,
          needs=["method:credentials/extendTransaction"]),
        t("authorizeCheck with an unknown handle", "invalid", ["CSC-11.7-invalid-handle"],
          [{"call": "credentials/authorizeCheck",
            "request": {"credentialID": "${config.credentialID}",
                        "request_uri": "urn:qscd-conform:no-such-handle"},
            "expect": err()}], o, expectedError=BAD,
          needs=["method:credentials/authorizeCheck"]),
        t("asynchronous signHash with a validity_period out of bounds", "invalid",
          ["CSC-11.10-validity-period-invalid"],
          [authorize(), sign(extra={"operationMode": "A", "validity_period": 10 ** 9}, expect=err())], o,
          expectedError=BAD, needs=["asynchronous"]),
        t("asynchronous signHash with an invalid response_uri", "invalid",
          ["CSC-11.10-response-uri-invalid"],
          [authorize(), sign(extra={"operationMode": "A", "response_uri": "not a uri"}, expect=err())], o,
          expectedError=BAD, needs=["asynchronous"]),
        t("signPolling of an unknown response", "invalid", ["TS119432-7.7"],
          [{"call": "signatures/signPolling",
            "request": {"responseID": "no-such-response"}, "expect": err()}], o,
          expectedError=BAD, needs=["method:signatures/signPolling"]),
        t("signDoc with a document digest outside the authorised hashes", "invalid",
          ["CSC-11.11-invalid-hash", "TS119432-7.6"],
          [authorize(), {"call": "signatures/signDoc",
                         "request": {"credentialID": "${config.credentialID}", "SAD": "${sad}",
                                     "documentDigests": [{"hashes": ["${hash:2}"],
                                                          "hashAlgorithmOID": SHA256,
                                                          "signature_format": "C",
                                                          "conformance_level": "AdES-B-B"}]},
                         "expect": {"status": 403, "error": "invalid_hash"}}], o,
          expectedError="invalid_hash", acceptedErrors=[BAD],
          needs=["method:signatures/signDoc"]),
        t("credentials/create without the owner's authorisation", "invalid",
          ["TS119432-5.4", "TS119432-7.8"],
          [{"call": "credentials/create", "request": {"userID": "someone-else"},
            "expect": err("access_denied", 403)}], o, expectedError="access_denied",
          acceptedErrors=[BAD, "invalid_token"], needs=["method:credentials/create"]),
        t("credentials/delete of another signer's credential", "invalid",
          ["TS119432-5.5", "TS119432-7.9"],
          [{"call": "credentials/delete", "request": {"credentialID": "${config.credentialB}"},
            "expect": err()}], o + ["NeedsConfig"], expectedError=BAD,
          acceptedErrors=["access_denied"], needs=["method:credentials/delete"]),
        t("oauth2/token with an unknown grant", "invalid",
          ["TS119432-5.2.3", "TS119432-6.4.5.2"],
          [{"call": "oauth2/token",
            "request": {"grant_type": "urn:qscd-conform:no-such-grant"},
            "expect": err("unsupported_grant_type")}], o,
          expectedError="unsupported_grant_type", acceptedErrors=[BAD, "invalid_client"],
          needs=["method:oauth2/token"]),
        t("oauth2/pushed_authorize without client authentication", "invalid",
          ["TS119432-5.3.3", "TS119432-6.4.4.3"],
          [{"call": "oauth2/pushed_authorize",
            "request": {"response_type": "code", "scope": "credential"},
            "expect": err("invalid_client", 401)}], o, expectedError="invalid_client",
          acceptedErrors=[BAD, "unauthorized_client"], needs=["method:oauth2/pushed_authorize"]),
        t("dynamic client registration with invalid metadata", "invalid", ["TS119432-6.4.4.2"],
          [{"call": "oauth2/register", "request": {"redirect_uris": ["not a uri"]},
            "expect": err("invalid_redirect_uri")}], o, expectedError="invalid_redirect_uri",
          acceptedErrors=["invalid_client_metadata", BAD], needs=["method:oauth2/register"]),
        t("a token request without the DPoP proof the client is bound to", "invalid",
          ["TS119432-6.4.4.4"],
          [{"call": "oauth2/token",
            "request": {"grant_type": "authorization_code", "code": "no-such-code"},
            "expect": err("invalid_dpop_proof")}], o, expectedError="invalid_dpop_proof",
          acceptedErrors=["invalid_grant", BAD], needs=["method:oauth2/token", "dpop"]),
    ]
    notes["NeedsConfig"] = "Needs a second signer named in the target's configuration."
    notes["Slow"] = "Waits for the SAD to expire (its expiresIn)."
    return ("CSC API v2 optional methods", notes, [{"type": "CscOptional", "tests": tests}],
            "Methods and features the CSC API and TS 119 432 make optional: each vector runs "
            "where the service offers it and is skipped with the reason elsewhere.")


def sic_auth(variant=""):
    """PIN and a SIC assertion the runner makes (variant: the one fault it carries)."""
    return [{"id": "PIN", "value": "${config.pin}"},
            {"id": "SIC", "value": "${sic%s}" % (":" + variant if variant else "")}]


def file_sic():
    notes = {"Sic": "The second factor is a SIC assertion the runner makes itself with the "
                    "sicSigner identity's device key (ES256 COSE_Sign1 over the claims of "
                    "spec/sap.md section 3: a getChallenge challenge and the request's "
                    "credential, numSignatures, hash algorithm and hashes); SKIP when the "
                    "configuration has no sicSigner or no sicDeviceKey.",
             "SicAttack": "An assertion with one fault (challenge, key, signature, algorithm, "
                          "claims, freshness) or none at all: the service must refuse the "
                          "authorisation and issue no SAD.",
             "Slow": "Waits for a SIC challenge to expire (sicChallengeSeconds + 2 s); SKIP "
                     "when the configuration does not give that lifetime or it is longer than "
                     "sadWaitMaxSeconds."}
    who = {"as": "sicSigner"}
    bad = "invalid_authentication_data"

    def challenge():
        return dict({"call": "credentials/getChallenge",
                     "request": {"credentialID": "${config.credentialID}",
                                 "authObjectID": "SIC"},
                     "expect": {"status": 200, "present": ["$.challenge"]},
                     "capture": {"challenge": "$.challenge"}}, **who)

    def refused(variant="", hashes=("${hash:1}",), **kw):
        return authorize(auth=sic_auth(variant), hashes=hashes, expect=err(bad), capture=False,
                         **who, **kw)

    def attack(comment, reqs, steps, slow=False, **kw):
        return t(comment, "invalid", ["CSC-11.6-invalid-auth-data"] + reqs, steps,
                 ["Sic", "SicAttack"] + (["Slow"] if slow else []),
                 expectedError=kw.pop("expectedError", bad), **kw)

    ok = ["CSC-11.6", "CSC-11.8", "CSC-11.10", "CSC-8.3.1-auth-objects", "CSC-8.2-scal2-binding",
          "SRA_SAP.2.4", "241-2/SIGN-2", "TS119432-5.3.2", "SRA_SAP.2.2", "SIG-A.6-02"]
    two = ["${hash:1}", "${hash:2}"]
    # Valid flows stand between the refusals: each refusal counts against the signer and
    # five in a row would lock her (spec/sap.md section 1) before the last ones ran.
    tests = [
        t("PIN and SIC assertion: authorize one hash, sign it", "valid", ok,
          [challenge(), authorize(auth=sic_auth(), **who), sign(**who)], ["Sic"]),
        attack("an assertion over a challenge the service did not issue",
               ["SRA_SAP.1.4", "SRA_SAP.1.2"], [challenge(), refused("otherchallenge")]),
        attack("an assertion signed by a key the signer did not enrol",
               ["SRA_SAP.2.4", "SRA_SAP.1.4"], [challenge(), refused("otherkey")]),
        t("PIN and SIC assertion: authorize two hashes, sign them in one call", "valid",
          ok + ["SRA_SAP.2.3", "CSC-9-max-signatures"],
          [challenge(), authorize(n=2, hashes=two, auth=sic_auth(), **who),
           sign(hashes=two, **who)], ["Sic"]),
        attack("an assertion with one byte of its signature changed",
               ["SRA_SAP.1.4", "SRA_SAP.1.3"], [challenge(), refused("badsig")]),
        attack("an assertion whose protected header names ES384, not ES256",
               ["SRA_SAP.1.3"], [challenge(), refused("es384")]),
        attack("replay: a second assertion over a challenge already used",
               ["SRA_SAP.1.4", "SRA_SAP.1.2", "241-2/REPLAY", "SRC_SA.1.3"],
               [challenge(), authorize(auth=sic_auth(), **who),
                refused(hashes=["${hash:2}"])]),
        attack("PIN without the SIC assertion", ["SRA_SAP.2.4", "241-2/SIGN-2", "TS119432-5.3.2"],
               [challenge(), authorize(auth=[{"id": "PIN", "value": "${config.pin}"}],
                                       expect=err(), capture=False, **who)],
               expectedError=BAD, acceptedErrors=[bad]),
        attack("an assertion over other hashes than the request's",
               ["SRA_SAP.2.3", "CSC-8.2-scal2-binding", "TS119432-5.3.1"],
               [challenge(), refused("otherhashes")]),
        attack("an assertion over a challenge older than its lifetime",
               ["SRA_SAP.1.4", "SRA_SAP.1.2"],
               [challenge(), refused(waitChallengeExpiry=True)], slow=True),
        t("a fresh challenge for each authorisation: two in a row, each signs", "valid",
          ok + ["SRA_SAP.1.4"],
          [challenge(), authorize(auth=sic_auth(), **who), sign(**who),
           challenge(), authorize(hashes=["${hash:2}"], auth=sic_auth(), **who),
           sign(hashes=["${hash:2}"], **who)], ["Sic"]),
    ]
    return ("CSC API v2 authorisation with a SIC assertion", notes,
            [{"type": "CscSicAssertion", "tests": tests}],
            "credentials/authorize with the PIN and a SIC assertion (spec/sap.md section 3) "
            "made by the runner: the valid flow with its signatures verified, and assertions "
            "the service must refuse.")


def file_sap():
    notes = {
        "Transport": "The PINs, OTPs and SADs a client sends must travel only over current TLS: "
                     "the runner offers one request (info, an empty body) over plain HTTP on the "
                     "service's port, or a handshake pinned to an outdated TLS version with every "
                     "cipher suite allowed, and the service must not serve it. SKIP when the "
                     "runner's TLS library cannot offer that version.",
        "AuthenticatorReplay": "A one-time code presented a second time (RFC 6238 section 5.2: "
                               "a verifier accepts each time step once), with the right PIN.",
        "SadAfterUse": "Once the SAD has activated the key for all its signatures it is of no "
                       "further use: neither signing nor a new SAD comes from it.",
        "Binding": "A key is activated only by its own signer's authentication factors.",
        "SourceAuth": "The signature creation application that submits the DTBS/R is "
                      "authenticated, even when it holds a valid SAD.",
        "KeyParameters": "Key sizes ETSI TS 119 312 recommends for signatures meant to stay "
                         "secure for years: EC at least 256 bits, RSA at least 3000 bits.",
        "NeedsConfig": "Needs a credential or a second signer named in the target's "
                       "configuration; SKIP when it is not configured.",
        "OtherSigner": "Acts as the configuration's second test signer (identities.signerB).",
        "Optional": "Needs an optional CSC method (credentials/extendTransaction); SKIP unless "
                    "the service lists it in info.",
    }
    tr = ["241-2/PATH", "431-2:OVR-8.2-01", "SRA_SAP.1.2", "SIG-6.3.1-06", "SRA_SAP.1.3",
          "SIG-A.5-03", "SRC_SA.1.3"]
    info = {"call": "info", "request": {}}
    transport = [
        t("plain HTTP on the service's port is not served", "invalid", tr,
          [dict(info, transport="plainHttp")], ["Transport"],
          expectedError="plain_http_refused"),
        t("a TLS 1.1 handshake is refused", "invalid", tr + ["431-2:OVR-8.2-02"],
          [dict(info, transport="TLSv1.1")], ["Transport"], expectedError="tls_version_refused"),
        t("a TLS 1.0 handshake is refused", "invalid", tr + ["431-2:OVR-8.2-02"],
          [dict(info, transport="TLSv1")], ["Transport"], expectedError="tls_version_refused"),
    ]
    replay_reqs = ["SIG-6.3.1-02", "SRA_SAP.1.2", "SIG-6.3.1-06", "SIG-A.5-04",
                   "CSC-11.6-invalid-auth-data", "LNK-6.2.2-02E", "SRC_SA.1.3"]
    sap = [
        t("a TOTP code that gave a SAD is refused when presented again", "invalid", replay_reqs,
          [authorize(),
           authorize(hashes=["${hash:2}"],
                     auth=[{"id": "PIN", "value": "${config.pin}"},
                           {"id": "OTP", "value": "${config.otpReused}"}],
                     expect=err("invalid_authentication_data"), capture=False)],
          ["AuthenticatorReplay"], expectedError="invalid_otp",
          acceptedErrors=["invalid_authentication_data", BAD]),
        t("a used-up SAD gives no new SAD through extendTransaction", "invalid",
          ["SRA_SAP.2.8", "SIG-A.6-08", "SIG-A.5-04", "CSC-11.9"],
          [authorize(), sign(),
           {"call": "credentials/extendTransaction",
            "request": {"credentialID": "${config.credentialID}", "SAD": "${sad}",
                        "hashes": ["${hash:1}"], "hashAlgorithmOID": SHA256},
            "expect": err()}], ["SadAfterUse", "Optional"], expectedError=BAD,
          needs=["method:credentials/extendTransaction"]),
        t("extendTransaction cannot widen a SAD to hashes it does not name", "invalid",
          ["SRA_SAP.2.3", "SIG-A.6-03", "SIG-6.3.1-09", "SIG-A.5-04", "CSC-11.9"],
          [authorize(n=2, hashes=["${hash:1}", "${hash:2}"]),
           {"call": "credentials/extendTransaction",
            "request": {"credentialID": "${config.credentialID}", "SAD": "${sad}",
                        "hashes": ["${hash:3}"], "hashAlgorithmOID": SHA256},
            "expect": err()}], ["Optional"], expectedError=BAD,
          needs=["method:credentials/extendTransaction"]),
        t("signer B's own factors do not activate signer A's key", "invalid",
          ["SRA_SKM.1.5", "SRG_KM.3.4", "LNK-6.2.2-03A", "SIG-6.3.1-09",
           "SIG-6.3.1-03", "SRC_SA.1.4"],
          [authorize(cred="${config.credentialP256}", expect=err(), capture=False,
                     **{"as": "signerB"})], ["Binding", "OtherSigner"], expectedError=BAD),
        t("a valid SAD without the application's access token signs nothing", "invalid",
          ["SRA_SKM.2.6", "CSC-10-invalid-token"],
          [authorize(), sign(headers={"Authorization": ""},
                             expect={"status": 401, "error": "invalid_token"})],
          ["SourceAuth"], expectedError="invalid_token", acceptedErrors=[BAD]),
        t("a valid SAD presented as the access token signs nothing", "invalid",
          ["SRA_SKM.2.6", "CSC-10-invalid-token"],
          [authorize(), sign(headers={"Authorization": "Bearer ${sad}"},
                             expect={"status": 401, "error": "invalid_token"})],
          ["SourceAuth"], expectedError="invalid_token", acceptedErrors=[BAD]),
    ]
    kp = ["SRC_SKS.1.1", "GEN-6.2.1-06", "431-2:OVR-8.2-02"]
    keys = [
        t("the EC P-256 credential's key has at least 256 bits", "valid", kp,
          [{"call": "credentials/info", "request": {"credentialID": "${config.credentialP256}"},
            "expect": {"status": 200, "atLeast": {"$.key.len": 256}}}], ["KeyParameters"]),
        t("the EC P-384 credential's key has at least 256 bits", "valid", kp,
          [{"call": "credentials/info", "request": {"credentialID": "${config.credentialP384}"},
            "expect": {"status": 200, "atLeast": {"$.key.len": 256}}}],
          ["KeyParameters", "NeedsConfig"]),
        t("the RSA credential's key has at least 3000 bits", "valid", kp,
          [{"call": "credentials/info", "request": {"credentialID": "${config.credentialRSA}"},
            "expect": {"status": 200, "atLeast": {"$.key.len": 3000}}}],
          ["KeyParameters", "NeedsConfig"]),
    ]
    groups = [{"type": "CscTransport", "tests": transport},
              {"type": "CscSignerAuthentication", "tests": sap},
              {"type": "CscKeyParameters", "tests": keys}]
    return ("CSC API v2 signature activation protocol", notes, groups,
            "The signature activation protocol as a client sees it: transport only over "
            "current TLS, one-time codes used once, a SAD of no use after its signatures, a "
            "key activated only by its own signer, the submitting application authenticated, "
            "and key sizes that stay secure.")


# A document the runner sends itself (signDoc with documents): fixed, so the vector can
# authorise its SHA-256 digest.
DOCUMENT = b"qscd-conform: a document to be signed, sent to signatures/signDoc.\n"
DOC_B64 = base64.b64encode(DOCUMENT).decode()
DOC_SHA256 = base64.b64encode(hashlib.sha256(DOCUMENT).digest()).decode()


def sign_doc(cades, cred="${config.credentialID}", hashes=("${hash:1}",), alg=SHA256,
             algo=ECDSA_SHA256, document=False, **kw):
    """A signDoc step asking for a CAdES baseline B-B signature, every signature judged by
    the runner (expect "cades": the checks beyond the ones always made)."""
    item = {"signature_format": "C", "conformance_level": "AdES-B-B", "signAlgo": algo}
    if document:
        item.update(document=DOC_B64, signed_envelope_property="Attached")
        req = {"credentialID": cred, "SAD": "${sad}", "documents": [item]}
        out = "$.DocumentWithSignature"
    else:
        item.update(hashes=list(hashes), hashAlgorithmOID=alg,
                    signed_envelope_property="Detached")
        req = {"credentialID": cred, "SAD": "${sad}", "documentDigests": [item]}
        out = "$.SignatureObject"
    step = {"call": "signatures/signDoc", "request": req,
            "expect": {"status": 200, "present": [out], "cades": cades}}
    step.update(kw)
    return step


def file_signdoc():
    notes = {
        "SignDoc": "The service acts as the signature creation application (TS 119 431-2): "
                   "signatures/signDoc, an optional CSC method, makes a CAdES baseline "
                   "signature (CMS) the runner judges with OpenSSL: one signer whose "
                   "certificate is inside and is the credential's, content-type, "
                   "messageDigest (the document's digest) and signing-certificate-v2 signed, "
                   "the digest algorithm the request named, the signature value verifying "
                   "with the certificate's key. SKIP unless info lists signatures/signDoc.",
        "NeedsConfig": "Needs a credential or a name the target's configuration gives "
                       "(credentialP384, signatoryName, sealCredentialID, sealCreatorName); "
                       "SKIP when it is not there.",
        "Claimed": "The signature can show it only when the service puts it there; a service "
                   "that tells the signer some other way does not claim the feature, and the "
                   "vector is skipped with that reason.",
    }
    sd = ["method:signatures/signDoc"]
    f = ["SignDoc"]
    base = ["431-2:OVR-8.2-08A", "431-2:OVR-B.1-03", "431-2:OVR-8.2-03", "TS119432-7.6"]
    tests = [
        t("a CAdES signature over a document digest: signer and signing certificate the "
          "credential's, attributes signed, value verifies", "valid", base,
          [authorize(), sign_doc({})], f, needs=sd),
        t("a CAdES signature over a SHA-384 digest with the P-384 key uses SHA-384", "valid",
          base,
          [authorize("${config.credentialP384}", alg=SHA384),
           sign_doc({}, "${config.credentialP384}", alg=SHA384, algo=ECDSA_SHA384)],
          f + ["NeedsConfig"], needs=sd),
        t("the signing certificate's chain is inside the signature", "valid",
          ["431-2:OVR-8.2-06", "431-2:OVR-B.1-03"],
          [authorize(), sign_doc({"chain": True})], f, needs=sd),
        t("the document sent is signed and returned inside the signature", "valid",
          ["431-2:OVR-8.2-09", "431-2:OVR-8.2-08A", "431-2:OVR-B.1-03"],
          [authorize(hashes=[DOC_SHA256]), sign_doc({"attached": True}, document=True)],
          f, needs=sd),
        t("the signing certificate names the signatory", "valid",
          ["431-2:OVR-B.1-01", "431-2:OVR-B.1-03"],
          [authorize(), sign_doc({"subject": "${config.signatoryName}"})],
          f + ["NeedsConfig"], needs=sd),
        t("a seal's signing certificate names the creator of the seal", "valid",
          ["431-2:OVR-B.1-02", "431-2:OVR-B.1-03"],
          [authorize("${config.sealCredentialID}"),
           sign_doc({"organization": "${config.sealCreatorName}"},
                    "${config.sealCredentialID}")],
          f + ["NeedsConfig"], needs=sd + ["legalPerson"]),
        t("the signature names the signature policy that was applied", "valid",
          ["431-2:OVR-8.2-08", "431-2:OVR-8.2-05"],
          [authorize(), sign_doc({"policy": True})], f + ["Claimed"],
          needs=sd + ["signaturePolicy"]),
        t("the signature states the commitment type, or the policy that implies it", "valid",
          ["431-2:OVR-8.2-05"],
          [authorize(), sign_doc({"commitment": True})], f + ["Claimed"],
          needs=sd + ["commitmentType"]),
        t("a document digest under SHA-1, outside any creation policy, is not signed",
          "invalid", ["431-2:OVR-8.2-03", "431-2:OVR-8.2-02"],
          [authorize(),
           dict(sign_doc({}, hashes=["AAAAAAAAAAAAAAAAAAAAAAAAAAA="], alg=SHA1),
                expect=err())], f, expectedError=BAD, needs=sd),
    ]
    return ("CSC API v2 signDoc: the signature creation application", notes,
            [{"type": "CscSignDoc", "tests": tests}],
            "signatures/signDoc judged as TS 119 431-2 asks of a signature creation "
            "application: the CAdES signature returned to the signer, its certificate and "
            "chain inside, the algorithms requested, the signed document returned, the "
            "signatory or seal creator named, the policy and commitment type stated.")


def file_features():
    notes = {
        "OneTimeKey": "The configuration's oneTimeCredentialID is a one-time key made for this "
                      "run (claim oneTimeKeys): only its own signer activates it, it signs in "
                      "one signature session, and after that session it no longer signs (from "
                      "outside, its deletion shows only as that). The run uses it up.",
        "LegalPerson": "A credential of a legal person (a seal, claim legalPerson, "
                       "sealCredentialID): the SAD stays under the control of the one that "
                       "asked for it.",
        "OtherSigner": "Acts as the configuration's second test signer (identities.signerB).",
        "NeedsConfig": "Needs a credential the target's configuration names; SKIP when it is "
                       "not there.",
    }
    ot = "${config.oneTimeCredentialID}"
    seal = "${config.sealCredentialID}"
    tests = [
        t("a one-time key: not for another signer, one session, then it signs no more",
          "invalid", ["GEN-6.2.1-09", "LNK-6.2.2-03B", "DEL-6.3.2-05"],
          [authorize(ot, expect=err(), capture=False, **{"as": "signerB"}),
           authorize(ot), sign(ot),
           authorize(ot, hashes=["${hash:2}"], expect=err(), capture=False)],
          ["OneTimeKey", "OtherSigner", "NeedsConfig"], expectedError=BAD,
          acceptedErrors=["invalid_authentication_data"], needs=["oneTimeKeys"]),
        t("a seal's SAD presented by another signer signs nothing", "invalid",
          ["SIG-A.6-07A", "SRA_SAP.2.7"],
          [dict(authorize(seal, capture=False, expect={"status": 200, "present": ["$.SAD"]}),
                capture={"sadSeal": "$.SAD"}),
           sign(seal, sad="${sadSeal}", expect=err(), **{"as": "signerB"})],
          ["LegalPerson", "OtherSigner", "NeedsConfig"], expectedError=BAD,
          needs=["legalPerson"]),
    ]
    return ("CSC API v2 conditional features", notes,
            [{"type": "CscConditionalFeature", "tests": tests}],
            "Behaviour TS 119 431-1 asks of features a service may offer (one-time keys, "
            "legal persons): each vector runs where the configuration claims the feature and "
            "is skipped with the reason elsewhere.")


FILES = {"csc_session_test.json": file_session, "csc_sic_test.json": file_sic,
         "csc_optional_test.json": file_optional,
         "csc_sign_flow_test.json": file_flows, "csc_sad_attack_test.json": file_sad_attacks,
         "csc_errors_test.json": file_errors,
         "csc_sap_test.json": file_sap, "csc_signdoc_test.json": file_signdoc,
         "csc_features_test.json": file_features}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(TOP, "vectors", "csc"))
    a = ap.parse_args()
    vectorgen.write(FILES, a.out, "csc-protocol", SCHEMA, "csc_vectors")


if __name__ == "__main__":
    main()
