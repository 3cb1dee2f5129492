//! IAM authorization: AWS Signature Version 4 for the `execute-api` service, verified against
//! credentials configured locally ([`Credentials`], a `~/.aws/credentials`-style file).
//!
//! Both placements AWS accepts are verified: the `Authorization` header (with `X-Amz-Date` and,
//! for temporary credentials, `X-Amz-Security-Token` headers) and the presigned query string
//! (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`,
//! `X-Amz-Signature`, `X-Amz-Security-Token`). `turnpike_sigv4` (shared with the remote Lambda
//! signer) canonicalises the parts as AWS does; `parse` reads either placement; refusals carry AWS's messages ([`SigV4Rejection`]).

mod credentials;
mod parse;
mod rejection;

#[cfg(test)]
mod tests;

use std::time::SystemTime;

use http::HeaderMap;
use ring::hmac;

pub(crate) use credentials::Credentials;
pub use credentials::CredentialsError;
pub(crate) use rejection::SigV4Rejection;

use parse::{Placement, SignedAuth};
use turnpike_sigv4 as canonical;

/// The service name requests must be signed for.
const SERVICE: &str = "execute-api";

/// The request as the verifier needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignedRequest<'a> {
    /// The method, e.g. `GET`.
    pub(crate) method: &'a str,
    /// The path exactly as on the request line, still percent-encoded (stage prefix included).
    pub(crate) raw_path: &'a str,
    /// The query string as sent, without `?` (empty if none).
    pub(crate) raw_query: &'a str,
    /// The request headers; must hold `host` (for HTTP/2, the `:authority`).
    pub(crate) headers: &'a HeaderMap,
    /// The whole request body.
    pub(crate) body: &'a [u8],
}

/// Who signed a request: `$context.identity.*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallerIdentity {
    /// `$context.identity.accessKey`.
    pub(crate) access_key: String,
    /// `$context.identity.accountId`: the profile's `aws_account_id` (default `000000000000`).
    pub(crate) account_id: String,
    /// `$context.identity.caller`: the principal id; locally, the access key id.
    pub(crate) caller: String,
    /// `$context.identity.user`: as `caller`.
    pub(crate) user: String,
    /// `$context.identity.userArn`: `arn:aws:iam::{account}:user/{profile name}`.
    pub(crate) user_arn: String,
}

/// Verifies SigV4 signatures with a fixed set of credentials, for one region.
#[derive(Debug, Clone)]
pub(crate) struct SigV4Verifier {
    credentials: Credentials,
    region: String,
}

impl SigV4Verifier {
    /// A verifier for the gateway's region, [`turnpike_model::REGION`].
    pub(crate) fn new(credentials: Credentials) -> SigV4Verifier {
        SigV4Verifier {
            credentials,
            region: turnpike_model::REGION.to_owned(),
        }
    }

    /// This verifier, requiring credential scopes of `region` instead.
    #[cfg(test)]
    pub(crate) fn with_region(mut self, region: impl Into<String>) -> SigV4Verifier {
        self.region = region.into();
        self
    }

    /// Verifies `request` at the time `now`; on success, who signed it.
    pub(crate) fn verify(
        &self,
        request: &SignedRequest<'_>,
        now: SystemTime,
    ) -> Result<CallerIdentity, SigV4Rejection> {
        let auth = parse::signed_auth(request, &self.region, now)?;
        let profile = self
            .credentials
            .get(&auth.access_key)
            .ok_or(SigV4Rejection::InvalidToken)?;
        if profile.session_token.as_deref() != auth.security_token.as_deref() {
            return Err(SigV4Rejection::InvalidToken);
        }
        let canonical_request = canonical_request(request, &auth);
        let string_to_sign = format!(
            "{}\n{}\n{}\n{}",
            canonical::ALGORITHM,
            auth.date,
            auth.scope,
            canonical::sha256_hex(canonical_request.as_bytes())
        );
        let key = canonical::signing_key(
            &profile.secret_access_key,
            &auth.scope_date,
            &auth.region,
            SERVICE,
        );
        let provided = canonical::unhex(&auth.signature).unwrap_or_default();
        // `hmac::verify` compares in constant time.
        if hmac::verify(&key, string_to_sign.as_bytes(), &provided).is_err() {
            return Err(SigV4Rejection::Mismatch {
                canonical_request,
                string_to_sign,
            });
        }
        Ok(CallerIdentity {
            access_key: profile.access_key_id.clone(),
            account_id: profile.account_id.clone(),
            caller: profile.access_key_id.clone(),
            user: profile.access_key_id.clone(),
            user_arn: format!("arn:aws:iam::{}:user/{}", profile.account_id, profile.name),
        })
    }
}

/// The canonical request: method, URI, query, headers, signed header names, payload hash.
fn canonical_request(request: &SignedRequest<'_>, auth: &SignedAuth) -> String {
    let query = match auth.placement {
        Placement::Header => canonical::canonical_query(request.raw_query, None),
        Placement::Query => canonical::canonical_query(request.raw_query, Some("X-Amz-Signature")),
    };
    let mut out = String::with_capacity(512);
    out.push_str(request.method);
    out.push('\n');
    out.push_str(&canonical::canonical_uri(request.raw_path));
    out.push('\n');
    out.push_str(&query);
    out.push('\n');
    for name in &auth.signed_headers {
        let values: Vec<String> = request
            .headers
            .get_all(name.as_str())
            .iter()
            .map(|v| canonical::trim_all(&String::from_utf8_lossy(v.as_bytes())))
            .collect();
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&auth.signed_headers.join(";"));
    out.push('\n');
    // The body's own hash, always: a signed `x-amz-content-sha256` that differs from the body
    // (or says UNSIGNED-PAYLOAD) must not let a changed body through.
    out.push_str(&canonical::sha256_hex(request.body));
    out
}
