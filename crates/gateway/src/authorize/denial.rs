//! Why the authorize stage turned a request away, and the gateway response each reason is.
//!
//! REST bodies (AWS's, as its knowledge-center article on 403s from Lambda authorizers and
//! recorded responses show; ACCESS_DENIED's default body spells its key `Message`):
//!
//! | reason | status | body |
//! |---|---|---|
//! | no identity, identity fails validation, authorizer said `Unauthorized` | 401 | `{"message":"Unauthorized"}` |
//! | authorizer policy denies explicitly | 403 | `{"Message":"User is not authorized to access this resource with an explicit deny in an identity-based policy"}` |
//! | authorizer policy allows nothing that matches | 403 | `{"Message":"User is not authorized to access this resource"}` |
//! | resource policy denies | 403 | `{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:... [with an explicit deny]"}` |
//! | authorizer failed or answered badly | 500 | `{"message": null}` |
//!
//! HTTP APIs answer 401 `{"message":"Unauthorized"}`, 403 `{"message":"Forbidden"}` and 500
//! `{"message":"Internal Server Error"}` whatever the reason.

use turnpike_model::GatewayResponseType;

use crate::gateway_response::GatewayError;

/// AWS's message for an authorizer policy that denies explicitly. AWS added "in an
/// identity-based policy" to its IAM denials; responses recorded since show it.
pub(crate) const EXPLICIT_DENY: &str =
    "User is not authorized to access this resource with an explicit deny in an identity-based policy";
/// AWS's message for an authorizer policy that allows nothing matching.
pub(crate) const IMPLICIT_DENY: &str = "User is not authorized to access this resource";

/// A refused request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Denial {
    /// 401: no identity, or the authorizer said so.
    Unauthorized,
    /// 403: the authorizer's policy denies (`explicit`) or does not allow; a simple answer of
    /// `isAuthorized: false`.
    AccessDenied { explicit: bool },
    /// 403: the resource policy denies `resource` (the masked method ARN) to `user`.
    ResourcePolicy {
        user: String,
        resource: String,
        explicit: bool,
    },
    /// 500: the authorizer failed, timed out or answered something invalid.
    Configuration,
    /// 500: Lambda could not run the authorizer.
    Failure,
    /// A verifier's own answer (JWT, SigV4, API key).
    Other(GatewayError),
}

impl Denial {
    /// The gateway response to render.
    pub(crate) fn into_error(self) -> GatewayError {
        match self {
            Denial::Unauthorized => GatewayError::new(GatewayResponseType::Unauthorized),
            Denial::AccessDenied { explicit } => {
                GatewayError::new(GatewayResponseType::AccessDenied).with_message(if explicit {
                    EXPLICIT_DENY
                } else {
                    IMPLICIT_DENY
                })
            }
            Denial::ResourcePolicy {
                user,
                resource,
                explicit,
            } => {
                let suffix = if explicit {
                    " with an explicit deny"
                } else {
                    ""
                };
                GatewayError::new(GatewayResponseType::AccessDenied).with_message(format!(
                    "User: {user} is not authorized to perform: execute-api:Invoke on resource: {resource}{suffix}"
                ))
            }
            Denial::Configuration => {
                GatewayError::new(GatewayResponseType::AuthorizerConfigurationError)
            }
            Denial::Failure => GatewayError::new(GatewayResponseType::AuthorizerFailure),
            Denial::Other(error) => error,
        }
    }
}
