# SPDX-License-Identifier: Apache-2.0
"""sam-admin vectors the reference does not meet today, written as the standard wants it.

They are not in the committed vector file: `src/tools/sam_admin_vectors.py --findings --out DIR`
writes them, and `qscd-conform --target ref --vectors DIR` (DIR holding a copy of
vectors/schemas) runs them; each one FAILs on the reference until the finding is resolved.
"""
from sam_admin_vectors import SO, cmd, test


def findings():
    sysadmin = [cmd(SO, "admin", "admin.create", "--admin", "${nonce}", "--role", "sysadmin",
                    "--new-password-file", "${dir}/oper.password")]
    return ("SAM administration and audit: findings", {}, [{"type": "SamAdminFindings", "tests": [
        test("a system administrator role exists beside officer, operator and auditor",
             ["SRG_M.1.2"], sysadmin)]}],
        "Vectors the reference does not meet today (see the module's docstring).")


FINDINGS = {"sam_admin_findings_test.json": findings}
