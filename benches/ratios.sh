#!/usr/bin/env bash
# The interleaved ratios of benches/verify.rs, RUNS times (default 15), and
# the median and range of each: on a shared machine one run moves by ±20 %,
# the median of fifteen by a few per cent.
#
#   benches/ratios.sh            # about a minute
#   RUNS=31 benches/ratios.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-15}
bin=$(cargo bench --bench verify --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m.get("target",{}).get("name")=="verify" and m.get("executable"): print(m["executable"])')
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for _ in $(seq "$runs"); do
    VERIFY_RATIOS=1 "$bin" --bench >>"$out"
done
python3 - "$out" "$runs" <<'PY'
import re, statistics, sys
path, runs = sys.argv[1], sys.argv[2]
values, request = {}, None
for line in open(path):
    m = re.match(r"(\w+):$", line.strip())
    if m:
        request = m.group(1)
        continue
    m = re.match(r"\s+(.+?÷.+?)\s{2,}([\d.]+)", line)
    if m and request:
        values.setdefault((request, m.group(1)), []).append(float(m.group(2)))
print(f"interleaved ratios, median and range of {runs} runs:")
for (request, ratio), v in values.items():
    v.sort()
    print(f"  {request:14} {ratio:28} {statistics.median(v):5.2f}   ({v[0]:.2f} to {v[-1]:.2f})")
PY
