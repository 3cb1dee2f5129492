//! Token and signature authorization end to end, through `turnpike serve`: an HTTP API JWT
//! authorizer (keys found by OIDC discovery on a local issuer), a REST Cognito user pool
//! authorizer (keys from `--jwks-url`), and AWS_IAM routes verifying requests botocore signed
//! against `--credentials`. Keys are generated per run; every refusal is checked against AWS's
//! exact status and body.

mod keys;
pub mod sigv4;
use crate::support;

use keys::{issuer, now, Key};
use serde_json::{json, Value};
use sigv4::{assert_mismatch, sha256_hex, with_last_line, Signed, Signer, ToSign};
use support::fixture::{mock_integration, TempDir};
use support::sam::repo;
use support::{assert_jwt_challenge, Reply, Req, Turnpike, Upstream};

const UNAUTHORIZED: &str = r#"{"message":"Unauthorized"}"#;
const FORBIDDEN: &str = r#"{"message":"Forbidden"}"#;
const POOL_ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Tokens";
const ACCESS_KEY: &str = "AKIDTURNPIKETEST";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYTURNPIKEKEY";
/// 2100-01-01T00:00:00Z: valid, and with a known spelling in REST claims.
const FAR_EXP: u64 = 4_102_444_800;

#[track_caller]
fn assert_reply(reply: &Reply, status: u16, body: &str) {
    assert_eq!(reply.status, status, "status of {reply:?}");
    assert_eq!(reply.text(), body, "body of {reply:?}");
}

fn http_api(issuer: &str, upstream: &Upstream) -> String {
    format!(
        r#"openapi: 3.0.1
info: {{title: TokensHttp, version: "1"}}
x-amazon-apigateway-importexport-version: '1.0'
components:
  securitySchemes:
    jwt:
      type: oauth2
      x-amazon-apigateway-authorizer:
        type: jwt
        identitySource: $request.header.Authorization
        jwtConfiguration: {{issuer: '{issuer}', audience: [my-api]}}
paths:
  /items:
    get:
      security: [{{jwt: [read]}}]
      x-amazon-apigateway-integration: {{type: http_proxy, httpMethod: GET, uri: '{}', payloadFormatVersion: '1.0'}}
  /admin:
    get:
      security: [{{jwt: [admin]}}]
      x-amazon-apigateway-integration: {{type: http_proxy, httpMethod: GET, uri: '{}', payloadFormatVersion: '1.0'}}
"#,
        upstream.url("/items"),
        upstream.url("/admin")
    )
}

fn rest_api(upstream: &Upstream) -> String {
    format!(
        r#"openapi: 3.0.1
info: {{title: Tokens, version: "1"}}
components:
  securitySchemes:
    pool:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: cognito_user_pools
      x-amazon-apigateway-authorizer:
        type: cognito_user_pools
        providerARNs: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Tokens']
    sigv4:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: awsSigv4
paths:
  /profile:
    get:
      security: [{{pool: []}}]
      {}
  /iam:
    get:
      security: [{{sigv4: []}}]
      {}
  /iam/echo:
    post:
      security: [{{sigv4: []}}]
      x-amazon-apigateway-integration: {{type: http_proxy, httpMethod: POST, uri: '{}'}}
"#,
        mock_integration(
            r#"{"sub": "$context.authorizer.claims.sub", "email": "$context.authorizer.claims.email", "exp": "$context.authorizer.claims.exp"}"#
        ),
        mock_integration(
            r#"{"accessKey": "$context.identity.accessKey", "accountId": "$context.identity.accountId", "caller": "$context.identity.caller", "userArn": "$context.identity.userArn"}"#
        ),
        upstream.url("/echo")
    )
}

fn credentials(dir: &TempDir) -> String {
    let path = dir.write(
        "credentials",
        &format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET}\n\
             aws_account_id = 123456789012\n"
        ),
    );
    path.display().to_string()
}

/// The REST API with Cognito keys from `jwks_url` and IAM credentials, served.
fn serve_rest(dir: &TempDir, upstream: &Upstream, jwks_url: &str) -> Turnpike {
    let doc = dir.write("rest.yaml", &rest_api(upstream));
    let creds = credentials(dir);
    let jwks = format!("{POOL_ISSUER}={jwks_url}");
    Turnpike::serve_args(&[
        doc.to_str().unwrap(),
        "--credentials",
        &creds,
        "--jwks-url",
        &jwks,
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_api_jwt_routes_admit_valid_tokens_and_refuse_the_rest_as_aws() {
    let key = Key::rsa();
    let iss = issuer(json!({"keys": [key.jwk()]})).await;
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let doc = dir.write("http.yaml", &http_api(&iss, &upstream));
    let tp = Turnpike::serve(&doc);
    let claims = |extra: Value| {
        let mut c = json!({"iss": iss, "aud": "my-api", "sub": "user-1", "iat": now(),
                           "exp": now() + 3600, "scope": "read write"});
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };
    let get = |path: &str, token: &str| {
        Req::get(path).header("authorization", &format!("Bearer {token}"))
    };

    let valid = key.sign(&claims(json!({})));
    let reply = get("/items", &valid).send(tp.addr).await;
    assert_eq!(reply.echo().path(), "/items");

    let refused = [
        (
            key.sign(&claims(json!({"exp": now() - 600}))),
            "the token has expired",
        ),
        (
            key.sign(&claims(json!({"aud": "other"}))),
            "the token does not have a valid audience",
        ),
        (
            key.sign(&claims(json!({"iss": "https://elsewhere.example"}))),
            "the token does not have a valid issuer",
        ),
        (
            key.sign_with_header(&json!({"alg": "none", "kid": "rsa-1"}), &claims(json!({})))
                .rsplit_once('.')
                .map(|(unsigned, _)| format!("{unsigned}."))
                .unwrap(),
            "signing method none is invalid",
        ),
    ];
    for (token, description) in refused {
        let reply = get("/items", &token).send(tp.addr).await;
        assert_reply(&reply, 401, UNAUTHORIZED);
        assert_jwt_challenge(&reply, Some(description));
    }

    let reply = Req::get("/items").send(tp.addr).await;
    assert_reply(&reply, 401, UNAUTHORIZED);
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));

    let reply = get("/admin", &valid).send(tp.addr).await;
    assert_reply(&reply, 403, FORBIDDEN);
    let admin = key.sign(&claims(json!({"scope": "admin"})));
    assert_eq!(
        get("/admin", &admin).send(tp.addr).await.echo().path(),
        "/admin"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_cognito_routes_pass_claims_in_rest_spelling_from_an_overridden_jwks() {
    let key = Key::ec();
    let base = issuer(json!({"keys": [key.jwk()]})).await;
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let tp = serve_rest(&dir, &upstream, &format!("{base}/keys"));
    let claims = |extra: Value| {
        let mut c = json!({"iss": POOL_ISSUER, "aud": "client-1", "sub": "user-7",
                           "email": "ana@example.com", "token_use": "id",
                           "iat": now(), "exp": FAR_EXP});
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };
    // REST Cognito authorizers take the token itself (a `Bearer ` prefix is also accepted).
    let get = |token: &str| Req::get("/dev/profile").header("authorization", token);

    let reply = get(&key.sign(&claims(json!({})))).send(tp.addr).await;
    assert_reply(
        &reply,
        200,
        r#"{"sub": "user-7", "email": "ana@example.com", "exp": "Fri Jan 01 00:00:00 UTC 2100"}"#,
    );

    for token in [
        key.sign(&claims(json!({"exp": now() - 600}))),
        key.sign(&claims(
            json!({"iss": "https://cognito-idp.us-east-1.amazonaws.com/other"}),
        )),
        key.sign(&claims(json!({"token_use": "refresh"}))),
        format!(
            "{}.",
            key.sign_with_header(&json!({"alg": "none", "kid": "ec-1"}), &claims(json!({})))
                .rsplit_once('.')
                .unwrap()
                .0
        ),
        String::new(),
    ] {
        let reply = get(&token).send(tp.addr).await;
        assert_reply(&reply, 401, UNAUTHORIZED);
        assert_eq!(
            reply.header(support::ERROR_TYPE),
            Some("UnauthorizedException")
        );
    }
}

/// Signs `(method, path and query, body, presign expiry)` for `tp` with botocore under `secret`.
fn botocore_sign(
    tp: &Turnpike,
    secret: &str,
    requests: &[(&str, &str, &str, Option<u64>)],
) -> Vec<Signed> {
    let signer = Signer {
        access_key: ACCESS_KEY,
        secret,
        token: None,
    };
    let requests: Vec<ToSign> = requests
        .iter()
        .map(|(method, path_and_query, body, presign_expires)| ToSign {
            method,
            path_and_query,
            body,
            presign_expires: *presign_expires,
            signed_at: None,
        })
        .collect();
    sigv4::botocore_sign(&format!("http://{}", tp.addr), &signer, &requests)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iam_routes_verify_botocore_signatures_over_the_body_and_name_the_caller() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let tp = serve_rest(&dir, &upstream, "http://127.0.0.1:9/keys");
    let body = r#"{"order": 42}"#;
    let signed = botocore_sign(
        &tp,
        SECRET,
        &[
            ("GET", "/dev/iam", "", None),
            ("POST", "/dev/iam/echo", body, None),
            ("GET", "/dev/iam?color=blue", "", Some(300)),
        ],
    );
    let identity = r#"{"accessKey": "AKIDTURNPIKETEST", "accountId": "123456789012", "caller": "AKIDTURNPIKETEST", "userArn": "arn:aws:iam::123456789012:user/default"}"#;

    let reply = signed[0].request("").send(tp.addr).await;
    assert_reply(&reply, 200, identity);

    let reply = signed[1].request(body).send(tp.addr).await;
    let echo = reply.echo();
    assert_eq!(echo.method(), "POST");
    assert_eq!(echo.body(), body);

    // HTTP/2 has no host header: the signed `host` is the request's `:authority`.
    let mut h2 = support::Conn::h2c(tp.addr).await;
    let mut request = Req::new("GET", "/dev/iam");
    for (name, value) in signed[0]
        .headers
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("host"))
    {
        request = request.header(name, value);
    }
    let reply = h2.send(request).await;
    assert_eq!(reply.version, http::Version::HTTP_2);
    assert_reply(&reply, 200, identity);

    assert!(signed[2].path_and_query.contains("X-Amz-Signature="));
    let reply = signed[2].request("").send(tp.addr).await;
    assert_reply(&reply, 200, identity);

    // The body changed after signing: the gateway hashes what it received.
    let tampered = r#"{"order": 43}"#;
    let reply = signed[1].request(tampered).send(tp.addr).await;
    let canonical = with_last_line(
        &signed[1].canonical_request,
        &sha256_hex(tampered.as_bytes()),
    );
    let string_to_sign =
        with_last_line(&signed[1].string_to_sign, &sha256_hex(canonical.as_bytes()));
    assert_mismatch(&reply, &canonical, &string_to_sign);

    // Signed with the wrong secret: the same canonical request, another signature.
    let wrong = botocore_sign(&tp, "not-the-secret", &[("GET", "/dev/iam", "", None)]);
    let reply = wrong[0].request("").send(tp.addr).await;
    assert_mismatch(
        &reply,
        &wrong[0].canonical_request,
        &wrong[0].string_to_sign,
    );

    let reply = Req::get("/dev/iam").send(tp.addr).await;
    assert_reply(&reply, 403, r#"{"message":"Missing Authentication Token"}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_claims_reach_lambda_events_as_each_api_kind_passes_them() {
    let key = Key::rsa();
    let iss = issuer(json!({"keys": [key.jwk()]})).await;
    let dir = TempDir::new();
    let code = repo().join("tests/fixtures/auth_lambda/src");
    let template = dir.write(
        "template.yaml",
        &format!(
            r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Auth:
        Authorizers:
          Pool:
            UserPoolArn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Tokens
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          Jwt:
            IdentitySource: $request.header.Authorization
            JwtConfiguration: {{ issuer: "{iss}", audience: [my-api] }}
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {}
      Handler: app.echo
      Runtime: python3.12
      Events:
        Cognito:
          Type: Api
          Properties: {{ RestApiId: !Ref Rest, Path: /me, Method: get, Auth: {{ Authorizer: Pool }} }}
        Jwt:
          Type: HttpApi
          Properties: {{ ApiId: !Ref Http, Path: /me, Method: get, Auth: {{ Authorizer: Jwt, AuthorizationScopes: [read] }} }}
"#,
            code.display()
        ),
    );
    let jwks = format!("{POOL_ISSUER}={iss}/keys");
    let tp = Turnpike::serve_args(&[template.to_str().unwrap(), "--jwks-url", &jwks]);
    let exp = now() + 3600;

    let token = key.sign(
        &json!({"iss": iss, "aud": "my-api", "sub": "user-1", "exp": exp,
                                 "scope": "read write", "groups": ["a", "b"]}),
    );
    let reply = Req::get("/me")
        .header("authorization", &format!("Bearer {token}"))
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let event = &reply.json()["event"];
    assert_eq!(
        event["requestContext"]["authorizer"]["jwt"],
        json!({"claims": {"iss": iss, "aud": "my-api", "sub": "user-1", "exp": exp.to_string(),
                          "scope": "read write", "groups": "[a b]"},
               "scopes": ["read", "write"]}),
        "{event}"
    );

    let token = key.sign(
        &json!({"iss": POOL_ISSUER, "aud": "client-1", "sub": "user-7",
                                 "token_use": "id", "exp": FAR_EXP, "cognito:groups": ["a", "b"]}),
    );
    let reply = Req::get("/dev/me")
        .header("authorization", &token)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let event = &reply.json()["event"];
    assert_eq!(
        event["requestContext"]["authorizer"]["claims"],
        json!({"iss": POOL_ISSUER, "aud": "client-1", "sub": "user-7", "token_use": "id",
               "exp": "Fri Jan 01 00:00:00 UTC 2100", "cognito:groups": "a,b"}),
        "{event}"
    );
}
