//! Tokens that must pass, and what the verifier hands on.

use super::*;

#[tokio::test]
async fn rs256_and_es256_tokens_verify_through_oidc_discovery() {
    let (rsa, ec) = (TestKey::rsa("rsa-1"), TestKey::ec("ec-1"));
    let issuer = Issuer::start(jwks(&[&rsa, &ec])).await;
    let verifier = JwtVerifier::new(issuer.config(), client());
    for key in [&rsa, &ec] {
        let claims = verifier
            .verify(&key.sign(&claims(&issuer.url)), &[])
            .await
            .unwrap();
        assert_eq!(claims.claims().get("sub"), Some(&json!("user-1")));
        assert_eq!(claims.scopes(), ["read".to_owned(), "write".to_owned()]);
    }
    // Both keys came from one fetch, cached.
    assert_eq!(issuer.fetches(), 1);
}

#[tokio::test]
async fn an_explicit_jwks_url_overrides_discovery() {
    let key = TestKey::ec("k");
    let issuer = Issuer::start(jwks(&[&key])).await;
    let config = JwtConfig {
        issuer: "https://issuer.example.com/".to_owned(),
        jwks_url: Some(format!("{}/keys", issuer.url)),
        ..issuer.config()
    };
    let verifier = JwtVerifier::new(config, client());
    let mut claims = claims("https://issuer.example.com/");
    claims["aud"] = json!(["other", "my-api"]);
    assert!(verifier.verify(&key.sign(&claims), &[]).await.is_ok());
}

#[tokio::test]
async fn client_id_counts_only_without_aud() {
    let key = TestKey::ec("k");
    let issuer = Issuer::start(jwks(&[&key])).await;
    let verifier = JwtVerifier::new(issuer.config(), client());
    let mut access = claims(&issuer.url);
    access.as_object_mut().unwrap().remove("aud");
    access["client_id"] = json!("my-api");
    assert!(verifier.verify(&key.sign(&access), &[]).await.is_ok());
    // With both, `aud` decides.
    access["aud"] = json!("someone-else");
    assert_eq!(
        verifier.verify(&key.sign(&access), &[]).await,
        Err(JwtRejection::Audience)
    );
}

#[tokio::test]
async fn any_one_of_the_route_scopes_is_enough() {
    let key = TestKey::ec("k");
    let issuer = Issuer::start(jwks(&[&key])).await;
    let verifier = JwtVerifier::new(issuer.config(), client());
    let token = key.sign(&claims(&issuer.url));
    assert!(verifier
        .verify(&token, &scopes(&["admin", "write"]))
        .await
        .is_ok());
    // `scp` as an array, when there is no `scope`.
    let mut scp = claims(&issuer.url);
    scp.as_object_mut().unwrap().remove("scope");
    scp["scp"] = json!(["admin"]);
    let verified = verifier
        .verify(&key.sign(&scp), &scopes(&["admin"]))
        .await
        .unwrap();
    assert_eq!(verified.scopes(), ["admin".to_owned()]);
}

#[tokio::test]
async fn leeway_tolerates_small_clock_skew() {
    let key = TestKey::ec("k");
    let issuer = Issuer::start(jwks(&[&key])).await;
    let verifier = JwtVerifier::new(issuer.config(), client());
    let now = now_secs();
    let mut skewed = claims(&issuer.url);
    skewed["exp"] = json!(now - 2);
    skewed["nbf"] = json!(now + 2);
    assert!(verifier.verify(&key.sign(&skewed), &[]).await.is_ok());
}

#[tokio::test]
async fn a_rotated_key_is_found_by_refetching() {
    let (old, new) = (TestKey::ec("old"), TestKey::rsa("new"));
    let issuer = Issuer::start(jwks(&[&old])).await;
    let verifier = JwtVerifier::new(issuer.config(), client())
        .with_refetch_interval(Duration::from_millis(200));
    assert!(verifier
        .verify(&old.sign(&claims(&issuer.url)), &[])
        .await
        .is_ok());
    *issuer.jwks.lock().unwrap() = jwks(&[&new]);
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert!(verifier
        .verify(&new.sign(&claims(&issuer.url)), &[])
        .await
        .is_ok());
    assert_eq!(issuer.fetches(), 2);
}

#[test]
fn claims_are_stringified_as_api_gateway_passes_them() {
    let claims = Claims::unchecked(
        json!({"sub": "u", "exp": 1700000000, "email_verified": true,
               "cognito:groups": ["admin", "users"], "address": {"c": "x"}})
        .as_object()
        .unwrap()
        .clone(),
    );
    assert_eq!(
        Value::Object(claims.stringified()),
        json!({"sub": "u", "exp": "1700000000", "email_verified": "true",
               "cognito:groups": "[admin users]", "address": "{\"c\":\"x\"}"})
    );
}

#[test]
fn rest_cognito_claims_are_stringified_as_rest_passes_them() {
    // The shape of a REST Cognito event's claims: dates for exp/iat, auth_time as a number.
    let claims = Claims::unchecked(
        json!({"auth_time": 1513492092, "exp": 1513495692, "iat": 1513492092,
               "email_verified": true, "cognito:groups": ["admin", "users"]})
        .as_object()
        .unwrap()
        .clone(),
    );
    assert_eq!(
        Value::Object(claims.rest_stringified()),
        json!({"auth_time": "1513492092", "exp": "Sun Dec 17 07:28:12 UTC 2017",
               "iat": "Sun Dec 17 06:28:12 UTC 2017", "email_verified": "true",
               "cognito:groups": "admin,users"})
    );
}

#[test]
fn bearer_prefix_is_optional() {
    assert_eq!(bearer_token("Bearer abc.def.ghi"), "abc.def.ghi");
    assert_eq!(bearer_token("bearer  abc.def.ghi"), "abc.def.ghi");
    assert_eq!(bearer_token("abc.def.ghi"), "abc.def.ghi");
}

#[test]
fn rejections_render_as_api_gateway_answers() {
    assert_eq!(JwtRejection::Audience.status(), 401);
    assert_eq!(
        JwtRejection::Audience.body(),
        r#"{"message":"Unauthorized"}"#
    );
    assert_eq!(
        JwtRejection::Audience.www_authenticate().as_deref(),
        Some(
            r#"Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience""#
        )
    );
    // Captured from AWS: an opaque token, and no token at all.
    assert_eq!(
        JwtRejection::Segments.www_authenticate().as_deref(),
        Some(
            r#"Bearer scope="" error="invalid_token" error_description="token contains an invalid number of segments""#
        )
    );
    assert_eq!(JwtRejection::Missing.status(), 401);
    assert_eq!(
        JwtRejection::Missing.www_authenticate().as_deref(),
        Some("Bearer")
    );
    assert_eq!(JwtRejection::Scope.status(), 403);
    assert_eq!(JwtRejection::Scope.body(), r#"{"message":"Forbidden"}"#);
    assert_eq!(JwtRejection::Scope.www_authenticate(), None);
    assert_eq!(JwtRejection::CognitoScope.status(), 401);
    assert_eq!(
        JwtRejection::CognitoScope.body(),
        r#"{"message":"Unauthorized"}"#
    );
}

#[tokio::test]
async fn a_verified_signature_is_remembered_but_the_claims_are_checked_every_time() {
    let key = TestKey::rsa("rsa-1");
    let issuer = Issuer::start(jwks(&[&key])).await;
    let verifier = JwtVerifier::new(issuer.config(), client());
    let token = key.sign(&claims(&issuer.url));
    assert!(verifier.verify(&token, &[]).await.is_ok());
    assert!(verifier.verify(&token, &[]).await.is_ok());
    assert_eq!(verifier.remembered(), 1);
    // The same token an hour later: the remembered signature does not make it valid.
    let later = SystemTime::now() + Duration::from_secs(7200);
    assert_eq!(
        verifier.verify_at(&token, &[], later).await,
        Err(JwtRejection::Expired)
    );
    // Nor does it carry a scope the token lacks.
    assert_eq!(
        verifier.verify(&token, &["admin".to_owned()]).await,
        Err(JwtRejection::Scope)
    );
    // A forged token never gets remembered.
    let forged = format!("{}x", token.trim_end_matches('='));
    assert!(verifier.verify(&forged, &[]).await.is_err());
    assert_eq!(verifier.remembered(), 1);
}

#[test]
fn a_remembered_token_is_found_by_all_its_bytes() {
    use super::super::verified::{Verified, VerifiedTokens};
    let key = TestKey::rsa("k");
    let public = std::sync::Arc::new(
        super::super::key::parse_jwks(jwks(&[&key]).as_bytes())
            .unwrap()
            .remove(0),
    );
    let tokens = VerifiedTokens::default();
    let remembered = |sub: &str| Verified {
        kid: "k".to_owned(),
        key: public.clone(),
        claims: Claims::unchecked(json!({"sub": sub}).as_object().unwrap().clone()),
    };
    // Same length and same last 32 bytes (where lookups start), different elsewhere.
    let tail = "s".repeat(40);
    let (first, second) = (format!("a.b.{tail}"), format!("a.c.{tail}"));
    tokens.remember(&first, remembered("first"));
    assert_eq!(
        tokens.get(&first).unwrap().claims.claims()["sub"],
        json!("first")
    );
    assert!(tokens.get(&second).is_none());
    tokens.remember(&second, remembered("second"));
    assert_eq!(
        tokens.get(&second).unwrap().claims.claims()["sub"],
        json!("second")
    );
    assert_eq!(
        tokens.get(&first).unwrap().claims.claims()["sub"],
        json!("first")
    );
    assert!(tokens.get(&format!("{first}x")).is_none());
    assert!(tokens.get("").is_none());
    assert_eq!(tokens.len(), 2);
}

#[tokio::test]
async fn a_remembered_token_counts_only_while_its_key_is_the_issuers() {
    let key = TestKey::rsa("same-kid");
    let issuer = Issuer::start(jwks(&[&key])).await;
    let verifier =
        JwtVerifier::new(issuer.config(), client()).with_refetch_interval(Duration::ZERO);
    let token = key.sign(&claims(&issuer.url));
    assert!(verifier.verify(&token, &[]).await.is_ok());
    assert_eq!(verifier.remembered(), 1);
    // The issuer replaces the key behind the same kid, and a token naming a new kid makes the
    // gateway fetch the set again.
    let (rotated, new) = (TestKey::rsa("same-kid"), TestKey::ec("new"));
    *issuer.jwks.lock().unwrap() = jwks(&[&rotated, &new]);
    assert!(verifier
        .verify(&new.sign(&claims(&issuer.url)), &[])
        .await
        .is_ok());
    assert_eq!(issuer.fetches(), 2);
    // The remembered token once verified, but not with the issuer's key now.
    assert_eq!(
        verifier.verify(&token, &[]).await,
        Err(JwtRejection::Signature)
    );
    // A key withdrawn altogether takes its tokens with it too.
    *issuer.jwks.lock().unwrap() = jwks(&[&new]);
    let ghost = TestKey::ec("ghost");
    assert_eq!(
        verifier
            .verify(&ghost.sign(&claims(&issuer.url)), &[])
            .await,
        Err(JwtRejection::UnknownKey)
    );
    assert_eq!(
        verifier.verify(&token, &[]).await,
        Err(JwtRejection::UnknownKey)
    );
}
