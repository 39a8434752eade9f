//! Settings shared by every binary, read from `FALLWERK_*` environment variables.

use std::collections::HashMap;

/// Installation-wide settings. Secrets are never logged (`Debug` redacts them).
#[derive(Clone)]
pub struct Settings {
    /// Prefix of case references (`MV-2026-000123`).
    pub reference_prefix: String,
    /// Base URL of the portal; applicant e-mails link to its postbox.
    pub portal_url: String,
    /// Base URL of the caseworker UI; OE e-mails link to cases there.
    pub caseworker_url: String,
    /// Sender address of all e-mail.
    pub mail_from: String,
    /// Receives before a message is dead-lettered.
    pub max_receives: u32,
    /// Webhook secrets by `secret_ref` (from `FALLWERK_WEBHOOK_SECRET_<REF>`).
    pub webhook_secrets: HashMap<String, String>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("reference_prefix", &self.reference_prefix)
            .field("portal_url", &self.portal_url)
            .field("caseworker_url", &self.caseworker_url)
            .field("mail_from", &self.mail_from)
            .field("max_receives", &self.max_receives)
            .field(
                "webhook_secrets",
                &self.webhook_secrets.keys().collect::<Vec<_>>(),
            )
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{name} is required for the {backend} backend")]
    Missing {
        name: &'static str,
        backend: &'static str,
    },
    #[error("{name}: {reason}")]
    Invalid { name: &'static str, reason: String },
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            reference_prefix: "MV".into(),
            portal_url: "https://portal.example.org".into(),
            caseworker_url: "http://127.0.0.1:8080".into(),
            mail_from: "fallwerk@localhost".into(),
            max_receives: 5,
            webhook_secrets: HashMap::new(),
        }
    }
}

impl Settings {
    /// Reads the environment over the defaults.
    pub fn from_env() -> Result<Settings, SettingsError> {
        Self::from_vars(std::env::vars())
    }

    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, SettingsError> {
        let mut s = Settings::default();
        for (key, value) in vars {
            match key.as_str() {
                "FALLWERK_REFERENCE_PREFIX" => {
                    if value.is_empty()
                        || value.len() > 8
                        || !value.chars().all(|c| c.is_ascii_alphanumeric())
                    {
                        return Err(SettingsError::Invalid {
                            name: "FALLWERK_REFERENCE_PREFIX",
                            reason: "use 1 to 8 letters or digits".into(),
                        });
                    }
                    s.reference_prefix = value;
                }
                "FALLWERK_PORTAL_URL" => s.portal_url = value.trim_end_matches('/').to_string(),
                "FALLWERK_CASEWORKER_URL" => {
                    s.caseworker_url = value.trim_end_matches('/').to_string()
                }
                "FALLWERK_MAIL_FROM" => s.mail_from = value,
                "FALLWERK_MAX_RECEIVES" => {
                    s.max_receives = value.parse().ok().filter(|n| (1..=100).contains(n)).ok_or(
                        SettingsError::Invalid {
                            name: "FALLWERK_MAX_RECEIVES",
                            reason: "a number from 1 to 100".into(),
                        },
                    )?;
                }
                _ => {
                    if let Some(r) = key.strip_prefix("FALLWERK_WEBHOOK_SECRET_") {
                        s.webhook_secrets.insert(r.to_ascii_lowercase(), value);
                    }
                }
            }
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn reads_overrides_and_webhook_secrets_without_showing_them() {
        let s = Settings::from_vars(vars(&[
            ("FALLWERK_REFERENCE_PREFIX", "HRO"),
            ("FALLWERK_PORTAL_URL", "https://portal.mv/"),
            ("FALLWERK_WEBHOOK_SECRET_FV", "s3cr3t"),
        ]))
        .expect("settings");
        assert_eq!(s.reference_prefix, "HRO");
        assert_eq!(s.portal_url, "https://portal.mv");
        assert_eq!(
            s.webhook_secrets.get("fv").map(String::as_str),
            Some("s3cr3t")
        );
        assert!(!format!("{s:?}").contains("s3cr3t"));
    }

    #[test]
    fn refuses_bad_values_precisely() {
        let e = Settings::from_vars(vars(&[("FALLWERK_REFERENCE_PREFIX", "MV-2026")]))
            .expect_err("bad prefix");
        assert!(e.to_string().contains("FALLWERK_REFERENCE_PREFIX"));
        let e = Settings::from_vars(vars(&[("FALLWERK_MAX_RECEIVES", "0")])).expect_err("zero");
        assert!(e.to_string().contains("1 to 100"));
    }
}
