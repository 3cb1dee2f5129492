//! Router behaviour seen from outside: one file per API kind, sharing the helpers below.

mod http_api;
mod rest_api;

use turnpike_model::{ApiKind, HttpMethod, Integration, IntegrationType, Route, RouteKey};

use super::{RouteMiss, Router};

/// A route from a route key as AWS spells it (`GET /pets/{id}`, `ANY /{proxy+}`, `$default`),
/// with a MOCK integration as filler.
fn route(key: &str) -> Route {
    let key = match key.split_once(' ') {
        Some((method, path)) => RouteKey::Method {
            method: HttpMethod::parse(method).unwrap(),
            path: path.to_owned(),
        },
        None => RouteKey::Default,
    };
    Route::new(key, "", Integration::new(IntegrationType::Mock))
}

fn router(kind: ApiKind, keys: &[&str]) -> Router {
    let routes: Vec<Route> = keys.iter().map(|k| route(k)).collect();
    Router::new(kind, &routes)
}

/// A lookup's result in a comparable form: route index and `(name, value)` pairs, or the miss.
type Outcome = Result<(usize, Vec<(String, String)>), RouteMiss>;

/// Looks `method path` up in `router`.
fn lookup(router: &Router, method: &str, path: &str) -> Outcome {
    let method = http::Method::from_bytes(method.as_bytes()).unwrap();
    router.lookup(&method, path).map(|found| {
        let params = found
            .params
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        (found.route, params)
    })
}

/// Shorthand for an expected match: route index and `(name, value)` pairs.
fn hit(route: usize, params: &[(&str, &str)]) -> Outcome {
    Ok((
        route,
        params
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
    ))
}

/// No route serves the request.
const MISS: Outcome = Err(RouteMiss::NoRoute);

#[test]
fn a_router_can_be_shared_across_request_threads() {
    fn shared<T: Send + Sync + 'static>() {}
    shared::<Router>();
    shared::<super::RouteMatch>();
}
