#!/usr/bin/env bash
# Benchmark: what authorization costs on the request path. One Turnpike serves a REST API with
# three MOCK routes, measured in the same run (rounds interleaved):
#   open  - no authorization;
#   jwt   - a COGNITO_USER_POOLS authorizer: every request's RS256 token verified (keys fetched
#           once from a local JWKS through --jwks-url);
#   cache - a Lambda TOKEN authorizer (Python, TTL 300 s): answered from the policy cache after
#           the first request, the policy evaluated against each request's method ARN.
# MOCK integrations leave nothing but the gateway on the path, so the ratios are the strictest
# measure of the authorizers' cost; the account throttle is lifted so that it does not cap all
# three alike. Prints rps, p99 and Turnpike's CPU time per request (user + system, which barely
# moves when a neighbour loads this shared machine) of each, and the ratios jwt/open and
# cache/open (targets: at least 0.85 and 0.9).
#
#   bench/auth.sh                      # 10 s per target, 2 threads, 32 connections, 3 rounds
#   DURATION=30s CONNECTIONS=64 ROUNDS=5 bench/auth.sh
#
# Needs wrk, openssl and python3 (wrk installed with apt-get when missing). Builds turnpike in
# release, writes every file into a temporary directory and stops everything it started on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
ROUNDS=${ROUNDS:-3}
JWKS_PORT=${JWKS_PORT:-18095}
TURNPIKE_PORT=${TURNPIKE_PORT:-18096}
ISSUER=https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench

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

WORK=$(mktemp -d -t turnpike-auth-bench.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

log "making an RSA key, its JWKS and a token"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/key.pem" 2>/dev/null
MODULUS=$(openssl rsa -in "$WORK/key.pem" -noout -modulus | cut -d= -f2)
mkdir -p "$WORK/jwks"
python3 - "$MODULUS" "$ISSUER" "$WORK" <<'PY'
import base64, json, subprocess, sys, time
modulus, issuer, work = sys.argv[1:]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
jwk = {"kty": "RSA", "kid": "bench", "use": "sig", "alg": "RS256",
       "n": b64(bytes.fromhex(modulus)), "e": b64((65537).to_bytes(3, "big"))}
open(f"{work}/jwks/keys.json", "w").write(json.dumps({"keys": [jwk]}))
header = b64(json.dumps({"alg": "RS256", "kid": "bench", "typ": "JWT"}).encode())
now = int(time.time())
claims = b64(json.dumps({"iss": issuer, "sub": "bench-user", "aud": "bench-client",
                         "token_use": "id", "email": "bench@example.com",
                         "iat": now, "exp": now + 86400}).encode())
signing_input = f"{header}.{claims}".encode()
signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", f"{work}/key.pem"],
                           input=signing_input, capture_output=True, check=True).stdout
open(f"{work}/token", "w").write(f"{header}.{claims}.{b64(signature)}")
PY
TOKEN=$(cat "$WORK/token")

mkdir -p "$WORK/fn"
cat >"$WORK/fn/auth.py" <<'PY'
def token(event, context):
    """Allows `allow` on every method of the API."""
    api = event["methodArn"].split("/")[0]
    effect = "Allow" if event.get("authorizationToken") == "allow" else "Deny"
    return {"principalId": "bench",
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": api + "/*"}]},
            "context": {"tier": "gold"}}
PY
cat >"$WORK/template.yaml" <<'YAML'
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  BenchAuth:
    Type: AWS::Serverless::Function
    Properties: { FunctionName: BenchAuth, CodeUri: fn/, Handler: auth.token, Runtime: python3.12 }
YAML
MOCK='x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '"'"'{"statusCode": 200}'"'"' }
        responses:
          default:
            statusCode: "200"
            responseTemplates: { application/json: '"'"'{"pet": "rex"}'"'"' }'
cat >"$WORK/api.yaml" <<API
openapi: 3.0.1
info: { title: Auth Bench, version: "1" }
components:
  securitySchemes:
    pool:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: cognito_user_pools
      x-amazon-apigateway-authorizer:
        type: cognito_user_pools
        providerARNs: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_bench']
    tok:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:BenchAuth/invocations
        authorizerResultTtlInSeconds: 300
paths:
  /open:
    get:
      $MOCK
  /jwt:
    get:
      security: [{ pool: [] }]
      $MOCK
  /cache:
    get:
      security: [{ tok: [] }]
      $MOCK
API

# The status line of GET path with an Authorization header (no curl needed).
status_with_auth() {
    local path=$1 auth=$2
    exec 3<>"/dev/tcp/127.0.0.1/$TURNPIKE_PORT"
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\nConnection: close\r\n\r\n' \
        "$path" "$auth" >&3
    head -n 1 <&3 | tr -d '\r'
    exec 3<&-
}

log "serving the JWKS (:$JWKS_PORT)"
python3 -m http.server "$JWKS_PORT" --bind 127.0.0.1 --directory "$WORK/jwks" \
    >/dev/null 2>&1 &
PIDS+=($!)
wait_for_port "$JWKS_PORT"

log "starting turnpike (:$TURNPIKE_PORT)"
RUST_LOG=warn "$TURNPIKE" serve "$WORK/template.yaml" "$WORK/api.yaml" \
    --listen "127.0.0.1:$TURNPIKE_PORT" --access-log-format off --no-watch \
    --jwks-url "$ISSUER=http://127.0.0.1:$JWKS_PORT/keys.json" \
    --data-dir "$WORK/state" --account-rate 1000000000 --account-burst 1000000000 \
    >"$WORK/turnpike.out" 2>"$WORK/turnpike.err" &
TURNPIKE_PID=$!
PIDS+=("$TURNPIKE_PID")
wait_for_port "$TURNPIKE_PORT"

declare -A PATHS=([open]=/dev/open [jwt]=/dev/jwt [cache]=/dev/cache)
declare -A AUTH=([open]=none [jwt]="$TOKEN" [cache]=allow)
for name in open jwt cache; do
    status=$(status_with_auth "${PATHS[$name]}" "${AUTH[$name]}")
    case $status in
        "HTTP/1.1 200"*) ;;
        *)
            echo "$name: GET ${PATHS[$name]} answered '$status', not 200" >&2
            cat "$WORK/turnpike.err" >&2
            exit 1
            ;;
    esac
done
# The token must matter: without it the protected routes refuse.
for name in jwt cache; do
    status=$(status_with_auth "${PATHS[$name]}" "wrong")
    case $status in
        "HTTP/1.1 401"* | "HTTP/1.1 403"*) ;;
        *) echo "$name: a wrong token was answered '$status'" >&2; exit 1 ;;
    esac
done

declare -A RPS_ROUNDS P99_ROUNDS CPU_ROUNDS RPS P99 CPU
CLK_TCK=$(getconf CLK_TCK)
run_wrk() {
    local name=$1 round=$2 url="http://127.0.0.1:$TURNPIKE_PORT${PATHS[$1]}"
    log "round $round wrk $name: $url (${DURATION}, -t$THREADS -c$CONNECTIONS)"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -H "Authorization: ${AUTH[$name]}" "$url" >/dev/null
    local out before after requests
    before=$(cpu_ticks "$TURNPIKE_PID")
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
        -H "Authorization: ${AUTH[$name]}" "$url")
    after=$(cpu_ticks "$TURNPIKE_PID")
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    CPU_ROUNDS[$name]+=" $(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$requests" \
        'BEGIN { printf "%.2f", (n > 0 ? t / hz * 1e6 / n : 0) }')"
    if grep -q "Non-2xx or 3xx responses" <<<"$out"; then
        echo "$name: $(grep 'Non-2xx' <<<"$out"); now: $(status_with_auth "${PATHS[$name]}" "${AUTH[$name]}")" >&2
        exit 1
    fi
    RPS_ROUNDS[$name]+=" $(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
    P99_ROUNDS[$name]+=" $(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
}

# Rounds interleave the targets, so a neighbour's load on a shared machine hits all alike.
for round in $(seq 1 "$ROUNDS"); do
    for name in open jwt cache; do
        run_wrk "$name" "$round"
    done
done
for name in open jwt cache; do
    RPS[$name]=$(median "${RPS_ROUNDS[$name]}")
    P99[$name]=$(median "${P99_ROUNDS[$name]}")
    CPU[$name]=$(median "${CPU_ROUNDS[$name]}")
    log "$name rounds: rps${RPS_ROUNDS[$name]}; p99 ms${P99_ROUNDS[$name]}; cpu us/req${CPU_ROUNDS[$name]}"
done

printf '\n%-8s %12s %10s %14s\n' target rps p99_ms cpu_us_per_req
for name in open jwt cache; do
    printf '%-8s %12s %10s %14s\n' "$name" "${RPS[$name]}" "${P99[$name]}" "${CPU[$name]}"
done
printf '\ncpu per request jwt/open %s, cache/open %s (lower is cheaper)\n' \
    "$(ratio "${CPU[jwt]}" "${CPU[open]}")" "$(ratio "${CPU[cache]}" "${CPU[open]}")"
awk -v o="${RPS[open]}" -v j="${RPS[jwt]}" -v c="${RPS[cache]}" 'BEGIN {
    printf "\nrps ratio jwt/open %.2f (target >= 0.85), cache/open %.2f (target >= 0.90)\n",
        (o > 0 ? j / o : 0), (o > 0 ? c / o : 0)
}'
