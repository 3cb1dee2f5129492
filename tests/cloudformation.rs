//! APIs written as plain CloudFormation resources, as `cdk synth` writes them, served by the real
//! binary: `examples/cloudformation/rest.yaml` (`AWS::ApiGateway::RestApi`, `Resource`, `Method`,
//! `Deployment`, `Stage`) and `examples/cloudformation/http.yaml` (`AWS::ApiGatewayV2::Api`,
//! `Integration`, `Route`, a JWT `Authorizer`, an auto-deployed `$default` `Stage`), with their
//! Python functions.

use crate::support;

use serde_json::json;
use support::sam::repo;
use support::{assert_gateway_response, Req, Turnpike};

fn serve_example(name: &str) -> Turnpike {
    let template = repo().join("examples/cloudformation").join(name);
    Turnpike::serve_args(&[template.to_str().unwrap()])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cdk_style_rest_api_serves_its_methods_on_its_stage() {
    let tp = serve_example("rest.yaml");

    // The MOCK method under /health, with its integration response's header and template.
    let reply = Req::get("/prod/health").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.json(), json!({"status": "ok", "stage": "prod"}));

    // ANY on the root and on {proxy+}: the Lambda proxy function.
    for (method, path, seen) in [
        ("GET", "/prod/", "/"),
        ("POST", "/prod/any/path", "/any/path"),
        ("DELETE", "/prod/health/more", "/health/more"),
    ] {
        let reply = Req::new(method, path).send(tp.addr).await;
        assert_eq!(reply.status, 200, "{method} {path}: {reply:?}");
        assert_eq!(
            reply.json(),
            json!({
                "message": "hello from a CloudFormation REST API",
                "method": method,
                "path": seen,
                "stage": "prod",
            })
        );
    }

    // /health has GET only: another method falls through to the greedy {proxy+}, as on AWS.
    let reply = Req::new("PUT", "/prod/health").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json()["path"], "/health");

    // Deployed to `prod` only.
    let reply = Req::get("/dev/health").send(tp.addr).await;
    assert_gateway_response(
        &reply,
        403,
        r#"{"message":"Forbidden"}"#,
        Some("ForbiddenException"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cdk_style_http_api_serves_its_routes_behind_its_authorizer() {
    let tp = serve_example("http.yaml");

    // `$default` stage, no prefix; `$default` route for anything without its own route.
    let reply = Req::get("/anything/at/all").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json(), json!({"routeKey": "$default", "id": null}));

    // GET /items/{id} sits behind the JWT authorizer: no token, 401 and the Bearer challenge.
    let reply = Req::get("/items/7").send(tp.addr).await;
    assert_eq!(reply.status, 401, "{reply:?}");
    assert_eq!(reply.text(), r#"{"message":"Unauthorized"}"#);
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));

    // With a `$default` route, a preflight is a request like any other: AWS forwards OPTIONS to
    // the catch-all route's integration and adds the API's CORS headers to its answer.
    let reply = Req::new("OPTIONS", "/items/7")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "GET")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json(), json!({"routeKey": "$default", "id": null}));
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
}
