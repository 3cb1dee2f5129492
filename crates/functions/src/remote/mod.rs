//! Functions in AWS: a Lambda ARN that names no local function is invoked through Lambda's Invoke
//! API (`POST /2015-03-31/functions/{FunctionName}/invocations`, `X-Amz-Invocation-Type:
//! RequestResponse`), signed with SigV4 ([`sigv4`]) using credentials from the standard chain
//! ([`credentials`]), in the region the ARN names, at `https://lambda.{region}.amazonaws.com` or
//! the endpoint the user gives (LocalStack, any compatible server). [`client`] makes the exchange.
//!
//! The answer maps onto the local host's: 200 is the function's result, or its error when
//! `X-Amz-Function-Error` is set (`Handled`/`Unhandled`); any other status is an Invoke API
//! error ([`InvokeError::Remote`], with Lambda's `x-amzn-ErrorType` and message).

mod client;

#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use tokio_rustls::TlsConnector;

use crate::error::InvokeError;
use crate::invoke::{FunctionError, InvokeContext, InvokeOutcome, InvokeResponse};
use crate::limits::MAX_REQUEST_PAYLOAD_BYTES;

use self::client::{Endpoint, ExchangeError};
use turnpike_sigv4::credentials;
use turnpike_sigv4::Credentials;

/// How functions in AWS are reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteConfig {
    /// The Invoke API's base URL; `None` for `https://lambda.{region}.amazonaws.com`.
    pub endpoint: Option<String>,
    /// Bound on one invocation; default 15 minutes (Lambda's longest timeout) and a little.
    pub timeout: Duration,
}

impl Default for RemoteConfig {
    fn default() -> RemoteConfig {
        RemoteConfig {
            endpoint: None,
            timeout: Duration::from_secs(905),
        }
    }
}

/// Invokes functions through Lambda's Invoke API.
pub(crate) struct RemoteInvoker {
    endpoint: Option<Endpoint>,
    timeout: Duration,
    tls: TlsConnector,
    /// Keep-alive connections, shared by every function on the same endpoint.
    pool: client::Pool,
}

impl RemoteInvoker {
    /// Checks the endpoint and prepares TLS.
    pub(crate) fn new(config: &RemoteConfig) -> Result<RemoteInvoker, String> {
        let endpoint = config
            .endpoint
            .as_deref()
            .map(Endpoint::parse)
            .transpose()?;
        Ok(RemoteInvoker {
            endpoint,
            timeout: config.timeout,
            tls: client::tls_connector()?,
            pool: client::Pool::default(),
        })
    }

    /// Invokes the function `arn` (`arn:{partition}:lambda:{region}:{account}:function:{name}
    /// [:{qualifier}]`) synchronously with `payload`.
    pub(crate) async fn invoke(
        &self,
        arn: &str,
        payload: Bytes,
        ctx: &InvokeContext,
    ) -> Result<InvokeOutcome, InvokeError> {
        if payload.len() > MAX_REQUEST_PAYLOAD_BYTES {
            return Err(InvokeError::RequestTooLarge {
                size: payload.len(),
            });
        }
        let credentials = credentials::current().map_err(InvokeError::NoCredentials)?;
        self.invoke_as(&credentials, arn, payload, ctx).await
    }

    /// [`RemoteInvoker::invoke`] signed with `credentials`.
    async fn invoke_as(
        &self,
        credentials: &Credentials,
        arn: &str,
        payload: Bytes,
        ctx: &InvokeContext,
    ) -> Result<InvokeOutcome, InvokeError> {
        let region = arn
            .split(':')
            .nth(3)
            .filter(|r| !r.is_empty())
            .ok_or_else(|| InvokeError::FunctionNotFound {
                arn: arn.to_string(),
            })?;
        let endpoint = match &self.endpoint {
            Some(endpoint) => endpoint.clone(),
            None => Endpoint::parse(&default_endpoint(arn, region))
                .map_err(|reason| unreachable(arn, reason))?,
        };
        let path = format!(
            "{}/2015-03-31/functions/{}/invocations",
            endpoint.base_path,
            turnpike_sigv4::encode_segment(arn)
        );
        let headers = [
            ("content-type", "application/json"),
            ("x-amz-invocation-type", "RequestResponse"),
        ];
        let unsigned = turnpike_sigv4::Unsigned {
            method: "POST",
            path: &path,
            query: "",
            headers: &headers,
            host: &endpoint.authority,
            body: &payload,
            region,
            service: "lambda",
        };
        let added = turnpike_sigv4::sign(&unsigned, credentials, time::OffsetDateTime::now_utc());
        let mut request = Request::post(path.as_str()).header("host", &endpoint.authority);
        for (name, value) in headers.iter().copied() {
            request = request.header(name, value);
        }
        for (name, value) in &added {
            request = request.header(*name, value.as_str());
        }
        // Sent unsigned, as the AWS SDKs send it: proxies may rewrite it.
        if let Some(trace_id) = &ctx.trace_id {
            request = request.header("x-amzn-trace-id", trace_id.as_str());
        }
        let request = request
            .body(Full::new(payload))
            .map_err(|e| unreachable(arn, e.to_string()))?;

        let started = Instant::now();
        let answer = tokio::time::timeout(
            self.timeout,
            client::exchange(&self.pool, &endpoint, &self.tls, request),
        )
        .await
        .map_err(|_| unreachable(arn, "the Invoke API did not answer in time".into()))?;
        let response = match answer {
            Ok(response) => response,
            Err(ExchangeError::Connect(reason) | ExchangeError::Broken(reason)) => {
                return Err(unreachable(arn, reason))
            }
        };
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let request_id = header("x-amzn-requestid").unwrap_or_default();
        let status = response.status().as_u16();
        let body = response.body().clone();
        if status != 200 {
            return Err(remote_error(status, header("x-amzn-errortype"), body));
        }
        let response = match header("x-amz-function-error") {
            Some(_) => InvokeResponse::FunctionError(FunctionError {
                error_type: serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|doc| doc.get("errorType")?.as_str().map(str::to_string)),
                payload: body,
            }),
            None => InvokeResponse::Success(body),
        };
        Ok(InvokeOutcome {
            request_id,
            worker_pid: 0,
            cold_start: false,
            duration: started.elapsed(),
            response,
        })
    }
}

/// `https://lambda.{region}.amazonaws.com` (`.com.cn` in the China partition).
fn default_endpoint(arn: &str, region: &str) -> String {
    let suffix = match arn.split(':').nth(1) {
        Some("aws-cn") => "amazonaws.com.cn",
        _ => "amazonaws.com",
    };
    format!("https://lambda.{region}.{suffix}")
}

fn unreachable(arn: &str, reason: String) -> InvokeError {
    InvokeError::Unreachable {
        arn: arn.to_string(),
        reason,
    }
}

/// An Invoke API error: the type from `x-amzn-ErrorType` (`Name:` followed by a URL at times) or
/// the body's `__type`/`Type`, the message from the body's `message`/`Message`.
fn remote_error(status: u16, error_type: Option<String>, body: Bytes) -> InvokeError {
    let document: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    let field = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| document.as_ref()?.get(*name)?.as_str().map(str::to_string))
    };
    let error_type = error_type
        .map(|t| t.split(':').next().unwrap_or_default().to_string())
        .filter(|t| !t.is_empty())
        .or_else(|| field(&["__type"]))
        .unwrap_or_else(|| "ServiceException".into());
    InvokeError::Remote {
        status,
        message: field(&["message", "Message"]).unwrap_or_default(),
        error_type,
        body,
    }
}
