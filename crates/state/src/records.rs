//! API keys and usage plans as stored, named and shaped as in API Gateway's REST API
//! (`ApiKey`, `UsagePlan`, `ApiStage`, `ThrottleSettings`, `QuotaSettings`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::QuotaPeriod;

/// An API key. The plain value is never stored: only its SHA-256 and a short prefix for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    /// 10 lowercase alphanumerics, like AWS's key ids.
    pub id: String,
    pub name: String,
    pub enabled: bool,
    /// Seconds since the Unix epoch.
    pub created_date: u64,
    /// The first characters of the value, to recognise a key in listings.
    pub value_prefix: String,
    /// Lowercase hex SHA-256 of the value.
    pub value_hash: String,
    /// Ids of the usage plans the key belongs to.
    #[serde(default)]
    pub usage_plan_ids: Vec<String>,
}

/// Arguments of [`crate::State::create_api_key`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewApiKey {
    pub name: String,
    /// The key value; generated (40 characters) when absent; at least 20 characters otherwise.
    pub value: Option<String>,
    pub enabled: bool,
}

/// A created key and its plain value, returned once.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedApiKey {
    pub key: ApiKey,
    pub value: String,
}

/// `ThrottleSettings`: steady-state rate (requests per second) and bucket size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Throttle {
    pub rate_limit: f64,
    pub burst_limit: u64,
}

/// `QuotaSettings`: at most `limit` requests per `period`; `offset` requests are subtracted from
/// the limit in the plan's first period (AWS: "the number of requests subtracted from the given
/// limit in the initial time period").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quota {
    pub limit: u64,
    pub period: QuotaPeriod,
    #[serde(default)]
    pub offset: u64,
}

/// `ApiStage`: an API stage the plan applies to, with per-method throttles keyed by
/// `"{resourcePath}/{httpMethod}"` (e.g. `/pets/GET`) as AWS writes them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiStage {
    pub api_id: String,
    pub stage: String,
    #[serde(default)]
    pub throttle: BTreeMap<String, Throttle>,
}

/// A usage plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsagePlan {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub api_stages: Vec<ApiStage>,
    #[serde(default)]
    pub throttle: Option<Throttle>,
    #[serde(default)]
    pub quota: Option<Quota>,
    /// Seconds since the Unix epoch; the quota's first period is the one containing it.
    pub created_date: u64,
    /// Ids of the keys in the plan.
    #[serde(default)]
    pub key_ids: Vec<String>,
}

/// Arguments of [`crate::State::create_usage_plan`] and [`crate::State::seed_usage_plan`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewUsagePlan {
    pub name: String,
    pub description: Option<String>,
    pub api_stages: Vec<ApiStage>,
    pub throttle: Option<Throttle>,
    pub quota: Option<Quota>,
}

/// The state key under which a plan's quota for one key is counted.
pub fn quota_key(plan_id: &str, key_id: &str) -> String {
    format!("{plan_id}:{key_id}")
}
