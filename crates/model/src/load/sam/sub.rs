//! `Fn::Sub`: `"text with ${Name}"` or `["text", {Name: value}]`. `${Name}` is a variable of the
//! second form, a parameter, a pseudo parameter or a resource (as `Ref` gives it);
//! `${Resource.Attribute}` is `Fn::GetAtt`; `${!Literal}` writes `${Literal}`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::resolved::RNode;
use super::resources;
use super::stack::{Eval, Failed, Stack};
use crate::load::context::{type_name, At, Node};

/// One piece of a `Fn::Sub` string.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'t> {
    Text(&'t str),
    /// `${!x}` → `${x}`.
    Escaped(&'t str),
    Name(&'t str),
}

/// Splits a `Fn::Sub` string; an unclosed `${` is text, as CloudFormation leaves it.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("${") {
        let after = rest.get(open + 2..).unwrap_or_default();
        let Some(close) = after.find('}') else {
            break;
        };
        if open > 0 {
            out.push(Piece::Text(rest.get(..open).unwrap_or_default()));
        }
        let inner = after.get(..close).unwrap_or_default();
        out.push(match inner.strip_prefix('!') {
            Some(literal) => Piece::Escaped(literal),
            None => Piece::Name(inner.trim()),
        });
        rest = after.get(close + 1..).unwrap_or_default();
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// Evaluates `Fn::Sub` at `node` with argument `arg`.
pub(super) fn eval<'d>(stack: &mut Stack<'d>, node: &Node<'d>, arg: &Node<'d>) -> Eval {
    let (template, variables) = match arg.value {
        Value::String(_) => (arg.clone(), BTreeMap::new()),
        Value::Array(items) if items.len() == 2 => {
            let parts = arg.items();
            let (Some(template), Some(map)) = (parts.first(), parts.get(1)) else {
                return Err(Failed);
            };
            (template.clone(), variables(stack, map)?)
        }
        _ => {
            let found = type_name(arg.value);
            let message =
                format!("Fn::Sub takes a string or [string, {{Name: value}}]; found {found}");
            stack.error(&arg.ptr, At::Value, message);
            return Err(Failed);
        }
    };
    let Some(text) = template.value.as_str() else {
        let found = type_name(template.value);
        let message = format!("the Fn::Sub template must be a string; found {found}");
        stack.error(&template.ptr, At::Value, message);
        return Err(Failed);
    };
    let mut out = String::new();
    let mut failed = false;
    for piece in pieces(text) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Escaped(t) => {
                out.push_str("${");
                out.push_str(t);
                out.push('}');
            }
            Piece::Name(name) => match value_of(stack, name, &variables, &template.ptr) {
                Ok(value) => out.push_str(&value),
                Err(Failed) => failed = true,
            },
        }
    }
    if failed {
        return Err(Failed);
    }
    Ok(Some(RNode::scalar(&node.ptr, out)))
}

fn variables<'d>(
    stack: &mut Stack<'d>,
    map: &Node<'d>,
) -> Result<BTreeMap<String, String>, Failed> {
    if !map.value.is_object() {
        let found = type_name(map.value);
        let message = format!("the Fn::Sub variables must be a mapping; found {found}");
        stack.error(&map.ptr, At::Value, message);
        return Err(Failed);
    }
    let mut out = BTreeMap::new();
    for (name, node) in map.entries() {
        let Some(value) = stack.eval(&node)? else {
            continue;
        };
        let text = stack
            .text(&value, &format!("the Fn::Sub variable {name}"))
            .ok_or(Failed)?;
        out.insert(name.to_owned(), text);
    }
    Ok(out)
}

/// The text `${name}` stands for, reported at `at` (the template string).
fn value_of(
    stack: &mut Stack<'_>,
    name: &str,
    variables: &BTreeMap<String, String>,
    at: &str,
) -> Result<String, Failed> {
    if let Some(value) = variables.get(name) {
        return Ok(value.clone());
    }
    let value = match name.split_once('.') {
        // Pseudo parameters have "::" and no "."; anything dotted is an attribute.
        Some((resource, attribute)) if !stack.params.contains_key(name) => {
            if stack.in_conditions {
                let message =
                    format!("Fn::Sub ${{{name}}}: conditions can refer to parameters only");
                stack.error(at, At::Value, message);
                return Err(Failed);
            }
            resources::get_att(stack, resource, attribute, at)?
        }
        _ => stack.named(name, at, at)?,
    };
    let Some(value) = value else {
        let message = format!("Fn::Sub ${{{name}}} is AWS::NoValue, which has no text");
        stack.error(at, At::Value, message);
        return Err(Failed);
    };
    match value.text() {
        Some(text) => Ok(text),
        None => {
            let message = format!("Fn::Sub ${{{name}}} is {}, not a string; Fn::Sub substitutes strings only (join a list with Fn::Join)", value.type_name());
            stack.error(at, At::Value, message);
            Err(Failed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_escapes_and_text() {
        assert_eq!(
            pieces("arn:${AWS::Partition}:x/${Fn.Arn}/${!Literal} ${ Spaced }$ {x} ${open"),
            vec![
                Piece::Text("arn:"),
                Piece::Name("AWS::Partition"),
                Piece::Text(":x/"),
                Piece::Name("Fn.Arn"),
                Piece::Text("/"),
                Piece::Escaped("Literal"),
                Piece::Text(" "),
                Piece::Name("Spaced"),
                Piece::Text("$ {x} ${open"),
            ]
        );
        assert_eq!(pieces(""), vec![]);
    }
}
