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
    let oidc =
        fallwerk_api::web::oidc::Oidc::discover(oidc_settings, settings.user_source(), now)
            .await
            .map_err(|e| SettingsError::Invalid {
                name: "FALLWERK_OIDC_ISSUER",
                reason: e.to_string(),
            })?;
    Ok(state.with_web(web.with_oidc(oidc)))
}

