//! The command line as the user types it: clap definitions and value parsers, nothing resolved yet
//! (that happens in [`crate::deploy`]).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use turnpike_model::ApiKind;

mod cache;
mod state;
mod values;

pub use cache::CacheArgs;
pub use state::{
    CreatePlanArgs, KeysArgs, KeysCommand, QuotaPeriodArg, ServeStateArgs, StateArgs, UsageArgs,
    UsagePlansArgs, UsagePlansCommand,
};
pub use values::{
    parse_endpoint_url, parse_parameter_overrides, parse_stage_name, JwksUrl, ParameterOverrides,
    StageVar,
};

/// Serve Amazon API Gateway REST and HTTP APIs locally from your OpenAPI files and SAM templates.
#[derive(Debug, Parser)]
#[command(name = "turnpike", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
// Parsed once per run: boxing the large `serve` arguments would save nothing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Serve APIs and their Lambda functions until SIGINT/SIGTERM (with no PATH: the bundled pet
    /// store example).
    #[command(after_help = STAGE_RULES)]
    Serve(ServeArgs),
    /// Load documents without serving; report every error with its location.
    Validate(ValidateArgs),
    /// Print the route table with the local URLs, without serving.
    #[command(after_help = STAGE_RULES)]
    Routes(RoutesArgs),
    /// Invoke one function of a SAM template once and print its response (like `sam local invoke`).
    Invoke(InvokeArgs),
    /// Manage API keys (stored under --data-dir or in --redis).
    Keys(KeysArgs),
    /// Manage usage plans: throttle and quota per key for API stages.
    UsagePlans(UsagePlansArgs),
    /// Show a key's used and remaining quota in the current period, like AWS GetUsage.
    Usage(UsageArgs),
}

/// How `--stage` and `--stage-var` combine with the stages a template declares.
const STAGE_RULES: &str = "\
Stages:
  A SAM template deploys each of its APIs to the stage it declares (StageName, Prod for the
  implicit REST API, $default for the implicit HTTP API) with its Variables. An OpenAPI document
  declares none: REST APIs get `dev`, HTTP APIs `$default`.
  --stage NAME replaces those stage names for every API (a template's stage variables are kept);
  --stage-var KEY=VALUE adds or overrides a variable in every stage, STAGE:KEY=VALUE in one.";

/// Which documents to load and how.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// OpenAPI 3.0/3.1 or Swagger 2.0 documents (JSON or YAML) with x-amazon-apigateway-*
    /// extensions, or SAM / CloudFormation templates.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Force the API kind of OpenAPI documents; by default a document with
    /// x-amazon-apigateway-importexport-version is an HTTP API and any other a REST API.
    #[arg(long, value_enum, value_name = "KIND")]
    pub kind: Option<KindArg>,
    #[command(flatten)]
    pub parameters: ParameterArgs,
}

/// Values for a template's `Parameters`.
#[derive(Debug, Args, Default)]
pub struct ParameterArgs {
    /// Template parameter values, as SAM CLI takes them: `--parameter-overrides Key1=Val1 Key2=Val2`
    /// (or `'Key1=Val1 Key2="with space"'`, or `ParameterKey=Key1,ParameterValue=Val1`); repeatable.
    /// Put PATH before this option: it takes every KEY=VALUE that follows.
    #[arg(long = "parameter-overrides", value_name = "KEY=VALUE", num_args = 1.., value_parser = parse_parameter_overrides)]
    pub overrides: Vec<ParameterOverrides>,
}

impl ParameterArgs {
    /// Every override, the last value of a key winning.
    pub fn resolved(&self) -> BTreeMap<String, String> {
        self.overrides
            .iter()
            .flat_map(|o| o.0.iter().cloned())
            .collect()
    }
}

/// How functions run.
#[derive(Debug, Args)]
pub struct FunctionArgs {
    /// Runtime interface client for Python and Node.js functions: the small clients bundled into
    /// Turnpike, or AWS's own (`awslambdaric`, also spelled `aws-lambda-ric`): PyPI awslambdaric
    /// installed for the interpreter (pip install awslambdaric), npm aws-lambda-ric installed in
    /// the function's code directory (npm install aws-lambda-ric).
    #[arg(long, value_enum, value_name = "CLIENT", default_value = "bundled")]
    pub runtime_client: RuntimeClientArg,
    /// Python interpreter for Python functions. Default: `python3.X` as the function's runtime
    /// names it when on PATH, else `python3` (with `--runtime-client awslambdaric`: `python3`).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Lambda Invoke API endpoint for functions no template declares (invoked in AWS, signed with
    /// the standard AWS credentials), e.g. http://localhost:4566 for LocalStack. Default:
    /// https://lambda.REGION.amazonaws.com, REGION from the function's ARN.
    #[arg(long, value_name = "URL")]
    pub lambda_endpoint: Option<String>,
}

/// `--runtime-client bundled|awslambdaric`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RuntimeClientArg {
    Bundled,
    #[value(alias = "aws-lambda-ric")]
    Awslambdaric,
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
    #[command(flatten)]
    pub functions: FunctionArgs,
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
    /// Threads serving requests, each with its own event loop; 0 means one per core.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub workers: usize,
    /// Do not restart a function's workers when its code changes on disk.
    #[arg(long)]
    pub no_watch: bool,
    #[command(flatten)]
    pub traffic: ServeStateArgs,
    #[command(flatten)]
    pub cache: CacheArgs,
    /// AWS credentials file (profiles as in ~/.aws/credentials) AWS_IAM routes verify SigV4
    /// signatures against. Default: $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials, when
    /// it exists; without one every AWS_IAM request is refused.
    #[arg(long, value_name = "FILE")]
    pub credentials: Option<PathBuf>,
    /// Fetch the keys of JWT and Cognito authorizers whose issuer is ISSUER from URL instead of
    /// from the issuer (offline work); repeatable.
    #[arg(long = "jwks-url", value_name = "ISSUER=URL", value_parser = JwksUrl::parse)]
    pub jwks_urls: Vec<JwksUrl>,
    /// Serve Prometheus metrics at `GET /metrics` on this address, a listener apart from the
    /// APIs' (port 0 picks a free port, printed in the banner). Default: no metrics.
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<SocketAddr>,
    /// Endpoint of every AWS service integration (SQS, DynamoDB, ...), e.g. a local moto or
    /// LocalStack server at http://localhost:4566; calls are signed with the standard AWS
    /// credentials. Default: $AWS_ENDPOINT_URL_<SERVICE>, else $AWS_ENDPOINT_URL, else
    /// https://SERVICE.REGION.amazonaws.com, REGION from the integration's ARN.
    #[arg(long, value_name = "URL", value_parser = parse_endpoint_url)]
    pub aws_endpoint_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Documents and templates to check.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Force the API kind (see `serve --kind`).
    #[arg(long, value_enum, value_name = "KIND")]
    pub kind: Option<KindArg>,
    #[command(flatten)]
    pub parameters: ParameterArgs,
}

#[derive(Debug, Args)]
pub struct InvokeArgs {
    /// The function's name (`FunctionName`, else its logical id), or a Lambda function ARN (the
    /// template's function of that name, else the function in AWS).
    #[arg(value_name = "FUNCTION")]
    pub function: String,
    /// The SAM template declaring it.
    #[arg(value_name = "TEMPLATE", default_value = "template.yaml")]
    pub template: PathBuf,
    /// The event: a JSON file, or `-` for standard input. Default: `{}`.
    #[arg(long, short = 'e', value_name = "FILE|-")]
    pub event: Option<PathBuf>,
    #[command(flatten)]
    pub parameters: ParameterArgs,
    #[command(flatten)]
    pub functions: FunctionArgs,
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

#[cfg(test)]
mod tests {
    use super::*;

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
            "--metrics-listen",
            "127.0.0.1:9090",
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
        assert_eq!(
            serve.stages.stage_vars,
            vec![StageVar::parse("prod:x=1").unwrap()]
        );
        assert_eq!(serve.access_log_format, "json");
        assert_eq!(serve.tls_cert, None);
        assert_eq!(
            serve.metrics_listen,
            Some("127.0.0.1:9090".parse().unwrap())
        );
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
        assert_eq!(serve.metrics_listen, None);
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
    fn parameter_overrides_take_several_values_and_repeat() {
        let cli = Cli::try_parse_from([
            "turnpike",
            "serve",
            "t.yaml",
            "--parameter-overrides",
            "A=1",
            "B=2",
            "--stage",
            "v1",
            "--parameter-overrides",
            "A=3 C=4",
        ])
        .unwrap();
        let Command::Serve(serve) = cli.command else {
            panic!("not serve");
        };
        assert_eq!(serve.load.paths, [PathBuf::from("t.yaml")]);
        assert_eq!(serve.stages.stages, ["v1"]);
        let resolved: Vec<(String, String)> =
            serve.load.parameters.resolved().into_iter().collect();
        assert_eq!(
            resolved,
            [
                ("A".to_string(), "3".to_string()),
                ("B".into(), "2".into()),
                ("C".into(), "4".into())
            ]
        );
    }

    #[test]
    fn invoke_arguments_parse_with_the_sam_defaults() {
        let cli = Cli::try_parse_from(["turnpike", "invoke", "Hello"]).unwrap();
        let Command::Invoke(invoke) = cli.command else {
            panic!("not invoke");
        };
        assert_eq!(invoke.function, "Hello");
        assert_eq!(invoke.template, PathBuf::from("template.yaml"));
        assert_eq!(invoke.event, None);
        assert_eq!(invoke.functions.runtime_client, RuntimeClientArg::Bundled);
        let cli = Cli::try_parse_from([
            "turnpike",
            "invoke",
            "Hello",
            "-e",
            "-",
            "app/template.yaml",
            "--runtime-client",
            "awslambdaric",
            "--python",
            "/v/python",
        ])
        .unwrap();
        let Command::Invoke(invoke) = cli.command else {
            panic!("not invoke");
        };
        assert_eq!(invoke.event, Some(PathBuf::from("-")));
        assert_eq!(invoke.template, PathBuf::from("app/template.yaml"));
        assert_eq!(
            invoke.functions.runtime_client,
            RuntimeClientArg::Awslambdaric
        );
        assert_eq!(invoke.functions.python, Some(PathBuf::from("/v/python")));
    }

    #[test]
    fn definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
