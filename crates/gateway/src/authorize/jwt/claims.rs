//! The checks on a verified token's claims and the claims as API Gateway passes them on.
//!
//! A token's claims are read once, when its signature first verifies ([`Claims::read`]): what
//! cannot change between requests (issuer, audience, `token_use`, the scopes granted, the claims
//! as handed on) is settled then, so each request only checks the clock and the route's scopes
//! ([`Claims::check`]) and shares the handed-on claims instead of rebuilding them.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use turnpike_model::ApiKind;

use super::{JwtConfig, JwtRejection};
use crate::authorize::{AuthorizerContext, AuthorizerSource};

/// A verified token's claims and scopes; cheap to clone (shared).
#[derive(Clone)]
pub(crate) struct Claims(Arc<ClaimSet>);

struct ClaimSet {
    claims: Map<String, Value>,
    scopes: Vec<String>,
    /// `exp` when it is a number.
    exp: Option<f64>,
    /// `nbf` then `iat`: absent, not a number (`Err(name)`), or the time.
    not_before: [Option<Result<f64, &'static str>>; 2],
    /// The verdict on `iss`, `aud` and `token_use`: it depends only on the configuration.
    fixed: Result<(), JwtRejection>,
    /// `token_use` is `id`: a Cognito method without scopes takes only ID tokens.
    id_token: bool,
    /// What `$context.authorizer` holds, built on first use: REST, HTTP API.
    contexts: [OnceLock<Arc<AuthorizerContext>>; 2],
}

impl std::fmt::Debug for Claims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Claims")
            .field("claims", &self.0.claims)
            .field("scopes", &self.0.scopes)
            .finish()
    }
}

impl PartialEq for Claims {
    fn eq(&self, other: &Claims) -> bool {
        self.0.claims == other.0.claims && self.0.scopes == other.0.scopes
    }
}

impl Claims {
    /// Reads a verified token's `claims` for `config`, settling everything but time and scopes.
    pub(in crate::authorize::jwt) fn read(
        config: &JwtConfig,
        claims: Map<String, Value>,
    ) -> Claims {
        let number = |name: &'static str| claims.get(name).map(|value| value.as_f64().ok_or(name));
        let not_before = [number("nbf"), number("iat")];
        let exp = claims.get("exp").and_then(Value::as_f64);
        let fixed = fixed_checks(config, &claims);
        let id_token = claims.get("token_use").and_then(Value::as_str) == Some("id");
        let scopes = scopes(&claims);
        Claims(Arc::new(ClaimSet {
            claims,
            scopes,
            exp,
            not_before,
            fixed,
            id_token,
            contexts: Default::default(),
        }))
    }

    /// Claims taken as they are, for tests of how they are handed on.
    #[cfg(test)]
    pub(crate) fn unchecked(claims: Map<String, Value>) -> Claims {
        let config = JwtConfig {
            issuer: String::new(),
            audiences: Vec::new(),
            jwks_url: None,
            cognito: false,
            leeway: Duration::ZERO,
        };
        Claims::read(&config, claims)
    }

    /// The payload as the token carries it.
    #[cfg(test)]
    pub(crate) fn claims(&self) -> &Map<String, Value> {
        &self.0.claims
    }

    /// The scopes granted: `scope` split on spaces, else `scp` (array or space separated).
    #[cfg(test)]
    pub(crate) fn scopes(&self) -> &[String] {
        &self.0.scopes
    }

    /// Checks the claims against `config` at `now`, in this order: `exp` (required), `nbf` and
    /// `iat` within the leeway, `iss`, `aud` (or `client_id` when the token has no `aud`) against
    /// the audiences (skipped when the list is empty: a REST Cognito authorizer accepts any app
    /// client of its pool), Cognito's `token_use`, and at least one of `required_scopes`.
    ///
    /// A Cognito method without scopes takes only ID tokens, and one with scopes only tokens
    /// granting one of them, which ID tokens never do ("If you didn't configure any scopes on
    /// the API Gateway method, then make sure that you use a valid ID token").
    pub(crate) fn check(
        &self,
        config: &JwtConfig,
        required_scopes: &[String],
        now: SystemTime,
    ) -> Result<(), JwtRejection> {
        let set = &*self.0;
        let now = now
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs_f64();
        let leeway = config.leeway.as_secs_f64();
        let exp = set.exp.ok_or(JwtRejection::Claim("exp"))?;
        if now >= exp + leeway {
            return Err(JwtRejection::Expired);
        }
        // `iat` in the future is refused like `nbf` (AWS: "must be before the current time").
        for at in set.not_before.iter().flatten() {
            let at = at.map_err(JwtRejection::Claim)?;
            if now + leeway < at {
                return Err(JwtRejection::NotYetValid);
            }
        }
        set.fixed.clone()?;
        if config.cognito && required_scopes.is_empty() && !set.id_token {
            return Err(JwtRejection::TokenUse);
        }
        if !required_scopes.is_empty() && !required_scopes.iter().any(|s| set.scopes.contains(s)) {
            return Err(if config.cognito {
                JwtRejection::CognitoScope
            } else {
                JwtRejection::Scope
            });
        }
        Ok(())
    }

    /// `$context.authorizer` for an API of `kind`: the claims in that kind's spelling and the
    /// scopes. Built once per token and kind, then shared by every request presenting it.
    pub(crate) fn authorizer_context(
        &self,
        kind: ApiKind,
        cognito: bool,
    ) -> Arc<AuthorizerContext> {
        let slot = match kind {
            ApiKind::Rest => &self.0.contexts[0],
            ApiKind::Http => &self.0.contexts[1],
        };
        slot.get_or_init(|| {
            Arc::new(AuthorizerContext {
                source: if cognito {
                    AuthorizerSource::Cognito
                } else {
                    AuthorizerSource::Jwt
                },
                // REST hands Cognito claims on in its own spelling (dates, `a,b` lists).
                claims: Some(match kind {
                    ApiKind::Rest => self.rest_stringified(),
                    ApiKind::Http => self.stringified(),
                }),
                scopes: Some(self.0.scopes.clone()),
                ..AuthorizerContext::default()
            })
        })
        .clone()
    }

    /// The claims as an HTTP API hands them on (`requestContext.authorizer.jwt.claims`): every
    /// value a string; numbers and booleans in their JSON spelling, arrays as `[a b]`, objects as
    /// JSON text.
    pub(crate) fn stringified(&self) -> Map<String, Value> {
        self.0
            .claims
            .iter()
            .map(|(name, value)| (name.clone(), Value::String(stringify(value))))
            .collect()
    }

    /// The claims as a REST Cognito authorizer hands them on (`requestContext.authorizer.claims`,
    /// `$context.authorizer.claims.*`): every value a string, arrays joined with `,`, and `exp`
    /// and `iat` as dates in Java's `Date` form (`Sun Dec 17 07:28:12 UTC 2017`).
    pub(crate) fn rest_stringified(&self) -> Map<String, Value> {
        self.0
            .claims
            .iter()
            .map(|(name, value)| {
                let text = match (name.as_str(), value) {
                    ("exp" | "iat", Value::Number(n)) => n
                        .as_i64()
                        .and_then(java_date)
                        .unwrap_or_else(|| n.to_string()),
                    (_, Value::Array(items)) => {
                        items.iter().map(stringify).collect::<Vec<_>>().join(",")
                    }
                    (_, other) => stringify(other),
                };
                (name.clone(), Value::String(text))
            })
            .collect()
    }
}

/// `EEE MMM dd HH:mm:ss zzz yyyy` in UTC, as Java's `Date.toString` writes it.
fn java_date(seconds: i64) -> Option<String> {
    let at = time::OffsetDateTime::from_unix_timestamp(seconds).ok()?;
    let weekday = match at.weekday() {
        time::Weekday::Monday => "Mon",
        time::Weekday::Tuesday => "Tue",
        time::Weekday::Wednesday => "Wed",
        time::Weekday::Thursday => "Thu",
        time::Weekday::Friday => "Fri",
        time::Weekday::Saturday => "Sat",
        time::Weekday::Sunday => "Sun",
    };
    let month = at.month().to_string();
    Some(format!(
        "{weekday} {} {:02} {:02}:{:02}:{:02} UTC {}",
        month.get(..3)?,
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.year()
    ))
}

fn stringify(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(stringify).collect();
            format!("[{}]", items.join(" "))
        }
        other => other.to_string(),
    }
}

/// `iss`, `aud` (or `client_id`) and Cognito's `token_use`, which no request changes.
fn fixed_checks(config: &JwtConfig, claims: &Map<String, Value>) -> Result<(), JwtRejection> {
    match claims.get("iss") {
        Some(Value::String(iss)) if *iss == config.issuer => {}
        Some(Value::String(_)) => return Err(JwtRejection::Issuer),
        _ => return Err(JwtRejection::Claim("iss")),
    }
    if !config.audiences.is_empty() && !audience_matches(claims, &config.audiences) {
        return Err(JwtRejection::Audience);
    }
    if config.cognito {
        match claims.get("token_use").and_then(Value::as_str) {
            Some("id" | "access") => {}
            _ => return Err(JwtRejection::TokenUse),
        }
    }
    Ok(())
}

/// `aud` decides when present (string or array); `client_id` only when `aud` is absent.
fn audience_matches(claims: &Map<String, Value>, audiences: &[String]) -> bool {
    let allowed = |value: &str| audiences.iter().any(|a| a == value);
    match claims.get("aud") {
        Some(Value::String(aud)) => allowed(aud),
        Some(Value::Array(auds)) => auds.iter().filter_map(Value::as_str).any(allowed),
        Some(_) => false,
        None => claims
            .get("client_id")
            .and_then(Value::as_str)
            .is_some_and(allowed),
    }
}

fn scopes(claims: &Map<String, Value>) -> Vec<String> {
    let split = |text: &str| {
        text.split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    match (claims.get("scope"), claims.get("scp")) {
        (Some(Value::String(scope)), _) => split(scope),
        (_, Some(Value::String(scp))) => split(scp),
        (_, Some(Value::Array(scp))) => scp
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}
