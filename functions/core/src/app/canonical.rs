//! The canonical form of a JSON body, for the submission's idempotency fingerprint: a portal
//! that retries with its JSON serialised anew (other key order, other white space, other
//! escapes) delivers the same submission and must get the same case, not a mismatch.

use serde_json::Value;

use crate::ports::sha256_hex;

/// SHA-256 (hex) of the canonical form of `json`: object keys sorted by their UTF-8 bytes, no
/// white space, strings and numbers as serde_json writes them. `None` when `json` is not JSON.
pub fn canonical_json_sha256(json: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(json).ok()?;
    let mut out = String::with_capacity(json.len());
    write_canonical(&value, &mut out);
    Some(sha256_hex(out.as_bytes()))
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::canonical_json_sha256 as fp;

    #[test]
    fn formatting_does_not_matter() {
        let a = br#"{"b":1,"a":{"y":[1,2,{"q":"\u00e4","p":null}],"x":true}}"#;
        let b = b"{ \"a\" : { \"x\" : true, \"y\" : [ 1 , 2 , { \"p\" : null, \"q\" : \"\xc3\xa4\" } ] },\n  \"b\" : 1 }";
        assert_eq!(fp(a), fp(b));
        assert!(fp(a).is_some());
    }

    #[test]
    fn content_does() {
        let base = fp(br#"{"a":[1,2],"b":"x"}"#);
        for other in [
            &br#"{"a":[2,1],"b":"x"}"#[..],
            br#"{"a":[1,2],"b":"y"}"#,
            br#"{"a":[1,2],"b":"x","c":null}"#,
            br#"{"a":[1,2,3],"b":"x"}"#,
            br#"{"a":[1,2],"b":["x"]}"#,
            br#"{"a":[1,2.5],"b":"x"}"#,
        ] {
            assert_ne!(fp(other), base, "{}", String::from_utf8_lossy(other));
        }
        assert_eq!(fp(b"{not json"), None);
    }
}
