#!/usr/bin/env bash
# Records the current public API of shipped projects in their PublicAPI.Unshipped.txt:
# adds symbols reported by RS0016 and removes those reported by RS0017. Review the diff before committing.
# Usage: eng/update-public-api.sh [src/ManufacturingOrchestration.X ...]   (default: every project under src/)
set -euo pipefail
cd "$(dirname "$0")/.."
projects=("$@")
[ ${#projects[@]} -gt 0 ] || projects=(src/ManufacturingOrchestration.*)
for dir in "${projects[@]}"; do
  dir=${dir%/}
  csproj=$(ls "$dir"/*.csproj)
  log=$(mktemp)
  dotnet build "$csproj" --no-incremental -p:TreatWarningsAsErrors=false -p:BuildProjectReferences=true -clp:NoSummary >"$log" 2>&1 || true
  python3 - "$dir" "$log" <<'PY'
import re, sys, os
d, log = sys.argv[1], sys.argv[2]
proj = os.path.basename(d)
add, remove = set(), set()
for line in open(log, encoding="utf-8", errors="replace"):
    if f"[{os.path.abspath(d)}/{proj}.csproj]" not in line and f"/{proj}.csproj]" not in line:
        continue
    m = re.search(r"RS0016: Symbol '(.*)' is not part of the declared public API", line)
    if m: add.add(m.group(1))
    m = re.search(r"RS0017: Symbol '(.*)' is part of the declared API, but is either not public or could not be found", line)
    if m: remove.add(m.group(1))
path = os.path.join(d, "PublicAPI.Unshipped.txt")
lines = [l.rstrip("\n") for l in open(path, encoding="utf-8")] if os.path.exists(path) else ["#nullable enable"]
header = [l for l in lines if l.startswith("#")] or ["#nullable enable"]
body = {l for l in lines if l and not l.startswith("#")}
body = (body - remove) | add
open(path, "w", encoding="utf-8").write("\n".join(header + sorted(body, key=lambda s: s.lstrip("~").replace("static ", "").replace("override ", "").replace("abstract ", "").replace("virtual ", "").replace("const ", ""))) + "\n")
print(f"{proj}: +{len(add)} -{len(remove)}")
PY
  rm -f "$log"
done
