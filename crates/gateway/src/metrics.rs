//! The gateway's metrics, in the Prometheus text exposition format (version 0.0.4), served at
//! `GET /metrics` on a listener of their own ([`GatewayConfig::metrics_listen`]), so no API route
//! can shadow them, on the caller's runtime, so a scrape never runs on a worker thread.
//!
//! Names are API Gateway's CloudWatch metrics in Prometheus spelling, labelled by the CloudWatch
//! dimensions (`api_id` for ApiId, `api_name` for ApiName, `stage` for Stage). They are a stable
//! interface; later metrics (Count, 4XXError, 5XXError, Latency) join them here:
//!
//! | Metric                            | CloudWatch     | Type    |
//! |-----------------------------------|----------------|---------|
//! | `turnpike_cache_hit_count_total`  | CacheHitCount  | counter |
//! | `turnpike_cache_miss_count_total` | CacheMissCount | counter |
//! | `turnpike_websocket_connect_count_total`     | ConnectCount     | counter |
//! | `turnpike_websocket_message_count_total`     | MessageCount     | counter |
//! | `turnpike_websocket_integration_error_total` | IntegrationError | counter |
//! | `turnpike_websocket_client_error_total`      | ClientError      | counter |
//! | `turnpike_websocket_execution_error_total`   | ExecutionError   | counter |
//!
//! The WebSocket families appear only when the deployment has WebSocket APIs.
//!
//! A scrape renders the counters the request path already keeps (per API and stage, relaxed
//! atomics in the compiled snapshot) rather than mirroring them into a metrics registry: the
//! request path stays as it was, and an API removed by a reload disappears from the output with
//! its snapshot. Counters start at 0 when the gateway starts and keep counting across reloads:
//! each snapshot takes them from the gateway's [`crate::cache::CounterRegistry`].
//!
//! [`GatewayConfig::metrics_listen`]: crate::GatewayConfig::metrics_listen

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::cache::CacheCounters;
use crate::pipeline::Shared;
use crate::snapshot::Snapshot;

/// The exposition format's media type.
pub(crate) const CONTENT_TYPE_0_0_4: &str = "text/plain; version=0.0.4; charset=utf-8";

/// How long a scraper has to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);

/// A counter family read from a stage's cache counters.
struct CacheFamily {
    name: &'static str,
    help: &'static str,
    read: fn(&CacheCounters) -> u64,
}

const CACHE_FAMILIES: [CacheFamily; 2] = [
    CacheFamily {
        name: "turnpike_cache_hit_count_total",
        help: "Requests served from the stage's response cache (API Gateway CacheHitCount).",
        read: hits,
    },
    CacheFamily {
        name: "turnpike_cache_miss_count_total",
        help:
            "Requests to a cached method served from the integration (API Gateway CacheMissCount).",
        read: misses,
    },
];

fn hits(counters: &CacheCounters) -> u64 {
    counters.get().0
}

fn misses(counters: &CacheCounters) -> u64 {
    counters.get().1
}

/// The metrics of `snapshot`: every family with its `# HELP` and `# TYPE` lines, then one sample
/// per API and caching stage, in load order then stage name order.
pub(crate) fn render(snapshot: &Snapshot) -> String {
    let mut out = String::new();
    for family in &CACHE_FAMILIES {
        out.push_str("# HELP ");
        out.push_str(family.name);
        out.push(' ');
        out.push_str(family.help);
        out.push_str("\n# TYPE ");
        out.push_str(family.name);
        out.push_str(" counter\n");
        for api in &snapshot.apis {
            for (stage, counters) in api.cache.stage_counters() {
                out.push_str(family.name);
                out.push_str("{api_id=\"");
                push_label_value(&mut out, &api.id);
                out.push_str("\",api_name=\"");
                push_label_value(&mut out, api.cache.api_name());
                out.push_str("\",stage=\"");
                push_label_value(&mut out, stage);
                out.push_str("\"} ");
                out.push_str(&(family.read)(counters).to_string());
                out.push('\n');
            }
        }
    }
    render_websocket(snapshot, &mut out);
    out
}

/// CloudWatch's WebSocket metrics per API and stage, when the deployment has WebSocket APIs.
fn render_websocket(snapshot: &Snapshot, out: &mut String) {
    if snapshot.websocket_apis.is_empty() {
        return;
    }
    for (name, help, metric) in crate::websocket::metrics::FAMILIES {
        out.push_str("# HELP ");
        out.push_str(name);
        out.push(' ');
        out.push_str(help);
        out.push_str("\n# TYPE ");
        out.push_str(name);
        out.push_str(" counter\n");
        for api in &snapshot.websocket_apis {
            // CloudWatch's ApiName dimension keeps ASCII only, as for the cache counters.
            let ascii: String = api.model.name.chars().filter(char::is_ascii).collect();
            let api_name = if ascii.is_empty() { api.id() } else { &ascii };
            for (stage, counters) in api.stages.iter().zip(&api.counters) {
                out.push_str(name);
                out.push_str("{api_id=\"");
                push_label_value(out, api.id());
                out.push_str("\",api_name=\"");
                push_label_value(out, api_name);
                out.push_str("\",stage=\"");
                push_label_value(out, &stage.name);
                out.push_str("\"} ");
                out.push_str(&counters.get(metric).to_string());
                out.push('\n');
            }
        }
    }
}

/// A label value with the format's escapes: backslash, double quote, line feed.
fn push_label_value(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// Serves `GET /metrics` on `listener` (HTTP/1.1) until `stop` turns true; open connections
/// are closed then too.
pub(crate) async fn serve(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
) {
    let listener = match TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%error, "cannot register the metrics listener");
            return;
        }
    };
    let mut stopping = std::pin::pin!(stopped(stop.clone()));
    loop {
        tokio::select! {
            () = &mut stopping => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(serve_connection(stream, shared.clone(), stop.clone()));
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot accept a metrics connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
}

/// Resolves when `stop` turns true, or when its sender is gone without a signal.
async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopping| *stopping).await;
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
) {
    let service = service_fn(move |request: Request<hyper::body::Incoming>| {
        let response = respond(&request, &shared.snapshot.load());
        async move { Ok::<_, Infallible>(response) }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(error) = result {
                tracing::debug!(%error, "metrics connection ended with an error");
            }
        }
        () = stopped(stop) => {}
    }
}

/// 200 with the metrics for `GET /metrics`, 405 for another method, 404 for another path.
fn respond<B>(request: &Request<B>, snapshot: &Snapshot) -> Response<Full<Bytes>> {
    let (status, body) = if request.uri().path() != "/metrics" {
        (StatusCode::NOT_FOUND, "Not Found\n".to_owned())
    } else if request.method() != Method::GET {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            "Method Not Allowed\n".to_owned(),
        )
    } else {
        (StatusCode::OK, render(snapshot))
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let content_type = match status {
        StatusCode::OK => CONTENT_TYPE_0_0_4,
        _ => "text/plain; charset=utf-8",
    };
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if status == StatusCode::METHOD_NOT_ALLOWED {
        headers.insert(ALLOW, HeaderValue::from_static("GET"));
    }
    response
}

#[cfg(test)]
mod tests {
    use turnpike_model::cache::{MethodCacheSetting, StageCache};
    use turnpike_model::{ApiKind, Deployment, Stage};

    use super::*;
    use crate::test_support::{api, mock_route};

    /// A REST API caching GET on every stage.
    fn cached(name: &str) -> turnpike_model::Api {
        let mut api = api(name, ApiKind::Rest, vec![mock_route("GET", "/a", 200, "")]);
        api.caching.all_stages = Some(StageCache {
            method_settings: vec![MethodCacheSetting {
                caching_enabled: Some(true),
                ..MethodCacheSetting::all()
            }],
            ..StageCache::enabled()
        });
        api
    }

    #[test]
    fn renders_cache_counters_per_api_and_stage_with_aws_api_names_escaped() {
        let quoted = cached("Say \"hi\" \\ now\nplease ✓");
        let plain = api(
            "Plain",
            ApiKind::Rest,
            vec![mock_route("GET", "/a", 200, "")],
        );
        let shop = cached("Shop");
        // API Gateway drops non-ASCII characters from ApiName, and uses the id for a name of none.
        let greek = cached("Ωμέγα");
        let (quoted_id, shop_id, greek_id) = (quoted.id.clone(), shop.id.clone(), greek.id.clone());
        let deployment = Deployment::new(
            vec![
                Arc::new(quoted),
                Arc::new(plain),
                Arc::new(shop),
                Arc::new(greek),
            ],
            vec![Stage::new("prod"), Stage::new("beta")],
        );
        let snapshot = Snapshot::build(&deployment);
        let shop_counters = snapshot.apis[2].cache.stage_counters().collect::<Vec<_>>();
        let (stage, beta) = shop_counters[0];
        assert_eq!(stage, "beta");
        beta.count(2, 3);
        shop_counters[1].1.count(0, 1);

        assert_eq!(
            render(&snapshot),
            format!(
                "# HELP turnpike_cache_hit_count_total Requests served from the stage's response cache (API Gateway CacheHitCount).\n\
                 # TYPE turnpike_cache_hit_count_total counter\n\
                 turnpike_cache_hit_count_total{{api_id=\"{quoted_id}\",api_name=\"Say \\\"hi\\\" \\\\ now\\nplease \",stage=\"beta\"}} 0\n\
                 turnpike_cache_hit_count_total{{api_id=\"{quoted_id}\",api_name=\"Say \\\"hi\\\" \\\\ now\\nplease \",stage=\"prod\"}} 0\n\
                 turnpike_cache_hit_count_total{{api_id=\"{shop_id}\",api_name=\"Shop\",stage=\"beta\"}} 2\n\
                 turnpike_cache_hit_count_total{{api_id=\"{shop_id}\",api_name=\"Shop\",stage=\"prod\"}} 0\n\
                 turnpike_cache_hit_count_total{{api_id=\"{greek_id}\",api_name=\"{greek_id}\",stage=\"beta\"}} 0\n\
                 turnpike_cache_hit_count_total{{api_id=\"{greek_id}\",api_name=\"{greek_id}\",stage=\"prod\"}} 0\n\
                 # HELP turnpike_cache_miss_count_total Requests to a cached method served from the integration (API Gateway CacheMissCount).\n\
                 # TYPE turnpike_cache_miss_count_total counter\n\
                 turnpike_cache_miss_count_total{{api_id=\"{quoted_id}\",api_name=\"Say \\\"hi\\\" \\\\ now\\nplease \",stage=\"beta\"}} 0\n\
                 turnpike_cache_miss_count_total{{api_id=\"{quoted_id}\",api_name=\"Say \\\"hi\\\" \\\\ now\\nplease \",stage=\"prod\"}} 0\n\
                 turnpike_cache_miss_count_total{{api_id=\"{shop_id}\",api_name=\"Shop\",stage=\"beta\"}} 3\n\
                 turnpike_cache_miss_count_total{{api_id=\"{shop_id}\",api_name=\"Shop\",stage=\"prod\"}} 1\n\
                 turnpike_cache_miss_count_total{{api_id=\"{greek_id}\",api_name=\"{greek_id}\",stage=\"beta\"}} 0\n\
                 turnpike_cache_miss_count_total{{api_id=\"{greek_id}\",api_name=\"{greek_id}\",stage=\"prod\"}} 0\n"
            )
        );
    }

    #[test]
    fn only_get_metrics_is_served() {
        let snapshot = Snapshot::default();
        let answer = |method: &str, uri: &str| {
            let request = Request::builder().method(method).uri(uri).body(()).unwrap();
            let response = respond(&request, &snapshot);
            let header = |name| {
                response
                    .headers()
                    .get(name)
                    .map(|v: &HeaderValue| v.to_str().unwrap().to_owned())
            };
            (response.status(), header(CONTENT_TYPE), header(ALLOW))
        };
        let text = Some("text/plain; charset=utf-8".to_owned());
        assert_eq!(
            answer("GET", "/metrics?x=1"),
            (StatusCode::OK, Some(CONTENT_TYPE_0_0_4.to_owned()), None)
        );
        assert_eq!(
            answer("POST", "/metrics"),
            (
                StatusCode::METHOD_NOT_ALLOWED,
                text.clone(),
                Some("GET".to_owned())
            )
        );
        assert_eq!(
            answer("GET", "/prod/metrics"),
            (StatusCode::NOT_FOUND, text, None)
        );
    }

    #[test]
    fn without_caching_stages_only_the_family_headers_are_rendered() {
        assert_eq!(
            render(&Snapshot::default()),
            "# HELP turnpike_cache_hit_count_total Requests served from the stage's response cache (API Gateway CacheHitCount).\n\
             # TYPE turnpike_cache_hit_count_total counter\n\
             # HELP turnpike_cache_miss_count_total Requests to a cached method served from the integration (API Gateway CacheMissCount).\n\
             # TYPE turnpike_cache_miss_count_total counter\n"
        );
    }
}
