//! Which files may be attached, decided from their content: the name is only checked for
//! agreeing with it. The list is what a review passes around (papers, data packs, structure
//! charts, photographs of a whiteboard) and nothing that runs: no HTML or SVG, which a browser
//! would execute, no archives, and no pre-2007 Office formats, which carry macros unseen.

/// An accepted kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub media_type: &'static str,
    /// What people call it, for messages.
    pub label: &'static str,
    /// Name endings that agree with it, the usual one first.
    pub extensions: &'static [&'static str],
}

const fn kind(media_type: &'static str, label: &'static str, extensions: &'static [&'static str]) -> Kind {
    Kind { media_type, label, extensions }
}

/// Recognised from their first bytes (and, for the Office and OpenDocument formats, their
/// archive's entries).
const BINARY: &[Kind] = &[
    kind("application/pdf", "PDF document", &["pdf"]),
    kind("image/png", "PNG image", &["png"]),
    kind("image/jpeg", "JPEG image", &["jpg", "jpeg"]),
    kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document", &["docx"]),
    kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook", &["xlsx"]),
    kind("application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint deck", &["pptx"]),
    kind("application/vnd.oasis.opendocument.text", "OpenDocument text", &["odt"]),
    kind("application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet", &["ods"]),
    kind("application/vnd.oasis.opendocument.presentation", "OpenDocument presentation", &["odp"]),
];

/// Plain text has no signature: it is accepted when it is UTF-8 without control characters and
/// its name says which of these it is (or has no ending, for plain text).
const TEXT: &[Kind] = &[
    kind("text/plain", "text file", &["txt"]),
    kind("text/csv", "CSV file", &["csv"]),
    kind("text/markdown", "Markdown file", &["md"]),
];

/// Every accepted kind, for documentation and errors.
pub fn accepted() -> impl Iterator<Item = &'static Kind> {
    BINARY.iter().chain(TEXT)
}

fn extension(file_name: &str) -> Option<String> {
    let (stem, ext) = file_name.rsplit_once('.')?;
    (!stem.is_empty()).then(|| ext.to_ascii_lowercase())
}

fn is_text(content: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(content) else { return false };
    !text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// The kind of a file with this name and content, or why it is refused.
pub fn identify(file_name: &str, content: &[u8]) -> Result<Kind, String> {
    let ext = extension(file_name);
    let found = match infer::get(content) {
        Some(t) => match BINARY.iter().find(|k| k.media_type == t.mime_type()) {
            Some(k) => *k,
            None => return Err(format!("files of this type ({}) cannot be attached; {}", t.mime_type(), list())),
        },
        None if is_text(content) => match &ext {
            None => TEXT[0],
            Some(e) => match TEXT.iter().find(|k| k.extensions.contains(&e.as_str())) {
                Some(k) => *k,
                None => return Err(format!("text files named .{e} cannot be attached; {}", list())),
            },
        },
        None => return Err(format!("the file's content is not of a type that can be attached; {}", list())),
    };
    if let Some(e) = &ext
        && !found.extensions.contains(&e.as_str())
    {
        return Err(format!(
            "the file's content is a {}, but its name ends in .{e}; name it .{}",
            found.label, found.extensions[0]
        ));
    }
    Ok(found)
}

fn list() -> String {
    let names: Vec<_> = accepted().map(|k| k.extensions[0]).collect();
    format!("accepted: {}", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

    #[test]
    fn content_decides_and_the_name_must_agree() {
        assert_eq!(identify("chart.png", PNG).unwrap().media_type, "image/png");
        assert_eq!(identify("chart", PNG).unwrap().media_type, "image/png");
        let e = identify("chart.pdf", PNG).unwrap_err();
        assert!(e.contains("PNG image") && e.contains(".pdf"), "{e}");
        assert_eq!(identify("pack.pdf", b"%PDF-1.7\n...").unwrap().media_type, "application/pdf");
    }

    #[test]
    fn text_needs_a_text_name_and_no_control_characters() {
        assert_eq!(identify("figures.csv", b"year,spend\n2025,10\n").unwrap().media_type, "text/csv");
        assert_eq!(identify("notes", b"plain words").unwrap().media_type, "text/plain");
        assert!(identify("page.html", b"<script>alert(1)</script>").unwrap_err().contains("html"));
        assert!(identify("page.html", b"plain words").unwrap_err().contains(".html"));
        assert!(identify("chart.svg", b"<svg onload=alert(1)>").is_err());
        assert!(identify("odd.txt", b"bell\x07").is_err());
        assert!(identify("latin1.txt", b"caf\xe9").is_err());
    }

    #[test]
    fn programs_and_archives_are_refused_whatever_their_name() {
        assert!(identify("report.pdf", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff").is_err());
        assert!(identify("run.txt", b"\x7fELF\x02\x01\x01\0").is_err());
        assert!(identify("pack.zip", b"PK\x03\x04\x14\0\0\0\0\0").is_err());
    }
}
