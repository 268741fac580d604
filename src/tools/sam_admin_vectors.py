#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Write the SAM administration and audit vectors, vectors/sam/sam_admin_test.json.

Reference-only (kind sam-admin): each vector is a list of `qscd admin` / `qscd audit`
commands run on the reference target's throw-away data directory as a role and identity,
with the exit status and the output each must and must not give, an audit export's records
judged field by field, or a change the runner itself makes to the throw-away audit store.
ref_start.sh makes the identities: the security officer so:so, the operator operator:oper and
the auditor auditor:aud (password files so.password, oper.password, aud.password; a wrong one,
wrong.password) and the signers alice and bob. Failed administrator authentications count
towards the lockout, so a vector that makes one ends with that account used successfully.

FINDINGS are vectors written the way the standard wants it which the reference does not
meet today: not in the committed file; `--findings --out DIR` writes them for a run by hand.

  src/tools/sam_admin_vectors.py [--out vectors/sam] [--findings]
"""
import argparse
import hashlib
import os

import vectorgen

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = "sam_admin_test_schema.json"
SO = ("so:so", "so.password")
OP = ("operator:oper", "oper.password")
AUD = ("auditor:aud", "aud.password")
ALICE = ("signer:alice", None)
HASH = hashlib.sha256(b"sam-admin vector").hexdigest()
DENIED = "QSCD_ERR_ROLE_DENIED"
AUTH_FAILED = "QSCD_ERR_AUTH_FAILED"
PIN = "4826-sam-admin-pin"   # a throw-away test signer's PIN: it must reach no record
RECORD_FIELDS = ["seq", "time", "event", "role", "actor", "outcome", "link"]


def cmd(who, *run, exit=0, **kw):
    step = {"as": who[0]}
    if who[1]:
        step["password"] = who[1]
    step.update({"run": list(run), "exit": exit})
    step.update(kw)
    return step


def refused(who, *run, code=DENIED, **kw):
    return cmd(who, "admin", *run, exit=1, stderrContains=[code], **kw)


def export(**records):
    return cmd(AUD, "audit", "export", records=records)


def verify_ok():
    return cmd(AUD, "audit", "verify", stdoutContains=["audit: intact"])


def test(comment, reqs, steps, result="valid", flags=()):
    return {"comment": comment, "flags": list(flags), "result": result,
            "requirements": reqs, "steps": steps}


def roles():
    priv = [refused(SO, "authorize", "--cred", "${nonce}", "--hash", HASH, "--otp", "123456",
                    env={"QSCD_PIN": "1111-not-a-pin"}),
            refused(OP, "sign", "--cred", "${nonce}", "--hash", HASH, "--sad", "AAAA"),
            refused(AUD, "sign", "--cred", "${nonce}", "--hash", HASH, "--sad", "AAAA"),
            export(where={"cred": "${nonce}"}, count=3, present=["event", "role", "actor"],
                   equal={"outcome": DENIED}, timeWithinSeconds=30, every=True)]
    signer = [refused(ALICE, "signer.enrol", "--signer", "${nonce}", "--name", "x"),
              refused(ALICE, "cred.create", "--signer", "alice", "--cred", "${nonce}"),
              refused(ALICE, "cred.disable", "--cred", "alice-p256"),
              refused(ALICE, "key.backup", "--cred", "alice-p256"),
              refused(ALICE, "audit.export", "--count", "1"),
              refused(ALICE, "admin.create", "--admin", "${nonce}", "--role", "auditor",
                      "--new-password-file", "/dev/null"),
              cmd(ALICE, "admin", "cred.list", stdoutContains=["alice-p256"],
                  stdoutAbsent=["bob-p256"])]
    one_role = [refused(("so:aud", "aud.password"), "signer.enrol", "--signer", "${nonce}",
                        "--name", "x", code=AUTH_FAILED),
                refused(("so:oper", "oper.password"), "signer.enrol", "--signer", "${nonce}",
                        "--name", "x", code=AUTH_FAILED),
                refused(("auditor:so", "so.password"), "audit.verify", code=AUTH_FAILED),
                refused(("operator:so", "so.password"), "key.backup", "--cred", "alice-p256",
                        code=AUTH_FAILED),
                refused(("auditor:oper", "oper.password"), "audit.verify", code=AUTH_FAILED),
                refused(SO, "admin.create", "--admin", "aud", "--role", "so",
                        "--new-password-file", "${dir}/so.password", code="QSCD_ERR_EXISTS"),
                # the accounts used once more: their failure counters go back to zero
                cmd(SO, "admin", "info"), cmd(OP, "admin", "info"), verify_ok()]
    admin_ops = [refused(SO, "audit.export", "--count", "1"),
                 refused(SO, "key.backup", "--cred", "alice-p256"),
                 refused(OP, "cred.create", "--signer", "alice", "--cred", "${nonce}"),
                 refused(OP, "signer.disable", "--signer", "bob"),
                 refused(OP, "audit.verify"),
                 refused(AUD, "cred.list"),
                 refused(AUD, "signer.unlock", "--signer", "bob"),
                 refused(AUD, "key.backup", "--cred", "alice-p256")]
    groups = [{"type": "SamAdminRoles", "tests": [
        test("security officer, operator and auditor cannot authorise or sign; each attempt "
             "is recorded as refused, with the time it happened",
             ["SRG_M.1.5", "SRG_M.1", "OVR-6.5.1-01", "431-2:OVR-7.10-03", "SRG_AA.8",
              "241-2/PRIV", "SRG_M.1.1"], priv,
             "invalid"),
        test("a signer cannot administer (enrol, create, disable, back up, read the audit, "
             "create an administrator) and lists only its own credentials",
             ["SRG_M.1.10", "SRG_M.1.3", "SRG_M.1.5", "241-2/ENROL", "241-2/ROLES", "SRG_SA.1.2"],
             signer, "invalid"),
        test("an administrator account holds one role: its password does not open another "
             "role, and an existing administrator cannot be given a second one",
             ["SRG_M.1.4", "SRG_M.1.6", "SRG_M.1.7", "241-2/ROLES"], one_role, "invalid"),
        test("each privileged role does only its own operations: officer no audit or backup, "
             "operator no officer or audit work, auditor no officer or operator work",
             ["SRG_M.1.6", "SRG_M.1.7", "SRG_M.1.10", "OVR-6.5.1-01", "SRG_M.1.1", "SRG_M.1.2",
              "241-2/ROLES"], admin_ops, "invalid")]}]
    return groups


def audit_access():
    only_auditor = [refused(SO, "audit.export", "--count", "1"),
                    refused(OP, "audit.export", "--count", "1"),
                    refused(ALICE, "audit.export", "--count", "1"),
                    cmd(("auditor:aud", "wrong.password"), "audit", "export", exit=1,
                        stderrContains=[AUTH_FAILED]),
                    cmd(AUD, "audit", "export", stdoutContains=['"seq":'])]
    no_session = [cmd(("so:so", None), "admin", "signer.disable", "--signer", "bob", exit=1,
                      stderrContains=["no password"]),
                  cmd(("so:so", "wrong.password"), "admin", "signer.disable", "--signer", "bob",
                      exit=1, stderrContains=[AUTH_FAILED]),
                  cmd(SO, "admin", "info"),
                  export(where={"event": "signer.disable", "actor": "so"},
                         equal={"outcome": AUTH_FAILED, "role": "so"})]
    return [{"type": "SamAuditAccess", "tests": [
        test("only the auditor reads the audit: officer, operator and signer are refused, a "
             "wrong auditor password too", ["SRG_AA.5", "SRG_SA.1.2"], only_auditor, "invalid"),
        test("no administrative session: every administrator request carries its password; "
             "without one or with a wrong one nothing is done, and the attempt is recorded",
             ["SRG_IA.1.4", "OVR-6.4.5-02"], no_session, "invalid")]}]


def signed_once():
    """A throw-away signer, its credential, one authorisation and one signature: the records
    each operation leaves are what audit_content and audit_search look for."""
    return [cmd(SO, "admin", "signer.enrol", "--signer", "${nonce}", "--name", "SAM admin"),
            cmd(SO, "admin", "pin.set", "--signer", "${nonce}", env={"QSCD_PIN": PIN}),
            cmd(SO, "admin", "totp.provision", "--signer", "${nonce}",
                capture={"otp": "uri: "}),
            cmd(SO, "admin", "cred.create", "--signer", "${nonce}", "--cred", "${nonce}-c",
                "--alg", "p256", "--backup"),
            cmd(("signer:${nonce}", None), "admin", "authorize", "--cred", "${nonce}-c",
                "--hash", HASH, "--otp", "${totp:otp}", "--out", "${scratch}/sad",
                env={"QSCD_PIN": PIN}),
            cmd(("signer:${nonce}", None), "admin", "sign", "--cred", "${nonce}-c", "--sad",
                "@${scratch}/sad", "--hash", HASH, stdoutContains=["signatures: "])]


def audit_content():
    flow = signed_once()
    def ev(event, role, actor, cred="${nonce}-c", **fields):
        return export(where={"event": event, "cred": cred}, count=1, present=RECORD_FIELDS,
                      equal={"role": role, "actor": actor, "outcome": "QSCD_OK", **fields},
                      timeWithinSeconds=30)
    records = [ev("signer.enrol", "so", "so", cred="${nonce}"),
               ev("cred.create", "so", "so"),
               ev("authorize", "signer", "${nonce}", count=1, first_hash=HASH),
               ev("sign", "signer", "${nonce}", count=1, first_hash=HASH)]
    secrets = [refused(("signer:${nonce}", None), "totp.provision", "--signer", "${nonce}"),
               cmd(AUD, "audit", "export", stdoutContains=["${nonce}"],
                   stdoutAbsent=[PIN, "${file:so.password}", "${file:oper.password}",
                                 "${file:aud.password}", "otpauth:", "${otp}"])]
    refusal = [refused(SO, "cred.info", "--cred", "${nonce}", code="QSCD_ERR_CRED_NOT_FOUND"),
               export(where={"cred": "${nonce}"}, count=1, present=RECORD_FIELDS,
                      equal={"role": "so", "actor": "so", "outcome": "QSCD_ERR_CRED_NOT_FOUND"},
                      timeWithinSeconds=5)]
    archive = [export(where={"seq": 0}, count=1, present=RECORD_FIELDS, contiguous=True,
                      equal={"event": "admin.create", "actor": "init", "outcome": "QSCD_OK"}),
               export(where={"event": "service.start"}, present=RECORD_FIELDS,
                      equal={"role": "none", "actor": "sam", "outcome": "QSCD_OK"}),
               export(where={}, every=True, present=["seq", "time", "event", "actor", "outcome",
                                                     "link"])]
    return [{"type": "SamAuditContent", "tests": [
        test("enrolment, credential creation, authorisation and signature each leave one "
             "record: time, event, role, actor, credential, digest and outcome",
             ["431-2:OVR-7.10-02", "431-2:OVR-7.10-03", "431-2:OVR-7.10-06", "OVR-6.4.5-03",
              "OVR-6.4.5-05", "SRG_AA.8", "OVR-6.4.5-07", "SRG_SO.2", "OVR-6.5.2-02",
              "SRG_AA.1", "SRG_AA.3", "241-2/AUDIT"],
             flow + records),
        test("a refused operation is recorded with its time, actor and failure code",
             ["431-2:OVR-7.10-06", "OVR-6.4.5-02", "OVR-6.4.5-05", "SRG_AA.8", "SRG_AA.1",
              "SRG_AA.3", "241-2/AUDIT"], refusal,
             "invalid"),
        test("the export holds no PIN, password, TOTP seed or code given to the SAM; a "
             "signer cannot have a factor provisioned by itself",
             ["SRG_AR.1", "EID-6.2.4-01"], flow + secrets),
        test("the export is the whole log from the first record (the service's start) with no "
             "gap in the sequence numbers, each record timed",
             ["SRG_AR.1", "OVR-6.4.5-04", "OVR-6.4.5-02", "SRG_AA.2"], archive)]}]


def audit_integrity():
    seq = "(SELECT max(seq) - 2 FROM audit)"
    edit = [verify_ok(),
            {"tamper": f"CREATE TABLE cf_mark AS SELECT {seq} AS seq;"
                       "UPDATE audit SET outcome = outcome + 1 WHERE seq = (SELECT seq FROM cf_mark)"},
            cmd(AUD, "audit", "verify", exit=1, stdoutContains=["BROKEN at record"]),
            {"tamper": "UPDATE audit SET outcome = outcome - 1 WHERE seq = "
                       "(SELECT seq FROM cf_mark); DROP TABLE cf_mark"},
            verify_ok()]
    delete = [verify_ok(),
              {"tamper": f"CREATE TABLE cf_saved AS SELECT * FROM audit WHERE seq = {seq};"
                         "DELETE FROM audit WHERE seq = (SELECT seq FROM cf_saved)"},
              cmd(AUD, "audit", "verify", exit=1, stdoutContains=["BROKEN at record"]),
              {"tamper": "INSERT INTO audit SELECT * FROM cf_saved; DROP TABLE cf_saved"},
              verify_ok()]
    actor = [verify_ok(),
             {"tamper": f"CREATE TABLE cf_saved AS SELECT * FROM audit WHERE seq = {seq};"
                        "UPDATE audit SET actor = CAST('mallory' AS BLOB) "
                        "WHERE seq = (SELECT seq FROM cf_saved)"},
             cmd(AUD, "audit", "verify", exit=1, stdoutContains=["BROKEN at record"]),
             {"tamper": "UPDATE audit SET actor = (SELECT actor FROM cf_saved) "
                        "WHERE seq = (SELECT seq FROM cf_saved); DROP TABLE cf_saved"},
             verify_ok()]
    return [{"type": "SamAuditIntegrity", "tests": [
        test("a record's outcome changed in the store: audit verify names the broken record; "
             "undone, the log verifies again",
             ["OVR-6.4.5-06", "SRG_AR.2", "SRG_AA.7"], edit, "invalid", ["StoreChange"]),
        test("a record deleted from the store: audit verify fails; put back, it verifies",
             ["OVR-6.4.5-04", "OVR-6.4.5-06", "SRG_AR.2", "SRG_AA.7", "SRG_AA.2"], delete, "invalid",
             ["StoreChange"]),
        test("a record's actor rewritten in the store: audit verify fails; restored, it "
             "verifies", ["OVR-6.4.5-06", "SRG_AR.2", "SRG_AA.7"], actor, "invalid", ["StoreChange"])]}]


def backup():
    setup = [cmd(SO, "admin", "signer.enrol", "--signer", "${nonce}", "--name", "backup"),
             cmd(SO, "admin", "cred.create", "--signer", "${nonce}", "--cred", "${nonce}-c",
                 "--alg", "p256", "--backup")]
    steps = setup + [
        refused(SO, "key.backup", "--cred", "${nonce}-c"),
        refused(AUD, "key.backup", "--cred", "${nonce}-c"),
        refused(("signer:${nonce}", None), "key.backup", "--cred", "${nonce}-c"),
        cmd(OP, "admin", "key.backup", "--cred", "${nonce}-c", "--out", "${scratch}/bk",
            stdoutContains=["backup-id: "]),
        refused(SO, "key.restore", "--cred", "${nonce}-c", "--backup", "${scratch}/bk"),
        # a refusal by the role table comes before the parameters: its record names no
        # credential, so the signer's is found by its actor
        export(where={"event": "key.backup", "cred": "${nonce}-c"}, count=1,
               present=RECORD_FIELDS, equal={"role": "operator", "actor": "oper",
                                             "outcome": "QSCD_OK"}),
        export(where={"event": "key.backup", "actor": "${nonce}"}, count=1,
               present=RECORD_FIELDS, equal={"role": "signer", "outcome": DENIED})]
    delete = setup + [
        cmd(OP, "admin", "key.backup", "--cred", "${nonce}-c", "--out", "${scratch}/bk",
            capture={"bkid": "backup-id: "}),
        cmd(SO, "admin", "cred.delete", "--cred", "${nonce}-c", stdoutContains=["${bkid}"]),
        refused(OP, "key.restore", "--cred", "${nonce}-c", "--backup", "${scratch}/bk",
                code="QSCD_ERR_CRED_NOT_FOUND"),
        export(where={"event": "cred.delete", "cred": "${nonce}-c"}, count=1,
               present=RECORD_FIELDS, equal={"role": "so", "outcome": "QSCD_OK"})]
    link = [cmd(SO, "admin", "signer.enrol", "--signer", "${nonce}", "--name", "link"),
            cmd(SO, "admin", "cred.create", "--signer", "${nonce}", "--cred", "${nonce}-a",
                "--out", "${scratch}/a.pem"),
            cmd(SO, "admin", "cred.create", "--signer", "${nonce}", "--cred", "${nonce}-b"),
            cmd(SO, "admin", "cert.import", "--cred", "${nonce}-b", "--cert", "${scratch}/a.pem",
                exit=1, stderrContains=["QSCD_ERR_NOT_OWNER"])]
    bound = [refused(SO, "cred.create", "--signer", "${nonce}", "--cred", "${nonce}-c",
                     code="QSCD_ERR_SIGNER_NOT_FOUND"),
             refused(SO, "cred.info", "--cred", "${nonce}-c", code="QSCD_ERR_CRED_NOT_FOUND"),
             refused(("signer:bob", None), "cred.info", "--cred", "alice-p256",
                     code="QSCD_ERR_CRED_NOT_FOUND"),
             export(where={"event": "cred.info", "actor": "bob", "cred": "alice-p256"},
                    present=RECORD_FIELDS, equal={"outcome": "QSCD_ERR_CRED_NOT_FOUND"})]
    return [{"type": "SamBackup", "tests": [
        test("only the operator backs a key up: officer, auditor and the key's signer are "
             "refused; the signer's attempt and the operator's backup are recorded", ["SRG_KM.2.3", "GEN-6.3.3-03"],
             steps, "invalid"),
        test("deleting a credential names its backups to purge, and its backup can no longer "
             "be restored", ["DEL-6.3.2-04", "SRG_KM.7.3", "241-2/DEL"], delete, "invalid"),
        test("no key without its signer: a credential for an unknown signer is not made, and "
             "another signer cannot see a signer's key", ["SRA_SKM.1.6", "241-2/KEYGEN"], bound,
             "invalid"),
        test("a certificate of another key is not linked to a credential",
             ["SRC_SKS.1.5", "LNK-6.2.3-03"], link, "invalid")]}]


def monitor():
    # A throw-away signer locked by wrong PINs (lockout_limit 5 on the reference), one more
    # attempt on the locked account, then four by an unknown signer: ten failed
    # authentications within seconds, the reference's alert_auth_failures in its 60-s window.
    wrong = {"QSCD_PIN": "0000-not-the-pin"}
    def authz(who, cred, code, env):
        return cmd((who, None), "admin", "authorize", "--cred", cred, "--hash", HASH,
                   "--otp", "${totp:otp}", env=env, exit=1, stderrContains=[code],
                   stdoutAbsent=[PIN])
    setup = [cmd(SO, "admin", "signer.enrol", "--signer", "${nonce}", "--name", "SAM monitor"),
             cmd(SO, "admin", "pin.set", "--signer", "${nonce}", env={"QSCD_PIN": PIN}),
             cmd(SO, "admin", "totp.provision", "--signer", "${nonce}",
                 capture={"otp": "uri: "}),
             cmd(SO, "admin", "cred.create", "--signer", "${nonce}", "--cred", "${nonce}-c",
                 "--alg", "p256")]
    fails = ([authz("signer:${nonce}", "${nonce}-c", AUTH_FAILED, wrong)] * 5 +
             [authz("signer:${nonce}", "${nonce}-c", "QSCD_ERR_AUTH_LOCKED", {"QSCD_PIN": PIN})] +
             [authz("signer:${nonce}-x", "${nonce}-x", AUTH_FAILED, wrong)] * 4)
    locked = [export(where={"event": "alert.locked", "actor": "${nonce}"}, count=1,
                     present=RECORD_FIELDS,
                     equal={"role": "signer", "cred": "${nonce}-c", "count": 1,
                            "outcome": "QSCD_ERR_AUTH_LOCKED"}, timeWithinSeconds=60),
              cmd(AUD, "audit", "export", stdoutAbsent=[PIN, "0000-not-the-pin", "${otp}"]),
              verify_ok()]
    # One burst alert per window service-wide (no storm): the last one is this vector's own,
    # or one raised at most a window (60 s) before its last failure kept it quiet.
    burst = [export(where={"event": "alert.auth-burst"}, present=RECORD_FIELDS,
                    equal={"outcome": AUTH_FAILED}, timeWithinSeconds=120), verify_ok()]
    # Six authorisations by a throw-away signer, one TOTP step each: one over the reference's
    # alert_authz_limit (5 in 300 s, ref_start.sh).
    ok = cmd(("signer:${nonce}", None), "admin", "authorize", "--cred", "${nonce}-c",
             "--hash", HASH, "--otp", "${totp:otp}", "--out", "${scratch}/sad",
             env={"QSCD_PIN": PIN})
    rate = [ok] * 6 + [
        export(where={"event": "alert.authz-rate", "actor": "${nonce}"}, count=1,
               present=RECORD_FIELDS,
               equal={"role": "signer", "cred": "${nonce}-c", "count": 6, "outcome": "QSCD_OK"},
               timeWithinSeconds=60)]
    return [{"type": "SamMonitor", "tests": [
        test("a signer locked by failed authentications raises an alert: its own audit "
             "record, right away, naming the signer and the credential, no factor",
             ["SRG_AA.6.1", "OVR-6.5.3-02"], setup + fails + locked, "invalid"),
        test("ten failed authentications within a minute, across signers, raise a burst "
             "alert in the audit log; alerts are chained and verify like every record",
             ["SRG_AA.6.1", "OVR-6.5.3-02"], setup + fails + burst, "invalid"),
        test("a signer authorising more often than the configured rate raises one alert "
             "naming the signer and the credential, with the number of authorisations",
             ["SRG_AA.6.1", "OVR-6.5.3-02"], setup + rate)]}]


def audit_search():
    # SRG_AA.4: the auditor searches by event type, user and time; the SAM answers only the
    # records asked for, and the table form is for reading
    def search(*opts, **kw):
        return cmd(AUD, "audit", "export", *opts, **kw)
    mine = ["--actor", "${nonce}"]
    steps = signed_once() + [
        search("--event", "sign", *mine, stdoutContains=['"event":"sign"', '"actor":"${nonce}"'],
               stdoutAbsent=['"event":"authorize"', '"actor":"so"', '"actor":"bob"'],
               records={"where": {}, "count": 1, "present": RECORD_FIELDS,
                        "equal": {"event": "sign", "actor": "${nonce}", "cred": "${nonce}-c",
                                  "outcome": "QSCD_OK"}, "timeWithinSeconds": 60}),
        search("--event", "sign,authorize", *mine,
               records={"where": {}, "count": 2, "every": True,
                        "equal": {"role": "signer", "actor": "${nonce}"}}),
        search("--event", "sign", "--event", "cred.create", "--actor", "so",
               records={"where": {"cred": "${nonce}-c"}, "count": 1,
                        "equal": {"event": "cred.create", "role": "so"}}),
        search(*mine, "--since", "2020-01-01T00:00:00Z", "--until", "2099-12-31T23:59:59Z",
               records={"where": {}, "count": 2, "every": True, "equal": {"actor": "${nonce}"}}),
        search(*mine, "--since", "2099-01-01T00:00:00Z", records={"where": {}, "count": 0}),
        search(*mine, "--until", "2020-01-01T00:00:00Z", records={"where": {}, "count": 0}),
        search("--event", "sign", *mine, "--format", "table",
               stdoutContains=["TIME (UTC)", "EVENT", "ACTOR", " sign ", "${nonce}-c",
                               "QSCD_OK"], stdoutAbsent=['"seq":', " authorize "]),
        # a search shows part of the log; verify still walks all of it
        verify_ok()]
    def bad(*opts, why):
        return search(*opts, exit=2, stderrContains=[why], stdoutAbsent=['"seq":'])
    refused_search = [
        bad("--since", "2026-13-01T00:00:00Z", why="--since"),
        bad("--since", "2026-02-30T10:00:00Z", why="--since"),
        bad("--until", "yesterday", why="RFC 3339"),
        bad("--since", "2026-11-27T10:00:00+01:00", why="--since"),
        bad("--since", "2026-11-27T10:00:00Z", "--until", "2026-11-26T10:00:00Z",
            why="--since is after --until"),
        bad("--event", "no.such.event", why="no such event"),
        bad("--actor", "x" * 65, why="--actor"),
        bad("--format", "xml", why="--format"),
        bad("--event", why="needs a value")]
    return [{"type": "SamAuditSearch", "tests": [
        test("the auditor searches the audit by event type, user and time, and reads it as a "
             "table: only the records asked for, and the whole log still verifies",
             ["SRG_AA.4"], steps),
        test("a search with a malformed time, an unknown event, a too long actor or an "
             "unknown format is refused as a usage error and exports nothing",
             ["SRG_AA.4"], refused_search, "invalid")]}]


def revocation():
    # DEL-6.3.2-01: revoking the certificate destroys the key; the record stays, revoked
    steps = [
        cmd(SO, "admin", "signer.enrol", "--signer", "${nonce}", "--name", "revoked"),
        cmd(SO, "admin", "pin.set", "--signer", "${nonce}", env={"QSCD_PIN": PIN}),
        cmd(SO, "admin", "totp.provision", "--signer", "${nonce}", capture={"otp": "uri: "}),
        cmd(SO, "admin", "cred.create", "--signer", "${nonce}", "--cred", "${nonce}-c",
            "--alg", "p256", "--backup"),
        cmd(OP, "admin", "key.backup", "--cred", "${nonce}-c", "--out", "${scratch}/bk",
            capture={"bkid": "backup-id: "}),
        cmd(SO, "admin", "cert.revoke", "--cred", "${nonce}-c",
            stdoutContains=["purge-backups: ${bkid}"]),
        cmd(SO, "admin", "cred.info", "--cred", "${nonce}-c",
            stdoutContains=["certificate-status: revoked"]),
        refused(OP, "key.backup", "--cred", "${nonce}-c", "--out", "${scratch}/bk2",
                code="QSCD_ERR_CERT_REVOKED"),
        refused(OP, "key.restore", "--cred", "${nonce}-c", "--backup", "${scratch}/bk",
                code="QSCD_ERR_CERT_REVOKED"),
        refused(("signer:${nonce}", None), "authorize", "--cred", "${nonce}-c", "--hash", HASH,
                "--otp", "${totp:otp}", env={"QSCD_PIN": PIN}, code="QSCD_ERR_CERT_REVOKED"),
        refused(SO, "cert.revoke", "--cred", "${nonce}-nothing", code="QSCD_ERR_CRED_NOT_FOUND"),
        export(where={"event": "cert.revoke", "cred": "${nonce}-c"}, count=1,
               present=RECORD_FIELDS, equal={"role": "so", "actor": "so", "outcome": "QSCD_OK",
                                             "count": 1}, timeWithinSeconds=60),
        export(where={"event": "key.restore", "cred": "${nonce}-c"}, count=1,
               equal={"role": "operator", "outcome": "QSCD_ERR_CERT_REVOKED"})]
    return [{"type": "SamRevocation", "tests": [
        test("revoking a credential's certificate destroys its key: the backups to purge are "
             "named, the credential shows revoked, and backup, restore and authorisation are "
             "refused; the revocation is recorded with its backup count",
             ["DEL-6.3.2-01", "SRG_KM.7.1", "SRG_KM.7.3"], steps, "invalid")]}]


def file_admin():
    header = ("The reference SAM's administration and audit interface (qscd admin / qscd audit "
              "on the reference target's throw-away data directory): roles and their "
              "separation, who reads the audit, what each record holds, the export as an "
              "archive, and the audit chain against changes made to the store behind the SAM's "
              "back. Reference-only: SKIP on other targets.")
    notes = {"StoreChange": "The runner changes the throw-away audit store itself (sqlite3) "
                            "and undoes the change before the vector ends."}
    return ("SAM administration and audit", notes,
            roles() + audit_access() + audit_content() + audit_integrity() + backup() +
            monitor() + audit_search() + revocation(), header)


FILES = {"sam_admin_test.json": file_admin}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(TOP, "vectors", "sam"))
    ap.add_argument("--findings", action="store_true",
                    help="write the vectors the reference does not meet (sam_admin_findings_test.json)")
    a = ap.parse_args()
    files = dict(FILES)
    if a.findings:
        from sam_admin_findings import FINDINGS
        files = FINDINGS
    vectorgen.write(files, a.out, "sam-admin", SCHEMA, "sam_admin_vectors")


if __name__ == "__main__":
    main()
