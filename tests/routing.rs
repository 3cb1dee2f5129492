//! AWS routing rules end to end: literal over `{param}` over `{proxy+}`, explicit method over ANY,
//! `$default`, percent decoding, case sensitivity, trailing slashes, unknown routes and stages,
//! API selection by Host header and `/restapis/`, several stages with their variables.

use crate::support;

use support::fixture::serve_document;
use support::{assert_gateway_response, Reply, Req, TempDir, Turnpike, Upstream};

/// A REST API whose every route proxies to the echo upstream at `/route/{name}/...`, so the
/// upstream path says which route matched and with what parameters.
const REST: &str = r#"
openapi: 3.0.1
info: { title: Routing REST, version: "1" }
paths:
  /:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/route/root" }
  /pets:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/route/get-pets" }
    post:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: POST, uri: "http://UPSTREAM/route/post-pets" }
  /pets/special:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/route/get-special" }
  /pets/{petId}:
    parameters:
      - { name: petId, in: path, required: true, schema: { type: string } }
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: "http://UPSTREAM/route/get-pet/{petId}"
        requestParameters: { integration.request.path.petId: method.request.path.petId }
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: ANY
        uri: "http://UPSTREAM/route/any-pet/{petId}"
        requestParameters: { integration.request.path.petId: method.request.path.petId }
  /pets/{petId}/toys:
    parameters:
      - { name: petId, in: path, required: true, schema: { type: string } }
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: "http://UPSTREAM/route/get-toys/{petId}"
        requestParameters: { integration.request.path.petId: method.request.path.petId }
  /files/{proxy+}:
    parameters:
      - { name: proxy, in: path, required: true, schema: { type: string } }
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: ANY
        uri: "http://UPSTREAM/route/files/{proxy}"
        requestParameters: { integration.request.path.proxy: method.request.path.proxy }
  /files/readme:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/route/readme" }
  /Case:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/route/case" }
  /stagevar:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/route/color/${stageVariables.color}" }
"#;

/// The same routes as an HTTP API (route keys), without `$default`.
const HTTP: &str = r#"
openapi: 3.0.1
info: { title: Routing HTTP, version: "1" }
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /pets:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/route/get-pets", payloadFormatVersion: "1.0" }
  /pets/special:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/route/get-special", payloadFormatVersion: "1.0" }
  /pets/{petId}:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/route/get-pet/{petId}", payloadFormatVersion: "1.0" }
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: ANY, uri: "http://UPSTREAM/route/any-pet/{petId}", payloadFormatVersion: "1.0" }
  /files/{proxy+}:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: ANY, uri: "http://UPSTREAM/route/files/{proxy}", payloadFormatVersion: "1.0" }
  /stagevar:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/route/color/${stageVariables.color}", payloadFormatVersion: "1.0" }
"#;

/// An HTTP API with a `$default` route catching everything else.
const HTTP_DEFAULT: &str = r#"
openapi: 3.0.1
info: { title: Routing HTTP Default, version: "1" }
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /pets:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/route/get-pets", payloadFormatVersion: "1.0" }
  /$default:
    x-amazon-apigateway-any-method:
      isDefaultRoute: true
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: ANY, uri: "http://UPSTREAM/route/default", payloadFormatVersion: "1.0" }
"#;

/// Starts the echo upstream and serves `template` on it with `extra` arguments.
async fn serve(template: &str, extra: &[&str]) -> (Upstream, TempDir, Turnpike) {
    let up = Upstream::start().await;
    let (dir, tp) = serve_document("api.yaml", &up.fill(template), extra);
    (up, dir, tp)
}

/// The upstream path a request reached, or the status when it did not reach it.
async fn reached(turnpike: &Turnpike, req: Req) -> Result<String, u16> {
    let reply = req.send(turnpike.addr).await;
    if reply.header("x-upstream") == Some("echo") {
        Ok(reply.echo().path().to_string())
    } else {
        Err(reply.status)
    }
}

async fn get(turnpike: &Turnpike, path: &str) -> Result<String, u16> {
    reached(turnpike, Req::get(path)).await
}

/// Asserts, for each `(path, expected)`, the upstream path a GET of `path` reached (`Ok`) or the
/// status it got instead (`Err`).
async fn assert_gets(turnpike: &Turnpike, cases: &[(&str, Result<&str, u16>)]) {
    for (path, expected) in cases {
        let expected = expected.map(str::to_string);
        assert_eq!(get(turnpike, path).await, expected, "GET {path}");
    }
}

/// Asserts AWS's answer to a route a REST API does not have.
#[track_caller]
fn assert_missing_authentication_token(reply: &Reply) {
    assert_gateway_response(
        reply,
        403,
        r#"{"message":"Missing Authentication Token"}"#,
        Some("MissingAuthenticationTokenException"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_literal_beats_param_beats_greedy() {
    let (_up, _dir, tp) = serve(REST, &[]).await;

    assert_gets(
        &tp,
        &[
            ("/dev/pets", Ok("/route/get-pets")),
            ("/dev/pets/special", Ok("/route/get-special")),
            ("/dev/pets/42", Ok("/route/get-pet/42")),
            ("/dev/pets/42/toys", Ok("/route/get-toys/42")),
            ("/dev/files/readme", Ok("/route/readme")),
            ("/dev/files/a", Ok("/route/files/a")),
            ("/dev/files/a/b/c.txt", Ok("/route/files/a/b/c.txt")),
            ("/dev/files/readme/more", Ok("/route/files/readme/more")),
            ("/dev", Ok("/route/root")),
            ("/dev/", Ok("/route/root")),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_explicit_method_beats_any_and_missing_method_is_403() {
    let (_up, _dir, tp) = serve(REST, &[]).await;

    assert_gets(&tp, &[("/dev/pets/7", Ok("/route/get-pet/7"))]).await;
    let delete = reached(&tp, Req::new("DELETE", "/dev/pets/7")).await;
    assert_eq!(delete, Ok("/route/any-pet/7".into()));
    let post = Req::new("POST", "/dev/pets").body("{}").send(tp.addr).await;
    assert_eq!(post.echo().path(), "/route/post-pets");
    assert_eq!(post.echo().method(), "POST");

    // A resource without the method (and without ANY) answers like an unknown path.
    let reply = Req::new("DELETE", "/dev/pets").send(tp.addr).await;
    assert_missing_authentication_token(&reply);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_unknown_route_is_missing_authentication_token() {
    let (up, _dir, tp) = serve(REST, &[]).await;

    for path in ["/dev/nope", "/dev/pets/1/2/3", "/dev/files", "/dev/Pets"] {
        let reply = Req::get(path).send(tp.addr).await;
        assert_missing_authentication_token(&reply);
        assert_eq!(
            reply.header("content-type"),
            Some("application/json"),
            "{path}"
        );
    }
    assert_eq!(up.requests(), 0, "no unknown route reached the back end");
}

/// REST APIs match the raw path: nothing is percent-decoded (AWS-recorded: `/posts/%40` gives
/// `id=%40`), so `%73pecial` is a `{petId}` and not the literal `special`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_matching_is_case_sensitive_on_the_raw_path() {
    let (_up, _dir, tp) = serve(REST, &[]).await;

    assert_gets(
        &tp,
        &[
            ("/dev/Case", Ok("/route/case")),
            ("/dev/case", Err(403)),
            ("/dev/CASE", Err(403)),
            ("/dev/pets/%73pecial", Ok("/route/get-pet/%73pecial")),
            ("/dev/%70ets", Err(403)),
        ],
    )
    .await;
}

/// HTTP APIs decode the path before matching: `%73pecial` is the literal `special`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_api_matching_is_on_the_decoded_path() {
    let (_up, _dir, tp) = serve(HTTP, &[]).await;

    assert_gets(
        &tp,
        &[
            ("/pets/%73pecial", Ok("/route/get-special")),
            ("/%70ets", Ok("/route/get-pets")),
            ("/Pets/special", Err(404)),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_path_parameters_keep_their_encoding_in_the_uri() {
    let (_up, _dir, tp) = serve(REST, &[]).await;

    assert_gets(
        &tp,
        &[
            ("/dev/pets/a%20b", Ok("/route/get-pet/a%20b")),
            ("/dev/pets/caf%C3%A9", Ok("/route/get-pet/caf%C3%A9")),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_trailing_slash_is_the_same_resource() {
    let (_up, _dir, tp) = serve(REST, &[]).await;

    assert_gets(
        &tp,
        &[
            ("/dev/pets/", Ok("/route/get-pets")),
            ("/dev/pets/9/", Ok("/route/get-pet/9")),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_unknown_stage_is_forbidden() {
    let (_up, _dir, tp) = serve(REST, &[]).await;

    for path in ["/prod/pets", "/pets", "/"] {
        let reply = Req::get(path).send(tp.addr).await;
        support::assert_forbidden(&reply);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_several_stages_with_their_variables() {
    let stages = [
        "--stage",
        "dev",
        "--stage",
        "prod",
        "--stage-var",
        "color=grey",
        "--stage-var",
        "prod:color=red",
    ];
    let (_up, _dir, tp) = serve(REST, &stages).await;

    assert_gets(
        &tp,
        &[
            ("/dev/stagevar", Ok("/route/color/grey")),
            ("/prod/stagevar", Ok("/route/color/red")),
            ("/prod/pets/1", Ok("/route/get-pet/1")),
            ("/test/pets", Err(403)),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_api_route_keys_and_priorities() {
    let (_up, _dir, tp) = serve(HTTP, &[]).await;

    assert_gets(
        &tp,
        &[
            ("/pets", Ok("/route/get-pets")),
            ("/pets/special", Ok("/route/get-special")),
            ("/pets/5", Ok("/route/get-pet/5")),
        ],
    )
    .await;
    assert_eq!(
        reached(&tp, Req::new("PATCH", "/pets/5")).await,
        Ok("/route/any-pet/5".into())
    );
    assert_gets(
        &tp,
        &[
            ("/files/x/y", Ok("/route/files/x/y")),
            ("/pets/a%20b", Ok("/route/get-pet/a%20b")),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_api_unknown_route_trailing_slash_and_case_are_not_found() {
    let (up, _dir, tp) = serve(HTTP, &[]).await;

    for (method, path) in [
        ("GET", "/nope"),
        ("GET", "/pets/special/"),
        ("GET", "/Pets"),
        ("POST", "/pets"),
        ("GET", "/files"),
    ] {
        let reply = Req::new(method, path).send(tp.addr).await;
        assert_eq!(reply.status, 404, "{method} {path}: {reply:?}");
        assert_eq!(
            reply.text(),
            r#"{"message":"Not Found"}"#,
            "{method} {path}"
        );
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert_eq!(
            reply.header(support::ERROR_TYPE),
            None,
            "HTTP APIs send no error type"
        );
        assert!(reply.header("apigw-requestid").is_some(), "{reply:?}");
    }
    assert_eq!(up.requests(), 0);
    // A trailing slash is one more, empty, segment: `{petId}` takes it.
    assert_gets(&tp, &[("/pets/", Ok("/route/get-pet/"))]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_api_default_route_catches_the_rest() {
    let (_up, _dir, tp) = serve(HTTP_DEFAULT, &[]).await;

    assert_gets(
        &tp,
        &[
            ("/pets", Ok("/route/get-pets")),
            ("/pets/", Ok("/route/default")),
        ],
    )
    .await;
    assert_eq!(
        reached(&tp, Req::new("DELETE", "/pets")).await,
        Ok("/route/default".into())
    );
    assert_gets(&tp, &[("/anything/at/all", Ok("/route/default"))]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_api_named_stages_have_a_prefix_and_unknown_stage_is_not_found() {
    let stages = [
        "--stage",
        "beta",
        "--stage",
        "$default",
        "--stage-var",
        "beta:color=green",
        "--stage-var",
        "$default:color=white",
    ];
    let (_up, _dir, tp) = serve(HTTP, &stages).await;

    assert_gets(
        &tp,
        &[
            ("/beta/stagevar", Ok("/route/color/green")),
            ("/stagevar", Ok("/route/color/white")),
            ("/beta/pets/3", Ok("/route/get-pet/3")),
        ],
    )
    .await;
    let reply = Req::get("/gamma/stagevar").send(tp.addr).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.text(), r#"{"message":"Not Found"}"#);
}

/// The id the banner of `tp` prints for the API named `name`.
fn api_id(tp: &Turnpike, name: &str) -> String {
    support::turnpike::api_id(&tp.banner().join("\n"), name)
}

const FIRST: &str = r#"
openapi: 3.0.1
info: { title: First API, version: "1" }
paths:
  /pets:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/api/first/pets" }
"#;

const SECOND: &str = r#"
openapi: 3.0.1
info: { title: Second API, version: "1" }
paths:
  /pets:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/api/second/pets" }
  /only-second:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/api/second/only" }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_apis_selected_by_host_header_restapis_path_or_load_order() {
    let up = Upstream::start().await;
    let dir = support::TempDir::new();
    let first = dir.write("first.yaml", &up.fill(FIRST));
    let second = dir.write("second.yaml", &up.fill(SECOND));
    let tp = Turnpike::serve_args(&[first.to_str().unwrap(), second.to_str().unwrap()]);
    let second_id = api_id(&tp, "Second API");
    let first_id = api_id(&tp, "First API");
    assert_ne!(first_id, second_id);

    // No selector: load order, first API with a matching route.
    assert_gets(
        &tp,
        &[
            ("/dev/pets", Ok("/api/first/pets")),
            ("/dev/only-second", Ok("/api/second/only")),
        ],
    )
    .await;

    // Host header, with or without a port.
    for host in [
        format!("{second_id}.execute-api.localhost"),
        format!("{second_id}.execute-api.localhost:{}", tp.addr.port()),
    ] {
        let req = Req::get("/dev/pets").header("host", &host);
        assert_eq!(
            reached(&tp, req).await,
            Ok("/api/second/pets".into()),
            "{host}"
        );
    }
    let req =
        Req::get("/dev/only-second").header("host", &format!("{first_id}.execute-api.localhost"));
    assert_eq!(
        reached(&tp, req).await,
        Err(403),
        "the Host header restricts to one API"
    );

    // The /restapis/{id}/{stage}/_user_request_/ path form.
    let path = format!("/restapis/{second_id}/dev/_user_request_/pets");
    assert_eq!(get(&tp, &path).await, Ok("/api/second/pets".into()));
    let path = format!("/restapis/{first_id}/dev/_user_request_/pets");
    assert_eq!(get(&tp, &path).await, Ok("/api/first/pets".into()));
}
