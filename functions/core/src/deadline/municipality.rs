//! Amtlicher Gemeindeschlüssel (AGS): the 8-digit key of a German municipality. It selects the
//! municipal holidays (`local_holidays`) of an authority's seat, which § 193 BGB counts as well.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use super::state::State;

/// A validated AGS: eight ASCII digits whose first two name one of the 16 states
/// (01 Schleswig-Holstein … 16 Thüringen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Municipality([u8; 8]);

/// Why a municipality key was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MunicipalityParseError {
    #[error("municipality key {input:?} must be exactly 8 digits (amtlicher Gemeindeschlüssel)")]
    Format { input: String },
    #[error(
        "municipality key {input:?} names no German state (its first two digits must be 01 to 16)"
    )]
    UnknownState { input: String },
}

impl Municipality {
    /// The key as written, e.g. "09761000".
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored, so this cannot fail; the fallback keeps it total.
        std::str::from_utf8(&self.0).unwrap_or("00000000")
    }

    /// The state the municipality lies in (the key's first two digits).
    pub fn state(&self) -> State {
        let code = u32::from(self.0[0] - b'0') * 10 + u32::from(self.0[1] - b'0');
        state_of_code(code).unwrap_or_default()
    }

    /// Whether the key starts with `prefix` (a state, district or municipality key).
    pub fn starts_with(&self, prefix: &str) -> bool {
        self.as_str().starts_with(prefix)
    }
}

/// The state of a two-digit Länderschlüssel.
fn state_of_code(code: u32) -> Option<State> {
    use State::*;
    Some(match code {
        1 => SchleswigHolstein,
        2 => Hamburg,
        3 => Niedersachsen,
        4 => Bremen,
        5 => NordrheinWestfalen,
        6 => Hessen,
        7 => RheinlandPfalz,
        8 => BadenWuerttemberg,
        9 => Bayern,
        10 => Saarland,
        11 => Berlin,
        12 => Brandenburg,
        13 => MecklenburgVorpommern,
        14 => Sachsen,
        15 => SachsenAnhalt,
        16 => Thueringen,
        _ => return None,
    })
}

impl FromStr for Municipality {
    type Err = MunicipalityParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = s.as_bytes();
        let Ok(digits) = <[u8; 8]>::try_from(bytes) else {
            return Err(MunicipalityParseError::Format {
                input: s.to_owned(),
            });
        };
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(MunicipalityParseError::Format {
                input: s.to_owned(),
            });
        }
        let code = u32::from(digits[0] - b'0') * 10 + u32::from(digits[1] - b'0');
        if state_of_code(code).is_none() {
            return Err(MunicipalityParseError::UnknownState {
                input: s.to_owned(),
            });
        }
        Ok(Municipality(digits))
    }
}

impl fmt::Display for Municipality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Municipality {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Municipality {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Municipality {
    fn schema_name() -> Cow<'static, str> {
        "Municipality".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "Amtlicher Gemeindeschlüssel (AGS), 8 digits; selects the municipal holidays of the authority's seat.",
            "pattern": "^(0[1-9]|1[0-6])[0-9]{6}$",
            "examples": ["09761000"],
        })
    }
}
