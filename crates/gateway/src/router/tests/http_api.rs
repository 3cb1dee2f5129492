//! HTTP API routing: route keys, `$default`, decoded paths, significant slashes.

use turnpike_model::ApiKind;

use super::{hit, lookup, router, MISS};
use crate::router::{RouteMiss, Router};

fn http(keys: &[&str]) -> Router {
    router(ApiKind::Http, keys)
}

const MALFORMED: super::Outcome = Err(RouteMiss::MalformedPath);

#[test]
fn the_documented_example_routes_as_aws_says() {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
    let r = http(&[
        "GET /pets/dog/1",
        "GET /pets/dog/{id}",
        "GET /pets/{proxy+}",
        "ANY /{proxy+}",
        "$default",
    ]);
    assert_eq!(lookup(&r, "GET", "/pets/dog/1"), hit(0, &[]));
    assert_eq!(lookup(&r, "GET", "/pets/dog/2"), hit(1, &[("id", "2")]));
    assert_eq!(
        lookup(&r, "GET", "/pets/cat/1"),
        hit(2, &[("proxy", "cat/1")])
    );
    assert_eq!(
        lookup(&r, "POST", "/test/5"),
        hit(3, &[("proxy", "test/5")])
    );
    // The explicit GET routes do not serve POST: the greedy ANY route does.
    assert_eq!(
        lookup(&r, "POST", "/pets/dog/1"),
        hit(3, &[("proxy", "pets/dog/1")])
    );
}

#[test]
fn default_catches_unmatched_paths_and_methods() {
    let r = http(&["GET /pets", "GET /pets/{id}", "$default"]);
    assert_eq!(lookup(&r, "GET", "/pets"), hit(0, &[]));
    assert_eq!(lookup(&r, "POST", "/pets"), hit(2, &[]));
    assert_eq!(lookup(&r, "GET", "/pets/1/toys"), hit(2, &[]));
    assert_eq!(lookup(&r, "GET", "/other"), hit(2, &[]));
    assert_eq!(lookup(&r, "PROPFIND", "/pets"), hit(2, &[]));
    assert_eq!(lookup(&r, "HEAD", "/pets"), hit(2, &[]));
    // Without `$default`, the same requests find nothing.
    let r = http(&["GET /pets"]);
    assert_eq!(lookup(&r, "POST", "/pets"), MISS);
    assert_eq!(lookup(&r, "GET", "/other"), MISS);
    // Only `$default`: everything, with no parameters.
    let r = http(&["$default"]);
    assert_eq!(lookup(&r, "DELETE", "/a/b/c"), hit(0, &[]));
}

#[test]
fn explicit_method_beats_any_and_priority_is_by_path_first() {
    let r = http(&["ANY /pets", "GET /pets"]);
    assert_eq!(lookup(&r, "GET", "/pets"), hit(1, &[]));
    assert_eq!(lookup(&r, "PUT", "/pets"), hit(0, &[]));
    // A full match with ANY outranks a greedy match with the explicit method.
    let r = http(&["GET /pets/{proxy+}", "ANY /pets/{id}"]);
    assert_eq!(lookup(&r, "GET", "/pets/1"), hit(1, &[("id", "1")]));
    assert_eq!(lookup(&r, "GET", "/pets/1/2"), hit(0, &[("proxy", "1/2")]));
}

#[test]
fn backtracking_across_literal_param_and_greedy() {
    let r = http(&["GET /a/b/c", "GET /a/{x}/d", "GET /a/{proxy+}"]);
    assert_eq!(lookup(&r, "GET", "/a/b/d"), hit(1, &[("x", "b")]));
    assert_eq!(lookup(&r, "GET", "/a/b/e"), hit(2, &[("proxy", "b/e")]));
}

#[test]
fn a_trailing_slash_is_another_path() {
    // storacha/w3infra#166: `GET /metrics/{proxy+}` is what catches `/metrics/`.
    let r = http(&["GET /metrics", "GET /metrics/{proxy+}"]);
    assert_eq!(lookup(&r, "GET", "/metrics"), hit(0, &[]));
    assert_eq!(lookup(&r, "GET", "/metrics/"), hit(1, &[("proxy", "")]));
    assert_eq!(lookup(&r, "GET", "/metrics//"), hit(1, &[("proxy", "/")]));
    let r = http(&["GET /pets"]);
    assert_eq!(lookup(&r, "GET", "/pets/"), MISS);
    assert_eq!(lookup(&r, "GET", "//pets"), MISS);
    // An empty segment is a value for `{id}`.
    let r = http(&["GET /pets/{id}"]);
    assert_eq!(lookup(&r, "GET", "/pets/"), hit(0, &[("id", "")]));
}

#[test]
fn the_root_is_one_empty_segment() {
    // architect/architect#981: with only `GET /{param}`, `GET /` is served with `param=""`.
    let r = http(&["GET /{param}"]);
    assert_eq!(lookup(&r, "GET", "/"), hit(0, &[("param", "")]));
    let r = http(&["GET /", "GET /{param}", "ANY /{proxy+}"]);
    assert_eq!(lookup(&r, "GET", "/"), hit(0, &[]));
    assert_eq!(lookup(&r, "POST", "/"), hit(2, &[("proxy", "")]));
    assert_eq!(lookup(&r, "GET", "//"), hit(2, &[("proxy", "/")]));
    assert_eq!(lookup(&r, "GET", "/x"), hit(1, &[("param", "x")]));
}

#[test]
fn segments_and_values_are_decoded() {
    let r = http(&[
        "GET /items/{id}",
        "GET /items/{a}/{b}",
        "GET /files/{proxy+}",
    ]);
    assert_eq!(lookup(&r, "GET", "/items/a%20b"), hit(0, &[("id", "a b")]));
    // `%2F` is decoded before the path is split.
    assert_eq!(
        lookup(&r, "GET", "/items/a%2Fb"),
        hit(1, &[("a", "a"), ("b", "b")])
    );
    assert_eq!(
        lookup(&r, "GET", "/items/a%2fb"),
        hit(1, &[("a", "a"), ("b", "b")])
    );
    // A double-encoded slash stays in its segment and is decoded again for the value.
    assert_eq!(
        lookup(&r, "GET", "/items/a%252Fb"),
        hit(0, &[("id", "a/b")])
    );
    assert_eq!(
        lookup(&r, "GET", "/files/a/b%20c"),
        hit(2, &[("proxy", "a/b c")])
    );
    assert_eq!(
        lookup(&r, "GET", "/files/x%252Fy/z"),
        hit(2, &[("proxy", "x/y/z")])
    );
    assert_eq!(lookup(&r, "GET", "/items/a+b"), hit(0, &[("id", "a+b")]));
    assert_eq!(
        lookup(&r, "GET", "/items/hash%23value"),
        hit(0, &[("id", "hash#value")])
    );
    assert_eq!(
        lookup(&r, "GET", "/items/unicode-%CE%BB-%E4%B8%96%E7%95%8C"),
        hit(0, &[("id", "unicode-λ-世界")])
    );
    assert_eq!(
        lookup(&r, "GET", "/items/literal%2525value"),
        hit(0, &[("id", "literal%value")])
    );
}

#[test]
fn a_decoded_question_mark_ends_the_path() {
    // hotsock/voker live captures: `/capture/question%3Fvalue` reaches the API as `/capture/question`.
    let r = http(&["GET /capture/{x}", "GET /capture/{x}/{y}"]);
    assert_eq!(
        lookup(&r, "GET", "/capture/question%3Fvalue"),
        hit(0, &[("x", "question")])
    );
    assert_eq!(
        lookup(&r, "GET", "/capture/question%3F/a/b"),
        hit(0, &[("x", "question")])
    );
    // Encoded twice, it is only a character of the value.
    assert_eq!(
        lookup(&r, "GET", "/capture/literal%253Fvalue"),
        hit(0, &[("x", "literal?value")])
    );
}

#[test]
fn literals_match_decoded_text_case_sensitively() {
    let r = http(&["GET /pets", "GET /café", "GET /{other}"]);
    assert_eq!(lookup(&r, "GET", "/%70ets"), hit(0, &[]));
    assert_eq!(lookup(&r, "GET", "/caf%C3%A9"), hit(1, &[]));
    assert_eq!(lookup(&r, "GET", "/Pets"), hit(2, &[("other", "Pets")]));
    assert_eq!(
        lookup(&r, "GET", "/CAF%C3%89"),
        hit(2, &[("other", "CAFÉ")])
    );
}

#[test]
fn invalid_encoding_is_rejected_before_default() {
    let r = http(&["GET /{x}", "$default"]);
    assert_eq!(lookup(&r, "GET", "/%zz"), MALFORMED);
    assert_eq!(lookup(&r, "GET", "/a%2"), MALFORMED);
    assert_eq!(lookup(&r, "GET", "/capture/percent%25done"), MALFORMED);
    assert_eq!(lookup(&r, "GET", "/%FF"), MALFORMED);
    assert_eq!(lookup(&r, "GET", "/%C3"), MALFORMED);
    assert_eq!(r.find(&http::Method::GET, "/%zz"), None);
    assert!(!r.resource_exists("/%zz"));
}

#[test]
fn head_unknown_and_lower_case_methods() {
    let r = http(&["GET /a", "ANY /b"]);
    assert_eq!(lookup(&r, "HEAD", "/a"), MISS);
    assert_eq!(lookup(&r, "HEAD", "/b"), hit(1, &[]));
    assert_eq!(lookup(&r, "PROPFIND", "/b"), hit(1, &[]));
    assert_eq!(lookup(&r, "get", "/a"), MISS);
}

#[test]
fn long_paths_match_segment_by_segment() {
    let deep: String = (0..300).map(|i| format!("/seg%20{i}")).collect();
    let template: String = (0..300).map(|i| format!("/seg {i}")).collect();
    let r = http(&[&format!("GET {template}/{{id}}"), "GET /{proxy+}"]);
    assert_eq!(
        lookup(&r, "GET", &format!("{deep}/x%2Fy")),
        hit(1, &[("proxy", format!("{}/x/y", &template[1..]).as_str())])
    );
    assert_eq!(
        lookup(&r, "GET", &format!("{deep}/7")),
        hit(0, &[("id", "7")])
    );
}
