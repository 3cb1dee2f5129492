//! `AWS::Serverless::Function` and `AWS::Lambda::Function` → [`Function`].

use std::collections::BTreeMap;
use std::time::Duration;

use super::resolved::{RNode, Raw};
use super::resources::{self, LAMBDA_FUNCTION, SERVERLESS_FUNCTION};
use super::stack::Stack;
use crate::function::{Architecture, Function};
use crate::load::context::At;

/// Every property SAM defines; those Turnpike reads are read, the rest (IAM, tracing, tags,
/// deployment settings) change nothing when functions run locally.
pub(super) const SERVERLESS_PROPERTIES: &[&str] = &[
    "Architectures",
    "AssumeRolePolicyDocument",
    "AutoPublishAlias",
    "AutoPublishAliasAllProperties",
    "AutoPublishCodeSha256",
    "CodeSigningConfigArn",
    "CodeUri",
    "DeadLetterQueue",
    "DeploymentPreference",
    "Description",
    "Environment",
    "EphemeralStorage",
    "EventInvokeConfig",
    "Events",
    "FileSystemConfigs",
    "FunctionName",
    "FunctionUrlConfig",
    "Handler",
    "ImageConfig",
    "ImageUri",
    "InlineCode",
    "KmsKeyArn",
    "Layers",
    "LoggingConfig",
    "MemorySize",
    "PackageType",
    "PermissionsBoundary",
    "Policies",
    "PropagateTags",
    "ProvisionedConcurrencyConfig",
    "RecursiveLoop",
    "ReservedConcurrentExecutions",
    "Role",
    "RolePath",
    "Runtime",
    "RuntimeManagementConfig",
    "SnapStart",
    "SourceKMSKeyArn",
    "Tags",
    "Timeout",
    "Tracing",
    "VersionDescription",
    "VpcConfig",
];

const LAMBDA_PROPERTIES: &[&str] = &[
    "Architectures",
    "Code",
    "CodeSigningConfigArn",
    "DeadLetterConfig",
    "Description",
    "Environment",
    "EphemeralStorage",
    "FileSystemConfigs",
    "FunctionName",
    "Handler",
    "ImageConfig",
    "KmsKeyArn",
    "Layers",
    "LoggingConfig",
    "MemorySize",
    "PackageType",
    "RecursiveLoop",
    "ReservedConcurrentExecutions",
    "Role",
    "Runtime",
    "RuntimeManagementConfig",
    "SnapStart",
    "Tags",
    "Timeout",
    "TracingConfig",
    "VpcConfig",
];

/// Environment variables Lambda sets itself and refuses in a function's configuration.
const RESERVED_VARIABLES: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_DEFAULT_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_REGION",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "LAMBDA_RUNTIME_DIR",
    "LAMBDA_TASK_ROOT",
];

/// Reads a function resource of type `kind` with (merged) properties `props`.
pub(super) fn resolve<'d>(
    stack: &mut Stack<'d>,
    id: &str,
    kind: &str,
    resource_ptr: &str,
    props: Option<&Raw<'d>>,
) -> Option<Function> {
    let before = stack.ctx.error_count();
    let entries = props.map(Raw::entries).unwrap_or_default();
    let (allowed, code_key) = if kind == SERVERLESS_FUNCTION {
        (SERVERLESS_PROPERTIES, "CodeUri")
    } else {
        (LAMBDA_PROPERTIES, "Code")
    };
    stack.check_keys(&entries, allowed, &format!("{kind} {id}"));
    let missing_at = props.map_or(resource_ptr, Raw::ptr).to_owned();
    let mut read = |stack: &mut Stack<'d>, key: &str| -> Option<RNode> {
        let raw = entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())?;
        stack.eval_raw(&raw).ok().flatten()
    };
    unsupported_packaging(stack, &mut read);
    let function_name = resources::function_name(stack, id).ok();
    if let (Some(name), Some(node)) = (&function_name, read(stack, "FunctionName")) {
        check_function_name(stack, name, &node.ptr);
    }
    let code = read(stack, code_key);
    let code_dir = match &code {
        Some(code) => match super::code::cdk_asset(stack, id, code) {
            Some(asset) => asset,
            None => super::code::directory(stack, code, code_key),
        },
        None if stack.ctx.error_count() == before => {
            let message = match kind {
                LAMBDA_FUNCTION => format!("{id} has no Code; Turnpike runs a function from a local directory, so give Code as its path"),
                _ => format!("{id} has no CodeUri; Turnpike runs a function from a local directory, so give CodeUri as its path (here or in Globals.Function)"),
            };
            stack.error(&missing_at, At::Key, message);
            None
        }
        None => None,
    };
    let runtime = match read(stack, "Runtime") {
        Some(node) => stack.text(&node, "Runtime"),
        None => {
            let message = format!("{id} has no Runtime; expected one such as python3.12, nodejs20.x or provided.al2023");
            stack.error(&missing_at, At::Key, message);
            None
        }
    };
    let handler = match read(stack, "Handler") {
        Some(node) => stack.text(&node, "Handler"),
        None if runtime
            .as_deref()
            .is_some_and(|r| !r.starts_with("provided")) =>
        {
            let message = format!(
                "{id} has no Handler; a {} function needs one, such as app.lambda_handler",
                runtime.as_deref().unwrap_or_default()
            );
            stack.error(&missing_at, At::Key, message);
            None
        }
        None => None,
    };
    let timeout = read(stack, "Timeout")
        .and_then(|n| stack.integer(&n, "Timeout (seconds)", 1, 900))
        .unwrap_or(3);
    let memory_mb = read(stack, "MemorySize")
        .and_then(|n| stack.integer(&n, "MemorySize (MB)", 128, 10_240))
        .unwrap_or(128);
    let reserved_concurrency = read(stack, "ReservedConcurrentExecutions")
        .and_then(|n| stack.integer(&n, "ReservedConcurrentExecutions", 0, u64::from(u32::MAX)));
    let environment = read(stack, "Environment")
        .map(|n| environment(stack, &n))
        .unwrap_or_default();
    let architectures = read(stack, "Architectures")
        .map_or(Some(vec![Architecture::X86_64]), |n| {
            architectures(stack, &n)
        });
    if let Some(layers) = read(stack, "Layers").filter(|l| !l.items().is_empty()) {
        let message = format!("{id} uses Lambda layers, which Turnpike does not download; the function runs without them, so vendor what it needs into its code directory");
        stack.warn(&layers.ptr, message);
    }
    if stack.ctx.error_count() != before {
        return None;
    }
    Some(Function {
        logical_id: id.to_owned(),
        function_name: function_name?,
        runtime: runtime?,
        handler,
        code_dir: code_dir?,
        timeout: Duration::from_secs(timeout),
        memory_mb: u32::try_from(memory_mb).ok()?,
        environment,
        reserved_concurrency: reserved_concurrency.and_then(|n| u32::try_from(n).ok()),
        architectures: architectures?,
        pointer: resource_ptr.to_owned(),
    })
}

/// Container images and inline code are AWS deployment forms Turnpike cannot run.
fn unsupported_packaging<'d>(
    stack: &mut Stack<'d>,
    read: &mut impl FnMut(&mut Stack<'d>, &str) -> Option<RNode>,
) {
    if let Some(node) = read(stack, "PackageType") {
        match stack.text(&node, "PackageType").as_deref() {
            Some("Zip") | None => {}
            Some("Image") => stack.error(&node.ptr, At::Value, "PackageType Image is not supported by Turnpike: it runs functions from a local code directory (PackageType Zip)"),
            Some(other) => {
                let message = format!("unknown PackageType \"{other}\"; expected Zip or Image");
                stack.error(&node.ptr, At::Value, message);
            }
        }
    }
    for key in ["ImageUri", "ImageConfig"] {
        if let Some(node) = read(stack, key) {
            let message = format!("{key} belongs to container image functions, which Turnpike does not run; give the code directory as CodeUri instead");
            stack.error(&node.ptr, At::Key, message);
        }
    }
    if let Some(node) = read(stack, "InlineCode") {
        stack.error(&node.ptr, At::Key, "InlineCode is not supported by Turnpike; put the code in a directory and give its path as CodeUri");
    }
}

/// Lambda's function name rule: 1 to 64 letters, digits, hyphens and underscores.
fn check_function_name(stack: &mut Stack<'_>, name: &str, ptr: &str) {
    let valid = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        let message = format!("FunctionName \"{name}\" is not a valid Lambda function name; use 1 to 64 letters, digits, hyphens and underscores");
        stack.error(ptr, At::Value, message);
    }
}

fn environment(stack: &mut Stack<'_>, node: &RNode) -> BTreeMap<String, String> {
    let Some(entries) = stack.mapping(node, "Environment") else {
        return BTreeMap::new();
    };
    let entries = entries.to_vec();
    stack.check_keys(&entries, &["Variables"], "Environment");
    let Some(variables) = node.get("Variables") else {
        return BTreeMap::new();
    };
    let map = stack.string_map(variables, "Environment.Variables");
    for (name, value) in variables.entries() {
        let valid = name.len() >= 2
            && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid {
            let message = format!("environment variable name \"{name}\" is not valid in Lambda; names start with a letter and have at least two letters, digits and underscores");
            stack.error(&value.ptr, At::Key, message);
        } else if RESERVED_VARIABLES.contains(&name.as_str()) {
            let message = format!("environment variable {name} is reserved: Lambda sets it for every function and refuses it in the configuration");
            stack.error(&value.ptr, At::Key, message);
        }
    }
    map
}

fn architectures(stack: &mut Stack<'_>, node: &RNode) -> Option<Vec<Architecture>> {
    let items = stack.list(node, "Architectures")?.to_vec();
    if items.len() != 1 {
        let message = format!(
            "Architectures must list exactly one architecture (x86_64 or arm64); found {}",
            items.len()
        );
        stack.error(&node.ptr, At::Value, message);
        return None;
    }
    let item = items.first()?;
    let text = stack.text(item, "each architecture")?;
    let found = Architecture::parse(&text);
    if found.is_none() {
        let message = format!("unknown architecture \"{text}\"; expected x86_64 or arm64");
        stack.error(&item.ptr, At::Value, message);
    }
    Some(vec![found?])
}
