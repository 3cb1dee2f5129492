//! Authorization: the pipeline's authorize stage and what it calls.
//!
//! [`compiled`] turns an API's access control into an [`ApiAuth`] once per deployment; [`stage`]
//! runs it for each request in API Gateway's order (resource policy, authorizer or IAM, API key).
//! Lambda authorizers live in [`lambda`] (events, answers, invocation) with their [`cache`] and
//! [`identity`] sources; [`policy`] evaluates IAM policies for them and for
//! [`resource_policy`]; [`method_arn`] names the resource; [`denial`] maps every refusal to its
//! gateway response. The verifiers [`jwt`] (JWT and Cognito user pools), [`sigv4`] (IAM) and
//! [`api_key`] check credentials and know nothing of routes; what they check against beyond an
//! API (IAM credentials, JWKS overrides) is the gateway's [`settings`].
//!
//! What an authorizer establishes is an [`AuthorizerContext`] on the request's context:
//! `$context.authorizer.*`, `requestContext.authorizer` in Lambda events, `context.authorizer.x`
//! in parameter mappings.

// Parts of the API key verifier are used only by its tests until the gateway is given a key
// store (see `compiled`).
#[cfg_attr(not(test), allow(dead_code, unused_imports))]
pub(crate) mod api_key;
mod cache;
mod compiled;
mod denial;
mod event_context;
mod identity;
pub(crate) mod jwt;
pub(crate) mod lambda;
mod method_arn;
mod policy;
mod resource_policy;
mod settings;
pub(crate) mod sigv4;
mod stage;

#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

pub(crate) use compiled::ApiAuth;
pub(crate) use event_context::{event_authorizer_v1, event_authorizer_v2};
pub(crate) use settings::AuthSettings;
pub(crate) use stage::{authorize, Gate};

/// Which kind of authorizer admitted the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum AuthorizerSource {
    #[default]
    Lambda,
    Jwt,
    Cognito,
}

/// What an authorizer established about the caller.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct AuthorizerContext {
    pub(crate) source: AuthorizerSource,
    /// A Lambda authorizer's `principalId`.
    pub(crate) principal_id: Option<String>,
    /// A Lambda authorizer's `context`.
    pub(crate) context: Map<String, Value>,
    /// A JWT's claims, every value a string (JWT and Cognito authorizers).
    pub(crate) claims: Option<Map<String, Value>>,
    /// A JWT's scopes.
    pub(crate) scopes: Option<Vec<String>>,
    /// How long the Lambda authorizer took, in ms (0 when its answer was cached).
    pub(crate) integration_latency: u64,
}

impl AuthorizerContext {
    /// `$context.authorizer.<name>`: `principalId`, a context key, or `claims.<claim>`.
    pub(crate) fn lookup(&self, name: &str) -> Option<String> {
        if name == "principalId" {
            return self.principal_id.clone();
        }
        if name == "integrationLatency" && self.source == AuthorizerSource::Lambda {
            return Some(self.integration_latency.to_string());
        }
        if let Some(claim) = name.strip_prefix("claims.") {
            return self.claims.as_ref()?.get(claim).map(text);
        }
        self.context.get(name).map(text)
    }
}

/// A context value as `$context.authorizer.x` renders it: strings bare, others as JSON.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
