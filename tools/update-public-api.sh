#!/usr/bin/env bash
# Rewrites src/ArmSmmu/PublicAPI.Unshipped.txt to the library's current public surface, after an intended change.
# The analyzer's code fix adds missing entries (RS0016) but cannot drop stale ones (RS0017), so the file is emptied
# first and refilled by the fix. The fix does not see source-generated members (the *.table.md types), so those are
# then taken from the build's own RS0016 diagnostics, whose message is the entry itself.
# PublicAPI.Shipped.txt (what a release has promised) is never touched here.
set -euo pipefail
cd "$(dirname "$0")/.."
unshipped=src/ArmSmmu/PublicAPI.Unshipped.txt
printf '#nullable enable\n' > "$unshipped"
dotnet format analyzers src/ArmSmmu/ArmSmmu.csproj --diagnostics RS0016 --severity warn
dotnet build src/ArmSmmu/ArmSmmu.csproj -c Release --no-incremental -p:TreatWarningsAsErrors=false -nologo -v quiet 2>&1 |
    sed -n "s/.*RS0016: Symbol '\(.*\)' is not part of the declared public API.*/\1/p" >> "$unshipped" || true
# One entry a line, in ordinal order, so that a change to the surface is a readable diff.
{ head -n 1 "$unshipped"; tail -n +2 "$unshipped" | LC_ALL=C sort -u; } > "$unshipped.tmp"
mv "$unshipped.tmp" "$unshipped"
echo "$(($(wc -l < "$unshipped") - 1)) public API entries in $unshipped"
