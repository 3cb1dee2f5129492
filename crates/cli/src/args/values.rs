//! Value parsers for the options whose values have a syntax of their own: `--stage-var
//! [STAGE:]KEY=VALUE`, `--stage NAME`, and SAM CLI's `--parameter-overrides`.

/// The `KEY=VALUE` pairs of one `--parameter-overrides` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterOverrides(pub Vec<(String, String)>);

/// One `--parameter-overrides` value: whitespace-separated `KEY=VALUE` pairs (values may be
/// quoted with `"` or `'`) or `ParameterKey=KEY,ParameterValue=VALUE`, as SAM CLI reads them.
pub fn parse_parameter_overrides(s: &str) -> Result<ParameterOverrides, String> {
    let tokens = split_quoted(s)?;
    if tokens.is_empty() {
        return Err("expected KEY=VALUE".into());
    }
    tokens
        .into_iter()
        .map(|token| {
            let long = token
                .strip_prefix("ParameterKey=")
                .and_then(|rest| rest.split_once(",ParameterValue="));
            let (key, value) = match long {
                Some(pair) => pair,
                None => token.split_once('=').ok_or_else(|| {
                    format!(
                        "expected KEY=VALUE, got {token:?} (quote values with spaces: \
                         Key=\"a b\"; put PATH before --parameter-overrides)"
                    )
                })?,
            };
            // CloudFormation's rule for parameter names (logical ids).
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(format!(
                    "invalid parameter name {key:?}: template parameter names are letters and digits"
                ));
            }
            Ok((key.to_string(), value.to_string()))
        })
        .collect::<Result<_, _>>()
        .map(ParameterOverrides)
}

/// Splits at unquoted whitespace; quotes group and are removed (`K="a b"` → `K=a b`).
fn split_quoted(s: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut current: Option<String> = None;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => current.get_or_insert_with(String::new).push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                current.get_or_insert_with(String::new);
            }
            None if c.is_whitespace() => tokens.extend(current.take()),
            None => current.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some(q) = quote {
        return Err(format!("unterminated {q} quote in {s:?}"));
    }
    tokens.extend(current);
    Ok(tokens)
}

/// One `--stage-var`: `KEY=VALUE` applies to every stage, `STAGE:KEY=VALUE` to one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageVar {
    pub stage: Option<String>,
    pub key: String,
    pub value: String,
}

impl StageVar {
    /// Parses `[STAGE:]KEY=VALUE`. The split is at the first `=`, so values may contain `:` and `=`
    /// (URLs do); the stage prefix is what precedes the first `:` of the part before it.
    pub fn parse(s: &str) -> Result<StageVar, String> {
        const EXPECTED: &str = "expected KEY=VALUE or STAGE:KEY=VALUE";
        let (left, value) = s
            .split_once('=')
            .ok_or_else(|| format!("{EXPECTED}, got {s:?}"))?;
        let (stage, key) = match left.split_once(':') {
            Some((stage, key)) => (Some(parse_stage_name(stage)?), key),
            None => (None, left),
        };
        if key.is_empty() {
            return Err(format!("{EXPECTED}, got {s:?} (the KEY is empty)"));
        }
        // API Gateway's rule for variable names; values are free text here.
        if !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!(
                "invalid stage variable name {key:?}: only letters, digits and underscores are allowed"
            ));
        }
        Ok(StageVar {
            stage,
            key: key.to_string(),
            value: value.to_string(),
        })
    }
}

/// Stage names as API Gateway allows them: letters, digits, `-` and `_` (1 to 128), or `$default`.
pub fn parse_stage_name(s: &str) -> Result<String, String> {
    let valid = s == "$default"
        || (!s.is_empty()
            && s.len() <= 128
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    if valid {
        Ok(s.to_string())
    } else {
        Err(format!(
            "invalid stage name {s:?}: use 1 to 128 letters, digits, '-' or '_', or $default"
        ))
    }
}

/// One `--jwks-url ISSUER=URL`: where to fetch the keys of tokens issued by ISSUER.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksUrl {
    pub issuer: String,
    pub url: String,
}

impl JwksUrl {
    /// `ISSUER=URL`, split at the first `=` (issuers are URLs without one; the JWKS URL may have a
    /// query).
    pub fn parse(s: &str) -> Result<JwksUrl, String> {
        match s.split_once('=') {
            Some((issuer, url)) if !issuer.is_empty() && !url.is_empty() => Ok(JwksUrl {
                issuer: issuer.to_string(),
                url: url.to_string(),
            }),
            _ => Err(format!("expected ISSUER=URL, got {s:?}")),
        }
    }
}

/// `--aws-endpoint-url`: an absolute http(s) URL.
pub fn parse_endpoint_url(text: &str) -> Result<String, String> {
    let lower = text.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') => Ok(text.to_owned()),
        _ => Err(format!(
            "expected an absolute http:// or https:// URL such as http://localhost:4566; found {text:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(stage: Option<&str>, key: &str, value: &str) -> StageVar {
        StageVar {
            stage: stage.map(str::to_string),
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn stage_var_for_all_stages() {
        assert_eq!(
            StageVar::parse("backend=a").unwrap(),
            var(None, "backend", "a")
        );
    }

    #[test]
    fn stage_var_for_one_stage_keeps_colons_and_equals_in_the_value() {
        assert_eq!(
            StageVar::parse("prod:url=http://127.0.0.1:9000/x?a=b").unwrap(),
            var(Some("prod"), "url", "http://127.0.0.1:9000/x?a=b")
        );
        assert_eq!(
            StageVar::parse("$default:k=v").unwrap(),
            var(Some("$default"), "k", "v")
        );
    }

    #[test]
    fn stage_var_may_have_an_empty_value() {
        assert_eq!(StageVar::parse("k=").unwrap(), var(None, "k", ""));
    }

    #[test]
    fn stage_var_without_equals_is_explained() {
        assert_eq!(
            StageVar::parse("foo").unwrap_err(),
            "expected KEY=VALUE or STAGE:KEY=VALUE, got \"foo\""
        );
    }

    #[test]
    fn stage_var_with_empty_key_is_explained() {
        assert_eq!(
            StageVar::parse("prod:=1").unwrap_err(),
            "expected KEY=VALUE or STAGE:KEY=VALUE, got \"prod:=1\" (the KEY is empty)"
        );
    }

    #[test]
    fn stage_var_name_follows_api_gateway_rules() {
        assert_eq!(
            StageVar::parse("my-var=1").unwrap_err(),
            "invalid stage variable name \"my-var\": only letters, digits and underscores are allowed"
        );
    }

    #[test]
    fn stage_var_with_bad_stage_is_explained() {
        assert_eq!(
            StageVar::parse("pr od:k=1").unwrap_err(),
            "invalid stage name \"pr od\": use 1 to 128 letters, digits, '-' or '_', or $default"
        );
    }

    #[test]
    fn jwks_url_splits_at_the_first_equals() {
        assert_eq!(
            JwksUrl::parse("https://issuer.example/pool=http://127.0.0.1:9/keys?a=b"),
            Ok(JwksUrl {
                issuer: "https://issuer.example/pool".into(),
                url: "http://127.0.0.1:9/keys?a=b".into()
            })
        );
        assert_eq!(
            JwksUrl::parse("https://issuer.example"),
            Err("expected ISSUER=URL, got \"https://issuer.example\"".into())
        );
    }

    #[test]
    fn stage_names() {
        assert_eq!(parse_stage_name("prod_2-a").unwrap(), "prod_2-a");
        assert_eq!(parse_stage_name("$default").unwrap(), "$default");
        assert!(parse_stage_name("").is_err());
        assert!(parse_stage_name("a/b").is_err());
        assert!(parse_stage_name(&"a".repeat(129)).is_err());
    }

    fn pairs(list: &[(&str, &str)]) -> ParameterOverrides {
        ParameterOverrides(
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn parameter_overrides_read_as_sam_cli_reads_them() {
        assert_eq!(
            parse_parameter_overrides("Env=prod Table=t1").unwrap(),
            pairs(&[("Env", "prod"), ("Table", "t1")])
        );
        assert_eq!(
            parse_parameter_overrides(r#"Greeting="Good day" Url='http://x/?a=b'"#).unwrap(),
            pairs(&[("Greeting", "Good day"), ("Url", "http://x/?a=b")])
        );
        assert_eq!(
            parse_parameter_overrides("ParameterKey=Env,ParameterValue=prod").unwrap(),
            pairs(&[("Env", "prod")])
        );
        assert_eq!(
            parse_parameter_overrides("Empty=").unwrap(),
            pairs(&[("Empty", "")])
        );
    }

    #[test]
    fn parameter_override_mistakes_are_explained() {
        assert_eq!(
            parse_parameter_overrides("template.yaml").unwrap_err(),
            "expected KEY=VALUE, got \"template.yaml\" (quote values with spaces: Key=\"a b\"; \
             put PATH before --parameter-overrides)"
        );
        assert_eq!(
            parse_parameter_overrides("my-key=1").unwrap_err(),
            "invalid parameter name \"my-key\": template parameter names are letters and digits"
        );
        assert_eq!(
            parse_parameter_overrides("A=\"open").unwrap_err(),
            "unterminated \" quote in \"A=\\\"open\""
        );
        assert_eq!(
            parse_parameter_overrides("  ").unwrap_err(),
            "expected KEY=VALUE"
        );
    }

    #[test]
    fn endpoint_urls_are_absolute_http() {
        assert_eq!(
            parse_endpoint_url("http://127.0.0.1:5000").unwrap(),
            "http://127.0.0.1:5000"
        );
        assert_eq!(
            parse_endpoint_url("localhost:4566").unwrap_err(),
            "expected an absolute http:// or https:// URL such as http://localhost:4566; found \"localhost:4566\""
        );
    }
}
