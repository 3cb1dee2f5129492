//! Request validation as a REST API declares it: named request validators
//! (`x-amazon-apigateway-request-validators`), the one a method uses
//! (`x-amazon-apigateway-request-validator`), its required parameters and its body models
//! (JSON Schema draft 4, with `$ref` between models).

use serde_json::Value;

/// What a method validates before it reaches the authorizer's integration: built only when a
/// validator applies to the method.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestValidation {
    /// The validator's name, as the document calls it (for messages).
    pub validator: String,
    pub validate_body: bool,
    pub validate_parameters: bool,
    /// Parameters declared `required: true`, in declaration order.
    pub required_parameters: Vec<RequiredParameter>,
    /// Body models by content type, in declaration order.
    pub body_models: Vec<BodyModel>,
}

/// A parameter a request must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredParameter {
    pub location: ParameterLocation,
    pub name: String,
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterLocation {
    Path,
    Query,
    Header,
}

impl ParameterLocation {
    /// As OpenAPI's `in` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterLocation::Path => "path",
            ParameterLocation::Query => "query",
            ParameterLocation::Header => "header",
        }
    }
}

/// The model a body of one content type must match.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyModel {
    /// `application/json`, or another media type the operation declares.
    pub content_type: String,
    /// The model's name (`components/schemas` or `definitions` key), or `inline`.
    pub model: String,
    /// A self-contained draft 4 schema: the model, with every model it references (directly or
    /// not) under [`MODELS_KEY`] and each `$ref` pointing there.
    pub schema: Value,
}

/// Where a [`BodyModel::schema`] keeps the models it references.
pub const MODELS_KEY: &str = "x-turnpike-models";
