#!/usr/bin/env bash
# Linux aarch64 pass under qemu-user: installs qemu-user, the arm64 C
# library and the arm64 Deno (from the npm registry), registers binfmt so
# that arm64 child processes (test peers, the probe) run too, and runs the
# smoke set tests/smoke_test.ts with the arm64 Deno.
#
#   .ci/aarch64.sh           the smoke set (CI; a few minutes)
#   .ci/aarch64.sh --full    the whole suite (about 16 minutes at 10x slower)
#   .ci/aarch64.sh --shell   only set up, then print how to run deno yourself
#
# Type-checking is the same on every architecture and runs natively in .ci/run,
# so the emulated runs use --no-check (tsc under qemu takes minutes).
# Exit status: the test run's. Needs root (or sudo) for apt-get and binfmt.
set -uo pipefail
cd "$(dirname "$0")/.."

DENO_VERSION=2.9.6
SYSROOT=/usr/aarch64-linux-gnu
CACHE=${SOCKFFI_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sockffi-ci}
ARM_DENO="$CACHE/deno-linux-arm64-$DENO_VERSION/deno"
mode=${1:-smoke}

# apt-get and binfmt need root: use sudo when not root; without either, skip
# with the reason (SOCKFFI_REQUIRE_AARCH64=1 makes that a failure instead).
SUDO=
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then
    SUDO=sudo
  else
    echo "aarch64 pass skipped: needs root or passwordless sudo (apt-get, binfmt_misc)"
    [ "${SOCKFFI_REQUIRE_AARCH64:-0}" = 1 ] && exit 1
    exit 0
  fi
fi

need_pkgs=()
command -v qemu-aarch64 >/dev/null 2>&1 || need_pkgs+=(qemu-user)
[ -e /usr/lib/binfmt.d/qemu-aarch64.conf ] || need_pkgs+=(qemu-user-binfmt)
[ -e "$SYSROOT/lib/libc.so.6" ] || need_pkgs+=(libc6-arm64-cross)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "== installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  for attempt in 1 2 3 4 5; do # another process may hold the apt lock for a while
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null && break
    echo "apt-get failed (attempt $attempt), retrying in 20 s"
    sleep 20
  done
fi
command -v qemu-aarch64 >/dev/null 2>&1 || { echo "!! qemu-aarch64 missing"; exit 1; }

if [ ! -x "$ARM_DENO" ]; then
  echo "== fetching @deno/linux-arm64-glibc@$DENO_VERSION from the npm registry"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "@deno/linux-arm64-glibc@$DENO_VERSION" >/dev/null) ||
    { echo "!! npm pack failed"; exit 1; }
  mkdir -p "$(dirname "$ARM_DENO")"
  tar -xzf "$tmp"/deno-linux-arm64-glibc-*.tgz -C "$tmp"
  mv "$tmp/package/deno" "$ARM_DENO"
  chmod +x "$ARM_DENO"
  rm -rf "$tmp"
fi

# Child processes started by the tests (python3 is native; an arm64 deno
# child, or the probe, is not) need the kernel to hand arm64 ELF files to
# qemu: binfmt_misc, with the interpreter Debian ships.
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  [ -e /proc/sys/fs/binfmt_misc/register ] ||
    $SUDO mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null
  if [ -e /proc/sys/fs/binfmt_misc/register ]; then
    line=$(grep -v '^#' /usr/lib/binfmt.d/qemu-aarch64.conf | head -1)
    printf '%s' "$line" | $SUDO tee /proc/sys/fs/binfmt_misc/register >/dev/null 2>&1 ||
      echo "(binfmt registration refused; arm64 child processes will not start)"
  else
    echo "(no writable binfmt_misc; arm64 child processes will not start)"
  fi
fi
# The binfmt interpreter of an arm64 child does not see QEMU_LD_PREFIX (qemu
# keeps its QEMU_* variables from the guest's environment), so give it
# Debian's default prefix location too.
if [ "$(readlink /etc/qemu-binfmt/aarch64 2>/dev/null)" != "$SYSROOT" ]; then
  $SUDO mkdir -p /etc/qemu-binfmt && $SUDO ln -sfn "$SYSROOT" /etc/qemu-binfmt/aarch64
fi
export QEMU_LD_PREFIX=$SYSROOT
export SOCKFFI_EMULATED=qemu-aarch64

run_arm() { qemu-aarch64 -L "$SYSROOT" "$ARM_DENO" "$@"; }
run_arm --version | head -1 || { echo "!! the arm64 deno does not start under qemu"; exit 1; }

case "$mode" in
  --shell)
    echo "QEMU_LD_PREFIX=$SYSROOT SOCKFFI_EMULATED=qemu-aarch64 qemu-aarch64 -L $SYSROOT $ARM_DENO ..."
    exit 0
    ;;
  --full)
    echo "== the whole suite under qemu-aarch64"
    run_arm test --allow-all --no-check --doc mod.ts src/ tests/
    ;;
  *)
    echo "== smoke set under qemu-aarch64"
    start=$(date +%s)
    run_arm test --allow-all --no-check tests/smoke_test.ts
    rc=$?
    echo "== aarch64 smoke set: exit $rc in $(($(date +%s) - start)) s"
    exit $rc
    ;;
esac
