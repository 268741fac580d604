#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Self-test of the vector linter (src/tools/vectors_lint.py), run by `make check`.

Each case writes a small vectors folder (with the project's real schemas) and a one-line
catalogue into a fresh temporary directory, runs the linter on them as a separate process,
and checks the exit status and the message: a good file must pass and every broken one must
fail with the error that names the fault, so a linter that accepts or rejects everything
fails here.

  vectors_lint_selftest.py [--outcomes]
"""
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

from selftest_run import run_cases

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
LINT = os.path.join(HERE, "vectors_lint.py")
CATALOGUE = ("id\tdocument\tversion\tclause\tcomponent\ttitle\tparaphrase\tmethod\tna_reason\t"
             "id_status\tpolicy\tevidence\n"
             "221-5/SENSITIVE\tEN 419 221-5\t2018\tx\tCM\tt\tp\ttest\t\tours\t\t\n")


def p11(**top):
    doc = {"algorithm": "self-test", "kind": "pkcs11-module",
           "schema": "pkcs11_module_test_schema.json", "numberOfTests": 2,
           "notes": {"SensitiveKey": "a note"},
           "testGroups": [{"type": "T", "op": "getAttribute",
                           "key": {"type": "EC", "curve": "P-256"},
                           "tests": [
                               {"tcId": 1, "comment": "a", "flags": ["SensitiveKey"],
                                "result": "valid", "requirements": ["221-5/SENSITIVE"],
                                "attribute": "CKA_SENSITIVE", "expect": True},
                               {"tcId": 2, "comment": "b", "flags": [], "result": "acceptable",
                                "requirements": ["221-5/SENSITIVE"], "attribute": "CKA_LOCAL",
                                "expect": True, "profileOption": "some-option"}]}]}
    doc.update(top)
    return doc


def edit(fn):
    doc = p11()
    fn(doc)
    return doc


def test0(doc):
    return doc["testGroups"][0]["tests"][0]


def csc(steps):
    return {"algorithm": "self-test", "kind": "csc-protocol", "schema": "csc_protocol_test_schema.json",
            "numberOfTests": 1, "notes": {},
            "testGroups": [{"type": "T", "tests": [
                {"tcId": 1, "comment": "flow", "flags": [], "result": "invalid",
                 "requirements": ["221-5/SENSITIVE"], "expectedError": "invalid_request",
                 "steps": steps}]}]}


GOOD_CSC = [{"call": "credentials/authorize", "request": {"x": 1}, "capture": {"sad": "$.SAD"}},
            {"call": "signatures/signHash", "request": {"SAD": "${sad}"},
             "expect": {"status": 400, "error": "invalid_request"}}]
BAD_CSC = [{"call": "signatures/signHash", "request": {"SAD": "${sad}"}}]
SIC_AUTH = {"authData": [{"id": "SIC", "value": "${sic:badsig}"}]}
GOOD_SIC = [{"call": "credentials/getChallenge", "request": {},
             "capture": {"challenge": "$.challenge"}},
            {"call": "credentials/authorize", "request": SIC_AUTH,
             "expect": {"status": 400, "error": "invalid_request"}}]

def sam(steps, flags=()):
    return {"algorithm": "self-test", "kind": "sam-admin", "schema": "sam_admin_test_schema.json",
            "numberOfTests": 1, "notes": {"StoreChange": "a note"},
            "testGroups": [{"type": "T", "tests": [
                {"tcId": 1, "comment": "admin", "flags": list(flags), "result": "invalid",
                 "requirements": ["221-5/SENSITIVE"], "steps": steps}]}]}


SAM_OK = [{"as": "so:so", "password": "so.password", "run": ["admin", "totp.provision"],
           "exit": 0, "capture": {"otp": "uri: "}},
          {"as": "signer:${nonce}", "run": ["admin", "authorize", "--otp", "${totp:otp}",
                                            "--out", "${scratch}/sad"], "exit": 0,
           "stdoutAbsent": ["${file:so.password}"]}]
SAM_TAMPER = [{"tamper": "UPDATE audit SET outcome = 1"},
              {"as": "auditor:aud", "run": ["audit", "verify"], "exit": 1},
              {"tamper": "UPDATE audit SET outcome = 0"}]

# name -> (files {relative path: JSON document or raw text}, expected exit status, text)
CASES = {
    "good file passes": ({"pkcs11/a_test.json": p11()}, 0, "2 vectors in 1 files, 0 error(s)"),
    "good CSC flow passes": ({"csc/a_test.json": csc(GOOD_CSC)}, 0, "0 error(s)"),
    "empty folder": ({}, 1, "no vector file"),
    "not JSON": ({"pkcs11/a_test.json": "{not json"}, 1, "not JSON"),
    "unknown schema": ({"pkcs11/a_test.json": p11(schema="nosuch_schema.json")}, 1,
                       "no schema vectors/schemas/nosuch_schema.json"),
    "bad result value": ({"pkcs11/a_test.json": edit(lambda d: test0(d).update(result="maybe"))},
                         1, "schema: at /testGroups/0/tests/0/result"),
    "unknown test field": ({"pkcs11/a_test.json": edit(lambda d: test0(d).update(colour="red"))},
                           1, "colour"),
    "bad key spec": ({"pkcs11/a_test.json": edit(
        lambda d: d["testGroups"][0].update(key={"type": "EC"}))}, 1, "'curve' is a required"),
    "duplicate tcId": ({"pkcs11/a_test.json": edit(lambda d: test0(d).update(tcId=2))}, 1,
                       "tcId 2 used 2 times"),
    "wrong numberOfTests": ({"pkcs11/a_test.json": p11(numberOfTests=3)}, 1,
                            "numberOfTests is 3, the file has 2 tests"),
    "flag without note": ({"pkcs11/a_test.json": edit(lambda d: test0(d).update(flags=["Odd"]))},
                          1, "flag 'Odd' has no note"),
    "unknown requirement": ({"pkcs11/a_test.json": edit(
        lambda d: test0(d).update(requirements=["SRX.9.9"]))}, 1,
        "requirement 'SRX.9.9' is not in the catalogue"),
    "acceptable without profileOption": ({"pkcs11/a_test.json": edit(
        lambda d: d["testGroups"][0]["tests"][1].pop("profileOption"))}, 1,
        "an acceptable result needs its profileOption"),
    "no requirements": ({"pkcs11/a_test.json": edit(lambda d: test0(d).pop("requirements"))}, 1,
                        "'requirements' is a required property"),
    "capture used before it is made": ({"csc/a_test.json": csc(BAD_CSC)}, 1,
                                       "uses ${sad}, which no earlier step captures"),
    "SIC assertion over a captured challenge passes": ({"csc/a_test.json": csc(GOOD_SIC)}, 0,
                                                       "0 error(s)"),
    "SIC assertion without a challenge": ({"csc/a_test.json": csc(GOOD_SIC[1:])}, 1,
                                          "uses ${sic}, but no earlier step captures"),
    "good sam-admin vector passes": ({"sam/a_test.json": sam(SAM_OK)}, 0, "0 error(s)"),
    "sam-admin capture used before it is made": ({"sam/a_test.json": sam(SAM_OK[1:])}, 1,
                                                 "uses ${totp:otp}, which no earlier step"),
    "sam-admin unknown step field": ({"sam/a_test.json": sam([dict(SAM_OK[0], shell="x")])},
                                     1, "schema: at /testGroups/0/tests/0/steps/0"),
    "sam-admin role not one of the four": ({"sam/a_test.json": sam(
        [dict(SAM_OK[0], **{"as": "root:x"})])}, 1, "schema: at /testGroups/0/tests/0/steps/0"),
    "sam-admin store change flagged and undone": ({"sam/a_test.json": sam(
        SAM_TAMPER, ["StoreChange"])}, 0, "0 error(s)"),
    "sam-admin store change without its flag": ({"sam/a_test.json": sam(SAM_TAMPER)}, 1,
                                                "without the StoreChange flag"),
    "sam-admin store change not undone": ({"sam/a_test.json": sam(
        SAM_TAMPER[:2], ["StoreChange"])}, 1, "one is not undone"),
    "schemas and external are not vectors": ({"external/x.json": "{not json",
                                              "pkcs11/a_test.json": p11()}, 0, "0 error(s)"),
}


def run_case(files):
    with tempfile.TemporaryDirectory(prefix="vectors-lint-selftest-") as d:
        vdir = os.path.join(d, "vectors")
        shutil.copytree(os.path.join(TOP, "vectors", "schemas"), os.path.join(vdir, "schemas"))
        os.makedirs(os.path.join(d, "cat"))
        with open(os.path.join(d, "cat", "en419221-5.tsv"), "w", encoding="utf-8") as f:
            f.write(CATALOGUE)
        for rel, content in files.items():
            path = os.path.join(vdir, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(content if isinstance(content, str) else json.dumps(copy.deepcopy(content)))
        env = dict(os.environ)
        env.pop("QSCD_OUTCOME_FILE", None)
        p = subprocess.run([sys.executable, LINT, "--dir", vdir, "--catalogue",
                            os.path.join(d, "cat")], capture_output=True, text=True, env=env,
                           check=False)
        return p.returncode, p.stdout + p.stderr


def main(argv):
    return run_cases("vectors-lint-selftest", CASES, run_case, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
