//! How a worker process is started: program, arguments, environment, process group and
//! parent-death signal.

use std::ffi::OsString;
use std::io;
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;

/// Everything needed to start one of a function's workers, resolved once per pool.
#[derive(Debug, Clone)]
pub(crate) struct Launch {
    pub(crate) function: Arc<str>,
    pub(crate) program: PathBuf,
    pub(crate) args: Vec<OsString>,
    pub(crate) code_dir: PathBuf,
    /// The environment minus the per-worker variables.
    pub(crate) env: Vec<(String, String)>,
    /// `provided*` runtimes: a missing program is a missing `bootstrap`.
    pub(crate) is_bootstrap: bool,
}

impl Launch {
    /// The command for one worker talking to the Runtime API at `api`.
    pub(crate) fn command(&self, api: SocketAddr, log_stream: &str) -> tokio::process::Command {
        let mut command = std::process::Command::new(&self.program);
        command
            .args(&self.args)
            .current_dir(&self.code_dir)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("AWS_LAMBDA_RUNTIME_API", api.to_string())
            .env("AWS_LAMBDA_LOG_STREAM_NAME", log_stream)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own group, so a timeout or shutdown kills whatever the runtime started too.
            .process_group(0);
        let parent = std::process::id();
        // SAFETY: the closure runs between fork and exec and only makes async-signal-safe calls
        // (prctl, getppid) without allocating.
        unsafe {
            command.pre_exec(move || die_with_parent(parent));
        }
        tokio::process::Command::from(command)
    }

    /// Lambda's wording for a worker that could not be executed.
    pub(crate) fn exec_failure(&self, error: &io::Error) -> String {
        let program = self.program.display();
        if self.is_bootstrap && error.kind() == io::ErrorKind::NotFound {
            return format!("Couldn't find valid bootstrap(s): [{program}]");
        }
        let reason = match error.raw_os_error() {
            Some(libc::ENOENT) => "no such file or directory".to_string(),
            Some(libc::EACCES) => "permission denied".to_string(),
            Some(libc::ENOEXEC) => "exec format error".to_string(),
            _ => error.to_string(),
        };
        format!("fork/exec {program}: {reason}")
    }
}

/// Asks the kernel to SIGKILL the worker when Turnpike dies, even by `kill -9`.
#[cfg(target_os = "linux")]
fn die_with_parent(parent: u32) -> io::Result<()> {
    // SAFETY: plain syscalls with constant arguments.
    unsafe {
        if libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGKILL as libc::c_ulong,
            0,
            0,
            0,
        ) == -1
        {
            return Err(io::Error::last_os_error());
        }
        // Turnpike may have died between fork and prctl; then nobody would send the signal.
        if libc::getppid() as u32 != parent {
            return Err(io::Error::from_raw_os_error(libc::ESRCH));
        }
    }
    Ok(())
}

/// Elsewhere only the process group kill on drop applies.
#[cfg(not(target_os = "linux"))]
fn die_with_parent(_parent: u32) -> io::Result<()> {
    Ok(())
}
