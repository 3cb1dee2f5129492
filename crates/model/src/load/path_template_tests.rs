use super::*;

fn ok(path: &str) -> Template {
    parse(path, ApiKind::Rest).unwrap()
}

fn err(path: &str) -> String {
    parse(path, ApiKind::Rest).unwrap_err()
}

#[test]
fn parses_literals_params_and_greedy() {
    assert_eq!(ok("/").segments, vec![]);
    assert_eq!(
        ok("/pets/{petId}/files/{proxy+}").segments,
        vec![
            Segment::Literal("pets".into()),
            Segment::Param("petId".into()),
            Segment::Literal("files".into()),
            Segment::Greedy("proxy".into()),
        ]
    );
    assert_eq!(ok("/v1/events:batch").segments.len(), 2);
    assert_eq!(
        ok("/pets/{petId}/files/{proxy+}").params(),
        ["petId", "proxy"]
    );
    assert_eq!(
        ok("/pets/{petId}/files/{proxy+}").normalized(),
        "/pets/{}/files/{+}"
    );
    assert_eq!(ok("/").normalized(), "/");
}

#[test]
fn rejects_malformed_templates() {
    assert_eq!(
        err("pets"),
        "path \"pets\" must start with \"/\", as in \"/pets\""
    );
    assert_eq!(
        err("/pets/{id"),
        "unbalanced braces in segment \"{id\" of \"/pets/{id\"; a parameter is written {name}"
    );
    assert_eq!(
        err("/pets/{}"),
        "empty parameter name \"{}\" in \"/pets/{}\"; expected {name} or {name+}"
    );
    assert_eq!(
        err("/a{b}"),
        "parameter in segment \"a{b}\" of \"/a{b}\" must be the whole segment, as in \"/a/{b}\" (API Gateway does not allow \"/a{b}\")"
    );
    assert_eq!(
        err("/{proxy+}/x"),
        "greedy parameter \"{proxy+}\" in \"/{proxy+}/x\" must be the last segment"
    );
    assert_eq!(
        err("/a/{id}/b/{id}"),
        "duplicate path parameter \"id\" in \"/a/{id}/b/{id}\"; each parameter needs its own name"
    );
    assert_eq!(
        err("/pets/"),
        "path \"/pets/\" must not end with \"/\" (only the root path \"/\" may)"
    );
    assert_eq!(
        err("/a//b"),
        "path \"/a//b\" has an empty segment (\"//\"); each segment between slashes must be a name or a {param}"
    );
    assert_eq!(
        err("/$metadata"),
        "path segment \"$metadata\" of \"/$metadata\" may only contain a-zA-Z0-9._-: in a REST API (AWS: \"Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end\")"
    );
    assert_eq!(
        err("/{pet id}"),
        "parameter name \"pet id\" in \"/{pet id}\" may only contain a-zA-Z0-9._-:"
    );
}

#[test]
fn http_apis_do_not_restrict_literal_characters() {
    let template = parse("/$metadata/{id}", ApiKind::Http).unwrap();
    assert_eq!(template.segments[0], Segment::Literal("$metadata".into()));
}

#[test]
fn a_rest_resource_has_one_variable_child() {
    let mut tree = ResourceTree::default();
    tree.add("/pets/{id}", &ok("/pets/{id}")).unwrap();
    tree.add("/pets/{id}/toys", &ok("/pets/{id}/toys")).unwrap();
    tree.add("/owners/{ownerId}", &ok("/owners/{ownerId}"))
        .unwrap();
    assert_eq!(
        tree.add("/pets/{petId}/photos", &ok("/pets/{petId}/photos")).unwrap_err(),
        "path \"/pets/{petId}/photos\" conflicts with \"/pets/{id}\": the REST resource \"/pets\" may have only one variable child and already has \"{id}\" (AWS: \"A sibling ({id}) of this resource already has a variable path part -- only one is allowed\"); use the same parameter name"
    );
    assert_eq!(tree.add("/{proxy+}", &ok("/{proxy+}")), Ok(()));
    assert_eq!(
        tree.add("/{name}", &ok("/{name}")).unwrap_err(),
        "path \"/{name}\" conflicts with \"/{proxy+}\": the REST resource \"/\" may have only one variable child and already has \"{proxy+}\" (AWS: \"A sibling ({proxy+}) of this resource already has a variable path part -- only one is allowed\"); use the same parameter name"
    );
}
