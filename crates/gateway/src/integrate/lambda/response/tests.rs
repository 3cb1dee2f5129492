use http_body_util::BodyExt;

use super::*;

/// (status, headers as (name, value) in order, body) of a parsed result turned into a response.
async fn answer(
    parsed: Result<ProxyResponse, Malformed>,
    decode: bool,
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let response = parsed
        .unwrap()
        .into_response(decode, "application/json")
        .unwrap();
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_string()))
        .collect();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, body.to_vec())
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn malformed(parsed: Result<ProxyResponse, Malformed>) -> String {
    parsed.unwrap_err().0
}

#[tokio::test]
async fn v1_takes_status_headers_and_body() {
    let result = br#"{"statusCode": 201, "headers": {"X-One": "1", "Content-Type": "text/plain"},
        "body": "created", "isBase64Encoded": false}"#;
    assert_eq!(
        answer(parse_v1(result), false).await,
        (
            201,
            pairs(&[("x-one", "1"), ("content-type", "text/plain")]),
            b"created".to_vec()
        )
    );
}

#[tokio::test]
async fn v1_needs_no_key_at_all() {
    // AWS answers `{}` and `{"statusCode": 200}` with an empty 200.
    for result in [
        &b"{}"[..],
        br#"{"statusCode": 200}"#,
        br#"{"statusCode": null, "body": null}"#,
    ] {
        assert_eq!(
            answer(parse_v1(result), false).await,
            (
                200,
                pairs(&[("content-type", "application/json")]),
                Vec::new()
            )
        );
    }
}

#[tokio::test]
async fn v1_multi_value_headers_replace_single_ones_of_the_same_name() {
    let result = br#"{"statusCode": 200,
        "headers": {"x-a": "single", "x-b": "kept"},
        "multiValueHeaders": {"X-A": ["one", "two"], "set-cookie": ["a=1", "b=2"], "x-c": "lone"}}"#;
    assert_eq!(
        answer(parse_v1(result), false).await,
        (
            200,
            pairs(&[
                ("x-b", "kept"),
                ("x-a", "one"),
                ("x-a", "two"),
                ("set-cookie", "a=1"),
                ("set-cookie", "b=2"),
                ("x-c", "lone"),
                ("content-type", "application/json"),
            ]),
            Vec::new()
        )
    );
}

#[tokio::test]
async fn v1_reads_values_as_api_gateway_binds_them() {
    let result = br#"{"statusCode": "404", "headers": {"x-n": 5, "x-b": true, "x-null": null},
        "body": 42}"#;
    assert_eq!(
        answer(parse_v1(result), false).await,
        (
            404,
            pairs(&[
                ("x-n", "5"),
                ("x-b", "true"),
                ("content-type", "application/json")
            ]),
            b"42".to_vec()
        )
    );
    let float = br#"{"statusCode": 202.0}"#;
    assert_eq!(answer(parse_v1(float), false).await.0, 202);
}

#[tokio::test]
async fn base64_bodies_are_decoded_only_when_asked() {
    let result = br#"{"statusCode": 200, "headers": {"content-type": "image/png"},
        "body": "iVBORw==", "isBase64Encoded": true}"#;
    assert_eq!(
        answer(parse_v1(result), true).await,
        (
            200,
            pairs(&[("content-type", "image/png")]),
            vec![0x89, b'P', b'N', b'G']
        )
    );
    assert_eq!(
        answer(parse_v1(result), false).await.2,
        b"iVBORw==".to_vec()
    );
    let broken = parse_v1(br#"{"body": "@@@", "isBase64Encoded": true}"#).unwrap();
    let Err(error) = broken.into_response(true, "application/json") else {
        panic!("a body that is not base64 was decoded");
    };
    assert_eq!(
        error,
        Malformed::new("isBase64Encoded is true but the body is not base64")
    );
}

#[test]
fn v1_rejects_what_api_gateway_calls_malformed() {
    assert_eq!(malformed(parse_v1(b"not json")), "the result is not JSON");
    assert_eq!(malformed(parse_v1(b"")), "the result is not JSON");
    for not_object in [&b"null"[..], b"\"hello\"", b"[1]", b"200"] {
        assert_eq!(
            malformed(parse_v1(not_object)),
            "the result is not a JSON object"
        );
    }
    assert_eq!(
        malformed(parse_v1(br#"{"statusCode": 200, "wrongValue": "value"}"#)),
        "unknown key \"wrongValue\" in the result"
    );
    assert_eq!(
        malformed(parse_v1(br#"{"statusCode": 200, "cookies": ["a=1"]}"#)),
        "unknown key \"cookies\" in the result"
    );
    assert_eq!(
        malformed(parse_v1(br#"{"statusCode": "OK"}"#)),
        "statusCode \"OK\" is not an HTTP status"
    );
    assert_eq!(
        malformed(parse_v1(br#"{"statusCode": 1000}"#)),
        "statusCode 1000 is not an HTTP status"
    );
    assert_eq!(
        malformed(parse_v1(br#"{"statusCode": 200.5}"#)),
        "statusCode 200.5 is not an HTTP status"
    );
    assert_eq!(
        malformed(parse_v1(br#"{"statusCode": true}"#)),
        "statusCode true is not an HTTP status"
    );
    assert_eq!(
        malformed(parse_v1(br#"{"body": {"a": 1}}"#)),
        "body is not a string"
    );
    assert_eq!(
        malformed(parse_v1(br#"{"headers": ["a"]}"#)),
        "headers is not an object"
    );
    assert_eq!(
        malformed(parse_v1(br#"{"headers": {"a": {"b": 1}}}"#)),
        "a headers value is not a string"
    );
    assert_eq!(
        malformed(parse_v1(br#"{"multiValueHeaders": "a"}"#)),
        "multiValueHeaders is not an object"
    );
    assert_eq!(
        malformed(parse_v1(br#"{"multiValueHeaders": {"a": [["b"]]}}"#)),
        "a multiValueHeaders value is not a string"
    );
    assert_eq!(
        malformed(parse_v1(br#"{"isBase64Encoded": "true"}"#)),
        "isBase64Encoded is not a boolean"
    );
    assert_eq!(
        malformed(parse_v1(br#"{"headers": {"bad name": "x"}}"#)),
        "\"bad name\" is not a header name"
    );
    assert_eq!(
        malformed(parse_v1(br#"{"headers": {"x": "a\nb"}}"#)),
        "\"a\\nb\" is not a header value"
    );
}

#[tokio::test]
async fn v2_infers_a_200_json_response_from_anything_without_a_status() {
    for result in [
        &br#""Hello from Lambda!""#[..],
        br#"{ "message": "Hello from Lambda!" }"#,
        b"42",
        b"null",
        b"[1, 2]",
        br#"{"statusCode": null, "body": "x"}"#,
    ] {
        assert_eq!(
            answer(parse_v2(result), true).await,
            (
                200,
                pairs(&[("content-type", "application/json")]),
                result.to_vec()
            ),
            "{}",
            String::from_utf8_lossy(result)
        );
    }
}

#[tokio::test]
async fn v2_with_a_status_takes_headers_cookies_and_body() {
    let result = br#"{"statusCode": 302, "headers": {"location": "/next"},
        "cookies": ["a=1; Path=/", "b=2"], "multiValueHeaders": {"x-ignored": ["1"]},
        "body": "aGk=", "isBase64Encoded": true, "extra": "ignored"}"#;
    let mut response = parse_v2(result).unwrap();
    response
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    assert_eq!(
        answer(Ok(response), true).await,
        (
            302,
            pairs(&[
                ("location", "/next"),
                ("set-cookie", "a=1; Path=/"),
                ("set-cookie", "b=2"),
                ("content-type", "text/plain"),
            ]),
            b"hi".to_vec()
        )
    );
}

#[test]
fn v2_rejects_invalid_json_and_broken_explicit_responses() {
    assert_eq!(malformed(parse_v2(b"{oops")), "the result is not JSON");
    assert_eq!(
        malformed(parse_v2(br#"{"statusCode": "abc"}"#)),
        "statusCode \"abc\" is not an HTTP status"
    );
    assert_eq!(
        malformed(parse_v2(br#"{"statusCode": 200, "cookies": "a=1"}"#)),
        "cookies is not an array"
    );
    assert_eq!(
        malformed(parse_v2(br#"{"statusCode": 200, "body": {"a": 1}}"#)),
        "body is not a string"
    );
}
