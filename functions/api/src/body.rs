//! Reading request bodies: size limits, media types and strict JSON, each mapped to one problem.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use crate::problem::{Kind, Problem};

/// Reads the whole body within the route's `DefaultBodyLimit`; 413 beyond it.
pub async fn read_bytes(req: Request) -> Result<Bytes, Problem> {
    Bytes::from_request(req, &()).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(
                Kind::PayloadTooLarge,
                "the request body exceeds the limit of this route",
            )
        } else {
            Problem::new(Kind::MalformedRequest, "the request body could not be read")
        }
    })
}

/// 415 unless the request declares a JSON body (`application/json` or `+json`).
pub fn require_json(headers: &HeaderMap) -> Result<(), Problem> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = ct
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
    {
        Ok(())
    } else {
        Err(Problem::new(
            Kind::UnsupportedMediaType,
            "send the body as application/json",
        ))
    }
}

/// Strict JSON: syntax errors are 400, shape errors (unknown or missing fields, wrong types)
/// are 422 with serde's precise message.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => Problem::new(Kind::InvalidBody, e.to_string()),
        _ => Problem::new(
            Kind::MalformedRequest,
            format!("the body is not valid JSON: {e}"),
        ),
    })
}

/// Extractor for JSON bodies of caseworker and admin routes.
pub struct StrictJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for StrictJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Problem> {
        require_json(req.headers())?;
        let bytes = read_bytes(req).await?;
        parse_json(&bytes).map(StrictJson)
    }
}
