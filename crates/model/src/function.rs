//! Lambda functions and the templates that declare them alongside their APIs.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::api::Api;
use crate::error::LoadError;
use crate::stage::Stage;

/// The region Turnpike pretends to run in (`AWS::Region`, ARNs, endpoints).
pub const REGION: &str = "us-east-1";
/// The account Turnpike pretends to run in (`AWS::AccountId`, ARNs).
pub const ACCOUNT_ID: &str = "123456789012";

/// A Lambda function declared by a template (`AWS::Serverless::Function` or
/// `AWS::Lambda::Function`), resolved: intrinsics evaluated, `Globals` merged, defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// The resource's logical id in the template (`HelloFunction`).
    pub logical_id: String,
    /// `FunctionName`, or the logical id when the template gives none.
    pub function_name: String,
    /// `Runtime` (`python3.12`, `nodejs20.x`, `provided.al2023`, ...), as written.
    pub runtime: String,
    /// `Handler` (`app.lambda_handler`); `None` only for `provided*` runtimes, whose `bootstrap`
    /// needs none.
    pub handler: Option<String>,
    /// The code directory: `CodeUri` (or `Code`) resolved against the template's directory.
    pub code_dir: PathBuf,
    /// `Timeout`; AWS's default is 3 seconds.
    pub timeout: Duration,
    /// `MemorySize` in MB; AWS's default is 128.
    pub memory_mb: u32,
    /// `Environment.Variables`.
    pub environment: BTreeMap<String, String>,
    /// `ReservedConcurrentExecutions`: the most concurrent invocations, when limited.
    pub reserved_concurrency: Option<u32>,
    /// `Architectures` (Lambda takes exactly one); AWS's default is x86_64.
    pub architectures: Vec<Architecture>,
    /// JSON pointer of the resource in the template (`/Resources/HelloFunction`).
    pub pointer: String,
}

impl Function {
    /// The function's ARN as Turnpike names it:
    /// `arn:aws:lambda:us-east-1:123456789012:function:NAME`.
    pub fn arn(&self) -> String {
        function_arn(&self.function_name)
    }
}

/// The ARN of the function called `name` in Turnpike's region and account.
pub fn function_arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}")
}

/// A Lambda instruction set architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Architecture {
    X86_64,
    Arm64,
}

impl Architecture {
    /// The name as Lambda spells it (`x86_64`, `arm64`).
    pub fn as_str(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }

    pub fn parse(s: &str) -> Option<Architecture> {
        [Architecture::X86_64, Architecture::Arm64]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one file declares: its APIs, the stages they are deployed to, and its functions.
///
/// A SAM or CloudFormation template can declare all three; an OpenAPI document is one API with no
/// stages of its own (the command line chooses them) and no functions.
#[derive(Debug, Clone, Default)]
pub struct Template {
    /// The APIs, explicit ones (`AWS::Serverless::Api`, `AWS::Serverless::HttpApi`) in template
    /// order, then the implicit `ServerlessRestApi` and `ServerlessHttpApi` when events need them,
    /// then those of plain `AWS::ApiGateway::RestApi` and `AWS::ApiGatewayV2::Api` (HTTP) resources.
    pub apis: Vec<Api>,
    /// WebSocket APIs (`AWS::ApiGatewayV2::Api` with `ProtocolType: WEBSOCKET`), in template order.
    pub websocket_apis: Vec<crate::WebSocketApi>,
    /// (API id, stage) for every stage the template declares: `StageName` and `Variables` /
    /// `StageVariables` of explicit APIs, `Prod` for `ServerlessRestApi` and `$default` for
    /// `ServerlessHttpApi`. Empty for an OpenAPI document.
    pub stages: Vec<(String, Stage)>,
    /// The functions, in template order.
    pub functions: Vec<Function>,
    /// (name, type) of what Turnpike does not serve: resources it does not create
    /// (`("Table", "AWS::DynamoDB::Table")`) and function events that are not HTTP
    /// (`("HelloFunction.Events.Queue", "SQS")`).
    pub ignored: Vec<(String, String)>,
    /// Located notes about the template that do not stop it from loading (an ignored event, a
    /// placeholder value for an attribute of a resource Turnpike does not create, ...).
    pub warnings: Vec<LoadError>,
    /// `AWS::ApiGateway::UsagePlan`, `ApiKey` and `UsagePlanKey` resources.
    pub usage_plans: crate::usage_plan::UsagePlans,
}

impl Template {
    /// The function an integration's Lambda ARN (see
    /// [`Integration::lambda_function_arn`](crate::Integration::lambda_function_arn)) names:
    /// matched by full ARN, by `ACCOUNT:function:NAME`, or by name, with or without a
    /// `:qualifier`, the forms Lambda's Invoke API accepts.
    pub fn function_for_arn(&self, arn: &str) -> Option<&Function> {
        let name = function_name_of(arn)?;
        self.functions.iter().find(|f| f.function_name == name)
    }
}

/// The function name inside any of the forms Lambda's Invoke API accepts for `FunctionName`,
/// provided region and account (when given) are Turnpike's.
fn function_name_of(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.split(':').collect();
    let (region, account, name) = match parts.as_slice() {
        ["arn", _, "lambda", region, account, "function", name, ..] => {
            (Some(*region), Some(*account), *name)
        }
        [account, "function", name, ..] => (None, Some(*account), *name),
        [name] | [name, _] => (None, None, *name),
        _ => return None,
    };
    let here = region.is_none_or(|r| r == REGION) && account.is_none_or(|a| a == ACCOUNT_ID);
    here.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function(name: &str) -> Function {
        Function {
            logical_id: "F".into(),
            function_name: name.into(),
            runtime: "python3.12".into(),
            handler: Some("app.handler".into()),
            code_dir: PathBuf::from("/code"),
            timeout: Duration::from_secs(3),
            memory_mb: 128,
            environment: BTreeMap::new(),
            reserved_concurrency: None,
            architectures: vec![Architecture::X86_64],
            pointer: "/Resources/F".into(),
        }
    }

    #[test]
    fn arns_and_lookup_by_any_invoke_form() {
        let template = Template {
            functions: vec![function("Hello"), function("Other")],
            ..Template::default()
        };
        assert_eq!(
            template.functions[0].arn(),
            "arn:aws:lambda:us-east-1:123456789012:function:Hello"
        );
        for form in [
            "arn:aws:lambda:us-east-1:123456789012:function:Hello",
            "arn:aws:lambda:us-east-1:123456789012:function:Hello:live",
            "123456789012:function:Hello",
            "Hello",
            "Hello:1",
        ] {
            let found = template
                .function_for_arn(form)
                .map(|f| f.function_name.as_str());
            assert_eq!(found, Some("Hello"), "{form}");
        }
        // Another account or region is a remote function.
        assert!(template
            .function_for_arn("arn:aws:lambda:eu-west-1:123456789012:function:Hello")
            .is_none());
        assert!(template
            .function_for_arn("arn:aws:lambda:us-east-1:999999999999:function:Hello")
            .is_none());
        assert!(template.function_for_arn("Missing").is_none());
    }

    #[test]
    fn architectures_parse_as_lambda_spells_them() {
        assert_eq!(Architecture::parse("arm64"), Some(Architecture::Arm64));
        assert_eq!(Architecture::parse("x86_64"), Some(Architecture::X86_64));
        assert_eq!(Architecture::parse("ARM64"), None);
    }
}
