//! Property tests: whatever JSON a sender delivers, reading it never panics, every field of the
//! view comes from the input, and the applicant's e-mail, when found, is a text of the form.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-zA-ZäöüÄÖÜß@._ -]{0,12}".prop_map(Value::String),
        Just(json!("2026-02-29")),
        Just(json!("x@example.org")),
    ]
}

/// Arbitrary JSON with OZG-Cloud-like members mixed in.
fn tree() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 96, 6, |inner| {
        let key = prop_oneof![
            Just("name".to_string()),
            Just("label".to_string()),
            Just("formItems".to_string()),
            Just("stringValue".to_string()),
            Just("numberValue".to_string()),
            Just("Value".to_string()),
            Just("pers_vorname".to_string()),
            Just("E-Mail".to_string()),
            "[a-z_]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(key, inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn texts(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.trim().to_string()),
        Value::Array(a) => a.iter().for_each(|x| texts(x, out)),
        Value::Object(o) => o.values().for_each(|x| texts(x, out)),
        _ => {}
    }
}

proptest! {
    #[test]
    fn reading_any_delivery_never_panics(data in tree(), konto in tree()) {
        let (_, fields) = normalise(&data);
        let account = ServiceAccount::from_json(&konto);
        let map = ApplicantFields {
            given_name: Some("name".into()),
            family_name: None,
            email: Some("E-Mail".into()),
            postbox: Some("x".into()),
        };
        let a = recognise_applicant(&fields, &account, Some(&map));
        let mut sent = Vec::new();
        texts(&data, &mut sent);
        if let Some(email) = &a.email {
            prop_assert!(sent.contains(email), "{email} is not in the form");
            prop_assert!(email.contains('@'));
        }
        let _ = recognise_applicant(&fields, &account, None);
    }
}
