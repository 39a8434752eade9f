//! The real `fallwerk-intake` binary against a minimal Lambda Runtime API (`fallwerk_runtime::testing::runtime_api`): it is
//! fed the API Gateway sample events of events/samples/ and its responses are checked; its JSON
//! log carries the invocation's request id. The ignored test `init_time` measures, for any
//! binaries named in `FALLWERK_INIT_BINARIES` (`name=path,...`), the time from process spawn to
//! the first `GET /invocation/next`.

use std::time::{Duration, Instant};

use fallwerk_runtime::testing::runtime_api::*;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn intake_binary_answers_sample_events_over_the_runtime_api() {
    let Some((env, _table)) = aws_env().await else {
        return;
    };
    let mut api = RuntimeApi::start().await;
    let child = spawn_function(env!("CARGO_BIN_EXE_fallwerk-intake"), api.port, &env);

    api.push("req-health", sample("apigw-rest-health.json"));
    api.push("req-submit", signed_submission("sub-rt-1", PORTAL_SECRET));
    api.push(
        "req-unsigned",
        signed_submission("sub-rt-2", "wrong-secret-0123456789abcdef0123"),
    );

    let mut results = std::collections::HashMap::new();
    for _ in 0..3 {
        let (id, kind, body) = api.result().await;
        assert_eq!(kind, "response", "{id}: {body}");
        results.insert(id, body);
    }
    let log = stop(child);

    let health = &results["req-health"];
    assert_eq!(health["statusCode"], 200, "{health}");
    let created = &results["req-submit"];
    assert_eq!(created["statusCode"], 201, "{created}");
    let body: Value =
        serde_json::from_str(created["body"].as_str().expect("text body")).expect("json body");
    assert!(body["case_id"].is_string(), "{body}");
    assert_eq!(results["req-unsigned"]["statusCode"], 401);

    // JSON lines with the invocation's request id and the route on the request's span.
    let done: Vec<Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l.pointer("/fields/message") == Some(&Value::from("request done")))
        .collect();
    let submit = done
        .iter()
        .find(|l| l.to_string().contains("req-submit"))
        .unwrap_or_else(|| panic!("a log line with request id req-submit in:\n{log}"));
    let spans = submit["spans"].as_array().expect("span list");
    assert!(
        spans
            .iter()
            .any(|s| s["name"] == "lambda" && s["request_id"] == "req-submit")
    );
    assert!(spans.iter().any(|s| s["name"] == "http"
        && s["route"] == "/v1/submissions"
        && s["status"] == 201
        && s["duration_ms"].is_u64()));
    assert!(!log.contains("Erika"), "no personal data in the log");
}

/// Spawn → first `GET /next`, 5 runs per binary; prints the medians. Run with
/// `FALLWERK_INIT_BINARIES=intake=/path/fallwerk-intake,scheduler=/path/fallwerk-scheduler,...
/// cargo test -p fallwerk-intake --test it runtime_api -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: needs release binaries in FALLWERK_INIT_BINARIES"]
async fn init_time() {
    let Ok(list) = std::env::var("FALLWERK_INIT_BINARIES") else {
        eprintln!("SKIPPED: FALLWERK_INIT_BINARIES not set");
        return;
    };
    let Some((env, _table)) = aws_env().await else {
        return;
    };
    for entry in list.split(',').filter(|e| !e.is_empty()) {
        let (name, bin) = entry.split_once('=').unwrap_or((entry, entry));
        let mut runs = Vec::new();
        for _ in 0..5 {
            let api = RuntimeApi::start().await;
            let spawned = Instant::now();
            let mut child = spawn_function(bin, api.port, &env);
            let first = loop {
                if let Some(at) = api.first_next() {
                    break at;
                }
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("{name} exited during init: {status:?}: {}", stop(child));
                }
                assert!(
                    spawned.elapsed() < Duration::from_secs(20),
                    "{name}: no GET /next"
                );
                tokio::time::sleep(Duration::from_micros(200)).await;
            };
            runs.push(first.duration_since(spawned).as_secs_f64() * 1000.0);
            stop(child);
        }
        let mut sorted = runs.clone();
        sorted.sort_by(|a, b| a.total_cmp(b));
        println!(
            "INIT {name}: median {:.1} ms (runs {:?})",
            sorted[2],
            runs.iter().map(|r| format!("{r:.1}")).collect::<Vec<_>>()
        );
    }
}
