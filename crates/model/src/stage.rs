//! Stages and deployments.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::api::Api;

/// A named stage with its stage variables. HTTP APIs also have `$default`, served without a URL prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub name: String,
    pub variables: BTreeMap<String, String>,
}

impl Stage {
    pub const DEFAULT: &'static str = "$default";

    pub fn new(name: impl Into<String>) -> Stage {
        Stage {
            name: name.into(),
            variables: BTreeMap::new(),
        }
    }

    /// True for an HTTP API's `$default` stage, which has no path prefix.
    pub fn is_default(&self) -> bool {
        self.name == Stage::DEFAULT
    }
}

/// An immutable snapshot of the APIs being served and the stages that point at them.
#[derive(Debug, Clone)]
pub struct Deployment {
    pub apis: Vec<Arc<Api>>,
    /// The stages every API is deployed to.
    pub stages: Vec<Stage>,
}
