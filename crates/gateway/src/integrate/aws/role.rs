//! An AWS service integration's `credentials` role: assumed with STS `AssumeRole` (query
//! protocol, signed with the gateway's own credentials from the chain) on the STS endpoint the
//! endpoint settings give (`--aws-endpoint-url`, `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, else
//! `sts.{region}.amazonaws.com`), its temporary credentials kept process-wide by role until
//! shortly before they expire ([`turnpike_sigv4::assume_role`]).
//!
//! When the role cannot be assumed (STS refuses, answers nonsense, cannot be reached or is too
//! slow), API Gateway fails the request with a 500 `Internal server error` and logs "Execution
//! failed due to configuration error: API Gateway does not have permission to assume the provided
//! role"; so does Turnpike, with STS's reason.

use std::sync::Arc;
use std::time::Duration;

use ::http::header::{HeaderValue, CONTENT_TYPE, HOST};
use ::http::{Method, Request, Uri};
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use time::OffsetDateTime;
use turnpike_sigv4::assume_role::{self, Assumed, RoleCache};
use turnpike_sigv4::Credentials;

use super::retarget;
use crate::body::UpstreamBody;
use crate::gateway_response::GatewayError;
use crate::integrate::UpstreamClient;

/// The `RoleSessionName` of every session (CloudTrail shows it in the assumed role's ARN).
const SESSION_NAME: &str = "turnpike";

/// The most of STS's answer read: its credentials answer is under 2 KiB.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Every role's credentials, shared by all integrations and deployments.
static ROLES: RoleCache = RoleCache::new();

/// Credentials of `role_arn` to sign a call in `region`: cached ones while good, else fresh ones
/// from STS, which gets at most `timeout`. A failure is logged and answered as API Gateway answers
/// a role it cannot assume.
pub(crate) async fn credentials(
    client: &UpstreamClient,
    role_arn: &str,
    region: &str,
    timeout: Duration,
) -> Result<Arc<Credentials>, GatewayError> {
    credentials_in(&ROLES, client, role_arn, region, timeout, None).await
}

/// [`credentials`] with `cache`, signing with `signer` when given (else the chain's), at the
/// current time.
async fn credentials_in(
    cache: &RoleCache,
    client: &UpstreamClient,
    role_arn: &str,
    region: &str,
    timeout: Duration,
    signer: Option<&Credentials>,
) -> Result<Arc<Credentials>, GatewayError> {
    if let Some(credentials) = cache.get(role_arn, OffsetDateTime::now_utc()) {
        return Ok(credentials);
    }
    let assumed = match signer {
        Some(signer) => assume(client, signer, role_arn, region, timeout).await,
        None => match turnpike_sigv4::credentials::current() {
            Ok(signer) => assume(client, &signer, role_arn, region, timeout).await,
            Err(reason) => Err(format!("no AWS credentials to call STS with: {reason}")),
        },
    };
    match assumed {
        Ok(assumed) => Ok(cache.insert(role_arn, assumed)),
        Err(reason) => {
            tracing::warn!(
                role = role_arn,
                %reason,
                "Execution failed due to configuration error: API Gateway does not have permission to assume the provided role {role_arn}"
            );
            Err(GatewayError::api_configuration_error())
        }
    }
}

/// Calls STS `AssumeRole` for `role_arn`, signed with `signer`; `Err` says why there are no
/// credentials.
async fn assume(
    client: &UpstreamClient,
    signer: &Credentials,
    role_arn: &str,
    region: &str,
    timeout: Duration,
) -> Result<Assumed, String> {
    let uri = sts_uri(client, region)?;
    let host = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .unwrap_or_default();
    let body = assume_role::request_body(role_arn, SESSION_NAME);
    let unsigned = turnpike_sigv4::Unsigned {
        method: "POST",
        path: uri.path(),
        query: uri.query().unwrap_or_default(),
        headers: &[("content-type", assume_role::CONTENT_TYPE)],
        host: &host,
        body: body.as_bytes(),
        region,
        service: "sts",
    };
    let added = turnpike_sigv4::sign(&unsigned, signer, OffsetDateTime::now_utc());
    let mut request = Request::new(UpstreamBody::full(Bytes::from(body)));
    *request.method_mut() = Method::POST;
    *request.uri_mut() = uri.clone();
    let headers = request.headers_mut();
    let host = HeaderValue::from_str(&host).map_err(|_| format!("invalid STS host {host:?}"))?;
    headers.insert(HOST, host);
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(assume_role::CONTENT_TYPE),
    );
    for (name, value) in added {
        let value = HeaderValue::from_str(&value).map_err(|_| format!("unsendable {name}"))?;
        headers.insert(name, value);
    }
    let exchange = async {
        let response = client
            .request(request)
            .await
            .map_err(|error| format!("cannot reach STS at {uri}: {error}"))?;
        let status = response.status().as_u16();
        let bytes = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|error| format!("STS's answer could not be read: {error}"))?
            .to_bytes();
        assume_role::parse_response(status, &String::from_utf8_lossy(&bytes))
            .map_err(|error| error.to_string())
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| format!("STS did not answer within {} ms", timeout.as_millis()))?
}

/// Where `AssumeRole` goes: the configured STS endpoint, else STS's regional endpoint.
fn sts_uri(client: &UpstreamClient, region: &str) -> Result<Uri, String> {
    let regional = Uri::try_from(format!("https://sts.{region}.amazonaws.com/"))
        .map_err(|_| format!("no STS endpoint for region {region:?}"))?;
    match client.aws().endpoint("sts") {
        Some(endpoint) => retarget(endpoint, &regional)
            .ok_or_else(|| format!("invalid STS endpoint address {endpoint:?}")),
        None => Ok(regional),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrate::aws::AwsSettings;
    use turnpike_model::GatewayResponseType;
    use turnpike_testkit::moto::Moto;

    const ROLE: &str = "arn:aws:iam::123456789012:role/apigw";

    fn client(endpoint: &str) -> UpstreamClient {
        let tls = crate::integrate::http::tls_config(Vec::new()).unwrap();
        let settings = AwsSettings::from_vars(Some(endpoint.to_owned()), Vec::new());
        UpstreamClient::with_aws(tls, Arc::new(settings))
    }

    fn signer() -> Credentials {
        Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        }
    }

    #[test]
    fn sts_goes_to_the_override_else_the_regional_endpoint() {
        assert_eq!(
            sts_uri(&client("http://127.0.0.1:5000"), "eu-west-1")
                .unwrap()
                .to_string(),
            "http://127.0.0.1:5000/"
        );
        let tls = crate::integrate::http::tls_config(Vec::new()).unwrap();
        let plain = UpstreamClient::with_aws(tls, Arc::default());
        assert_eq!(
            sts_uri(&plain, "eu-west-1").unwrap().to_string(),
            "https://sts.eu-west-1.amazonaws.com/"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn assumes_the_role_on_moto_and_keeps_it_until_near_expiry() {
        let moto = Moto::start();
        let client = client(&moto.url);
        let cache = RoleCache::new();
        let timeout = Duration::from_secs(10);
        let first = credentials_in(&cache, &client, ROLE, "us-east-1", timeout, Some(&signer()))
            .await
            .unwrap();
        // moto hands out temporary keys as STS does: ASIA..., with a session token.
        assert!(first.access_key_id.starts_with("ASIA"), "{first:?}");
        assert_eq!(first.access_key_id.len(), 20);
        assert!(first
            .session_token
            .as_deref()
            .is_some_and(|t| !t.is_empty()));
        // Kept: the same credentials, without asking STS again.
        let again = credentials_in(&cache, &client, ROLE, "us-east-1", timeout, Some(&signer()))
            .await
            .unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        // Credentials that expire within five minutes are replaced by fresh ones from STS.
        cache.insert(
            ROLE,
            Assumed {
                credentials: (*first).clone(),
                expiration: OffsetDateTime::now_utc() + time::Duration::minutes(4),
            },
        );
        let fresh = credentials_in(&cache, &client, ROLE, "us-east-1", timeout, Some(&signer()))
            .await
            .unwrap();
        assert_ne!(fresh.access_key_id, first.access_key_id);
        assert!(fresh.access_key_id.starts_with("ASIA"), "{fresh:?}");
        // STS knows the keys as the role's session, named as Turnpike names it.
        let arn = moto.boto3(&format!(
            "sts = boto3.client('sts', **{{**kw, 'aws_access_key_id': '{}', 'aws_session_token': 'x'}})\n\
             print(json.dumps(sts.get_caller_identity()['Arn']))",
            fresh.access_key_id
        ));
        assert_eq!(
            arn,
            serde_json::json!("arn:aws:sts::123456789012:assumed-role/apigw/turnpike")
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_unreachable_sts_is_a_500_without_credentials() {
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}", listener.local_addr().unwrap())
        };
        let cache = RoleCache::new();
        let error = credentials_in(
            &cache,
            &client(&closed),
            ROLE,
            "us-east-1",
            Duration::from_secs(5),
            Some(&signer()),
        )
        .await
        .unwrap_err();
        assert_eq!(error.kind, GatewayResponseType::ApiConfigurationError);
        assert_eq!(cache.get(ROLE, OffsetDateTime::now_utc()), None);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_silent_sts_times_out() {
        // Connections complete in the kernel's backlog; nothing ever answers.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", silent.local_addr().unwrap());
        let started = std::time::Instant::now();
        let reason = assume(
            &client(&endpoint),
            &signer(),
            ROLE,
            "us-east-1",
            Duration::from_millis(300),
        )
        .await
        .unwrap_err();
        assert_eq!(reason, "STS did not answer within 300 ms");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
