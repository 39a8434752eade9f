//! Attachment names from outside are untrusted: no paths, no control characters, no bidi or
//! other invisible formatting characters (a right-to-left override makes `rechnung\u{202E}fdp.exe`
//! show as "rechnungexe.pdf"), bounded length. Export paths are built from these names.

const MAX_NAME: usize = 120;

/// Invisible formatting characters that change how a name is displayed: bidi embeddings,
/// overrides, isolates and marks, zero-width characters, the byte order mark, soft hyphen, and
/// the other Unicode "format" (Cf) characters a file name has no use for.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{061C}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{E0000}'..='\u{E007F}')
}

/// A safe file name: the last path component, control characters and forbidden characters
/// replaced, invisible formatting characters removed, never empty.
pub fn sanitize_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !is_invisible_format(*c))
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

    #[test]
    fn removes_bidi_and_other_invisible_formatting() {
        // The right-to-left override would display this as "rechnungexe.pdf".
        assert_eq!(
            sanitize_file_name("rechnung\u{202E}fdp.exe"),
            "rechnungfdp.exe"
        );
        assert_eq!(
            sanitize_file_name("a\u{2066}b\u{2069}c\u{200B}d\u{200F}e\u{FEFF}f\u{061C}.pdf"),
            "abcdef.pdf"
        );
        assert_eq!(sanitize_file_name("\u{202E}\u{202E}"), "dokument");
        assert_eq!(sanitize_file_name("tab\there\u{85}.pdf"), "tab_here_.pdf");
    }
}
