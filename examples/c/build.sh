#!/usr/bin/env bash
# Builds the C example, test and benchmark against a published libarmsmmu:
#   dotnet publish src/ArmSmmu.Native -c Release -r linux-x64 -o OUT
#   examples/c/build.sh OUT            # leaves OUT/example, OUT/test_armsmmu, OUT/bench_translate
set -euo pipefail
out=$(cd "${1:?usage: build.sh OUT (the directory holding libarmsmmu.so and armsmmu.h)}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-gcc}
flags=(-std=c99 -O2 -Wall -Wextra -Werror -pedantic -I"$out" -I"$here")
link=(-L"$out" -larmsmmu -Wl,-rpath,"$out")
for program in example test_armsmmu bench_translate; do
    [[ -f "$here/$program.c" ]] || continue
    "$cc" "${flags[@]}" -D_POSIX_C_SOURCE=200809L "$here/$program.c" "${link[@]}" -pthread -o "$out/$program"
done
