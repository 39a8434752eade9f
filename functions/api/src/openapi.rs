//! The OpenAPI 3.1 document: paths written here, schemas generated from the Rust types with
//! schemars (JSON Schema 2020-12, as OpenAPI 3.1 uses). Checked in at docs/openapi.json; a test
//! fails when it drifts.

use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value, json};

use crate::problem::Problem;
use crate::routes::antrag::AntragResponse;
use crate::routes::authority_documents::UploadedDocuments;
use crate::routes::casework::{CountParams, HistoryParams, InboxParams};
use crate::routes::portal::{ReplyRequest, SubmissionRequest, SubmissionResponse};
use crate::routes::thread::MarkReadRequest;
use crate::routes::uploads::{SlotQuery, SlotsRequest, SlotsResponse, UploadReceipt};
use crate::routes::users::UsersQuery;
use fallwerk_core::app::{ApplicantStatus, CaseView, RetrievalReceipt, Thread};
use fallwerk_core::case::Action;
use fallwerk_core::inbox::{InboxCounts, InboxItem};
use fallwerk_core::model::{Message, OrgUnit, PortalClient, Service, UserInput, UserView};
use fallwerk_core::ports::Page;
use fallwerk_events::DomainEvent;

struct Doc {
    generator: SchemaGenerator,
    paths: Map<String, Value>,
}

enum Auth {
    None,
    Portal,
    Bearer,
    UrlToken,
}

impl Doc {
    fn schema<T: JsonSchema>(&mut self) -> Value {
        self.generator.subschema_for::<T>().to_value()
    }

    fn json_body(&mut self, schema: Value) -> Value {
        json!({"required": true, "content": {"application/json": {"schema": schema}}})
    }

    fn ok<T: JsonSchema>(&mut self, description: &str) -> Value {
        json!({"description": description, "content": {"application/json": {"schema": self.schema::<T>()}}})
    }

    #[allow(clippy::too_many_arguments)]
    fn op(
        &mut self,
        method: &str,
        path: &str,
        summary: &str,
        auth: Auth,
        parameters: Vec<Value>,
        body: Option<Value>,
        mut responses: Map<String, Value>,
        problems: &[u16],
    ) {
        let problem = self.schema::<Problem>();
        for status in problems {
            responses.insert(
                status.to_string(),
                json!({"description": crate::problem::title_for(*status),
                       "content": {"application/problem+json": {"schema": problem}}}),
            );
        }
        let mut op = json!({"summary": summary, "responses": responses});
        let security = match auth {
            Auth::None => None,
            Auth::Portal => Some(
                json!([{"portalClient": [], "portalTimestamp": [], "portalSignature": [], "portalSignatureVersion": []}]),
            ),
            Auth::Bearer => Some(json!([{"bearer": []}])),
            Auth::UrlToken => Some(json!([])),
        };
        if let Some(s) = security {
            op["security"] = s;
        }
        if !parameters.is_empty() {
            op["parameters"] = Value::Array(parameters);
        }
        if let Some(b) = body {
            op["requestBody"] = b;
        }
        let entry = self
            .paths
            .entry(path.to_string())
            .or_insert_with(|| json!({}));
        entry[method] = op;
    }
}

fn path_param(name: &str, schema: Value, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": schema, "description": description})
}

/// Query parameters from the properties of a params struct's schema.
fn query_params<T: JsonSchema>() -> Vec<Value> {
    let schema = schemars::schema_for!(T).to_value();
    schema["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .map(|(name, s)| json!({"name": name, "in": "query", "required": false, "schema": s}))
                .collect()
        })
        .unwrap_or_default()
}

fn responses(entries: Vec<(&str, Value)>) -> Map<String, Value> {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

/// The whole document.
pub fn document() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "/components/schemas".into())
        .into_generator();
    let mut d = Doc {
        generator,
        paths: Map::new(),
    };
    let case_id = path_param("id", json!({"type": "string"}), "case id");

    // Portal.
    let body = d.schema::<SubmissionRequest>();
    let body = d.json_body(body);
    let created = d.ok::<SubmissionResponse>("case created");
    let dup = d.ok::<SubmissionResponse>("duplicate submission: the existing case");
    d.op(
        "post",
        "/v1/submissions",
        "Deliver a submission (idempotent by submission_id)",
        Auth::Portal,
        vec![],
        Some(body),
        responses(vec![("201", created), ("200", dup)]),
        &[400, 401, 409, 413, 415, 422],
    );
    let multipart = json!({"required": true, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["formData"],
    "properties": {
        "formData": {"type": "string", "contentMediaType": "application/json",
            "description": "{control: {transactionId, zustaendigeStelle, leikaIds, formId, name, serviceKonto}, formData: [...]}"},
        "representation": {"type": "string", "contentMediaType": "application/pdf"},
        "attachment": {"type": "array", "items": {"type": "string", "contentMediaType": "application/octet-stream"}}
    }}}}});
    let created = d.ok::<AntragResponse>("Vorgang created");
    let dup = d.ok::<AntragResponse>("duplicate transactionId: the existing Vorgang");
    d.op(
        "post",
        "/antrag/{client_id}/{token}",
        "OZG-Cloud-compatible intake (secret in the URL)",
        Auth::UrlToken,
        vec![
            path_param("client_id", json!({"type": "string"}), "portal client id"),
            path_param(
                "token",
                json!({"type": "string"}),
                "the portal client's secret",
            ),
        ],
        Some(multipart),
        responses(vec![("201", created), ("200", dup)]),
        &[400, 401, 409, 413, 415, 422],
    );
    let body = d.schema::<SlotsRequest>();
    let body = d.json_body(body);
    let created = d.ok::<SlotsResponse>(
        "one upload slot per document: PUT the bytes to `url` with `headers`, then reference `upload_id` in the submission's `uploads`",
    );
    d.op(
        "post",
        "/v1/uploads",
        "Upload slots for large documents of a submission (S3 presigned on AWS, fallwerk serve in the embedded mode)",
        Auth::Portal,
        vec![],
        Some(body),
        responses(vec![("201", created)]),
        &[400, 401, 413, 415, 422],
    );
    let mut params = vec![
        path_param("client_id", json!({"type": "string"}), "portal client id"),
        path_param(
            "upload_id",
            json!({"type": "string", "format": "uuid"}),
            "the slot's upload id",
        ),
    ];
    params.extend(query_params::<SlotQuery>());
    let received = d.ok::<UploadReceipt>("stored; reference it in the submission");
    d.op(
        "put",
        "/v1/uploads/{client_id}/{upload_id}",
        "The slot URL of the embedded mode (the query is the slot's signed capability; on AWS slots point at S3)",
        Auth::UrlToken,
        params,
        Some(json!({"required": true, "content": {"application/octet-stream": {"schema": {
            "type": "string", "contentMediaType": "application/octet-stream"}}}})),
        responses(vec![("201", received)]),
        &[401, 403, 413, 422],
    );
    let body = d.schema::<ReplyRequest>();
    let body = d.json_body(body);
    let ok = d.ok::<ApplicantStatus>("the applicant's view after the reply");
    d.op(
        "post",
        "/v1/cases/{id}/replies",
        "Applicant reply (portal)",
        Auth::Portal,
        vec![case_id.clone()],
        Some(body),
        responses(vec![("200", ok)]),
        &[400, 401, 404, 409, 413, 415, 422],
    );
    let ok = d.ok::<ApplicantStatus>("status for the applicant");
    d.op(
        "get",
        "/v1/cases/{id}/status",
        "Applicant status (portal)",
        Auth::Portal,
        vec![case_id.clone()],
        None,
        responses(vec![("200", ok)]),
        &[401, 404],
    );
    let ok = d.ok::<Vec<Message>>("the postbox thread, oldest first");
    d.op(
        "get",
        "/v1/cases/{id}/messages",
        "Applicant postbox (portal)",
        Auth::Portal,
        vec![case_id.clone()],
        None,
        responses(vec![("200", ok)]),
        &[401, 404],
    );
    let ok = d.ok::<RetrievalReceipt>(
        "recorded; for the decision: its announcement day (the day after retrieval, § 41 Abs. 2a VwVfG) and the appeal deadline",
    );
    d.op(
        "post",
        "/v1/cases/{id}/messages/{message_id}/retrieved",
        "The applicant retrieved a postbox message (portal)",
        Auth::Portal,
        vec![
            case_id.clone(),
            path_param(
                "message_id",
                json!({"type": "string"}),
                "postbox message id",
            ),
        ],
        None,
        responses(vec![("200", ok)]),
        &[401, 404, 409, 422],
    );

    let ok = json!({"description": "a document the authority sent (named by a postbox message), with its media type and Content-Disposition: attachment",
        "content": {"application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}});
    d.op(
        "get",
        "/v1/cases/{id}/documents/{n}",
        "Download a document of the authority (portal)",
        Auth::Portal,
        vec![
            case_id.clone(),
            path_param(
                "n",
                json!({"type": "integer", "minimum": 1}),
                "document number",
            ),
        ],
        None,
        responses(vec![("200", ok)]),
        &[401, 404],
    );

    // Caseworkers.
    let ok = d.ok::<Page<InboxItem>>("one page of the inbox");
    d.op(
        "get",
        "/v1/cases",
        "Inbox of the caller's org units: open cases by next due date unless asked otherwise",
        Auth::Bearer,
        query_params::<InboxParams>(),
        None,
        responses(vec![("200", ok)]),
        &[401, 403, 422],
    );
    let ok = d.ok::<InboxCounts>("open cases per status and task");
    d.op(
        "get",
        "/v1/inbox/counts",
        "Counts of the open cases of the caller's org units",
        Auth::Bearer,
        query_params::<CountParams>(),
        None,
        responses(vec![("200", ok)]),
        &[401, 403],
    );
    let ok = d.ok::<CaseView>("the case with its allowed actions");
    d.op(
        "get",
        "/v1/cases/{id}",
        "One case",
        Auth::Bearer,
        vec![case_id.clone()],
        None,
        responses(vec![("200", ok)]),
        &[401, 403, 404],
    );
    let mut params = vec![case_id.clone()];
    params.extend(query_params::<HistoryParams>());
    let ok = d.ok::<Page<DomainEvent>>("events, ascending");
    d.op(
        "get",
        "/v1/cases/{id}/history",
        "The case's events",
        Auth::Bearer,
        params,
        None,
        responses(vec![("200", ok)]),
        &[401, 403, 404, 422],
    );
    let ok = json!({"description": "the document, with its stored media type and Content-Disposition: attachment",
        "content": {"application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}});
    d.op(
        "get",
        "/v1/cases/{id}/attachments/{n}",
        "One document of the case",
        Auth::Bearer,
        vec![
            case_id.clone(),
            path_param(
                "n",
                json!({"type": "integer", "minimum": 1}),
                "attachment number",
            ),
        ],
        None,
        responses(vec![("200", ok)]),
        &[401, 403, 404],
    );
    let ok = d.ok::<UploadedDocuments>("the stored documents with their numbers");
    let body = json!({"required": true, "content": {"multipart/form-data": {"schema": {
        "type": "object",
        "properties": {
            "file": {"type": "array", "items": {"type": "string", "contentMediaType": "application/octet-stream"},
                     "description": "one part per document, with file name and content type (PDF, PNG, JPEG, TIFF, XML, text, DOCX; at most 20 MiB each, 10 per upload)"},
            "sha256": {"type": "array", "items": {"type": "string"}, "description": "optional, per file in order: lower-case hex SHA-256, checked"}
        },
        "required": ["file"]}}}});
    d.op(
        "post",
        "/v1/cases/{id}/documents",
        "Upload documents of the authority (e.g. the decision) to the case",
        Auth::Bearer,
        vec![case_id.clone()],
        Some(body),
        responses(vec![("201", ok)]),
        &[400, 401, 403, 404, 409, 413, 415, 422],
    );
    let ok = json!({"description": "the form data as submitted (JSON; large forms stream from the blob store, checksum-verified: a mismatch found at the end breaks the response off); header X-Fallwerk-Form-Id names the form. On AWS Lambda a response is at most 6 MB: a larger form is refused with `response-too-large` (501), see docs/ARCHITECTURE.md",
        "content": {"application/json": {"schema": {}}}});
    d.op(
        "get",
        "/v1/cases/{id}/form",
        "The case's form data",
        Auth::Bearer,
        vec![case_id.clone()],
        None,
        responses(vec![("200", ok)]),
        &[401, 403, 404, 501],
    );
    let ok = d.ok::<fallwerk_core::form::FormView>(
        "the form read the same way for every sender: fields with id, label, typed value and nested items",
    );
    d.op(
        "get",
        "/v1/cases/{id}/form/fields",
        "The case's form as labelled, typed fields (OZG-Cloud trees and native JSON alike)",
        Auth::Bearer,
        vec![case_id.clone()],
        None,
        responses(vec![("200", ok)]),
        &[401, 403, 404],
    );
    let ok = d.ok::<Thread>("the postbox thread, oldest first, with read marks");
    d.op(
        "get",
        "/v1/cases/{id}/thread",
        "The case's postbox thread (both directions; never internal comments)",
        Auth::Bearer,
        vec![case_id.clone()],
        None,
        responses(vec![("200", ok)]),
        &[401, 403, 404],
    );
    let body = d.schema::<MarkReadRequest>();
    let body = d.json_body(body);
    let ok = d.ok::<Thread>("the thread after marking");
    d.op(
        "post",
        "/v1/cases/{id}/thread/read",
        "Mark the applicant's messages read (first reader stays recorded)",
        Auth::Bearer,
        vec![case_id.clone()],
        Some(body),
        responses(vec![("200", ok)]),
        &[400, 401, 403, 404, 413, 415, 422],
    );
    let action = d.schema::<Action>();
    let body = d.json_body(json!({"allOf": [action], "properties": {"expected_version": {"type": "integer", "minimum": 0}},
        "required": ["expected_version"], "description": "an action plus the case version the caller saw"}));
    let ok = d.ok::<CaseView>("the case after the action");
    d.op(
        "post",
        "/v1/cases/{id}/actions",
        "Act on a case",
        Auth::Bearer,
        vec![case_id],
        Some(body),
        responses(vec![("200", ok)]),
        &[400, 401, 403, 404, 409, 413, 415, 422],
    );

    // Admin.
    admin::<OrgUnit>(&mut d, "/v1/admin/org-units", "id", "org units");
    admin::<Service>(&mut d, "/v1/admin/services", "leika_id", "services");
    admin::<PortalClient>(
        &mut d,
        "/v1/admin/portal-clients",
        "id",
        "portal clients (secrets masked)",
    );

    users(&mut d);

    // Meta.
    d.op("get", "/health", "Liveness", Auth::None, vec![], None,
        responses(vec![("200", json!({"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}))]), &[]);
    d.op("get", "/openapi.json", "This document", Auth::None, vec![], None,
        responses(vec![("200", json!({"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}))]), &[]);

    let schemas = d.generator.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "fallwerk",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Case management for German authorities: portal intake, caseworker and admin API. Errors are application/problem+json (RFC 9457)."
        },
        "paths": d.paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "portalClient": {"type": "apiKey", "in": "header", "name": "X-Fallwerk-Client"},
                "portalTimestamp": {"type": "apiKey", "in": "header", "name": "X-Fallwerk-Timestamp",
                    "description": "unix seconds, at most 5 minutes from the server's clock"},
                "portalSignature": {"type": "apiKey", "in": "header", "name": "X-Fallwerk-Signature",
                    "description": concat!(
                        "sha256=<hex HMAC-SHA256 with the client's secret> over the version 2 string ",
                        "\"fallwerk-v2\\n{METHOD}\\n{path?query, normalised}\\n{timestamp}\\n{client id}\\n{hex SHA-256 of the raw body}\" ",
                        "(docs/PORTAL-SIGNING.md). Example: POST /v1/cases/0b6c6f2e-4d0f-4b7e-9a51-1f7a3c2d9e10/replies at 1767225600 by portal-1 ",
                        "with the body {\"subject\":\"Nachweis\",\"text\":\"anbei\"} (SHA-256 e745e009df7a88e2fd3a395bca2f82db7bb343efd1e9d1bfdc41d83a5ba42396) ",
                        "and the secret example-secret-0123456789abcdef0123456789 gives ",
                        "sha256=3e5a3cf181bdabae22b52c32ac405372388d0c50690e631ac52b41e18e16748b. ",
                        "A signed write is accepted once; identical reads within the 5-minute window are allowed. ",
                        "Without the version header the deprecated version 1 (timestamp + \".\" + body) applies, ",
                        "accepted only for clients whose record has allow_signature_v1."
                    )},
                "portalSignatureVersion": {"type": "apiKey", "in": "header", "name": "X-Fallwerk-Signature-Version",
                    "description": "2 (the signature version; required for clients without allow_signature_v1)"},
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            }
        }
    })
}

fn admin<T: JsonSchema>(d: &mut Doc, base: &str, key: &str, what: &str) {
    let list = d.ok::<Vec<T>>(what);
    d.op(
        "get",
        base,
        &format!("List {what}"),
        Auth::Bearer,
        vec![],
        None,
        responses(vec![("200", list)]),
        &[401, 403],
    );
    let body = d.schema::<T>();
    let body = d.json_body(body);
    let ok = d.ok::<T>("stored");
    d.op(
        "put",
        &format!("{base}/{{{key}}}"),
        &format!("Create or replace one of the {what}"),
        Auth::Bearer,
        vec![path_param(key, json!({"type": "string"}), "id")],
        Some(body),
        responses(vec![("200", ok)]),
        &[400, 401, 403, 413, 415, 422],
    );
}

/// The user directory (docs/ARCHITECTURE.md, "Users"): answers never carry a password hash.
fn users(d: &mut Doc) {
    let user_id = || {
        path_param(
            "id",
            json!({"type": "string"}),
            "account id (the token's `sub`)",
        )
    };
    let list = d.ok::<Vec<UserView>>("users by id; with `org_unit` only its members");
    d.op(
        "get",
        "/v1/admin/users",
        "List users (admin; caseworkers and supervisors: the members of their own org unit)",
        Auth::Bearer,
        query_params::<UsersQuery>(),
        None,
        responses(vec![("200", list)]),
        &[400, 401, 403],
    );
    let one = d.ok::<UserView>("the user");
    d.op(
        "get",
        "/v1/admin/users/{id}",
        "One user (admin)",
        Auth::Bearer,
        vec![user_id()],
        None,
        responses(vec![("200", one)]),
        &[401, 403, 404],
    );
    let body = d.schema::<UserInput>();
    let body = d.json_body(body);
    let stored = d.ok::<UserView>("stored; an existing password hash is kept");
    d.op(
        "put",
        "/v1/admin/users/{id}",
        "Create or replace a user (admin); unknown org unit, bad e-mail or unknown substitute: 422",
        Auth::Bearer,
        vec![user_id()],
        Some(body),
        responses(vec![("200", stored)]),
        &[400, 401, 403, 413, 415, 422],
    );
    let body = d.schema::<fallwerk_core::app::ReassignRequest>();
    let body = d.json_body(body);
    let report = d.ok::<fallwerk_core::app::ReassignReport>(
        "what moved (one assign event per case) and what could not, with the reason",
    );
    d.op(
        "post",
        "/v1/cases/reassign",
        "Reassign all open cases of a user (supervisor)",
        Auth::Bearer,
        vec![],
        Some(body),
        responses(vec![("200", report)]),
        &[400, 401, 403, 413, 415, 422],
    );
    let done = d.ok::<UserView>("the deactivated user; their tokens get 401 from now on");
    d.op(
        "post",
        "/v1/admin/users/{id}/deactivate",
        "Deactivate a user (admin)",
        Auth::Bearer,
        vec![user_id()],
        None,
        responses(vec![("200", done)]),
        &[401, 403, 404],
    );
}

/// Pretty JSON with a trailing newline, as checked in.
pub fn pretty() -> String {
    let mut s = serde_json::to_string_pretty(&document()).unwrap_or_default();
    s.push('\n');
    s
}
