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
# ROUNDS. Needs wrk and redis-server; every process it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

PROFILE=${PROFILE:-release}
DURATION=${DURATION:-5s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
ROUNDS=${ROUNDS:-2}
EMBEDDED_PORT=${EMBEDDED_PORT:-18091}
REDIS_GW_PORT=${REDIS_GW_PORT:-18092}
REDIS_PORT=${REDIS_PORT:-18093}
KEY=bench-key-value-0123456789abcdef

for tool in wrk redis-server; do
    command -v "$tool" >/dev/null || { echo "$tool is required (apt-get install -y ${tool/-server/})" >&2; exit 1; }
done

if [ "$PROFILE" = release ]; then
    log "building turnpike (release)"
    cargo build --release --locked -p turnpike >&2
else
    cargo build --locked -p turnpike >&2
fi
TURNPIKE="${CARGO_TARGET_DIR:-target}/$PROFILE/turnpike"

WORK=$(mktemp -d -t turnpike-traffic.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

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
PIDS+=($!)
wait_for_port "$REDIS_PORT"

seed --data-dir "$WORK/state"
seed --redis "redis://127.0.0.1:$REDIS_PORT"
ACCOUNT=(--account-rate 10000000 --account-burst 10000000)
REDIS_PID=${PIDS[0]}
RUST_LOG=warn "$TURNPIKE" serve "$WORK/bench.yaml" --listen "127.0.0.1:$EMBEDDED_PORT" \
    --access-log-format off --data-dir "$WORK/state" "${ACCOUNT[@]}" >"$WORK/embedded.out" 2>&1 &
PIDS+=($!)
EMBEDDED_PID=$!
RUST_LOG=warn "$TURNPIKE" serve "$WORK/bench.yaml" --listen "127.0.0.1:$REDIS_GW_PORT" \
    --access-log-format off --redis "redis://127.0.0.1:$REDIS_PORT" "${ACCOUNT[@]}" \
    >"$WORK/redis-gw.out" 2>&1 &
PIDS+=($!)
REDIS_GW_PID=$!
wait_for_port "$EMBEDDED_PORT"
wait_for_port "$REDIS_GW_PORT"

declare -A URL=(
    [embedded-plain]="http://127.0.0.1:$EMBEDDED_PORT/dev/plain"
    [embedded-plan]="http://127.0.0.1:$EMBEDDED_PORT/dev/keyed"
    [redis-plain]="http://127.0.0.1:$REDIS_GW_PORT/dev/plain"
    [redis-plan]="http://127.0.0.1:$REDIS_GW_PORT/dev/keyed"
)
TARGETS=(embedded-plain embedded-plan redis-plain redis-plan)
declare -A ROUNDS_RPS ROUNDS_CPU ROUNDS_REDIS_CPU
CLK_TCK=$(getconf CLK_TCK)
# CPU microseconds per request from clock ticks spent over REQUESTS requests.
per_request() { awk -v t="$1" -v hz="$CLK_TCK" -v n="$2" 'BEGIN { printf "%.2f", (n > 0 ? t / hz * 1e6 / n : 0) }'; }

for round in $(seq 1 "$ROUNDS"); do
    for name in "${TARGETS[@]}"; do
        header=()
        [[ $name == *-plan ]] && header=(-H "x-api-key: $KEY")
        log "round $round wrk $name (${DURATION}, -t$THREADS -c$CONNECTIONS)"
        wrk -t"$THREADS" -c"$CONNECTIONS" -d1s "${header[@]}" "${URL[$name]}" >/dev/null
        gw_pid=$EMBEDDED_PID
        [[ $name == redis-* ]] && gw_pid=$REDIS_GW_PID
        gw_before=$(cpu_ticks "$gw_pid")
        redis_before=$(cpu_ticks "$REDIS_PID")
        out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "${header[@]}" "${URL[$name]}")
        gw_after=$(cpu_ticks "$gw_pid")
        redis_after=$(cpu_ticks "$REDIS_PID")
        requests=$(awk '/requests in/ { print $1 }' <<<"$out")
        ROUNDS_CPU[$name]+=" $(per_request $((gw_after - gw_before)) "$requests")"
        ROUNDS_REDIS_CPU[$name]+=" $(per_request $((redis_after - redis_before)) "$requests")"
        # A few refusals come from the failure policy when a loaded machine delays Redis past the
        # 250 ms call limit; more than 0.1% means the route is throttled: not a fair measurement.
        refused=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
        if [ -n "$refused" ]; then
            if awk -v r="$refused" -v n="$requests" 'BEGIN { exit !(r * 1000 > n) }'; then
                echo "$name: $refused of $requests refused (throttled: not a fair measurement)" >&2
                exit 1
            fi
            log "$name: $refused of $requests refused (failure policy under load; see the log)"
        fi
        ROUNDS_RPS[$name]+=" $(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
    done
done

printf '\n%-16s %12s %16s %18s   %s\n' target rps "gw cpu (us/req)" "redis cpu (us/req)" "rps per round"
declare -A RPS
for name in "${TARGETS[@]}"; do
    RPS[$name]=$(median "${ROUNDS_RPS[$name]}")
    printf '%-16s %12.0f %16s %18s  %s\n' "$name" "${RPS[$name]}" "$(median "${ROUNDS_CPU[$name]}")" \
        "$(median "${ROUNDS_REDIS_CPU[$name]}")" "${ROUNDS_RPS[$name]}"
done
printf '\nratio embedded plan/plain: %.2f (target >= 0.9)\n' "$(awk -v a="${RPS[embedded-plan]}" -v b="${RPS[embedded-plain]}" 'BEGIN { print a / b }')"
printf 'ratio redis plan/plain:    %.2f (target >= 0.6)\n' "$(awk -v a="${RPS[redis-plan]}" -v b="${RPS[redis-plain]}" 'BEGIN { print a / b }')"
# CPU per request is steadier than rps on a shared machine: the same ratios from CPU time
# (gateway, plus redis-server for Redis).
cpu() { median "${ROUNDS_CPU[$1]}"; }
rcpu() { awk -v a="$(cpu "$1")" -v b="$(median "${ROUNDS_REDIS_CPU[$1]}")" 'BEGIN { print a + b }'; }
printf 'cpu ratio embedded plain/plan: %s\n' "$(ratio "$(cpu embedded-plain)" "$(cpu embedded-plan)")"
printf 'cpu ratio redis plain/plan:    %s\n' "$(ratio "$(rcpu redis-plain)" "$(rcpu redis-plan)")"
printf 'profile: %s\n' "$PROFILE"
