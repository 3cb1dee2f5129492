//! What a function is: runtime, handler, code, limits and environment, as a SAM template or
//! `CreateFunction` describes it, plus the local pool settings Lambda has no word for.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::runtime::Runtime;

/// Concurrency of a function without reserved concurrency. Lambda's account default is 1000
/// execution environments; a developer's machine is smaller.
pub const DEFAULT_CONCURRENCY: u32 = 10;

/// Environment variable names Lambda reserves for itself.
pub(crate) const RESERVED_ENV_KEYS: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

/// Which runtime interface client drives a language runtime's worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RuntimeClient {
    /// The small client bundled into Turnpike (standard library only, nothing to install).
    #[default]
    Bundled,
    /// AWS's own client: PyPI `awslambdaric` (`python -m awslambdaric module.handler`), which
    /// must be installed for the configured interpreter; for Node.js, npm `aws-lambda-ric`
    /// installed in the function's code directory (`node_modules/.bin/aws-lambda-ric`).
    Official,
}

/// One Lambda function.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionConfig {
    /// Function name (`FunctionName`), 1 to 64 of `[A-Za-z0-9_-]`.
    pub name: String,
    /// The runtime (`Runtime`).
    pub runtime: Runtime,
    /// Handler (`Handler`), e.g. `app.lambda_handler`; passed as `_HANDLER`.
    pub handler: String,
    /// Directory holding the code (`CodeUri`); the worker's cwd and `LAMBDA_TASK_ROOT`.
    pub code_dir: PathBuf,
    /// Function timeout (`Timeout`), 1 s to 900 s; default 3 s.
    pub timeout: Duration,
    /// Memory size in MB (`MemorySize`), 128 to 10240; default 128. Reported, not enforced.
    pub memory_mb: u32,
    /// The user's environment variables (`Environment.Variables`).
    pub environment: BTreeMap<String, String>,
    /// Reserved concurrency (`ReservedConcurrentExecutions`): most workers running at once;
    /// `Some(0)` throttles every invocation as Lambda does. `None` means [`DEFAULT_CONCURRENCY`].
    pub reserved_concurrency: Option<u32>,
    /// Runtime interface client for language runtimes; ignored by `provided*`.
    pub client: RuntimeClient,
    /// Interpreter for language runtimes; default `pythonX.Y` on PATH, else `python3`, for Python
    /// and `node` on PATH for Node.js.
    pub interpreter: Option<PathBuf>,
    /// Invocations that may wait for a free worker once all are busy; beyond it, throttled.
    pub max_queue: usize,
    /// A worker idle this long is stopped (never below `min_warm`). Zero keeps workers forever.
    pub idle_timeout: Duration,
    /// Workers started with the pool and kept alive while idle.
    pub min_warm: u32,
}

impl FunctionConfig {
    /// A function with Lambda's defaults (3 s, 128 MB) and Turnpike's pool defaults.
    pub fn new(
        name: impl Into<String>,
        runtime: Runtime,
        handler: impl Into<String>,
        code_dir: impl Into<PathBuf>,
    ) -> FunctionConfig {
        FunctionConfig {
            name: name.into(),
            runtime,
            handler: handler.into(),
            code_dir: code_dir.into(),
            timeout: Duration::from_secs(3),
            memory_mb: 128,
            environment: BTreeMap::new(),
            reserved_concurrency: None,
            client: RuntimeClient::Bundled,
            interpreter: None,
            max_queue: 100,
            idle_timeout: Duration::from_secs(600),
            min_warm: 0,
        }
    }

    /// Most invocations running at once.
    pub fn concurrency(&self) -> u32 {
        self.reserved_concurrency.unwrap_or(DEFAULT_CONCURRENCY)
    }

    /// Checks the configuration the way `CreateFunction` does, plus what Turnpike cannot run.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 64
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !name_ok {
            return Err(ConfigError::InvalidName(self.name.clone()));
        }
        let secs = self.timeout.as_secs_f64();
        if !(1.0..=900.0).contains(&secs) {
            return Err(ConfigError::InvalidTimeout(self.timeout));
        }
        if !(128..=10240).contains(&self.memory_mb) {
            return Err(ConfigError::InvalidMemorySize(self.memory_mb));
        }
        let reserved: Vec<&str> = self
            .environment
            .keys()
            .filter(|key| RESERVED_ENV_KEYS.contains(&key.as_str()))
            .map(String::as_str)
            .collect();
        if !reserved.is_empty() {
            return Err(ConfigError::ReservedEnvironmentKeys(reserved.join(", ")));
        }
        if let Some(key) = self
            .environment
            .iter()
            .find(|(k, v)| k.is_empty() || k.contains(['=', '\0']) || v.contains('\0'))
            .map(|(k, _)| k)
        {
            return Err(ConfigError::InvalidEnvironmentKey(key.clone()));
        }
        if self.handler.is_empty() && !self.runtime.is_provided() {
            return Err(ConfigError::MissingHandler);
        }
        Ok(())
    }
}

/// A function configuration Turnpike cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Not a runtime identifier Lambda has.
    #[error("unknown runtime `{0}`: Turnpike runs provided, provided.al2, provided.al2023, python3.x and nodejsN.x")]
    UnknownRuntime(String),
    /// Function name outside `[A-Za-z0-9_-]{1,64}`.
    #[error("invalid function name `{0}`: use 1 to 64 letters, digits, hyphens or underscores")]
    InvalidName(String),
    /// Timeout outside 1..=900 seconds.
    #[error("invalid timeout {0:?}: Lambda allows 1 to 900 seconds")]
    InvalidTimeout(Duration),
    /// Memory outside 128..=10240 MB.
    #[error("invalid memory size {0} MB: Lambda allows 128 to 10240 MB")]
    InvalidMemorySize(u32),
    /// The user's environment sets variables Lambda reserves (AWS's own wording).
    #[error("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: {0}")]
    ReservedEnvironmentKeys(String),
    /// An environment variable a process environment cannot hold.
    #[error("invalid environment variable `{0}`: names must be non-empty without `=` or NUL, values without NUL")]
    InvalidEnvironmentKey(String),
    /// A language runtime without a handler.
    #[error("a handler is required for this runtime, e.g. `app.handler`")]
    MissingHandler,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn python() -> FunctionConfig {
        FunctionConfig::new("fn", Runtime::Python("3.12".into()), "app.handler", "/code")
    }

    #[test]
    fn defaults_are_lambdas() {
        let config = python();
        assert_eq!(config.timeout, Duration::from_secs(3));
        assert_eq!(config.memory_mb, 128);
        assert_eq!(config.concurrency(), DEFAULT_CONCURRENCY);
        assert_eq!(config.validate(), Ok(()));
    }

    #[test]
    fn reserved_environment_keys_are_refused_with_aws_wording() {
        let mut config = python();
        config.environment.insert("AWS_REGION".into(), "x".into());
        config.environment.insert("_HANDLER".into(), "y".into());
        config.environment.insert("MINE".into(), "z".into());
        assert_eq!(
            config.validate().unwrap_err().to_string(),
            "Lambda was unable to configure your environment variables because the environment \
             variables you have provided contains reserved keys that are currently not supported \
             for modification. Reserved keys used in this request: AWS_REGION, _HANDLER"
        );
    }

    #[test]
    fn limits_are_checked() {
        let mut config = python();
        config.timeout = Duration::from_secs(901);
        assert_eq!(
            config.validate(),
            Err(ConfigError::InvalidTimeout(Duration::from_secs(901)))
        );
        let mut config = python();
        config.memory_mb = 64;
        assert_eq!(config.validate(), Err(ConfigError::InvalidMemorySize(64)));
        let mut config = python();
        config.name = "has space".into();
        assert_eq!(
            config.validate(),
            Err(ConfigError::InvalidName("has space".into()))
        );
        let mut config = python();
        config.runtime = Runtime::Nodejs("20.x".into());
        assert_eq!(config.validate(), Ok(()));
    }
}
