//! Locally configured AWS credentials, read from a file in the format of `~/.aws/credentials`.

use std::collections::HashMap;
use std::path::Path;

/// One profile's credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Profile {
    /// The section name, e.g. `default`.
    pub(crate) name: String,
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
    /// When set, requests must carry it as `X-Amz-Security-Token`.
    pub(crate) session_token: Option<String>,
    /// `aws_account_id`, else `000000000000`; the caller's account in `$context.identity`.
    pub(crate) account_id: String,
}

/// The profiles of a credentials file, by access key id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Credentials {
    by_access_key: HashMap<String, Profile>,
}

/// A credentials file that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CredentialsError {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}:{line}: expected `[profile]` or `key = value`")]
    Syntax { path: String, line: usize },
    #[error("{path}: profile [{profile}] lacks {key}")]
    Missing {
        path: String,
        profile: String,
        key: &'static str,
    },
    #[error("{path}: access key {access_key} appears in more than one profile")]
    Duplicate { path: String, access_key: String },
}

/// The account id a profile without `aws_account_id` belongs to.
const DEFAULT_ACCOUNT_ID: &str = "000000000000";

impl Credentials {
    /// Reads the credentials file at `path`.
    pub(crate) fn load(path: &Path) -> Result<Credentials, CredentialsError> {
        let text = std::fs::read_to_string(path).map_err(|e| CredentialsError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Credentials::parse(&path.display().to_string(), &text)
    }

    /// Parses credentials file text; `path` names it in errors. Profiles without an access key
    /// (e.g. only `region`) are ignored.
    pub(crate) fn parse(path: &str, text: &str) -> Result<Credentials, CredentialsError> {
        let mut sections: Vec<(String, HashMap<String, String>)> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                let name = name.trim();
                let name = name.strip_prefix("profile ").unwrap_or(name).trim();
                sections.push((name.to_owned(), HashMap::new()));
                continue;
            }
            let syntax = || CredentialsError::Syntax {
                path: path.to_owned(),
                line: index + 1,
            };
            let (key, value) = line.split_once('=').ok_or_else(syntax)?;
            let (_, section) = sections.last_mut().ok_or_else(syntax)?;
            section.insert(key.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
        let mut by_access_key = HashMap::new();
        for (name, mut section) in sections {
            let Some(access_key_id) = section.remove("aws_access_key_id") else {
                continue;
            };
            let secret_access_key = section.remove("aws_secret_access_key").ok_or_else(|| {
                CredentialsError::Missing {
                    path: path.to_owned(),
                    profile: name.clone(),
                    key: "aws_secret_access_key",
                }
            })?;
            let profile = Profile {
                name,
                access_key_id: access_key_id.clone(),
                secret_access_key,
                session_token: section.remove("aws_session_token"),
                account_id: section
                    .remove("aws_account_id")
                    .unwrap_or_else(|| DEFAULT_ACCOUNT_ID.to_owned()),
            };
            if by_access_key
                .insert(access_key_id.clone(), profile)
                .is_some()
            {
                return Err(CredentialsError::Duplicate {
                    path: path.to_owned(),
                    access_key: access_key_id,
                });
            }
        }
        Ok(Credentials { by_access_key })
    }

    /// The profile whose access key id is `access_key_id`.
    pub(crate) fn get(&self, access_key_id: &str) -> Option<&Profile> {
        self.by_access_key.get(access_key_id)
    }

    /// How many profiles have credentials.
    pub(crate) fn len(&self) -> usize {
        self.by_access_key.len()
    }
}
