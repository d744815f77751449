#!/usr/bin/env bash
# The interop suite: real AWS clients against the demo server.
#
# Installs pinned clients on first use (a Python venv with boto3 and the AWS
# CLI in interop/.venv, the AWS SDK for JavaScript v3 in interop/node_modules;
# both git-ignored and reused while requirements.txt and package-lock.json are
# unchanged), builds the demo, starts it on free loopback ports over HTTP and
# over HTTPS, runs every case for each client (boto3 with botocore's own
# signer and with the CRT signer, the AWS CLI, the JavaScript SDK, and the Rust
# SDK through `cargo test --test interop_rust`), prints a pass/fail table and
# exits non-zero on any failure.
#
# Usage: interop/run.sh [CLIENT ...]
#   clients: boto3 boto3-crt awscli js-sdk-v3 rust-sdk (default: all)
#   INTEROP_KEEP=1 keeps the logs and results of the run.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
cd "$ROOT"
STARTED=$(date +%s)
CLIENTS=("$@")
[[ ${#CLIENTS[@]} -gt 0 ]] || CLIENTS=(boto3 boto3-crt awscli js-sdk-v3 rust-sdk)
# How long one client may run over one transport, and the demo may take to start.
CLIENT_TIMEOUT=600
START_TIMEOUT=30

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tower-sigv4-interop.XXXXXX")"
RESULTS="$WORK/results.jsonl"
STATUS_FILE="$WORK/status"
: >"$RESULTS"
DEMO_PIDS=()
cleanup() {
  local pid
  for pid in "${DEMO_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${DEMO_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ -z "${INTEROP_KEEP:-}" ]]; then rm -rf "$WORK"; else echo "interop: logs kept in $WORK"; fi
}
trap cleanup EXIT

wants() {
  local c
  for c in "${CLIENTS[@]}"; do [[ "$c" == "$1" ]] && return 0; done
  return 1
}
wants_any() {
  local c
  for c in "$@"; do wants "$c" && return 0; done
  return 1
}

APT_UPDATED=""
apt_install() {
  if ! command -v apt-get >/dev/null; then
    echo "interop: $* missing and no apt-get to install it" >&2
    return 1
  fi
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  if [[ -z "$APT_UPDATED" ]]; then
    $sudo apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# ---- tools -----------------------------------------------------------------
command -v curl >/dev/null || apt_install curl ca-certificates
command -v python3 >/dev/null || apt_install python3 python3-venv
if wants js-sdk-v3; then
  command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
fi

# ---- clients (installed once, reused while the pins are unchanged) ---------
PY=python3
if wants_any boto3 boto3-crt awscli; then
  VENV="$HERE/.venv"
  stamp="$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)"
  if [[ ! -x "$VENV/bin/python" || "$(cat "$VENV/.requirements-sha256" 2>/dev/null)" != "$stamp" ]]; then
    echo "interop: installing the Python clients (requirements.txt)"
    if ! python3 -m venv "$VENV" 2>/dev/null; then
      apt_install python3-venv
      python3 -m venv "$VENV"
    fi
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
    echo "$stamp" >"$VENV/.requirements-sha256"
  fi
  PY="$VENV/bin/python"
fi
if wants js-sdk-v3; then
  stamp="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)"
  if [[ "$(cat "$HERE/node_modules/.package-lock-sha256" 2>/dev/null)" != "$stamp" ]]; then
    echo "interop: installing the JavaScript clients (package-lock.json)"
    (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$stamp" >"$HERE/node_modules/.package-lock-sha256"
  fi
fi

# ---- the demo ----------------------------------------------------------------
echo "interop: building the demo"
# --all-features: the same build as the README's test command, so that
# nothing is compiled twice.
cargo build --quiet --all-features --example demo
TARGET_DIR="$(cargo metadata --no-deps --format-version 1 |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
DEMO="$TARGET_DIR/debug/examples/demo"

# start_demo NAME ARGS...: starts the demo on a free loopback port and sets
# URL to its address once it listens.
start_demo() {
  local name="$1" log="$WORK/demo-$1.log" waited=0
  shift
  : >"$log"
  # --sts-clock-offset -1000: sessions asked for with DurationSeconds=900 are
  # already expired when issued (the ExpiredToken cases); others stay valid.
  "$DEMO" --listen 127.0.0.1:0 --sts-clock-offset -1000 "$@" >>"$log" 2>&1 &
  DEMO_PIDS+=($!)
  URL=""
  while true; do
    URL="$(sed -n 's/^listening on //p' "$log")"
    [[ -n "$URL" ]] && return 0
    if ((waited >= START_TIMEOUT * 10)); then
      echo "interop: the demo ($name) did not start:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

NEED_DEMO=""
wants_any boto3 boto3-crt awscli js-sdk-v3 && NEED_DEMO=1
if [[ -n "$NEED_DEMO" ]]; then
  start_demo http
  HTTP_URL="$URL"
  start_demo https --tls --ca-cert "$WORK/ca.pem"
  HTTPS_URL="$URL"
  CA="$WORK/ca.pem"
  echo "interop: demo on $HTTP_URL and $HTTPS_URL"
fi

# run_client NAME TRANSPORT COMMAND...: runs one client, its output to a log.
run_client() {
  local name="$1" transport="$2"
  shift 2
  local log="$WORK/$name-$transport.log" t0 status=0
  t0=$(date +%s)
  timeout "$CLIENT_TIMEOUT" "$@" >"$log" 2>&1 || status=$?
  echo "interop: $name over $transport finished in $(($(date +%s) - t0))s (exit $status)"
  if [[ $status -ne 0 ]]; then
    echo "$name/$transport exit $status" >>"$STATUS_FILE"
    echo "---- last lines of $name over $transport ----"
    tail -n 25 "$log"
  fi
}

# All clients of one transport, one after the other.
run_transport() {
  local transport="$1" url="$2" ca=()
  [[ "$transport" == https ]] && ca=("$CA")
  if wants boto3; then
    run_client boto3 "$transport" "$PY" "$HERE/python/boto3_client.py" python "$url" "$transport" "$RESULTS" "${ca[@]}"
  fi
  if wants boto3-crt; then
    run_client boto3-crt "$transport" "$PY" "$HERE/python/boto3_client.py" crt "$url" "$transport" "$RESULTS" "${ca[@]}"
  fi
  if wants awscli; then
    run_client awscli "$transport" "$PY" "$HERE/python/awscli_client.py" "$url" "$transport" "$RESULTS" "${ca[@]}"
  fi
  if wants js-sdk-v3; then
    if [[ "$transport" == https ]]; then
      NODE_EXTRA_CA_CERTS="$CA" run_client js-sdk-v3 "$transport" \
        node --no-warnings "$HERE/node/js_client.mjs" "$url" "$transport" "$RESULTS" "$CA"
    else
      run_client js-sdk-v3 "$transport" node --no-warnings "$HERE/node/js_client.mjs" "$url" "$transport" "$RESULTS"
    fi
  fi
  return 0
}

# The two transports run side by side (two demo processes), and the Rust SDK
# test (its own demo, in process, both transports) beside them.
JOBS=()
if [[ -n "$NEED_DEMO" ]]; then
  run_transport http "$HTTP_URL" &
  JOBS+=($!)
  run_transport https "$HTTPS_URL" &
  JOBS+=($!)
fi
if wants rust-sdk; then
  INTEROP_RESULTS="$RESULTS" run_client rust-sdk "http+https" \
    cargo test --quiet --all-features --test interop_rust -- --nocapture &
  JOBS+=($!)
fi
for job in "${JOBS[@]}"; do
  wait "$job"
done

exit_code=0
if [[ -s "$STATUS_FILE" ]]; then
  echo "interop: clients that exited with an error:"
  sed 's/^/  /' "$STATUS_FILE"
  exit_code=1
fi
echo "interop: finished in $(($(date +%s) - STARTED))s"
# The table, and last the summary line: "interop: N passed, N failed, N skipped".
"$PY" "$HERE/report.py" "$RESULTS" "${CLIENTS[@]}" || exit_code=1
exit "$exit_code"
