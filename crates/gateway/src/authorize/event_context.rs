//! `requestContext.authorizer` in Lambda proxy events.
//!
//! Payload 1.0: a Lambda authorizer's `principalId`, its `context` keys and `integrationLatency`
//! side by side; a JWT or Cognito authorizer's `claims` (and, HTTP APIs, `scopes`). Payload 2.0:
//! `{"lambda": context}` or `{"jwt": {"claims", "scopes"}}`; IAM callers
//! `{"iam": {accessKey, accountId, callerId, cognitoIdentity, principalOrgId, userArn, userId}}`.

use serde_json::{Map, Value};
use turnpike_model::ApiKind;

use super::{AuthorizerContext, AuthorizerSource};
use crate::context::RequestContext;

/// `requestContext.authorizer` of a payload 1.0 event; `None` without an authorizer.
pub(crate) fn event_authorizer_v1(ctx: &RequestContext) -> Option<Value> {
    let authorizer = ctx.authorizer.as_deref()?;
    let mut out = Map::new();
    match authorizer.source {
        AuthorizerSource::Lambda => {
            if let Some(principal) = &authorizer.principal_id {
                out.insert("principalId".into(), principal.as_str().into());
            }
            out.extend(authorizer.context.clone());
            out.insert(
                "integrationLatency".into(),
                authorizer.integration_latency.into(),
            );
        }
        AuthorizerSource::Jwt | AuthorizerSource::Cognito => {
            out.insert("claims".into(), claims(authorizer));
            if ctx.api_kind() == ApiKind::Http {
                out.insert("scopes".into(), scopes(authorizer));
            }
        }
    }
    Some(Value::Object(out))
}

/// `requestContext.authorizer` of a payload 2.0 event; `None` without an authorizer.
pub(crate) fn event_authorizer_v2(ctx: &RequestContext) -> Option<Value> {
    if let Some(identity) = ctx.identity.as_deref() {
        let mut iam = Map::new();
        iam.insert("accessKey".into(), identity.access_key.as_str().into());
        iam.insert("accountId".into(), identity.account_id.as_str().into());
        iam.insert("callerId".into(), identity.caller.as_str().into());
        iam.insert("cognitoIdentity".into(), Value::Null);
        iam.insert("principalOrgId".into(), Value::Null);
        iam.insert("userArn".into(), identity.user_arn.as_str().into());
        iam.insert("userId".into(), identity.user.as_str().into());
        let mut out = Map::new();
        out.insert("iam".into(), Value::Object(iam));
        return Some(Value::Object(out));
    }
    let authorizer = ctx.authorizer.as_deref()?;
    let mut out = Map::new();
    match authorizer.source {
        AuthorizerSource::Lambda => {
            out.insert("lambda".into(), Value::Object(authorizer.context.clone()));
        }
        AuthorizerSource::Jwt | AuthorizerSource::Cognito => {
            let mut jwt = Map::new();
            jwt.insert("claims".into(), claims(authorizer));
            jwt.insert("scopes".into(), scopes(authorizer));
            out.insert("jwt".into(), Value::Object(jwt));
        }
    }
    Some(Value::Object(out))
}

fn claims(authorizer: &AuthorizerContext) -> Value {
    authorizer.claims.clone().map_or(Value::Null, Value::Object)
}

/// The token's scopes, `null` when it has none (as AWS sends them).
fn scopes(authorizer: &AuthorizerContext) -> Value {
    match &authorizer.scopes {
        Some(s) if !s.is_empty() => {
            Value::Array(s.iter().map(|x| Value::from(x.as_str())).collect())
        }
        _ => Value::Null,
    }
}
