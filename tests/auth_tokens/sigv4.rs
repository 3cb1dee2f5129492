//! Requests signed by botocore (the repository's `.venv`), through the signing helper of the
//! gateway's SigV4 tests, and AWS's 403 for a signature that does not match.

use serde_json::json;

use crate::support::sam::repo;
use crate::support::{Reply, Req};

/// The credentials a request is signed with.
pub struct Signer<'a> {
    pub access_key: &'a str,
    pub secret: &'a str,
    /// A session token (temporary credentials): sent as `X-Amz-Security-Token`.
    pub token: Option<&'a str>,
}

/// A request to sign.
pub struct ToSign<'a> {
    pub method: &'a str,
    pub path_and_query: &'a str,
    pub body: &'a str,
    /// Presign (query-string form) valid for this many seconds; else an `Authorization` header.
    pub presign_expires: Option<u64>,
    /// Sign as if at this time (seconds since the epoch); else now.
    pub signed_at: Option<u64>,
}

/// A request botocore signed.
pub struct Signed {
    pub method: String,
    pub path_and_query: String,
    pub headers: Vec<(String, String)>,
    pub canonical_request: String,
    pub string_to_sign: String,
}

impl Signed {
    pub fn request(&self, body: &str) -> Req {
        self.request_to(&self.path_and_query, body)
    }

    /// The signed request sent to another path and query (tampering).
    pub fn request_to(&self, path_and_query: &str, body: &str) -> Req {
        let mut req = Req::new(&self.method, path_and_query);
        for (name, value) in &self.headers {
            req = req.header(name, value);
        }
        req.body(body.to_owned())
    }
}

/// Signs `requests` to the server at `base_url` (`http://host:port`) for region us-east-1.
pub fn botocore_sign(base_url: &str, signer: &Signer, requests: &[ToSign]) -> Vec<Signed> {
    let spec = json!({
        "access_key": signer.access_key, "secret_key": signer.secret, "token": signer.token,
        "region": "us-east-1",
        "requests": requests.iter().map(|r| {
            let mut item = json!({"method": r.method,
                                  "url": format!("{base_url}{}", r.path_and_query),
                                  "body": r.body, "headers": {}});
            if let Some(expires) = r.presign_expires {
                item["presign_expires"] = json!(expires);
            }
            if let Some(at) = r.signed_at {
                item["signed_at"] = json!(at);
            }
            item
        }).collect::<Vec<_>>(),
    });
    let script = repo().join("crates/gateway/src/authorize/sigv4/tests/botocore_sign.py");
    let signed = crate::support::moto::python_json([script], Some(&spec));
    let signed = signed.as_array().expect("botocore_sign.py answers a list");
    signed
        .iter()
        .map(|item| Signed {
            method: item["method"].as_str().unwrap().to_owned(),
            path_and_query: item["url"]
                .as_str()
                .unwrap()
                .strip_prefix(base_url)
                .unwrap()
                .to_owned(),
            headers: item["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    (
                        h[0].as_str().unwrap().to_owned(),
                        h[1].as_str().unwrap().to_owned(),
                    )
                })
                .collect(),
            canonical_request: item["canonical_request"].as_str().unwrap().to_owned(),
            string_to_sign: item["string_to_sign"].as_str().unwrap().to_owned(),
        })
        .collect()
}

pub fn sha256_hex(data: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// AWS's 403 for a signature that does not match, with what the gateway computed.
#[track_caller]
pub fn assert_mismatch(reply: &Reply, canonical_request: &str, string_to_sign: &str) {
    assert_eq!(reply.status, 403, "{reply:?}");
    let message = format!(
        "The request signature we calculated does not match the signature you provided. Check \
         your AWS Secret Access Key and signing method. Consult the service documentation for \
         details.\n\nThe Canonical String for this request should have been\n'{canonical_request}'\
         \n\nThe String-to-Sign should have been\n'{string_to_sign}'\n"
    );
    assert_eq!(reply.json(), json!({ "message": message }), "{reply:?}");
    assert_eq!(
        reply.header(crate::support::ERROR_TYPE),
        Some("InvalidSignatureException")
    );
}

/// Replaces the last line of `text`.
pub fn with_last_line(text: &str, line: &str) -> String {
    format!("{}\n{line}", text.rsplit_once('\n').unwrap().0)
}
