#!/usr/bin/env python3
"""Per-folder mutation scores and the surviving mutants of a Stryker.NET JSON report (docs/reliability.md).

usage: tools/stryker-scores.py artifacts/stryker-caches/reports/mutation-report.json [--survivors] [--files] [--over RERUN.json]
--over takes, for every file a later run re-tested (a run whose "mutate" was narrowed to some files), that run's
results in place of the first report's: the combined score of a complete run and a re-run of the files new tests aim at.
Score = (killed + timeout) / (killed + timeout + survived + no coverage), as Stryker computes it; compile errors and
ignored mutants are not counted.
"""
import collections
import json
import sys

TESTED = ("Killed", "Survived", "Timeout", "NoCoverage")

report = json.load(open(sys.argv[1]))
if "--over" in sys.argv:
    rerun = json.load(open(sys.argv[sys.argv.index("--over") + 1]))
    for path, data in rerun["files"].items():
        if any(m["status"] in TESTED for m in data["mutants"]):
            report["files"][path] = data
counts = collections.defaultdict(collections.Counter)
per_file = collections.defaultdict(collections.Counter)
survivors = []
for path, data in report["files"].items():
    relative = path.split("src/ArmSmmu/")[-1]
    folder = relative.split("/")[0]
    for m in data["mutants"]:
        counts[folder][m["status"]] += 1
        per_file[relative][m["status"]] += 1
        if m["status"] in ("Survived", "NoCoverage"):
            line = m["location"]["start"]["line"]
            survivors.append(f'{m["status"]:10} {relative}:{line} {m["mutatorName"]}: {m.get("replacement", "")!r}')

print(f'{"folder":14} {"killed":>7} {"survived":>8} {"timeout":>7} {"nocov":>6} {"score":>7}')
for folder, c in sorted(counts.items()):
    detected = c["Killed"] + c["Timeout"]
    valid = detected + c["Survived"] + c["NoCoverage"]
    if valid:
        print(f'{folder:14} {c["Killed"]:7} {c["Survived"]:8} {c["Timeout"]:7} {c["NoCoverage"]:6} {100 * detected / valid:6.1f}%')

if "--files" in sys.argv:
    print(f'\n{"file":52} {"killed":>7} {"survived":>8} {"timeout":>7} {"nocov":>6}')
    for path, c in sorted(per_file.items(), key=lambda kv: -(kv[1]["Survived"] + kv[1]["NoCoverage"])):
        if c["Survived"] + c["NoCoverage"]:
            print(f'{path:52} {c["Killed"]:7} {c["Survived"]:8} {c["Timeout"]:7} {c["NoCoverage"]:6}')

if "--survivors" in sys.argv:
    print("\n".join(sorted(survivors)))
