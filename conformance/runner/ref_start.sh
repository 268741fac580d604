#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The reference target's stack (qscd-conform --target ref): start `qscd serve` on a throw-away
# data directory (port 0: any free port), enrol the suite's signers and credentials through
# `qscd admin`, and write the CSC target's configuration, DIR/csc-config.json, exactly as a
# vendor would write theirs (README "For a vendor"). A second, independent `qscd serve`
# (DIR/data2) issues the SADs of the wrong-audience vector. The servers' pids go to
# DIR/serve.pid; qscd-conform stops them (SIGTERM) at the end of the run.
#
#   ref_start.sh DIR QSCD
#
# The SAM gets a 1-second TOTP step (so the suite's many authorisations need not wait 30 s
# for each fresh code: a code's time step is used once), a 15-second SAD lifetime (so the
# expired-SAD vector waits 17 s, not an hour) and an 8-second SIC challenge lifetime (so the
# expired-challenge vector waits 10 s), and an authorisation-rate alert above 5 per signer in
# 300 s, not 30 (so the rate-alert vector of the SAM monitor makes six authorisations, not 31;
# the suite's busy signers raise the alert too, one more audit record each per window).
# Everything else is `qscd serve`'s default.
set -euo pipefail

DIR=$1
QSCD=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
rm -rf "$DIR"
mkdir -p "$DIR/data"
DIR=$(cd "$DIR" && pwd)
DATA=$DIR/data
CHALLENGE_TTL=8
AUTHZ_LIMIT=5
export QSCD_ADMIN_PASSWORD="conformance-so-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
# serve NAME DATA: start `qscd serve` on DATA; its pid is appended to DIR/serve.pid, its
# URL printed
serve() {
    mkdir -p "$2"
    printf 'otp_step = 1\ntoken_ttl = 15\nchallenge_ttl = %s\nservice_name = %s\nalert_authz_limit = %s\n' \
        "$CHALLENGE_TTL" "$1" "$AUTHZ_LIMIT" >"$2/sam.conf"
    "$QSCD" serve --data "$2" --port 0 >"$DIR/$1.log" 2>&1 </dev/null &
    echo $! >>"$DIR/serve.pid"
    for _ in $(seq 1 600); do
        grep -q "running;" "$DIR/$1.log" && break
        kill -0 $! 2>/dev/null || { cat "$DIR/$1.log" >&2; exit 1; }
        sleep 0.1
    done
    grep -q "running;" "$DIR/$1.log" || { echo "qscd serve ($1) did not start" >&2; exit 1; }
    sed -n 's|^qscd serve: CSC API v2 at \(https://[^ ]*\)/$|\1|p' "$DIR/$1.log"
}
URL=$(serve qscd-ref "$DATA")
[ -n "$URL" ] || exit 1
# A second, independent service (its own token, SAD key, CA): alice is enrolled there too
# with the same credential id, and a SAD it issues must be refused by the first one.
URL2=$(serve qscd-ref-other "$DIR/data2")
[ -n "$URL2" ] || exit 1
export QSCD_SAM_SOCKET=$DATA/sam.sock

admin() { "$QSCD" admin "$@" >/dev/null; }
# signer PIN: enrol, PIN, TOTP seed (the otpauth URI into DIR/SIGNER.otp, 0600)
signer() {
    admin signer.enrol --signer "$1" --name "Conformance $1"
    QSCD_PIN=$2 admin pin.set --signer "$1"
    (umask 077; printf '%s\n' "$2" >"$DIR/$1.pin")
    (umask 077; "$QSCD" admin totp.provision --signer "$1" >"$DIR/$1.otp")
}
signer alice "2468-alice-pin"
signer bob "1357-bob-pin"
signer lena "9753-lena-pin"
admin cred.create --signer alice --cred alice-p256 --alg p256 --multisign 5
admin cred.create --signer alice --cred alice-p384 --alg p384 --multisign 1
admin cred.create --signer alice --cred alice-rsa --alg rsa3072 --multisign 1
admin cred.create --signer alice --cred alice-disabled --alg p256
admin cred.disable --cred alice-disabled
admin cred.create --signer alice --cred alice-revoked --alg p256
admin cert.revoke --cred alice-revoked
# a credential whose certificate has expired: the same key, re-issued for 2020 by the test CA
"$QSCD" admin cred.create --signer alice --cred alice-expired --alg p256 |
    sed -n '/BEGIN CERT/,/END CERT/p' >"$DIR/alice-expired.pem"
/usr/bin/python3 "$(dirname "$0")/ref_expired_cert.py" "$DIR/alice-expired.pem" \
    "$DATA/ca/ca.pem" "$DATA/ca/ca-key.pem" "$DIR/alice-expired-2020.pem"
admin cert.import --cred alice-expired --cert "$DIR/alice-expired-2020.pem"
# a SIC device key for alice and a credential whose second factor is a SIC assertion
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$DIR/alice-device.pem" 2>/dev/null
openssl pkey -in "$DIR/alice-device.pem" -pubout -out "$DIR/alice-device.pub.pem"
admin device.enrol --signer alice --key "$DIR/alice-device.pub.pem"
admin cred.create --signer alice --cred alice-sic --alg p256 --sap sic
# sofia: a signer whose only credential takes a SIC assertion, with a throw-away device key
# the runner signs with (identities.sicSigner). The SIC vectors' refusals count against her
# alone, so they cannot lock alice out of the other vectors.
admin signer.enrol --signer sofia --name "Conformance sofia"
QSCD_PIN="8642-sofia-pin" admin pin.set --signer sofia
(umask 077; printf '%s\n' "8642-sofia-pin" >"$DIR/sofia.pin")
(umask 077; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$DIR/sofia-device.pem" 2>/dev/null)
openssl pkey -in "$DIR/sofia-device.pem" -pubout -out "$DIR/sofia-device.pub.pem"
admin device.enrol --signer sofia --key "$DIR/sofia-device.pub.pem"
admin cred.create --signer sofia --cred sofia-sic --alg p256 --sap sic --multisign 2
admin cred.create --signer bob --cred bob-p256 --alg p256
# The administrators the sam-admin vectors act as: the security officer's password (made
# above) and an operator's and an auditor's, each in a 0600 file the runner passes with
# --password-file, and a wrong one for the refusals.
(umask 077; printf '%s\n' "$QSCD_ADMIN_PASSWORD" >"$DIR/so.password")
# admin_new ID ROLE: create the administrator with a fresh random password in DIR/ID.password
admin_new() {
    (umask 077; printf 'conformance-%s-%s\n' "$1" \
        "$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" >"$DIR/$1.password")
    admin admin.create --admin "$1" --role "$2" --new-password-file "$DIR/$1.password"
}
admin_new oper operator
admin_new aud auditor
(umask 077; printf 'not-the-password\n' >"$DIR/wrong.password")
admin cred.create --signer lena --cred lena-p256 --alg p256
(
    export QSCD_SAM_SOCKET=$DIR/data2/sam.sock
    admin signer.enrol --signer alice --name "Conformance alice (other service)"
    QSCD_PIN="2468-alice-pin" admin pin.set --signer alice
    (umask 077; "$QSCD" admin totp.provision --signer alice >"$DIR/alice-other.otp")
    admin cred.create --signer alice --cred alice-p256 --alg p256
)

ident() {
    printf '"%s": {"user": "%s@demo", "secretFile": "%s", "pinFile": "%s", "totpSeedFile": "%s", "credentialID": "%s"}' \
        "$1" "$2" "$DATA/ssa/client.secret" "$DIR/$2.pin" "$DIR/$2.otp" "$3"
}
cat >"$DIR/csc-config.json" <<EOF
{
  "url": "$URL",
  "caFile": "$DATA/ca/ca.pem",
  "sadWaitMaxSeconds": 30,
  "sicChallengeSeconds": $CHALLENGE_TTL,
  "identities": {
    $(ident signer alice alice-p256),
    $(ident signerB bob bob-p256),
    $(ident lockSigner lena lena-p256),
    "sicSigner": {"user": "sofia@demo", "secretFile": "$DATA/ssa/client.secret",
                  "pinFile": "$DIR/sofia.pin", "sicDeviceKeyFile": "$DIR/sofia-device.pem",
                  "credentialID": "sofia-sic"},
    "otherService": {"user": "alice@demo", "secretFile": "$DIR/data2/ssa/client.secret",
                     "pinFile": "$DIR/alice.pin", "totpSeedFile": "$DIR/alice-other.otp",
                     "credentialID": "alice-p256", "url": "$URL2",
                     "caFile": "$DIR/data2/ca/ca.pem"}
  },
  "credentialID": "alice-p256",
  "credentialP256": "alice-p256",
  "credentialP384": "alice-p384",
  "credentialRSA": "alice-rsa",
  "credentialB": "bob-p256",
  "disabledCredentialID": "alice-disabled",
  "revokedCertCredentialID": "alice-revoked",
  "expiredCertCredentialID": "alice-expired",
  "sicCredentialID": "alice-sic"
}
EOF
echo "$DIR/csc-config.json"
