use super::*;
use http::Request;
use http_body_util::BodyExt;
use tokio::io::AsyncReadExt;

use crate::test_support::{api, context_for, mock_route};

fn rest_ctx() -> RequestContext {
    let mut ctx = context_for(
        Request::get("/dev/pets/1")
            .header("user-agent", "curl/8")
            .body(())
            .unwrap(),
        vec![api(
            "Pets",
            ApiKind::Rest,
            vec![mock_route("GET", "/pets/{id}", 200, "")],
        )],
    );
    ctx.status = Some(200);
    ctx.response_length = Some(42);
    ctx
}

fn request_time(ctx: &RequestContext) -> String {
    ctx.lookup("requestTime").unwrap().into_owned()
}

#[test]
fn parses_presets_and_templates() {
    assert!(matches!(
        AccessLog::parse("clf").unwrap().format,
        Format::Clf
    ));
    assert!(matches!(
        AccessLog::parse(" JSON ").unwrap().format,
        Format::Json
    ));
    assert!(AccessLog::parse("off").unwrap().is_off());
    assert!(AccessLog::parse("$context.extendedRequestId").is_ok());
    assert_eq!(
        AccessLog::parse("$context.status").unwrap_err(),
        "the format must include $context.requestId or $context.extendedRequestId, as API Gateway requires"
    );
    assert_eq!(
        AccessLog::parse("$context.requestId\n$context.status").unwrap_err(),
        "the format must be a single line"
    );
    assert!(AccessLog::parse("  ").is_err());
}

#[test]
fn the_clf_preset_matches_aws_with_dashes_for_missing_values() {
    let ctx = rest_ctx();
    let line = AccessLog::clf().line(&ctx).unwrap();
    assert_eq!(
        line,
        format!(
            "10.1.2.3 - - [{}]\"GET /pets/{{id}} HTTP/1.1\" 200 42 {} {}\n",
            request_time(&ctx),
            ctx.request_id(),
            ctx.extended_request_id
        )
    );
}

#[test]
fn the_json_preset_follows_the_api_kind() {
    let ctx = rest_ctx();
    let line = AccessLog::json().line(&ctx).unwrap();
    let value: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(value["resourcePath"], "/pets/{id}");
    assert_eq!(value["caller"], "-");
    assert_eq!(value["status"], "200");
    assert_eq!(value["requestId"], ctx.request_id());

    let mut http = context_for(
        Request::post("/orders").body(()).unwrap(),
        vec![api(
            "Orders",
            ApiKind::Http,
            vec![mock_route("POST", "/orders", 201, "")],
        )],
    );
    http.status = Some(201);
    let value: serde_json::Value =
        serde_json::from_str(&AccessLog::json().line(&http).unwrap()).unwrap();
    assert_eq!(value["routeKey"], "POST /orders");
    assert_eq!(value["requestId"], http.extended_request_id);
    assert_eq!(value["responseLength"], "-");
    let clf = AccessLog::clf().line(&http).unwrap();
    assert!(clf.starts_with("10.1.2.3 - - ["), "{clf}");
    assert!(
        clf.contains("] \"POST POST /orders HTTP/1.1\" 201 - "),
        "{clf}"
    );
}

#[test]
fn custom_templates_use_context_variables() {
    let ctx = rest_ctx();
    let log = AccessLog::parse(
        "$context.requestId $context.httpMethod ${context.path} $context.error.message",
    )
    .unwrap();
    assert_eq!(
        log.line(&ctx).unwrap(),
        format!("{} GET /dev/pets/1 -\n", ctx.request_id())
    );
}

#[tokio::test]
async fn lines_are_written_when_bodies_end_with_their_length() {
    let (out, mut read) = tokio::io::duplex(64 * 1024);
    let log =
        AccessLog::parse("$context.requestId $context.status $context.responseLength").unwrap();
    let (sink, writer) = start(log, out);

    let ctx = rest_ctx();
    let first_id = ctx.request_id().to_owned();
    let body = LoggedBody::new(ResponseBody::full("hello"), ctx, &sink);
    let collected = body.collect().await.unwrap().to_bytes();
    assert_eq!(&collected[..], b"hello");

    // A body dropped before it is sent (client gone) is still logged, with what was sent.
    let ctx = rest_ctx();
    let second_id = ctx.request_id().to_owned();
    drop(LoggedBody::new(ResponseBody::full("unsent"), ctx, &sink));

    writer.finish().await;
    drop(sink);
    let mut written = String::new();
    read.read_to_string(&mut written).await.unwrap();
    assert_eq!(written, format!("{first_id} 200 5\n{second_id} 200 0\n"));
}

#[tokio::test]
async fn an_off_log_writes_nothing() {
    let (out, mut read) = tokio::io::duplex(1024);
    let (sink, writer) = start(AccessLog::off(), out);
    assert!(sink.is_off());
    drop(LoggedBody::new(ResponseBody::full("x"), rest_ctx(), &sink));
    writer.finish().await;
    let mut written = Vec::new();
    read.read_to_end(&mut written).await.unwrap();
    assert!(written.is_empty());
}
