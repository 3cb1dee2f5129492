//! Events built from requests, key for key.

use std::collections::BTreeMap;
use std::sync::Arc;

use http::Request;
use serde_json::{json, Value};
use turnpike_model::{Api, ApiKind, PayloadFormatVersion};

use super::lambda;
use crate::context::RequestContext;
use crate::integrate::lambda::LambdaIntegration;
use crate::router::PathParams;
use crate::snapshot::StageInfo;
use crate::test_support::{api, context_for, keys, route};

/// The event `api`'s first route sends for `request` on `stage`, with the request's context.
fn event_for(
    api: Api,
    stage: (&str, &[(&str, &str)]),
    request: Request<()>,
    params: &[(&str, &str)],
    body: &[u8],
) -> (Value, RequestContext) {
    let mut problems = Vec::new();
    let integration = LambdaIntegration::compile(&api.routes[0].integration, &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
    let (parts, ()) = request.into_parts();
    let mut ctx = context_for(Request::from_parts(parts.clone(), ()), vec![api]);
    ctx.stage = Some(Arc::new(StageInfo {
        name: stage.0.into(),
        variables: stage
            .1
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
    }));
    let params: PathParams = params.iter().copied().collect();
    let kind = ctx.api_kind();
    let event = integration.event(kind, &ctx, &parts, Some(&params), body);
    (event, ctx)
}

fn context(ctx: &RequestContext, name: &str) -> String {
    ctx.lookup(name).unwrap().into_owned()
}

fn resource_id(ctx: &RequestContext) -> String {
    ctx.api.as_ref().unwrap().routes[0].resource_id.clone()
}

fn rest_request() -> Request<()> {
    Request::post("/dev/pets/7?tag=a&tag=b&q=x+y%21&flag")
        .header("host", "abc123.execute-api.localhost:8080")
        .header("user-agent", "test-agent/1.0")
        .header("content-type", "application/json")
        .header("content-length", "11")
        .header("x-multi", "one")
        .header("x-multi", "two")
        .header("x-forwarded-for", "203.0.113.9")
        .header("connection", "keep-alive")
        .header("cookie", "a=1; b=2")
        .body(())
        .unwrap()
}

#[test]
fn rest_events_are_payload_1_0_key_for_key() {
    let pets = api(
        "Pets",
        ApiKind::Rest,
        vec![route(
            "POST",
            "/pets/{petId}",
            lambda("echo", PayloadFormatVersion::V1),
        )],
    );
    let (event, ctx) = event_for(
        pets,
        ("dev", &[("region", "eu"), ("fn", "echo")]),
        rest_request(),
        &[("petId", "7")],
        br#"{"pet":"x"}"#,
    );
    let expected = json!({
        "resource": "/pets/{petId}",
        "path": "/pets/7",
        "httpMethod": "POST",
        "headers": {
            "content-type": "application/json",
            "cookie": "a=1; b=2",
            "host": "abc123.execute-api.localhost:8080",
            "user-agent": "test-agent/1.0",
            "x-amzn-trace-id": ctx.trace_id,
            "x-forwarded-for": "203.0.113.9, 10.1.2.3",
            "x-forwarded-port": "8080",
            "x-forwarded-proto": "http",
            "x-multi": "two",
        },
        "multiValueHeaders": {
            "content-type": ["application/json"],
            "cookie": ["a=1; b=2"],
            "host": ["abc123.execute-api.localhost:8080"],
            "user-agent": ["test-agent/1.0"],
            "x-amzn-trace-id": [ctx.trace_id],
            "x-forwarded-for": ["203.0.113.9, 10.1.2.3"],
            "x-forwarded-port": ["8080"],
            "x-forwarded-proto": ["http"],
            "x-multi": ["one", "two"],
        },
        "queryStringParameters": {"flag": "", "q": "x y!", "tag": "b"},
        "multiValueQueryStringParameters": {"flag": [""], "q": ["x y!"], "tag": ["a", "b"]},
        "pathParameters": {"petId": "7"},
        "stageVariables": {"fn": "echo", "region": "eu"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": turnpike_model::api_id_from_title("Pets"),
            "domainName": "abc123.execute-api.localhost",
            "domainPrefix": "abc123",
            "extendedRequestId": ctx.extended_request_id,
            "httpMethod": "POST",
            "identity": {
                "accessKey": null,
                "accountId": null,
                "caller": null,
                "cognitoAuthenticationProvider": null,
                "cognitoAuthenticationType": null,
                "cognitoIdentityId": null,
                "cognitoIdentityPoolId": null,
                "principalOrgId": null,
                "sourceIp": "10.1.2.3",
                "user": null,
                "userAgent": "test-agent/1.0",
                "userArn": null,
            },
            "path": "/dev/pets/7",
            "protocol": "HTTP/1.1",
            "requestId": ctx.request_id(),
            "requestTime": context(&ctx, "requestTime"),
            "requestTimeEpoch": ctx.request_time_epoch,
            "resourceId": resource_id(&ctx),
            "resourcePath": "/pets/{petId}",
            "stage": "dev",
        },
        "body": "{\"pet\":\"x\"}",
        "isBase64Encoded": false,
    });
    assert_eq!(event, expected);
    assert_eq!(
        keys(&event),
        [
            "resource",
            "path",
            "httpMethod",
            "headers",
            "multiValueHeaders",
            "queryStringParameters",
            "multiValueQueryStringParameters",
            "pathParameters",
            "stageVariables",
            "requestContext",
            "body",
            "isBase64Encoded",
        ]
    );
    assert_eq!(
        keys(&event["requestContext"]),
        keys(&expected["requestContext"])
    );
    assert_eq!(
        keys(&event["requestContext"]["identity"]),
        keys(&expected["requestContext"]["identity"])
    );
    assert!(ctx.trace_id.starts_with("Root=1-"));
    assert!(crate::ids::is_uuid(ctx.request_id()));
}

#[test]
fn absent_maps_are_null_in_payload_1_0() {
    let pets = api(
        "Pets",
        ApiKind::Rest,
        vec![route(
            "GET",
            "/pets",
            lambda("echo", PayloadFormatVersion::V1),
        )],
    );
    let request = Request::get("/dev/pets").body(()).unwrap();
    let (event, ctx) = event_for(pets, ("dev", &[]), request, &[], b"");
    for key in [
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "pathParameters",
        "stageVariables",
        "body",
    ] {
        assert_eq!(event[key], Value::Null, "{key}");
    }
    assert_eq!(event["isBase64Encoded"], false);
    assert_eq!(event["path"], "/pets");
    assert_eq!(
        event["requestContext"]["identity"]["userAgent"],
        Value::Null
    );
    // No Host header: the domain is the gateway's address.
    assert_eq!(event["requestContext"]["domainName"], "127.0.0.1");
    assert_eq!(event["requestContext"]["requestId"], ctx.request_id());
}

#[test]
fn rest_bodies_are_base64_for_binary_media_types() {
    let mut images = api(
        "Images",
        ApiKind::Rest,
        vec![route(
            "POST",
            "/img",
            lambda("echo", PayloadFormatVersion::V1),
        )],
    );
    images.binary_media_types = vec!["image/*".into()];
    let post = |content_type: &str| {
        Request::post("/v1/img")
            .header("content-type", content_type)
            .body(())
            .unwrap()
    };
    let (event, _) = event_for(
        images.clone(),
        ("v1", &[]),
        post("image/png"),
        &[],
        b"\x89PNG",
    );
    assert_eq!(
        (&event["body"], &event["isBase64Encoded"]),
        (&json!("iVBORw=="), &json!(true))
    );
    let (event, _) = event_for(
        images.clone(),
        ("v1", &[]),
        post("text/plain"),
        &[],
        b"plain",
    );
    assert_eq!(
        (&event["body"], &event["isBase64Encoded"]),
        (&json!("plain"), &json!(false))
    );
    // Not UTF-8 and not binary: still base64, as JSON cannot carry it.
    let (event, _) = event_for(images, ("v1", &[]), post("text/plain"), &[], &[0xff, 0xfe]);
    assert_eq!(
        (&event["body"], &event["isBase64Encoded"]),
        (&json!("//4="), &json!(true))
    );
}

#[test]
fn http_api_payload_1_0_has_a_version_and_keeps_the_stage_in_path() {
    let items = api(
        "Items",
        ApiKind::Http,
        vec![route(
            "GET",
            "/items/{id}",
            lambda("echo", PayloadFormatVersion::V1),
        )],
    );
    let request = Request::get("/prod/items/42")
        .header("content-length", "0")
        .header("user-agent", "curl/8.5.0")
        .body(())
        .unwrap();
    let (event, ctx) = event_for(items, ("prod", &[]), request, &[("id", "42")], b"");
    assert_eq!(
        keys(&event),
        [
            "version",
            "resource",
            "path",
            "httpMethod",
            "headers",
            "multiValueHeaders",
            "queryStringParameters",
            "multiValueQueryStringParameters",
            "requestContext",
            "pathParameters",
            "stageVariables",
            "body",
            "isBase64Encoded",
        ]
    );
    assert_eq!(event["version"], "1.0");
    assert_eq!(event["path"], "/prod/items/42");
    assert_eq!(event["headers"]["content-length"], "0");
    assert_eq!(event["pathParameters"], json!({"id": "42"}));
    let request_context = &event["requestContext"];
    assert_eq!(request_context["path"], "/prod/items/42");
    assert_eq!(request_context["resourceId"], Value::Null);
    assert_eq!(request_context["resourcePath"], "/items/{id}");
    assert_eq!(request_context["stage"], "prod");
    // HTTP APIs' request id is the short extended one.
    assert_eq!(request_context["requestId"], ctx.extended_request_id);
    assert_eq!(
        request_context["extendedRequestId"],
        ctx.extended_request_id
    );
}

#[test]
fn http_api_events_are_payload_2_0_key_for_key() {
    let items = api(
        "Items",
        ApiKind::Http,
        vec![route(
            "POST",
            "/items/{id}",
            lambda("echo", PayloadFormatVersion::V2),
        )],
    );
    let request = Request::post("/prod/items/42?a=1&a=2&b=x%20y")
        .header("host", "items.example.com")
        .header("user-agent", "test-agent/2.0")
        .header("content-type", "application/octet-stream")
        .header("content-length", "4")
        .header("cookie", "s=1; t=2")
        .header("cookie", "u=3")
        .header("x-multi", "one")
        .header("x-multi", "two")
        .body(())
        .unwrap();
    let (event, ctx) = event_for(
        items,
        ("prod", &[("color", "blue")]),
        request,
        &[("id", "42")],
        &[0, 1, 2, 255],
    );
    let expected = json!({
        "version": "2.0",
        "routeKey": "POST /items/{id}",
        "rawPath": "/prod/items/42",
        "rawQueryString": "a=1&a=2&b=x%20y",
        "cookies": ["s=1", "t=2", "u=3"],
        "headers": {
            "content-length": "4",
            "content-type": "application/octet-stream",
            "host": "items.example.com",
            "user-agent": "test-agent/2.0",
            "x-amzn-trace-id": ctx.trace_id,
            "x-forwarded-for": "10.1.2.3",
            "x-forwarded-port": "8080",
            "x-forwarded-proto": "http",
            "x-multi": "one,two",
        },
        "queryStringParameters": {"a": "1,2", "b": "x y"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": turnpike_model::api_id_from_title("Items"),
            "domainName": "items.example.com",
            "domainPrefix": "items",
            "http": {
                "method": "POST",
                "path": "/prod/items/42",
                "protocol": "HTTP/1.1",
                "sourceIp": "10.1.2.3",
                "userAgent": "test-agent/2.0",
            },
            "requestId": ctx.extended_request_id,
            "routeKey": "POST /items/{id}",
            "stage": "prod",
            "time": context(&ctx, "requestTime"),
            "timeEpoch": ctx.request_time_epoch,
        },
        "body": "AAEC/w==",
        "pathParameters": {"id": "42"},
        "isBase64Encoded": true,
        "stageVariables": {"color": "blue"},
    });
    assert_eq!(event, expected);
    assert_eq!(keys(&event), keys(&expected));
    assert_eq!(
        keys(&event["requestContext"]),
        keys(&expected["requestContext"])
    );
    assert_eq!(
        keys(&event["requestContext"]["http"]),
        keys(&expected["requestContext"]["http"])
    );
}

#[test]
fn payload_2_0_leaves_out_what_the_request_lacks() {
    let root = api(
        "Root",
        ApiKind::Http,
        vec![route(
            "$default",
            "",
            lambda("echo", PayloadFormatVersion::V2),
        )],
    );
    let request = Request::get("/").body(()).unwrap();
    let (event, ctx) = event_for(root, ("$default", &[]), request, &[], b"");
    assert_eq!(
        keys(&event),
        [
            "version",
            "routeKey",
            "rawPath",
            "rawQueryString",
            "headers",
            "requestContext",
            "isBase64Encoded",
        ]
    );
    assert_eq!(event["routeKey"], "$default");
    assert_eq!(event["rawQueryString"], "");
    assert_eq!(event["requestContext"]["routeKey"], "$default");
    assert_eq!(event["requestContext"]["stage"], "$default");
    assert_eq!(event["requestContext"]["http"]["userAgent"], "");
    assert_eq!(
        event["requestContext"]["requestId"],
        ctx.extended_request_id
    );
    assert_eq!(
        event["headers"],
        json!({
            "x-amzn-trace-id": ctx.trace_id,
            "x-forwarded-for": "10.1.2.3",
            "x-forwarded-port": "8080",
            "x-forwarded-proto": "http",
        })
    );
}

/// `overwrite:path` changes `rawPath` only, to the mapped path as the HTTP_PROXY target would
/// send it (`/`-led, percent-encoded); the routing facts stay the client's.
#[test]
fn payload_2_0_raw_path_is_the_mapped_path() {
    use crate::mapping::http_api::OverwritePath;

    let items = || {
        api(
            "Items",
            ApiKind::Http,
            vec![route(
                "GET",
                "/items/{id}",
                lambda("echo", PayloadFormatVersion::V2),
            )],
        )
    };
    let request = |mapped: &str| {
        let mut request = Request::get("/prod/items/42?a=1").body(()).unwrap();
        request
            .extensions_mut()
            .insert(OverwritePath(mapped.into()));
        request
    };
    let (event, _) = event_for(
        items(),
        ("prod", &[]),
        request("/v2/items/42"),
        &[("id", "42")],
        b"",
    );
    assert_eq!(event["rawPath"], "/v2/items/42");
    assert_eq!(event["routeKey"], "GET /items/{id}");
    assert_eq!(event["rawQueryString"], "a=1");
    assert_eq!(event["pathParameters"], json!({"id": "42"}));
    assert_eq!(event["requestContext"]["http"]["path"], "/prod/items/42");
    assert_eq!(event["requestContext"]["routeKey"], "GET /items/{id}");
    assert_eq!(event["requestContext"]["stage"], "prod");

    // A mapped path without a leading `/`, with characters a path cannot hold as they are.
    let (event, _) = event_for(
        items(),
        ("prod", &[]),
        request("a b/42"),
        &[("id", "42")],
        b"",
    );
    assert_eq!(event["rawPath"], "/a%20b/42");
    assert_eq!(event["requestContext"]["http"]["path"], "/prod/items/42");
}

/// Payload 1.0 does not support path mapping for Lambda: the event keeps the client's path.
#[test]
fn payload_1_0_ignores_the_mapped_path() {
    let items = api(
        "Items",
        ApiKind::Http,
        vec![route(
            "GET",
            "/items/{id}",
            lambda("echo", PayloadFormatVersion::V1),
        )],
    );
    let mut request = Request::get("/prod/items/42").body(()).unwrap();
    request
        .extensions_mut()
        .insert(crate::mapping::http_api::OverwritePath(
            "/v2/items/42".into(),
        ));
    let (event, _) = event_for(items, ("prod", &[]), request, &[("id", "42")], b"");
    assert_eq!(event["path"], "/prod/items/42");
    assert_eq!(event["requestContext"]["path"], "/prod/items/42");
}

#[test]
fn http_api_bodies_are_text_only_for_text_types() {
    let items = api(
        "Items",
        ApiKind::Http,
        vec![route(
            "POST",
            "/f",
            lambda("echo", PayloadFormatVersion::V2),
        )],
    );
    let post = |content_type: Option<&str>| {
        let mut request = Request::post("/f");
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        request.body(()).unwrap()
    };
    for (content_type, body, base64) in [
        (Some("application/json"), "{\"a\":1}", false),
        (Some("text/csv"), "a,b", false),
        (Some("application/x-www-form-urlencoded"), "YT0x", true),
        (None, "YT0x", true),
    ] {
        let sent: &[u8] = if base64 { b"a=1" } else { body.as_bytes() };
        let (event, _) = event_for(
            items.clone(),
            ("$default", &[]),
            post(content_type),
            &[],
            sent,
        );
        assert_eq!(event["body"], body, "{content_type:?}");
        assert_eq!(event["isBase64Encoded"], base64, "{content_type:?}");
    }
}

#[test]
fn the_restapis_path_form_gives_the_same_paths() {
    let pets = api(
        "Pets",
        ApiKind::Rest,
        vec![route(
            "GET",
            "/pets",
            lambda("echo", PayloadFormatVersion::V1),
        )],
    );
    let id = turnpike_model::api_id_from_title("Pets");
    let request = Request::get(format!("/restapis/{id}/dev/_user_request_/pets"))
        .body(())
        .unwrap();
    let (event, _) = event_for(pets.clone(), ("dev", &[]), request, &[], b"");
    assert_eq!(event["path"], "/pets");
    assert_eq!(event["requestContext"]["path"], "/dev/pets");
    let request = Request::get("/dev").body(()).unwrap();
    let (event, _) = event_for(pets, ("dev", &[]), request, &[], b"");
    assert_eq!(event["path"], "/");
    assert_eq!(event["requestContext"]["path"], "/dev");
}

#[test]
fn payload_1_0_identity_names_the_sigv4_caller_of_an_iam_route() {
    let pets = api(
        "Pets",
        ApiKind::Rest,
        vec![route(
            "GET",
            "/pets",
            lambda("echo", PayloadFormatVersion::V1),
        )],
    );
    let mut problems = Vec::new();
    let integration = LambdaIntegration::compile(&pets.routes[0].integration, &mut problems);
    let (parts, ()) = Request::get("/dev/pets").body(()).unwrap().into_parts();
    let mut ctx = context_for(Request::from_parts(parts.clone(), ()), vec![pets]);
    ctx.identity = Some(Arc::new(crate::authorize::sigv4::CallerIdentity {
        access_key: "AKIDEXAMPLE".into(),
        account_id: "123456789012".into(),
        caller: "AKIDEXAMPLE".into(),
        user: "AKIDEXAMPLE".into(),
        user_arn: "arn:aws:iam::123456789012:user/default".into(),
    }));
    let event = integration.event(ApiKind::Rest, &ctx, &parts, None, b"");
    let identity = &event["requestContext"]["identity"];
    assert_eq!(identity["accessKey"], "AKIDEXAMPLE");
    assert_eq!(identity["accountId"], "123456789012");
    assert_eq!(identity["caller"], "AKIDEXAMPLE");
    assert_eq!(identity["user"], "AKIDEXAMPLE");
    assert_eq!(
        identity["userArn"],
        "arn:aws:iam::123456789012:user/default"
    );
    assert_eq!(identity["cognitoIdentityId"], Value::Null);
}
