//! Tokens crafted to get past the verifier: every one must be refused with the right reason.

use super::*;

async fn setup() -> (TestKey, Issuer, JwtVerifier) {
    let key = TestKey::rsa("k1");
    let issuer = Issuer::start(jwks(&[&key])).await;
    let verifier = JwtVerifier::new(issuer.config(), client());
    // Prime the cache so the refetch bound is in effect for the tests below.
    verifier
        .verify(&key.sign(&claims(&issuer.url)), &[])
        .await
        .unwrap();
    (key, issuer, verifier)
}

/// `header.payload.` with no signature, or signed with HMAC-SHA256 under `secret`.
fn unsigned_or_hmac(header: Value, claims: &Value, secret: Option<&[u8]>) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = match secret {
        None => Vec::new(),
        Some(secret) => {
            let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
            ring::hmac::sign(&key, input.as_bytes()).as_ref().to_vec()
        }
    };
    format!("{input}.{}", b64(&signature))
}

#[tokio::test]
async fn alg_none_is_refused() {
    let (key, issuer, verifier) = setup().await;
    for alg in ["none", "None", "NONE"] {
        let token = unsigned_or_hmac(
            json!({"alg": alg, "kid": key.kid()}),
            &claims(&issuer.url),
            None,
        );
        assert_eq!(
            verifier.verify(&token, &[]).await,
            Err(JwtRejection::Algorithm(alg.to_owned()))
        );
    }
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_refused() {
    let (key, issuer, verifier) = setup().await;
    let public = key.public_der();
    let jwk_n = key.jwk()["n"].as_str().unwrap().to_owned();
    for secret in [public.as_slice(), jwk_n.as_bytes()] {
        let token = unsigned_or_hmac(
            json!({"alg": "HS256", "kid": key.kid()}),
            &claims(&issuer.url),
            Some(secret),
        );
        let rejection = verifier.verify(&token, &[]).await.unwrap_err();
        assert_eq!(rejection, JwtRejection::Algorithm("HS256".to_owned()));
        assert_eq!(
            rejection.www_authenticate().as_deref(),
            Some(
                r#"Bearer scope="" error="invalid_token" error_description="signing method HS256 is invalid""#
            )
        );
    }
}

#[tokio::test]
async fn a_header_alg_other_than_the_keys_is_refused() {
    let (key, issuer, verifier) = setup().await;
    // Signed with the right RSA key but claiming RS384: the key says RS256.
    let token = key.sign_with_header(
        &json!({"alg": "RS384", "kid": key.kid()}),
        &claims(&issuer.url),
    );
    assert_eq!(
        verifier.verify(&token, &[]).await,
        Err(JwtRejection::Algorithm("RS384".to_owned()))
    );
    // An EC key's JWK with a conflicting `alg` is not used at all.
    let ec = TestKey::ec("ec");
    let mut jwk = ec.jwk();
    jwk["alg"] = json!("RS256");
    *issuer.jwks.lock().unwrap() = json!({"keys": [jwk]}).to_string();
    let verifier = JwtVerifier::new(issuer.config(), client());
    assert_eq!(
        verifier.verify(&ec.sign(&claims(&issuer.url)), &[]).await,
        Err(JwtRejection::UnknownKey)
    );
}

#[tokio::test]
async fn an_unknown_kid_refetches_once_then_is_refused() {
    let (_key, issuer, verifier) = setup().await;
    let stranger = TestKey::ec("stranger");
    let token = stranger.sign(&claims(&issuer.url));
    let before = issuer.fetches();
    assert_eq!(
        verifier.verify(&token, &[]).await,
        Err(JwtRejection::UnknownKey)
    );
    // The prime fetch was moments ago: within the bound, no refetch for the unknown kid.
    assert_eq!(issuer.fetches(), before);
    // After the interval, one refetch for a flood of unknown kids, then none.
    let verifier = verifier.with_refetch_interval(Duration::from_millis(100));
    tokio::time::sleep(Duration::from_millis(150)).await;
    let flood = (0..50).map(|i| {
        let token = TestKey::ec(&format!("kid-{i}")).sign(&claims(&issuer.url));
        let verifier = &verifier;
        async move { verifier.verify(&token, &[]).await }
    });
    for result in futures_util::future::join_all(flood).await {
        assert_eq!(result, Err(JwtRejection::UnknownKey));
    }
    assert_eq!(issuer.fetches(), before + 1);
}

#[tokio::test]
async fn expired_and_not_yet_valid_tokens_are_refused() {
    let (key, issuer, verifier) = setup().await;
    let now = now_secs();
    let mut expired = claims(&issuer.url);
    expired["exp"] = json!(now - 10);
    assert_eq!(
        verifier.verify(&key.sign(&expired), &[]).await,
        Err(JwtRejection::Expired)
    );
    let mut early = claims(&issuer.url);
    early["nbf"] = json!(now + 60);
    assert_eq!(
        verifier.verify(&key.sign(&early), &[]).await,
        Err(JwtRejection::NotYetValid)
    );
    let mut issued_later = claims(&issuer.url);
    issued_later["iat"] = json!(now + 60);
    assert_eq!(
        verifier.verify(&key.sign(&issued_later), &[]).await,
        Err(JwtRejection::NotYetValid)
    );
    let mut no_exp = claims(&issuer.url);
    no_exp.as_object_mut().unwrap().remove("exp");
    assert_eq!(
        verifier.verify(&key.sign(&no_exp), &[]).await,
        Err(JwtRejection::Claim("exp"))
    );
}

#[tokio::test]
async fn wrong_audience_and_issuer_are_refused() {
    let (key, issuer, verifier) = setup().await;
    let mut aud = claims(&issuer.url);
    aud["aud"] = json!("not-my-api");
    assert_eq!(
        verifier.verify(&key.sign(&aud), &[]).await,
        Err(JwtRejection::Audience)
    );
    let mut no_aud = claims(&issuer.url);
    no_aud.as_object_mut().unwrap().remove("aud");
    assert_eq!(
        verifier.verify(&key.sign(&no_aud), &[]).await,
        Err(JwtRejection::Audience)
    );
    let mut iss = claims(&issuer.url);
    iss["iss"] = json!(format!("{}/", issuer.url));
    assert_eq!(
        verifier.verify(&key.sign(&iss), &[]).await,
        Err(JwtRejection::Issuer)
    );
}

#[tokio::test]
async fn a_missing_scope_is_a_403() {
    let (key, issuer, verifier) = setup().await;
    let rejection = verifier
        .verify(&key.sign(&claims(&issuer.url)), &scopes(&["admin"]))
        .await
        .unwrap_err();
    assert_eq!(rejection, JwtRejection::Scope);
    assert_eq!(
        (rejection.status(), rejection.body()),
        (403, r#"{"message":"Forbidden"}"#)
    );
}

#[tokio::test]
async fn oversized_and_malformed_tokens_are_refused_without_fetching() {
    let (key, issuer, verifier) = setup().await;
    let before = issuer.fetches();
    let mut big = claims(&issuer.url);
    big["padding"] = json!("x".repeat(MAX_TOKEN_BYTES));
    assert_eq!(
        verifier.verify(&key.sign(&big), &[]).await,
        Err(JwtRejection::TooLarge)
    );
    for token in [
        "", "abc", "a.b", "a.b.c.d", "!!.!!.!!", "e30.e30.", "W10.e30.",
    ] {
        let expected = match token.split('.').count() {
            _ if token.is_empty() => JwtRejection::Missing,
            3 => JwtRejection::Malformed,
            _ => JwtRejection::Segments,
        };
        assert_eq!(verifier.verify(token, &[]).await, Err(expected), "{token}");
    }
    assert_eq!(issuer.fetches(), before);
}

#[tokio::test]
async fn a_tampered_payload_fails_the_signature() {
    let (key, issuer, verifier) = setup().await;
    let token = key.sign(&claims(&issuer.url));
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut elevated = claims(&issuer.url);
    elevated["scope"] = json!("admin");
    parts[1] = b64(elevated.to_string().as_bytes());
    assert_eq!(
        verifier.verify(&parts.join("."), &[]).await,
        Err(JwtRejection::Signature)
    );
    // A signature from another key with the same kid fails too.
    let impostor = TestKey::rsa("k1");
    assert_eq!(
        verifier
            .verify(&impostor.sign(&claims(&issuer.url)), &[])
            .await,
        Err(JwtRejection::Signature)
    );
}

#[tokio::test]
async fn a_token_without_kid_is_refused_without_fetching() {
    let (key, issuer, verifier) = setup().await;
    let before = issuer.fetches();
    let token = key.sign_with_header(&json!({"alg": "RS256"}), &claims(&issuer.url));
    assert_eq!(
        verifier.verify(&token, &[]).await,
        Err(JwtRejection::UnknownKey)
    );
    assert_eq!(issuer.fetches(), before);
}

#[tokio::test]
async fn a_crit_header_is_refused() {
    let (key, issuer, verifier) = setup().await;
    let token = key.sign_with_header(
        &json!({"alg": "RS256", "kid": key.kid(), "crit": ["b64"], "b64": false}),
        &claims(&issuer.url),
    );
    assert_eq!(
        verifier.verify(&token, &[]).await,
        Err(JwtRejection::Malformed)
    );
}

#[tokio::test]
async fn an_unreachable_issuer_fails_closed() {
    let key = TestKey::ec("k");
    let config = JwtConfig {
        jwks_url: Some("http://127.0.0.1:9/keys".to_owned()),
        issuer: "https://issuer.example.com".to_owned(),
        audiences: vec!["my-api".to_owned()],
        cognito: false,
        leeway: Duration::from_secs(5),
    };
    let verifier = JwtVerifier::new(config, client());
    assert_eq!(
        verifier
            .verify(&key.sign(&claims("https://issuer.example.com")), &[])
            .await,
        Err(JwtRejection::KeysUnavailable)
    );
}
