//! The admin role, checked from the token before the request body is read: a caseworker who
//! sends a malformed directory document gets 403, never a validation answer (422) that tells
//! them how to shape one.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::ApiState;
use crate::auth::Caseworker;
use crate::problem::{Kind, Problem};
use fallwerk_core::case::{Caller, Role};

/// An authenticated caseworker holding the role admin.
#[derive(Debug, Clone)]
pub struct Admin(pub Caller);

impl FromRequestParts<ApiState> for Admin {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, Problem> {
        let Caseworker(caller) = Caseworker::from_request_parts(parts, state).await?;
        if caller.has(Role::Admin) {
            Ok(Admin(caller))
        } else {
            Err(Problem::new(Kind::Forbidden, "this needs the role admin"))
        }
    }
}
