//! Intrinsic functions: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::If`, `Fn::Select`, `Fn::Split`,
//! `Fn::FindInMap` here, `Fn::Sub` in [`super::sub`], the condition functions in
//! [`super::conditions`]. [`Stack::eval`] replaces every one in a node with its value.

use serde_json::Value;

use super::conditions;
use super::resolved::{RNode, RVal, Raw};
use super::resources;
use super::stack::{Eval, Failed, Stack};
use super::sub;
use crate::function::{ACCOUNT_ID, REGION};
use crate::load::context::{type_name, At, Node};

const NOT_YET: &[&str] = &[
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::GetAZs",
    "Fn::ImportValue",
    "Fn::Length",
    "Fn::ToJsonString",
    "Fn::Transform",
    "Fn::ForEach",
];

const KNOWN: &str =
    "Ref, Fn::Sub, Fn::GetAtt, Fn::Join, Fn::If, Fn::Select, Fn::Split, Fn::FindInMap";

/// The name of the intrinsic function a mapping is, if it is one: its only key is `Ref` or
/// starts with `Fn::`.
pub(super) fn intrinsic_name(value: &Value) -> Option<&str> {
    let map = value.as_object().filter(|m| m.len() == 1)?;
    let key = map.keys().next()?;
    (key == "Ref" || key.starts_with("Fn::")).then_some(key.as_str())
}

impl<'d> Stack<'d> {
    /// The node with every intrinsic function replaced by its value.
    pub fn eval(&mut self, node: &Node<'d>) -> Eval {
        match node.value {
            Value::Object(map) => {
                if let Some(name) = intrinsic_name(node.value) {
                    let arg = node.get(name).ok_or(Failed)?;
                    return self.intrinsic(name, node, &arg);
                }
                if let Some(key) = map.keys().find(|k| *k == "Ref" || k.starts_with("Fn::")) {
                    let message = format!("{key} must be the only key of its mapping; an intrinsic function is a mapping with one key");
                    self.error(&node.ptr, At::Value, message);
                    return Err(Failed);
                }
                let mut entries = Vec::new();
                let mut failed = false;
                for (key, child) in node.entries() {
                    match self.eval(&child) {
                        Ok(Some(value)) => entries.push((key.to_owned(), value)),
                        Ok(None) => {}
                        Err(Failed) => failed = true,
                    }
                }
                let value = RNode {
                    ptr: node.ptr.clone(),
                    val: RVal::Map(entries),
                };
                if failed {
                    Err(Failed)
                } else {
                    Ok(Some(value))
                }
            }
            Value::Array(_) => {
                let mut items = Vec::new();
                let mut failed = false;
                for child in node.items() {
                    match self.eval(&child) {
                        Ok(Some(value)) => items.push(value),
                        Ok(None) => {}
                        Err(Failed) => failed = true,
                    }
                }
                let value = RNode {
                    ptr: node.ptr.clone(),
                    val: RVal::List(items),
                };
                if failed {
                    Err(Failed)
                } else {
                    Ok(Some(value))
                }
            }
            scalar => Ok(Some(RNode::scalar(&node.ptr, scalar.clone()))),
        }
    }

    /// [`Stack::eval`] for a node that may be a merge of `Globals` and a resource's properties.
    pub fn eval_raw(&mut self, raw: &Raw<'d>) -> Eval {
        let (ptr, children, is_map) = match raw {
            Raw::Node(node) => return self.eval(node),
            Raw::Map { ptr, entries } => (
                ptr,
                entries
                    .iter()
                    .map(|(k, v)| (Some(k), v))
                    .collect::<Vec<_>>(),
                true,
            ),
            Raw::List { ptr, items } => (ptr, items.iter().map(|v| (None, v)).collect(), false),
        };
        let mut entries = Vec::new();
        let mut items = Vec::new();
        let mut failed = false;
        for (key, child) in children {
            match (self.eval_raw(child), key) {
                (Ok(Some(value)), Some(key)) => entries.push((key.clone(), value)),
                (Ok(Some(value)), None) => items.push(value),
                (Ok(None), _) => {}
                (Err(Failed), _) => failed = true,
            }
        }
        if failed {
            return Err(Failed);
        }
        let val = if is_map {
            RVal::Map(entries)
        } else {
            RVal::List(items)
        };
        Ok(Some(RNode {
            ptr: ptr.clone(),
            val,
        }))
    }

    fn intrinsic(&mut self, name: &str, node: &Node<'d>, arg: &Node<'d>) -> Eval {
        match name {
            "Ref" => self.reference(node, arg),
            "Fn::Sub" => sub::eval(self, node, arg),
            "Fn::GetAtt" => self.get_att(node, arg),
            "Fn::Join" => self.join(node, arg),
            "Fn::If" => self.if_(arg),
            "Fn::Select" => self.select(arg),
            "Fn::Split" => self.split(node, arg),
            "Fn::FindInMap" => self.find_in_map(arg),
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                let message = format!("{name} is a condition function, which belongs in the Conditions section; here, use Fn::If with the name of a condition");
                self.error(&node.ptr, At::Key, message);
                Err(Failed)
            }
            _ if NOT_YET.contains(&name) => {
                let message = format!("{name} is not supported yet by Turnpike; it evaluates {KNOWN} and the condition functions");
                self.error(&node.ptr, At::Key, message);
                Err(Failed)
            }
            _ => {
                let message = format!("unknown intrinsic function {name}; CloudFormation has {KNOWN}, the condition functions and a few more");
                self.error(&node.ptr, At::Key, message);
                Err(Failed)
            }
        }
    }

    /// `Ref`: a parameter, a pseudo parameter or a resource.
    fn reference(&mut self, node: &Node<'d>, arg: &Node<'d>) -> Eval {
        let Some(name) = arg.value.as_str() else {
            let found = type_name(arg.value);
            let message = format!("Ref takes the name of a parameter or resource; found {found}");
            self.error(&arg.ptr, At::Value, message);
            return Err(Failed);
        };
        self.named(name, &node.ptr, &arg.ptr)
    }

    /// The value of `name` as `Ref` (and `${name}` in `Fn::Sub`) gives it; `ptr` locates the
    /// result, `at` the name for errors.
    pub(super) fn named(&mut self, name: &str, ptr: &str, at: &str) -> Eval {
        if let Some(param) = self.params.get(name) {
            return Ok(Some(param.to_rnode(ptr)));
        }
        if let Some(rest) = name.strip_prefix("AWS::") {
            let value = match rest {
                "NoValue" => return Ok(None),
                "Region" => REGION.to_owned(),
                "AccountId" => ACCOUNT_ID.to_owned(),
                "Partition" => "aws".to_owned(),
                "URLSuffix" => "amazonaws.com".to_owned(),
                "StackName" => self.stack_name.clone(),
                "StackId" => format!("arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{}/00000000-0000-0000-0000-000000000000", self.stack_name),
                "NotificationARNs" => {
                    return Ok(Some(RNode { ptr: ptr.to_owned(), val: RVal::List(Vec::new()) }));
                }
                _ => {
                    let message = format!("unknown pseudo parameter {name}; CloudFormation has AWS::AccountId, AWS::NotificationARNs, AWS::NoValue, AWS::Partition, AWS::Region, AWS::StackId, AWS::StackName and AWS::URLSuffix");
                    self.error(at, At::Value, message);
                    return Err(Failed);
                }
            };
            return Ok(Some(RNode::scalar(ptr, value)));
        }
        if self.in_conditions {
            let message = format!("Ref to \"{name}\": conditions can refer to parameters and pseudo parameters only, not to resources");
            self.error(at, At::Value, message);
            return Err(Failed);
        }
        let found = resources::ref_value(self, name, at)?;
        Ok(found.map(|value| RNode {
            ptr: ptr.to_owned(),
            ..value
        }))
    }

    /// `Fn::GetAtt`: `[Resource, Attribute]` or `Resource.Attribute`.
    fn get_att(&mut self, node: &Node<'d>, arg: &Node<'d>) -> Eval {
        let parts: Option<(String, String)> = match arg.value {
            Value::String(s) => s.split_once('.').map(|(r, a)| (r.to_owned(), a.to_owned())),
            Value::Array(items) => match items.as_slice() {
                [Value::String(r), Value::String(a)] => Some((r.clone(), a.clone())),
                _ => None,
            },
            _ => None,
        };
        let Some((resource, attribute)) = parts.filter(|(r, a)| !r.is_empty() && !a.is_empty())
        else {
            let message = "Fn::GetAtt takes [Resource, Attribute] or \"Resource.Attribute\"";
            self.error(&arg.ptr, At::Value, message);
            return Err(Failed);
        };
        if self.in_conditions {
            let message =
                "Fn::GetAtt cannot be used in conditions, which can refer to parameters only";
            self.error(&node.ptr, At::Key, message);
            return Err(Failed);
        }
        resources::get_att(self, &resource, &attribute, &node.ptr).map(|found| {
            found.map(|value| RNode {
                ptr: node.ptr.clone(),
                ..value
            })
        })
    }

    /// The evaluated items of a function's argument list of exactly `count` items.
    fn arguments(
        &mut self,
        function: &str,
        arg: &Node<'d>,
        count: usize,
        form: &str,
    ) -> Result<Vec<Node<'d>>, Failed> {
        if arg.value.as_array().is_some_and(|a| a.len() == count) {
            return Ok(arg.items());
        }
        let found = match arg.value.as_array() {
            Some(items) => super::stack::items(items.len()),
            None => type_name(arg.value).to_owned(),
        };
        let message = format!("{function} takes {form}; found {found}");
        self.error(&arg.ptr, At::Value, message);
        Err(Failed)
    }

    /// A value that must be present (not `AWS::NoValue`).
    fn value(&mut self, node: &Node<'d>, what: &str) -> Result<RNode, Failed> {
        match self.eval(node)? {
            Some(value) => Ok(value),
            None => {
                let message = format!("{what} is AWS::NoValue, which only removes a property");
                self.error(&node.ptr, At::Value, message);
                Err(Failed)
            }
        }
    }

    fn join(&mut self, node: &Node<'d>, arg: &Node<'d>) -> Eval {
        let [delimiter, list] = <[Node<'d>; 2]>::try_from(self.arguments(
            "Fn::Join",
            arg,
            2,
            "[delimiter, [values...]]",
        )?)
        .map_err(|_| Failed)?;
        let delimiter = self.value(&delimiter, "the Fn::Join delimiter")?;
        let delimiter = self
            .text(&delimiter, "the Fn::Join delimiter")
            .ok_or(Failed)?;
        let list = self.value(&list, "the Fn::Join list")?;
        let items = self
            .list(&list, "the Fn::Join list")
            .ok_or(Failed)?
            .to_vec();
        let mut parts = Vec::new();
        for item in &items {
            parts.push(self.text(item, "each value Fn::Join joins").ok_or(Failed)?);
        }
        Ok(Some(RNode::scalar(&node.ptr, parts.join(&delimiter))))
    }

    fn if_(&mut self, arg: &Node<'d>) -> Eval {
        let [condition, then, otherwise] = <[Node<'d>; 3]>::try_from(self.arguments(
            "Fn::If",
            arg,
            3,
            "[condition name, value if true, value if false]",
        )?)
        .map_err(|_| Failed)?;
        let Some(name) = condition.value.as_str() else {
            let found = type_name(condition.value);
            let message = format!("Fn::If takes the name of a condition first; found {found}");
            self.error(&condition.ptr, At::Value, message);
            return Err(Failed);
        };
        let chosen = if conditions::condition(self, name, &condition.ptr)? {
            then
        } else {
            otherwise
        };
        self.eval(&chosen)
    }

    fn select(&mut self, arg: &Node<'d>) -> Eval {
        let [index, list] = <[Node<'d>; 2]>::try_from(self.arguments(
            "Fn::Select",
            arg,
            2,
            "[index, [values...]]",
        )?)
        .map_err(|_| Failed)?;
        let index = self.value(&index, "the Fn::Select index")?;
        let index_at = index.ptr.clone();
        let index = self
            .integer(&index, "the Fn::Select index", 0, u64::from(u32::MAX))
            .ok_or(Failed)?;
        let list = self.value(&list, "the Fn::Select list")?;
        let items = self.list(&list, "the Fn::Select list").ok_or(Failed)?;
        match usize::try_from(index).ok().and_then(|i| items.get(i)) {
            Some(item) => Ok(Some(item.clone())),
            None => {
                let message = format!(
                    "Fn::Select index {index} is out of range for a list of {}",
                    super::stack::items(items.len())
                );
                self.error(&index_at, At::Value, message);
                Err(Failed)
            }
        }
    }

    fn split(&mut self, node: &Node<'d>, arg: &Node<'d>) -> Eval {
        let [delimiter, source] = <[Node<'d>; 2]>::try_from(self.arguments(
            "Fn::Split",
            arg,
            2,
            "[delimiter, string]",
        )?)
        .map_err(|_| Failed)?;
        let delimiter = self.value(&delimiter, "the Fn::Split delimiter")?;
        let delimiter = self
            .text(&delimiter, "the Fn::Split delimiter")
            .ok_or(Failed)?;
        if delimiter.is_empty() {
            self.error(
                &arg.ptr,
                At::Value,
                "the Fn::Split delimiter must not be empty",
            );
            return Err(Failed);
        }
        let source = self.value(&source, "the string Fn::Split splits")?;
        let source = self
            .text(&source, "the string Fn::Split splits")
            .ok_or(Failed)?;
        let items = source
            .split(delimiter.as_str())
            .map(|part| RNode::scalar(&node.ptr, part))
            .collect();
        Ok(Some(RNode {
            ptr: node.ptr.clone(),
            val: RVal::List(items),
        }))
    }

    /// `Fn::FindInMap`: `[MapName, TopLevelKey, SecondLevelKey]` in `Mappings`.
    fn find_in_map(&mut self, arg: &Node<'d>) -> Eval {
        let keys = self.arguments(
            "Fn::FindInMap",
            arg,
            3,
            "[MapName, TopLevelKey, SecondLevelKey]",
        )?;
        let mut names = Vec::new();
        for key in &keys {
            let value = self.value(key, "each Fn::FindInMap key")?;
            names.push(self.text(&value, "each Fn::FindInMap key").ok_or(Failed)?);
        }
        let mut node = self.mappings.clone();
        let mut path = String::from("Mappings");
        for (name, key) in names.iter().zip(&keys) {
            let next = node.as_ref().and_then(|n| n.get(name));
            if next.is_none() {
                let message = format!("Fn::FindInMap: {path} has no key \"{name}\"");
                self.error(&key.ptr, At::Value, message);
                return Err(Failed);
            }
            node = next;
            path = format!("{path}.{name}");
        }
        match node {
            Some(found) => self.eval(&found),
            None => Err(Failed),
        }
    }
}
