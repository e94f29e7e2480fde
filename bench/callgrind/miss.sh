#!/usr/bin/env bash
# Instructions per operation after a TLB miss, by callgrind (issue #12, docs/performance.md "Third pass"):
#   bench/callgrind/miss.sh [OUT] [OPERATION...]
# publishes MissLoop (NativeAOT) into OUT (default artifacts/callgrind) unless OUT/MissLoop exists, then for each
# OPERATION (default: all of read hit s1miss s2miss nested mtu porthit) runs `MissLoop OPERATION 5000 10000` under callgrind:
# the difference of the inclusive costs of its two measured loops, divided by 5,000, is Ir per operation, with no
# start-up or warm-up in it. Prints Ir and bytes allocated per operation (GC.GetAllocatedBytesForCurrentThread);
# OUT/callgrind.OPERATION.out keeps each profile, of the two loops only (N1 + N2 operations):
# `callgrind_annotate --inclusive=no OUT/callgrind.s1miss.out` tells where the instructions went.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/artifacts/callgrind}
shift || true
operations=("$@")
if [[ ${#operations[@]} -eq 0 ]]; then
    operations=(read hit s1miss s2miss nested mtu porthit)
fi
n1=5000
n2=10000
if [[ ! -f "$out/MissLoop" ]]; then
    dotnet publish "$here/MissLoop" -c Release -r linux-x64 -o "$out" >/dev/null
fi
out=$(cd "$out" && pwd)
# valgrind 3.19 cannot read the DWARF 5 that NativeAOT writes: keep the symbol table, drop the DWARF (as run.sh does).
if readelf -S "$out/MissLoop.dbg" 2>/dev/null | grep -q '\.debug_info'; then
    mv "$out/MissLoop.dbg" "$out/MissLoop.dbg.full"
    objcopy --strip-debug "$out/MissLoop.dbg.full" "$out/MissLoop.dbg"
    (cd "$out" && objcopy --remove-section=.gnu_debuglink MissLoop && objcopy --add-gnu-debuglink=MissLoop.dbg MissLoop)
fi
printf '%-8s %10s %10s\n' operation 'Ir/op' 'bytes/op'
for op in "${operations[@]}"; do
    profile="$out/callgrind.$op.out"
    bytes=$(valgrind --tool=callgrind --toggle-collect='*Program__First' --toggle-collect='*Program__Second' --callgrind-out-file="$profile" "$out/MissLoop" "$op" "$n1" "$n2" 2>"$out/callgrind.$op.log" \
        | awk '{ print $3 }')
    # Inclusive cost of the two loops (NativeAOT names them ArmSmmu_Callgrind_Program__First and __Second).
    ir=$(callgrind_annotate --inclusive=yes --threshold=100 "$profile" \
        | awk '/Program__(First|Second)/ { gsub(",", "", $1); cost[$0 ~ /__Second/ ? 2 : 1] = $1 }
               END { printf "%.0f", (cost[2] - cost[1]) / '"$((n2 - n1))"' }')
    printf '%-8s %10s %10s\n' "$op" "$ir" "$bytes"
done
