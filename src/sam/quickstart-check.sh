#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Run the README's quick start exactly as written (its first ```sh block after "## Quick start"),
# from the top of the tree with build/demo absent, and check what a newcomer would see: every
# command succeeds, the TOTP URI is shown, the credential's certificate chains to the test CA
# and names Alice, the auditor finds the log intact, and the SAM stops on SIGTERM. Outcome lines go to $QSCD_OUTCOME_FILE.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${QSCD_OUTCOME_FILE:-/dev/null}
demo=$PWD/build/demo
log=build/quickstart.log
script=build/quickstart.sh

failed=0
outcome() {
  echo "quickstart;$1;$2;${3:-}" >> "$out"
  echo "quickstart: $2 $1${3:+ ($3)}"
  [ "$2" != FAIL ] || failed=1
}

awk '/^## Quick start: a running SAM/ { on = 1 } on && /^```sh$/ { inb = 1; next } inb && /^```$/ { exit }
     inb { print }' README.md > "$script.block"
if [ ! -s "$script.block" ]; then
  outcome readme_block_found FAIL "no \`\`\`sh block after '## Quick start' in README.md"
  exit 1
fi
# -e: the first failing command stops the run; the trap stops a SAM the block left running.
{ echo 'set -e'; echo "trap 'set +e; j=\$(jobs -p); [ -z \"\$j\" ] || kill \$j; wait' EXIT"
  cat "$script.block"; echo 'wait'; } > "$script"
rm -rf "$demo"
env -u QSCD_SAM_SOCKET -u QSCD_AS -u QSCD_PIN -u QSCD_ADMIN_PASSWORD \
  timeout 300 bash "$script" > "$log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then outcome readme_commands_succeed PASS
else outcome readme_commands_succeed FAIL "exit $rc, see $log: $(tail -n 1 "$log")"; fi

if grep -q '^uri: otpauth://totp/qscd-sam:alice?secret=' "$log"; then outcome totp_uri_shown PASS
else outcome totp_uri_shown FAIL "no otpauth:// URI in $log"; fi

chain=$demo/alice-chain.pem
if [ -s "$chain" ] && openssl verify -CAfile "$demo/ca/ca.pem" "$chain" >/dev/null 2>&1 &&
   openssl x509 -in "$chain" -noout -subject | grep -q 'CN = Alice Example, UID = alice'; then
  outcome certificate_chains_to_test_ca PASS
else
  outcome certificate_chains_to_test_ca FAIL "$chain missing, unverified or not Alice's"
fi

if grep -q '^audit: intact: [0-9]* records' "$log"; then outcome audit_verifies PASS
else outcome audit_verifies FAIL "no 'audit: intact' verdict in $log"; fi

if grep -q '^qscd sam: stopped$' "$log" && [ ! -e "$demo/sam.sock" ]; then
  outcome sigterm_clean_stop PASS
else
  outcome sigterm_clean_stop FAIL "no clean stop in $log"
fi
exit $failed
