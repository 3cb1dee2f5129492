//! Integration URIs: `http://backend/pets/{petId}`, `http://${stageVariables.host}/{proxy}`.
//!
//! The URI is parsed once per deployment into text and placeholders; per request it is rendered
//! into one string. Path parameters are percent-encoded for where they land: a path segment (`/`
//! encoded), a greedy `{proxy+}` value (`/` kept, so `a/b` stays two segments), or the query
//! string. REST path parameters arrive raw (as the client encoded them), so their `%` escapes are
//! kept; HTTP API values arrive decoded and are encoded whole. Stage variables are inserted as they are, since
//! they often hold a host name or a whole base URL.

use std::borrow::Cow;
use std::collections::BTreeMap;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

/// Characters encoded in a single path segment.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A greedy path value keeps its slashes.
const GREEDY: &AsciiSet = &SEGMENT.remove(b'/');

/// The same sets for values that are still percent-encoded (REST path parameters are raw).
const SEGMENT_RAW: &AsciiSet = &SEGMENT.remove(b'%');
const GREEDY_RAW: &AsciiSet = &GREEDY.remove(b'%');
const QUERY_RAW: &AsciiSet = &QUERY.remove(b'%');

/// Characters encoded in a query-string name or value.
pub(crate) const QUERY: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Segment,
    Greedy,
    Query,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(Box<str>),
    Param { name: Box<str>, place: Place },
    StageVariable(Box<str>),
}

/// A compiled integration URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UriTemplate {
    parts: Vec<Part>,
    len_hint: usize,
}

impl UriTemplate {
    /// Parses `uri`; `greedy` names the route's greedy parameters (`proxy` for `{proxy+}`).
    pub(crate) fn parse(uri: &str, greedy: &[&str]) -> UriTemplate {
        let bytes = uri.as_bytes();
        let mut parts = Vec::new();
        let mut text_start = 0;
        let mut in_query = false;
        let mut i = 0;
        while i < bytes.len() {
            let (start, inner_start) = match bytes[i] {
                b'?' => {
                    in_query = true;
                    i += 1;
                    continue;
                }
                b'$' if bytes.get(i + 1) == Some(&b'{') => (i, i + 2),
                b'{' => (i, i + 1),
                _ => {
                    i += 1;
                    continue;
                }
            };
            let Some(close) = uri[inner_start..].find('}').map(|p| inner_start + p) else {
                break;
            };
            let inner = &uri[inner_start..close];
            let part = if bytes[start] == b'$' {
                inner
                    .strip_prefix("stageVariables.")
                    .filter(|name| !name.is_empty())
                    .map(|name| Part::StageVariable(name.into()))
            } else {
                let name = inner.strip_suffix('+').unwrap_or(inner);
                let valid = !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
                valid.then(|| Part::Param {
                    name: name.into(),
                    place: if in_query {
                        Place::Query
                    } else if greedy.contains(&name) || inner.ends_with('+') {
                        Place::Greedy
                    } else {
                        Place::Segment
                    },
                })
            };
            match part {
                Some(part) => {
                    if text_start < start {
                        parts.push(Part::Text(uri[text_start..start].into()));
                    }
                    parts.push(part);
                    text_start = close + 1;
                    i = close + 1;
                }
                None => i = close + 1,
            }
        }
        if text_start < uri.len() {
            parts.push(Part::Text(uri[text_start..].into()));
        }
        UriTemplate {
            parts,
            len_hint: uri.len(),
        }
    }

    /// The URI itself when it has no placeholders.
    pub(crate) fn static_text(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [Part::Text(text)] => Some(text),
            _ => None,
        }
    }

    /// Renders the URI into `out`. `param` gives a path parameter's value, still percent-encoded
    /// when `raw`; a parameter without one is left as `{name}`, which makes the URI invalid.
    pub(crate) fn render<'a>(
        &self,
        param: impl Fn(&str) -> Option<Cow<'a, str>>,
        raw: bool,
        stage_variables: Option<&BTreeMap<String, String>>,
        out: &mut String,
    ) {
        out.reserve(self.len_hint + 32);
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::StageVariable(name) => {
                    if let Some(value) = stage_variables.and_then(|v| v.get(&**name)) {
                        out.push_str(value);
                    }
                }
                Part::Param { name, place } => match param(name) {
                    Some(value) => {
                        let set = match (place, raw) {
                            (Place::Segment, false) => SEGMENT,
                            (Place::Greedy, false) => GREEDY,
                            (Place::Query, false) => QUERY,
                            (Place::Segment, true) => SEGMENT_RAW,
                            (Place::Greedy, true) => GREEDY_RAW,
                            (Place::Query, true) => QUERY_RAW,
                        };
                        out.extend(utf8_percent_encode(&value, set));
                    }
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                },
            }
        }
    }
}

/// Appends `name=value` (encoded) to a URI that may already have a query string.
pub(crate) fn append_query_pair(uri: &mut String, name: &str, value: &str) {
    uri.push(if uri.contains('?') { '&' } else { '?' });
    uri.extend(utf8_percent_encode(name, QUERY));
    uri.push('=');
    uri.extend(utf8_percent_encode(value, QUERY));
}

/// Appends a raw query string (the client's, already encoded).
pub(crate) fn append_raw_query(uri: &mut String, query: &str) {
    if query.is_empty() {
        return;
    }
    uri.push(if uri.contains('?') { '&' } else { '?' });
    uri.push_str(query);
}

/// Drops the query parameters named in `names` from `uri`'s query string.
pub(crate) fn remove_query_params<'n>(
    uri: &mut String,
    names: impl Iterator<Item = &'n String> + Clone,
) {
    let Some((base, query)) = uri.split_once('?') else {
        return;
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let key = pair.split_once('=').map_or(*pair, |(k, _)| k);
            let key = percent_encoding::percent_decode_str(key).decode_utf8_lossy();
            !pair.is_empty() && !names.clone().any(|n| *n == key)
        })
        .collect();
    let rebuilt = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    *uri = rebuilt;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &UriTemplate, params: &[(&str, &str)], vars: &[(&str, &str)]) -> String {
        render_values(template, params, vars, false)
    }

    fn render_values(
        template: &UriTemplate,
        params: &[(&str, &str)],
        vars: &[(&str, &str)],
        raw: bool,
    ) -> String {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut out = String::new();
        template.render(
            |name| {
                params
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| Cow::Borrowed(*v))
            },
            raw,
            Some(&vars),
            &mut out,
        );
        out
    }

    #[test]
    fn substitutes_path_parameters_encoded_as_segments() {
        let t = UriTemplate::parse("http://backend:8080/pets/{petId}/toys/{toy}", &[]);
        assert_eq!(
            render(&t, &[("petId", "a b/c?d%"), ("toy", "ball")], &[]),
            "http://backend:8080/pets/a%20b%2Fc%3Fd%25/toys/ball"
        );
        assert_eq!(
            render(&t, &[("petId", "é")], &[]),
            "http://backend:8080/pets/%C3%A9/toys/{toy}"
        );
    }

    #[test]
    fn raw_values_keep_their_escapes() {
        let t = UriTemplate::parse("http://b/{id}/{proxy}?q={q}", &["proxy"]);
        assert_eq!(
            render_values(
                &t,
                &[("id", "a%20b"), ("proxy", "x/y%2Fz"), ("q", "1%26")],
                &[],
                true
            ),
            "http://b/a%20b/x/y%2Fz?q=1%26"
        );
    }

    #[test]
    fn greedy_parameters_keep_their_slashes() {
        let t = UriTemplate::parse("http://backend/{proxy}", &["proxy"]);
        assert_eq!(
            render(&t, &[("proxy", "a/b c/d")], &[]),
            "http://backend/a/b%20c/d"
        );
        let t = UriTemplate::parse("http://backend/{proxy+}", &[]);
        assert_eq!(render(&t, &[("proxy", "x/y")], &[]), "http://backend/x/y");
    }

    #[test]
    fn parameters_in_the_query_are_encoded_for_it() {
        let t = UriTemplate::parse("http://backend/search?q={term}&x=1", &[]);
        assert_eq!(
            render(&t, &[("term", "a&b=c d/e")], &[]),
            "http://backend/search?q=a%26b%3Dc%20d/e&x=1"
        );
    }

    #[test]
    fn stage_variables_are_inserted_as_they_are() {
        let t = UriTemplate::parse(
            "http://${stageVariables.host}/v1/${stageVariables.path}/{id}",
            &[],
        );
        assert_eq!(
            render(
                &t,
                &[("id", "7")],
                &[("host", "api.example.com:9000"), ("path", "a/b")]
            ),
            "http://api.example.com:9000/v1/a/b/7"
        );
        assert_eq!(render(&t, &[("id", "7")], &[]), "http:///v1//7");
    }

    #[test]
    fn only_uris_without_placeholders_are_static() {
        let t = UriTemplate::parse("http://b:81/pets?x=1", &[]);
        assert_eq!(t.static_text(), Some("http://b:81/pets?x=1"));
        let t = UriTemplate::parse("http://b/{}/{a b}", &[]);
        assert_eq!(t.static_text(), Some("http://b/{}/{a b}"));
        assert_eq!(UriTemplate::parse("http://b/{id}", &[]).static_text(), None);
        let t = UriTemplate::parse("http://${stageVariables.h}/", &[]);
        assert_eq!(t.static_text(), None);
        assert_eq!(UriTemplate::parse("", &[]).static_text(), None);
    }

    #[test]
    fn text_that_is_not_a_placeholder_stays() {
        let t = UriTemplate::parse("http://b/{}/{a b}/${other.x}/{unclosed", &[]);
        assert_eq!(
            render(&t, &[], &[]),
            "http://b/{}/{a b}/${other.x}/{unclosed"
        );
    }

    #[test]
    fn query_pairs_and_raw_queries_join_correctly() {
        let mut uri = "http://b/x".to_string();
        append_raw_query(&mut uri, "a=1&b=%20");
        append_query_pair(&mut uri, "page size", "1&2");
        assert_eq!(uri, "http://b/x?a=1&b=%20&page%20size=1%262");
        let mut uri = "http://b/x".to_string();
        append_raw_query(&mut uri, "");
        assert_eq!(uri, "http://b/x");
    }

    #[test]
    fn removes_named_query_parameters() {
        let names = ["drop".to_string(), "a b".to_string()];
        let mut uri = "http://b/p?keep=1&drop=2&a%20b=3&drop&x".to_string();
        remove_query_params(&mut uri, names.iter());
        assert_eq!(uri, "http://b/p?keep=1&x");
        let mut uri = "http://b/p?drop=1".to_string();
        remove_query_params(&mut uri, names.iter());
        assert_eq!(uri, "http://b/p");
        let mut uri = "http://b/p".to_string();
        remove_query_params(&mut uri, names.iter());
        assert_eq!(uri, "http://b/p");
    }
}
