//! Request validation (REST): a method's request validator checks required parameters, then the
//! body against the model for its content type, before the integration is called.
//!
//! Failures are AWS's: 400 `Missing required request parameters: [a, b]` (BAD_REQUEST_PARAMETERS)
//! and 400 `Invalid request body` (BAD_REQUEST_BODY), with `$context.error.validationErrorString`
//! in the words of the JSON Schema validator AWS runs (`[object has missing required properties
//! (["name"])]`), so customised gateway responses read as they do on AWS. Schemas compile once per
//! deployment.

use serde_json::Value;
use turnpike_model::{
    GatewayResponseType, ParameterLocation, RequestValidation, RequiredParameter,
};

use crate::body::RequestBody;
use crate::gateway_response::GatewayError;
use crate::mapping::MethodRequest;

use crate::router::PathParams;

mod messages;

/// A method's validation, compiled.
#[derive(Debug)]
pub(crate) struct CompiledValidation {
    validate_body: bool,
    validate_parameters: bool,
    required: Vec<RequiredParameter>,
    /// Lower-cased content type → compiled model.
    bodies: Vec<(String, jsonschema::Validator)>,
}

/// Why a request failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ValidationFailure {
    /// BAD_REQUEST_PARAMETERS; the message names the missing parameters.
    Parameters { message: String },
    /// BAD_REQUEST_BODY; `details` is `$context.error.validationErrorString`.
    Body { details: String },
}

impl ValidationFailure {
    /// `$context.error.message`.
    pub(crate) fn message(&self) -> &str {
        match self {
            ValidationFailure::Parameters { message } => message,
            ValidationFailure::Body { .. } => "Invalid request body",
        }
    }

    /// `$context.error.validationErrorString`.
    pub(crate) fn validation_error_string(&self) -> &str {
        match self {
            ValidationFailure::Parameters { message } => message,
            ValidationFailure::Body { details } => details,
        }
    }

    /// The gateway response: BAD_REQUEST_PARAMETERS or BAD_REQUEST_BODY.
    pub(crate) fn into_gateway_error(self) -> GatewayError {
        let kind = match self {
            ValidationFailure::Parameters { .. } => GatewayResponseType::BadRequestParameters,
            ValidationFailure::Body { .. } => GatewayResponseType::BadRequestBody,
        };
        let mut error = GatewayError::new(kind).with_message(self.message().to_owned());
        error.validation_error_string = Some(self.validation_error_string().to_owned());
        error
    }
}

impl CompiledValidation {
    /// Runs the method's validator: parameters first, then the body (read whole, within
    /// `max_body_bytes`, and left buffered for the integration).
    pub(crate) async fn check(
        &self,
        parts: &http::request::Parts,
        path: Option<&PathParams>,
        body: &mut RequestBody,
        max_body_bytes: u64,
    ) -> Result<(), GatewayError> {
        let request = MethodRequest::of(parts, path);
        self.check_parameters(&request)
            .map_err(ValidationFailure::into_gateway_error)?;
        if !self.wants_body() {
            return Ok(());
        }
        let bytes = body.buffer(max_body_bytes).await?;
        let content_type = parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        self.check_body(content_type, &bytes)
            .map_err(ValidationFailure::into_gateway_error)
    }

    /// Compiles the method's models; a model that does not compile is reported in `problems`
    /// and validates nothing (the loader checks references, the schema keywords are the user's).
    pub(crate) fn compile(
        validation: &RequestValidation,
        problems: &mut Vec<String>,
    ) -> CompiledValidation {
        let mut bodies = Vec::new();
        if validation.validate_body {
            for model in &validation.body_models {
                match jsonschema::draft4::new(&model.schema) {
                    Ok(validator) => {
                        bodies.push((model.content_type.to_ascii_lowercase(), validator))
                    }
                    Err(error) => problems.push(format!(
                        "model {} for {} cannot be used as a JSON Schema draft 4: {error}",
                        model.model, model.content_type
                    )),
                }
            }
        }
        CompiledValidation {
            validate_body: validation.validate_body,
            validate_parameters: validation.validate_parameters,
            required: validation.required_parameters.clone(),
            bodies,
        }
    }

    /// Whether [`check_body`](Self::check_body) needs the body.
    pub(crate) fn wants_body(&self) -> bool {
        self.validate_body && !self.bodies.is_empty()
    }

    /// The required parameters the request lacks, if the validator checks parameters.
    pub(crate) fn check_parameters(
        &self,
        request: &MethodRequest<'_>,
    ) -> Result<(), ValidationFailure> {
        if !self.validate_parameters {
            return Ok(());
        }
        let missing: Vec<&str> = self
            .required
            .iter()
            .filter(|p| !present(p, request))
            .map(|p| p.name.as_str())
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(ValidationFailure::Parameters {
            message: format!(
                "Missing required request parameters: [{}]",
                missing.join(", ")
            ),
        })
    }

    /// The body against the model for its content type (`application/json` when the request
    /// names none); a content type without a model is not validated.
    pub(crate) fn check_body(
        &self,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), ValidationFailure> {
        if !self.validate_body {
            return Ok(());
        }
        let media_type = content_type
            .and_then(|c| c.split(';').next())
            .map(|c| c.trim().to_ascii_lowercase())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "application/json".to_owned());
        let Some((_, validator)) = self.bodies.iter().find(|(t, _)| *t == media_type) else {
            return Ok(());
        };
        let instance: Value =
            serde_json::from_slice(body).map_err(|error| ValidationFailure::Body {
                details: messages::unparsable(&error),
            })?;
        let errors: Vec<_> = validator.iter_errors(&instance).collect();
        if errors.is_empty() {
            return Ok(());
        }
        Err(ValidationFailure::Body {
            details: messages::report(&errors),
        })
    }
}

fn present(parameter: &RequiredParameter, request: &MethodRequest<'_>) -> bool {
    match parameter.location {
        ParameterLocation::Header => request.headers.contains_key(parameter.name.as_str()),
        ParameterLocation::Path => request.path_param(&parameter.name).is_some(),
        ParameterLocation::Query => request.query_param(&parameter.name).is_some(),
    }
}

#[cfg(test)]
mod tests;
