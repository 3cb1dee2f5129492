//! The compiled form of a template: a tree of nodes that the renderer walks.

use std::sync::Arc;

/// A sequence of nodes; shared so `#define` and macros can hand blocks around cheaply.
pub(crate) type Block = Arc<[Node]>;

/// Where a node starts in the source, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug)]
pub(crate) enum Node {
    Text(String),
    /// A reference in text; `escapes` is the number of backslashes right before it.
    Ref {
        reference: Reference,
        escapes: usize,
    },
    Set {
        target: Reference,
        value: Expr,
    },
    If {
        branches: Vec<(Expr, Block)>,
        otherwise: Option<Block>,
    },
    Foreach {
        var: String,
        iterable: Expr,
        body: Block,
    },
    Break,
    Stop,
    Define {
        name: String,
        body: Block,
    },
    Evaluate {
        source: Expr,
        pos: Pos,
    },
    /// `#name(args)`: a macro call, resolved at render time (Velocity allows forward references).
    /// `raw` is the source text, written out when no such macro exists.
    Call {
        name: String,
        /// Shared because Velocity passes macro arguments by name: each use re-evaluates them.
        args: Vec<Arc<Expr>>,
        raw: String,
        pos: Pos,
    },
}

/// `$a.b.c(x)[0]`, with its exact source text for rendering it unresolved.
#[derive(Debug)]
pub(crate) struct Reference {
    pub root: String,
    pub parts: Vec<Part>,
    pub quiet: bool,
    pub raw: String,
    pub pos: Pos,
}

#[derive(Debug)]
pub(crate) enum Part {
    Property(String),
    Method(String, Vec<Expr>),
    Index(Expr),
}

#[derive(Debug)]
pub(crate) enum Expr {
    Ref(Reference),
    Str(String),
    /// A double-quoted string with `$` or `#` in it: rendered as a template.
    Interpolated(Block),
    Int(i64),
    Float(f64),
    Bool(bool),
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Range(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `( expr )`.
    Group(Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}
