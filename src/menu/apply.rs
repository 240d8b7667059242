//! Executes menu link changes after the pages they point at were written: creates and
//! updates one depth at a time, parents first (a child names its parent's UUID, which must
//! exist), then deletions, children first. A write whose outcome is unknown is read back
//! before it is repeated, as for pages.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use futures::stream::{self, StreamExt};
use uuid::Uuid;

use super::{LinkChange, LinkField};
use crate::drupal::client::backoff;
use crate::drupal::menu::MenuApi;
use crate::drupal::DrupalError;
use crate::plan::Action;

/// How many times a link write is attempted before it is reported as failed.
const MAX_ATTEMPTS: u32 = 4;

/// What happened to one link change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkOutcome {
    Done,
    Failed(String),
    /// Not attempted (the run was interrupted first).
    NotAttempted,
}

/// One link change and its outcome.
#[derive(Debug, Clone)]
pub struct LinkResult {
    pub change: LinkChange,
    pub outcome: LinkOutcome,
}

/// What link changes need from the page writes that ran before them.
#[derive(Debug, Clone, Default)]
pub struct PageOutcomes {
    /// Node ids of pages, by page UUID (known before the run or written by it).
    pub nids: HashMap<Uuid, u64>,
    /// Pages whose write failed or was not attempted.
    pub failed: HashSet<Uuid>,
}

/// Apply `changes` (in plan order), `parallelism` at a time.
pub async fn apply(
    api: &MenuApi,
    changes: &[LinkChange],
    pages: &PageOutcomes,
    parallelism: usize,
    stop: &AtomicBool,
) -> Vec<LinkResult> {
    let mut levels: BTreeMap<(bool, i64), Vec<&LinkChange>> = BTreeMap::new();
    for change in changes {
        let depth = i64::try_from(change.depth()).unwrap_or(i64::MAX);
        let key = match change.action {
            Action::Delete => (true, -depth),
            _ => (false, depth),
        };
        levels.entry(key).or_default().push(change);
    }
    let mut failed: HashSet<Uuid> = HashSet::new();
    let mut results: HashMap<Uuid, LinkOutcome> = HashMap::new();
    for level in levels.values() {
        let outcomes: Vec<(Uuid, LinkOutcome)> = stream::iter(level.iter())
            .map(|change| {
                let failed = &failed;
                async move {
                    let outcome = if stop.load(Ordering::SeqCst) {
                        LinkOutcome::NotAttempted
                    } else {
                        match execute(api, change, pages, failed).await {
                            Ok(()) => LinkOutcome::Done,
                            Err(message) => LinkOutcome::Failed(message),
                        }
                    };
                    (change.uuid, outcome)
                }
            })
            .buffer_unordered(parallelism.max(1))
            .collect()
            .await;
        for (uuid, outcome) in outcomes {
            if outcome != LinkOutcome::Done {
                failed.insert(uuid);
            }
            results.insert(uuid, outcome);
        }
    }
    changes
        .iter()
        .map(|change| LinkResult {
            change: change.clone(),
            outcome: results
                .remove(&change.uuid)
                .unwrap_or(LinkOutcome::NotAttempted),
        })
        .collect()
}

async fn execute(
    api: &MenuApi,
    change: &LinkChange,
    pages: &PageOutcomes,
    failed: &HashSet<Uuid>,
) -> Result<(), String> {
    if change.action == Action::Delete {
        return retry(|| api.delete(change.uuid)).await;
    }
    let link = change
        .link
        .as_ref()
        .ok_or_else(|| "a link change without its link".to_owned())?;
    if pages.failed.contains(&link.page) {
        return Err(format!("its page ({}) was not written", link.source));
    }
    if let Some(parent) = link.parent.filter(|p| failed.contains(p)) {
        return Err(format!("its parent link ({parent}) was not written"));
    }
    let nid = pages.nids.get(&link.page).copied().or(change.nid);
    match change.action {
        Action::Create => {
            let nid = nid.ok_or_else(|| format!("the node of {} is unknown", link.source))?;
            let mut attempt = 0;
            loop {
                attempt += 1;
                let Err(error) = api.create(link, nid).await else {
                    return Ok(());
                };
                // A create that may have landed (or raced another run) is looked up first.
                let unknown = error.is_transient() || error.status() == Some(409);
                if !unknown || attempt >= MAX_ATTEMPTS {
                    return Err(error.to_string());
                }
                backoff(attempt, None).await;
                match api.find(link.uuid).await {
                    Ok(Some(_)) => return Ok(()),
                    Ok(None) if error.status() == Some(409) => return Err(error.to_string()),
                    Ok(None) | Err(_) => {}
                }
            }
        }
        _ => {
            let fields: Vec<LinkField> = change.fields.iter().map(|f| f.field).collect();
            retry(|| async { api.update(link, nid, &fields).await.map(|_| ()) }).await
        }
    }
}

/// Repeat an idempotent write (PATCH of fixed values, DELETE) while its failure is transient.
async fn retry<F, Fut>(write: F) -> Result<(), String>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), DrupalError>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match write().await {
            Ok(()) => return Ok(()),
            Err(e) if e.is_transient() && attempt < MAX_ATTEMPTS => backoff(attempt, None).await,
            Err(e) => return Err(e.to_string()),
        }
    }
}
