//! SigV4 tests: requests signed by botocore (the SDKs' signer) must pass; tampered, mis-keyed and
//! untimely ones must get AWS's exact 403 messages.

mod botocore;
mod rejections;

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use http::header::{HeaderName, HeaderValue};
use http::HeaderMap;
use serde_json::{json, Value};

use super::*;

pub(super) const ACCESS_KEY: &str = "AKIDEXAMPLE";
pub(super) const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
pub(super) const TEMP_KEY: &str = "ASIATEMPORARY";
pub(super) const TEMP_SECRET: &str = "temporarySecretKey0123456789abcdefghijklm";
pub(super) const TOKEN: &str = "FwoGZXIvYXdzEJr//////////wEaDOk+token/with=chars";
pub(super) const HOST: &str = "abc123.execute-api.us-east-1.amazonaws.com";

pub(super) fn credentials() -> Credentials {
    Credentials::parse(
        "test-credentials",
        &format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET}\n\
             aws_account_id = 123456789012\n\n# temporary credentials\n[session]\n\
             aws_access_key_id={TEMP_KEY}\naws_secret_access_key={TEMP_SECRET}\n\
             aws_session_token={TOKEN}\n"
        ),
    )
    .unwrap()
}

/// A request as botocore signed it, with botocore's canonical request and string to sign.
#[derive(Debug, Clone)]
pub(super) struct Signed {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) query: String,
    pub(super) headers: HeaderMap,
    pub(super) body: Vec<u8>,
    pub(super) canonical_request: String,
    pub(super) string_to_sign: String,
}

impl Signed {
    pub(super) fn request(&self) -> SignedRequest<'_> {
        SignedRequest {
            method: &self.method,
            raw_path: &self.path,
            raw_query: &self.query,
            headers: &self.headers,
            body: &self.body,
        }
    }

    pub(super) fn set_header(&mut self, name: &str, value: &str) {
        self.headers.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
}

/// One request to sign: method, path-and-query, extra headers, body, presigned expiry.
pub(super) struct ToSign<'a> {
    pub(super) method: &'a str,
    pub(super) path_and_query: &'a str,
    pub(super) headers: Value,
    pub(super) body: &'a str,
    pub(super) presign_expires: Option<u64>,
}

impl<'a> ToSign<'a> {
    pub(super) fn get(path_and_query: &'a str) -> ToSign<'a> {
        ToSign {
            method: "GET",
            path_and_query,
            headers: json!({}),
            body: "",
            presign_expires: None,
        }
    }
}

/// Signs `requests` with botocore under `(access key, secret, token)`.
pub(super) fn botocore_sign(
    keys: (&str, &str, Option<&str>),
    requests: &[ToSign<'_>],
) -> Vec<Signed> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/authorize/sigv4/tests/botocore_sign.py");
    let spec = json!({
        "access_key": keys.0, "secret_key": keys.1, "token": keys.2, "region": "us-east-1",
        "requests": requests.iter().map(|r| {
            let mut item = json!({"method": r.method, "url": format!("https://{HOST}{}", r.path_and_query),
                                  "headers": r.headers, "body": r.body});
            if let Some(expires) = r.presign_expires {
                item["presign_expires"] = json!(expires);
            }
            item
        }).collect::<Vec<_>>(),
    });
    let signed = turnpike_testkit::python::python_json([script], Some(&spec));
    let signed = signed.as_array().expect("botocore_sign.py answers a list");
    signed
        .iter()
        .zip(requests)
        .map(|(item, request)| {
            let url = item["url"].as_str().unwrap();
            let path_and_query = url.strip_prefix(&format!("https://{HOST}")).unwrap();
            let (path, query) = path_and_query
                .split_once('?')
                .unwrap_or((path_and_query, ""));
            let mut headers = HeaderMap::new();
            // The HTTP client sends Host; botocore signs it without adding it.
            headers.insert(http::header::HOST, HeaderValue::from_static(HOST));
            for pair in item["headers"].as_array().unwrap() {
                headers.append(
                    HeaderName::from_bytes(pair[0].as_str().unwrap().as_bytes()).unwrap(),
                    HeaderValue::from_str(pair[1].as_str().unwrap()).unwrap(),
                );
            }
            Signed {
                method: item["method"].as_str().unwrap().to_owned(),
                path: path.to_owned(),
                query: query.to_owned(),
                headers,
                body: request.body.as_bytes().to_vec(),
                canonical_request: item["canonical_request"].as_str().unwrap().to_owned(),
                string_to_sign: item["string_to_sign"].as_str().unwrap().to_owned(),
            }
        })
        .collect()
}

pub(super) fn sign_one(request: ToSign<'_>) -> Signed {
    botocore_sign((ACCESS_KEY, SECRET, None), &[request]).remove(0)
}

pub(super) fn verifier() -> SigV4Verifier {
    SigV4Verifier::new(credentials())
}

/// The time in a signed request's `X-Amz-Date` (header or query), as a `SystemTime`.
pub(super) fn signed_at(signed: &Signed) -> SystemTime {
    let date = signed.string_to_sign.lines().nth(1).unwrap();
    let seconds = parse::parse_date_for_tests(date);
    SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).unwrap())
}

/// The body AWS sends for `rejection`.
pub(super) fn body(rejection: &SigV4Rejection) -> String {
    json!({"message": rejection.message()}).to_string()
}
