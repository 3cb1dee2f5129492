use serde_json::json;

use super::{render, render_with};
use crate::{escape_javascript, url_decode, url_encode, Overrides, Scope, Template};

fn body(body: &str, template: &str) -> String {
    render_with(template, &Scope::new(body))
}

#[test]
fn input_body_is_the_raw_text() {
    assert_eq!(body("{\"a\": 1}", "$input.body"), "{\"a\": 1}");
}

#[test]
fn input_json_prints_compact_json_of_the_selection() {
    let b = r#"{"str": "s", "num": 1, "bool": true, "pets": [{"id": 1}, {"id": 2}], "o": {"k": [1, 2.5]}}"#;
    assert_eq!(
        body(
            b,
            "$input.json('$.str') $input.json('$.num') $input.json('$.bool')"
        ),
        r#""s" 1 true"#
    );
    assert_eq!(body(b, "$input.json('$.pets')"), r#"[{"id":1},{"id":2}]"#);
    assert_eq!(
        body(
            b,
            "$input.json('$.pets[1].id') $input.json('$.pets[-1]') $input.json(\"$['o']['k']\")"
        ),
        r#"2 {"id":2} [1,2.5]"#
    );
    assert_eq!(
        body(b, "$input.json('$.pets[*].id') $input.json('$..id')"),
        "[1,2] [1,2]"
    );
    assert_eq!(body(b, "$input.json('$.o.*')"), "[[1,2.5]]");
}

#[test]
fn input_json_of_a_missing_path_is_an_empty_json_string() {
    // Observed on API Gateway: `{"val": $input.json('$.pets')}` with no `pets` gives `{"val": ""}`.
    assert_eq!(
        body(r#"{"a": 1}"#, "{\"val\": $input.json('$.pets')}"),
        r#"{"val": ""}"#
    );
}

#[test]
fn input_json_accepts_a_path_without_dollar() {
    assert_eq!(
        body(
            r#"{"str": "s", "num": 1}"#,
            "$input.json(\"str\") $input.json('num')"
        ),
        r#""s" 1"#
    );
}

#[test]
fn input_json_of_an_empty_body_is_an_empty_object() {
    assert_eq!(body("", "$input.json('$')"), "{}");
}

#[test]
fn input_path_returns_navigable_values() {
    let b = r#"{"user": {"name": "Ann", "tags": ["a", "b"]}, "n": 3000000000}"#;
    assert_eq!(
        body(b, "#set($u = $input.path('$.user'))$u.name $u.tags.size() $u.tags[1] $input.path('$.n') $input.path('$.user.tags')"),
        "Ann 2 b 3000000000 [a, b]"
    );
    assert_eq!(
        body(b, "$input.path('$.missing')|$!input.path('$.missing')|"),
        "$input.path('$.missing')||"
    );
}

#[test]
fn changes_through_input_path_show_in_input_json() {
    let t = "#set($body = $input.path('$'))#set($body.url = \"https://example.tld/thingy/$body.id\")$input.json('$')";
    assert_eq!(
        body(r#"{"id": "7"}"#, t),
        r#"{"id":"7","url":"https://example.tld/thingy/7"}"#
    );
}

#[test]
fn non_json_body_is_a_string_at_the_root() {
    assert_eq!(
        body("plain text", "$input.path('$') $input.json('$')"),
        "plain text \"plain text\""
    );
}

#[test]
fn input_params_by_name_prefers_path_then_querystring_then_header() {
    let scope = Scope::new("")
        .path_params([("id", "p")])
        .querystring_params([("id", "q"), ("q", "query")])
        .header_params([("id", "h"), ("X-Trace", "t")]);
    assert_eq!(render_with("$input.params('id') $input.params('q') $input.params('x-trace') [$input.params('none')]", &scope), "p query t []");
}

#[test]
fn input_params_lists_every_source() {
    let scope = Scope::new("")
        .path_params([("id", "7")])
        .querystring_params([("a", "1")])
        .header_params([("Accept", "*/*")]);
    assert_eq!(
        render_with(
            "$input.params() $input.params().header.get('Accept') $input.params().path.id",
            &scope
        ),
        "{path={id=7}, querystring={a=1}, header={Accept=*/*}} */* 7"
    );
}

#[test]
fn util_escape_javascript() {
    assert_eq!(
        escape_javascript("it's \"q\" \\ / \n\t\r\u{8}\u{c}\u{1} é 😀"),
        "it\\'s \\\"q\\\" \\\\ \\/ \\n\\t\\r\\b\\f\\u0001 \\u00E9 \\uD83D\\uDE00"
    );
    assert_eq!(render("$util.escapeJavaScript(\"a'b\")"), "a\\'b");
}

#[test]
fn util_parse_json() {
    assert_eq!(
        render("#set($o = $util.parseJson('{\"a\": [1, {\"b\": \"c\"}]}'))$o.a[1].b $o.a.size()"),
        "c 2"
    );
    let error = Template::compile("$util.parseJson('{')")
        .unwrap()
        .render(&Scope::new(""))
        .unwrap_err();
    assert!(
        error.to_string().contains("$util.parseJson: invalid JSON"),
        "{error}"
    );
}

#[test]
fn util_url_encode_and_decode() {
    assert_eq!(url_encode("a b&c=d/é*~"), "a+b%26c%3Dd%2F%C3%A9*%7E");
    assert_eq!(url_decode("a+b%26c%3Dd%2F%C3%A9").unwrap(), "a b&c=d/é");
    assert!(url_decode("%zz").is_err());
    assert_eq!(
        render("$util.urlEncode('x y') $util.urlDecode('x+y%21')"),
        "x+y x y!"
    );
}

#[test]
fn util_base64() {
    assert_eq!(
        render("$util.base64Encode('hello world') $util.base64Decode('aGVsbG8gd29ybGQ=')"),
        "aGVsbG8gd29ybGQ= hello world"
    );
}

#[test]
fn context_and_stage_variables() {
    let context = json!({"requestId": "r-1", "identity": {"sourceIp": "192.0.2.1"}, "authorizer": {"principalId": "me", "claims": {"sub": "u1"}}});
    let scope = Scope::new("")
        .context(context.as_object().cloned().unwrap_or_default())
        .stage_variables([("env", "prod")]);
    assert_eq!(
        render_with("$context.requestId $context.identity.sourceIp $context.authorizer.principalId $context.authorizer.claims.sub $stageVariables.env $stageVariables.none", &scope),
        "r-1 192.0.2.1 me u1 prod $stageVariables.none"
    );
}

#[test]
fn overrides_are_returned() {
    let t = "#set($context.responseOverride.status = 400)#set($context.responseOverride.header.X-Error = 'bad')\
             #set($context.requestOverride.header.X-Up = 'v')#set($context.requestOverride.querystring.q = 1)\
             #set($context.requestOverride.path.id = 'p')done";
    let rendered = Template::compile(t)
        .unwrap()
        .render(&Scope::new(""))
        .unwrap();
    assert_eq!(rendered.body, "done");
    assert_eq!(
        rendered.overrides,
        Overrides {
            request_headers: vec![("X-Up".into(), "v".into())],
            request_querystring: vec![("q".into(), "1".into())],
            request_path: vec![("id".into(), "p".into())],
            response_status: Some(400),
            response_headers: vec![("X-Error".into(), "bad".into())],
        }
    );
    let untouched = Template::compile("x")
        .unwrap()
        .render(&Scope::new(""))
        .unwrap();
    assert_eq!(untouched.overrides, Overrides::default());
}

#[test]
fn template_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Template>();
}
