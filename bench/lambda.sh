#!/usr/bin/env bash
# Benchmark: a warm Lambda invocation through Turnpike (REST API, AWS_PROXY, payload 1.0) to a
# `provided.al2023` echo function built on AWS's `lambda_runtime` (tests/fixtures/rust-fn,
# release), against HTTP_PROXY through the same Turnpike to the equivalent echo as a plain hyper
# server (the fixture's `echo-server`), in the same run. Prints rps, p50 and p99 of each, the
# per-request overhead of the Lambda path (p50 and p99 differences) and the rps ratio, and the
# CPU time each request cost Turnpike itself and the back end (the function's worker processes,
# the echo server): in a closed loop on a small machine, p50 is about CONNECTIONS x CPU per
# request / cores, so this says which side the overhead is on.
#
#   bench/lambda.sh                    # 10 s per target, 2 threads, 16 connections, 3 rounds
#   DURATION=30s CONNECTIONS=32 ROUNDS=5 bench/lambda.sh
#
# Needs wrk (installed with apt-get when missing). Builds turnpike and the fixture in release,
# writes every file into a temporary directory and stops everything it started on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
ROUNDS=${ROUNDS:-3}
ECHO_PORT=${ECHO_PORT:-18091}
TURNPIKE_PORT=${TURNPIKE_PORT:-18093}

if ! command -v wrk >/dev/null 2>&1; then
    log "installing wrk"
    sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq wrk >/dev/null
fi

log "building turnpike (release)"
cargo build --release --locked -p turnpike >&2
TARGET_DIR=${CARGO_TARGET_DIR:-target}
TURNPIKE="$TARGET_DIR/release/turnpike"
log "building the echo function and server (release)"
FIXTURE_TARGET="$PWD/target/rust-fn"
CARGO_TARGET_DIR="$FIXTURE_TARGET" cargo build --release --locked \
    --manifest-path tests/fixtures/rust-fn/Cargo.toml >&2

WORK=$(mktemp -d -t turnpike-lambda-bench.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

mkdir -p "$WORK/fn"
cp "$FIXTURE_TARGET/release/bootstrap" "$WORK/fn/bootstrap"
# One warm worker per connection, so no invocation queues for a worker.
cat >"$WORK/template.yaml" <<YAML
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Handler: bootstrap
      Runtime: provided.al2023
      ReservedConcurrentExecutions: $CONNECTIONS
      Events:
        Echo:
          Type: Api
          Properties:
            Path: /echo
            Method: get
YAML
cat >"$WORK/proxy.yaml" <<API
openapi: 3.0.1
info: { title: Lambda Bench Proxy, version: "1" }
paths:
  /echo:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: http://127.0.0.1:$ECHO_PORT/echo
API

log "starting the echo server (:$ECHO_PORT)"
"$FIXTURE_TARGET/release/echo-server" "$ECHO_PORT" &
PIDS+=($!)
ECHO_PID=$!
wait_for_port "$ECHO_PORT"

log "starting turnpike (:$TURNPIKE_PORT)"
RUST_LOG=warn "$TURNPIKE" serve "$WORK/template.yaml" "$WORK/proxy.yaml" \
    --listen "127.0.0.1:$TURNPIKE_PORT" --access-log-format off --no-watch \
    --data-dir "$WORK/state" --account-rate 1000000000 --account-burst 1000000000 \
    >"$WORK/turnpike.out" 2>"$WORK/turnpike.err" &
PIDS+=($!)
TURNPIKE_PID=$!
wait_for_port "$TURNPIKE_PORT"

# CPU ticks of a process's own threads; of the back end a target calls (the function's workers,
# Turnpike's children, or the echo server).
own_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
backend_ticks() {
    case $1 in
        lambda) echo $(( $(cpu_ticks "$TURNPIKE_PID") - $(own_ticks "$TURNPIKE_PID") )) ;;
        *) own_ticks "$ECHO_PID" ;;
    esac
}
HZ=$(getconf CLK_TCK)

declare -A URLS=(
    [lambda]="http://127.0.0.1:$TURNPIKE_PORT/Prod/echo?pet=rex"
    [proxy]="http://127.0.0.1:$TURNPIKE_PORT/dev/echo?pet=rex"
)
for name in lambda proxy; do
    url=${URLS[$name]}
    path=/${url#http://127.0.0.1:*/}
    status=$(status_of "$TURNPIKE_PORT" "$path")
    case $status in
        "HTTP/1.1 200"*) ;;
        *) echo "$name: GET $url answered '$status', not 200" >&2; exit 1 ;;
    esac
done

declare -A RPS_ROUNDS P50_ROUNDS P99_ROUNDS RPS P50 P99 TP_CPU_ROUNDS FN_CPU_ROUNDS
run_wrk() {
    local name=$1 round=$2 url=${URLS[$1]}
    log "round $round wrk $name: $url (${DURATION}, -t$THREADS -c$CONNECTIONS)"
    # Warm-up: starts the function's workers and fills connection pools.
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$url" >/dev/null
    local out tp0 fn0 tp1 fn1 requests
    tp0=$(own_ticks "$TURNPIKE_PID")
    fn0=$(backend_ticks "$name")
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url")
    tp1=$(own_ticks "$TURNPIKE_PID")
    fn1=$(backend_ticks "$name")
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    TP_CPU_ROUNDS[$name]+=" $(awk -v t=$((tp1 - tp0)) -v n="$requests" -v hz="$HZ" 'BEGIN { printf "%.0f", t * 1e6 / hz / n }')"
    FN_CPU_ROUNDS[$name]+=" $(awk -v t=$((fn1 - fn0)) -v n="$requests" -v hz="$HZ" 'BEGIN { printf "%.0f", t * 1e6 / hz / n }')"
    echo "$out" >"$WORK/wrk-$name-$round.txt"
    if grep -q "Non-2xx or 3xx responses" <<<"$out"; then
        echo "$name: $(grep 'Non-2xx' <<<"$out")" >&2
    fi
    RPS_ROUNDS[$name]+=" $(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
    P50_ROUNDS[$name]+=" $(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
    P99_ROUNDS[$name]+=" $(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
}

# Rounds interleave the targets, so a neighbour's load on a shared machine hits both alike.
for round in $(seq 1 "$ROUNDS"); do
    for name in lambda proxy; do
        run_wrk "$name" "$round"
    done
done
for name in lambda proxy; do
    RPS[$name]=$(median "${RPS_ROUNDS[$name]}")
    P50[$name]=$(median "${P50_ROUNDS[$name]}")
    P99[$name]=$(median "${P99_ROUNDS[$name]}")
    log "$name rounds: rps${RPS_ROUNDS[$name]}; p50 ms${P50_ROUNDS[$name]}; p99 ms${P99_ROUNDS[$name]}; turnpike CPU us/request${TP_CPU_ROUNDS[$name]}; back end CPU us/request${FN_CPU_ROUNDS[$name]}"
done

printf '\n%-8s %12s %10s %10s %14s %14s\n' target rps p50_ms p99_ms turnpike_us/req backend_us/req
for name in lambda proxy; do
    printf '%-8s %12s %10s %10s %14s %14s\n' "$name" "${RPS[$name]}" "${P50[$name]}" "${P99[$name]}" \
        "$(median "${TP_CPU_ROUNDS[$name]}")" "$(median "${FN_CPU_ROUNDS[$name]}")"
done
awk -v l50="${P50[lambda]}" -v p50="${P50[proxy]}" -v l99="${P99[lambda]}" -v p99="${P99[proxy]}" \
    -v lr="${RPS[lambda]}" -v pr="${RPS[proxy]}" 'BEGIN {
    printf "\nLambda overhead vs HTTP_PROXY: p50 %+.3f ms, p99 %+.3f ms; rps ratio lambda/proxy %.2f\n",
        l50 - p50, l99 - p99, (pr > 0 ? lr / pr : 0)
}'
