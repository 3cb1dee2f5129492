//! AWS service integrations: REST `type: aws` whose uri is an AWS service ARN,
//! `arn:aws:apigateway:{region}:{subdomain.service|service}:path|action/{service_api}`.
//!
//! Such an integration is an HTTP (non-proxy) integration whose URL, signature and action headers
//! come from the ARN: the same request templates, `requestParameters`, integration responses
//! (selected by the service's status), `timeoutInMillis` and failure mapping as
//! [`super::http`]. What differs:
//! - the URL: `https://{subdomain.}{service}.{region}.amazonaws.com/{path}`, or the endpoint the
//!   gateway is given (`--aws-endpoint-url`, else `AWS_ENDPOINT_URL_{SERVICE}`, else
//!   `AWS_ENDPOINT_URL`, as the AWS SDKs read them) with the path appended;
//! - `action/{Action}`: query-protocol services (SQS, SNS, ...) get `Action={Action}` in the query
//!   string; JSON-protocol services (DynamoDB, Kinesis, Step Functions, ...) get
//!   `X-Amz-Target: {prefix}.{Action}` and their `application/x-amz-json-1.x` content type;
//! - the request is signed with SigV4 for the ARN's service and region (the signer of remote
//!   Lambda invocations, [`turnpike_sigv4::sign`]): with the temporary credentials of the
//!   integration's `credentials` role, which [`role`] assumes with STS, else with the gateway's
//!   own credentials from the standard chain. `arn:aws:iam::*:user/*` (the caller's own
//!   credentials) is not supported: the gateway never holds a caller's secret key, so such calls
//!   are signed with its own credentials, and it says so when it compiles the integration.
//!
//! The loader has parsed the ARN ([`turnpike_model::ServiceTarget`]); this module only builds
//! the URL and headers from it.

pub(crate) mod role;
pub(crate) mod subtype;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use ::http::header::{HeaderValue, CONTENT_TYPE, HOST};
use ::http::{HeaderMap, Method, Response, Uri};
use bytes::Bytes;

use super::http::HttpIntegration;
use super::Call;
use crate::body::{ResponseBody, UpstreamBody};
use crate::gateway_response::GatewayError;

/// Where AWS service calls go: the gateway's endpoint overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AwsSettings {
    /// `--aws-endpoint-url`: every service.
    endpoint_url: Option<String>,
    /// `AWS_ENDPOINT_URL_{SERVICE}` by its upper-case service id (`SQS`, `DYNAMODB`).
    service_urls: BTreeMap<String, String>,
    /// `AWS_ENDPOINT_URL`.
    global_url: Option<String>,
}

impl AwsSettings {
    /// The settings for `flag` (`--aws-endpoint-url`) and the process environment.
    pub(crate) fn from_env(flag: Option<String>) -> AwsSettings {
        AwsSettings::from_vars(flag, std::env::vars())
    }

    /// The settings for `flag` and the environment `vars`; `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`
    /// set to `true` ignores the variables, as in the SDKs.
    pub(crate) fn from_vars(
        flag: Option<String>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> AwsSettings {
        let mut settings = AwsSettings {
            endpoint_url: flag.filter(|f| !f.is_empty()),
            ..AwsSettings::default()
        };
        let mut ignore = false;
        for (name, value) in vars {
            if name == "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" {
                ignore = value.eq_ignore_ascii_case("true");
            } else if value.is_empty() {
            } else if name == "AWS_ENDPOINT_URL" {
                settings.global_url = Some(value);
            } else if let Some(service) = name.strip_prefix("AWS_ENDPOINT_URL_") {
                settings.service_urls.insert(service.to_owned(), value);
            }
        }
        if ignore {
            settings.service_urls.clear();
            settings.global_url = None;
        }
        settings
    }

    /// The endpoint override for `service` (the ARN's service, an endpoint prefix), if any.
    pub(crate) fn endpoint(&self, service: &str) -> Option<&str> {
        self.endpoint_url
            .as_deref()
            .or_else(|| {
                self.service_urls
                    .get(&env_service_id(service))
                    .map(String::as_str)
            })
            .or(self.global_url.as_deref())
    }
}

/// The `AWS_ENDPOINT_URL_{id}` suffix of a service: its SDK service id, upper case, spaces and
/// dashes as `_`.
fn env_service_id(service: &str) -> String {
    match service {
        "states" => "SFN".to_owned(),
        "events" => "EVENTBRIDGE".to_owned(),
        "logs" => "CLOUDWATCH_LOGS".to_owned(),
        "monitoring" => "CLOUDWATCH".to_owned(),
        "email" => "SES".to_owned(),
        other => other.to_ascii_uppercase().replace('-', "_"),
    }
}

/// JSON-protocol services: their `X-Amz-Target` prefix and content type. Every other service
/// is called with the query protocol (`Action=` in the query string).
fn json_protocol(service: &str) -> Option<(&'static str, &'static str)> {
    Some(match service {
        "dynamodb" => ("DynamoDB_20120810", "application/x-amz-json-1.0"),
        "kinesis" => ("Kinesis_20131202", "application/x-amz-json-1.1"),
        "states" => ("AWSStepFunctions", "application/x-amz-json-1.0"),
        "events" => ("AWSEvents", "application/x-amz-json-1.1"),
        "logs" => ("Logs_20140328", "application/x-amz-json-1.1"),
        "firehose" => ("Firehose_20150804", "application/x-amz-json-1.1"),
        _ => return None,
    })
}

/// What the ARN says about the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AwsTarget {
    pub(crate) region: String,
    /// The service (endpoint prefix and signing name): `sqs`, `dynamodb`.
    pub(crate) service: String,
    pub(crate) subdomain: Option<String>,
    /// `action/{Action}` of a JSON-protocol service: (`X-Amz-Target`, content type).
    json_action: Option<(HeaderValue, HeaderValue)>,
    /// What the call is signed with: a role's temporary credentials; `None` for the gateway's
    /// own from the chain.
    credentials: Option<Arc<turnpike_sigv4::Credentials>>,
}

impl AwsTarget {
    /// The target of a REST AWS service integration and the default URL to call (path and, for
    /// query-protocol actions, `?Action=`); `Err` says why there is none.
    pub(crate) fn compile(
        target: &turnpike_model::ServiceTarget,
    ) -> Result<(AwsTarget, String), String> {
        let turnpike_model::ServiceTarget {
            region,
            service,
            subdomain,
            api,
        } = target;
        let host = match subdomain {
            Some(sub) => format!("{sub}.{service}.{region}.amazonaws.com"),
            None => format!("{service}.{region}.amazonaws.com"),
        };
        let mut json_action = None;
        let url = match api {
            turnpike_model::ServiceApi::Path(path) => format!("https://{host}/{path}"),
            turnpike_model::ServiceApi::Action(action) => match json_protocol(service) {
                Some((prefix, content_type)) => {
                    let target = HeaderValue::from_str(&format!("{prefix}.{action}"))
                        .map_err(|_| format!("action {action:?} is not a header value"))?;
                    json_action = Some((target, HeaderValue::from_static(content_type)));
                    format!("https://{host}/")
                }
                None => format!("https://{host}/?Action={action}"),
            },
        };
        let target = AwsTarget {
            region: region.clone(),
            service: service.clone(),
            subdomain: subdomain.clone(),
            json_action,
            credentials: None,
        };
        Ok((target, url))
    }

    /// The target of an HTTP API service integration's action (see [`subtype`]).
    pub(crate) fn action(
        region: String,
        service: String,
        json_action: Option<(HeaderValue, HeaderValue)>,
    ) -> AwsTarget {
        AwsTarget {
            region,
            service,
            subdomain: None,
            json_action,
            credentials: None,
        }
    }

    /// The same target, signing with `credentials`.
    pub(crate) fn signed_with(&self, credentials: Arc<turnpike_sigv4::Credentials>) -> AwsTarget {
        AwsTarget {
            credentials: Some(credentials),
            ..self.clone()
        }
    }

    /// Points `uri` at the configured endpoint, adds the action headers and signs the request.
    pub(crate) fn prepare(
        &self,
        settings: &AwsSettings,
        method: &Method,
        uri: Uri,
        headers: &mut HeaderMap,
        body: Bytes,
    ) -> Result<(Uri, UpstreamBody), GatewayError> {
        let uri = match settings.endpoint(&self.service) {
            Some(endpoint) => retarget(endpoint, &uri).ok_or_else(|| {
                tracing::warn!(
                    endpoint,
                    "Execution failed due to configuration error: Invalid endpoint address"
                );
                GatewayError::api_configuration_error()
            })?,
            None => uri,
        };
        let host = uri
            .authority()
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default();
        let host_value = HeaderValue::from_str(&host).map_err(|_| {
            tracing::warn!("Execution failed due to configuration error: Invalid endpoint address");
            GatewayError::api_configuration_error()
        })?;
        headers.insert(HOST, host_value);
        if let Some((target, content_type)) = &self.json_action {
            headers.insert("x-amz-target", target.clone());
            headers.insert(CONTENT_TYPE, content_type.clone());
        }
        let credentials = match &self.credentials {
            Some(credentials) => credentials.clone(),
            None => turnpike_sigv4::credentials::current().map_err(|reason| {
                tracing::warn!(%reason, "Execution failed due to configuration error: no AWS credentials to sign the service call");
                GatewayError::api_configuration_error()
            })?,
        };
        let mut signed: Vec<(&str, &str)> = Vec::new();
        for name in [CONTENT_TYPE.as_str(), "x-amz-target"] {
            if let Some(value) = headers.get(name).and_then(|v| v.to_str().ok()) {
                signed.push((name, value));
            }
        }
        let unsigned = turnpike_sigv4::Unsigned {
            method: method.as_str(),
            path: uri.path(),
            query: uri.query().unwrap_or_default(),
            headers: &signed,
            host: &host,
            body: &body,
            region: &self.region,
            service: &self.service,
        };
        let added = turnpike_sigv4::sign(&unsigned, &credentials, time::OffsetDateTime::now_utc());
        for (name, value) in added {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        Ok((uri, UpstreamBody::full(body)))
    }
}

/// `uri`'s path and query under `endpoint` (`http://127.0.0.1:5000`, maybe with a base path).
pub(crate) fn retarget(endpoint: &str, uri: &Uri) -> Option<Uri> {
    let base = Uri::try_from(endpoint).ok()?;
    let scheme = base.scheme_str()?;
    let authority = base.authority()?;
    let prefix = base.path().trim_end_matches('/');
    let rest = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    Uri::try_from(format!("{scheme}://{authority}{prefix}{rest}"))
        .ok()
        .filter(|u| u.host().is_some())
}

/// An AWS service integration, compiled: an HTTP integration plus its [`AwsTarget`] and the
/// role it assumes.
#[derive(Debug)]
pub(crate) struct AwsIntegration {
    pub(crate) http: HttpIntegration,
    pub(crate) target: Option<AwsTarget>,
    /// The `credentials` role ARN, assumed for every call.
    role: Option<String>,
    /// `timeoutInMillis`, which bounds the STS call too.
    timeout: Duration,
}

impl AwsIntegration {
    pub(crate) fn compile(
        integration: &turnpike_model::Integration,
        greedy: &[&str],
        problems: &mut Vec<String>,
    ) -> AwsIntegration {
        let compiled = match &integration.service_target {
            Some(target) => AwsTarget::compile(target),
            None => Err(format!(
                "AWS integration uri {:?} names no AWS service",
                integration.uri.as_deref().unwrap_or_default()
            )),
        };
        let (target, url) = match compiled {
            Ok((target, url)) => (Some(target), url),
            Err(problem) => {
                problems.push(problem);
                (None, String::new())
            }
        };
        let mut http_integration = integration.clone();
        http_integration.uri = Some(url);
        AwsIntegration {
            http: HttpIntegration::compile(&http_integration, greedy, problems),
            target,
            role: role_of(integration),
            timeout: integration.timeout,
        }
    }

    pub(crate) async fn call(
        &self,
        call: Call<'_>,
    ) -> Result<Response<ResponseBody>, GatewayError> {
        let Some(target) = &self.target else {
            return Err(GatewayError::api_configuration_error());
        };
        match &self.role {
            Some(role_arn) => {
                let credentials =
                    role::credentials(call.client, role_arn, &target.region, self.timeout).await?;
                let signed = target.signed_with(credentials);
                self.http.call_as(call, Some(&signed)).await
            }
            None => self.http.call_as(call, Some(target)).await,
        }
    }
}

/// The role ARN an AWS service integration's `credentials` names, if any; the caller's own
/// credentials (`arn:aws:iam::*:user/*`) are not supported (see the module's doc).
pub(crate) fn role_of(integration: &turnpike_model::Integration) -> Option<String> {
    match &integration.credentials {
        Some(turnpike_model::IntegrationCredentials::Role(arn)) => Some(arn.clone()),
        Some(turnpike_model::IntegrationCredentials::Caller) => {
            tracing::warn!(
                "credentials arn:aws:iam::*:user/* (the caller's own credentials) is not supported by Turnpike; the AWS service call is signed with the gateway's credentials"
            );
            None
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use turnpike_model::{ServiceApi, ServiceTarget};

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn service(
        region: &str,
        service: &str,
        subdomain: Option<&str>,
        api: ServiceApi,
    ) -> ServiceTarget {
        ServiceTarget {
            region: region.into(),
            service: service.into(),
            subdomain: subdomain.map(str::to_owned),
            api,
        }
    }

    #[test]
    fn compiles_path_and_action_targets() {
        let (target, url) = AwsTarget::compile(&service(
            "eu-west-1",
            "sqs",
            None,
            ServiceApi::Path("123456789012/q".into()),
        ))
        .unwrap();
        assert_eq!(url, "https://sqs.eu-west-1.amazonaws.com/123456789012/q");
        assert_eq!(
            (target.region.as_str(), target.service.as_str()),
            ("eu-west-1", "sqs")
        );
        assert_eq!((target.json_action, target.credentials), (None, None));

        let (_, url) = AwsTarget::compile(&service(
            "us-east-1",
            "sqs",
            None,
            ServiceApi::Action("SendMessage".into()),
        ))
        .unwrap();
        assert_eq!(
            url,
            "https://sqs.us-east-1.amazonaws.com/?Action=SendMessage"
        );

        let (target, url) = AwsTarget::compile(&service(
            "us-east-1",
            "dynamodb",
            None,
            ServiceApi::Action("PutItem".into()),
        ))
        .unwrap();
        assert_eq!(url, "https://dynamodb.us-east-1.amazonaws.com/");
        let (amz_target, content_type) = target.json_action.unwrap();
        assert_eq!(amz_target, "DynamoDB_20120810.PutItem");
        assert_eq!(content_type, "application/x-amz-json-1.0");

        let (target, url) = AwsTarget::compile(&service(
            "us-east-1",
            "s3",
            Some("mybucket"),
            ServiceApi::Path("${stageVariables.prefix}/{key}".into()),
        ))
        .unwrap();
        assert_eq!(
            url,
            "https://mybucket.s3.us-east-1.amazonaws.com/${stageVariables.prefix}/{key}"
        );
        assert_eq!(target.subdomain.as_deref(), Some("mybucket"));
        assert_eq!(target.service, "s3");
    }

    #[test]
    fn an_integration_without_a_parsed_target_is_a_problem() {
        let mut integration =
            turnpike_model::Integration::new(turnpike_model::IntegrationType::Aws);
        integration.uri = Some("arn:aws:apigateway:us-east-1:sqs:action/SendMessage".into());
        let mut problems = Vec::new();
        let compiled = AwsIntegration::compile(&integration, &[], &mut problems);
        assert_eq!(compiled.target, None);
        assert_eq!(
            problems.first().map(String::as_str),
            Some("AWS integration uri \"arn:aws:apigateway:us-east-1:sqs:action/SendMessage\" names no AWS service")
        );
    }

    #[test]
    fn only_role_credentials_are_assumed() {
        let mut integration =
            turnpike_model::Integration::new(turnpike_model::IntegrationType::Aws);
        assert_eq!(role_of(&integration), None);
        integration.credentials = Some(turnpike_model::IntegrationCredentials::Role(
            "arn:aws:iam::123456789012:role/apigw".into(),
        ));
        assert_eq!(
            role_of(&integration).as_deref(),
            Some("arn:aws:iam::123456789012:role/apigw")
        );
        integration.credentials = Some(turnpike_model::IntegrationCredentials::Caller);
        assert_eq!(role_of(&integration), None);
    }

    #[test]
    fn endpoint_precedence_flag_then_service_then_global() {
        let env = vars(&[
            ("AWS_ENDPOINT_URL", "http://global:1"),
            ("AWS_ENDPOINT_URL_DYNAMODB", "http://ddb:2"),
            ("AWS_ENDPOINT_URL_SFN", "http://sfn:3"),
        ]);
        let settings = AwsSettings::from_vars(None, env.clone());
        assert_eq!(settings.endpoint("dynamodb"), Some("http://ddb:2"));
        assert_eq!(settings.endpoint("states"), Some("http://sfn:3"));
        assert_eq!(settings.endpoint("sqs"), Some("http://global:1"));
        let flagged = AwsSettings::from_vars(Some("http://flag:4".into()), env.clone());
        assert_eq!(flagged.endpoint("dynamodb"), Some("http://flag:4"));
        let mut ignored = env;
        ignored.push(("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS".into(), "true".into()));
        assert_eq!(AwsSettings::from_vars(None, ignored).endpoint("sqs"), None);
    }

    #[test]
    fn retargets_onto_the_endpoint_with_its_base_path() {
        let uri = Uri::from_static("https://sqs.us-east-1.amazonaws.com/1/q?Action=SendMessage");
        assert_eq!(
            retarget("http://127.0.0.1:5000", &uri).unwrap().to_string(),
            "http://127.0.0.1:5000/1/q?Action=SendMessage"
        );
        assert_eq!(
            retarget("http://localhost:4566/base/", &uri)
                .unwrap()
                .to_string(),
            "http://localhost:4566/base/1/q?Action=SendMessage"
        );
        assert_eq!(retarget("not a url", &uri), None);
    }
}
