use super::*;

fn pos(line: usize, column: usize) -> Pos {
    Pos { line, column }
}

fn parse_ok(text: &str) -> Document {
    match parse(text, false) {
        Ok(doc) => doc,
        Err(e) => panic!("unexpected syntax error: {e:?}"),
    }
}

#[test]
fn block_yaml_values_and_positions() {
    let doc = parse_ok("openapi: 3.0.1\ninfo:\n  title: Pets\n  version: 1\npaths: {}\n");
    assert_eq!(
        doc.root,
        serde_json::json!({"openapi": "3.0.1", "info": {"title": "Pets", "version": 1}, "paths": {}})
    );
    assert_eq!(doc.value_pos("/openapi"), pos(1, 10));
    assert_eq!(doc.key_pos("/openapi"), pos(1, 1));
    assert_eq!(doc.key_pos("/info"), pos(2, 1));
    assert_eq!(doc.value_pos("/info"), pos(3, 3));
    assert_eq!(doc.value_pos("/info/title"), pos(3, 10));
    assert_eq!(doc.key_pos("/info/title"), pos(3, 3));
    assert_eq!(doc.value_pos("/paths"), pos(5, 8));
    assert_eq!(doc.value_pos(""), pos(1, 1));
    // An unknown pointer falls back to its nearest located ancestor.
    assert_eq!(doc.value_pos("/info/title/nope"), pos(3, 10));
}

#[test]
fn compact_json_without_spaces() {
    let doc = parse_ok(r#"{"a":1,"b":[true,null,"x"],"c":{"d":-2.5e3,"/p":"q"}}"#);
    assert_eq!(
        doc.root,
        serde_json::json!({"a": 1, "b": [true, null, "x"], "c": {"d": -2500.0, "/p": "q"}})
    );
    assert_eq!(doc.value_pos("/a"), pos(1, 6));
    assert_eq!(doc.key_pos("/a"), pos(1, 2));
    assert_eq!(doc.value_pos("/b/2"), pos(1, 23));
    assert_eq!(doc.value_pos("/c/~1p"), pos(1, 49));
    assert_eq!(doc.key_pos("/c/~1p"), pos(1, 44));
}

#[test]
fn pretty_json_with_tabs_and_escapes() {
    let text = "{\n\t\"swagger\": \"2.0\",\n\t\"info\": {\n\t\t\"title\": \"caf\\u00e9 \\/ \\ud83d\\ude00\"\n\t}\n}\n";
    let doc = parse_ok(text);
    assert_eq!(doc.root["info"]["title"], "café / 😀");
    assert_eq!(doc.key_pos("/swagger"), pos(2, 2));
    assert_eq!(doc.value_pos("/info/title"), pos(4, 12));
}

#[test]
fn scalars_follow_the_yaml_1_2_core_schema() {
    let doc = parse_ok(
        "a: 200\nb: \"200\"\nc: 2.0\nd: 0x1F\ne: ~\nf:\ng: yes\nh: .inf\ni: !!str 12\nj: 'true'\nk: -7\nl: 1e3\n",
    );
    assert_eq!(
        doc.root,
        serde_json::json!({
            "a": 200, "b": "200", "c": 2.0, "d": 31, "e": null, "f": null, "g": "yes",
            "h": ".inf", "i": "12", "j": "true", "k": -7, "l": 1000.0
        })
    );
}

#[test]
fn numeric_keys_keep_their_text() {
    let doc = parse_ok("responses:\n  200:\n    x: 1\n  2\\d{2}: {}\n");
    assert_eq!(
        doc.root,
        serde_json::json!({"responses": {"200": {"x": 1}, "2\\d{2}": {}}})
    );
    assert_eq!(doc.key_pos("/responses/200"), pos(2, 3));
}

#[test]
fn anchors_and_aliases_copy_values_and_positions() {
    let text = "base: &m\n  type: mock\n  n: [1, 2]\nuse: *m\n";
    let doc = parse_ok(text);
    assert_eq!(
        doc.root["use"],
        serde_json::json!({"type": "mock", "n": [1, 2]})
    );
    assert_eq!(doc.value_pos("/use/type"), pos(2, 9));
    assert_eq!(doc.value_pos("/use/n/1"), pos(3, 10));
    assert_eq!(doc.value_pos("/use"), pos(4, 6));
    assert_eq!(doc.key_pos("/use"), pos(4, 1));
}

#[test]
fn duplicate_keys_are_an_error() {
    let err = parse("a: 1\nb:\n  c: 1\n  c: 2\n", false).unwrap_err();
    assert_eq!(err.pos, pos(4, 3));
    assert_eq!(
        err.message,
        "duplicate key \"c\" (first defined at line 3 column 3); each key may appear once in a mapping"
    );
}

#[test]
fn duplicate_keys_in_json_are_an_error() {
    let err = parse(r#"{"a": 1, "a": 2}"#, false).unwrap_err();
    assert_eq!(err.pos, pos(1, 10));
    assert_eq!(
        err.message,
        "duplicate key \"a\" (first defined at line 1 column 2); each key may appear once in a mapping"
    );
}

#[test]
fn syntax_errors_carry_the_parser_message_and_position() {
    let err = parse("a: 1\nb: [1, 2\nc: 3\n", false).unwrap_err();
    assert_eq!(
        err,
        SyntaxError {
            pos: pos(3, 2),
            message: "illegal placement of ':' indicator".into()
        }
    );
    let err = parse("a:\n  b: 1\n c: 2\n", false).unwrap_err();
    assert_eq!(
        err,
        SyntaxError {
            pos: pos(3, 3),
            message: "while parsing a block mapping, did not find expected key".into()
        }
    );
}

#[test]
fn json_syntax_error() {
    let err = parse("{\"a\": 1,,}", false).unwrap_err();
    assert_eq!(
        err,
        SyntaxError {
            pos: pos(1, 9),
            message: "expected an object key in double quotes".into()
        }
    );
    let err = parse("{\"a\": \"x\\q\"}", false).unwrap_err();
    assert_eq!(
        err,
        SyntaxError {
            pos: pos(1, 7),
            message: "invalid string: invalid escape".into()
        }
    );
    let err = parse("{\"a\": 01}", true).unwrap_err();
    assert_eq!(
        err,
        SyntaxError {
            pos: pos(1, 7),
            message: "invalid number \"01\"".into()
        }
    );
    let err = parse("{\"a\": 1} x", true).unwrap_err();
    assert_eq!(
        err,
        SyntaxError {
            pos: pos(1, 10),
            message: "unexpected text after the end of the JSON document".into()
        }
    );
}

#[test]
fn a_second_document_is_an_error() {
    let err = parse("a: 1\n---\nb: 2\n", false).unwrap_err();
    assert_eq!(err.pos, pos(2, 1));
    assert!(err
        .message
        .starts_with("a second YAML document starts here"));
}

#[test]
fn an_empty_document_is_an_error() {
    let err = parse("# nothing\n", false).unwrap_err();
    assert_eq!(err.pos, pos(1, 1));
    assert_eq!(
        err.message,
        "the document is empty; expected an OpenAPI 3 or Swagger 2 document"
    );
}

#[test]
fn nesting_is_bounded() {
    let text = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let err = parse(&text, false).unwrap_err();
    assert_eq!(err.pos, pos(1, 129));
    assert_eq!(
        err.message,
        "the document is nested more than 128 levels deep"
    );
}

#[test]
fn complex_keys_are_an_error() {
    let err = parse("? [a, b]\n: 1\n", false).unwrap_err();
    assert_eq!(err.pos, pos(1, 3));
    assert_eq!(
        err.message,
        "a mapping key must be a string, not a mapping or sequence"
    );
}

#[test]
fn a_yaml_flow_mapping_that_opens_like_json_still_parses() {
    let doc = parse_ok("{openapi: 3.0.1, info: {title: T}}");
    assert_eq!(
        doc.root,
        serde_json::json!({"openapi": "3.0.1", "info": {"title": "T"}})
    );
    assert_eq!(doc.value_pos("/info/title"), pos(1, 32));
}

#[test]
fn a_json_file_name_reports_json_errors() {
    let err = parse("{openapi: 3.0.1}", true).unwrap_err();
    assert_eq!(err.pos, pos(1, 2));
    assert_eq!(err.message, "expected an object key in double quotes");
}

#[test]
fn yaml_rust2_reads_compact_json_but_not_surrogate_escapes() {
    // Why JSON has its own scanner: the YAML parser handles `"a":1` but not `\ud83d\ude00`.
    let doc = super::parse_yaml(r#"{"a":1,"b":"c"}"#, false).unwrap();
    assert_eq!(doc.root, serde_json::json!({"a": 1, "b": "c"}));
    let err = super::parse_yaml(r#"{"a":"\ud83d\ude00"}"#, false).unwrap_err();
    assert_eq!(
        err.message,
        "while parsing a quoted scalar, found invalid Unicode character escape code"
    );
}

#[test]
fn merge_keys_add_the_members_not_set_explicitly() {
    let text = "base: &b\n  type: mock\n  uri: http://a\nx:\n  <<: *b\n  uri: http://override\ny:\n  uri: first\n  <<: [*b, {extra: 1}]\nz:\n  '<<': kept\n";
    let doc = parse_ok(text);
    assert_eq!(
        doc.root["x"],
        serde_json::json!({"type": "mock", "uri": "http://override"})
    );
    assert_eq!(
        doc.root["y"],
        serde_json::json!({"uri": "first", "type": "mock", "extra": 1})
    );
    assert_eq!(doc.root["z"], serde_json::json!({"<<": "kept"}));
    assert_eq!(doc.value_pos("/x/type"), pos(2, 9));
    assert_eq!(doc.key_pos("/x/type"), pos(2, 3));
    assert_eq!(doc.value_pos("/x/uri"), pos(6, 8));
    assert_eq!(doc.value_pos("/y/extra"), pos(9, 20));
}

#[test]
fn merge_keys_take_mappings_only() {
    let err = parse("a:\n  <<: 1\n", false).unwrap_err();
    assert_eq!(
        err,
        SyntaxError {
            pos: pos(2, 3),
            message: "the merge key << takes a mapping or a sequence of mappings".into()
        }
    );
}

#[test]
fn short_forms_become_long_forms_with_positions() {
    let text = "a: !Ref Foo\nb: !GetAtt A.Arn\nc: !If [C, !Ref X, y]\nd: !Sub\n  - x${y}\n  - {y: 1}\ne: &j !Join ['', [a, b]]\nf: *j\ng: !!str 12\nh: !Equals [!Condition K, 'true']\n";
    let doc = parse_with(text, false, true).unwrap();
    assert_eq!(
        doc.root,
        serde_json::json!({
            "a": {"Ref": "Foo"},
            "b": {"Fn::GetAtt": "A.Arn"},
            "c": {"Fn::If": ["C", {"Ref": "X"}, "y"]},
            "d": {"Fn::Sub": ["x${y}", {"y": 1}]},
            "e": {"Fn::Join": ["", ["a", "b"]]},
            "f": {"Fn::Join": ["", ["a", "b"]]},
            "g": "12",
            "h": {"Fn::Equals": [{"Condition": "K"}, "true"]},
        })
    );
    // The mapping a short form stands for sits where its value does.
    assert_eq!(doc.value_pos("/a"), pos(1, 9));
    assert_eq!(doc.value_pos("/a/Ref"), pos(1, 9));
    assert_eq!(doc.key_pos("/a"), pos(1, 1));
    assert_eq!(doc.value_pos("/c/Fn::If/1/Ref"), pos(3, 17));
    assert_eq!(doc.value_pos("/c/Fn::If/2"), pos(3, 20));
    assert_eq!(doc.value_pos("/d/Fn::Sub/1/y"), pos(6, 9));
    assert_eq!(doc.value_pos("/f/Fn::Join/1/1"), pos(7, 22));
}

#[test]
fn without_short_forms_tags_are_ignored() {
    let doc = parse_ok("a: !Ref Foo\nb: !If [C, x]\n");
    assert_eq!(doc.root, serde_json::json!({"a": "Foo", "b": ["C", "x"]}));
}
