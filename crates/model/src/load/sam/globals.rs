//! `Globals`: properties every `AWS::Serverless::Function`, `::Api` and `::HttpApi` inherits,
//! merged as SAM merges them (before intrinsics run, an intrinsic counting as a scalar): the
//! resource's scalar wins, mappings merge key by key, sequences concatenate (global items first),
//! and a type mismatch keeps the resource's value.

use std::collections::BTreeMap;

use super::resolved::Raw;
use super::stack::Stack;
use crate::load::context::{one_of, type_name, At, Node};

const FUNCTION: &[&str] = &[
    "Handler",
    "Runtime",
    "CodeUri",
    "DeadLetterQueue",
    "Description",
    "MemorySize",
    "Timeout",
    "VpcConfig",
    "Environment",
    "Tags",
    "PropagateTags",
    "Tracing",
    "KmsKeyArn",
    "AutoPublishAlias",
    "AutoPublishAliasAllProperties",
    "Layers",
    "DeploymentPreference",
    "RolePath",
    "PermissionsBoundary",
    "ReservedConcurrentExecutions",
    "ProvisionedConcurrencyConfig",
    "AssumeRolePolicyDocument",
    "EventInvokeConfig",
    "FileSystemConfigs",
    "CodeSigningConfigArn",
    "Architectures",
    "SnapStart",
    "EphemeralStorage",
    "FunctionUrlConfig",
    "RuntimeManagementConfig",
    "LoggingConfig",
    "RecursiveLoop",
    "SourceKMSKeyArn",
];

const API: &[&str] = &[
    "Auth",
    "Name",
    "DefinitionUri",
    "CacheClusterEnabled",
    "CacheClusterSize",
    "MergeDefinitions",
    "Variables",
    "EndpointConfiguration",
    "MethodSettings",
    "BinaryMediaTypes",
    "MinimumCompressionSize",
    "Cors",
    "GatewayResponses",
    "AccessLogSetting",
    "CanarySetting",
    "TracingEnabled",
    "OpenApiVersion",
    "Domain",
    "AlwaysDeploy",
    "PropagateTags",
];

const HTTP_API: &[&str] = &[
    "Auth",
    "AccessLogSettings",
    "StageVariables",
    "Tags",
    "CorsConfiguration",
    "DefaultRouteSettings",
    "Domain",
    "RouteSettings",
    "FailOnWarnings",
    "PropagateTags",
];

const SECTIONS: &[(&str, &[&str])] = &[
    ("Api", API),
    ("Function", FUNCTION),
    ("HttpApi", HTTP_API),
    ("LayerVersion", &["PublishLambdaVersion"]),
    ("SimpleTable", &["SSESpecification"]),
    ("StateMachine", &["PropagateTags"]),
];

/// Sequences that replace rather than concatenate: a function has exactly one architecture.
const REPLACED: &[&str] = &["Architectures"];

/// The `Globals` sections, by name (`Function`, `Api`, `HttpApi`, ...).
#[derive(Debug, Default)]
pub(super) struct Globals<'d> {
    sections: BTreeMap<String, Node<'d>>,
}

/// Reads and checks `Globals`.
pub(super) fn read<'d>(stack: &mut Stack<'d>, root: &Node<'d>) -> Globals<'d> {
    let mut globals = Globals::default();
    let Some(node) = root.get("Globals") else {
        return globals;
    };
    if !node.value.is_object() {
        let found = type_name(node.value);
        stack.error(
            &node.ptr,
            At::Value,
            format!("Globals must be a mapping; found {found}"),
        );
        return globals;
    }
    let names: Vec<&str> = SECTIONS.iter().map(|(n, _)| *n).collect();
    for (name, section) in node.entries() {
        let Some((_, allowed)) = SECTIONS.iter().find(|(n, _)| *n == name) else {
            let message = format!(
                "Globals section \"{name}\" is not supported by SAM; expected one of {}",
                one_of(&names)
            );
            stack.error(&section.ptr, At::Key, message);
            continue;
        };
        if !section.value.is_object() {
            let found = type_name(section.value);
            stack.error(
                &section.ptr,
                At::Value,
                format!("Globals.{name} must be a mapping; found {found}"),
            );
            continue;
        }
        for (key, member) in section.entries() {
            if !allowed.contains(&key) {
                let message = format!(
                    "\"{key}\" is not a property SAM takes from Globals.{name}; expected one of {}",
                    one_of(allowed)
                );
                stack.error(&member.ptr, At::Key, message);
            }
        }
        globals.sections.insert(name.to_owned(), section);
    }
    globals
}

impl<'d> Globals<'d> {
    /// The section `name` (`Api` for the implicit REST API, which has no properties of its own).
    pub fn section(&self, name: &str) -> Option<Node<'d>> {
        self.sections.get(name).cloned()
    }

    /// The properties of `resource` (a resource node) with the `section` globals merged in,
    /// honouring its `IgnoreGlobals` attribute. `None` when neither has any.
    pub fn merge(
        &self,
        stack: &mut Stack<'d>,
        section: &str,
        resource: &Node<'d>,
    ) -> Option<Raw<'d>> {
        let local = resource.get("Properties");
        let global = self.sections.get(section);
        let ignored = ignored(stack, resource, global)?;
        let global = global.filter(|_| !ignored.all);
        match (global, local) {
            (None, local) => local.map(Raw::Node),
            (Some(global), None) => {
                let entries = global
                    .entries()
                    .into_iter()
                    .filter(|(k, _)| !ignored.keys.iter().any(|i| i == k))
                    .map(|(k, v)| (k.to_owned(), Raw::Node(v)))
                    .collect();
                let ptr = resource.ptr.clone();
                Some(Raw::Map { ptr, entries })
            }
            (Some(global), Some(local)) if local.value.is_object() => {
                let entries = global
                    .entries()
                    .into_iter()
                    .filter(|(k, _)| !ignored.keys.iter().any(|i| i == k))
                    .map(|(k, v)| (k.to_owned(), Raw::Node(v)))
                    .collect();
                let entries = overlay(entries, &local, |key| REPLACED.contains(&key));
                Some(Raw::Map {
                    ptr: local.ptr.clone(),
                    entries,
                })
            }
            (Some(_), Some(local)) => Some(Raw::Node(local)),
        }
    }
}

/// `IgnoreGlobals`: `"*"` or a list of global property names the resource does not inherit.
struct Ignored {
    all: bool,
    keys: Vec<String>,
}

fn ignored(
    stack: &mut Stack<'_>,
    resource: &Node<'_>,
    global: Option<&Node<'_>>,
) -> Option<Ignored> {
    let mut out = Ignored {
        all: false,
        keys: Vec::new(),
    };
    let Some(node) = resource.get("IgnoreGlobals") else {
        return Some(out);
    };
    match node.value {
        serde_json::Value::String(s) if s == "*" => out.all = true,
        serde_json::Value::Array(_) => {
            for item in node.items() {
                let known = item
                    .value
                    .as_str()
                    .filter(|k| global.is_some_and(|g| g.get(k).is_some()));
                match known {
                    Some(key) => out.keys.push(key.to_owned()),
                    None => {
                        let message = format!("IgnoreGlobals names {}, which is not a property of the matching Globals section", item.value);
                        stack.error(&item.ptr, At::Value, message);
                    }
                }
            }
        }
        _ => {
            let message = "IgnoreGlobals takes \"*\" or a list of property names";
            stack.error(&node.ptr, At::Value, message);
            return None;
        }
    }
    Some(out)
}

#[derive(PartialEq, Eq)]
enum Token {
    Scalar,
    Map,
    List,
}

fn token(node: &Node<'_>) -> Token {
    match node.value {
        v if v.is_object()
            && super::intrinsics::intrinsic_name(v).is_none()
            && !is_condition(v) =>
        {
            Token::Map
        }
        v if v.is_array() => Token::List,
        _ => Token::Scalar,
    }
}

/// SAM counts `{Condition: name}` as an intrinsic too.
fn is_condition(value: &serde_json::Value) -> bool {
    value
        .as_object()
        .is_some_and(|m| m.len() == 1 && m.contains_key("Condition"))
}

/// Lays a local mapping's entries over the global ones: a key in both is merged (lists replaced
/// where `replace_lists(key)` says so), a local-only key is added after the global keys.
fn overlay<'d>(
    mut entries: Vec<(String, Raw<'d>)>,
    local: &Node<'d>,
    replace_lists: impl Fn(&str) -> bool,
) -> Vec<(String, Raw<'d>)> {
    for (key, value) in local.entries() {
        match entries.iter_mut().find(|(k, _)| k == key) {
            Some((_, slot)) => {
                if let Raw::Node(global) = slot {
                    *slot = merge_nodes(global, &value, replace_lists(key));
                }
            }
            None => entries.push((key.to_owned(), Raw::Node(value))),
        }
    }
    entries
}

fn merge_nodes<'d>(global: &Node<'d>, local: &Node<'d>, replace_lists: bool) -> Raw<'d> {
    match (token(global), token(local)) {
        (Token::Map, Token::Map) => {
            let entries = global
                .entries()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), Raw::Node(v)))
                .collect();
            let entries = overlay(entries, local, |_| false);
            Raw::Map {
                ptr: local.ptr.clone(),
                entries,
            }
        }
        (Token::List, Token::List) if !replace_lists => {
            let items = global
                .items()
                .into_iter()
                .chain(local.items())
                .map(Raw::Node)
                .collect();
            Raw::List {
                ptr: local.ptr.clone(),
                items,
            }
        }
        _ => Raw::Node(local.clone()),
    }
}
