//! The 16 German states (Länder), because public holidays and therefore deadlines differ by state.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::StateParseError;

/// A German state, identified externally by its two-letter code (ISO 3166-2:DE without "DE-").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum State {
    BadenWuerttemberg,
    Bayern,
    Berlin,
    Brandenburg,
    Bremen,
    Hamburg,
    Hessen,
    /// The default because the product follows the MV-SERVICEPORTAL (docs/ARCHITECTURE.md, "Deadlines").
    #[default]
    MecklenburgVorpommern,
    Niedersachsen,
    NordrheinWestfalen,
    RheinlandPfalz,
    Saarland,
    Sachsen,
    SachsenAnhalt,
    SchleswigHolstein,
    Thueringen,
}

impl State {
    /// All states in the conventional order of their codes' listing.
    pub const ALL: [State; 16] = [
        State::BadenWuerttemberg,
        State::Bayern,
        State::Berlin,
        State::Brandenburg,
        State::Bremen,
        State::Hamburg,
        State::Hessen,
        State::MecklenburgVorpommern,
        State::Niedersachsen,
        State::NordrheinWestfalen,
        State::RheinlandPfalz,
        State::Saarland,
        State::Sachsen,
        State::SachsenAnhalt,
        State::SchleswigHolstein,
        State::Thueringen,
    ];

    /// The two-letter code used on the wire and in configuration.
    pub const fn code(self) -> &'static str {
        match self {
            State::BadenWuerttemberg => "BW",
            State::Bayern => "BY",
            State::Berlin => "BE",
            State::Brandenburg => "BB",
            State::Bremen => "HB",
            State::Hamburg => "HH",
            State::Hessen => "HE",
            State::MecklenburgVorpommern => "MV",
            State::Niedersachsen => "NI",
            State::NordrheinWestfalen => "NW",
            State::RheinlandPfalz => "RP",
            State::Saarland => "SL",
            State::Sachsen => "SN",
            State::SachsenAnhalt => "ST",
            State::SchleswigHolstein => "SH",
            State::Thueringen => "TH",
        }
    }

    /// The official German name, for explanations shown to caseworkers and applicants.
    pub const fn name_de(self) -> &'static str {
        match self {
            State::BadenWuerttemberg => "Baden-Württemberg",
            State::Bayern => "Bayern",
            State::Berlin => "Berlin",
            State::Brandenburg => "Brandenburg",
            State::Bremen => "Bremen",
            State::Hamburg => "Hamburg",
            State::Hessen => "Hessen",
            State::MecklenburgVorpommern => "Mecklenburg-Vorpommern",
            State::Niedersachsen => "Niedersachsen",
            State::NordrheinWestfalen => "Nordrhein-Westfalen",
            State::RheinlandPfalz => "Rheinland-Pfalz",
            State::Saarland => "Saarland",
            State::Sachsen => "Sachsen",
            State::SachsenAnhalt => "Sachsen-Anhalt",
            State::SchleswigHolstein => "Schleswig-Holstein",
            State::Thueringen => "Thüringen",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for State {
    type Err = StateParseError;

    /// Accepts the code in any letter case, because admin input and config files are not uniform.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        State::ALL
            .into_iter()
            .find(|state| state.code().eq_ignore_ascii_case(s))
            .ok_or_else(|| StateParseError {
                input: s.to_owned(),
            })
    }
}

impl Serialize for State {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for State {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Going through String (not &str) so that escaped JSON strings are accepted too.
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for State {
    fn schema_name() -> Cow<'static, str> {
        "State".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        let codes: Vec<&str> = State::ALL.iter().map(|s| s.code()).collect();
        json_schema!({
            "type": "string",
            "description": "German state (Land) as two-letter code; its public holidays apply.",
            "enum": codes,
            "default": "MV",
        })
    }
}
