//! The state of one template's resolution (its parameters, conditions and resources as far as
//! they are known) and the typed readers that report a wrong value where it occurs.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::conditions::CondState;
use super::parameters::Param;
use super::resolved::{RNode, RVal};
use super::resources::Resource;
use crate::error::LoadError;
use crate::load::context::{one_of, At, Ctx, Node};

/// Resolution gave up on a value after reporting why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Failed;

/// A resolved value: `Ok(None)` is `AWS::NoValue` (the property is left out).
pub(super) type Eval = Result<Option<RNode>, Failed>;

/// One template being resolved.
pub(super) struct Stack<'d> {
    pub ctx: Ctx<'d>,
    pub path: &'d Path,
    /// The template's directory: `CodeUri` and `DefinitionUri` are relative to it.
    pub dir: PathBuf,
    pub stack_name: String,
    pub params: BTreeMap<String, Param>,
    pub conditions: BTreeMap<String, CondState<'d>>,
    /// Logical id → resource, including the implicit APIs events create.
    pub resources: BTreeMap<String, Resource<'d>>,
    pub mappings: Option<Node<'d>>,
    /// Function logical id → its name, once known (`None` when it could not be resolved).
    pub function_names: BTreeMap<String, Option<String>>,
    /// Functions whose name is being resolved (a `FunctionName` that refers to itself).
    pub naming: HashSet<String>,
    /// True while the `Conditions` section is evaluated, where resources cannot be referred to.
    pub in_conditions: bool,
    pub warnings: Vec<LoadError>,
    /// Errors in other files (`DefinitionUri`) or in generated documents, already located.
    pub located: Vec<LoadError>,
}

impl<'d> Stack<'d> {
    pub fn error(&mut self, ptr: &str, at: At, message: impl Into<String>) {
        self.ctx.error(ptr, at, message);
    }

    /// A note that does not stop the template from loading.
    pub fn warn(&mut self, ptr: &str, message: impl Into<String>) {
        let pos = self.ctx.doc.value_pos(ptr);
        self.warnings.push(LoadError {
            file: self.path.to_path_buf(),
            line: pos.line,
            column: pos.column,
            pointer: ptr.to_owned(),
            message: message.into(),
        });
    }

    /// A scalar as a string (numbers and booleans as CloudFormation passes them on).
    pub fn text(&mut self, node: &RNode, what: &str) -> Option<String> {
        let text = node.text();
        if text.is_none() {
            let found = node.type_name();
            self.error(
                &node.ptr,
                At::Value,
                format!("{what} must be a string; found {found}"),
            );
        }
        text
    }

    /// A whole number from `min` to `max` (CloudFormation also takes one written as a string).
    pub fn integer(&mut self, node: &RNode, what: &str, min: u64, max: u64) -> Option<u64> {
        let text = node.text();
        let number = text.as_deref().and_then(|t| t.parse::<u64>().ok());
        match number.filter(|n| (min..=max).contains(n)) {
            Some(n) => Some(n),
            None => {
                let found = text.unwrap_or_else(|| node.type_name().to_owned());
                let message =
                    format!("{what} must be a whole number from {min} to {max}; found {found}");
                self.error(&node.ptr, At::Value, message);
                None
            }
        }
    }

    pub fn mapping<'n>(&mut self, node: &'n RNode, what: &str) -> Option<&'n [(String, RNode)]> {
        if let RVal::Map(entries) = &node.val {
            return Some(entries);
        }
        let found = node.type_name();
        self.error(
            &node.ptr,
            At::Value,
            format!("{what} must be a mapping; found {found}"),
        );
        None
    }

    pub fn list<'n>(&mut self, node: &'n RNode, what: &str) -> Option<&'n [RNode]> {
        if let RVal::List(items) = &node.val {
            return Some(items);
        }
        let found = node.type_name();
        self.error(
            &node.ptr,
            At::Value,
            format!("{what} must be a sequence; found {found}"),
        );
        None
    }

    /// A mapping of names to strings (`Variables`, `Environment.Variables`).
    pub fn string_map(&mut self, node: &RNode, what: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(entries) = self.mapping(node, what) else {
            return out;
        };
        for (key, value) in entries {
            if let Some(text) = self.text(value, &format!("{what}.{key}")) {
                out.insert(key.clone(), text);
            }
        }
        out
    }

    /// Reports each key of `entries` that is not in `allowed`.
    pub fn check_keys(&mut self, entries: &[(String, impl HasPtr)], allowed: &[&str], what: &str) {
        for (key, value) in entries {
            if !allowed.contains(&key.as_str()) {
                let message = format!(
                    "unknown property \"{key}\" in {what}; expected one of {}",
                    one_of(allowed)
                );
                self.error(value.ptr(), At::Key, message);
            }
        }
    }
}

/// Anything that knows its JSON pointer.
pub(super) trait HasPtr {
    fn ptr(&self) -> &str;
}

impl HasPtr for RNode {
    fn ptr(&self) -> &str {
        &self.ptr
    }
}

impl HasPtr for super::resolved::Raw<'_> {
    fn ptr(&self) -> &str {
        super::resolved::Raw::ptr(self)
    }
}

impl HasPtr for Node<'_> {
    fn ptr(&self) -> &str {
        &self.ptr
    }
}

/// "1 item", "2 items".
pub(super) fn items(n: usize) -> String {
    if n == 1 {
        "1 item".to_owned()
    } else {
        format!("{n} items")
    }
}
