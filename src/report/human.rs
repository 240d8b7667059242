//! Human output: Terraform-style plan lines with per-field changes and a line diff of the
//! body, then a summary; apply results one line per change. Alias and source columns are
//! aligned across the whole plan, and long body diffs are cut (see `diff`).

use std::fmt::Write;

use super::diff::{self, Line};
use super::{apply_counts, done_verb, no_changes, plan_counts, Style};
use crate::apply::{ApplyReport, Outcome};
use crate::menu::apply::LinkOutcome;
use crate::menu::LinkChange;
use crate::plan::{Action, Change, Field, Plan};

const GREEN: &str = "32";
const YELLOW: &str = "33";
const RED: &str = "31";
const DIM: &str = "2";

/// Where the body diff lines start.
const DIFF_INDENT: &str = "          ";
/// Where the field lines start.
const FIELD_INDENT: &str = "        ";

fn symbol(action: Action, style: &Style) -> String {
    match action {
        Action::Create => style.paint(GREEN, "+ create"),
        Action::Update => style.paint(YELLOW, "~ update"),
        Action::Delete => style.paint(RED, "- delete"),
    }
}

/// Column widths shared by every line of a plan.
#[derive(Debug, Clone, Copy)]
struct Widths {
    alias: usize,
    source: usize,
}

impl Widths {
    fn of<'a>(changes: impl Iterator<Item = &'a Change> + Clone) -> Widths {
        Widths {
            alias: changes
                .clone()
                .map(|c| c.alias.chars().count())
                .max()
                .unwrap_or(0),
            source: changes
                .map(|c| source(c).chars().count())
                .max()
                .unwrap_or(0),
        }
    }
}

fn source(change: &Change) -> String {
    change
        .source
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// The plan as people read it.
pub fn plan(plan: &Plan, style: &Style) -> String {
    let mut out = String::new();
    let widths = Widths::of(plan.changes.iter().chain(&plan.skipped));
    uploads(&mut out, plan, style);
    for change in &plan.changes {
        line(&mut out, change, widths, style);
        if change.action == Action::Update {
            fields(&mut out, change, style);
        }
    }
    for change in &plan.skipped {
        let text = format!(
            "  {}  {:aw$}  {:sw$}  {}",
            style.paint(RED, "! drift "),
            change.alias,
            source(change),
            style.paint(
                DIM,
                "(edited on the site since drupal-sync last wrote it; left as is by --on-drift skip)"
            ),
            aw = widths.alias,
            sw = widths.source,
        );
        let _ = writeln!(out, "{}", text.trim_end());
        fields(&mut out, change, style);
    }
    for change in &plan.menu {
        menu_line(&mut out, change, style);
    }
    if plan.is_empty() && plan.skipped.is_empty() {
        let _ = writeln!(out, "{}", no_changes(plan));
    } else {
        let _ = writeln!(out, "Plan: {}.", plan_counts(plan));
        if !plan.menu.is_empty() {
            let _ = writeln!(out, "Menu links: {}.", super::menu_counts(plan));
        }
    }
    for warning in &plan.warnings {
        let _ = writeln!(out, "{}: {warning}", style.paint("1;33", "warning"));
    }
    out
}

/// One line per file to upload: `+ upload  content/img/diagram.png  12.3 KB  (node/article/field_image)`
/// (not padded into columns, so the line reads the same whatever else the plan uploads).
fn uploads(out: &mut String, plan: &Plan, style: &Style) {
    for upload in &plan.uploads {
        let _ = writeln!(
            out,
            "  {}  {}  {}  {}",
            style.paint(GREEN, "+ upload"),
            upload.source,
            crate::files::human_size(upload.size),
            style.paint(DIM, &format!("({})", upload.field)),
        );
    }
}

/// `+ menu  main › Docs › Getting started  (weight 3)`, and an update's changed fields.
fn menu_line(out: &mut String, change: &LinkChange, style: &Style) {
    let symbol = match change.action {
        Action::Create => style.paint(GREEN, "+ menu"),
        Action::Update => style.paint(YELLOW, "~ menu"),
        Action::Delete => style.paint(RED, "- menu"),
    };
    let remark = match change.action {
        Action::Create => format!("(weight {})", change.weight()),
        Action::Update => change.source().map(ToString::to_string).unwrap_or_default(),
        Action::Delete => format!("({})", change.note.as_deref().unwrap_or("no source")),
    };
    let _ = writeln!(
        out,
        "{}",
        format!(
            "  {symbol}  {}  {}",
            change.path(),
            style.paint(DIM, &remark)
        )
        .trim_end()
    );
    if change.action == Action::Update {
        let width = label_width(change.fields.iter().map(|f| f.field.as_str()));
        for field in &change.fields {
            let label = format!("{}:", field.field);
            let _ = writeln!(
                out,
                "{FIELD_INDENT}{label:width$} {} -> {}",
                value(field.before.as_deref()),
                value(field.after.as_deref()),
            );
        }
    }
}

fn line(out: &mut String, change: &Change, widths: Widths, style: &Style) {
    let mut text = format!(
        "  {}  {:width$}",
        symbol(change.action, style),
        change.alias,
        width = widths.alias
    );
    match change.action {
        Action::Create => {
            let _ = write!(
                text,
                "  {:width$}  {:?}",
                source(change),
                change.title,
                width = widths.source
            );
        }
        Action::Update => {
            let _ = write!(text, "  {:width$}", source(change), width = widths.source);
        }
        Action::Delete => {
            let note = change.note.as_deref().unwrap_or("no source");
            let _ = write!(text, "  {}", style.paint(DIM, &format!("({note})")));
            if !change.title.is_empty() {
                let _ = write!(text, "  {:?}", change.title);
            }
        }
    }
    if change.drift {
        let _ = write!(
            text,
            "  {}",
            style.paint(
                RED,
                "! drift: edited on the site since drupal-sync last wrote it; overwriting those edits"
            )
        );
    } else if let (Some(note), false) = (&change.note, change.action == Action::Delete) {
        let _ = write!(text, "  {}", style.paint(DIM, &format!("({note})")));
    }
    let _ = writeln!(out, "{}", text.trim_end());
}

/// The width of the widest `name:` label, so changed fields line up.
fn label_width<'a>(names: impl Iterator<Item = &'a str>) -> usize {
    names.map(|name| name.len() + 1).max().unwrap_or(0)
}

fn fields(out: &mut String, change: &Change, style: &Style) {
    let width = label_width(change.fields.iter().map(|f| f.field.as_str()));
    for field in &change.fields {
        let label = format!("{}:", field.field);
        if field.field == Field::Body {
            let _ = writeln!(out, "{FIELD_INDENT}{label}");
            body_diff(
                out,
                field.before.as_deref().unwrap_or(""),
                field.after.as_deref().unwrap_or(""),
                style,
            );
        } else {
            let _ = writeln!(
                out,
                "{FIELD_INDENT}{label:width$} {} -> {}",
                value(field.before.as_deref()),
                value(field.after.as_deref()),
            );
        }
    }
}

/// A field value quoted, or `(none)` when the node has no value at all.
fn value(value: Option<&str>) -> String {
    value.map_or_else(|| "(none)".to_owned(), |v| format!("{v:?}"))
}

/// The body's unified line diff, cut after `diff::MAX_LINES` lines.
fn body_diff(out: &mut String, before: &str, after: &str, style: &Style) {
    let diff = diff::body(before, after);
    for line in &diff.lines {
        let text = match line {
            Line::Removed(text) => style.paint(RED, &format!("-{text}")),
            Line::Added(text) => style.paint(GREEN, &format!("+{text}")),
            Line::Context(text) => format!(" {text}"),
            Line::Gap => style.paint(DIM, "…"),
        };
        let _ = writeln!(out, "{DIFF_INDENT}{text}");
    }
    if diff.omitted > 0 {
        let _ = writeln!(
            out,
            "{DIFF_INDENT}{}",
            style.paint(
                DIM,
                &format!(
                    "… {} more line{}",
                    diff.omitted,
                    super::plural(diff.omitted)
                )
            )
        );
    }
}

/// What an apply did, one line per change, then a summary.
pub fn apply(report: &ApplyReport, style: &Style) -> String {
    let mut out = String::new();
    for upload in &report.uploads {
        let text = match &upload.outcome {
            Ok(file) => format!(
                "  {}  {}  {}",
                style.paint(GREEN, "uploaded"),
                upload.upload.source,
                style.paint(DIM, &format!("({})", file.url)),
            ),
            Err(reason) => format!(
                "  {}  {} (embedded by {}): {}",
                style.paint(RED, "failed  "),
                upload.upload.source,
                upload.upload.pages.join(", "),
                reason.replace('\n', "\n    "),
            ),
        };
        let _ = writeln!(out, "{text}");
    }
    let width = report
        .results
        .iter()
        .map(|r| r.change.alias.chars().count())
        .max()
        .unwrap_or(0);
    for result in &report.results {
        let c = &result.change;
        let text = match &result.outcome {
            Outcome::Done(node) => {
                let nid = node.as_ref().and_then(|n| n.nid).or(c.nid());
                // A `path: auto` page learns its alias from the write: say which it got.
                let given = node
                    .as_ref()
                    .and_then(|n| n.alias.as_deref())
                    .filter(|alias| c.alias == "(pathauto)" && !alias.is_empty())
                    .map(|alias| format!(", pathauto gave {alias}"))
                    .unwrap_or_default();
                format!(
                    "  {}  {:width$}  {}",
                    style.paint(GREEN, &format!("{:8}", done_verb(c.action))),
                    c.alias,
                    nid.map(|n| format!("(node {n}{given})"))
                        .unwrap_or_default(),
                )
            }
            Outcome::Failed(reason) => {
                let source = c
                    .source
                    .as_ref()
                    .map(|s| format!("{s}: "))
                    .unwrap_or_default();
                format!(
                    "  {}  {:width$}  {source}{}",
                    style.paint(RED, "failed  "),
                    c.alias,
                    reason.replace('\n', "\n    "),
                )
            }
            Outcome::NotAttempted => format!(
                "  {}  {:width$}  {}",
                style.paint(DIM, "skipped "),
                c.alias,
                style.paint(DIM, "(not attempted: the run was interrupted)"),
            ),
        };
        let _ = writeln!(out, "{}", text.trim_end());
    }
    for result in &report.menu {
        let c = &result.change;
        let text = match &result.outcome {
            LinkOutcome::Done => format!(
                "  {}  {}",
                style.paint(GREEN, &format!("{:8}", done_verb(c.action))),
                c.path()
            ),
            LinkOutcome::Failed(reason) => {
                let source = c.source().map(|s| format!("{s}: ")).unwrap_or_default();
                format!(
                    "  {}  {}  {source}{}",
                    style.paint(RED, "failed  "),
                    c.path(),
                    reason.replace('\n', "\n    "),
                )
            }
            LinkOutcome::NotAttempted => format!(
                "  {}  {}  {}",
                style.paint(DIM, "skipped "),
                c.path(),
                style.paint(DIM, "(not attempted: the run was interrupted)"),
            ),
        };
        let _ = writeln!(out, "{}", text.trim_end());
    }
    let (status, counts) = apply_counts(report);
    let _ = writeln!(out, "Apply {status}: {counts}.");
    if !report.menu.is_empty() {
        let _ = writeln!(out, "Menu links: {}.", super::menu_done_counts(report));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    fn render(plan: &Plan) -> String {
        super::plan(plan, &Style::default())
    }

    #[test]
    fn creates() {
        insta::assert_snapshot!(render(&fixtures::creates()));
    }

    #[test]
    fn format_warnings_follow_the_summary() {
        let mut plan = fixtures::creates();
        let verdict = crate::formats::check(
            "<table><tr><td>a</td></tr></table><pre>x</pre><pre>y</pre>",
            &crate::formats::TextFormat::standard("basic_html").unwrap(),
            &crate::formats::SiteOrigin::default(),
        )
        .unwrap();
        plan.warnings = vec![verdict.warning("content/guide.md", 1, "guide", "basic_html")];
        insta::assert_snapshot!(render(&plan));
    }

    #[test]
    fn update_with_title_and_body() {
        insta::assert_snapshot!(render(&fixtures::update()));
    }

    #[test]
    fn delete() {
        insta::assert_snapshot!(render(&fixtures::delete()));
    }

    #[test]
    fn drift_overwrite() {
        insta::assert_snapshot!(render(&fixtures::drift_overwrite()));
    }

    #[test]
    fn drift_skipped() {
        insta::assert_snapshot!(render(&fixtures::drift_skipped()));
    }

    #[test]
    fn no_changes() {
        let text = render(&fixtures::no_changes());
        insta::assert_snapshot!(text);
        assert_eq!(
            text,
            "No changes. The site matches the content (12 pages).\n"
        );
    }

    #[test]
    fn mixed_plan_aligns_its_columns() {
        let text = render(&fixtures::mixed());
        insta::assert_snapshot!(text);
        // Every page line's source (or delete note) starts in the same column.
        let columns: Vec<usize> = text
            .lines()
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
            .map(|l| {
                l.find(" content/")
                    .or_else(|| l.find(" (no source"))
                    .unwrap()
            })
            .collect();
        assert!(columns.len() >= 4, "{text}");
        assert!(columns.windows(2).all(|w| w[0] == w[1]), "{text}");
    }

    #[test]
    fn long_bodies_are_cut() {
        let text = render(&fixtures::long_body());
        insta::assert_snapshot!(text);
        assert!(text.contains("… 61 more lines"), "{text}");
    }

    #[test]
    fn apply_with_failure() {
        insta::assert_snapshot!(super::apply(
            &fixtures::apply_with_failure(),
            &Style::default()
        ));
    }

    #[test]
    fn apply_interrupted() {
        insta::assert_snapshot!(super::apply(
            &fixtures::apply_interrupted(),
            &Style::default()
        ));
    }

    #[test]
    fn uploads_come_first_and_are_counted() {
        let text = render(&fixtures::with_upload());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "  + upload  content/img/diagram.png  12.3 KB  (node/article/field_image)"
        );
        assert!(lines[1].starts_with("  + create  /guide"), "{text}");
        assert!(
            text.ends_with(
                "Plan: 1 to upload, 1 to create, 0 to update, 0 to delete, 1 unchanged.\n"
            ),
            "{text}"
        );
        let applied = super::apply(&fixtures::apply_with_upload(), &Style::default());
        assert!(applied.starts_with(
            "  uploaded  content/img/diagram.png  (/sites/default/files/2026-11/diagram.3f2a9c1e.png)\n"
        ), "{applied}");
        assert!(
            applied.ends_with("Apply complete: 1 uploaded, 1 created, 0 updated, 0 deleted.\n"),
            "{applied}"
        );
    }

    #[test]
    fn menu_changes() {
        let (plan, report) = fixtures::menu_changes();
        let want = [
            "  ~ menu  main › Docs  content/docs/index.md",
            "        title: \"Old docs\" -> \"Docs\"",
            "  + menu  main › Docs › A  (weight 3)",
            "  - menu  footer › A  (page `docs/a` no longer declares it)",
            "Plan: 0 to create, 0 to update, 0 to delete, 12 unchanged.",
            "Menu links: 1 to create, 1 to update, 1 to delete, 0 unchanged.",
        ];
        assert_eq!(render(&plan), want.join("\n") + "\n");
        let applied = super::apply(&report, &Style::default());
        assert!(
            applied.contains("failed    main › Docs  content/docs/index.md: HTTP 403: no"),
            "{applied}"
        );
        assert!(
            applied.contains("Menu links: 1 created, 0 updated, 1 deleted, 1 failed."),
            "{applied}"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let plan = fixtures::mixed();
        assert!(!render(&plan).contains('\x1b'));
        let coloured = super::plan(&plan, &Style { color: true });
        assert!(coloured.contains("\x1b[32m+ create\x1b[0m"), "{coloured}");
    }
}
