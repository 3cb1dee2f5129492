//! Cache keys: the API, stage, method and resource path (or the method's `cacheNamespace`), then
//! the values of the method's `cacheKeyParameters`, so requests differing only in other
//! parameters share an entry.

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

/// The fixed start of a cached method's keys, built at deployment, with the key parts in the
/// order their values follow it.
///
/// `stage_prefix` is `{api}/{stage}/{METHOD}`.
/// - Without a namespace: `{stage_prefix} {resource path}`, parts in document order.
/// - With one: `{stage_prefix} #{len}:{namespace}`, then each parameter as
///   `;{len}:{parameter}`, sorted. Resources sharing a namespace share entries only when they key
///   on the same parameters, whatever order they list them in: a value of one parameter is
///   never taken for another's. `#` cannot start a resource path, so no namespace reads as one.
pub(crate) fn route_prefix(
    stage_prefix: &str,
    path: &str,
    namespace: Option<&str>,
    parameters: &[String],
) -> (String, Vec<KeyPart>) {
    let mut parsed: Vec<(&str, KeyPart)> = parameters
        .iter()
        .filter_map(|p| Some((p.as_str(), KeyPart::parse(p)?)))
        .collect();
    let Some(namespace) = namespace else {
        let prefix = format!("{stage_prefix} {path}");
        return (prefix, parsed.into_iter().map(|(_, part)| part).collect());
    };
    parsed.sort_by(|a, b| a.0.cmp(b.0));
    parsed.dedup_by(|a, b| a.0 == b.0);
    let mut prefix = format!("{stage_prefix} #{}:{namespace}", namespace.len());
    for (parameter, _) in &parsed {
        let _ = write!(prefix, ";{}:{parameter}", parameter.len());
    }
    (prefix, parsed.into_iter().map(|(_, part)| part).collect())
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
    use crate::router::PathParams;

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

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn without_a_namespace_the_resource_path_leads_the_key() {
        let (prefix, parts) = route_prefix(
            "api/dev/GET",
            "/pets/{id}",
            None,
            &strings(&["method.request.querystring.q", "method.request.path.id"]),
        );
        assert_eq!(prefix, "api/dev/GET /pets/{id}");
        assert_eq!(
            parts,
            [KeyPart::Query("q".into()), KeyPart::Path("id".into())]
        );
    }

    #[test]
    fn a_namespace_replaces_the_resource_path_and_names_the_sorted_parameters() {
        let parameters = strings(&["method.request.querystring.q", "method.request.path.id"]);
        let (prefix, parts) = route_prefix("api/dev/GET", "/pets/{id}", Some("pets"), &parameters);
        assert_eq!(
            prefix,
            "api/dev/GET #4:pets;22:method.request.path.id;28:method.request.querystring.q"
        );
        assert_eq!(
            parts,
            [KeyPart::Path("id".into()), KeyPart::Query("q".into())]
        );
        // Another resource of the namespace listing the same parameters in another order.
        let reversed = strings(&["method.request.path.id", "method.request.querystring.q"]);
        assert_eq!(
            route_prefix("api/dev/GET", "/animals/{id}", Some("pets"), &reversed),
            (prefix, parts)
        );
        // No parameters: the namespace alone; a namespace spelled like a path is still none.
        assert_eq!(
            route_prefix("api/dev/GET", "/a", Some("/a"), &[]).0,
            "api/dev/GET #2:/a"
        );
    }

    #[test]
    fn resources_of_one_namespace_share_keys_when_their_values_match() {
        let parameters = strings(&["method.request.path.id"]);
        let params: PathParams = [("id", "7")].into_iter().collect();
        let map = HeaderMap::new();
        let request = MethodRequest {
            headers: &map,
            query: Some("x=1"),
            path_params: Some(&params),
        };
        let key = |path: &str, namespace: Option<&str>| {
            let (prefix, parts) = route_prefix("api/dev/GET", path, namespace, &parameters);
            build(&prefix, &parts, &request)
        };
        assert_eq!(
            key("/pets/{id}", Some("pets")),
            "api/dev/GET #4:pets;22:method.request.path.id|1:7"
        );
        assert_eq!(
            key("/pets/{id}", Some("pets")),
            key("/animals/{id}", Some("pets"))
        );
        assert_eq!(key("/pets/{id}", None), "api/dev/GET /pets/{id}|1:7");
        assert_ne!(key("/pets/{id}", None), key("/animals/{id}", None));
        assert_ne!(
            key("/pets/{id}", Some("pets")),
            key("/pets/{id}", Some("dogs"))
        );
    }
}
