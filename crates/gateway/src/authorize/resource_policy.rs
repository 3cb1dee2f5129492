//! Resource policies (`x-amazon-apigateway-policy`): compiled with the abbreviated resources
//! (`execute-api:/stage/METHOD/path`) expanded to this API's ARNs, as API Gateway does when it
//! saves a policy, and evaluated for each request with its source IP, `Referer` and
//! `User-Agent`.

use http::header::{REFERER, USER_AGENT};
use http::request::Parts;
use turnpike_model::{PolicyDocument, REGION};

use super::policy::{self, Caller, Decision};
use crate::context::{RequestContext, ACCOUNT_ID};

/// An API's resource policy, compiled.
#[derive(Debug)]
pub(crate) struct ResourcePolicy(PolicyDocument);

impl ResourcePolicy {
    pub(crate) fn compile(policy: &PolicyDocument, api_id: &str) -> ResourcePolicy {
        let mut policy = policy.clone();
        let prefix = format!("arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api_id}/");
        for statement in &mut policy.statements {
            for resource in &mut statement.resources {
                if let Some(rest) = resource.strip_prefix("execute-api:/") {
                    *resource = format!("{prefix}{rest}");
                }
            }
        }
        ResourcePolicy(policy)
    }

    /// The decision for invoking `method_arn`; `iam` is the SigV4 caller (ARN, account), if any.
    pub(crate) fn decide(
        &self,
        method_arn: &str,
        ctx: &RequestContext,
        parts: &Parts,
        iam: Option<(&str, &str)>,
    ) -> Decision {
        let header = |name| {
            parts
                .headers
                .get(name)
                .and_then(|v: &http::HeaderValue| v.to_str().ok())
        };
        let caller = Caller {
            source_ip: Some(ctx.source_ip()),
            referer: header(REFERER),
            user_agent: header(USER_AGENT),
            iam,
        };
        policy::evaluate(&self.0, method_arn, &caller)
    }
}
