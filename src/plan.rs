//! `plan(desired, remote) -> Plan`: what must change on the site for it to match the content.
//! Pure and synchronous: no I/O, no clock; both sides are values.
//!
//! A page is created when the site has no node with its UUID, updated when any managed field
//! differs (only those fields are sent), and left alone — no request, no revision — when
//! none does. With `prune`, nodes of the namespace that no source defines are deleted.
//! Drift (an edit made in Drupal since drupal-sync last wrote the page) is recognised by the
//! fingerprint drupal-sync leaves in the revision log of every write.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::page::{belongs_to, Page, RemotePage, Source};

/// A field drupal-sync manages on a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Title,
    Alias,
    Status,
    Format,
    Summary,
    Body,
}

impl Field {
    /// The field's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Alias => "alias",
            Field::Status => "status",
            Field::Format => "format",
            Field::Summary => "summary",
            Field::Body => "body",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One field's value on the site (`before`) and in the content (`after`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: Field,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    /// The action's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

/// One page that changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub action: Action,
    pub key: String,
    pub uuid: Uuid,
    /// The source that defines the page (`None` for a deletion).
    pub source: Option<Source>,
    /// The alias the page will have (the alias it has, for a deletion).
    pub alias: String,
    pub title: String,
    /// Fields that differ, in a fixed order.
    pub fields: Vec<FieldChange>,
    /// The page was edited on the site since drupal-sync last wrote it.
    pub drift: bool,
    /// A remark for people, e.g. why a page is created again.
    pub note: Option<String>,
    /// The desired page (create and update).
    pub page: Option<Page>,
    /// The node as it was read (update and delete): ids, alias pid and the `changed` time a
    /// saved plan expects to find.
    pub remote: Option<RemotePage>,
}

impl Change {
    /// The node id, when the node exists.
    pub fn nid(&self) -> Option<u64> {
        self.remote.as_ref().and_then(|r| r.nid)
    }
}

/// Everything a run would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Creates, updates and deletes, in that order, each sorted by source or alias.
    pub changes: Vec<Change>,
    /// Drifted pages left alone because of `--on-drift skip`.
    pub skipped: Vec<Change>,
    /// Pages that already match.
    pub unchanged: usize,
    /// How many nodes of the namespace the site has (known when pruning).
    pub namespace_pages: Option<usize>,
    /// Local files to upload before the pages that embed them are written (CONTRACT §7).
    #[serde(default)]
    pub uploads: Vec<crate::files::Upload>,
    /// Menu link changes (CONTRACT §8), applied after the pages they point at.
    #[serde(default)]
    pub menu: Vec<crate::menu::LinkChange>,
    /// Menu links that already match.
    #[serde(default)]
    pub menu_unchanged: usize,
    /// What the pages' text formats drop for visitors; filled in by the caller, which knows
    /// the site's rules, never by [`plan`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::formats::FormatWarning>,
}

impl Plan {
    /// Whether applying the plan would write nothing.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.menu.is_empty() && self.uploads.is_empty()
    }

    /// How many menu link changes of `action` the plan has.
    pub fn menu_count(&self, action: Action) -> usize {
        self.menu.iter().filter(|c| c.action == action).count()
    }

    /// How many changes of `action` the plan has.
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }

    /// Changes made over an edit on the site (with `--on-drift overwrite`) or refused.
    pub fn drifted(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().chain(&self.skipped).filter(|c| c.drift)
    }
}

/// The remote side of a plan.
#[derive(Debug, Clone, Default)]
pub struct RemoteState {
    /// Nodes found for the desired pages, by UUID.
    pub pages: HashMap<Uuid, RemotePage>,
    /// Every node of the namespace (only read with `--prune`).
    pub namespace_pages: Option<Vec<RemotePage>>,
}

/// What to do with a page edited on the site since drupal-sync last wrote it (`--on-drift`,
/// resolved into [`Settings`](crate::config::Settings)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDrift {
    /// Write the content over the site's edits (the plan says so).
    #[default]
    Overwrite,
    /// Leave pages edited on the site as they are.
    Skip,
    /// Fail before any write when a page was edited on the site.
    Fail,
}

/// How to plan.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    pub namespace: String,
    pub on_drift: OnDrift,
    /// UUIDs of pages known to have existed on the site (a managed page missing now was
    /// deleted there by hand).
    pub known: HashSet<Uuid>,
    /// Whether the API finds pages by UUID (JSON:API); core REST finds them by alias only,
    /// so a known page it cannot find may merely have a new alias.
    pub lookup_by_uuid: bool,
}

/// Compute the plan. Deletions are planned when `remote.namespace_pages` is present.
pub fn plan(desired: &[Page], remote: &RemoteState, options: &PlanOptions) -> Plan {
    let mut plan = Plan::default();
    for page in desired {
        let Some(node) = remote.pages.get(&page.uuid) else {
            let note = options.known.contains(&page.uuid).then(|| {
                if options.lookup_by_uuid {
                    "deleted on the site".to_owned()
                } else {
                    "not found at its aliases: deleted on the site, or renamed without \
                     listing the old alias under `aliases:`"
                        .to_owned()
                }
            });
            plan.changes.push(Change {
                action: Action::Create,
                key: page.key.clone(),
                uuid: page.uuid,
                source: Some(page.source.clone()),
                alias: shown_alias(page, None),
                title: page.title.clone(),
                fields: creation_fields(page),
                drift: false,
                note,
                page: Some(page.clone()),
                remote: None,
            });
            continue;
        };
        let fields = diff(page, node);
        if fields.is_empty() {
            plan.unchanged += 1;
            continue;
        }
        let drift = drifted(node, &options.namespace);
        let change = Change {
            action: Action::Update,
            key: page.key.clone(),
            uuid: page.uuid,
            source: Some(page.source.clone()),
            alias: shown_alias(page, Some(node)),
            title: page.title.clone(),
            fields,
            drift,
            note: drift.then(|| "edited on the site since drupal-sync last wrote it".to_owned()),
            page: Some(page.clone()),
            remote: Some(node.clone()),
        };
        if drift && options.on_drift == OnDrift::Skip {
            plan.skipped.push(change);
        } else {
            plan.changes.push(change);
        }
    }

    if let Some(namespace_pages) = &remote.namespace_pages {
        plan.namespace_pages = Some(
            namespace_pages
                .iter()
                .filter(|n| belongs_to(&n.uuid, &options.namespace))
                .count(),
        );
        let defined: HashSet<Uuid> = desired.iter().map(|p| p.uuid).collect();
        for node in namespace_pages {
            if defined.contains(&node.uuid) || !belongs_to(&node.uuid, &options.namespace) {
                continue;
            }
            plan.changes.push(Change {
                action: Action::Delete,
                key: String::new(),
                uuid: node.uuid,
                source: None,
                alias: node.alias.clone().unwrap_or_default(),
                title: node.title.clone(),
                fields: Vec::new(),
                drift: false,
                note: Some(format!("no source; namespace {}", options.namespace)),
                page: None,
                remote: Some(node.clone()),
            });
        }
    }

    note_moves(&mut plan.changes);
    plan.changes.sort_by(|a, b| {
        (a.action, &a.source, &a.alias, a.uuid).cmp(&(b.action, &b.source, &b.alias, b.uuid))
    });
    plan.skipped.sort_by(|a, b| a.source.cmp(&b.source));
    plan
}

/// A page created under a new key while a page with the same title is deleted is most
/// likely a file that moved: say so on both, with the way to keep the node (`id:`).
fn note_moves(changes: &mut [Change]) {
    let deleted: HashMap<String, String> = changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .map(|c| (c.title.to_lowercase(), c.alias.clone()))
        .collect();
    let mut moved = HashSet::new();
    for change in changes.iter_mut().filter(|c| c.action == Action::Create) {
        if let Some(old_alias) = deleted.get(&change.title.to_lowercase()) {
            change.note = Some(format!(
                "same title as {old_alias}, which this plan deletes: if the file moved, keep the node by setting `id:` to its old key"
            ));
            moved.insert(change.title.to_lowercase());
        }
    }
    for change in changes.iter_mut().filter(|c| c.action == Action::Delete) {
        if moved.contains(&change.title.to_lowercase()) {
            let base = change.note.take().unwrap_or_default();
            change.note = Some(format!(
                "{base}; a new page has the same title (a moved file?)"
            ));
        }
    }
}

/// Why a prune must not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PruneRefusal {
    #[error("refusing to prune: the content set is empty, which would delete every page of namespace `{0}`\n  hint: check [content].dir and exclude")]
    EmptyContent(String),
    #[error("refusing to prune {deletions} of {total} pages of namespace `{namespace}`: the limit is {limit} (max([sync].max_prune, 20% of the namespace))\n  hint: check the content directory; pass --allow-mass-delete if this is intended")]
    TooMany {
        namespace: String,
        deletions: usize,
        total: usize,
        limit: usize,
    },
}

/// The most deletions a prune may make without `--allow-mass-delete`.
pub fn prune_limit(max_prune: usize, namespace_total: usize) -> usize {
    max_prune.max(namespace_total / 5)
}

/// Check a plan's deletions against the safety limits: never prune with an empty content
/// set, nor more than [`prune_limit`] pages without `allow_mass_delete`.
pub fn check_prune(
    plan: &Plan,
    desired_count: usize,
    namespace: &str,
    max_prune: usize,
    allow_mass_delete: bool,
) -> Result<(), PruneRefusal> {
    let deletions = plan.count(Action::Delete);
    if desired_count == 0 {
        return Err(PruneRefusal::EmptyContent(namespace.to_owned()));
    }
    let total = plan.namespace_pages.unwrap_or(deletions);
    let limit = prune_limit(max_prune, total);
    if deletions > limit && !allow_mass_delete {
        return Err(PruneRefusal::TooMany {
            namespace: namespace.to_owned(),
            deletions,
            total,
            limit,
        });
    }
    Ok(())
}

fn status_word(published: bool) -> String {
    if published { "published" } else { "draft" }.to_owned()
}

/// The alias a change shows: a `path: auto` page's is the one pathauto gave the node, or
/// `(pathauto)` before the node exists.
fn shown_alias(page: &Page, node: Option<&RemotePage>) -> String {
    if !page.alias_auto {
        return page.alias.clone();
    }
    node.and_then(|n| n.alias.clone())
        .unwrap_or_else(|| "(pathauto)".to_owned())
}

fn creation_fields(page: &Page) -> Vec<FieldChange> {
    let mut fields = vec![
        FieldChange {
            field: Field::Title,
            before: None,
            after: Some(page.title.clone()),
        },
        FieldChange {
            field: Field::Alias,
            before: None,
            after: Some(shown_alias(page, None)),
        },
        FieldChange {
            field: Field::Status,
            before: None,
            after: Some(status_word(page.published)),
        },
        FieldChange {
            field: Field::Format,
            before: None,
            after: Some(page.format.clone()),
        },
    ];
    if let Some(summary) = &page.summary {
        fields.push(FieldChange {
            field: Field::Summary,
            before: None,
            after: Some(summary.clone()),
        });
    }
    fields.push(FieldChange {
        field: Field::Body,
        before: None,
        after: Some(page.body.clone()),
    });
    fields
}

/// The managed fields of a page or a node, so both are compared and fingerprinted alike.
#[derive(Clone, Copy)]
struct Managed<'a> {
    title: &'a str,
    alias: Option<&'a str>,
    published: bool,
    format: Option<&'a str>,
    summary: Option<&'a str>,
    body: Option<&'a str>,
}

impl<'a> From<&'a Page> for Managed<'a> {
    fn from(page: &'a Page) -> Self {
        // Drupal stores a body with neither text nor summary as nothing (`"body": null`,
        // drupal-wire 58, 5b), whatever format it names: such a page must equal that node.
        let stored_body =
            !page.body.is_empty() || page.summary.as_deref().is_some_and(|s| !s.is_empty());
        Managed {
            title: &page.title,
            // `path: auto`: the alias is pathauto's, neither sent nor compared.
            alias: (!page.alias_auto).then_some(page.alias.as_str()),
            published: page.published,
            format: stored_body.then_some(page.format.as_str()),
            summary: page.summary.as_deref(),
            body: Some(&page.body),
        }
    }
}

impl<'a> From<&'a RemotePage> for Managed<'a> {
    fn from(node: &'a RemotePage) -> Self {
        Managed {
            title: &node.title,
            alias: node.alias.as_deref(),
            published: node.published,
            format: node.format.as_deref(),
            summary: node.summary.as_deref(),
            body: node.body.as_deref(),
        }
    }
}

impl Managed<'_> {
    /// Values in field order; an absent value equals an empty one (Drupal reports both).
    fn values(&self) -> [(Field, String); 6] {
        let text = |v: Option<&str>| v.unwrap_or("").to_owned();
        [
            (Field::Title, self.title.to_owned()),
            (Field::Alias, text(self.alias)),
            (Field::Status, status_word(self.published)),
            (Field::Format, text(self.format)),
            (Field::Summary, text(self.summary)),
            (Field::Body, text(self.body)),
        ]
    }
}

fn compare(before: Managed<'_>, after: Managed<'_>) -> Vec<FieldChange> {
    let present = |m: &Managed<'_>, field: Field| match field {
        Field::Alias => m.alias.is_some(),
        Field::Format => m.format.is_some(),
        Field::Summary => m.summary.is_some(),
        Field::Body => m.body.is_some(),
        Field::Title | Field::Status => true,
    };
    before
        .values()
        .into_iter()
        .zip(after.values())
        .filter(|((_, b), (_, a))| b != a)
        .map(|((field, b), (_, a))| FieldChange {
            field,
            before: present(&before, field).then_some(b),
            after: present(&after, field).then_some(a),
        })
        .collect()
}

/// The managed fields whose values differ between the content and the node. The alias of a
/// `path: auto` page is pathauto's and never differs.
pub fn diff(page: &Page, node: &RemotePage) -> Vec<FieldChange> {
    let mut node = Managed::from(node);
    if page.alias_auto {
        node.alias = None;
    }
    compare(node, page.into())
}

/// The managed fields whose values differ between two readings of a node.
pub fn diff_remote(before: &RemotePage, now: &RemotePage) -> Vec<FieldChange> {
    compare(before.into(), now.into())
}

const MARK_OPEN: &str = "[drupal-sync:";

/// The fingerprint of a page's managed fields, as left in the revision log.
pub fn fingerprint(page: &Page) -> String {
    fingerprint_of(page.into())
}

fn fingerprint_of(fields: Managed<'_>) -> String {
    let mut hasher = Sha256::new();
    for (_, value) in fields.values() {
        hasher.update((value.len() as u64).to_le_bytes());
        hasher.update(value.as_bytes());
    }
    let digest = hasher.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The revision log message of a write: the configured message and the page's fingerprint.
pub fn revision_log(message: &str, page: &Page) -> String {
    format!("{message} {MARK_OPEN}{}]", fingerprint(page))
}

/// The fingerprint drupal-sync left in a node's revision log, if any.
fn recorded_fingerprint(log: &str) -> Option<&str> {
    let start = log.rfind(MARK_OPEN)? + MARK_OPEN.len();
    let rest = &log[start..];
    rest.find(']').map(|end| &rest[..end])
}

/// Whether the node was edited since drupal-sync last wrote it. Every write of drupal-sync
/// leaves the fingerprint of the fields it set in the revision log, so:
/// - a log with a fingerprint that the current fields no longer match: edited since (an API
///   PATCH carries the log over; an edit without a new revision keeps it);
/// - a node of the namespace whose log has no fingerprint: someone else made the current
///   revision (the Drupal UI starts every new revision with an empty log);
/// - an adopted node never written by drupal-sync, or an account that cannot see revision
///   logs (`None`): unknown, so no drift is claimed.
pub fn drifted(node: &RemotePage, namespace: &str) -> bool {
    let Some(log) = node.revision_log.as_deref() else {
        return false;
    };
    match recorded_fingerprint(log) {
        // A `path: auto` page's fingerprint leaves the alias (pathauto's) out.
        Some(recorded) => {
            let mut fields = Managed::from(node);
            let with_alias = fingerprint_of(Managed::from(node));
            fields.alias = None;
            recorded != with_alias && recorded != fingerprint_of(fields)
        }
        None => belongs_to(&node.uuid, namespace),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::derive_uuid;
    use crate::report::fixtures::written;

    const NS: &str = "example-docs";

    fn page(key: &str, title: &str) -> Page {
        Page {
            key: key.into(),
            uuid: derive_uuid(NS, key),
            adopted: false,
            source: Source {
                path: format!("content/{key}.md"),
                line: 1,
            },
            title: title.into(),
            alias: format!("/{key}"),
            previous_aliases: vec![],
            published: true,
            status_explicit: false,
            body: "<p>Body</p>\n".into(),
            format: "basic_html".into(),
            summary: None,
            alias_auto: false,
            nav: Default::default(),
        }
    }

    fn options(on_drift: OnDrift) -> PlanOptions {
        PlanOptions {
            namespace: NS.into(),
            on_drift,
            known: HashSet::new(),
            lookup_by_uuid: true,
        }
    }

    fn state(nodes: Vec<RemotePage>, namespace: Option<Vec<RemotePage>>) -> RemoteState {
        RemoteState {
            pages: nodes.into_iter().map(|n| (n.uuid, n)).collect(),
            namespace_pages: namespace,
        }
    }

    #[test]
    fn table() {
        let about = page("about", "About us");
        let team = page("team", "Team");
        struct Case {
            name: &'static str,
            remote: Vec<RemotePage>,
            want: Vec<(Action, &'static str, Vec<Field>)>,
            unchanged: usize,
        }
        let mut retitled = written(&team, 2);
        retitled.title = "Our team".into();
        let mut no_alias = written(&team, 2);
        no_alias.alias = None;
        no_alias.alias_pid = None;
        let mut null_summary = written(&team, 2);
        null_summary.summary = Some(String::new());
        let mut unpublished = written(&team, 2);
        unpublished.published = false;
        let cases = [
            Case {
                name: "empty site: everything is created",
                remote: vec![],
                want: vec![
                    (
                        Action::Create,
                        "about",
                        vec![
                            Field::Title,
                            Field::Alias,
                            Field::Status,
                            Field::Format,
                            Field::Body,
                        ],
                    ),
                    (
                        Action::Create,
                        "team",
                        vec![
                            Field::Title,
                            Field::Alias,
                            Field::Status,
                            Field::Format,
                            Field::Body,
                        ],
                    ),
                ],
                unchanged: 0,
            },
            Case {
                name: "in sync: nothing to do",
                remote: vec![written(&about, 1), written(&team, 2)],
                want: vec![],
                unchanged: 2,
            },
            Case {
                name: "a title edited on the site is overwritten by default",
                remote: vec![written(&about, 1), retitled],
                want: vec![(Action::Update, "team", vec![Field::Title])],
                unchanged: 1,
            },
            Case {
                name: "a missing alias is added",
                remote: vec![written(&about, 1), no_alias],
                want: vec![(Action::Update, "team", vec![Field::Alias])],
                unchanged: 1,
            },
            Case {
                name: "empty and absent summaries are equal",
                remote: vec![written(&about, 1), null_summary],
                want: vec![],
                unchanged: 2,
            },
            Case {
                name: "status differs",
                remote: vec![written(&about, 1), unpublished],
                want: vec![(Action::Update, "team", vec![Field::Status])],
                unchanged: 1,
            },
        ];
        for case in cases {
            let plan = plan(
                &[about.clone(), team.clone()],
                &state(case.remote, None),
                &options(OnDrift::Overwrite),
            );
            let got: Vec<_> = plan
                .changes
                .iter()
                .map(|c| {
                    (
                        c.action,
                        c.key.as_str(),
                        c.fields.iter().map(|f| f.field).collect::<Vec<_>>(),
                    )
                })
                .collect();
            assert_eq!(got, case.want, "{}", case.name);
            assert_eq!(plan.unchanged, case.unchanged, "{}", case.name);
        }
    }

    #[test]
    fn a_git_change_is_not_drift_but_a_site_edit_is() {
        let before = page("about", "About");
        let node = written(&before, 1);
        let after = page("about", "About us");
        let p = plan(
            std::slice::from_ref(&after),
            &state(vec![node.clone()], None),
            &options(OnDrift::Overwrite),
        );
        assert_eq!(p.changes.len(), 1);
        assert!(!p.changes[0].drift);
        assert_eq!(p.changes[0].fields[0].before.as_deref(), Some("About"));
        assert_eq!(p.changes[0].fields[0].after.as_deref(), Some("About us"));

        let mut edited = node;
        edited.title = "Edited in Drupal".into();
        assert!(drifted(&edited, NS));
        let p = plan(
            std::slice::from_ref(&before),
            &state(vec![edited.clone()], None),
            &options(OnDrift::Overwrite),
        );
        assert!(p.changes[0].drift);
        let p = plan(
            &[before],
            &state(vec![edited], None),
            &options(OnDrift::Skip),
        );
        assert!(p.changes.is_empty());
        assert_eq!(p.skipped.len(), 1);
    }

    #[test]
    fn drift_without_a_fingerprint() {
        let mut node = written(&page("x", "X"), 1);
        node.title = "changed".into();
        for (log, namespace, want) in [
            // A new revision made in the Drupal UI: empty log, on a page of the namespace.
            (Some(""), NS, true),
            (Some("fixed a typo"), NS, true),
            // Not the namespace's (adopted, or another content set): never claimed.
            (Some(""), "other", false),
            // The account cannot see revision logs: unknown.
            (None, NS, false),
        ] {
            node.revision_log = log.map(str::to_owned);
            assert_eq!(drifted(&node, namespace), want, "{log:?} in {namespace}");
        }
    }

    #[test]
    fn prune_deletes_only_unclaimed_pages_of_the_namespace() {
        let about = page("about", "About");
        let gone = written(&page("old", "Old"), 3);
        let other_ns = RemotePage {
            uuid: derive_uuid("other", "old"),
            ..written(&page("old", "Old"), 4)
        };
        let by_hand = RemotePage {
            uuid: "1c50805e-7836-4667-acf3-34b82481c4eb".parse().unwrap(),
            ..written(&page("hand", "Hand"), 5)
        };
        let namespace = vec![written(&about, 1), gone.clone(), other_ns, by_hand];
        let p = plan(
            std::slice::from_ref(&about),
            &state(vec![written(&about, 1)], Some(namespace)),
            &options(OnDrift::Overwrite),
        );
        assert_eq!(p.changes.len(), 1);
        assert_eq!(p.changes[0].action, Action::Delete);
        assert_eq!(p.changes[0].uuid, gone.uuid);
        assert_eq!(p.changes[0].alias, "/old");
    }

    #[test]
    fn a_moved_file_is_pointed_out() {
        let moved = page("guides/about", "About");
        let old = written(&page("about", "About"), 1);
        let p = plan(
            std::slice::from_ref(&moved),
            &state(vec![], Some(vec![old])),
            &options(OnDrift::Overwrite),
        );
        assert_eq!(p.changes.len(), 2);
        assert!(p.changes[0]
            .note
            .as_deref()
            .unwrap()
            .contains("setting `id:`"));
        assert!(p.changes[1].note.as_deref().unwrap().contains("moved file"));
    }

    #[test]
    fn prune_limits() {
        let mut p = Plan::default();
        assert_eq!(
            check_prune(&p, 0, NS, 10, false),
            Err(PruneRefusal::EmptyContent(NS.into()))
        );
        for _ in 0..30 {
            p.changes.push(Change {
                action: Action::Delete,
                key: String::new(),
                uuid: Uuid::nil(),
                source: None,
                alias: String::new(),
                title: String::new(),
                fields: vec![],
                drift: false,
                note: None,
                page: None,
                remote: None,
            });
        }
        p.namespace_pages = Some(100);
        assert!(matches!(
            check_prune(&p, 70, NS, 10, false),
            Err(PruneRefusal::TooMany { limit: 20, .. })
        ));
        assert!(check_prune(&p, 70, NS, 10, true).is_ok());
        assert!(check_prune(&p, 70, NS, 30, false).is_ok());
        assert_eq!(prune_limit(10, 200), 40);
    }

    #[test]
    fn a_known_page_missing_on_the_site_is_recreated_with_a_note() {
        let about = page("about", "About");
        let mut o = options(OnDrift::Overwrite);
        o.known.insert(about.uuid);
        let p = plan(std::slice::from_ref(&about), &RemoteState::default(), &o);
        assert_eq!(p.changes[0].action, Action::Create);
        assert_eq!(p.changes[0].note.as_deref(), Some("deleted on the site"));
        // Core REST looks pages up by alias: missing may also mean renamed.
        o.lookup_by_uuid = false;
        let p = plan(&[about], &RemoteState::default(), &o);
        assert!(p.changes[0].note.as_deref().unwrap().contains("`aliases:`"));
    }

    #[test]
    fn an_empty_body_equals_the_null_drupal_stores() {
        // drupal-wire 58, 5b: a page with only a title is stored with `"body": null`.
        let mut empty = page("section", "Section");
        empty.body = String::new();
        let mut node = written(&empty, 1);
        node.body = None;
        node.format = None;
        node.summary = None;
        assert!(diff(&empty, &node).is_empty());
        assert!(!drifted(&node, NS));
        let p = plan(
            std::slice::from_ref(&empty),
            &state(vec![node.clone()], None),
            &options(OnDrift::Fail),
        );
        assert!(p.is_empty() && p.skipped.is_empty());
        // A summary keeps the body item: then the format counts.
        empty.summary = Some("Short".into());
        assert_eq!(
            diff(&empty, &node)
                .iter()
                .map(|f| f.field)
                .collect::<Vec<_>>(),
            [Field::Format, Field::Summary]
        );
    }

    #[test]
    fn a_path_auto_alias_is_never_compared() {
        let mut auto = page("guide", "Guide");
        auto.alias_auto = true;
        let mut node = written(&auto, 1);
        node.alias = Some("/guide-by-pathauto".into());
        assert!(diff(&auto, &node).is_empty());
        assert!(!drifted(&node, NS));
        node.title = "Edited".into();
        assert!(drifted(&node, NS));
    }

    #[test]
    fn fingerprint_survives_the_log_message() {
        let about = page("about", "About");
        let log = revision_log("publish [ci]", &about);
        assert_eq!(
            recorded_fingerprint(&log),
            Some(fingerprint(&about).as_str())
        );
    }
}
