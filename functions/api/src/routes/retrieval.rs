//! `POST /v1/cases/{id}/messages/{message_id}/retrieved` (portal, HMAC-signed): the applicant
//! opened a postbox message. For the decision this is the announcement (§ 41 Abs. 2a VwVfG).

use axum::Json;
use axum::extract::{Path, State};

use crate::ApiState;
use crate::auth::SignedRequest;
use crate::problem::ApiResult;
use crate::telemetry::record_case;
use fallwerk_core::app::RetrievalReceipt;

/// The body is empty (or ignored); the signature covers it as usual.
pub async fn retrieved(
    State(state): State<ApiState>,
    Path((case_id, message_id)): Path<(String, String)>,
    req: SignedRequest,
) -> ApiResult<Json<RetrievalReceipt>> {
    record_case(&case_id);
    Ok(Json(
        state
            .app
            .portal_message_retrieved(&req.client.0, &case_id, &message_id)
            .await?,
    ))
}
