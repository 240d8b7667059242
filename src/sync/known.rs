//! The known-pages record, `.drupal-sync/known-<hash>.json` beside the config file: the
//! UUIDs of the managed pages this machine saw on a site (one file per site and namespace),
//! so that a page missing from the site now is reported as deleted there, not planned as
//! new. Best effort both ways: a missing or unreadable record knows nothing, and a record
//! that cannot be written is a warning.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::apply::{self, ApplyReport};
use crate::plan::{Action, Plan};

/// Where the pages known to exist on one site, for one namespace, are remembered.
#[derive(Debug, Clone)]
pub struct KnownPages {
    path: PathBuf,
}

impl KnownPages {
    /// The record for the site at `site` and `namespace`, in `.drupal-sync/` beside the
    /// config file `config_path`.
    pub fn beside(config_path: &Path, site: &str, namespace: &str) -> KnownPages {
        let digest = Sha256::new()
            .chain_update(site.as_bytes())
            .chain_update([0])
            .chain_update(namespace.as_bytes())
            .finalize();
        let name: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        let dir = config_path.parent().unwrap_or(Path::new("."));
        KnownPages {
            path: dir.join(".drupal-sync").join(format!("known-{name}.json")),
        }
    }

    /// The UUIDs recorded (none when there is no readable record).
    pub fn load(&self) -> HashSet<Uuid> {
        std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|text| serde_json::from_str::<Vec<Uuid>>(&text).ok())
            .map(|uuids| uuids.into_iter().collect())
            .unwrap_or_default()
    }

    /// Record what the site holds after applying `plan` with the outcome `report`.
    pub fn remember(&self, plan: &Plan, report: &ApplyReport) {
        let known = after(self.load(), plan, report);
        let written = self
            .path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                std::fs::write(&self.path, serde_json::to_vec(&known).unwrap_or_default())
            });
        if let Err(e) = written {
            tracing::warn!(
                "cannot remember the site's pages in `{}`: {e}",
                self.path.display()
            );
        }
    }
}

/// The pages on the site after an apply, sorted: those `known` before and those the plan
/// found, plus the pages written, minus the pages deleted.
fn after(mut known: HashSet<Uuid>, plan: &Plan, report: &ApplyReport) -> Vec<Uuid> {
    for change in &plan.changes {
        if change.action != Action::Delete {
            if let Some(remote) = &change.remote {
                known.insert(remote.uuid);
            }
        }
    }
    for result in &report.results {
        if let apply::Outcome::Done(_) = result.outcome {
            match result.change.action {
                Action::Delete => known.remove(&result.change.uuid),
                _ => known.insert(result.change.uuid),
            };
        }
    }
    let mut sorted: Vec<Uuid> = known.into_iter().collect();
    sorted.sort();
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::{ChangeResult, Outcome};
    use crate::report::fixtures;

    #[test]
    fn written_pages_are_added_and_deleted_ones_removed() {
        let plan = fixtures::mixed();
        let created = plan
            .changes
            .iter()
            .find(|c| c.action == Action::Create)
            .unwrap();
        let deleted = plan
            .changes
            .iter()
            .find(|c| c.action == Action::Delete)
            .unwrap();
        let report = ApplyReport {
            results: [created, deleted]
                .into_iter()
                .map(|change| ChangeResult {
                    change: change.clone(),
                    outcome: Outcome::Done(None),
                })
                .collect(),
            ..ApplyReport::default()
        };
        let known = after(HashSet::from([deleted.uuid]), &plan, &report);
        assert!(known.contains(&created.uuid));
        assert!(!known.contains(&deleted.uuid));
        assert!(known.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn the_record_survives_a_round_trip_and_is_per_site_and_namespace() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("drupal-sync.toml");
        let record = KnownPages::beside(&config, "https://example.com", "docs");
        assert!(record.load().is_empty());
        let plan = fixtures::creates();
        let report = ApplyReport {
            results: plan
                .changes
                .iter()
                .map(|change| ChangeResult {
                    change: change.clone(),
                    outcome: Outcome::Done(None),
                })
                .collect(),
            ..ApplyReport::default()
        };
        record.remember(&plan, &report);
        let expected: HashSet<Uuid> = plan.changes.iter().map(|c| c.uuid).collect();
        assert_eq!(record.load(), expected);
        assert!(KnownPages::beside(&config, "https://example.com", "blog")
            .load()
            .is_empty());
        assert!(KnownPages::beside(&config, "https://example.org", "docs")
            .load()
            .is_empty());
    }
}
