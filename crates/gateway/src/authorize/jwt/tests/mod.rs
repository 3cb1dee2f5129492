//! JWT verifier tests: keys generated per run, a real local issuer serving discovery and JWKS
//! documents, and real Cognito tokens from a moto server.

mod bypass;
mod cognito;
mod verify;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair as _, RsaKeyPair, RsaPublicKeyComponents};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use super::*;

/// A signing key made for this run.
pub(super) enum TestKey {
    Rsa { kid: String, pair: RsaKeyPair },
    Ec { kid: String, pair: EcdsaKeyPair },
}

impl TestKey {
    /// A 2048-bit RSA key from `openssl genpkey` (ring cannot generate RSA keys).
    pub(super) fn rsa(kid: &str) -> TestKey {
        let output = std::process::Command::new("openssl")
            .args([
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-outform",
                "DER",
            ])
            .output()
            .expect("the openssl command is needed to generate RSA test keys");
        assert!(output.status.success(), "openssl genpkey failed");
        TestKey::Rsa {
            kid: kid.to_owned(),
            // `genpkey -outform DER` writes the PKCS#1 RSAPrivateKey.
            pair: RsaKeyPair::from_der(&output.stdout).unwrap(),
        }
    }

    /// A P-256 key.
    pub(super) fn ec(kid: &str) -> TestKey {
        let rng = SystemRandom::new();
        let alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
        TestKey::Ec {
            kid: kid.to_owned(),
            pair: EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap(),
        }
    }

    pub(super) fn kid(&self) -> &str {
        match self {
            TestKey::Rsa { kid, .. } | TestKey::Ec { kid, .. } => kid,
        }
    }

    pub(super) fn alg(&self) -> &'static str {
        match self {
            TestKey::Rsa { .. } => "RS256",
            TestKey::Ec { .. } => "ES256",
        }
    }

    /// The public JWK, without `alg` (the verifier infers it from the key type).
    pub(super) fn jwk(&self) -> Value {
        match self {
            TestKey::Rsa { kid, pair } => {
                let public = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
                json!({"kty": "RSA", "kid": kid, "use": "sig",
                       "n": b64(&public.n), "e": b64(&public.e)})
            }
            TestKey::Ec { kid, pair } => {
                let point = pair.public_key().as_ref();
                json!({"kty": "EC", "kid": kid, "crv": "P-256",
                       "x": b64(&point[1..33]), "y": b64(&point[33..65])})
            }
        }
    }

    /// The DER of the public key, the "secret" of the HS256-with-the-public-key attack.
    pub(super) fn public_der(&self) -> Vec<u8> {
        match self {
            TestKey::Rsa { pair, .. } => pair.public().as_ref().to_vec(),
            TestKey::Ec { pair, .. } => pair.public_key().as_ref().to_vec(),
        }
    }

    /// A token with `header` (as given) over `claims`, signed by this key.
    pub(super) fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let rng = SystemRandom::new();
        let signature = match self {
            TestKey::Rsa { pair, .. } => {
                let mut out = vec![0; pair.public().modulus_len()];
                pair.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &rng,
                    input.as_bytes(),
                    &mut out,
                )
                .unwrap();
                out
            }
            TestKey::Ec { pair, .. } => {
                pair.sign(&rng, input.as_bytes()).unwrap().as_ref().to_vec()
            }
        };
        format!("{input}.{}", b64(&signature))
    }

    /// A token with this key's `alg` and `kid` over `claims`.
    pub(super) fn sign(&self, claims: &Value) -> String {
        self.sign_with_header(
            &json!({"alg": self.alg(), "kid": self.kid(), "typ": "JWT"}),
            claims,
        )
    }
}

pub(super) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(super) fn jwks(keys: &[&TestKey]) -> String {
    json!({"keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>()}).to_string()
}

/// A local issuer: `/.well-known/openid-configuration` names `/keys`, which serves `jwks`.
pub(super) struct Issuer {
    pub(super) url: String,
    /// Requests for `/keys` so far.
    pub(super) key_fetches: Arc<AtomicUsize>,
    pub(super) jwks: Arc<Mutex<String>>,
}

impl Issuer {
    pub(super) async fn start(jwks: String) -> Issuer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let url = format!("http://{addr}");
        let key_fetches = Arc::new(AtomicUsize::new(0));
        let document = Arc::new(Mutex::new(jwks));
        let (fetches, served, base) = (key_fetches.clone(), document.clone(), url.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (fetches, served, base) = (fetches.clone(), served.clone(), base.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let (fetches, served, base) =
                            (fetches.clone(), served.clone(), base.clone());
                        async move {
                            let (status, body) = match request.uri().path() {
                                "/.well-known/openid-configuration" => (
                                    StatusCode::OK,
                                    json!({"issuer": base, "jwks_uri": format!("{base}/keys")})
                                        .to_string(),
                                ),
                                "/keys" => {
                                    fetches.fetch_add(1, Ordering::SeqCst);
                                    (StatusCode::OK, served.lock().unwrap().clone())
                                }
                                _ => (StatusCode::NOT_FOUND, String::new()),
                            };
                            let mut response = Response::new(Full::new(Bytes::from(body)));
                            *response.status_mut() = status;
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Issuer {
            url,
            key_fetches,
            jwks: document,
        }
    }

    pub(super) fn fetches(&self) -> usize {
        self.key_fetches.load(Ordering::SeqCst)
    }

    /// An HTTP API JWT authorizer config for this issuer with audience `my-api`.
    pub(super) fn config(&self) -> JwtConfig {
        JwtConfig {
            issuer: self.url.clone(),
            audiences: vec!["my-api".to_owned()],
            jwks_url: None,
            cognito: false,
            leeway: Duration::from_secs(5),
        }
    }
}

pub(super) fn client() -> UpstreamClient {
    let tls = crate::integrate::http::tls_config(Vec::new()).unwrap();
    UpstreamClient::new(tls)
}

pub(super) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Valid claims for `issuer` and audience `my-api`, expiring in an hour.
pub(super) fn claims(issuer: &str) -> Value {
    let now = now_secs();
    json!({"iss": issuer, "aud": "my-api", "sub": "user-1", "iat": now, "exp": now + 3600,
           "scope": "read write"})
}

pub(super) fn scopes(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}
