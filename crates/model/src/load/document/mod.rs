//! Position-tracking parse: YAML or JSON text in, a JSON value plus the line and column of every node
//! out.
//!
//! YAML goes through yaml-rust2's event parser. JSON is YAML 1.2 flow syntax, but yaml-rust2 rejects
//! some valid JSON (surrogate-pair escapes such as `"\ud83d\ude00"`, which Python's `json.dumps`
//! writes by default), so JSON text gets its own small scanner that emits the same events. Both feed
//! one [`tree::Tree`], which builds the value, indexes positions by JSON pointer, refuses duplicate
//! keys and expands anchors.

mod json;
mod scalar;
mod tree;

use std::collections::BTreeMap;

use serde_json::Value;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};

/// A 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub(crate) const START: Pos = Pos { line: 1, column: 1 };
}

/// Where a node is: its own position and, for a mapping value, the position of its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub key: Option<Pos>,
    pub value: Pos,
}

/// A parsed document: the value and a JSON pointer → position index.
#[derive(Debug)]
pub(crate) struct Document {
    pub root: Value,
    spans: BTreeMap<String, Span>,
}

impl Document {
    /// A document built by a loader rather than parsed (a SAM template's generated or inline
    /// OpenAPI body), with the positions its nodes had in the file they came from.
    pub fn from_parts(root: Value, spans: BTreeMap<String, Span>) -> Document {
        Document { root, spans }
    }

    /// Where the node at `ptr` (or its nearest located ancestor) is.
    pub fn span(&self, ptr: &str) -> Span {
        self.nearest(ptr).copied().unwrap_or(Span {
            key: None,
            value: Pos::START,
        })
    }

    /// Position of the node at `ptr`, or of its nearest located ancestor.
    pub fn value_pos(&self, ptr: &str) -> Pos {
        self.nearest(ptr).map_or(Pos::START, |s| s.value)
    }

    /// Position of the key naming the node at `ptr` (its value's position for sequence items and
    /// the root).
    pub fn key_pos(&self, ptr: &str) -> Pos {
        self.nearest(ptr)
            .map_or(Pos::START, |s| s.key.unwrap_or(s.value))
    }

    fn nearest(&self, ptr: &str) -> Option<&Span> {
        let mut ptr = ptr;
        loop {
            if let Some(span) = self.spans.get(ptr) {
                return Some(span);
            }
            ptr = ptr.rsplit_once('/')?.0;
        }
    }
}

/// A problem that stops the parse, with the parser's own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

/// Parses one document. JSON is recognised by `json_name` (a `.json` file) or by text that opens
/// with `{` or `[`; such text that is not valid JSON but is valid YAML (a YAML flow mapping) is
/// still accepted.
pub(crate) fn parse(text: &str, json_name: bool) -> Result<Document, SyntaxError> {
    parse_with(text, json_name, false)
}

/// [`parse`], reading CloudFormation's YAML short forms (`!Ref x`, `!Sub ...`) as their long
/// forms when `short_forms` is set (see [`tree::Tree::short_forms`]).
pub(crate) fn parse_with(
    text: &str,
    json_name: bool,
    short_forms: bool,
) -> Result<Document, SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let opens_like_json = text.trim_start().starts_with(['{', '[']);
    if !(json_name || opens_like_json) {
        return parse_yaml(text, short_forms);
    }
    match json::parse(text) {
        Ok(doc) => Ok(doc),
        Err(e) if json_name => Err(e),
        Err(e) => parse_yaml(text, short_forms).map_err(|_| e),
    }
}

/// Pulls events one at a time rather than through `Parser::load`, whose recursive descent would
/// overflow the stack on a deeply nested file; the tree bounds nesting instead.
fn parse_yaml(text: &str, short_forms: bool) -> Result<Document, SyntaxError> {
    let mut parser = Parser::new_from_str(text);
    let mut tree = tree::Tree::default();
    tree.short_forms = short_forms;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| SyntaxError {
            pos: Pos {
                line: e.marker().line(),
                column: e.marker().col() + 1,
            },
            message: e.info().to_owned(),
        })?;
        if event == Event::StreamEnd {
            return tree.finish();
        }
        tree.on_event(event, mark);
        tree.check()?;
    }
}

#[cfg(test)]
mod tests;
