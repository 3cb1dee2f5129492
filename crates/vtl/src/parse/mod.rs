//! Parsing: template text into [`Node`]s. `text.rs` handles the text level (directives,
//! comments, escapes, whitespace gobbling), `expr.rs` the expressions inside directives and
//! references. Velocity 1.7's lexer decides several things by lookahead that this hand-written
//! scanner reproduces: a `$` or `#` that starts nothing valid is plain text.

mod expr;
mod text;

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::{Block, Node, Pos};
use crate::error::CompileError;

/// A macro defined with `#macro(name $a $b)`.
#[derive(Debug)]
pub(crate) struct Macro {
    pub params: Vec<String>,
    pub body: Block,
}

/// The result of parsing: the top-level nodes and every macro defined anywhere in them.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub nodes: Block,
    pub macros: HashMap<String, Arc<Macro>>,
}

/// Deepest nesting of blocks and expressions accepted; keeps the recursive parser and the
/// renderer off the end of the stack on hostile input.
const MAX_NESTING: usize = 128;

/// Parses a whole template.
pub(crate) fn parse(source: &str) -> Result<Parsed, CompileError> {
    let mut parser = Parser::new(source, HashMap::new(), 0);
    let (nodes, end) = parser.block()?;
    match end {
        text::Closer::Eof => Ok(Parsed {
            nodes: nodes.into(),
            macros: parser.macros,
        }),
        text::Closer::End(at) | text::Closer::Else(at) | text::Closer::ElseIf(_, at) => Err(parser
            .error_at(
                at,
                "#end, #else or #elseif without a matching #if, #foreach, #macro or #define",
            )),
    }
}

pub(crate) struct Parser<'s> {
    src: &'s str,
    pos: usize,
    macros: HashMap<String, Arc<Macro>>,
    depth: usize,
    /// Start and end of the last run of plain text scanned: `#set` gobbles the blanks before
    /// it only when they start a run of their own (Velocity's lexer folds them into the
    /// directive token unless a text token already began before them).
    chunk: (usize, usize),
    /// Byte offsets where lines start, for positions without rescanning the source.
    lines: Vec<usize>,
}

impl<'s> Parser<'s> {
    pub(super) fn new(
        src: &'s str,
        macros: HashMap<String, Arc<Macro>>,
        depth: usize,
    ) -> Parser<'s> {
        let lines = std::iter::once(0)
            .chain(src.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Parser {
            src,
            pos: 0,
            macros,
            depth,
            chunk: (0, 0),
            lines,
        }
    }

    fn bytes(&self) -> &'s [u8] {
        self.src.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.bytes().get(self.pos + offset).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        self.bytes()
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(s.as_bytes()))
    }

    fn slice(&self, from: usize, to: usize) -> &'s str {
        self.src.get(from..to).unwrap_or("")
    }

    fn position(&self, at: usize) -> Pos {
        let at = at.min(self.src.len());
        let line = self.lines.partition_point(|start| *start <= at).max(1);
        let start = self.lines.get(line - 1).copied().unwrap_or(0);
        let column = self.src.get(start..at).map_or(0, |s| s.chars().count()) + 1;
        Pos { line, column }
    }

    fn error_at(&self, at: usize, message: impl Into<String>) -> CompileError {
        let Pos { line, column } = self.position(at);
        CompileError {
            line,
            column,
            message: message.into(),
        }
    }

    fn error(&self, message: impl Into<String>) -> CompileError {
        self.error_at(self.pos, message)
    }

    fn enter(&mut self) -> Result<(), CompileError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error(format!("nesting deeper than {MAX_NESTING} levels")));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// An identifier at the current position: `[A-Za-z_][A-Za-z0-9_-]*` (Velocity allows `-`).
    fn identifier(&mut self, allow_dash: bool) -> Option<&'s str> {
        let start = self.pos;
        match self.peek() {
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => self.pos += 1,
            _ => return None,
        }
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == b'_' || (allow_dash && c == b'-') {
                self.pos += 1;
            } else {
                break;
            }
        }
        Some(self.slice(start, self.pos))
    }

    /// Skips spaces, tabs and line breaks.
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Skips spaces and tabs.
    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// Velocity 1.7 gobbles `[ \t]*` plus one line break after a directive, if they follow.
    fn eat_line_end(&mut self) {
        let start = self.pos;
        self.skip_blanks();
        if self.starts_with("\r\n") {
            self.pos += 2;
        } else if matches!(self.peek(), Some(b'\n' | b'\r')) {
            self.pos += 1;
        } else {
            self.pos = start;
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), CompileError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(format!("expected {what}")))
        }
    }
}

/// Nodes into a shared block.
pub(crate) fn block(nodes: Vec<Node>) -> Block {
    nodes.into()
}
