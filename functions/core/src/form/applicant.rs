//! Who applied: the applicant's names, e-mail and postbox found in what a form engine sent.
//!
//! Field ids are not standardised. In this order, the first hit wins:
//! 1. the portal client's mapping ([`ApplicantFields`], directory YAML / admin API);
//! 2. well-known ids, case-insensitive, with and without prefixes (`vorname`, `pers_vorname`,
//!    `antragsteller.vorname`, `kont_email`, …);
//! 3. labels the form showed ("Vorname", "Familienname", "E-Mail-Adresse", "First name", …).
//!
//! Fields inside a group that names the applicant ("Antragsteller", "Antragstellende Person",
//! "Persönliche Daten", …) win over fields elsewhere (a second person's "Vorname"). When nothing
//! names the applicant the name stays empty and the case shows [`NOT_RECOGNISED`]; a name is
//! never invented.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::view::{FieldValue, FormField};
use crate::model::Applicant;

/// What the caseworker sees instead of a name.
pub const NOT_RECOGNISED: &str = "Antragsteller nicht erkannt";

/// A portal client's mapping from its form's field ids to the applicant (all optional). An id
/// matches a field's id case-insensitively, at any depth of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// A field holding the applicant's postbox reference (when the service account has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postbox: Option<String>,
}

/// The user account (`control.serviceKonto`) as OZG-Cloud senders describe it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ServiceAccount {
    /// e.g. `OSI`, `BAYERN_ID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postbox_ref: Option<String>,
}

impl ServiceAccount {
    /// Reads `serviceKonto`: `postfachAddress` or the first usable of `postfachAddresses`, each
    /// with `identifier` as a string or an object holding the postbox id.
    pub fn from_json(konto: &Value) -> ServiceAccount {
        let addresses: Vec<&Value> =
            match (konto.get("postfachAddress"), konto.get("postfachAddresses")) {
                (Some(one), _) if one.is_object() => vec![one],
                (_, Some(Value::Array(list))) => list.iter().collect(),
                _ => Vec::new(),
            };
        ServiceAccount {
            kind: plain(konto.get("type")),
            trust_level: plain(konto.get("trustLevel")),
            postbox_ref: addresses
                .into_iter()
                .find_map(|a| identifier(a.get("identifier"))),
        }
    }
}

/// The postbox id of an `identifier`: a string, or an object with `postfachId` (OZG-Cloud), or
/// another member naming an id.
fn identifier(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Object(o) => [
            "postfachId",
            "postfachID",
            "postboxId",
            "id",
            "value",
            "identifier",
        ]
        .iter()
        .find_map(|k| plain(o.get(*k))),
        other => plain(Some(other)),
    }
}

/// A non-empty trimmed string (numbers count: some engines send ids as numbers).
fn plain(v: Option<&Value>) -> Option<String> {
    let s = match v? {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

const GIVEN: &[&str] = &[
    "vorname",
    "vornamen",
    "rufname",
    "firstname",
    "givenname",
    "forename",
];
const FAMILY: &[&str] = &[
    "nachname",
    "familienname",
    "zuname",
    "lastname",
    "familyname",
    "surname",
];
const EMAIL: &[&str] = &[
    "email",
    "mail",
    "emailadresse",
    "mailadresse",
    "emailaddress",
    "kontaktemail",
    "epost",
];
const POSTBOX: &[&str] = &[
    "postfachid",
    "postfachreferenz",
    "postfachref",
    "inboxreference",
    "postboxref",
    "postboxid",
];
/// Group ids or labels that hold the applicant's own data.
const APPLICANT_GROUPS: &[&str] = &[
    "antragsteller",
    "antragstellerin",
    "antragstellendeperson",
    "antragstellende",
    "persoenlichedaten",
    "persönlichedaten",
    "angabenzurperson",
    "applicant",
    "person",
    "kontakt",
    "kontaktdaten",
    "kontaktinformationen",
];

/// Lower case, letters and digits only: "E-Mail-Adresse" → "emailadresse".
fn compact(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The last segment after a prefix separator: "antragsteller.pers_vorname" → "vorname".
fn last_segment(s: &str) -> String {
    compact(s.rsplit(['_', '.', ':', '/']).next().unwrap_or(s))
}

fn known(s: &str, words: &[&str]) -> bool {
    !s.is_empty()
        && (words.contains(&compact(s).as_str()) || words.contains(&last_segment(s).as_str()))
}

fn text(f: &FormField) -> Option<String> {
    match &f.value {
        Some(FieldValue::Text(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        _ => None,
    }
}

/// The fields to search, applicant groups first, then the whole form.
fn search_order(fields: &[FormField]) -> Vec<&FormField> {
    let mut groups = Vec::new();
    let mut stack: Vec<&FormField> = fields.iter().collect();
    while let Some(f) = stack.pop() {
        if !f.items.is_empty()
            && (known(&f.id, APPLICANT_GROUPS) || known(&f.label, APPLICANT_GROUPS))
        {
            groups.push(f);
        } else {
            stack.extend(f.items.iter());
        }
    }
    // Keep form order among the groups (the stack reversed it).
    groups.reverse();
    let mut out: Vec<&FormField> = groups.iter().flat_map(|g| g.walk()).collect();
    out.extend(fields.iter().flat_map(FormField::walk));
    out
}

/// The first text field whose id (or, failing that, label) matches `words`.
fn find(order: &[&FormField], words: &[&str], accept: fn(&str) -> bool) -> Option<String> {
    let by = |key: fn(&FormField) -> &str| {
        order
            .iter()
            .filter(|f| known(key(f), words))
            .find_map(|f| text(f).filter(|t| accept(t)))
    };
    by(|f| &f.id).or_else(|| by(|f| &f.label))
}

/// The field with id `id` (case-insensitive).
fn mapped(order: &[&FormField], id: Option<&String>) -> Option<String> {
    let id = id?;
    order
        .iter()
        .filter(|f| f.id.eq_ignore_ascii_case(id))
        .find_map(|f| text(f))
}

fn any(_: &str) -> bool {
    true
}

fn looks_like_email(s: &str) -> bool {
    s.contains('@')
}

/// The applicant's e-mail address as the form gives it (mapping, then ids, then labels). The one
/// place that takes it from a form; validation of the address belongs to the intake edge.
pub fn applicant_email(fields: &[FormField], map: Option<&ApplicantFields>) -> Option<String> {
    let order = search_order(fields);
    mapped(&order, map.and_then(|m| m.email.as_ref()))
        .filter(|e| looks_like_email(e))
        .or_else(|| find(&order, EMAIL, looks_like_email))
}

/// The applicant of an OZG-Cloud delivery: names and e-mail from the form, postbox and trust
/// level from the service account (the form's postbox field when the account has none).
/// `name` stays empty when nothing names the applicant (see [`Applicant::recognised`]).
pub fn recognise_applicant(
    fields: &[FormField],
    account: &ServiceAccount,
    map: Option<&ApplicantFields>,
) -> Applicant {
    let order = search_order(fields);
    let field =
        |m: Option<&String>, words: &[&str]| mapped(&order, m).or_else(|| find(&order, words, any));
    let given = field(map.and_then(|m| m.given_name.as_ref()), GIVEN);
    let family = field(map.and_then(|m| m.family_name.as_ref()), FAMILY);
    let name = match (given, family) {
        (Some(g), Some(f)) => format!("{g} {f}"),
        (Some(n), None) | (None, Some(n)) => n,
        (None, None) => String::new(),
    };
    let postbox_ref = account
        .postbox_ref
        .clone()
        .or_else(|| field(map.and_then(|m| m.postbox.as_ref()), POSTBOX));
    Applicant {
        name,
        email: applicant_email(fields, map),
        postbox_ref,
        trust_level: account.trust_level.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::normalise;
    use serde_json::json;

    fn fields(v: Value) -> Vec<FormField> {
        normalise(&v).1
    }

    #[test]
    fn ids_with_prefixes_and_labels() {
        let f = fields(
            json!([{"name": "antragsteller", "label": "Antragsteller", "formItems": [
            {"name": "pers_vorname", "label": "x", "stringValue": "Erika"},
            {"name": "pers_nachname", "label": "y", "stringValue": "Muster"},
            {"name": "kont_email", "label": "z", "stringValue": "e@example.org"}]}]),
        );
        let a = recognise_applicant(&f, &ServiceAccount::default(), None);
        assert_eq!(a.name, "Erika Muster");
        assert_eq!(a.email.as_deref(), Some("e@example.org"));

        let f = fields(json!([
            {"name": "q1", "label": "Familienname", "stringValue": "Muster"},
            {"name": "q2", "label": "E-Mail-Adresse", "stringValue": "m@example.org"},
            {"name": "q3", "label": "First name", "stringValue": "Max"}]));
        let a = recognise_applicant(&f, &ServiceAccount::default(), None);
        assert_eq!(a.name, "Max Muster");
        assert_eq!(a.email.as_deref(), Some("m@example.org"));
    }

    #[test]
    fn applicant_group_wins_over_other_people() {
        let f = fields(json!([
            {"name": "kind", "label": "Kind", "formItems": [
                {"name": "vorname", "label": "Vorname", "stringValue": "Ben"}]},
            {"name": "g", "label": "Antragstellende Person", "formItems": [
                {"name": "vorname", "label": "Vorname", "stringValue": "Eva"}]}]));
        let a = recognise_applicant(&f, &ServiceAccount::default(), None);
        assert_eq!(a.name, "Eva");
    }

    #[test]
    fn an_email_label_without_an_address_is_no_email() {
        let f = fields(json!([{"name": "email", "label": "E-Mail", "stringValue": "keine"}]));
        assert_eq!(applicant_email(&f, None), None);
    }

    #[test]
    fn mapping_wins_and_nothing_means_not_recognised() {
        let f = fields(json!([
            {"name": "f17", "label": "Feld 17", "stringValue": "Kim"},
            {"name": "f18", "label": "Feld 18", "stringValue": "Lee"},
            {"name": "f19", "label": "Feld 19", "stringValue": "kim@example.org"},
            {"name": "f20", "label": "Feld 20", "stringValue": "pf-9"}]));
        let none = recognise_applicant(&f, &ServiceAccount::default(), None);
        assert_eq!(none.name, "");
        assert!(!none.recognised());
        assert_eq!(none.email, None);
        let map = ApplicantFields {
            given_name: Some("F17".into()),
            family_name: Some("f18".into()),
            email: Some("f19".into()),
            postbox: Some("f20".into()),
        };
        let a = recognise_applicant(&f, &ServiceAccount::default(), Some(&map));
        assert_eq!(a.name, "Kim Lee");
        assert_eq!(a.email.as_deref(), Some("kim@example.org"));
        assert_eq!(a.postbox_ref.as_deref(), Some("pf-9"));
    }

    #[test]
    fn service_account_both_postbox_forms() {
        let one = ServiceAccount::from_json(&json!({"type": "BAYERN_ID",
            "trustLevel": "STORK-QAA-Level-2",
            "postfachAddress": {"identifier": "abc-1", "type": "Citizen"}}));
        assert_eq!(one.postbox_ref.as_deref(), Some("abc-1"));
        assert_eq!(one.kind.as_deref(), Some("BAYERN_ID"));
        let list = ServiceAccount::from_json(
            &json!({"type": "OSI", "trustLevel": "STORK-QAA-Level-3",
            "postfachAddresses": [{"identifier": {}}, {"identifier": {"postfachId": "pf-2"}, "type": 1}]}),
        );
        assert_eq!(list.postbox_ref.as_deref(), Some("pf-2"));
        assert_eq!(list.trust_level.as_deref(), Some("STORK-QAA-Level-3"));
        assert_eq!(
            ServiceAccount::from_json(&json!("x")),
            ServiceAccount::default()
        );
    }
}
