#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# `make demo`: the whole remote-signing story in one script a newcomer can read.
#   1. start `qscd serve` (a SAM on a throw-away SoftHSMv2 token and the CSC API over HTTPS)
#   2. enrol a signer (PIN and TOTP seed) and 3. create a credential (ECDSA P-256 in the HSM)
#   4. sign a file with `qscd sign` (PIN + TOTP code -> SAD -> signHash -> FILE.p7s)
#   5. replay the same SAD with curl: the service refuses it
#   6. stop the service, and 7. verify the signature with plain `openssl cms -verify`
# Everything lives under build/demo (or $1); nothing else is touched.
set -euo pipefail

QSCD=${QSCD:-build/rel/bin/qscd}
DEMO=$(mkdir -p "${1:-build/demo}" && cd "${1:-build/demo}" && pwd)
DATA=$DEMO/data
export QSCD_ADMIN_PASSWORD=demo-security-officer-password
export QSCD_SAM_SOCKET=$DATA/sam.sock

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*" >&2; "$@"; }

rm -rf "$DATA" "$DEMO"/contract.txt* "$DEMO"/*.otp "$DEMO"/*.json "$DEMO"/*.txt "$DEMO"/serve.log

step "1. Start the service: qscd serve (SAM + SSA, embedded defaults, any free port)"
"$QSCD" serve --data "$DATA" --port 0 >"$DEMO/serve.log" 2>&1 &
SERVE=$!
trap 'kill -TERM $SERVE 2>/dev/null || true; wait $SERVE 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    grep -q "running;" "$DEMO/serve.log" 2>/dev/null && break
    kill -0 $SERVE 2>/dev/null || { cat "$DEMO/serve.log"; exit 1; }
    sleep 0.1
done
grep "^qscd serve" "$DEMO/serve.log"
URL=$(sed -n 's|^qscd serve: CSC API v2 at \(https://[^ ]*\)/$|\1|p' "$DEMO/serve.log")
CA=$DATA/ca/ca.pem
SECRET=$DATA/ssa/client.secret

step "2. Enrol a signer: alice, her PIN, her TOTP seed (the otpauth URI goes to her app)"
show "$QSCD" admin signer.enrol --signer alice --name "Alice Example"
QSCD_PIN=2468-alice show "$QSCD" admin pin.set --signer alice
show "$QSCD" admin totp.provision --signer alice | tee "$DEMO/alice.otp"

step "3. Create her credential: an ECDSA P-256 key in the HSM and a certificate from the test CA"
show "$QSCD" admin cred.create --signer alice --cred alice-1 --alg p256 --sap totp --multisign 1 \
    >"$DEMO/alice-1.txt"
sed -n '/BEGIN CERT/,/END CERT/p' "$DEMO/alice-1.txt" | openssl x509 -noout -subject -issuer

step "4. Sign a file with qscd sign: PIN + TOTP code -> SAD -> signHash -> contract.txt.p7s"
printf 'Contract: Alice buys one remote qualified signature.\n' >"$DEMO/contract.txt"
QSCD_PIN=2468-alice show "$QSCD" sign "$DEMO/contract.txt" --url "$URL" --cacert "$CA" \
    --secret-file "$SECRET" --signer alice --cred alice-1 --totp-seed "$DEMO/alice.otp" \
    --keep-request "$DEMO/signhash.json" --verbose

step "5. Replay the same SAD (the exact signHash request again): the service must refuse it"
TOKEN=$(curl -sS --cacert "$CA" -u "alice@demo:$(cat "$SECRET")" -X POST "$URL/auth/login" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
echo "\$ curl --cacert ca.pem -H 'Authorization: Bearer …' --data @signhash.json $URL/signatures/signHash"
REPLAY=$(curl -sS --cacert "$CA" -H "Authorization: Bearer $TOKEN" \
         -H 'Content-Type: application/json' --data @"$DEMO/signhash.json" \
         -w ' HTTP %{http_code}' "$URL/signatures/signHash")
echo "$REPLAY"
case $REPLAY in
    *'"Invalid parameter SAD"'*'HTTP 400') echo "replay refused, as it must be" ;;
    *) echo "the replay was NOT refused"; exit 1 ;;
esac

step "6. Stop the service (SIGTERM: the SAM answers what it holds, seals its audit log, exits)"
kill -TERM $SERVE
wait $SERVE
trap - EXIT
tail -1 "$DEMO/serve.log"

step "7. Verify the signature with plain OpenSSL and the test CA"
show openssl cms -verify -binary -inform DER -in "$DEMO/contract.txt.p7s" \
    -content "$DEMO/contract.txt" -CAfile "$CA" -out /dev/null
