#!/usr/bin/env bash
# The hermetic check (issue 9, item 12): runs the suite's resolver and
# bad-input tests and a slice of the fuzzer under strace, and fails when any
# connect/sendto/sendmsg/sendmmsg went to a destination outside 127.0.0.0/8,
# ::1 and unix/netlink sockets from the machine's own network namespace
# (tools/hermetic/check.ts; calls inside a namespace the run created itself
# cannot leave the machine and are only counted).
set -uo pipefail
cd "$(dirname "$0")/.."
export DENO_NO_UPDATE_CHECK=1 NO_COLOR=1

if ! command -v strace >/dev/null 2>&1; then
  echo "== installing strace with apt-get"
  sudo=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo -n"
  apt_install() {
    $sudo env DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q \
      -o DPkg::Lock::Timeout=120 --no-install-recommends strace >/dev/null
  }
  apt_install || { $sudo timeout 300 apt-get update -q -o DPkg::Lock::Timeout=120 >/dev/null && apt_install; }
  command -v strace >/dev/null 2>&1 || { echo "!! hermetic: cannot install strace"; exit 1; }
fi

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
trace=connect,sendto,sendmsg,sendmmsg,unshare,setns,clone,clone3,fork,vfork
failed=0
run() {
  local name=$1
  shift
  echo "== hermetic: $name"
  strace -f -qq -o "$log/$name" -e trace=$trace "$@" >"$log/$name.out" 2>&1
  local rc=$?
  [ "$rc" -eq 0 ] || echo "   (the command itself exited $rc; its result is the other steps' business)"
  deno run --allow-read tools/hermetic/check.ts "$log/$name" || failed=1
}
run tests deno test --allow-all tests/resolver_test.ts tests/bad_input_test.ts
run fuzz deno run --allow-all tools/fuzz/main.ts --seeds 1,2 --calls 250 --timeout 30000
[ "$failed" -eq 0 ] || { echo "!! hermetic: traffic left loopback"; exit 1; }
echo "hermetic: ok"
