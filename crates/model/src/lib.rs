//! The API model: what an Amazon API Gateway API *is*, independent of how it was written down.
//!
//! This crate owns the resolved types the data plane serves ([`Api`], [`Route`], [`Integration`],
//! [`IntegrationResponse`], [`GatewayResponse`], [`Stage`], [`Deployment`]) and the loaders that build
//! them from the documents users already have: OpenAPI 3.0/3.1 and Swagger 2.0 files, JSON or YAML,
//! with the `x-amazon-apigateway-*` extensions, and SAM / CloudFormation templates, whose
//! [`Function`]s, APIs and stages come back together as a [`Template`] ([`load_template`];
//! [`load_any`] takes either kind of file). Raw documents never leave this crate: every loader
//! resolves into the same model in one place and reports each problem as a [`LoadError`] naming the
//! file, the line and column, the JSON pointer of the offending node, and what is allowed instead.
//! It does not serve anything (that is `turnpike-gateway`) and knows nothing about HTTP connections.
//!
//! ```no_run
//! let api = turnpike_model::load_file("petstore.yaml".as_ref(), &Default::default())
//!     .map_err(|errors| errors.to_string())?;
//! for route in &api.routes {
//!     println!("{}", route.key);
//! }
//! # Ok::<(), String>(())
//! ```
//!
//! ```no_run
//! use turnpike_model::{load_any_file, LoadOptions, TemplateOptions};
//!
//! let template = load_any_file("template.yaml".as_ref(), &LoadOptions::default(), &TemplateOptions::default())
//!     .map_err(|errors| errors.to_string())?;
//! for function in &template.functions {
//!     println!("{} ({}) in {}", function.function_name, function.runtime, function.code_dir.display());
//! }
//! # Ok::<(), String>(())
//! ```

mod api;
mod auth;
pub mod cache;
mod cors;
mod error;
mod function;
mod gateway_response;
mod http_mapping;
mod id;
mod load;
mod method_settings;
mod stage;
mod throttle;
mod usage_plan;
mod validation;
mod websocket;

pub use api::MethodResponse;
pub use api::{
    Api, ApiKind, ContentHandling, HttpMethod, Integration, IntegrationResponse, IntegrationType,
    PassthroughBehavior, PayloadFormatVersion, Route, RouteKey,
};
pub use api::{IntegrationCredentials, ServiceApi, ServiceTarget};
pub use auth::{
    ApiKeySource, Authorizer, AuthorizerKind, AuthorizerPayloadVersion, Cidr, ConditionKey,
    ConditionOperator, Effect, IdentitySource, JwtConfiguration, PolicyCondition, PolicyDocument,
    PolicyError, PolicyStatement, RouteAuth, API_KEY_HEADER, DEFAULT_AUTHORIZER_TTL,
    MAX_AUTHORIZER_TTL,
};
pub use cors::{Cors, CORS_MAX_AGE_RANGE};
pub use error::{LoadError, LoadErrors};
pub use function::{function_arn, Architecture, Function, Template, ACCOUNT_ID, REGION};
pub use gateway_response::{GatewayResponse, GatewayResponseType};
pub use http_mapping::{
    is_reserved_header, HttpRequestParameter, HttpRequestTarget, HttpResponseParameter,
    HttpResponseTarget, MappingAction, MappingSource, MappingValue, ParameterMapping, ValuePart,
};
pub use id::api_id_from_title;
pub use load::{
    load_any, load_any_file, load_file, load_str, load_template, load_template_file, LoadOptions,
    TemplateOptions,
};
pub use stage::{Deployment, Stage};
pub use throttle::{decode_resource_path, MethodThrottle};
pub use usage_plan::{ApiKeyDecl, PlanQuota, PlanStage, UsagePlanDecl, UsagePlans};
pub use validation::{
    BodyModel, ParameterLocation, RequestValidation, RequiredParameter, MODELS_KEY,
};
pub use websocket::{RouteSelection, RouteThrottle, StageThrottle, WebSocketApi, WebSocketRoute};
