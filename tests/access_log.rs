//! Access logs on stdout, one line per request: the CLF and JSON presets as the API Gateway
//! console defines them, custom `$context` templates, and `off`.

use crate::support;

use serde_json::Value;
use support::fixture::{document, serve_document};
use support::turnpike::run_exit;
use support::{Req, Turnpike};

const API: &str = r#"
openapi: 3.0.1
info: { title: Logged, version: "1" }
paths:
  /pets/{petId}:
    get:
      parameters:
        - { name: petId, in: path, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default: { statusCode: "200", responseTemplates: { application/json: '{"id": 7}' } }
"#;

/// Serves the API with `--access-log-format FORMAT` (or the default when `None`) and returns the
/// process with the number of stdout lines printed before any request.
fn serve(format: Option<&str>) -> (support::TempDir, Turnpike, usize) {
    let args = match format {
        Some(format) => vec!["--access-log-format", format],
        None => vec![],
    };
    let (dir, tp) = serve_document("logged.yaml", API, &args);
    let printed = tp.banner().len();
    (dir, tp, printed)
}

fn access_line(tp: &Turnpike, skip: usize, request_id: &str) -> String {
    tp.wait_for_line(skip, |l| l.contains(request_id))
        .unwrap_or_else(|| panic!("no access log line with {request_id}: {}", tp.stdout()))
}

/// `[25/Nov/2026:17:49:10 +0000]`: AWS's requestTime format.
fn assert_request_time(time: &str) {
    let bytes = time.as_bytes();
    assert_eq!(time.len(), 26, "{time}");
    assert!(time.ends_with(" +0000"), "{time}");
    assert_eq!(
        (bytes[2], bytes[6], bytes[11]),
        (b'/', b'/', b':'),
        "{time}"
    );
    assert!(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            .contains(&&time[3..6]),
        "{time}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clf_is_the_default() {
    let (_dir, tp, printed) = serve(None);
    let reply = Req::get("/dev/pets/7").send(tp.addr).await;
    let id = reply.header(support::REQUEST_ID).unwrap().to_string();
    let line = access_line(&tp, printed, &id);

    // $context.identity.sourceIp $context.identity.caller $context.identity.user
    // [$context.requestTime] "$context.httpMethod $context.resourcePath $context.protocol"
    // $context.status $context.responseLength $context.requestId ...
    let (who, rest) = line.split_once(" [").unwrap_or_else(|| panic!("{line}"));
    assert_eq!(who, "127.0.0.1 - -");
    let (time, rest) = rest.split_once(']').unwrap();
    assert_request_time(time);
    let rest = rest.trim_start();
    let (request, rest) = rest[1..]
        .split_once("\" ")
        .unwrap_or_else(|| panic!("{line}"));
    assert_eq!(request, "GET /pets/{petId} HTTP/1.1");
    let fields: Vec<&str> = rest.split(' ').collect();
    assert_eq!(&fields[..3], ["200", "9", id.as_str()], "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_preset() {
    let (_dir, tp, printed) = serve(Some("json"));
    let reply = Req::get("/dev/pets/7").send(tp.addr).await;
    let id = reply.header(support::REQUEST_ID).unwrap().to_string();
    let line = access_line(&tp, printed, &id);
    let json: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));

    assert_eq!(json["requestId"], id.as_str());
    assert_eq!(json["ip"], "127.0.0.1");
    assert_eq!(json["caller"], "-");
    assert_eq!(json["user"], "-");
    assert_eq!(json["httpMethod"], "GET");
    assert_eq!(json["resourcePath"], "/pets/{petId}");
    assert_eq!(json["status"], "200");
    assert_eq!(json["protocol"], "HTTP/1.1");
    assert_eq!(json["responseLength"], "9");
    assert_request_time(json["requestTime"].as_str().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_template_with_context_variables() {
    let format = "$context.requestId $context.httpMethod $context.path $context.status \
                  $context.stage $context.resourcePath $context.error.message";
    let (_dir, tp, printed) = serve(Some(format));

    let reply = Req::get("/dev/pets/7").send(tp.addr).await;
    let id = reply.header(support::REQUEST_ID).unwrap().to_string();
    assert_eq!(
        access_line(&tp, printed, &id),
        format!("{id} GET /dev/pets/7 200 dev /pets/{{petId}} -")
    );

    let reply = Req::new("POST", "/dev/nope").send(tp.addr).await;
    let id = reply.header(support::REQUEST_ID).unwrap().to_string();
    assert_eq!(
        access_line(&tp, printed, &id),
        format!("{id} POST /dev/nope 403 dev - Missing Authentication Token")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_line_per_request_on_stdout_logs_on_stderr() {
    let (_dir, tp, printed) = serve(Some("$context.requestId $context.status"));
    let mut ids = Vec::new();
    for path in ["/dev/pets/1", "/dev/pets/2", "/dev/missing"] {
        let reply = Req::get(path).send(tp.addr).await;
        ids.push(reply.header(support::REQUEST_ID).unwrap().to_string());
    }
    let last = access_line(&tp, printed, &ids[2]);
    assert_eq!(last, format!("{} 403", ids[2]));
    let lines: Vec<String> = tp.stdout_lines().into_iter().skip(printed).collect();
    assert_eq!(
        lines,
        [
            format!("{} 200", ids[0]),
            format!("{} 200", ids[1]),
            format!("{} 403", ids[2])
        ]
    );
    assert!(!tp.stdout().contains(" INFO "), "logs leaked to stdout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn off_prints_nothing() {
    let (_dir, tp, printed) = serve(Some("off"));
    let reply = Req::get("/dev/pets/1").send(tp.addr).await;
    assert_eq!(reply.status, 200);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(tp.stdout_lines().len(), printed, "{}", tp.stdout());
}

/// API Gateway requires every access log format to include `$context.requestId` or
/// `$context.extendedRequestId`.
#[test]
fn format_without_request_id_is_a_usage_error() {
    let (_dir, file) = document("logged.yaml", API);
    let (stdout, stderr) = run_exit(
        &[
            "serve",
            file.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--access-log-format",
            "$context.status",
        ],
        2,
    );
    assert!(
        stderr.starts_with("turnpike: error: --access-log-format: "),
        "{stderr}"
    );
    assert!(stderr.contains("$context.requestId"), "{stderr}");
    assert!(stdout.is_empty(), "nothing served");
}
