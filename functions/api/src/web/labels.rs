//! German words for what the pages show: statuses, tasks, actions, history entries. Written
//! for caseworkers; unknown keys (a newer core) fall back to the key itself.

use fallwerk_core::model::{Status, TaskKind};

pub fn status(s: Status) -> &'static str {
    match s {
        Status::Received => "Eingegangen",
        Status::CompletenessCheck => "Vollständigkeitsprüfung",
        Status::AwaitingApplicant => "Unterlagen nachgefordert",
        Status::InProgress => "In Bearbeitung",
        Status::Exporting => "Wird an das Fachverfahren übergeben",
        Status::Exported => "An das Fachverfahren übergeben",
        Status::ExportFailed => "Übergabe fehlgeschlagen",
        Status::Completed => "Abgeschlossen",
        Status::Cancelled => "Beendet",
    }
}

pub fn task(t: TaskKind) -> &'static str {
    match t {
        TaskKind::CompetenceCheck => "Zuständigkeit prüfen",
        TaskKind::CompletenessCheck => "Vollständigkeit prüfen",
        TaskKind::DeadlineMonitoring => "Bearbeiten",
        TaskKind::Export => "An das Fachverfahren übergeben",
        TaskKind::SendResult => "Ergebnis versenden",
        TaskKind::SendByPost => "Bescheid per Post versenden",
    }
}

pub fn action(a: &str) -> String {
    match a {
        "confirm_competence" => "Zuständigkeit bestätigen",
        "forward" => "An andere Stelle weiterleiten",
        "confirm_complete" => "Vollständigkeit bestätigen",
        "request_documents" => "Unterlagen nachfordern",
        "extend" => "Bearbeitungsfrist verlängern",
        "set_follow_up" => "Wiedervorlage setzen",
        "export" => "An das Fachverfahren übergeben",
        "retry_export" => "Übergabe erneut versuchen",
        "send_result" => "Ergebnis versenden",
        "comment" => "Interne Notiz schreiben",
        "message" => "Nachricht an die antragstellende Person",
        "assign" => "Zuweisen",
        "cancel" => "Fall beenden",
        "check_document" => "Unterlage abhaken",
        "documents_arrived" => "Unterlagen auf anderem Weg erhalten",
        "withdraw_request" => "Nachforderung zurücknehmen",
        "record_posting" => "Postversand des Bescheids eintragen",
        "record_appeal" => "Widerspruch eintragen",
        other => other,
    }
    .to_string()
}

pub fn event(kind: &str) -> String {
    match kind {
        "case_received" => "Antrag eingegangen",
        "competence_confirmed" => "Zuständigkeit bestätigt",
        "forwarded" => "Weitergeleitet",
        "completeness_confirmed" => "Vollständigkeit bestätigt",
        "documents_requested" => "Unterlagen nachgefordert",
        "suspension_started" => "Frist angehalten",
        "applicant_replied" => "Antwort der antragstellenden Person eingegangen",
        "suspension_ended" => "Frist läuft weiter",
        "deadline_set" => "Frist gesetzt",
        "deadline_closed" => "Frist erledigt",
        "deadline_overdue" => "Frist überschritten",
        "reminder_sent" => "Erinnerung versandt",
        "processing_extended" => "Bearbeitungsfrist verlängert",
        "follow_up_set" => "Wiedervorlage gesetzt",
        "export_requested" => "Übergabe an das Fachverfahren angestoßen",
        "export_skipped" => "Übergabe entfällt",
        "export_succeeded" => "An das Fachverfahren übergeben",
        "export_failed" => "Übergabe fehlgeschlagen",
        "result_sent" => "Ergebnis versandt",
        "commented" => "Interne Notiz",
        "message_sent" => "Nachricht versandt",
        "assigned" => "Zuweisung geändert",
        "cancelled" => "Fall beendet",
        "notification_failed" => "Benachrichtigung fehlgeschlagen",
        "personal_data_purged" => "Personenbezogene Daten gelöscht",
        "document_checked" => "Checkliste geändert",
        "documents_arrived" => "Unterlagen auf anderem Weg erhalten",
        "document_request_withdrawn" => "Nachforderung zurückgenommen",
        "message_retrieved" => "Nachricht im Postfach abgerufen",
        "result_announced" => "Bescheid bekanntgegeben",
        "postal_delivery_required" => "Bescheid muss per Post versandt werden",
        "result_posted" => "Bescheid per Post versandt",
        "appeal_lodged" => "Widerspruch eingegangen",
        "decision_final" => "Bescheid bestandskräftig",
        other => other,
    }
    .to_string()
}

/// `2026-03-04` → `04.03.2026`.
pub fn date(d: chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// An instant in German time (CET/CEST), `04.03.2026, 14:05 Uhr`.
pub fn instant(t: chrono::DateTime<chrono::Utc>) -> String {
    let offset = fallwerk_core::deadline::berlin_offset_at_instant(t);
    let local = t.naive_utc() + chrono::Duration::hours(offset);
    local.format("%d.%m.%Y, %H:%M Uhr").to_string()
}
