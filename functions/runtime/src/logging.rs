//! The one logging set-up of every fallwerk process: the local binary (text on stderr), the
//! scheduler (text or JSON) and the Lambda functions (JSON lines for CloudWatch, or what Lambda's
//! log controls ask for). No personal data goes into these lines; see docs/ARCHITECTURE.md.

use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line on stdout, with the list of open spans (so the `lambda` span's
    /// request id is on every line of a request).
    Json,
    /// Human-readable lines on stderr (a terminal, `fallwerk serve`).
    Text,
}

impl LogFormat {
    /// Lambda's advanced logging control `AWS_LAMBDA_LOG_FORMAT` (`JSON` or `Text`); JSON when
    /// unset or unknown, because CloudWatch Logs Insights reads JSON fields.
    pub fn for_lambda(aws_lambda_log_format: Option<&str>) -> LogFormat {
        match aws_lambda_log_format.map(str::trim) {
            Some(f) if f.eq_ignore_ascii_case("text") => LogFormat::Text,
            _ => LogFormat::Json,
        }
    }
}

/// The level filter: `RUST_LOG` wins (any `tracing` directive), then Lambda's
/// `AWS_LAMBDA_LOG_LEVEL` (`TRACE` … `FATAL`; `FATAL` is `error` here), else `info`.
pub fn filter(rust_log: Option<&str>, aws_lambda_log_level: Option<&str>) -> EnvFilter {
    if let Some(filter) = rust_log
        .filter(|d| !d.trim().is_empty())
        .and_then(|d| EnvFilter::try_new(d).ok())
    {
        return filter;
    }
    let level = match aws_lambda_log_level
        .map(|l| l.trim().to_ascii_lowercase())
        .as_deref()
    {
        Some("trace") => "trace",
        Some("debug") => "debug",
        Some("warn") => "warn",
        Some("error") | Some("fatal") => "error",
        _ => "info",
    };
    EnvFilter::new(level)
}

/// Installs the subscriber with the filter from the environment ([`filter`]). Does nothing when
/// a subscriber is set already (tests, a second call).
pub fn init_logging(format: LogFormat) {
    let filter = filter(
        std::env::var("RUST_LOG").ok().as_deref(),
        std::env::var("AWS_LAMBDA_LOG_LEVEL").ok().as_deref(),
    );
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .with_ansi(false)
            .with_current_span(false)
            .with_span_list(true)
            .try_init(),
        LogFormat::Text => builder.with_writer(std::io::stderr).try_init(),
    };
}

/// The logging of a Lambda function: [`init_logging`] in the format `AWS_LAMBDA_LOG_FORMAT`
/// asks for.
pub fn init_lambda_logging() {
    init_logging(LogFormat::for_lambda(
        std::env::var("AWS_LAMBDA_LOG_FORMAT").ok().as_deref(),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambdas_log_format_is_json_unless_text_is_asked_for() {
        assert_eq!(LogFormat::for_lambda(None), LogFormat::Json);
        assert_eq!(LogFormat::for_lambda(Some("JSON")), LogFormat::Json);
        assert_eq!(LogFormat::for_lambda(Some("Text")), LogFormat::Text);
        assert_eq!(LogFormat::for_lambda(Some(" text ")), LogFormat::Text);
        assert_eq!(LogFormat::for_lambda(Some("xml")), LogFormat::Json);
    }

    #[test]
    fn rust_log_wins_then_lambdas_level_then_info() {
        assert_eq!(filter(Some("debug"), Some("ERROR")).to_string(), "debug");
        assert_eq!(filter(None, Some("WARN")).to_string(), "warn");
        assert_eq!(filter(None, Some("FATAL")).to_string(), "error");
        assert_eq!(filter(Some(" "), Some("TRACE")).to_string(), "trace");
        assert_eq!(filter(None, Some("loud")).to_string(), "info");
        assert_eq!(filter(None, None).to_string(), "info");
    }
}
