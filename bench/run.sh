#!/usr/bin/env bash
# Benchmark: wrk through an nginx proxy hop, through Turnpike (HTTP_PROXY) to the same nginx
# upstream, and against a Turnpike MOCK route; prints rps and p99 of each and Turnpike/nginx ratios.
#
#   bench/run.sh                      # 10 s per target, 2 threads, 64 connections
#   DURATION=30s CONNECTIONS=128 ROUNDS=5 bench/run.sh
#   TURNPIKE_BIN=/path/to/turnpike bench/run.sh   # measure that binary instead of building
#
# Installs nginx and wrk with apt-get when missing, builds turnpike --release, writes every config
# into a temporary directory and stops everything it started on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
ROUNDS=${ROUNDS:-3}
UPSTREAM_PORT=${UPSTREAM_PORT:-18081}
NGINX_PROXY_PORT=${NGINX_PROXY_PORT:-18082}
TURNPIKE_PORT=${TURNPIKE_PORT:-18083}

install_tools() {
    local missing=()
    command -v wrk >/dev/null 2>&1 || missing+=(wrk)
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
    [ ${#missing[@]} -eq 0 ] && return
    log "installing ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    # Keep the package's own nginx service from starting on port 80.
    local policy=/usr/sbin/policy-rc.d created_policy=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
        "${sudo[@]}" chmod +x "$policy"
        created_policy=1
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
    [ -n "$created_policy" ] && "${sudo[@]}" rm -f "$policy"
    return 0
}

install_tools
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# TURNPIKE_BIN=path measures a binary built elsewhere (e.g. before and after a change, same run).
if [ -n "${TURNPIKE_BIN:-}" ]; then
    TURNPIKE=$TURNPIKE_BIN
else
    log "building turnpike (release)"
    cargo build --release --locked -p turnpike >&2
    TARGET_DIR=${CARGO_TARGET_DIR:-target}
    TURNPIKE="$TARGET_DIR/release/turnpike"
fi

WORK=$(mktemp -d -t turnpike-bench.XXXXXX)
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

# A ~100-byte JSON body, as a small API answer. nginx workers run as an unprivileged user, so the
# directory mktemp made private is opened up for reading.
mkdir -p "$WORK/www" "$WORK/tmp"
chmod 755 "$WORK" "$WORK/www"
printf '{"id":1,"type":"dog","price":249.99,"name":"Rex","tags":["good","boy"],"owner":"turnpike-bench"}\n' \
    >"$WORK/www/pet.json"

# Two nginx instances, so that the CPU the proxy hop spends is measured apart from the upstream's.
nginx_conf() {
    local name=$1 body=$2
    mkdir -p "$WORK/tmp-$name"
    cat >"$WORK/$name.conf" <<NGINX
worker_processes auto;
daemon off;
pid $WORK/$name.pid;
error_log $WORK/$name-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/tmp-$name/body;
    proxy_temp_path $WORK/tmp-$name/proxy;
    fastcgi_temp_path $WORK/tmp-$name/fastcgi;
    uwsgi_temp_path $WORK/tmp-$name/uwsgi;
    scgi_temp_path $WORK/tmp-$name/scgi;
    keepalive_requests 1000000;
    default_type application/json;
$body
}
NGINX
}

# The upstream: a small static body.
nginx_conf upstream "
    server {
        listen 127.0.0.1:$UPSTREAM_PORT;
        root $WORK/www;
    }"

# The reference proxy hop.
nginx_conf proxy "
    upstream pets { server 127.0.0.1:$UPSTREAM_PORT; keepalive 64; }
    server {
        listen 127.0.0.1:$NGINX_PROXY_PORT;
        location / {
            proxy_pass http://pets;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
        }
    }"

cat >"$WORK/bench.yaml" <<API
openapi: 3.0.1
info: { title: Turnpike Bench, version: "1" }
paths:
  /pet.json:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: http://127.0.0.1:$UPSTREAM_PORT/pet.json
  /mock:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"id":1,"type":"dog","price":249.99,"name":"Rex","tags":["good","boy"],"owner":"turnpike-bench"}'
API

log "starting nginx (upstream :$UPSTREAM_PORT, proxy hop :$NGINX_PROXY_PORT)"
"$NGINX" -p "$WORK" -c "$WORK/upstream.conf" -e "$WORK/upstream-error.log" &
PIDS+=($!)
"$NGINX" -p "$WORK" -c "$WORK/proxy.conf" -e "$WORK/proxy-error.log" &
NGINX_PROXY_PID=$!
PIDS+=($NGINX_PROXY_PID)
wait_for_port "$UPSTREAM_PORT"
wait_for_port "$NGINX_PROXY_PORT"

log "starting turnpike (:$TURNPIKE_PORT)"
# The account throttle (AWS's 10,000 rps by default) is lifted: this measures the hop, not the limit.
RUST_LOG=warn "$TURNPIKE" serve "$WORK/bench.yaml" --listen "127.0.0.1:$TURNPIKE_PORT" \
    --access-log-format off --data-dir "$WORK/state" \
    --account-rate 1000000000 --account-burst 1000000000 >"$WORK/turnpike.out" 2>"$WORK/turnpike.err" &
TURNPIKE_PID=$!
PIDS+=($TURNPIKE_PID)
wait_for_port "$TURNPIKE_PORT"

declare -A URLS=(
    [nginx]="http://127.0.0.1:$NGINX_PROXY_PORT/pet.json"
    [proxy]="http://127.0.0.1:$TURNPIKE_PORT/dev/pet.json"
    [mock]="http://127.0.0.1:$TURNPIKE_PORT/dev/mock"
)
for name in nginx proxy mock; do
    url=${URLS[$name]}
    port=${url#http://127.0.0.1:}
    port=${port%%/*}
    path=/${url#http://127.0.0.1:*/}
    status=$(status_of "$port" "$path")
    case $status in
        "HTTP/1.1 200"*) ;;
        *) echo "$name: GET $url answered '$status', not 200" >&2; exit 1 ;;
    esac
done

# Each round runs every target once, interleaved, so that a neighbour's burst of load on this
# shared machine hits all targets alike; the report takes each target's median round.
declare -A RPS_ROUNDS P99_ROUNDS CPU_ROUNDS RPS P99 CPU
declare -A SERVER_PID=([nginx]=$NGINX_PROXY_PID [proxy]=$TURNPIKE_PID [mock]=$TURNPIKE_PID)
CLK_TCK=$(getconf CLK_TCK)

run_wrk() {
    local name=$1 round=$2 url=${URLS[$1]}
    log "round $round wrk $name: $url (${DURATION}, -t$THREADS -c$CONNECTIONS)"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$url" >/dev/null # warm-up: pools and caches
    local out before after requests
    before=$(cpu_ticks "${SERVER_PID[$name]}")
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url")
    after=$(cpu_ticks "${SERVER_PID[$name]}")
    echo "$out" >"$WORK/wrk-$name-$round.txt"
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    CPU_ROUNDS[$name]+=" $(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$requests" \
        'BEGIN { printf "%.2f", (n > 0 ? t / hz * 1e6 / n : 0) }')"
    if grep -q "Non-2xx or 3xx responses" <<<"$out"; then
        echo "$name: $(grep 'Non-2xx' <<<"$out")" >&2
    fi
    RPS_ROUNDS[$name]+=" $(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
    P99_ROUNDS[$name]+=" $(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
}

for round in $(seq 1 "$ROUNDS"); do
    for name in nginx proxy mock; do
        run_wrk "$name" "$round"
    done
done
for name in nginx proxy mock; do
    RPS[$name]=$(median "${RPS_ROUNDS[$name]}")
    P99[$name]=$(median "${P99_ROUNDS[$name]}")
    CPU[$name]=$(median "${CPU_ROUNDS[$name]}")
    log "$name rounds: rps${RPS_ROUNDS[$name]}; p99 ms${P99_ROUNDS[$name]}; cpu us/req${CPU_ROUNDS[$name]}"
done

# CPU per request is the server's own cost (user + system time over requests served): unlike rps
# it hardly moves when a neighbour loads the machine.
printf '\n%-28s %12s %10s %14s\n' "target" "rps" "p99 (ms)" "cpu (us/req)"
printf '%-28s %12s %10s %14s\n' "nginx proxy hop" "${RPS[nginx]}" "${P99[nginx]}" "${CPU[nginx]}"
printf '%-28s %12s %10s %14s\n' "turnpike HTTP_PROXY" "${RPS[proxy]}" "${P99[proxy]}" "${CPU[proxy]}"
printf '%-28s %12s %10s %14s\n' "turnpike MOCK" "${RPS[mock]}" "${P99[mock]}" "${CPU[mock]}"
printf '\nturnpike HTTP_PROXY / nginx proxy hop: rps %s x, p99 %s x, cpu per request %s x\n' \
    "$(ratio "${RPS[proxy]}" "${RPS[nginx]}")" "$(ratio "${P99[proxy]}" "${P99[nginx]}")" \
    "$(ratio "${CPU[proxy]}" "${CPU[nginx]}")"
printf 'turnpike MOCK / nginx proxy hop:       rps %s x, p99 %s x, cpu per request %s x\n' \
    "$(ratio "${RPS[mock]}" "${RPS[nginx]}")" "$(ratio "${P99[mock]}" "${P99[nginx]}")" \
    "$(ratio "${CPU[mock]}" "${CPU[nginx]}")"
printf '(medians of %s rounds; target: HTTP_PROXY rps ratio >= 1.2 with p99 ratio <= 1.0; %s threads, %s connections, %s, one machine)\n' \
    "$ROUNDS" "$THREADS" "$CONNECTIONS" "$DURATION"
