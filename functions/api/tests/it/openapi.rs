//! docs/openapi.json must equal the generated document.
//! Regenerate with `FALLWERK_BLESS=1 cargo test -p fallwerk-api --test it openapi`.

use std::path::PathBuf;

#[test]
fn checked_in_openapi_matches_the_code() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let generated = fallwerk_api::openapi::pretty();
    if std::env::var_os("FALLWERK_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write openapi.json");
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{} missing ({e}); run with FALLWERK_BLESS=1",
            path.display()
        )
    });
    assert_eq!(
        stored, generated,
        "docs/openapi.json drifted; run FALLWERK_BLESS=1 cargo test -p fallwerk-api --test it openapi"
    );
}

#[test]
fn every_route_is_documented() {
    let doc = fallwerk_api::openapi::document();
    for (path, method) in [
        ("/v1/submissions", "post"),
        ("/antrag/{client_id}/{token}", "post"),
        ("/v1/cases/{id}/replies", "post"),
        ("/v1/cases/{id}/status", "get"),
        ("/v1/cases/{id}/messages", "get"),
        ("/v1/cases", "get"),
        ("/v1/inbox/counts", "get"),
        ("/v1/cases/{id}", "get"),
        ("/v1/cases/{id}/history", "get"),
        ("/v1/cases/{id}/attachments/{n}", "get"),
        ("/v1/cases/{id}/actions", "post"),
        ("/v1/cases/{id}/thread", "get"),
        ("/v1/cases/{id}/form", "get"),
        ("/v1/cases/{id}/documents", "post"),
        ("/v1/cases/{id}/documents/{n}", "get"),
        ("/v1/cases/{id}/thread/read", "post"),
        ("/v1/admin/org-units", "get"),
        ("/v1/admin/org-units/{id}", "put"),
        ("/v1/admin/services", "get"),
        ("/v1/admin/services/{leika_id}", "put"),
        ("/v1/admin/portal-clients", "get"),
        ("/v1/admin/portal-clients/{id}", "put"),
        ("/health", "get"),
        ("/openapi.json", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} undocumented"
        );
    }
    // Every $ref resolves.
    let text = doc.to_string();
    for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = piece.split('"').next().unwrap_or_default();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "dangling $ref {name}"
        );
    }
}
