//! The site: nodes of bundle `page`, the site-wide nid/vid/alias counters, path aliases, the
//! rules a write must pass (field permissions, text formats, unique aliases) and the JSON file
//! the site is kept in. Knows nothing of HTTP: `jsonapi` and `rest` turn requests into
//! [`Changes`] and render [`Node`]s.
//!
//! The alias rules are Drupal's (transcripts 42–44, 53): a `path` with the `pid` of one of the
//! node's aliases renames that alias in place, a `path` without it adds another alias, and a
//! node shows its newest alias.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::auth::{Actor, Author};
use super::files::Files;
use super::pathauto::Pattern;
use super::Role;

/// UUID of the `page` node type, as the recorded site reports it.
pub(super) const PAGE_TYPE_UUID: &str = "38c41839-da04-4e96-890e-08d5c951c6a4";

/// A page as the site stores it (its current revision).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// Node id, never reused.
    pub nid: u64,
    /// Node UUID, possibly chosen by the client.
    pub uuid: String,
    /// Current revision id, from a site-wide counter.
    pub vid: u64,
    /// Title, never empty.
    pub title: String,
    /// Published.
    pub status: bool,
    /// Promoted to the front page.
    pub promote: bool,
    /// Sticky at the top of lists.
    pub sticky: bool,
    /// Body, absent when empty.
    pub body: Option<TextBody>,
    /// Log message of the current revision.
    pub revision_log: Option<String>,
    /// Creation time.
    pub created: i64,
    /// Last time the content (not the alias or log) changed.
    pub changed: i64,
    /// Creation time of the current revision.
    pub revision_timestamp: i64,
    /// Author.
    pub uid: u64,
    /// Author of the current revision.
    pub revision_uid: u64,
    /// Whether the current revision changed content; `None` when it only touched the alias or log.
    pub revision_translation_affected: Option<bool>,
}

impl Node {
    /// Anonymous users see published pages only; signed-in users see every page.
    pub fn visible_to(&self, actor: Actor) -> bool {
        self.status || actor != Actor::Anonymous
    }
}

/// A formatted text field value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextBody {
    /// The markup as written.
    pub value: String,
    /// Text format machine name.
    pub format: Option<String>,
    /// Teaser text.
    pub summary: Option<String>,
}

impl TextBody {
    /// Reads a body item `{"value","format","summary"}`; `null`, or no value and no summary,
    /// empties the body as Drupal does.
    pub fn from_json(item: &Value) -> Result<Option<TextBody>, Violation> {
        let object = match item {
            Value::Null => return Ok(None),
            Value::Object(object) => object,
            _ => return Err(Violation::primitive("body")),
        };
        let text = |key: &str| match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(Violation::primitive(&format!("body.0.{key}"))),
        };
        let (value, format, summary) = (text("value")?, text("format")?, text("summary")?);
        let value = value.unwrap_or_default();
        if value.is_empty() && summary.as_deref().unwrap_or_default().is_empty() {
            return Ok(None);
        }
        Ok(Some(TextBody {
            value,
            format,
            summary,
        }))
    }
}

/// A URL alias of a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    /// Alias id (`path.pid`), never reused.
    pub pid: u64,
    /// The alias entity's UUID.
    pub uuid: String,
    /// System path, `/node/N`.
    pub path: String,
    /// The alias, `/about`.
    pub alias: String,
    /// Always `en`: the sandbox is single-language.
    pub langcode: String,
}

/// The fields a write sets; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// `Some(None)` is an explicit null, which fails validation.
    pub title: Option<Option<String>>,
    /// Needs "administer nodes".
    pub status: Option<bool>,
    /// Needs "administer nodes".
    pub promote: Option<bool>,
    /// Needs "administer nodes".
    pub sticky: Option<bool>,
    /// Needs "administer nodes".
    pub created: Option<i64>,
    /// `Some(None)` empties the body.
    pub body: Option<Option<TextBody>>,
    /// Alias change, see the module docs.
    pub path: Option<PathChange>,
    /// `Some(None)` clears the log.
    pub revision_log: Option<Option<String>>,
}

/// A `path` field value sent by a client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathChange {
    /// The alias; empty or absent removes the alias named by `pid`.
    pub alias: Option<String>,
    /// The alias to rename in place; without it a new alias is added.
    pub pid: Option<u64>,
    /// pathauto's `path.pathauto` flag: `Some(false)` keeps the sent alias on a site with
    /// pathauto; `None` when not sent.
    pub pathauto: Option<bool>,
}

impl PathChange {
    /// Reads a path item `{"alias","pid","langcode"}`, returning the langcode as sent (the
    /// answer to the write echoes it).
    pub fn from_json(item: &Value) -> Result<(PathChange, Option<String>), Violation> {
        let object = match item {
            Value::Null => return Ok((PathChange::default(), None)),
            Value::Object(object) => object,
            _ => return Err(Violation::primitive("path")),
        };
        let alias = match object.get("alias") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(Violation::primitive("path.0.alias")),
        };
        let pid = match object.get("pid") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => Some(
                n.as_u64()
                    .ok_or_else(|| Violation::primitive("path.0.pid"))?,
            ),
            Some(Value::String(s)) => {
                Some(s.parse().map_err(|_| Violation::primitive("path.0.pid"))?)
            }
            Some(_) => return Err(Violation::primitive("path.0.pid")),
        };
        let pathauto = match object.get("pathauto") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(flag)) => Some(*flag),
            Some(Value::Number(n)) => Some(n.as_f64() != Some(0.0)),
            Some(Value::String(s)) => Some(!matches!(s.as_str(), "" | "0")),
            Some(_) => return Err(Violation::primitive("path.0.pathauto")),
        };
        let langcode = object
            .get("langcode")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Ok((
            PathChange {
                alias,
                pid,
                pathauto,
            },
            langcode,
        ))
    }
}

/// A failed constraint, named by Drupal's property path (`body.0.format`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Property path, e.g. `title` or `body.0.format`.
    pub property: String,
    /// Drupal's message.
    pub message: String,
}

impl Violation {
    /// A violation of `property`.
    pub fn new(property: &str, message: impl Into<String>) -> Violation {
        Violation {
            property: property.to_owned(),
            message: message.into(),
        }
    }

    /// A value of the wrong JSON type.
    pub fn primitive(property: &str) -> Violation {
        Violation::new(
            property,
            "This value should be of the correct primitive type.",
        )
    }
}

/// Why a write was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// The user may not set this field ("administer nodes" is required).
    Forbidden(&'static str),
    /// The page fails validation.
    Invalid(Vec<Violation>),
    /// Another node has this UUID.
    UuidTaken,
    /// No such node.
    NotFound,
}

/// Whether an update makes a new revision (JSON:API) or rewrites the current one (core REST).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revision {
    /// New vid, revision time and author; the log carries over unless sent.
    New,
    /// Same vid.
    Current,
}

/// The whole site.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Site {
    /// HMAC key of issued tokens; kept so tokens outlive a restart.
    secret: String,
    next_nid: u64,
    next_vid: u64,
    next_pid: u64,
    nodes: BTreeMap<u64, Node>,
    aliases: BTreeMap<u64, Alias>,
    /// Uploaded files (`sandbox::files`).
    #[serde(default)]
    files: Files,
    /// Nodes whose alias pathauto generates (saved without `"pathauto": 0` while it ran).
    #[serde(default)]
    pathauto_nodes: BTreeSet<u64>,
    /// The pathauto pattern for pages, when the site runs pathauto (`--pathauto`).
    #[serde(skip)]
    pathauto: Option<Pattern>,
    /// Menu links (`menu_link_content`).
    #[serde(default)]
    menu_links: super::menus::MenuLinks,
    /// Bumped by every write, to know when to save.
    #[serde(skip)]
    generation: u64,
    /// Lookups a site of 10,000 pages answers per request, kept in step with every write
    /// (and rebuilt after loading) so no request scans every node or alias.
    #[serde(skip)]
    index: Index,
    /// Site-specific text formats (`sandbox --text-format`), besides the standard ones.
    #[serde(skip)]
    text_formats: Vec<crate::formats::TextFormat>,
    /// Where the site is served (`http://127.0.0.1:8888`): its own absolute image URLs are
    /// made relative, as Drupal's `filter_html_image_secure` does.
    #[serde(skip)]
    base_url: String,
    /// Filtered bodies already computed, as Drupal's render cache keeps them: a listing of
    /// 10,000 pages must not run every format's filters again on every read.
    #[serde(skip)]
    filtered: FilterCache,
}

/// `processed` texts by (format, value), shared by every read of a body.
#[derive(Debug, Default)]
struct FilterCache(std::sync::Mutex<HashMap<u64, std::sync::Arc<str>>>);

impl Clone for FilterCache {
    /// A copy of a site starts with an empty cache (it is only ever a shortcut).
    fn clone(&self) -> Self {
        FilterCache::default()
    }
}

impl FilterCache {
    fn get_or_insert(&self, body: &TextBody, make: impl FnOnce() -> String) -> std::sync::Arc<str> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        body.format.hash(&mut hasher);
        body.value.hash(&mut hasher);
        let key = hasher.finish();
        let mut cache = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cache
            .entry(key)
            .or_insert_with(|| std::sync::Arc::from(make()))
            .clone()
    }

    fn clear(&self) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }
}

/// Secondary indexes of a [`Site`].
#[derive(Debug, Clone, Default)]
struct Index {
    /// Node UUID → nid.
    by_uuid: HashMap<String, u64>,
    /// System path (`/node/N`) → pids of its aliases, oldest first.
    by_path: HashMap<String, BTreeSet<u64>>,
    /// Alias, ASCII-lowercased → pids holding it.
    by_alias: HashMap<String, BTreeSet<u64>>,
}

impl Index {
    fn of(nodes: &BTreeMap<u64, Node>, aliases: &BTreeMap<u64, Alias>) -> Index {
        let mut index = Index::default();
        for node in nodes.values() {
            index.by_uuid.insert(node.uuid.clone(), node.nid);
        }
        for alias in aliases.values() {
            index.add_alias(alias);
        }
        index
    }

    fn add_alias(&mut self, alias: &Alias) {
        self.by_path
            .entry(alias.path.clone())
            .or_default()
            .insert(alias.pid);
        self.by_alias
            .entry(alias.alias.to_ascii_lowercase())
            .or_default()
            .insert(alias.pid);
    }

    fn remove_alias(&mut self, alias: &Alias) {
        if let Some(pids) = self.by_path.get_mut(&alias.path) {
            pids.remove(&alias.pid);
        }
        if let Some(pids) = self.by_alias.get_mut(&alias.alias.to_ascii_lowercase()) {
            pids.remove(&alias.pid);
        }
    }
}

impl Default for Site {
    fn default() -> Self {
        Site::new()
    }
}

impl Site {
    /// An empty site with a fresh signing secret.
    pub fn new() -> Site {
        Site {
            secret: URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>()),
            next_nid: 1,
            next_vid: 1,
            next_pid: 1,
            nodes: BTreeMap::new(),
            aliases: BTreeMap::new(),
            files: Files::default(),
            pathauto_nodes: BTreeSet::new(),
            pathauto: None,
            menu_links: super::menus::MenuLinks::default(),
            generation: 0,
            index: Index::default(),
            text_formats: Vec::new(),
            base_url: String::new(),
            filtered: FilterCache::default(),
        }
    }

    /// Runs pathauto with `pattern` for pages (drupal-wire §7), or no pathauto.
    pub fn set_pathauto(&mut self, pattern: Option<Pattern>) {
        self.pathauto = pattern;
    }

    /// Whether the site runs pathauto.
    pub fn runs_pathauto(&self) -> bool {
        self.pathauto.is_some()
    }

    /// Whether pathauto generates node `nid`'s alias (so a write's `path` is not stored,
    /// though the answer echoes it: drupal-wire 90, 98, 99).
    pub fn pathauto_owns(&self, nid: u64) -> bool {
        self.pathauto.is_some() && self.pathauto_nodes.contains(&nid)
    }

    /// Add site-specific text formats (any account may use them), and say where the site
    /// is served.
    pub fn set_text_formats(&mut self, formats: Vec<crate::formats::TextFormat>, base_url: &str) {
        self.text_formats = formats;
        base_url.clone_into(&mut self.base_url);
        self.filtered.clear();
    }

    /// Every text format of the site: the standard profile's, then the site's own.
    pub fn text_formats(&self) -> Vec<crate::formats::TextFormat> {
        ["basic_html", "full_html", "plain_text", "restricted_html"]
            .iter()
            .filter_map(|name| crate::formats::TextFormat::standard(name))
            .filter(|f| self.text_formats.iter().all(|own| own.name != f.name))
            .chain(self.text_formats.iter().cloned())
            .collect()
    }

    /// `body.processed`: the body after its format's filters (drupal-wire §9). A format
    /// the site does not have shows nothing, as in Drupal.
    pub fn processed(&self, body: &TextBody) -> String {
        let filtered = self
            .filtered
            .get_or_insert(body, || processed(body, &self.text_formats, &self.base_url));
        super::files::processed(&self.files, &filtered)
    }

    /// Key for signing and verifying tokens.
    pub fn secret(&self) -> &[u8] {
        self.secret.as_bytes()
    }

    /// Changes whenever a write succeeds.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// All nodes by nid.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes.values()
    }

    /// The node `nid`.
    pub fn node(&self, nid: u64) -> Option<&Node> {
        self.nodes.get(&nid)
    }

    /// The node with `uuid`.
    pub fn node_by_uuid(&self, uuid: &str) -> Option<&Node> {
        self.index
            .by_uuid
            .get(uuid)
            .and_then(|nid| self.nodes.get(nid))
    }

    /// The uploaded files.
    pub fn files(&self) -> &Files {
        &self.files
    }

    /// Stores an upload (see [`Files::upload`]); its fid.
    pub fn upload_file(&mut self, name: &str, bytes: Vec<u8>, uid: u64, now: i64) -> u64 {
        self.generation += 1;
        self.files.upload(name, bytes, uid, now)
    }

    /// The menu links.
    pub fn menu_links(&self) -> &super::menus::MenuLinks {
        &self.menu_links
    }

    /// The menu links, to change them (counts as a write).
    pub fn menu_links_mut(&mut self) -> &mut super::menus::MenuLinks {
        self.generation += 1;
        &mut self.menu_links
    }

    /// All aliases by pid.
    pub fn aliases(&self) -> impl Iterator<Item = &Alias> {
        self.aliases.values()
    }

    /// The node an alias points at; aliases match case-insensitively, as in Drupal.
    pub fn nid_by_alias(&self, alias: &str) -> Option<u64> {
        let pid = self
            .index
            .by_alias
            .get(&alias.to_ascii_lowercase())?
            .last()?;
        self.aliases[pid].path.strip_prefix("/node/")?.parse().ok()
    }

    /// The alias a node shows: its newest.
    pub fn alias_of(&self, nid: u64) -> Option<&Alias> {
        let pid = self.index.by_path.get(&system_path(nid))?.last()?;
        self.aliases.get(pid)
    }

    /// Creates a node; the rules run in Drupal's order: field permissions, validation, then
    /// the UUID (a duplicate only fails when the row is stored).
    pub fn create(
        &mut self,
        uuid: Option<String>,
        mut changes: Changes,
        author: Author,
        now: i64,
    ) -> Result<u64, WriteError> {
        check_field_access(author, &changes, None)?;
        let path = changes.path.take();
        let mut node = Node {
            nid: self.next_nid,
            uuid: uuid.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            vid: self.next_vid,
            title: String::new(),
            status: true,
            promote: false,
            sticky: false,
            body: None,
            revision_log: None,
            created: now,
            changed: now,
            revision_timestamp: now,
            uid: author.uid,
            revision_uid: author.uid,
            revision_translation_affected: Some(true),
        };
        apply(&mut node, changes);
        let alias = path
            .as_ref()
            .and_then(|p| normalize_alias(p.alias.as_deref()));
        let violations = self.validate(None, &node, alias.as_deref(), author.role);
        if !violations.is_empty() {
            return Err(WriteError::Invalid(violations));
        }
        if self.node_by_uuid(&node.uuid).is_some() {
            return Err(WriteError::UuidTaken);
        }
        let nid = node.nid;
        self.next_nid += 1;
        self.next_vid += 1;
        // pathauto replaces the sent alias unless the write said `"pathauto": 0` (90, 91).
        let generated = match &self.pathauto {
            Some(pattern) if path.as_ref().and_then(|p| p.pathauto) != Some(false) => {
                Some(pattern.alias(&node.title, nid))
            }
            _ => None,
        };
        self.index.by_uuid.insert(node.uuid.clone(), nid);
        if let Some(body) = &node.body {
            self.files.record_usage(&body.value, now);
        }
        self.nodes.insert(nid, node);
        if let Some(base) = generated {
            self.pathauto_nodes.insert(nid);
            if base == "/" {
                self.generation += 1;
                return Ok(nid);
            }
            let alias = self.unique_alias(nid, &base);
            self.add_alias(nid, alias);
        } else if let Some(alias) = alias {
            self.add_alias(nid, alias);
        }
        self.generation += 1;
        Ok(nid)
    }

    /// Updates node `nid` with the fields in `changes`.
    pub fn update(
        &mut self,
        nid: u64,
        mut changes: Changes,
        author: Author,
        now: i64,
        revision: Revision,
    ) -> Result<(), WriteError> {
        let current = self.nodes.get(&nid).ok_or(WriteError::NotFound)?;
        check_field_access(author, &changes, Some(current))?;
        let path = changes.path.take();
        let mut node = current.clone();
        apply(&mut node, changes);
        let alias = path
            .as_ref()
            .and_then(|p| normalize_alias(p.alias.as_deref()));
        let violations = self.validate(Some(nid), &node, alias.as_deref(), author.role);
        if !violations.is_empty() {
            return Err(WriteError::Invalid(violations));
        }
        // Drupal's "changed" only moves when translatable content changes, not the alias or log.
        let content_changed = node.title != current.title
            || node.status != current.status
            || node.promote != current.promote
            || node.sticky != current.sticky
            || node.created != current.created
            || node.body != current.body;
        if content_changed {
            node.changed = now;
        }
        match revision {
            Revision::New => {
                node.vid = self.next_vid;
                self.next_vid += 1;
                node.revision_timestamp = now;
                node.revision_uid = author.uid;
                node.revision_translation_affected = content_changed.then_some(true);
            }
            Revision::Current => {
                if content_changed {
                    node.revision_translation_affected = Some(true);
                }
            }
        }
        if let Some(body) = &node.body {
            self.files.record_usage(&body.value, now);
        }
        let title_changed = node.title != current.title;
        let title = node.title.clone();
        self.nodes.insert(nid, node);
        if self.pathauto.is_some() && path.as_ref().and_then(|p| p.pathauto) == Some(true) {
            self.pathauto_nodes.insert(nid);
        }
        if self.pathauto_owns(nid) {
            // The sent alias is ignored (98, 99); a new title makes a new alias, in place.
            if title_changed || path.as_ref().and_then(|p| p.pathauto) == Some(true) {
                self.regenerate_alias(nid, &title);
            }
        } else if let Some(path) = &path {
            let own_pid = path.pid.filter(|pid| {
                self.aliases
                    .get(pid)
                    .is_some_and(|a| a.path == system_path(nid))
            });
            match (alias, own_pid) {
                (Some(alias), Some(pid)) => {
                    if let Some(existing) = self.aliases.get_mut(&pid) {
                        self.index.remove_alias(existing);
                        existing.alias = alias;
                        self.index.add_alias(existing);
                    }
                }
                (Some(alias), None) => self.add_alias(nid, alias),
                (None, Some(pid)) => {
                    if let Some(removed) = self.aliases.remove(&pid) {
                        self.index.remove_alias(&removed);
                    }
                }
                (None, None) => {}
            }
        }
        self.generation += 1;
        Ok(())
    }

    /// Deletes node `nid` and its aliases.
    pub fn delete(&mut self, nid: u64) -> Result<(), WriteError> {
        let node = self.nodes.remove(&nid).ok_or(WriteError::NotFound)?;
        self.index.by_uuid.remove(&node.uuid);
        self.pathauto_nodes.remove(&nid);
        let path = system_path(nid);
        for pid in self.index.by_path.remove(&path).unwrap_or_default() {
            if let Some(alias) = self.aliases.remove(&pid) {
                self.index.remove_alias(&alias);
            }
        }
        self.menu_links.node_deleted(nid);
        self.generation += 1;
        Ok(())
    }

    /// pathauto's alias for `nid` from `title`, renaming the node's alias in place.
    fn regenerate_alias(&mut self, nid: u64, title: &str) {
        let Some(pattern) = &self.pathauto else {
            return;
        };
        let base = pattern.alias(title, nid);
        if base == "/" {
            // Nothing left after cleaning: pathauto makes no alias.
            return;
        }
        let alias = self.unique_alias(nid, &base);
        match self.alias_of(nid).map(|a| a.pid) {
            Some(pid) => {
                if let Some(existing) = self.aliases.get_mut(&pid) {
                    self.index.remove_alias(existing);
                    existing.alias = alias;
                    self.index.add_alias(existing);
                }
            }
            None => self.add_alias(nid, alias),
        }
    }

    /// `base`, or `base-0`, `base-1`, … when another path holds it (pathauto's uniquifying).
    fn unique_alias(&self, nid: u64, base: &str) -> String {
        let own = system_path(nid);
        let taken = |alias: &str| {
            self.index
                .by_alias
                .get(&alias.to_ascii_lowercase())
                .into_iter()
                .flatten()
                .any(|pid| self.aliases[pid].path != own)
        };
        if !taken(base) {
            return base.to_owned();
        }
        (0..)
            .map(|i| format!("{base}-{i}"))
            .find(|candidate| !taken(candidate))
            .unwrap_or_else(|| base.to_owned())
    }

    fn add_alias(&mut self, nid: u64, alias: String) {
        let pid = self.next_pid;
        self.next_pid += 1;
        let alias = Alias {
            pid,
            uuid: uuid::Uuid::new_v4().to_string(),
            path: system_path(nid),
            alias,
            langcode: "en".into(),
        };
        self.index.add_alias(&alias);
        self.aliases.insert(pid, alias);
    }

    fn validate(
        &self,
        nid: Option<u64>,
        node: &Node,
        alias: Option<&str>,
        role: Role,
    ) -> Vec<Violation> {
        let mut violations = Vec::new();
        if node.title.is_empty() {
            violations.push(Violation::new("title", "This value should not be null."));
        } else if node.title.chars().count() > 255 {
            violations.push(Violation::new(
                "title.0.value",
                "Title: may not be longer than 255 characters.",
            ));
        }
        if let Some(format) = node.body.as_ref().and_then(|b| b.format.as_deref()) {
            let own = self.text_formats.iter().any(|f| f.name == format);
            if !own && !allowed_formats(role).contains(&format) {
                violations.push(Violation::new(
                    "body.0.format",
                    "The value you selected is not a valid choice.",
                ));
            }
        }
        if let Some(alias) = alias {
            let own = nid.map(system_path);
            if !alias.starts_with('/') {
                violations.push(Violation::new(
                    "path",
                    "The alias path has to start with a slash.",
                ));
            } else if self
                .index
                .by_alias
                .get(&alias.to_ascii_lowercase())
                .into_iter()
                .flatten()
                .any(|pid| Some(&self.aliases[pid].path) != own.as_ref())
            {
                violations.push(Violation::new(
                    "path",
                    format!("The alias {alias} is already in use in this language."),
                ));
            }
        }
        violations
    }

    /// Reads the site from `path`, or creates it there (so the signing secret is kept).
    pub async fn load_or_create(path: &Path) -> io::Result<Site> {
        match tokio::fs::read(path).await {
            Ok(bytes) => {
                let mut site: Site = serde_json::from_slice(&bytes).map_err(|error| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("`{}` is not a sandbox data file: {error}", path.display()),
                    )
                })?;
                // A hand-edited file must not make the counters hand out ids twice.
                let max_vid = site.nodes.values().map(|n| n.vid).max().unwrap_or(0);
                site.next_nid = site
                    .next_nid
                    .max(site.nodes.keys().max().map_or(1, |n| n + 1));
                site.next_vid = site.next_vid.max(max_vid + 1);
                site.next_pid = site
                    .next_pid
                    .max(site.aliases.keys().max().map_or(1, |p| p + 1));
                site.index = Index::of(&site.nodes, &site.aliases);
                Ok(site)
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                let site = Site::new();
                save(path, &site.to_json()).await?;
                Ok(site)
            }
            Err(error) => Err(io::Error::new(
                error.kind(),
                format!("cannot read `{}`: {error}", path.display()),
            )),
        }
    }

    /// The site as the data file stores it.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a crash never leaves a
/// half-written file.
pub(super) async fn save(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let context = |error: io::Error| {
        io::Error::new(
            error.kind(),
            format!("cannot write `{}`: {error}", path.display()),
        )
    };
    tokio::fs::write(&temporary, bytes).await.map_err(context)?;
    tokio::fs::rename(&temporary, path).await.map_err(context)
}

/// `/node/N`.
pub(super) fn system_path(nid: u64) -> String {
    format!("/node/{nid}")
}

/// A stable UUID for user `uid`, so relationships look the same on every run.
pub(super) fn user_uuid(uid: u64) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("drupal-sync sandbox user {uid}"));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// `body` after its format's filters, `own` formats first; an unknown format shows nothing.
fn processed(body: &TextBody, own: &[crate::formats::TextFormat], base_url: &str) -> String {
    let name = body.format.as_deref().unwrap_or("plain_text");
    let format = own
        .iter()
        .find(|f| f.name == name)
        .cloned()
        .or_else(|| crate::formats::TextFormat::standard(name));
    // Drupal turns every line end into `\n` before the filters run, and the HTML formats'
    // re-serialized markup loses trailing whitespace (drupal-wire 59).
    let value = body.value.replace("\r\n", "\n").replace('\r', "\n");
    match format {
        Some(format) if name == "plain_text" => {
            super::filter::process(&value, &format, base_url, &PublicFiles)
        }
        Some(format) => super::filter::process(&value, &format, base_url, &PublicFiles)
            .trim_end()
            .to_owned(),
        None => String::new(),
    }
}

/// The sandbox keeps no file entities: any path under the public files directory or core's
/// icons counts as an image the site serves, and no UUID names a file.
struct PublicFiles;

impl super::filter::SiteFiles for PublicFiles {
    fn image_exists(&self, path: &str) -> bool {
        path.starts_with("/sites/default/files/") || path.starts_with("/core/misc/")
    }

    fn file(&self, _uuid: &str) -> Option<super::filter::FileRef> {
        None
    }
}

/// Text formats a role may use, as in the standard profile.
pub(super) fn allowed_formats(role: Role) -> &'static [&'static str] {
    match role {
        Role::Admin => &["basic_html", "restricted_html", "full_html", "plain_text"],
        Role::Editor => &["basic_html", "restricted_html", "plain_text"],
    }
}

/// Sets the sent fields on `node`.
/// Moves the fields `changes` sets into `node` (its `path` is the caller's business).
fn apply(node: &mut Node, changes: Changes) {
    if let Some(title) = changes.title {
        node.title = title.unwrap_or_default();
    }
    if let Some(status) = changes.status {
        node.status = status;
    }
    if let Some(promote) = changes.promote {
        node.promote = promote;
    }
    if let Some(sticky) = changes.sticky {
        node.sticky = sticky;
    }
    if let Some(created) = changes.created {
        node.created = created;
    }
    if let Some(body) = changes.body {
        node.body = body;
    }
    if let Some(log) = changes.revision_log {
        node.revision_log = log;
    }
}

/// Editors may not set the "administer nodes" fields; on an update a value equal to the
/// current one is ignored, as Drupal skips access checks for unchanged fields.
fn check_field_access(
    author: Author,
    changes: &Changes,
    current: Option<&Node>,
) -> Result<(), WriteError> {
    if author.role == Role::Admin {
        return Ok(());
    }
    let fields = [
        (
            "status",
            changes.status.map(i64::from),
            current.map(|n| i64::from(n.status)),
        ),
        (
            "promote",
            changes.promote.map(i64::from),
            current.map(|n| i64::from(n.promote)),
        ),
        (
            "sticky",
            changes.sticky.map(i64::from),
            current.map(|n| i64::from(n.sticky)),
        ),
        ("created", changes.created, current.map(|n| n.created)),
    ];
    for (field, sent, now) in fields {
        if sent.is_some() && sent != now {
            return Err(WriteError::Forbidden(field));
        }
    }
    Ok(())
}

/// Drupal trims an alias and drops trailing slashes; nothing left means no alias.
fn normalize_alias(alias: Option<&str>) -> Option<String> {
    let alias = alias?.trim().trim_end_matches(['/', '\\']);
    (!alias.is_empty()).then(|| alias.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADMIN: Author = Author {
        uid: 1,
        role: Role::Admin,
    };
    const EDITOR: Author = Author {
        uid: 2,
        role: Role::Editor,
    };

    fn page(title: &str) -> Changes {
        Changes {
            title: Some(Some(title.into())),
            ..Changes::default()
        }
    }

    fn with_alias(title: &str, alias: &str) -> Changes {
        Changes {
            path: Some(PathChange {
                alias: Some(alias.into()),
                pid: None,
                pathauto: None,
            }),
            ..page(title)
        }
    }

    #[test]
    fn pathauto_takes_aliases_unless_told_not_to() {
        // drupal-wire §7 (90–9a).
        let mut site = Site::new();
        site.set_pathauto(Some(Pattern::new("[node:title]")));
        let alias = |site: &Site, nid| site.alias_of(nid).map(|a| a.alias.clone());
        let taken = site
            .create(None, with_alias("Pathauto Title One", "/mine"), ADMIN, 0)
            .unwrap();
        assert_eq!(alias(&site, taken).as_deref(), Some("/pathauto-title-one"));
        assert!(site.pathauto_owns(taken));
        let mut keep = with_alias("Pathauto Title Two", "/mine-two");
        keep.path.as_mut().unwrap().pathauto = Some(false);
        let kept = site.create(None, keep, ADMIN, 0).unwrap();
        assert_eq!(alias(&site, kept).as_deref(), Some("/mine-two"));
        // An alias sent to a node pathauto owns is ignored, with or without the flag.
        let pid = site.alias_of(taken).unwrap().pid;
        for flag in [None, Some(false)] {
            let changes = Changes {
                path: Some(PathChange {
                    alias: Some("/mine".into()),
                    pid: Some(pid),
                    pathauto: flag,
                }),
                ..Changes::default()
            };
            site.update(taken, changes, ADMIN, 1, Revision::New)
                .unwrap();
            assert_eq!(alias(&site, taken).as_deref(), Some("/pathauto-title-one"));
        }
        // A new title makes a new alias for an owned node, in place; not for a kept one.
        site.update(taken, page("Retitled"), ADMIN, 2, Revision::New)
            .unwrap();
        assert_eq!(
            site.alias_of(taken).map(|a| (a.pid, a.alias.as_str())),
            Some((pid, "/retitled"))
        );
        site.update(kept, page("Retitled two"), ADMIN, 2, Revision::New)
            .unwrap();
        assert_eq!(alias(&site, kept).as_deref(), Some("/mine-two"));
        // Two titles, one alias: pathauto makes the second unique.
        let twin = site.create(None, page("Retitled"), ADMIN, 3).unwrap();
        assert_eq!(alias(&site, twin).as_deref(), Some("/retitled-0"));
    }

    #[allow(clippy::unnecessary_wraps, reason = "a `Changes::body` value")]
    fn body(value: &str, format: &str) -> Option<Option<TextBody>> {
        Some(Some(TextBody {
            value: value.into(),
            format: Some(format.into()),
            summary: None,
        }))
    }

    #[test]
    fn create_assigns_ids_from_site_wide_counters() {
        let mut site = Site::new();
        let a = site
            .create(None, with_alias("A", "/a"), ADMIN, 100)
            .unwrap();
        let b = site
            .create(
                Some("aaaaaaaa-0000-8000-8000-000000000001".into()),
                page("B"),
                ADMIN,
                100,
            )
            .unwrap();
        assert_eq!((a, b), (1, 2));
        assert_eq!(site.node(2).unwrap().vid, 2);
        assert_eq!(
            site.node_by_uuid("aaaaaaaa-0000-8000-8000-000000000001")
                .unwrap()
                .nid,
            2
        );
        assert_eq!(site.alias_of(1).unwrap().pid, 1);
        assert_eq!(site.nid_by_alias("/A"), Some(1));
        let node = site.node(1).unwrap();
        assert!(node.status && !node.promote && !node.sticky);
        assert_eq!((node.created, node.changed, node.uid), (100, 100, 1));
        assert_eq!(node.revision_translation_affected, Some(true));
    }

    #[test]
    fn validation() {
        let mut site = Site::new();
        site.create(None, with_alias("Taken", "/taken"), ADMIN, 0)
            .unwrap();
        let long = "x".repeat(256);
        let cases: [(Changes, Author, Vec<&str>); 6] = [
            (Changes::default(), ADMIN, vec!["title"]),
            (page(""), ADMIN, vec!["title"]),
            (page(&long), ADMIN, vec!["title.0.value"]),
            (
                Changes {
                    body: body("<p>x</p>", "full_html"),
                    ..page("E")
                },
                EDITOR,
                vec!["body.0.format"],
            ),
            (with_alias("Dup", "/TAKEN/"), ADMIN, vec!["path"]),
            (
                Changes {
                    body: body("x", "nope"),
                    ..with_alias("", "no-slash")
                },
                ADMIN,
                vec!["title", "body.0.format", "path"],
            ),
        ];
        for (changes, author, expected) in cases {
            let error = site.create(None, changes.clone(), author, 0).unwrap_err();
            let WriteError::Invalid(violations) = error else {
                panic!("{changes:?}: {error:?}")
            };
            let properties: Vec<&str> = violations.iter().map(|v| v.property.as_str()).collect();
            assert_eq!(properties, expected, "{changes:?}");
        }
        let error = site
            .create(None, with_alias("Dup", "/taken"), ADMIN, 0)
            .unwrap_err();
        assert_eq!(
            error,
            WriteError::Invalid(vec![Violation::new(
                "path",
                "The alias /taken is already in use in this language."
            )])
        );
        // Nothing of the failed writes stuck, not even the counters.
        assert_eq!(site.create(None, page("Next"), ADMIN, 0), Ok(2));
    }

    #[test]
    fn editors_may_not_set_administrative_fields() {
        let mut site = Site::new();
        let sent = Changes {
            status: Some(false),
            ..page("E")
        };
        assert_eq!(
            site.create(None, sent, EDITOR, 0),
            Err(WriteError::Forbidden("status"))
        );
        let own = site
            .create(
                None,
                Changes {
                    body: body("e", "basic_html"),
                    ..page("E")
                },
                EDITOR,
                0,
            )
            .unwrap();
        // Sending the current value is not a change, so it is allowed.
        let same = Changes {
            status: Some(true),
            ..Changes::default()
        };
        assert_eq!(site.update(own, same, EDITOR, 1, Revision::New), Ok(()));
        let unpublish = Changes {
            status: Some(false),
            ..Changes::default()
        };
        assert_eq!(
            site.update(own, unpublish, EDITOR, 1, Revision::New),
            Err(WriteError::Forbidden("status"))
        );
        // Editors may edit and delete any page, as the brief's content_editor does.
        let theirs = site.create(None, page("Admin's"), ADMIN, 0).unwrap();
        assert_eq!(
            site.update(theirs, page("x"), EDITOR, 1, Revision::New),
            Ok(())
        );
        assert_eq!(site.delete(theirs), Ok(()));
        assert_eq!(site.delete(own), Ok(()));
        assert_eq!(site.delete(own), Err(WriteError::NotFound));
    }

    #[test]
    fn uuid_conflict_is_found_after_validation() {
        let mut site = Site::new();
        let uuid = "aaaaaaaa-0000-8000-8000-000000000003".to_owned();
        site.create(Some(uuid.clone()), page("first"), ADMIN, 0)
            .unwrap();
        assert_eq!(
            site.create(Some(uuid.clone()), page("dup"), ADMIN, 0),
            Err(WriteError::UuidTaken)
        );
        assert!(matches!(
            site.create(Some(uuid), page(""), ADMIN, 0),
            Err(WriteError::Invalid(_))
        ));
    }

    #[test]
    fn revisions() {
        let mut site = Site::new();
        let create = Changes {
            revision_log: Some(Some("create".into())),
            ..with_alias("T", "/t")
        };
        let nid = site.create(None, create, ADMIN, 10).unwrap();
        site.create(None, page("other"), ADMIN, 10).unwrap();

        // JSON:API: every update is a new revision; the log carries over; an alias-only change
        // leaves `changed` alone and marks the revision as not affecting content.
        let alias_only = Changes {
            path: Some(PathChange {
                alias: Some("/t2".into()),
                pid: None,
                pathauto: None,
            }),
            ..Changes::default()
        };
        site.update(nid, alias_only, ADMIN, 20, Revision::New)
            .unwrap();
        let node = site.node(nid).unwrap().clone();
        assert_eq!(
            (node.vid, node.changed, node.revision_timestamp),
            (3, 10, 20)
        );
        assert_eq!(node.revision_log.as_deref(), Some("create"));
        assert_eq!(node.revision_translation_affected, None);

        site.update(
            nid,
            Changes {
                body: body("two", "basic_html"),
                ..Changes::default()
            },
            ADMIN,
            30,
            Revision::New,
        )
        .unwrap();
        let node = site.node(nid).unwrap().clone();
        assert_eq!((node.vid, node.changed), (4, 30));
        assert_eq!(node.revision_translation_affected, Some(true));

        // Core REST rewrites the current revision.
        let log = Changes {
            revision_log: Some(Some("rest".into())),
            ..page("T!")
        };
        site.update(nid, log, ADMIN, 40, Revision::Current).unwrap();
        let node = site.node(nid).unwrap();
        assert_eq!(
            (node.vid, node.changed, node.revision_timestamp),
            (4, 40, 30)
        );
        assert_eq!(
            (node.title.as_str(), node.revision_log.as_deref()),
            ("T!", Some("rest"))
        );
    }

    #[test]
    fn alias_pid_semantics() {
        let mut site = Site::new();
        let nid = site
            .create(None, with_alias("A", "/alias-page"), ADMIN, 0)
            .unwrap();
        let other = site.create(None, with_alias("B", "/b"), ADMIN, 0).unwrap();
        let path = |alias: Option<&str>, pid: Option<u64>| Changes {
            path: Some(PathChange {
                alias: alias.map(str::to_owned),
                pid,
                pathauto: None,
            }),
            ..Changes::default()
        };
        let aliases = |site: &Site| -> Vec<(u64, String)> {
            site.aliases()
                .filter(|a| a.path == "/node/1")
                .map(|a| (a.pid, a.alias.clone()))
                .collect()
        };

        // Without pid: a second alias; the node shows the newest (transcripts 42, 43).
        site.update(
            nid,
            path(Some("/alias-page-renamed"), None),
            ADMIN,
            0,
            Revision::New,
        )
        .unwrap();
        assert_eq!(
            aliases(&site),
            [(1, "/alias-page".into()), (3, "/alias-page-renamed".into())]
        );
        assert_eq!(site.alias_of(nid).unwrap().alias, "/alias-page-renamed");

        // With the current pid: renamed in place (transcript 44).
        site.update(
            nid,
            path(Some("/alias-page-final"), Some(3)),
            ADMIN,
            0,
            Revision::New,
        )
        .unwrap();
        assert_eq!(
            aliases(&site),
            [(1, "/alias-page".into()), (3, "/alias-page-final".into())]
        );

        // A pid of another node's alias is not ours to rename: a new alias is added instead.
        site.update(nid, path(Some("/mine"), Some(2)), ADMIN, 0, Revision::New)
            .unwrap();
        assert_eq!(site.alias_of(other).unwrap().alias, "/b");
        assert_eq!(site.alias_of(nid).unwrap().pid, 4);

        // An empty alias with a pid deletes that alias; without pid it does nothing.
        site.update(nid, path(Some(""), Some(4)), ADMIN, 0, Revision::New)
            .unwrap();
        site.update(nid, path(None, None), ADMIN, 0, Revision::New)
            .unwrap();
        assert_eq!(site.alias_of(nid).unwrap().pid, 3);

        // A node may take back one of its own old aliases.
        site.update(
            nid,
            path(Some("/alias-page"), None),
            ADMIN,
            0,
            Revision::New,
        )
        .unwrap();
        assert_eq!(site.alias_of(nid).unwrap().pid, 5);

        site.delete(nid).unwrap();
        assert!(aliases(&site).is_empty());
        assert_eq!(site.nid_by_alias("/alias-page"), None);
        assert_eq!(site.nid_by_alias("/b"), Some(other));
    }

    #[test]
    fn json_items() {
        let cases = [
            (serde_json::json!(null), Ok(None)),
            (
                serde_json::json!({"value": "", "format": "basic_html"}),
                Ok(None),
            ),
            (
                serde_json::json!({"value": "<p>x</p>", "format": "basic_html"}),
                Ok(Some(TextBody {
                    value: "<p>x</p>".into(),
                    format: Some("basic_html".into()),
                    summary: None,
                })),
            ),
            (
                serde_json::json!({"value": "x", "summary": ""}),
                Ok(Some(TextBody {
                    value: "x".into(),
                    format: None,
                    summary: Some(String::new()),
                })),
            ),
            (serde_json::json!("x"), Err(Violation::primitive("body"))),
            (
                serde_json::json!({"value": 1}),
                Err(Violation::primitive("body.0.value")),
            ),
        ];
        for (json, expected) in cases {
            assert_eq!(TextBody::from_json(&json), expected, "{json}");
        }
        let (path, langcode) =
            PathChange::from_json(&serde_json::json!({"alias": "/x", "pid": 4, "langcode": "en"}))
                .unwrap();
        assert_eq!(
            (path, langcode.as_deref()),
            (
                PathChange {
                    alias: Some("/x".into()),
                    pid: Some(4),
                    pathauto: None,
                },
                Some("en")
            )
        );
        assert!(PathChange::from_json(&serde_json::json!({"pid": "four"})).is_err());
        assert!(PathChange::from_json(&serde_json::json!(["/x"])).is_err());
    }

    #[test]
    fn processed_text() {
        let html = TextBody {
            value: "<p>a</p>".into(),
            format: Some("basic_html".into()),
            summary: None,
        };
        assert_eq!(processed(&html, &[], ""), "<p>a</p>");
        let table = TextBody {
            value: "<table><tr><td>a</td></tr></table>".into(),
            format: Some("basic_html".into()),
            summary: None,
        };
        assert_eq!(processed(&table, &[], ""), "a");
        let plain = TextBody {
            value: "a < b\nc".into(),
            format: Some("plain_text".into()),
            summary: None,
        };
        assert_eq!(processed(&plain, &[], ""), "<p>a &lt; b<br />\nc</p>\n");
    }

    #[tokio::test]
    async fn persists_through_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("site.json");
        let mut site = Site::load_or_create(&file).await.unwrap();
        assert!(file.exists(), "the secret is saved at once");
        site.create(None, with_alias("Kept", "/kept"), ADMIN, 5)
            .unwrap();
        save(&file, &site.to_json()).await.unwrap();
        let loaded = Site::load_or_create(&file).await.unwrap();
        assert_eq!(loaded.secret(), site.secret());
        assert_eq!(loaded.node(1), site.node(1));
        assert_eq!(loaded.nid_by_alias("/kept"), Some(1));
        let mut loaded = loaded;
        assert_eq!(loaded.create(None, page("Next"), ADMIN, 6), Ok(2));

        std::fs::write(&file, b"{not json").unwrap();
        let error = Site::load_or_create(&file).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(error.to_string().contains("site.json"));
    }

    #[test]
    fn user_uuids_are_stable_and_distinct() {
        assert_eq!(user_uuid(1), user_uuid(1));
        assert_ne!(user_uuid(1), user_uuid(2));
        assert!(crate::sandbox::stats::is_uuid(&user_uuid(1)));
    }
}
