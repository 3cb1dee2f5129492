//! `contentHandling` and `binaryMediaTypes` on REST non-proxy integrations end to end, row by row
//! of AWS's "Content type conversions in API Gateway" tables: what the back end receives (a real
//! upstream records the exact bytes) and what the client gets back, for binary and text payloads,
//! with and without templates; gateway-response templates rendered by Velocity; and method
//! responses (a status no method response declares fails as on AWS).

use crate::support;

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use support::fixture::{document, serve_document};
use support::{Reply, Req, Turnpike};
use tokio::net::TcpListener;

/// Bytes that are not UTF-8, and their base64.
const PNG: &[u8] = &[0xff, 0x00, 0x41];
const PNG_BASE64: &str = "/wBB";

/// A REST API with `paths` and `binaryMediaTypes` image/png and application/octet-stream.
fn serve(paths: Value) -> (support::TempDir, Turnpike) {
    let doc = json!({
        "openapi": "3.0.1",
        "info": {"title": "Binary", "version": "1"},
        "x-amazon-apigateway-binary-media-types": ["image/png", "application/octet-stream"],
        "paths": paths,
    });
    serve_document("binary.json", &doc.to_string(), &[])
}

/// A back end that answers every request with the body it received, typed as the request's
/// `x-reply-type` header says (else `application/octet-stream`), and reports what it received in
/// `x-received-type`.
async fn mirror() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let service = service_fn(|req: http::Request<hyper::body::Incoming>| async move {
                    let reply_type = req
                        .headers()
                        .get("x-reply-type")
                        .cloned()
                        .unwrap_or(http::HeaderValue::from_static("application/octet-stream"));
                    let received_type = req
                        .headers()
                        .get("content-type")
                        .cloned()
                        .unwrap_or(http::HeaderValue::from_static("none"));
                    let body = req.into_body().collect().await.unwrap().to_bytes();
                    Ok::<_, Infallible>(
                        http::Response::builder()
                            .header("content-type", reply_type)
                            .header("x-received-type", received_type)
                            .body(Full::new(body))
                            .unwrap(),
                    )
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

/// An HTTP integration to the mirror, whose reply is typed `reply_type`.
fn http_to(upstream: SocketAddr, reply_type: &str, extra: Value) -> Value {
    let mut integration = json!({
        "type": "http",
        "httpMethod": "POST",
        "uri": format!("http://{upstream}/mirror"),
        "requestParameters": {"integration.request.header.x-reply-type": format!("'{reply_type}'")},
        "responses": {"default": {
            "statusCode": "200",
            "responseParameters": {"method.response.header.X-Received-Type": "integration.response.header.x-received-type"}
        }}
    });
    if let (Some(target), Some(extra)) = (integration.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            target.insert(k.clone(), v.clone());
        }
    }
    json!({"post": {"x-amazon-apigateway-integration": integration}})
}

/// POSTs `body` typed `content_type` to `path`, accepting `accept`.
async fn post(
    tp: &Turnpike,
    path: &str,
    content_type: &str,
    accept: &str,
    body: impl Into<Bytes>,
) -> Reply {
    Req::new("POST", path)
        .header("content-type", content_type)
        .header("accept", accept)
        .body(body)
        .send(tp.addr)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_passes_through_and_follows_accept_without_content_handling() {
    let up = mirror().await;
    let (_dir, tp) = serve(json!({"/raw": http_to(up, "image/png", json!({}))}));

    // Binary in (Content-Type matches), binary back (Accept matches): the bytes untouched.
    let reply = post(&tp, "/dev/raw", "image/png", "image/png", PNG).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(&reply.body[..], PNG);
    assert_eq!(reply.header("x-received-type"), Some("image/png"));
    assert_eq!(reply.header("content-type"), Some("application/json"));

    // The same binary payload to a client accepting text: base64-encoded.
    let reply = post(&tp, "/dev/raw", "image/png", "application/json", PNG).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.text(), PNG_BASE64);

    // Only the first Accept type counts.
    let reply = post(&tp, "/dev/raw", "image/png", "text/html, image/png", PNG).await;
    assert_eq!(reply.text(), PNG_BASE64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_to_a_client_accepting_binary_is_base64_decoded() {
    let up = mirror().await;
    let (_dir, tp) = serve(json!({"/decode": http_to(up, "text/plain", json!({}))}));
    let reply = post(&tp, "/dev/decode", "text/plain", "image/png", "aGVsbG8=").await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.text(), "hello");
    assert_eq!(reply.header("x-received-type"), Some("text/plain"));

    // Text that is not base64 cannot become binary: AWS's 500.
    let reply = post(&tp, "/dev/decode", "text/plain", "image/png", "not base64!").await;
    support::assert_internal_server_error(&reply);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn convert_to_text_gives_templates_base64() {
    let up = mirror().await;
    let (_dir, tp) = serve(json!({"/upload": http_to(up, "application/json", json!({
        "contentHandling": "CONVERT_TO_TEXT",
        "requestTemplates": {"image/png": "{\"data\": \"$input.body\", \"size\": $input.body.length()}"}
    }))}));
    let reply = post(&tp, "/dev/upload", "image/png", "application/json", PNG).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    // The back end received the template's output, typed as the template's content type.
    assert_eq!(reply.text(), r#"{"data": "/wBB", "size": 4}"#);
    assert_eq!(reply.header("x-received-type"), Some("image/png"));

    // Without CONVERT_TO_TEXT a binary body skips the template and passes through.
    let (_dir2, tp2) = serve(json!({"/upload": http_to(up, "image/png", json!({
        "requestTemplates": {"image/png": "{\"data\": \"$input.body\"}"}
    }))}));
    let reply = post(&tp2, "/dev/upload", "image/png", "image/png", PNG).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(&reply.body[..], PNG);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn convert_to_binary_decodes_the_request_body() {
    let up = mirror().await;
    let (_dir, tp) = serve(json!({"/store": http_to(up, "image/png", json!({
        "contentHandling": "CONVERT_TO_BINARY"
    }))}));
    let reply = post(&tp, "/dev/store", "text/plain", "image/png", PNG_BASE64).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(&reply.body[..], PNG);
    assert_eq!(reply.header("x-received-type"), Some("text/plain"));

    let reply = Req::new("POST", "/dev/store")
        .header("content-type", "text/plain")
        .body("%%%")
        .send(tp.addr)
        .await;
    support::assert_internal_server_error(&reply);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integration_response_content_handling() {
    let up = mirror().await;
    let binary_reply = |handling: &str, templates: Value| {
        json!({"post": {"x-amazon-apigateway-integration": {
            "type": "http",
            "httpMethod": "POST",
            "uri": format!("http://{up}/mirror"),
            "requestParameters": {"integration.request.header.x-reply-type": "'image/png'"},
            "responses": {"default": {
                "statusCode": "200",
                "contentHandling": handling,
                "responseTemplates": templates
            }}
        }}})
    };
    let (_dir, tp) = serve(json!({
        "/text": binary_reply("CONVERT_TO_TEXT", json!({"application/json": "{\"img\": \"$input.body\"}"})),
        "/binary": binary_reply("CONVERT_TO_BINARY", json!({})),
        "/mock": {"get": {"x-amazon-apigateway-integration": {
            "type": "mock",
            "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
            "responses": {"default": {
                "statusCode": "200",
                "contentHandling": "CONVERT_TO_BINARY",
                "responseTemplates": {"application/json": "aGVsbG8="}
            }}
        }}}
    }));

    // Binary from the back end, CONVERT_TO_TEXT: the template reads base64, even for a client
    // that accepts binary.
    let reply = post(&tp, "/dev/text", "image/png", "image/png", PNG).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.text(), r#"{"img": "/wBB"}"#);
    assert_eq!(reply.header("content-type"), Some("application/json"));

    // Binary from the back end, CONVERT_TO_BINARY: untouched even for a text client.
    let reply = post(&tp, "/dev/binary", "image/png", "application/json", PNG).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(&reply.body[..], PNG);

    // A MOCK template's text output decoded by CONVERT_TO_BINARY.
    let reply = Req::get("/dev/mock").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.text(), "hello");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sam_binary_media_types_unescape_slashes() {
    let template = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      BinaryMediaTypes: ["image~1png"]
      DefinitionBody:
        openapi: 3.0.1
        info: { title: SamBinary, version: "1" }
        paths:
          /img:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: { application/json: '{"statusCode": 200}' }
                responses:
                  default:
                    statusCode: "200"
                    responseTemplates: { application/json: "aGk=" }
"#;
    let (dir, tp) = serve_document("template.yaml", template, &[]);
    // image/png is binary: the template's text is base64-decoded for a client accepting it.
    let reply = Req::get("/dev/img")
        .header("accept", "image/png")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.text(), "hi");
    // Text for a client accepting JSON.
    let reply = Req::get("/dev/img").send(tp.addr).await;
    assert_eq!(reply.text(), "aGk=");
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_response_templates_are_velocity() {
    let doc = json!({
        "openapi": "3.0.1",
        "info": {"title": "Errors", "version": "1"},
        "x-amazon-apigateway-gateway-responses": {
            "MISSING_AUTHENTICATION_TOKEN": {
                "statusCode": 404,
                "responseTemplates": {"application/json":
                    "#set($p = $input.params('lang'))#if($p == 'fr'){\"erreur\": $context.error.messageString, \"stage\": \"$stageVariables.color\"}#else{\"error\": \"$context.error.message.toUpperCase()\", \"type\": \"$context.error.responseType\"}#end"}
            }
        },
        "paths": {"/ok": {"get": {"x-amazon-apigateway-integration": {"type": "mock"}}}}
    });
    let (_dir, tp) = serve_document(
        "errors.json",
        &doc.to_string(),
        &["--stage-var", "color=red"],
    );

    let reply = Req::get("/dev/nowhere?lang=fr").send(tp.addr).await;
    assert_eq!(reply.status, 404, "{reply:?}");
    assert_eq!(
        reply.text(),
        r#"{"erreur": "Missing Authentication Token", "stage": "red"}"#
    );
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(
        reply.header(support::ERROR_TYPE),
        Some("MissingAuthenticationTokenException")
    );

    let reply = Req::get("/dev/nowhere").send(tp.addr).await;
    assert_eq!(
        reply.text(),
        r#"{"error": "MISSING AUTHENTICATION TOKEN", "type": "MISSING_AUTHENTICATION_TOKEN"}"#
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_without_method_response_fails_when_responses_are_declared() {
    let doc = json!({
        "openapi": "3.0.1",
        "info": {"title": "Methods", "version": "1"},
        "paths": {"/pets": {"get": {
            "responses": {"200": {"description": "ok", "headers": {"X-Kind": {"schema": {"type": "string"}}}}},
            "x-amazon-apigateway-integration": {
                "type": "mock",
                "requestTemplates": {"application/json": "#if($input.params('s') == '201'){\"statusCode\": 201}#else{\"statusCode\": 200}#end"},
                "responses": {
                    "201": {"statusCode": "201"},
                    "default": {
                        "statusCode": "200",
                        "responseParameters": {"method.response.header.X-Kind": "'pet'"},
                        "responseTemplates": {"application/json": "[]"}
                    }
                }
            }
        }}}
    });
    let (_dir, tp) = serve_document("methods.json", &doc.to_string(), &[]);

    let reply = Req::get("/dev/pets").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.text(), "[]");
    assert_eq!(reply.header("x-kind"), Some("pet"));

    // 201 has an integration response but no method response.
    let reply = Req::get("/dev/pets?s=201").send(tp.addr).await;
    support::assert_internal_server_error(&reply);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undeclared_response_header_is_refused_at_load() {
    let doc = json!({
        "openapi": "3.0.1",
        "info": {"title": "Methods", "version": "1"},
        "paths": {"/pets": {"get": {
            "responses": {"200": {"description": "ok"}},
            "x-amazon-apigateway-integration": {
                "type": "mock",
                "responses": {"default": {
                    "statusCode": "200",
                    "responseParameters": {"method.response.header.X-Kind": "'pet'"}
                }}
            }
        }}}
    });
    let (_dir, file) = document("methods.json", &doc.to_string());
    let stderr = Turnpike::serve_refused(&[file.to_str().unwrap()]);
    assert!(
        stderr.contains("/paths/~1pets/get/x-amazon-apigateway-integration/responses/default/responseParameters/method.response.header.X-Kind: Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: method.response.header.X-Kind] (declare X-Kind under the operation's responses.200.headers)"),
        "{stderr}"
    );
}

/// An AWS (non-proxy) Lambda integration taking a binary upload: CONVERT_TO_TEXT turns it into
/// base64 for the request template, and the function's base64 answer is decoded for a client
/// accepting binary.
const LAMBDA_SAM: &str = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: app.echo, Runtime: python3.12 }
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      BinaryMediaTypes: ["image~1png"]
      DefinitionBody:
        openapi: 3.0.1
        info: { title: Lambda binary, version: "1" }
        paths:
          /upload:
            post:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${EchoFunction.Arn}/invocations
                contentHandling: CONVERT_TO_TEXT
                requestTemplates:
                  image/png: '{"image": "$input.body"}'
                responses:
                  default:
                    statusCode: "200"
                    responseTemplates:
                      application/json: '$util.parseJson($input.path(''$.body'')).event.image'
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_non_proxy_binary_upload_and_download() {
    let (_dir, template) = support::sam::project(LAMBDA_SAM);
    let tp = Turnpike::serve(&template);

    // The function saw base64; its answer, base64 text, is decoded for an image/png client.
    let reply = post(&tp, "/prod/upload", "image/png", "image/png", PNG).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(&reply.body[..], PNG);

    // A JSON client gets the text.
    let reply = post(&tp, "/prod/upload", "image/png", "application/json", PNG).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.text(), PNG_BASE64);
}
