//! `formFields` in `case.xml`: the form as labelled, typed fields (`fallwerk_core::form`), so a
//! Fachverfahren can show what the applicant saw without knowing the sender's encoding. The
//! exact tree stays in `formData` and `form.json`; the sender's original part in the documents.

use fallwerk_core::form::{FieldValue, FormField, FormShape, normalise};
use serde_json::Value;

use super::xml::XmlWriter;

/// Writes `<formFields shape>` with one `group` or `field` per form item.
pub(crate) fn write(w: &mut XmlWriter, tree: &Value) {
    let (shape, fields) = normalise(tree);
    let shape = match shape {
        FormShape::OzgCloud => "ozg_cloud",
        FormShape::Native => "native",
    };
    w.open("formFields", &[("shape", shape)]);
    for f in &fields {
        item(w, f);
    }
    w.close();
}

fn item(w: &mut XmlWriter, f: &FormField) {
    if f.items.is_empty() {
        field(w, f);
        return;
    }
    w.open("group", &[("id", &f.id), ("label", &f.label)]);
    if f.value.is_some() {
        field(w, f);
    }
    for i in &f.items {
        item(w, i);
    }
    w.close();
}

fn field(w: &mut XmlWriter, f: &FormField) {
    let attrs = |kind: &'static str| -> Vec<(&str, &str)> {
        vec![("id", &f.id), ("label", &f.label), ("type", kind)]
    };
    match &f.value {
        None => w.empty("field", &attrs("none")),
        Some(FieldValue::Text(s)) => w.leaf("field", &attrs("text"), s),
        Some(FieldValue::Number(n)) => w.leaf("field", &attrs("number"), &n.to_string()),
        Some(FieldValue::Boolean(b)) => w.leaf(
            "field",
            &attrs("boolean"),
            if *b { "true" } else { "false" },
        ),
        Some(FieldValue::Date(s)) => w.leaf("field", &attrs("date"), s),
        Some(FieldValue::DateTime(s)) => w.leaf("field", &attrs("date_time"), s),
        Some(FieldValue::Time(s)) => w.leaf("field", &attrs("time"), s),
        Some(FieldValue::List(items)) => {
            w.open("field", &attrs("list"));
            for v in items {
                w.leaf("item", &[], &plain(v));
            }
            w.close();
        }
        Some(FieldValue::Other { member, value }) => {
            let mut a = attrs("other");
            a.push(("member", member));
            w.leaf("field", &a, &value.to_string());
        }
    }
}

/// A list entry as text: strings bare, everything else as JSON.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn groups_fields_and_types() {
        let mut w = XmlWriter::new();
        write(
            &mut w,
            &json!([{"name": "g", "label": "Person & Co", "formItems": [
                {"name": "a", "label": "Vorname", "stringValue": "Jürgen <J>"},
                {"name": "b", "label": "Kinder", "numberValue": 2},
                {"name": "c", "label": "Ja?", "booleanValue": true},
                {"name": "d", "label": "Am", "dateValue": "2026-01-02"}]}]),
        );
        let xml = w.finish();
        assert!(xml.contains(r#"<formFields shape="ozg_cloud">"#), "{xml}");
        assert!(
            xml.contains(r#"<group id="g" label="Person &amp; Co">"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<field id="a" label="Vorname" type="text">Jürgen &lt;J&gt;</field>"#),
            "{xml}"
        );
        assert!(xml.contains(r#"type="number">2</field>"#), "{xml}");
        assert!(xml.contains(r#"type="boolean">true</field>"#), "{xml}");
        assert!(xml.contains(r#"type="date">2026-01-02</field>"#), "{xml}");
    }
}
