//! AWS credentials from the standard chain, in the order the AWS SDKs read it: the environment
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), then the profile
//! `AWS_PROFILE` (else `default`) of the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`,
//! else `~/.aws/credentials`), then of the config file (`AWS_CONFIG_FILE`, else `~/.aws/config`,
//! where profiles are `[profile NAME]`). Only static keys: SSO, assumed roles and instance
//! metadata are not read.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A key pair, with the session token of temporary credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// How long credentials read from the chain are used before it is read again: a busy gateway then
/// reads its environment and files about once a minute instead of on every signed call, and keys
/// rotated in `~/.aws/credentials` are picked up within that minute. A failed read is not kept,
/// so fixing the setup takes effect at once.
const REFRESH: Duration = Duration::from_secs(60);

/// The process's credentials from the chain (its environment and files), read at most once per
/// [`REFRESH`].
pub fn current() -> Result<Arc<Credentials>, String> {
    static CHAIN: Reread = Reread::new();
    CHAIN.get(|name| std::env::var(name).ok(), Instant::now())
}

/// The last credentials read and when.
struct Reread {
    last: Mutex<Option<(Instant, Arc<Credentials>)>>,
}

impl Reread {
    const fn new() -> Reread {
        Reread {
            last: Mutex::new(None),
        }
    }

    fn get(
        &self,
        var: impl Fn(&str) -> Option<String>,
        now: Instant,
    ) -> Result<Arc<Credentials>, String> {
        // A panic elsewhere while holding the lock leaves a usable value (or none): keep going.
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((read, credentials)) = last.as_ref() {
            if now.saturating_duration_since(*read) < REFRESH {
                return Ok(credentials.clone());
            }
        }
        let fresh = Arc::new(from_chain(var)?);
        *last = Some((now, fresh.clone()));
        Ok(fresh)
    }
}

/// Reads the chain with `var` as the environment; `Err` says where it looked.
pub fn from_chain(var: impl Fn(&str) -> Option<String>) -> Result<Credentials, String> {
    let var = |name: &str| var(name).filter(|v| !v.is_empty());
    if let (Some(access_key_id), Some(secret_access_key)) =
        (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY"))
    {
        return Ok(Credentials {
            access_key_id,
            secret_access_key,
            session_token: var("AWS_SESSION_TOKEN"),
        });
    }
    let profile = var("AWS_PROFILE").unwrap_or_else(|| "default".into());
    let home = var("HOME").map(PathBuf::from);
    let in_home = |file: &str| home.as_ref().map(|h| h.join(".aws").join(file));
    let files = [
        (
            var("AWS_SHARED_CREDENTIALS_FILE")
                .map(PathBuf::from)
                .or_else(|| in_home("credentials")),
            profile.clone(),
        ),
        (
            var("AWS_CONFIG_FILE")
                .map(PathBuf::from)
                .or_else(|| in_home("config")),
            if profile == "default" {
                profile.clone()
            } else {
                format!("profile {profile}")
            },
        ),
    ];
    for (path, section) in files {
        let Some(text) = path.and_then(|p| std::fs::read_to_string(p).ok()) else {
            continue;
        };
        if let Some(found) = from_ini(&text, &section) {
            return Ok(found);
        }
    }
    Err(format!(
        "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give the profile {profile:?} \
         aws_access_key_id and aws_secret_access_key in ~/.aws/credentials"
    ))
}

/// The keys of `[section]` in an INI file as the AWS CLI writes it.
fn from_ini(text: &str, section: &str) -> Option<Credentials> {
    let mut current = None;
    let (mut id, mut secret, mut token) = (None, None, None);
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(name.trim().to_string());
            continue;
        }
        if current.as_deref() != Some(section) {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = Some(value.trim().to_string());
        match key.trim().to_ascii_lowercase().as_str() {
            "aws_access_key_id" => id = value,
            "aws_secret_access_key" => secret = value,
            "aws_session_token" => token = value,
            _ => {}
        }
    }
    Some(Credentials {
        access_key_id: id.filter(|v| !v.is_empty())?,
        secret_access_key: secret.filter(|v| !v.is_empty())?,
        session_token: token.filter(|v| !v.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use turnpike_testkit::TempDir;

    fn chain(vars: &[(&str, &str)]) -> Result<Credentials, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        from_chain(|name| vars.get(name).cloned())
    }

    #[test]
    fn credentials_are_reread_after_a_minute_and_failures_are_not_kept() {
        let reread = Reread::new();
        let start = Instant::now();
        let keys = |id: &'static str| {
            move |name: &str| match name {
                "AWS_ACCESS_KEY_ID" => Some(id.to_owned()),
                "AWS_SECRET_ACCESS_KEY" => Some("secret".to_owned()),
                "HOME" => Some("/nonexistent".to_owned()),
                _ => None,
            }
        };
        let nothing = |name: &str| (name == "HOME").then(|| "/nonexistent".to_owned());
        // No credentials yet: an error, and nothing kept.
        assert!(reread.get(nothing, start).is_err());
        let first = reread.get(keys("AKIDONE"), start).unwrap();
        assert_eq!(first.access_key_id, "AKIDONE");
        // Within the minute the chain is not read again, whatever it would say now.
        let later = start + Duration::from_secs(59);
        assert_eq!(
            reread.get(keys("AKIDTWO"), later).unwrap().access_key_id,
            "AKIDONE"
        );
        assert_eq!(reread.get(nothing, later).unwrap().access_key_id, "AKIDONE");
        // After it, rotated keys are picked up.
        let after = start + Duration::from_secs(61);
        assert_eq!(
            reread.get(keys("AKIDTWO"), after).unwrap().access_key_id,
            "AKIDTWO"
        );
    }

    #[test]
    fn the_environment_comes_first() {
        let found = chain(&[
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", "token"),
            ("HOME", "/nonexistent"),
        ])
        .unwrap();
        assert_eq!(found.access_key_id, "AKIDENV");
        assert_eq!(found.session_token.as_deref(), Some("token"));
    }

    #[test]
    fn profiles_come_from_the_credentials_then_the_config_file() {
        let home = TempDir::new();
        let aws = home.path().join(".aws");
        std::fs::create_dir_all(&aws).unwrap();
        std::fs::write(
            aws.join("credentials"),
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n\n\
             [dev]\naws_access_key_id=AKIDDEV\naws_secret_access_key=s2\naws_session_token=t2\n",
        )
        .unwrap();
        std::fs::write(
            aws.join("config"),
            "[profile ops]\nregion = eu-west-1\naws_access_key_id = AKIDOPS\naws_secret_access_key = s3\n",
        )
        .unwrap();
        let home_dir = home.path().to_str().unwrap();
        assert_eq!(
            chain(&[("HOME", home_dir)]).unwrap().access_key_id,
            "AKIDDEFAULT"
        );
        let dev = chain(&[("HOME", home_dir), ("AWS_PROFILE", "dev")]).unwrap();
        assert_eq!(
            (dev.access_key_id.as_str(), dev.session_token.as_deref()),
            ("AKIDDEV", Some("t2"))
        );
        assert_eq!(
            chain(&[("HOME", home_dir), ("AWS_PROFILE", "ops")])
                .unwrap()
                .access_key_id,
            "AKIDOPS"
        );
        let missing = chain(&[("HOME", home_dir), ("AWS_PROFILE", "nope")]).unwrap_err();
        assert_eq!(
            missing,
            "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give the profile \"nope\" \
             aws_access_key_id and aws_secret_access_key in ~/.aws/credentials"
        );
    }
}
