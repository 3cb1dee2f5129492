//! The resolution context: the parsed document, the errors found so far, and typed accessors that
//! report a wrong JSON type where it occurs.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde_json::{Map, Value};

use super::document::{Document, Pos};
use super::pointer;
use crate::api::ApiKind;
use crate::error::LoadError;

/// A node of the document with its JSON pointer.
#[derive(Debug, Clone)]
pub(crate) struct Node<'d> {
    pub value: &'d Value,
    pub ptr: String,
}

impl<'d> Node<'d> {
    pub fn root(doc: &'d Document) -> Node<'d> {
        Node {
            value: &doc.root,
            ptr: String::new(),
        }
    }

    /// The member `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<Node<'d>> {
        self.value.get(key).map(|value| Node {
            value,
            ptr: pointer::push(&self.ptr, key),
        })
    }

    /// The members of a mapping in document order (none for other types).
    pub fn entries(&self) -> Vec<(&'d str, Node<'d>)> {
        let Some(map) = self.value.as_object() else {
            return Vec::new();
        };
        map.iter()
            .map(|(k, value)| {
                let ptr = pointer::push(&self.ptr, k);
                (k.as_str(), Node { value, ptr })
            })
            .collect()
    }

    /// The items of a sequence (none for other types).
    pub fn items(&self) -> Vec<Node<'d>> {
        let Some(items) = self.value.as_array() else {
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .map(|(i, value)| Node {
                value,
                ptr: format!("{}/{i}", self.ptr),
            })
            .collect()
    }
}

/// Whether an error points at a node's key (`gett:`) or at its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum At {
    Key,
    Value,
}

/// Everything resolution needs, and the errors it finds.
pub(crate) struct Ctx<'d> {
    file: &'d Path,
    pub doc: &'d Document,
    pub kind: ApiKind,
    /// Whether AWS and AWS_PROXY integrations of Lambda functions are accepted (see
    /// `load::LAMBDA_INTEGRATIONS`); off, they are reported as not supported yet.
    pub allow_lambda: bool,
    errors: Vec<LoadError>,
    /// Pointers of the `x-amazon-apigateway-*` members resolution understood; any other is reported.
    handled: HashSet<String>,
    /// Pointers of subtrees already reported as a whole, not to be searched for extensions.
    rejected: HashSet<String>,
}

impl<'d> Ctx<'d> {
    pub fn new(file: &'d Path, doc: &'d Document, kind: ApiKind) -> Ctx<'d> {
        Ctx {
            file,
            doc,
            kind,
            allow_lambda: false,
            errors: Vec::new(),
            handled: HashSet::new(),
            rejected: HashSet::new(),
        }
    }

    /// Records a problem with the node at `ptr`.
    pub fn error(&mut self, ptr: &str, at: At, message: impl Into<String>) {
        let Pos { line, column } = match at {
            At::Key => self.doc.key_pos(ptr),
            At::Value => self.doc.value_pos(ptr),
        };
        self.errors.push(LoadError {
            file: self.file.to_path_buf(),
            line,
            column,
            pointer: ptr.to_owned(),
            message: message.into(),
        });
    }

    pub fn error_count(&self) -> usize {
        self.errors.len()
    }

    /// The errors in document order, each once (a shared `$ref` target is checked once per use).
    pub fn into_errors(self) -> Vec<LoadError> {
        let mut errors = self.errors;
        errors.sort_by_key(|e| (e.line, e.column));
        let mut seen = HashSet::new();
        errors.retain(|e| seen.insert((e.pointer.clone(), e.message.clone())));
        errors
    }

    /// Marks an `x-amazon-apigateway-*` member as understood.
    pub fn handle(&mut self, node: &Node<'_>) {
        self.handled.insert(node.ptr.clone());
    }

    pub fn is_handled(&self, ptr: &str) -> bool {
        self.handled.contains(ptr)
    }

    /// Marks a subtree whose error already covers everything inside it.
    pub fn reject(&mut self, node: &Node<'_>) {
        self.rejected.insert(node.ptr.clone());
    }

    pub fn is_rejected(&self, ptr: &str) -> bool {
        self.rejected.contains(ptr)
    }

    /// The node as a mapping, or an error saying what `what` must be.
    pub fn object<'n>(&mut self, node: &Node<'n>, what: &str) -> Option<&'n Map<String, Value>> {
        let found = node.value.as_object();
        if found.is_none() {
            self.wrong_type(node, what, "a mapping");
        }
        found
    }

    pub fn string<'n>(&mut self, node: &Node<'n>, what: &str) -> Option<&'n str> {
        let found = node.value.as_str();
        if found.is_none() {
            self.wrong_type(node, what, "a string");
        }
        found
    }

    pub fn array<'n>(&mut self, node: &Node<'n>, what: &str) -> Option<&'n Vec<Value>> {
        let found = node.value.as_array();
        if found.is_none() {
            self.wrong_type(node, what, "a sequence");
        }
        found
    }

    /// A mapping of strings to strings (`requestTemplates`, `responseParameters`, ...).
    pub fn string_map(&mut self, node: &Node<'_>, what: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if self.object(node, what).is_none() {
            return out;
        }
        for (key, member) in node.entries() {
            let described = format!("the value of \"{key}\" in {what}");
            if let Some(text) = self.string(&member, &described) {
                out.insert(key.to_owned(), text.to_owned());
            }
        }
        out
    }

    fn wrong_type(&mut self, node: &Node<'_>, what: &str, expected: &str) {
        let found = type_name(node.value);
        self.error(
            &node.ptr,
            At::Value,
            format!("{what} must be {expected}; found {found}"),
        );
    }
}

/// How a message names a JSON type.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a mapping",
    }
}

/// Joins names for "expected one of ..." messages.
pub(crate) fn one_of(names: &[&str]) -> String {
    names.join(", ")
}
