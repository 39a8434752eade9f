//! Independent check of the holiday table: every state's statewide public holidays 1991–2100
//! against the PyPI package `holidays` (scripts/holidays_reference.py), with every intended
//! difference listed below with its reason. Anything else that differs fails the test.
//!
//! `scripts/test.sh` installs the package (pip) when missing, so the check runs in CI. Where
//! Python or the package is missing outside CI (`CI` unset), the test says so and passes.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use chrono::{Datelike, NaiveDate, Weekday};
use fallwerk_core::deadline::{State, holidays_in_year};

/// Why fallwerk and the `holidays` package legitimately differ. `matches` gets (state, date,
/// name per `holidays`) for a holiday only the package has, or (state, date, name per fallwerk)
/// for one only fallwerk has.
struct Intended {
    only_in: Side,
    reason: &'static str,
    matches: fn(State, NaiveDate, &str) -> bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Package,
    Fallwerk,
}

const INTENDED: &[Intended] = &[Intended {
    only_in: Side::Package,
    reason: "Ostersonntag and Pfingstsonntag (Brandenburg, Hessen list them) are Sundays: \
                 § 193 BGB skips them anyway, so the table leaves them out (holidays.rs)",
    matches: |_, d, _| d.weekday() == Weekday::Sun,
}];

fn reference() -> Option<String> {
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/holidays_reference.py");
    let out = Command::new("python3").arg(&script).output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8(o.stdout).ok(),
        other => {
            let why = match other {
                Ok(o) => String::from_utf8_lossy(&o.stderr).into_owned(),
                Err(e) => e.to_string(),
            };
            assert!(
                std::env::var_os("CI").is_none(),
                "the holiday cross-check must run in CI: {why}"
            );
            eprintln!("SKIPPED: python3 with the `holidays` package is not available: {why}");
            None
        }
    }
}

#[test]
fn statewide_holidays_1991_to_2100_match_the_holidays_package() {
    let Some(text) = reference() else {
        return;
    };
    let mut theirs: BTreeSet<(String, NaiveDate, String)> = BTreeSet::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let mut parts = line.split('\t');
        let (Some(state), Some(day), Some(name)) = (parts.next(), parts.next(), parts.next())
        else {
            panic!("bad reference line {line:?}");
        };
        let Ok(day) = NaiveDate::parse_from_str(day, "%Y-%m-%d") else {
            panic!("bad date in {line:?}");
        };
        theirs.insert((state.to_owned(), day, name.to_owned()));
    }
    assert!(
        theirs.len() > 10_000,
        "reference looks truncated: {}",
        theirs.len()
    );
    let their_days: BTreeSet<(String, NaiveDate)> =
        theirs.iter().map(|(s, d, _)| (s.clone(), *d)).collect();

    let mut ours: BTreeSet<(String, NaiveDate, String)> = BTreeSet::new();
    for state in State::ALL {
        for year in 1991..=2100 {
            for (day, name) in holidays_in_year(state, year) {
                ours.insert((state.code().to_owned(), day, name.to_owned()));
            }
        }
    }
    let our_days: BTreeSet<(String, NaiveDate)> =
        ours.iter().map(|(s, d, _)| (s.clone(), *d)).collect();

    let mut unexplained = Vec::new();
    let mut used = vec![0usize; INTENDED.len()];
    let mut check = |side: Side, state: &str, day: NaiveDate, name: &str| {
        let Ok(st) = state.parse::<State>() else {
            unexplained.push(format!("unknown state {state}"));
            return;
        };
        match INTENDED
            .iter()
            .position(|i| i.only_in == side && (i.matches)(st, day, name))
        {
            Some(i) => used[i] += 1,
            None => unexplained.push(format!("only in {side:?}: {state} {day} {name}")),
        }
    };
    for (state, day, name) in &theirs {
        if !our_days.contains(&(state.clone(), *day)) {
            check(Side::Package, state, *day, name);
        }
    }
    for (state, day, name) in &ours {
        if !their_days.contains(&(state.clone(), *day)) {
            check(Side::Fallwerk, state, *day, name);
        }
    }
    assert!(
        unexplained.is_empty(),
        "{} unexplained differences:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
    // Every listed reason must still be needed, so the list stays true.
    for (i, n) in used.iter().enumerate() {
        assert!(
            *n > 0,
            "intended difference no longer occurs: {}",
            INTENDED[i].reason
        );
    }
}
