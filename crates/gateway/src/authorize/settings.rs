//! What authorization needs from the gateway's configuration rather than from an API: the
//! credentials IAM routes verify signatures against and the JWKS URLs that replace an issuer's
//! own (offline work). Shared by every API of every deployment, so a reload keeps them.

use std::collections::BTreeMap;

use super::jwt::JwtConfig;
use super::sigv4::{Credentials, SigV4Verifier};

/// The gateway-wide authorization settings each request's authorize stage reads.
#[derive(Debug, Clone)]
pub(crate) struct AuthSettings {
    pub(crate) sigv4: SigV4Verifier,
    /// Issuer (as in the authorizer's configuration, without a trailing `/`) → JWKS URL.
    jwks_urls: BTreeMap<String, String>,
}

impl Default for AuthSettings {
    fn default() -> AuthSettings {
        AuthSettings::new(Credentials::default(), BTreeMap::new())
    }
}

impl AuthSettings {
    /// Settings verifying IAM routes against `credentials` and fetching the keys of each issuer
    /// in `jwks_urls` from its URL.
    pub(crate) fn new(credentials: Credentials, jwks_urls: BTreeMap<String, String>) -> Self {
        AuthSettings {
            sigv4: SigV4Verifier::new(credentials),
            jwks_urls: jwks_urls
                .into_iter()
                .map(|(issuer, url)| (issuer.trim_end_matches('/').to_owned(), url))
                .collect(),
        }
    }

    /// `config` with its JWKS URL replaced when its issuer has an override.
    pub(crate) fn jwt_config(&self, config: &JwtConfig) -> JwtConfig {
        let mut config = config.clone();
        if let Some(url) = self.jwks_urls.get(config.issuer.trim_end_matches('/')) {
            config.jwks_url = Some(url.clone());
        }
        config
    }
}
