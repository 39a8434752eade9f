//! Golden tests for municipal holidays (§ 193 BGB: the holidays at the authority's seat count).

use chrono::NaiveDate;

use super::{Calendar, Municipality, MunicipalityParseError, Period, State, compute, explain_de};

fn date(s: &str) -> NaiveDate {
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => d,
        Err(e) => panic!("bad date {s}: {e}"),
    }
}

fn ags(s: &str) -> Municipality {
    match s.parse() {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    }
}

fn at(state: State, municipality: &str) -> Calendar {
    Calendar::new(state, Some(ags(municipality)))
}

/// Augsburg: 25.07.2025 + 14D = Friday 08.08.2025, the Augsburger Hohes Friedensfest (Art. 1
/// Abs. 2 FTG) → Monday 11.08.2025. Elsewhere in Bayern the Friday is a working day.
#[test]
fn augsburg_friedensfest_moves_the_end_to_monday() {
    let p = Period::Days(14);
    assert_eq!(
        compute(date("2025-07-25"), p, at(State::Bayern, "09761000")).due,
        date("2025-08-11")
    );
    assert_eq!(
        compute(date("2025-07-25"), p, State::Bayern).due,
        date("2025-08-08")
    );
}

/// München (Oberbayern): 01.08.2025 + 14D = Friday 15.08.2025, Mariä Himmelfahrt in every
/// municipality of Oberbayern → Monday 18.08.2025; without a municipality it is not counted.
#[test]
fn mariae_himmelfahrt_in_muenchen_moves_the_end() {
    let p = Period::Days(14);
    assert_eq!(
        compute(date("2025-08-01"), p, at(State::Bayern, "09162000")).due,
        date("2025-08-18")
    );
    assert_eq!(
        compute(date("2025-08-01"), p, State::Bayern).due,
        date("2025-08-15")
    );
}

/// Crostwitz (FronleichnamsVO Sachsen): 21.05.2026 + 14D = Thursday 04.06.2026, Fronleichnam
/// → Friday 05.06.2026. In Dresden (14612000) Fronleichnam is a working day.
#[test]
fn fronleichnam_in_crostwitz_but_not_in_dresden() {
    let p = Period::Days(14);
    assert_eq!(
        compute(date("2026-05-21"), p, at(State::Sachsen, "14625080")).due,
        date("2026-06-05")
    );
    assert_eq!(
        compute(date("2026-05-21"), p, at(State::Sachsen, "14612000")).due,
        date("2026-06-04")
    );
}

/// Working days skip the municipal holiday too: Eichsfeld, Wednesday 03.06.2026 + 1WD skips
/// Fronleichnam 04.06. → Friday 05.06.2026.
#[test]
fn working_days_skip_fronleichnam_in_the_eichsfeld() {
    assert_eq!(
        compute(
            date("2026-06-03"),
            Period::WorkingDays(1),
            at(State::Thueringen, "16061045")
        )
        .due,
        date("2026-06-05")
    );
}

/// A municipality of another state is ignored: its holidays are another state's law.
#[test]
fn a_municipality_of_another_state_is_ignored() {
    let cal = Calendar::new(State::MecklenburgVorpommern, Some(ags("09761000")));
    assert_eq!(cal.municipality, None);
}

#[test]
fn municipality_keys_are_validated() {
    assert_eq!(ags("09761000").state(), State::Bayern);
    assert_eq!(ags("13003000").state(), State::MecklenburgVorpommern);
    for bad in ["0976100", "097610000", "0976100a", " 9761000", ""] {
        assert!(
            matches!(
                bad.parse::<Municipality>(),
                Err(MunicipalityParseError::Format { .. })
            ),
            "{bad:?}"
        );
    }
    for bad in ["00761000", "17000000", "99000000"] {
        assert!(
            matches!(
                bad.parse::<Municipality>(),
                Err(MunicipalityParseError::UnknownState { .. })
            ),
            "{bad:?}"
        );
    }
    assert!(serde_json::from_str::<Municipality>("\"0976100\"").is_err());
    assert_eq!(
        serde_json::to_string(&ags("09761000")).ok().as_deref(),
        Some("\"09761000\"")
    );
}

#[test]
fn explain_de_golden_names_the_municipality_and_the_local_holiday() {
    let due = compute(
        date("2025-07-25"),
        Period::Days(14),
        at(State::Bayern, "09761000"),
    );
    let expected = "\
Fristbeginn: Ereignis am Freitag, 25. Juli 2025
Dauer: 14 Tage
Feiertagsregelung: Bayern, Gemeinde 09761000 (örtliche Feiertage: Augsburger Hohes Friedensfest; § 193 BGB: Feiertage am Sitz der Behörde). Örtlicher Feiertag Mariä Himmelfahrt (Schwaben) ist für diese Gemeinde nicht in der mitgelieferten Liste; bitte selbst prüfen.
Berechnung:
  1. Der Tag des Ereignisses (Freitag, 25. Juli 2025) wird nicht mitgerechnet; die Frist beginnt am Folgetag. [§ 187 Abs. 1 BGB]
  2. Eine Frist von 14 Tagen endet mit Ablauf des letzten Tages: Freitag, 8. August 2025. [§ 188 Abs. 1 BGB]
  3. Das rechnerische Fristende (Freitag, 8. August 2025) fällt auf einen gesetzlichen Feiertag (Augsburger Hohes Friedensfest, örtlicher Feiertag); die Frist endet daher mit Ablauf des nächsten Werktags: Montag, 11. August 2025. [§ 193 BGB, § 31 Abs. 3 VwVfG]
Übersprungene Tage:
  - Freitag, 8. August 2025: gesetzlicher Feiertag (Augsburger Hohes Friedensfest, örtlicher Feiertag)
  - Samstag, 9. August 2025: Wochenende
  - Sonntag, 10. August 2025: Wochenende
Fristende: Montag, 11. August 2025";
    assert_eq!(explain_de(&due), expected);
}
