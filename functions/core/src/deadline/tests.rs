//! Unit tests for holidays, parsing, serde, explanation, warning/escalation and Berlin time.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};

use super::*;

fn date(s: &str) -> NaiveDate {
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => d,
        Err(e) => panic!("bad date {s:?}: {e}"),
    }
}

fn instant(s: &str) -> DateTime<Utc> {
    match DateTime::parse_from_rfc3339(s) {
        Ok(t) => t.with_timezone(&Utc),
        Err(e) => panic!("bad instant {s:?}: {e}"),
    }
}

fn state(code: &str) -> State {
    match code.parse() {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

// ---------- Easter and holidays ----------

#[test]
fn easter_dates() {
    let expected = [
        (2024, "2024-03-31"),
        (2025, "2025-04-20"),
        (2026, "2026-04-05"),
        (2027, "2027-03-28"),
        (2028, "2028-04-16"),
        (2029, "2029-04-01"),
        (2030, "2030-04-21"),
        // Extremes of the Gregorian range of Easter: earliest 22 March, latest 25 April.
        (1818, "1818-03-22"),
        (2285, "2285-03-22"),
        (1943, "1943-04-25"),
        (2038, "2038-04-25"),
    ];
    for (year, easter) in expected {
        assert_eq!(easter_sunday(year), Some(date(easter)), "{year}");
    }
}

#[test]
fn easter_is_always_a_sunday_between_22_march_and_25_april() {
    for year in 1583..=4099 {
        let Some(e) = easter_sunday(year) else {
            panic!("no Easter for {year}");
        };
        assert_eq!(e.weekday(), chrono::Weekday::Sun, "{year}");
        assert!(
            (date("2000-03-22").with_year(year)..=date("2000-04-25").with_year(year))
                .contains(&Some(e))
        );
    }
}

#[test]
fn holiday_counts_2026() {
    let expected = [
        ("BW", 12),
        ("BY", 12),
        ("BE", 10),
        ("BB", 10),
        ("HB", 10),
        ("HH", 10),
        ("HE", 10),
        ("MV", 11),
        ("NI", 10),
        ("NW", 11),
        ("RP", 11),
        ("SL", 12),
        ("SN", 11),
        ("ST", 11),
        ("SH", 10),
        ("TH", 11),
    ];
    for (code, count) in expected {
        let days = holidays_in_year(state(code), 2026);
        assert_eq!(days.len(), count, "{code}: {days:?}");
    }
}

#[test]
fn holidays_mv_2026_in_full() {
    let got: Vec<(String, &str)> = holidays_in_year(State::MecklenburgVorpommern, 2026)
        .into_iter()
        .map(|(d, n)| (d.to_string(), n))
        .collect();
    let expected = [
        ("2026-01-01", "Neujahr"),
        ("2026-03-08", "Internationaler Frauentag"),
        ("2026-04-03", "Karfreitag"),
        ("2026-04-06", "Ostermontag"),
        ("2026-05-01", "Tag der Arbeit"),
        ("2026-05-14", "Christi Himmelfahrt"),
        ("2026-05-25", "Pfingstmontag"),
        ("2026-10-03", "Tag der Deutschen Einheit"),
        ("2026-10-31", "Reformationstag"),
        ("2026-12-25", "1. Weihnachtstag"),
        ("2026-12-26", "2. Weihnachtstag"),
    ];
    let expected: Vec<(String, &str)> = expected.iter().map(|(d, n)| (d.to_string(), *n)).collect();
    assert_eq!(got, expected);
}

#[test]
fn state_specific_holiday_names_and_years() {
    let cases = [
        ("SN", "2023-11-22", Some("Buß- und Bettag")),
        ("SN", "2024-11-20", Some("Buß- und Bettag")),
        ("SN", "2027-11-17", Some("Buß- und Bettag")),
        ("SN", "2022-11-16", Some("Buß- und Bettag")),
        ("MV", "2024-11-20", None),
        ("BY", "1994-11-16", Some("Buß- und Bettag")),
        ("BY", "1995-11-22", None),
        ("BE", "2020-05-08", Some("Tag der Befreiung")),
        ("BE", "2021-05-07", None),
        // One-off: 75 years after the uprising of 17 June 1953 (a Saturday in 2028).
        (
            "BE",
            "2028-06-17",
            Some("75. Jahrestag des Aufstandes vom 17. Juni 1953"),
        ),
        ("BE", "2027-06-17", None),
        ("BB", "2028-06-17", None),
        ("BB", "2020-05-08", None),
        ("ST", "2026-01-06", Some("Heilige Drei Könige")),
        ("TH", "2026-01-06", None),
        ("SL", "2026-08-15", Some("Mariä Himmelfahrt")),
        ("TH", "2026-09-20", Some("Weltkindertag")),
        ("SH", "2017-10-31", Some("Reformationstag")),
        ("NW", "2017-10-31", Some("Reformationstag")),
        ("NW", "2018-10-31", None),
        ("SH", "2018-10-31", Some("Reformationstag")),
        ("RP", "2026-06-04", Some("Fronleichnam")),
        ("TH", "2026-06-04", None),
        ("HE", "2026-11-01", None),
        ("RP", "2026-11-01", Some("Allerheiligen")),
        ("MV", "2026-12-24", None),
        ("MV", "2026-12-31", None),
        ("MV", "1989-10-03", None),
    ];
    for (code, day, name) in cases {
        assert_eq!(public_holiday(state(code), date(day)), name, "{code} {day}");
    }
}

#[test]
fn working_days() {
    let mv = State::MecklenburgVorpommern;
    assert!(is_working_day(mv, date("2026-03-02")));
    assert!(!is_working_day(mv, date("2026-02-28")));
    assert!(!is_working_day(mv, date("2026-03-01")));
    assert!(!is_working_day(mv, date("2026-04-03")));
    assert!(is_working_day(State::Bayern, date("2025-10-31")));
    assert!(!is_working_day(mv, date("2025-10-31")));
}

// ---------- State ----------

#[test]
fn state_codes_round_trip() {
    for s in State::ALL {
        assert_eq!(s.to_string().parse::<State>(), Ok(s));
        assert_eq!(s.code().to_lowercase().parse::<State>(), Ok(s));
        let json = serde_json::to_string(&s).unwrap_or_default();
        assert_eq!(json, format!("\"{}\"", s.code()));
        assert_eq!(serde_json::from_str::<State>(&json).ok(), Some(s));
    }
    assert_eq!(State::default(), State::MecklenburgVorpommern);
    assert_eq!(State::default().name_de(), "Mecklenburg-Vorpommern");
    assert_eq!(State::Thueringen.name_de(), "Thüringen");
    let codes: Vec<&str> = State::ALL.iter().map(|s| s.code()).collect();
    assert_eq!(
        codes.join(","),
        "BW,BY,BE,BB,HB,HH,HE,MV,NI,NW,RP,SL,SN,ST,SH,TH"
    );
}

#[test]
fn state_rejects_unknown_codes() {
    for bad in ["", "XX", "MVV", " MV", "Mecklenburg-Vorpommern", "DE-MV"] {
        assert_eq!(
            bad.parse::<State>(),
            Err(StateParseError {
                input: bad.to_owned()
            })
        );
    }
    assert!(serde_json::from_str::<State>("\"XX\"").is_err());
}

// ---------- Period ----------

#[test]
fn period_parse_and_display_round_trip() {
    let cases = [
        ("10WD", Period::WorkingDays(10)),
        ("14D", Period::Days(14)),
        ("2W", Period::Weeks(2)),
        ("3M", Period::Months(3)),
        ("1M", Period::Months(1)),
        ("100000D", Period::Days(100_000)),
    ];
    for (text, period) in cases {
        assert_eq!(text.parse::<Period>(), Ok(period));
        assert_eq!(period.to_string(), text);
        let json = serde_json::to_string(&period).unwrap_or_default();
        assert_eq!(json, format!("\"{text}\""));
        assert_eq!(serde_json::from_str::<Period>(&json).ok(), Some(period));
    }
    // Case-insensitive and tolerant of leading zeros; display is canonical.
    assert_eq!("10wd".parse::<Period>(), Ok(Period::WorkingDays(10)));
    assert_eq!("10wD".parse::<Period>(), Ok(Period::WorkingDays(10)));
    assert_eq!("14d".parse::<Period>(), Ok(Period::Days(14)));
    assert_eq!("2w".parse::<Period>(), Ok(Period::Weeks(2)));
    assert_eq!("3m".parse::<Period>(), Ok(Period::Months(3)));
    assert_eq!(
        "007D".parse::<Period>().map(|p| p.to_string()),
        Ok("7D".to_owned())
    );
}

#[test]
fn period_rejections() {
    use PeriodParseError::*;
    let s = |x: &str| x.to_owned();
    let cases = [
        ("", Empty),
        ("D", MissingNumber { input: s("D") }),
        ("WD", MissingNumber { input: s("WD") }),
        ("-1D", MissingNumber { input: s("-1D") }),
        ("+1D", MissingNumber { input: s("+1D") }),
        (" 1D", MissingNumber { input: s(" 1D") }),
        ("10", MissingUnit { input: s("10") }),
        (
            "10X",
            UnknownUnit {
                input: s("10X"),
                unit: s("X"),
            },
        ),
        (
            "10 D",
            UnknownUnit {
                input: s("10 D"),
                unit: s(" D"),
            },
        ),
        (
            "10D ",
            UnknownUnit {
                input: s("10D "),
                unit: s("D "),
            },
        ),
        (
            "10DD",
            UnknownUnit {
                input: s("10DD"),
                unit: s("DD"),
            },
        ),
        (
            "1.5M",
            UnknownUnit {
                input: s("1.5M"),
                unit: s(".5M"),
            },
        ),
        (
            "3Monate",
            UnknownUnit {
                input: s("3Monate"),
                unit: s("Monate"),
            },
        ),
        ("0D", Zero { input: s("0D") }),
        ("000WD", Zero { input: s("000WD") }),
        (
            "4294967296D",
            Overflow {
                input: s("4294967296D"),
            },
        ),
        (
            "99999999999999999999M",
            Overflow {
                input: s("99999999999999999999M"),
            },
        ),
        (
            "100001D",
            TooLarge {
                input: s("100001D"),
                max: Period::MAX_VALUE,
            },
        ),
        (
            "4294967295W",
            TooLarge {
                input: s("4294967295W"),
                max: Period::MAX_VALUE,
            },
        ),
    ];
    for (text, err) in cases {
        assert_eq!(text.parse::<Period>(), Err(err), "{text:?}");
    }
    assert!(serde_json::from_str::<Period>("\"0D\"").is_err());
    assert!(serde_json::from_str::<Period>("14").is_err());
}

#[test]
fn period_describe_de() {
    assert_eq!(Period::Months(3).describe_de(), "3 Monate");
    assert_eq!(Period::Months(1).describe_de(), "1 Monat");
    assert_eq!(Period::WorkingDays(10).describe_de(), "10 Arbeitstage");
    assert_eq!(Period::WorkingDays(1).describe_de(), "1 Arbeitstag");
    assert_eq!(Period::Days(14).describe_de(), "14 Tage");
    assert_eq!(Period::Days(1).describe_de(), "1 Tag");
    assert_eq!(Period::Weeks(2).describe_de(), "2 Wochen");
    assert_eq!(Period::Weeks(1).describe_de(), "1 Woche");
}

// ---------- Suspension ----------

#[test]
fn suspension_validates_order() {
    assert_eq!(
        Suspension::new(date("2026-03-20"), date("2026-03-10")),
        Err(DeadlineError::SuspensionEndsBeforeStart {
            from: date("2026-03-20"),
            to: date("2026-03-10"),
        })
    );
    assert!(Suspension::new(date("2026-03-10"), date("2026-03-10")).is_ok());
    assert!(
        serde_json::from_str::<Suspension>(r#"{"from":"2026-03-20","to":"2026-03-10"}"#).is_err()
    );
    let ok = serde_json::from_str::<Suspension>(r#"{"from":"2026-03-10","to":"2026-03-20"}"#);
    // Both end days count (§ 209 BGB analog, docs/ARCHITECTURE.md): 10.–20.03. is 11 days.
    assert_eq!(ok.map(|s| s.days()).ok(), Some(11));
}

// ---------- Steps and explanation ----------

#[test]
fn steps_record_each_rule() {
    let due = compute(
        date("2026-01-31"),
        Period::Months(1),
        State::MecklenburgVorpommern,
    );
    assert_eq!(
        due.steps,
        vec![
            Step::StartDayNotCounted {
                start: date("2026-01-31"),
                basis: LegalBasis::Bgb187Abs1
            },
            Step::ShortMonth {
                months: 1,
                missing_day: 31,
                end: date("2026-02-28"),
                basis: LegalBasis::Bgb188Abs3
            },
            Step::RolledToWorkingDay {
                from: date("2026-02-28"),
                to: date("2026-03-02"),
                basis: LegalBasis::Bgb193VwVfG31Abs3
            },
        ]
    );
    assert_eq!(
        due.skipped,
        vec![
            SkippedDay {
                date: date("2026-02-28"),
                reason: SkipReason::Saturday
            },
            SkippedDay {
                date: date("2026-03-01"),
                reason: SkipReason::Sunday
            },
        ]
    );
    assert_eq!(due.unrolled_end, date("2026-02-28"));
    assert_eq!(due.suspended_days, 0);
}

#[test]
fn holiday_on_weekend_is_reported_as_holiday() {
    // 31.10.2026 Reformationstag falls on a Saturday.
    let due = compute(
        date("2026-10-30"),
        Period::Days(1),
        State::MecklenburgVorpommern,
    );
    assert_eq!(due.due, date("2026-11-02"));
    assert_eq!(
        due.skipped[0].reason,
        SkipReason::Holiday("Reformationstag".to_owned())
    );
}

#[test]
fn explain_de_golden() {
    let due = compute(
        date("2026-01-31"),
        Period::Months(1),
        State::MecklenburgVorpommern,
    );
    let expected = "\
Fristbeginn: Ereignis am Samstag, 31. Januar 2026
Dauer: 1 Monat
Feiertagsregelung: Mecklenburg-Vorpommern
Berechnung:
  1. Der Tag des Ereignisses (Samstag, 31. Januar 2026) wird nicht mitgerechnet; die Frist beginnt am Folgetag. [§ 187 Abs. 1 BGB]
  2. Eine Frist von 1 Monat endet am Tag mit derselben Zahl; der Februar 2026 hat keinen 31. Tag, daher endet sie am letzten Tag des Monats: Samstag, 28. Februar 2026. [§ 188 Abs. 3 BGB]
  3. Das rechnerische Fristende (Samstag, 28. Februar 2026) fällt auf einen Samstag; die Frist endet daher mit Ablauf des nächsten Werktags: Montag, 2. März 2026. [§ 193 BGB, § 31 Abs. 3 VwVfG]
Übersprungene Tage:
  - Samstag, 28. Februar 2026: Wochenende
  - Sonntag, 1. März 2026: Wochenende
Fristende: Montag, 2. März 2026";
    assert_eq!(explain_de(&due), expected);
}

#[test]
fn explain_de_golden_with_suspension_and_holiday() {
    let Ok(hemmung) = Suspension::new(date("2026-03-10"), date("2026-03-20")) else {
        panic!("valid suspension rejected");
    };
    let result = compute_with_suspensions(
        date("2026-03-13"),
        Period::Days(14),
        State::MecklenburgVorpommern,
        &[hemmung],
    );
    let Ok(due) = result else {
        panic!("{result:?}");
    };
    // 13.03. + 14D = 27.03.; the Hemmung counts only after the start day, 14.03.–20.03. with
    // both end days = 7 days → 03.04. Karfreitag
    // → Sat, Easter Sunday, Ostermontag → Tuesday 07.04.2026.
    let expected = "\
Fristbeginn: Ereignis am Freitag, 13. März 2026
Dauer: 14 Tage
Feiertagsregelung: Mecklenburg-Vorpommern
Berechnung:
  1. Der Tag des Ereignisses (Freitag, 13. März 2026) wird nicht mitgerechnet; die Frist beginnt am Folgetag. [§ 187 Abs. 1 BGB]
  2. Eine Frist von 14 Tagen endet mit Ablauf des letzten Tages: Freitag, 27. März 2026. [§ 188 Abs. 1 BGB]
  3. Hemmung vom Dienstag, 10. März 2026 bis Freitag, 20. März 2026 (Anfangs- und Endtag zählen voll): 7 Tage innerhalb der laufenden Frist werden nicht eingerechnet und angehängt; neues Fristende Freitag, 3. April 2026. [§ 209 BGB analog]
  4. Das rechnerische Fristende (Freitag, 3. April 2026) fällt auf einen gesetzlichen Feiertag (Karfreitag); die Frist endet daher mit Ablauf des nächsten Werktags: Dienstag, 7. April 2026. [§ 193 BGB, § 31 Abs. 3 VwVfG]
Übersprungene Tage:
  - Freitag, 3. April 2026: gesetzlicher Feiertag (Karfreitag)
  - Samstag, 4. April 2026: Wochenende
  - Sonntag, 5. April 2026: Wochenende
  - Montag, 6. April 2026: gesetzlicher Feiertag (Ostermontag)
Fristende: Dienstag, 7. April 2026";
    assert_eq!(explain_de(&due), expected);
}

#[test]
fn german_names() {
    assert_eq!(format_date_de(date("2026-03-02")), "Montag, 2. März 2026");
    assert_eq!(format_date_short_de(date("2026-03-02")), "02.03.2026");
    assert_eq!(weekday_de(chrono::Weekday::Sun), "Sonntag");
    assert_eq!(month_de(12), "Dezember");
    assert_eq!(month_de(13), "");
}

#[test]
fn due_date_serde_round_trip_and_schema() {
    let due = compute(date("2026-03-30"), Period::WorkingDays(5), State::Bayern);
    let json = serde_json::to_value(&due).unwrap_or_default();
    assert_eq!(json["period"], "5WD");
    assert_eq!(json["state"], "BY");
    assert_eq!(json["steps"][0]["rule"], "start_day_not_counted");
    assert_eq!(json["steps"][0]["basis"], "§ 187 Abs. 1 BGB");
    assert_eq!(json["skipped"][0]["reason"]["kind"], "holiday");
    assert_eq!(json["skipped"][0]["reason"]["name"], "Karfreitag");
    assert_eq!(serde_json::from_value::<DueDate>(json).ok(), Some(due));
    let schema = serde_json::to_value(schemars::schema_for!(DueDate)).unwrap_or_default();
    assert_eq!(schema["title"], "DueDate");
    assert!(schema.to_string().contains("\"MV\""));
}

// ---------- Warning and escalation ----------

#[test]
fn warning_dates() {
    let mv = State::MecklenburgVorpommern;
    // 3 working days before Tue 07.04.2026: Thu 02.04., Wed 01.04., Tue 31.03. (Easter skipped).
    assert_eq!(
        warning_date(date("2026-04-07"), Period::WorkingDays(3), mv),
        date("2026-03-31")
    );
    assert_eq!(
        warning_date(date("2026-03-02"), Period::Days(3), mv),
        date("2026-02-27")
    );
    assert_eq!(
        warning_date(date("2026-03-02"), Period::Weeks(1), mv),
        date("2026-02-23")
    );
    // 31.05. minus 3 months → no 31.02. → 28.02.2026.
    assert_eq!(
        warning_date(date("2026-05-31"), Period::Months(3), mv),
        date("2026-02-28")
    );
    assert_eq!(
        warning_date(date("2026-03-02"), Period::Days(0), mv),
        date("2026-03-02")
    );
    assert_eq!(
        try_warning_date(NaiveDate::MIN, Period::Days(1), mv),
        Err(DeadlineError::OutOfRange)
    );
}

#[test]
fn escalation_dates() {
    let mv = State::MecklenburgVorpommern;
    // Due Thu 02.04.2026 + 1WD: Karfreitag, weekend, Ostermontag skipped → Tue 07.04.2026.
    assert_eq!(
        escalation_date(date("2026-04-02"), Period::WorkingDays(1), mv),
        date("2026-04-07")
    );
    // Due Fri 27.02.2026 + 1D → Saturday → Monday 02.03.2026.
    assert_eq!(
        escalation_date(date("2026-02-27"), Period::Days(1), mv),
        date("2026-03-02")
    );
    assert_eq!(
        try_escalation_date(NaiveDate::MAX, Period::Days(1), mv),
        Err(DeadlineError::OutOfRange)
    );
    assert_eq!(
        try_compute(date("2026-01-01"), Period::Months(u32::MAX), mv).map(|d| d.due),
        Err(DeadlineError::OutOfRange)
    );
}

// ---------- Berlin time ----------

#[test]
fn berlin_midnight_across_dst_switches() {
    let cases = [
        ("2026-01-15", "2026-01-14T23:00:00Z"),
        // Switch to CEST on Sunday 29.03.2026 at 01:00 UTC: its midnight is still CET.
        ("2026-03-28", "2026-03-27T23:00:00Z"),
        ("2026-03-29", "2026-03-28T23:00:00Z"),
        ("2026-03-30", "2026-03-29T22:00:00Z"),
        ("2026-07-01", "2026-06-30T22:00:00Z"),
        // Back to CET on Sunday 25.10.2026 at 01:00 UTC: its midnight is still CEST.
        ("2026-10-25", "2026-10-24T22:00:00Z"),
        ("2026-10-26", "2026-10-25T23:00:00Z"),
        ("2027-01-01", "2026-12-31T23:00:00Z"),
        ("2027-03-28", "2027-03-27T23:00:00Z"),
        ("2027-03-29", "2027-03-28T22:00:00Z"),
        ("2027-10-31", "2027-10-30T22:00:00Z"),
        ("2027-11-01", "2027-10-31T23:00:00Z"),
    ];
    for (day, utc) in cases {
        assert_eq!(berlin_midnight_utc(date(day)), instant(utc), "{day}");
    }
}

#[test]
fn berlin_date_across_dst_switches() {
    let cases = [
        ("2026-03-28T22:59:59Z", "2026-03-28"),
        ("2026-03-28T23:00:00Z", "2026-03-29"),
        ("2026-03-29T00:59:59Z", "2026-03-29"),
        ("2026-03-29T01:00:00Z", "2026-03-29"),
        ("2026-03-29T21:59:59Z", "2026-03-29"),
        ("2026-03-29T22:00:00Z", "2026-03-30"),
        ("2026-06-30T21:59:59Z", "2026-06-30"),
        ("2026-06-30T22:00:00Z", "2026-07-01"),
        ("2026-10-24T21:59:59Z", "2026-10-24"),
        ("2026-10-24T22:00:00Z", "2026-10-25"),
        ("2026-10-25T00:59:59Z", "2026-10-25"),
        ("2026-10-25T01:00:00Z", "2026-10-25"),
        ("2026-10-25T22:59:59Z", "2026-10-25"),
        ("2026-10-25T23:00:00Z", "2026-10-26"),
        ("2026-12-31T23:00:00Z", "2027-01-01"),
    ];
    for (utc, day) in cases {
        assert_eq!(berlin_date(instant(utc)), date(day), "{utc}");
    }
    assert_eq!(berlin_offset_at_instant(instant("2026-03-29T00:59:59Z")), 1);
    assert_eq!(berlin_offset_at_instant(instant("2026-03-29T01:00:00Z")), 2);
    assert_eq!(berlin_offset_at_instant(instant("2026-10-25T00:59:59Z")), 2);
    assert_eq!(berlin_offset_at_instant(instant("2026-10-25T01:00:00Z")), 1);
}

#[test]
fn berlin_midnight_and_date_agree_every_day() {
    let mut day = date("2024-01-01");
    while day <= date("2030-12-31") {
        let midnight = berlin_midnight_utc(day);
        assert_eq!(berlin_date(midnight), day, "{day}");
        assert_eq!(
            berlin_date(midnight - TimeDelta::seconds(1)),
            day - TimeDelta::days(1),
            "{day}"
        );
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
}

#[test]
fn berlin_time_does_not_panic_at_calendar_edges() {
    let _ = berlin_midnight_utc(NaiveDate::MIN);
    let _ = berlin_midnight_utc(NaiveDate::MAX);
    let _ = berlin_date(DateTime::<Utc>::MIN_UTC);
    let _ = berlin_date(DateTime::<Utc>::MAX_UTC);
}
