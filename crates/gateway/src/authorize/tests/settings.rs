//! The gateway-wide settings: JWKS overrides by issuer, IAM credentials.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::authorize::jwt::JwtConfig;
use crate::authorize::settings::AuthSettings;
use crate::authorize::sigv4::{Credentials, SigV4Rejection, SignedRequest};

fn config(issuer: &str) -> JwtConfig {
    JwtConfig {
        issuer: issuer.into(),
        audiences: Vec::new(),
        jwks_url: None,
        cognito: true,
        leeway: Duration::from_secs(60),
    }
}

#[test]
fn jwks_overrides_apply_to_their_issuer_with_or_without_a_trailing_slash() {
    let overrides = BTreeMap::from([(
        "https://issuer.example/pool/".to_owned(),
        "http://127.0.0.1:9/keys".to_owned(),
    )]);
    let settings = AuthSettings::new(Credentials::default(), overrides);
    assert_eq!(
        settings
            .jwt_config(&config("https://issuer.example/pool"))
            .jwks_url
            .as_deref(),
        Some("http://127.0.0.1:9/keys")
    );
    assert_eq!(
        settings
            .jwt_config(&config("https://other.example"))
            .jwks_url,
        None
    );
}

#[test]
fn without_credentials_every_signed_request_is_an_invalid_token() {
    let headers = http::HeaderMap::from_iter([
        (http::header::HOST, "h".parse().unwrap()),
        (
            http::header::AUTHORIZATION,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/us-east-1/execute-api/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=00"
                .parse()
                .unwrap(),
        ),
        (
            http::HeaderName::from_static("x-amz-date"),
            "20261125T120000Z".parse().unwrap(),
        ),
    ]);
    let request = SignedRequest {
        method: "GET",
        raw_path: "/dev/x",
        raw_query: "",
        headers: &headers,
        body: b"",
    };
    let at = std::time::UNIX_EPOCH + Duration::from_secs(1_795_608_000);
    assert_eq!(
        AuthSettings::default().sigv4.verify(&request, at),
        Err(SigV4Rejection::InvalidToken)
    );
}
