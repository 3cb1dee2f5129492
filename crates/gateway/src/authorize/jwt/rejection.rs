//! Why a token was refused, and how API Gateway answers each reason.

/// A refused token. HTTP APIs answer 401 `{"message":"Unauthorized"}` with a `www-authenticate`
/// header for every reason but a missing scope (403 `{"message":"Forbidden"}`); REST Cognito
/// authorizers answer 401 `{"message":"Unauthorized"}` without the header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum JwtRejection {
    /// No token in the identity source.
    #[error("missing token")]
    Missing,
    #[error("the token exceeds the maximum size")]
    TooLarge,
    /// Not three dot-separated parts. AWS's words, captured from HTTP API JWT authorizers
    /// answering an opaque bearer token (`Bearer not-a-token`).
    #[error("token contains an invalid number of segments")]
    Segments,
    /// Three parts, but not base64url JSON objects with a string `alg` (and no `crit`).
    #[error("the token is malformed")]
    Malformed,
    /// The header names an algorithm no key of the issuer verifies (`none`, `HS256`, ...), or
    /// not the algorithm of the key its `kid` names.
    #[error("signing method {0} is invalid")]
    Algorithm(String),
    /// No key of the issuer's key set has the token's `kid` (after a refetch).
    #[error("the token's signing key is not in the issuer's key set")]
    UnknownKey,
    /// The issuer's key set could not be fetched.
    #[error("the issuer's signing keys are unavailable")]
    KeysUnavailable,
    #[error("the token signature is invalid")]
    Signature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token does not have a valid issuer")]
    Issuer,
    #[error("the token does not have a valid audience")]
    Audience,
    /// A Cognito token whose `token_use` is neither `id` nor `access`.
    #[error("the token does not have a valid token_use")]
    TokenUse,
    /// A claim the check needs (`exp`, `iss`) is absent or not of its type.
    #[error("the token is missing a valid {0} claim")]
    Claim(&'static str),
    /// The token carries none of the route's authorization scopes (HTTP API: 403).
    #[error("the token does not have a required scope")]
    Scope,
    /// As [`JwtRejection::Scope`] for a REST Cognito authorizer, which answers 401.
    #[error("the token does not have a required scope")]
    CognitoScope,
}

impl JwtRejection {
    /// The response status: 403 for a missing scope on an HTTP API, else 401.
    pub(crate) fn status(&self) -> u16 {
        match self {
            JwtRejection::Scope => 403,
            _ => 401,
        }
    }

    /// The response body, exactly as API Gateway sends it (the stage renders it through the
    /// gateway responses; tests check the two agree).
    #[cfg(test)]
    pub(crate) fn body(&self) -> &'static str {
        match self.status() {
            403 => r#"{"message":"Forbidden"}"#,
            _ => r#"{"message":"Unauthorized"}"#,
        }
    }

    /// The `www-authenticate` value an HTTP API JWT authorizer sends with a 401, e.g.
    /// `Bearer scope="" error="invalid_token" error_description="the token has expired"`; a
    /// missing token gets the bare scheme, `Bearer` (as captured from AWS). `None` for the 403.
    /// REST APIs send no such header.
    pub(crate) fn www_authenticate(&self) -> Option<String> {
        match self {
            JwtRejection::Missing => Some("Bearer".to_owned()),
            JwtRejection::Scope => None,
            other => Some(format!(
                r#"Bearer scope="" error="invalid_token" error_description="{other}""#
            )),
        }
    }
}
