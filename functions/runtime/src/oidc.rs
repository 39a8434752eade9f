//! The workplace's login through the authority's OpenID provider, configured from the
//! environment for both backends (`fallwerk serve` and the casework Lambda).

use fallwerk_api::ApiState;

use crate::{Settings, SettingsError};

/// Adds the login through the authority's OpenID provider to the workplace of `state` when
/// `FALLWERK_OIDC_ISSUER` is set (then `FALLWERK_OIDC_CLIENT_ID` and `FALLWERK_OIDC_CLIENT_SECRET`
/// are required; the redirect URL is `{FALLWERK_CASEWORKER_URL}/login/oidc/callback`). The
/// provider's discovery document and keys are read now (at `now`, unix seconds), so a wrong
/// issuer fails start-up. Without a workplace (no session secret) the variables are refused.
pub async fn with_oidc_from_vars(
    state: ApiState,
    var: impl Fn(&str) -> Option<String>,
    settings: &Settings,
    now: i64,
) -> Result<ApiState, SettingsError> {
    let Some(issuer) = var("FALLWERK_OIDC_ISSUER").filter(|v| !v.trim().is_empty()) else {
        return Ok(state);
    };
    let required = |name: &'static str| {
        var(name)
            .filter(|v| !v.trim().is_empty())
            .ok_or(SettingsError::Invalid {
                name,
                reason: "required with FALLWERK_OIDC_ISSUER".into(),
            })
    };
    let client_id = required("FALLWERK_OIDC_CLIENT_ID")?;
    let client_secret = required("FALLWERK_OIDC_CLIENT_SECRET")?;
    let Some(web) = state.web.as_deref().cloned() else {
        return Err(SettingsError::Invalid {
            name: "FALLWERK_OIDC_ISSUER",
            reason: "the login pages need FALLWERK_SESSION_SECRET".into(),
        });
    };
    let oidc_settings = fallwerk_api::web::oidc::OidcSettings::new(
        &issuer,
        &client_id,
        &client_secret,
        &settings.caseworker_url,
    );
    let oidc = fallwerk_api::web::oidc::Oidc::discover(oidc_settings, settings.user_source(), now)
        .await
        .map_err(|e| SettingsError::Invalid {
            name: "FALLWERK_OIDC_ISSUER",
            reason: e.to_string(),
        })?;
    Ok(state.with_web(web.with_oidc(oidc)))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use fallwerk_core::app::SystemClock;

    use super::*;

    fn state(web: bool) -> (ApiState, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("dir");
        let embedded =
            crate::Embedded::open(dir.path(), Settings::default(), Arc::new(SystemClock))
                .expect("embedded");
        let s = if web {
            embedded.api_state()
        } else {
            ApiState::new(embedded.app.clone())
        };
        (s, dir)
    }

    async fn refused(vars: &[(&str, &str)], web: bool) -> String {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let var = |name: &str| {
            vars.iter()
                .find(|(k, _)| k.as_str() == name)
                .map(|(_, v)| v.clone())
        };
        let (state, _dir) = state(web);
        match with_oidc_from_vars(state, var, &Settings::default(), 0).await {
            Ok(_) => "accepted".into(),
            Err(e) => e.to_string(),
        }
    }

    #[tokio::test]
    async fn without_an_issuer_nothing_changes() {
        assert_eq!(refused(&[], true).await, "accepted");
        assert_eq!(
            refused(&[("FALLWERK_OIDC_ISSUER", " ")], false).await,
            "accepted"
        );
    }

    #[tokio::test]
    async fn incomplete_or_unusable_settings_are_refused_at_start() {
        let issuer = ("FALLWERK_OIDC_ISSUER", "https://idp.example.org/realms/a");
        let id = ("FALLWERK_OIDC_CLIENT_ID", "fw");
        let secret = ("FALLWERK_OIDC_CLIENT_SECRET", "geheim");
        let e = refused(&[issuer, secret], true).await;
        assert!(e.starts_with("FALLWERK_OIDC_CLIENT_ID: required"), "{e}");
        let e = refused(&[issuer, id], true).await;
        assert!(
            e.starts_with("FALLWERK_OIDC_CLIENT_SECRET: required"),
            "{e}"
        );
        let e = refused(&[issuer, id, secret], false).await;
        assert!(e.contains("FALLWERK_SESSION_SECRET"), "{e}");
        let e = refused(
            &[
                ("FALLWERK_OIDC_ISSUER", "http://idp.example.org"),
                id,
                secret,
            ],
            true,
        )
        .await;
        assert!(e.contains("must use https"), "{e}");
        // Nothing listens on port 9 of the loopback: start-up fails, naming the variable.
        let e = refused(
            &[("FALLWERK_OIDC_ISSUER", "http://127.0.0.1:9"), id, secret],
            true,
        )
        .await;
        assert!(
            e.starts_with("FALLWERK_OIDC_ISSUER: cannot read the discovery document"),
            "{e}"
        );
        assert!(!e.contains("geheim"));
    }
}
