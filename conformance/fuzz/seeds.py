#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Write the fuzzers' seed corpora, one folder per harness under OUT_DIR. The CBOR harnesses
(fuzz_scbor, fuzz_cose, fuzz_scbor_diff) get every CBOR input of the vectors: the project's
*_test.json "input" fields, RFC 8949 Appendix A, the COSE examples' messages and protected
headers. The others get inputs in their own shape, each led by the harness's selector bytes:
SAD tokens and claims (fuzz_sad), SIC assertions (fuzz_sic), SAM request and response frames
(fuzz_samp), and the request bodies of the CSC vectors with their placeholders filled in
(fuzz_csc). Inputs that once made a harness fail are kept in conformance/fuzz/regress/<harness>/
and join its seeds, so every run replays them. usage: seeds.py VECTORS_DIR OUT_DIR"""
import base64
import glob
import hashlib
import json
import os
import re
import sys

CBOR_HARNESSES = ("fuzz_scbor", "fuzz_cose", "fuzz_scbor_diff")

# ------------------------------------------------------------------ a small CBOR encoder


def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for ai, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | ai]) + n.to_bytes(size, "big")
    raise ValueError(n)


def enc(v):
    """Deterministic CBOR of ints, bytes, str, bool, None, lists, int-keyed dicts (sorted),
    and ("tag", n, v)."""
    if isinstance(v, bool):
        return b"\xf5" if v else b"\xf4"
    if v is None:
        return b"\xf6"
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        return head(3, len(v.encode())) + v.encode()
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(enc(x) for x in v)
    if isinstance(v, dict):
        items = sorted((enc(k), enc(x)) for k, x in v.items())
        return head(5, len(items)) + b"".join(k + x for k, x in items)
    if isinstance(v, tuple) and v[0] == "tag":
        return head(6, v[1]) + enc(v[2])
    raise TypeError(v)


DIGEST = {1: 32, 2: 48, 3: 64}

# ---------------------------------------------------------------------- CBOR inputs


def cbor_inputs(top):
    for p in glob.glob(os.path.join(top, "**", "*_test.json"), recursive=True):
        with open(p, encoding="utf-8") as f:
            doc = json.load(f)
        for g in doc.get("testGroups", []):
            for t in g.get("tests", []):
                if "input" in t:
                    yield bytes.fromhex(t["input"])
    with open(os.path.join(top, "external", "cbor", "appendix_a.json"), encoding="utf-8") as f:
        for item in json.load(f):
            yield bytes.fromhex(item["hex"])
    for p in glob.glob(os.path.join(top, "external", "cose-examples", "*.json")):
        with open(p, encoding="utf-8") as f:
            doc = json.load(f)
        yield bytes.fromhex(doc["output"]["cbor"])
        for v in doc.get("intermediates", {}).values():
            if isinstance(v, str):
                yield bytes.fromhex(v)

# ---------------------------------------------------------------------- SAD tokens


def sad_claims(alg, n):
    """The claims map of spec/sap.md §2 for n digests of hash algorithm alg."""
    return enc({1: 1, 2: bytes(range(16)), 3: b"alice", 4: b"cred-1", 5: b"qscd", 6: alg,
                7: [bytes([j + 1]) * DIGEST[alg] for j in range(n)], 8: n, 9: 1700000000,
                10: 1700000300, 11: 2})


def sad_token(payload):
    return enc(("tag", 17, [enc({1: 5}), {}, payload, bytes(32)]))


def sad_inputs(cbor):
    for c in cbor:          # the COSE examples' Mac0 messages among them
        yield b"\x00" + c
    for alg, n in ((1, 1), (2, 2), (3, 1), (1, 32)):
        claims = sad_claims(alg, n)
        yield b"\x01" + claims
        yield b"\x00" + sad_token(claims)
        yield b"\x02" + sad_token(claims)

# ------------------------------------------------------------------- SIC assertions


def sic_assertion(n=1, alg=1, cred=b"cred-1"):
    """An assertion for the harness's fixed request (cred-1, one SHA-256 digest of 0x01s)."""
    claims = enc({1: 1, 2: bytes(range(32)), 3: cred, 4: n, 5: alg,
                  6: [bytes([1]) * DIGEST[alg] for _ in range(n)]})
    return enc(("tag", 18, [enc({1: -7}), {}, claims, bytes(64)]))


def sic_inputs(cbor):
    for c in cbor:          # the COSE examples' Sign1 messages among them
        yield b"\x01" + c
    for scene in (0x00, 0x01, 0x05, 0x09, 0x11, 0x21):
        yield bytes([scene]) + sic_assertion()
    yield b"\x01" + sic_assertion(3, 2, b"cred-2")

# ---------------------------------------------------------------------- SAM frames


def frame(payload):
    return len(payload).to_bytes(4, "big") + payload


def samp_request(op, params, role=1, caller=b"alice", password=None):
    who = {1: role, 2: caller}
    if password is not None:
        who[3] = password
    return enc({1: 1, 2: op, 3: bytes(16), 4: who, 5: params})


def samp_inputs():
    h = [bytes([1]) * 32]
    yield frame(samp_request(31, {1: b"cred-1", 2: 1, 3: 1, 4: h, 5: b"123456", 6: b"123456"}))
    yield frame(samp_request(32, {1: b"cred-1", 2: sad_token(sad_claims(1, 1)), 3: 1, 4: 1, 5: h}))
    yield frame(samp_request(22, {1: b"cred-1"}))
    yield frame(samp_request(21, {}))
    yield frame(samp_request(10, {1: b"bob", 2: "Bob"}, 2, b"so", b"password"))
    yield frame(samp_request(50, {1: 0, 2: 100}, 4, b"auditor", b"password"))
    yield frame(enc({1: 1, 2: 0, 3: bytes(16), 5: {1: [b"cred-1", b"cred-2"]}}))
    yield frame(enc({1: 1, 2: 152, 3: bytes(16), 4: "SAD: token MAC does not verify"}))

# ------------------------------------------------------------------------ CSC bodies

# The methods of fuzz_csc.c's urls[], in its order: a seed's first byte is the index.
ROUTES = ["info", "auth/login", "auth/revoke", "credentials/list", "credentials/info",
          "credentials/authorize", "credentials/getChallenge", "signatures/signHash",
          "credentials/extendTransaction"]
HASH_OIDS = {"2.16.840.1.101.3.4.2.1": 1, "2.16.840.1.101.3.4.2.2": 2,
             "2.16.840.1.101.3.4.2.3": 3}
SIGN_OID_HASH = {"1.2.840.10045.4.3.3": 2, "1.2.840.10045.4.3.4": 3,
                 "1.2.840.113549.1.1.12": 2, "1.2.840.113549.1.1.13": 3}


def fill(v, alg):
    """Replace the vectors' ${...} placeholders with plausible values."""
    if isinstance(v, dict):
        return {k: fill(x, alg) for k, x in v.items()}
    if isinstance(v, list):
        return [fill(x, alg) for x in v]
    if not isinstance(v, str):
        return v
    m = re.fullmatch(r"\$\{hash:(\d+)\}", v)
    if m:
        d = hashlib.new({1: "sha256", 2: "sha384", 3: "sha512"}[alg], m.group(1).encode())
        return base64.b64encode(d.digest()).decode()
    if v.startswith("${sad"):
        return base64.urlsafe_b64encode(sad_token(sad_claims(alg, 1))).decode().rstrip("=")
    if v == "${tok}":
        return "fuzz-token"
    if v in ("${config.pin}", "${config.otp}"):
        return "123456"
    if v.startswith("${config.cred") or v.endswith("CredentialID}"):
        return "cred-1"
    if v.startswith("${"):
        return "alice"
    return v


def csc_inputs(top):
    login = b"Basic " + base64.b64encode(b"alice@app:secret")
    for answer in (0, 1, 255):
        yield bytes([1, answer]) + login
    for p in sorted(glob.glob(os.path.join(top, "csc", "*_test.json"))):
        with open(p, encoding="utf-8") as f:
            doc = json.load(f)
        for g in doc["testGroups"]:
            for t in g["tests"]:
                for s in t["steps"]:
                    req = s.get("request", {})
                    route = ROUTES.index(s["call"]) if s["call"] in ROUTES else 7
                    alg = HASH_OIDS.get(req.get("hashAlgorithmOID"),
                                        SIGN_OID_HASH.get(req.get("signAlgo"), 1))
                    body = json.dumps(fill(req, alg)).encode()
                    for answer in (0, 3):
                        yield bytes([route, answer]) + body

# ---------------------------------------------------------------------------- output


def write(out, name, inputs):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    n = 0
    for data in inputs:
        path = os.path.join(d, hashlib.sha1(data).hexdigest())
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            n += 1
    return n


def regressions(name):
    for p in sorted(glob.glob(os.path.join(os.path.dirname(__file__), "regress", name, "*"))):
        with open(p, "rb") as f:
            yield f.read()


def main():
    top, out = sys.argv[1], sys.argv[2]
    cbor = list(cbor_inputs(top))
    n = sum(write(out, h, cbor) for h in CBOR_HARNESSES)
    n += write(out, "fuzz_sad", sad_inputs(cbor))
    n += write(out, "fuzz_sic", sic_inputs(cbor))
    n += write(out, "fuzz_samp", samp_inputs())
    n += write(out, "fuzz_csc", csc_inputs(top))
    for name in CBOR_HARNESSES + ("fuzz_sad", "fuzz_sic", "fuzz_samp", "fuzz_csc"):
        n += write(out, name, regressions(name))
    print(f"seeds: {n} new file(s) in {out}")


if __name__ == "__main__":
    main()
