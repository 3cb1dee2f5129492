//! AWS Signature Version 4 for Lambda's Invoke API: the canonical request, the string to sign,
//! the derived signing key and the `Authorization` header, as "Create a signed AWS API request"
//! describes them. Only what a JSON POST without a query string needs.

use time::OffsetDateTime;
use turnpike_sigv4::{canonical_uri, encode_into, sha256_hex, signature, signing_key, ALGORITHM};

use super::credentials::Credentials;

/// A request about to be signed.
pub(crate) struct Unsigned<'a> {
    pub(crate) method: &'a str,
    /// The path as sent (already percent-encoded once).
    pub(crate) path: &'a str,
    /// Headers to sign besides `host` and `x-amz-date`: (lower-case name, value).
    pub(crate) headers: &'a [(&'a str, &'a str)],
    pub(crate) host: &'a str,
    pub(crate) body: &'a [u8],
    pub(crate) region: &'a str,
    pub(crate) service: &'a str,
}

/// The headers signing adds: (name, value).
pub(crate) fn sign(
    request: &Unsigned<'_>,
    credentials: &Credentials,
    now: OffsetDateTime,
) -> Vec<(&'static str, String)> {
    let amz_date = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let date = amz_date.get(..8).unwrap_or_default();
    let mut signed: Vec<(String, String)> = vec![
        ("host".into(), request.host.to_string()),
        ("x-amz-date".into(), amz_date.clone()),
    ];
    if let Some(token) = &credentials.session_token {
        signed.push(("x-amz-security-token".into(), token.clone()));
    }
    for (name, value) in request.headers {
        signed.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
    signed.sort();
    let signed_names: Vec<&str> = signed.iter().map(|(n, _)| n.as_str()).collect();
    let signed_names = signed_names.join(";");
    let canonical_headers: String = signed
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let canonical_request = format!(
        "{}\n{}\n\n{canonical_headers}\n{signed_names}\n{}",
        request.method,
        canonical_uri(request.path),
        sha256_hex(request.body)
    );
    let scope = format!("{date}/{}/{}/aws4_request", request.region, request.service);
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let key = signing_key(
        &credentials.secret_access_key,
        date,
        request.region,
        request.service,
    );
    let signature = signature(&key, &string_to_sign);
    let mut added = vec![
        (
            "authorization",
            format!(
                "{ALGORITHM} Credential={}/{scope}, SignedHeaders={signed_names}, Signature={signature}",
                credentials.access_key_id
            ),
        ),
        ("x-amz-date", amz_date),
    ];
    if let Some(token) = &credentials.session_token {
        added.push(("x-amz-security-token", token.clone()));
    }
    added
}

/// `{name}` percent-encoded as a path segment (everything but unreserved characters).
pub(crate) fn encode_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * 3);
    encode_into(&mut out, name.as_bytes(), false);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_encoded_twice_for_signing() {
        let name = encode_segment("arn:aws:lambda:us-east-1:123456789012:function:f");
        assert_eq!(
            name,
            "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af"
        );
        assert_eq!(
            canonical_uri(&format!("/2015-03-31/functions/{name}/invocations")),
            "/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-east-1%253A123456789012%253Afunction%253Af/invocations"
        );
    }
}
