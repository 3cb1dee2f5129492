use super::*;
use http::Request;

use crate::test_support::{api, context_for, proxy_route};

fn client_request(kind_path: &str) -> Request<()> {
    Request::post(kind_path)
        .header("host", "gateway.example.com:8080")
        .header("connection", "keep-alive, x-private")
        .header("x-private", "secret")
        .header("keep-alive", "timeout=5")
        .header("te", "trailers")
        .header("transfer-encoding", "chunked")
        .header("upgrade", "h2c")
        .header("expect", "100-continue")
        .header("max-forwards", "3")
        .header("x-forwarded-for", "198.51.100.1")
        .header("x-forwarded-for", "198.51.100.2")
        .header("x-forwarded-proto", "https")
        .header("x-amzn-trace-id", "Root=spoofed")
        .header("content-type", "application/json")
        .header("authorization", "Bearer t")
        .header("user-agent", "curl/8")
        .header("content-length", "12")
        .body(())
        .unwrap()
}

fn sorted(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut pairs: Vec<_> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
        .collect();
    pairs.sort();
    pairs
}

#[test]
fn rest_proxies_forward_end_to_end_headers_and_add_x_forwarded() {
    let request = client_request("/dev/x");
    let client = request.headers().clone();
    let ctx = context_for(
        request,
        vec![api(
            "Rest",
            ApiKind::Rest,
            vec![proxy_route("POST", "/x", "http://b/")],
        )],
    );
    let headers = proxy_headers(&client, &ctx);
    let api_id = turnpike_model::api_id_from_title("Rest");
    let expected: Vec<(String, String)> = [
        ("authorization", "Bearer t"),
        ("content-length", "12"),
        ("content-type", "application/json"),
        ("user-agent", "curl/8"),
        ("x-amzn-apigateway-api-id", api_id.as_str()),
        ("x-amzn-trace-id", ctx.trace_id.as_str()),
        ("x-forwarded-for", "198.51.100.1, 198.51.100.2, 10.1.2.3"),
        ("x-forwarded-port", "8080"),
        ("x-forwarded-proto", "http"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(sorted(&headers), expected);
}

#[test]
fn http_api_proxies_send_a_forwarded_header() {
    let request = client_request("/x");
    let client = request.headers().clone();
    let ctx = context_for(
        request,
        vec![api(
            "Http",
            ApiKind::Http,
            vec![proxy_route("POST", "/x", "http://b/")],
        )],
    );
    let headers = proxy_headers(&client, &ctx);
    assert_eq!(
        headers["forwarded"],
        "for=198.51.100.1, for=198.51.100.2, by=127.0.0.1;for=10.1.2.3;host=gateway.example.com;proto=http"
    );
    assert!(headers.get("x-forwarded-for").is_none());
    assert!(headers.get("x-forwarded-proto").is_none());
    assert!(headers.get("x-amzn-apigateway-api-id").is_none());
    assert_eq!(headers["x-amzn-trace-id"], ctx.trace_id.as_str());
    assert_eq!(headers["authorization"], "Bearer t");
}

#[test]
fn non_proxy_integrations_send_no_client_headers() {
    let request = client_request("/dev/x");
    let client = request.headers().clone();
    let ctx = context_for(
        request,
        vec![api(
            "Rest",
            ApiKind::Rest,
            vec![proxy_route("POST", "/x", "http://b/")],
        )],
    );
    let headers = integration_headers(&client, &ctx);
    let names: Vec<&str> = headers.keys().map(|k| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "accept",
            "user-agent",
            "x-forwarded-for",
            "x-forwarded-port",
            "x-forwarded-proto",
            "x-amzn-apigateway-api-id",
            "x-amzn-trace-id"
        ]
    );
    assert_eq!(
        headers["user-agent"],
        format!(
            "AmazonAPIGateway_{}",
            turnpike_model::api_id_from_title("Rest")
        )
        .as_str()
    );
    assert_eq!(headers["accept"], "application/json");
}

#[test]
fn ipv6_nodes_are_quoted() {
    assert_eq!(node("2001:db8::1".parse().unwrap()), "\"[2001:db8::1]\"");
    assert_eq!(node("192.0.2.1".parse().unwrap()), "192.0.2.1");
    assert_eq!(quoted_host("[::1]"), "\"[::1]\"");
}
