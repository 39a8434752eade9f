//! The real `fallwerk-casework` binary against the minimal Lambda Runtime API of the intake
//! tests: it answers the health and inbox sample events, and refuses a missing token.

use fallwerk_runtime::testing::runtime_api::*;
use serde_json::Value;

/// The HS256 secret `aws_env` gives the function (`FALLWERK_JWT_HS256_SECRET`).
fn jwt_secret(env: &[(String, String)]) -> String {
    env.iter()
        .find(|(k, _)| k == "FALLWERK_JWT_HS256_SECRET")
        .map(|(_, v)| v.clone())
        .expect("jwt secret in the function environment")
}

#[tokio::test(flavor = "multi_thread")]
async fn casework_binary_answers_sample_events_over_the_runtime_api() {
    let Some((env, _table)) = aws_env().await else {
        return;
    };
    let now = chrono::Utc::now().timestamp();
    let claims = fallwerk_api::testing::claims("sb-rt", &[OE], &["caseworker"], now + 600);
    let token = fallwerk_api::testing::token(&jwt_secret(&env), &claims);
    let inbox = sample("apigw-rest-inbox.json");

    let mut api = RuntimeApi::start().await;
    let child = spawn_function(env!("CARGO_BIN_EXE_fallwerk-casework"), api.port, &env);
    api.push("req-health", sample("apigw-rest-health.json"));
    api.push(
        "req-inbox",
        fill(&inbox, &[("TOKEN", &token), ("ORG_UNIT_ID", OE)]),
    );
    api.push(
        "req-no-token",
        fill(&inbox, &[("TOKEN", "not-a-token"), ("ORG_UNIT_ID", OE)]),
    );

    let mut results = std::collections::HashMap::new();
    for _ in 0..3 {
        let (id, kind, body) = api.result().await;
        assert_eq!(kind, "response", "{id}: {body}");
        results.insert(id, body);
    }
    let log = stop(child);

    assert_eq!(
        results["req-health"]["statusCode"], 200,
        "{}",
        results["req-health"]
    );
    let page = &results["req-inbox"];
    assert_eq!(page["statusCode"], 200, "{page}\n{log}");
    let body: Value =
        serde_json::from_str(page["body"].as_str().expect("text body")).expect("json");
    assert!(body["items"].is_array(), "{body}");
    assert_eq!(
        results["req-no-token"]["statusCode"], 401,
        "{}",
        results["req-no-token"]
    );
    assert!(
        log.contains("req-inbox"),
        "the JSON log names the invocation:\n{log}"
    );
}
