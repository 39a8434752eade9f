//! `FormData` read back from storage without serde's buffering.
//!
//! Why: the derived deserializer of an internally tagged enum first copies the whole value into
//! serde's private `Content` tree to find the tag, then deserializes the variant from that copy.
//! For a case with a 20 KB inline form that copy was most of the time of every case load (a
//! profile under intake load: 4.8 % of the process's samples, in the receipt mail's consumer
//! alone). Reading all fields of all variants into one flat record in one pass, then picking
//! the variant, accepts and rejects exactly what the derived code did: the tag `storage`, the
//! fields of the tagged variant, unknown fields ignored.

use serde::{Deserialize, Deserializer};

use super::FormData;

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Storage {
    Inline,
    Blob,
    Purged,
}

/// Every field any variant has; which are required depends on `storage`.
#[derive(Deserialize)]
struct Flat {
    storage: Storage,
    form_id: Option<String>,
    /// Present (also as `null`) or absent: `Some(Value::Null)` is a stored `null`.
    #[serde(default, deserialize_with = "present")]
    data: Option<serde_json::Value>,
    key: Option<String>,
    sha256: Option<String>,
    size: Option<u64>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

fn required<T, E: serde::de::Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(field))
}

impl<'de> Deserialize<'de> for FormData {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = Flat::deserialize(d)?;
        Ok(match f.storage {
            Storage::Inline => FormData::Inline {
                form_id: required(f.form_id, "form_id")?,
                data: required(f.data, "data")?,
            },
            Storage::Blob => FormData::Blob {
                form_id: required(f.form_id, "form_id")?,
                key: required(f.key, "key")?,
                sha256: required(f.sha256, "sha256")?,
                size: required(f.size, "size")?,
            },
            Storage::Purged => FormData::Purged,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: serde_json::Value) -> Result<FormData, serde_json::Error> {
        serde_json::from_str(&v.to_string())
    }

    #[test]
    fn every_variant_reads_back_what_was_written() {
        for form in [
            FormData::Inline {
                form_id: "f".into(),
                data: json!({"a": [1, {"b": null}], "c": "ä"}),
            },
            FormData::Inline {
                form_id: "f".into(),
                data: serde_json::Value::Null,
            },
            FormData::Blob {
                form_id: "f".into(),
                key: "cases/c/form.json".into(),
                sha256: "ab".into(),
                size: 7,
            },
            FormData::Purged,
        ] {
            let text = serde_json::to_string(&form).expect("write");
            let back: FormData = serde_json::from_str(&text).expect("read");
            assert_eq!(back, form, "{text}");
        }
    }

    #[test]
    fn the_tag_and_each_variants_fields_are_required_and_unknown_fields_ignored() {
        for (bad, needs) in [
            (json!({"form_id": "f", "data": {}}), "storage"),
            (json!({"storage": "inline", "data": {}}), "form_id"),
            (json!({"storage": "inline", "form_id": "f"}), "data"),
            (
                json!({"storage": "blob", "form_id": "f", "key": "k", "sha256": "s"}),
                "size",
            ),
        ] {
            let err = read(bad).expect_err(needs).to_string();
            assert!(err.contains(needs), "{err}");
        }
        assert!(read(json!({"storage": "elsewhere"})).is_err());
        assert!(
            read(json!({"storage": "blob", "form_id": "f", "key": "k", "sha256": "s", "size": -1}))
                .is_err()
        );
        assert_eq!(
            read(json!({"storage": "purged", "later": true})).expect("read"),
            FormData::Purged
        );
    }
}
