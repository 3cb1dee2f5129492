use http::header::{HeaderValue, ORIGIN};
use http::{HeaderMap, Method, StatusCode};
use turnpike_model::Cors;

use super::{is_preflight, CompiledCors};

fn config(origins: &[&str]) -> Cors {
    let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    Cors {
        allow_origins: list(origins),
        allow_methods: list(&["GET", "POST"]),
        allow_headers: list(&["authorization", "content-type"]),
        expose_headers: list(&["x-request-id", "date"]),
        max_age: Some(600),
        allow_credentials: false,
    }
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            http::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

/// The response headers as sorted `name: value` lines, for exact comparison.
fn lines(map: &HeaderMap) -> Vec<String> {
    let mut out: Vec<String> = map
        .iter()
        .map(|(n, v)| format!("{}: {}", n, v.to_str().unwrap()))
        .collect();
    out.sort();
    out
}

fn preflight_from(cors: &CompiledCors, origin: &str) -> (StatusCode, Vec<String>) {
    let request = headers(&[
        ("origin", origin),
        ("access-control-request-method", "POST"),
    ]);
    let response = cors.preflight(&request);
    (response.status(), lines(response.headers()))
}

#[test]
fn preflight_from_an_allowed_origin_gets_every_configured_header() {
    let cors = CompiledCors::new(&config(&["https://app.example.com"]));
    let (status, got) = preflight_from(&cors, "https://app.example.com");
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        got,
        [
            "access-control-allow-headers: authorization,content-type",
            "access-control-allow-methods: GET,POST",
            "access-control-allow-origin: https://app.example.com",
            "access-control-max-age: 600",
        ]
    );
}

#[test]
fn preflight_from_another_origin_gets_no_cors_headers() {
    let cors = CompiledCors::new(&config(&["https://app.example.com"]));
    let (status, got) = preflight_from(&cors, "https://evil.example.net");
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn wildcard_origin_answers_star() {
    let cors = CompiledCors::new(&config(&["*"]));
    let (_, got) = preflight_from(&cors, "https://anyone.example");
    assert!(
        got.contains(&"access-control-allow-origin: *".to_owned()),
        "{got:?}"
    );
}

#[test]
fn scheme_wildcard_matches_only_that_scheme_and_echoes_the_origin() {
    let cors = CompiledCors::new(&config(&["https://*"]));
    let (_, got) = preflight_from(&cors, "https://a.example:8443");
    assert!(got.contains(&"access-control-allow-origin: https://a.example:8443".to_owned()));
    let (_, got) = preflight_from(&cors, "http://a.example");
    assert!(got.is_empty(), "{got:?}");
    // The bare scheme is not an origin.
    let (_, got) = preflight_from(&cors, "https://");
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn credentials_are_announced_when_configured() {
    let mut with_credentials = config(&["https://app.example.com"]);
    with_credentials.allow_credentials = true;
    let cors = CompiledCors::new(&with_credentials);
    let (_, got) = preflight_from(&cors, "https://app.example.com");
    assert!(
        got.contains(&"access-control-allow-credentials: true".to_owned()),
        "{got:?}"
    );
}

#[test]
fn responses_carry_origin_credentials_and_exposed_headers_instead_of_the_backends() {
    let mut with_credentials = config(&["https://app.example.com"]);
    with_credentials.allow_credentials = true;
    let cors = CompiledCors::new(&with_credentials);
    let mut response = headers(&[
        ("content-type", "application/json"),
        ("access-control-allow-origin", "*"),
        ("access-control-max-age", "99"),
    ]);
    cors.decorate(
        &headers(&[("origin", "https://app.example.com")]),
        &mut response,
    );
    assert_eq!(
        lines(&response),
        [
            "access-control-allow-credentials: true",
            "access-control-allow-origin: https://app.example.com",
            "access-control-expose-headers: x-request-id,date",
            "content-type: application/json",
        ]
    );
}

#[test]
fn responses_to_other_origins_lose_the_backends_cors_headers_and_gain_none() {
    let cors = CompiledCors::new(&config(&["https://app.example.com"]));
    let mut response = headers(&[("access-control-allow-origin", "*"), ("etag", "\"1\"")]);
    cors.decorate(
        &headers(&[("origin", "https://other.example")]),
        &mut response,
    );
    assert_eq!(lines(&response), ["etag: \"1\""]);
    let mut response = headers(&[("access-control-allow-origin", "*")]);
    cors.decorate(&HeaderMap::new(), &mut response);
    assert!(response.is_empty());
}

#[test]
fn a_preflight_needs_options_origin_and_request_method() {
    let full = headers(&[
        ("origin", "https://a.example"),
        ("access-control-request-method", "GET"),
    ]);
    assert!(is_preflight(&Method::OPTIONS, &full));
    assert!(!is_preflight(&Method::GET, &full));
    assert!(!is_preflight(
        &Method::OPTIONS,
        &headers(&[("origin", "https://a.example")])
    ));
    let mut no_origin = full.clone();
    no_origin.remove(ORIGIN);
    assert!(!is_preflight(&Method::OPTIONS, &no_origin));
}
