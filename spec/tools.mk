# SPDX-License-Identifier: Apache-2.0
# The toolchain, once. Every package comes from Debian 12 (bookworm); the versions below are
# the ones the proofs, the golden results and the figures were produced with. `make deps`
# installs the packages by name; `make tool-versions` prints what is actually installed and
# every report records it, so a drift from these versions is visible.

DEB_PACKAGES := \
  build-essential pkg-config python3 python3-jsonschema python3-cryptography xsltproc \
  frama-c-base why3 z3 cvc4 \
  softhsm2 libsofthsm2 opensc libp11-kit-dev libnss3 libnss3-tools \
  libssl-dev openssl libcbor-dev libcunit1-dev gcovr valgrind \
  clang libclang-rt-14-dev \
  libjansson-dev libmicrohttpd-dev libcurl4-openssl-dev libsqlite3-dev sqlite3 libargon2-dev \
  faketime \
  chromium

# Versions seen when the committed baselines were made (informative; Debian pins the rest).
TOOL_VERSION_frama_c  := 25.0 (Manganese), Debian frama-c-base 20220511-manganese-3+b4
TOOL_VERSION_why3     := 1.5.1
TOOL_VERSION_z3       := 4.8.12
TOOL_VERSION_cvc4     := 1.8
TOOL_VERSION_softhsm  := 2.6.1
TOOL_VERSION_openssl  := 3.0
TOOL_VERSION_gcc      := 12.2.0
