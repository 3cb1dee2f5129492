//! Values on their way through resolution: [`Raw`] template nodes (possibly merged with
//! `Globals`) before intrinsic functions run, and [`RNode`] values after, each remembering where
//! in the template it came from so errors can point there.

use serde_json::{Map, Value};

use crate::load::context::Node;

/// A resolved value (no intrinsic functions left) and the JSON pointer of the template node it
/// came from: the node itself for literal values, the intrinsic function for computed ones.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RNode {
    pub ptr: String,
    pub val: RVal,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum RVal {
    /// A string, number, boolean or null.
    Scalar(Value),
    List(Vec<RNode>),
    /// Members in template order.
    Map(Vec<(String, RNode)>),
}

/// A mapping located at `ptr`, its members in the given order: how the loaders write the
/// documents they derive (OpenAPI from SAM properties or CloudFormation resources).
pub(super) fn map<K: Into<String>>(ptr: &str, entries: Vec<(K, RNode)>) -> RNode {
    RNode {
        ptr: ptr.to_owned(),
        val: RVal::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect()),
    }
}

impl RNode {
    pub fn scalar(ptr: &str, value: impl Into<Value>) -> RNode {
        RNode {
            ptr: ptr.to_owned(),
            val: RVal::Scalar(value.into()),
        }
    }

    /// The member `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&RNode> {
        self.entries()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// The member `key` of a mapping, to change in place.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut RNode> {
        match &mut self.val {
            RVal::Map(entries) => entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The member `key` of a mapping, added empty (located at `ptr`) when missing; `None` when
    /// this is not a mapping (the OpenAPI loader reports that).
    pub fn member(&mut self, key: &str, ptr: &str) -> Option<&mut RNode> {
        let RVal::Map(entries) = &mut self.val else {
            return None;
        };
        let index = match entries.iter().position(|(k, _)| k == key) {
            Some(i) => i,
            None => {
                let empty = RNode {
                    ptr: ptr.to_owned(),
                    val: RVal::Map(Vec::new()),
                };
                entries.push((key.to_owned(), empty));
                entries.len() - 1
            }
        };
        entries.get_mut(index).map(|(_, v)| v)
    }

    /// The members of a mapping (none for other values).
    pub fn entries(&self) -> &[(String, RNode)] {
        match &self.val {
            RVal::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The items of a list (none for other values).
    pub fn items(&self) -> &[RNode] {
        match &self.val {
            RVal::List(items) => items,
            _ => &[],
        }
    }

    /// A scalar as the string CloudFormation would pass on (`8080` → `"8080"`); `None` for null,
    /// lists and mappings.
    pub fn text(&self) -> Option<String> {
        match &self.val {
            RVal::Scalar(Value::String(s)) => Some(s.clone()),
            RVal::Scalar(v @ (Value::Number(_) | Value::Bool(_))) => Some(v.to_string()),
            _ => None,
        }
    }

    /// How a message names the value's type.
    pub fn type_name(&self) -> &'static str {
        match &self.val {
            RVal::Scalar(v) => crate::load::context::type_name(v),
            RVal::List(_) => "a sequence",
            RVal::Map(_) => "a mapping",
        }
    }

    /// The plain JSON value.
    pub fn to_value(&self) -> Value {
        match &self.val {
            RVal::Scalar(v) => v.clone(),
            RVal::List(items) => Value::Array(items.iter().map(RNode::to_value).collect()),
            RVal::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_value()))
                    .collect::<Map<String, Value>>(),
            ),
        }
    }
}

/// A template node before intrinsic functions run: as written, or the merge of a `Globals`
/// section with a resource's own properties.
#[derive(Debug, Clone)]
pub(super) enum Raw<'d> {
    Node(Node<'d>),
    Map {
        ptr: String,
        entries: Vec<(String, Raw<'d>)>,
    },
    List {
        ptr: String,
        items: Vec<Raw<'d>>,
    },
}

impl<'d> Raw<'d> {
    pub fn ptr(&self) -> &str {
        match self {
            Raw::Node(node) => &node.ptr,
            Raw::Map { ptr, .. } | Raw::List { ptr, .. } => ptr,
        }
    }

    /// The member `key`, when this is a mapping.
    pub fn get(&self, key: &str) -> Option<Raw<'d>> {
        match self {
            Raw::Node(node) => node.get(key).map(Raw::Node),
            Raw::Map { entries, .. } => entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone()),
            Raw::List { .. } => None,
        }
    }

    /// The members of a mapping, in order (none for other values).
    pub fn entries(&self) -> Vec<(String, Raw<'d>)> {
        match self {
            Raw::Node(node) => node
                .entries()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), Raw::Node(v)))
                .collect(),
            Raw::Map { entries, .. } => entries.clone(),
            Raw::List { .. } => Vec::new(),
        }
    }

    /// The template node, when this was not produced by a merge.
    pub fn node(&self) -> Option<&Node<'d>> {
        match self {
            Raw::Node(node) => Some(node),
            _ => None,
        }
    }
}
