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
#   TURNPIKE_BIN=target/debug/turnpike bench/templates.sh   # skip the release build
#
# Installs wrk with apt-get when missing and stops everything it started on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

env_defaults DURATION=10s THREADS=2 CONNECTIONS=64 ROUNDS=3 TURNPIKE_PORT=18093

ports_free "$TURNPIKE_PORT"
install_tools wrk
TURNPIKE=$(turnpike_binary release)
start_workdir turnpike-templates

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

start_turnpike turnpike "$TURNPIKE_PORT" "$WORK/templates.yaml" --data-dir "$WORK/state"

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

# Both routes are served by the one Turnpike.
server_ticks() { cpu_ticks "$TURNPIKE_PID"; }

# Rounds interleave the two routes so that a neighbour's load hits both alike.
for round in $(seq 1 "$ROUNDS"); do
    for name in passthrough templated; do
        wrk_round "$name" "$round" "http://127.0.0.1:$TURNPIKE_PORT/dev/$name" -s "$WORK/post.lua"
    done
done
take_medians passthrough templated

printf '\n%-28s %12s %10s %14s\n' "target" "rps" "p99 (ms)" "cpu (us/req)"
printf '%-28s %12s %10s %14s\n' "MOCK passthrough" "${RPS[passthrough]}" "${P99[passthrough]}" "${CPU[passthrough]}"
printf '%-28s %12s %10s %14s\n' "MOCK 30-line templates" "${RPS[templated]}" "${P99[templated]}" "${CPU[templated]}"
printf '\ntemplated / passthrough: rps %s x, p99 %s x, cpu per request %s x\n' \
    "$(ratio "${RPS[templated]}" "${RPS[passthrough]}")" "$(ratio "${P99[templated]}" "${P99[passthrough]}")" \
    "$(ratio "${CPU[templated]}" "${CPU[passthrough]}")"
