//! Load errors: every problem in a user's document, with where it is.

use std::fmt;
use std::path::PathBuf;

/// One problem in a document.
///
/// Displays as `file:line:column: /json/pointer: message`, so editors can jump to it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    pub file: PathBuf,
    /// 1-based; 0 when the document could not be read at all.
    pub line: usize,
    /// 1-based; 0 when unknown.
    pub column: usize,
    /// JSON pointer (RFC 6901) of the offending node; empty for the whole document.
    pub pointer: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        let pointer = if self.pointer.is_empty() {
            "(document)"
        } else {
            &self.pointer
        };
        write!(f, ": {pointer}: {}", self.message)
    }
}

/// All the problems found in one load; never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadErrors(pub Vec<LoadError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}
