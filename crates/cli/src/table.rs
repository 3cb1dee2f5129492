//! The route table printed by `serve` and `routes`: per API its name, kind and id, then one line per
//! route and stage with the full local URL; and the table of the functions templates declare.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use turnpike_gateway::RouteUrl;
use turnpike_model::{Api, ApiKind, Function};

const HEADINGS: [&str; 5] = ["STAGE", "METHOD", "PATH", "URL", "INTEGRATION"];
const FUNCTION_HEADINGS: [&str; 5] = ["NAME", "RUNTIME", "HANDLER", "TIMEOUT", "CODE"];

/// Renders the table for `apis` from the gateway's [`RouteUrl`]s. With several APIs each gets the
/// two ways to address it alone: the `Host` header and the `/restapis/{id}/...` path.
pub fn render(apis: &[Arc<Api>], urls: &[RouteUrl], base_url: &str) -> String {
    let mut out = String::new();
    for (i, api) in apis.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "API {:?} ({}, id {})",
            api.name,
            kind_name(api.kind),
            api.id
        );
        if apis.len() > 1 {
            let _ = writeln!(
                out,
                "  select with the header \"Host: {id}.execute-api.localhost\" or the path \
                 {base_url}/restapis/{id}/{{stage}}/_user_request_/{{path}}",
                id = api.id
            );
        }
        let rows: Vec<[&str; 5]> = urls
            .iter()
            .filter(|u| u.api_id == api.id)
            .map(|u| {
                let (method, path) = split_route_key(&u.route_key);
                [
                    u.stage.as_str(),
                    method,
                    path,
                    u.url.as_str(),
                    u.integration.as_str(),
                ]
            })
            .collect();
        if rows.is_empty() {
            out.push_str("  (no routes)\n");
            continue;
        }
        write_table(&mut out, &HEADINGS, &rows);
    }
    out
}

/// The functions of `functions` ((template, function) pairs), after a blank line and a
/// `Functions` heading; empty when there are none.
pub fn render_functions(functions: &[(PathBuf, Function)]) -> String {
    if functions.is_empty() {
        return String::new();
    }
    let cells: Vec<[String; 5]> = functions
        .iter()
        .map(|(_, f)| {
            [
                f.function_name.clone(),
                f.runtime.clone(),
                f.handler.clone().unwrap_or_else(|| "-".into()),
                format!("{}s", f.timeout.as_secs_f64()),
                f.code_dir.display().to_string(),
            ]
        })
        .collect();
    let rows: Vec<[&str; 5]> = cells
        .iter()
        .map(|row| row.each_ref().map(String::as_str))
        .collect();
    let mut out = String::from("\nFunctions\n");
    write_table(&mut out, &FUNCTION_HEADINGS, &rows);
    out
}

/// `headings` then `rows`, each column as wide as its widest cell.
const WEBSOCKET_HEADINGS: [&str; 5] = ["STAGE", "ROUTE KEY", "URL", "INTEGRATION", "REPLIES"];

/// The WebSocket APIs of `deployment`: one row per stage and route, each stage's URL
/// `ws://{host}/{stage}` (`$default` at `/`); empty without any. They follow the REST and HTTP
/// APIs' table ([`render`]) after a blank line, when it lists any.
pub fn render_websockets(deployment: &turnpike_model::Deployment, base_url: &str) -> String {
    let mut out = String::new();
    let ws_base = base_url
        .replacen("https://", "wss://", 1)
        .replacen("http://", "ws://", 1);
    for (i, api) in deployment.websocket_apis.iter().enumerate() {
        if i > 0 || !deployment.apis.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "WebSocket API {:?} (id {}); manage connections at {base_url}/{{stage}}/@connections/{{connectionId}}",
            api.name, api.id
        );
        let stages: Vec<String> = match deployment.stages_of(&api.id) {
            [] => vec![turnpike_model::Stage::DEFAULT.to_owned()],
            stages => stages.iter().map(|s| s.name.clone()).collect(),
        };
        let mut cells: Vec<[String; 5]> = Vec::new();
        for stage in &stages {
            let url = match stage.as_str() {
                turnpike_model::Stage::DEFAULT => format!("{ws_base}/"),
                name => format!("{ws_base}/{name}"),
            };
            for route in &api.routes {
                let integration = route.integration.kind.as_str().to_owned();
                let replies = if route.two_way { "yes" } else { "no" };
                cells.push([
                    stage.clone(),
                    route.key.clone(),
                    url.clone(),
                    integration,
                    replies.to_owned(),
                ]);
            }
        }
        if cells.is_empty() {
            out.push_str("  (no routes)\n");
            continue;
        }
        let rows: Vec<[&str; 5]> = cells
            .iter()
            .map(|row| [&*row[0], &*row[1], &*row[2], &*row[3], &*row[4]])
            .collect();
        write_table(&mut out, &WEBSOCKET_HEADINGS, &rows);
    }
    out
}

fn write_table(out: &mut String, headings: &[&str; 5], rows: &[[&str; 5]]) {
    let mut widths = headings.map(str::len);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.len());
        }
    }
    write_row(out, headings, &widths);
    for row in rows {
        write_row(out, row, &widths);
    }
}

/// "REST API" / "HTTP API", as the AWS console names them.
pub fn kind_name(kind: ApiKind) -> &'static str {
    match kind {
        ApiKind::Rest => "REST API",
        ApiKind::Http => "HTTP API",
    }
}

/// `GET /pets` → (`GET`, `/pets`); `$default` has no method of its own.
fn split_route_key(key: &str) -> (&str, &str) {
    match key.split_once(' ') {
        Some((method, path)) => (method, path),
        None => ("*", key),
    }
}

fn write_row(out: &mut String, cells: &[&str; 5], widths: &[usize; 5]) {
    out.push_str("  ");
    for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if i + 1 == cells.len() {
            out.push_str(cell);
        } else {
            let _ = write!(out, "{cell:<width$}  ");
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    fn api(name: &str, id: &str, kind: ApiKind) -> Arc<Api> {
        Arc::new(Api {
            id: id.into(),
            name: name.into(),
            ..Api::new(name, kind, PathBuf::from("x.yaml"))
        })
    }

    fn url(api: &Api, stage: &str, key: &str, integration: &str, url: &str) -> RouteUrl {
        RouteUrl {
            api_id: api.id.clone(),
            api_name: api.name.clone(),
            kind: api.kind,
            stage: stage.into(),
            route_key: key.into(),
            integration: integration.into(),
            url: url.into(),
        }
    }

    #[test]
    fn websocket_apis_list_each_stage_url_and_route_key() {
        use turnpike_model::{
            Deployment, Integration, IntegrationType, RouteAuth, RouteSelection, Stage,
            WebSocketApi, WebSocketRoute,
        };
        let route = |key: &str, kind: IntegrationType, two_way: bool| WebSocketRoute {
            key: key.into(),
            pointer: String::new(),
            integration: Integration::new(kind),
            auth: RouteAuth::None,
            api_key_required: false,
            template_selection: None,
            two_way,
        };
        let chat = WebSocketApi {
            id: "abcdefghij".into(),
            name: "Chat".into(),
            source: PathBuf::from("t.yaml"),
            route_selection: RouteSelection::action(),
            api_key_source: turnpike_model::ApiKeySource::Header,
            routes: vec![
                route("$connect", IntegrationType::AwsProxy, false),
                route("sendmessage", IntegrationType::Mock, true),
            ],
            authorizers: BTreeMap::new(),
            stage_throttles: BTreeMap::new(),
        };
        let mut deployment = Deployment::new(Vec::new(), Vec::new());
        deployment
            .api_stages
            .insert("abcdefghij".into(), vec![Stage::new("prod")]);
        deployment.websocket_apis = vec![Arc::new(chat)];
        let out = render_websockets(&deployment, "http://127.0.0.1:8080");
        let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
        assert_eq!(
            lines[0],
            "WebSocket API \"Chat\" (id abcdefghij); manage connections at \
             http://127.0.0.1:8080/{stage}/@connections/{connectionId}"
        );
        assert!(lines[1].starts_with("  STAGE"), "{out}");
        let cells = |line: &str| {
            line.split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            cells(lines[2]),
            [
                "prod",
                "$connect",
                "ws://127.0.0.1:8080/prod",
                "AWS_PROXY",
                "no"
            ]
        );
        assert_eq!(
            cells(lines[3]),
            [
                "prod",
                "sendmessage",
                "ws://127.0.0.1:8080/prod",
                "MOCK",
                "yes"
            ]
        );
        assert_eq!(
            render_websockets(&Deployment::new(Vec::new(), Vec::new()), "x"),
            ""
        );
    }

    #[test]
    fn one_api_aligned_columns() {
        let a = api("Pet Store", "abcde12345", ApiKind::Rest);
        let urls = [
            url(
                &a,
                "dev",
                "GET /pets",
                "MOCK",
                "http://127.0.0.1:8080/dev/pets",
            ),
            url(
                &a,
                "dev",
                "ANY /pets/{petId}",
                "HTTP_PROXY http://b/{petId}",
                "http://127.0.0.1:8080/dev/pets/{petId}",
            ),
        ];
        let expected = "\
API \"Pet Store\" (REST API, id abcde12345)
  STAGE  METHOD  PATH           URL                                     INTEGRATION
  dev    GET     /pets          http://127.0.0.1:8080/dev/pets          MOCK
  dev    ANY     /pets/{petId}  http://127.0.0.1:8080/dev/pets/{petId}  HTTP_PROXY http://b/{petId}
";
        assert_eq!(render(&[a], &urls, "http://127.0.0.1:8080"), expected);
    }

    #[test]
    fn several_apis_say_how_to_select_each() {
        let a = api("A", "aaaaaaaaaa", ApiKind::Rest);
        let b = api("B", "bbbbbbbbbb", ApiKind::Http);
        let urls = [url(
            &b,
            "$default",
            "$default",
            "HTTP_PROXY http://x",
            "http://h:1/{proxy+}",
        )];
        let text = render(&[a, b], &urls, "http://h:1");
        assert_eq!(
            text,
            "API \"A\" (REST API, id aaaaaaaaaa)\n\
             \x20 select with the header \"Host: aaaaaaaaaa.execute-api.localhost\" or the path \
             http://h:1/restapis/aaaaaaaaaa/{stage}/_user_request_/{path}\n\
             \x20 (no routes)\n\
             \n\
             API \"B\" (HTTP API, id bbbbbbbbbb)\n\
             \x20 select with the header \"Host: bbbbbbbbbb.execute-api.localhost\" or the path \
             http://h:1/restapis/bbbbbbbbbb/{stage}/_user_request_/{path}\n\
             \x20 STAGE     METHOD  PATH      URL                  INTEGRATION\n\
             \x20 $default  *       $default  http://h:1/{proxy+}  HTTP_PROXY http://x\n"
        );
    }

    #[test]
    fn functions_table() {
        use std::time::Duration;
        let function = |name: &str, runtime: &str, handler: Option<&str>, secs: u64| Function {
            logical_id: name.into(),
            function_name: name.into(),
            runtime: runtime.into(),
            handler: handler.map(str::to_string),
            code_dir: PathBuf::from(format!("/app/{name}")),
            timeout: Duration::from_secs(secs),
            memory_mb: 128,
            environment: BTreeMap::new(),
            reserved_concurrency: None,
            architectures: Vec::new(),
            pointer: format!("/Resources/{name}"),
        };
        assert_eq!(render_functions(&[]), "");
        let functions = [
            (
                PathBuf::from("t.yaml"),
                function("HelloFunction", "python3.12", Some("app.handler"), 3),
            ),
            (
                PathBuf::from("t.yaml"),
                function("Echo", "provided.al2023", None, 30),
            ),
        ];
        assert_eq!(
            render_functions(&functions),
            "\nFunctions\n\
             \x20 NAME           RUNTIME          HANDLER      TIMEOUT  CODE\n\
             \x20 HelloFunction  python3.12       app.handler  3s       /app/HelloFunction\n\
             \x20 Echo           provided.al2023  -            30s      /app/Echo\n"
        );
    }
}
