//! An HTTP API's CORS configuration (`corsConfiguration`, `x-amazon-apigateway-cors`, SAM
//! `CorsConfiguration`): the gateway answers preflight requests itself and adds the headers to
//! every response, ignoring those the back end sends.

/// `corsConfiguration` as AWS defines it. Lists keep the order the user wrote; the gateway joins
/// them with `,` into the response headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cors {
    /// `*`, `https://*` / `http://*` (any origin with that scheme), or exact origins.
    pub allow_origins: Vec<String>,
    /// Methods, or `*`.
    pub allow_methods: Vec<String>,
    /// Request headers, or `*`.
    pub allow_headers: Vec<String>,
    /// Response headers a browser may read, or `*`.
    pub expose_headers: Vec<String>,
    /// Seconds a browser may cache the preflight answer; AWS allows -1 (no caching) to 86400.
    pub max_age: Option<i32>,
    pub allow_credentials: bool,
}

/// AWS's bounds for `maxAge`.
pub const CORS_MAX_AGE_RANGE: std::ops::RangeInclusive<i64> = -1..=86_400;

impl Cors {
    /// What AWS rejects in a configuration, as a sentence naming the property; `None` when valid.
    pub fn problem(&self) -> Option<String> {
        if self.allow_credentials && self.allow_origins.iter().any(|o| o == "*") {
            return Some(
                "allowCredentials cannot be true while allowOrigins contains \"*\": browsers refuse credentials with a wildcard origin; list the origins instead"
                    .to_owned(),
            );
        }
        if let Some(bad) = self.allow_origins.iter().find(|o| !valid_origin(o)) {
            return Some(format!(
                "allowOrigins entry \"{bad}\" is not an origin; expected \"*\", \"https://*\", \"http://*\" or scheme://host[:port] such as \"https://www.example.com\""
            ));
        }
        None
    }
}

/// `*`, `scheme://*`, or `scheme://host[:port]` with nothing after the authority.
fn valid_origin(origin: &str) -> bool {
    if origin == "*" {
        return true;
    }
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    let scheme_ok = !scheme.is_empty()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    scheme_ok && !rest.is_empty() && !rest.contains('/') && !rest.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cors(origins: &[&str], credentials: bool) -> Cors {
        Cors {
            allow_origins: origins.iter().map(|s| s.to_string()).collect(),
            allow_credentials: credentials,
            ..Cors::default()
        }
    }

    #[test]
    fn accepts_wildcards_and_exact_origins() {
        let ok = cors(
            &["*", "https://*", "http://*", "https://app.example.com:8443"],
            false,
        );
        assert_eq!(ok.problem(), None);
    }

    #[test]
    fn rejects_credentials_with_a_wildcard_origin() {
        let message = cors(&["*"], true).problem().unwrap();
        assert!(
            message
                .starts_with("allowCredentials cannot be true while allowOrigins contains \"*\""),
            "{message}"
        );
        assert_eq!(cors(&["https://a.example"], true).problem(), None);
    }

    #[test]
    fn rejects_what_is_not_an_origin() {
        for bad in [
            "example.com",
            "https://example.com/path",
            "://x",
            "https://",
            "https://a b",
        ] {
            let message = cors(&[bad], false).problem().unwrap();
            assert!(
                message.contains(&format!("\"{bad}\" is not an origin")),
                "{message}"
            );
        }
    }
}
