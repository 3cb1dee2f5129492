//! Path parameter values captured by a match.

use std::sync::Arc;

/// The path parameters of a matched route, in template order: `(name, value)`.
///
/// Names come from the matched route's own template (`{petId}` gives `petId`; a greedy
/// `{proxy+}` gives `proxy`) and are shared with the router, so a match allocates only the values
/// and one vector sized for the route. Values follow the API kind: raw as the client sent them in
/// REST APIs, decoded in HTTP APIs (see the [`router`](super) module).
///
/// ```
/// use turnpike_gateway::router::PathParams;
///
/// let params: PathParams = [("petId", "7")].into_iter().collect();
/// assert_eq!(params.get("petId"), Some("7"));
/// assert_eq!(params.get("other"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathParams {
    entries: Vec<(Arc<str>, String)>,
}

impl PathParams {
    pub(crate) fn with_capacity(capacity: usize) -> PathParams {
        PathParams {
            entries: Vec::with_capacity(capacity),
        }
    }

    pub(crate) fn push(&mut self, name: Arc<str>, value: String) {
        self.entries.push((name, value));
    }

    /// The value of the parameter `name` (case-sensitive); the first one if a template repeats it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every `(name, value)` in template order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.entries.iter().map(|(n, v)| (&**n, v.as_str()))
    }

    /// How many parameters were captured.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the route has no path variables (or the match is `$default`).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Builds parameters from pairs, for tests and synthetic requests.
impl<N: Into<Arc<str>>, V: Into<String>> FromIterator<(N, V)> for PathParams {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(pairs: I) -> PathParams {
        PathParams {
            entries: pairs
                .into_iter()
                .map(|(n, v)| (n.into(), v.into()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_iter_and_len_follow_template_order() {
        let mut params = PathParams::with_capacity(2);
        assert!(params.is_empty());
        params.push("id".into(), "7".to_owned());
        params.push("proxy".into(), "a/b c".to_owned());
        assert_eq!(params.get("id"), Some("7"));
        assert_eq!(params.get("proxy"), Some("a/b c"));
        assert_eq!(params.get("Id"), None);
        assert_eq!(params.len(), 2);
        assert!(!params.is_empty());
        let all: Vec<_> = params.iter().collect();
        assert_eq!(all, [("id", "7"), ("proxy", "a/b c")]);
    }

    #[test]
    fn a_repeated_name_reads_the_first_value() {
        let params: PathParams = [("a", "1"), ("a", "2")].into_iter().collect();
        assert_eq!(params.get("a"), Some("1"));
        assert_eq!(params.len(), 2);
    }
}
