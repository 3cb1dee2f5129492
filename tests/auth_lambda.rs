//! Lambda authorizers end to end: `turnpike serve` on the SAM application in
//! `tests/fixtures/auth_lambda`, whose authorizers are real Python functions run by the bundled
//! runtime client. Each invocation of an authorizer is recorded in a file, so the tests see
//! exactly when an authorizer was (not) called and with which event. Covered: REST TOKEN and
//! REQUEST authorizers, HTTP API simple and IAM-policy answers (payload 1.0 and 2.0), every
//! outcome with AWS's exact status and body, the policy cache (TTL, key, per-request method ARN),
//! `$context.authorizer` in templates and Lambda events, resource policies, and requests that
//! try to reach a protected route by another spelling of its path.

use crate::support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};
use support::client::{parse_raw, raw};
use support::sam::repo;
use support::turnpike::{api_id, line_api_id};
use support::{assert_gateway_response, assert_jwt_challenge, Reply, Req, TempDir, Turnpike};

const UNAUTHORIZED: &str = r#"{"message":"Unauthorized"}"#;
const EXPLICIT_DENY: &str = r#"{"Message":"User is not authorized to access this resource with an explicit deny in an identity-based policy"}"#;
const IMPLICIT_DENY: &str = r#"{"Message":"User is not authorized to access this resource"}"#;
const AUTHORIZER_ERROR: &str = r#"{"message": null}"#;
const FORBIDDEN: &str = r#"{"message":"Forbidden"}"#;
const MISSING_TOKEN: &str = r#"{"message":"Missing Authentication Token"}"#;

/// A served copy of the fixture application with its own record of authorizer calls.
struct App {
    tp: Turnpike,
    calls: PathBuf,
    rest: String,
    fenced: String,
    http: String,
    _dir: TempDir,
}

impl App {
    fn start() -> App {
        App::start_with(&[])
    }

    /// [`App::start`] with more `turnpike serve` arguments.
    fn start_with(extra: &[&str]) -> App {
        let dir = TempDir::new();
        let calls = dir.write("calls.jsonl", "");
        let template = repo().join("tests/fixtures/auth_lambda/template.yaml");
        let overrides = format!("Calls={}", calls.display());
        let mut args = vec![
            template.to_str().unwrap(),
            "--parameter-overrides",
            &overrides,
        ];
        args.extend(extra);
        let tp = Turnpike::serve_args(&args);
        let banner = tp.banner().join("\n");
        let ids: Vec<String> = banner
            .lines()
            .filter(|l| l.starts_with("API \"auth_lambda\""))
            .map(line_api_id)
            .collect();
        let (fenced, http) = (ids[0].clone(), ids[1].clone());
        App {
            rest: api_id(&banner, "AuthApi"),
            fenced,
            http,
            tp,
            calls,
            _dir: dir,
        }
    }

    /// A request to `api` (by its `Host` name) with `Authorization: token` when given.
    async fn call(&self, api: &str, method: &str, path: &str, token: Option<&str>) -> Reply {
        let mut req =
            Req::new(method, path).header("Host", &format!("{api}.execute-api.localhost"));
        if let Some(token) = token {
            req = req.header("Authorization", token);
        }
        req.send(self.tp.addr).await
    }

    async fn rest(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(&self.rest, "GET", path, token).await
    }

    /// The events the authorizers have received so far.
    fn calls(&self) -> Vec<Value> {
        read_calls(&self.calls)
    }

    fn arn(&self, api: &str, rest: &str) -> String {
        format!("arn:aws:execute-api:us-east-1:123456789012:{api}/{rest}")
    }
}

fn read_calls(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The names of an object's fields, in order.
fn keys(object: &Value) -> Vec<&str> {
    object
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

/// The event the echo function received.
fn echoed(reply: &Reply) -> Value {
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json()["event"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_token_authorizer_outcomes() {
    let app = App::start();

    // An open route needs nothing; a protected one without its token is 401, uncalled.
    assert_eq!(app.rest("/dev/open", None).await.status, 200);
    let reply = app.rest("/dev/pets/1", None).await;
    assert_gateway_response(&reply, 401, UNAUTHORIZED, Some("UnauthorizedException"));
    // identityValidationExpression `[a-z]+` refuses the token without calling the function.
    let reply = app.rest("/dev/pets/1", Some("Not-Valid1")).await;
    assert_gateway_response(&reply, 401, UNAUTHORIZED, Some("UnauthorizedException"));
    assert_eq!(app.calls(), Vec::<Value>::new());

    // API keys are checked after authorization: a route that requires one refuses a request
    // without it, and (no keys are configured here) one with an unknown key.
    for key in [None, Some("not-a-known-key")] {
        let mut req =
            Req::get("/dev/keyed").header("Host", &format!("{}.execute-api.localhost", app.rest));
        if let Some(key) = key {
            req = req.header("x-api-key", key);
        }
        let reply = req.send(app.tp.addr).await;
        support::assert_forbidden(&reply);
    }

    // Allowed: the event is AWS's TOKEN event; principal and context reach the function.
    let event = echoed(&app.rest("/dev/pets/1", Some("allow")).await);
    assert_eq!(
        app.calls(),
        [
            json!({"type": "TOKEN", "authorizationToken": "allow", "methodArn": app.arn(&app.rest, "dev/GET/pets/1")})
        ]
    );
    let authorizer = &event["requestContext"]["authorizer"];
    let latency = authorizer["integrationLatency"]
        .as_u64()
        .expect("integrationLatency");
    assert_eq!(
        authorizer,
        &json!({"principalId": "user-allow", "tenant": "t1", "level": 7, "admin": true, "integrationLatency": latency})
    );

    let cases = [
        ("deny", 403, EXPLICIT_DENY, "AccessDeniedException"),
        ("other", 403, IMPLICIT_DENY, "AccessDeniedException"),
        ("unauthorized", 401, UNAUTHORIZED, "UnauthorizedException"),
        (
            "crash",
            500,
            AUTHORIZER_ERROR,
            "AuthorizerConfigurationException",
        ),
        (
            "bad",
            500,
            AUTHORIZER_ERROR,
            "AuthorizerConfigurationException",
        ),
        (
            "nested",
            500,
            AUTHORIZER_ERROR,
            "AuthorizerConfigurationException",
        ),
        // Sleeps past the function's 2 s timeout.
        (
            "slow",
            500,
            AUTHORIZER_ERROR,
            "AuthorizerConfigurationException",
        ),
    ];
    for (token, status, body, error_type) in cases {
        let reply = app.rest("/dev/pets/1", Some(token)).await;
        assert_gateway_response(&reply, status, body, Some(error_type));
    }
    // Each was one invocation: failures are not cached, and nothing was called twice.
    assert_eq!(app.calls().len(), 1 + cases.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_policies_are_evaluated_against_each_method_arn() {
    let app = App::start();

    // `getonly` allows GET on any path of the API, and is cached for 300 s by its token.
    let event = echoed(&app.rest("/dev/pets/1", Some("getonly")).await);
    assert_eq!(
        event["requestContext"]["authorizer"]["principalId"],
        "user-get"
    );
    assert_eq!(app.calls().len(), 1);
    let event = echoed(&app.rest("/dev/pets/2", Some("getonly")).await);
    // Cached: the function was not called again, and its answer is reused as it was.
    assert_eq!(app.calls().len(), 1);
    assert_eq!(event["requestContext"]["authorizer"]["calls"], 1);
    assert_eq!(
        event["requestContext"]["authorizer"]["integrationLatency"],
        0
    );
    // The cached policy does not allow POST: a 403 without calling the function.
    let reply = app
        .call(&app.rest, "POST", "/dev/pets/2", Some("getonly"))
        .await;
    assert_gateway_response(&reply, 403, IMPLICIT_DENY, Some("AccessDeniedException"));
    assert_eq!(app.calls().len(), 1);

    // `$context.authorizer.*` in a MOCK integration's response template.
    let reply = app.rest("/dev/whoami", Some("getonly")).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.text(),
        r#"{"principal":"user-get","tenant":"t2","calls":1,"level":""}"#
    );

    // A policy cached for one method denies another: `allow` allows its own method ARN only.
    assert_eq!(app.rest("/dev/pets/1", Some("allow")).await.status, 200);
    let reply = app.rest("/dev/whoami", Some("allow")).await;
    assert_gateway_response(&reply, 403, IMPLICIT_DENY, Some("AccessDeniedException"));
    assert_eq!(app.calls().len(), 2);

    // Another token is another cache entry.
    assert_eq!(app.rest("/dev/pets/1", Some("count")).await.status, 200);
    assert_eq!(app.calls().len(), 3);

    // ReauthorizeEvery: 0 turns caching off: every request calls the function.
    for expected in [4, 5] {
        let event = echoed(&app.rest("/dev/nocache", Some("count")).await);
        assert_eq!(app.calls().len(), expected);
        assert_eq!(event["requestContext"]["authorizer"]["calls"], expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_request_authorizer() {
    let app = App::start();
    let req = |x_a: Option<&str>, query: &str| {
        let mut r = Req::get(&format!("/dev/req{query}"))
            .header("Host", &format!("{}.execute-api.localhost", app.rest));
        if let Some(v) = x_a {
            r = r.header("X-A", v);
        }
        r
    };
    // Either identity source missing: 401 without calling the function.
    for (x_a, query) in [(None, "?q=1"), (Some("ok"), ""), (Some("ok"), "?q=")] {
        let reply = req(x_a, query).send(app.tp.addr).await;
        assert_gateway_response(&reply, 401, UNAUTHORIZED, Some("UnauthorizedException"));
    }
    assert_eq!(app.calls().len(), 0);

    let event = echoed(&req(Some("ok"), "?q=1").send(app.tp.addr).await);
    assert_eq!(event["requestContext"]["authorizer"]["q"], "1");
    let calls = app.calls();
    let call = &calls[0];
    assert_eq!(
        keys(call),
        [
            "type",
            "methodArn",
            "resource",
            "path",
            "httpMethod",
            "headers",
            "multiValueHeaders",
            "queryStringParameters",
            "multiValueQueryStringParameters",
            "pathParameters",
            "stageVariables",
            "requestContext"
        ]
    );
    assert_eq!(call["type"], "REQUEST");
    assert_eq!(call["methodArn"], app.arn(&app.rest, "dev/GET/req"));
    assert_eq!(call["resource"], "/req");
    assert_eq!(call["path"], "/req");
    assert_eq!(call["queryStringParameters"], json!({"q": "1"}));
    assert_eq!(call["requestContext"]["resourcePath"], "/req");

    // The cache key is every identity source: another q is another call; the same is cached.
    assert_eq!(req(Some("ok"), "?q=2").send(app.tp.addr).await.status, 200);
    assert_eq!(req(Some("ok"), "?q=1").send(app.tp.addr).await.status, 200);
    assert_eq!(app.calls().len(), 2);
    let reply = req(Some("no"), "?q=1").send(app.tp.addr).await;
    assert_gateway_response(&reply, 403, EXPLICIT_DENY, Some("AccessDeniedException"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_policies_deny_before_the_authorizer_runs() {
    let app = App::start();
    let blocked = |path: &str, token: Option<&str>| {
        let mut r = Req::get(path)
            .header("Host", &format!("{}.execute-api.localhost", app.rest))
            .header("User-Agent", "blocked-agent");
        if let Some(t) = token {
            r = r.header("Authorization", t);
        }
        r
    };
    let denied = |api: &str, rest: &str, suffix: &str| {
        format!(
            r#"{{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********9012:{api}/{rest}{suffix}"}}"#
        )
    };
    let reply = blocked("/dev/open", None).send(app.tp.addr).await;
    let body = denied(&app.rest, "dev/GET/open", " with an explicit deny");
    assert_gateway_response(&reply, 403, &body, Some("AccessDeniedException"));
    let reply = blocked("/dev/pets/9", Some("allow"))
        .send(app.tp.addr)
        .await;
    let body = denied(&app.rest, "dev/GET/pets/9", " with an explicit deny");
    assert_gateway_response(&reply, 403, &body, Some("AccessDeniedException"));
    assert_eq!(app.calls().len(), 0, "the authorizer is not called");

    // An authorizer policy that neither allows nor denies is overruled by the resource policy's
    // explicit allow (DELETE /pets/*), and only by it.
    let reply = app
        .call(&app.rest, "GET", "/dev/pets/3", Some("other"))
        .await;
    assert_gateway_response(&reply, 403, IMPLICIT_DENY, Some("AccessDeniedException"));
    let reply = app
        .call(&app.rest, "DELETE", "/dev/pets/3", Some("other"))
        .await;
    assert_eq!(echoed(&reply)["httpMethod"], "DELETE");
    // An explicit deny is not.
    let reply = app
        .call(&app.rest, "DELETE", "/dev/pets/3", Some("deny"))
        .await;
    assert_gateway_response(&reply, 403, EXPLICIT_DENY, Some("AccessDeniedException"));

    // FencedApi allows 10.0.0.0/8 (not this client) and GET /ok for anyone: implicit deny.
    let reply = app.call(&app.fenced, "GET", "/dev/fenced", None).await;
    let body = denied(&app.fenced, "dev/GET/fenced", "");
    assert_gateway_response(&reply, 403, &body, Some("AccessDeniedException"));
    assert_eq!(
        app.call(&app.fenced, "GET", "/dev/ok", None).await.status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_api_lambda_authorizers() {
    let app = App::start();
    let http =
        |path: &'static str, token: Option<&'static str>| app.call(&app.http, "GET", path, token);
    let check = |reply: &Reply, status: u16, body: &str| {
        assert_eq!(reply.status, status, "{reply:?}");
        assert_eq!(reply.text(), body, "{reply:?}");
        assert_eq!(reply.header("x-amzn-errortype"), None);
    };
    check(&http("/simple", None).await, 401, UNAUTHORIZED);
    assert_eq!(app.calls().len(), 0);
    check(&http("/simple", Some("no")).await, 403, FORBIDDEN);
    let event = echoed(&http("/simple", Some("yes")).await);
    assert_eq!(
        event["requestContext"]["authorizer"],
        json!({"lambda": {"who": "simple", "n": 1}})
    );
    let calls = app.calls();
    let call = &calls[1];
    assert_eq!(
        keys(call),
        [
            "version",
            "type",
            "routeArn",
            "identitySource",
            "routeKey",
            "rawPath",
            "rawQueryString",
            "headers",
            "requestContext"
        ]
    );
    assert_eq!(call["version"], "2.0");
    assert_eq!(call["routeArn"], app.arn(&app.http, "$default/GET/simple"));
    assert_eq!(call["identitySource"], json!(["yes"]));
    assert_eq!(call["routeKey"], "GET /simple");

    // IAM policy answers, payload 2.0 and 1.0.
    let event = echoed(&http("/policy", Some("allow")).await);
    assert_eq!(
        event["requestContext"]["authorizer"],
        json!({"lambda": {"tenant": "t1", "level": 7, "admin": true}})
    );
    let http_error = r#"{"message":"Internal Server Error"}"#;
    for (token, status, body) in [
        ("deny", 403, FORBIDDEN),
        ("other", 403, FORBIDDEN),
        ("unauthorized", 401, UNAUTHORIZED),
        ("crash", 500, http_error),
        ("bad", 500, http_error),
    ] {
        check(&http("/policy", Some(token)).await, status, body);
    }
    assert_eq!(http("/v1", Some("allow")).await.status, 200);
    let calls = app.calls();
    let v1 = calls.last().unwrap();
    assert_eq!(v1["version"], "1.0");
    assert_eq!(v1["methodArn"], app.arn(&app.http, "$default/GET/v1"));
    assert_eq!(v1["identitySource"], "allow");
    assert_eq!(v1["authorizationToken"], "allow");
}

/// Asserts, for each `(path, status, body)`, the answer to a GET of `path` (sent as is, on a raw
/// connection) to `api`.
async fn assert_raw_gets(app: &App, api: &str, cases: &[(&str, u16, &str)]) {
    for (path, status, body) in cases {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {api}.execute-api.localhost\r\nConnection: close\r\n\r\n"
        );
        let output = raw(app.tp.addr, request.as_bytes(), Duration::from_secs(5)).await;
        let reply = parse_raw(&output);
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (*status, *body),
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_spellings_of_a_protected_path_fail_closed() {
    let app = App::start();
    // Without a token: either the protected route (401) or no route at all (403/404); never
    // the function.
    let cases: &[(&str, u16, &str)] = &[
        ("/dev/pets/1", 401, UNAUTHORIZED),
        ("/dev//pets/1", 401, UNAUTHORIZED),
        ("//dev/pets/1", 403, FORBIDDEN),
        ("/dev/pets//1", 403, MISSING_TOKEN),
        ("/dev/pets%2F1", 403, MISSING_TOKEN),
        ("/dev%2Fpets/1", 403, FORBIDDEN),
        ("/dev/%2e%2e/dev/pets/1", 403, MISSING_TOKEN),
        ("/dev/pets/%2e%2e/pets/1", 403, MISSING_TOKEN),
        ("/dev/pets/../pets/1", 403, MISSING_TOKEN),
        ("/dev/open/../pets/1", 403, MISSING_TOKEN),
        ("/dev/open;/../pets/1", 403, MISSING_TOKEN),
        ("/dev/pets/1/", 401, UNAUTHORIZED),
        ("/dev/PETS/1", 403, MISSING_TOKEN),
        ("/DEV/pets/1", 403, FORBIDDEN),
        ("/dev/pets;x=1/1", 403, MISSING_TOKEN),
        ("/dev/pets/1;a=b", 401, UNAUTHORIZED),
    ];
    assert_raw_gets(&app, &app.rest, cases).await;
    let not_found = r#"{"message":"Not Found"}"#;
    let http_cases: &[(&str, u16, &str)] = &[
        ("/simple", 401, UNAUTHORIZED),
        ("/%73imple", 401, UNAUTHORIZED),
        ("//simple", 404, not_found),
        ("/simple/", 404, not_found),
        ("/SIMPLE", 404, not_found),
        ("/simple;x", 404, not_found),
        ("/x/../simple", 404, not_found),
        ("/x/%2e%2e/simple", 404, not_found),
    ];
    assert_raw_gets(&app, &app.http, http_cases).await;
    assert_eq!(app.calls().len(), 0, "no authorizer was called");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_logs_see_the_authorizer_context() {
    let app = App::start_with(&[
        "--access-log-format",
        "$context.path $context.authorizer.principalId $context.authorizer.tenant $context.status $context.requestId",
    ]);
    let seen = app.tp.stdout_lines().len();
    assert_eq!(app.rest("/dev/pets/5", Some("allow")).await.status, 200);
    let line = app
        .tp
        .wait_for_line(seen, |l| l.starts_with("/dev/pets/5 "))
        .expect("an access log line");
    let (logged, request_id) = line.rsplit_once(' ').unwrap();
    assert_eq!(logged, "/dev/pets/5 user-allow t1 200");
    assert_eq!(request_id.len(), 36, "{line}");
}

/// The JWT and Cognito verifiers are reached through the same stage; tokens that cannot be
/// valid are refused before any key is fetched (the issuers here do not exist).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_and_cognito_routes_refuse_missing_and_malformed_tokens() {
    let app = App::start();
    // No token: the bare scheme, as AWS sends it.
    let reply = app.call(&app.http, "GET", "/jwt", None).await;
    assert_eq!((reply.status, reply.text().as_str()), (401, UNAUTHORIZED));
    assert_eq!(
        reply.header("www-authenticate"),
        Some("Bearer"),
        "{reply:?}"
    );
    for (token, challenge) in [
        ("Bearer not.a.jwt", "the token is malformed"),
        // AWS's words for an opaque token (captured).
        (
            "Bearer not-a-token",
            "token contains an invalid number of segments",
        ),
    ] {
        let reply = app.call(&app.http, "GET", "/jwt", Some(token)).await;
        assert_eq!((reply.status, reply.text().as_str()), (401, UNAUTHORIZED));
        assert_jwt_challenge(&reply, Some(challenge));
    }
    for token in [None, Some("not.a.jwt")] {
        let reply = app.call(&app.rest, "GET", "/dev/cognito", token).await;
        assert_gateway_response(&reply, 401, UNAUTHORIZED, Some("UnauthorizedException"));
        assert_eq!(reply.header("www-authenticate"), None);
    }
}
