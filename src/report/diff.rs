//! Line diffs of page bodies, shared by the human and Markdown renderings. A diff is cut
//! after [`MAX_LINES`] lines so one long page cannot flood a terminal or a pull-request
//! comment; the renderings then say how many lines were left out.

use similar::{ChangeTag, TextDiff};

/// The most diff lines shown for one page.
pub(super) const MAX_LINES: usize = 40;

/// Unchanged lines shown around each change.
const CONTEXT: usize = 3;

/// One line of a body diff (before = the site, after = the content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Line {
    /// Only on the site: removed by the write.
    Removed(String),
    /// Only in the content: added by the write.
    Added(String),
    /// On both sides.
    Context(String),
    /// Unchanged lines skipped between two hunks.
    Gap,
}

/// A unified line diff, possibly cut short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct BodyDiff {
    pub lines: Vec<Line>,
    /// Lines of the full diff left out after [`MAX_LINES`].
    pub omitted: usize,
}

/// Diff two bodies line by line with a little context, keeping at most [`MAX_LINES`] lines.
pub(super) fn body(before: &str, after: &str) -> BodyDiff {
    let diff = TextDiff::from_lines(before, after);
    let mut all = Vec::new();
    for (i, group) in diff.grouped_ops(CONTEXT).iter().enumerate() {
        if i > 0 {
            all.push(Line::Gap);
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let text = change.value().trim_end_matches(['\n', '\r']).to_owned();
                all.push(match change.tag() {
                    ChangeTag::Delete => Line::Removed(text),
                    ChangeTag::Insert => Line::Added(text),
                    ChangeTag::Equal => Line::Context(text),
                });
            }
        }
    }
    let omitted = all.len().saturating_sub(MAX_LINES);
    all.truncate(MAX_LINES);
    BodyDiff {
        lines: all,
        omitted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_is_removed_then_added_with_context() {
        let d = body("<p>a</p>\n<p>b</p>\n", "<p>a</p>\n<p>c</p>\n");
        assert_eq!(
            d.lines,
            vec![
                Line::Context("<p>a</p>".into()),
                Line::Removed("<p>b</p>".into()),
                Line::Added("<p>c</p>".into()),
            ]
        );
        assert_eq!(d.omitted, 0);
    }

    #[test]
    fn distant_changes_are_separated_by_a_gap() {
        let before: String = (0..20).map(|i| format!("line {i}\n")).collect();
        let after = before
            .replace("line 1\n", "line one\n")
            .replace("line 18\n", "line eighteen\n");
        let d = body(&before, &after);
        assert_eq!(d.lines.iter().filter(|l| **l == Line::Gap).count(), 1);
    }

    #[test]
    fn long_diffs_are_cut_and_counted() {
        let after: String = (0..100).map(|i| format!("<p>{i}</p>\n")).collect();
        let d = body("", &after);
        assert_eq!(d.lines.len(), MAX_LINES);
        assert_eq!(d.omitted, 100 - MAX_LINES);
    }

    #[test]
    fn a_missing_final_newline_is_not_a_line_of_its_own() {
        let d = body("<p>a</p>", "<p>b</p>\n");
        assert_eq!(
            d.lines,
            vec![
                Line::Removed("<p>a</p>".into()),
                Line::Added("<p>b</p>".into())
            ]
        );
    }
}
