//! `Parameters`: each parameter's value (an override, else its `Default`), checked against its
//! constraints as CloudFormation checks them when a stack is created.

use std::collections::BTreeMap;

use serde_json::Value;

use super::resolved::{RNode, RVal};
use super::stack::Stack;
use crate::load::context::{one_of, type_name, At, Node};

/// A parameter's value. `Ref` gives the string, or for list types the list of its
/// comma-separated members (space trimmed, as CloudFormation does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Param {
    pub value: String,
    pub list: bool,
}

impl Param {
    /// The value as `Ref` gives it, located at the `Ref`.
    pub fn to_rnode(&self, ptr: &str) -> RNode {
        if !self.list {
            return RNode::scalar(ptr, self.value.as_str());
        }
        let items = self
            .value
            .split(',')
            .map(|item| RNode::scalar(ptr, item.trim()))
            .collect();
        RNode {
            ptr: ptr.to_owned(),
            val: RVal::List(items),
        }
    }
}

const PROPERTIES: &[&str] = &[
    "Type",
    "Default",
    "Description",
    "AllowedValues",
    "AllowedPattern",
    "ConstraintDescription",
    "MaxLength",
    "MinLength",
    "MaxValue",
    "MinValue",
    "NoEcho",
];

const TYPES: &str = "String, Number, List<Number>, CommaDelimitedList, or an AWS-specific type such as AWS::EC2::VPC::Id or AWS::SSM::Parameter::Value<String>";

/// Reads `Parameters` into `stack.params`, applying `overrides`.
pub(super) fn resolve<'d>(
    stack: &mut Stack<'d>,
    root: &Node<'d>,
    overrides: &BTreeMap<String, String>,
) {
    let section = root.get("Parameters");
    let declared: Vec<(String, Node<'d>)> = match &section {
        Some(node) if node.value.is_object() => node
            .entries()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        Some(node) => {
            let found = type_name(node.value);
            let message = format!("Parameters must be a mapping; found {found}");
            stack.error(&node.ptr, At::Value, message);
            return;
        }
        None => Vec::new(),
    };
    for name in overrides.keys() {
        if !declared.iter().any(|(n, _)| n == name) {
            let names: Vec<&str> = declared.iter().map(|(n, _)| n.as_str()).collect();
            let have = if names.is_empty() {
                "it declares none".to_owned()
            } else {
                format!("it declares {}", one_of(&names))
            };
            let ptr = section.as_ref().map_or("", |s| s.ptr.as_str()).to_owned();
            let message =
                format!("the parameter override {name} names no parameter of the template; {have}");
            stack.error(&ptr, At::Key, message);
        }
    }
    for (name, node) in declared {
        if let Some(param) = parameter(stack, &name, &node, overrides.get(&name)) {
            stack.params.insert(name, param);
        }
    }
}

fn parameter(
    stack: &mut Stack<'_>,
    name: &str,
    node: &Node<'_>,
    given: Option<&String>,
) -> Option<Param> {
    if !node.value.is_object() {
        let found = type_name(node.value);
        let message = format!("parameter {name} must be a mapping with a Type; found {found}");
        stack.error(&node.ptr, At::Value, message);
        return None;
    }
    for (key, member) in node.entries() {
        if !PROPERTIES.contains(&key) {
            let message = format!(
                "unknown property \"{key}\" in parameter {name}; expected one of {}",
                one_of(PROPERTIES)
            );
            stack.error(&member.ptr, At::Key, message);
        }
    }
    let kind = kind(stack, name, node)?;
    let (value, at) = match (given, node.get("Default")) {
        (Some(value), _) => (value.clone(), node.ptr.clone()),
        (None, Some(default)) => (scalar_text(stack, &default, "Default")?, default.ptr),
        (None, None) => {
            let message = format!("parameter {name} has no Default; give it a value with --parameter-overrides {name}=VALUE");
            stack.error(&node.ptr, At::Key, message);
            return None;
        }
    };
    if kind == Kind::Ssm {
        let message = format!("parameter {name} is read from SSM Parameter Store when AWS creates the stack; Turnpike does not read SSM and uses \"{value}\" as the value (override it with --parameter-overrides {name}=VALUE)");
        stack.warn(&node.ptr, message);
    }
    let list = matches!(kind, Kind::List | Kind::NumberList);
    let param = Param { value, list };
    check(stack, name, node, &param, kind, &at);
    Some(param)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Number,
    List,
    NumberList,
    Ssm,
}

fn kind(stack: &mut Stack<'_>, name: &str, node: &Node<'_>) -> Option<Kind> {
    let Some(type_node) = node.get("Type") else {
        let message = format!("parameter {name} has no Type; expected {TYPES}");
        stack.error(&node.ptr, At::Key, message);
        return None;
    };
    let text = scalar_text(stack, &type_node, "Type")?;
    let kind = match text.as_str() {
        "String" => Kind::String,
        "Number" => Kind::Number,
        "CommaDelimitedList" => Kind::List,
        "List<Number>" => Kind::NumberList,
        t if t.starts_with("AWS::SSM::Parameter::Value<") => Kind::Ssm,
        t if t.starts_with("List<AWS::") => Kind::List,
        t if t.starts_with("AWS::") => Kind::String,
        _ => {
            let message = format!("unknown parameter Type \"{text}\"; expected {TYPES}");
            stack.error(&type_node.ptr, At::Value, message);
            return None;
        }
    };
    Some(kind)
}

/// Checks the value against the parameter's constraints; problems are reported at `at` (the
/// `Default`, or the parameter when the value came from an override).
fn check(stack: &mut Stack<'_>, name: &str, node: &Node<'_>, param: &Param, kind: Kind, at: &str) {
    // An override has no node of its own: point at the parameter's name.
    let how = if at == node.ptr { At::Key } else { At::Value };
    let members: Vec<String> = match param.to_rnode(at).val {
        RVal::List(items) => items.iter().filter_map(RNode::text).collect(),
        _ => vec![param.value.clone()],
    };
    if matches!(kind, Kind::Number | Kind::NumberList) {
        for member in members.iter().filter(|m| m.parse::<f64>().is_err()) {
            let message = format!(
                "parameter {name} is a {} but \"{member}\" is not a number",
                if kind == Kind::Number {
                    "Number"
                } else {
                    "List<Number>"
                }
            );
            stack.error(at, how, message);
        }
    }
    if let Some(allowed) = node.get("AllowedValues") {
        let values: Vec<String> = match allowed.value {
            Value::Array(items) => items.iter().filter_map(value_text).collect(),
            _ => {
                let found = type_name(allowed.value);
                let message = format!("AllowedValues must be a sequence; found {found}");
                stack.error(&allowed.ptr, At::Value, message);
                return;
            }
        };
        for member in members.iter().filter(|m| !values.contains(m)) {
            let names: Vec<&str> = values.iter().map(String::as_str).collect();
            let message = format!(
                "parameter {name} is \"{member}\", which is not one of its AllowedValues: {}",
                one_of(&names)
            );
            stack.error(at, how, message);
        }
    }
    if let Some(pattern) = node.get("AllowedPattern") {
        let Some(text) = scalar_text(stack, &pattern, "AllowedPattern") else {
            return;
        };
        match regex::Regex::new(&format!("^(?:{text})$")) {
            Ok(re) if !re.is_match(&param.value) => {
                let message = format!(
                    "parameter {name} is \"{}\", which does not match its AllowedPattern {text}",
                    param.value
                );
                stack.error(at, how, message);
            }
            Ok(_) => {}
            Err(e) => {
                let message = format!("AllowedPattern is not a regular expression: {e}");
                stack.error(&pattern.ptr, At::Value, message);
            }
        }
    }
    let length = param.value.chars().count() as f64;
    let number = param.value.parse::<f64>().ok();
    let bounds = [
        ("MinLength", Some(length), true),
        ("MaxLength", Some(length), false),
        ("MinValue", number, true),
        ("MaxValue", number, false),
    ];
    for (key, actual, is_min) in bounds {
        let (Some(bound_node), Some(actual)) = (node.get(key), actual) else {
            continue;
        };
        let Some(bound) = value_text(bound_node.value).and_then(|t| t.parse::<f64>().ok()) else {
            let message = format!("{key} must be a number");
            stack.error(&bound_node.ptr, At::Value, message);
            continue;
        };
        if (is_min && actual < bound) || (!is_min && actual > bound) {
            let message = format!(
                "parameter {name} is \"{}\", which breaks its {key} of {bound}",
                param.value
            );
            stack.error(at, how, message);
        }
    }
}

fn scalar_text(stack: &mut Stack<'_>, node: &Node<'_>, what: &str) -> Option<String> {
    let text = value_text(node.value);
    if text.is_none() {
        let found = type_name(node.value);
        stack.error(
            &node.ptr,
            At::Value,
            format!("{what} must be a string; found {found}"),
        );
    }
    text
}

fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(value.to_string()),
        _ => None,
    }
}
