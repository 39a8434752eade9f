//! The normalised view of a form: every field with its id, the label the form showed and its
//! typed value; groups carry their fields in `items`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

/// Nesting deeper than this is cut (the JSON parser already stops at 128 levels); it keeps the
/// recursion bounded for any input.
const MAX_DEPTH: usize = 64;
/// At most this many fields are read from one form; the rest stays in the original only.
const MAX_FIELDS: usize = 20_000;

/// How the sender encoded the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FormShape {
    /// OZG-Cloud items `{name, label, stringValue|numberValue|…, formItems}`.
    OzgCloud,
    /// A JSON object whose keys are the labels (the native submission route).
    Native,
}

/// A value with the type its sender gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum FieldValue {
    Text(String),
    Number(Number),
    Boolean(bool),
    /// As sent (OZG-Cloud engines send `yyyy-MM-dd`).
    Date(String),
    DateTime(String),
    Time(String),
    /// A list of plain values.
    List(Vec<Value>),
    /// A value member this version does not know (`<member>: value`), kept as sent.
    Other {
        member: String,
        value: Value,
    },
}

/// One field or group of the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FormField {
    /// The engine's field id (`name`), or the key of a native form.
    pub id: String,
    /// What the form showed; the id when the sender gave no label.
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<FieldValue>,
    /// The fields of a group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<FormField>,
}

/// The form of a case as caseworkers and the export read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FormView {
    pub form_id: String,
    pub shape: FormShape,
    pub fields: Vec<FormField>,
}

impl FormField {
    /// This field and all fields below it, depth-first in form order.
    pub fn walk(&self) -> Vec<&FormField> {
        let mut out = vec![self];
        for i in &self.items {
            out.extend(i.walk());
        }
        out
    }
}

/// Reads `data` in whichever shape it has.
pub fn normalise(data: &Value) -> (FormShape, Vec<FormField>) {
    let mut budget = MAX_FIELDS;
    if is_ozg_tree(data) {
        let items = data.as_array().map(Vec::as_slice).unwrap_or_default();
        (FormShape::OzgCloud, ozg_items(items, 0, &mut budget))
    } else {
        (FormShape::Native, native_fields(data, 0, &mut budget))
    }
}

/// An OZG-Cloud tree is a list of objects that each have a `name` and a label, a value member
/// or `formItems`.
fn is_ozg_tree(data: &Value) -> bool {
    let Some(items) = data.as_array() else {
        return false;
    };
    !items.is_empty()
        && items.iter().all(|i| {
            i.as_object().is_some_and(|o| {
                o.get("name").is_some_and(Value::is_string)
                    && (o.contains_key("label")
                        || o.contains_key("formItems")
                        || o.keys().any(|k| value_member(k).is_some()))
            })
        })
}

/// `stringValue` → `string`: the type a value member's name announces.
fn value_member(key: &str) -> Option<&str> {
    key.strip_suffix("Value").filter(|t| !t.is_empty())
}

fn ozg_items(items: &[Value], depth: usize, budget: &mut usize) -> Vec<FormField> {
    if depth >= MAX_DEPTH {
        return Vec::new();
    }
    let mut out = Vec::new();
    for item in items {
        if *budget == 0 {
            break;
        }
        let Some(o) = item.as_object() else {
            continue;
        };
        *budget -= 1;
        let id = text_of(o.get("name"));
        let label = match text_of(o.get("label")) {
            l if l.trim().is_empty() => id.clone(),
            l => l,
        };
        let value = o
            .iter()
            .filter(|(_, v)| !v.is_null())
            .find_map(|(k, v)| value_member(k).map(|t| typed(t, v)));
        let children = o
            .get("formItems")
            .and_then(Value::as_array)
            .map(|c| ozg_items(c, depth + 1, budget))
            .unwrap_or_default();
        out.push(FormField {
            id,
            label,
            value,
            items: children,
        });
    }
    out
}

fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// The value of member `<kind>Value`, typed by `kind`; a value of an unexpected JSON type is
/// kept as `Other` rather than guessed.
fn typed(kind: &str, v: &Value) -> FieldValue {
    let other = || FieldValue::Other {
        member: format!("{kind}Value"),
        value: v.clone(),
    };
    match (kind.to_ascii_lowercase().as_str(), v) {
        ("string" | "text", Value::String(s)) => FieldValue::Text(s.clone()),
        ("number" | "integer" | "decimal" | "long" | "double" | "float", Value::Number(n)) => {
            FieldValue::Number(n.clone())
        }
        ("boolean" | "bool", Value::Bool(b)) => FieldValue::Boolean(*b),
        ("date", Value::String(s)) => FieldValue::Date(s.clone()),
        ("datetime", Value::String(s)) => FieldValue::DateTime(s.clone()),
        ("time", Value::String(s)) => FieldValue::Time(s.clone()),
        ("list" | "array" | "strings", Value::Array(a)) => FieldValue::List(a.clone()),
        _ => other(),
    }
}

fn native_fields(data: &Value, depth: usize, budget: &mut usize) -> Vec<FormField> {
    match data {
        Value::Object(map) => object_fields(map, depth, budget),
        Value::Array(items) => array_fields(items, depth, budget),
        Value::Null => Vec::new(),
        scalar => vec![FormField {
            id: String::new(),
            label: String::new(),
            value: native_value(scalar),
            items: Vec::new(),
        }],
    }
}

fn object_fields(map: &Map<String, Value>, depth: usize, budget: &mut usize) -> Vec<FormField> {
    let mut out = Vec::new();
    for (k, v) in map {
        if let Some(f) = native_field(k.clone(), v, depth, budget) {
            out.push(f);
        }
    }
    out
}

fn array_fields(items: &[Value], depth: usize, budget: &mut usize) -> Vec<FormField> {
    let mut out = Vec::new();
    for (i, v) in items.iter().enumerate() {
        if let Some(f) = native_field((i + 1).to_string(), v, depth, budget) {
            out.push(f);
        }
    }
    out
}

fn native_field(key: String, v: &Value, depth: usize, budget: &mut usize) -> Option<FormField> {
    if *budget == 0 || depth >= MAX_DEPTH {
        return None;
    }
    *budget -= 1;
    let (value, items) = match v {
        Value::Object(m) => (None, object_fields(m, depth + 1, budget)),
        Value::Array(a) if a.iter().all(is_scalar) => (Some(FieldValue::List(a.clone())), vec![]),
        Value::Array(a) => (None, array_fields(a, depth + 1, budget)),
        scalar => (native_value(scalar), Vec::new()),
    };
    Some(FormField {
        id: key.clone(),
        label: key,
        value,
        items,
    })
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Object(_) | Value::Array(_))
}

/// Native values are typed by their JSON type; a string in ISO form `yyyy-mm-dd` is a date.
fn native_value(v: &Value) -> Option<FieldValue> {
    match v {
        Value::String(s) if is_iso_date(s) => Some(FieldValue::Date(s.clone())),
        Value::String(s) => Some(FieldValue::Text(s.clone())),
        Value::Number(n) => Some(FieldValue::Number(n.clone())),
        Value::Bool(b) => Some(FieldValue::Boolean(*b)),
        _ => None,
    }
}

fn is_iso_date(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ozg_tree_with_every_value_member_and_groups() {
        let (shape, f) = normalise(&json!([
            {"name": "s1", "label": "Person", "formItems": [
                {"name": "a", "label": "Vorname", "stringValue": "Erika"},
                {"name": "b", "label": "Kinder", "numberValue": 2},
                {"name": "c", "label": "Geboren", "dateValue": "1980-02-29"},
                {"name": "d", "label": "Einverstanden", "booleanValue": true},
                {"name": "e", "label": "Um", "timeValue": "10:30"},
                {"name": "g", "label": "Seltsam", "fooValue": {"x": 1}},
                {"name": "h", "label": "Leer", "stringValue": null, "numberValue": 1.5}
            ]}
        ]));
        assert_eq!(shape, FormShape::OzgCloud);
        assert_eq!(f[0].label, "Person");
        let items = &f[0].items;
        assert_eq!(items[0].value, Some(FieldValue::Text("Erika".into())));
        assert_eq!(items[1].value, Some(FieldValue::Number(2.into())));
        assert_eq!(items[2].value, Some(FieldValue::Date("1980-02-29".into())));
        assert_eq!(items[3].value, Some(FieldValue::Boolean(true)));
        assert_eq!(items[4].value, Some(FieldValue::Time("10:30".into())));
        assert_eq!(
            items[5].value,
            Some(FieldValue::Other {
                member: "fooValue".into(),
                value: json!({"x": 1})
            })
        );
        assert!(matches!(items[6].value, Some(FieldValue::Number(_))));
    }

    #[test]
    fn native_keys_become_labels() {
        let (shape, f) = normalise(&json!({"haushalt": {"personen": 2}, "seit": "2024-01-31",
            "tags": ["a", "b"], "kinder": [{"name": "Ben"}]}));
        assert_eq!(shape, FormShape::Native);
        let by = |l: &str| f.iter().find(|x| x.label == l).expect(l).clone();
        assert_eq!(by("haushalt").items[0].label, "personen");
        assert_eq!(
            by("seit").value,
            Some(FieldValue::Date("2024-01-31".into()))
        );
        assert_eq!(
            by("tags").value,
            Some(FieldValue::List(vec![json!("a"), json!("b")]))
        );
        assert_eq!(by("kinder").items[0].items[0].label, "name");
    }

    #[test]
    fn deep_and_odd_inputs_do_not_panic() {
        let mut v = json!("x");
        for _ in 0..120 {
            v = json!([{"name": "n", "formItems": [v]}]);
        }
        let _ = normalise(&v);
        let _ = normalise(&json!(null));
        let _ = normalise(&json!([1, "x", null]));
        let _ = normalise(&json!([{"name": "a", "formItems": "nope", "label": 5}]));
    }
}
