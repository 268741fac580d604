#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Print the version of every tool and library the build, the proofs and the tests use, as
# "name<TAB>version" lines; with --json FILE also write them as one JSON object for the
# reports. Versions come from the tools themselves or, for libraries, from dpkg.
set -uo pipefail

first() { head -n 1 | tr -d '\r'; }
deb() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "not installed"; }

rows=()
add() { rows+=("$1"$'\t'"$2"); }

add os          "$( . /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-unknown}" )"
add kernel      "$(uname -srm)"
add gcc         "$(gcc --version 2>/dev/null | first)"
add clang       "$(clang --version 2>/dev/null | first)"
add make        "$(make --version 2>/dev/null | first)"
add frama-c     "$(frama-c -version 2>/dev/null | first) (frama-c-base $(deb frama-c-base))"
add why3        "$(why3 --version 2>/dev/null | first)"
add z3          "$(z3 --version 2>/dev/null | first)"
add cvc4        "$(cvc4 --version 2>/dev/null | grep -m1 -o 'version [0-9.]*')"
add softhsm2    "$(softhsm2-util --version 2>/dev/null | first) (libsofthsm2 $(deb libsofthsm2))"
add nss-softokn "libnss3 $(deb libnss3)"
add p11-kit     "libp11-kit-dev $(deb libp11-kit-dev)"
add openssl     "$(openssl version 2>/dev/null | first)"
add libcbor     "$(deb libcbor-dev)"
add cunit       "$(deb libcunit1-dev)"
add jansson     "$(deb libjansson-dev)"
add libmicrohttpd "$(deb libmicrohttpd-dev)"
add libcurl     "$(deb libcurl4-openssl-dev)"
add sqlite      "$(deb libsqlite3-dev)"
add libargon2   "$(deb libargon2-dev)"
add gcovr       "$(gcovr --version 2>/dev/null | first)"
add valgrind    "$(valgrind --version 2>/dev/null | first)"
add python3     "$(/usr/bin/python3 --version 2>/dev/null | first)"
add chromium    "$(deb chromium)"

printf '%s\n' "${rows[@]}"

if [ "${1:-}" = "--json" ] && [ -n "${2:-}" ]; then
  mkdir -p "$(dirname "$2")"
  printf '%s\n' "${rows[@]}" | /usr/bin/python3 -c '
import json, sys
d = {}
for line in sys.stdin:
    k, _, v = line.rstrip("\n").partition("\t")
    d[k] = v
json.dump(d, open(sys.argv[1], "w"), indent=1, sort_keys=True)
' "$2"
fi
