//! The compact JWS form of a JWT, split and decoded without trusting any of it yet.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

use super::JwtRejection;

/// The largest token accepted, in bytes. API Gateway bounds headers at 10 KiB; Cognito's largest
/// tokens (many groups, custom claims) stay well under this.
pub(crate) const MAX_TOKEN_BYTES: usize = 10 * 1024;

/// A token split into its parts; nothing in it has been verified.
#[derive(Debug)]
pub(crate) struct UnverifiedToken<'a> {
    /// The header's `alg`, as the token claims it.
    pub(crate) alg: String,
    /// The header's `kid`, if any.
    pub(crate) kid: Option<String>,
    /// `base64url(header) "." base64url(payload)`: the bytes the signature covers.
    pub(crate) signing_input: &'a str,
    pub(crate) signature: Vec<u8>,
    pub(crate) claims: Map<String, Value>,
}

/// Splits and decodes `token`: exactly three base64url parts, a JSON object header with a string
/// `alg` and no `crit` (no extension is understood, so none may be required), a JSON object payload.
pub(crate) fn parse(token: &str) -> Result<UnverifiedToken<'_>, JwtRejection> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(JwtRejection::TooLarge);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtRejection::Segments);
    };
    let header = decode_object(header)?;
    let claims = decode_object(payload)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| JwtRejection::Malformed)?;
    if header.contains_key("crit") {
        return Err(JwtRejection::Malformed);
    }
    let alg = match header.get("alg") {
        Some(Value::String(alg)) => alg.clone(),
        _ => return Err(JwtRejection::Malformed),
    };
    let kid = match header.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(JwtRejection::Malformed),
    };
    // The signing input is everything before the second dot; both dots exist (checked above).
    let signing_len = token.rfind('.').ok_or(JwtRejection::Malformed)?;
    let signing_input = token.get(..signing_len).ok_or(JwtRejection::Malformed)?;
    Ok(UnverifiedToken {
        alg,
        kid,
        signing_input,
        signature,
        claims,
    })
}

fn decode_object(part: &str) -> Result<Map<String, Value>, JwtRejection> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| JwtRejection::Malformed)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(JwtRejection::Malformed),
    }
}

/// The token in an `Authorization` value: HTTP APIs accept `Bearer <token>` (the scheme, any case,
/// is dropped) as well as the bare token.
pub(crate) fn bearer_token(value: &str) -> &str {
    let value = value.trim();
    match value.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("bearer ") => {
            value.get(7..).unwrap_or("").trim_start()
        }
        _ => value,
    }
}
