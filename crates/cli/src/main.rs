//! The `turnpike` command: parses arguments and wires the model (loading) to the gateway
//! (serving). Everything else lives in the library crates.
//!
//! ```text
//! turnpike serve [PATH...] [--listen 127.0.0.1:8080] [--stage NAME]... [--stage-var [STAGE:]KEY=VALUE]...
//! turnpike validate PATH...
//! turnpike routes PATH...
//! turnpike invoke FUNCTION [--event FILE|-] [TEMPLATE]
//! turnpike keys create|list|delete ...        [--data-dir .turnpike | --redis URL]
//! turnpike usage-plans create|list|delete|add-key|remove-key ...
//! turnpike usage KEY_ID [--plan ID] [--json]
//! ```

mod args;
mod commands;
mod deploy;
mod example;
mod functions;
mod table;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: a proxied request makes a few dozen small
/// allocations (header maps, buffers, futures) that glibc serves measurably slower under load.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    init_logging();
    match cli.command {
        args::Command::Serve(args) => commands::serve::run(args),
        args::Command::Validate(args) => commands::validate::run(args),
        args::Command::Routes(args) => commands::routes::run(args),
        args::Command::Invoke(args) => commands::invoke::run(args),
        args::Command::Keys(args) => commands::keys::run(args),
        args::Command::UsagePlans(args) => commands::usage_plans::run(args),
        args::Command::Usage(args) => commands::usage::run(args),
    }
}

/// Logs go to stderr so stdout carries only the banner, the route table and access logs.
/// `RUST_LOG` overrides the default level.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
