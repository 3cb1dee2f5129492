use http::{HeaderMap, HeaderValue};

use std::sync::Arc;

use super::*;

fn record(id: &str, enabled: bool) -> ApiKeyRecord {
    ApiKeyRecord {
        id: id.to_owned(),
        name: format!("{id}-name"),
        enabled,
        usage_plan_ids: Vec::new(),
    }
}

fn keys() -> InMemoryApiKeys {
    InMemoryApiKeys::new([
        ("abcdefghijklmnopqrstuvwxyz0123", record("k1", true)),
        ("disabled-key-value-0123456789", record("k2", false)),
    ])
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        headers.append(
            http::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    headers
}

#[tokio::test]
async fn header_key_is_found_case_insensitively() {
    let headers = headers(&[("X-API-Key", "abcdefghijklmnopqrstuvwxyz0123")]);
    let found = check(ApiKeySource::Header, &headers, None, &keys()).await;
    assert_eq!(found, Ok(Arc::new(record("k1", true))));
}

#[tokio::test]
async fn missing_unknown_and_disabled_keys_are_refused() {
    let keys = keys();
    let none = headers(&[]);
    assert_eq!(
        check(ApiKeySource::Header, &none, None, &keys).await,
        Err(ApiKeyRejection::Missing)
    );
    let empty = headers(&[("x-api-key", "")]);
    assert_eq!(
        check(ApiKeySource::Header, &empty, None, &keys).await,
        Err(ApiKeyRejection::Missing)
    );
    let unknown = headers(&[("x-api-key", "abcdefghijklmnopqrstuvwxyz0124")]);
    assert_eq!(
        check(ApiKeySource::Header, &unknown, None, &keys).await,
        Err(ApiKeyRejection::Unknown)
    );
    let disabled = headers(&[("x-api-key", "disabled-key-value-0123456789")]);
    assert_eq!(
        check(ApiKeySource::Header, &disabled, None, &keys).await,
        Err(ApiKeyRejection::Disabled)
    );
}

#[tokio::test]
async fn authorizer_source_ignores_the_header() {
    let keys = keys();
    let with_header = headers(&[("x-api-key", "abcdefghijklmnopqrstuvwxyz0123")]);
    assert_eq!(
        check(ApiKeySource::Authorizer, &with_header, None, &keys).await,
        Err(ApiKeyRejection::Missing)
    );
    let none = headers(&[]);
    assert_eq!(
        check(
            ApiKeySource::Authorizer,
            &none,
            Some("abcdefghijklmnopqrstuvwxyz0123"),
            &keys
        )
        .await,
        Ok(Arc::new(record("k1", true)))
    );
}

#[test]
fn every_rejection_is_aws_403_forbidden() {
    for rejection in [
        ApiKeyRejection::Missing,
        ApiKeyRejection::Unknown,
        ApiKeyRejection::Disabled,
    ] {
        assert_eq!(rejection.status(), 403);
        assert_eq!(rejection.body(), r#"{"message":"Forbidden"}"#);
        let error = rejection.gateway_error();
        assert_eq!(error.kind, GatewayResponseType::InvalidApiKey);
        assert_eq!(error.message, "Forbidden");
        assert_eq!(error.error_type, "ForbiddenException");
    }
}

#[test]
fn keys_are_held_by_sha256() {
    // SHA-256("abc"), FIPS 180-2 test vector.
    assert_eq!(
        hash_key("abc").to_vec(),
        vec![
            0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
            0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
            0xf2, 0x00, 0x15, 0xad
        ]
    );
}
