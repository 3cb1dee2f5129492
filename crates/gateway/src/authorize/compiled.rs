//! An API's access control, compiled once per deployment: its authorizers (each with its own
//! cache or key set, shared by every worker through the snapshot), each route's requirement, the
//! resource policy and the verifiers for IAM and API keys.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use turnpike_model::{Api, ApiKeySource, Authorizer, AuthorizerKind, IdentitySource, RouteAuth};

use super::api_key::{ApiKeyLookup, InMemoryApiKeys};
use super::jwt::{JwtConfig, JwtVerifier};
use super::lambda::LambdaAuthorizer;
use super::resource_policy::ResourcePolicy;

/// Clock skew tolerated on a token's `exp` and `nbf`.
const JWT_LEEWAY: Duration = Duration::from_secs(60);

/// An authorizer, compiled.
#[derive(Debug)]
pub(crate) enum CompiledAuthorizer {
    Lambda(LambdaAuthorizer),
    /// JWT (HTTP API) or Cognito user pool (REST) authorizer. The verifier is made on first use,
    /// with the gateway's upstream client to fetch keys with.
    Jwt {
        config: JwtConfig,
        source: IdentitySource,
        verifier: OnceLock<JwtVerifier>,
    },
}

/// What a route requires.
#[derive(Debug, Clone)]
pub(crate) enum Requirement {
    None,
    Iam,
    Authorizer {
        authorizer: Arc<CompiledAuthorizer>,
        scopes: Vec<String>,
    },
    /// The route names an authorizer that could not be compiled: every request is refused.
    Broken,
}

/// One API's access control.
pub(crate) struct ApiAuth {
    pub(crate) routes: Vec<(Requirement, bool)>,
    pub(crate) resource_policy: Option<ResourcePolicy>,
    pub(crate) api_key_source: ApiKeySource,
    pub(crate) api_keys: Arc<dyn ApiKeyLookup>,
}

impl std::fmt::Debug for ApiAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiAuth")
            .field("routes", &self.routes)
            .field("resource_policy", &self.resource_policy)
            .finish_non_exhaustive()
    }
}

impl ApiAuth {
    /// Compiles `api`'s access control. Until the gateway is given an API key store, API key
    /// checks run against an empty one and refuse every caller. IAM credentials and JWKS
    /// overrides are the gateway's ([`AuthSettings`](super::settings::AuthSettings)).
    pub(crate) fn compile(api: &Api, problems: &mut Vec<String>) -> ApiAuth {
        let authorizers: BTreeMap<&str, Arc<CompiledAuthorizer>> = api
            .authorizers
            .values()
            .filter_map(|a| compile_authorizer(a, problems).map(|c| (a.name.as_str(), Arc::new(c))))
            .collect();
        let routes = api
            .routes
            .iter()
            .map(|route| {
                let requirement = match &route.auth {
                    RouteAuth::None => Requirement::None,
                    RouteAuth::Iam => Requirement::Iam,
                    RouteAuth::Authorizer { name, scopes } => match authorizers.get(name.as_str()) {
                        Some(a) => Requirement::Authorizer {
                            authorizer: a.clone(),
                            scopes: scopes.clone(),
                        },
                        None => {
                            problems.push(format!("{}: authorizer {name} cannot be used; its requests are refused", route.key));
                            Requirement::Broken
                        }
                    },
                };
                (requirement, route.api_key_required)
            })
            .collect();
        ApiAuth {
            routes,
            resource_policy: api
                .resource_policy
                .as_ref()
                .map(|p| ResourcePolicy::compile(p, &api.id)),
            api_key_source: api.api_key_source,
            api_keys: Arc::new(InMemoryApiKeys::default()),
        }
    }
}

fn compile_authorizer(
    authorizer: &Authorizer,
    problems: &mut Vec<String>,
) -> Option<CompiledAuthorizer> {
    match authorizer.kind {
        AuthorizerKind::Token | AuthorizerKind::Request => Some(CompiledAuthorizer::Lambda(
            LambdaAuthorizer::compile(authorizer, problems),
        )),
        AuthorizerKind::Jwt | AuthorizerKind::CognitoUserPools => {
            let cognito = authorizer.kind == AuthorizerKind::CognitoUserPools;
            let (issuer, audiences) = match (&authorizer.jwt, authorizer.provider_arns.first()) {
                (Some(jwt), _) => (jwt.issuer.clone(), jwt.audience.clone()),
                (None, Some(pool)) if cognito => match cognito_issuer(pool) {
                    Some(issuer) => (issuer, Vec::new()),
                    None => {
                        problems.push(format!(
                            "authorizer {}: {pool} is not a Cognito user pool ARN",
                            authorizer.name
                        ));
                        return None;
                    }
                },
                _ => {
                    problems.push(format!("authorizer {} has no issuer", authorizer.name));
                    return None;
                }
            };
            let source = authorizer
                .identity_sources
                .first()
                .cloned()
                .unwrap_or_else(|| IdentitySource::Header("Authorization".into()));
            Some(CompiledAuthorizer::Jwt {
                config: JwtConfig {
                    issuer,
                    audiences,
                    jwks_url: None,
                    cognito,
                    leeway: JWT_LEEWAY,
                },
                source,
                verifier: OnceLock::new(),
            })
        }
    }
}

/// `arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}` →
/// `https://cognito-idp.{region}.amazonaws.com/{poolId}`.
fn cognito_issuer(arn: &str) -> Option<String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "cognito-idp", region, _, resource] => {
            let pool = resource.strip_prefix("userpool/")?;
            Some(format!("https://cognito-idp.{region}.amazonaws.com/{pool}"))
        }
        _ => None,
    }
}
