use std::collections::BTreeMap;
use std::sync::Arc;

use http::{HeaderMap, Request};

use super::*;
use crate::authorize::{AuthorizerContext, AuthorizerSource};
use crate::router::PathParams;
use crate::snapshot::StageInfo;

fn ctx() -> RequestContext {
    let mut ctx = crate::test_support::context_for(
        Request::post("/dev/pets/7?x=1")
            .header("user-agent", "curl/8")
            .body(())
            .unwrap(),
        Vec::new(),
    );
    ctx.stage = Some(Arc::new(StageInfo {
        name: "dev".into(),
        variables: BTreeMap::from([("color".to_string(), "blue".to_string())]),
    }));
    ctx
}

fn render(template: &str, body: &str, ctx: &RequestContext) -> String {
    let mut headers = HeaderMap::new();
    headers.append("x-tag", "one".parse().unwrap());
    headers.append("x-tag", "two".parse().unwrap());
    let mut params = PathParams::with_capacity(1);
    params.push("petId".into(), "7".into());
    let request = MethodRequest {
        headers: &headers,
        query: Some("q=a%20b&q=c&flag"),
        path_params: Some(&params),
    };
    let mut problems = Vec::new();
    let t = MappingTemplate::compile(template, "t", &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
    t.render(body, &request, ctx).unwrap().body
}

#[test]
fn input_reads_the_body_and_every_parameter() {
    let out = render(
        "$input.json('$.name')|$input.path('$.n')|$input.params('petId')|$input.params('q')|$input.params('flag')|$input.params('X-Tag')|$input.params().path.petId|$input.body",
        r#"{"name":"Rex","n":3}"#,
        &ctx(),
    );
    assert_eq!(out, r#""Rex"|3|7|c||two|7|{"name":"Rex","n":3}"#);
}

#[test]
fn context_and_stage_variables_are_there() {
    let out = render(
        "$context.httpMethod $context.identity.sourceIp $context.identity.userAgent $context.stage $stageVariables.color $context.accountId",
        "",
        &ctx(),
    );
    assert_eq!(out, "POST 10.1.2.3 curl/8 dev blue 123456789012");
}

#[test]
fn authorizer_values_are_nested() {
    let mut ctx = ctx();
    let mut context = serde_json::Map::new();
    context.insert("tier".into(), serde_json::json!("gold"));
    context.insert("n".into(), serde_json::json!(3));
    ctx.authorizer = Some(Arc::new(AuthorizerContext {
        source: AuthorizerSource::Lambda,
        principal_id: Some("user-1".into()),
        context,
        claims: Some(serde_json::Map::from_iter([(
            "sub".to_string(),
            serde_json::json!("abc"),
        )])),
        scopes: None,
        integration_latency: 4,
    }));
    let out = render(
        "$context.authorizer.principalId $context.authorizer.tier $context.authorizer.n $context.authorizer.claims.sub $context.authorizer.integrationLatency",
        "",
        &ctx,
    );
    assert_eq!(out, "user-1 gold 3 abc 4");
}

#[test]
fn overrides_come_back() {
    let mut problems = Vec::new();
    let t = MappingTemplate::compile(
        "#set($context.requestOverride.header.X-Up = 'u')#set($context.responseOverride.status = 418)ok",
        "t",
        &mut problems,
    );
    let headers = HeaderMap::new();
    let request = MethodRequest {
        headers: &headers,
        query: None,
        path_params: None,
    };
    let rendered = t.render("", &request, &ctx()).unwrap();
    assert_eq!(rendered.body, "ok");
    assert_eq!(
        rendered.overrides.request_headers,
        [("X-Up".to_string(), "u".to_string())]
    );
    assert_eq!(rendered.overrides.response_status, Some(418));
}

#[test]
fn a_template_that_does_not_compile_is_a_located_problem_and_a_500() {
    let mut problems = Vec::new();
    let t = MappingTemplate::compile(
        "{\n  #if($x\n}",
        "requestTemplates.application/json",
        &mut problems,
    );
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0]
            .starts_with("requestTemplates.application/json: the template does not compile: line "),
        "{problems:?}"
    );
    let headers = HeaderMap::new();
    let request = MethodRequest {
        headers: &headers,
        query: None,
        path_params: None,
    };
    let err = t.render("", &request, &ctx()).unwrap_err();
    assert_eq!(err.kind, turnpike_model::GatewayResponseType::Default5xx);
}
