//! The command line: the banner and route table, the bundled example served with no PATH,
//! `routes`, usage errors and exit codes.

use crate::support;

use support::fixture::document;
use support::turnpike::{api_id, run_exit};
use support::{Req, Turnpike};

const API: &str = r#"
openapi: 3.0.1
info: { title: Banner Test, version: "1" }
paths:
  /pets:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses: { default: { statusCode: "200" } }
  /pets/{petId}:
    x-amazon-apigateway-any-method:
      parameters:
        - { name: petId, in: path, required: true, schema: { type: string } }
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: ANY, uri: "http://127.0.0.1:9/pets/{petId}", requestParameters: { integration.request.path.petId: method.request.path.petId } }
"#;

const HTTP_API: &str = r#"
openapi: 3.0.1
info: { title: Banner HTTP, version: "1" }
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /items:
    post:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: POST, uri: "http://127.0.0.1:9/items", payloadFormatVersion: "1.0" }
"#;

/// Route table lines: two-space indent, columns left-aligned two spaces apart, the last unpadded.
fn table(rows: &[[&str; 5]]) -> Vec<String> {
    let mut widths = [0; 5];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    rows.iter()
        .map(|row| {
            let mut line = String::from(" ");
            for (i, cell) in row.iter().enumerate() {
                if i == 4 {
                    line.push_str(&format!(" {cell}"));
                } else {
                    line.push_str(&format!(" {cell:<w$} ", w = widths[i]));
                }
            }
            line
        })
        .collect()
}

#[test]
fn banner_then_route_table() {
    let (_dir, file) = document("banner.yaml", API);
    let tp = Turnpike::serve_args(&[file.to_str().unwrap(), "--stage", "v1"]);
    let lines = tp.banner();
    let base = format!("http://{}", tp.addr);
    assert_eq!(lines[0], format!("Turnpike listening on {base}"));
    let id = api_id(&lines.join("\n"), "Banner Test");
    assert_eq!(id.len(), 10);
    assert!(id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    assert_eq!(
        lines[1..],
        [
            String::new(),
            format!("API \"Banner Test\" (REST API, id {id})"),
        ]
        .into_iter()
        .chain(table(&[
            ["STAGE", "METHOD", "PATH", "URL", "INTEGRATION"],
            ["v1", "GET", "/pets", &format!("{base}/v1/pets"), "MOCK"],
            [
                "v1",
                "ANY",
                "/pets/{petId}",
                &format!("{base}/v1/pets/{{petId}}"),
                "HTTP_PROXY http://127.0.0.1:9/pets/{petId}",
            ],
        ]))
        .chain([String::new()])
        .collect::<Vec<_>>()
    );
}

#[test]
fn ids_are_stable_across_restarts() {
    let (_dir, file) = document("banner.yaml", API);
    let first = api_id(&Turnpike::serve(&file).banner().join("\n"), "Banner Test");
    let second = api_id(&Turnpike::serve(&file).banner().join("\n"), "Banner Test");
    assert_eq!(first, second);
}

#[test]
fn several_apis_print_how_to_select_each() {
    let dir = support::TempDir::new();
    let rest = dir.write("rest.yaml", API);
    let http = dir.write("http.yaml", HTTP_API);
    let tp = Turnpike::serve_args(&[rest.to_str().unwrap(), http.to_str().unwrap()]);
    let stdout = tp.banner().join("\n");
    let base = format!("http://{}", tp.addr);
    let rest_id = api_id(&stdout, "Banner Test");
    let http_id = api_id(&stdout, "Banner HTTP");
    assert!(stdout.contains(&format!("API \"Banner HTTP\" (HTTP API, id {http_id})")));
    for id in [&rest_id, &http_id] {
        assert!(
            stdout.contains(&format!(
                "  select with the header \"Host: {id}.execute-api.localhost\" or the path \
                 {base}/restapis/{id}/{{stage}}/_user_request_/{{path}}"
            )),
            "{stdout}"
        );
    }
    // REST gets `dev`, HTTP `$default` (no prefix) when no stage is named.
    assert!(stdout.contains("  dev    GET     /pets"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "  $default  POST    /items  {base}/items  HTTP_PROXY http://127.0.0.1:9/items"
        )),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_path_serves_the_bundled_example() {
    let tp = Turnpike::serve_args(&[]);
    let stdout = tp.banner().join("\n");
    assert!(
        stdout.contains("API \"Pet Store\" (REST API, id "),
        "{stdout}"
    );
    assert!(
        stdout.contains("API \"Pet Store HTTP\" (HTTP API, id "),
        "{stdout}"
    );

    let reply = Req::get("/dev/pets").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let pets = reply.json();
    assert_eq!(pets.as_array().map(Vec::len), Some(3), "{pets}");
    assert_eq!(pets[0]["type"], "dog");
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));

    // The HTTP API proxies to the REST API on this same Turnpike, whatever port it got.
    let reply = Req::get("/pets").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json(), pets);

    let reply = Req::new("POST", "/dev/pets").send(tp.addr).await;
    assert_eq!(reply.status, 201, "{reply:?}");

    // The example's customised MISSING_AUTHENTICATION_TOKEN.
    let reply = Req::get("/dev/nope").send(tp.addr).await;
    assert_eq!(reply.status, 404, "{reply:?}");
    let id = reply.header(support::REQUEST_ID).unwrap();
    assert_eq!(
        reply.text(),
        format!(r#"{{"message": "No pet store route for GET /dev/nope", "requestId": "{id}"}}"#)
    );
}

#[test]
fn routes_prints_the_table_without_serving() {
    let (_dir, file) = document("banner.yaml", API);
    let (stdout, _) = run_exit(
        &[
            "routes",
            file.to_str().unwrap(),
            "--listen",
            "127.0.0.1:9999",
            "--stage",
            "dev",
            "--stage",
            "prod",
        ],
        0,
    );
    let id = api_id(&stdout, "Banner Test");
    let u = "http://127.0.0.1:9999";
    let proxy = "HTTP_PROXY http://127.0.0.1:9/pets/{petId}";
    let mut expected = vec![format!("API \"Banner Test\" (REST API, id {id})")];
    expected.extend(table(&[
        ["STAGE", "METHOD", "PATH", "URL", "INTEGRATION"],
        ["dev", "GET", "/pets", &format!("{u}/dev/pets"), "MOCK"],
        [
            "dev",
            "ANY",
            "/pets/{petId}",
            &format!("{u}/dev/pets/{{petId}}"),
            proxy,
        ],
        ["prod", "GET", "/pets", &format!("{u}/prod/pets"), "MOCK"],
        [
            "prod",
            "ANY",
            "/pets/{petId}",
            &format!("{u}/prod/pets/{{petId}}"),
            proxy,
        ],
    ]));
    assert_eq!(stdout, expected.join("\n") + "\n");
}

#[test]
fn bad_stage_variable_is_a_usage_error() {
    let (_, stderr) = run_exit(&["serve", "--stage-var", "foo"], 2);
    assert!(
        stderr.contains("expected KEY=VALUE or STAGE:KEY=VALUE"),
        "{stderr}"
    );
}

#[test]
fn stage_variable_for_a_stage_not_served_is_a_usage_error() {
    let (_dir, file) = document("banner.yaml", API);
    let (_, stderr) = run_exit(
        &[
            "serve",
            file.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--stage-var",
            "prod:x=1",
        ],
        2,
    );
    assert_eq!(
        stderr.trim_end(),
        "turnpike: error: --stage-var prod:x=1: no stage \"prod\" is served (stages: dev); add --stage prod"
    );
}

#[test]
fn serve_with_a_broken_file_exits_1_with_every_error() {
    let dir = support::TempDir::new();
    let missing = dir.path().join("missing.yaml");
    let (stdout, stderr) = run_exit(
        &[
            "serve",
            missing.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ],
        1,
    );
    assert!(
        stderr.starts_with(&format!(
            "{}: (document): cannot read file: ",
            missing.display()
        )),
        "{stderr}"
    );
    assert!(stderr.ends_with("turnpike: 1 error\n"), "{stderr}");
    assert!(stdout.is_empty());
}

#[test]
fn address_in_use_exits_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (_dir, file) = document("banner.yaml", API);
    let (_, stderr) = run_exit(&["serve", file.to_str().unwrap(), "--listen", &addr], 1);
    assert!(
        stderr.contains(&format!("cannot serve on {addr}")),
        "{stderr}"
    );
}

#[test]
fn help_and_version() {
    let (stdout, _) = run_exit(&["--version"], 0);
    assert_eq!(stdout, format!("turnpike {}\n", env!("CARGO_PKG_VERSION")));
    let (help, _) = run_exit(&["serve", "--help"], 0);
    for flag in [
        "--listen",
        "--stage",
        "--stage-var",
        "--kind",
        "--access-log-format",
        "--tls-cert",
        "--tls-key",
    ] {
        assert!(help.contains(flag), "{flag} missing from {help}");
    }
    run_exit(&["frobnicate"], 2);
}
