//! Real Amazon Cognito user pool tokens through `turnpike serve`. A local moto server (the
//! repository's `.venv`, as `.ci/run` installs it) hosts a user pool with two app clients and a
//! user in two groups; boto3 signs the user in with `admin_initiate_auth`, and Turnpike fetches
//! the pool's keys from the JWKS moto serves (`--jwks-url`, since the tokens name the real
//! Cognito issuer). Proves, with exact statuses, bodies and `www-authenticate` values:
//! - a REST `COGNITO_USER_POOLS` method without scopes takes the ID token and refuses the access
//!   token; one with `authorizationScopes` takes the access token and refuses the ID token, as
//!   AWS does; the claims reach `$context.authorizer.claims.*`;
//! - an HTTP API JWT authorizer takes tokens whose `aud`/`client_id` is its audience, hands the
//!   claims to the function, and refuses another client's and expired tokens.

use crate::support;

use serde_json::{json, Value};
use support::fixture::{mock_integration, TempDir};
use support::moto::{python_json, Moto};
use support::sam::repo;
use support::{assert_gateway_response, assert_jwt_challenge, Req, Turnpike};

const UNAUTHORIZED: &str = r#"{"message":"Unauthorized"}"#;
const FORBIDDEN: &str = r#"{"message":"Forbidden"}"#;
const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// What `cognito_tokens.py` made on the moto server (see the script).
struct Pool {
    values: Value,
}

impl Pool {
    fn create(moto: &Moto) -> Pool {
        let script = repo().join("crates/gateway/src/authorize/jwt/tests/cognito_tokens.py");
        Pool {
            values: python_json([script.as_os_str(), moto.url.as_ref()], None),
        }
    }

    fn text(&self, name: &str) -> &str {
        self.values[name].as_str().unwrap()
    }

    fn issuer(&self) -> String {
        format!(
            "https://cognito-idp.us-east-1.amazonaws.com/{}",
            self.text("pool_id")
        )
    }

    /// `--jwks-url ISSUER=URL`: the pool's keys as moto serves them.
    fn jwks_override(&self, moto: &Moto) -> String {
        format!(
            "{}={}/{}/.well-known/jwks.json",
            self.issuer(),
            moto.url,
            self.text("pool_id")
        )
    }

    /// The user's groups as the first client's `token` (`id` or `access`) lists them (moto
    /// keeps no order), joined with `separator`.
    fn groups(&self, token: &str, separator: &str) -> String {
        let groups = self.values[format!("{token}_claims")]["cognito:groups"]
            .as_array()
            .unwrap();
        let mut names: Vec<&str> = groups.iter().map(|g| g.as_str().unwrap()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, ["admins", "staff"]);
        names.dedup();
        names.join(separator)
    }

    /// A claim of the first client's ID or access token, as a string.
    fn claim(&self, token: &str, name: &str) -> String {
        match &self.values[format!("{token}_claims")][name] {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        }
    }
}

fn rest_api(pool: &Pool) -> String {
    format!(
        r#"openapi: 3.0.1
info: {{title: CognitoRest, version: "1"}}
components:
  securitySchemes:
    pool:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: cognito_user_pools
      x-amazon-apigateway-authorizer:
        type: cognito_user_pools
        providerARNs: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/{}']
paths:
  /profile:
    get:
      security: [{{pool: []}}]
      {}
  /orders:
    get:
      security: [{{pool: [{ADMIN_SCOPE}]}}]
      {}
"#,
        pool.text("pool_id"),
        mock_integration(
            r#"{"sub": "$context.authorizer.claims.sub", "aud": "$context.authorizer.claims.aud", "email": "$context.authorizer.claims.email", "token_use": "$context.authorizer.claims.token_use", "exp": "$context.authorizer.claims.exp", "groups": "$context.authorizer.claims[''cognito:groups'']"}"#
        ),
        mock_integration(
            r#"{"client_id": "$context.authorizer.claims.client_id", "username": "$context.authorizer.claims.username", "scope": "$context.authorizer.claims.scope", "token_use": "$context.authorizer.claims.token_use", "exp": "$context.authorizer.claims.exp"}"#
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_cognito_methods_take_moto_id_tokens_and_scoped_access_tokens_as_aws() {
    let moto = Moto::start();
    let pool = Pool::create(&moto);
    let dir = TempDir::new();
    let doc = dir.write("rest.yaml", &rest_api(&pool));
    let jwks = pool.jwks_override(&moto);
    let tp = Turnpike::serve_args(&[doc.to_str().unwrap(), "--jwks-url", &jwks]);
    let get =
        |path: &str, token: &str| Req::get(&format!("/dev{path}")).header("authorization", token);

    // A method without scopes: the ID token, its claims in REST's spelling.
    let reply = get("/profile", pool.text("id_token")).send(tp.addr).await;
    let profile = json!({
        "sub": pool.claim("id", "sub"),
        "aud": pool.text("client_id"),
        "email": "alice@example.com",
        "token_use": "id",
        "exp": pool.text("id_exp_java"),
        "groups": pool.groups("id", ","),
    });
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json(), profile);
    // Any app client of the pool: a REST Cognito authorizer names the pool, not the clients.
    let reply = get("/profile", pool.text("other_id_token"))
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json()["aud"], json!(pool.text("other_client_id")));

    // A method with authorization scopes: the access token granting one of them.
    let reply = get("/orders", pool.text("access_token"))
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.json(),
        json!({
            "client_id": pool.text("client_id"),
            "username": "alice",
            "scope": ADMIN_SCOPE,
            "token_use": "access",
            "exp": pool.text("access_exp_java"),
        })
    );

    // Refused with 401 and no `www-authenticate` (REST APIs send none): the access token where
    // no scope is configured, the ID token (which has no scopes) where one is, expired tokens,
    // a token whose payload was changed, and none at all.
    let access = pool.text("access_token");
    let (header, rest) = access.split_once('.').unwrap();
    let tampered = format!("{header}.{}", rest.replacen('a', "b", 1));
    for (path, token) in [
        ("/profile", access),
        ("/orders", pool.text("id_token")),
        ("/profile", pool.text("expired_id_token")),
        ("/orders", pool.text("expired_access_token")),
        ("/orders", tampered.as_str()),
        ("/profile", ""),
    ] {
        let reply = get(path, token).send(tp.addr).await;
        assert_gateway_response(&reply, 401, UNAUTHORIZED, Some("UnauthorizedException"));
        assert_eq!(reply.header("www-authenticate"), None, "{path}: {reply:?}");
    }

    // The accepted tokens are still accepted after the refusals (nothing was cached wrongly).
    let reply = get("/profile", pool.text("id_token")).send(tp.addr).await;
    assert_eq!(reply.json(), profile);
}

/// An HTTP API's refusal: exact status and body, no `x-amzn-ErrorType` (HTTP APIs send none),
/// its request id in `apigw-requestid`.
#[track_caller]
fn assert_http_refusal(reply: &support::Reply, status: u16, body: &str) {
    assert_eq!(
        (reply.status, reply.text().as_str()),
        (status, body),
        "{reply:?}"
    );
    assert_eq!(reply.header(support::ERROR_TYPE), None, "{reply:?}");
    assert!(reply.header("apigw-requestid").is_some(), "{reply:?}");
}

fn http_template(pool: &Pool) -> String {
    format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          Pool:
            IdentitySource: $request.header.Authorization
            JwtConfiguration: {{ issuer: "{}", audience: ["{}"] }}
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {}
      Handler: app.echo
      Runtime: python3.12
      Events:
        Me:
          Type: HttpApi
          Properties: {{ ApiId: !Ref Http, Path: /me, Method: get, Auth: {{ Authorizer: Pool }} }}
        Admin:
          Type: HttpApi
          Properties: {{ ApiId: !Ref Http, Path: /admin, Method: get, Auth: {{ Authorizer: Pool, AuthorizationScopes: [{ADMIN_SCOPE}] }} }}
        Write:
          Type: HttpApi
          Properties: {{ ApiId: !Ref Http, Path: /write, Method: get, Auth: {{ Authorizer: Pool, AuthorizationScopes: [orders/write] }} }}
"#,
        pool.issuer(),
        pool.text("client_id"),
        repo().join("tests/fixtures/auth_lambda/src").display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_api_jwt_authorizer_takes_moto_tokens_for_its_audience_and_refuses_the_rest() {
    let moto = Moto::start();
    let pool = Pool::create(&moto);
    let dir = TempDir::new();
    let template = dir.write("template.yaml", &http_template(&pool));
    let jwks = pool.jwks_override(&moto);
    let tp = Turnpike::serve_args(&[template.to_str().unwrap(), "--jwks-url", &jwks]);
    let get = |path: &str, token: &str| {
        Req::get(path).header("authorization", &format!("Bearer {token}"))
    };

    // The access token: `client_id` is the audience (it has no `aud`). Every claim reaches the
    // function as a string, lists in HTTP API's `[a b]` spelling.
    let reply = get("/me", pool.text("access_token")).send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let claims: serde_json::Map<String, Value> = [
        "sub",
        "iss",
        "client_id",
        "token_use",
        "iat",
        "auth_time",
        "exp",
        "jti",
        "username",
        "origin_jti",
        "scope",
    ]
    .iter()
    .map(|name| ((*name).to_owned(), json!(pool.claim("access", name))))
    .chain([(
        "cognito:groups".to_owned(),
        json!(format!("[{}]", pool.groups("access", " "))),
    )])
    .collect();
    assert_eq!(
        reply.json()["event"]["requestContext"]["authorizer"]["jwt"],
        json!({"claims": claims, "scopes": [ADMIN_SCOPE]}),
        "{reply:?}"
    );
    assert_eq!(claims["iss"], json!(pool.issuer()));
    assert_eq!(claims["client_id"], json!(pool.text("client_id")));
    // The ID token: `aud` is the audience.
    let reply = get("/me", pool.text("id_token")).send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let jwt = &reply.json()["event"]["requestContext"]["authorizer"]["jwt"];
    assert_eq!(jwt["claims"]["aud"], json!(pool.text("client_id")));
    assert_eq!(jwt["claims"]["email"], json!("alice@example.com"));
    // A route's scopes: the access token grants the admin scope, not `orders/write`.
    let reply = get("/admin", pool.text("access_token")).send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let reply = get("/write", pool.text("access_token")).send(tp.addr).await;
    assert_http_refusal(&reply, 403, FORBIDDEN);
    assert_eq!(reply.header("www-authenticate"), None);

    // 401 with the reason in `www-authenticate`, as AWS words it.
    let audience = "the token does not have a valid audience";
    let expired = "the token has expired";
    for (token, description) in [
        (pool.text("other_access_token"), audience),
        (pool.text("other_id_token"), audience),
        (pool.text("expired_access_token"), expired),
        (pool.text("expired_id_token"), expired),
    ] {
        let reply = get("/me", token).send(tp.addr).await;
        assert_http_refusal(&reply, 401, UNAUTHORIZED);
        assert_jwt_challenge(&reply, Some(description));
    }
    // No token: 401 with the bare scheme, as AWS sends it.
    let reply = Req::get("/me").send(tp.addr).await;
    assert_http_refusal(&reply, 401, UNAUTHORIZED);
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
}
