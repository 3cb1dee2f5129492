//! The functions templates declare, as the functions host runs them: each model [`Function`]
//! becomes a [`FunctionConfig`] (with the `--runtime-client` / `--python` choices), checked
//! before anything starts, then one pool per function on a [`FunctionHost`].

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use turnpike_functions::{
    FunctionConfig, FunctionHost, HostConfig, RemoteConfig, Runtime, RuntimeClient,
};
use turnpike_model::{Function, LoadError};

use crate::args::{FunctionArgs, RuntimeClientArg};

/// How functions are run, from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub client: RuntimeClient,
    /// The Python interpreter, when the user chose one (or `awslambdaric` needs `python3`).
    pub python: Option<PathBuf>,
    /// `--lambda-endpoint`: where functions no template declares are invoked.
    pub lambda_endpoint: Option<String>,
    /// Restart a function's workers when its code changes (`serve` without `--no-watch`).
    pub watch: bool,
}

impl From<&FunctionArgs> for Settings {
    fn from(args: &FunctionArgs) -> Settings {
        match args.runtime_client {
            RuntimeClientArg::Bundled => Settings {
                client: RuntimeClient::Bundled,
                python: args.python.clone(),
                lambda_endpoint: args.lambda_endpoint.clone(),
                watch: false,
            },
            RuntimeClientArg::Awslambdaric => Settings {
                client: RuntimeClient::Official,
                python: Some(args.python.clone().unwrap_or_else(|| "python3".into())),
                lambda_endpoint: args.lambda_endpoint.clone(),
                watch: false,
            },
        }
    }
}

/// The host configuration of `function` (declared in `file`), or the error that says why
/// Turnpike cannot run it, naming the file and the function's resource.
pub fn config(
    file: &Path,
    function: &Function,
    settings: &Settings,
) -> Result<FunctionConfig, LoadError> {
    let error = |message: String| LoadError {
        file: file.to_path_buf(),
        line: 0,
        column: 0,
        pointer: function.pointer.clone(),
        message: format!("function {}: {message}", function.function_name),
    };
    let runtime: Runtime = function
        .runtime
        .parse()
        .map_err(|e: turnpike_functions::ConfigError| error(e.to_string()))?;
    let mut config = FunctionConfig::new(
        function.function_name.clone(),
        runtime,
        function.handler.clone().unwrap_or_default(),
        function.code_dir.clone(),
    );
    config.timeout = function.timeout;
    config.memory_mb = function.memory_mb;
    config.environment = function.environment.clone();
    config.reserved_concurrency = function.reserved_concurrency;
    config.client = settings.client;
    if let Runtime::Python(_) = config.runtime {
        config.interpreter = settings.python.clone();
    }
    config.validate().map_err(|e| error(e.to_string()))?;
    Ok(config)
}

/// [`config`] of every function; all of them, or every error.
pub fn configs(
    functions: &[(PathBuf, Function)],
    settings: &Settings,
) -> Result<Vec<FunctionConfig>, Vec<LoadError>> {
    let (configs, errors): (Vec<_>, Vec<_>) = functions
        .iter()
        .map(|(file, function)| config(file, function, settings))
        .partition(Result::is_ok);
    if errors.is_empty() {
        Ok(configs.into_iter().flatten().collect())
    } else {
        Err(errors.into_iter().filter_map(Result::err).collect())
    }
}

/// Python functions run on the `pythonX.Y` their runtime names when it runs here, else on
/// `python3` (a warning says so): a version manager's shim (pyenv) can be on PATH for a version
/// it cannot start, which would fail every invocation. An interpreter the user chose is kept.
pub fn choose_interpreters(configs: &mut [FunctionConfig]) {
    let mut works: Vec<(String, bool)> = Vec::new();
    for config in configs.iter_mut() {
        let Runtime::Python(version) = &config.runtime else {
            continue;
        };
        if config.interpreter.is_some() {
            continue;
        }
        let exact = format!("python{version}");
        let runs = match works.iter().find(|(name, _)| *name == exact) {
            Some((_, runs)) => *runs,
            None => {
                let runs = Command::new(&exact)
                    .args(["-c", ""])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|status| status.success());
                if !runs {
                    tracing::warn!(
                        runtime = %config.runtime,
                        "{exact} cannot be run here; functions of this runtime run on python3 \
                         (choose another interpreter with --python PATH)"
                    );
                }
                works.push((exact.clone(), runs));
                runs
            }
        };
        config.interpreter = Some(PathBuf::from(if runs { exact } else { "python3".into() }));
    }
}

/// With `--runtime-client awslambdaric`, checks that the interpreter can run it, so a missing
/// install is one clear message at start rather than a failure per request.
pub fn check_runtime_client(configs: &[FunctionConfig], settings: &Settings) -> Result<(), String> {
    if settings.client == RuntimeClient::Official {
        for config in configs {
            let ric = config.code_dir.join("node_modules/.bin/aws-lambda-ric");
            if matches!(config.runtime, Runtime::Nodejs(_)) && !ric.exists() {
                return Err(format!(
                    "--runtime-client aws-lambda-ric: function {} has no {}; install it with \
                     `npm install aws-lambda-ric` in {}",
                    config.name,
                    ric.display(),
                    config.code_dir.display()
                ));
            }
        }
    }
    let python = match (&settings.client, &settings.python) {
        (RuntimeClient::Official, Some(python)) => python,
        _ => return Ok(()),
    };
    if !configs
        .iter()
        .any(|c| matches!(c.runtime, Runtime::Python(_)))
    {
        return Ok(());
    }
    let output = Command::new(python)
        .args(["-c", "import awslambdaric"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!(
                "--runtime-client awslambdaric: cannot run {}: {e} (choose the interpreter \
                 with --python PATH)",
                python.display()
            )
        })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let reason = stderr.lines().last().unwrap_or("import failed");
    Err(format!(
        "--runtime-client awslambdaric: {} cannot import awslambdaric ({reason}); install it \
         with `{} -m pip install awslambdaric` or choose another interpreter with --python PATH",
        python.display(),
        python.display()
    ))
}

/// A host in Turnpike's region and account, with one pool per function, that invokes any other
/// function in AWS (at `--lambda-endpoint` when given).
pub async fn start(
    configs: Vec<FunctionConfig>,
    settings: &Settings,
) -> Result<Arc<FunctionHost>, String> {
    let host = FunctionHost::new(HostConfig {
        region: turnpike_model::REGION.into(),
        account_id: turnpike_model::ACCOUNT_ID.into(),
        remote: Some(RemoteConfig {
            endpoint: settings.lambda_endpoint.clone(),
            ..RemoteConfig::default()
        }),
        watch: settings.watch,
        ..HostConfig::default()
    })
    .map_err(|e| e.to_string())?;
    let host = Arc::new(host);
    for config in configs {
        if let Err(e) = host.add_function(config).await {
            host.shutdown().await;
            return Err(e.to_string());
        }
    }
    Ok(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::time::Duration;

    fn function(runtime: &str) -> Function {
        Function {
            logical_id: "HelloFunction".into(),
            function_name: "HelloFunction".into(),
            runtime: runtime.into(),
            handler: Some("app.lambda_handler".into()),
            code_dir: PathBuf::from("/srv/app/hello"),
            timeout: Duration::from_secs(7),
            memory_mb: 256,
            environment: BTreeMap::from([("TABLE".to_string(), "pets".to_string())]),
            reserved_concurrency: Some(2),
            architectures: Vec::new(),
            pointer: "/Resources/HelloFunction".into(),
        }
    }

    fn bundled() -> Settings {
        Settings {
            client: RuntimeClient::Bundled,
            python: None,
            lambda_endpoint: None,
            watch: false,
        }
    }

    #[test]
    fn a_model_function_maps_field_for_field() {
        let config = config(
            Path::new("template.yaml"),
            &function("python3.12"),
            &bundled(),
        )
        .unwrap();
        let mut expected = FunctionConfig::new(
            "HelloFunction",
            Runtime::Python("3.12".into()),
            "app.lambda_handler",
            "/srv/app/hello",
        );
        expected.timeout = Duration::from_secs(7);
        expected.memory_mb = 256;
        expected.environment = BTreeMap::from([("TABLE".to_string(), "pets".to_string())]);
        expected.reserved_concurrency = Some(2);
        assert_eq!(config, expected);
    }

    #[test]
    fn awslambdaric_defaults_to_python3_and_keeps_a_chosen_interpreter() {
        let args = |client, python: Option<&str>| FunctionArgs {
            runtime_client: client,
            python: python.map(PathBuf::from),
            lambda_endpoint: None,
        };
        assert_eq!(
            Settings::from(&args(RuntimeClientArg::Awslambdaric, None)),
            Settings {
                client: RuntimeClient::Official,
                python: Some("python3".into()),
                lambda_endpoint: None,
                watch: false,
            }
        );
        assert_eq!(
            Settings::from(&args(RuntimeClientArg::Awslambdaric, Some("/v/bin/python"))).python,
            Some(PathBuf::from("/v/bin/python"))
        );
        assert_eq!(
            Settings::from(&args(RuntimeClientArg::Bundled, None)),
            bundled()
        );
        let settings = Settings::from(&args(RuntimeClientArg::Awslambdaric, None));
        let config = config(Path::new("t.yaml"), &function("python3.12"), &settings).unwrap();
        assert_eq!(config.client, RuntimeClient::Official);
        assert_eq!(config.interpreter, Some(PathBuf::from("python3")));
    }

    #[test]
    fn unsupported_runtimes_name_the_file_and_the_function() {
        let functions = [
            (PathBuf::from("a/template.yaml"), function("nodejs")),
            (PathBuf::from("b/template.yaml"), function("java21")),
            (PathBuf::from("c/template.yaml"), function("python3.12")),
        ];
        let errors: Vec<String> = configs(&functions, &bundled())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            errors,
            [
                "a/template.yaml: /Resources/HelloFunction: function HelloFunction: unknown \
                 runtime `nodejs`: Turnpike runs provided, provided.al2, provided.al2023, \
                 python3.x and nodejsN.x",
                "b/template.yaml: /Resources/HelloFunction: function HelloFunction: unknown \
                 runtime `java21`: Turnpike runs provided, provided.al2, provided.al2023, \
                 python3.x and nodejsN.x",
            ]
        );
    }

    #[test]
    fn a_missing_awslambdaric_is_explained_once() {
        let settings = Settings {
            client: RuntimeClient::Official,
            python: Some("/nonexistent/python".into()),
            lambda_endpoint: None,
            watch: false,
        };
        let configs =
            vec![config(Path::new("t.yaml"), &function("python3.12"), &settings).unwrap()];
        let message = check_runtime_client(&configs, &settings).unwrap_err();
        assert!(
            message.starts_with("--runtime-client awslambdaric: cannot run /nonexistent/python: "),
            "{message}"
        );
        assert_eq!(check_runtime_client(&configs, &bundled()), Ok(()));
    }

    #[test]
    fn python_functions_fall_back_to_python3_when_their_version_cannot_run() {
        let settings = bundled();
        let mut configs = vec![
            config(Path::new("t.yaml"), &function("python3.999"), &settings).unwrap(),
            config(Path::new("t.yaml"), &function("provided.al2023"), &settings).unwrap(),
        ];
        let mut chosen = configs[0].clone();
        chosen.interpreter = Some("/opt/python".into());
        configs.push(chosen);
        choose_interpreters(&mut configs);
        let interpreters: Vec<Option<&Path>> =
            configs.iter().map(|c| c.interpreter.as_deref()).collect();
        assert_eq!(
            interpreters,
            [
                Some(Path::new("python3")),
                None,
                Some(Path::new("/opt/python"))
            ]
        );
    }
}
