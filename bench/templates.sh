#!/usr/bin/env bash
# Benchmark: the cost of mapping templates. Two MOCK routes in one Turnpike, measured in the same
# run: `/passthrough` (no request or response template, the status from no template at all) and
# `/templated` (a 30-line request template reading $input, $context, $util and $stageVariables,
# and a 30-line response template looping over a list). Prints rps, p99 and CPU per request of
# each and the templated/passthrough ratios. The account-level throttle (AWS's 10000 rps) is lifted
# so that neither route is measured against it.
#
#   bench/templates.sh                       # 10 s per target, 2 threads, 64 connections
#   DURATION=30s ROUNDS=5 bench/templates.sh
#   TURNPIKE=target/debug/turnpike bench/templates.sh   # skip the release build
#
# Installs wrk with apt-get when missing and stops everything it started on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
ROUNDS=${ROUNDS:-3}
TURNPIKE_PORT=${TURNPIKE_PORT:-18093}

if ! command -v wrk >/dev/null 2>&1; then
    log "installing wrk"
    sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq wrk >/dev/null
fi

if [ -z "${TURNPIKE:-}" ]; then
    log "building turnpike (release)"
    cargo build --release --locked -p turnpike >&2
    TURNPIKE="${CARGO_TARGET_DIR:-target}/release/turnpike"
fi

WORK=$(mktemp -d -t turnpike-templates.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

BODY='{"name":"Rex","type":"dog","price":249.99,"tags":["good","boy","fluffy"],"owner":{"id":7,"name":"Ana"}}'
printf '%s' "$BODY" >"$WORK/body.json"

cat >"$WORK/templates.yaml" <<'API'
openapi: 3.0.1
info: { title: Template Bench, version: "1" }
paths:
  /passthrough:
    post:
      x-amazon-apigateway-integration:
        type: mock
        responses:
          default: { statusCode: "200" }
  /templated:
    post:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: |
            #set($root = $input.path('$'))
            #set($tags = $root.tags)
            #set($owner = $root.owner)
            #set($cents = $root.price * 100)
            ## Validate what the back end needs.
            #if($root.name && $root.name.length() > 0)
              #set($status = 200)
            #else
              #set($status = 400)
            #end
            {
              "statusCode": $status,
              "pet": {
                "name": "$util.escapeJavaScript($root.name)",
                "kind": "$root.type.toUpperCase()",
                "price": $root.price,
                "cents": $cents,
                "tagCount": $tags.size(),
                "tags": [#foreach($t in $tags)"$t"#if($foreach.hasNext),#end#end],
                "owner": {
                  "id": $owner.id,
                  "name": "$owner.name"
                }
              },
              "request": {
                "id": "$context.requestId",
                "method": "$context.httpMethod",
                "path": "$context.resourcePath",
                "stage": "$context.stage",
                "sourceIp": "$context.identity.sourceIp",
                "agent": "$util.escapeJavaScript($input.params('User-Agent'))",
                "raw": "$util.base64Encode($input.body)"
              }
            }
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: |
                #set($items = [1..12])
                #set($names = ["Rex", "Tom", "Ana", "Bo"])
                {
                  "requestId": "$context.requestId",
                  "stage": "$context.stage",
                  "items": [
                #foreach($i in $items)
                    #set($n = $i % 4)
                    #set($price = $i * 3)
                    {
                      "id": $i,
                      "name": "$names.get($n)",
                      "even": #if($i % 2 == 0)true#{else}false#end,
                      "label": "item-$i",
                      "price": $price
                    }#if($foreach.hasNext),#end
                #end
                  ],
                  "count": $items.size(),
                  "last": $items.get(11),
                  "summary": {
                    "stage": "$context.stage",
                    "method": "$context.httpMethod",
                    "path": "$context.resourcePath",
                    "time": "$context.requestTime",
                    "epoch": $context.requestTimeEpoch,
                    "ip": "$context.identity.sourceIp"
                  },
                  "ok": true
                }
API

# The status line and body of POST path with the benchmark body (no curl needed).
post() {
    exec 3<>"/dev/tcp/127.0.0.1/$TURNPIKE_PORT"
    printf 'POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
        "$1" "${#BODY}" "$BODY" >&3
    cat <&3
    exec 3<&-
}

log "starting turnpike (:$TURNPIKE_PORT)"
RUST_LOG=warn "$TURNPIKE" serve "$WORK/templates.yaml" --listen "127.0.0.1:$TURNPIKE_PORT" \
    --access-log-format off --data-dir "$WORK/state" --account-rate 10000000 --account-burst 10000000 \
    >"$WORK/turnpike.out" 2>"$WORK/turnpike.err" &
TURNPIKE_PID=$!
PIDS+=($TURNPIKE_PID)
wait_for_port "$TURNPIKE_PORT"

for name in passthrough templated; do
    answer=$(post "/dev/$name")
    case $(head -n 1 <<<"$answer") in
        "HTTP/1.1 200"*) ;;
        *) echo "$name answered: $answer" >&2; cat "$WORK/turnpike.err" >&2; exit 1 ;;
    esac
done
log "templated answer: $(post /dev/templated | tail -c 200 | tr -s ' \n' ' ')"

cat >"$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$BODY'
LUA

CLK_TCK=$(getconf CLK_TCK)

declare -A RPS_ROUNDS P99_ROUNDS CPU_ROUNDS
run_wrk() {
    local name=$1 round=$2 url="http://127.0.0.1:$TURNPIKE_PORT/dev/$1"
    log "round $round wrk $name (${DURATION}, -t$THREADS -c$CONNECTIONS)"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$WORK/post.lua" "$url" >/dev/null
    local before after out requests
    before=$(cpu_ticks "$TURNPIKE_PID")
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/post.lua" "$url")
    after=$(cpu_ticks "$TURNPIKE_PID")
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    if grep -q "Non-2xx or 3xx responses" <<<"$out"; then
        echo "$name: $(grep 'Non-2xx' <<<"$out")" >&2
    fi
    CPU_ROUNDS[$name]+=" $(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$requests" 'BEGIN { printf "%.2f", (n > 0 ? t / hz * 1e6 / n : 0) }')"
    RPS_ROUNDS[$name]+=" $(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
    P99_ROUNDS[$name]+=" $(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
}

# Rounds interleave the two routes so that a neighbour's load hits both alike.
for round in $(seq 1 "$ROUNDS"); do
    for name in passthrough templated; do run_wrk "$name" "$round"; done
done
declare -A RPS P99 CPU
for name in passthrough templated; do
    RPS[$name]=$(median "${RPS_ROUNDS[$name]}")
    P99[$name]=$(median "${P99_ROUNDS[$name]}")
    CPU[$name]=$(median "${CPU_ROUNDS[$name]}")
done
printf '\n%-28s %12s %10s %14s\n' "target" "rps" "p99 (ms)" "cpu (us/req)"
printf '%-28s %12s %10s %14s\n' "MOCK passthrough" "${RPS[passthrough]}" "${P99[passthrough]}" "${CPU[passthrough]}"
printf '%-28s %12s %10s %14s\n' "MOCK 30-line templates" "${RPS[templated]}" "${P99[templated]}" "${CPU[templated]}"
printf '\ntemplated / passthrough: rps %s x, p99 %s x, cpu per request %s x\n' \
    "$(ratio "${RPS[templated]}" "${RPS[passthrough]}")" "$(ratio "${P99[templated]}" "${P99[passthrough]}")" \
    "$(ratio "${CPU[templated]}" "${CPU[passthrough]}")"
