//! The checks on a verified token's claims and the claims as API Gateway passes them on.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use super::{JwtConfig, JwtRejection};

/// A verified token's claims and scopes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Claims {
    pub(in crate::authorize::jwt) claims: Map<String, Value>,
    pub(in crate::authorize::jwt) scopes: Vec<String>,
}

impl Claims {
    /// The payload as the token carries it.
    #[cfg(test)]
    pub(crate) fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The scopes granted: `scope` split on spaces, else `scp` (array or space separated).
    pub(crate) fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The claims as an HTTP API hands them on (`requestContext.authorizer.jwt.claims`): every
    /// value a string; numbers and booleans in their JSON spelling, arrays as `[a b]`, objects as
    /// JSON text.
    pub(crate) fn stringified(&self) -> Map<String, Value> {
        self.claims
            .iter()
            .map(|(name, value)| (name.clone(), Value::String(stringify(value))))
            .collect()
    }

    /// The claims as a REST Cognito authorizer hands them on (`requestContext.authorizer.claims`,
    /// `$context.authorizer.claims.*`): every value a string, arrays joined with `,`, and `exp`
    /// and `iat` as dates in Java's `Date` form (`Sun Dec 17 07:28:12 UTC 2017`).
    pub(crate) fn rest_stringified(&self) -> Map<String, Value> {
        self.claims
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

/// Checks `claims` against `config` at `now`: `exp` (required), `nbf` and `iat` within the
/// leeway, `iss`,
/// `aud` (or `client_id` when the token has no `aud`) against the audiences (skipped when the
/// list is empty: a REST Cognito authorizer accepts any app client of its pool), Cognito's
/// `token_use`, and at least one of `required_scopes`.
pub(crate) fn check(
    config: &JwtConfig,
    claims: Map<String, Value>,
    required_scopes: &[String],
    now: SystemTime,
) -> Result<Claims, JwtRejection> {
    let now = now
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs_f64();
    let leeway = config.leeway.as_secs_f64();
    let exp = claims
        .get("exp")
        .and_then(Value::as_f64)
        .ok_or(JwtRejection::Claim("exp"))?;
    if now >= exp + leeway {
        return Err(JwtRejection::Expired);
    }
    // `iat` in the future is refused like `nbf` (AWS: "must be before the current time").
    for name in ["nbf", "iat"] {
        if let Some(value) = claims.get(name) {
            let at = value.as_f64().ok_or(JwtRejection::Claim(name))?;
            if now + leeway < at {
                return Err(JwtRejection::NotYetValid);
            }
        }
    }
    match claims.get("iss") {
        Some(Value::String(iss)) if *iss == config.issuer => {}
        Some(Value::String(_)) => return Err(JwtRejection::Issuer),
        _ => return Err(JwtRejection::Claim("iss")),
    }
    if !config.audiences.is_empty() && !audience_matches(&claims, &config.audiences) {
        return Err(JwtRejection::Audience);
    }
    if config.cognito {
        match claims.get("token_use").and_then(Value::as_str) {
            Some("id" | "access") => {}
            _ => return Err(JwtRejection::TokenUse),
        }
    }
    let scopes = scopes(&claims);
    if !required_scopes.is_empty() && !required_scopes.iter().any(|s| scopes.contains(s)) {
        return Err(if config.cognito {
            JwtRejection::CognitoScope
        } else {
            JwtRejection::Scope
        });
    }
    Ok(Claims { claims, scopes })
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
