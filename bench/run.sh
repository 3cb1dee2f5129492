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

env_defaults DURATION=10s THREADS=2 CONNECTIONS=64 ROUNDS=3 \
    UPSTREAM_PORT=18081 NGINX_PROXY_PORT=18082 TURNPIKE_PORT=18083

ports_free "$UPSTREAM_PORT" "$NGINX_PROXY_PORT" "$TURNPIKE_PORT"
install_tools wrk nginx=nginx-light
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
TURNPIKE=$(turnpike_binary release)
start_workdir turnpike-bench

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
UPSTREAM_PID=$!
PIDS+=("$UPSTREAM_PID")
"$NGINX" -p "$WORK" -c "$WORK/proxy.conf" -e "$WORK/proxy-error.log" &
NGINX_PROXY_PID=$!
PIDS+=("$NGINX_PROXY_PID")
wait_for_port "$UPSTREAM_PORT"
wait_for_port "$NGINX_PROXY_PORT"

start_turnpike turnpike "$TURNPIKE_PORT" "$WORK/bench.yaml" --data-dir "$WORK/state"

declare -A URLS=(
    [nginx]="http://127.0.0.1:$NGINX_PROXY_PORT/pet.json"
    [proxy]="http://127.0.0.1:$TURNPIKE_PORT/dev/pet.json"
    [mock]="http://127.0.0.1:$TURNPIKE_PORT/dev/mock"
)
for name in nginx proxy mock; do
    expect_200 "$name" "${URLS[$name]}"
done

# The server each target's CPU time is charged to: nginx's proxy hop (master and workers) or
# Turnpike; the upstream's is left out of both.
server_ticks() {
    case $1 in
        nginx) cpu_ticks "$NGINX_PROXY_PID" ;;
        *) cpu_ticks "$TURNPIKE_PID" ;;
    esac
}

# Where the machine's CPU goes, per request: the hop's user and system time apart, the upstream,
# and every CPU's busy time (the client, wrk, is what is left). On one machine these add up to
# what bounds the rps, so they say how far the hop's own code can move the ratio.
METERS=(hop_user hop_system upstream machine)
hop_pid() { case $1 in nginx) echo "$NGINX_PROXY_PID" ;; *) echo "$TURNPIKE_PID" ;; esac; }
meter_hop_user() { user_ticks "$(hop_pid "$1")"; }
meter_hop_system() { system_ticks "$(hop_pid "$1")"; }
meter_upstream() { cpu_ticks "$UPSTREAM_PID"; }
meter_machine() { busy_ticks; }

# Each round runs every target once, interleaved, so that a neighbour's burst of load on this
# shared machine hits all targets alike; the report takes each target's median round.
for round in $(seq 1 "$ROUNDS"); do
    for name in nginx proxy mock; do
        wrk_round "$name" "$round" "${URLS[$name]}"
    done
done
take_medians nginx proxy mock

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

# The machine's CPU per request, split. With every CPU busy, rps is the CPUs' time over this
# sum; the hop's system time is the kernel's TCP work for its two connections (four segments per
# request either way), which no user-space change removes.
printf '\n%-28s %9s %9s %9s %9s %9s\n' "cpu us per request" "machine" "client" "upstream" "hop user" "hop sys"
for name in nginx proxy; do
    label="nginx proxy hop"
    [ "$name" = proxy ] && label="turnpike HTTP_PROXY"
    printf '%-28s %9s %9s %9s %9s %9s\n' "$label" "${METER[machine:$name]}" \
        "$(awk -v m="${METER[machine:$name]}" -v u="${METER[upstream:$name]}" \
            -v a="${METER[hop_user:$name]}" -v b="${METER[hop_system:$name]}" \
            'BEGIN { printf "%.2f", m - u - a - b }')" \
        "${METER[upstream:$name]}" "${METER[hop_user:$name]}" "${METER[hop_system:$name]}"
done
# The best rps ratio a hop with turnpike's system time and no user-space time at all could reach,
# given the nginx run's client and upstream costs.
printf 'ceiling for the HTTP_PROXY rps ratio with zero hop user time: %s x\n' \
    "$(awk -v m="${METER[machine:nginx]}" -v a="${METER[hop_user:nginx]}" \
        -v b="${METER[hop_system:nginx]}" -v s="${METER[hop_system:proxy]}" \
        'BEGIN { rest = m - a - b + s; if (rest > 0) printf "%.2f", m / rest; else print "n/a" }')"
