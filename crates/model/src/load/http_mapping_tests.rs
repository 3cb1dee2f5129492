//! HTTP API parameter mapping: every directive and source, and every error with its place.

use std::path::Path;

use crate::http_mapping::{
    HttpRequestParameter as Req, HttpRequestTarget as RT, HttpResponseParameter as Resp,
    HttpResponseTarget as ST, MappingAction::*, MappingSource as S, MappingValue, ParameterMapping,
    ValuePart,
};
use crate::load::{load_str, LoadOptions};

const PTR: &str = "/paths/~1a/get/x-amazon-apigateway-integration";

/// An HTTP API with one route whose integration has `lines` (indented into it) added.
fn doc(kind: &str, lines: &[&str]) -> String {
    let mut text = String::from(
        "openapi: 3.0.1\ninfo: {title: t}\nx-amazon-apigateway-importexport-version: '1.0'\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n",
    );
    text.push_str(kind);
    for line in lines {
        text.push_str("        ");
        text.push_str(line);
        text.push('\n');
    }
    text
}

const PROXY: &str = "        type: http_proxy\n        uri: http://h/a\n";
const LAMBDA: &str = "        type: aws_proxy\n        uri: arn:aws:lambda:us-east-1:123456789012:function:f\n        payloadFormatVersion: '2.0'\n";

fn mapping(text: &str) -> ParameterMapping {
    match load_str(Path::new("api.yaml"), text, &LoadOptions::default()) {
        Ok(api) => api.routes[0]
            .integration
            .parameter_mapping
            .clone()
            .unwrap_or_default(),
        Err(errors) => panic!("unexpected load errors:\n{errors}"),
    }
}

fn errors(text: &str) -> Vec<(usize, usize, String, String)> {
    match load_str(Path::new("api.yaml"), text, &LoadOptions::default()) {
        Ok(_) => panic!("expected load errors"),
        Err(errors) => errors
            .0
            .into_iter()
            .map(|e| (e.line, e.column, e.pointer, e.message))
            .collect(),
    }
}

fn e(line: usize, column: usize, pointer: &str, message: &str) -> (usize, usize, String, String) {
    (line, column, format!("{PTR}{pointer}"), message.to_owned())
}

fn lit(t: &str) -> ValuePart {
    ValuePart::Text(t.into())
}

fn src(s: S) -> ValuePart {
    ValuePart::Source(s)
}

fn value(parts: Vec<ValuePart>) -> MappingValue {
    MappingValue { parts }
}

fn req(action: crate::http_mapping::MappingAction, target: RT, parts: Vec<ValuePart>) -> Req {
    Req {
        action,
        target,
        value: value(parts),
    }
}

#[test]
fn every_request_directive_and_source() {
    let text = doc(
        PROXY,
        &[
            "requestParameters:",
            "  append:header.x-a: $request.header.h",
            "  overwrite:header.x-b: ${request.querystring.q}",
            "  remove:header.x-c: \"''\"",
            "  append:querystring.qa: $request.body.pet.tags[0]",
            "  overwrite:querystring.qb: $request.body",
            "  remove:querystring.qc: ''",
            "  overwrite:path: /v1/${request.path.proxy}/x",
            "  append:header.x-d: Bearer $context.requestId and ${stageVariables.v}.",
            "  append:header.x-e: $request.path",
            "  append:header.x-f: costs $5",
        ],
    );
    assert_eq!(
        mapping(&text).request,
        [
            req(
                Append,
                RT::Header("x-a".into()),
                vec![src(S::RequestHeader("h".into()))]
            ),
            req(
                Overwrite,
                RT::Header("x-b".into()),
                vec![src(S::RequestQueryString("q".into()))]
            ),
            req(Remove, RT::Header("x-c".into()), vec![]),
            req(
                Append,
                RT::QueryString("qa".into()),
                vec![src(S::RequestBody(Some(".pet.tags[0]".into())))]
            ),
            req(
                Overwrite,
                RT::QueryString("qb".into()),
                vec![src(S::RequestBody(None))]
            ),
            req(Remove, RT::QueryString("qc".into()), vec![]),
            req(
                Overwrite,
                RT::Path,
                vec![
                    lit("/v1/"),
                    src(S::RequestPathParameter("proxy".into())),
                    lit("/x")
                ]
            ),
            req(
                Append,
                RT::Header("x-d".into()),
                vec![
                    lit("Bearer "),
                    src(S::Context("requestId".into())),
                    lit(" and "),
                    src(S::StageVariable("v".into())),
                    lit(".")
                ]
            ),
            req(Append, RT::Header("x-e".into()), vec![src(S::RequestPath)]),
            req(Append, RT::Header("x-f".into()), vec![lit("costs $5")]),
        ]
    );
}

#[test]
fn every_response_directive_and_source() {
    let text = doc(
        PROXY,
        &[
            "responseParameters:",
            "  '404':",
            "    append:header.x-a: $response.header.h",
            "    overwrite:header.x-b: ${response.body.error.code}",
            "    remove:header.x-c: ''",
            "    overwrite:statuscode: '204'",
            "  '500':",
            "    overwrite:statuscode: $response.body.status",
            "    append:header.x-d: static",
            "    overwrite:header.x-e: $response.body",
            "    append:header.x-f: ${context.requestId}-$stageVariables.v",
        ],
    );
    let m = mapping(&text);
    assert!(m.request.is_empty());
    let resp = |action, target, parts| Resp {
        action,
        target,
        value: value(parts),
    };
    assert_eq!(
        m.response[&404],
        [
            resp(
                Append,
                ST::Header("x-a".into()),
                vec![src(S::ResponseHeader("h".into()))]
            ),
            resp(
                Overwrite,
                ST::Header("x-b".into()),
                vec![src(S::ResponseBody(Some(".error.code".into())))]
            ),
            resp(Remove, ST::Header("x-c".into()), vec![]),
            resp(Overwrite, ST::StatusCode, vec![lit("204")]),
        ]
    );
    assert_eq!(
        m.response[&500],
        [
            resp(
                Overwrite,
                ST::StatusCode,
                vec![src(S::ResponseBody(Some(".status".into())))]
            ),
            resp(Append, ST::Header("x-d".into()), vec![lit("static")]),
            resp(
                Overwrite,
                ST::Header("x-e".into()),
                vec![src(S::ResponseBody(None))]
            ),
            resp(
                Append,
                ST::Header("x-f".into()),
                vec![
                    src(S::Context("requestId".into())),
                    lit("-"),
                    src(S::StageVariable("v".into()))
                ]
            ),
        ]
    );
}

#[test]
fn lambda_integrations_map_parameters_too() {
    let text = doc(
        LAMBDA,
        &[
            "requestParameters: {overwrite:header.x-a: static}",
            "responseParameters: {'200': {overwrite:statuscode: '201'}}",
        ],
    );
    let m = mapping(&text);
    assert_eq!(m.request.len(), 1);
    assert_eq!(m.response[&200].len(), 1);
}

#[test]
fn empty_or_null_mappings_are_none() {
    let text = doc(
        PROXY,
        &["requestParameters: {}", "responseParameters: null"],
    );
    let api = load_str(Path::new("api.yaml"), &text, &LoadOptions::default()).unwrap();
    assert_eq!(api.routes[0].integration.parameter_mapping, None);
}

#[test]
fn request_key_errors() {
    let text = doc(
        PROXY,
        &[
            "requestParameters:",
            "  header.x: a",
            "  rename:header.x: a",
            "  append:path: /a",
            "  remove:path: ''",
            "  overwrite:header.Authorization: a",
            "  append:header.X-Amzn-Trace-Id: a",
            "  overwrite:header.access-control-allow-origin: a",
            "  overwrite:header.x y: a",
            "  overwrite:header.: a",
            "  overwrite:querystring.: a",
            "  overwrite:body.x: a",
        ],
    );
    let forms = "must have the form ACTION:header.NAME, ACTION:querystring.NAME or overwrite:path, where ACTION is append, overwrite or remove";
    let reserved = "access-control-*, apigw-*, Authorization, Connection, Content-Encoding, Content-Length, Content-Location, Forwarded, Keep-Alive, Origin, Proxy-Authenticate, Proxy-Authorization, TE, Trailers, Transfer-Encoding, Upgrade, x-amz-*, x-amzn-*, X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto, Via";
    let rp = "/requestParameters/";
    assert_eq!(
        errors(&text),
        [
            e(11, 11, &format!("{rp}header.x"), &format!("requestParameters key \"header.x\" {forms}")),
            e(12, 11, &format!("{rp}rename:header.x"), &format!("requestParameters key \"rename:header.x\" {forms}")),
            e(13, 11, &format!("{rp}append:path"), "requestParameters key \"append:path\" is not allowed: the path can only be overwritten (overwrite:path)"),
            e(14, 11, &format!("{rp}remove:path"), "requestParameters key \"remove:path\" is not allowed: the path can only be overwritten (overwrite:path)"),
            e(15, 11, &format!("{rp}overwrite:header.Authorization"), &format!("requestParameters key \"overwrite:header.Authorization\" maps the reserved header Authorization; parameter mapping cannot change {reserved}")),
            e(16, 11, &format!("{rp}append:header.X-Amzn-Trace-Id"), &format!("requestParameters key \"append:header.X-Amzn-Trace-Id\" maps the reserved header X-Amzn-Trace-Id; parameter mapping cannot change {reserved}")),
            e(17, 11, &format!("{rp}overwrite:header.access-control-allow-origin"), &format!("requestParameters key \"overwrite:header.access-control-allow-origin\" maps the reserved header access-control-allow-origin; parameter mapping cannot change {reserved}")),
            e(18, 11, &format!("{rp}overwrite:header.x y"), "requestParameters key \"overwrite:header.x y\" names \"x y\", which is not a valid header name"),
            e(19, 11, &format!("{rp}overwrite:header."), "requestParameters key \"overwrite:header.\" names no header"),
            e(20, 11, &format!("{rp}overwrite:querystring."), "requestParameters key \"overwrite:querystring.\" names no query string parameter"),
            e(21, 11, &format!("{rp}overwrite:body.x"), &format!("requestParameters key \"overwrite:body.x\" {forms}")),
        ]
    );
}

#[test]
fn request_value_errors() {
    let text = doc(
        PROXY,
        &[
            "requestParameters:",
            "  append:header.a: $request.multivalueheader.x",
            "  append:header.b: $response.header.x",
            "  append:header.c: ${request.header.x",
            "  append:header.d: ${foo.bar}",
            "  append:header.e: $request.body..name",
            "  append:header.f: $request.body.items[?(@.a)]",
            "  append:header.g: $request.body.a[x]",
            "  append:header.h: ''",
            "  append:header.i: $context.",
            "  append:header.j: true",
            "  append:header.k: $request.header.",
        ],
    );
    let sources = "requestParameters read $request.header.NAME, $request.querystring.NAME, $request.body, $request.body.JSONPATH, $request.path, $request.path.NAME, $context.NAME, $stageVariables.NAME or static text";
    let rp = "/requestParameters/";
    let of = |k: &str| format!("the value of \"{k}\" in requestParameters");
    assert_eq!(
        errors(&text),
        [
            e(11, 28, &format!("{rp}append:header.a"), &format!("{} names an unknown source $request.multivalueheader.x; {sources}", of("append:header.a"))),
            e(12, 28, &format!("{rp}append:header.b"), &format!("{} reads $response.header.x, which requests do not have; {sources}", of("append:header.b"))),
            e(13, 28, &format!("{rp}append:header.c"), &format!("{} has \"${{\" without a closing \"}}\": ${{request.header.x", of("append:header.c"))),
            e(14, 28, &format!("{rp}append:header.d"), &format!("{} names an unknown source ${{foo.bar}}; {sources}", of("append:header.d"))),
            e(15, 28, &format!("{rp}append:header.e"), &format!("{} uses recursive descent in $request.body..name, which parameter mapping does not support ($request.body..name)", of("append:header.e"))),
            e(16, 28, &format!("{rp}append:header.f"), &format!("{} has a malformed JSONPath in $request.body.items[; expected .name and [index] steps after $request.body", of("append:header.f"))),
            e(17, 28, &format!("{rp}append:header.g"), &format!("{} has a malformed JSONPath in $request.body.a[x]; expected .name and [index] steps after $request.body", of("append:header.g"))),
            e(18, 28, &format!("{rp}append:header.h"), &format!("{} is empty; append and overwrite need static text or a source ($request.header.NAME, $request.querystring.NAME, $request.body, $request.body.JSONPATH, $request.path, $request.path.NAME, $context.NAME, $stageVariables.NAME)", of("append:header.h"))),
            e(19, 28, &format!("{rp}append:header.i"), &format!("{} names an unknown source $context; {sources}", of("append:header.i"))),
            e(20, 28, &format!("{rp}append:header.j"), &format!("{} must be a string; found a boolean", of("append:header.j"))),
            e(21, 28, &format!("{rp}append:header.k"), &format!("{} names an unknown source $request.header; {sources}", of("append:header.k"))),
        ]
    );
}

#[test]
fn filter_expressions_in_braces_are_refused() {
    let text = doc(
        PROXY,
        &["requestParameters: {append:header.a: '${request.body.items[?(@.a)]}'}"],
    );
    assert_eq!(
        errors(&text),
        [e(10, 46, "/requestParameters/append:header.a", "the value of \"append:header.a\" in requestParameters uses a filter expression in $request.body.items[?(@.a)], which parameter mapping does not support (?(expression))")]
    );
}

#[test]
fn response_errors() {
    let text = doc(
        PROXY,
        &[
            "responseParameters:",
            "  '199': {append:header.a: x}",
            "  2xx: {append:header.a: x}",
            "  '200':",
            "    append:statuscode: '201'",
            "    overwrite:querystring.a: x",
            "    overwrite:statuscode: abc",
            "    remove:header.Content-Length: ''",
            "    append:header.a: $request.header.x",
            "    append:header.b: $response.querystring.x",
            "  '201': [x]",
        ],
    );
    let sources = "responseParameters read $response.header.NAME, $response.body, $response.body.JSONPATH, $context.NAME, $stageVariables.NAME or static text";
    let reserved = "access-control-*, apigw-*, Authorization, Connection, Content-Encoding, Content-Length, Content-Location, Forwarded, Keep-Alive, Origin, Proxy-Authenticate, Proxy-Authorization, TE, Trailers, Transfer-Encoding, Upgrade, x-amz-*, x-amzn-*, X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto, Via";
    let p = "/responseParameters/";
    let of = |k: &str| format!("the value of \"{k}\" in responseParameters.200");
    assert_eq!(
        errors(&text),
        [
            e(11, 11, &format!("{p}199"), "responseParameters key \"199\" must be a status code from 200 to 599: the back end's status the mappings under it apply to"),
            e(12, 11, &format!("{p}2xx"), "responseParameters key \"2xx\" must be a status code from 200 to 599: the back end's status the mappings under it apply to"),
            e(14, 13, &format!("{p}200/append:statuscode"), "responseParameters.200 key \"append:statuscode\" is not allowed: the status code can only be overwritten (overwrite:statuscode)"),
            e(15, 13, &format!("{p}200/overwrite:querystring.a"), "responseParameters.200 key \"overwrite:querystring.a\" must have the form ACTION:header.NAME or overwrite:statuscode, where ACTION is append, overwrite or remove"),
            e(16, 35, &format!("{p}200/overwrite:statuscode"), &format!("{} must be a status code from 100 to 599; found \"abc\"", of("overwrite:statuscode"))),
            e(17, 13, &format!("{p}200/remove:header.Content-Length"), &format!("responseParameters.200 key \"remove:header.Content-Length\" maps the reserved header Content-Length; parameter mapping cannot change {reserved}")),
            e(18, 30, &format!("{p}200/append:header.a"), &format!("{} reads $request.header.x, which responses do not have; {sources}", of("append:header.a"))),
            e(19, 30, &format!("{p}200/append:header.b"), &format!("{} names an unknown source $response.querystring.x; {sources}", of("append:header.b"))),
            e(20, 18, &format!("{p}201"), "responseParameters.201 must be a mapping; found a sequence"),
        ]
    );
}

#[test]
fn rest_apis_keep_their_own_request_parameters() {
    let text = "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: http_proxy\n        httpMethod: GET\n        uri: http://h/a\n        requestParameters: {append:header.x: $request.header.y}\n";
    let found = errors(text);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].2,
        format!("{PTR}/requestParameters/append:header.x")
    );
    assert!(found[0].3.starts_with("requestParameters key \"append:header.x\" must have one of the forms integration.request.header.NAME"));
}
