//! `fallwerk deadline`: the deadline calculator for operators and caseworkers checking dates by hand.

use chrono::NaiveDate;
use fallwerk_core::deadline::{self, Period, State, Suspension};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The day of the triggering event (YYYY-MM-DD); it is not counted (§187 Abs. 1 BGB).
    #[arg(long)]
    pub from: NaiveDate,
    /// The period: 10WD (working days), 14D (days), 2W (weeks), 3M (months).
    #[arg(long)]
    pub period: Period,
    /// The German state whose public holidays count (two-letter code).
    #[arg(long, default_value = "MV")]
    pub state: State,
    /// A suspension interval FROM..TO (YYYY-MM-DD..YYYY-MM-DD); repeatable.
    #[arg(long = "suspend", value_parser = parse_suspension)]
    pub suspensions: Vec<Suspension>,
    /// Print machine-readable JSON instead of the German explanation.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DeadlineCliError {
    #[error("{0}")]
    Deadline(#[from] deadline::DeadlineError),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
}

fn parse_suspension(s: &str) -> Result<Suspension, String> {
    let (from, to) = s
        .split_once("..")
        .ok_or_else(|| format!("`{s}`: expected FROM..TO, e.g. 2026-02-01..2026-02-10"))?;
    let parse = |d: &str| {
        NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|e| format!("`{d}`: {e}"))
    };
    Suspension::new(parse(from)?, parse(to)?).map_err(|e| e.to_string())
}

/// Renders the result: German text, or JSON with the due date and every rule step.
pub fn render(args: &Args) -> Result<String, DeadlineCliError> {
    let due =
        deadline::compute_with_suspensions(args.from, args.period, args.state, &args.suspensions)?;
    if args.json {
        let mut value = serde_json::to_value(&due)?;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("explanation_de".into(), deadline::explain_de(&due).into());
        }
        Ok(serde_json::to_string_pretty(&value)?)
    } else {
        Ok(deadline::explain_de(&due))
    }
}

pub fn run(args: &Args) -> Result<(), DeadlineCliError> {
    println!("{}", render(args)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(from: &str, period: &str, state: &str, suspend: &[&str], json: bool) -> Args {
        Args {
            from: from.parse().expect("date"),
            period: period.parse().expect("period"),
            state: state.parse().expect("state"),
            suspensions: suspend
                .iter()
                .map(|s| parse_suspension(s).expect("suspension"))
                .collect(),
            json,
        }
    }

    #[test]
    fn json_names_the_due_date_and_the_rules() {
        // 31.01.2026 + 1 Monat: Februar hat keinen 31. → 28.02.2026 (Samstag) → Montag 02.03.2026.
        let out = render(&args("2026-01-31", "1M", "MV", &[], true)).expect("render");
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["due"], "2026-03-02");
        assert_eq!(v["state"], "MV");
        assert!(out.contains("§ 193 BGB") || out.contains("§193"), "{out}");
        assert!(
            v["explanation_de"]
                .as_str()
                .expect("text")
                .contains("2. März 2026")
        );
    }

    #[test]
    fn german_text_by_default_and_suspensions_push_the_end() {
        let plain = render(&args("2026-01-05", "14D", "MV", &[], false)).expect("render");
        assert!(plain.contains("Fristende"), "{plain}");
        let pushed = render(&args(
            "2026-01-05",
            "14D",
            "MV",
            &["2026-01-07..2026-01-12"],
            true,
        ))
        .expect("render");
        let v: serde_json::Value = serde_json::from_str(&pushed).expect("json");
        // 07.–12.01. with both end days = 6 days (§ 209 BGB analog).
        assert_eq!(v["suspended_days"], 6);
        assert_eq!(v["due"], "2026-01-26"); // 19.01. + 6 days = Sunday 25.01. → Monday 26.01.
    }

    #[test]
    fn bad_suspensions_are_refused_precisely() {
        assert!(
            parse_suspension("2026-01-01")
                .expect_err("no range")
                .contains("FROM..TO")
        );
        assert!(parse_suspension("2026-01-10..2026-01-01").is_err());
        assert!(
            parse_suspension("2026-13-01..2026-01-02")
                .expect_err("bad date")
                .contains("2026-13-01")
        );
    }
}
