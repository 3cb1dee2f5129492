use super::*;
use std::sync::Arc;

use turnpike_model::{ApiKind, Deployment, Stage};

use crate::test_support::{api, mock_route};

fn snapshot(stages: &[&str]) -> Snapshot {
    let rest = api(
        "Rest One",
        ApiKind::Rest,
        vec![
            mock_route("GET", "/pets", 200, ""),
            mock_route("GET", "/", 200, ""),
        ],
    );
    let http = api(
        "Http Two",
        ApiKind::Http,
        vec![
            mock_route("GET", "/pets", 200, ""),
            mock_route("GET", "/orders", 200, ""),
        ],
    );
    Snapshot::build(&Deployment::new(
        vec![Arc::new(rest), Arc::new(http)],
        stages.iter().map(|s| Stage::new(*s)).collect(),
    ))
}

/// (api index, stage, route index or miss).
fn route(s: &Snapshot, host: Option<&str>, path: &str) -> (usize, Option<String>, Option<usize>) {
    let t = dispatch(s, &Method::GET, host, path).unwrap();
    let index = s.apis.iter().position(|a| Arc::ptr_eq(a, &t.api)).unwrap();
    (
        index,
        t.stage.map(|s| s.name.clone()),
        t.route.ok().map(|m| m.route),
    )
}

#[test]
fn the_stage_prefix_is_stripped_per_kind() {
    let s = snapshot(&["dev", "$default"]);
    assert_eq!(
        route(&s, None, "/dev/pets"),
        (0, Some("dev".into()), Some(0))
    );
    assert_eq!(route(&s, None, "/dev"), (0, Some("dev".into()), Some(1)));
    assert_eq!(route(&s, None, "/dev/"), (0, Some("dev".into()), Some(1)));
    // No REST stage "orders": the HTTP API's $default serves it.
    assert_eq!(
        route(&s, None, "/orders"),
        (1, Some("$default".into()), Some(1))
    );
    // The HTTP API also has the named stage dev.
    assert_eq!(
        route(&s, None, "/dev/orders"),
        (1, Some("dev".into()), Some(1))
    );
}

#[test]
fn the_first_api_with_a_match_serves() {
    let s = snapshot(&["dev", "$default"]);
    // Both APIs have GET /pets under dev: load order decides.
    assert_eq!(route(&s, None, "/dev/pets").0, 0);
    // The HTTP API matches /pets under $default.
    assert_eq!(
        route(&s, None, "/pets"),
        (1, Some("$default".into()), Some(0))
    );
}

#[test]
fn without_a_match_the_api_with_the_stage_answers() {
    let s = snapshot(&["dev", "$default"]);
    // REST has stage dev (first): its 403.
    assert_eq!(route(&s, None, "/dev/nope"), (0, Some("dev".into()), None));
    // REST has no stage "nope"; the HTTP API's $default applies: its 404.
    assert_eq!(route(&s, None, "/nope"), (1, Some("$default".into()), None));
    // Only named stages: nobody has "nope", the first API answers.
    let s = snapshot(&["prod"]);
    assert_eq!(route(&s, None, "/nope/pets"), (0, None, None));
    assert_eq!(route(&s, None, "/pets"), (0, None, None));
}

#[test]
fn the_host_header_selects_an_api() {
    let s = snapshot(&["dev", "$default"]);
    let http_id = s.apis[1].id.clone();
    let host = format!("{http_id}.execute-api.localhost:8080");
    assert_eq!(
        route(&s, Some(&host), "/dev/pets"),
        (1, Some("dev".into()), Some(0))
    );
    let upper = format!("{}.EXECUTE-API.localhost", http_id.to_uppercase());
    assert_eq!(
        route(&s, Some(&upper), "/pets"),
        (1, Some("$default".into()), Some(0))
    );
    // An unknown id or another host: no selection.
    assert_eq!(
        route(&s, Some("zzzzzzzzzz.execute-api.localhost"), "/dev/pets").0,
        0
    );
    assert_eq!(route(&s, Some("localhost:8080"), "/dev/pets").0, 0);
    assert_eq!(route(&s, Some("é.execute-api.localhost"), "/dev/pets").0, 0);
}

#[test]
fn the_restapis_path_selects_an_api_and_a_stage() {
    let s = snapshot(&["dev", "$default"]);
    let rest_id = s.apis[0].id.clone();
    let http_id = s.apis[1].id.clone();
    assert_eq!(
        route(
            &s,
            None,
            &format!("/restapis/{http_id}/dev/_user_request_/pets")
        ),
        (1, Some("dev".into()), Some(0))
    );
    assert_eq!(
        route(
            &s,
            None,
            &format!("/restapis/{http_id}/%24default/_user_request_/orders")
        ),
        (1, Some("$default".into()), Some(1))
    );
    assert_eq!(
        route(&s, None, &format!("/restapis/{rest_id}/dev/_user_request_")),
        (0, Some("dev".into()), Some(1))
    );
    assert_eq!(
        route(
            &s,
            None,
            &format!("/restapis/{rest_id}/prod/_user_request_/pets")
        ),
        (0, None, None)
    );
}

#[test]
fn no_api_means_no_target() {
    let empty = Snapshot::default();
    assert!(dispatch(&empty, &Method::GET, None, "/x").is_none());
}
