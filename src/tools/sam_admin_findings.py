# SPDX-License-Identifier: Apache-2.0
"""sam-admin vectors the reference does not meet today, written as the standard wants it.

They are not in the committed vector file: `src/tools/sam_admin_vectors.py --findings --out DIR`
writes them, and `qscd-conform --target ref --vectors DIR` (DIR holding a copy of
vectors/schemas) runs them; each one FAILs on the reference until the finding is resolved.
"""
from sam_admin_vectors import AUD, OP, SO, cmd, test


def findings():
    revoke = [cmd(SO, "admin", "signer.enrol", "--signer", "${nonce}", "--name", "revoked"),
              cmd(SO, "admin", "cred.create", "--signer", "${nonce}", "--cred", "${nonce}-c",
                  "--alg", "p256", "--backup"),
              cmd(SO, "admin", "cert.revoke", "--cred", "${nonce}-c"),
              # the key destroyed with the revocation: nothing left to back up
              cmd(OP, "admin", "key.backup", "--cred", "${nonce}-c", "--out", "${scratch}/bk",
                  exit=1)]
    sysadmin = [cmd(SO, "admin", "admin.create", "--admin", "${nonce}", "--role", "sysadmin",
                    "--new-password-file", "${dir}/oper.password")]
    search = [cmd(AUD, "audit", "export", "--event", "sign", "--actor", "alice",
                  stdoutContains=['"event":"sign"'], stdoutAbsent=['"event":"authorize"'])]
    return ("SAM administration and audit: findings", {}, [{"type": "SamAdminFindings", "tests": [
        test("revoking a credential's certificate destroys its key (no backup can be made)",
             ["DEL-6.3.2-01"], revoke, "invalid"),
        test("a system administrator role exists beside officer, operator and auditor",
             ["SRG_M.1.2"], sysadmin),
        test("the audit can be searched by event type and user", ["SRG_AA.4"], search)]}],
        "Vectors the reference does not meet today (see the module's docstring).")


FINDINGS = {"sam_admin_findings_test.json": findings}
