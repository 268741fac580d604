#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Install the Debian packages the project needs (names in spec/tools.mk), then make sure
# why3 knows the provers. Idempotent: when everything is present it only checks, in about a
# second. Not as root it prints the exact command to run and fails, rather than half-working.
set -euo pipefail
cd "$(dirname "$0")/../.."

pkgs=$(make -s --no-print-directory -f spec/tools.mk -f - print-packages <<'MK'
print-packages: ; @echo $(DEB_PACKAGES)
MK
)

missing=()
for p in $pkgs; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$st" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing Debian packages: ${missing[*]}" >&2
    echo "deps: run as root:  apt-get update && DEBIAN_FRONTEND=noninteractive $cmd" >&2
    exit 1
  fi
  echo "deps: installing ${#missing[@]} package(s): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends ${missing[*]}
else
  echo "deps: all $(wc -w <<<"$pkgs") Debian packages present"
fi

# WP reaches the provers through why3, which must have detected them on this machine.
conf="${WHY3CONFIG:-$HOME/.why3.conf}"
if ! grep -qi 'name = "Z3"' "$conf" 2>/dev/null || ! grep -qi 'name = "CVC4"' "$conf" 2>/dev/null; then
  echo "deps: why3 config detect"
  why3 config detect >/dev/null
fi
grep -qi 'name = "Z3"' "$conf" && grep -qi 'name = "CVC4"' "$conf" || {
  echo "deps: why3 did not detect z3 and cvc4 ($conf)" >&2; exit 1; }
echo "deps: ok"
