#!/usr/bin/env bash
# Load test of SigV4Layer on loopback (issue 6, item 3).
#
# 1. Throughput: the minimal hyper server of examples/bench_server.rs, with
#    and without the layer, driven by wrk with requests signed ahead of time
#    by aws-sigv4 (a presigned S3 GET, and a header-signed KMS-style POST of
#    200 bytes whose hash is in the signature). ROUNDS alternating rounds of
#    DURATION seconds per server and workload; the medians and the ratio
#    (target: the layer keeps >= 95% of the unauthenticated throughput).
# 2. Memory: FLOOD requests (default one million) under distinct unknown
#    access keys against the server with the layer, in slices; the
#    server's resident memory (VmRSS) before, after each slice, and its peak
#    (VmHWM). Target: flat within the cache bounds (the negative cache holds
#    at most 10,000 unknown keys).
#
# Usage: benches/load/run.sh   (env: DURATION=10 ROUNDS=3 CONNECTIONS=32
#        FLOOD=1000000 FLOOD_SECONDS=600 WORKERS=0)
# Everything runs on 127.0.0.1 and stops by itself. With two or more CPUs the
# server is pinned to CPU 0 and wrk to CPU 1.
set -euo pipefail

cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
FLOOD=${FLOOD:-1000000}
FLOOD_SECONDS=${FLOOD_SECONDS:-600}
WORKERS=${WORKERS:-0}
LOAD_DIR=benches/load

if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian package)" >&2
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi

cargo build --release --example bench_server >&2
BIN=target/release/examples/bench_server
WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
    SERVER_CPU=(taskset -c 0)
    CLIENT_CPU=(taskset -c 1)
else
    SERVER_CPU=()
    CLIENT_CPU=()
fi

# start_server NAME [--auth]: starts a server on a free port; sets PORT_NAME and PID_NAME.
start_server() {
    local name=$1
    shift
    "${SERVER_CPU[@]}" "$BIN" serve --port 0 --port-file "$WORK/$name.port" --workers "$WORKERS" "$@" \
        2>"$WORK/$name.log" &
    local pid=$!
    PIDS+=("$pid")
    for _ in $(seq 100); do
        [ -s "$WORK/$name.port" ] && break
        sleep 0.1
    done
    [ -s "$WORK/$name.port" ] || { echo "the $name server did not start" >&2; cat "$WORK/$name.log" >&2; exit 1; }
    printf -v "PORT_$name" '%s' "$(cat "$WORK/$name.port")"
    printf -v "PID_$name" '%s' "$pid"
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

start_server plain
start_server auth --auth

# One signed request set per server: the host (with its port) is signed.
"$BIN" sign --host "127.0.0.1:$PORT_plain" --out "$WORK/plain.lua"
"$BIN" sign --host "127.0.0.1:$PORT_auth" --out "$WORK/auth.lua"

# CPU time (user + system) of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)

# run_wrk NAME WORKLOAD: one round; prints the RESULT line, with the server's
# CPU time per request (cpu_ns): unlike requests per second, it does not
# depend on how much of its core the server got while other work ran.
run_wrk() {
    local name=$1 workload=$2 port pid before line requests
    port=$(cat "$WORK/$name.port")
    pid=$(eval echo "\$PID_$name")
    before=$(cpu_ticks "$pid")
    line=$("${CLIENT_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s \
        -s "$LOAD_DIR/replay.lua" "http://127.0.0.1:$port" -- "$WORK/$name.lua" "$workload" |
        grep '^RESULT')
    requests=$(echo "$line" | field requests)
    echo "$line cpu_ns=$((($(cpu_ticks "$pid") - before) * 1000000000 / TICK / (requests > 0 ? requests : 1)))"
}

field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "== load test: $(nproc) CPUs, $(awk '{print $1, $2, $3}' /proc/loadavg) load average at the start"
echo "   wrk: 1 thread, $CONNECTIONS connections, $ROUNDS x ${DURATION}s per server and workload"
for workload in presigned_get kms_post; do
    : >"$WORK/plain.$workload"
    : >"$WORK/auth.$workload"
    # Warm-up (connections, the signing-key cache), not counted.
    DURATION=1 run_wrk plain "$workload" >/dev/null
    DURATION=1 run_wrk auth "$workload" >/dev/null
    for round in $(seq "$ROUNDS"); do
        for name in plain auth; do
            line=$(run_wrk "$name" "$workload")
            echo "   $workload $name round $round: ${line#RESULT }"
            if [ "$(echo "$line" | field non2xx)" != 0 ] || [ "$(echo "$line" | field errors)" != 0 ]; then
                echo "FAILED: $workload against the $name server had failures" >&2
                exit 1
            fi
            echo "$line" >>"$WORK/$name.$workload"
        done
    done
done

echo
printf '%-14s %-8s %12s %10s %10s %16s\n' workload layer "requests/s" "p50 (µs)" "p99 (µs)" "server CPU/req"
for workload in presigned_get kms_post; do
    for name in plain auth; do
        rps=$(field rps <"$WORK/$name.$workload" | median)
        p50=$(field p50_us <"$WORK/$name.$workload" | median)
        p99=$(field p99_us <"$WORK/$name.$workload" | median)
        cpu=$(field cpu_ns <"$WORK/$name.$workload" | median)
        printf -v "RPS_$name" '%s' "$rps"
        printf -v "CPU_$name" '%s' "$cpu"
        printf '%-14s %-8s %12.0f %10.0f %10.0f %13.1f µs\n' "$workload" "$([ $name = auth ] && echo with || echo without)" \
            "$rps" "$p50" "$p99" "$(awk -v c="$cpu" 'BEGIN {print c / 1000}')"
    done
    awk -v a="$RPS_auth" -v p="$RPS_plain" -v ca="$CPU_auth" -v cp="$CPU_plain" -v w="$workload" 'BEGIN {
        r = a / p; printf "%-14s with ÷ without throughput: %.3f (target >= 0.95: %s)\n", w, r, (r >= 0.95 ? "met" : "NOT met")
        printf "%-14s server CPU per request: %.1f µs more with the layer; CPU-bound throughput ratio %.3f\n", w, (ca - cp) / 1000, cp / ca }'
done

# ---------------------------------------------------------------------------
# The unknown-key flood
# ---------------------------------------------------------------------------
echo
echo "== $FLOOD requests under distinct unknown access keys (server with the layer, pid $PID_auth)"
# One request by hand: it must be refused as an unknown key, not as malformed.
AMZ_DATE=$(sed -n 's/.*amz_date = "\(.*\)".*/\1/p' "$WORK/auth.lua")
answer=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$PORT_auth/examplebucket/key" \
    -H "x-amz-date: $AMZ_DATE" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    -H "authorization: AWS4-HMAC-SHA256 Credential=AKIAFLOODCHECK000000/${AMZ_DATE:0:8}/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=$(printf '0123456789abcdef%.0s' 1 2 3 4)")
case "$answer" in
    *InvalidAccessKeyId*" 403") echo "   a flood request is answered: 403 InvalidAccessKeyId" ;;
    *) echo "FAILED: unexpected answer to a flood request: $answer" >&2; exit 1 ;;
esac
before=$(rss_kb "$PID_auth")
echo "   VmRSS before: $before kB"
# wrk runs for a time, not a count: a first slice of 10 s measures the rate,
# the next ones are sized to reach FLOOD within FLOOD_SECONDS in all.
sent=0
rate=0
slice=0
start=$(date +%s)
while [ "$sent" -lt "$FLOOD" ]; do
    elapsed=$(($(date +%s) - start))
    left=$((FLOOD_SECONDS - elapsed))
    if [ "$left" -le 0 ]; then
        echo "   time bound of ${FLOOD_SECONDS}s reached"
        break
    fi
    if [ "$rate" -eq 0 ]; then
        seconds=10
    else
        seconds=$(((FLOOD - sent + rate - 1) / rate))
        [ "$slice" -lt 3 ] && seconds=$((seconds / (4 - slice) + 1))
    fi
    [ "$seconds" -gt "$left" ] && seconds=$left
    [ "$seconds" -lt 1 ] && seconds=1
    line=$("${CLIENT_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" --timeout 5s \
        -s "$LOAD_DIR/flood.lua" "http://127.0.0.1:$PORT_auth" -- "$WORK/auth.lua" "$slice" |
        grep '^RESULT')
    n=$(echo "$line" | field requests)
    sent=$((sent + n))
    slice=$((slice + 1))
    rate=$((sent / ($(date +%s) - start)))
    echo "   after $sent requests: VmRSS $(rss_kb "$PID_auth") kB (${line#RESULT })"
done
after=$(rss_kb "$PID_auth")
peak=$(hwm_kb "$PID_auth")
echo "   sent $sent requests with distinct unknown keys in $(($(date +%s) - start)) s"
echo "   VmRSS before $before kB, after $after kB (growth $((after - before)) kB); peak VmHWM $peak kB"
