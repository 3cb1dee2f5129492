//! Cache keys: the API, stage, method and resource path, then the values of the method's
//! `cacheKeyParameters`, so requests differing only in other parameters share an entry.

use std::fmt::Write;

use http::HeaderName;

use crate::mapping::MethodRequest;

/// One `cacheKeyParameters` entry, parsed at deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyPart {
    Path(String),
    Query(String),
    MultiQuery(String),
    Header(HeaderName),
    MultiHeader(HeaderName),
}

impl KeyPart {
    /// `method.request.querystring.q` → `Query("q")`; `None` for what the loader would refuse.
    pub(crate) fn parse(parameter: &str) -> Option<KeyPart> {
        let rest = parameter.strip_prefix("method.request.")?;
        let (place, name) = rest.split_once('.')?;
        let header = || HeaderName::from_bytes(name.as_bytes()).ok();
        Some(match place {
            "path" => KeyPart::Path(name.to_owned()),
            "querystring" => KeyPart::Query(name.to_owned()),
            "multivaluequerystring" => KeyPart::MultiQuery(name.to_owned()),
            "header" => KeyPart::Header(header()?),
            "multivalueheader" => KeyPart::MultiHeader(header()?),
            _ => return None,
        })
    }
}

/// Appends one value, length first, so no value can be mistaken for a separator.
fn push(key: &mut String, value: Option<&str>) {
    match value {
        Some(v) => {
            let _ = write!(key, "|{}:{v}", v.len());
        }
        None => key.push_str("|-"),
    }
}

/// The key of a request: `prefix` (API, stage, method and resource path, built at deployment)
/// then each key part's values in order.
pub(crate) fn build(prefix: &str, parts: &[KeyPart], request: &MethodRequest<'_>) -> String {
    let mut key = String::with_capacity(prefix.len() + parts.len() * 16);
    key.push_str(prefix);
    for part in parts {
        match part {
            KeyPart::Path(name) => push(&mut key, request.path_param(name)),
            KeyPart::Query(name) => push(&mut key, request.query_param(name).as_deref()),
            KeyPart::MultiQuery(name) => {
                let values = request.query_values(name);
                let _ = write!(key, "|{}", values.len());
                for v in &values {
                    push(&mut key, Some(v));
                }
            }
            KeyPart::Header(name) => push(&mut key, request.header(name).as_deref()),
            KeyPart::MultiHeader(name) => {
                let values: Vec<&str> = request
                    .headers
                    .get_all(name)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .collect();
                let _ = write!(key, "|{}", values.len());
                for v in values {
                    push(&mut key, Some(v));
                }
            }
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use http::HeaderMap;

    use super::*;

    fn key(parts: &[&str], query: Option<&str>, headers: &[(&str, &str)]) -> String {
        let parts: Vec<KeyPart> = parts.iter().map(|p| KeyPart::parse(p).unwrap()).collect();
        let mut map = HeaderMap::new();
        for (n, v) in headers {
            map.append(
                HeaderName::from_bytes(n.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        let request = MethodRequest {
            headers: &map,
            query,
            path_params: None,
        };
        build("api/dev/GET /items", &parts, &request)
    }

    #[test]
    fn only_key_parameters_separate_entries() {
        let q = ["method.request.querystring.q"];
        assert_eq!(key(&q, Some("q=1&x=2"), &[]), key(&q, Some("x=3&q=1"), &[]));
        assert_ne!(key(&q, Some("q=1"), &[]), key(&q, Some("q=2"), &[]));
        assert_ne!(key(&q, Some("q="), &[]), key(&q, None, &[]));
        assert_eq!(key(&q, Some("q=1"), &[]), "api/dev/GET /items|1:1");
        let h = ["method.request.header.X-Tenant"];
        assert_ne!(
            key(&h, None, &[("x-tenant", "a")]),
            key(&h, None, &[("x-tenant", "b")])
        );
        assert_eq!(key(&h, None, &[("x-other", "a")]), key(&h, None, &[]));
    }

    #[test]
    fn multivalue_parameters_use_every_value() {
        let m = ["method.request.multivaluequerystring.tag"];
        assert_ne!(
            key(&m, Some("tag=a&tag=b"), &[]),
            key(&m, Some("tag=a"), &[])
        );
        let mh = ["method.request.multivalueheader.accept"];
        assert_ne!(
            key(&mh, None, &[("accept", "a"), ("accept", "b")]),
            key(&mh, None, &[("accept", "a")])
        );
        assert_eq!(KeyPart::parse("method.request.body.x"), None);
    }
}
