//! Unit tests of the authorize stage's parts: policy evaluation, the cache, events and answers,
//! method ARNs, `$context.authorizer`, the gateway-wide settings.

mod cache;
mod events;
mod policy;
mod settings;
