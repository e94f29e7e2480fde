#!/usr/bin/env bash
# The >= 10^7-execution AFL++ run of docs/reliability.md (issue #14):
#   fuzz/long-run.sh [EXECUTIONS] [CPU]
# builds the fuzz target, writes the seeds with the uninstrumented build, instruments a copy of ArmSmmu.dll in
# artifacts/fuzz-long-bin (so later rebuilds cannot disturb the run), and runs afl-fuzz pinned to one CPU until
# EXECUTIONS (default 10,000,000). Needs afl++ (apt-get install -y afl++). Figures: artifacts/fuzz-long/default/fuzzer_stats;
# start and end times: artifacts/fuzz-long.times.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
executions=${1:-10000000}
cpu=${2:-1}
cd "$root"
[[ -x artifacts/tools/sharpfuzz ]] || dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path artifacts/tools
dotnet build fuzz/ArmSmmu.Fuzz -c Release
rm -rf artifacts/fuzz-seeds artifacts/fuzz-long-bin artifacts/fuzz-long
dotnet fuzz/ArmSmmu.Fuzz/bin/Release/net10.0/ArmSmmu.Fuzz.dll seeds examples artifacts/fuzz-seeds
dotnet publish fuzz/ArmSmmu.Fuzz -c Release -o artifacts/fuzz-long-bin
artifacts/tools/sharpfuzz artifacts/fuzz-long-bin/ArmSmmu.dll
date -u +"start %F %T" > artifacts/fuzz-long.times
rc=0
AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
  taskset -c "$cpu" afl-fuzz -i artifacts/fuzz-seeds -o artifacts/fuzz-long -G 8192 -t 10000 -m none -E "$executions" \
  -- dotnet artifacts/fuzz-long-bin/ArmSmmu.Fuzz.dll afl > artifacts/fuzz-long.log 2>&1 || rc=$?
date -u +"end %F %T rc=$rc" >> artifacts/fuzz-long.times
grep -E '^(execs_done|run_time|execs_per_sec|edges_found|bitmap_cvg|corpus_count|stability|saved_crashes|saved_hangs) ' artifacts/fuzz-long/default/fuzzer_stats
