//! The segment trie: route templates compiled once, walked once per request.
//!
//! Each node is one resource path. Its children are tried in API Gateway's priority order —
//! literal segment, then `{param}`, then `{proxy+}` — and a branch that fails deeper down, or
//! whose resource lacks the request's method, falls back to the next one. Every edge consumes one
//! segment, so a node is reached at one depth only and a lookup visits each node at most once:
//! the cost follows the path's segments, bounded by the trie, never the route count.
//!
//! REST APIs resolve the resource and the method as one pair: a resource without the method (or
//! without any method, like the parents SAM creates) is skipped, and a less specific sibling,
//! greedy included, serves the request. Measured on real REST APIs:
//! <https://github.com/floci-io/floci/pull/3399> (us-west-2: `GET /users/me` with only
//! `PATCH /users/me` defined is served by `GET /users/{userId}`; `POST /things/real` with only
//! `GET /things/real` is served by `/things/{proxy+}`) and
//! <https://github.com/ministackorg/ministack/pull/1423> (eu-central-1: `POST /jobs/reboot` with
//! only `GET /jobs/{operation_type}` is served by `ANY /{proxy+}`). HTTP APIs document the same
//! "route and method" rule: <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html>.

use std::sync::Arc;

use turnpike_model::HttpMethod;

use super::path::Cursor;

/// The root node's index in the arena.
const ROOT: usize = 0;

/// One segment of a route's path template.
#[derive(Debug, Clone)]
pub(crate) enum Template {
    Literal(Box<str>),
    Param(Arc<str>),
    Greedy(Arc<str>),
}

impl Template {
    /// Parses one template segment: `{name}`, `{name+}`, or literal text.
    pub(crate) fn parse(segment: &str) -> Template {
        let inner = segment
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .filter(|s| !s.is_empty());
        match inner {
            Some(name) => match name.strip_suffix('+').filter(|n| !n.is_empty()) {
                Some(greedy) => Template::Greedy(greedy.into()),
                None => Template::Param(name.into()),
            },
            None => Template::Literal(segment.into()),
        }
    }
}

/// What a lookup accepts at a resource.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Want {
    /// A request method: its own route first, then `ANY`. `None` is a method API Gateway has no
    /// name for (`PROPFIND`, lower-case `get`), which only `ANY` serves.
    Method(Option<HttpMethod>),
    /// Any route at all (does the resource exist?).
    Anything,
}

/// The routes of one resource, by method.
#[derive(Debug, Default)]
struct Methods {
    /// Route indices in [`HttpMethod::ALL`] order; `ANY` is the last slot.
    slots: [Option<usize>; 8],
}

impl Methods {
    fn slot(method: HttpMethod) -> usize {
        HttpMethod::ALL
            .iter()
            .position(|m| *m == method)
            .unwrap_or(HttpMethod::ALL.len())
    }

    /// Records `route`; a duplicate method keeps the first route (the loader reports duplicates).
    fn insert(&mut self, method: HttpMethod, route: usize) {
        if let Some(slot) = self.slots.get_mut(Self::slot(method)) {
            slot.get_or_insert(route);
        }
    }

    /// An explicit method beats `ANY` on the same resource.
    fn pick(&self, want: Want) -> Option<usize> {
        let any = || {
            self.slots
                .get(Self::slot(HttpMethod::Any))
                .copied()
                .flatten()
        };
        match want {
            Want::Method(Some(method)) => self
                .slots
                .get(Self::slot(method))
                .copied()
                .flatten()
                .or_else(any),
            Want::Method(None) => any(),
            Want::Anything => self.slots.iter().find_map(|s| *s),
        }
    }
}

#[derive(Debug, Default)]
struct Node {
    /// Literal children, sorted by text for binary search.
    literals: Vec<(Box<str>, usize)>,
    param: Option<usize>,
    /// Routes of the `{proxy+}` child, which has no children of its own.
    greedy: Methods,
    /// Routes whose template ends at this node.
    methods: Methods,
}

/// The compiled routes of one API.
#[derive(Debug)]
pub(crate) struct Tree {
    nodes: Vec<Node>,
    /// Whether `{param}` accepts an empty segment (HTTP APIs) or not (REST APIs).
    empty_params: bool,
}

impl Tree {
    pub(crate) fn new(empty_params: bool) -> Tree {
        Tree {
            nodes: vec![Node::default()],
            empty_params,
        }
    }

    /// Adds a route; `template` has a greedy segment, if any, only in last place.
    pub(crate) fn insert(&mut self, template: &[Template], method: HttpMethod, route: usize) {
        let mut at = ROOT;
        for segment in template {
            at = match segment {
                Template::Literal(text) => self.literal_child(at, text),
                Template::Param(_) => self.param_child(at),
                Template::Greedy(_) => {
                    if let Some(node) = self.nodes.get_mut(at) {
                        node.greedy.insert(method, route);
                    }
                    return;
                }
            };
        }
        if let Some(node) = self.nodes.get_mut(at) {
            node.methods.insert(method, route);
        }
    }

    /// The most specific route that serves `want` at the path under `cursor`.
    pub(crate) fn find(&self, cursor: Cursor<'_>, want: Want) -> Option<usize> {
        self.walk(ROOT, cursor, want)
    }

    fn walk(&self, at: usize, cursor: Cursor<'_>, want: Want) -> Option<usize> {
        let node = self.nodes.get(at)?;
        let Some((segment, next)) = cursor.next() else {
            return node.methods.pick(want);
        };
        let literal = node
            .literals
            .binary_search_by(|(text, _)| segment.literal_cmp(text))
            .ok()
            .and_then(|i| node.literals.get(i));
        if let Some(&(_, child)) = literal {
            if let Some(route) = self.walk(child, next, want) {
                return Some(route);
            }
        }
        if let Some(child) = node.param {
            if self.empty_params || !segment.is_empty() {
                if let Some(route) = self.walk(child, next, want) {
                    return Some(route);
                }
            }
        }
        // A greedy variable takes this segment and everything after it: one or more segments.
        node.greedy.pick(want)
    }

    fn literal_child(&mut self, at: usize, text: &str) -> usize {
        let fresh = self.nodes.len();
        let Some(node) = self.nodes.get_mut(at) else {
            return ROOT;
        };
        match node
            .literals
            .binary_search_by(|(t, _)| t.as_ref().cmp(text))
        {
            Ok(i) => node.literals.get(i).map_or(ROOT, |&(_, child)| child),
            Err(i) => {
                node.literals.insert(i, (text.into(), fresh));
                self.nodes.push(Node::default());
                fresh
            }
        }
    }

    fn param_child(&mut self, at: usize) -> usize {
        let fresh = self.nodes.len();
        let Some(node) = self.nodes.get_mut(at) else {
            return ROOT;
        };
        match node.param {
            Some(child) => child,
            None => {
                node.param = Some(fresh);
                self.nodes.push(Node::default());
                fresh
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_segments_parse_like_api_gateway() {
        assert!(matches!(Template::parse("pets"), Template::Literal(t) if &*t == "pets"));
        assert!(matches!(Template::parse("{id}"), Template::Param(n) if &*n == "id"));
        assert!(matches!(Template::parse("{proxy+}"), Template::Greedy(n) if &*n == "proxy"));
        // Not variables: AWS rejects these at import; here they can only match literally.
        assert!(matches!(Template::parse("{}"), Template::Literal(t) if &*t == "{}"));
        assert!(matches!(Template::parse("{+}"), Template::Param(n) if &*n == "+"));
        assert!(matches!(Template::parse("a{id}"), Template::Literal(t) if &*t == "a{id}"));
        assert!(matches!(Template::parse(""), Template::Literal(t) if t.is_empty()));
    }

    #[test]
    fn methods_prefer_explicit_then_any() {
        let mut methods = Methods::default();
        assert_eq!(methods.pick(Want::Anything), None);
        methods.insert(HttpMethod::Any, 4);
        methods.insert(HttpMethod::Get, 2);
        methods.insert(HttpMethod::Get, 9);
        assert_eq!(methods.pick(Want::Method(Some(HttpMethod::Get))), Some(2));
        assert_eq!(methods.pick(Want::Method(Some(HttpMethod::Head))), Some(4));
        assert_eq!(methods.pick(Want::Method(None)), Some(4));
        assert_eq!(methods.pick(Want::Anything), Some(2));
    }
}
