#!/usr/bin/env bash
# Benchmark: what throttling + API key + usage plan cost on a MOCK route, on the embedded state
# and on Redis, each against the same gateway's plain MOCK route in the same run.
#
#   bench/traffic.sh                         # release build, 5 s per target, 2 rounds
#   PROFILE=debug DURATION=3s bench/traffic.sh
#
# Targets (one wrk each, interleaved per round, median round reported):
#   embedded-plain  GET /dev/plain, no key           (turnpike --data-dir TMP)
#   embedded-plan   GET /dev/keyed with x-api-key    (key in a usage plan: throttle + quota)
#   redis-plain     GET /dev/plain, no key           (turnpike --redis redis://...)
#   redis-plan      GET /dev/keyed with x-api-key
# Ratios: plan/plain per back end (targets: >= 0.9 embedded, >= 0.6 Redis), from rps and from
# CPU microseconds per request (gateway; plus redis-server for Redis), each the median over
# ROUNDS. Installs wrk and redis-server with apt-get when missing; TURNPIKE_BIN=path measures that
# binary instead of building one. Every process it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

env_defaults PROFILE=release DURATION=5s WARMUP=1s THREADS=2 CONNECTIONS=64 ROUNDS=2 \
    EMBEDDED_PORT=18091 REDIS_GW_PORT=18092 REDIS_PORT=18093
KEY=bench-key-value-0123456789abcdef

ports_free "$EMBEDDED_PORT" "$REDIS_GW_PORT" "$REDIS_PORT"
install_tools wrk redis-server
TURNPIKE=$(turnpike_binary "$PROFILE")
start_workdir turnpike-traffic

cat >"$WORK/bench.yaml" <<'YAML'
openapi: 3.0.1
info: { title: TrafficBench, version: "1" }
components:
  securitySchemes:
    api_key: { type: apiKey, name: x-api-key, in: header }
paths:
  /plain:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses: { default: { statusCode: "200", responseTemplates: { application/json: '{"ok":true}' } } }
  /keyed:
    get:
      security: [{ api_key: [] }]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses: { default: { statusCode: "200", responseTemplates: { application/json: '{"ok":true}' } } }
YAML

# The API id turnpike derives from the title, as `turnpike routes` prints it.
API_ID=$("$TURNPIKE" routes "$WORK/bench.yaml" | sed -n 's/^API "TrafficBench" (.*, id \([a-z0-9]*\)).*/\1/p')
[ -n "$API_ID" ] || { echo "cannot find the API id in 'turnpike routes'" >&2; exit 1; }

# A key in a plan whose throttle and quota never refuse during the run, so every request pays
# for the key lookup, the plan lookup, two buckets and the quota counter.
seed() {
    local key_id plan_id
    key_id=$("$TURNPIKE" keys create --name bench --value "$KEY" "$@" | awk -F': ' '$1 == "id" { print $2 }')
    plan_id=$("$TURNPIKE" usage-plans create --name bench --api "$API_ID" --stage dev \
        --rate 1000000 --burst 1000000 --quota-limit 1000000000 --quota-period MONTH "$@" |
        awk -F': ' '$1 == "id" { print $2 }')
    "$TURNPIKE" usage-plans add-key "$plan_id" "$key_id" "$@" >/dev/null
}

log "starting redis-server (:$REDIS_PORT)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" \
    --loglevel warning >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
wait_for_port "$REDIS_PORT"

seed --data-dir "$WORK/state"
seed --redis "redis://127.0.0.1:$REDIS_PORT"
start_turnpike embedded "$EMBEDDED_PORT" "$WORK/bench.yaml" --data-dir "$WORK/state"
EMBEDDED_PID=$TURNPIKE_PID
start_turnpike redis-gw "$REDIS_GW_PORT" "$WORK/bench.yaml" --redis "redis://127.0.0.1:$REDIS_PORT"
REDIS_GW_PID=$TURNPIKE_PID

declare -A URL=(
    [embedded-plain]="http://127.0.0.1:$EMBEDDED_PORT/dev/plain"
    [embedded-plan]="http://127.0.0.1:$EMBEDDED_PORT/dev/keyed"
    [redis-plain]="http://127.0.0.1:$REDIS_GW_PORT/dev/plain"
    [redis-plan]="http://127.0.0.1:$REDIS_GW_PORT/dev/keyed"
)
TARGETS=(embedded-plain embedded-plan redis-plain redis-plan)

# Each target's CPU: its gateway's, and redis-server's (next to nothing for the embedded ones).
server_ticks() {
    case $1 in
        redis-*) cpu_ticks "$REDIS_GW_PID" ;;
        *) cpu_ticks "$EMBEDDED_PID" ;;
    esac
}
backend_ticks() { cpu_ticks "$REDIS_PID"; }

for round in $(seq 1 "$ROUNDS"); do
    for name in "${TARGETS[@]}"; do
        header=()
        [[ $name == *-plan ]] && header=(-H "x-api-key: $KEY")
        wrk_round "$name" "$round" "${URL[$name]}" "${header[@]}"
        # A few refusals come from the failure policy when a loaded machine delays Redis past the
        # 250 ms call limit; more than 0.1% means the route is throttled: not a fair measurement.
        if [ "$WRK_REFUSED" != 0 ]; then
            if awk -v r="$WRK_REFUSED" -v n="$WRK_REQUESTS" 'BEGIN { exit !(r * 1000 > n) }'; then
                echo "$name: $WRK_REFUSED of $WRK_REQUESTS refused (throttled: not a fair measurement)" >&2
                exit 1
            fi
            log "$name: $WRK_REFUSED of $WRK_REQUESTS refused (failure policy under load; see the log)"
        fi
    done
done
take_medians "${TARGETS[@]}"

printf '\n%-16s %12s %16s %18s   %s\n' target rps "gw cpu (us/req)" "redis cpu (us/req)" "rps per round"
for name in "${TARGETS[@]}"; do
    printf '%-16s %12.0f %16s %18s  %s\n' "$name" "${RPS[$name]}" "${CPU[$name]}" "${BACKEND_CPU[$name]}" \
        "${RPS_ROUNDS[$name]}"
done
printf '\nratio embedded plan/plain: %.2f (target >= 0.9)\n' "$(awk -v a="${RPS[embedded-plan]}" -v b="${RPS[embedded-plain]}" 'BEGIN { print a / b }')"
printf 'ratio redis plan/plain:    %.2f (target >= 0.6)\n' "$(awk -v a="${RPS[redis-plan]}" -v b="${RPS[redis-plain]}" 'BEGIN { print a / b }')"
# CPU per request is steadier than rps on a shared machine: the same ratios from CPU time
# (gateway, plus redis-server for Redis).
rcpu() { awk -v a="${CPU[$1]}" -v b="${BACKEND_CPU[$1]}" 'BEGIN { print a + b }'; }
printf 'cpu ratio embedded plain/plan: %s\n' "$(ratio "${CPU[embedded-plain]}" "${CPU[embedded-plan]}")"
printf 'cpu ratio redis plain/plan:    %s\n' "$(ratio "$(rcpu redis-plain)" "$(rcpu redis-plan)")"
printf 'profile: %s\n' "$PROFILE"
