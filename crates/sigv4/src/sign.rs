//! Signing an outgoing request: the canonical request, the string to sign, the derived signing
//! key and the `Authorization` header, as "Create a signed AWS API request" describes them. Used
//! for Lambda's Invoke API and the gateway's AWS service integrations.

use crate::credentials::Credentials;
use crate::{
    canonical_query, canonical_uri, encode_into, sha256_hex, signature, signing_key, ALGORITHM,
};
use time::OffsetDateTime;

/// A request about to be signed.
pub struct Unsigned<'a> {
    pub method: &'a str,
    /// The path as sent (already percent-encoded once).
    pub path: &'a str,
    /// The query string as sent, without `?` (empty for none).
    pub query: &'a str,
    /// Headers to sign besides `host` and `x-amz-date`: (lower-case name, value).
    pub headers: &'a [(&'a str, &'a str)],
    pub host: &'a str,
    pub body: &'a [u8],
    pub region: &'a str,
    pub service: &'a str,
}

/// The headers signing adds: (name, value).
pub fn sign(
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
        "{}\n{}\n{}\n{canonical_headers}\n{signed_names}\n{}",
        request.method,
        canonical_uri(request.path),
        canonical_query(request.query, None),
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
pub fn encode_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * 3);
    encode_into(&mut out, name.as_bytes(), false);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's worked example ("Create a signed AWS API request", IAM ListUsers): a GET with a
    /// query string and a signed content type.
    #[test]
    fn signs_aws_documented_query_example() {
        let credentials = Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        };
        let unsigned = Unsigned {
            method: "GET",
            path: "/",
            query: "Action=ListUsers&Version=2010-05-08",
            headers: &[(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )],
            host: "iam.amazonaws.com",
            body: b"",
            region: "us-east-1",
            service: "iam",
        };
        let now = time::macros::datetime!(2015-08-30 12:36:00 UTC);
        let added = sign(&unsigned, &credentials, now);
        assert_eq!(
            added[0].1,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        );
    }

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
