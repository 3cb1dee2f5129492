//! Real Cognito user pool tokens, issued by a local moto server (`moto[server]` and `boto3` in the
//! workspace's `.venv`), verified against the JWKS moto serves for the pool.

use std::path::PathBuf;

use turnpike_testkit::moto::Moto;
use turnpike_testkit::python::python_json;

use super::*;

struct Pool {
    pool_id: String,
    client_id: String,
    id_token: String,
    access_token: String,
}

fn sign_in(moto: &Moto) -> Pool {
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/authorize/jwt/tests/cognito_tokens.py");
    let value = python_json([script.as_os_str(), moto.url.as_ref()], None);
    let text = |name: &str| value[name].as_str().unwrap().to_owned();
    Pool {
        pool_id: text("pool_id"),
        client_id: text("client_id"),
        id_token: text("id_token"),
        access_token: text("access_token"),
    }
}

fn cognito_config(moto: &Moto, pool: &Pool, audiences: Vec<String>) -> JwtConfig {
    JwtConfig {
        issuer: format!(
            "https://cognito-idp.us-east-1.amazonaws.com/{}",
            pool.pool_id
        ),
        audiences,
        jwks_url: Some(format!(
            "{}/{}/.well-known/jwks.json",
            moto.url, pool.pool_id
        )),
        cognito: true,
        leeway: Duration::from_secs(5),
    }
}

#[tokio::test]
async fn moto_cognito_id_and_access_tokens_verify() {
    let moto = Moto::start();
    let pool = sign_in(&moto);
    let verifier = JwtVerifier::new(
        cognito_config(&moto, &pool, vec![pool.client_id.clone()]),
        client(),
    );

    let id = verifier.verify(&pool.id_token, &[]).await.unwrap();
    assert_eq!(id.claims()["token_use"], json!("id"));
    assert_eq!(id.claims()["aud"], json!(pool.client_id));
    assert_eq!(id.claims()["cognito:username"], json!("alice"));

    let admin = scopes(&["aws.cognito.signin.user.admin"]);
    let access = verifier.verify(&pool.access_token, &admin).await.unwrap();
    assert_eq!(access.claims()["token_use"], json!("access"));
    assert_eq!(access.claims()["client_id"], json!(pool.client_id));
    assert_eq!(access.scopes(), admin.as_slice());

    // A REST Cognito authorizer refuses a token without the method's scope with a 401.
    let rejection = verifier
        .verify(&pool.access_token, &scopes(&["orders/write"]))
        .await
        .unwrap_err();
    assert_eq!(rejection, JwtRejection::CognitoScope);
    assert_eq!(
        (rejection.status(), rejection.body()),
        (401, r#"{"message":"Unauthorized"}"#)
    );
    // The id token carries no scope at all.
    assert_eq!(
        verifier.verify(&pool.id_token, &admin).await,
        Err(JwtRejection::CognitoScope)
    );
}

#[tokio::test]
async fn moto_cognito_tokens_for_another_client_or_pool_are_refused() {
    let moto = Moto::start();
    let pool = sign_in(&moto);
    let other_client = JwtVerifier::new(
        cognito_config(&moto, &pool, vec!["another-app".to_owned()]),
        client(),
    );
    assert_eq!(
        other_client.verify(&pool.id_token, &[]).await,
        Err(JwtRejection::Audience)
    );
    assert_eq!(
        other_client.verify(&pool.access_token, &[]).await,
        Err(JwtRejection::Audience)
    );

    // Any app client of the pool, as a REST authorizer without audiences accepts.
    let any_client = JwtVerifier::new(cognito_config(&moto, &pool, Vec::new()), client());
    assert!(any_client.verify(&pool.id_token, &[]).await.is_ok());
    let admin = scopes(&["aws.cognito.signin.user.admin"]);
    assert!(any_client.verify(&pool.access_token, &admin).await.is_ok());
    // A method without scopes takes only ID tokens.
    assert_eq!(
        any_client.verify(&pool.access_token, &[]).await,
        Err(JwtRejection::TokenUse)
    );

    let mut other_pool = cognito_config(&moto, &pool, Vec::new());
    other_pool.issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other".to_owned();
    let other_pool = JwtVerifier::new(other_pool, client());
    assert_eq!(
        other_pool.verify(&pool.id_token, &[]).await,
        Err(JwtRejection::Issuer)
    );
}

#[tokio::test]
async fn cognito_token_use_must_be_id_or_access() {
    let key = TestKey::rsa("k");
    let issuer = Issuer::start(jwks(&[&key])).await;
    let config = JwtConfig {
        cognito: true,
        jwks_url: Some(format!("{}/keys", issuer.url)),
        ..issuer.config()
    };
    let verifier = JwtVerifier::new(config, client());
    let mut token = claims(&issuer.url);
    // `scope` is "read write": a method with scopes takes access tokens, one without only ID
    // tokens.
    let read = scopes(&["read"]);
    for (token_use, without_scopes, with_scopes) in [
        (json!("id"), Ok(()), Ok(())),
        (json!("access"), Err(JwtRejection::TokenUse), Ok(())),
        (
            json!("refresh"),
            Err(JwtRejection::TokenUse),
            Err(JwtRejection::TokenUse),
        ),
        (
            Value::Null,
            Err(JwtRejection::TokenUse),
            Err(JwtRejection::TokenUse),
        ),
    ] {
        token["token_use"] = token_use;
        let signed = key.sign(&token);
        assert_eq!(
            verifier.verify(&signed, &[]).await.map(|_| ()),
            without_scopes
        );
        assert_eq!(
            verifier.verify(&signed, &read).await.map(|_| ()),
            with_scopes
        );
    }
}
