//! The pure parts of HTTP API parameter mapping: headers, query strings, paths, ordering.

use super::*;
use turnpike_model::{HttpRequestParameter, MappingValue};

fn name(n: &'static str) -> HeaderName {
    HeaderName::from_static(n)
}

#[test]
fn headers_append_to_one_comma_joined_value_overwrite_and_remove() {
    let mut headers = HeaderMap::new();
    headers.append("x-a", HeaderValue::from_static("1"));
    headers.append("x-a", HeaderValue::from_static("2"));
    apply_header(
        &mut headers,
        &name("x-a"),
        MappingAction::Append,
        Some("3".into()),
    );
    assert_eq!(headers.get_all("x-a").iter().collect::<Vec<_>>(), ["1,2,3"]);
    apply_header(
        &mut headers,
        &name("x-b"),
        MappingAction::Append,
        Some("new".into()),
    );
    assert_eq!(headers["x-b"], "new");
    apply_header(
        &mut headers,
        &name("x-a"),
        MappingAction::Overwrite,
        Some("o".into()),
    );
    assert_eq!(headers.get_all("x-a").iter().collect::<Vec<_>>(), ["o"]);
    apply_header(&mut headers, &name("x-a"), MappingAction::Remove, None);
    assert!(!headers.contains_key("x-a"));
    // A value that cannot be a header value is dropped, not sent broken.
    apply_header(
        &mut headers,
        &name("x-c"),
        MappingAction::Overwrite,
        Some("a\nb".into()),
    );
    assert!(!headers.contains_key("x-c"));
}

#[test]
fn query_strings_keep_the_clients_pairs_byte_for_byte() {
    let uri: Uri = "/p?a=1&b=x%20y&a=2&c".parse().unwrap();
    let mut pairs = raw_pairs(uri.query());
    apply_query(
        &mut pairs,
        "a",
        MappingAction::Overwrite,
        Some("é&=".into()),
    );
    apply_query(&mut pairs, "c", MappingAction::Remove, None);
    apply_query(&mut pairs, "b", MappingAction::Append, Some("z".into()));
    assert_eq!(
        with_query(&uri, &pairs).to_string(),
        "/p?b=x%20y&a=%C3%A9%26%3D&b=z"
    );
    let mut pairs = raw_pairs(None);
    apply_query(&mut pairs, "a", MappingAction::Remove, None);
    assert_eq!(with_query(&uri, &pairs).to_string(), "/p");
}

#[test]
fn overwritten_paths_replace_the_integration_path_and_keep_its_query() {
    let uri: Uri = "http://h:1/base/x?q=1".parse().unwrap();
    let mut extensions = http::Extensions::new();
    assert_eq!(overwrite_path(uri.clone(), &extensions), uri);
    extensions.insert(OverwritePath("/v2/a b".into()));
    assert_eq!(
        overwrite_path(uri.clone(), &extensions).to_string(),
        "http://h:1/v2/a%20b?q=1"
    );
    extensions.insert(OverwritePath("relative".into()));
    assert_eq!(
        overwrite_path("http://h/x".parse().unwrap(), &extensions).to_string(),
        "http://h/relative"
    );
}

#[test]
fn operations_run_removes_then_overwrites_then_appends() {
    let parameter = |action, header: &str| HttpRequestParameter {
        action,
        target: HttpRequestTarget::Header(header.into()),
        value: MappingValue {
            parts: vec![ValuePart::Text("v".into())],
        },
    };
    let model = ParameterMapping {
        request: vec![
            parameter(MappingAction::Append, "x-a"),
            parameter(MappingAction::Remove, "x-b"),
            parameter(MappingAction::Overwrite, "x-c"),
            parameter(MappingAction::Append, "x-d"),
        ],
        response: Default::default(),
    };
    let mut problems = Vec::new();
    let compiled = HttpApiMapping::compile(&model, &mut problems);
    assert!(problems.is_empty());
    let order: Vec<(MappingAction, &str)> = compiled
        .request
        .iter()
        .map(|op| match &op.target {
            RequestTarget::Header(h) => (op.action, h.as_str()),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        order,
        [
            (MappingAction::Remove, "x-b"),
            (MappingAction::Overwrite, "x-c"),
            (MappingAction::Append, "x-a"),
            (MappingAction::Append, "x-d"),
        ]
    );
    assert!(!compiled.reads_request_body);
}

#[test]
fn json_paths_see_the_first_100_kb() {
    let source = ValueSource::parse("method.request.body.a").unwrap();
    let long = "é".repeat(60 * 1024);
    let window = json_path_window(&source, &long);
    assert!(window.len() <= JSON_PATH_BODY_LIMIT && window.len() > JSON_PATH_BODY_LIMIT - 2);
    assert_eq!(
        json_path_window(&ValueSource::RequestBody, &long).len(),
        long.len()
    );
}
