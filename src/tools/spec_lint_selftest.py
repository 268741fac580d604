#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Self-test of the catalogue linter (src/tools/spec_lint.py), run by `make check`.

Each case writes a small catalogue into a fresh temporary directory, runs the linter on it
with --dir as a separate process, and checks the exit status and the message: a good
catalogue must pass, and every broken one (duplicate id, missing field, bad method,
unresolved evidence, wrong document, ...) must fail with the error that names the fault.
So a linter that accepted everything, or rejected everything, fails here.

  spec_lint_selftest.py [--outcomes]

--outcomes appends one line "spec-lint-selftest;<case>;PASS|FAIL;<cause>" per case to
$QSCD_OUTCOME_FILE. Exit status 1 if any case failed.
"""
import os
import subprocess
import sys
import tempfile

from selftest_run import run_cases

HERE = os.path.dirname(os.path.abspath(__file__))
LINT = os.path.join(HERE, "spec_lint.py")
HEADER = ["id", "document", "version", "clause", "component", "title", "paraphrase",
          "method", "na_reason", "id_status", "policy", "evidence"]
# Evidence that exists in every checkout: the catalogue's own README.
GOOD_DOC = "doc:spec/requirements/README.md"


def row(**kw):
    """A valid EN 419 241-1 row; keyword arguments override single cells."""
    r = {"id": "SRA_SKM.2.5", "document": "EN 419 241-1", "version": "2018",
         "clause": "SRA_SKM.2", "component": "SAM,CM", "title": "Signing key control",
         "paraphrase": "An activated key signs only what the SAP authorised.",
         "method": "test", "na_reason": "", "id_status": "title-only", "policy": "",
         "evidence": ""}
    r.update(kw)
    return "\t".join(r[c] for c in HEADER)


def tsv(*rows, header=None):
    return "\t".join(header or HEADER) + "\n" + "".join(r + "\n" for r in rows)


VECTOR = ('{"testGroups": [{"tests": [{"tcId": 1, "requirements": ["SRA_SKM.2.5"]}]}]}')

GOOD = tsv(row(), row(id="SRA_SKM.2.8", method="process", na_reason="organisational: x",
                      evidence=GOOD_DOC))
EIDAS = tsv(row(id="eIDAS-AnnexII-1d", document="eIDAS", version="2024/1183", clause="Annex II",
                id_status="ours"))

# name -> (files, extra linter arguments, expected exit status, text the output must hold)
CASES = {
    "good catalogue passes": ({"en419241-1.tsv": GOOD, "eidas.tsv": EIDAS}, [], 0,
                              "0 error(s)"),
    "summary table": ({"en419241-1.tsv": GOOD}, ["--summary"], 0,
                      "| EN 419 241-1 | 1 | 1 | 2 |"),
    "empty directory": ({}, [], 1, "no catalogue file"),
    "unknown file name": ({"en419241-3.tsv": GOOD}, [], 1, "unknown catalogue file"),
    "bad header": ({"en419241-1.tsv": tsv(row(), header=HEADER[:-1])}, [], 1,
                   "first line must be the header"),
    "wrong column count": ({"en419241-1.tsv": tsv(row() + "\textra")}, [], 1,
                           "13 columns, expected 12"),
    "duplicate id in one file": ({"en419241-1.tsv": tsv(row(), row())}, [], 1,
                                 "duplicate id 'SRA_SKM.2.5'"),
    "duplicate id across files": ({"en419241-1.tsv": tsv(row(id="SRA_SKM.2.1")),
                                   "eidas.tsv": tsv(row(id="SRA_SKM.2.1", document="eIDAS"))},
                                  [], 1, "duplicate id 'SRA_SKM.2.1'"),
    "missing field": ({"en419241-1.tsv": tsv(row(paraphrase=""))}, [], 1, "empty 'paraphrase'"),
    "space around a value": ({"en419241-1.tsv": tsv(row(title="Signing key control "))}, [], 1,
                             "white space around the value of 'title'"),
    "bad method": ({"en419241-1.tsv": tsv(row(method="guess"))}, [], 1, "method 'guess'"),
    "repeated method": ({"en419241-1.tsv": tsv(row(method="test+test"))}, [], 1,
                        "method 'test' listed 2 times"),
    "n/a without reason": ({"en419241-1.tsv": tsv(row(method="n/a"))}, [], 1,
                           "needs na_reason"),
    "process in a combination without reason": (
        {"en419241-1.tsv": tsv(row(method="test+process"))}, [], 1, "needs na_reason"),
    "n/a combined": ({"en419241-1.tsv": tsv(row(method="n/a+test", na_reason="x"))}, [], 1,
                     "cannot be combined"),
    "reason without n/a or process": ({"en419241-1.tsv": tsv(row(na_reason="because"))}, [], 1,
                                      "na_reason is only for"),
    "bad component": ({"en419241-1.tsv": tsv(row(component="SAM,HSM"))}, [], 1,
                      "component 'HSM'"),
    "empty component item": ({"en419241-1.tsv": tsv(row(component="SAM,,CM"))}, [], 1,
                             "empty item in 'component'"),
    "bad policy": ({"en419241-1.tsv": tsv(row(policy="QES"))}, [], 1, "policy 'QES'"),
    "bad id status": ({"en419241-1.tsv": tsv(row(id_status="guessed"))}, [], 1,
                      "id_status 'guessed'"),
    "document does not match file": ({"en419241-1.tsv": tsv(row(document="TS 119 432"))}, [],
                                     1, "does not match the file"),
    "id does not match the document": ({"en419241-1.tsv": tsv(row(id="OVR-6.1-01"))}, [], 1,
                                       "does not match the id pattern"),
    "two versions in one file": ({"en419241-1.tsv": tsv(row(), row(id="SRA_SKM.2.6",
                                                                  version="2019"))},
                                 [], 1, "more than one version"),
    "ids with one ACSL name": ({"csc-api-v2.tsv": tsv(
        row(id="CSC-11.9-count", document="CSC API", version="v2.0.0.2"),
        row(id="CSC-11-9-count", document="CSC API", version="v2.0.0.2"))}, [], 1,
        "same ACSL name 'CSC_11_9_count'"),
    "paraphrase too long": ({"en419241-1.tsv": tsv(row(paraphrase="word " * 100))}, [], 1,
                            "paraphrase of"),
    "unresolved unit evidence": ({"en419241-1.tsv": tsv(row(evidence="unit:nosuch/test"))}, [],
                                 1, "no unit test 'nosuch/test'"),
    "unresolved proof evidence": ({"en419241-1.tsv": tsv(row(evidence="proof:No_such_clause"))},
                                  [], 1, "no ACSL clause named 'No_such_clause'"),
    "unresolved file evidence": ({"en419241-1.tsv": tsv(row(evidence="doc:no/such/file.md"))},
                                 [], 1, "no file no/such/file.md"),
    "unknown evidence kind": ({"en419241-1.tsv": tsv(row(evidence="wiki:page"))}, [], 1,
                              "unknown evidence kind"),
    "repeated evidence": ({"en419241-1.tsv": tsv(row(evidence=f"{GOOD_DOC} {GOOD_DOC}"))}, [], 1,
                          "listed 2 times"),
    "missing test evidence passes without --strict": ({"en419241-1.tsv": tsv(row())}, [], 0,
                                                      "1 requirement(s) with no test evidence"),
    "missing test evidence fails with --strict": ({"en419241-1.tsv": tsv(row())}, ["--strict"],
                                                  1, "method test but no test evidence"),
    "a citing vector is test evidence with --scan-vectors": (
        {"en419241-1.tsv": tsv(row()), "vectors/x/a_test.json": VECTOR},
        ["--strict", "--scan-vectors"], 0,
        "1 requirement(s) with test evidence only from vectors' requirements"),
    "a unit test alone is no vector with --strict": (
        {"en419241-1.tsv": tsv(row(evidence="unit:samdadm/SRG_M_1_role_separation"))},
        ["--strict", "--scan-vectors"], 1, "method test but no vector"),
    "a unit test alone passes without --strict": (
        {"en419241-1.tsv": tsv(row(evidence="unit:samdadm/SRG_M_1_role_separation"))},
        ["--scan-vectors"], 0, "0 error(s)"),
    "a unit test and a citing vector pass with --strict": (
        {"en419241-1.tsv": tsv(row(evidence="unit:samdadm/SRG_M_1_role_separation")),
         "vectors/x/a_test.json": VECTOR}, ["--strict", "--scan-vectors"], 0, "0 error(s)"),
    "a vector citing another id is no evidence": (
        {"en419241-1.tsv": tsv(row()), "vectors/x/a_test.json": VECTOR.replace("SRA_SKM.2.5",
                                                                              "SRA_SKM.2.6")},
        ["--strict", "--scan-vectors"], 1, "method test but no test evidence"),
}


def run_case(files, args):
    with tempfile.TemporaryDirectory(prefix="spec-lint-selftest-") as d:
        for name, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(d, name)), exist_ok=True)
            with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                f.write(text)
        env = dict(os.environ)
        env.pop("QSCD_OUTCOME_FILE", None)
        if "--scan-vectors" in args:
            args = args + ["--vectors-dir", os.path.join(d, "vectors")]
        p = subprocess.run([sys.executable, LINT, "--dir", d] + args, capture_output=True,
                           text=True, env=env, check=False)
        return p.returncode, p.stdout + p.stderr


def main(argv):
    return run_cases("spec-lint-selftest", CASES, run_case, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
