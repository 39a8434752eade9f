//! The checked-in JSON Schemas must equal the ones generated from the types.
//! Regenerate with `FALLWERK_BLESS=1 cargo test -p fallwerk-events --test schemas`.

use std::path::PathBuf;

#[test]
fn checked_in_schemas_match_the_types() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let bless = std::env::var_os("FALLWERK_BLESS").is_some();
    for (name, generated) in fallwerk_events::schema::all() {
        let path = dir.join(name);
        if bless {
            std::fs::write(&path, &generated).expect("write schema");
            continue;
        }
        let stored = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{} missing ({e}); run with FALLWERK_BLESS=1",
                path.display()
            )
        });
        assert_eq!(
            stored, generated,
            "{name} drifted from the types; run FALLWERK_BLESS=1 cargo test -p fallwerk-events --test schemas"
        );
    }
}

#[test]
fn schemas_name_every_event_type() {
    let (_, domain) = &fallwerk_events::schema::all()[0];
    for name in [
        "case_received",
        "forwarded",
        "documents_requested",
        "result_sent",
        "cancelled",
        "document_checked",
        "documents_arrived",
        "document_request_withdrawn",
    ] {
        assert!(
            domain.contains(&format!("\"{name}\"")),
            "{name} missing in schema"
        );
    }
}
