//! REST API routing: resource tree, raw (undecoded) paths, outer slashes ignored.

use turnpike_model::ApiKind;

use super::{hit, lookup, router, MISS};
use crate::router::Router;

fn rest(keys: &[&str]) -> Router {
    router(ApiKind::Rest, keys)
}

#[test]
fn literal_beats_param_beats_greedy() {
    let r = rest(&["GET /pets/dog", "GET /pets/{id}", "GET /pets/{proxy+}"]);
    assert_eq!(lookup(&r, "GET", "/pets/dog"), hit(0, &[]));
    assert_eq!(lookup(&r, "GET", "/pets/cat"), hit(1, &[("id", "cat")]));
    assert_eq!(
        lookup(&r, "GET", "/pets/cat/1"),
        hit(2, &[("proxy", "cat/1")])
    );
    assert_eq!(
        lookup(&r, "GET", "/pets/dog/1/2"),
        hit(2, &[("proxy", "dog/1/2")])
    );
    assert_eq!(lookup(&r, "GET", "/pets"), MISS);
}

#[test]
fn a_failing_literal_branch_backtracks_to_param_then_greedy() {
    let r = rest(&["GET /a/b/c", "GET /a/{x}/d", "GET /a/{proxy+}"]);
    assert_eq!(lookup(&r, "GET", "/a/b/c"), hit(0, &[]));
    assert_eq!(lookup(&r, "GET", "/a/b/d"), hit(1, &[("x", "b")]));
    assert_eq!(lookup(&r, "GET", "/a/b/e"), hit(2, &[("proxy", "b/e")]));
    assert_eq!(lookup(&r, "GET", "/a/b/c/d"), hit(2, &[("proxy", "b/c/d")]));
    // Several variables deep, every position reported under its own name.
    let r = rest(&["GET /{a}/{b}/x", "GET /{a}/lit/{c}"]);
    assert_eq!(
        lookup(&r, "GET", "/1/lit/x"),
        hit(1, &[("a", "1"), ("c", "x")])
    );
    assert_eq!(
        lookup(&r, "GET", "/1/2/x"),
        hit(0, &[("a", "1"), ("b", "2")])
    );
}

#[test]
fn greedy_at_root_needs_at_least_one_segment() {
    // aws/aws-cdk#959, adamchainz/apig-wsgi#294: `/{proxy+}` alone does not serve `/`.
    let r = rest(&["ANY /{proxy+}"]);
    assert_eq!(lookup(&r, "GET", "/"), MISS);
    assert_eq!(lookup(&r, "GET", "//"), MISS);
    assert_eq!(lookup(&r, "GET", "/x"), hit(0, &[("proxy", "x")]));
    assert_eq!(
        lookup(&r, "DELETE", "/x/y/z"),
        hit(0, &[("proxy", "x/y/z")])
    );
    let r = rest(&["ANY /", "ANY /{proxy+}"]);
    assert_eq!(lookup(&r, "GET", "/"), hit(0, &[]));
}

#[test]
fn explicit_method_beats_any_on_the_same_resource() {
    let r = rest(&["ANY /pets", "GET /pets"]);
    assert_eq!(lookup(&r, "GET", "/pets"), hit(1, &[]));
    assert_eq!(lookup(&r, "POST", "/pets"), hit(0, &[]));
    assert_eq!(lookup(&r, "PATCH", "/pets"), hit(0, &[]));
}

#[test]
fn method_mismatch_falls_back_like_the_measured_aws_api() {
    // floci-io/floci#3399, measured on a real REST API in us-west-2.
    let r = rest(&[
        "GET /users/{userId}",
        "PATCH /users/me",
        "POST /roles/provision",
        "GET /roles/{roleId}",
        "GET /things/real",
        "ANY /things/{proxy+}",
    ]);
    assert_eq!(lookup(&r, "GET", "/users/me"), hit(0, &[("userId", "me")]));
    assert_eq!(lookup(&r, "PATCH", "/users/me"), hit(1, &[]));
    assert_eq!(
        lookup(&r, "GET", "/users/abc123"),
        hit(0, &[("userId", "abc123")])
    );
    assert_eq!(lookup(&r, "POST", "/users/me"), MISS);
    assert_eq!(lookup(&r, "POST", "/roles/provision"), hit(2, &[]));
    assert_eq!(
        lookup(&r, "GET", "/roles/provision"),
        hit(3, &[("roleId", "provision")])
    );
    assert_eq!(lookup(&r, "GET", "/things/real"), hit(4, &[]));
    assert_eq!(
        lookup(&r, "POST", "/things/real"),
        hit(5, &[("proxy", "real")])
    );
}

#[test]
fn resources_without_the_method_fall_through_to_the_root_proxy() {
    // ministackorg/ministack#1423, measured in eu-central-1; `/jobs` exists only as a parent.
    let r = rest(&[
        "ANY /{proxy+}",
        "GET /jobs/{operation_type}",
        "OPTIONS /cors_only",
    ]);
    assert_eq!(
        lookup(&r, "GET", "/jobs/reboot"),
        hit(1, &[("operation_type", "reboot")])
    );
    assert_eq!(lookup(&r, "GET", "/jobs"), hit(0, &[("proxy", "jobs")]));
    assert_eq!(lookup(&r, "POST", "/jobs"), hit(0, &[("proxy", "jobs")]));
    assert_eq!(
        lookup(&r, "POST", "/jobs/reboot"),
        hit(0, &[("proxy", "jobs/reboot")])
    );
    assert_eq!(
        lookup(&r, "GET", "/cors_only"),
        hit(0, &[("proxy", "cors_only")])
    );
    assert_eq!(lookup(&r, "OPTIONS", "/cors_only"), hit(2, &[]));
    // The brief's case: `GET /pets/{id}` has no POST, so `ANY /{proxy+}` serves it.
    let r = rest(&["GET /pets/{id}", "ANY /{proxy+}"]);
    assert_eq!(
        lookup(&r, "POST", "/pets/1"),
        hit(1, &[("proxy", "pets/1")])
    );
    assert_eq!(lookup(&r, "GET", "/pets/1"), hit(0, &[("id", "1")]));
}

#[test]
fn outer_slashes_are_ignored_inner_ones_kept() {
    // Values recorded against AWS in LocalStack's test_lambda_aws_proxy_integration snapshot.
    let r = rest(&[
        "ANY /{proxy+}",
        "ANY /hardcoded",
        "GET /pets",
        "GET /a/{x}/b",
    ]);
    assert_eq!(
        lookup(&r, "GET", "/proxy-value/"),
        hit(0, &[("proxy", "proxy-value")])
    );
    assert_eq!(
        lookup(&r, "GET", "//proxy-value"),
        hit(0, &[("proxy", "proxy-value")])
    );
    assert_eq!(
        lookup(&r, "GET", "/proxy-value//double-slash"),
        hit(0, &[("proxy", "proxy-value//double-slash")])
    );
    assert_eq!(lookup(&r, "GET", "//hardcoded"), hit(1, &[]));
    assert_eq!(lookup(&r, "GET", "/pets/"), hit(2, &[]));
    assert_eq!(lookup(&r, "GET", "/pets//"), hit(2, &[]));
    // An empty inner segment is no value for `{x}`; only the greedy resource takes it.
    assert_eq!(lookup(&r, "GET", "/a//b"), hit(0, &[("proxy", "a//b")]));
    assert_eq!(lookup(&r, "GET", "/a/1/b/"), hit(3, &[("x", "1")]));
}

#[test]
fn the_root_resource_is_slash() {
    let r = rest(&["GET /", "GET /{id}"]);
    assert_eq!(lookup(&r, "GET", "/"), hit(0, &[]));
    assert_eq!(lookup(&r, "GET", "//"), hit(0, &[]));
    assert_eq!(lookup(&r, "GET", ""), hit(0, &[]));
    assert_eq!(lookup(&r, "GET", "/7"), hit(1, &[("id", "7")]));
    let r = rest(&["GET /{id}"]);
    assert_eq!(lookup(&r, "GET", "/"), MISS);
}

#[test]
fn paths_are_never_decoded() {
    let r = rest(&["GET /pets/{id}", "GET /pets", "ANY /{proxy+}"]);
    assert_eq!(lookup(&r, "GET", "/pets/a%20b"), hit(0, &[("id", "a%20b")]));
    // `%2F` does not split: one segment, still encoded.
    assert_eq!(lookup(&r, "GET", "/pets/a%2Fb"), hit(0, &[("id", "a%2Fb")]));
    // Invalid escapes are just text.
    assert_eq!(lookup(&r, "GET", "/pets/%zz"), hit(0, &[("id", "%zz")]));
    assert_eq!(lookup(&r, "GET", "/pets/100%"), hit(0, &[("id", "100%")]));
    // `+` is not a space. Value recorded against AWS by LocalStack.
    let path = "/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com";
    assert_eq!(
        lookup(&r, "GET", path),
        hit(
            2,
            &[(
                "proxy",
                "api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com"
            )]
        )
    );
    // Literals compare with the raw segment, so an encoded letter is another resource.
    assert_eq!(lookup(&r, "GET", "/%70ets"), hit(2, &[("proxy", "%70ets")]));
    assert_eq!(
        lookup(&r, "GET", "/pets/caf%C3%A9"),
        hit(0, &[("id", "caf%C3%A9")])
    );
}

#[test]
fn literals_are_case_sensitive() {
    let r = rest(&["GET /pets", "GET /{name}"]);
    assert_eq!(lookup(&r, "GET", "/pets"), hit(0, &[]));
    assert_eq!(lookup(&r, "GET", "/Pets"), hit(1, &[("name", "Pets")]));
    assert_eq!(lookup(&r, "GET", "/PETS"), hit(1, &[("name", "PETS")]));
}

#[test]
fn head_is_not_get() {
    let r = rest(&["GET /a", "HEAD /b", "GET /b", "ANY /c"]);
    assert_eq!(lookup(&r, "HEAD", "/a"), MISS);
    assert_eq!(lookup(&r, "HEAD", "/b"), hit(1, &[]));
    assert_eq!(lookup(&r, "HEAD", "/c"), hit(3, &[]));
}

#[test]
fn unknown_and_lower_case_methods_reach_only_any() {
    let r = rest(&["GET /a", "ANY /a", "GET /b", "ANY /{proxy+}"]);
    assert_eq!(lookup(&r, "PROPFIND", "/a"), hit(1, &[]));
    assert_eq!(lookup(&r, "get", "/a"), hit(1, &[]));
    assert_eq!(lookup(&r, "get", "/b"), hit(3, &[("proxy", "b")]));
    assert_eq!(lookup(&r, "TRACE", "/b"), hit(3, &[("proxy", "b")]));
    let r = rest(&["GET /a"]);
    assert_eq!(lookup(&r, "PROPFIND", "/a"), MISS);
}

#[test]
fn differently_named_variables_at_one_position_keep_their_own_names() {
    // AWS refuses this at import; the router still answers deterministically.
    let r = rest(&[
        "GET /pets/{id}/x",
        "GET /pets/{petId}/y",
        "POST /pets/{other}",
    ]);
    assert_eq!(lookup(&r, "GET", "/pets/1/x"), hit(0, &[("id", "1")]));
    assert_eq!(lookup(&r, "GET", "/pets/1/y"), hit(1, &[("petId", "1")]));
    assert_eq!(lookup(&r, "POST", "/pets/1"), hit(2, &[("other", "1")]));
}

#[test]
fn invalid_route_sets_do_not_panic() {
    // Duplicate key: the first wins. Greedy not last: the route is unreachable.
    let r = rest(&["GET /a", "GET /a", "GET /{proxy+}/b", "$default"]);
    assert_eq!(lookup(&r, "GET", "/a"), hit(0, &[]));
    assert_eq!(lookup(&r, "GET", "/x/b"), MISS);
    // `$default` means nothing to a REST API.
    assert_eq!(lookup(&r, "GET", "/zzz"), MISS);
    assert_eq!(lookup(&rest(&[]), "GET", "/"), MISS);
}

#[test]
fn long_paths_match_segment_by_segment() {
    let deep: String = (0..200).map(|i| format!("/s{i}")).collect();
    let r = rest(&[&format!("GET {deep}/{{last}}"), "GET /s0/{proxy+}"]);
    assert_eq!(
        lookup(&r, "GET", &format!("{deep}/end")),
        hit(0, &[("last", "end")])
    );
    let rest_of: String = (1..200).map(|i| format!("s{i}/")).collect();
    assert_eq!(
        lookup(&r, "GET", &format!("{deep}/end/more")),
        hit(1, &[("proxy", format!("{rest_of}end/more").as_str())])
    );
    let huge: String = "/x".repeat(5000);
    assert_eq!(lookup(&r, "GET", &huge), MISS);
    let r = rest(&["GET /{proxy+}"]);
    assert_eq!(lookup(&r, "GET", &huge), hit(0, &[("proxy", &huge[1..])]));
}

#[test]
fn resource_exists_ignores_the_method() {
    let r = rest(&["PATCH /users/me", "GET /pets/{id}"]);
    assert!(r.resource_exists("/users/me"));
    assert!(r.resource_exists("/pets/1/"));
    // `/users` is only a parent, with no method of its own.
    assert!(!r.resource_exists("/users"));
    assert!(!r.resource_exists("/nothing"));
}
