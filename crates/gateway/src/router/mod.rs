//! Routing: which route of an API serves a request, with Amazon API Gateway's exact rules.
//!
//! A [`Router`] is compiled once per deployment from an API's routes (`tree.rs` holds the segment
//! trie) and answers [`Router::find`] per request by walking the path's segments (`path.rs` holds
//! each API kind's normalisation and decoding), returning the route index and its
//! [`PathParams`] (`params.rs`).
//!
//! The rules, each checked against AWS (sources next to the code that implements them):
//!
//! | | REST API | HTTP API |
//! |---|---|---|
//! | priority at each segment | literal, then `{param}`, then `{proxy+}`, backtracking | same |
//! | method | explicit beats `ANY` on one resource; a resource without the method is skipped and a less specific one (greedy included) serves | same ("full match for a route and method") |
//! | nothing matches | `None` (403 `Missing Authentication Token`) | `$default` if defined, else `None` (404) |
//! | `HEAD` | only `HEAD` or `ANY` routes, never `GET` | same |
//! | unknown or lower-case method | only `ANY` | only `ANY`, then `$default` |
//! | literals | case-sensitive, compared with the raw segment | case-sensitive, compared with the decoded segment |
//! | percent-encoding | never decoded; `%2F` stays inside its segment; values are raw | decoded before splitting (`%2F` splits), values decoded again; invalid encoding is [`RouteMiss::MalformedPath`] (400) |
//! | slashes | leading and trailing ignored; `/` is the root resource | significant: `/pets/` is not `/pets`, `/` is one empty segment |
//! | `{param}` | one non-empty segment | one segment, possibly empty |
//! | `{proxy+}` | one or more segments, so `/{proxy+}` does not match `/`; value is the rest without the leading slash | one or more segments, possibly empty: `/{proxy+}` matches `/` with `""` |
//!
//! Unknown methods: API Gateway defines `ANY` as "any HTTP method" and lists only seven
//! explicit ones; no source says what it does with others, so they reach `ANY` routes only.
//! `HEAD`: AWS answers a `HEAD` on a `GET`-only REST resource with
//! `MissingAuthenticationTokenException`
//! (<https://github.com/propublica/congress-api-docs/issues/129>); HTTP APIs are assumed alike.
//!
//! ```
//! # use turnpike_model::*;
//! # fn route(method: HttpMethod, path: &str) -> Route {
//! #     Route::new(RouteKey::Method { method, path: path.into() }, "",
//! #         Integration::new(IntegrationType::Mock))
//! # }
//! use turnpike_gateway::router::Router;
//!
//! let routes = [route(HttpMethod::Get, "/pets/{petId}"), route(HttpMethod::Any, "/{proxy+}")];
//! let router = Router::new(ApiKind::Rest, &routes);
//!
//! let found = router.find(&http::Method::GET, "/pets/7").unwrap();
//! assert_eq!((found.route, found.params.get("petId")), (0, Some("7")));
//! // No POST on /pets/{petId}: the greedy resource serves it.
//! let found = router.find(&http::Method::POST, "/pets/7").unwrap();
//! assert_eq!((found.route, found.params.get("proxy")), (1, Some("pets/7")));
//! ```

mod params;
mod path;
mod tree;

#[cfg(test)]
mod tests;

use turnpike_model::{ApiKind, HttpMethod, Route, RouteKey};

pub use params::PathParams;

use path::RequestPath;
use tree::{Template, Tree, Want};

/// The compiled routes of one API, built once per deployment and shared by every request.
#[derive(Debug)]
pub struct Router {
    kind: ApiKind,
    tree: Tree,
    /// Per route of the input slice: its template, or `None` for `$default` and unusable routes.
    templates: Vec<Option<RouteTemplate>>,
    /// The first `$default` route (HTTP APIs only).
    default_route: Option<usize>,
}

#[derive(Debug)]
struct RouteTemplate {
    segments: Box<[Template]>,
    /// How many segments are variables: the capacity of the route's [`PathParams`].
    variables: usize,
}

/// A route that serves a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch {
    /// Index of the route in the slice given to [`Router::new`].
    pub route: usize,
    /// The path variables of that route's template with this request's values.
    pub params: PathParams,
}

/// Why no route serves a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteMiss {
    /// No route (and, in an HTTP API, no `$default`) serves this method and path: REST answers
    /// 403 `Missing Authentication Token`, HTTP APIs 404 `Not Found`.
    NoRoute,
    /// HTTP API only: the path is not valid percent-encoding once decoded (`%zz`, `%25zz`) or not
    /// UTF-8. AWS rejects such a request with 400 before any route, `$default` included.
    MalformedPath,
}

impl Router {
    /// Compiles `routes` for an API of `kind`.
    ///
    /// Never fails: routes AWS would refuse at import are served as deterministically as
    /// possible. A duplicate method on one path keeps the first route; two templates naming the
    /// same position differently (`/pets/{id}/x`, `/pets/{petId}/y`) each keep their own names;
    /// a `{proxy+}` that is not the last segment makes its route unreachable; `$default` counts
    /// in HTTP APIs only (the first one wins).
    pub fn new(kind: ApiKind, routes: &[Route]) -> Router {
        let mut tree = Tree::new(kind == ApiKind::Http);
        let mut templates = Vec::with_capacity(routes.len());
        let mut default_route = None;
        for (index, route) in routes.iter().enumerate() {
            let template = match &route.key {
                RouteKey::Default => {
                    if kind == ApiKind::Http {
                        default_route.get_or_insert(index);
                    }
                    None
                }
                RouteKey::Method { method, path } => compile(kind, path).inspect(|template| {
                    tree.insert(&template.segments, *method, index);
                }),
            };
            templates.push(template);
        }
        Router {
            kind,
            tree,
            templates,
            default_route,
        }
    }

    /// The API kind whose rules this router applies.
    pub fn kind(&self) -> ApiKind {
        self.kind
    }

    /// The route serving `method` on `path`, or `None`; see [`Router::lookup`] for why not.
    ///
    /// `path` is the request path after the stage prefix, raw (still percent-encoded), starting
    /// with `/`.
    pub fn find(&self, method: &http::Method, path: &str) -> Option<RouteMatch> {
        self.lookup(method, path).ok()
    }

    /// The route serving `method` on `path`, or why there is none.
    ///
    /// Costs one walk down the trie; allocates only the parameter values (and, in an HTTP API,
    /// one decoded copy of a path that contains `%`).
    pub fn lookup(&self, method: &http::Method, path: &str) -> Result<RouteMatch, RouteMiss> {
        let request = self.request_path(path)?;
        let want = Want::Method(known_method(method));
        match self.tree.find(request.cursor(), want) {
            Some(route) => Ok(RouteMatch {
                route,
                params: self.params(route, &request),
            }),
            None => self
                .default_route
                .map(|route| RouteMatch {
                    route,
                    params: PathParams::default(),
                })
                .ok_or(RouteMiss::NoRoute),
        }
    }

    /// Whether some route other than `$default` matches `path` under any method.
    pub fn resource_exists(&self, path: &str) -> bool {
        self.request_path(path)
            .is_ok_and(|request| self.tree.find(request.cursor(), Want::Anything).is_some())
    }

    fn request_path<'a>(&self, path: &'a str) -> Result<RequestPath<'a>, RouteMiss> {
        match self.kind {
            ApiKind::Rest => Ok(RequestPath::rest(path)),
            ApiKind::Http => RequestPath::http(path).map_err(|_| RouteMiss::MalformedPath),
        }
    }

    /// Reads the values of `route`'s variables from the request path it matched.
    fn params(&self, route: usize, request: &RequestPath<'_>) -> PathParams {
        let Some(Some(template)) = self.templates.get(route) else {
            return PathParams::default();
        };
        let mut params = PathParams::with_capacity(template.variables);
        let mut cursor = request.cursor();
        for segment in template.segments.iter() {
            if let Template::Greedy(name) = segment {
                if let Some(rest) = cursor.remaining() {
                    params.push(name.clone(), rest.value());
                }
                break;
            }
            let Some((value, next)) = cursor.next() else {
                break;
            };
            if let Template::Param(name) = segment {
                params.push(name.clone(), value.value());
            }
            cursor = next;
        }
        params
    }
}

/// Compiles a route path; `None` when `{proxy+}` is not last (AWS refuses it at import).
fn compile(kind: ApiKind, path: &str) -> Option<RouteTemplate> {
    let segments: Vec<Template> = match kind {
        // The root resource `/` has no segments; a trailing slash is ignored like in requests.
        ApiKind::Rest => match path.trim_matches('/') {
            "" => Vec::new(),
            trimmed => trimmed.split('/').map(Template::parse).collect(),
        },
        // `/` is one empty segment, exactly like the request path `/`.
        ApiKind::Http => path
            .strip_prefix('/')
            .unwrap_or(path)
            .split('/')
            .map(Template::parse)
            .collect(),
    };
    let greedy_inside = segments
        .iter()
        .rev()
        .skip(1)
        .any(|s| matches!(s, Template::Greedy(_)));
    if greedy_inside {
        return None;
    }
    let variables = segments
        .iter()
        .filter(|s| !matches!(s, Template::Literal(_)))
        .count();
    Some(RouteTemplate {
        segments: segments.into_boxed_slice(),
        variables,
    })
}

/// The route method a request method selects; `None` for methods API Gateway has no route for.
///
/// HTTP method names are case-sensitive, so `get` is not `GET`.
fn known_method(method: &http::Method) -> Option<HttpMethod> {
    match *method {
        http::Method::GET => Some(HttpMethod::Get),
        http::Method::PUT => Some(HttpMethod::Put),
        http::Method::POST => Some(HttpMethod::Post),
        http::Method::DELETE => Some(HttpMethod::Delete),
        http::Method::OPTIONS => Some(HttpMethod::Options),
        http::Method::HEAD => Some(HttpMethod::Head),
        http::Method::PATCH => Some(HttpMethod::Patch),
        _ => None,
    }
}
