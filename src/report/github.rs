//! GitHub Actions: workflow-command annotations (`::error file=…,line=…::…`), which put a
//! message on the line of the file in a pull request, and the job's step summary, the
//! Markdown page a run shows (`$GITHUB_STEP_SUMMARY`). Whether the run is under GitHub
//! Actions is the caller's decision (`Output::github`).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

/// The environment variable naming the step summary file.
const STEP_SUMMARY: &str = "GITHUB_STEP_SUMMARY";

/// Append `markdown` to the file named by `$GITHUB_STEP_SUMMARY`; nothing when it is unset.
pub fn append_step_summary(markdown: &str) -> std::io::Result<()> {
    match std::env::var_os(STEP_SUMMARY) {
        Some(path) if !path.is_empty() => append(Path::new(&path), markdown),
        _ => Ok(()),
    }
}

/// Append `markdown` to `path` as a block of its own (a step may write several).
fn append(path: &Path, markdown: &str) -> std::io::Result<()> {
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    let mut text = String::with_capacity(markdown.len() + 2);
    text.push_str(markdown);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push('\n');
    file.write_all(text.as_bytes())
}

/// A workflow command annotating `file` at `line` (`kind`: `error`, `warning` or `notice`),
/// escaped as GitHub requires. Line 0 (a problem with a whole file) annotates the file.
pub fn annotation(kind: &str, file: &str, line: usize, message: &str) -> String {
    command(kind, file, line, None, message)
}

/// Like [`annotation`], with a 1-based column.
pub fn annotation_at(kind: &str, file: &str, line: usize, col: usize, message: &str) -> String {
    command(kind, file, line, Some(col), message)
}

fn command(kind: &str, file: &str, line: usize, col: Option<usize>, message: &str) -> String {
    let mut properties = format!("file={}", property(file));
    if line > 0 {
        properties.push_str(&format!(",line={line}"));
        if let Some(col) = col.filter(|c| *c > 0) {
            properties.push_str(&format!(",col={col}"));
        }
    }
    format!("::{kind} {properties}::{}", data(message))
}

/// Escape a command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a command's property value: like [`data`], and `:` and `,`, which separate properties.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations() {
        assert_eq!(
            annotation("error", "content/about.md", 3, "missing `title`"),
            "::error file=content/about.md,line=3::missing `title`"
        );
        assert_eq!(
            annotation_at("warning", "content/a.md", 2, 7, "unknown key"),
            "::warning file=content/a.md,line=2,col=7::unknown key"
        );
        assert_eq!(
            annotation("error", "content", 0, "unreadable"),
            "::error file=content::unreadable"
        );
    }

    #[test]
    fn annotations_are_escaped() {
        assert_eq!(
            annotation(
                "error",
                "content/a,b:c%.md",
                1,
                "100% wrong: a, b\r\nhint: fix"
            ),
            "::error file=content/a%2Cb%3Ac%25.md,line=1::100%25 wrong: a, b%0D%0Ahint: fix"
        );
    }

    #[test]
    fn the_step_summary_is_appended_to() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.md");
        std::fs::write(&path, "earlier step\n").unwrap();
        append(&path, "### plan\n\nNo changes.").unwrap();
        append(&path, "### apply\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "earlier step\n### plan\n\nNo changes.\n\n### apply\n\n"
        );
    }
}
