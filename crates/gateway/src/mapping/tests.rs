use super::*;
use http::Request;

use crate::context::ClientConnection;

fn ctx() -> RequestContext {
    let (parts, ()) = Request::get("/dev/x").body(()).unwrap().into_parts();
    RequestContext::new(
        &parts,
        ClientConnection {
            peer: "10.0.0.9:1000".parse().unwrap(),
            local: "127.0.0.1:80".parse().unwrap(),
            tls: false,
        },
    )
}

#[test]
fn parses_every_supported_source() {
    assert_eq!(
        ValueSource::parse("'application/json'").unwrap(),
        ValueSource::Literal("application/json".into())
    );
    assert_eq!(
        ValueSource::parse("''").unwrap(),
        ValueSource::Literal("".into())
    );
    assert_eq!(
        ValueSource::parse("method.request.header.X-User").unwrap(),
        ValueSource::RequestHeader(HeaderName::from_static("x-user"))
    );
    assert_eq!(
        ValueSource::parse("method.request.querystring.q").unwrap(),
        ValueSource::RequestQuery("q".into())
    );
    assert_eq!(
        ValueSource::parse("method.request.path.petId").unwrap(),
        ValueSource::RequestPath("petId".into())
    );
    assert_eq!(
        ValueSource::parse("stageVariables.host").unwrap(),
        ValueSource::StageVariable("host".into())
    );
    assert_eq!(
        ValueSource::parse("context.requestId").unwrap(),
        ValueSource::Context("requestId".into())
    );
    assert_eq!(
        ValueSource::parse("integration.response.header.Location").unwrap(),
        ValueSource::IntegrationResponseHeader(HeaderName::from_static("location"))
    );
    let err = ValueSource::parse("method.request.bodies").unwrap_err();
    assert!(err.starts_with("unsupported mapping source \"method.request.bodies\""));
    assert!(ValueSource::parse("method.request.path.").is_err());
}

#[test]
fn resolves_against_the_request() {
    let mut headers = HeaderMap::new();
    headers.append("x-user", "first".parse().unwrap());
    headers.append("x-user", "last".parse().unwrap());
    let request = MethodRequest {
        headers: &headers,
        query: Some("q=a%20b&other=1&q=c%2Fd&flag"),
        path_params: None,
    };
    let ctx = ctx();
    let resolve = |e: &str| {
        ValueSource::parse(e)
            .unwrap()
            .resolve(&request, &ctx, None)
            .map(Cow::into_owned)
    };
    assert_eq!(
        resolve("method.request.header.X-USER").as_deref(),
        Some("last")
    );
    assert_eq!(
        resolve("method.request.querystring.q").as_deref(),
        Some("c/d")
    );
    assert_eq!(
        resolve("method.request.querystring.flag").as_deref(),
        Some("")
    );
    assert_eq!(resolve("method.request.querystring.none"), None);
    assert_eq!(resolve("method.request.path.id"), None);
    assert_eq!(resolve("'lit'").as_deref(), Some("lit"));
    assert_eq!(resolve("context.httpMethod").as_deref(), Some("GET"));
    assert_eq!(resolve("stageVariables.x"), None);
    assert_eq!(resolve("integration.response.header.x"), None);

    let mut upstream = HeaderMap::new();
    upstream.insert("location", "/pets/1".parse().unwrap());
    let source = ValueSource::parse("integration.response.header.Location").unwrap();
    assert_eq!(
        source.resolve(&request, &ctx, Some(&upstream)).as_deref(),
        Some("/pets/1")
    );
}

#[test]
fn parses_targets() {
    assert_eq!(
        RequestTarget::parse("integration.request.header.X-Api").unwrap(),
        RequestTarget::Header(HeaderName::from_static("x-api"))
    );
    assert_eq!(
        RequestTarget::parse("integration.request.querystring.page").unwrap(),
        RequestTarget::Query("page".into())
    );
    assert_eq!(
        RequestTarget::parse("integration.request.path.proxy").unwrap(),
        RequestTarget::Path("proxy".into())
    );
    assert!(RequestTarget::parse("integration.request.body").is_err());
    assert_eq!(
        header_target(
            "gatewayresponse.header.Access-Control-Allow-Origin",
            "gatewayresponse.header."
        )
        .unwrap(),
        HeaderName::from_static("access-control-allow-origin")
    );
    assert!(header_target("method.response.header.X", "gatewayresponse.header.").is_err());
}

#[test]
fn resolves_bodies_and_multiple_values() {
    let mut headers = HeaderMap::new();
    headers.append("x-tag", "a".parse().unwrap());
    headers.append("x-tag", "b".parse().unwrap());
    let request = MethodRequest {
        headers: &headers,
        query: Some("id=1&x=2&id=3"),
        path_params: None,
    };
    let ctx = ctx();
    let body = r#"{"pet":{"name":"Rex","tags":["x"],"age":3}}"#;
    let bodies = Bodies {
        request: Some(body),
        integration: Some(r#"{"id":"p-9"}"#),
    };
    let resolve = |e: &str| {
        ValueSource::parse(e)
            .unwrap()
            .resolve_in(&request, &ctx, None, bodies)
            .map(Cow::into_owned)
    };
    assert_eq!(
        resolve("method.request.multivalueheader.X-Tag").as_deref(),
        Some("a,b")
    );
    assert_eq!(
        resolve("method.request.multivaluequerystring.id").as_deref(),
        Some("1,3")
    );
    assert_eq!(resolve("method.request.multivaluequerystring.no"), None);
    assert_eq!(resolve("method.request.body").as_deref(), Some(body));
    assert_eq!(
        resolve("method.request.body.pet.name").as_deref(),
        Some("Rex")
    );
    assert_eq!(resolve("method.request.body.pet.age").as_deref(), Some("3"));
    assert_eq!(
        resolve("method.request.body.pet.tags").as_deref(),
        Some(r#"["x"]"#)
    );
    assert_eq!(resolve("method.request.body.pet.none"), None);
    assert_eq!(
        resolve("integration.response.body").as_deref(),
        Some(r#"{"id":"p-9"}"#)
    );
    assert_eq!(
        resolve("integration.response.body.id").as_deref(),
        Some("p-9")
    );
    // Without the bodies, body sources have no value.
    let source = ValueSource::parse("method.request.body.pet.name").unwrap();
    assert_eq!(source.resolve(&request, &ctx, None), None);
    assert!(source.reads_request_body());
    assert!(ValueSource::parse("method.request.body.a'b").is_err());
    assert_eq!(
        ValueSource::parse("integration.response.body[0].id")
            .unwrap()
            .resolve_in(
                &request,
                &ctx,
                None,
                Bodies {
                    request: None,
                    integration: Some(r#"[{"id": 5}]"#)
                }
            )
            .as_deref(),
        Some("5")
    );
}
