//! JSON as XML, in the W3C representation of XPath 3.1 `fn:json-to-xml` (namespace
//! `http://www.w3.org/2005/xpath-functions`): `map`, `array`, `string`, `number`, `boolean`,
//! `null`, object keys in a `key` attribute. Lossless for every JSON tree except characters XML
//! cannot carry (replaced by U+FFFD; `form.json` in the package keeps the exact bytes), and no
//! JSON key ever becomes an element name.

use serde_json::Value;

use super::xml::XmlWriter;

pub(crate) const FN_NAMESPACE: &str = "http://www.w3.org/2005/xpath-functions";

/// Writes `value` as the root of a json-to-xml tree (declares the namespace).
pub(crate) fn write_root(w: &mut XmlWriter, value: &Value) {
    write(w, value, None, true);
}

fn write(w: &mut XmlWriter, value: &Value, key: Option<&str>, root: bool) {
    let mut attrs: Vec<(&str, &str)> = Vec::with_capacity(2);
    if root {
        attrs.push(("xmlns", FN_NAMESPACE));
    }
    if let Some(k) = key {
        attrs.push(("key", k));
    }
    match value {
        Value::Null => w.empty("null", &attrs),
        Value::Bool(b) => w.leaf("boolean", &attrs, if *b { "true" } else { "false" }),
        Value::Number(n) => w.leaf("number", &attrs, &n.to_string()),
        Value::String(s) => w.leaf("string", &attrs, s),
        Value::Array(items) if items.is_empty() => w.empty("array", &attrs),
        Value::Array(items) => {
            w.open("array", &attrs);
            for item in items {
                write(w, item, None, false);
            }
            w.close();
        }
        Value::Object(map) if map.is_empty() => w.empty("map", &attrs),
        Value::Object(map) => {
            w.open("map", &attrs);
            for (k, v) in map {
                write(w, v, Some(k), false);
            }
            w.close();
        }
    }
}
