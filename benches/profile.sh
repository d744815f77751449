#!/usr/bin/env bash
# Instructions per iteration of one benchmark of benches/verify.rs, and the
# functions they go to, counted by callgrind: the difference between runs of
# 1,000 and 3,000 iterations, divided by 2,000, so that set-up cost cancels.
#
#   benches/profile.sh ours_key_given/kms_post
#   benches/profile.sh layer/presigned_get
#
# Groups: floor, ours_warm, ours_cold, ours_key_given, layer, layer_late_body
# (kms_post only: the body arrives after one Pending).
# Requests: kms_post, presigned_get, s3_put.
# Under valgrind, SHA-256 runs in software (`compress256`): read the other
# rows as the work that is not crypto.
set -euo pipefail
spec=${1:?usage: benches/profile.sh <group>/<request>}
cd "$(dirname "$0")/.."
bin=$(cargo bench --bench verify --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m.get("target",{}).get("name")=="verify" and m.get("executable"): print(m["executable"])')
out=$(mktemp -d)
for n in 1000 3000; do
    VERIFY_PROFILE="$spec:$n" valgrind --tool=callgrind --callgrind-out-file="$out/$n.out" "$bin" \
        >/dev/null 2>"$out/$n.err"
done
python3 - "$out" "$spec" <<'PY'
import re, subprocess, sys
out, spec = sys.argv[1], sys.argv[2]
def costs(n):
    text = subprocess.run(["callgrind_annotate", "--auto=no", "--threshold=100", f"{out}/{n}.out"],
                          capture_output=True, text=True, check=True).stdout
    d = {}
    for line in text.splitlines():
        m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(.*)", line)
        if m:
            d[m.group(2).split(" [")[0]] = int(m.group(1).replace(",", ""))
    return d
a, b = costs(1000), costs(3000)
rows = sorted(((b[k] - a.get(k, 0)) / 2000, k) for k in b)
total = (b.get("PROGRAM TOTALS", 0) - a.get("PROGRAM TOTALS", 0)) / 2000
crypto = sum(v for v, k in rows if "compress256" in k)
print(f"{spec}: {total:,.0f} instructions per iteration, {total - crypto:,.0f} outside compress256")
for v, k in reversed(rows):
    if v >= 20 and k != "PROGRAM TOTALS":
        print(f"{v:9,.0f}  {k[:110]}")
PY
rm -rf "$out"
