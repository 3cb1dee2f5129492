use super::*;
use http::Request;
use turnpike_model::ApiKind;

use crate::test_support::{api, context_for, proxy_route};

fn backend_response() -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::full("hi"));
    let headers = response.headers_mut();
    for (name, value) in [
        ("connection", "keep-alive, x-private"),
        ("keep-alive", "timeout=5"),
        ("x-private", "1"),
        ("transfer-encoding", "chunked"),
        ("content-length", "2"),
        ("date", "Wed, 25 Nov 2026 17:00:00 GMT"),
        ("server", "nginx"),
        ("x-amzn-requestid", "backend-id"),
        ("content-type", "text/plain"),
        ("x-custom", "a"),
    ] {
        headers.append(name, value.parse().unwrap());
    }
    response
}

fn names(response: &Response<ResponseBody>) -> Vec<&str> {
    let mut names: Vec<&str> = response.headers().keys().map(|k| k.as_str()).collect();
    names.sort_unstable();
    names
}

#[test]
fn rest_proxy_responses_remap_what_api_gateway_owns() {
    let mut ctx = context_for(
        Request::get("/dev/x").body(()).unwrap(),
        vec![api(
            "R",
            ApiKind::Rest,
            vec![proxy_route("GET", "/x", "http://b/")],
        )],
    );
    let mut response = backend_response();
    finish(&mut response, &mut ctx, Some(IntegrationType::HttpProxy));
    let h = response.headers();
    assert_eq!(h["x-amzn-remapped-connection"], "keep-alive, x-private");
    assert_eq!(h["x-amzn-remapped-content-length"], "2");
    assert_eq!(h["x-amzn-remapped-date"], "Wed, 25 Nov 2026 17:00:00 GMT");
    assert_eq!(h["x-amzn-remapped-server"], "nginx");
    assert_eq!(h["x-amzn-remapped-x-amzn-requestid"], "backend-id");
    assert_eq!(h["x-amzn-requestid"], ctx.request_id());
    assert_eq!(h["x-amz-apigw-id"], ctx.extended_request_id.as_str());
    assert_eq!(
        names(&response),
        [
            "content-type",
            "x-amz-apigw-id",
            "x-amzn-remapped-connection",
            "x-amzn-remapped-content-length",
            "x-amzn-remapped-date",
            "x-amzn-remapped-server",
            "x-amzn-remapped-x-amzn-requestid",
            "x-amzn-requestid",
            "x-custom",
        ]
    );
    assert_eq!(ctx.status, Some(200));
}

#[test]
fn http_api_proxy_responses_lose_only_hop_by_hop_headers() {
    let mut ctx = context_for(
        Request::get("/x").body(()).unwrap(),
        vec![api(
            "H",
            ApiKind::Http,
            vec![proxy_route("GET", "/x", "http://b/")],
        )],
    );
    let mut response = backend_response();
    finish(&mut response, &mut ctx, Some(IntegrationType::HttpProxy));
    assert_eq!(
        names(&response),
        [
            "apigw-requestid",
            "content-length",
            "content-type",
            "date",
            "server",
            "x-amzn-requestid",
            "x-custom"
        ]
    );
    assert_eq!(response.headers()["apigw-requestid"], ctx.request_id());
    assert_eq!(ctx.request_id(), ctx.extended_request_id);
    assert_eq!(response.headers()["x-amzn-requestid"], "backend-id");
}

#[test]
fn gateway_responses_and_non_proxy_integrations_get_the_request_ids() {
    let apis = || {
        vec![api(
            "R",
            ApiKind::Rest,
            vec![proxy_route("GET", "/x", "http://b/")],
        )]
    };
    let mut ctx = context_for(Request::get("/dev/x").body(()).unwrap(), apis());
    let mut response = Response::new(ResponseBody::empty());
    *response.status_mut() = http::StatusCode::FORBIDDEN;
    finish(&mut response, &mut ctx, None);
    assert_eq!(names(&response), ["x-amz-apigw-id", "x-amzn-requestid"]);
    assert_eq!(ctx.status, Some(403));

    let mut ctx = context_for(Request::get("/dev/x").body(()).unwrap(), apis());
    let mut response = Response::new(ResponseBody::empty());
    response
        .headers_mut()
        .insert("date", "mapped".parse().unwrap());
    finish(&mut response, &mut ctx, Some(IntegrationType::Mock));
    assert_eq!(
        names(&response),
        [
            "x-amz-apigw-id",
            "x-amzn-remapped-date",
            "x-amzn-requestid",
            "x-amzn-trace-id"
        ]
    );
    assert_eq!(response.headers()["x-amzn-trace-id"], ctx.trace_id.as_str());

    let mut ctx = context_for(Request::get("/dev/x").body(()).unwrap(), apis());
    let mut response = Response::new(ResponseBody::empty());
    response
        .headers_mut()
        .insert("user-agent", "mapped".parse().unwrap());
    finish(&mut response, &mut ctx, Some(IntegrationType::Http));
    assert_eq!(response.headers()["x-amzn-remapped-user-agent"], "mapped");
}
