//! `SesMailer`: the core [`Mailer`] port on Amazon SES v1, sent raw (`SendRawEmail`) in the
//! RFC 5322 form every transport uses ([`fallwerk_core::mail::render`]): the mail carries its
//! stable id in `Message-ID` and `X-Fallwerk-Message-ID`, so the second send after a consumer
//! crash (at most two) is recognisable as the same mail. SES itself replaces `Message-ID` with
//! its own value and keeps the other header; emulators keep both.
//! Throttling, 5xx and network failures are [`MailError::Transient`]; rejected messages,
//! unverified senders and invalid addresses are [`MailError::Permanent`].

use async_trait::async_trait;
use aws_sdk_ses::Client;
use aws_sdk_ses::primitives::Blob;
use aws_sdk_ses::types::RawMessage;
use fallwerk_core::ports::{Mail, MailError, Mailer};

use crate::retry_class::{code, describe, is_transient};

/// SES error codes that say "not now" although they are 4xx: the mail itself is fine and a
/// later delivery (or a redrive from the DLQ) succeeds once the operator resumed sending.
const PAUSED_CODES: [&str; 2] = [
    "AccountSendingPausedException",
    "ConfigurationSetSendingPausedException",
];

/// An SES (v1) client for `config`.
pub fn ses_client(config: &aws_config::SdkConfig) -> Client {
    Client::new(config)
}

/// Sends [`Mail`] through SES v1, optionally under a configuration set (event publishing).
#[derive(Debug, Clone)]
pub struct SesMailer {
    client: Client,
    configuration_set: Option<String>,
}

impl SesMailer {
    pub fn new(client: Client) -> Self {
        SesMailer {
            client,
            configuration_set: None,
        }
    }

    /// Sends under the SES configuration set `name` (bounce/complaint event destinations).
    pub fn with_configuration_set(mut self, name: impl Into<String>) -> Self {
        self.configuration_set = Some(name.into());
        self
    }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, mail: &Mail) -> Result<String, MailError> {
        if mail.to.is_empty() {
            return Err(MailError::Permanent(format!(
                "mail {} has no recipients",
                mail.id
            )));
        }
        // SES sets the Date itself; the one given here only has to be valid.
        let raw = fallwerk_core::mail::render(mail, chrono::Utc::now())?;
        let message = RawMessage::builder()
            .data(Blob::new(raw))
            .build()
            .map_err(|e| MailError::Permanent(describe(e)))?;
        let resp = self
            .client
            .send_raw_email()
            .source(&mail.from)
            .set_destinations(Some(mail.to.clone()))
            .raw_message(message)
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map_err(|err| {
                let transient =
                    is_transient(&err) || code(&err).is_some_and(|c| PAUSED_CODES.contains(&c));
                let reason = format!("SES SendRawEmail for mail {}: {}", mail.id, describe(&err));
                if transient {
                    MailError::Transient(reason)
                } else {
                    MailError::Permanent(reason)
                }
            })?;
        Ok(resp.message_id().to_string())
    }
}

/// Starts verification of `address` as a sender (`VerifyEmailIdentity`). Emulators (moto,
/// LocalStack) treat the address as verified at once; real SES sends a confirmation mail.
/// For tests and dev setups; production verifies a domain identity in infra/.
pub async fn verify_sender(client: &Client, address: &str) -> Result<(), MailError> {
    client
        .verify_email_identity()
        .email_address(address)
        .send()
        .await
        .map_err(|err| {
            let reason = format!("SES VerifyEmailIdentity {address}: {}", describe(&err));
            if is_transient(&err) {
                MailError::Transient(reason)
            } else {
                MailError::Permanent(reason)
            }
        })?;
    Ok(())
}
