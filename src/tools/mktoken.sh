#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Make a throw-away SoftHSMv2 token in a private directory, so no test ever touches
# /var/lib/softhsm or another run's token.
#
#   mktoken.sh DIR [LABEL] [SO_PIN] [USER_PIN]
#
# DIR is wiped and recreated. Writes DIR/softhsm2.conf and DIR/tokens/, initialises one token
# with LABEL (default qscd-test), and writes DIR/env: shell lines to source
# (SOFTHSM2_CONF, QSCD_P11_MODULE, QSCD_TOKEN_LABEL, QSCD_SO_PIN, QSCD_USER_PIN).
# Tokens are found by label afterwards: SoftHSM gives initialised tokens random slot ids.
set -euo pipefail
dir=${1:?usage: mktoken.sh DIR [LABEL] [SO_PIN] [USER_PIN]}
label=${2:-qscd-test}
so_pin=${3:-12345678}
user_pin=${4:-123456}

case "$dir" in /|"") echo "mktoken: refusing to use '$dir'" >&2; exit 2 ;; esac
module=${QSCD_P11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
[ -r "$module" ] || { echo "mktoken: SoftHSMv2 module not found at $module (make deps installs it)" >&2; exit 1; }

rm -rf "$dir"
mkdir -p "$dir/tokens"
dir=$(cd "$dir" && pwd)
chmod 700 "$dir"
cat > "$dir/softhsm2.conf" <<CONF
# Private SoftHSMv2 configuration for one test run (made by src/tools/mktoken.sh).
directories.tokendir = $dir/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
slots.mechanisms = ALL
library.reset_on_fork = false
CONF
SOFTHSM2_CONF="$dir/softhsm2.conf" softhsm2-util --init-token --free --label "$label" \
  --so-pin "$so_pin" --pin "$user_pin" >/dev/null
cat > "$dir/env" <<ENV
export SOFTHSM2_CONF='$dir/softhsm2.conf'
export QSCD_P11_MODULE='$module'
export QSCD_TOKEN_LABEL='$label'
export QSCD_SO_PIN='$so_pin'
export QSCD_USER_PIN='$user_pin'
ENV
chmod 600 "$dir/env"
echo "mktoken: token '$label' in $dir (source $dir/env)"
