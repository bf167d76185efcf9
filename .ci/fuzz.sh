#!/usr/bin/env bash
# The fuzzer's CI slice (issue 9): a fixed list of seeds, a few thousand calls
# in child processes, under two minutes. Any crash, hang, unhandled rejection,
# untyped error, contract violation or leaked descriptor fails it; the output
# names the seed and batch to replay (deno task fuzz --seed S --batch B --verbose).
set -uo pipefail
cd "$(dirname "$0")/.."
export DENO_NO_UPDATE_CHECK=1 NO_COLOR=1
exec timeout 150 deno run --allow-all tools/fuzz/main.ts \
  --seeds 101,202,303,404,505,606,707,808 --calls 1500 --batch-size 250 --timeout 20000
