//! Throttling, API keys, usage plans and quotas against the real binary: keys and plans made with
//! `turnpike keys` / `turnpike usage-plans`, enforced by a running `turnpike serve` on the
//! embedded state (`--data-dir`) and by two gateways sharing one real redis-server.

use crate::support;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

use support::turnpike::run;
use support::{assert_forbidden, assert_limit_exceeded, Req, TempDir, Turnpike};
use turnpike_state::test_support::RedisServer;

const DOC: &str = r#"
openapi: 3.0.1
info: { title: Traffic, version: "1" }
components:
  securitySchemes:
    api_key: { type: apiKey, name: x-api-key, in: header }
paths:
  /pets:
    get:
      security: [{ api_key: [] }]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates: { application/json: '{"ok":true}' }
  /open:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates: { application/json: '{"ok":true}' }
"#;

const TOO_MANY: &str = r#"{"message":"Too Many Requests"}"#;

/// Where state lives: `--data-dir DIR` or `--redis URL`.
fn store_args(store: &[String]) -> Vec<&str> {
    store.iter().map(String::as_str).collect()
}

/// Runs a state command that must succeed; returns its stdout.
fn ok(args: &[&str], store: &[String]) -> String {
    let mut all = args.to_vec();
    all.extend(store_args(store));
    let out: Output = run(&all);
    assert!(
        out.status.success(),
        "{all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `field: value` from `create` output.
fn field(stdout: &str, name: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} in {stdout:?}"))
        .to_string()
}

/// Creates key `name` with `value`; returns its id.
fn key(store: &[String], name: &str, value: &str) -> String {
    field(
        &ok(&["keys", "create", "--name", name, "--value", value], store),
        "id",
    )
}

/// Creates a plan for the Traffic API's `dev` stage with `extra` settings holding `key_id`.
fn plan(store: &[String], name: &str, extra: &[&str], key_id: &str) -> String {
    let api = turnpike_model::api_id_from_title("Traffic");
    let mut args = vec![
        "usage-plans",
        "create",
        "--name",
        name,
        "--api",
        &api,
        "--stage",
        "dev",
    ];
    args.extend(extra);
    let id = field(&ok(&args, store), "id");
    ok(&["usage-plans", "add-key", &id, key_id], store);
    id
}

fn serve(doc: &std::path::Path, store: &[String], extra: &[&str]) -> Turnpike {
    let mut args = vec![doc.to_str().unwrap(), "--access-log-format", "off"];
    args.extend(store_args(store));
    args.extend(extra);
    Turnpike::serve_args(&args)
}

async fn get(addr: SocketAddr, path: &str, key: Option<&str>) -> support::Reply {
    let mut req = Req::get(path);
    if let Some(k) = key {
        req = req.header("x-api-key", k);
    }
    req.send(addr).await
}

/// A temp dir holding `text` as `name` and an embedded state (`--data-dir`); returns the dir,
/// the state arguments and the file's path.
fn embedded_serving(name: &str, text: &str) -> (TempDir, Vec<String>, PathBuf) {
    let dir = TempDir::new();
    let store = vec![
        "--data-dir".to_string(),
        dir.path().join("state").to_str().unwrap().to_string(),
    ];
    let file = dir.write(name, text);
    (dir, store, file)
}

/// Key `alice` in a `quota` plan allowing `quota_limit` requests a day, key `bob` in a
/// `throttle` plan with `(rate, burst)`.
fn quota_for_alice_throttle_for_bob(
    store: &[String],
    quota_limit: &str,
    (rate, burst): (&str, &str),
) {
    let alice = key(store, "alice", ALICE);
    plan(
        store,
        "quota",
        &["--quota-limit", quota_limit, "--quota-period", "DAY"],
        &alice,
    );
    let bob = key(store, "bob", BOB);
    plan(store, "throttle", &["--rate", rate, "--burst", burst], &bob);
}

/// A throttle refused the request.
#[track_caller]
fn assert_too_many_requests(reply: &support::Reply) {
    assert_eq!(reply.status, 429, "{reply:?}");
    assert_eq!(reply.text(), TOO_MANY);
}

const ALICE: &str = "alice-key-value-0123456789";
const BOB: &str = "bob-key-value-0123456789ab";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_created_by_the_cli_are_accepted_by_a_running_gateway() {
    let (_dir, store, doc) = embedded_serving("api.yaml", DOC);
    key(&store, "alice", ALICE);
    let gw = serve(&doc, &store, &[]);

    let reply = get(gw.addr, "/dev/pets", Some(ALICE)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.text(), r#"{"ok":true}"#);
    let reply = get(gw.addr, "/dev/pets", None).await;
    assert_forbidden(&reply);
    let reply = get(gw.addr, "/dev/pets", Some("not-a-key-value-0123456789")).await;
    assert_forbidden(&reply);

    // A key made while the gateway runs works at once; a disabled one is refused.
    key(&store, "bob", BOB);
    assert_eq!(get(gw.addr, "/dev/pets", Some(BOB)).await.status, 200);
    ok(
        &[
            "keys",
            "create",
            "--name",
            "carol",
            "--value",
            "carol-key-value-0123456789",
            "--disabled",
        ],
        &store,
    );
    let reply = get(gw.addr, "/dev/pets", Some("carol-key-value-0123456789")).await;
    assert_forbidden(&reply);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_plan_quota_and_throttle_answer_429() {
    let (_dir, store, doc) = embedded_serving("api.yaml", DOC);
    // Bob's plan refills one token per 100 s: only the burst is served in this test.
    quota_for_alice_throttle_for_bob(&store, "5", ("0.01", "3"));
    let gw = serve(&doc, &store, &[]);

    for i in 0..5 {
        let reply = get(gw.addr, "/dev/pets", Some(ALICE)).await;
        assert_eq!(reply.status, 200, "request {i}: {reply:?}");
    }
    let reply = get(gw.addr, "/dev/pets", Some(ALICE)).await;
    assert_limit_exceeded(&reply);

    for i in 0..3 {
        let reply = get(gw.addr, "/dev/pets", Some(BOB)).await;
        assert_eq!(reply.status, 200, "request {i}: {reply:?}");
    }
    let reply = get(gw.addr, "/dev/pets", Some(BOB)).await;
    assert_too_many_requests(&reply);

    // Plans bind keys, not routes: a route without an API key is untouched.
    assert_eq!(get(gw.addr, "/dev/open", None).await.status, 200);
}

/// Sends GETs from `clients` connections for `secs`; returns (accepted, throttled, elapsed).
async fn hammer(
    addr: SocketAddr,
    path: &str,
    key: Option<&str>,
    clients: usize,
    secs: f64,
) -> (u64, u64, f64) {
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(secs);
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let path = path.to_string();
            let key = key.map(str::to_string);
            tokio::spawn(async move {
                let mut conn = support::Conn::http1(addr).await;
                let (mut ok, mut limited) = (0, 0);
                while Instant::now() < deadline {
                    let mut req = Req::get(&path);
                    if let Some(k) = &key {
                        req = req.header("x-api-key", k);
                    }
                    match conn.send(req).await.status {
                        200 => ok += 1,
                        429 => limited += 1,
                        other => panic!("unexpected status {other}"),
                    }
                }
                (ok, limited)
            })
        })
        .collect();
    let (mut ok, mut limited) = (0, 0);
    for t in tasks {
        let (o, l) = t.await.unwrap();
        ok += o;
        limited += l;
    }
    (ok, limited, start.elapsed().as_secs_f64())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_throttle_stays_within_burst_plus_rate_times_time() {
    let (_dir, store, doc) = embedded_serving("api.yaml", DOC);
    let (rate, burst) = (100.0, 50.0);
    let gw = serve(
        &doc,
        &store,
        &["--account-rate", "100", "--account-burst", "50"],
    );
    let (ok, limited, secs) = hammer(gw.addr, "/dev/open", None, 8, 3.0).await;
    let bound = burst + rate * secs;
    assert!(limited > 0, "never throttled: {ok} accepted");
    assert!(
        (ok as f64) <= bound * 1.01 + 1.0,
        "{ok} accepted in {secs:.2}s, bound {bound:.0}"
    );
    // Tokens are not lost either: nearly every token the bucket held or gained was used.
    assert!(
        (ok as f64) >= bound * 0.9,
        "{ok} accepted in {secs:.2}s, expected about {bound:.0}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gateways_on_one_redis_share_one_limit_and_one_quota() {
    let redis = RedisServer::start();
    let store = vec!["--redis".to_string(), redis.url()];
    let dir = TempDir::new();
    let doc = dir.write("api.yaml", DOC);
    // Bob's plan: 100 tokens, one more per 10 s: the burst is (nearly) all the test can use.
    quota_for_alice_throttle_for_bob(&store, "100", ("0.1", "100"));
    let a = serve(&doc, &store, &[]);
    let b = serve(&doc, &store, &[]);

    for (who, limit) in [(ALICE, 100.0), (BOB, 100.0)] {
        let (mut ok, mut limited) = (0u64, 0u64);
        for i in 0..150 {
            let gw = if i % 2 == 0 { &a } else { &b };
            match get(gw.addr, "/dev/pets", Some(who)).await.status {
                200 => ok += 1,
                429 => limited += 1,
                other => panic!("unexpected status {other}"),
            }
        }
        assert_eq!(ok + limited, 150);
        let off = (ok as f64 - limit).abs() / limit;
        assert!(
            off <= 0.02,
            "{who}: {ok} accepted by both gateways, limit {limit}"
        );
    }
    let reply = get(a.addr, "/dev/pets", Some(ALICE)).await;
    assert_limit_exceeded(&reply);
    let reply = get(b.addr, "/dev/pets", Some(BOB)).await;
    assert_too_many_requests(&reply);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_quota_survives_a_gateway_restart() {
    let (_dir, store, doc) = embedded_serving("api.yaml", DOC);
    let alice = key(&store, "alice", ALICE);
    plan(
        &store,
        "quota",
        &["--quota-limit", "10", "--quota-period", "DAY"],
        &alice,
    );

    let mut gw = serve(&doc, &store, &[]);
    for _ in 0..6 {
        assert_eq!(get(gw.addr, "/dev/pets", Some(ALICE)).await.status, 200);
    }
    gw.stop();

    let gw = serve(&doc, &store, &[]);
    for i in 0..4 {
        let reply = get(gw.addr, "/dev/pets", Some(ALICE)).await;
        assert_eq!(reply.status, 200, "request {i} after restart: {reply:?}");
    }
    let reply = get(gw.addr, "/dev/pets", Some(ALICE)).await;
    assert_limit_exceeded(&reply);
}

const SAM: &str = r#"
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      MethodSettings:
        - ResourcePath: "/*"
          HttpMethod: "*"
          ThrottlingRateLimit: 0.01
          ThrottlingBurstLimit: 4
        - ResourcePath: "/~1slow"
          HttpMethod: GET
          ThrottlingRateLimit: 0.01
          ThrottlingBurstLimit: 2
      DefinitionBody:
        openapi: 3.0.1
        info: { title: Throttled, version: "1" }
        paths:
          /slow:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: { application/json: '{"statusCode": 200}' }
                responses: { default: { statusCode: "200" } }
          /fast:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: { application/json: '{"statusCode": 200}' }
                responses: { default: { statusCode: "200" } }
            post:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: { application/json: '{"statusCode": 200}' }
                responses: { default: { statusCode: "200" } }
"#;

/// Sends `n` requests; returns their statuses.
async fn statuses(addr: SocketAddr, method: &str, path: &str, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(Req::new(method, path).send(addr).await.status);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sam_method_settings_throttle_each_method_of_the_stage() {
    let (_dir, store, template) = embedded_serving("template.yaml", SAM);
    let gw = serve(&template, &store, &[]);

    // The method's own setting: burst 2.
    assert_eq!(
        statuses(gw.addr, "GET", "/prod/slow", 3).await,
        [200, 200, 429]
    );
    // `/*` `*`: burst 4, one bucket per method.
    assert_eq!(
        statuses(gw.addr, "GET", "/prod/fast", 5).await,
        [200, 200, 200, 200, 429]
    );
    assert_eq!(
        statuses(gw.addr, "POST", "/prod/fast", 5).await,
        [200, 200, 200, 200, 429]
    );
    let reply = Req::get("/prod/slow").send(gw.addr).await;
    assert_too_many_requests(&reply);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_outage_follows_on_state_error_and_recovers_without_restart() {
    let mut redis = RedisServer::start();
    let store = vec!["--redis".to_string(), redis.url()];
    let dir = TempDir::new();
    let doc = dir.write("api.yaml", DOC);
    let open = serve(&doc, &store, &[]);
    let closed = serve(&doc, &store, &["--on-state-error", "closed"]);
    assert_eq!(get(open.addr, "/dev/open", None).await.status, 200);
    assert_eq!(get(closed.addr, "/dev/open", None).await.status, 200);

    redis.kill();
    // Default: throttles fail open.
    let reply = get(open.addr, "/dev/open", None).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    // `closed`: the throttle refuses while the state is unreachable.
    let reply = get(closed.addr, "/dev/open", None).await;
    assert_too_many_requests(&reply);

    redis.restart();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let status = get(closed.addr, "/dev/open", None).await.status;
        if status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still {status} after Redis came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

const SAM_PLANS: &str = r#"
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        openapi: 3.0.1
        info: { title: Planned, version: "1" }
        components:
          securitySchemes:
            api_key: { type: apiKey, name: x-api-key, in: header }
        paths:
          /pets:
            get:
              security: [{ api_key: [] }]
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: { application/json: '{"statusCode": 200}' }
                responses: { default: { statusCode: "200" } }
            post:
              security: [{ api_key: [] }]
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: { application/json: '{"statusCode": 200}' }
                responses: { default: { statusCode: "200" } }
  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties:
      Name: template-key
      Enabled: true
      Value: template-key-value-0123456789
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      UsagePlanName: template-plan
      ApiStages:
        - ApiId: !Ref Api
          Stage: prod
          Throttle:
            "/pets/POST": { RateLimit: 0.01, BurstLimit: 1 }
      Quota: { Limit: 4, Period: DAY }
  PlanKey:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties:
      KeyId: !Ref Key
      KeyType: API_KEY
      UsagePlanId: !Ref Plan
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn template_usage_plans_and_keys_are_seeded_once() {
    let (_dir, store, template) = embedded_serving("template.yaml", SAM_PLANS);
    const KEY: &str = "template-key-value-0123456789";
    let post = |addr| async move {
        Req::new("POST", "/prod/pets")
            .header("x-api-key", KEY)
            .send(addr)
            .await
    };

    let mut gw = serve(&template, &store, &[]);
    assert_eq!(get(gw.addr, "/prod/pets", Some(KEY)).await.status, 200);
    assert_eq!(post(gw.addr).await.status, 200);
    // The plan's throttle for POST /pets: burst 1.
    let reply = post(gw.addr).await;
    assert_too_many_requests(&reply);
    gw.stop();

    // Seeding again changes nothing: one key, one plan, and the quota of 4 keeps counting.
    let gw = serve(&template, &store, &[]);
    let keys = ok(&["keys", "list"], &store);
    assert_eq!(keys.matches("template-key").count(), 1, "{keys}");
    let plans = ok(&["usage-plans", "list"], &store);
    assert_eq!(plans.matches("template-plan").count(), 1, "{plans}");
    // Two counted before the restart (the throttled POST is not), two left.
    for _ in 0..2 {
        assert_eq!(get(gw.addr, "/prod/pets", Some(KEY)).await.status, 200);
    }
    let reply = get(gw.addr, "/prod/pets", Some(KEY)).await;
    assert_limit_exceeded(&reply);
}
