//! `GET /v1/cases/{id}/form`: the case's form data as JSON, also when it is kept in the blob
//! store because it is large. Locally (`fallwerk serve`) the body streams from the blob store
//! chunk by chunk with its length announced; a checksum mismatch found at the end breaks the
//! response off (the client sees a short body). Where responses are buffered and bounded
//! (Lambda, [`ApiState::response_limit`]) the form is read whole, verified, and refused with
//! the problem `response-too-large` (501) when its envelope would exceed the limit.
//! `GET /v1/cases/{id}/form/fields`: the same form normalised (`fallwerk_core::form`): labels,
//! typed values, groups.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use crate::ApiState;
use crate::auth::Caseworker;
use crate::problem::{ApiResult, Kind, Problem};
use crate::telemetry::record_case;

/// Room for the status, the headers and the envelope's own keys around the body.
const ENVELOPE_HEADROOM: u64 = 16 * 1024;

/// Bytes `body` takes as a JSON string inside the Lambda response envelope: quotes and
/// backslashes double, control characters become `\n`-style or `\u00XX` escapes.
fn escaped_len(body: &[u8]) -> u64 {
    body.iter()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0x00..=0x1f => 6,
            _ => 1,
        })
        .sum::<u64>()
        + 2
}

fn too_large(size: u64, limit: u64) -> Problem {
    Problem::new(
        Kind::ResponseTooLarge,
        format!(
            "the form data ({size} bytes) does not fit into a response of this deployment \
             (at most {limit} bytes including the response envelope; AWS Lambda allows 6 MB); \
             read it from the export package or through `fallwerk serve`"
        ),
    )
}

pub async fn form(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    Path(case_id): Path<String>,
) -> ApiResult<Response> {
    record_case(&case_id);
    let form = state.app.form_stream(&caller, &case_id).await?;
    let size = form.size;
    let mut res = match state.response_limit {
        None => {
            let mut res = Body::from_stream(form.chunks).into_response();
            res.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(size));
            res
        }
        Some(limit) => {
            if size + ENVELOPE_HEADROOM > limit {
                return Err(too_large(size, limit));
            }
            let mut json = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            let mut chunks = form.chunks;
            while let Some(chunk) = chunks.next().await {
                json.extend(chunk?);
            }
            if escaped_len(&json) + ENVELOPE_HEADROOM > limit {
                return Err(too_large(size, limit));
            }
            Body::from(json).into_response()
        }
    };
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&form.form_id) {
        headers.insert("x-fallwerk-form-id", v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}

pub async fn fields(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    Path(case_id): Path<String>,
) -> ApiResult<Json<fallwerk_core::form::FormView>> {
    record_case(&case_id);
    Ok(Json(state.app.form_view(&caller, &case_id).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_length_counts_what_serde_json_writes() {
        for text in [
            "{\"a\":\"b\\\\c\"}",
            "plain",
            "Zeile\nZeile\tTab\r",
            "\u{1}\u{1f}ä\"",
            "",
        ] {
            let written = serde_json::to_string(text).expect("string");
            assert_eq!(
                escaped_len(text.as_bytes()),
                written.len() as u64,
                "{text:?}"
            );
        }
    }
}
