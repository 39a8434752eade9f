//! The deadline scheduler's loop. Every mode — the cron daemon, `--once` and the Lambda entry —
//! runs the same [`fallwerk_core::app::App::tick`]; this crate only decides when.

use std::str::FromStr;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use cron::Schedule;
use fallwerk_core::app::{App, AppError, TickOptions, TickReport};
use tokio::sync::watch;

/// Every minute, at second 0 (the `cron` crate wants seconds first).
pub const DEFAULT_CRON: &str = "0 * * * * *";

/// This machine's host name, part of a lease holder's id (`scheduler` when none can be read).
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()))
        .unwrap_or_else(|| "scheduler".into())
}

#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    #[error(
        "invalid cron expression `{expr}`: {reason} (6 or 7 fields, seconds first, e.g. `0 */5 * * * *`)"
    )]
    Cron { expr: String, reason: String },
    #[error("the cron expression `{0}` never fires again")]
    Exhausted(String),
    #[error(transparent)]
    Tick(#[from] AppError),
}

/// A cron schedule, always evaluated in UTC: Europe/Berlin would skip spring times and fire
/// twice in autumn.
#[derive(Debug, Clone)]
pub struct Cron {
    expr: String,
    schedule: Schedule,
}

impl Cron {
    pub fn parse(expr: &str) -> Result<Cron, SchedulerError> {
        let schedule = Schedule::from_str(expr).map_err(|e| SchedulerError::Cron {
            expr: expr.to_string(),
            reason: e.to_string(),
        })?;
        Ok(Cron {
            expr: expr.to_string(),
            schedule,
        })
    }

    /// The first firing strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Result<DateTime<Utc>, SchedulerError> {
        self.schedule
            .after(&after)
            .next()
            .ok_or_else(|| SchedulerError::Exhausted(self.expr.clone()))
    }
}

/// One tick with its structured log line.
pub async fn tick_once(app: &App, options: &TickOptions) -> Result<TickReport, SchedulerError> {
    let started = std::time::Instant::now();
    let report = app.tick(options).await?;
    tracing::info!(
        leased = report.leased,
        due_entries = report.due_entries,
        reminders = report.reminders,
        overdue_marked = report.overdue_marked,
        purged = report.purged,
        already_done = report.already_done,
        failed = report.failed,
        outbox_resent = report.outbox_resent,
        uploads_expired = report.uploads_expired,
        duration_ms = started.elapsed().as_millis() as u64,
        "scheduler tick"
    );
    Ok(report)
}

/// Ticks on `cron` until `shutdown` turns true. A running tick is finished before returning;
/// a failed tick is logged and the daemon waits for the next firing.
pub async fn run_daemon(
    app: &App,
    cron: &Cron,
    options: &TickOptions,
    mut shutdown: watch::Receiver<bool>,
) -> Result<u64, SchedulerError> {
    let mut ticks = 0;
    loop {
        if *shutdown.borrow() {
            return Ok(ticks);
        }
        let now = Utc::now();
        let next = cron.next_after(now)?;
        let wait = (next - now).to_std().unwrap_or(StdDuration::ZERO);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    return Ok(ticks);
                }
                continue;
            }
        }
        if let Err(e) = tick_once(app, options).await {
            tracing::error!(error = %e, "scheduler tick failed");
        }
        ticks += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn cron_is_evaluated_in_utc_with_seconds() {
        let cron = Cron::parse(DEFAULT_CRON).expect("default parses");
        let at = Utc
            .with_ymd_and_hms(2026, 3, 29, 0, 59, 30)
            .single()
            .expect("instant");
        assert_eq!(
            cron.next_after(at).expect("next"),
            Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0)
                .single()
                .expect("instant")
        );
        // Europe/Berlin springs forward at 01:00 UTC that day; a daily 01:30 UTC tick still fires once.
        let daily = Cron::parse("0 30 1 * * *").expect("parses");
        let first = daily.next_after(at).expect("next");
        let second = daily.next_after(first).expect("next");
        assert_eq!(second - first, chrono::Duration::hours(24));
    }

    #[test]
    fn five_field_expressions_are_refused_with_a_hint() {
        let err = Cron::parse("0 7 * * *").expect_err("five fields");
        assert!(err.to_string().contains("seconds first"), "{err}");
    }
}
