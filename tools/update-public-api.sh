#!/usr/bin/env bash
# Rewrites src/ArmSmmu/PublicAPI.Unshipped.txt to the library's current public surface, after an intended change.
# The analyzer's code fix adds missing entries (RS0016) but cannot drop stale ones (RS0017), so the file is emptied
# first and refilled by the fix. PublicAPI.Shipped.txt (what a release has promised) is never touched here.
set -euo pipefail
cd "$(dirname "$0")/.."
unshipped=src/ArmSmmu/PublicAPI.Unshipped.txt
printf '#nullable enable\n' > "$unshipped"
dotnet format analyzers src/ArmSmmu/ArmSmmu.csproj --diagnostics RS0016 --severity warn
# One entry a line, in ordinal order, so that a change to the surface is a readable diff.
{ head -n 1 "$unshipped"; tail -n +2 "$unshipped" | LC_ALL=C sort -u; } > "$unshipped.tmp"
mv "$unshipped.tmp" "$unshipped"
echo "$(($(wc -l < "$unshipped") - 1)) public API entries in $unshipped"
