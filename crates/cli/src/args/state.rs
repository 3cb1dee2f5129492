//! Arguments of the state commands: `keys`, `usage-plans`, `usage`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

/// Where keys, plans and quota usage live.
#[derive(Debug, Args)]
pub struct StateArgs {
    /// Directory of the embedded state (`state.redb`), used unless --redis is given.
    #[arg(long, value_name = "DIR", default_value = ".turnpike", global = true)]
    pub data_dir: PathBuf,
    /// Redis instead of the embedded state: redis://HOST:PORT[/DB]; repeat (or use
    /// redis+cluster://) for a Redis Cluster's seed nodes.
    #[arg(long, value_name = "URL", global = true)]
    pub redis: Vec<String>,
}

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
    #[command(flatten)]
    pub state: StateArgs,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create an API key; prints its id and, this once, its value.
    Create {
        /// The key's name.
        #[arg(long, value_name = "NAME")]
        name: String,
        /// The value clients send in x-api-key (at least 20 characters); generated when absent.
        #[arg(long, value_name = "VALUE")]
        value: Option<String>,
        /// Create it disabled (requests with it are refused).
        #[arg(long)]
        disabled: bool,
    },
    /// List keys (values are never shown, only their first characters).
    List,
    /// Delete a key.
    Delete {
        #[arg(value_name = "ID")]
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct UsagePlansArgs {
    #[command(subcommand)]
    pub command: UsagePlansCommand,
    #[command(flatten)]
    pub state: StateArgs,
}

/// `--quota-period DAY|WEEK|MONTH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum QuotaPeriodArg {
    Day,
    Week,
    Month,
}

#[derive(Debug, Subcommand)]
pub enum UsagePlansCommand {
    /// Create a usage plan for an API stage.
    Create(CreatePlanArgs),
    /// List usage plans.
    List,
    /// Delete a usage plan.
    Delete {
        #[arg(value_name = "ID")]
        id: String,
    },
    /// Add an API key to a plan.
    AddKey {
        #[arg(value_name = "PLAN")]
        plan: String,
        #[arg(value_name = "KEY_ID")]
        key: String,
    },
    /// Remove an API key from a plan.
    RemoveKey {
        #[arg(value_name = "PLAN")]
        plan: String,
        #[arg(value_name = "KEY_ID")]
        key: String,
    },
}

#[derive(Debug, Args)]
pub struct CreatePlanArgs {
    /// The plan's name.
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// The plan's description.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// The API the plan applies to (its id as `turnpike routes` prints it).
    #[arg(long, value_name = "API_ID", requires = "stage")]
    pub api: Option<String>,
    /// The stage of --api.
    #[arg(long, value_name = "STAGE", requires = "api")]
    pub stage: Option<String>,
    /// Steady-state requests per second per key.
    #[arg(long, value_name = "R", requires = "burst")]
    pub rate: Option<f64>,
    /// Token bucket size per key.
    #[arg(long, value_name = "B", requires = "rate")]
    pub burst: Option<u64>,
    /// A method's own throttle, `RESOURCE_PATH/METHOD=RATE,BURST` (e.g. `/pets/GET=5,2`); repeatable.
    #[arg(long, value_name = "PATH/METHOD=RATE,BURST", requires = "api")]
    pub method_throttle: Vec<String>,
    /// Requests per key per --quota-period.
    #[arg(long, value_name = "L", requires = "quota_period")]
    pub quota_limit: Option<u64>,
    /// DAY, WEEK (from Sunday) or MONTH, in UTC.
    #[arg(long, value_name = "PERIOD", requires = "quota_limit")]
    pub quota_period: Option<QuotaPeriodArg>,
    /// Requests subtracted from the limit in the plan's first period.
    #[arg(long, value_name = "O", default_value_t = 0, requires = "quota_limit")]
    pub quota_offset: u64,
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    /// The API key's id.
    #[arg(value_name = "KEY_ID")]
    pub key: String,
    /// Only this usage plan (default: every plan of the key).
    #[arg(long, value_name = "ID")]
    pub plan: Option<String>,
    /// Print AWS GetUsage JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub state: StateArgs,
}

/// `turnpike serve`'s state and traffic flags.
#[derive(Debug, Args)]
pub struct ServeStateArgs {
    #[command(flatten)]
    pub state: StateArgs,
    /// On a state back-end (Redis) failure let requests through (`open`) or refuse them
    /// (`closed`); per kind as `throttle=open,quota=closed` (the default).
    #[arg(long, value_name = "POLICY", value_parser = parse_failure_policy)]
    pub on_state_error: Option<turnpike_state::FailurePolicy>,
    /// Account-level steady-state requests per second (AWS's default: 10000).
    #[arg(long, value_name = "R", default_value_t = 10_000.0)]
    pub account_rate: f64,
    /// Account-level burst (AWS's default: 5000).
    #[arg(long, value_name = "B", default_value_t = 5_000)]
    pub account_burst: u64,
}

fn parse_failure_policy(text: &str) -> Result<turnpike_state::FailurePolicy, String> {
    turnpike_state::FailurePolicy::parse(text)
}
