//! `turnpike serve`: load, deploy, start the functions, bind, print the banner and the route
//! table, serve until SIGINT/SIGTERM, drain in-flight requests, then stop the functions.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use turnpike_gateway::{AccessLog, AwsCredentials, Gateway, GatewayConfig, TlsConfig};
use turnpike_model::Deployment;
use turnpike_model::UsagePlans;
use turnpike_state::{
    ApiStage, EmbeddedConfig, NewApiKey, NewUsagePlan, Quota, QuotaPeriod, RedisConfig, State,
    StateError, Throttle,
};

use super::{base_url, usage_error, FAILURE};
use crate::args::{CacheArgs, ServeArgs, ServeStateArgs};
use crate::deploy::{self, stages, Options, Source};
use crate::functions::{self, Settings};

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
    let options = Options::new(args.load.kind.map(Into::into), &args.load.parameters);
    let requested_url = base_url(scheme, args.listen);
    let sources = Source::from_paths(&args.load.paths, &requested_url);
    let mut loaded = match deploy::load_all(&sources, &options) {
        Ok(loaded) => loaded,
        Err(errors) => return super::report_load_errors(&errors),
    };
    args.cache.apply(&mut loaded.apis);
    loaded.report_notes();
    for (api, route, arn) in loaded.routes_without_function() {
        tracing::warn!(
            api,
            route,
            arn,
            "no template declares this route's function; it is invoked in AWS through the Lambda \
             Invoke API (--lambda-endpoint URL to use another endpoint)"
        );
    }
    let mut settings = Settings::from(&args.functions);
    settings.watch = !args.no_watch;
    let mut function_configs = match functions::configs(&loaded.functions, &settings) {
        Ok(configs) => configs,
        Err(errors) => return super::report_load_errors(&errors),
    };
    functions::choose_interpreters(&mut function_configs);
    if let Err(message) = functions::check_runtime_client(&function_configs, &settings) {
        eprintln!("turnpike: error: {message}");
        return ExitCode::from(FAILURE);
    }
    let (names, vars) = (&args.stages.stages, &args.stages.stage_vars);
    let plan = match stages::plan(&loaded.apis, &loaded.stages, names, vars) {
        Ok(plan) => plan,
        Err(message) => return usage_error(&message),
    };
    // `clf`, `json` and `off` are presets; anything else is a `$context` template.
    let access_log = match AccessLog::parse(&args.access_log_format) {
        Ok(log) => log,
        Err(message) => return usage_error(&format!("--access-log-format: {message}")),
    };
    let mut config = GatewayConfig::new(args.listen);
    config.access_log = access_log;
    config.workers = args.workers;
    config.metrics_listen = args.metrics_listen;
    config.aws_endpoint_url = args.aws_endpoint_url.clone();
    config.credentials = match credentials(args.credentials.as_deref()) {
        Ok(credentials) => credentials,
        Err(message) => {
            eprintln!("turnpike: error: {message}");
            return ExitCode::from(FAILURE);
        }
    };
    config.jwks_urls = args
        .jwks_urls
        .iter()
        .map(|j| (j.issuer.clone(), j.url.clone()))
        .collect();
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        config.tls = Some(TlsConfig {
            cert: cert.clone(),
            key: key.clone(),
        });
    }

    match open_state(&args.traffic, CacheArgs::cluster_bytes(&loaded.apis)).await {
        Ok(state) => {
            if let Err(message) = seed(&state, &loaded.usage_plans).await {
                eprintln!("turnpike: error: cannot seed the template's usage plans: {message}");
                return ExitCode::from(FAILURE);
            }
            config.state = Some(state);
        }
        Err(message) => {
            eprintln!("turnpike: error: {message}");
            return ExitCode::from(FAILURE);
        }
    }
    if !args.traffic.account_rate.is_finite() || args.traffic.account_rate < 0.0 {
        return usage_error("--account-rate: expected a non-negative number");
    }
    config.account_throttle = turnpike_state::Throttle {
        rate_limit: args.traffic.account_rate,
        burst_limit: args.traffic.account_burst,
    };

    // Signal handlers go in before the banner: a SIGTERM sent as soon as a client sees the banner
    // must drain, not kill.
    let shutdown = match shutdown_signal() {
        Ok(shutdown) => shutdown,
        Err(e) => {
            eprintln!("turnpike: error: cannot install signal handlers: {e}");
            return ExitCode::from(FAILURE);
        }
    };

    // Always a host: a function no template declares is invoked in AWS.
    let host = match functions::start(function_configs, &settings).await {
        Ok(host) => host,
        Err(message) => {
            eprintln!("turnpike: error: cannot start the functions: {message}");
            return ExitCode::from(FAILURE);
        }
    };
    config.functions = Some(host.clone());
    let served = Served {
        args: &args,
        options: &options,
        scheme,
        requested_url,
        functions_table: crate::table::render_functions(&loaded.functions),
        deployment: deploy::with_websocket_apis(
            deploy::deployment(loaded.apis, plan.clone()),
            loaded.websocket_apis,
            &loaded.stages,
        ),
        plan,
    };
    let code = served.run(config, shutdown).await;
    // After the drain no request can reach a function any more: stop the workers.
    host.shutdown().await;
    code
}

/// The embedded state under `--data-dir`, or Redis with `--redis`.
async fn open_state(args: &ServeStateArgs, cache_bytes: Option<usize>) -> Result<State, String> {
    if args.state.redis.is_empty() {
        let dir = &args.state.data_dir;
        let mut config = EmbeddedConfig::new(dir);
        // The embedded cache holds as much as the stages' cache clusters would.
        if let Some(bytes) = cache_bytes {
            config.cache_capacity_bytes = bytes;
        }
        return State::embedded(&config)
            .map_err(|e| format!("cannot open the state in {}: {e}", dir.display()));
    }
    let mut config = RedisConfig::new(String::new());
    config.urls.clone_from(&args.state.redis);
    if let Some(policy) = args.on_state_error {
        config.on_error = policy;
    }
    State::redis(&config)
        .await
        .map_err(|e| format!("cannot use Redis {}: {e}", args.state.redis.join(", ")))
}

/// The credentials AWS_IAM routes verify against: `--credentials FILE`, else
/// `$AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials` when it exists (as the AWS CLI finds
/// them). An unusable explicit file is an error; an unusable default one is skipped with a warning,
/// so a broken ~/.aws never stops APIs without IAM routes.
fn credentials(flag: Option<&Path>) -> Result<Option<AwsCredentials>, String> {
    if let Some(path) = flag {
        return AwsCredentials::load(path)
            .map(Some)
            .map_err(|e| format!("--credentials: {e}"));
    }
    let default = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".aws/credentials")))
        .filter(|path| path.is_file());
    let Some(path) = default else {
        return Ok(None);
    };
    match AwsCredentials::load(&path) {
        Ok(credentials) => Ok(Some(credentials)),
        Err(e) => {
            tracing::warn!("{e}; AWS_IAM routes refuse every request");
            Ok(None)
        }
    }
}

/// Creates (or brings in line, by name) the templates' API keys and usage plans and their
/// memberships. A generated key value is logged once, when the key is created.
async fn seed(state: &State, declared: &UsagePlans) -> Result<(), StateError> {
    let mut keys = std::collections::BTreeMap::new();
    for decl in &declared.keys {
        let new = NewApiKey {
            name: decl.name.clone(),
            value: decl.value.clone(),
            enabled: decl.enabled,
        };
        let (key, generated) = state.seed_api_key(new).await?;
        if let (Some(value), None) = (generated, &decl.value) {
            tracing::info!(key = %decl.logical_id, id = %key.id, value, "API key created");
        }
        keys.insert(decl.logical_id.as_str(), key.id);
    }
    let mut plans = std::collections::BTreeMap::new();
    for decl in &declared.plans {
        let throttle = |(rate_limit, burst_limit): (f64, u64)| Throttle {
            rate_limit,
            burst_limit,
        };
        let quota = match &decl.quota {
            Some(q) => Some(Quota {
                limit: q.limit,
                period: QuotaPeriod::parse(&q.period).ok_or_else(|| {
                    StateError::BadRequest(format!("{}: bad quota period", decl.logical_id))
                })?,
                offset: q.offset,
            }),
            None => None,
        };
        let new = NewUsagePlan {
            name: decl.name.clone(),
            description: decl.description.clone(),
            api_stages: decl
                .api_stages
                .iter()
                .map(|s| ApiStage {
                    api_id: s.api_id.clone(),
                    stage: s.stage.clone(),
                    throttle: s
                        .throttle
                        .iter()
                        .map(|(m, t)| (m.clone(), throttle(*t)))
                        .collect(),
                })
                .collect(),
            throttle: decl.throttle.map(throttle),
            quota,
        };
        let plan = state.seed_usage_plan(new).await?;
        plans.insert(decl.logical_id.as_str(), plan.id);
    }
    for (plan, key) in &declared.members {
        // `Ref` may also give a real id (a key made with `turnpike keys create`).
        let plan_id = plans
            .get(plan.as_str())
            .map_or(plan.as_str(), String::as_str);
        let key_id = keys.get(key.as_str()).map_or(key.as_str(), String::as_str);
        state.add_usage_plan_key(plan_id, key_id).await?;
    }
    Ok(())
}

/// What [`Served::run`] serves and prints.
struct Served<'a> {
    args: &'a ServeArgs,
    options: &'a Options,
    scheme: &'static str,
    requested_url: String,
    functions_table: String,
    deployment: Deployment,
    plan: stages::Plan,
}

impl Served<'_> {
    /// Binds, prints the banner, serves until `shutdown` and drains.
    async fn run(
        self,
        config: GatewayConfig,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> ExitCode {
        let mut deployment = self.deployment;
        let gateway = match Gateway::bind(config, deployment.clone()).await {
            Ok(gateway) => gateway,
            Err(e) => {
                eprintln!("turnpike: error: cannot serve on {}: {e}", self.args.listen);
                return ExitCode::from(FAILURE);
            }
        };
        let local_addr = gateway.local_addr();
        let scheme = self.scheme;
        let url = base_url(scheme, local_addr);

        // The bundled HTTP API proxies to the bundled REST API on this very Turnpike: once the
        // real port is known (--listen ...:0), point it there.
        if self.args.load.paths.is_empty() && url != self.requested_url {
            match deploy::load_all(&Source::from_paths(&[], &url), self.options) {
                Ok(loaded) => {
                    deployment = deploy::with_websocket_apis(
                        deploy::deployment(loaded.apis, self.plan),
                        loaded.websocket_apis,
                        &loaded.stages,
                    );
                    gateway.reload(deployment.clone());
                }
                Err(errors) => return super::report_load_errors(&errors),
            }
        }

        let urls = turnpike_gateway::route_urls(&deployment, &url);
        let table = crate::table::render(&deployment.apis, &urls, &url)
            + &crate::table::render_websockets(&deployment, &url);
        // The first line is a contract: scripts and the end-to-end tests read the port from it.
        // The banner goes out in one write so readers see it whole.
        let metrics = gateway
            .metrics_addr()
            .map(|addr| format!("Metrics at http://{addr}/metrics\n"))
            .unwrap_or_default();
        let banner = format!(
            "Turnpike listening on {scheme}://{local_addr}\n{metrics}\n{table}{}\n",
            self.functions_table
        );
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
