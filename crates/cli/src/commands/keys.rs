//! `turnpike keys create|list|delete`, and what every state command shares: opening the state
//! (`--data-dir` or `--redis`), running one async action, printing tables and errors.

use std::future::Future;
use std::process::ExitCode;

use turnpike_state::{EmbeddedConfig, NewApiKey, RedisConfig, State, StateError};

use crate::args::{KeysArgs, KeysCommand, StateArgs};

pub fn run(args: KeysArgs) -> ExitCode {
    with_state(&args.state, |state| async move {
        match args.command {
            KeysCommand::Create {
                name,
                value,
                disabled,
            } => create(&state, name, value, !disabled).await,
            KeysCommand::List => list(&state).await,
            KeysCommand::Delete { id } => {
                state.delete_api_key(&id).await?;
                println!("deleted API key {id}");
                Ok(())
            }
        }
    })
}

async fn create(
    state: &State,
    name: String,
    value: Option<String>,
    enabled: bool,
) -> Result<(), StateError> {
    let created = state
        .create_api_key(NewApiKey {
            name,
            value,
            enabled,
        })
        .await?;
    println!("id: {}", created.key.id);
    println!("name: {}", created.key.name);
    println!("enabled: {}", created.key.enabled);
    println!("value: {}", created.value);
    eprintln!("turnpike: the value is shown only now; Turnpike keeps only its SHA-256");
    Ok(())
}

async fn list(state: &State) -> Result<(), StateError> {
    let keys = state.list_api_keys().await?;
    let mut rows = vec![[
        "ID".to_string(),
        "NAME".into(),
        "ENABLED".into(),
        "VALUE".into(),
        "CREATED".into(),
        "USAGE PLANS".into(),
    ]];
    for key in keys {
        rows.push([
            key.id,
            key.name,
            key.enabled.to_string(),
            format!("{}...", key.value_prefix),
            date_time(key.created_date),
            key.usage_plan_ids.join(","),
        ]);
    }
    print!("{}", columns(&rows));
    Ok(())
}

/// Opens the state the arguments name, runs `action` on it, and maps its error to an exit code.
/// The state is dropped before returning, which commits pending writes.
pub fn with_state<F, Fut>(args: &StateArgs, action: F) -> ExitCode
where
    F: FnOnce(State) -> Fut,
    Fut: Future<Output = Result<(), StateError>>,
{
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("turnpike: error: cannot start the runtime: {e}");
            return ExitCode::from(super::FAILURE);
        }
    };
    let result = runtime.block_on(async {
        let state = open(args).await?;
        action(state.clone()).await?;
        state.flush().await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("turnpike: error: {e}");
            ExitCode::from(super::FAILURE)
        }
    }
}

async fn open(args: &StateArgs) -> Result<State, StateError> {
    if args.redis.is_empty() {
        return State::embedded(&EmbeddedConfig::new(&args.data_dir));
    }
    let mut config = RedisConfig::new(String::new());
    config.urls.clone_from(&args.redis);
    // An admin command waits longer than a request would.
    config.op_timeout = std::time::Duration::from_secs(5);
    State::redis(&config).await
}

/// Left-aligned columns two spaces apart, the last unpadded.
pub fn columns<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == N {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `2026-11-25T20:30:00Z` for seconds since the epoch.
pub fn date_time(secs: u64) -> String {
    format_secs(secs, &time::format_description::well_known::Rfc3339)
}

/// `2026-11-25` for seconds since the epoch.
pub fn date(secs: u64) -> String {
    format_secs(
        secs,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
}

fn format_secs(secs: u64, format: &(impl time::formatting::Formattable + ?Sized)) -> String {
    i64::try_from(secs)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| secs.to_string())
}
