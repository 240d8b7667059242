//! Executes a [`Plan`] against the site with bounded concurrency and reports what happened
//! to each change. A write whose outcome is unknown (timeout, dropped connection, 5xx, or
//! Drupal's 500 for a duplicate REST uuid) is never repeated blindly: the page is read back
//! first, and the write is repeated only if it did not land — so a page is never created twice.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::stream::{self, StreamExt};

use crate::drupal::client::backoff;
use crate::drupal::{DrupalError, Site};
use crate::page::{Page, RemotePage};
use crate::plan::{self, Action, Change, Field, Plan};
use crate::verify;

/// How many times a change is attempted before it is reported as failed.
const MAX_ATTEMPTS: u32 = 6;

/// How to apply.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Concurrent write requests.
    pub parallelism: usize,
    /// The configured revision log message.
    pub revision_log: String,
}

/// What happened to one change.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Written; the node as the site answered (none for a deletion).
    Done(Option<Box<RemotePage>>),
    /// Failed, with the reason.
    Failed(String),
    /// Not attempted (the run was interrupted first).
    NotAttempted,
}

/// One change and its outcome.
#[derive(Debug, Clone)]
pub struct ChangeResult {
    pub change: Change,
    pub outcome: Outcome,
}

/// The result of an apply.
#[derive(Debug, Clone, Default)]
pub struct ApplyReport {
    pub results: Vec<ChangeResult>,
    /// Menu link changes and their outcomes.
    pub menu: Vec<crate::menu::apply::LinkResult>,
    /// The run was interrupted (Ctrl-C) before every change was attempted.
    pub interrupted: bool,
    /// The uploads made before the pages were written, in plan order.
    pub uploads: Vec<crate::files::UploadResult>,
}

impl ApplyReport {
    /// Changes that failed.
    pub fn failures(&self) -> impl Iterator<Item = &ChangeResult> {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
    }

    /// Whether every change was applied.
    pub fn success(&self) -> bool {
        !self.interrupted
            && self.uploads.iter().all(|u| u.outcome.is_ok())
            && self
                .results
                .iter()
                .all(|r| matches!(r.outcome, Outcome::Done(_)))
            && self
                .menu
                .iter()
                .all(|r| r.outcome == crate::menu::apply::LinkOutcome::Done)
    }

    /// Menu link changes that failed.
    pub fn menu_failures(&self) -> impl Iterator<Item = &crate::menu::apply::LinkResult> {
        self.menu
            .iter()
            .filter(|r| matches!(r.outcome, crate::menu::apply::LinkOutcome::Failed(_)))
    }

    /// The closing line of a run that did not apply everything, counting what failed, what was
    /// not attempted and what was applied; `None` when every change was applied.
    pub fn shortfall(&self) -> Option<String> {
        let total = self.results.len() + self.menu.len();
        let failed = self.failures().count() + self.menu_failures().count();
        let skipped = self
            .results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::NotAttempted))
            .count()
            + self
                .menu
                .iter()
                .filter(|r| r.outcome == crate::menu::apply::LinkOutcome::NotAttempted)
                .count();
        let applied = total - failed - skipped;
        if failed == 0 && skipped == 0 && !self.interrupted {
            return None;
        }
        let changes = |n: usize| format!("{n} change{}", if n == 1 { "" } else { "s" });
        let mut parts = Vec::new();
        if failed > 0 {
            parts.push(if failed == total {
                match total {
                    1 => "the change failed".to_owned(),
                    _ => format!("all {total} changes failed"),
                }
            } else {
                format!("{failed} of {} failed", changes(total))
            });
        }
        if skipped > 0 {
            parts.push(format!("{} not attempted (interrupted)", changes(skipped)));
        } else if self.interrupted {
            parts.push("interrupted".to_owned());
        }
        parts.push(match applied {
            0 => "nothing was applied".to_owned(),
            n if n == total => format!("all {} applied", changes(n)),
            n => format!("{} applied", changes(n)),
        });
        let mut line = parts.join("; ");
        if failed > 0 {
            line.push_str(" (each failure is listed above with its file)");
        }
        if skipped > 0 || self.interrupted {
            line.push_str("; run apply again to finish");
        }
        Some(line)
    }

    /// How many changes of `action` were applied.
    pub fn done(&self, action: Action) -> usize {
        self.results
            .iter()
            .filter(|r| r.change.action == action && matches!(r.outcome, Outcome::Done(_)))
            .count()
    }
}

/// Apply every change of `plan`, `parallelism` at a time. `stop` set (Ctrl-C) means: start
/// nothing new, let writes in flight finish. `on_done` sees each result as it completes.
pub async fn apply(
    site: &Site,
    plan: &Plan,
    options: &ApplyOptions,
    stop: Arc<AtomicBool>,
    on_done: &(dyn Fn(&ChangeResult) + Sync),
) -> ApplyReport {
    let results: Vec<ChangeResult> = stream::iter(plan.changes.iter())
        .map(|change| {
            let stop = stop.clone();
            async move {
                let outcome = if stop.load(Ordering::SeqCst) {
                    Outcome::NotAttempted
                } else {
                    match execute(site, change, &options.revision_log).await {
                        Ok(node) => Outcome::Done(node.map(Box::new)),
                        Err(e) => Outcome::Failed(e.to_string()),
                    }
                };
                let result = ChangeResult {
                    change: change.clone(),
                    outcome,
                };
                on_done(&result);
                result
            }
        })
        .buffered(options.parallelism.max(1))
        .collect()
        .await;
    let menu = if plan.menu.is_empty() {
        Vec::new()
    } else {
        let pages = page_outcomes(plan, &results);
        crate::menu::apply::apply(
            &site.menus(),
            &plan.menu,
            &pages,
            options.parallelism,
            &stop,
        )
        .await
    };
    let interrupted = results
        .iter()
        .any(|r| matches!(r.outcome, Outcome::NotAttempted))
        || menu
            .iter()
            .any(|r| r.outcome == crate::menu::apply::LinkOutcome::NotAttempted);
    ApplyReport {
        results,
        menu,
        interrupted,
        uploads: Vec::new(),
    }
}

/// Node ids of the pages menu links point at, and the pages that were not written.
fn page_outcomes(plan: &Plan, results: &[ChangeResult]) -> crate::menu::apply::PageOutcomes {
    let mut pages = crate::menu::apply::PageOutcomes::default();
    for change in &plan.menu {
        if let (Some(link), Some(nid)) = (&change.link, change.nid) {
            pages.nids.insert(link.page, nid);
        }
    }
    for result in results {
        match &result.outcome {
            Outcome::Done(Some(node)) => {
                if let Some(nid) = node.nid.or(result.change.nid()) {
                    pages.nids.insert(result.change.uuid, nid);
                }
            }
            Outcome::Done(None) => {}
            Outcome::Failed(_) | Outcome::NotAttempted => {
                pages.failed.insert(result.change.uuid);
            }
        }
    }
    pages
}

/// Apply one change, verifying and retrying writes whose outcome is unknown.
async fn execute(
    site: &Site,
    change: &Change,
    log_message: &str,
) -> Result<Option<RemotePage>, DrupalError> {
    if change.action == Action::Delete {
        let remote = change
            .remote
            .as_ref()
            .ok_or_else(|| DrupalError::Conflict("a deletion without its node".into()))?;
        return site.delete(remote).await.map(|()| None);
    }
    let page = change
        .page
        .as_ref()
        .ok_or_else(|| DrupalError::Conflict("a change without its page".into()))?;
    if let Some(rel) = crate::files::unresolved(&page.body) {
        return Err(DrupalError::Conflict(format!(
            "not written: the file `{rel}` it embeds was not uploaded"
        )));
    }
    let log = plan::revision_log(log_message, page);
    // What the site is believed to hold: `None` for a page to create.
    let mut remote = change.remote.clone();
    // Whether an earlier attempt of this run may have created the node (its outcome unknown).
    let mut may_have_created = false;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let (result, wrote_alias) = match &remote {
            None => (site.create(page, &log).await, !page.alias_auto),
            Some(node) => {
                let fields: Vec<Field> = plan::diff(page, node).iter().map(|f| f.field).collect();
                if fields.is_empty() {
                    return Ok(Some(node.clone()));
                }
                let wrote_alias = fields.contains(&Field::Alias);
                (site.update(page, node, &fields, &log).await, wrote_alias)
            }
        };
        let error = match result {
            Ok(node) => return confirm(site, page, node, wrote_alias).await.map(Some),
            Err(e) => e,
        };
        // A create refused as a conflict (409, a 422 for an alias in use) may have raced
        // with an earlier attempt or another run: the node may exist now. Look first.
        let creating = remote.is_none();
        let raced = creating && matches!(error.status(), Some(409 | 422));
        let unknown = error.is_transient() || raced;
        if !unknown || attempt >= MAX_ATTEMPTS {
            return Err(explain(error, creating, page));
        }
        may_have_created |= creating && error.is_transient();
        tracing::info!(
            "{}: outcome unknown ({error}); reading the page back",
            page.source
        );
        backoff(attempt, None).await;
        match site.find(page).await {
            Ok(Some(node)) => {
                if plan::diff(page, &node).is_empty() {
                    return confirm(site, page, node, false).await.map(Some);
                }
                // Whose node is it? A create of this run left its revision log (with the
                // page's fingerprint); where logs are hidden, only an attempt whose outcome
                // was unknown can have made it.
                let ours = match node.revision_log.as_deref() {
                    Some(found) => found == log,
                    None => may_have_created,
                };
                if creating && !ours {
                    // Another run (or a person) created the page at the same time with other
                    // content. Overwriting it would make that run's success untrue, so this
                    // run reports the conflict instead.
                    return Err(lost_race(page, &node));
                }
                remote = Some(node);
            }
            Ok(None) => {
                if raced {
                    // The node is not there: the conflict is real, not a race.
                    return Err(error);
                }
                if remote.is_some() {
                    return Err(DrupalError::Conflict(format!(
                        "{}: the node disappeared from the site during the update",
                        page.source
                    )));
                }
            }
            Err(e) if e.is_transient() => {}
            Err(e) => return Err(e),
        }
    }
}

/// Check a write's result against the page (read back first where the answer may not tell
/// the truth); a difference fails the change with what was sent, what is stored and why.
async fn confirm(
    site: &Site,
    page: &Page,
    answered: RemotePage,
    wrote_alias: bool,
) -> Result<RemotePage, DrupalError> {
    let stored = if wrote_alias && site.alias_echo_may_lie().await {
        match site.find(page).await? {
            Some(node) => node,
            // Core REST finds a page by its alias: not there means the alias did not stick.
            None => {
                return Err(DrupalError::Conflict(verify::describe(&[verify::Mismatch {
                    source: page.source.clone(),
                    field: Field::Alias,
                    sent: Some(page.alias.clone()),
                    stored: None,
                    cause: "the site runs pathauto, which kept the node's generated alias\n  hint: in Drupal, edit the node, uncheck \"Generate automatic URL alias\" and save, then apply again".into(),
                }])))
            }
        }
    } else {
        answered
    };
    match verify::check(page, &stored, site.facts()) {
        Ok(()) => Ok(stored),
        Err(mismatches) => Err(DrupalError::Conflict(verify::describe(&mismatches))),
    }
}

fn lost_race(page: &Page, node: &RemotePage) -> DrupalError {
    let fields: Vec<&str> = plan::diff(page, node)
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    DrupalError::Conflict(format!(
        "{}: another run created this page at the same moment with different content ({} differ); \
         the site holds that run's version and this run wrote nothing\n  hint: run plan again to see the difference",
        page.source,
        fields.join(", ")
    ))
}

fn explain(error: DrupalError, creating: bool, page: &Page) -> DrupalError {
    match &error {
        DrupalError::Status { status: 500, .. } if creating => DrupalError::Conflict(format!(
            "{error}\n  hint: core REST answers 500 when a node with the page's uuid ({}) already exists; it could not be found at `{}`: if the page had another alias before, list it under `aliases:`",
            page.uuid, page.alias
        )),
        _ => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(outcomes: &[Outcome], interrupted: bool) -> ApplyReport {
        let change = Change {
            action: Action::Update,
            key: "a".into(),
            uuid: uuid::Uuid::nil(),
            source: None,
            alias: "/a".into(),
            title: "A".into(),
            fields: Vec::new(),
            drift: false,
            note: None,
            page: None,
            remote: None,
        };
        ApplyReport {
            results: outcomes
                .iter()
                .map(|outcome| ChangeResult {
                    change: change.clone(),
                    outcome: outcome.clone(),
                })
                .collect(),
            interrupted,
            ..ApplyReport::default()
        }
    }

    #[test]
    fn the_closing_line_counts_what_really_happened() {
        let ok = || Outcome::Done(None);
        let failed = || Outcome::Failed("403".into());
        for (outcomes, interrupted, expected) in [
            (vec![ok(), ok()], false, None),
            (
                vec![failed(), failed(), failed()],
                false,
                Some("all 3 changes failed; nothing was applied (each failure is listed above with its file)"),
            ),
            (
                vec![failed()],
                false,
                Some("the change failed; nothing was applied (each failure is listed above with its file)"),
            ),
            (
                vec![failed(), ok(), ok()],
                false,
                Some("1 of 3 changes failed; 2 changes applied (each failure is listed above with its file)"),
            ),
            (
                vec![ok(), Outcome::NotAttempted, Outcome::NotAttempted],
                true,
                Some("2 changes not attempted (interrupted); 1 change applied; run apply again to finish"),
            ),
            (
                vec![failed(), ok(), Outcome::NotAttempted],
                true,
                Some("1 of 3 changes failed; 1 change not attempted (interrupted); 1 change applied (each failure is listed above with its file); run apply again to finish"),
            ),
        ] {
            assert_eq!(
                report(&outcomes, interrupted).shortfall().as_deref(),
                expected
            );
        }
    }
}
