//! Health, the OpenAPI document and the problem+json fallbacks.

use axum::Json;
use axum::response::IntoResponse;

use crate::problem::{Kind, Problem};

pub async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

pub async fn openapi() -> Json<serde_json::Value> {
    Json(crate::openapi::document())
}

pub async fn not_found() -> impl IntoResponse {
    Problem::not_found("no such route")
}

pub async fn method_not_allowed() -> impl IntoResponse {
    Problem::new(
        Kind::MethodNotAllowed,
        "this route does not accept the method",
    )
}
