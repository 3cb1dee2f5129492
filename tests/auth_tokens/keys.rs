//! Signing keys made for this run and a local issuer serving their JWKS (discovery at
//! `/.well-known/openid-configuration`, keys at `/keys`).

use std::convert::Infallible;
use std::time::{SystemTime, UNIX_EPOCH};

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

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// An RSA (RS256) or P-256 (ES256) key.
pub enum Key {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

impl Key {
    /// A 2048-bit RSA key from `openssl genpkey` (ring cannot generate RSA keys).
    pub fn rsa() -> Key {
        let output = std::process::Command::new("openssl")
            .args([
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
            ])
            .args(["-outform", "DER"])
            .output()
            .expect("the openssl command generates the RSA test key");
        assert!(output.status.success(), "openssl genpkey failed");
        Key::Rsa(RsaKeyPair::from_der(&output.stdout).unwrap())
    }

    pub fn ec() -> Key {
        let rng = SystemRandom::new();
        let alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
        Key::Ec(EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap())
    }

    fn kid(&self) -> &'static str {
        match self {
            Key::Rsa(_) => "rsa-1",
            Key::Ec(_) => "ec-1",
        }
    }

    pub fn jwk(&self) -> Value {
        match self {
            Key::Rsa(pair) => {
                let public = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
                json!({"kty": "RSA", "kid": self.kid(), "use": "sig", "alg": "RS256",
                       "n": b64(&public.n), "e": b64(&public.e)})
            }
            Key::Ec(pair) => {
                let point = pair.public_key().as_ref();
                json!({"kty": "EC", "kid": self.kid(), "crv": "P-256", "use": "sig",
                       "x": b64(&point[1..33]), "y": b64(&point[33..65])})
            }
        }
    }

    /// `header` (as given) and `claims`, signed.
    pub fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let rng = SystemRandom::new();
        let signature = match self {
            Key::Rsa(pair) => {
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
            Key::Ec(pair) => pair.sign(&rng, input.as_bytes()).unwrap().as_ref().to_vec(),
        };
        format!("{input}.{}", b64(&signature))
    }

    /// `claims` under this key's `alg` and `kid`.
    pub fn sign(&self, claims: &Value) -> String {
        let alg = match self {
            Key::Rsa(_) => "RS256",
            Key::Ec(_) => "ES256",
        };
        self.sign_with_header(
            &json!({"alg": alg, "kid": self.kid(), "typ": "JWT"}),
            claims,
        )
    }
}

/// Serves discovery and `jwks` on 127.0.0.1; answers with its base URL.
pub async fn issuer(jwks: Value) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = base.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (jwks, base) = (jwks.clone(), served.clone());
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<Incoming>| {
                    let body = match request.uri().path() {
                        "/.well-known/openid-configuration" => {
                            Some(json!({"issuer": base, "jwks_uri": format!("{base}/keys")}))
                        }
                        "/keys" => Some(jwks.clone()),
                        _ => None,
                    };
                    let mut response = Response::new(Full::new(Bytes::from(
                        body.as_ref().map(Value::to_string).unwrap_or_default(),
                    )));
                    if body.is_none() {
                        *response.status_mut() = StatusCode::NOT_FOUND;
                    }
                    async move { Ok::<_, Infallible>(response) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    base
}
