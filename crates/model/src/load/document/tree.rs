//! Builds the value and the position index from parser events.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::scalar::resolve_scalar;
use super::{Document, Pos, Span, SyntaxError};
use crate::load::pointer;

/// Deeper documents are refused: nothing in OpenAPI needs it, and it bounds recursion later on.
const MAX_DEPTH: usize = 128;
/// Bounds alias expansion ("billion laughs"): total nodes in the expanded document.
const MAX_NODES: usize = 1_000_000;

/// A mapping or sequence being built.
struct Frame {
    pointer: String,
    anchor: usize,
    kind: FrameKind,
    /// The one-member mapping a CloudFormation short form (`!Ref x`) stands for; it closes as soon
    /// as its single value is placed.
    short_form: bool,
}

enum FrameKind {
    Seq(Vec<Value>),
    Map {
        map: Map<String, Value>,
        /// The key read, waiting for its value.
        key: Option<PendingKey>,
        /// Keys that came from a `<<` merge; an explicit key may override them.
        merged: HashSet<String>,
    },
}

impl FrameKind {
    fn map(key: Option<PendingKey>) -> FrameKind {
        FrameKind::Map {
            map: Map::new(),
            key,
            merged: HashSet::new(),
        }
    }
}

struct PendingKey {
    text: String,
    pos: Pos,
    /// The YAML merge key `<<` (plain), whose mapping value is merged into the parent.
    merge: bool,
}

/// A value stored under an anchor, with the pointer where it was defined so that an alias can copy
/// the positions of its nodes.
struct Anchored {
    value: Value,
    pointer: String,
}

/// Receives events (from yaml-rust2 or the JSON scanner) and builds a [`Document`].
#[derive(Default)]
pub(super) struct Tree {
    /// Read CloudFormation's YAML short forms: a node tagged `!Name` becomes the one-member
    /// mapping `{"Fn::Name": node}` (`{"Ref": node}` and `{"Condition": node}` for those two), the
    /// long form the template resolver reads. Off for OpenAPI documents, where tags mean nothing.
    pub short_forms: bool,
    frames: Vec<Frame>,
    spans: BTreeMap<String, Span>,
    anchors: HashMap<usize, Anchored>,
    root: Option<Value>,
    documents: usize,
    error: Option<SyntaxError>,
}

impl MarkedEventReceiver for Tree {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let pos = Pos {
            line: mark.line(),
            column: mark.col() + 1,
        };
        self.event(event, pos);
    }
}

impl Tree {
    /// Handles one event found at `pos`.
    pub(super) fn event(&mut self, event: Event, pos: Pos) {
        if self.error.is_some() {
            return;
        }
        match event {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    self.fail(pos, "a second YAML document starts here; Turnpike reads one API per file, so split it into separate files");
                }
            }
            Event::Scalar(text, style, anchor, tag) => self.scalar(text, style, anchor, tag, pos),
            Event::Alias(anchor) => self.alias(anchor, pos),
            Event::SequenceStart(anchor, tag) => {
                let (anchor, _) = self.open_short_form(tag.as_ref(), anchor, pos);
                self.open(anchor, pos, FrameKind::Seq(Vec::new()));
            }
            Event::MappingStart(anchor, tag) => {
                let (anchor, _) = self.open_short_form(tag.as_ref(), anchor, pos);
                self.open(anchor, pos, FrameKind::map(None));
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }

    /// The first error met so far, if any.
    pub(super) fn check(&mut self) -> Result<(), SyntaxError> {
        self.error.take().map_or(Ok(()), Err)
    }

    pub(super) fn finish(mut self) -> Result<Document, SyntaxError> {
        self.check()?;
        match self.root {
            Some(root) => Ok(Document {
                root,
                spans: self.spans,
            }),
            None => Err(SyntaxError {
                pos: Pos::START,
                message: "the document is empty; expected an OpenAPI 3 or Swagger 2 document"
                    .into(),
            }),
        }
    }

    fn fail(&mut self, pos: Pos, message: &str) {
        if self.error.is_none() {
            self.error = Some(SyntaxError {
                pos,
                message: message.to_owned(),
            });
        }
    }

    /// True when the next node is a mapping key rather than a value.
    fn expecting_key(&self) -> bool {
        matches!(
            self.frames.last(),
            Some(Frame {
                kind: FrameKind::Map { key: None, .. },
                ..
            })
        )
    }

    /// Pointer and key position of the next value.
    fn slot(&self) -> (String, Option<Pos>) {
        let Some(frame) = self.frames.last() else {
            return (String::new(), None);
        };
        match &frame.kind {
            FrameKind::Seq(items) => (format!("{}/{}", frame.pointer, items.len()), None),
            FrameKind::Map { key: Some(k), .. } => {
                (pointer::push(&frame.pointer, &k.text), Some(k.pos))
            }
            FrameKind::Map { key: None, .. } => (frame.pointer.clone(), None),
        }
    }

    fn scalar(
        &mut self,
        text: String,
        style: TScalarStyle,
        anchor: usize,
        tag: Option<Tag>,
        pos: Pos,
    ) {
        if self.expecting_key() {
            let merge = style == TScalarStyle::Plain && text == "<<";
            self.key(text, pos, merge);
            return;
        }
        let (anchor, short_form) = self.open_short_form(tag.as_ref(), anchor, pos);
        let value = resolve_scalar(&text, style, tag.as_ref());
        let (ptr, key) = self.slot();
        self.record(&ptr, key, pos);
        self.place(value, &ptr, anchor);
        if short_form {
            self.close();
        }
    }

    /// The long-form key a tag stands for when short forms are on: `!Ref` → `Ref`,
    /// `!Condition` → `Condition`, any other local tag `!Name` → `Fn::Name`.
    fn short_form_name(&self, tag: Option<&Tag>) -> Option<String> {
        let tag = tag.filter(|t| self.short_forms && t.handle == "!" && !t.suffix.is_empty())?;
        Some(match tag.suffix.as_str() {
            "Ref" | "Condition" => tag.suffix.clone(),
            name => format!("Fn::{name}"),
        })
    }

    /// Opens the mapping a short form stands for, when `tag` is one. Returns the anchor the
    /// tagged node itself keeps (the mapping takes it, since the anchor names the whole node) and
    /// whether a mapping was opened.
    fn open_short_form(&mut self, tag: Option<&Tag>, anchor: usize, pos: Pos) -> (usize, bool) {
        let Some(name) = self.short_form_name(tag) else {
            return (anchor, false);
        };
        if self.expecting_key() || self.frames.len() >= MAX_DEPTH {
            // `open` reports both; the tagged node gets no mapping of its own.
            return (anchor, false);
        }
        let (ptr, key) = self.slot();
        self.record(&ptr, key, pos);
        let pending = PendingKey {
            text: name,
            pos,
            merge: false,
        };
        self.frames.push(Frame {
            pointer: ptr,
            anchor,
            kind: FrameKind::map(Some(pending)),
            short_form: true,
        });
        (0, true)
    }

    fn key(&mut self, text: String, pos: Pos, merge: bool) {
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        let FrameKind::Map { map, key, merged } = &mut frame.kind else {
            return;
        };
        let key_ptr = pointer::push(&frame.pointer, &text);
        if map.contains_key(&text) && !merged.remove(&text) {
            let first = self.spans.get(&key_ptr).and_then(|s| s.key).unwrap_or(pos);
            let message = format!(
                "duplicate key \"{text}\" (first defined at line {} column {}); each key may appear once in a mapping",
                first.line, first.column
            );
            self.fail(pos, &message);
            return;
        }
        // A block mapping's start mark sits after its first key; the key is where it begins.
        if map.is_empty() {
            if let Some(span) = self.spans.get_mut(&frame.pointer) {
                span.value = span.value.min(pos);
            }
        }
        *key = Some(PendingKey { text, pos, merge });
    }

    fn alias(&mut self, anchor: usize, pos: Pos) {
        let Some(anchored) = self.anchors.get(&anchor) else {
            self.fail(pos, "alias to an unknown anchor");
            return;
        };
        if self.expecting_key() {
            match scalar_text(&anchored.value) {
                Some(text) => self.key(text, pos, false),
                None => self.fail(
                    pos,
                    "a mapping key must be a string, not an alias to a mapping or sequence",
                ),
            }
            return;
        }
        let value = anchored.value.clone();
        let from = anchored.pointer.clone();
        let (ptr, key) = self.slot();
        self.copy_spans(&from, &ptr, pos);
        self.record(&ptr, key, pos);
        self.place(value, &ptr, 0);
    }

    /// Gives the nodes under an alias the positions of the anchored nodes they copy.
    fn copy_spans(&mut self, from: &str, to: &str, pos: Pos) {
        copy_subtree(&mut self.spans, from, to);
        if self.spans.len() > MAX_NODES {
            self.fail(
                pos,
                "the document expands to more than 1,000,000 nodes through aliases",
            );
        }
    }

    fn open(&mut self, anchor: usize, pos: Pos, kind: FrameKind) {
        if self.expecting_key() {
            self.fail(
                pos,
                "a mapping key must be a string, not a mapping or sequence",
            );
            return;
        }
        if self.frames.len() >= MAX_DEPTH {
            self.fail(pos, "the document is nested more than 128 levels deep");
            return;
        }
        let (ptr, key) = self.slot();
        self.record(&ptr, key, pos);
        self.frames.push(Frame {
            pointer: ptr,
            anchor,
            kind,
            short_form: false,
        });
    }

    fn close(&mut self) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        let value = match frame.kind {
            FrameKind::Seq(items) => Value::Array(items),
            FrameKind::Map { map, .. } => Value::Object(map),
        };
        self.place(value, &frame.pointer, frame.anchor);
        // A tagged mapping or sequence just ended: so does the short form holding it.
        if !frame.short_form && self.frames.last().is_some_and(|f| f.short_form) {
            self.close();
        }
    }

    fn record(&mut self, ptr: &str, key: Option<Pos>, value: Pos) {
        if self.spans.len() >= MAX_NODES {
            self.fail(value, "the document has more than 1,000,000 nodes");
            return;
        }
        self.spans.insert(ptr.to_owned(), Span { key, value });
    }

    /// Stores a finished value in its parent (or as the root) and under its anchor.
    fn place(&mut self, value: Value, ptr: &str, anchor: usize) {
        if anchor > 0 {
            let anchored = Anchored {
                value: value.clone(),
                pointer: ptr.to_owned(),
            };
            self.anchors.insert(anchor, anchored);
        }
        let Some(frame) = self.frames.last_mut() else {
            self.root = Some(value);
            return;
        };
        match &mut frame.kind {
            FrameKind::Seq(items) => items.push(value),
            FrameKind::Map { map, key, merged } => match key.take() {
                Some(k) if k.merge => {
                    let parent = frame.pointer.clone();
                    if let Err(message) = merge(map, merged, &mut self.spans, value, ptr, &parent) {
                        self.fail(k.pos, message);
                    }
                }
                Some(k) => {
                    map.insert(k.text, value);
                }
                None => {}
            },
        }
    }
}

/// YAML's merge key: `<<: *base` (or a sequence of them) adds the members of `base` that the
/// mapping does not set itself, with their positions. Earlier sources win over later ones.
fn merge(
    map: &mut Map<String, Value>,
    merged: &mut HashSet<String>,
    spans: &mut BTreeMap<String, Span>,
    value: Value,
    from: &str,
    parent: &str,
) -> Result<(), &'static str> {
    const MESSAGE: &str = "the merge key << takes a mapping or a sequence of mappings";
    let sources: Vec<(Map<String, Value>, String)> = match value {
        Value::Object(m) => vec![(m, from.to_owned())],
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Object(m) => Ok((m, format!("{from}/{i}"))),
                _ => Err(MESSAGE),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(MESSAGE),
    };
    for (source, source_ptr) in sources {
        for (k, v) in source {
            if map.contains_key(&k) {
                continue;
            }
            let to = pointer::push(parent, &k);
            copy_subtree(spans, &pointer::push(&source_ptr, &k), &to);
            merged.insert(k.clone());
            map.insert(k, v);
        }
    }
    Ok(())
}

/// Copies the spans of the node at `from`, and of everything under it, to `to`.
fn copy_subtree(spans: &mut BTreeMap<String, Span>, from: &str, to: &str) {
    let copies: Vec<(String, Span)> = spans
        .range(from.to_owned()..)
        .take_while(|(p, _)| p.starts_with(from))
        .filter_map(|(p, s)| {
            let rest = p.strip_prefix(from)?;
            let inside = rest.is_empty() || rest.starts_with('/');
            inside.then(|| (format!("{to}{rest}"), *s))
        })
        .collect();
    spans.extend(copies);
}

/// The text of a scalar used as a mapping key through an alias.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Null => Some(String::new()),
        Value::Bool(_) | Value::Number(_) => Some(value.to_string()),
        Value::Array(_) | Value::Object(_) => None,
    }
}
