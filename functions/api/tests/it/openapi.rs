//! docs/openapi.json and docs/routes.json must equal what the code generates, and the OpenAPI
//! document must describe exactly the route table's API routes. Regenerate with
//! `FALLWERK_BLESS=1 cargo test -p fallwerk-api --test it openapi` (`route_table`).

use std::path::PathBuf;

use fallwerk_api::routes::table::{ROUTES, routes_json};

/// Compares a checked-in generated file with what the code generates now, or writes it when
/// `FALLWERK_BLESS` is set; `filter` is the test name that regenerates it.
fn matches_checked_in(file: &str, generated: &str, filter: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs")
        .join(file);
    if std::env::var_os("FALLWERK_BLESS").is_some() {
        std::fs::write(&path, generated).unwrap_or_else(|e| panic!("write {file}: {e}"));
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
        "docs/{file} drifted; run FALLWERK_BLESS=1 cargo test -p fallwerk-api --test it {filter}"
    );
}

#[test]
fn checked_in_openapi_matches_the_code() {
    matches_checked_in("openapi.json", &fallwerk_api::openapi::pretty(), "openapi");
}

#[test]
fn every_route_is_documented() {
    let doc = fallwerk_api::openapi::document();
    let mut in_table = std::collections::BTreeSet::new();
    for route in ROUTES.iter().filter(|r| r.documented()) {
        let method = route.method.as_str().to_lowercase();
        assert!(
            doc["paths"][route.path][method.as_str()].is_object(),
            "{method} {} is routed but undocumented",
            route.path
        );
        in_table.insert((route.path.to_string(), method));
    }
    // And nothing is documented that no route serves.
    let paths = doc["paths"].as_object().expect("paths");
    for (path, ops) in paths {
        for method in ops.as_object().expect("operations").keys() {
            assert!(
                in_table.contains(&(path.clone(), method.clone())),
                "{method} {path} is documented but not in the route table"
            );
        }
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

/// docs/routes.json (what infra/check.py checks the SAM template against) must equal the
/// route table's gateway resources.
#[test]
fn checked_in_route_table_matches_the_code() {
    matches_checked_in("routes.json", &routes_json(), "route_table");
}

/// The gateway's resources follow from the table: admin routes behind one proxy, page routes
/// below their first segment, the upload slot's PUT not at all (S3 takes it on AWS).
#[test]
fn gateway_resources_follow_from_the_table() {
    let resources = fallwerk_api::routes::table::gateway_resources();
    let method = |path: &str| {
        resources.get(path).map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        method("/v1/admin/{proxy+}"),
        Some(vec!["ANY casework".into()])
    );
    assert_eq!(method("/login"), Some(vec!["ANY casework".into()]));
    assert_eq!(
        method("/assets/{proxy+}"),
        Some(vec!["GET casework".into()])
    );
    assert_eq!(method("/v1/submissions"), Some(vec!["POST intake".into()]));
    assert_eq!(method("/health"), Some(vec!["GET intake".into()]));
    assert_eq!(method("/v1/uploads/{client_id}/{upload_id}"), None);
    assert!(
        resources
            .keys()
            .all(|r| !r.starts_with("/v1/admin/") || r == "/v1/admin/{proxy+}"),
        "admin routes have no resources of their own: {resources:?}"
    );
}
