//! Errors of compiling and rendering a template.

use std::fmt;

/// A template that does not parse: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// 1-based line of the offending character.
    pub line: usize,
    /// 1-based column (in characters) of the offending character.
    pub column: usize,
    /// What is wrong there.
    pub message: String,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for CompileError {}

/// A template that compiled but could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// A method threw in Java terms (index out of bounds, bad regex, invalid JSONPath...).
    #[error("line {line}, column {column}: {message}")]
    Method {
        line: usize,
        column: usize,
        message: String,
    },
    /// `#evaluate` was given a string that does not compile.
    #[error("#evaluate: {0}")]
    Evaluate(CompileError),
    /// The template ran longer than its step budget (runaway macros or nested loops).
    #[error("template exceeded its budget of {0} evaluation steps")]
    StepBudget(u64),
    /// The output grew past the limit.
    #[error("template output exceeded {0} bytes")]
    OutputTooLarge(usize),
    /// Macros or `#evaluate` nested deeper than Velocity's limit (20), or blocks nested deeper
    /// than 256 across macro calls.
    #[error("nesting of macros, #evaluate or blocks exceeded depth {0}")]
    TooDeep(usize),
    /// A range literal would build a list larger than allowed.
    #[error("range [{0}..{1}] is too large")]
    RangeTooLarge(i64, i64),
}
