//! References (`$a.b(c)[0]`) and the expressions inside directives.

use super::{block, Parser};
use crate::ast::{BinOp, Expr, Part, Reference};
use crate::error::CompileError;

impl<'s> Parser<'s> {
    /// A reference in template text; `None` when the `$` starts no reference (it is then text).
    pub(super) fn reference_in_text(&mut self) -> Result<Option<Reference>, CompileError> {
        self.reference_at()
    }

    /// A reference where one is required (`#set`, `#foreach`, expressions).
    pub(super) fn reference(&mut self) -> Result<Reference, CompileError> {
        let at = self.pos;
        match self.reference_at()? {
            Some(reference) => Ok(reference),
            None => Err(self.error_at(at, "expected a reference such as `$name`")),
        }
    }

    fn reference_at(&mut self) -> Result<Option<Reference>, CompileError> {
        let start = self.pos;
        let depth = self.depth;
        if self.peek() != Some(b'$') {
            return Ok(None);
        }
        self.pos += 1;
        let quiet = self.peek() == Some(b'!');
        if quiet {
            self.pos += 1;
        }
        let formal = self.peek() == Some(b'{');
        if formal {
            self.pos += 1;
        }
        let Some(root) = self.identifier(true) else {
            self.pos = start;
            return Ok(None);
        };
        let root = root.to_string();
        self.enter()?;
        let mut parts = Vec::new();
        loop {
            let before = self.pos;
            match self.peek() {
                Some(b'.') => {
                    self.pos += 1;
                    let Some(name) = self.identifier(true) else {
                        self.pos = before;
                        break;
                    };
                    if self.peek() == Some(b'(') {
                        self.pos += 1;
                        match self.arguments(b')') {
                            Ok(args) => parts.push(Part::Method(name.to_string(), args)),
                            Err(_) => {
                                // Velocity leaves a call with unparsable arguments as text, whole.
                                self.depth = depth;
                                self.pos = start;
                                return Ok(None);
                            }
                        }
                    } else {
                        parts.push(Part::Property(name.to_string()));
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    let index = self.expression()?;
                    self.skip_ws();
                    self.expect(b']', "`]` closing the index")?;
                    parts.push(Part::Index(index));
                }
                _ => break,
            }
        }
        self.leave();
        if formal {
            if self.peek() != Some(b'}') {
                return Err(self.error("expected `}` closing the reference"));
            }
            self.pos += 1;
        }
        let raw = self.slice(start, self.pos).to_string();
        Ok(Some(Reference {
            root,
            parts,
            quiet,
            raw,
            pos: self.position(start),
        }))
    }

    /// Comma-separated expressions up to `close`, which is consumed.
    fn arguments(&mut self, close: u8) -> Result<Vec<Expr>, CompileError> {
        let mut args = Vec::new();
        self.skip_ws();
        if self.peek() == Some(close) {
            self.pos += 1;
            return Ok(args);
        }
        loop {
            args.push(self.expression()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(c) if c == close => {
                    self.pos += 1;
                    return Ok(args);
                }
                _ => return Err(self.error("expected `,` or a closing bracket")),
            }
        }
    }

    /// A full expression (logical or).
    pub(super) fn expression(&mut self) -> Result<Expr, CompileError> {
        self.enter()?;
        let result = self.binary(0);
        self.leave();
        result
    }

    /// Precedence climbing over Velocity's levels: or, and, equality, relational, additive,
    /// multiplicative.
    fn binary(&mut self, level: usize) -> Result<Expr, CompileError> {
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        loop {
            self.skip_ws();
            let Some(op) = self.operator(level) else {
                return Ok(left);
            };
            let right = self.binary(level + 1)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    /// Consumes an operator of the given level, if one is next.
    fn operator(&mut self, level: usize) -> Option<BinOp> {
        let levels = LEVELS.get(level)?;
        for (symbol, op) in levels.iter() {
            if self.starts_with(symbol) {
                let end = self.pos + symbol.len();
                let is_word = symbol.bytes().all(|b| b.is_ascii_alphabetic());
                let next = self.bytes().get(end).copied();
                if is_word && next.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') {
                    continue;
                }
                // Velocity lexes `-2` as a negative literal, so `3 -2` is two values in a row.
                if *op == BinOp::Sub && next.is_some_and(|c| c.is_ascii_digit()) {
                    continue;
                }
                self.pos = end;
                return Some(*op);
            }
        }
        None
    }

    fn unary(&mut self) -> Result<Expr, CompileError> {
        self.skip_ws();
        if self.peek() == Some(b'!') && self.peek_at(1) != Some(b'=') {
            self.pos += 1;
            self.enter()?;
            let operand = self.unary();
            self.leave();
            return Ok(Expr::Not(Box::new(operand?)));
        }
        if self.starts_with("not")
            && !self
                .peek_at(3)
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
        {
            self.pos += 3;
            self.enter()?;
            let operand = self.unary();
            self.leave();
            return Ok(Expr::Not(Box::new(operand?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, CompileError> {
        self.skip_ws();
        match self.peek() {
            Some(b'$') => Ok(Expr::Ref(self.reference()?)),
            Some(b'"') => self.double_quoted(),
            Some(b'\'') => self.single_quoted(),
            Some(b'(') => {
                self.pos += 1;
                let inner = self.expression()?;
                self.skip_ws();
                self.expect(b')', "`)`")?;
                Ok(Expr::Group(Box::new(inner)))
            }
            Some(b'[') => {
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(Expr::List(Vec::new()));
                }
                let first = self.expression()?;
                self.skip_ws();
                if self.starts_with("..") {
                    self.pos += 2;
                    let last = self.expression()?;
                    self.skip_ws();
                    self.expect(b']', "`]` closing the range")?;
                    return Ok(Expr::Range(Box::new(first), Box::new(last)));
                }
                let mut items = vec![first];
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => {
                            self.pos += 1;
                            items.push(self.expression()?);
                        }
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Expr::List(items));
                        }
                        _ => return Err(self.error("expected `,` or `]` in the list")),
                    }
                }
            }
            Some(b'{') => {
                self.pos += 1;
                let mut entries = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Expr::Map(entries));
                }
                loop {
                    let key = self.expression()?;
                    self.skip_ws();
                    self.expect(b':', "`:` in the map")?;
                    let value = self.expression()?;
                    entries.push((key, value));
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Expr::Map(entries));
                        }
                        _ => return Err(self.error("expected `,` or `}` in the map")),
                    }
                }
            }
            Some(c) if c.is_ascii_digit() || c == b'-' || c == b'.' => self.number(),
            Some(c) if c.is_ascii_alphabetic() => {
                let at = self.pos;
                match self.identifier(false) {
                    Some("true") => Ok(Expr::Bool(true)),
                    Some("false") => Ok(Expr::Bool(false)),
                    _ => Err(self.error_at(at, "expected a value")),
                }
            }
            _ => Err(self.error("expected a value")),
        }
    }

    /// Integer and floating-point literals, with an optional leading `-` as Velocity lexes them.
    fn number(&mut self) -> Result<Expr, CompileError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits_start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let int_digits = self.pos - digits_start;
        let mut float = false;
        if self.peek() == Some(b'.') && self.peek_at(1) != Some(b'.') {
            let frac_start = self.pos + 1;
            let mut end = frac_start;
            while self.bytes().get(end).is_some_and(|c| c.is_ascii_digit()) {
                end += 1;
            }
            if int_digits > 0 || end > frac_start {
                float = true;
                self.pos = end;
            }
        }
        if int_digits == 0 && !float {
            return Err(self.error_at(start, "expected a number"));
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let save = self.pos;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.pos += 1;
                }
                float = true;
            } else {
                self.pos = save;
            }
        }
        let text = self.slice(start, self.pos);
        if float {
            text.parse::<f64>()
                .map(Expr::Float)
                .map_err(|_| self.error_at(start, "invalid number"))
        } else {
            text.parse::<i64>()
                .map(Expr::Int)
                .map_err(|_| self.error_at(start, "integer literal out of range"))
        }
    }

    /// `"..."`: `""` is a quote; with `$` or `#` inside it is a template rendered on use.
    fn double_quoted(&mut self) -> Result<Expr, CompileError> {
        let start = self.pos;
        let content = self.quoted(b'"')?;
        if !content.contains(['$', '#']) {
            return Ok(Expr::Str(content));
        }
        let mut inner = Parser::new(&content, std::mem::take(&mut self.macros), self.depth);
        let result = inner.block();
        self.macros = std::mem::take(&mut inner.macros);
        match result {
            Ok((nodes, super::text::Closer::Eof)) => Ok(Expr::Interpolated(block(nodes))),
            Ok(_) => Err(self.error_at(
                start,
                "#end, #else or #elseif without a directive in a string",
            )),
            Err(e) => Err(self.error_at(start, format!("in string literal: {}", e.message))),
        }
    }

    fn single_quoted(&mut self) -> Result<Expr, CompileError> {
        self.quoted(b'\'').map(Expr::Str)
    }

    /// The content of a string quoted with `quote`, where a doubled quote stands for one.
    fn quoted(&mut self, quote: u8) -> Result<String, CompileError> {
        let start = self.pos;
        self.pos += 1;
        let mut content = String::new();
        loop {
            let from = self.pos;
            while self.peek().is_some_and(|c| c != quote) {
                self.pos += 1;
            }
            content.push_str(self.slice(from, self.pos));
            if self.peek().is_none() {
                return Err(self.error_at(start, "unterminated string literal"));
            }
            self.pos += 1;
            if self.peek() == Some(quote) {
                content.push(quote as char);
                self.pos += 1;
            } else {
                return Ok(content);
            }
        }
    }
}

/// Operators by precedence level, lowest first; longer symbols before their prefixes.
const LEVELS: &[&[(&str, BinOp)]] = &[
    &[("||", BinOp::Or), ("or", BinOp::Or)],
    &[("&&", BinOp::And), ("and", BinOp::And)],
    &[
        ("==", BinOp::Eq),
        ("!=", BinOp::Ne),
        ("eq", BinOp::Eq),
        ("ne", BinOp::Ne),
    ],
    &[
        ("<=", BinOp::Le),
        (">=", BinOp::Ge),
        ("<", BinOp::Lt),
        (">", BinOp::Gt),
        ("le", BinOp::Le),
        ("ge", BinOp::Ge),
        ("lt", BinOp::Lt),
        ("gt", BinOp::Gt),
    ],
    &[("+", BinOp::Add), ("-", BinOp::Sub)],
    &[("*", BinOp::Mul), ("/", BinOp::Div), ("%", BinOp::Mod)],
];
