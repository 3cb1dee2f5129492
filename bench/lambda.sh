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
#   TURNPIKE_BIN=/path/to/turnpike bench/lambda.sh   # measure that turnpike instead of building it
#
# Needs wrk (installed with apt-get when missing). Builds turnpike and the fixture in release,
# writes every file into a temporary directory and stops everything it started on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

env_defaults DURATION=10s THREADS=2 CONNECTIONS=16 ROUNDS=3 ECHO_PORT=18091 TURNPIKE_PORT=18093

ports_free "$ECHO_PORT" "$TURNPIKE_PORT"
install_tools wrk
TURNPIKE=$(turnpike_binary release)
log "building the echo function and server (release)"
FIXTURE_TARGET="$PWD/target/rust-fn"
CARGO_TARGET_DIR="$FIXTURE_TARGET" cargo build --release --locked \
    --manifest-path tests/fixtures/rust-fn/Cargo.toml >&2
start_workdir turnpike-lambda-bench

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

start_turnpike turnpike "$TURNPIKE_PORT" "$WORK/template.yaml" "$WORK/proxy.yaml" --no-watch \
    --data-dir "$WORK/state"

# The CPU each request costs Turnpike itself (its own threads), and the back end the target calls:
# the function's worker processes (Turnpike's children) or the echo server.
server_ticks() { own_ticks "$TURNPIKE_PID"; }
backend_ticks() {
    case $1 in
        lambda) echo $(( $(cpu_ticks "$TURNPIKE_PID") - $(own_ticks "$TURNPIKE_PID") )) ;;
        *) own_ticks "$ECHO_PID" ;;
    esac
}

declare -A URLS=(
    [lambda]="http://127.0.0.1:$TURNPIKE_PORT/Prod/echo?pet=rex"
    [proxy]="http://127.0.0.1:$TURNPIKE_PORT/dev/echo?pet=rex"
)
for name in lambda proxy; do
    expect_200 "$name" "${URLS[$name]}"
done

# Rounds interleave the targets, so a neighbour's load on a shared machine hits both alike.
for round in $(seq 1 "$ROUNDS"); do
    for name in lambda proxy; do
        wrk_round "$name" "$round" "${URLS[$name]}"
    done
done
take_medians lambda proxy

printf '\n%-8s %12s %10s %10s %14s %14s\n' target rps p50_ms p99_ms turnpike_us/req backend_us/req
for name in lambda proxy; do
    printf '%-8s %12s %10s %10s %14.0f %14.0f\n' "$name" "${RPS[$name]}" "${P50[$name]}" "${P99[$name]}" \
        "${CPU[$name]}" "${BACKEND_CPU[$name]}"
done
awk -v l50="${P50[lambda]}" -v p50="${P50[proxy]}" -v l99="${P99[lambda]}" -v p99="${P99[proxy]}" \
    -v lr="${RPS[lambda]}" -v pr="${RPS[proxy]}" 'BEGIN {
    printf "\nLambda overhead vs HTTP_PROXY: p50 %+.3f ms, p99 %+.3f ms; rps ratio lambda/proxy %.2f\n",
        l50 - p50, l99 - p99, (pr > 0 ? lr / pr : 0)
}'
