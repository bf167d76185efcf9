#!/usr/bin/env bash
# CI step for the constants tables and struct layouts of every target (issue 10).
# Installs what the checks need when it is missing: Go's golang.org/x/sys/unix
# tables (Debian's golang-golang-x-sys-dev, the independent oracle), clang (for
# the macOS targets), the aarch64 cross compiler and libc headers, and the macOS
# SDK headers from the npm registry (constants/macos_headers.sh, ~77 MB fetched,
# 8 MB kept). Then runs tests/tables_oracle_test.ts and tests/generate_test.ts
# with SOCKFFI_REQUIRE_TABLE_TOOLS=1, so a missing tool fails instead of
# skipping. Takes about a minute on a fresh machine, most of it apt.
set -uo pipefail
cd "$(dirname "$0")/.."

export NO_COLOR=1 DENO_NO_UPDATE_CHECK=1

need=()
dpkg -s golang-golang-x-sys-dev >/dev/null 2>&1 || need+=(golang-golang-x-sys-dev)
command -v clang >/dev/null 2>&1 || need+=(clang)
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || need+=(gcc-aarch64-linux-gnu)
dpkg -s libc6-dev-arm64-cross >/dev/null 2>&1 || need+=(libc6-dev-arm64-cross)
if [ "${#need[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo -n"
  echo "== installing ${need[*]} with apt-get"
  apt_install() {
    DEBIAN_FRONTEND=noninteractive $sudo timeout 300 apt-get install -y -q \
      -o DPkg::Lock::Timeout=120 --no-install-recommends "${need[@]}" >/dev/null
  }
  apt_install ||
    { $sudo timeout 300 apt-get update -q -o DPkg::Lock::Timeout=120 >/dev/null && apt_install; } ||
    { echo "!! could not install ${need[*]}"; exit 1; }
fi

echo "== macOS headers"
constants/macos_headers.sh || { echo "!! could not unpack the macOS headers"; exit 1; }

echo "== tables and layouts against Go's x/sys/unix, and the generator for every target"
SOCKFFI_REQUIRE_TABLE_TOOLS=1 deno test --allow-all tests/tables_oracle_test.ts tests/generate_test.ts
