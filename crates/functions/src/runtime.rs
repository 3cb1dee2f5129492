//! Lambda runtime identifiers (`python3.12`, `provided.al2023`, ...).

use std::fmt;
use std::str::FromStr;

use crate::config::ConfigError;

/// A Lambda runtime, as the `Runtime` property of a function names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Runtime {
    /// `provided`: an executable `bootstrap` in the code directory.
    Provided,
    /// `provided.al2`: an executable `bootstrap` in the code directory.
    ProvidedAl2,
    /// `provided.al2023`: an executable `bootstrap` in the code directory.
    ProvidedAl2023,
    /// `python3.x`; holds the version, e.g. `"3.12"`.
    Python(String),
    /// `nodejsN.x`; holds the version, e.g. `"20.x"`.
    Nodejs(String),
}

impl Runtime {
    /// Parses an AWS runtime identifier such as `python3.12`, `nodejs20.x` or `provided.al2023`.
    pub fn parse(id: &str) -> Option<Runtime> {
        match id {
            "provided" => return Some(Runtime::Provided),
            "provided.al2" => return Some(Runtime::ProvidedAl2),
            "provided.al2023" => return Some(Runtime::ProvidedAl2023),
            _ => {}
        }
        if let Some(version) = id.strip_prefix("python") {
            let (major, minor) = version.split_once('.')?;
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            return (major == "3" && digits(minor)).then(|| Runtime::Python(version.to_string()));
        }
        if let Some(version) = id.strip_prefix("nodejs") {
            let major = version.strip_suffix(".x")?;
            let valid = !major.is_empty() && major.bytes().all(|b| b.is_ascii_digit());
            return valid.then(|| Runtime::Nodejs(version.to_string()));
        }
        None
    }

    /// True for the `provided*` runtimes, whose entry point is the code directory's `bootstrap`.
    pub fn is_provided(&self) -> bool {
        matches!(
            self,
            Runtime::Provided | Runtime::ProvidedAl2 | Runtime::ProvidedAl2023
        )
    }

    /// `AWS_EXECUTION_ENV` as Lambda sets it; the OS-only (`provided*`) runtimes have none.
    pub(crate) fn execution_env(&self) -> Option<String> {
        match self {
            Runtime::Python(_) | Runtime::Nodejs(_) => Some(format!("AWS_Lambda_{self}")),
            _ => None,
        }
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Runtime::Provided => f.write_str("provided"),
            Runtime::ProvidedAl2 => f.write_str("provided.al2"),
            Runtime::ProvidedAl2023 => f.write_str("provided.al2023"),
            Runtime::Python(version) => write!(f, "python{version}"),
            Runtime::Nodejs(version) => write!(f, "nodejs{version}"),
        }
    }
}

impl FromStr for Runtime {
    type Err = ConfigError;

    fn from_str(id: &str) -> Result<Runtime, ConfigError> {
        Runtime::parse(id).ok_or_else(|| ConfigError::UnknownRuntime(id.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::Runtime;

    #[test]
    fn parses_and_prints_aws_identifiers() {
        for id in [
            "provided",
            "provided.al2",
            "provided.al2023",
            "python3.9",
            "python3.12",
            "nodejs20.x",
        ] {
            let runtime = Runtime::parse(id).unwrap();
            assert_eq!(runtime.to_string(), id);
        }
        assert_eq!(
            Runtime::parse("python3.12"),
            Some(Runtime::Python("3.12".into()))
        );
        assert_eq!(
            Runtime::parse("nodejs18.x"),
            Some(Runtime::Nodejs("18.x".into()))
        );
    }

    #[test]
    fn rejects_unknown_identifiers() {
        for id in [
            "python2.7",
            "python3",
            "python3.",
            "nodejs",
            "nodejs20",
            "java21",
            "",
        ] {
            assert_eq!(Runtime::parse(id), None, "{id}");
        }
        assert_eq!(
            "go1.x".parse::<Runtime>().unwrap_err().to_string(),
            "unknown runtime `go1.x`: Turnpike runs provided, provided.al2, provided.al2023, python3.x and nodejsN.x"
        );
    }

    #[test]
    fn execution_env_is_set_for_language_runtimes_only() {
        assert_eq!(
            Runtime::Python("3.12".into()).execution_env().as_deref(),
            Some("AWS_Lambda_python3.12")
        );
        assert_eq!(Runtime::ProvidedAl2023.execution_env(), None);
    }
}
