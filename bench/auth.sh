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
#   TURNPIKE_BIN=/path/to/turnpike bench/auth.sh   # measure that binary instead of building
#
# Needs wrk, openssl and python3 (wrk installed with apt-get when missing). Builds turnpike in
# release, writes every file into a temporary directory and stops everything it started on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

env_defaults DURATION=10s THREADS=2 CONNECTIONS=32 ROUNDS=3 JWKS_PORT=18095 TURNPIKE_PORT=18096
ISSUER=https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench

ports_free "$JWKS_PORT" "$TURNPIKE_PORT"
install_tools wrk
TURNPIKE=$(turnpike_binary release)
start_workdir turnpike-auth-bench

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

log "serving the JWKS (:$JWKS_PORT)"
python3 -m http.server "$JWKS_PORT" --bind 127.0.0.1 --directory "$WORK/jwks" \
    >/dev/null 2>&1 &
PIDS+=($!)
wait_for_port "$JWKS_PORT"

start_turnpike turnpike "$TURNPIKE_PORT" "$WORK/template.yaml" "$WORK/api.yaml" --no-watch \
    --jwks-url "$ISSUER=http://127.0.0.1:$JWKS_PORT/keys.json" --data-dir "$WORK/state"

declare -A PATHS=([open]=/dev/open [jwt]=/dev/jwt [cache]=/dev/cache)
declare -A AUTH=([open]=none [jwt]="$TOKEN" [cache]=allow)
for name in open jwt cache; do
    expect_200 "$name" "http://127.0.0.1:$TURNPIKE_PORT${PATHS[$name]}" "Authorization: ${AUTH[$name]}"
done
# The token must matter: without it the protected routes refuse.
for name in jwt cache; do
    status=$(status_of "$TURNPIKE_PORT" "${PATHS[$name]}" "Authorization: wrong")
    case $status in
        "HTTP/1.1 401"* | "HTTP/1.1 403"*) ;;
        *) echo "$name: a wrong token was answered '$status'" >&2; exit 1 ;;
    esac
done

# All three targets are routes of the one Turnpike.
server_ticks() { cpu_ticks "$TURNPIKE_PID"; }

# Rounds interleave the targets, so a neighbour's load on a shared machine hits all alike.
for round in $(seq 1 "$ROUNDS"); do
    for name in open jwt cache; do
        wrk_round "$name" "$round" "http://127.0.0.1:$TURNPIKE_PORT${PATHS[$name]}" \
            -H "Authorization: ${AUTH[$name]}"
        # A refusal means the token stopped working (expired, keys gone): the figures are not
        # the authorizer's cost.
        if [ "$WRK_REFUSED" != 0 ]; then
            echo "$name: now: $(status_of "$TURNPIKE_PORT" "${PATHS[$name]}" "Authorization: ${AUTH[$name]}")" >&2
            exit 1
        fi
    done
done
take_medians open jwt cache

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
