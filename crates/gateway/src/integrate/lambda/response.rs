//! What a function's result means as an HTTP response, validated as API Gateway validates it.
//!
//! Payload 1.0 (REST APIs, and HTTP APIs that choose it): the result must be a JSON object whose
//! keys are among `statusCode`, `headers`, `multiValueHeaders`, `body` and `isBase64Encoded`;
//! none is required (`{}` is an empty 200), any other key makes it malformed. Observed on AWS by
//! LocalStack's `test_lambda_aws_proxy_response_format`: `{"statusCode": 200, "wrongValue": ..}`
//! → 502, `{}` → 200 with an empty body. Values are read as API Gateway's JSON binding reads them:
//! `statusCode` an integer or a string holding one; header values, `body` and cookies strings,
//! numbers or booleans (as text), `null` as absent; objects and arrays where text belongs are
//! malformed. A name in both `headers` and `multiValueHeaders` takes the multi-value list only
//! ("Output format of a Lambda function for proxy integration").
//!
//! Payload 2.0: a JSON object with `statusCode` is read like 1.0 plus `cookies` (each becomes a
//! `Set-Cookie`), with unknown keys ignored; any other valid JSON — a string, a number, an object
//! without `statusCode` — is answered 200 `application/json` with the JSON text as the body
//! ("Lambda function response for format 2.0"; a string keeps its quotes).
//!
//! A malformed result is a [`Malformed`] whose text goes to the log; the caller answers it as
//! AWS does (REST 502, HTTP API 500).

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE, SET_COOKIE};
use http::{HeaderMap, Response, StatusCode};
use serde_json::{Map, Value};

use crate::body::ResponseBody;

use super::body;

const V1_KEYS: [&str; 5] = [
    "statusCode",
    "headers",
    "multiValueHeaders",
    "body",
    "isBase64Encoded",
];

/// Why a function's result cannot be answered (for the log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Malformed(pub(crate) String);

impl Malformed {
    fn new(reason: impl Into<String>) -> Malformed {
        Malformed(reason.into())
    }
}

/// A valid function result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProxyResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// `isBase64Encoded`: the body is base64 text.
    pub(crate) base64: bool,
}

/// Reads a payload 1.0 result.
pub(crate) fn parse_v1(payload: &[u8]) -> Result<ProxyResponse, Malformed> {
    let value: Value =
        serde_json::from_slice(payload).map_err(|_| Malformed::new("the result is not JSON"))?;
    let Value::Object(object) = value else {
        return Err(Malformed::new("the result is not a JSON object"));
    };
    if let Some(key) = object.keys().find(|k| !V1_KEYS.contains(&k.as_str())) {
        return Err(Malformed(format!("unknown key {key:?} in the result")));
    }
    let mut response = explicit(&object)?;
    if let Some(multi) = present(&object, "multiValueHeaders") {
        let Value::Object(multi) = multi else {
            return Err(Malformed::new("multiValueHeaders is not an object"));
        };
        for (name, values) in multi {
            let name = header_name(name)?;
            response.headers.remove(&name);
            let values = match values {
                Value::Array(values) => values.iter().collect(),
                value => vec![value],
            };
            for value in values {
                if let Some(text) = text(value, "a multiValueHeaders value")? {
                    response.headers.append(name.clone(), header_value(&text)?);
                }
            }
        }
    }
    Ok(response)
}

/// Reads a payload 2.0 result.
pub(crate) fn parse_v2(payload: &[u8]) -> Result<ProxyResponse, Malformed> {
    let value: Value =
        serde_json::from_slice(payload).map_err(|_| Malformed::new("the result is not JSON"))?;
    match value {
        Value::Object(object) if present(&object, "statusCode").is_some() => {
            let mut response = explicit(&object)?;
            if let Some(cookies) = present(&object, "cookies") {
                let Value::Array(cookies) = cookies else {
                    return Err(Malformed::new("cookies is not an array"));
                };
                for cookie in cookies {
                    if let Some(cookie) = text(cookie, "a cookie")? {
                        response.headers.append(SET_COOKIE, header_value(&cookie)?);
                    }
                }
            }
            Ok(response)
        }
        _ => {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            Ok(ProxyResponse {
                status: StatusCode::OK,
                headers,
                body: Bytes::copy_from_slice(payload),
                base64: false,
            })
        }
    }
}

impl ProxyResponse {
    /// The method response: the body decoded from base64 when it is base64 and `decode`, the
    /// `Content-Type` `default_content_type` when the function set none.
    pub(crate) fn into_response(
        self,
        decode: bool,
        default_content_type: &'static str,
    ) -> Result<Response<ResponseBody>, Malformed> {
        let body = if self.base64 && decode {
            Bytes::from(body::decode(&self.body).ok_or_else(|| {
                Malformed::new("isBase64Encoded is true but the body is not base64")
            })?)
        } else {
            self.body
        };
        let mut response = Response::new(ResponseBody::full(body));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        let headers = response.headers_mut();
        if !headers.contains_key(CONTENT_TYPE) {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(default_content_type));
        }
        Ok(response)
    }
}

/// `statusCode`, `headers`, `body` and `isBase64Encoded` of a result object.
fn explicit(object: &Map<String, Value>) -> Result<ProxyResponse, Malformed> {
    let status = match present(object, "statusCode") {
        None => StatusCode::OK,
        Some(value) => status_code(value)?,
    };
    let mut headers = HeaderMap::new();
    if let Some(single) = present(object, "headers") {
        let Value::Object(single) = single else {
            return Err(Malformed::new("headers is not an object"));
        };
        for (name, value) in single {
            if let Some(text) = text(value, "a headers value")? {
                headers.insert(header_name(name)?, header_value(&text)?);
            }
        }
    }
    let body = match present(object, "body") {
        None => Bytes::new(),
        Some(value) => Bytes::from(text(value, "body")?.unwrap_or_default()),
    };
    let base64 = match present(object, "isBase64Encoded") {
        None => false,
        Some(Value::Bool(flag)) => *flag,
        Some(_) => return Err(Malformed::new("isBase64Encoded is not a boolean")),
    };
    Ok(ProxyResponse {
        status,
        headers,
        body,
        base64,
    })
}

/// The value of `key` unless it is absent or `null`.
fn present<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).filter(|v| !v.is_null())
}

fn status_code(value: &Value) -> Result<StatusCode, Malformed> {
    let code = match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    code.and_then(|c| u16::try_from(c).ok())
        .filter(|c| (100..=599).contains(c))
        .and_then(|c| StatusCode::from_u16(c).ok())
        .ok_or_else(|| Malformed(format!("statusCode {value} is not an HTTP status")))
}

/// A scalar as text (`null` is `None`); objects and arrays are malformed.
fn text(value: &Value, what: &str) -> Result<Option<String>, Malformed> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        Value::Array(_) | Value::Object(_) => Err(Malformed(format!("{what} is not a string"))),
    }
}

fn header_name(name: &str) -> Result<HeaderName, Malformed> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Malformed(format!("{name:?} is not a header name")))
}

fn header_value(value: &str) -> Result<HeaderValue, Malformed> {
    HeaderValue::from_str(value).map_err(|_| Malformed(format!("{value:?} is not a header value")))
}

#[cfg(test)]
mod tests;
