//! The Lambda HTTP handlers fed with the API Gateway REST sample events of events/samples/,
//! converted by `lambda_http` exactly as in Lambda, against the AWS backend on DynamoDB Local
//! and moto (fresh table, bucket and queues per test): the intake router takes a signed
//! submission (201) and refuses an unsigned one (401); the casework router lists the case in
//! the inbox (200) and runs an action on it (200); both answer the health check.

use axum::Router;
use fallwerk_api::{ApiState, JwtConfig};
use fallwerk_runtime::Aws;
use fallwerk_runtime::testing::runtime_api::{fill, sample, signed_submission_for};
use lambda_http::RequestExt;
use serde_json::Value;
use tower::ServiceExt;

const OE: &str = "oe-samples";
const LEIKA: &str = "99050012104000";
const CLIENT: &str = "portal-samples";
const PORTAL_SECRET: &str = "portal-secret-0123456789abcdef0123456789";
const JWT_SECRET: &str = "jwt-secret-for-samples-0123456789abcdef";

/// The backend on fresh emulator resources, with one org unit, service, portal client and
/// caseworker; `None` (skipped) without emulators.
struct Backend {
    aws: Aws,
    _table: fallwerk_aws::testing::TableGuard,
}

async fn backend() -> Option<Backend> {
    let fixture = fallwerk_runtime::testing::aws_backend(&fallwerk_runtime::testing::Seed {
        org_unit: OE,
        leika_id: LEIKA,
        client: CLIENT,
        secret: PORTAL_SECRET,
        allow_signature_v1: true,
        caseworker: Some("cw-samples"),
    })
    .await?;
    Some(Backend {
        aws: fixture.aws,
        _table: fixture.table,
    })
}

impl Backend {
    fn intake(&self) -> Router {
        fallwerk_runtime::lambda::http::intake_router(&self.aws)
    }

    fn casework(&self) -> Router {
        fallwerk_casework::router_for(
            ApiState::new(self.aws.app.clone()).with_jwt(JwtConfig::hs256(JWT_SECRET.to_string())),
        )
    }
}

/// Converts an API Gateway event the way `lambda_http` does in Lambda, with
/// `AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH` behaviour (the template sets it): the path without
/// the stage.
fn request(event: &str) -> lambda_http::Request {
    let req = lambda_http::request::from_str(event).expect("sample is an API Gateway event");
    let path = req.raw_http_path().to_string();
    let query = req
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let (mut parts, body) = req.into_parts();
    parts.uri = format!("{path}{query}").parse().expect("uri");
    lambda_http::Request::from_parts(parts, body)
}

async fn call(router: Router, event: &str) -> (u16, Value) {
    let res = router.oneshot(request(event)).await.expect("infallible");
    let status = res.status().as_u16();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body");
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, json)
}

/// The submission sample, signed with the portal secret at `now`.
fn signed_submission(submission_id: &str) -> String {
    signed_submission_for(CLIENT, OE, submission_id, PORTAL_SECRET)
}

fn token() -> String {
    let claims = fallwerk_api::testing::claims(
        "cw-samples",
        &[OE],
        &["caseworker"],
        chrono::Utc::now().timestamp() + 600,
    );
    fallwerk_api::testing::token(JWT_SECRET, &claims)
}

#[tokio::test(flavor = "multi_thread")]
async fn samples_walk_a_case_through_intake_and_casework() {
    let Some(b) = backend().await else { return };

    let (status, created) = call(b.intake(), &signed_submission("sub-samples-1")).await;
    assert_eq!(status, 201, "{created}");
    let case_id = created["case_id"].as_str().expect("case id").to_string();

    // The same submission again (signed anew: a repeated signature is a replay) is
    // idempotent: 200, the same case.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, again) = call(b.intake(), &signed_submission("sub-samples-1")).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["case_id"], case_id.as_str());

    let token = token();
    let inbox = fill(
        &sample("apigw-rest-inbox.json"),
        &[("TOKEN", &token), ("ORG_UNIT_ID", OE)],
    );
    let (status, listed) = call(b.casework(), &inbox).await;
    assert_eq!(status, 200, "{listed}");
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{listed}");
    assert_eq!(items[0]["id"], case_id.as_str());

    // The inbox sample, pointed at the case itself, gives the version the action needs.
    let mut view: Value = serde_json::from_str(&inbox).expect("json");
    view["path"] = Value::String(format!("/v1/cases/{case_id}"));
    view["resource"] = Value::String("/v1/cases/{id}".into());
    view["queryStringParameters"] = Value::Null;
    view["multiValueQueryStringParameters"] = Value::Null;
    let (status, case) = call(b.casework(), &view.to_string()).await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["allowed_actions"][0], "confirm_competence", "{case}");
    let version = case["version"].as_u64().expect("version").to_string();

    let action = fill(
        &sample("apigw-rest-action.json"),
        &[
            ("TOKEN", &token),
            ("CASE_ID", &case_id),
            ("VERSION", &version),
        ],
    );
    let (status, acted) = call(b.casework(), &action).await;
    assert_eq!(status, 200, "{acted}");
    assert_eq!(acted["status"], "completeness_check", "{acted}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unsigned_or_unauthenticated_samples_are_401() {
    let Some(b) = backend().await else { return };
    let unsigned = fill(
        &sample("apigw-rest-submission.json"),
        &[
            ("SUBMISSION_ID", "sub-unsigned"),
            ("ORG_UNIT_ID", OE),
            ("CLIENT_ID", CLIENT),
            ("TIMESTAMP", &chrono::Utc::now().timestamp().to_string()),
            ("SIGNATURE", "00"),
        ],
    );
    let (status, problem) = call(b.intake(), &unsigned).await;
    assert_eq!(status, 401, "{problem}");
    assert!(problem["type"].is_string(), "problem+json: {problem}");

    let inbox = fill(
        &sample("apigw-rest-inbox.json"),
        &[("TOKEN", "not-a-token"), ("ORG_UNIT_ID", OE)],
    );
    let (status, problem) = call(b.casework(), &inbox).await;
    assert_eq!(status, 401, "{problem}");
}

#[tokio::test(flavor = "multi_thread")]
async fn health_sample_is_200_on_both_functions() {
    let Some(b) = backend().await else { return };
    let health = sample("apigw-rest-health.json");
    for router in [b.intake(), b.casework()] {
        let (status, body) = call(router, &health).await;
        assert_eq!(status, 200, "{body}");
    }
}

#[test]
fn samples_deserialise_as_api_gateway_rest_events() {
    for name in [
        "apigw-rest-submission.json",
        "apigw-rest-inbox.json",
        "apigw-rest-health.json",
    ] {
        let req = request(&sample(name));
        assert!(
            matches!(
                req.request_context_ref(),
                Some(lambda_http::request::RequestContext::ApiGatewayV1(_))
            ),
            "{name} is a REST (v1) event"
        );
        assert!(req.uri().path().starts_with('/'), "{name}");
        assert!(
            !req.uri().path().starts_with("/test/"),
            "{name}: stage removed"
        );
    }
}
