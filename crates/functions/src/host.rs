//! The functions host: the set of loaded functions and what they share (region, account, the
//! bundled runtime client on disk).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;

use crate::config::FunctionConfig;
use crate::environment::{worker_env, Placement};
use crate::error::{HostError, InvokeError};
use crate::invoke::{InvokeContext, InvokeOutcome};
use crate::pool::FunctionPool;
use crate::remote::{RemoteConfig, RemoteInvoker};
use crate::runtime::Runtime;
use crate::watch::CodeWatch;
use crate::worker::Launch;

/// Settings shared by every function of a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostConfig {
    /// `AWS_REGION` of the workers and the region of function ARNs; default `us-east-1`.
    pub region: String,
    /// Account id in function ARNs; default `123456789012` (the one AWS documentation uses).
    pub account_id: String,
    /// Where the bundled runtime client is written; default `$XDG_CACHE_HOME/turnpike`,
    /// `~/.cache/turnpike`, or the temp directory.
    pub cache_dir: PathBuf,
    /// How functions that are not loaded are invoked in AWS; `None`: they are not.
    pub remote: Option<RemoteConfig>,
    /// Restart a function's workers when a file in its code directory changes.
    pub watch: bool,
}

impl Default for HostConfig {
    fn default() -> HostConfig {
        HostConfig {
            region: "us-east-1".into(),
            account_id: "123456789012".into(),
            cache_dir: default_cache_dir(),
            remote: None,
            watch: false,
        }
    }
}

fn default_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("turnpike");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(home).join(".cache").join("turnpike");
    }
    std::env::temp_dir().join("turnpike-cache")
}

/// The loaded functions, each with its [`FunctionPool`].
pub struct FunctionHost {
    config: HostConfig,
    python_client: PathBuf,
    node_client: PathBuf,
    remote: Option<RemoteInvoker>,
    pools: Mutex<BTreeMap<String, FunctionPool>>,
    watches: Mutex<BTreeMap<String, CodeWatch>>,
}

impl FunctionHost {
    /// Creates a host and writes the bundled runtime clients into the cache directory.
    pub fn new(config: HostConfig) -> Result<FunctionHost, HostError> {
        let cache_error = |source| HostError::CacheDir {
            path: config.cache_dir.clone(),
            source,
        };
        let python_client =
            crate::python::install_client(&config.cache_dir).map_err(cache_error)?;
        let node_client = crate::node::install_client(&config.cache_dir).map_err(cache_error)?;
        let remote = config
            .remote
            .as_ref()
            .map(RemoteInvoker::new)
            .transpose()
            .map_err(HostError::LambdaEndpoint)?;
        Ok(FunctionHost {
            config,
            python_client,
            node_client,
            remote,
            pools: Mutex::new(BTreeMap::new()),
            watches: Mutex::new(BTreeMap::new()),
        })
    }

    /// The host's settings.
    pub fn config(&self) -> &HostConfig {
        &self.config
    }

    /// `arn:aws:lambda:{region}:{account}:function:{name}`.
    pub fn function_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:lambda:{}:{}:function:{name}",
            self.config.region, self.config.account_id
        )
    }

    /// Loads a function (replacing, and shutting down, one of the same name) and starts its pool.
    pub async fn add_function(&self, config: FunctionConfig) -> Result<FunctionPool, HostError> {
        config.validate().map_err(|source| HostError::Config {
            function: config.name.clone(),
            source,
        })?;
        let mut config = config;
        config.code_dir = absolute(&config.code_dir);
        let launch = self.launch(&config);
        let arn = self.function_arn(&config.name);
        let name = config.name.clone();
        let code_dir = config.code_dir.clone();
        let pool = FunctionPool::start(config, launch, arn).await;
        if self.config.watch {
            match crate::watch::watch(&code_dir, pool.downgrade()) {
                Ok(watch) => {
                    self.lock_watches().insert(name.clone(), watch);
                }
                Err(error) => tracing::warn!(
                    function = name,
                    %error,
                    "cannot watch the code directory; code changes need a restart of Turnpike"
                ),
            }
        }
        let replaced = self.lock_pools().insert(name, pool.clone());
        if let Some(old) = replaced {
            old.shutdown().await;
        }
        Ok(pool)
    }

    /// The pool of a loaded function.
    pub fn function(&self, name: &str) -> Option<FunctionPool> {
        self.lock_pools().get(name).cloned()
    }

    /// Names of the loaded functions, sorted.
    pub fn function_names(&self) -> Vec<String> {
        self.lock_pools().keys().cloned().collect()
    }

    /// Invokes a loaded function by name.
    pub async fn invoke(
        &self,
        name: &str,
        payload: Bytes,
        ctx: InvokeContext,
    ) -> Result<InvokeOutcome, InvokeError> {
        let Some(pool) = self.function(name) else {
            return Err(InvokeError::FunctionNotFound {
                arn: self.function_arn(name),
            });
        };
        pool.invoke(payload, ctx).await
    }

    /// Invokes the function `arn` names (`name` is its function name, without qualifier): the
    /// loaded function of that name when there is one, else the function in AWS through the
    /// Lambda Invoke API when the host is configured for it.
    pub async fn invoke_arn(
        &self,
        name: &str,
        arn: &str,
        payload: Bytes,
        ctx: InvokeContext,
    ) -> Result<InvokeOutcome, InvokeError> {
        if let Some(pool) = self.function(name) {
            return pool.invoke(payload, ctx).await;
        }
        match &self.remote {
            Some(remote) => remote.invoke(arn, payload, &ctx).await,
            None => Err(InvokeError::FunctionNotFound {
                arn: arn.to_string(),
            }),
        }
    }

    /// Shuts every pool down and waits until their idle workers are gone.
    pub async fn shutdown(&self) {
        self.lock_watches().clear();
        let pools: Vec<FunctionPool> = std::mem::take(&mut *self.lock_pools())
            .into_values()
            .collect();
        for pool in pools {
            pool.shutdown().await;
        }
    }

    fn lock_pools(&self) -> MutexGuard<'_, BTreeMap<String, FunctionPool>> {
        self.pools.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_watches(&self) -> MutexGuard<'_, BTreeMap<String, CodeWatch>> {
        self.watches.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn launch(&self, config: &FunctionConfig) -> Launch {
        let (program, args, runtime_dir) = match &config.runtime {
            Runtime::Python(version) => {
                let (program, args) = crate::python::command(config, version, &self.python_client);
                let dir = self.python_client.parent().unwrap_or(Path::new("/"));
                (program, args, dir.to_path_buf())
            }
            Runtime::Nodejs(_) => {
                let (program, args) = crate::node::command(config, &self.node_client);
                let dir = self.node_client.parent().unwrap_or(Path::new("/"));
                (program, args, dir.to_path_buf())
            }
            _ => (
                config.code_dir.join("bootstrap"),
                Vec::new(),
                config.code_dir.clone(),
            ),
        };
        let placement = Placement {
            region: &self.config.region,
            runtime_dir: &runtime_dir,
        };
        let mut env = worker_env(config, &placement);
        let python = matches!(config.runtime, Runtime::Python(_));
        if self.config.watch && python && !env.iter().any(|(k, _)| k == "PYTHONDONTWRITEBYTECODE") {
            // Python trusts a cached .pyc whose source has the same size and mtime second: an
            // edit saved within a second of the last import would run the old code.
            env.push(("PYTHONDONTWRITEBYTECODE".into(), "1".into()));
        }
        Launch {
            function: Arc::from(config.name.as_str()),
            program,
            args,
            code_dir: config.code_dir.clone(),
            env,
            is_bootstrap: config.runtime.is_provided(),
        }
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
