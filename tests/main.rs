//! Turnpike's end-to-end tests: the real `turnpike` binary, started as a child process, against
//! real upstreams, real Lambda runtime clients, a real Redis and a real moto server. Each module
//! covers one capability; `support` holds what they share.
//!
//! They are one test binary, not one per file: every test binary links the whole gateway, and
//! thirty of them cost minutes of linking and gigabytes of disk for nothing.

mod support;

mod access_log;
mod auth_cognito;
mod auth_lambda;
mod auth_sigv4_presigned;
mod auth_tokens;
mod aws_integrations;
mod caching;
mod cli;
mod cloudformation;
mod content_handling;
mod cors;
mod gateway_responses;
mod http_api_mapping;
mod http_api_service_integrations;
mod invoke;
mod keys_cli;
mod lambda;
mod lambda_remote;
mod lambda_rust;
mod limits;
mod mapping;
mod mock;
mod protocols;
mod proxy;
mod request_validation;
mod routing;
mod sam_models;
mod traffic;
mod usage_plans;
mod validate;
mod websocket;
