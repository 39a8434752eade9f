//! A tiny XML 1.0 writer: element names come from this crate only, every text and attribute
//! value is escaped, and characters XML 1.0 cannot carry at all (most C0 controls, unpaired
//! surrogates cannot occur in Rust strings, U+FFFE/U+FFFF) become U+FFFD.

/// Writes an indented document into a `String`.
pub(crate) struct XmlWriter {
    out: String,
    stack: Vec<&'static str>,
}

/// Is `c` allowed in an XML 1.0 document?
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn escape_into(out: &mut String, value: &str, attribute: bool) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            // Attribute-value normalisation would turn these into spaces; keep them.
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            // A literal CR is normalised away by every parser; keep it as a reference.
            '\r' => out.push_str("&#13;"),
            c if !allowed(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

impl XmlWriter {
    pub(crate) fn new() -> Self {
        XmlWriter {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            stack: Vec::new(),
        }
    }

    fn start_tag(&mut self, name: &'static str, attrs: &[(&str, &str)]) {
        for _ in 0..self.stack.len() {
            self.out.push_str("  ");
        }
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            escape_into(&mut self.out, value, true);
            self.out.push('"');
        }
    }

    /// `<name attrs>` on its own line; children follow until [`Self::close`].
    pub(crate) fn open(&mut self, name: &'static str, attrs: &[(&str, &str)]) {
        self.start_tag(name, attrs);
        self.out.push_str(">\n");
        self.stack.push(name);
    }

    pub(crate) fn close(&mut self) {
        if let Some(name) = self.stack.pop() {
            for _ in 0..self.stack.len() {
                self.out.push_str("  ");
            }
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push_str(">\n");
        }
    }

    /// `<name attrs/>`.
    pub(crate) fn empty(&mut self, name: &'static str, attrs: &[(&str, &str)]) {
        self.start_tag(name, attrs);
        self.out.push_str("/>\n");
    }

    /// `<name attrs>text</name>` on one line.
    pub(crate) fn leaf(&mut self, name: &'static str, attrs: &[(&str, &str)], text: &str) {
        self.start_tag(name, attrs);
        self.out.push('>');
        escape_into(&mut self.out, text, false);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// Closes what is still open and returns the document.
    pub(crate) fn finish(mut self) -> String {
        while !self.stack.is_empty() {
            self.close();
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::XmlWriter;

    #[test]
    fn escapes_text_and_attributes_and_replaces_forbidden_characters() {
        let mut w = XmlWriter::new();
        w.open("a", &[("k", "x\"<&>\n\ty")]);
        w.leaf("b", &[], "1 < 2 && \u{0}\u{1b} ]]> \r");
        w.empty("c", &[]);
        let doc = w.finish();
        assert!(doc.contains("<a k=\"x&quot;&lt;&amp;&gt;&#10;&#9;y\">"));
        assert!(doc.contains("<b>1 &lt; 2 &amp;&amp; \u{FFFD}\u{FFFD} ]]&gt; &#13;</b>"));
        assert!(doc.ends_with("  <c/>\n</a>\n"));
    }
}
