//! `fallwerk deadline`: the deadline calculator for operators and caseworkers checking dates by hand.

use chrono::NaiveDate;
use fallwerk_core::deadline::{self, Calendar, DateRule, Municipality, Period, State, Suspension};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The day of the triggering event (YYYY-MM-DD); it is not counted (§187 Abs. 1 BGB).
    #[arg(long, required_unless_present = "stated", conflicts_with = "stated")]
    pub from: Option<NaiveDate>,
    /// The period: 10WD (working days), 14D (days), 2W (weeks), 3M (months).
    #[arg(long, required_unless_present = "stated")]
    pub period: Option<Period>,
    /// Instead of a period: a day the authority named itself (YYYY-MM-DD), judged by `--rule`.
    #[arg(long)]
    pub stated: Option<NaiveDate>,
    /// How `--stated` was told: period_end (§ 31 Abs. 3 Satz 1 VwVfG, moves off weekends and
    /// holidays), fixed_end (§ 31 Abs. 3 Satz 2, stays) or appointment (Termin, § 31 Abs. 5).
    #[arg(long, default_value = "period_end", value_parser = parse_rule, requires = "stated")]
    pub rule: DateRule,
    /// The German state whose public holidays count (two-letter code).
    #[arg(long, default_value = "MV")]
    pub state: State,
    /// The authority's municipality key (AGS, 8 digits, in --state): its municipal holidays
    /// (Augsburger Friedensfest, Fronleichnam, Mariä Himmelfahrt where local) count as well.
    #[arg(long)]
    pub municipality: Option<Municipality>,
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
    #[error("--municipality {municipality} lies in {actual}, not in --state {state}")]
    MunicipalityOutsideState {
        municipality: Municipality,
        actual: State,
        state: State,
    },
    #[error("give --from and --period, or --stated")]
    MissingInput,
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

fn parse_rule(s: &str) -> Result<DateRule, String> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|_| format!("`{s}`: expected period_end, fixed_end or appointment"))
}

/// Renders the result: German text, or JSON with the due date and every rule step.
pub fn render(args: &Args) -> Result<String, DeadlineCliError> {
    if let Some(m) = args.municipality
        && m.state() != args.state
    {
        return Err(DeadlineCliError::MunicipalityOutsideState {
            municipality: m,
            actual: m.state(),
            state: args.state,
        });
    }
    let calendar = Calendar::new(args.state, args.municipality);
    let (mut value, text) = match (args.stated, args.from, args.period) {
        (Some(stated), _, _) => {
            let named = deadline::named_date(stated, args.rule, calendar)?;
            (
                serde_json::to_value(&named)?,
                deadline::explain_named_de(&named),
            )
        }
        (None, Some(from), Some(period)) => {
            let due =
                deadline::compute_with_suspensions(from, period, calendar, &args.suspensions)?;
            (serde_json::to_value(&due)?, deadline::explain_de(&due))
        }
        _ => return Err(DeadlineCliError::MissingInput),
    };
    if args.json {
        if let Some(obj) = value.as_object_mut() {
            obj.insert("explanation_de".into(), text.into());
        }
        Ok(serde_json::to_string_pretty(&value)?)
    } else {
        Ok(text)
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
            from: Some(from.parse().expect("date")),
            period: Some(period.parse().expect("period")),
            stated: None,
            rule: DateRule::PeriodEnd,
            municipality: None,
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

    /// Augsburg (AGS 09761000): 25.07.2025 + 14 Tage = Freitag 08.08.2025, Augsburger Hohes
    /// Friedensfest → Montag 11.08.2025; the German text names the local holiday.
    #[test]
    fn municipality_adds_the_local_holiday_and_says_so() {
        let mut a = args("2025-07-25", "14D", "BY", &[], false);
        a.municipality = Some("09761000".parse().expect("ags"));
        let out = render(&a).expect("render");
        assert!(
            out.contains("Augsburger Hohes Friedensfest, örtlicher Feiertag"),
            "{out}"
        );
        assert!(out.contains("Fristende: Montag, 11. August 2025"), "{out}");
        a.state = "MV".parse().expect("state");
        assert!(matches!(
            render(&a),
            Err(DeadlineCliError::MunicipalityOutsideState { .. })
        ));
    }

    /// § 31 Abs. 3 Satz 2 VwVfG: a fixed end on Saturday 04.04.2026 stays; the text says why.
    #[test]
    fn stated_fixed_end_is_explained_and_not_moved() {
        let mut a = args("2026-01-01", "1D", "MV", &[], true);
        a.from = None;
        a.period = None;
        a.stated = Some("2026-04-04".parse().expect("date"));
        a.rule = parse_rule("fixed_end").expect("rule");
        let out = render(&a).expect("render");
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["due"], "2026-04-04");
        assert!(
            v["explanation_de"]
                .as_str()
                .is_some_and(|t| t.contains("§ 31 Abs. 3 Satz 2 VwVfG") && t.contains("nicht"))
        );
        assert!(parse_rule("someday").is_err());
    }

    #[derive(clap::Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    /// The flags as an operator types them (clap checks its own configuration here too).
    #[test]
    fn flags_parse() {
        use clap::Parser;
        let parsed = Cli::try_parse_from([
            "deadline",
            "--from",
            "2025-07-25",
            "--period",
            "14D",
            "--state",
            "BY",
            "--municipality",
            "09761000",
        ])
        .expect("period form");
        assert_eq!(
            parsed.args.municipality.map(|m| m.to_string()).as_deref(),
            Some("09761000")
        );
        let parsed = Cli::try_parse_from([
            "deadline",
            "--stated",
            "2026-04-04",
            "--rule",
            "appointment",
        ])
        .expect("stated form");
        assert_eq!(parsed.args.rule, DateRule::Appointment);
        assert!(Cli::try_parse_from(["deadline", "--period", "14D"]).is_err());
        assert!(
            Cli::try_parse_from([
                "deadline",
                "--from",
                "2025-07-25",
                "--period",
                "14D",
                "--municipality",
                "0976100"
            ])
            .is_err()
        );
    }
}
