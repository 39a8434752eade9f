//! JSON Schemas generated from the contract types. The checked-in copies under `events/schemas/`
//! are what other teams read; a test fails when they drift from the code.

use schemars::schema_for;

/// (file name, pretty JSON) for every published schema.
pub fn all() -> Vec<(&'static str, String)> {
    let pretty = |s: schemars::Schema| {
        let mut text = serde_json::to_string_pretty(&s).unwrap_or_default();
        text.push('\n');
        text
    };
    vec![
        ("domain_event.json", pretty(schema_for!(crate::DomainEvent))),
        (
            "queue_message.json",
            pretty(schema_for!(crate::QueueMessage)),
        ),
    ]
}
