//! Municipal public holidays: holidays that a state's law grants only in some municipalities.
//! § 193 BGB counts the holidays at the place of performance, for an authority its seat, so an
//! org unit with a municipality key (AGS) also skips these.
//!
//! THE LIST (edit here, keep the sources and dates true):
//!
//! | area (AGS prefix) | holiday | from | source (as of 2026-12-01) |
//! |---|---|---|---|
//! | 09761000 Stadt Augsburg | Augsburger Hohes Friedensfest, 8 August | 1980 | Art. 1 Abs. 2 Bayerisches Feiertagsgesetz (FTG) vom 21.05.1980: gesetzlicher Feiertag im Stadtgebiet Augsburg |
//! | 091 Regierungsbezirk Oberbayern, 092 Niederbayern (all municipalities) | Mariä Himmelfahrt, 15 August | 1980 | Art. 1 Abs. 1 Nr. 2, Abs. 3 FTG; Bayerisches Landesamt für Statistik, Pressemitteilung 233/2014 vom 08.08.2014 ("in Oberbayern und Niederbayern in allen bayerischen Kommunen") and 217/2025 vom 08.08.2025 (Zensus 2022, ab 15.08.2025: 1 708 von 2 056 Gemeinden; the changes named there lie outside Ober- and Niederbayern) |
//! | 14625080 Crostwitz, 14625350 Nebelschütz, 14625440 Panschwitz-Kuckau, 14625470 Räckelwitz, 14625500 Ralbitz-Rosenthal (the five members of the Verwaltungsverband Am Klosterwasser, Landkreis Bautzen) | Fronleichnam | 1993 | § 1 and Anlage FronleichnamsVO (Sachsen) vom 04.05.1993, SächsGVBl. S. 417, in force 22.05.1993, as amended 30.05.1995 (SächsGVBl. S. 160), REVOSax; the Anlage lists Crostwitz, Nebelschütz, Ostro, Panschwitz-Kuckau, Ralbitz, Räckelwitz and Rosenthal, which today form these five municipalities entirely |
//! | 16061 Landkreis Eichsfeld (all municipalities) | Fronleichnam | 1991 | § 10 Abs. 1 ThürFGtG (Fronleichnam stays a holiday where it was one in 1994, until an ordinance under § 2 Abs. 2) and Landratsamt Eichsfeld, "Feiertagsrecht": "Der Fronleichnamstag zählt im Landkreis Eichsfeld als gesetzlicher Feiertag" |
//!
//! KNOWN GAPS — not shipped because the official list could not be obtained or verified in
//! full where this table was built (see `GAPS`; the explanation tells the caseworker):
//! - Bayern, Mariä Himmelfahrt in the Regierungsbezirke Oberpfalz (093), Oberfranken (094),
//!   Mittelfranken (095), Unterfranken (096) and Schwaben (097, including the city of Augsburg):
//!   per municipality in the Landesamt für Statistik's database "Mariä Himmelfahrt" (Zensus
//!   2022, valid from 15.08.2025; 348 municipalities in Bayern have no holiday).
//! - Sachsen, Fronleichnam in Puschwitz, Radibor and Wittichenau (whole municipalities; their
//!   AGS were not verified here) and in Ortsteile of Bautzen (Bolbritz, Salzenforst), Göda
//!   (Prischwitz), Großdubrau (Sdier), Hoyerswerda (Dörgenhausen), Königswartha (all but Wartha)
//!   and Neschwitz (Neschwitz, Saritsch): an AGS cannot express an Ortsteil.
//! - Thüringen, Fronleichnam outside the Landkreis Eichsfeld: municipalities or Ortsteile in the
//!   Unstrut-Hainich-Kreis (16064; e.g. Anrode, Dünwald, Katharinenberg, Hildebrandshausen) and
//!   the Wartburgkreis (16063; e.g. Geisa, Buttlar, Schleid).

use chrono::{Datelike, NaiveDate};

use super::holidays::easter_sunday;
use super::municipality::Municipality;

/// A holiday that only some municipalities have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LocalHoliday {
    AugsburgerFriedensfest,
    Fronleichnam,
    MariaeHimmelfahrt,
}

impl LocalHoliday {
    fn name(self) -> &'static str {
        match self {
            LocalHoliday::AugsburgerFriedensfest => "Augsburger Hohes Friedensfest",
            LocalHoliday::Fronleichnam => "Fronleichnam",
            LocalHoliday::MariaeHimmelfahrt => "Mariä Himmelfahrt",
        }
    }

    fn falls_on(self, date: NaiveDate) -> bool {
        match self {
            LocalHoliday::AugsburgerFriedensfest => (date.month(), date.day()) == (8, 8),
            LocalHoliday::MariaeHimmelfahrt => (date.month(), date.day()) == (8, 15),
            LocalHoliday::Fronleichnam => easter_sunday(date.year())
                .is_some_and(|e| i64::from(date.ordinal()) - i64::from(e.ordinal()) == 60),
        }
    }
}

/// (AGS prefix, holiday, first year). See the module comment for each row's source.
const TABLE: &[(&str, LocalHoliday, i32)] = &[
    ("09761000", LocalHoliday::AugsburgerFriedensfest, 1980),
    ("091", LocalHoliday::MariaeHimmelfahrt, 1980),
    ("092", LocalHoliday::MariaeHimmelfahrt, 1980),
    ("14625080", LocalHoliday::Fronleichnam, 1993),
    ("14625350", LocalHoliday::Fronleichnam, 1993),
    ("14625440", LocalHoliday::Fronleichnam, 1993),
    ("14625470", LocalHoliday::Fronleichnam, 1993),
    ("14625500", LocalHoliday::Fronleichnam, 1993),
    ("16061", LocalHoliday::Fronleichnam, 1991),
];

/// Areas whose municipal holidays are known to exist but are not in `TABLE` (module comment).
const GAPS: &[(&str, &str)] = &[
    ("093", "Mariä Himmelfahrt (Oberpfalz)"),
    ("094", "Mariä Himmelfahrt (Oberfranken)"),
    ("095", "Mariä Himmelfahrt (Mittelfranken)"),
    ("096", "Mariä Himmelfahrt (Unterfranken)"),
    ("097", "Mariä Himmelfahrt (Schwaben)"),
    (
        "14625",
        "Fronleichnam (sorbische Gemeinden im Landkreis Bautzen)",
    ),
    ("16063", "Fronleichnam (Wartburgkreis)"),
    ("16064", "Fronleichnam (Unstrut-Hainich-Kreis)"),
];

/// The name of the municipal holiday on `date` in `municipality`, if the list has one.
pub fn local_holiday(municipality: Municipality, date: NaiveDate) -> Option<&'static str> {
    TABLE
        .iter()
        .find(|(area, holiday, from)| {
            municipality.starts_with(area) && date.year() >= *from && holiday.falls_on(date)
        })
        .map(|(_, holiday, _)| holiday.name())
}

/// The municipal holidays the list knows for `municipality` (names, for explanations).
pub fn local_holiday_names(municipality: Municipality) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = TABLE
        .iter()
        .filter(|(area, _, _)| municipality.starts_with(area))
        .map(|(_, holiday, _)| holiday.name())
        .collect();
    names.dedup();
    names
}

/// A German note when `municipality` lies where the shipped list is known to be incomplete
/// and the municipality itself is not in it.
pub fn local_holiday_gap(municipality: Municipality) -> Option<String> {
    // A municipality listed by its full key for the gap's own holiday is covered.
    let covered = |what: &str| {
        TABLE.iter().any(|(area, holiday, _)| {
            area.len() == 8 && municipality.starts_with(area) && what.starts_with(holiday.name())
        })
    };
    GAPS.iter()
        .filter(|(_, what)| !covered(what))
        .find(|(area, _)| municipality.starts_with(area))
        .map(|(_, what)| {
            format!(
                "Örtlicher Feiertag {what} ist für diese Gemeinde nicht in der mitgelieferten Liste; bitte selbst prüfen."
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Municipality {
        match s.parse() {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn every_row_is_a_valid_prefix() {
        for (area, _, from) in TABLE {
            assert!(matches!(area.len(), 3 | 5 | 8), "{area}");
            assert!(area.bytes().all(|b| b.is_ascii_digit()), "{area}");
            assert!(*from >= 1949, "{area}");
        }
    }

    /// Art. 1 Abs. 2 FTG: 8 August is a holiday in the city of Augsburg only.
    #[test]
    fn friedensfest_in_augsburg_only() {
        assert_eq!(
            local_holiday(m("09761000"), d("2026-08-08")),
            Some("Augsburger Hohes Friedensfest")
        );
        assert_eq!(local_holiday(m("09162000"), d("2026-08-08")), None); // München
    }

    /// Oberbayern (München 09162000): Mariä Himmelfahrt everywhere; Unterfranken's Castell
    /// (09675116, evangelical majority per the Landesamt) is not in the list.
    #[test]
    fn mariae_himmelfahrt_in_oberbayern() {
        assert_eq!(
            local_holiday(m("09162000"), d("2026-08-15")),
            Some("Mariä Himmelfahrt")
        );
        assert_eq!(local_holiday(m("09675116"), d("2026-08-15")), None);
        assert!(local_holiday_gap(m("09675116")).is_some());
        assert!(local_holiday_gap(m("09162000")).is_none());
    }

    /// FronleichnamsVO: Corpus Christi 2026 is Thursday 4 June (Easter 5 April + 60 days).
    #[test]
    fn fronleichnam_in_crostwitz_from_1993() {
        assert_eq!(
            local_holiday(m("14625080"), d("2026-06-04")),
            Some("Fronleichnam")
        );
        assert_eq!(local_holiday(m("14625080"), d("2026-06-05")), None);
        // 1992 (18 June) was before the ordinance.
        assert_eq!(local_holiday(m("14625080"), d("1992-06-18")), None);
        assert!(local_holiday_gap(m("14625080")).is_none());
        // Dresden (14612000) has no Fronleichnam and no gap.
        assert_eq!(local_holiday(m("14612000"), d("2026-06-04")), None);
        assert!(local_holiday_gap(m("14612000")).is_none());
    }

    #[test]
    fn fronleichnam_in_the_eichsfeld() {
        assert_eq!(
            local_holiday(m("16061000"), d("2026-06-04")),
            Some("Fronleichnam")
        );
        assert!(local_holiday_gap(m("16063000")).is_some());
    }
}
