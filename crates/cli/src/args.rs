//! The command line as the user types it: clap definitions and value parsers, nothing resolved yet
//! (that happens in [`crate::deploy`]).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use turnpike_model::ApiKind;

/// Serve Amazon API Gateway REST and HTTP APIs locally from your OpenAPI files.
#[derive(Debug, Parser)]
#[command(name = "turnpike", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve APIs until SIGINT/SIGTERM (with no PATH: the bundled pet store example).
    Serve(ServeArgs),
    /// Load documents without serving; report every error with its location.
    Validate(ValidateArgs),
    /// Print the route table with the local URLs, without serving.
    Routes(RoutesArgs),
}

/// Which documents to load and how.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// OpenAPI 3.0/3.1 or Swagger 2.0 documents (JSON or YAML) with x-amazon-apigateway-* extensions.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Force the API kind; by default a document with x-amazon-apigateway-importexport-version is an
    /// HTTP API and any other a REST API.
    #[arg(long, value_enum, value_name = "KIND")]
    pub kind: Option<KindArg>,
}

/// Stages and their variables.
#[derive(Debug, Args)]
pub struct StageArgs {
    /// A stage to deploy to; repeat for several. Default: `dev` for REST APIs, `$default` for HTTP APIs.
    #[arg(long = "stage", value_name = "NAME", value_parser = parse_stage_name)]
    pub stages: Vec<String>,
    /// A stage variable for every stage (KEY=VALUE) or for one (STAGE:KEY=VALUE); repeatable.
    #[arg(long = "stage-var", value_name = "[STAGE:]KEY=VALUE", value_parser = StageVar::parse)]
    pub stage_vars: Vec<StageVar>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub stages: StageArgs,
    /// Address to listen on; port 0 picks a free port (printed in the first line).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Access log line per request on stdout: `clf`, `json`, `off`, or a template of `$context`
    /// variables such as `$context.requestId $context.status`.
    #[arg(long, value_name = "FORMAT", default_value = "clf")]
    pub access_log_format: String,
    /// PEM certificate chain: serve HTTPS (HTTP/2 and HTTP/1.1 by ALPN).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Documents to check.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Force the API kind (see `serve --kind`).
    #[arg(long, value_enum, value_name = "KIND")]
    pub kind: Option<KindArg>,
}

#[derive(Debug, Args)]
pub struct RoutesArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub stages: StageArgs,
    /// Address the URLs are printed for.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
}

/// `--kind rest|http`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Rest,
    Http,
}

impl From<KindArg> for ApiKind {
    fn from(kind: KindArg) -> ApiKind {
        match kind {
            KindArg::Rest => ApiKind::Rest,
            KindArg::Http => ApiKind::Http,
        }
    }
}

/// One `--stage-var`: `KEY=VALUE` applies to every stage, `STAGE:KEY=VALUE` to one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageVar {
    pub stage: Option<String>,
    pub key: String,
    pub value: String,
}

impl StageVar {
    /// Parses `[STAGE:]KEY=VALUE`. The split is at the first `=`, so values may contain `:` and `=`
    /// (URLs do); the stage prefix is what precedes the first `:` of the part before it.
    pub fn parse(s: &str) -> Result<StageVar, String> {
        const EXPECTED: &str = "expected KEY=VALUE or STAGE:KEY=VALUE";
        let (left, value) = s
            .split_once('=')
            .ok_or_else(|| format!("{EXPECTED}, got {s:?}"))?;
        let (stage, key) = match left.split_once(':') {
            Some((stage, key)) => (Some(parse_stage_name(stage)?), key),
            None => (None, left),
        };
        if key.is_empty() {
            return Err(format!("{EXPECTED}, got {s:?} (the KEY is empty)"));
        }
        // API Gateway's rule for variable names; values are free text here.
        if !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!(
                "invalid stage variable name {key:?}: only letters, digits and underscores are allowed"
            ));
        }
        Ok(StageVar {
            stage,
            key: key.to_string(),
            value: value.to_string(),
        })
    }
}

/// Stage names as API Gateway allows them: letters, digits, `-` and `_` (1 to 128), or `$default`.
pub fn parse_stage_name(s: &str) -> Result<String, String> {
    let valid = s == "$default"
        || (!s.is_empty()
            && s.len() <= 128
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    if valid {
        Ok(s.to_string())
    } else {
        Err(format!(
            "invalid stage name {s:?}: use 1 to 128 letters, digits, '-' or '_', or $default"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(stage: Option<&str>, key: &str, value: &str) -> StageVar {
        StageVar {
            stage: stage.map(str::to_string),
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn stage_var_for_all_stages() {
        assert_eq!(
            StageVar::parse("backend=a").unwrap(),
            var(None, "backend", "a")
        );
    }

    #[test]
    fn stage_var_for_one_stage_keeps_colons_and_equals_in_the_value() {
        assert_eq!(
            StageVar::parse("prod:url=http://127.0.0.1:9000/x?a=b").unwrap(),
            var(Some("prod"), "url", "http://127.0.0.1:9000/x?a=b")
        );
        assert_eq!(
            StageVar::parse("$default:k=v").unwrap(),
            var(Some("$default"), "k", "v")
        );
    }

    #[test]
    fn stage_var_may_have_an_empty_value() {
        assert_eq!(StageVar::parse("k=").unwrap(), var(None, "k", ""));
    }

    #[test]
    fn stage_var_without_equals_is_explained() {
        assert_eq!(
            StageVar::parse("foo").unwrap_err(),
            "expected KEY=VALUE or STAGE:KEY=VALUE, got \"foo\""
        );
    }

    #[test]
    fn stage_var_with_empty_key_is_explained() {
        assert_eq!(
            StageVar::parse("prod:=1").unwrap_err(),
            "expected KEY=VALUE or STAGE:KEY=VALUE, got \"prod:=1\" (the KEY is empty)"
        );
    }

    #[test]
    fn stage_var_name_follows_api_gateway_rules() {
        assert_eq!(
            StageVar::parse("my-var=1").unwrap_err(),
            "invalid stage variable name \"my-var\": only letters, digits and underscores are allowed"
        );
    }

    #[test]
    fn stage_var_with_bad_stage_is_explained() {
        assert_eq!(
            StageVar::parse("pr od:k=1").unwrap_err(),
            "invalid stage name \"pr od\": use 1 to 128 letters, digits, '-' or '_', or $default"
        );
    }

    #[test]
    fn stage_names() {
        assert_eq!(parse_stage_name("prod_2-a").unwrap(), "prod_2-a");
        assert_eq!(parse_stage_name("$default").unwrap(), "$default");
        assert!(parse_stage_name("").is_err());
        assert!(parse_stage_name("a/b").is_err());
        assert!(parse_stage_name(&"a".repeat(129)).is_err());
    }

    #[test]
    fn serve_arguments_parse() {
        let cli = Cli::try_parse_from([
            "turnpike",
            "serve",
            "a.yaml",
            "b.json",
            "--listen",
            "127.0.0.1:0",
            "--stage",
            "dev",
            "--stage",
            "prod",
            "--stage-var",
            "prod:x=1",
            "--kind",
            "http",
            "--access-log-format",
            "json",
        ])
        .unwrap();
        let Command::Serve(serve) = cli.command else {
            panic!("not serve");
        };
        assert_eq!(
            serve.load.paths,
            vec![PathBuf::from("a.yaml"), PathBuf::from("b.json")]
        );
        assert_eq!(serve.load.kind, Some(KindArg::Http));
        assert_eq!(serve.listen, "127.0.0.1:0".parse().unwrap());
        assert_eq!(serve.stages.stages, vec!["dev", "prod"]);
        assert_eq!(serve.stages.stage_vars, vec![var(Some("prod"), "x", "1")]);
        assert_eq!(serve.access_log_format, "json");
        assert_eq!(serve.tls_cert, None);
    }

    #[test]
    fn serve_defaults() {
        let cli = Cli::try_parse_from(["turnpike", "serve"]).unwrap();
        let Command::Serve(serve) = cli.command else {
            panic!("not serve");
        };
        assert!(serve.load.paths.is_empty());
        assert_eq!(serve.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(serve.access_log_format, "clf");
        assert!(serve.stages.stages.is_empty());
    }

    #[test]
    fn tls_cert_requires_key() {
        let err = Cli::try_parse_from(["turnpike", "serve", "--tls-cert", "c.pem"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::MissingRequiredArgument);
    }

    #[test]
    fn bad_stage_var_is_a_usage_error_naming_the_format() {
        let err = Cli::try_parse_from(["turnpike", "serve", "--stage-var", "foo"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
        assert!(err
            .to_string()
            .contains("expected KEY=VALUE or STAGE:KEY=VALUE"));
    }

    #[test]
    fn validate_needs_a_path() {
        let err = Cli::try_parse_from(["turnpike", "validate"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::MissingRequiredArgument);
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
