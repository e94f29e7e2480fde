#!/usr/bin/env bash
# Builds machine.c and runs it [runs] times (default 10): each line is one run's two-thread throughput over one thread
# for the arithmetic and the L1-resident loop (docs/performance.md, "Two threads on this machine").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${TMPDIR:-/tmp}/armsmmu-machine-scaling
gcc -O2 -pthread -o "$out" "$here/machine.c"
for _ in $(seq 1 "${1:-10}"); do
    "$out"
done
