//! JWT verification for HTTP API JWT authorizers and REST `COGNITO_USER_POOLS` authorizers.
//!
//! A token is split and decoded (`token`), its key found by `kid` in the issuer's cached key set
//! (`jwks`), its signature verified under the key's own algorithm (`key`: a header `alg` that
//! differs is refused, so `none` and HMAC-with-the-public-key tokens never verify), and its claims
//! checked (`claims`). Every refusal is a [`JwtRejection`] that knows API Gateway's answer.
//!
//! A token that verified is remembered by its exact bytes with its claims already read
//! (`verified`), so the same token again costs a lookup, the clock and the route's scopes, as
//! long as the issuer still serves the key that verified it.

mod claims;
mod jwks;
mod key;
mod rejection;
mod token;
mod verified;

#[cfg(test)]
mod tests;

use std::time::{Duration, SystemTime};

pub(crate) use claims::Claims;
pub(crate) use rejection::JwtRejection;
pub(crate) use token::{bearer_token, MAX_TOKEN_BYTES};

use crate::integrate::UpstreamClient;
use jwks::{KeySet, KeySource, Lookup};
use verified::{Verified, VerifiedTokens};

/// What a JWT or Cognito authorizer accepts.
#[derive(Debug, Clone)]
pub(crate) struct JwtConfig {
    /// The exact `iss` tokens must carry, e.g. `https://cognito-idp.{region}.amazonaws.com/{poolId}`.
    pub(crate) issuer: String,
    /// Accepted `aud` (or `client_id`) values; empty accepts any (REST Cognito authorizers).
    pub(crate) audiences: Vec<String>,
    /// Where the JWKS is; `None`: `{issuer}/.well-known/jwks.json` for Cognito, else the
    /// `jwks_uri` of `{issuer}/.well-known/openid-configuration`.
    pub(crate) jwks_url: Option<String>,
    /// Cognito user pool rules: `token_use` must be `id` or `access`, a missing scope is a 401.
    pub(crate) cognito: bool,
    /// Clock skew tolerated on `exp` and `nbf`.
    pub(crate) leeway: Duration,
}

/// Verifies tokens of one issuer; share one per authorizer (it caches the issuer's keys).
pub(crate) struct JwtVerifier {
    config: JwtConfig,
    keys: KeySet,
    /// Boxed: the verifier lives in an enum variant beside much smaller ones.
    verified: Box<VerifiedTokens>,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl JwtVerifier {
    /// A verifier fetching keys with `client` (the pipeline's shared upstream client). Nothing is
    /// fetched until the first token arrives.
    pub(crate) fn new(config: JwtConfig, client: UpstreamClient) -> JwtVerifier {
        let issuer = config.issuer.trim_end_matches('/');
        let source = match (&config.jwks_url, config.cognito) {
            (Some(url), _) => KeySource::Jwks(url.clone()),
            (None, true) => KeySource::Jwks(format!("{issuer}/.well-known/jwks.json")),
            (None, false) => {
                KeySource::Discovery(format!("{issuer}/.well-known/openid-configuration"))
            }
        };
        JwtVerifier {
            keys: KeySet::new(source, client),
            config,
            verified: Box::default(),
        }
    }

    /// How many verified signatures are remembered (tests).
    #[cfg(test)]
    pub(crate) fn remembered(&self) -> usize {
        self.verified.len()
    }

    /// This verifier, refetching keys at most once per `interval` (tests).
    #[cfg(test)]
    pub(crate) fn with_refetch_interval(mut self, interval: Duration) -> JwtVerifier {
        self.keys.set_refetch_interval(interval);
        self
    }

    /// Verifies `token` (already taken out of its header, see [`bearer_token`]) and requires at
    /// least one of `required_scopes` (none when empty).
    pub(crate) async fn verify(
        &self,
        token: &str,
        required_scopes: &[String],
    ) -> Result<Claims, JwtRejection> {
        self.verify_at(token, required_scopes, SystemTime::now())
            .await
    }

    /// [`JwtVerifier::verify`] at the time `now`.
    pub(crate) async fn verify_at(
        &self,
        token: &str,
        required_scopes: &[String],
        now: SystemTime,
    ) -> Result<Claims, JwtRejection> {
        if token.is_empty() {
            return Err(JwtRejection::Missing);
        }
        if token.len() > MAX_TOKEN_BYTES {
            return Err(JwtRejection::TooLarge);
        }
        // A token seen before: its signature and claims were settled then; only the key it was
        // verified with must still be the issuer's, and the clock and route scopes checked.
        if let Some(known) = self.verified.get(token) {
            if let Lookup::Found(key) = self.keys.find(&known.kid).await {
                if key == known.key {
                    known.claims.check(&self.config, required_scopes, now)?;
                    return Ok(known.claims.clone());
                }
            }
            // The key is gone or was replaced: verify afresh (and answer why not, if not).
        }
        let token_text = token;
        let token = token::parse(token)?;
        // Refuse algorithms no JWKS key can have before looking keys up, so `none`/HS256 tokens
        // cannot trigger a refetch.
        if !matches!(
            token.alg.as_str(),
            "RS256" | "RS384" | "RS512" | "ES256" | "ES384"
        ) {
            return Err(JwtRejection::Algorithm(token.alg));
        }
        // AWS requires a `kid` naming a key of the issuer's set.
        let Some(kid) = token.kid else {
            return Err(JwtRejection::UnknownKey);
        };
        let key = match self.keys.find(&kid).await {
            Lookup::Found(key) => key,
            Lookup::Unknown => return Err(JwtRejection::UnknownKey),
            Lookup::Unavailable => return Err(JwtRejection::KeysUnavailable),
        };
        if key.alg.name() != token.alg {
            return Err(JwtRejection::Algorithm(token.alg));
        }
        if !key.verify(token.signing_input.as_bytes(), &token.signature) {
            return Err(JwtRejection::Signature);
        }
        let claims = Claims::read(&self.config, token.claims);
        // Remembered whatever the claims say: presenting it again (expired, say) is answered
        // without another verification.
        self.verified.remember(
            token_text,
            Verified {
                kid,
                key,
                claims: claims.clone(),
            },
        );
        claims.check(&self.config, required_scopes, now)?;
        Ok(claims)
    }
}
