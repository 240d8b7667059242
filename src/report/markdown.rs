//! Markdown for pull-request comments and GitHub step summaries: a table of the pages that
//! change, the summary line, and each page's field changes and body diff in a collapsible
//! `<details>` block. Every value that comes from the content or the site is escaped, so a
//! title with `|` or `<` cannot break the table or inject markup. Output stays under
//! GitHub's comment limit: past [`MAX_LEN`] characters, further rows and diffs are counted
//! instead of shown.

use std::fmt::Write;

use super::diff::{self, Line};
use super::{apply_counts, done_verb, no_changes, plan_counts};
use crate::apply::{ApplyReport, Outcome};
use crate::menu::apply::LinkOutcome;
use crate::plan::{Action, Change, Field, Plan};

/// Roughly where a rendering stops adding rows and diffs (GitHub refuses comments over
/// 65,536 characters; the rest leaves room for the closing lines).
pub const MAX_LEN: usize = 60_000;

fn marker(action: Action) -> &'static str {
    match action {
        Action::Create => "`+ create`",
        Action::Update => "`~ update`",
        Action::Delete => "`- delete`",
    }
}

/// The plan as a Markdown comment.
pub fn plan(plan: &Plan, site: &str) -> String {
    let mut out = format!("### drupal-sync plan for {}\n\n", text(site));
    if plan.is_empty() && plan.skipped.is_empty() {
        let _ = writeln!(out, "**{}**", no_changes(plan));
        out.push_str(&format_warnings(plan));
        return out;
    }
    let _ = writeln!(out, "**Plan:** {}.\n", plan_counts(plan));
    if !plan.uploads.is_empty() {
        out.push_str("| Upload | Size | Field | Embedded by |\n|---|---|---|---|\n");
        for upload in &plan.uploads {
            let _ = writeln!(
                out,
                "| `+ upload` {} | {} | `{}` | {} |",
                text(&upload.source),
                crate::files::human_size(upload.size),
                upload.field,
                text(&upload.pages.join(", ")),
            );
        }
        out.push('\n');
    }
    out.push_str("| Action | Alias | Source | Changes |\n|---|---|---|---|\n");
    let pages: Vec<(&Change, bool)> = plan
        .changes
        .iter()
        .map(|c| (c, false))
        .chain(plan.skipped.iter().map(|c| (c, true)))
        .collect();
    let mut shown = 0;
    for (change, skipped) in &pages {
        if out.len() > MAX_LEN / 2 {
            break;
        }
        let action = if *skipped {
            "`! drift`"
        } else {
            marker(change.action)
        };
        let _ = writeln!(
            out,
            "| {action} | {} | {} | {} |",
            text(&change.alias),
            change
                .source
                .as_ref()
                .map_or_else(|| "-".to_owned(), |s| text(&s.to_string())),
            what_changes(change, *skipped),
        );
        shown += 1;
    }
    if shown < pages.len() {
        let _ = writeln!(
            out,
            "| | {} more page{} | | |",
            pages.len() - shown,
            plural(pages.len() - shown)
        );
    }
    menu_table(&mut out, plan);
    out.push_str(&format_warnings(plan));

    let mut left_out = 0;
    for (change, skipped) in pages.iter().filter(|(c, _)| !c.fields.is_empty()) {
        let block = details(change, *skipped);
        if out.len() + block.len() > MAX_LEN {
            left_out += 1;
        } else {
            out.push('\n');
            out.push_str(&block);
        }
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "\n*{left_out} more page{} not shown here; run `drupal-sync plan` for the full diff.*",
            plural(left_out)
        );
    }
    out
}

/// The pages whose text format drops markup, as a list under a heading.
fn format_warnings(plan: &Plan) -> String {
    if plan.warnings.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n**What visitors will not see:**\n\n");
    for warning in &plan.warnings {
        let _ = writeln!(out, "- {}", text(&warning.to_string()));
    }
    out
}

/// The menu link changes: a summary line and one row per link.
fn menu_table(out: &mut String, plan: &Plan) {
    if plan.menu.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n**Menu links:** {}.\n", super::menu_counts(plan));
    out.push_str("| Action | Menu link | Source | Changes |\n|---|---|---|---|\n");
    let mut shown = 0;
    for change in &plan.menu {
        if out.len() > MAX_LEN / 2 {
            break;
        }
        let action = match change.action {
            Action::Create => "`+ menu`",
            Action::Update => "`~ menu`",
            Action::Delete => "`- menu`",
        };
        let what = match change.action {
            Action::Create => format!("weight {}", change.weight()),
            Action::Update => change
                .fields
                .iter()
                .map(|f| {
                    format!(
                        "{}: {} → {}",
                        f.field,
                        text(f.before.as_deref().unwrap_or("")),
                        text(f.after.as_deref().unwrap_or(""))
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            Action::Delete => text(change.note.as_deref().unwrap_or("")),
        };
        let _ = writeln!(
            out,
            "| {action} | {} | {} | {what} |",
            text(&change.path()),
            change
                .source()
                .map_or_else(|| "-".to_owned(), |s| text(&s.to_string())),
        );
        shown += 1;
    }
    if shown < plan.menu.len() {
        let _ = writeln!(
            out,
            "| | {} more menu link{} | | |",
            plan.menu.len() - shown,
            plural(plan.menu.len() - shown)
        );
    }
}

/// The table's last column: what the change does to the page.
fn what_changes(change: &Change, skipped: bool) -> String {
    let mut cell = match change.action {
        Action::Create => format!("new page \"{}\"", text(&change.title)),
        Action::Update => field_names(change),
        Action::Delete => format!("removes \"{}\"", text(&change.title)),
    };
    if skipped {
        cell.push_str("; **drift:** edited on the site, left as is (`--on-drift skip`)");
    } else if change.drift {
        cell.push_str("; **drift:** overwrites edits made on the site");
    } else if let Some(note) = &change.note {
        let _ = write!(cell, " ({})", text(note));
    }
    cell
}

fn field_names(change: &Change) -> String {
    change
        .fields
        .iter()
        .map(|f| f.field.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A collapsible block with a page's field changes and its body diff. A new page's fields
/// are listed with their values only (there is nothing before).
fn details(change: &Change, skipped: bool) -> String {
    let mut out = format!(
        "<details><summary>{} {}{}{}</summary>\n\n",
        if skipped {
            "! drift"
        } else {
            marker(change.action).trim_matches('`')
        },
        html(&change.alias),
        change
            .source
            .as_ref()
            .map(|s| format!(" ({})", html(&s.to_string())))
            .unwrap_or_default(),
        if change.action == Action::Create {
            String::new()
        } else {
            format!(": {}", html(&field_names(change)))
        },
    );
    let mut body = None;
    for field in &change.fields {
        if field.field == Field::Body {
            body = Some(field);
            continue;
        }
        let value =
            |v: Option<&str>| v.map_or_else(|| "(none)".to_owned(), |v| format!("\"{}\"", text(v)));
        if change.action == Action::Create {
            let _ = writeln!(out, "- {}: {}", field.field, value(field.after.as_deref()));
        } else {
            let _ = writeln!(
                out,
                "- {}: {} → {}",
                field.field,
                value(field.before.as_deref()),
                value(field.after.as_deref())
            );
        }
    }
    if let Some(body) = body {
        let diff = diff::body(
            body.before.as_deref().unwrap_or(""),
            body.after.as_deref().unwrap_or(""),
        );
        let lines: Vec<String> = diff
            .lines
            .iter()
            .map(|line| match line {
                Line::Removed(t) => format!("-{t}"),
                Line::Added(t) => format!("+{t}"),
                Line::Context(t) => format!(" {t}"),
                Line::Gap => "@@ … @@".to_owned(),
            })
            .collect();
        let fence = fence(&lines);
        if change.fields.len() > 1 {
            out.push('\n');
        }
        let _ = writeln!(out, "{fence}diff\n{}\n{fence}", lines.join("\n"));
        if diff.omitted > 0 {
            let _ = writeln!(
                out,
                "\n… {} more line{}",
                diff.omitted,
                plural(diff.omitted)
            );
        }
    }
    out.push_str("\n</details>\n");
    out
}

/// A code fence longer than any run of backticks in `lines`, so a body cannot close it.
fn fence(lines: &[String]) -> String {
    let longest = lines
        .iter()
        .flat_map(|l| l.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// What an apply did, as a Markdown step summary.
pub fn apply(report: &ApplyReport, site: &str) -> String {
    let mut out = format!("### drupal-sync apply to {}\n\n", text(site));
    if report.results.is_empty() && report.menu.is_empty() && !report.interrupted {
        out.push_str("**Apply complete:** nothing to change; the site matches the content.\n");
        return out;
    }
    let (status, counts) = apply_counts(report);
    let _ = writeln!(out, "**Apply {status}:** {counts}.");
    if !report.uploads.is_empty() {
        out.push_str("\n| Upload | Result |\n|---|---|\n");
        for upload in &report.uploads {
            let result = match &upload.outcome {
                Ok(file) => format!("uploaded: {}", text(&file.url)),
                Err(reason) => format!("**failed**: {}", text(reason)),
            };
            let _ = writeln!(out, "| {} | {result} |", text(&upload.upload.source));
        }
    }
    out.push_str("\n| Result | Action | Alias | Source | Details |\n|---|---|---|---|---|\n");
    let mut shown = 0;
    for result in &report.results {
        if out.len() > MAX_LEN {
            break;
        }
        let c = &result.change;
        let (outcome, detail) = match &result.outcome {
            Outcome::Done(node) => (
                done_verb(c.action).to_owned(),
                node.as_ref()
                    .and_then(|n| n.nid)
                    .or(c.nid())
                    .map(|n| format!("node {n}"))
                    .unwrap_or_default(),
            ),
            Outcome::Failed(reason) => ("**failed**".to_owned(), text(reason)),
            Outcome::NotAttempted => (
                "not attempted".to_owned(),
                "the run was interrupted".to_owned(),
            ),
        };
        let _ = writeln!(
            out,
            "| {outcome} | {} | {} | {} | {detail} |",
            marker(c.action),
            text(&c.alias),
            c.source
                .as_ref()
                .map_or_else(|| "-".to_owned(), |s| text(&s.to_string())),
        );
        shown += 1;
    }
    if shown < report.results.len() {
        let rest = report.results.len() - shown;
        let _ = writeln!(out, "| | | {rest} more page{} | | |", plural(rest));
    }
    if !report.menu.is_empty() {
        let _ = writeln!(
            out,
            "\n**Menu links:** {}.\n\n| Result | Menu link | Details |\n|---|---|---|",
            super::menu_done_counts(report)
        );
        for result in &report.menu {
            if out.len() > MAX_LEN {
                break;
            }
            let (outcome, detail) = match &result.outcome {
                LinkOutcome::Done => (done_verb(result.change.action).to_owned(), String::new()),
                LinkOutcome::Failed(reason) => ("**failed**".to_owned(), text(reason)),
                LinkOutcome::NotAttempted => (
                    "not attempted".to_owned(),
                    "the run was interrupted".to_owned(),
                ),
            };
            let _ = writeln!(
                out,
                "| {outcome} | {} | {detail} |",
                text(&result.change.path())
            );
        }
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Escape text for Markdown inline content, including table cells: punctuation that could
/// start markup is backslash-escaped, and line breaks become `<br>`.
fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            _ => out.push(c),
        }
    }
    out
}

/// Escape text for HTML (inside `<summary>`, where Markdown is not read).
fn html(raw: &str) -> String {
    raw.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn uploads_get_their_table() {
        let text = super::plan(&crate::report::fixtures::with_upload(), "https://x");
        assert!(
            text.contains("**Plan:** 1 to upload, 1 to create"),
            "{text}"
        );
        assert!(text.contains("| `+ upload` content/img/diagram.png | 12.3 KB | `node/article/field_image` | content/guide.md |"), "{text}");
        let applied = super::apply(&crate::report::fixtures::apply_with_upload(), "https://x");
        assert!(applied.contains("| content/img/diagram.png | uploaded: /sites/default/files/2026-11/diagram.3f2a9c1e.png |"), "{applied}");
    }

    use super::*;
    use crate::report::fixtures::{self, SITE};

    #[test]
    fn mixed_plan() {
        insta::assert_snapshot!(plan(&fixtures::mixed(), SITE));
    }

    #[test]
    fn creates() {
        insta::assert_snapshot!(plan(&fixtures::creates(), SITE));
    }

    #[test]
    fn drift_skipped() {
        insta::assert_snapshot!(plan(&fixtures::drift_skipped(), SITE));
    }

    #[test]
    fn no_changes() {
        assert_eq!(
            plan(&fixtures::no_changes(), SITE),
            "### drupal-sync plan for https://www.example.com\n\n**No changes. The site matches the content (12 pages).**\n"
        );
    }

    #[test]
    fn long_body_is_cut() {
        let text = plan(&fixtures::long_body(), SITE);
        assert!(text.contains("\n… 61 more lines\n"), "{text}");
        assert_eq!(text.matches("\n+<p>Rule").count(), diff::MAX_LINES - 1);
    }

    #[test]
    fn apply_with_failure() {
        insta::assert_snapshot!(apply(&fixtures::apply_with_failure(), SITE));
    }

    #[test]
    fn apply_interrupted() {
        insta::assert_snapshot!(apply(&fixtures::apply_interrupted(), SITE));
    }

    #[test]
    fn apply_with_nothing_to_do() {
        assert_eq!(
            apply(&ApplyReport::default(), SITE),
            "### drupal-sync apply to https://www.example.com\n\n**Apply complete:** nothing to change; the site matches the content.\n"
        );
    }

    #[test]
    fn cells_cannot_break_the_table() {
        let cell = text("a | b\nc\r\nd <script> `x` *y*");
        assert_eq!(cell, r"a \| b<br>c<br>d \<script\> \`x\` \*y\*");
        assert!(!cell.contains('\n'));
        // Every row of a plan has exactly the header's four cells.
        let rendered = plan(&fixtures::creates(), SITE);
        for row in rendered.lines().filter(|l| l.starts_with('|')) {
            let unescaped = row.replace(r"\|", "");
            assert_eq!(unescaped.matches('|').count(), 5, "{row}");
        }
    }

    #[test]
    fn a_body_with_backticks_cannot_close_the_fence() {
        let lines = vec!["+```".to_owned(), "+````".to_owned()];
        assert_eq!(fence(&lines), "`````");
        assert_eq!(fence(&["+plain".to_owned()]), "```");
    }

    #[test]
    fn huge_plans_stay_under_the_comment_limit() {
        let mut plan = fixtures::long_body();
        let change = plan.changes[0].clone();
        plan.changes = (0..2000)
            .map(|i| {
                let mut c = change.clone();
                c.alias = format!("/handbook-{i}");
                c
            })
            .collect();
        let text = super::plan(&plan, SITE);
        assert!(text.len() < 65_536, "{}", text.len());
        assert!(text.contains("more pages |"), "rows are counted");
        assert!(
            text.contains("more pages not shown here"),
            "diffs are counted"
        );
    }

    #[test]
    fn menu_changes_get_their_own_table() {
        let (plan, report) = fixtures::menu_changes();
        let text = super::plan(&plan, "https://example.com");
        assert!(
            text.contains("**Menu links:** 1 to create, 1 to update, 1 to delete, 0 unchanged."),
            "{text}"
        );
        assert!(
            text.contains("| `+ menu` | main › Docs › A | content/docs/a.md | weight 3 |"),
            "{text}"
        );
        assert!(
            text.contains(
                "| `~ menu` | main › Docs | content/docs/index.md | title: Old docs → Docs |"
            ),
            "{text}"
        );
        let text = super::apply(&report, "https://example.com");
        assert!(
            text.contains("| **failed** | main › Docs | HTTP 403: no |"),
            "{text}"
        );
        assert!(!text.contains("nothing to change"), "{text}");
    }
}
