//! Settings shared by every binary, read from `FALLWERK_*` environment variables.

/// Installation-wide settings (no secrets: webhook secrets are read by the export worker,
/// the JWT secret lives in the data directory or a JWKS).
#[derive(Debug, Clone)]
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
    /// First retry delay of a failed message; it doubles with each receive (at most 5 minutes).
    pub retry_base_seconds: u32,
    /// Allows `http://` webhook targets (`FALLWERK_WEBHOOK_ALLOW_HTTP=true`): for tests and local
    /// receivers only; production targets must be https.
    pub webhook_allow_http: bool,
    /// `FALLWERK_USERS_FROM_TOKEN=1`: the identity provider is the source of truth for users;
    /// an unknown account is created from its token's claims (docs/ARCHITECTURE.md, "Users").
    pub users_from_token: bool,
    /// `FALLWERK_EXPORT_ROOT`: an absolute path under which directory export targets must lie
    /// (embedded default: `{data}/exports`; without it the AWS backend refuses directory targets).
    pub export_root: Option<String>,
    /// `FALLWERK_JWT_MAX_LIFETIME_HOURS`: caseworker tokens living longer are refused (default 12).
    pub jwt_max_lifetime_hours: i64,
    /// `FALLWERK_QUEUE_VISIBILITY_SECONDS`: how long a received message stays hidden before the
    /// queue hands it out again, and so how long a consumer's claim on it holds (default 120).
    pub visibility_seconds: u32,
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
            retry_base_seconds: 5,
            webhook_allow_http: false,
            users_from_token: false,
            export_root: None,
            jwt_max_lifetime_hours: 12,
            visibility_seconds: 120,
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
                "FALLWERK_WEBHOOK_ALLOW_HTTP" => {
                    s.webhook_allow_http = match value.as_str() {
                        "true" | "1" => true,
                        "false" | "0" | "" => false,
                        _ => {
                            return Err(SettingsError::Invalid {
                                name: "FALLWERK_WEBHOOK_ALLOW_HTTP",
                                reason: "true or false".into(),
                            });
                        }
                    };
                }
                "FALLWERK_USERS_FROM_TOKEN" => s.users_from_token = users_from_token(&value)?,
                "FALLWERK_JWT_MAX_LIFETIME_HOURS" => {
                    s.jwt_max_lifetime_hours = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=8760).contains(n))
                        .ok_or(SettingsError::Invalid {
                            name: "FALLWERK_JWT_MAX_LIFETIME_HOURS",
                            reason: "a number of hours from 1 to 8760".into(),
                        })?;
                }
                "FALLWERK_EXPORT_ROOT" => {
                    if !std::path::Path::new(&value).is_absolute()
                        || value.split(['/', '\\']).any(|seg| seg == "..")
                    {
                        return Err(SettingsError::Invalid {
                            name: "FALLWERK_EXPORT_ROOT",
                            reason: "an absolute path without `..`".into(),
                        });
                    }
                    s.export_root = Some(value);
                }
                "FALLWERK_QUEUE_VISIBILITY_SECONDS" => {
                    s.visibility_seconds = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=43_200).contains(n))
                        .ok_or(SettingsError::Invalid {
                            name: "FALLWERK_QUEUE_VISIBILITY_SECONDS",
                            reason: "a number of seconds from 1 to 43200".into(),
                        })?;
                }
                "FALLWERK_RETRY_BASE_SECONDS" => {
                    s.retry_base_seconds =
                        value
                            .parse()
                            .ok()
                            .filter(|n| *n <= 300)
                            .ok_or(SettingsError::Invalid {
                                name: "FALLWERK_RETRY_BASE_SECONDS",
                                reason: "a number from 0 to 300".into(),
                            })?;
                }
                _ => {}
            }
        }
        Ok(s)
    }
}

/// Parses `FALLWERK_USERS_FROM_TOKEN` (`1`/`true` or `0`/`false`/empty).
pub fn users_from_token(value: &str) -> Result<bool, SettingsError> {
    match value {
        "true" | "1" => Ok(true),
        "false" | "0" | "" => Ok(false),
        _ => Err(SettingsError::Invalid {
            name: "FALLWERK_USERS_FROM_TOKEN",
            reason: "1 or 0".into(),
        }),
    }
}

impl Settings {
    /// Where a caseworker's org units and roles come from.
    pub fn user_source(&self) -> fallwerk_core::app::UserSource {
        if self.users_from_token {
            fallwerk_core::app::UserSource::Token
        } else {
            fallwerk_core::app::UserSource::Directory
        }
    }

    /// What the queue workers need of the settings.
    /// The webhook sink's settings: secrets from `FALLWERK_WEBHOOK_SECRET_<REF>`.
    pub fn webhook(&self) -> fallwerk_workers::webhook::WebhookConfig {
        fallwerk_workers::webhook::WebhookConfig {
            allow_http: self.webhook_allow_http,
            ..Default::default()
        }
    }

    pub fn workers(&self) -> fallwerk_workers::Settings {
        fallwerk_workers::Settings {
            mail_from: self.mail_from.clone(),
            portal_url: self.portal_url.clone(),
            caseworker_url: self.caseworker_url.clone(),
            max_receives: self.max_receives,
            lease_seconds: self.visibility_seconds,
        }
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
    fn reads_overrides() {
        let s = Settings::from_vars(vars(&[
            ("FALLWERK_REFERENCE_PREFIX", "HRO"),
            ("FALLWERK_PORTAL_URL", "https://portal.mv/"),
            ("FALLWERK_MAX_RECEIVES", "3"),
        ]))
        .expect("settings");
        assert_eq!(s.reference_prefix, "HRO");
        assert_eq!(s.portal_url, "https://portal.mv");
        assert_eq!(s.max_receives, 3);
    }

    #[test]
    fn refuses_bad_values_precisely() {
        let e = Settings::from_vars(vars(&[("FALLWERK_REFERENCE_PREFIX", "MV-2026")]))
            .expect_err("bad prefix");
        assert!(e.to_string().contains("FALLWERK_REFERENCE_PREFIX"));
        let e =
            Settings::from_vars(vars(&[("FALLWERK_WEBHOOK_ALLOW_HTTP", "yes")])).expect_err("yes");
        assert!(e.to_string().contains("true or false"));
        let e = Settings::from_vars(vars(&[("FALLWERK_MAX_RECEIVES", "0")])).expect_err("zero");
        assert!(e.to_string().contains("1 to 100"));
        let e = Settings::from_vars(vars(&[("FALLWERK_QUEUE_VISIBILITY_SECONDS", "0")]))
            .expect_err("zero visibility");
        assert!(e.to_string().contains("1 to 43200"));
        let e = Settings::from_vars(vars(&[("FALLWERK_USERS_FROM_TOKEN", "ja")])).expect_err("ja");
        assert!(e.to_string().contains("FALLWERK_USERS_FROM_TOKEN"));
    }

    #[test]
    fn users_come_from_the_directory_unless_told_otherwise() {
        use fallwerk_core::app::UserSource;
        assert_eq!(Settings::default().user_source(), UserSource::Directory);
        let s = Settings::from_vars(vars(&[("FALLWERK_USERS_FROM_TOKEN", "1")])).expect("1");
        assert_eq!(s.user_source(), UserSource::Token);
    }
}
