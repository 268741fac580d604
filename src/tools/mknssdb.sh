#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Make a throw-away NSS softokn database (the second PKCS#11 module the adapter is tested
# against), with an empty password.
#
#   mknssdb.sh DIR
#
# DIR is wiped and recreated. The module is libsoftokn3.so; its C_Initialize needs
# pReserved = "configdir='sql:DIR' certPrefix='' keyPrefix='' secmod='secmod.db' flags=",
# and its key store is the token labelled "NSS Certificate DB" (user PIN: empty).
set -euo pipefail
dir=${1:?usage: mknssdb.sh DIR}
case "$dir" in /|"") echo "mknssdb: refusing to use '$dir'" >&2; exit 2 ;; esac
command -v certutil >/dev/null || { echo "mknssdb: certutil not found (Debian libnss3-tools; make deps installs it)" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
chmod 700 "$dir"
certutil -N -d "sql:$dir" --empty-password
echo "mknssdb: NSS database in $dir (QSCD_NSS_DIR=$dir)"
