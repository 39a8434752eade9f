//! The names of the caseworker actions as one enum: the `action` tag of a request, the entries of
//! `allowed_actions`, and the keys the workplace labels. Serde's name and the display name come
//! from the same literal (`crate::names!`), so they cannot drift; a typo in the rules table
//! (`case/rules.rs`) no longer compiles.

crate::names::names! {
    /// The name of a caseworker action: the `action` tag of an action request.
    pub enum ActionName {
        ConfirmCompetence = "confirm_competence",
        Forward = "forward",
        ConfirmComplete = "confirm_complete",
        RequestDocuments = "request_documents",
        Extend = "extend",
        SetFollowUp = "set_follow_up",
        Export = "export",
        RetryExport = "retry_export",
        SendResult = "send_result",
        Comment = "comment",
        Message = "message",
        Assign = "assign",
        Cancel = "cancel",
        CheckDocument = "check_document",
        DocumentsArrived = "documents_arrived",
        WithdrawRequest = "withdraw_request",
        RecordPosting = "record_posting",
        RecordAppeal = "record_appeal",
    }
}

#[cfg(test)]
mod tests {
    use super::ActionName;

    #[test]
    fn serde_display_and_parse_agree_for_every_name() {
        assert_eq!(ActionName::ALL.len(), 18);
        for name in ActionName::ALL {
            let json = serde_json::to_value(name).expect("serialises");
            assert_eq!(json, serde_json::Value::String(name.to_string()));
            assert_eq!(ActionName::parse(name.as_str()), Some(*name));
            let back: ActionName = serde_json::from_value(json).expect("deserialises");
            assert_eq!(back, *name);
        }
        assert_eq!(ActionName::parse("Forward"), None);
    }
}
