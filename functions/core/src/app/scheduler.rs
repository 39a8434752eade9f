//! One scheduler tick (docs/ARCHITECTURE.md, "Deadlines"): under a lease, find the due deadlines through the due index
//! and send each owed reminder level once, mark overdue deadlines, purge expired cases, and hand
//! stuck outbox entries to the queue again.
//!
//! Exactly-once per (deadline, level) rests on the case write: recording a reminder is a command
//! on the case (event `reminder_sent`, the `DeadlineReminder` in the same transaction's outbox),
//! refused when the level is recorded already and guarded by the case version. The ledger entry,
//! the durable, queryable record of the reminder, is written in that same transaction
//! (`ports::ledger_entries`): one write per reminder, not two.

use std::collections::HashMap;
use std::ops::AddAssign;

use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt;
use serde::Serialize;

use super::{App, AppError};
use crate::case::Command;
use crate::deadline::berlin_date;
use crate::model::{Case, Deadline, Service};
use crate::ports::DueEntry;
use fallwerk_events::{Actor, DeadlineKind, ReminderLevel};

/// The lease every scheduler instance competes for.
pub const SCHEDULER_LEASE: &str = "scheduler";

/// Counts of one tick, logged as one structured line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TickReport {
    /// `false` when another instance held the lease and this tick did nothing.
    pub leased: bool,
    pub due_entries: usize,
    pub reminders: usize,
    pub overdue_marked: usize,
    pub purged: usize,
    pub already_done: usize,
    pub failed: usize,
    pub outbox_resent: usize,
    /// Unreferenced uploads of the upload-slot flow deleted (embedded store only).
    pub uploads_expired: usize,
}

impl AddAssign for TickReport {
    fn add_assign(&mut self, other: TickReport) {
        self.leased |= other.leased;
        self.due_entries += other.due_entries;
        self.reminders += other.reminders;
        self.overdue_marked += other.overdue_marked;
        self.purged += other.purged;
        self.already_done += other.already_done;
        self.failed += other.failed;
        self.outbox_resent += other.outbox_resent;
        self.uploads_expired += other.uploads_expired;
    }
}

/// Tuning of a tick.
#[derive(Debug, Clone)]
pub struct TickOptions {
    /// Identifies this instance in the lease.
    pub holder: String,
    pub lease_seconds: u32,
    /// Due entries fetched per round; a tick runs rounds until nothing due is left.
    pub batch: u32,
    /// Upper bound of rounds per tick, so a tick always ends.
    pub max_rounds: u32,
    /// Cases handled at the same time within a round. Concurrent writes share one commit on
    /// SQLite (group commit) and overlap their round trips on DynamoDB; the deadlines of one case
    /// are always handled one after the other.
    pub concurrency: usize,
    /// Outbox entries older than this are handed to the queue again.
    pub outbox_stuck_after: Duration,
}

impl Default for TickOptions {
    fn default() -> Self {
        TickOptions {
            holder: "scheduler".into(),
            lease_seconds: 300,
            batch: 200,
            max_rounds: 50,
            concurrency: 16,
            outbox_stuck_after: Duration::minutes(5),
        }
    }
}

/// The levels of `deadline` owed on `today` and not yet recorded, in due order.
pub fn owed_levels(deadline: &Deadline, today: chrono::NaiveDate) -> Vec<ReminderLevel> {
    if !deadline.open || deadline.kind == DeadlineKind::RetentionDue {
        return Vec::new();
    }
    deadline
        .levels()
        .into_iter()
        .filter(|(level, day)| *day <= today && !deadline.sent.contains(level))
        .map(|(level, _)| level)
        .collect()
}

impl App {
    /// Runs one tick at the clock's current time.
    pub async fn tick(&self, options: &TickOptions) -> Result<TickReport, AppError> {
        let now = self.clock.now();
        let mut report = TickReport::default();
        if !self
            .store
            .try_lease(SCHEDULER_LEASE, &options.holder, now, options.lease_seconds)
            .await?
        {
            return Ok(report);
        }
        report.leased = true;
        let mut seen = std::collections::HashSet::new();
        // Services are few and change rarely: read them once per tick, not once per deadline.
        let mut services: Option<HashMap<String, Service>> = None;
        for _ in 0..options.max_rounds {
            let due = self.store.due(now, options.batch).await?;
            // Entries that could not be handled stay in the index; don't spin on them.
            let fresh: Vec<DueEntry> = due
                .iter()
                .filter(|e| seen.insert((e.case_id.clone(), e.deadline_id.clone())))
                .cloned()
                .collect();
            if fresh.is_empty() {
                break;
            }
            if services.is_none() {
                let all = self.store.services().await?;
                services = Some(all.into_iter().map(|s| (s.leika_id.clone(), s)).collect());
            }
            let Some(services) = services.as_ref() else {
                break;
            };
            let mut rounds = futures_util::stream::iter(by_case(fresh))
                .map(|entries| self.handle_case(entries, now, services))
                .buffer_unordered(options.concurrency.max(1));
            while let Some(part) = rounds.next().await {
                report += part;
            }
            if due.len() < options.batch as usize {
                break;
            }
        }
        report.outbox_resent = self
            .resend_outbox(now - options.outbox_stuck_after, options.batch)
            .await?;
        // A failed sweep must not stop the deadlines: the next tick sweeps again.
        report.uploads_expired = self.sweep_uploads().await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "expired uploads not swept");
            0
        });
        self.store
            .release_lease(SCHEDULER_LEASE, &options.holder)
            .await?;
        Ok(report)
    }

    /// The due entries of one case, one after the other, on one read of the case: each command
    /// starts from the case the previous one wrote.
    async fn handle_case(
        &self,
        entries: Vec<DueEntry>,
        now: DateTime<Utc>,
        services: &HashMap<String, Service>,
    ) -> TickReport {
        let mut report = TickReport {
            due_entries: entries.len(),
            ..TickReport::default()
        };
        let Some(first) = entries.first() else {
            return report;
        };
        let mut case = match self.store.load_case(&first.case_id).await {
            Ok(Some(case)) => Some(case),
            Ok(None) => return report,
            Err(e) => {
                report.failed += entries.len();
                tracing::warn!(case_id = %first.case_id, error = %e, "case of due deadlines not loaded");
                return report;
            }
        };
        for entry in &entries {
            match self
                .handle_due(entry, case.take(), now, services, &mut report)
                .await
            {
                Ok(latest) => case = latest,
                Err(e) => {
                    report.failed += 1;
                    tracing::warn!(case_id = %entry.case_id, deadline_id = %entry.deadline_id, error = %e, "due deadline not handled");
                }
            }
        }
        report
    }

    /// Runs one scheduler command on the case; `current` becomes the case as written, or `None`
    /// (read it again) when the command is refused. A refusal means the command was carried out
    /// already: another instance (or an earlier, interrupted tick) recorded it first; it counts
    /// as `already_done`. Returns whether the command was carried out now.
    async fn scheduler_command(
        &self,
        case_id: &str,
        current: &mut Option<Case>,
        service: Option<&Service>,
        cmd: Command,
        report: &mut TickReport,
    ) -> Result<bool, AppError> {
        match self
            .system_command_on(case_id, current.take(), service, Actor::Scheduler, cmd)
            .await
        {
            Ok(decision) => {
                *current = Some(decision.case);
                Ok(true)
            }
            Err(AppError::Command(crate::case::CommandError::Invalid { .. })) => {
                report.already_done += 1;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Handles one due deadline of `case` (read again when `None`); returns the case as written
    /// last, when this is known, for the case's next deadline.
    async fn handle_due(
        &self,
        entry: &DueEntry,
        case: Option<Case>,
        now: DateTime<Utc>,
        services: &HashMap<String, Service>,
        report: &mut TickReport,
    ) -> Result<Option<Case>, AppError> {
        let today = berlin_date(now);
        let case = match case {
            Some(case) => case,
            None => match self.store.load_case(&entry.case_id).await? {
                Some(case) => case,
                None => return Ok(None),
            },
        };
        let Some(deadline) = case
            .deadlines
            .iter()
            .find(|d| d.id == entry.deadline_id)
            .cloned()
        else {
            return Ok(Some(case));
        };
        if deadline.kind == DeadlineKind::RetentionDue {
            if deadline.open && deadline.due_on <= today && !case.personal_data_purged {
                self.purge(&entry.case_id).await?;
                report.purged += 1;
                return Ok(None);
            }
            return Ok(Some(case));
        }
        let service = services.get(&case.leika_id);
        // The case as last written by this tick; `None` after a refused command (read it again).
        let mut current = Some(case);
        for level in owed_levels(&deadline, today) {
            let cmd = Command::RecordReminder {
                deadline_id: deadline.id.clone(),
                level,
            };
            if self
                .scheduler_command(&entry.case_id, &mut current, service, cmd, report)
                .await?
            {
                report.reminders += 1;
            }
        }
        if !deadline.overdue && deadline.escalate_on.is_some() && deadline.due_on < today {
            let cmd = Command::MarkOverdue {
                deadline_id: deadline.id.clone(),
            };
            if self
                .scheduler_command(&entry.case_id, &mut current, service, cmd, report)
                .await?
            {
                report.overdue_marked += 1;
            }
        }
        Ok(current)
    }

    /// Removes a finished case's personal data and documents, keeping the audit skeleton.
    async fn purge(&self, case_id: &str) -> Result<(), AppError> {
        // Postbox texts (the applicant's replies, the authority's letters) go with the data.
        // First, and idempotent: when the purge command then fails, the next tick repeats both.
        if let Some(case) = self.store.load_case(case_id).await?
            && case.status.is_final()
        {
            self.store.redact_messages(case_id).await?;
        }
        let decision = self
            .system_command(case_id, Actor::Scheduler, Command::PurgePersonalData)
            .await?;
        for a in &decision.case.attachments {
            self.blobs
                .delete_blob(&a.key)
                .await
                .or_else(ignore_missing)?;
        }
        self.blobs
            .delete_blob(&format!("cases/{case_id}/form.json"))
            .await
            .or_else(ignore_missing)?;
        Ok(())
    }

    /// Hands outbox entries created before `before` to the queue; returns how many went out.
    pub async fn resend_outbox(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<usize, AppError> {
        let Some(queue) = &self.queue else {
            return Ok(0);
        };
        let mut sent = 0;
        for entry in self.store.outbox_pending(before, limit).await? {
            match queue.send(&entry.message).await {
                Ok(()) => {
                    self.store.outbox_done(entry.message.message_id()).await?;
                    sent += 1;
                }
                Err(e) => {
                    tracing::warn!(message_id = entry.message.message_id(), error = %e, "outbox entry not sent");
                    break;
                }
            }
        }
        Ok(sent)
    }
}

/// Groups due entries by case, keeping the order of first appearance (and the entries' order
/// within a case), so the deadlines of one case are never written concurrently.
fn by_case(entries: Vec<DueEntry>) -> Vec<Vec<DueEntry>> {
    let mut groups: Vec<Vec<DueEntry>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for entry in entries {
        match index.get(&entry.case_id) {
            Some(&i) => groups[i].push(entry),
            None => {
                index.insert(entry.case_id.clone(), groups.len());
                groups.push(vec![entry]);
            }
        }
    }
    groups
}

fn ignore_missing(e: crate::ports::StoreError) -> Result<(), crate::ports::StoreError> {
    match e {
        crate::ports::StoreError::NotFound(_) => Ok(()),
        other => Err(other),
    }
}
