//! The text level: plain text, references, comments, escapes and directives.

use std::sync::Arc;

use super::{block, Macro, Parser};
use crate::ast::{Expr, Node};
use crate::error::CompileError;

/// What ended a block.
pub(super) enum Closer {
    Eof,
    /// `#end` at this offset.
    End(usize),
    Else(usize),
    ElseIf(Expr, usize),
}

/// Directive names that `\#name` escapes.
const KEYWORDS: &[&str] = &[
    "set", "if", "elseif", "else", "end", "foreach", "break", "stop", "macro", "define",
    "evaluate", "include", "parse", "literal",
];

impl<'s> Parser<'s> {
    /// Parses nodes up to the end of input or a `#end`/`#else`/`#elseif`.
    pub(super) fn block(&mut self) -> Result<(Vec<Node>, Closer), CompileError> {
        self.enter()?;
        let mut nodes = Vec::new();
        let mut text = String::new();
        let end = loop {
            let Some(c) = self.peek() else {
                break Closer::Eof;
            };
            match c {
                b'#' => {
                    if let Some(end) = self.hash(&mut nodes, &mut text)? {
                        break end;
                    }
                }
                b'$' => {
                    let start = self.pos;
                    match self.reference_in_text()? {
                        Some(reference) => {
                            flush(&mut nodes, &mut text);
                            nodes.push(Node::Ref {
                                reference,
                                escapes: 0,
                            });
                        }
                        None => {
                            self.pos = start + 1;
                            text.push('$');
                        }
                    }
                }
                b'\\' => self.backslashes(&mut nodes, &mut text)?,
                _ => {
                    let start = self.pos;
                    while !matches!(self.peek(), None | Some(b'#' | b'$' | b'\\')) {
                        self.pos += 1;
                    }
                    self.chunk = (start, self.pos);
                    text.push_str(self.slice(start, self.pos));
                }
            }
        };
        flush(&mut nodes, &mut text);
        self.leave();
        Ok((nodes, end))
    }

    /// A run of backslashes: escapes the reference or directive after it.
    fn backslashes(
        &mut self,
        nodes: &mut Vec<Node>,
        text: &mut String,
    ) -> Result<(), CompileError> {
        let start = self.pos;
        while self.peek() == Some(b'\\') {
            self.pos += 1;
        }
        let count = self.pos - start;
        match self.peek() {
            Some(b'$') => {
                let at = self.pos;
                if let Some(reference) = self.reference_in_text()? {
                    flush(nodes, text);
                    nodes.push(Node::Ref {
                        reference,
                        escapes: count,
                    });
                } else {
                    self.pos = at;
                    text.push_str(self.slice(start, at));
                }
            }
            Some(b'#') => {
                let at = self.pos;
                self.pos += 1;
                let braced = self.peek() == Some(b'{');
                if braced {
                    self.pos += 1;
                }
                let name = self.identifier(false);
                let closed = !braced || self.peek() == Some(b'}');
                match name {
                    Some(name) if KEYWORDS.contains(&name) && closed => {
                        if braced {
                            self.pos += 1;
                        }
                        text.push_str(&"\\".repeat(count / 2));
                        if count % 2 == 1 {
                            // An escaped directive is its own text; what follows is parsed as usual.
                            text.push_str(self.slice(at, self.pos));
                        } else {
                            self.pos = at;
                        }
                    }
                    _ => {
                        self.pos = at;
                        text.push_str(self.slice(start, at));
                    }
                }
            }
            _ => text.push_str(self.slice(start, self.pos)),
        }
        Ok(())
    }

    /// Handles a `#`: comment, unparsed block, directive, macro call, or plain text.
    fn hash(
        &mut self,
        nodes: &mut Vec<Node>,
        text: &mut String,
    ) -> Result<Option<Closer>, CompileError> {
        let start = self.pos;
        if self.starts_with("##") {
            while !matches!(self.peek(), None | Some(b'\n' | b'\r')) {
                self.pos += 1;
            }
            if self.starts_with("\r\n") {
                self.pos += 2;
            } else if self.peek().is_some() {
                self.pos += 1;
            }
            return Ok(None);
        }
        if self.starts_with("#*") {
            let Some(len) = self.src.get(start + 2..).and_then(|rest| rest.find("*#")) else {
                return Err(self.error("unterminated #* comment *#"));
            };
            self.pos = start + 2 + len + 2;
            return Ok(None);
        }
        if self.starts_with("#[[") {
            let Some(len) = self.src.get(start + 3..).and_then(|rest| rest.find("]]#")) else {
                return Err(self.error("unterminated #[[ unparsed content ]]#"));
            };
            text.push_str(self.slice(start + 3, start + 3 + len));
            self.pos = start + 3 + len + 3;
            return Ok(None);
        }
        self.pos += 1;
        let braced = self.peek() == Some(b'{');
        if braced {
            self.pos += 1;
        }
        let Some(name) = self.identifier(false) else {
            self.pos = start + 1;
            text.push('#');
            return Ok(None);
        };
        if braced {
            if self.peek() != Some(b'}') {
                self.pos = start + 1;
                text.push('#');
                return Ok(None);
            }
            self.pos += 1;
        }
        let pos = self.position(start);
        let node = match name {
            "end" => {
                self.eat_line_end();
                return Ok(Some(Closer::End(start)));
            }
            "else" => {
                self.eat_line_end();
                return Ok(Some(Closer::Else(start)));
            }
            "elseif" => {
                let condition = self.directive_condition()?;
                return Ok(Some(Closer::ElseIf(condition, start)));
            }
            "set" => {
                let (chunk_start, chunk_end) = self.chunk;
                let blanks = self.slice(chunk_start, chunk_end);
                if chunk_end == start
                    && blanks.bytes().all(|b| b == b' ' || b == b'\t')
                    && text.ends_with(blanks)
                {
                    text.truncate(text.len().saturating_sub(blanks.len()));
                }
                self.set_directive()?
            }
            "if" => self.if_directive(start)?,
            "foreach" => self.foreach_directive(start)?,
            "macro" => {
                self.macro_directive(start)?;
                flush(nodes, text);
                return Ok(None);
            }
            "define" => self.define_directive(start)?,
            "evaluate" => {
                let source = self.directive_condition()?;
                Node::Evaluate { source, pos }
            }
            "break" => {
                let at = self.pos;
                self.skip_blanks();
                if self.peek() == Some(b'(') {
                    self.pos += 1;
                    self.skip_ws();
                    self.reference()?;
                    self.skip_ws();
                    self.expect(b')', "`)` after #break's argument")?;
                } else {
                    self.pos = at;
                }
                self.eat_line_end();
                Node::Break
            }
            "stop" => {
                self.eat_line_end();
                Node::Stop
            }
            "include" | "parse" => {
                return Err(self.error_at(
                    start,
                    format!("#{name} is not supported: mapping templates cannot read other files"),
                ))
            }
            _ => match self.macro_call(name, start)? {
                Some(node) => node,
                None => {
                    self.pos = start + 1;
                    text.push('#');
                    return Ok(None);
                }
            },
        };
        flush(nodes, text);
        nodes.push(node);
        Ok(None)
    }

    /// `( expr )` after `#if`, `#elseif` or `#evaluate`, with the line end gobbled.
    fn directive_condition(&mut self) -> Result<Expr, CompileError> {
        self.skip_blanks();
        self.expect(b'(', "`(` after the directive")?;
        let condition = self.expression()?;
        self.skip_ws();
        self.expect(b')', "`)` closing the directive")?;
        self.eat_line_end();
        Ok(condition)
    }

    fn set_directive(&mut self) -> Result<Node, CompileError> {
        self.skip_blanks();
        self.expect(b'(', "`(` after #set")?;
        self.skip_ws();
        let target = self.reference()?;
        self.skip_ws();
        self.expect(b'=', "`=` in #set")?;
        let value = self.expression()?;
        self.skip_ws();
        self.expect(b')', "`)` closing #set")?;
        self.eat_line_end();
        Ok(Node::Set { target, value })
    }

    fn if_directive(&mut self, start: usize) -> Result<Node, CompileError> {
        let mut condition = self.directive_condition()?;
        let mut branches = Vec::new();
        loop {
            let (body, end) = self.block()?;
            branches.push((condition, block(body)));
            match end {
                Closer::End(_) => {
                    return Ok(Node::If {
                        branches,
                        otherwise: None,
                    })
                }
                Closer::ElseIf(next, _) => condition = next,
                Closer::Else(_) => {
                    let (body, end) = self.block()?;
                    return match end {
                        Closer::End(_) => Ok(Node::If {
                            branches,
                            otherwise: Some(block(body)),
                        }),
                        _ => Err(self.error_at(start, "#if without a matching #end")),
                    };
                }
                Closer::Eof => return Err(self.error_at(start, "#if without a matching #end")),
            }
        }
    }

    /// A block that must end with `#end` (foreach, macro, define bodies).
    fn body_until_end(&mut self, start: usize, what: &str) -> Result<Vec<Node>, CompileError> {
        let (body, end) = self.block()?;
        match end {
            Closer::End(_) => Ok(body),
            Closer::Eof => Err(self.error_at(start, format!("#{what} without a matching #end"))),
            Closer::Else(at) | Closer::ElseIf(_, at) => {
                Err(self.error_at(at, "#else or #elseif outside #if"))
            }
        }
    }

    fn foreach_directive(&mut self, start: usize) -> Result<Node, CompileError> {
        self.skip_blanks();
        self.expect(b'(', "`(` after #foreach")?;
        self.skip_ws();
        let var = self.reference()?;
        if !var.parts.is_empty() {
            return Err(self.error("#foreach needs a plain variable before `in`"));
        }
        self.skip_ws();
        if !self.starts_with("in") {
            return Err(self.error("expected `in` in #foreach"));
        }
        self.pos += 2;
        let iterable = self.expression()?;
        self.skip_ws();
        self.expect(b')', "`)` closing #foreach")?;
        self.eat_line_end();
        let body = self.body_until_end(start, "foreach")?;
        Ok(Node::Foreach {
            var: var.root,
            iterable,
            body: block(body),
        })
    }

    fn macro_directive(&mut self, start: usize) -> Result<(), CompileError> {
        self.skip_blanks();
        self.expect(b'(', "`(` after #macro")?;
        self.skip_ws();
        let Some(name) = self.identifier(true) else {
            return Err(self.error("expected the macro's name"));
        };
        let name = name.to_string();
        let mut params = Vec::new();
        loop {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r' | b',')) {
                self.pos += 1;
            }
            match self.peek() {
                Some(b')') => break,
                Some(b'$') => {
                    let param = self.reference()?;
                    params.push(param.root);
                }
                _ => return Err(self.error("expected `$parameter` or `)` in #macro")),
            }
        }
        self.pos += 1;
        self.eat_line_end();
        let body = self.body_until_end(start, "macro")?;
        self.macros.insert(
            name,
            Arc::new(Macro {
                params,
                body: block(body),
            }),
        );
        Ok(())
    }

    fn define_directive(&mut self, start: usize) -> Result<Node, CompileError> {
        self.skip_blanks();
        self.expect(b'(', "`(` after #define")?;
        self.skip_ws();
        let name = self.reference()?;
        self.skip_ws();
        self.expect(b')', "`)` closing #define")?;
        self.eat_line_end();
        let body = self.body_until_end(start, "define")?;
        Ok(Node::Define {
            name: name.root,
            body: block(body),
        })
    }

    /// `#name(args)` or `#name`: a call of a macro that may be defined later. `None` when the
    /// arguments do not parse (then it is plain text, as for an unknown directive).
    fn macro_call(&mut self, name: &str, start: usize) -> Result<Option<Node>, CompileError> {
        let after_name = self.pos;
        let depth = self.depth;
        self.skip_blanks();
        let mut args = Vec::new();
        if self.peek() == Some(b'(') {
            self.pos += 1;
            loop {
                while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r' | b',')) {
                    self.pos += 1;
                }
                match self.peek() {
                    Some(b')') => break,
                    None => return Ok(None),
                    _ => match self.expression() {
                        Ok(arg) => args.push(Arc::new(arg)),
                        Err(_) => {
                            self.depth = depth;
                            return Ok(None);
                        }
                    },
                }
            }
            self.pos += 1;
            let raw = self.slice(start, self.pos).to_string();
            self.eat_line_end();
            return Ok(Some(Node::Call {
                name: name.to_string(),
                args,
                raw,
                pos: self.position(start),
            }));
        }
        self.pos = after_name;
        let raw = self.slice(start, self.pos).to_string();
        Ok(Some(Node::Call {
            name: name.to_string(),
            args,
            raw,
            pos: self.position(start),
        }))
    }
}

fn flush(nodes: &mut Vec<Node>, text: &mut String) {
    if !text.is_empty() {
        nodes.push(Node::Text(std::mem::take(text)));
    }
}
