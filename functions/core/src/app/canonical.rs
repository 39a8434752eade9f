//! The canonical form of a JSON body, for the submission's idempotency fingerprint: a portal
//! that retries with its JSON serialised anew (other key order, other white space, other
//! escapes) delivers the same submission and must get the same case, not a mismatch.

use std::io::Write;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// SHA-256 (hex) of the canonical form of `json`: object keys sorted by their UTF-8 bytes, no
/// white space, strings and numbers as serde_json writes them. `None` when `json` is not JSON.
///
/// The canonical bytes go straight into the hash: bodies carry base64 documents, and writing a
/// copy of the whole body first cost an allocation and a copy per submission (issue 18).
pub fn canonical_json_sha256(json: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(json).ok()?;
    let mut hash = HashWriter(Sha256::new());
    write_canonical(&value, &mut hash).ok()?;
    Some(hex::encode(hash.0.finalize()))
}

/// An `io::Write` that feeds a SHA-256.
pub(super) struct HashWriter(pub(super) Sha256);

impl Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(super) fn write_canonical(value: &Value, out: &mut HashWriter) -> serde_json::Result<()> {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.0.update(b"{");
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.0.update(b",");
                }
                write_str(k, out)?;
                out.0.update(b":");
                write_canonical(v, out)?;
            }
            out.0.update(b"}");
        }
        Value::Array(items) => {
            out.0.update(b"[");
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.0.update(b",");
                }
                write_canonical(v, out)?;
            }
            out.0.update(b"]");
        }
        Value::String(text) => write_str(text, out)?,
        scalar => serde_json::to_writer(&mut *out, scalar)?,
    }
    Ok(())
}

/// A string as serde_json writes it. Most bytes of a body are base64 documents, which need no
/// escape: those go into the hash as they are (serde_json escapes only `"`, `\` and control
/// characters and writes everything else as UTF-8), the rest through serde_json.
fn write_str(text: &str, out: &mut HashWriter) -> serde_json::Result<()> {
    if text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        return serde_json::to_writer(&mut *out, text);
    }
    out.0.update(b"\"");
    out.0.update(text.as_bytes());
    out.0.update(b"\"");
    Ok(())
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

    /// The canonical bytes as the first version wrote them: into a string, every string and
    /// scalar through serde_json. The hashing version must produce exactly these.
    fn reference(json: &[u8]) -> String {
        fn write(v: &serde_json::Value, out: &mut String) {
            match v {
                serde_json::Value::Object(map) => {
                    let mut e: Vec<_> = map.iter().collect();
                    e.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                    out.push('{');
                    for (i, (k, v)) in e.into_iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str(&serde_json::Value::String(k.clone()).to_string());
                        out.push(':');
                        write(v, out);
                    }
                    out.push('}');
                }
                serde_json::Value::Array(items) => {
                    out.push('[');
                    for (i, v) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        write(v, out);
                    }
                    out.push(']');
                }
                scalar => out.push_str(&scalar.to_string()),
            }
        }
        let value: serde_json::Value = serde_json::from_slice(json).expect("json");
        let mut out = String::new();
        write(&value, &mut out);
        crate::ports::sha256_hex(out.as_bytes())
    }

    #[test]
    fn strings_hash_as_serde_json_writes_them() {
        for text in [
            "",
            "plain",
            "QUJD+/=",
            "ä ö ü ß €",
            "😀 \u{1F600}",
            "quote \" in",
            "back\\slash",
            "tab\t newline\n cr\r",
            "\u{0}\u{1}\u{1f}",
            "\u{7f} del",
            "\u{2028}\u{2029}",
            "</script>",
            "\u{10ffff}",
        ] {
            let body = serde_json::to_vec(&serde_json::json!({ text: [text, {"k": text}] }))
                .expect("json");
            assert_eq!(fp(&body), Some(reference(&body)), "{text:?}");
        }
    }

    /// The fingerprint is stored with every case: it must not change between versions, or a
    /// portal retry across an upgrade would be refused as a mismatch. Pinned from the version
    /// that wrote the canonical form into a string first.
    #[test]
    fn fingerprints_stay_as_stored() {
        let body = br#"{"z":"\u00e4\"\\\n\t\u0001/","a":[1,-2.5e3,1.0,{"y":null,"x":false,"\u00fc":"\ud83d\ude00"}],"m":{"b":"Stra\u00dfe","a":12345678901234567890}}"#;
        assert_eq!(
            fp(body).as_deref(),
            Some("30db4df6d481c8dc3bd8072b90fb0115ad33f0a13ac40f5870b73d1eb0659556")
        );
    }
}
