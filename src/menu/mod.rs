//! Navigation (CONTRACT §8): the menu links the content declares, checked against each
//! other, and the plan that makes the site's `menu_link_content` entities match them.
//!
//! Pure, like `plan`: [`derive`] turns pages (their `menu:`, `linkTitle`, `weight`, and the
//! folders with `[menus].folders`) into desired [`Link`]s and positioned diagnostics;
//! [`plan`] compares them with the [`RemoteLink`]s read from the site. Talking to the site
//! is `drupal::menu`'s job, and executing link changes is [`apply`]'s.
//!
//! Decisions where the contract is silent:
//! - A link's UUID is derived from key `"menu:" + menu + ":" + page key`, so moving a page
//!   to another parent updates the link in place; renaming its key makes a new link.
//! - With `[menus].folders`, a page's explicit entry for that menu overrides the folder's
//!   defaults one value at a time (a `weight` alone keeps the folder's parent).
//! - The content directory's own index page is a top-level link, not every link's parent.
//! - A link is enabled exactly when its page is published.
//! - A link whose page no longer declares it is deleted on a plain apply; a link whose page
//!   has no source any more goes only with `--prune`, with its page.

pub mod apply;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::content::{Diagnostic, Severity};
use crate::page::{belongs_to, derive_uuid, Page, Source};
use crate::plan::Action;

/// Where link titles are joined in plans: `main › Docs › Getting started`.
pub const TRAIL_SEPARATOR: &str = " › ";

/// One menu entry as a page's front matter declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The menu's machine name (`main`).
    pub menu: String,
    /// The link title (`name`); else `linkTitle`, else the page title.
    pub name: Option<String>,
    /// The link weight; else the page's `weight`, else 0.
    pub weight: Option<i64>,
    /// The parent page's key.
    pub parent: Option<String>,
}

/// What a page says about navigation, with where it says it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declared {
    /// `menu:` entries, in the order written.
    pub entries: Vec<Entry>,
    /// Front matter `linkTitle`.
    pub link_title: Option<String>,
    /// Front matter `weight`.
    pub weight: Option<i64>,
    /// The page file under the content directory, `/`-separated.
    pub file: String,
    /// Whether the page is its folder's index page (`index`/`_index`, the only page of its file).
    pub folder_index: bool,
    /// Where `menu:` was written (line, column); (0, 0) when it was not.
    pub at: (usize, usize),
}

/// A link the content wants on the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// Derived from (`namespace`, `"menu:" + menu + ":" + key`).
    pub uuid: Uuid,
    pub menu: String,
    /// The page's key and node UUID.
    pub key: String,
    pub page: Uuid,
    pub source: Source,
    pub title: String,
    pub weight: i64,
    /// The parent link's UUID; `None` at the top of the menu.
    pub parent: Option<Uuid>,
    pub enabled: bool,
    /// Titles from the top of the menu down to this link.
    pub trail: Vec<String>,
    /// Where the page's `menu:` key is (line, column), or its first line.
    pub at: (usize, usize),
}

impl Link {
    /// `file:line:col` of the declaration, for messages.
    pub fn position(&self) -> String {
        format!("{}:{}:{}", self.source.path, self.at.0, self.at.1)
    }

    /// How deep the link sits: 0 at the top of its menu.
    pub fn depth(&self) -> usize {
        self.trail.len().saturating_sub(1)
    }
}

/// A `menu_link_content` entity as the site reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteLink {
    pub uuid: Uuid,
    pub menu: String,
    pub title: String,
    pub weight: i64,
    /// `menu_link_content:{uuid}`, or `None` at the top.
    pub parent: Option<String>,
    pub enabled: bool,
    /// `link.uri` (`entity:node/12`).
    pub uri: String,
}

/// The `parent` value of a link below `uuid`.
pub fn parent_ref(uuid: Uuid) -> String {
    format!("menu_link_content:{uuid}")
}

/// The `link.uri` of a link to node `nid`.
pub fn node_uri(nid: u64) -> String {
    format!("entity:node/{nid}")
}

/// The UUID of `key`'s link in `menu` (CONTRACT §8).
pub fn link_uuid(namespace: &str, menu: &str, key: &str) -> Uuid {
    derive_uuid(namespace, &format!("menu:{menu}:{key}"))
}

/// Whether `name` can be a Drupal menu's machine name.
pub fn valid_menu_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// `[menus]` as the commands need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MenuOptions {
    /// The menu every page joins, nested as its folders (`[menus].folders`).
    pub folders: Option<String>,
}

/// The links the pages declare, and every problem with them (positioned at the page's
/// `menu:` key): a parent that is not a page of the same menu, a cycle, a page twice in a menu.
pub fn derive(
    pages: &[Page],
    options: &MenuOptions,
    namespace: &str,
) -> (Vec<Link>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let error = |page: &Page, message: String| {
        let (line, col) = position(page);
        Diagnostic {
            path: page.source.path.clone(),
            line,
            col,
            severity: Severity::Error,
            message,
        }
    };

    // Each menu's entries: page index → (title, weight, parent key).
    let mut menus: BTreeMap<String, BTreeMap<usize, Resolved>> = BTreeMap::new();
    let folder_parents = options
        .folders
        .as_deref()
        .map(|_| folder_parents(pages))
        .unwrap_or_default();
    for (i, page) in pages.iter().enumerate() {
        let mut seen = HashSet::new();
        for entry in &page.nav.entries {
            if !seen.insert(entry.menu.as_str()) {
                diagnostics.push(error(
                    page,
                    format!("page `{}` is in menu `{}` twice", page.key, entry.menu),
                ));
            }
        }
        let mut wanted: Vec<(String, Option<&Entry>, Option<String>)> = page
            .nav
            .entries
            .iter()
            .filter(|e| Some(e.menu.as_str()) != options.folders.as_deref())
            .map(|e| (e.menu.clone(), Some(e), None))
            .collect();
        if let Some(menu) = &options.folders {
            let explicit = page.nav.entries.iter().find(|e| &e.menu == menu);
            wanted.push((menu.clone(), explicit, folder_parents.get(&i).cloned()));
        }
        for (menu, entry, folder_parent) in wanted {
            let resolved = Resolved {
                title: entry
                    .and_then(|e| e.name.clone())
                    .or_else(|| page.nav.link_title.clone())
                    .unwrap_or_else(|| page.title.clone()),
                weight: entry
                    .and_then(|e| e.weight)
                    .or(page.nav.weight)
                    .unwrap_or(0),
                parent: entry.and_then(|e| e.parent.clone()).or(folder_parent),
            };
            menus.entry(menu).or_default().entry(i).or_insert(resolved);
        }
    }

    let by_key: HashMap<&str, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.key.as_str(), i))
        .collect();
    let mut links = Vec::new();
    for (menu, entries) in &menus {
        // Parent page index of each entry, once the parent is known to be in this menu.
        let mut parent_of: HashMap<usize, usize> = HashMap::new();
        let mut broken: HashSet<usize> = HashSet::new();
        for (&i, resolved) in entries {
            let Some(parent) = &resolved.parent else {
                continue;
            };
            match by_key.get(parent.as_str()) {
                Some(&p) if entries.contains_key(&p) && p != i => {
                    parent_of.insert(i, p);
                }
                Some(&p) if p == i => {
                    diagnostics.push(error(
                        &pages[i],
                        format!("page `{parent}` cannot be its own parent in menu `{menu}`"),
                    ));
                    broken.insert(i);
                }
                found => {
                    let why = if found.is_some() {
                        "is not in that menu"
                    } else {
                        "is not a page"
                    };
                    diagnostics.push(error(
                        &pages[i],
                        format!("parent `{parent}` in menu `{menu}` {why}; `parent` names the key of a page in the same menu"),
                    ));
                    broken.insert(i);
                }
            }
        }
        // Cycles: follow parents; a walk that comes back to where it started is one.
        for &start in entries.keys() {
            let mut at = start;
            let mut steps = 0;
            while let Some(&next) = parent_of.get(&at) {
                at = next;
                steps += 1;
                if at == start {
                    diagnostics.push(error(
                        &pages[start],
                        format!(
                            "menu `{menu}` has a cycle of parents through page `{}`",
                            pages[start].key
                        ),
                    ));
                    broken.insert(start);
                    break;
                }
                if steps > entries.len() {
                    break;
                }
            }
        }
        for (&i, resolved) in entries {
            if chain(i, &parent_of).iter().any(|p| broken.contains(p)) {
                continue;
            }
            let page = &pages[i];
            let trail: Vec<String> = chain(i, &parent_of)
                .iter()
                .rev()
                .map(|&p| entries[&p].title.clone())
                .collect();
            links.push(Link {
                uuid: link_uuid(namespace, menu, &page.key),
                menu: menu.clone(),
                key: page.key.clone(),
                page: page.uuid,
                source: page.source.clone(),
                title: resolved.title.clone(),
                weight: resolved.weight,
                parent: parent_of
                    .get(&i)
                    .map(|&p| link_uuid(namespace, menu, &pages[p].key)),
                enabled: page.published,
                trail,
                at: position(page),
            });
        }
    }
    (links, diagnostics)
}

/// Where a page's `menu:` key is, or where the page starts.
fn position(page: &Page) -> (usize, usize) {
    match page.nav.at {
        (0, _) => (page.source.line, 1),
        at => at,
    }
}

#[derive(Debug, Clone)]
struct Resolved {
    title: String,
    weight: i64,
    parent: Option<String>,
}

/// `i` and its ancestors, nearest first (stops at a cycle).
fn chain(i: usize, parent_of: &HashMap<usize, usize>) -> Vec<usize> {
    let mut out = vec![i];
    let mut at = i;
    while let Some(&p) = parent_of.get(&at) {
        if out.contains(&p) {
            break;
        }
        out.push(p);
        at = p;
    }
    out
}

/// With `[menus].folders`: each page's parent page key, the index page of the nearest
/// folder above it that has one (the content directory's own index parents nothing).
fn folder_parents(pages: &[Page]) -> HashMap<usize, String> {
    let folder = |file: &str| file.rsplit_once('/').map_or("", |(dir, _)| dir).to_owned();
    let index_of: HashMap<String, usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.nav.folder_index)
        .map(|(i, p)| (folder(&p.nav.file), i))
        .collect();
    let mut parents = HashMap::new();
    for (i, page) in pages.iter().enumerate() {
        let mut dir = folder(&page.nav.file);
        if page.nav.folder_index {
            if dir.is_empty() {
                continue;
            }
            dir = folder(&dir);
        }
        loop {
            if dir.is_empty() {
                break;
            }
            if let Some(&p) = index_of.get(&dir).filter(|&&p| p != i) {
                parents.insert(i, pages[p].key.clone());
                break;
            }
            dir = folder(&dir);
        }
    }
    parents
}

/// A field of a link that drupal-sync manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkField {
    Title,
    Weight,
    Parent,
    Enabled,
    Link,
}

impl LinkField {
    /// The field's name in reports (the attribute's name in JSON:API).
    pub fn as_str(self) -> &'static str {
        match self {
            LinkField::Title => "title",
            LinkField::Weight => "weight",
            LinkField::Parent => "parent",
            LinkField::Enabled => "enabled",
            LinkField::Link => "link",
        }
    }
}

impl fmt::Display for LinkField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One field's value on the site and in the content, as people read it (a parent by title).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkFieldChange {
    pub field: LinkField,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One menu link that changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkChange {
    pub action: Action,
    pub uuid: Uuid,
    pub menu: String,
    /// The link as the content wants it (create and update).
    pub link: Option<Link>,
    /// The link as it was read (update and delete).
    pub remote: Option<RemoteLink>,
    /// Fields that differ (update; every field for a create).
    pub fields: Vec<LinkFieldChange>,
    /// The page's node id when the plan knows it (the page exists already).
    pub nid: Option<u64>,
    /// Titles from the top of the menu down to the link.
    pub trail: Vec<String>,
    /// A remark for people (why a link is deleted).
    pub note: Option<String>,
}

impl LinkChange {
    /// `main › Docs › Getting started`.
    pub fn path(&self) -> String {
        std::iter::once(self.menu.as_str())
            .chain(self.trail.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(TRAIL_SEPARATOR)
    }

    /// The link's weight as it will be (as it is, for a deletion).
    pub fn weight(&self) -> i64 {
        self.link
            .as_ref()
            .map(|l| l.weight)
            .or(self.remote.as_ref().map(|r| r.weight))
            .unwrap_or(0)
    }

    /// The source of the page that declares the link.
    pub fn source(&self) -> Option<&Source> {
        self.link.as_ref().map(|l| &l.source)
    }

    /// How deep the link sits (creates and updates run shallowest first).
    pub fn depth(&self) -> usize {
        self.trail.len().saturating_sub(1)
    }
}

/// What the plan knows of the site, for links.
#[derive(Debug, Clone, Default)]
pub struct LinkContext<'a> {
    /// Node ids of the pages that exist, by page UUID.
    pub nids: HashMap<Uuid, u64>,
    /// Keys of every page the content defines (a link of another page is that page's to keep).
    pub keys: Vec<&'a str>,
    pub namespace: &'a str,
    /// `--prune`: links of pages without a source go too.
    pub prune: bool,
}

/// Compare the desired links with the namespace's links on the site: creates and updates,
/// then deletions, each in menu order. Returns the changes and how many links match.
pub fn plan(
    desired: &[Link],
    remote: &[RemoteLink],
    context: &LinkContext,
) -> (Vec<LinkChange>, usize) {
    let by_uuid: HashMap<Uuid, &RemoteLink> = remote.iter().map(|r| (r.uuid, r)).collect();
    let desired_titles: HashMap<Uuid, &str> =
        desired.iter().map(|l| (l.uuid, l.title.as_str())).collect();
    let remote_titles: HashMap<String, &str> = remote
        .iter()
        .map(|r| (parent_ref(r.uuid), r.title.as_str()))
        .collect();
    let show_parent = |parent: Option<&str>, titles: &dyn Fn(&str) -> Option<String>| {
        Some(match parent {
            None => "(top)".to_owned(),
            Some(p) => titles(p).unwrap_or_else(|| p.to_owned()),
        })
    };
    let remote_title = |p: &str| remote_titles.get(p).map(|t| (*t).to_owned());
    let desired_title = |p: &str| {
        p.strip_prefix("menu_link_content:")
            .and_then(|u| u.parse::<Uuid>().ok())
            .and_then(|u| desired_titles.get(&u))
            .map(|t| (*t).to_owned())
    };

    let mut changes = Vec::new();
    let mut unchanged = 0;
    for link in desired {
        let nid = context.nids.get(&link.page).copied();
        let wanted_parent = link.parent.map(parent_ref);
        let Some(current) = by_uuid.get(&link.uuid) else {
            let mut fields = vec![
                text_change(LinkField::Title, None, Some(link.title.clone())),
                text_change(LinkField::Weight, None, Some(link.weight.to_string())),
            ];
            if link.parent.is_some() {
                fields.push(text_change(
                    LinkField::Parent,
                    None,
                    show_parent(wanted_parent.as_deref(), &desired_title),
                ));
            }
            if !link.enabled {
                fields.push(text_change(
                    LinkField::Enabled,
                    None,
                    Some("false".to_owned()),
                ));
            }
            changes.push(LinkChange {
                action: Action::Create,
                uuid: link.uuid,
                menu: link.menu.clone(),
                link: Some(link.clone()),
                remote: None,
                fields,
                nid,
                trail: link.trail.clone(),
                note: None,
            });
            continue;
        };
        let mut fields = Vec::new();
        if current.title != link.title {
            fields.push(text_change(
                LinkField::Title,
                Some(current.title.clone()),
                Some(link.title.clone()),
            ));
        }
        if current.weight != link.weight {
            fields.push(text_change(
                LinkField::Weight,
                Some(current.weight.to_string()),
                Some(link.weight.to_string()),
            ));
        }
        if current.parent != wanted_parent {
            fields.push(text_change(
                LinkField::Parent,
                show_parent(current.parent.as_deref(), &remote_title),
                show_parent(wanted_parent.as_deref(), &desired_title),
            ));
        }
        if current.enabled != link.enabled {
            fields.push(text_change(
                LinkField::Enabled,
                Some(current.enabled.to_string()),
                Some(link.enabled.to_string()),
            ));
        }
        if let Some(nid) = nid {
            if current.uri != node_uri(nid) {
                fields.push(text_change(
                    LinkField::Link,
                    Some(current.uri.clone()),
                    Some(node_uri(nid)),
                ));
            }
        }
        if fields.is_empty() {
            unchanged += 1;
            continue;
        }
        changes.push(LinkChange {
            action: Action::Update,
            uuid: link.uuid,
            menu: link.menu.clone(),
            link: Some(link.clone()),
            remote: Some((*current).clone()),
            fields,
            nid,
            trail: link.trail.clone(),
            note: None,
        });
    }
    // In menu order, so the plan reads like the menu (applying goes parents first anyway).
    changes.sort_by(|a, b| (&a.menu, &a.trail, a.uuid).cmp(&(&b.menu, &b.trail, b.uuid)));

    // Links of this namespace nobody wants: those of pages the content still defines were
    // dropped from their page's front matter; the others belong to pages without a source.
    let wanted: HashSet<Uuid> = desired.iter().map(|l| l.uuid).collect();
    let mut deletions = Vec::new();
    let mut owners: HashMap<&str, HashMap<Uuid, &str>> = HashMap::new();
    for link in remote {
        if wanted.contains(&link.uuid) || !belongs_to(&link.uuid, context.namespace) {
            continue;
        }
        let owner = owners.entry(link.menu.as_str()).or_insert_with(|| {
            context
                .keys
                .iter()
                .map(|k| (link_uuid(context.namespace, &link.menu, k), *k))
                .collect()
        });
        let note = match owner.get(&link.uuid) {
            Some(key) => format!("page `{key}` no longer declares it"),
            None if context.prune => {
                format!("no source; namespace {}", context.namespace)
            }
            None => continue,
        };
        deletions.push(LinkChange {
            action: Action::Delete,
            uuid: link.uuid,
            menu: link.menu.clone(),
            link: None,
            remote: Some(link.clone()),
            fields: Vec::new(),
            nid: None,
            trail: remote_trail(link, remote),
            note: Some(note),
        });
    }
    deletions.sort_by(|a, b| (&a.menu, &a.trail, a.uuid).cmp(&(&b.menu, &b.trail, b.uuid)));
    changes.extend(deletions);
    (changes, unchanged)
}

fn text_change(field: LinkField, before: Option<String>, after: Option<String>) -> LinkFieldChange {
    LinkFieldChange {
        field,
        before,
        after,
    }
}

/// A remote link's titles from the top of its menu (as far as the namespace's links tell).
fn remote_trail(link: &RemoteLink, remote: &[RemoteLink]) -> Vec<String> {
    let by_ref: HashMap<String, &RemoteLink> =
        remote.iter().map(|r| (parent_ref(r.uuid), r)).collect();
    let mut trail = vec![link.title.clone()];
    let mut at = link;
    while let Some(parent) = at.parent.as_ref().and_then(|p| by_ref.get(p)) {
        if trail.len() > remote.len() {
            break;
        }
        trail.push(parent.title.clone());
        at = parent;
    }
    trail.reverse();
    trail
}

/// Link changes whose target changed on the site since the plan was made: a link to create
/// that exists now, a link to change or delete that is gone or differs.
pub fn stale<'a>(changes: &'a [LinkChange], current: &[RemoteLink]) -> Vec<&'a LinkChange> {
    let now: HashMap<Uuid, &RemoteLink> = current.iter().map(|r| (r.uuid, r)).collect();
    changes
        .iter()
        .filter(|c| c.remote.as_ref() != now.get(&c.uuid).copied())
        .collect()
}

/// Problems with the menus the site has, found before any write: `menus` are the machine
/// names `GET /jsonapi/menu/menu` lists (`None`: the account may not see them). A menu
/// that `[menus].folders` names is reported once, against `config`.
pub fn check_menus(
    changes: &[LinkChange],
    menus: Option<&[String]>,
    account: &str,
    options: &MenuOptions,
    config: &str,
) -> Vec<String> {
    let Some(menus) = menus else {
        return vec![format!(
            "the account `{account}` may not manage menu links: the site lists it no menus, so it lacks Drupal's \"administer menu\" permission; nothing was written\n  hint: grant the account's role \"Administer menus and menu links\", or remove `menu:` and [menus].folders from the content"
        )];
    };
    let known = if menus.is_empty() {
        "no menus".to_owned()
    } else {
        format!(
            "menus {}",
            menus
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut problems = Vec::new();
    let mut reported = HashSet::new();
    for change in changes.iter().filter(|c| c.action == Action::Create) {
        if menus.contains(&change.menu) {
            continue;
        }
        let Some(link) = &change.link else { continue };
        let place = if options.folders.as_deref() == Some(change.menu.as_str()) {
            format!("{config}: [menus].folders names")
        } else {
            format!("{}:", link.position())
        };
        if !reported.insert(place.clone()) {
            continue;
        }
        problems.push(format!(
            "{place} unknown menu `{}`; the site has {known}",
            change.menu
        ));
    }
    problems
}

#[cfg(test)]
mod tests;
