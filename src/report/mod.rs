//! Renderings of plans, apply reports and diagnostics: `human` for terminals and logs,
//! `json` for pipelines, `markdown` for pull-request comments and step summaries, `github`
//! for GitHub Actions workflow commands, and `progress` for the bar shown while applying.
//! Renderers are pure: they take values and return strings. Only `github` (the step summary
//! file) and `progress` (the terminal) do I/O, and neither decides *whether* to: the caller does.

mod diff;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod progress;

#[cfg(test)]
pub(crate) mod fixtures;

use crate::apply::{ApplyReport, Outcome};
use crate::plan::{Action, Plan};

/// How human output is styled.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Use ANSI colours.
    pub color: bool,
}

impl Style {
    /// Wrap `text` in an ANSI colour `code` when colour is on.
    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// The plan's counts, as every rendering words them:
/// `1 to create, 1 to update, 1 to delete, 12 unchanged[, 1 skipped (drift)]`.
fn plan_counts(plan: &Plan) -> String {
    let mut text = upload_count(plan);
    text += &format!(
        "{} to create, {} to update, {} to delete, {} unchanged",
        plan.count(Action::Create),
        plan.count(Action::Update),
        plan.count(Action::Delete),
        plan.unchanged,
    );
    if !plan.skipped.is_empty() {
        text.push_str(&format!(", {} skipped (drift)", plan.skipped.len()));
    }
    text
}

/// `2 to upload, ` when the plan uploads files; empty otherwise.
fn upload_count(plan: &Plan) -> String {
    match plan.uploads.len() {
        0 => String::new(),
        n => format!("{n} to upload, "),
    }
}

/// `2 uploaded, ` (and failed uploads) when the apply uploaded files; empty otherwise.
fn uploaded_count(report: &ApplyReport) -> String {
    let failed = report.uploads.iter().filter(|u| u.outcome.is_err()).count();
    let done = report.uploads.len() - failed;
    match (done, failed) {
        (0, 0) => String::new(),
        (done, 0) => format!("{done} uploaded, "),
        (done, failed) => format!(
            "{done} uploaded, {failed} upload{} failed, ",
            if failed == 1 { "" } else { "s" }
        ),
    }
}

/// The plan's menu link counts: `2 to create, 1 to update, 0 to delete, 7 unchanged`.
fn menu_counts(plan: &Plan) -> String {
    format!(
        "{} to create, {} to update, {} to delete, {} unchanged",
        plan.menu_count(Action::Create),
        plan.menu_count(Action::Update),
        plan.menu_count(Action::Delete),
        plan.menu_unchanged,
    )
}

/// What an apply did to menu links: `2 created, 1 updated, 0 deleted[, 1 failed]`.
fn menu_done_counts(report: &ApplyReport) -> String {
    let done = |action: Action| {
        report
            .menu
            .iter()
            .filter(|r| {
                r.change.action == action && r.outcome == crate::menu::apply::LinkOutcome::Done
            })
            .count()
    };
    let mut text = format!(
        "{} created, {} updated, {} deleted",
        done(Action::Create),
        done(Action::Update),
        done(Action::Delete),
    );
    let failed = report.menu_failures().count();
    if failed > 0 {
        text.push_str(&format!(", {failed} failed"));
    }
    text
}

/// The sentence for a plan that changes nothing.
fn no_changes(plan: &Plan) -> String {
    let links = match plan.menu_unchanged {
        0 => String::new(),
        1 => ", 1 menu link".to_owned(),
        n => format!(", {n} menu links"),
    };
    format!(
        "No changes. The site matches the content ({} page{}{links}).",
        plan.unchanged,
        if plan.unchanged == 1 { "" } else { "s" }
    )
}

/// `complete` or `incomplete`, and the counts of an apply:
/// `1 created, 1 updated, 0 deleted[, 1 failed][, 2 not attempted (interrupted)]`.
fn apply_counts(report: &ApplyReport) -> (&'static str, String) {
    let status = if report.success() {
        "complete"
    } else {
        "incomplete"
    };
    let mut text = uploaded_count(report);
    text += &format!(
        "{} created, {} updated, {} deleted",
        report.done(Action::Create),
        report.done(Action::Update),
        report.done(Action::Delete),
    );
    let failed = report.failures().count();
    if failed > 0 {
        text.push_str(&format!(", {failed} failed"));
    }
    let not_attempted = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::NotAttempted))
        .count();
    if not_attempted > 0 {
        text.push_str(&format!(", {not_attempted} not attempted (interrupted)"));
    }
    (status, text)
}

/// The past tense of an action, for apply results.
fn done_verb(action: Action) -> &'static str {
    match action {
        Action::Create => "created",
        Action::Update => "updated",
        Action::Delete => "deleted",
    }
}
