//! Usage plans and API keys a template declares (`AWS::ApiGateway::UsagePlan`, `ApiKey`,
//! `UsagePlanKey`), as the gateway seeds them into its state at startup. Keys and plans are
//! matched by name on every start, so seeding twice changes nothing.

use std::collections::BTreeMap;

/// A template's usage plans, keys and memberships.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UsagePlans {
    pub plans: Vec<UsagePlanDecl>,
    pub keys: Vec<ApiKeyDecl>,
    /// (plan logical id, key logical id): `AWS::ApiGateway::UsagePlanKey`.
    pub members: Vec<(String, String)>,
}

impl UsagePlans {
    /// Appends `other`'s declarations.
    pub fn extend(&mut self, other: UsagePlans) {
        self.plans.extend(other.plans);
        self.keys.extend(other.keys);
        self.members.extend(other.members);
    }

    /// Whether nothing is declared.
    pub fn is_empty(&self) -> bool {
        self.plans.is_empty() && self.keys.is_empty()
    }
}

/// `AWS::ApiGateway::UsagePlan`.
#[derive(Debug, Clone, PartialEq)]
pub struct UsagePlanDecl {
    pub logical_id: String,
    /// `UsagePlanName`, else the logical id.
    pub name: String,
    pub description: Option<String>,
    pub api_stages: Vec<PlanStage>,
    /// (rate per second, burst).
    pub throttle: Option<(f64, u64)>,
    pub quota: Option<PlanQuota>,
}

/// One `ApiStages` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanStage {
    pub api_id: String,
    pub stage: String,
    /// `"/path/METHOD"` → (rate, burst).
    pub throttle: BTreeMap<String, (f64, u64)>,
}

/// `Quota`: `limit` requests per `period` (`DAY`, `WEEK` or `MONTH`), `offset` fewer in the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanQuota {
    pub limit: u64,
    pub period: String,
    pub offset: u64,
}

/// `AWS::ApiGateway::ApiKey`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyDecl {
    pub logical_id: String,
    /// `Name`, else the logical id.
    pub name: String,
    /// `Value`; generated when absent.
    pub value: Option<String>,
    pub enabled: bool,
}
