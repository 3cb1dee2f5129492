//! A small JSON scanner (RFC 8259) that feeds the same events as the YAML parser, with positions.
//!
//! It is iterative, so nesting depth costs heap rather than stack; the tree bounds it.

use yaml_rust2::parser::Event;
use yaml_rust2::scanner::TScalarStyle;

use super::tree::Tree;
use super::{Document, Pos, SyntaxError};

/// Parses a JSON text into a [`Document`].
pub(super) fn parse(text: &str) -> Result<Document, SyntaxError> {
    let mut scanner = Scanner {
        text,
        at: 0,
        pos: Pos::START,
        tree: Tree::default(),
        open: Vec::new(),
    };
    scanner.run()?;
    scanner.tree.finish()
}

/// What the scanner expects next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    Value,
    /// First member of an object, or its end.
    KeyOrEnd,
    Key,
    /// First item of an array, or its end.
    ItemOrEnd,
    /// `,` or the end of the enclosing container (or of the text).
    Next,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Object,
    Array,
}

struct Scanner<'a> {
    text: &'a str,
    /// Byte offset of the next character.
    at: usize,
    pos: Pos,
    tree: Tree,
    open: Vec<Open>,
}

impl Scanner<'_> {
    fn run(&mut self) -> Result<(), SyntaxError> {
        self.emit(Event::StreamStart)?;
        self.emit(Event::DocumentStart)?;
        let mut expect = Expect::Value;
        loop {
            self.skip_whitespace();
            expect = match expect {
                Expect::Value => self.value()?,
                Expect::KeyOrEnd if self.peek() == Some(b'}') => self.close(Open::Object)?,
                Expect::KeyOrEnd | Expect::Key => self.key()?,
                Expect::ItemOrEnd if self.peek() == Some(b']') => self.close(Open::Array)?,
                Expect::ItemOrEnd => Expect::Value,
                Expect::Next => match self.next_after_value()? {
                    Some(expect) => expect,
                    None => return Ok(()),
                },
            };
        }
    }

    fn emit(&mut self, event: Event) -> Result<(), SyntaxError> {
        self.emit_at(event, self.pos)
    }

    fn emit_at(&mut self, event: Event, pos: Pos) -> Result<(), SyntaxError> {
        self.tree.event(event, pos);
        self.tree.check()
    }

    fn rest(&self) -> &str {
        self.text.get(self.at..).unwrap_or_default()
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError {
            pos: self.pos,
            message: message.into(),
        })
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// Moves past `n` bytes, counting lines and characters.
    fn advance(&mut self, n: usize) {
        let end = (self.at + n).min(self.text.len());
        for &b in self.text.as_bytes().get(self.at..end).unwrap_or_default() {
            if b == b'\n' {
                self.pos.line += 1;
                self.pos.column = 1;
            } else if b & 0xC0 != 0x80 {
                // Not a UTF-8 continuation byte: a new character.
                self.pos.column += 1;
            }
        }
        self.at = end;
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.advance(1);
        }
    }

    fn value(&mut self) -> Result<Expect, SyntaxError> {
        match self.peek() {
            Some(b'{') => {
                self.open(Open::Object, Event::MappingStart(0, None))?;
                Ok(Expect::KeyOrEnd)
            }
            Some(b'[') => {
                self.open(Open::Array, Event::SequenceStart(0, None))?;
                Ok(Expect::ItemOrEnd)
            }
            Some(b'"') => self.string(),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't' | b'f' | b'n') => self.literal(),
            Some(_) => self.error(
                "expected a JSON value (object, array, string, number, true, false or null)",
            ),
            None => self.error("unexpected end of the document; expected a JSON value"),
        }
    }

    fn open(&mut self, open: Open, event: Event) -> Result<(), SyntaxError> {
        self.emit(event)?;
        self.open.push(open);
        self.advance(1);
        Ok(())
    }

    fn close(&mut self, open: Open) -> Result<Expect, SyntaxError> {
        let event = match open {
            Open::Object => Event::MappingEnd,
            Open::Array => Event::SequenceEnd,
        };
        self.emit(event)?;
        self.open.pop();
        self.advance(1);
        Ok(Expect::Next)
    }

    fn key(&mut self) -> Result<Expect, SyntaxError> {
        if self.peek() != Some(b'"') {
            return self.error("expected an object key in double quotes");
        }
        self.string()?;
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return self.error("expected ':' after an object key");
        }
        self.advance(1);
        Ok(Expect::Value)
    }

    fn next_after_value(&mut self) -> Result<Option<Expect>, SyntaxError> {
        let Some(&open) = self.open.last() else {
            return match self.peek() {
                None => {
                    self.emit(Event::DocumentEnd)?;
                    Ok(None)
                }
                Some(_) => self.error("unexpected text after the end of the JSON document"),
            };
        };
        match (open, self.peek()) {
            (_, Some(b',')) => {
                self.advance(1);
                Ok(Some(match open {
                    Open::Object => Expect::Key,
                    Open::Array => Expect::Value,
                }))
            }
            (Open::Object, Some(b'}')) => self.close(open).map(Some),
            (Open::Array, Some(b']')) => self.close(open).map(Some),
            (Open::Object, _) => self.error("expected ',' or '}' after an object member"),
            (Open::Array, _) => self.error("expected ',' or ']' after an array item"),
        }
    }

    /// Scans a string (a value or a key) and emits it as a scalar.
    fn string(&mut self) -> Result<Expect, SyntaxError> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut end = self.at + 1;
        loop {
            match bytes.get(end) {
                None => return self.error("unterminated string"),
                Some(b'"') => break,
                Some(b'\\') => end += 2,
                Some(&b) if b < 0x20 => {
                    self.advance(end - self.at);
                    return self.error("control characters must be escaped inside a JSON string");
                }
                Some(_) => end += 1,
            }
        }
        let raw = self.text.get(self.at..=end).unwrap_or_default();
        let decoded: String = match serde_json::from_str(raw) {
            Ok(s) => s,
            Err(e) => return self.error(format!("invalid string: {}", without_position(&e))),
        };
        self.emit_at(
            Event::Scalar(decoded, TScalarStyle::DoubleQuoted, 0, None),
            start,
        )?;
        self.advance(end + 1 - self.at);
        Ok(Expect::Next)
    }

    fn number(&mut self) -> Result<Expect, SyntaxError> {
        let rest = self.rest();
        let len = rest
            .find(|c: char| !matches!(c, '0'..='9' | '-' | '+' | '.' | 'e' | 'E'))
            .unwrap_or(rest.len());
        let raw = rest.get(..len).unwrap_or(rest);
        if serde_json::from_str::<serde_json::Number>(raw).is_err() {
            return self.error(format!("invalid number \"{raw}\""));
        }
        self.emit(Event::Scalar(raw.to_owned(), TScalarStyle::Plain, 0, None))?;
        self.advance(len);
        Ok(Expect::Next)
    }

    fn literal(&mut self) -> Result<Expect, SyntaxError> {
        let rest = self.rest();
        let Some(word) = ["true", "false", "null"]
            .into_iter()
            .find(|w| rest.starts_with(w))
        else {
            return self.error(
                "expected a JSON value (object, array, string, number, true, false or null)",
            );
        };
        self.emit(Event::Scalar(word.to_owned(), TScalarStyle::Plain, 0, None))?;
        self.advance(word.len());
        Ok(Expect::Next)
    }
}

/// serde_json's message without its " at line L column C" (relative to the string, not the file).
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.split_once(" at line ") {
        Some((message, _)) => message.to_owned(),
        None => text,
    }
}
