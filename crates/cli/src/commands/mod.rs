//! One module per subcommand; each returns the process exit code.

pub mod invoke;
pub mod keys;
pub mod routes;
pub mod serve;
pub mod usage;
pub mod usage_plans;
pub mod validate;

use std::process::ExitCode;

use turnpike_model::LoadError;

/// Exit code for load errors (and runtime failures).
pub const FAILURE: u8 = 1;
/// Exit code for command-line mistakes, as clap uses.
pub const USAGE: u8 = 2;

/// Prints every load error, one per line as `file:line:col: /pointer: message`, then a count.
pub fn report_load_errors(errors: &[LoadError]) -> ExitCode {
    for error in errors {
        eprintln!("{error}");
    }
    let plural = if errors.len() == 1 { "" } else { "s" };
    eprintln!("turnpike: {} error{plural}", errors.len());
    ExitCode::from(FAILURE)
}

/// Prints a command-line mistake found after parsing (e.g. a stage variable for a stage not served).
pub fn usage_error(message: &str) -> ExitCode {
    eprintln!("turnpike: error: {message}");
    ExitCode::from(USAGE)
}

/// The base URL clients use for `addr`: an unspecified address (0.0.0.0, ::) is reached on loopback.
pub fn base_url(scheme: &str, addr: std::net::SocketAddr) -> String {
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            std::net::SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            std::net::SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    format!("{scheme}://{addr}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            base_url("http", "127.0.0.1:8080".parse().unwrap()),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            base_url("https", "0.0.0.0:443".parse().unwrap()),
            "https://127.0.0.1:443"
        );
        assert_eq!(
            base_url("http", "[::]:80".parse().unwrap()),
            "http://[::1]:80"
        );
    }
}
