//! Export targets are checked when an admin configures them (admin API and `fallwerk admin
//! apply`), not only when the first export fails: webhooks must be https (http only with the
//! installation's allow-http setting), directories must lie under the configured export root.
//! The directory sink resolves paths with the same function, so a target stored before these
//! checks cannot escape the root either.

use std::path::{Component, Path, PathBuf};

use super::{AppConfig, AppError, is_invisible_format};
use fallwerk_events::ExportTarget;

/// Checks `target` against the installation's settings.
pub fn check_export_target(config: &AppConfig, target: &ExportTarget) -> Result<(), AppError> {
    match target {
        ExportTarget::Webhook { url, .. } => check_webhook_url(url, config.webhook_allow_http)
            .map_err(|reason| AppError::invalid("export_target.url", reason)),
        ExportTarget::Directory { path } => {
            let root = config.export_root.as_deref().ok_or_else(|| {
                AppError::invalid(
                    "export_target.path",
                    "directory exports need an export root (FALLWERK_EXPORT_ROOT)",
                )
            })?;
            resolve_directory(Path::new(root), path)
                .map(|_| ())
                .map_err(|reason| AppError::invalid("export_target.path", reason))
        }
        ExportTarget::S3 { bucket, .. } => {
            if bucket.trim().is_empty() {
                Err(AppError::invalid(
                    "export_target.bucket",
                    "must not be empty",
                ))
            } else {
                Ok(())
            }
        }
    }
}

/// `https://host[:port]/...` (or `http://` when allowed): a host, no spaces, no control
/// characters, no credentials in the URL.
pub fn check_webhook_url(url: &str, allow_http: bool) -> Result<(), String> {
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        if !allow_http {
            return Err("must be an https:// URL".into());
        }
        rest
    } else {
        return Err("must be an https:// URL".into());
    };
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || is_invisible_format(c))
    {
        return Err("must not contain spaces or control characters".into());
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("must not contain credentials".into());
    }
    let host = authority
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(authority, |(host, _)| host);
    if host.is_empty() {
        return Err("must name a host".into());
    }
    Ok(())
}

/// Where a directory target's packages go: a relative `path` lies under `root`; an absolute one
/// must already lie under it. `..`, control and invisible formatting characters are refused.
pub fn resolve_directory(root: &Path, path: &str) -> Result<PathBuf, String> {
    if path
        .chars()
        .any(|c| c.is_control() || is_invisible_format(c))
    {
        return Err("must not contain control characters".into());
    }
    let given = Path::new(path);
    if given
        .components()
        .any(|c| matches!(c, Component::ParentDir))
    {
        return Err("must not contain `..`".into());
    }
    let resolved = if given.is_absolute() {
        given.to_path_buf()
    } else {
        root.join(given)
    };
    if resolved.starts_with(root) {
        Ok(resolved)
    } else {
        Err(format!("must lie under the export root {}", root.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls() {
        assert!(check_webhook_url("https://dms.amt.example/hook", false).is_ok());
        assert!(check_webhook_url("https://dms.amt.example:8443", false).is_ok());
        assert!(check_webhook_url("http://127.0.0.1:9000/hook", false).is_err());
        assert!(check_webhook_url("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(check_webhook_url("ftp://dms.amt.example", true).is_err());
        assert!(check_webhook_url("https://", false).is_err());
        assert!(check_webhook_url("https://:443/x", false).is_err());
        assert!(check_webhook_url("https://user:pw@dms.example/", false).is_err());
        assert!(check_webhook_url("https://dms.example/a b", false).is_err());
        assert!(check_webhook_url("dms.example", false).is_err());
    }

    #[test]
    fn directories_stay_under_the_root() {
        let root = Path::new("/srv/fallwerk/exports");
        assert_eq!(
            resolve_directory(root, "dms").expect("relative"),
            PathBuf::from("/srv/fallwerk/exports/dms")
        );
        assert_eq!(
            resolve_directory(root, "/srv/fallwerk/exports/a/b").expect("absolute inside"),
            PathBuf::from("/srv/fallwerk/exports/a/b")
        );
        assert!(resolve_directory(root, "/srv/fallwerk/exports").is_ok());
        assert!(resolve_directory(root, "../etc").is_err());
        assert!(resolve_directory(root, "a/../../etc").is_err());
        assert!(resolve_directory(root, "/srv/fallwerk/exports/../secrets").is_err());
        assert!(resolve_directory(root, "/etc/cron.d").is_err());
        assert!(resolve_directory(root, "/srv/fallwerk/exports-other").is_err());
        assert!(resolve_directory(root, "dms\u{202E}").is_err());
    }
}
