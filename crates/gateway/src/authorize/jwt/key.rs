//! Public keys from a JWKS document and signature verification with them. The algorithm a key
//! verifies is the key's (its JWK `alg`, else what its type implies), never the token's.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use serde_json::Value;

/// The signature algorithms a key can verify. HMAC and `none` are absent on purpose: a JWKS
/// holds public keys, and a shared secret must never be taken from one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Algorithm {
    Rs256,
    Rs384,
    Rs512,
    Es256,
    Es384,
}

impl Algorithm {
    /// The JOSE name, as in a JWT header or JWK `alg`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Algorithm::Rs256 => "RS256",
            Algorithm::Rs384 => "RS384",
            Algorithm::Rs512 => "RS512",
            Algorithm::Es256 => "ES256",
            Algorithm::Es384 => "ES384",
        }
    }

    fn from_name(name: &str) -> Option<Algorithm> {
        Some(match name {
            "RS256" => Algorithm::Rs256,
            "RS384" => Algorithm::Rs384,
            "RS512" => Algorithm::Rs512,
            "ES256" => Algorithm::Es256,
            "ES384" => Algorithm::Es384,
            _ => return None,
        })
    }
}

/// One verification key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublicKey {
    pub(crate) kid: Option<String>,
    pub(crate) alg: Algorithm,
    material: Material,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Material {
    /// Big-endian modulus and exponent without leading zero bytes.
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// The uncompressed SEC1 point `04 || x || y`.
    Ec { point: Vec<u8> },
}

impl PublicKey {
    /// Whether `signature` over `message` verifies with this key under the key's own algorithm.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match (&self.material, self.alg) {
            (Material::Rsa { n, e }, alg) => {
                let params = match alg {
                    Algorithm::Rs256 => &signature::RSA_PKCS1_2048_8192_SHA256,
                    Algorithm::Rs384 => &signature::RSA_PKCS1_2048_8192_SHA384,
                    Algorithm::Rs512 => &signature::RSA_PKCS1_2048_8192_SHA512,
                    Algorithm::Es256 | Algorithm::Es384 => return false,
                };
                RsaPublicKeyComponents { n, e }
                    .verify(params, message, signature)
                    .is_ok()
            }
            (Material::Ec { point }, alg) => {
                let params = match alg {
                    Algorithm::Es256 => &signature::ECDSA_P256_SHA256_FIXED,
                    Algorithm::Es384 => &signature::ECDSA_P384_SHA384_FIXED,
                    _ => return false,
                };
                UnparsedPublicKey::new(params, point)
                    .verify(message, signature)
                    .is_ok()
            }
        }
    }
}

/// The usable signing keys of a JWKS document (`{"keys":[...]}`). Keys this gateway cannot use
/// (encryption keys, other types and curves, inconsistent `alg`) are skipped, not errors: issuers
/// publish keys for other consumers too. `None` if the document is not a JWKS at all.
pub(crate) fn parse_jwks(document: &[u8]) -> Option<Vec<PublicKey>> {
    let value: Value = serde_json::from_slice(document).ok()?;
    let keys = value.get("keys")?.as_array()?;
    Some(keys.iter().filter_map(parse_jwk).collect())
}

fn parse_jwk(jwk: &Value) -> Option<PublicKey> {
    let text = |name: &str| jwk.get(name).and_then(Value::as_str);
    if text("use").is_some_and(|usage| usage != "sig") {
        return None;
    }
    let declared = match jwk.get("alg") {
        None => None,
        Some(Value::String(alg)) => Some(Algorithm::from_name(alg)?),
        Some(_) => return None,
    };
    let (alg, material) = match text("kty")? {
        "RSA" => {
            let n = strip_leading_zeros(bytes(text("n")?)?);
            let e = strip_leading_zeros(bytes(text("e")?)?);
            let alg = declared.unwrap_or(Algorithm::Rs256);
            if !matches!(alg, Algorithm::Rs256 | Algorithm::Rs384 | Algorithm::Rs512) {
                return None;
            }
            (alg, Material::Rsa { n, e })
        }
        "EC" => {
            let (implied, size) = match text("crv")? {
                "P-256" => (Algorithm::Es256, 32),
                "P-384" => (Algorithm::Es384, 48),
                _ => return None,
            };
            if declared.is_some_and(|alg| alg != implied) {
                return None;
            }
            let (x, y) = (bytes(text("x")?)?, bytes(text("y")?)?);
            if x.len() != size || y.len() != size {
                return None;
            }
            let mut point = Vec::with_capacity(1 + 2 * size);
            point.push(0x04);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            (implied, Material::Ec { point })
        }
        _ => return None,
    };
    Some(PublicKey {
        kid: text("kid").map(str::to_owned),
        alg,
        material,
    })
}

fn bytes(base64url: &str) -> Option<Vec<u8>> {
    // Some issuers pad their base64url; the value is the same either way.
    URL_SAFE_NO_PAD.decode(base64url.trim_end_matches('=')).ok()
}

fn strip_leading_zeros(mut bytes: Vec<u8>) -> Vec<u8> {
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    bytes.drain(..zeros);
    bytes
}
