//! The authorize stage, in API Gateway's order: the resource policy's explicit denials, then the
//! route's authorizer or IAM, the resource policy combined with that result ("How API Gateway
//! resource policies affect authorization workflow"), then the API key.
//!
//! | authentication | resource policy allows | neither | denies |
//! |---|---|---|---|
//! | none | allow | 403 (implicit) | 403 (explicit) |
//! | Lambda authorizer: allow | allow | allow | 403, before the authorizer runs |
//! | Lambda authorizer: neither allow nor deny | allow | 403 (implicit) | 403, before |
//! | Lambda authorizer: deny | 403 (explicit) | 403 (explicit) | 403, before |
//! | Cognito / JWT (valid token) | allow | 403 (implicit) | 403, before the token is checked |
//! | IAM (valid signature, same account) | allow | allow | 403 |
//!
//! (Table A of that page, for a caller in the API's account; Cognito needs the resource policy's
//! explicit allow, as the page's Cognito section says.)

use std::borrow::Cow;
use std::sync::Arc;
use std::time::SystemTime;

use http::header::HOST;
use http::request::Parts;
use http::{HeaderMap, HeaderValue};
use turnpike_functions::FunctionHost;
use turnpike_model::{ApiKind, IdentitySource};

use super::api_key;
use super::compiled::{ApiAuth, CompiledAuthorizer, Requirement};
use super::denial::Denial;
use super::jwt::{self, JwtVerifier};
use super::lambda::{Answer, AuthRequest};
use super::method_arn::{masked, method_arn};
use super::policy::{self, Caller, Decision};
use super::settings::AuthSettings;
use super::sigv4::SignedRequest;
use super::{AuthorizerContext, AuthorizerSource};
use crate::body::RequestBody;
use crate::context::RequestContext;
use crate::gateway_response::GatewayError;
use crate::integrate::UpstreamClient;
use crate::router::PathParams;

/// What the stage needs besides the request.
pub(crate) struct Gate<'a> {
    pub(crate) auth: &'a ApiAuth,
    pub(crate) settings: &'a AuthSettings,
    pub(crate) route: usize,
    pub(crate) params: Option<&'a PathParams>,
    pub(crate) functions: Option<&'a FunctionHost>,
    pub(crate) client: &'a UpstreamClient,
    /// The client's body: IAM routes read it whole, since the signature covers it.
    pub(crate) body: &'a mut RequestBody,
    pub(crate) max_body_bytes: u64,
}

/// Admits the request or answers why not; on admission `ctx` knows the authorizer's principal,
/// context, claims and the IAM caller.
pub(crate) async fn authorize(
    gate: Gate<'_>,
    ctx: &mut RequestContext,
    parts: &Parts,
) -> Result<(), GatewayError> {
    run(gate, ctx, parts).await.map_err(Denial::into_error)
}

async fn run(gate: Gate<'_>, ctx: &mut RequestContext, parts: &Parts) -> Result<(), Denial> {
    let Some((requirement, api_key_required)) = gate.auth.routes.get(gate.route) else {
        return Err(Denial::Configuration);
    };
    let policy = gate.auth.resource_policy.as_ref();
    // Most routes of most APIs require nothing: no method ARN to build, nothing to allocate.
    if matches!(requirement, Requirement::None) && policy.is_none() && !api_key_required {
        return Ok(());
    }
    let arn = method_arn(ctx);
    let anonymous = policy.map(|p| p.decide(&arn, ctx, parts, None));
    let resource_denial = |explicit: bool, user: &str| Denial::ResourcePolicy {
        user: user.to_owned(),
        resource: masked(&arn),
        explicit,
    };
    if anonymous == Some(Decision::ExplicitDeny) && !matches!(requirement, Requirement::Iam) {
        return Err(resource_denial(true, "anonymous"));
    }
    let mut usage_identifier_key = None;
    match requirement {
        Requirement::None => {
            if anonymous.is_some_and(|d| d != Decision::Allow) {
                return Err(resource_denial(false, "anonymous"));
            }
        }
        Requirement::Broken => return Err(Denial::Configuration),
        Requirement::Iam => {
            let body = gate
                .body
                .buffer(gate.max_body_bytes)
                .await
                .map_err(Denial::Other)?;
            let identity = gate
                .settings
                .sigv4
                .verify(
                    &SignedRequest {
                        method: parts.method.as_str(),
                        raw_path: parts.uri.path(),
                        raw_query: parts.uri.query().unwrap_or(""),
                        headers: &with_host(parts),
                        body: &body,
                    },
                    SystemTime::now(),
                )
                .map_err(|r| Denial::Other(r.gateway_error()))?;
            if let Some(policy) = policy {
                let iam = Some((identity.user_arn.as_str(), identity.account_id.as_str()));
                if policy.decide(&arn, ctx, parts, iam) == Decision::ExplicitDeny {
                    return Err(resource_denial(true, &identity.user_arn));
                }
            }
            ctx.identity = Some(Arc::new(identity));
        }
        Requirement::Authorizer { authorizer, scopes } => match &**authorizer {
            CompiledAuthorizer::Lambda(lambda) => {
                let request = AuthRequest {
                    ctx,
                    parts,
                    params: gate.params,
                    functions: gate.functions,
                    method_arn: &arn,
                };
                let (answer, latency) = lambda.answer(&request).await?;
                decide(&answer, &arn, ctx, anonymous)?;
                if let Answer::Policy {
                    usage_identifier_key: key,
                    ..
                } = &*answer
                {
                    usage_identifier_key = key.clone();
                }
                ctx.authorizer = Some(Arc::new(lambda_context(&answer, latency)));
            }
            CompiledAuthorizer::Jwt {
                config,
                source,
                verifier,
            } => {
                let verifier = verifier.get_or_init(|| {
                    JwtVerifier::new(gate.settings.jwt_config(config), gate.client.clone())
                });
                let token = token(source, parts);
                let claims = verifier
                    .verify(jwt::bearer_token(token), scopes)
                    .await
                    .map_err(|rejection| Denial::Other(jwt_error(&rejection, ctx.api_kind())))?;
                if anonymous.is_some_and(|d| d != Decision::Allow) {
                    return Err(resource_denial(false, "anonymous"));
                }
                // Built once per token and shared by its requests.
                ctx.authorizer = Some(claims.authorizer_context(ctx.api_kind(), config.cognito));
            }
        },
    }
    if *api_key_required {
        let source = match gate.auth.api_key_source {
            turnpike_model::ApiKeySource::Header => api_key::ApiKeySource::Header,
            turnpike_model::ApiKeySource::Authorizer => api_key::ApiKeySource::Authorizer,
        };
        let key = api_key::check(
            source,
            &parts.headers,
            usage_identifier_key.as_deref(),
            gate.auth.api_keys.as_ref(),
        )
        .await
        .map_err(|r| Denial::Other(r.gateway_error()))?;
        ctx.api_key = Some(key);
        ctx.api_key_value =
            api_key::extract(source, &parts.headers, usage_identifier_key.as_deref())
                .map(Box::from);
    }
    Ok(())
}

/// Whether a Lambda authorizer's answer admits the request for `arn`, given the resource
/// policy's decision.
fn decide(
    answer: &Answer,
    arn: &str,
    ctx: &RequestContext,
    resource_policy: Option<Decision>,
) -> Result<(), Denial> {
    match answer {
        Answer::Simple { authorized, .. } => match authorized {
            true => Ok(()),
            false => Err(Denial::AccessDenied { explicit: false }),
        },
        Answer::Policy { policy, .. } => {
            let caller = Caller {
                source_ip: Some(ctx.source_ip()),
                ..Caller::default()
            };
            match policy::evaluate(policy, arn, &caller) {
                Decision::Allow => Ok(()),
                Decision::ExplicitDeny => Err(Denial::AccessDenied { explicit: true }),
                // Silent authorizer policy, explicit resource-policy allow: allowed (Table A).
                Decision::ImplicitDeny if resource_policy == Some(Decision::Allow) => Ok(()),
                Decision::ImplicitDeny => Err(Denial::AccessDenied { explicit: false }),
            }
        }
    }
}

fn lambda_context(answer: &Answer, latency: u64) -> AuthorizerContext {
    let principal_id = match answer {
        Answer::Policy { principal_id, .. } => principal_id.clone(),
        Answer::Simple { .. } => None,
    };
    AuthorizerContext {
        source: AuthorizerSource::Lambda,
        principal_id,
        context: answer.context().clone(),
        integration_latency: latency,
        ..AuthorizerContext::default()
    }
}

/// The headers a signature is checked against: HTTP/2 carries the host as `:authority`, which
/// signers sign as `host`.
fn with_host(parts: &Parts) -> Cow<'_, HeaderMap> {
    if parts.headers.contains_key(HOST) {
        return Cow::Borrowed(&parts.headers);
    }
    let mut headers = parts.headers.clone();
    if let Some(authority) = parts
        .uri
        .authority()
        .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
    {
        headers.insert(HOST, authority);
    }
    Cow::Owned(headers)
}

/// The token a JWT authorizer reads: its identity source header (empty when absent).
fn token<'p>(source: &IdentitySource, parts: &'p Parts) -> &'p str {
    match source {
        IdentitySource::Header(name) => parts
            .headers
            .get(name.as_str())
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
        _ => "",
    }
}

fn jwt_error(rejection: &jwt::JwtRejection, kind: ApiKind) -> GatewayError {
    let kind_of = match rejection.status() {
        403 => turnpike_model::GatewayResponseType::AccessDenied,
        _ => turnpike_model::GatewayResponseType::Unauthorized,
    };
    let mut error = GatewayError::new(kind_of);
    if kind == ApiKind::Http {
        error.www_authenticate = rejection.www_authenticate();
    }
    error
}
