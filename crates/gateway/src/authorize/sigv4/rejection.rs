//! Why a signed request was refused, with API Gateway's exact 403 message for each reason.

use turnpike_model::GatewayResponseType;

use crate::gateway_response::GatewayError;

/// A refused SigV4 request. Every variant is a 403 `{"message":"<message()>"}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SigV4Rejection {
    /// No `Authorization` header and no presigned query parameters.
    #[error("Missing Authentication Token")]
    Missing,
    /// The authorization is malformed or incomplete; the text is AWS's.
    #[error("{0}")]
    Incomplete(String),
    /// `X-Amz-Date` outside the allowed window; the text is AWS's `Signature expired: ...` or
    /// `Signature not yet current: ...`.
    #[error("{0}")]
    Expired(String),
    /// Unknown access key, or a session token that is missing, unexpected or wrong.
    #[error("The security token included in the request is invalid.")]
    InvalidToken,
    /// The signature does not match: AWS reports the canonical request and string to sign it
    /// computed.
    #[error(
        "The request signature we calculated does not match the signature you provided. Check your \
         AWS Secret Access Key and signing method. Consult the service documentation for details.\
         \n\nThe Canonical String for this request should have been\n'{canonical_request}'\n\n\
         The String-to-Sign should have been\n'{string_to_sign}'\n"
    )]
    Mismatch {
        canonical_request: String,
        string_to_sign: String,
    },
}

impl SigV4Rejection {
    /// Always 403.
    #[cfg(test)]
    pub(crate) fn status(&self) -> u16 {
        403
    }

    /// The text of the body's `message`.
    pub(crate) fn message(&self) -> String {
        self.to_string()
    }

    /// `x-amzn-ErrorType`, as AWS sends it.
    pub(crate) fn error_type(&self) -> &'static str {
        match self {
            SigV4Rejection::Missing => "MissingAuthenticationTokenException",
            SigV4Rejection::Incomplete(_) => "IncompleteSignatureException",
            SigV4Rejection::Expired(_) | SigV4Rejection::Mismatch { .. } => {
                "InvalidSignatureException"
            }
            SigV4Rejection::InvalidToken => "UnrecognizedClientException",
        }
    }

    /// The gateway error to render (REST: status 403, body `{"message":...}`, error type set).
    pub(crate) fn gateway_error(&self) -> GatewayError {
        let kind = match self {
            SigV4Rejection::Missing => GatewayResponseType::MissingAuthenticationToken,
            _ => GatewayResponseType::InvalidSignature,
        };
        GatewayError {
            error_type: self.error_type(),
            ..GatewayError::new(kind).with_message(self.message())
        }
    }
}
