//! `turnpike serve`: load, deploy, bind, print the banner and the route table, serve until
//! SIGINT/SIGTERM, then drain in-flight requests.

use std::io::Write as _;
use std::process::ExitCode;

use turnpike_gateway::{AccessLog, Gateway, GatewayConfig, TlsConfig};

use super::{base_url, usage_error, FAILURE};
use crate::args::ServeArgs;
use crate::deploy::{self, Source};

pub fn run(args: ServeArgs) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(serve(args)),
        Err(e) => {
            eprintln!("turnpike: error: cannot start the runtime: {e}");
            ExitCode::from(FAILURE)
        }
    }
}

async fn serve(args: ServeArgs) -> ExitCode {
    let scheme = if args.tls_cert.is_some() {
        "https"
    } else {
        "http"
    };
    let kind = args.load.kind.map(Into::into);
    let requested_url = base_url(scheme, args.listen);
    let apis = match deploy::load_all(&Source::from_paths(&args.load.paths, &requested_url), kind) {
        Ok(apis) => apis,
        Err(errors) => return super::report_load_errors(&errors),
    };
    let stages = match deploy::stages(&apis, &args.stages.stages, &args.stages.stage_vars) {
        Ok(stages) => stages,
        Err(message) => return usage_error(&message),
    };
    // `clf`, `json` and `off` are presets; anything else is a `$context` template.
    let access_log = match AccessLog::parse(&args.access_log_format) {
        Ok(log) => log,
        Err(message) => return usage_error(&format!("--access-log-format: {message}")),
    };
    let mut config = GatewayConfig::new(args.listen);
    config.access_log = access_log;
    if let (Some(cert), Some(key)) = (args.tls_cert, args.tls_key) {
        config.tls = Some(TlsConfig { cert, key });
    }

    // Signal handlers go in before the banner: a SIGTERM sent as soon as a client sees the banner
    // must drain, not kill.
    let shutdown = match shutdown_signal() {
        Ok(shutdown) => shutdown,
        Err(e) => {
            eprintln!("turnpike: error: cannot install signal handlers: {e}");
            return ExitCode::from(FAILURE);
        }
    };

    let mut deployment = deploy::deployment(apis, stages.clone());
    let gateway = match Gateway::bind(config, deployment.clone()).await {
        Ok(gateway) => gateway,
        Err(e) => {
            eprintln!("turnpike: error: cannot serve on {}: {e}", args.listen);
            return ExitCode::from(FAILURE);
        }
    };
    let local_addr = gateway.local_addr();
    let url = base_url(scheme, local_addr);

    // The bundled HTTP API proxies to the bundled REST API on this very Turnpike: once the real
    // port is known (--listen ...:0), point it there.
    if args.load.paths.is_empty() && url != requested_url {
        match deploy::load_all(&Source::from_paths(&[], &url), kind) {
            Ok(apis) => {
                deployment = deploy::deployment(apis, stages);
                gateway.reload(deployment.clone());
            }
            Err(errors) => return super::report_load_errors(&errors),
        }
    }

    let urls = turnpike_gateway::route_urls(&deployment, &url);
    let table = crate::table::render(&deployment.apis, &urls, &url);
    // The first line is a contract: scripts and the end-to-end tests read the port from it. The
    // banner goes out in one write so readers see it whole.
    let banner = format!("Turnpike listening on {scheme}://{local_addr}\n\n{table}\n");
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(banner.as_bytes())
        .and_then(|()| stdout.flush())
    {
        tracing::warn!(error = %e, "cannot print the route table");
    }
    drop(stdout);

    match gateway.serve(shutdown).await {
        Ok(()) => {
            tracing::info!("drained; bye");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("turnpike: error: {e}");
            ExitCode::from(FAILURE)
        }
    }
}

/// Resolves on the first SIGINT or SIGTERM; a second one during the drain exits at once.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        let name = tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
        };
        tracing::info!(signal = name, "shutting down: draining in-flight requests");
        tokio::spawn(async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
            tracing::warn!("second signal: exiting without waiting for in-flight requests");
            std::process::exit(130);
        });
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: draining in-flight requests");
    })
}
