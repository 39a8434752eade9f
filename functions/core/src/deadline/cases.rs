//! Hand-verified table of deadline cases (each expected date checked against a calendar).

use chrono::NaiveDate;

use super::{DeadlineError, Period, State, Suspension, compute, compute_with_suspensions};

struct Case {
    start: &'static str,
    period: &'static str,
    state: &'static str,
    due: &'static str,
}

const fn c(
    start: &'static str,
    period: &'static str,
    state: &'static str,
    due: &'static str,
) -> Case {
    Case {
        start,
        period,
        state,
        due,
    }
}

#[rustfmt::skip]
const CASES: &[Case] = &[
    // --- months, month ends, short months, leap years ---
    // 31.01.2026 + 1M: Feb has no 31st → 28.02.2026 (§188 III), Saturday → Monday 02.03.2026 (§193).
    c("2026-01-31", "1M", "MV", "2026-03-02"),
    // 31.01.2028 + 1M: leap year, Feb has no 31st → last day 29.02.2028 (§188 III), a Tuesday.
    c("2028-01-31", "1M", "MV", "2028-02-29"),
    // 31.01.2024 + 1M: leap year → 29.02.2024 (§188 III), Thursday.
    c("2024-01-31", "1M", "MV", "2024-02-29"),
    // 31.01.2100 + 1M: 2100 is no leap year (century rule) → 28.02.2100 Sunday → Monday 01.03.2100.
    c("2100-01-31", "1M", "MV", "2100-03-01"),
    // 31.01.2000 + 1M: 2000 is a leap year (400 rule) → 29.02.2000 (§188 III), Tuesday.
    c("2000-01-31", "1M", "MV", "2000-02-29"),
    // 28.01.2028 + 1M: day 28 exists → 28.02.2028 (§188 II), not the month's last day; Monday.
    c("2028-01-28", "1M", "MV", "2028-02-28"),
    // 15.01.2026 + 1M → 15.02.2026 (§188 II) Sunday → Monday 16.02.2026 (§193).
    c("2026-01-15", "1M", "MV", "2026-02-16"),
    // 31.03.2026 + 1M: April has no 31st → 30.04.2026 (§188 III), Thursday.
    c("2026-03-31", "1M", "MV", "2026-04-30"),
    // 30.04.2026 + 1M → 30.05.2026 (§188 II, not the 31st) Saturday → Sunday → Monday 01.06.2026.
    c("2026-04-30", "1M", "MV", "2026-06-01"),
    // 31.05.2026 + 1M: June has no 31st → 30.06.2026 (§188 III), Tuesday.
    c("2026-05-31", "1M", "MV", "2026-06-30"),
    // 31.08.2026 + 1M → 30.09.2026 (§188 III), Wednesday.
    c("2026-08-31", "1M", "MV", "2026-09-30"),
    // 30.11.2027 + 3M → Feb 2028 has no 30th → 29.02.2028 (§188 III, leap year), Tuesday.
    c("2027-11-30", "3M", "MV", "2028-02-29"),
    // 30.11.2026 + 3M → no 30.02.2027 → 28.02.2027 (§188 III) Sunday → Monday 01.03.2027 (§193).
    c("2026-11-30", "3M", "MV", "2027-03-01"),
    // 29.02.2028 + 12M: 2029 has no 29 Feb → 28.02.2029 (§188 III), Wednesday.
    c("2028-02-29", "12M", "MV", "2029-02-28"),
    // 29.02.2028 + 1M → 29.03.2028 (§188 II), Wednesday.
    c("2028-02-29", "1M", "MV", "2028-03-29"),
    // 31.12.2025 + 2M → no 31.02.2026 → 28.02.2026 (§188 III) Saturday → Monday 02.03.2026.
    c("2025-12-31", "2M", "MV", "2026-03-02"),
    // 29.02.2024 + 1M → 29.03.2024 = Karfreitag → Sat, Easter Sunday, Ostermontag 01.04. → Tuesday 02.04.2024.
    c("2024-02-29", "1M", "MV", "2024-04-02"),

    // --- days and weeks, weekends ---
    // 16.02.2026 (Mon) + 14D → 02.03.2026 (§188 I), Monday.
    c("2026-02-16", "14D", "MV", "2026-03-02"),
    // 20.02.2026 (Fri) + 1D → Saturday 21.02. → Sunday → Monday 23.02.2026 (§193).
    c("2026-02-20", "1D", "MV", "2026-02-23"),
    // 28.02.2028 + 1D → 29.02.2028 (leap day counts), Tuesday.
    c("2028-02-28", "1D", "MV", "2028-02-29"),
    // 20.02.2028 + 10D → across the leap day → 01.03.2028, Wednesday.
    c("2028-02-20", "10D", "MV", "2028-03-01"),
    // 05.03.2026 (Thu) + 2W → Thursday 19.03.2026 (§188 II, same weekday).
    c("2026-03-05", "2W", "MV", "2026-03-19"),
    // 02.02.2026 (Mon) + 4W → Monday 02.03.2026 (§188 II).
    c("2026-02-02", "4W", "MV", "2026-03-02"),

    // --- Easter-dependent holidays in several years ---
    // 20.03.2026 + 14D → 03.04.2026 Karfreitag → Sat, Easter Sun, Ostermontag 06.04. → Tuesday 07.04.2026.
    c("2026-03-20", "14D", "MV", "2026-04-07"),
    // 04.04.2025 + 14D → 18.04.2025 Karfreitag → … Ostermontag 21.04. → Tuesday 22.04.2025.
    c("2025-04-04", "14D", "MV", "2025-04-22"),
    // 15.03.2024 + 14D → 29.03.2024 Karfreitag → … Ostermontag 01.04. → Tuesday 02.04.2024.
    c("2024-03-15", "14D", "MV", "2024-04-02"),
    // 12.03.2027 + 2W → 26.03.2027 Karfreitag (Easter 28.03.) → Ostermontag 29.03. → Tuesday 30.03.2027.
    c("2027-03-12", "2W", "BY", "2027-03-30"),
    // 16.03.2029 + 2W → 30.03.2029 Karfreitag (Easter 01.04.) → Ostermontag 02.04. → Tuesday 03.04.2029.
    c("2029-03-16", "2W", "NI", "2029-04-03"),
    // 10.04.2028 + 1W → 17.04.2028 Ostermontag (Easter 16.04.) → Tuesday 18.04.2028.
    c("2028-04-10", "1W", "HH", "2028-04-18"),
    // 30.04.2026 + 14D → 14.05.2026 Christi Himmelfahrt (Easter + 39) → Friday 15.05.2026.
    c("2026-04-30", "14D", "MV", "2026-05-15"),
    // 16.05.2030 + 2W → 30.05.2030 Christi Himmelfahrt (Easter 21.04. + 39) → Friday 31.05.2030.
    c("2030-05-16", "2W", "BE", "2030-05-31"),
    // 10.05.2027 + 1W → 17.05.2027 Pfingstmontag (Easter 28.03. + 50) → Tuesday 18.05.2027.
    c("2027-05-10", "1W", "MV", "2027-05-18"),
    // 29.05.2028 + 1W → 05.06.2028 Pfingstmontag (Easter 16.04. + 50) → Tuesday 06.06.2028.
    c("2028-05-29", "1W", "SH", "2028-06-06"),

    // --- fixed nationwide holidays ---
    // 24.04.2026 + 1W → 01.05.2026 Tag der Arbeit (Friday) → Sat, Sun → Monday 04.05.2026.
    c("2026-04-24", "1W", "MV", "2026-05-04"),
    // 26.09.2025 + 1W → 03.10.2025 Tag der Deutschen Einheit (Friday) → Monday 06.10.2025.
    c("2025-09-26", "1W", "HE", "2025-10-06"),

    // --- state-specific holidays ---
    // 17.10.2025 + 2W → 31.10.2025 Reformationstag in MV (Friday) → Monday 03.11.2025.
    c("2025-10-17", "2W", "MV", "2025-11-03"),
    // Same in BY: no Reformationstag → Friday 31.10.2025 stands.
    c("2025-10-17", "2W", "BY", "2025-10-31"),
    // 30.10.2024 + 1D → 31.10.2024 Reformationstag MV (Thu) → Friday 01.11.2024 (no Allerheiligen in MV).
    c("2024-10-30", "1D", "MV", "2024-11-01"),
    // 31.10.2024 + 1D in NW → 01.11.2024 Allerheiligen (Fri) → Sat, Sun → Monday 04.11.2024.
    c("2024-10-31", "1D", "NW", "2024-11-04"),
    // 29.10.2027 (Fri) + 3D in NW → 01.11.2027 Allerheiligen (Mon) → Tuesday 02.11.2027.
    c("2027-10-29", "3D", "NW", "2027-11-02"),
    // Same in MV: 01.11.2027 is an ordinary Monday.
    c("2027-10-29", "3D", "MV", "2027-11-01"),
    // 30.10.2017 + 1D in BY → 31.10.2017 Reformationstag (one-off in all states) → 01.11. Allerheiligen → Thursday 02.11.2017.
    c("2017-10-30", "1D", "BY", "2017-11-02"),
    // 30.10.2016 + 1D in NI → 31.10.2016 Monday; NI has Reformationstag only since 2018.
    c("2016-10-30", "1D", "NI", "2016-10-31"),
    // 30.10.2018 + 1D in NI → 31.10.2018 Reformationstag (new in NI from 2018) → Thursday 01.11.2018.
    c("2018-10-30", "1D", "NI", "2018-11-01"),
    // 30.10.2019 + 1D in HH → 31.10.2019 Reformationstag (HH from 2018) → Friday 01.11.2019.
    c("2019-10-30", "1D", "HH", "2019-11-01"),
    // 07.03.2019 + 1D in BE → 08.03.2019 Frauentag (BE from 2019, Friday) → Monday 11.03.2019.
    c("2019-03-07", "1D", "BE", "2019-03-11"),
    // 07.03.2018 + 1D in BE → 08.03.2018 Thursday; Frauentag not yet a holiday in 2018.
    c("2018-03-07", "1D", "BE", "2018-03-08"),
    // 07.03.2023 + 1D in MV → 08.03.2023 Frauentag (MV from 2023, Wednesday) → Thursday 09.03.2023.
    c("2023-03-07", "1D", "MV", "2023-03-09"),
    // 07.03.2022 + 1D in MV → 08.03.2022 Tuesday; Frauentag in MV only from 2023.
    c("2022-03-07", "1D", "MV", "2022-03-08"),
    // 01.03.2024 + 1W in MV → 08.03.2024 Frauentag (Friday) → Monday 11.03.2024.
    c("2024-03-01", "1W", "MV", "2024-03-11"),
    // Same in BY: no Frauentag → Friday 08.03.2024.
    c("2024-03-01", "1W", "BY", "2024-03-08"),
    // 21.05.2026 + 2W in BY → 04.06.2026 Fronleichnam (Easter 05.04. + 60, Thursday) → Friday 05.06.2026.
    c("2026-05-21", "2W", "BY", "2026-06-05"),
    // Same in MV: Fronleichnam is no holiday there → Thursday 04.06.2026.
    c("2026-05-21", "2W", "MV", "2026-06-04"),
    // 26.05.2027 + 1D in HE → 27.05.2027 Fronleichnam (Easter 28.03. + 60) → Friday 28.05.2027.
    c("2027-05-26", "1D", "HE", "2027-05-28"),
    // Same in SN: Fronleichnam only in some municipalities, not statewide → Thursday 27.05.2027.
    c("2027-05-26", "1D", "SN", "2027-05-27"),
    // 11.11.2026 + 1W in SN → 18.11.2026 Buß- und Bettag (Wednesday before 23.11.) → Thursday 19.11.2026.
    c("2026-11-11", "1W", "SN", "2026-11-19"),
    // Same in MV: no Buß- und Bettag → Wednesday 18.11.2026.
    c("2026-11-11", "1W", "MV", "2026-11-18"),
    // 18.11.2025 + 1D in SN → 19.11.2025 Buß- und Bettag → Thursday 20.11.2025.
    c("2025-11-18", "1D", "SN", "2025-11-20"),
    // 23.12.2025 + 14D in BW → 06.01.2026 Heilige Drei Könige (Tue) → Wednesday 07.01.2026.
    c("2025-12-23", "14D", "BW", "2026-01-07"),
    // Same in MV: 06.01.2026 is an ordinary Tuesday.
    c("2025-12-23", "14D", "MV", "2026-01-06"),
    // 13.09.2019 + 1W in TH → 20.09.2019 Weltkindertag (TH from 2019, Friday) → Monday 23.09.2019.
    c("2019-09-13", "1W", "TH", "2019-09-23"),
    // 13.09.2018 + 1W in TH → 20.09.2018 Thursday; Weltkindertag not yet a holiday.
    c("2018-09-13", "1W", "TH", "2018-09-20"),
    // 08.08.2025 + 1W in SL → 15.08.2025 Mariä Himmelfahrt (statewide in SL, Friday) → Monday 18.08.2025.
    c("2025-08-08", "1W", "SL", "2025-08-18"),
    // Same in BY: Mariä Himmelfahrt only in Catholic municipalities → Friday 15.08.2025.
    c("2025-08-08", "1W", "BY", "2025-08-15"),
    // 01.05.2025 + 1W in BE → 08.05.2025 Tag der Befreiung (one-off 2025) → Friday 09.05.2025.
    c("2025-05-01", "1W", "BE", "2025-05-09"),
    // 01.05.2026 + 1W in BE → 08.05.2026 Friday; no Tag der Befreiung in 2026.
    c("2026-05-01", "1W", "BE", "2026-05-08"),

    // --- year boundaries: Christmas / New Year chains ---
    // 11.12.2025 + 14D → 25.12.2025 (Thu) 1. Weihnachtstag → 26.12. → Sat, Sun → Monday 29.12.2025.
    c("2025-12-11", "14D", "MV", "2025-12-29"),
    // 18.12.2026 + 1W → 25.12.2026 (Fri) → 26.12. Sat → Sun → Monday 28.12.2026.
    c("2026-12-18", "1W", "MV", "2026-12-28"),
    // 25.11.2026 + 1M → 25.12.2026 (§188 II) → Monday 28.12.2026 (§193).
    c("2026-11-25", "1M", "MV", "2026-12-28"),
    // 01.12.2026 + 1M → 01.01.2027 Neujahr (Friday) → Sat, Sun → Monday 04.01.2027.
    c("2026-12-01", "1M", "MV", "2027-01-04"),
    // 04.12.2027 + 4W → 01.01.2028 Neujahr on a Saturday → Sunday → Monday 03.01.2028.
    c("2027-12-04", "4W", "MV", "2028-01-03"),

    // --- working-day periods ---
    // 30.03.2026 (Mon) + 5WD: 31.3., 1.4., 2.4., [Karfreitag, Sat, Sun, Ostermontag], 7.4., 8.4. → Wednesday 08.04.2026.
    c("2026-03-30", "5WD", "MV", "2026-04-08"),
    // 22.12.2025 (Mon) + 5WD: 23., 24., [25., 26., 27., 28.], 29., 30., 31. → Wednesday 31.12.2025.
    c("2025-12-22", "5WD", "MV", "2025-12-31"),
    // 27.02.2026 (Fri) + 10WD: 2.–6.3. and 9.–13.3. → Friday 13.03.2026 (08.03. Frauentag is a Sunday).
    c("2026-02-27", "10WD", "MV", "2026-03-13"),
    // 05.01.2026 + 1WD in BY: 06.01. Heilige Drei Könige → Wednesday 07.01.2026.
    c("2026-01-05", "1WD", "BY", "2026-01-07"),
    // Same in MV → Tuesday 06.01.2026.
    c("2026-01-05", "1WD", "MV", "2026-01-06"),
    // 30.10.2026 (Fri) + 1WD in MV: 31.10. Reformationstag on a Saturday, Sunday → Monday 02.11.2026.
    c("2026-10-30", "1WD", "MV", "2026-11-02"),
    // 13.05.2026 (Wed) + 3WD in BY: [14.5. Christi Himmelfahrt], 15.5., [Sat, Sun], 18.5., 19.5. → Tuesday 19.05.2026.
    c("2026-05-13", "3WD", "BY", "2026-05-19"),
    // 19.12.2025 (Fri) + 10WD in MV: 22., 23., 24., 29., 30., 31.12., 2.1., 5.1., 6.1., 7.1. → Wednesday 07.01.2026.
    c("2025-12-19", "10WD", "MV", "2026-01-07"),
    // Same in BY: 06.01. Heilige Drei Könige also skipped → Thursday 08.01.2026.
    c("2025-12-19", "10WD", "BY", "2026-01-08"),
];

fn date(s: &str) -> NaiveDate {
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => d,
        Err(e) => panic!("bad date {s:?} in test table: {e}"),
    }
}

fn parse<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Display,
{
    match s.parse() {
        Ok(v) => v,
        Err(e) => panic!("bad value {s:?} in test table: {e}"),
    }
}

#[test]
fn table_has_enough_cases() {
    assert!(CASES.len() >= 45, "only {} cases", CASES.len());
}

#[test]
fn deadline_table() {
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|case| {
            let got = compute(
                date(case.start),
                parse(case.period),
                parse::<State>(case.state),
            )
            .due;
            (got != date(case.due)).then(|| {
                format!(
                    "{} + {} in {}: expected {}, got {got}",
                    case.start, case.period, case.state, case.due
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

struct SuspensionCase {
    start: &'static str,
    period: &'static str,
    suspensions: &'static [(&'static str, &'static str)],
    suspended_days: u32,
    due: &'static str,
}

/// Suspended days are counted with both end days (§ 209 BGB analog: the Hemmung runs "taggenau"
/// from the day its cause arises to the day it falls away — Prütting/Wegen/Weinreich, BGB,
/// § 209 Rn. 1 with BGH, 11.02.2009 – XII ZR 114/06, Rn. 21), and only after the start day
/// (BGH, 25.04.2017 – VI ZR 386/16, Rn. 12). docs/ARCHITECTURE.md, "Counting suspended days".
#[rustfmt::skip]
const SUSPENSION_CASES: &[SuspensionCase] = &[
    // ONE-DAY SUSPENSION: documents requested and the reply received on the same day (Wednesday
    // 11.03.) suspends that one day: 02.03. + 1M = Thursday 02.04. + 1 = Friday 03.04.2026,
    // Karfreitag → Tuesday 07.04.2026 (Easter Monday in between). `to - from` would give 0 days.
    SuspensionCase { start: "2026-03-02", period: "1M", suspensions: &[("2026-03-11", "2026-03-11")], suspended_days: 1, due: "2026-04-07" },
    // One-day suspension on the day after the start (the first running day) counts as well:
    // 01.09. + 14D = 15.09. + 1 = Wednesday 16.09.2026.
    SuspensionCase { start: "2026-09-01", period: "14D", suspensions: &[("2026-09-02", "2026-09-02")], suspended_days: 1, due: "2026-09-16" },
    // One-day suspension on the start day itself adds nothing: that day is not counted anyway (§ 187 Abs. 1 BGB).
    SuspensionCase { start: "2026-09-01", period: "14D", suspensions: &[("2026-09-01", "2026-09-01")], suspended_days: 0, due: "2026-09-15" },
    // MULTI-DAY SUSPENSION: requested Tuesday 10.03., reply Friday 20.03.: 10.–20.03. = 11 days
    // (both end days) → 02.04. + 11 = Monday 13.04.2026 (a working day).
    SuspensionCase { start: "2026-03-02", period: "1M", suspensions: &[("2026-03-10", "2026-03-20")], suspended_days: 11, due: "2026-04-13" },
    // As above plus 25.03.–30.03. (6 days) → 02.04. + 17 = Sunday 19.04. → Monday 20.04.2026.
    SuspensionCase { start: "2026-03-02", period: "1M", suspensions: &[("2026-03-25", "2026-03-30"), ("2026-03-10", "2026-03-20")], suspended_days: 17, due: "2026-04-20" },
    // Touching intervals 10.–20.03. and 20.–25.03. share the 20.03., which counts once: 16 days
    // → Saturday 18.04. → Monday 20.04.2026.
    SuspensionCase { start: "2026-03-02", period: "1M", suspensions: &[("2026-03-10", "2026-03-20"), ("2026-03-20", "2026-03-25")], suspended_days: 16, due: "2026-04-20" },
    // 01.06.2026 + 14D → 15.06.; 05.–12.06. adds 8 → 23.06., which pulls 20.–25.06. into range (+6)
    // → Monday 29.06.2026.
    SuspensionCase { start: "2026-06-01", period: "14D", suspensions: &[("2026-06-05", "2026-06-12"), ("2026-06-20", "2026-06-25")], suspended_days: 14, due: "2026-06-29" },
    // 01.09.2026 + 14D → 15.09.; Hemmung 25.08.–04.09. counts only after the start day:
    // 02.–04.09. = 3 days → Friday 18.09.2026.
    SuspensionCase { start: "2026-09-01", period: "14D", suspensions: &[("2026-08-25", "2026-09-04")], suspended_days: 3, due: "2026-09-18" },
    // Hemmung entirely after the end (01.–10.10.) changes nothing → Tuesday 15.09.2026.
    SuspensionCase { start: "2026-09-01", period: "14D", suspensions: &[("2026-10-01", "2026-10-10")], suspended_days: 0, due: "2026-09-15" },
    // Hemmung starting the day after the last day (16.09.) comes too late → 15.09.2026.
    SuspensionCase { start: "2026-09-01", period: "14D", suspensions: &[("2026-09-16", "2026-09-20")], suspended_days: 0, due: "2026-09-15" },
    // Hemmung starting ON the last day (15.09.) still counts: the period runs out only at the
    // end of that day. 15.–20.09. = 6 days → Monday 21.09.2026 (one running day left after the reply).
    SuspensionCase { start: "2026-09-01", period: "14D", suspensions: &[("2026-09-15", "2026-09-20")], suspended_days: 6, due: "2026-09-21" },
    // Hemmung entirely before the start changes nothing → 15.09.2026.
    SuspensionCase { start: "2026-09-01", period: "14D", suspensions: &[("2026-08-01", "2026-08-20")], suspended_days: 0, due: "2026-09-15" },
    // Hemmung covering the start (30.08.–20.09.) counts 02.–20.09. = 19 days → 15.09. + 19 = Sunday 04.10.2026 → Monday 05.10.2026
    // (03.10. Tag der Deutschen Einheit lies before and does not matter).
    SuspensionCase { start: "2026-09-01", period: "14D", suspensions: &[("2026-08-30", "2026-09-20")], suspended_days: 19, due: "2026-10-05" },
    // 30.03.2026 + 5WD → 08.04.; Hemmung 01.–03.04. (3 days) → Saturday 11.04. → Monday 13.04.2026.
    SuspensionCase { start: "2026-03-30", period: "5WD", suspensions: &[("2026-04-01", "2026-04-03")], suspended_days: 3, due: "2026-04-13" },
];

#[test]
fn suspension_table() {
    let state = State::MecklenburgVorpommern;
    for case in SUSPENSION_CASES {
        let suspensions: Vec<Suspension> = case
            .suspensions
            .iter()
            .map(|(from, to)| match Suspension::new(date(from), date(to)) {
                Ok(s) => s,
                Err(e) => panic!("bad suspension in table: {e}"),
            })
            .collect();
        let period: Period = parse(case.period);
        let result = compute_with_suspensions(date(case.start), period, state, &suspensions);
        let Ok(due) = result else {
            panic!("{} + {}: unexpected {result:?}", case.start, case.period);
        };
        assert_eq!(
            (due.suspended_days, due.due),
            (case.suspended_days, date(case.due)),
            "{} + {} with {:?}",
            case.start,
            case.period,
            case.suspensions
        );
    }
}

#[test]
fn overlapping_suspensions_are_rejected() {
    let a = Suspension::new(date("2026-03-10"), date("2026-03-20"));
    let b = Suspension::new(date("2026-03-15"), date("2026-03-25"));
    let (Ok(a), Ok(b)) = (a, b) else {
        panic!("valid suspensions rejected");
    };
    let result = compute_with_suspensions(
        date("2026-03-02"),
        Period::Months(1),
        State::MecklenburgVorpommern,
        &[b, a],
    );
    assert_eq!(
        result,
        Err(DeadlineError::OverlappingSuspensions {
            first_from: date("2026-03-10"),
            first_to: date("2026-03-20"),
            second_from: date("2026-03-15"),
            second_to: date("2026-03-25"),
        })
    );
}

fn hemmed(start: &str, period: &str, from: &str, to: &str) -> super::DueDate {
    let Ok(s) = Suspension::new(date(from), date(to)) else {
        panic!("bad suspension {from}..{to}");
    };
    match compute_with_suspensions(
        date(start),
        parse(period),
        State::MecklenburgVorpommern,
        &[s],
    ) {
        Ok(due) => due,
        Err(e) => panic!("{start} + {period}: {e}"),
    }
}

/// § 209 BGB analog, both end days count: request and reply on the same day (Tuesday
/// 08.09.2026) suspend one day, so 01.09. + 14D = 15.09. moves to Wednesday 16.09.2026.
#[test]
fn one_day_suspension_request_and_reply_on_the_same_day_adds_one_day() {
    let due = hemmed("2026-09-01", "14D", "2026-09-08", "2026-09-08");
    assert_eq!(due.suspended_days, 1);
    assert_eq!(due.due, date("2026-09-16"));
}

/// § 209 BGB analog, both end days count: requested Tuesday 08.09., answered Friday 11.09.2026
/// = 08., 09., 10., 11. = 4 days (not 11 - 8 = 3): 15.09. + 4 = Saturday 19.09. → Monday 21.09.2026.
#[test]
fn multi_day_suspension_counts_the_request_day_and_the_reply_day() {
    let due = hemmed("2026-09-01", "14D", "2026-09-08", "2026-09-11");
    assert_eq!(due.suspended_days, 4);
    assert_eq!(due.unrolled_end, date("2026-09-19"));
    assert_eq!(due.due, date("2026-09-21"));
}
