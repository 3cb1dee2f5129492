//! The payload 2.0 event of HTTP APIs ("Create AWS Lambda proxy integrations for HTTP APIs";
//! recorded events in aws-lambda-go `events/testdata/apigw-v2-*.json`).
//!
//! `version`, `routeKey`, `rawPath` (stage prefix included, as received), `rawQueryString`,
//! `cookies` (the `Cookie` headers split into cookies, and taken out of `headers`), `headers`
//! (repeated names joined with `,`), `queryStringParameters` (repeated names joined with `,`),
//! `requestContext`, `body`, `pathParameters`, `isBase64Encoded`, `stageVariables`. Unlike 1.0,
//! what a request lacks is left out rather than `null`: `cookies`, `queryStringParameters`,
//! `body`, `pathParameters` and `stageVariables` appear only when there is something to say.
//!
//! An `overwrite:path` parameter mapping changes `rawPath` only, to the mapped path (no stage
//! prefix added: the mapping's text is the whole path). AWS supports path mapping for Lambda in
//! payload 2.0 (re:Post "Parameter mapping for incoming request",
//! <https://repost.aws/questions/QUV8jr6LoPSDqyMMSgN4JwtQ>) without documenting which fields it
//! changes; `requestContext.http.path` and `routeKey` stay the client's, as they say how the
//! request was routed (as `$context.path` and `$context.routeKey` do).

use serde_json::{Map, Value};

use super::request::{single_values, ProxyRequest};

/// The payload 2.0 event of `request`, unmapped (Lambda authorizers see this one too).
pub(crate) fn event(request: &ProxyRequest<'_>) -> Value {
    event_with_path(request, None)
}

/// The payload 2.0 event of `request`; `mapped_path`, set by an `overwrite:path` mapping,
/// replaces the client's path in `rawPath` only.
pub(crate) fn event_with_path(request: &ProxyRequest<'_>, mapped_path: Option<&str>) -> Value {
    let ctx = request.ctx;
    let mut event = Map::new();
    event.insert("version".into(), "2.0".into());
    event.insert("routeKey".into(), route_key(request).into());
    let raw_path = mapped_path.unwrap_or(ctx.path.as_str());
    event.insert("rawPath".into(), raw_path.into());
    event.insert(
        "rawQueryString".into(),
        request.query.unwrap_or_default().into(),
    );
    let cookies = request.cookies();
    if !cookies.is_empty() {
        event.insert("cookies".into(), cookies.into());
    }
    let headers = request.headers(true, false);
    event.insert(
        "headers".into(),
        Value::Object(single_values(headers.iter().map(|(n, v)| (n, v.join(","))))),
    );
    let query = request.query_parameters();
    if !query.is_empty() {
        event.insert(
            "queryStringParameters".into(),
            Value::Object(single_values(query.iter().map(|(n, v)| (n, v.join(","))))),
        );
    }
    event.insert("requestContext".into(), request_context(request));
    if let Some(body) = &request.body.text {
        event.insert("body".into(), body.as_str().into());
    }
    if let Some(params) = request.path_parameters() {
        event.insert("pathParameters".into(), Value::Object(params));
    }
    event.insert("isBase64Encoded".into(), request.body.base64.into());
    if let Some(variables) = request.stage_variables() {
        event.insert("stageVariables".into(), Value::Object(variables));
    }
    Value::Object(event)
}

fn route_key<'r>(request: &'r ProxyRequest<'_>) -> &'r str {
    request.route().map_or("", |r| r.route_key.as_str())
}

fn request_context(request: &ProxyRequest<'_>) -> Value {
    let ctx = request.ctx;
    let mut http = Map::new();
    http.insert("method".into(), ctx.http_method.as_str().into());
    http.insert("path".into(), ctx.path.as_str().into());
    http.insert("protocol".into(), ctx.protocol.into());
    http.insert("sourceIp".into(), ctx.source_ip().to_string().into());
    http.insert(
        "userAgent".into(),
        ctx.user_agent.as_deref().unwrap_or_default().into(),
    );

    let mut context = Map::new();
    context.insert("accountId".into(), request.context_value("accountId"));
    context.insert("apiId".into(), request.context_value("apiId"));
    if let Some(authorizer) = crate::authorize::event_authorizer_v2(ctx) {
        context.insert("authorizer".into(), authorizer);
    }
    context.insert("domainName".into(), request.context_value("domainName"));
    context.insert("domainPrefix".into(), request.context_value("domainPrefix"));
    context.insert("http".into(), Value::Object(http));
    context.insert("requestId".into(), ctx.request_id().into());
    context.insert("routeKey".into(), route_key(request).into());
    context.insert("stage".into(), request.stage_name().into());
    context.insert("time".into(), request.context_value("requestTime"));
    context.insert("timeEpoch".into(), request.time_epoch());
    Value::Object(context)
}
