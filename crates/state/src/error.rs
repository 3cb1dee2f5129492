//! The crate's error type.

/// Why a state operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The embedded database could not be opened, read or written.
    #[error("state database {path}: {message}")]
    Database { path: String, message: String },
    /// Redis answered with an error, timed out or could not be reached.
    #[error("redis: {0}")]
    Redis(String),
    /// A stored record could not be decoded (written by an incompatible version?).
    #[error("corrupt state record {key}: {message}")]
    Corrupt { key: String, message: String },
    /// The request is invalid (AWS answers these with BadRequestException).
    #[error("{0}")]
    BadRequest(String),
    /// The record does not exist (AWS: NotFoundException).
    #[error("{0}")]
    NotFound(String),
    /// The record conflicts with an existing one (AWS: ConflictException).
    #[error("{0}")]
    Conflict(String),
}

impl StateError {
    pub(crate) fn db(path: &std::path::Path, error: impl std::fmt::Display) -> StateError {
        StateError::Database {
            path: path.display().to_string(),
            message: error.to_string(),
        }
    }
}

impl From<redis::RedisError> for StateError {
    fn from(error: redis::RedisError) -> StateError {
        StateError::Redis(error.to_string())
    }
}
