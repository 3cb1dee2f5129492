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
///
/// Stages are given for every API at once (`stages`, what `--stage` means for OpenAPI documents)
/// or per API (`api_stages`, what a SAM template declares: each API its own `StageName`); an API
/// with an entry in `api_stages` is deployed to those stages only.
///
/// ```
/// # use std::collections::BTreeMap;
/// use turnpike_model::{Deployment, Stage};
///
/// let mut deployment = Deployment::new(Vec::new(), vec![Stage::new("dev")]);
/// deployment.api_stages.insert("abc123defg".into(), vec![Stage::new("Prod")]);
/// assert_eq!(deployment.stages_of("abc123defg")[0].name, "Prod");
/// assert_eq!(deployment.stages_of("otherapiid")[0].name, "dev");
/// ```
#[derive(Debug, Clone)]
pub struct Deployment {
    pub apis: Vec<Arc<Api>>,
    /// The WebSocket APIs served beside them; their stages come from `api_stages` too.
    pub websocket_apis: Vec<Arc<crate::WebSocketApi>>,
    /// The stages every API without an entry in `api_stages` is deployed to.
    pub stages: Vec<Stage>,
    /// By API id: the stages that API is deployed to, instead of `stages`.
    pub api_stages: BTreeMap<String, Vec<Stage>>,
}

impl Deployment {
    /// Every API deployed to the same `stages`.
    pub fn new(apis: Vec<Arc<Api>>, stages: Vec<Stage>) -> Deployment {
        Deployment {
            apis,
            websocket_apis: Vec::new(),
            stages,
            api_stages: BTreeMap::new(),
        }
    }

    /// The stages the API with id `api_id` is deployed to, as given: its own entry in
    /// `api_stages`, else `stages`. (An empty list leaves the choice to the server, which
    /// deploys REST APIs to `dev` and HTTP APIs to `$default`.)
    pub fn stages_of(&self, api_id: &str) -> &[Stage] {
        self.api_stages.get(api_id).unwrap_or(&self.stages)
    }
}
