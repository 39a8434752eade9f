//! Test helpers shared with the end-to-end tests: signed portal requests, caseworker tokens,
//! OZG-Cloud multipart bodies. Enabled by `cfg(test)` or the feature `testing`.

use axum::body::Body;
use axum::http::{Method, Request, header};

use crate::auth::jwt::{Claims, mint_token};
use crate::auth::portal::{
    CLIENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, VERSION_HEADER, sign, sign_v2,
};

/// Signs requests the way a portal does.
#[derive(Debug, Clone)]
pub struct PortalSigner {
    pub client_id: String,
    pub secret: String,
}

impl PortalSigner {
    pub fn new(client_id: impl Into<String>, secret: impl Into<String>) -> Self {
        PortalSigner {
            client_id: client_id.into(),
            secret: secret.into(),
        }
    }

    /// The four signature version 2 headers for `method` on `target` (path and query) with
    /// `body`, sent at `timestamp` (unix seconds).
    pub fn headers_v2(
        &self,
        method: &str,
        target: &str,
        timestamp: i64,
        body: &[u8],
    ) -> [(&'static str, String); 4] {
        let ts = timestamp.to_string();
        [
            (CLIENT_HEADER, self.client_id.clone()),
            (
                SIGNATURE_HEADER,
                sign_v2(&self.secret, method, target, &ts, &self.client_id, body),
            ),
            (TIMESTAMP_HEADER, ts),
            (VERSION_HEADER, "2".to_string()),
        ]
    }

    /// The three deprecated version 1 headers for `body` sent at `timestamp` (unix seconds);
    /// the client record must allow version 1.
    pub fn headers(&self, timestamp: i64, body: &[u8]) -> [(&'static str, String); 3] {
        let ts = timestamp.to_string();
        [
            (CLIENT_HEADER, self.client_id.clone()),
            (SIGNATURE_HEADER, sign(&self.secret, &ts, body)),
            (TIMESTAMP_HEADER, ts),
        ]
    }

    /// A request signed with version 2; a non-empty body is sent as `application/json`.
    pub fn request(
        &self,
        method: Method,
        uri: &str,
        timestamp: i64,
        body: Vec<u8>,
    ) -> Request<Body> {
        let headers = self.headers_v2(method.as_str(), uri, timestamp, &body);
        Self::build(method, uri, headers.into_iter(), body)
    }

    /// A request signed with the deprecated version 1.
    pub fn request_v1(
        &self,
        method: Method,
        uri: &str,
        timestamp: i64,
        body: Vec<u8>,
    ) -> Request<Body> {
        let headers = self.headers(timestamp, &body);
        Self::build(method, uri, headers.into_iter(), body)
    }

    fn build(
        method: Method,
        uri: &str,
        headers: impl Iterator<Item = (&'static str, String)>,
        body: Vec<u8>,
    ) -> Request<Body> {
        let mut b = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            b = b.header(name, value);
        }
        if !body.is_empty() {
            b = b.header(header::CONTENT_TYPE, "application/json");
        }
        b.body(Body::from(body)).expect("valid request")
    }
}

/// Caseworker claims; roles as strings (`caseworker`, `supervisor`, `admin`).
pub fn claims(sub: &str, org_units: &[&str], roles: &[&str], exp: i64) -> Claims {
    Claims {
        sub: sub.to_string(),
        name: format!("Test {sub}"),
        email: Some(format!("{sub}@example.org")),
        given_name: None,
        family_name: None,
        org_units: org_units.iter().map(|s| s.to_string()).collect(),
        roles: roles.iter().map(|s| s.to_string()).collect(),
        exp,
        nbf: None,
        iat: None,
        iss: None,
        aud: None,
    }
}

/// An HS256 token for `claims`.
pub fn token(secret: &str, claims: &Claims) -> String {
    mint_token(secret, claims).expect("token")
}

/// A request with `Authorization: Bearer`; a JSON body when given.
pub fn bearer(
    method: Method,
    uri: &str,
    token: &str,
    body: Option<&serde_json::Value>,
) -> Request<Body> {
    let b = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::to_vec(v).expect("json")))
            .expect("valid request"),
        None => b.body(Body::empty()).expect("valid request"),
    }
}

/// One part of a multipart body.
pub struct Part<'a> {
    pub name: &'a str,
    pub file_name: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub bytes: &'a [u8],
}

pub const BOUNDARY: &str = "----fallwerk-test-boundary";

/// A `multipart/form-data` body as form engines build it.
pub fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", p.name);
        if let Some(f) = p.file_name {
            disposition.push_str(&format!("; filename=\"{f}\""));
        }
        out.extend_from_slice(disposition.as_bytes());
        out.extend_from_slice(b"\r\n");
        if let Some(ct) = p.content_type {
            out.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(p.bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

/// `POST /antrag/{client}/{token}` with a multipart body.
pub fn antrag_request(client_id: &str, token: &str, body: Vec<u8>) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(format!("/antrag/{client_id}/{token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .expect("valid request")
}
