//! `Conditions`: named booleans built from `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not` and
//! `Condition`, evaluated once each (all of them, so every mistake is reported) and used by
//! resources' `Condition` attribute and by `Fn::If`.

use serde_json::Value;

use super::resolved::{RNode, RVal};
use super::stack::{Failed, Stack};
use crate::load::context::{one_of, type_name, At, Node};

/// Where a condition is in its evaluation.
#[derive(Debug, Clone)]
pub(super) enum CondState<'d> {
    Pending(Node<'d>),
    /// Being evaluated: meeting it again means the condition refers to itself.
    Evaluating,
    Done(bool),
    Failed,
}

const FUNCTIONS: &str = "Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition";

/// Reads the `Conditions` section and evaluates every condition in it.
pub(super) fn resolve<'d>(stack: &mut Stack<'d>, root: &Node<'d>) {
    let Some(section) = root.get("Conditions") else {
        return;
    };
    if !section.value.is_object() {
        let found = type_name(section.value);
        let message = format!("Conditions must be a mapping; found {found}");
        stack.error(&section.ptr, At::Value, message);
        return;
    }
    let entries = section.entries();
    for (name, node) in &entries {
        stack
            .conditions
            .insert((*name).to_owned(), CondState::Pending(node.clone()));
    }
    stack.in_conditions = true;
    for (name, node) in &entries {
        // Failures are reported where they occur.
        let _ = condition(stack, name, &node.ptr);
    }
    stack.in_conditions = false;
}

/// The value of the condition called `name`, referred to at `at`.
pub(super) fn condition(stack: &mut Stack<'_>, name: &str, at: &str) -> Result<bool, Failed> {
    let state = stack.conditions.get(name).cloned();
    let node = match state {
        Some(CondState::Done(value)) => return Ok(value),
        Some(CondState::Failed) => return Err(Failed),
        Some(CondState::Pending(node)) => node,
        Some(CondState::Evaluating) => {
            let message = format!("condition {name} depends on itself");
            stack.error(at, At::Value, message);
            return Err(Failed);
        }
        None => {
            let names: Vec<&str> = stack.conditions.keys().map(String::as_str).collect();
            let have = if names.is_empty() {
                "the template declares none".to_owned()
            } else {
                format!("the template declares {}", one_of(&names))
            };
            let message = format!("unknown condition \"{name}\"; {have}");
            stack.error(at, At::Value, message);
            return Err(Failed);
        }
    };
    stack
        .conditions
        .insert(name.to_owned(), CondState::Evaluating);
    let was_in_conditions = std::mem::replace(&mut stack.in_conditions, true);
    let value = expression(stack, &node);
    stack.in_conditions = was_in_conditions;
    let state = value.map_or(CondState::Failed, CondState::Done);
    stack.conditions.insert(name.to_owned(), state);
    value
}

/// A condition function.
fn expression<'d>(stack: &mut Stack<'d>, node: &Node<'d>) -> Result<bool, Failed> {
    let single = node
        .value
        .as_object()
        .filter(|m| m.len() == 1)
        .and_then(|m| m.keys().next());
    let Some(function) = single.cloned() else {
        let found = type_name(node.value);
        let message = format!("a condition must be one of {FUNCTIONS}; found {found}");
        stack.error(&node.ptr, At::Value, message);
        return Err(Failed);
    };
    let Some(arg) = node.get(&function) else {
        return Err(Failed);
    };
    match function.as_str() {
        "Condition" => {
            let Some(name) = arg.value.as_str() else {
                let found = type_name(arg.value);
                let message = format!("Condition takes the name of a condition; found {found}");
                stack.error(&arg.ptr, At::Value, message);
                return Err(Failed);
            };
            condition(stack, name, &arg.ptr)
        }
        "Fn::Equals" => equals(stack, &arg),
        "Fn::And" | "Fn::Or" | "Fn::Not" => {
            let (min, max) = if function == "Fn::Not" {
                (1, 1)
            } else {
                (2, 10)
            };
            let items = arguments(stack, &function, &arg, min, max)?;
            let mut values = Vec::new();
            let mut failed = false;
            for item in items {
                match expression(stack, &item) {
                    Ok(v) => values.push(v),
                    Err(Failed) => failed = true,
                }
            }
            if failed {
                return Err(Failed);
            }
            Ok(match function.as_str() {
                "Fn::And" => values.iter().all(|v| *v),
                "Fn::Or" => values.iter().any(|v| *v),
                _ => !values.iter().any(|v| *v),
            })
        }
        other => {
            let message = format!(
                "{other} is not a condition function; a condition must be one of {FUNCTIONS}"
            );
            stack.error(&node.ptr, At::Key, message);
            Err(Failed)
        }
    }
}

fn equals<'d>(stack: &mut Stack<'d>, arg: &Node<'d>) -> Result<bool, Failed> {
    let items = arguments(stack, "Fn::Equals", arg, 2, 2)?;
    let mut sides = Vec::new();
    for item in &items {
        match stack.eval(item)? {
            Some(value) => sides.push(comparable(&value)),
            None => sides.push(Value::Null),
        }
    }
    Ok(sides.first() == sides.get(1))
}

/// Values as `Fn::Equals` compares them: scalars by their text, so `"1"` equals `1`.
fn comparable(node: &RNode) -> Value {
    match &node.val {
        RVal::Scalar(Value::Null) => Value::Null,
        RVal::Scalar(_) => Value::String(node.text().unwrap_or_default()),
        RVal::List(items) => Value::Array(items.iter().map(comparable).collect()),
        RVal::Map(_) => node.to_value(),
    }
}

/// The items of a function's argument list, which must have from `min` to `max` of them.
fn arguments<'d>(
    stack: &mut Stack<'d>,
    function: &str,
    arg: &Node<'d>,
    min: usize,
    max: usize,
) -> Result<Vec<Node<'d>>, Failed> {
    let count = arg.value.as_array().map(Vec::len);
    if count.is_some_and(|n| (min..=max).contains(&n)) {
        return Ok(arg.items());
    }
    let expected = if min == max {
        format!("a sequence of {min}")
    } else {
        format!("a sequence of {min} to {max} conditions")
    };
    let found = match count {
        Some(n) => super::stack::items(n),
        None => type_name(arg.value).to_owned(),
    };
    let message = format!("{function} takes {expected}; found {found}");
    stack.error(&arg.ptr, At::Value, message);
    Err(Failed)
}
