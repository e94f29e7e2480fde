#!/usr/bin/env bash
# Instructions per TLB-hitting armsmmu_translate, by callgrind:
#   bench/callgrind/run.sh [OUT] [COUNT]
# publishes libarmsmmu.so (NativeAOT) into OUT (default artifacts/native) unless OUT/libarmsmmu.so exists, builds
# hit_loop.c against it, runs COUNT hits (default 100,000) under callgrind collecting only the loop, and prints Ir per
# hit and the functions the instructions went to (OUT/callgrind.hits.out keeps the profile for callgrind_annotate).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/artifacts/native}
count=${2:-100000}
if [[ ! -f "$out/libarmsmmu.so" ]]; then
    dotnet publish "$root/src/ArmSmmu.Native" -c Release -r linux-x64 -o "$out"
fi
out=$(cd "$out" && pwd)
# valgrind 3.19 cannot read the DWARF 5 that NativeAOT writes (".so.dbg"): keep its symbol table, drop the DWARF,
# and point the library's debug link at the result, so the profile still names every method.
if readelf -S "$out/libarmsmmu.so.dbg" 2>/dev/null | grep -q '\.debug_info'; then
    mv "$out/libarmsmmu.so.dbg" "$out/libarmsmmu.so.dbg.full"
    objcopy --strip-debug "$out/libarmsmmu.so.dbg.full" "$out/libarmsmmu.so.dbg"
    (cd "$out" && objcopy --remove-section=.gnu_debuglink libarmsmmu.so && objcopy --add-gnu-debuglink=libarmsmmu.so.dbg libarmsmmu.so)
fi
"${CC:-gcc}" -std=c99 -O2 -g -Wall -Wextra -Werror -I"$out" -I"$root/examples/c" "$here/hit_loop.c" \
    -L"$out" -larmsmmu -Wl,-rpath,"$out" -pthread -o "$out/hit_loop"
valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$out/callgrind.hits.out" "$out/hit_loop" "$count" 2>"$out/callgrind.log"
ir=$(callgrind_annotate "$out/callgrind.hits.out" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
echo "Ir per hit: $(awk -v ir="$ir" -v n="$count" 'BEGIN { printf "%.1f", ir / n }') ($ir Ir for $count hits)"
callgrind_annotate --inclusive=no "$out/callgrind.hits.out" | sed -n '/file:function/,$p' | head -30
