//! Attachment names from outside are untrusted: no paths, no control characters, bounded length.

const MAX_NAME: usize = 120;

/// A safe file name: the last path component, forbidden characters replaced, never empty.
pub fn sanitize_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let bounded: String = trimmed.chars().take(MAX_NAME).collect();
    if bounded.is_empty() {
        "dokument".to_string()
    } else {
        bounded
    }
}

#[cfg(test)]
mod tests {
    use super::sanitize_file_name;

    #[test]
    fn strips_paths_and_dangerous_characters() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("C:\\Users\\x\\Antrag.pdf"), "Antrag.pdf");
        assert_eq!(sanitize_file_name("a\u{0}b<c>.pdf"), "a_b_c_.pdf");
        assert_eq!(sanitize_file_name(".hidden"), "hidden");
        assert_eq!(sanitize_file_name("   "), "dokument");
        assert_eq!(sanitize_file_name(""), "dokument");
        assert_eq!(
            sanitize_file_name("Meldebescheinigung Müller.pdf"),
            "Meldebescheinigung Müller.pdf"
        );
        assert_eq!(sanitize_file_name(&"x".repeat(500)).chars().count(), 120);
    }
}
