use std::sync::Arc;

use http::Request;
use serde_json::{json, Map, Value};
use turnpike_model::{ApiKind, PolicyDocument};

use crate::authorize::lambda::answer::{parse, Answer};
use crate::authorize::lambda::event;
use crate::authorize::method_arn::{masked, method_arn};
use crate::authorize::{
    event_authorizer_v1, event_authorizer_v2, AuthorizerContext, AuthorizerSource,
};
use crate::context::RequestContext;
use crate::integrate::lambda::body::EventBody;
use crate::integrate::lambda::request::ProxyRequest;
use crate::router::PathParams;
use crate::test_support::{api, context_for, keys, mock_route};

fn ctx(kind: ApiKind, route: &str, path: &str) -> (RequestContext, http::request::Parts) {
    let (method, template) = route.split_once(' ').unwrap();
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "abc.example")
        .header("authorization", "Bearer t")
        .header("x-multi", "a")
        .header("x-multi", "b")
        .body(())
        .unwrap();
    let (parts, ()) = request.into_parts();
    let api = api(
        "Auth Events",
        kind,
        vec![mock_route(method, template, 200, "")],
    );
    let ctx = context_for(Request::from_parts(parts.clone(), ()), vec![api]);
    (ctx, parts)
}

#[test]
fn method_arns_use_the_request_method_and_path_after_the_stage() {
    let (c, _) = ctx(ApiKind::Rest, "GET /pets/{id}", "/dev/pets/7");
    let id = c.api.as_ref().unwrap().id.clone();
    let arn = method_arn(&c);
    assert_eq!(
        arn,
        format!("arn:aws:execute-api:us-east-1:123456789012:{id}/dev/GET/pets/7")
    );
    assert_eq!(
        masked(&arn),
        format!("arn:aws:execute-api:us-east-1:********9012:{id}/dev/GET/pets/7")
    );
    let (c, _) = ctx(ApiKind::Rest, "GET /", "/dev/");
    assert!(method_arn(&c).ends_with("/dev/GET/"));
    let (c, _) = ctx(ApiKind::Http, "POST /items", "/items");
    assert_eq!(
        method_arn(&c),
        format!(
            "arn:aws:execute-api:us-east-1:123456789012:{}/$default/POST/items",
            c.api.as_ref().unwrap().id
        )
    );
}

#[test]
fn token_events_are_exact() {
    assert_eq!(
        event::token("Bearer t", "arn:x").to_string(),
        r#"{"type":"TOKEN","authorizationToken":"Bearer t","methodArn":"arn:x"}"#
    );
}

#[test]
fn request_events_have_aws_keys_in_order() {
    let (c, parts) = ctx(ApiKind::Rest, "GET /pets/{id}", "/dev/pets/7?q=1&q=2");
    let params: PathParams = [("id", "7")].into_iter().collect();
    let proxy = ProxyRequest {
        ctx: &c,
        headers: &parts.headers,
        query: parts.uri.query(),
        params: Some(&params),
        body: EventBody::new(&[], false),
    };
    let e = event::rest_request(&proxy, "arn:m");
    assert_eq!(
        keys(&e),
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
    assert_eq!(e["type"], "REQUEST");
    assert_eq!(e["methodArn"], "arn:m");
    assert_eq!(e["resource"], "/pets/{id}");
    assert_eq!(e["path"], "/pets/7");
    assert_eq!(e["queryStringParameters"], json!({"q": "2"}));
    assert_eq!(
        e["multiValueQueryStringParameters"],
        json!({"q": ["1", "2"]})
    );
    assert_eq!(e["multiValueHeaders"]["x-multi"], json!(["a", "b"]));
    assert_eq!(e["pathParameters"], json!({"id": "7"}));
    assert_eq!(e["stageVariables"], Value::Null);
    assert_eq!(e["requestContext"]["resourcePath"], "/pets/{id}");
    assert!(e.get("body").is_none());

    let (c, parts) = ctx(ApiKind::Http, "GET /pets/{id}", "/pets/7?q=1");
    let proxy = ProxyRequest {
        ctx: &c,
        headers: &parts.headers,
        query: parts.uri.query(),
        params: Some(&params),
        body: EventBody::new(&[], false),
    };
    let v1 = event::http_v1(&proxy, "arn:m", &["Bearer t".into(), "1".into()]);
    assert_eq!(
        keys(&v1),
        [
            "version",
            "type",
            "methodArn",
            "identitySource",
            "authorizationToken",
            "resource",
            "path",
            "httpMethod",
            "headers",
            "queryStringParameters",
            "requestContext",
            "pathParameters",
            "stageVariables"
        ]
    );
    assert_eq!(v1["identitySource"], "Bearer t,1");
    assert_eq!(v1["authorizationToken"], "Bearer t,1");
    let v2 = event::http_v2(&proxy, "arn:r", &["Bearer t".into()]);
    assert_eq!(
        keys(&v2),
        [
            "version",
            "type",
            "routeArn",
            "identitySource",
            "routeKey",
            "rawPath",
            "rawQueryString",
            "headers",
            "queryStringParameters",
            "requestContext",
            "pathParameters"
        ]
    );
    assert_eq!(v2["version"], "2.0");
    assert_eq!(v2["identitySource"], json!(["Bearer t"]));
    assert_eq!(v2["routeKey"], "GET /pets/{id}");
    assert_eq!(v2["rawQueryString"], "q=1");
    assert_eq!(v2["headers"]["x-multi"], "a,b");
}

#[test]
fn answers_are_policies_or_simple() {
    let policy = br#"{"principalId": "u1", "policyDocument": {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}]}, "context": {"n": 1, "s": "x", "b": true}, "usageIdentifierKey": "k"}"#;
    let Answer::Policy {
        principal_id,
        context,
        usage_identifier_key,
        policy,
    } = parse(policy, false, true).unwrap()
    else {
        panic!()
    };
    assert_eq!(principal_id.as_deref(), Some("u1"));
    assert_eq!(Value::Object(context), json!({"n": 1, "s": "x", "b": true}));
    assert_eq!(usage_identifier_key.as_deref(), Some("k"));
    assert_eq!(policy.statements.len(), 1);
    assert_eq!(
        parse(
            br#"{"isAuthorized": false, "context": {"a": {"b": 1}}}"#,
            true,
            false
        )
        .unwrap(),
        Answer::Simple {
            authorized: false,
            context: json!({"a": {"b": 1}}).as_object().unwrap().clone()
        }
    );
    for (bad, simple) in [
        (&br#"not json"#[..], false),
        (br#"{"policyDocument": {"Statement": []}}"#, false),
        (br#"{"principalId": "u", "policyDocument": {"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}}"#, false),
        (br#"{"principalId": "u", "policyDocument": {"Statement": []}, "context": {"o": {}}}"#, false),
        (br#"{"isAuthorized": "yes"}"#, true),
        (br#"[]"#, true),
    ] {
        assert!(parse(bad, simple, true).is_err(), "{}", String::from_utf8_lossy(bad));
    }
    // HTTP APIs do not require principalId.
    assert!(parse(br#"{"policyDocument": {"Statement": []}}"#, false, false).is_ok());
}

#[test]
fn authorizer_context_reaches_context_variables_and_events() {
    let (mut c, _) = ctx(ApiKind::Rest, "GET /a", "/dev/a");
    let mut context = Map::new();
    context.insert("tenant".into(), "t1".into());
    context.insert("level".into(), 3.into());
    c.authorizer = Some(Arc::new(AuthorizerContext {
        source: AuthorizerSource::Lambda,
        principal_id: Some("user-1".into()),
        context,
        integration_latency: 12,
        ..AuthorizerContext::default()
    }));
    assert_eq!(c.lookup("authorizer.principalId").unwrap(), "user-1");
    assert_eq!(c.lookup("authorizer.tenant").unwrap(), "t1");
    assert_eq!(c.lookup("authorizer.level").unwrap(), "3");
    assert_eq!(c.lookup("authorizer.integrationLatency").unwrap(), "12");
    assert_eq!(c.lookup("authorizer.nope"), None);
    // Request parameter mappings read the same values.
    let headers = http::HeaderMap::new();
    let request = crate::mapping::MethodRequest {
        headers: &headers,
        query: None,
        path_params: None,
    };
    let source = crate::mapping::ValueSource::parse("context.authorizer.tenant").unwrap();
    assert_eq!(source.resolve(&request, &c, None).as_deref(), Some("t1"));
    assert_eq!(
        event_authorizer_v1(&c).unwrap().to_string(),
        r#"{"principalId":"user-1","tenant":"t1","level":3,"integrationLatency":12}"#
    );
    assert_eq!(
        event_authorizer_v2(&c).unwrap(),
        json!({"lambda": {"level": 3, "tenant": "t1"}})
    );

    let mut claims = Map::new();
    claims.insert("sub".into(), "abc".into());
    c.authorizer = Some(Arc::new(AuthorizerContext {
        source: AuthorizerSource::Jwt,
        claims: Some(claims),
        scopes: Some(vec!["read".into()]),
        ..AuthorizerContext::default()
    }));
    assert_eq!(c.lookup("authorizer.claims.sub").unwrap(), "abc");
    assert_eq!(
        event_authorizer_v2(&c).unwrap(),
        json!({"jwt": {"claims": {"sub": "abc"}, "scopes": ["read"]}})
    );
    assert_eq!(
        event_authorizer_v1(&c).unwrap(),
        json!({"claims": {"sub": "abc"}})
    );
    let _ = PolicyDocument::default();
}
