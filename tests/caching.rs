//! REST response caching against the real binary: stage caches from SAM (`CacheClusterEnabled`,
//! `MethodSettings`, `AWS::ApiGateway::Stage`) and from `serve --cache`, in front of a real
//! upstream whose request count tells hits from misses; entries in memory (`--data-dir`) or in
//! a real redis-server shared by two gateways.

// Shared with the SigV4 tests, of which this file uses only the signing.
use crate::auth_tokens::sigv4;
use crate::support;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use support::client::Reply;
use support::{assert_gateway_response, Req, TempDir, Turnpike, Upstream};
use turnpike_state::test_support::RedisServer;

/// The Warning API Gateway adds when it ignores an unauthorized caller's Cache-Control.
const WARNING: &str = "199 Cache-control headers were ignored because the caller was unauthorized.";

fn template(upstream: &Upstream) -> String {
    let proxy = |path: &str, method: &str, extra: &str| {
        format!(
            "{{type: http_proxy, httpMethod: {method}, uri: '{}'{extra}}}",
            upstream.url(path)
        )
    };
    format!(
        r#"
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      CacheClusterEnabled: true
      CacheClusterSize: "0.5"
      MethodSettings:
        - ResourcePath: "/*"
          HttpMethod: "*"
          CachingEnabled: true
        - ResourcePath: "/~1live"
          HttpMethod: GET
          CachingEnabled: false
        - ResourcePath: "/~1short"
          HttpMethod: GET
          CacheTtlInSeconds: 1
        - ResourcePath: "/~1orders"
          HttpMethod: POST
          CachingEnabled: true
        - ResourcePath: "/~1fail"
          HttpMethod: GET
          UnauthorizedCacheControlHeaderStrategy: FAIL_WITH_403
        - ResourcePath: "/~1quiet"
          HttpMethod: GET
          UnauthorizedCacheControlHeaderStrategy: SUCCEED_WITHOUT_RESPONSE_HEADER
        - ResourcePath: "/~1open"
          HttpMethod: GET
          RequireAuthorizationForCacheControl: false
      DefinitionBody:
        openapi: 3.0.1
        info: {{ title: Cached, version: "1" }}
        paths:
          /items:
            get:
              x-amazon-apigateway-integration: {items}
            post:
              x-amazon-apigateway-integration: {items_post}
          /live:
            get:
              x-amazon-apigateway-integration: {live}
          /short:
            get:
              x-amazon-apigateway-integration: {short}
          /orders:
            post:
              x-amazon-apigateway-integration: {orders}
          /fail:
            get:
              x-amazon-apigateway-integration: {fail}
          /quiet:
            get:
              x-amazon-apigateway-integration: {quiet}
          /open:
            get:
              x-amazon-apigateway-integration: {open}
          /limit:
            get:
              x-amazon-apigateway-integration: {limit}
          /over:
            get:
              x-amazon-apigateway-integration: {over}
"#,
        items = proxy(
            "/items",
            "GET",
            ", cacheKeyParameters: [method.request.querystring.q, method.request.header.x-tenant]"
        ),
        items_post = proxy("/items", "POST", ""),
        live = proxy("/live", "GET", ""),
        short = proxy("/short", "GET", ""),
        orders = proxy("/orders", "POST", ""),
        fail = proxy("/fail", "GET", ""),
        quiet = proxy("/quiet", "GET", ""),
        open = proxy("/open", "GET", ""),
        limit = proxy("/big/1048576", "GET", ""),
        over = proxy("/big/1048577", "GET", ""),
    )
}

/// `turnpike serve FILE --data-dir DIR/state ARGS...`.
fn serve(file: &Path, dir: &TempDir, args: &[&str]) -> Turnpike {
    let state = dir.path().join("state");
    let mut all = vec![
        file.to_str().unwrap(),
        "--data-dir",
        state.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    Turnpike::serve_args(&all)
}

async fn get(addr: SocketAddr, path: &str) -> Reply {
    Req::get(path).send(addr).await
}

/// Asserts a 200 from the echo upstream and returns its body.
#[track_caller]
fn ok(reply: &Reply) -> String {
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.header("x-upstream"), Some("echo"), "{reply:?}");
    reply.text()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_responses_are_cached_by_method_path_and_key_parameters() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let gw = serve(&dir.write("template.yaml", &template(&upstream)), &dir, &[]);

    let first = ok(&get(gw.addr, "/prod/items?q=1&other=a").await);
    assert_eq!(upstream.requests(), 1);
    // A hit: the same body (the upstream saw other=a), headers included, no upstream call.
    let hit = get(gw.addr, "/prod/items?q=1&other=a").await;
    assert_eq!(ok(&hit), first);
    assert_eq!(hit.header("content-type"), Some("application/json"));
    assert!(!hit
        .header("x-amzn-requestid")
        .unwrap_or_default()
        .is_empty());
    assert_eq!(upstream.requests(), 1);
    // `other` is not a cache key parameter: same entry.
    assert_eq!(ok(&get(gw.addr, "/prod/items?other=b&q=1").await), first);
    assert_eq!(upstream.requests(), 1);
    // `q` and `x-tenant` are: new entries.
    let q2 = ok(&get(gw.addr, "/prod/items?q=2").await);
    assert_ne!(q2, first);
    assert_eq!(upstream.requests(), 2);
    let tenant = Req::get("/prod/items?q=1&other=a").header("x-tenant", "acme");
    assert_ne!(ok(&tenant.send(gw.addr).await), first);
    assert_eq!(upstream.requests(), 3);
    let tenant = Req::get("/prod/items?q=1").header("x-tenant", "acme");
    ok(&tenant.send(gw.addr).await);
    assert_eq!(upstream.requests(), 3);
    assert_eq!(ok(&get(gw.addr, "/prod/items?q=2").await), q2);
    assert_eq!(upstream.requests(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn methods_the_stage_does_not_cache_always_reach_the_integration() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let gw = serve(&dir.write("template.yaml", &template(&upstream)), &dir, &[]);

    // CachingEnabled: false for GET /live.
    ok(&get(gw.addr, "/prod/live").await);
    ok(&get(gw.addr, "/prod/live").await);
    assert_eq!(upstream.requests(), 2);
    // POST is not cached by the stage default...
    for _ in 0..2 {
        ok(&Req::new("POST", "/prod/items")
            .body("x")
            .send(gw.addr)
            .await);
    }
    assert_eq!(upstream.requests(), 4);
    // ...only where a method setting enables it.
    let first = ok(&Req::new("POST", "/prod/orders")
        .body("a")
        .send(gw.addr)
        .await);
    let second = ok(&Req::new("POST", "/prod/orders")
        .body("b")
        .send(gw.addr)
        .await);
    assert_eq!(first, second);
    assert_eq!(upstream.requests(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_expire_after_their_ttl() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let gw = serve(&dir.write("template.yaml", &template(&upstream)), &dir, &[]);

    let first = ok(&get(gw.addr, "/prod/short").await);
    assert_eq!(ok(&get(gw.addr, "/prod/short").await), first);
    assert_eq!(upstream.requests(), 1);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_ne!(ok(&get(gw.addr, "/prod/short").await), first);
    assert_eq!(upstream.requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_age_zero_from_an_unauthorized_caller_follows_the_method_strategy() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let gw = serve(&dir.write("template.yaml", &template(&upstream)), &dir, &[]);
    let invalidate = |path: &str| Req::get(path).header("cache-control", "max-age=0");

    // SUCCEED_WITH_RESPONSE_HEADER (API Gateway's default): served from the cache, with Warning.
    let cached = ok(&get(gw.addr, "/prod/items").await);
    assert_eq!(get(gw.addr, "/prod/items").await.header("warning"), None);
    let reply = invalidate("/prod/items").send(gw.addr).await;
    assert_eq!(ok(&reply), cached);
    assert_eq!(reply.headers_all("warning"), [WARNING]);
    assert_eq!(upstream.requests(), 1);

    // SUCCEED_WITHOUT_RESPONSE_HEADER: served from the cache, silently.
    let cached = ok(&get(gw.addr, "/prod/quiet").await);
    let reply = invalidate("/prod/quiet").send(gw.addr).await;
    assert_eq!(ok(&reply), cached);
    assert_eq!(reply.header("warning"), None);
    assert_eq!(upstream.requests(), 2);

    // FAIL_WITH_403: refused; the entry stays.
    let cached = ok(&get(gw.addr, "/prod/fail").await);
    let api_id =
        support::upstream::Echo::parse(&cached).headers("x-amzn-apigateway-api-id")[0].clone();
    let reply = invalidate("/prod/fail").send(gw.addr).await;
    let body = format!(
        r#"{{"Message":"User: anonymous is not authorized to perform: execute-api:InvalidateCache on resource: arn:aws:execute-api:us-east-1:123456789012:{api_id}/prod/GET/fail"}}"#
    );
    assert_gateway_response(&reply, 403, &body, Some("AccessDeniedException"));
    assert_eq!(ok(&get(gw.addr, "/prod/fail").await), cached);
    assert_eq!(upstream.requests(), 3);

    // Without RequireAuthorizationForCacheControl anyone may invalidate: the integration answers
    // and its response replaces the entry.
    let cached = ok(&get(gw.addr, "/prod/open").await);
    let fresh = invalidate("/prod/open").send(gw.addr).await;
    assert_ne!(ok(&fresh), cached);
    assert_eq!(fresh.header("warning"), None);
    assert_eq!(upstream.requests(), 5);
    assert_eq!(ok(&get(gw.addr, "/prod/open").await), fresh.text());
    assert_eq!(upstream.requests(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gateways_on_one_redis_share_the_cache() {
    let redis = RedisServer::start();
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let file = dir.write("template.yaml", &template(&upstream));
    let url = redis.url();
    let a = Turnpike::serve_args(&[file.to_str().unwrap(), "--redis", &url]);
    let b = Turnpike::serve_args(&[file.to_str().unwrap(), "--redis", &url]);

    let first = ok(&get(a.addr, "/prod/items?q=shared").await);
    assert_eq!(ok(&get(b.addr, "/prod/items?q=shared").await), first);
    assert_eq!(ok(&get(a.addr, "/prod/items?q=shared").await), first);
    assert_eq!(upstream.requests(), 1);
    let other = ok(&get(b.addr, "/prod/items?q=other").await);
    assert_eq!(ok(&get(a.addr, "/prod/items?q=other").await), other);
    assert_eq!(upstream.requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_outage_is_a_cache_miss() {
    let mut redis = RedisServer::start();
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let file = dir.write("template.yaml", &template(&upstream));
    let gw = Turnpike::serve_args(&[file.to_str().unwrap(), "--redis", &redis.url()]);

    ok(&get(gw.addr, "/prod/items").await);
    ok(&get(gw.addr, "/prod/items").await);
    assert_eq!(upstream.requests(), 1);
    redis.kill();
    ok(&get(gw.addr, "/prod/items").await);
    ok(&get(gw.addr, "/prod/items").await);
    assert_eq!(upstream.requests(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_cache_flags_cache_an_openapi_document() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let doc = dir.write(
        "api.yaml",
        &format!(
            "openapi: 3.0.1\ninfo: {{title: Flags, version: '1'}}\npaths:\n  /a:\n    get:\n      \
             x-amazon-apigateway-integration: {{type: http_proxy, httpMethod: GET, uri: '{}'}}\n    \
             post:\n      x-amazon-apigateway-integration: {{type: http_proxy, httpMethod: POST, uri: '{}'}}\n",
            upstream.url("/a"),
            upstream.url("/a")
        ),
    );
    let gw = serve(&doc, &dir, &["--cache", "--cache-ttl", "1"]);

    let first = ok(&get(gw.addr, "/dev/a").await);
    assert_eq!(ok(&get(gw.addr, "/dev/a").await), first);
    assert_eq!(upstream.requests(), 1);
    ok(&Req::new("POST", "/dev/a").send(gw.addr).await);
    assert_eq!(upstream.requests(), 2);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_ne!(ok(&get(gw.addr, "/dev/a").await), first);
    assert_eq!(upstream.requests(), 3);

    // Without --cache nothing is cached.
    let plain = serve(&doc, &TempDir::new(), &[]);
    ok(&get(plain.addr, "/dev/a").await);
    ok(&get(plain.addr, "/dev/a").await);
    assert_eq!(upstream.requests(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_gateway_stage_resource_adds_a_stage_with_its_own_cache() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let text = format!(
        r#"
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        openapi: 3.0.1
        info: {{ title: Staged, version: "1" }}
        paths:
          /a:
            get:
              x-amazon-apigateway-integration: {{type: http_proxy, httpMethod: GET, uri: '{}'}}
  Cached:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      StageName: cached
      Variables: {{ tier: gold }}
      CacheClusterEnabled: true
      MethodSettings:
        - ResourcePath: "/*"
          HttpMethod: "*"
          CachingEnabled: true
          CacheTtlInSeconds: 60
"#,
        upstream.url("/a")
    );
    let gw = serve(&dir.write("template.yaml", &text), &dir, &[]);

    ok(&get(gw.addr, "/prod/a").await);
    ok(&get(gw.addr, "/prod/a").await);
    assert_eq!(upstream.requests(), 2);
    let first = ok(&get(gw.addr, "/cached/a").await);
    assert_eq!(ok(&get(gw.addr, "/cached/a").await), first);
    assert_eq!(upstream.requests(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_up_to_one_megabyte_are_cached_larger_ones_served() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let gw = serve(&dir.write("template.yaml", &template(&upstream)), &dir, &[]);

    for _ in 0..2 {
        let reply = get(gw.addr, "/prod/limit").await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.text().len(), 1_048_576);
    }
    assert_eq!(upstream.requests(), 1);
    for _ in 0..2 {
        let reply = get(gw.addr, "/prod/over").await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.text().len(), 1_048_577);
    }
    assert_eq!(upstream.requests(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hits_and_misses_are_served_as_prometheus_counters_on_the_metrics_listener() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let file = dir.write("template.yaml", &template(&upstream));
    let gw = serve(&file, &dir, &["--metrics-listen", "127.0.0.1:0"]);
    let line = gw.banner()[1].clone();
    let metrics: SocketAddr = line
        .strip_prefix("Metrics at http://")
        .and_then(|rest| rest.strip_suffix("/metrics"))
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("unexpected second banner line {line:?}"));
    assert_ne!(metrics, gw.addr);

    let miss = ok(&get(gw.addr, "/prod/items").await);
    assert_eq!(ok(&get(gw.addr, "/prod/items").await), miss);
    assert_eq!(upstream.requests(), 1);
    let api_id =
        support::upstream::Echo::parse(&miss).headers("x-amzn-apigateway-api-id")[0].clone();

    let scraped = get(metrics, "/metrics").await;
    assert_eq!(scraped.status, 200);
    assert_eq!(
        scraped.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let samples: Vec<String> = scraped
        .text()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        samples,
        [
            format!(
                r#"turnpike_cache_hit_count_total{{api_id="{api_id}",api_name="Cached",stage="prod"}} 1"#
            ),
            format!(
                r#"turnpike_cache_miss_count_total{{api_id="{api_id}",api_name="Cached",stage="prod"}} 1"#
            ),
        ]
    );
    // The API listener does not serve it (no route can be shadowed): `metrics` is no stage.
    assert_gateway_response(
        &get(gw.addr, "/metrics").await,
        403,
        r#"{"message":"Forbidden"}"#,
        Some("ForbiddenException"),
    );
}

/// Only a caller that may hold `execute-api:InvalidateCache` (an IAM caller: Turnpike cannot
/// evaluate the policy locally) invalidates: a request signed by botocore with
/// `Cache-Control: max-age=0` reaches the back end and refreshes the entry, without the
/// `Warning` an unauthorized caller gets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigv4_signed_caller_invalidates_with_max_age_zero() {
    use sigv4::{botocore_sign, Signer, ToSign};
    const ACCESS_KEY: &str = "AKIDCACHEINVALIDATE1";
    const SECRET: &str = "cache/invalidate/secret/0123456789abcdefgh";
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let doc = dir.write(
        "api.yaml",
        &format!(
            r#"openapi: 3.0.1
info: {{title: SignedCache, version: "1"}}
components:
  securitySchemes:
    sigv4: {{type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}}
paths:
  /iam:
    get:
      security: [{{sigv4: []}}]
      x-amazon-apigateway-integration: {{type: http_proxy, httpMethod: GET, uri: '{}'}}
"#,
            upstream.url("/iam")
        ),
    );
    let credentials = dir.write(
        "credentials",
        &format!("[ci]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET}\n"),
    );
    let gw = serve(
        &doc,
        &dir,
        &["--cache", "--credentials", credentials.to_str().unwrap()],
    );
    let signer = Signer {
        access_key: ACCESS_KEY,
        secret: SECRET,
        token: None,
    };
    let sign = || {
        let request = ToSign {
            method: "GET",
            path_and_query: "/dev/iam",
            body: "",
            presign_expires: None,
            signed_at: None,
        };
        botocore_sign(&format!("http://{}", gw.addr), &signer, &[request])
            .pop()
            .unwrap()
    };

    let first = ok(&sign().request("").send(gw.addr).await);
    assert_eq!(ok(&sign().request("").send(gw.addr).await), first);
    assert_eq!(upstream.requests(), 1);

    // Cache-Control is not among the signed headers; the signature still holds.
    let refreshed = sign()
        .request("")
        .header("cache-control", "max-age=0")
        .send(gw.addr)
        .await;
    assert_ne!(ok(&refreshed), first);
    assert_eq!(refreshed.header("warning"), None, "{refreshed:?}");
    assert_eq!(upstream.requests(), 2);
    // The refreshed response is the entry now.
    assert_eq!(
        ok(&sign().request("").send(gw.addr).await),
        refreshed.text()
    );
    assert_eq!(upstream.requests(), 2);
}

/// `cacheNamespace` (AWS: "You can specify the same cacheNamespace across resources to return
/// the same cached data for requests to different resources"): /pets/{id} and /animals/{id}
/// share one, so either answers from what the other cached; /dogs/{id} (none) and /cats/{id}
/// (empty, which is the resource's own) each keep their own entries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resources_sharing_a_cache_namespace_share_cached_answers() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let route = |path: &str, namespace: &str| {
        format!(
            "  {path}/{{id}}:\n    get:\n      x-amazon-apigateway-integration: {{type: http_proxy, \
             httpMethod: GET, uri: '{}'{namespace}, cacheKeyParameters: [method.request.path.id]}}\n",
            upstream.url(path)
        )
    };
    let doc = dir.write(
        "api.yaml",
        &format!(
            "openapi: 3.0.1\ninfo: {{title: Namespaces, version: '1'}}\npaths:\n{}{}{}{}",
            route("/pets", ", cacheNamespace: pets"),
            route("/animals", ", cacheNamespace: pets"),
            route("/dogs", ""),
            route("/cats", ", cacheNamespace: ''"),
        ),
    );
    let gw = serve(&doc, &dir, &["--cache"]);
    let path_of = |body: &str| support::upstream::Echo::parse(body).path().to_owned();

    // One namespace: the entry /pets/1 stored answers /animals/1, the upstream not called.
    let pets = ok(&get(gw.addr, "/dev/pets/1").await);
    assert_eq!(path_of(&pets), "/pets");
    assert_eq!(upstream.requests(), 1);
    assert_eq!(ok(&get(gw.addr, "/dev/animals/1").await), pets);
    assert_eq!(upstream.requests(), 1);
    // The key parameter still tells entries apart, in either direction.
    let animals = ok(&get(gw.addr, "/dev/animals/2").await);
    assert_eq!(path_of(&animals), "/animals");
    assert_eq!(upstream.requests(), 2);
    assert_eq!(ok(&get(gw.addr, "/dev/pets/2").await), animals);
    assert_eq!(upstream.requests(), 2);

    // No namespace, or an empty one: each resource caches apart.
    let dogs = ok(&get(gw.addr, "/dev/dogs/1").await);
    assert_eq!(path_of(&dogs), "/dogs");
    assert_eq!(upstream.requests(), 3);
    let cats = ok(&get(gw.addr, "/dev/cats/1").await);
    assert_eq!(path_of(&cats), "/cats");
    assert_eq!(upstream.requests(), 4);
    assert_eq!(ok(&get(gw.addr, "/dev/cats/1").await), cats);
    assert_eq!(ok(&get(gw.addr, "/dev/dogs/1").await), dogs);
    assert_eq!(upstream.requests(), 4);
}

/// The hit and miss counters are Prometheus counters: reloading the deployment (the library's
/// reload handle; the binary reloads the same way) must not send them back to 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_counters_keep_growing_across_reloads() {
    use std::sync::Arc;
    use turnpike_gateway::{AccessLog, Gateway, GatewayConfig};
    use turnpike_model::cache::{MethodCacheSetting, StageCache};
    use turnpike_model::{Deployment, LoadOptions, Stage};
    use turnpike_state::{EmbeddedConfig, State};

    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let doc = format!(
        "openapi: 3.0.1\ninfo: {{title: Reloaded, version: '1'}}\npaths:\n  /a:\n    get:\n      \
         x-amazon-apigateway-integration: {{type: http_proxy, httpMethod: GET, uri: '{}', \
         cacheKeyParameters: [method.request.querystring.q]}}\n",
        upstream.url("/a")
    );
    let mut api = turnpike_model::load_str(Path::new("api.yaml"), &doc, &LoadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    api.caching.all_stages = Some(StageCache {
        method_settings: vec![MethodCacheSetting {
            caching_enabled: Some(true),
            ..MethodCacheSetting::all()
        }],
        ..StageCache::enabled()
    });
    let api_id = api.id.clone();
    let deployment = Deployment::new(vec![Arc::new(api)], vec![Stage::new("dev")]);
    let mut config = GatewayConfig::new("127.0.0.1:0".parse().unwrap());
    config.access_log = AccessLog::off();
    config.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    config.state = Some(State::embedded(&EmbeddedConfig::new(dir.path().join("state"))).unwrap());
    let gateway = Gateway::bind(config, deployment.clone()).await.unwrap();
    let (addr, metrics) = (gateway.local_addr(), gateway.metrics_addr().unwrap());
    let reload = gateway.reload_handle();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(gateway.serve(async move {
        let _ = stopped.await;
    }));
    let counters = || async {
        let text = get(metrics, "/metrics").await.text();
        let sample = |name: &str| {
            let line = format!(r#"{name}{{api_id="{api_id}",api_name="Reloaded",stage="dev"}} "#);
            text.lines()
                .find_map(|l| l.strip_prefix(line.as_str()))
                .unwrap_or_else(|| panic!("no {name} sample in {text}"))
                .to_owned()
        };
        (
            sample("turnpike_cache_hit_count_total"),
            sample("turnpike_cache_miss_count_total"),
        )
    };

    let first = ok(&get(addr, "/dev/a?q=1").await);
    assert_eq!(ok(&get(addr, "/dev/a?q=1").await), first);
    assert_eq!(counters().await, ("1".to_owned(), "1".to_owned()));

    reload.reload(deployment.clone());
    assert_eq!(counters().await, ("1".to_owned(), "1".to_owned()));
    // The entry outlives the reload too (it lives in the state): a hit, then a miss.
    assert_eq!(ok(&get(addr, "/dev/a?q=1").await), first);
    ok(&get(addr, "/dev/a?q=2").await);
    assert_eq!(counters().await, ("2".to_owned(), "2".to_owned()));

    reload.reload(deployment);
    ok(&get(addr, "/dev/a?q=2").await);
    assert_eq!(counters().await, ("3".to_owned(), "2".to_owned()));
    assert_eq!(upstream.requests(), 2);

    let _ = stop.send(());
    served.await.unwrap().unwrap();
}
