//! `turnpike invoke FUNCTION [--event FILE|-] [TEMPLATE]`: one invocation of one function of a
//! template, like `sam local invoke`. The function's result goes to stdout; its logs, and
//! Turnpike's, to stderr. A function error prints the error document and exits 1. FUNCTION may
//! be a Lambda ARN: the template's function of that name when the template declares one, else
//! the function in AWS (Lambda's Invoke API, `--lambda-endpoint` to use another endpoint).

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::ExitCode;

use bytes::Bytes;
use turnpike_functions::{InvokeContext, InvokeResponse};

use super::FAILURE;
use crate::args::InvokeArgs;
use crate::deploy::{self, Options, Source};
use crate::functions::{self, Settings};

pub fn run(args: InvokeArgs) -> ExitCode {
    let event = match read_event(args.event.as_deref()) {
        Ok(event) => event,
        Err(message) => {
            eprintln!("turnpike: error: {message}");
            return ExitCode::from(FAILURE);
        }
    };
    let settings = Settings::from(&args.functions);
    let arn = args
        .function
        .starts_with("arn:")
        .then(|| args.function.clone());
    if let Some(arn) = &arn {
        if !args.template.exists() {
            return run_on_host(Vec::new(), arn, &settings, event);
        }
    }
    let options = Options::new(None, &args.parameters);
    let loaded = match deploy::load_all(&[Source::File(args.template.clone())], &options) {
        Ok(loaded) => loaded,
        Err(errors) => return super::report_load_errors(&errors),
    };
    loaded.report_notes();
    let wanted = match &arn {
        Some(arn) => arn.split(':').nth(6).unwrap_or_default(),
        None => args.function.as_str(),
    };
    let chosen = loaded
        .functions
        .iter()
        .find(|(_, f)| f.function_name == wanted);
    let chosen = chosen.or_else(|| {
        // `sam local invoke` also takes the logical id.
        loaded
            .functions
            .iter()
            .find(|(_, f)| f.logical_id == args.function)
    });
    let chosen = match (chosen, &arn) {
        (Some(chosen), _) => chosen,
        (None, Some(arn)) => return run_on_host(Vec::new(), arn, &settings, event),
        (None, None) => return no_such_function(&args, &loaded),
    };
    let (file, function) = chosen;
    let mut config = match functions::config(file, function, &settings) {
        Ok(config) => config,
        Err(error) => return super::report_load_errors(&[error]),
    };
    functions::choose_interpreters(std::slice::from_mut(&mut config));
    if let Err(message) = functions::check_runtime_client(std::slice::from_ref(&config), &settings)
    {
        eprintln!("turnpike: error: {message}");
        return ExitCode::from(FAILURE);
    }
    let target = arn.unwrap_or_default();
    run_on_host(vec![config], &target, &settings, event)
}

/// The error for a name the template does not declare.
fn no_such_function(args: &InvokeArgs, loaded: &deploy::Loaded) -> ExitCode {
    let names: Vec<&str> = loaded
        .functions
        .iter()
        .map(|(_, f)| f.function_name.as_str())
        .collect();
    let known = if names.is_empty() {
        "it declares no functions".to_string()
    } else {
        format!("its functions: {}", names.join(", "))
    };
    eprintln!(
        "turnpike: error: {} declares no function {:?}; {known}",
        args.template.display(),
        args.function
    );
    ExitCode::from(FAILURE)
}

/// Invokes `configs`' one function, or the function `arn` in AWS when `configs` is empty.
fn run_on_host(
    configs: Vec<turnpike_functions::FunctionConfig>,
    arn: &str,
    settings: &Settings,
    event: Bytes,
) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(invoke(configs, arn, settings, event)),
        Err(e) => {
            eprintln!("turnpike: error: cannot start the runtime: {e}");
            ExitCode::from(FAILURE)
        }
    }
}

async fn invoke(
    configs: Vec<turnpike_functions::FunctionConfig>,
    arn: &str,
    settings: &Settings,
    event: Bytes,
) -> ExitCode {
    let name = match configs.first() {
        Some(config) => config.name.clone(),
        None => arn.split(':').nth(6).unwrap_or_default().to_string(),
    };
    let host = match functions::start(configs, settings).await {
        Ok(host) => host,
        Err(message) => {
            eprintln!("turnpike: error: cannot start the function: {message}");
            return ExitCode::from(FAILURE);
        }
    };
    let arn = if arn.is_empty() {
        host.function_arn(&name)
    } else {
        arn.to_string()
    };
    let outcome = host
        .invoke_arn(&name, &arn, event, InvokeContext::default())
        .await;
    host.shutdown().await;
    let (payload, code) = match outcome {
        Ok(outcome) => {
            tracing::info!(
                function = name,
                request_id = outcome.request_id,
                duration = ?outcome.duration,
                cold_start = outcome.cold_start,
                "REPORT"
            );
            match outcome.response {
                InvokeResponse::Success(payload) => (payload, ExitCode::SUCCESS),
                InvokeResponse::FunctionError(error) => (error.payload, ExitCode::from(FAILURE)),
            }
        }
        // Timeouts, crashes and init errors answer with Lambda's error document.
        Err(error) if error.is_function_error() => (error.payload(), ExitCode::from(FAILURE)),
        Err(error) => {
            eprintln!("turnpike: error: {name}: {error}");
            return ExitCode::from(FAILURE);
        }
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(&payload)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush())
    {
        eprintln!("turnpike: error: cannot write the result: {e}");
        return ExitCode::from(FAILURE);
    }
    code
}

/// The event from `path` (`-` is stdin), `{}` without one; it must be JSON, as Lambda's Invoke
/// API requires.
fn read_event(path: Option<&Path>) -> Result<Bytes, String> {
    let (text, from) = match path {
        None => return Ok(Bytes::from_static(b"{}")),
        Some(path) if path == Path::new("-") => {
            let mut text = Vec::new();
            std::io::stdin()
                .read_to_end(&mut text)
                .map_err(|e| format!("cannot read the event from stdin: {e}"))?;
            (text, "stdin".to_string())
        }
        Some(path) => {
            let text = std::fs::read(path)
                .map_err(|e| format!("cannot read the event {}: {e}", path.display()))?;
            (text, path.display().to_string())
        }
    };
    serde_json::from_slice::<serde_json::Value>(&text)
        .map_err(|e| format!("the event ({from}) is not JSON: {e}"))?;
    Ok(Bytes::from(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_default_to_an_empty_object_and_must_be_json() {
        assert_eq!(read_event(None).unwrap(), Bytes::from_static(b"{}"));
        let dir = std::env::temp_dir().join(format!("turnpike-event-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.json");
        std::fs::write(&good, r#"{"a": [1, 2]}"#).unwrap();
        assert_eq!(read_event(Some(&good)).unwrap(), r#"{"a": [1, 2]}"#);
        let bad = dir.join("bad.json");
        std::fs::write(&bad, "{nope").unwrap();
        let message = read_event(Some(&bad)).unwrap_err();
        assert!(
            message.starts_with(&format!("the event ({}) is not JSON: ", bad.display())),
            "{message}"
        );
        let missing = dir.join("missing.json");
        assert!(read_event(Some(&missing))
            .unwrap_err()
            .starts_with("cannot read the event "));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
