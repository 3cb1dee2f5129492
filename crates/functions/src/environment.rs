//! The environment a worker starts with: what Lambda sets, a few variables passed through from
//! Turnpike's own environment so local tools and credentials work, then the user's variables.

use std::path::Path;

use crate::config::FunctionConfig;

/// Variables taken from Turnpike's environment when set: the shell basics a local interpreter
/// needs and the standard AWS credential chain (Lambda sets role credentials the same way).
const PASSED_THROUGH: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
];

/// Where the host is pretending to be.
#[derive(Debug, Clone)]
pub(crate) struct Placement<'a> {
    pub(crate) region: &'a str,
    pub(crate) runtime_dir: &'a Path,
}

/// The environment of every worker of `config`, except `AWS_LAMBDA_RUNTIME_API` and
/// `AWS_LAMBDA_LOG_STREAM_NAME`, which differ per worker.
pub(crate) fn worker_env(config: &FunctionConfig, placement: &Placement) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = PASSED_THROUGH
        .iter()
        .filter_map(|key| Some((key.to_string(), std::env::var(key).ok()?)))
        .collect();
    let mut set = |key: &str, value: String| env.push((key.to_string(), value));
    set("_HANDLER", config.handler.clone());
    set("LAMBDA_TASK_ROOT", config.code_dir.display().to_string());
    set(
        "LAMBDA_RUNTIME_DIR",
        placement.runtime_dir.display().to_string(),
    );
    set("AWS_LAMBDA_FUNCTION_NAME", config.name.clone());
    set(
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        config.memory_mb.to_string(),
    );
    set("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_string());
    set("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_string());
    set(
        "AWS_LAMBDA_LOG_GROUP_NAME",
        format!("/aws/lambda/{}", config.name),
    );
    set("AWS_REGION", placement.region.to_string());
    set("AWS_DEFAULT_REGION", placement.region.to_string());
    if let Some(execution_env) = config.runtime.execution_env() {
        set("AWS_EXECUTION_ENV", execution_env);
    }
    set("TZ", ":UTC".to_string());
    for (key, value) in &config.environment {
        set(key, value.clone());
    }
    env
}

/// `AWS_LAMBDA_LOG_STREAM_NAME`: `YYYY/MM/DD/[$LATEST]` and 32 hex digits, one per worker.
pub(crate) fn log_stream_name() -> String {
    let today = time::OffsetDateTime::now_utc().date();
    format!(
        "{:04}/{:02}/{:02}/[$LATEST]{}",
        today.year(),
        u8::from(today.month()),
        today.day(),
        uuid::Uuid::new_v4().simple()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::Runtime;

    #[test]
    fn log_stream_names_look_like_lambdas() {
        let name = log_stream_name();
        let (date, rest) = name.split_once("/[$LATEST]").unwrap();
        assert_eq!(date.len(), 10);
        assert_eq!(date.matches('/').count(), 2);
        assert_eq!(rest.len(), 32);
        assert!(rest.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn user_variables_come_last_and_provided_has_no_execution_env() {
        let mut config = FunctionConfig::new("f", Runtime::ProvidedAl2023, "h", "/code");
        config.environment.insert("STAGE".into(), "dev".into());
        let placement = Placement {
            region: "eu-west-1",
            runtime_dir: Path::new("/code"),
        };
        let env = worker_env(&config, &placement);
        assert_eq!(env.last(), Some(&("STAGE".into(), "dev".into())));
        assert!(!env.iter().any(|(k, _)| k == "AWS_EXECUTION_ENV"));
        assert!(env.contains(&("AWS_DEFAULT_REGION".into(), "eu-west-1".into())));
    }
}
