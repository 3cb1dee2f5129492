//! The payload 1.0 event: every REST API Lambda proxy call, and HTTP API routes that choose 1.0.
//!
//! Keys and their order follow AWS ("Input format of a Lambda function for proxy integration"
//! and LocalStack's `test_lambda_aws_proxy_integration` snapshot recorded against AWS in 2024):
//! `resource`, `path`, `httpMethod`, `headers` (last value of each name), `multiValueHeaders`,
//! `queryStringParameters` (last value), `multiValueQueryStringParameters`, `pathParameters`,
//! `stageVariables`, `requestContext`, `body`, `isBase64Encoded`. Maps that would be empty are
//! `null`. HTTP APIs put `"version": "1.0"` first and `requestContext` before
//! `pathParameters`, and their `path` keeps the stage prefix ("Create AWS Lambda proxy
//! integrations for HTTP APIs").
//!
//! `requestContext` is in AWS's (alphabetical) order. Its `identity` holds the caller fields AWS
//! sends as `null` without IAM or Cognito authorization (an AWS_IAM route's signer fills
//! `accessKey`, `accountId`, `caller`, `user` and `userArn`), plus `sourceIp` and `userAgent`; the
//! `apiKey`, `apiKeyId` and `clientCert` of older examples are absent from AWS's 2024 events and
//! left out. `deploymentId` and `authorizer` are not sent: there are no deployment ids or
//! authorizers yet.
//!
//! An HTTP API `overwrite:path` parameter mapping does not change a 1.0 event: AWS supports path
//! mapping for Lambda "in Http Payload format version V2 but not in V1" (re:Post "Parameter
//! mapping for incoming request", <https://repost.aws/questions/QUV8jr6LoPSDqyMMSgN4JwtQ>). No
//! source says AWS refuses such a mapping at import, so it loads and is ignored here; `path` and
//! `requestContext.path` stay the client's.

use serde_json::{Map, Value};
use turnpike_model::ApiKind;

use crate::authorize::sigv4::CallerIdentity;

use super::header_case::HeaderCase;
use super::request::{multi_values, object_or_null, single_values, ProxyRequest};

/// The `identity` fields AWS sends as `null` for an unauthenticated caller, in order around
/// `sourceIp` (between `principalOrgId` and `user`) and `userAgent` (before `userArn`).
const IDENTITY_BEFORE_SOURCE_IP: [&str; 8] = [
    "accessKey",
    "accountId",
    "caller",
    "cognitoAuthenticationProvider",
    "cognitoAuthenticationType",
    "cognitoIdentityId",
    "cognitoIdentityPoolId",
    "principalOrgId",
];

/// The payload 1.0 event of `request`, header names lower-case.
pub(crate) fn event(request: &ProxyRequest<'_>) -> Value {
    event_with_case(request, None)
}

/// The payload 1.0 event of `request`; with `case` (a REST API request over HTTP/1), header
/// names are spelled as the client sent them and the ones API Gateway adds as AWS spells them.
pub(crate) fn event_with_case(request: &ProxyRequest<'_>, case: Option<&HeaderCase>) -> Value {
    let ctx = request.ctx;
    let kind = ctx.api_kind();
    let headers = request.headers(kind == ApiKind::Http, true);
    let query = request.query_parameters();
    let last = |list: &Vec<String>| list.last().cloned().unwrap_or_default();

    let mut event = Map::new();
    if kind == ApiKind::Http {
        event.insert("version".into(), "1.0".into());
    }
    event.insert("resource".into(), request.resource_path().into());
    let path = match kind {
        ApiKind::Rest => request.path_without_stage(),
        ApiKind::Http => ctx.path.as_str(),
    };
    event.insert("path".into(), path.into());
    event.insert("httpMethod".into(), ctx.http_method.as_str().into());
    let mut single_headers = Map::new();
    let mut multi_headers = Map::new();
    for (name, values) in &headers {
        let key = match case {
            Some(case) => spelled(case, name).to_owned(),
            None => name.clone(),
        };
        single_headers.insert(key.clone(), last(values).into());
        let values = values.iter().map(|v| Value::from(v.as_str())).collect();
        multi_headers.insert(key, Value::Array(values));
    }
    event.insert("headers".into(), Value::Object(single_headers));
    event.insert("multiValueHeaders".into(), Value::Object(multi_headers));
    let (single_query, multi_query) = if query.is_empty() {
        (Value::Null, Value::Null)
    } else {
        (
            Value::Object(single_values(query.iter().map(|(n, v)| (n, last(v))))),
            Value::Object(multi_values(&query)),
        )
    };
    event.insert("queryStringParameters".into(), single_query);
    event.insert("multiValueQueryStringParameters".into(), multi_query);
    let path_parameters = object_or_null(request.path_parameters());
    let stage_variables = object_or_null(request.stage_variables());
    if kind == ApiKind::Rest {
        event.insert("pathParameters".into(), path_parameters.clone());
        event.insert("stageVariables".into(), stage_variables.clone());
    }
    event.insert("requestContext".into(), request_context(request));
    if kind == ApiKind::Http {
        event.insert("pathParameters".into(), path_parameters);
        event.insert("stageVariables".into(), stage_variables);
    }
    event.insert("body".into(), request.body_value());
    event.insert("isBase64Encoded".into(), request.body.base64.into());
    Value::Object(event)
}

/// How a REST event spells the lower-case header `name`: API Gateway's own headers as AWS writes
/// them, the client's as the client did.
fn spelled<'a>(case: &'a HeaderCase, name: &'a str) -> &'a str {
    match name {
        "x-forwarded-for" => "X-Forwarded-For",
        "x-forwarded-port" => "X-Forwarded-Port",
        "x-forwarded-proto" => "X-Forwarded-Proto",
        "x-amzn-trace-id" => "X-Amzn-Trace-Id",
        _ => case.spelling(name).unwrap_or(name),
    }
}

fn request_context(request: &ProxyRequest<'_>) -> Value {
    let ctx = request.ctx;
    let mut context = Map::new();
    context.insert("accountId".into(), request.context_value("accountId"));
    context.insert("apiId".into(), request.context_value("apiId"));
    if let Some(authorizer) = crate::authorize::event_authorizer_v1(ctx) {
        context.insert("authorizer".into(), authorizer);
    }
    context.insert("domainName".into(), request.context_value("domainName"));
    context.insert("domainPrefix".into(), request.context_value("domainPrefix"));
    context.insert(
        "extendedRequestId".into(),
        ctx.extended_request_id.as_str().into(),
    );
    context.insert("httpMethod".into(), ctx.http_method.as_str().into());
    context.insert("identity".into(), identity(request));
    context.insert("path".into(), request.path_with_stage().into());
    context.insert("protocol".into(), ctx.protocol.into());
    context.insert("requestId".into(), ctx.request_id().into());
    context.insert("requestTime".into(), request.context_value("requestTime"));
    context.insert("requestTimeEpoch".into(), request.time_epoch());
    let resource_id = match ctx.api_kind() {
        ApiKind::Rest => request
            .route()
            .map_or(Value::Null, |r| r.resource_id.as_str().into()),
        ApiKind::Http => Value::Null,
    };
    context.insert("resourceId".into(), resource_id);
    context.insert("resourcePath".into(), request.resource_path().into());
    context.insert("stage".into(), request.stage_name().into());
    Value::Object(context)
}

fn identity(request: &ProxyRequest<'_>) -> Value {
    let mut identity = Map::new();
    for name in IDENTITY_BEFORE_SOURCE_IP {
        identity.insert(name.into(), Value::Null);
    }
    // An AWS_IAM route's verified signer; null for everyone else.
    let caller = request.ctx.identity.as_deref();
    let signer =
        |field: fn(&CallerIdentity) -> &str| caller.map_or(Value::Null, |c| field(c).into());
    identity.insert("accessKey".into(), signer(|c| &c.access_key));
    identity.insert("accountId".into(), signer(|c| &c.account_id));
    identity.insert("caller".into(), signer(|c| &c.caller));
    identity.insert(
        "sourceIp".into(),
        request.ctx.source_ip().to_string().into(),
    );
    identity.insert("user".into(), signer(|c| &c.user));
    let user_agent = request
        .ctx
        .user_agent
        .as_deref()
        .map_or(Value::Null, Value::from);
    identity.insert("userAgent".into(), user_agent);
    identity.insert("userArn".into(), signer(|c| &c.user_arn));
    Value::Object(identity)
}
