//! Local images and files that pages embed (CONTRACT §7): uploaded once, found again by name,
//! embedded the way Drupal's editor embeds them so Drupal records their usage and keeps them.
//!
//! The content step ([`crate::content`]) replaces every `src`/`href` that points at a local
//! file by a token, [`token`]`(rel)`. This module owns what happens to tokens:
//! - [`read_local`] reads each referenced file once: its size, SHA-256 and stored name
//!   `{stem}.{first 8 hex of SHA-256}.{ext}` ([`stored_name`]), so the same bytes always have
//!   the same name and a changed file has a new one;
//! - [`resolve`] looks the names up on the site, 50 per request (JSON:API's file collection,
//!   readable even where pages go through core REST; a site without it falls back to the
//!   files the pages already embed, [`harvest`]), and [`embed`]s the files found:
//!   `src="{uri.url}" data-entity-type="file" data-entity-uuid="{uuid}"`;
//! - a file not on the site stays a token in the planned body and becomes an [`Upload`];
//!   [`upload_all`] sends the uploads (bounded concurrency, a lost answer is looked up before a
//!   retry) and [`embed_plan`] puts the real uuids and urls into the pages to write.
//!
//! What it does not do: decide which pages change (that is [`crate::plan`]), or render reports.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::{ConfigError, FilesConfig};
use crate::drupal::{DrupalError, Site};
use crate::page::{Page, RemotePage};
use crate::plan::Plan;

/// The prefix of a token: a local file in an attribute value, before it is embedded.
pub const TOKEN: &str = "drupal-sync-file:";

/// What the standard profile's image field (`node/article/field_image`) takes.
pub const IMAGE_EXTENSIONS: &[&str] = &["png", "gif", "jpg", "jpeg", "webp"];

/// How many names one lookup request asks for (JSON:API's page size).
pub const LOOKUP_BATCH: usize = 50;

/// How many times an upload is tried before it is reported as failed.
const MAX_ATTEMPTS: u32 = 4;

/// A file or image field, `ENTITY/BUNDLE/FIELD` (`node/article/field_image`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FieldPath {
    pub entity: String,
    pub bundle: String,
    pub field: String,
}

impl FieldPath {
    /// Parse `ENTITY/BUNDLE/FIELD`; each part is a Drupal machine name.
    pub fn parse(text: &str) -> Result<FieldPath, String> {
        let parts: Vec<&str> = text.split('/').collect();
        let machine = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        match parts.as_slice() {
            [entity, bundle, field] if parts.iter().all(|p| machine(p)) => Ok(FieldPath {
                entity: (*entity).to_owned(),
                bundle: (*bundle).to_owned(),
                field: (*field).to_owned(),
            }),
            _ => Err(format!(
                "`{text}` is not ENTITY/BUNDLE/FIELD of machine names, such as `node/article/field_image`"
            )),
        }
    }
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.entity, self.bundle, self.field)
    }
}

/// `[files]`, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSettings {
    /// Where images go; `None` when `images = ""`.
    pub images: Option<FieldPath>,
    /// Where other files go; `None` when unset.
    pub documents: Option<FieldPath>,
    /// The largest file uploaded, in bytes.
    pub max_size: u64,
}

impl Default for FileSettings {
    fn default() -> Self {
        FileSettings::resolve(&FilesConfig::default(), Path::new("drupal-sync.toml"))
            .expect("the defaults are valid")
    }
}

/// Why a file cannot be uploaded through the configured fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetError {
    /// An image extension, but `images` is unset.
    NoImageField,
    /// Not an image extension, and `documents` is unset.
    NoDocumentField(String),
}

impl std::fmt::Display for TargetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TargetError::NoImageField => f.write_str(
                "images cannot be uploaded: [files].images is empty\n  hint: set it to an image field, e.g. \"node/article/field_image\"",
            ),
            TargetError::NoDocumentField(ext) => write!(
                f,
                "the image field takes only {} files, and `.{ext}` files need a file field: [files].documents is not set\n  hint: set [files].documents = \"ENTITY/BUNDLE/FIELD\" to a file field that allows `{ext}`",
                IMAGE_EXTENSIONS.join(" ")
            ),
        }
    }
}

impl FileSettings {
    /// Check `[files]` of the config file at `path`.
    pub fn resolve(config: &FilesConfig, path: &Path) -> Result<FileSettings, ConfigError> {
        let field = |key: &str, value: &str| -> Result<Option<FieldPath>, ConfigError> {
            if value.trim().is_empty() {
                return Ok(None);
            }
            FieldPath::parse(value.trim()).map(Some).map_err(|why| {
                ConfigError::Setting(format!("`{}`: [files].{key}: {why}", path.display()))
            })
        };
        if config.max_size_mb == 0 {
            return Err(ConfigError::Setting(format!(
                "`{}`: [files].max_size_mb must be at least 1",
                path.display()
            )));
        }
        Ok(FileSettings {
            images: field("images", &config.images)?,
            documents: field("documents", &config.documents)?,
            max_size: config.max_size_mb.saturating_mul(1024 * 1024),
        })
    }

    /// The field a file with extension `ext` is uploaded through: image extensions go to
    /// `images`, every other file to `documents`.
    pub fn target(&self, ext: &str) -> Result<&FieldPath, TargetError> {
        let ext = ext.to_ascii_lowercase();
        if IMAGE_EXTENSIONS.contains(&ext.as_str()) {
            self.images.as_ref().ok_or(TargetError::NoImageField)
        } else {
            self.documents
                .as_ref()
                .ok_or(TargetError::NoDocumentField(ext))
        }
    }
}

/// The extension of a path's last segment, lowercased (`""` when it has none).
pub fn extension(rel: &str) -> String {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// The name a file is stored under on the site: `{stem}.{first 8 hex of SHA-256}.{ext}`.
/// The stem is reduced to `a-z 0-9 -` (at most 64 characters), so that none of Drupal's
/// filename sanitising options (transliteration, lowercasing, replacing whitespace or
/// separators, munging of inner extensions) can store it under another name, which would
/// make it impossible to find again.
pub fn stored_name(rel: &str, sha256: &str) -> String {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, ext.to_ascii_lowercase()),
        _ => (name, String::new()),
    };
    let mut clean = String::new();
    for c in stem.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            clean.push(c);
        } else if !clean.ends_with('-') {
            clean.push('-');
        }
    }
    let mut clean: String = clean.trim_matches('-').chars().take(64).collect();
    while clean.ends_with('-') {
        clean.pop();
    }
    if clean.is_empty() {
        clean.push_str("file");
    }
    let hash = &sha256[..8.min(sha256.len())];
    if ext.is_empty() {
        format!("{clean}.{hash}")
    } else {
        format!("{clean}.{hash}.{ext}")
    }
}

/// The token that stands for the local file `rel` (path under the content dir).
pub fn token(rel: &str) -> String {
    format!(
        "{TOKEN}{}",
        percent_encoding::utf8_percent_encode(rel, TOKEN_SAFE)
    )
}

/// One token in a body: where its attribute value is, the file and what follows the path.
struct Found<'a> {
    /// Byte range of the attribute value (inside the quotes).
    value: std::ops::Range<usize>,
    rel: String,
    /// `?query` or `#fragment` after the path, as written.
    suffix: &'a str,
}

/// Every token in `body`, in order.
fn find_tokens(body: &str) -> Vec<Found<'_>> {
    let needle = format!("\"{TOKEN}");
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = body[from..].find(&needle) {
        let start = from + at + 1;
        let end = body[start..].find('"').map_or(body.len(), |e| start + e);
        let value = &body[start + TOKEN.len()..end];
        let split = value.find(['#', '?']).unwrap_or(value.len());
        found.push(Found {
            value: start..end,
            rel: percent_decode(&value[..split]),
            suffix: &value[split..],
        });
        from = end;
    }
    found
}

/// The local files `body` refers to (paths under the content dir).
pub fn referenced(body: &str) -> Vec<String> {
    find_tokens(body).into_iter().map(|f| f.rel).collect()
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// What a token keeps as it is: the characters of ordinary paths.
const TOKEN_SAFE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'-');

fn attribute_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A file on the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteFile {
    /// The file entity's UUID.
    pub uuid: String,
    /// `drupal_internal__fid` / `fid`, when reported.
    pub fid: Option<u64>,
    pub filename: String,
    /// `uri.url`: the URL path visitors fetch (`/sites/default/files/2026-11/x.png`).
    pub url: String,
    /// `filesize`, when reported.
    pub size: Option<u64>,
    /// `status`: permanent (`true`) or temporary, which cron deletes after 6 hours unless used.
    pub permanent: bool,
}

/// Replace every token of a file in `resolved` (keyed by path under the content dir) by the
/// file's `uri.url`, and mark the element as Drupal's editor does:
/// `src="{url}" data-entity-type="file" data-entity-uuid="{uuid}"`. Tokens of other files stay.
pub fn embed(body: &str, resolved: &HashMap<String, RemoteFile>) -> String {
    let found = find_tokens(body);
    if found.is_empty() {
        return body.to_owned();
    }
    let mut out = String::with_capacity(body.len() + found.len() * 80);
    let mut at = 0;
    for token in found {
        let Some(file) = resolved.get(&token.rel) else {
            continue;
        };
        out.push_str(&body[at..token.value.start]);
        out.push_str(&attribute_escape(&file.url));
        out.push_str(token.suffix);
        out.push('"');
        out.push_str(&format!(
            " data-entity-type=\"file\" data-entity-uuid=\"{}\"",
            attribute_escape(&file.uuid)
        ));
        // Skip the closing quote, written above.
        at = (token.value.end + 1).min(body.len());
    }
    out.push_str(&body[at..]);
    out
}

/// The files the bodies embed already, by stored file name: every element with
/// `data-entity-type="file"`, a `data-entity-uuid` and a `src` or `href`. Where the site has
/// no file lookup (core REST without JSON:API), this is how an unchanged file is found again.
pub fn harvest<'a>(bodies: impl Iterator<Item = &'a str>) -> HashMap<String, RemoteFile> {
    let mut found = HashMap::new();
    for body in bodies {
        for tag in crate::content::html::tags(body) {
            let attr = |name: &str| tag.attribute(name);
            if attr("data-entity-type").as_deref() != Some("file") {
                continue;
            }
            let (Some(uuid), Some(url)) = (
                attr("data-entity-uuid"),
                attr("src").or_else(|| attr("href")),
            ) else {
                continue;
            };
            let path = url.split(['?', '#']).next().unwrap_or_default();
            let filename = percent_decode(path.rsplit('/').next().unwrap_or_default());
            if filename.is_empty() {
                continue;
            }
            found.entry(filename.clone()).or_insert(RemoteFile {
                uuid,
                fid: None,
                filename,
                url: path.to_owned(),
                size: None,
                permanent: true,
            });
        }
    }
    found
}

/// The site's file that holds `name` with `size` bytes, among the files a lookup found:
/// the exact name, a matching size when the site reports one, a permanent file first.
pub fn choose(name: &str, size: u64, candidates: &[RemoteFile]) -> Option<RemoteFile> {
    candidates
        .iter()
        .filter(|f| f.filename == name && f.size.is_none_or(|s| s == size))
        .min_by_key(|f| (!f.permanent, f.fid.unwrap_or(u64::MAX)))
        .cloned()
}

/// A local file a page embeds, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    /// Path under the content dir (`img/diagram.png`).
    pub rel: String,
    /// Path as shown to the user (`content/img/diagram.png`).
    pub source: String,
    /// [`stored_name`].
    pub name: String,
    pub size: u64,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// The field it is uploaded through.
    pub field: FieldPath,
}

/// A local file that could not be read or placed.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read `{path}`: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}`: {why}")]
    Target { path: String, why: String },
    #[error("`{path}` changed since the plan was made (its SHA-256 is now {now}, the plan has {planned}); nothing was written\n  hint: make a new plan")]
    Changed {
        path: String,
        planned: String,
        now: String,
    },
}

fn read_bytes(path: &Path, shown: &str) -> Result<Vec<u8>, FileError> {
    std::fs::read(path).map_err(|source| FileError::Read {
        path: shown.to_owned(),
        source,
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The path of `rel` as shown to the user.
fn shown(dir: &Path, display_base: &Path, rel: &str) -> String {
    let path = dir.join(rel);
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    match absolute(&path).strip_prefix(absolute(display_base)) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => path.to_string_lossy().into_owned(),
    }
}

/// Read every file the pages embed, once each, in parallel (hashing is most of the work).
pub fn read_local(
    dir: &Path,
    display_base: &Path,
    pages: &[Page],
    settings: &FileSettings,
) -> Result<Vec<LocalFile>, FileError> {
    let rels: BTreeSet<String> = pages.iter().flat_map(|p| referenced(&p.body)).collect();
    let rels: Vec<String> = rels.into_iter().collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let chunk = rels.len().div_ceil(threads).max(1);
    let results: Vec<Result<LocalFile, FileError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = rels
            .chunks(chunk)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|rel| {
                            let source = shown(dir, display_base, rel);
                            let bytes = read_bytes(&dir.join(rel), &source)?;
                            let sha256 = sha256_hex(&bytes);
                            let field = settings
                                .target(&extension(rel))
                                .map_err(|why| FileError::Target {
                                    path: source.clone(),
                                    why: why.to_string(),
                                })?
                                .clone();
                            Ok(LocalFile {
                                name: stored_name(rel, &sha256),
                                rel: rel.clone(),
                                source,
                                size: bytes.len() as u64,
                                sha256,
                                field,
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    results.into_iter().collect()
}

/// A file the plan uploads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    /// Path as shown to the user (`content/img/diagram.png`).
    pub source: String,
    /// Path under the content dir.
    pub rel: String,
    /// The name it is stored under.
    pub name: String,
    pub size: u64,
    pub sha256: String,
    /// `ENTITY/BUNDLE/FIELD` it goes through.
    pub field: FieldPath,
    /// Sources of the pages that embed it.
    pub pages: Vec<String>,
    /// Other paths under the content dir with the same name and bytes (one upload serves all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub same: Vec<String>,
}

/// The pages with every file the site has embedded, and the files it lacks.
#[derive(Debug, Clone, Default)]
pub struct Resolution {
    /// The pages, bodies embedded (files not on the site stay tokens).
    pub pages: Vec<Page>,
    /// Local files the site does not have.
    pub missing: Vec<LocalFile>,
    /// Files found on the site, by path under the content dir.
    pub found: HashMap<String, RemoteFile>,
    /// Said to the user when the site has no file lookup.
    pub note: Option<String>,
}

/// Look the local files up on the site and embed those it has.
pub async fn resolve(
    site: &Site,
    local: &[LocalFile],
    pages: &[Page],
    remote_pages: &HashMap<uuid::Uuid, RemotePage>,
) -> Result<Resolution, DrupalError> {
    let mut resolution = Resolution::default();
    if local.is_empty() {
        resolution.pages = pages.to_vec();
        return Ok(resolution);
    }
    let names: Vec<String> = local
        .iter()
        .map(|f| f.name.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let candidates: Vec<RemoteFile> = match site.find_files(&names).await? {
        Some(files) => files,
        None => {
            resolution.note = Some(
                "note: the site has no file lookup (JSON:API's /jsonapi/file/file answered 404), so files are found again only where a page already embeds them\n  hint: enable JSON:API (reading is enough) so an upload interrupted before its page was written is not repeated"
                    .to_owned(),
            );
            let harvested = harvest(remote_pages.values().filter_map(|n| n.body.as_deref()));
            harvested.into_values().collect()
        }
    };
    for file in local {
        match choose(&file.name, file.size, &candidates) {
            Some(remote) => {
                resolution.found.insert(file.rel.clone(), remote);
            }
            None => resolution.missing.push(file.clone()),
        }
    }
    resolution.pages = pages
        .iter()
        .map(|page| {
            let mut page = page.clone();
            page.body = embed(&page.body, &resolution.found);
            page
        })
        .collect();
    Ok(resolution)
}

/// The uploads a plan needs: the missing files that a page it writes embeds.
pub fn uploads(plan: &Plan, missing: &[LocalFile]) -> Vec<Upload> {
    let mut users: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for change in &plan.changes {
        let Some(page) = &change.page else { continue };
        for rel in referenced(&page.body) {
            if let Some(file) = missing.iter().find(|f| f.rel == rel) {
                users
                    .entry(file.rel.as_str())
                    .or_default()
                    .insert(page.source.path.clone());
            }
        }
    }
    let mut uploads: Vec<Upload> = Vec::new();
    for file in missing {
        let Some(pages) = users.get(file.rel.as_str()) else {
            continue;
        };
        // Two paths with the same bytes and name are one upload; every path is embedded.
        if let Some(same) = uploads.iter_mut().find(|u| u.name == file.name) {
            same.pages.extend(pages.iter().cloned());
            same.pages.sort();
            same.pages.dedup();
            same.same.push(file.rel.clone());
            continue;
        }
        uploads.push(Upload {
            source: file.source.clone(),
            rel: file.rel.clone(),
            name: file.name.clone(),
            size: file.size,
            sha256: file.sha256.clone(),
            field: file.field.clone(),
            pages: pages.iter().cloned().collect(),
            same: Vec::new(),
        });
    }
    uploads.sort_by(|a, b| a.source.cmp(&b.source));
    uploads
}

/// What happened to one upload.
#[derive(Debug, Clone)]
pub struct UploadResult {
    pub upload: Upload,
    /// The file on the site, or why it could not be uploaded.
    pub outcome: Result<RemoteFile, String>,
}

/// Upload every file of `uploads` (files under `dir`), `parallelism` at a time. A file is
/// read again and must still have the planned bytes. An upload whose answer is lost is looked
/// up by name before it is tried again, so it is never stored twice.
pub async fn upload_all(
    site: &Site,
    dir: &Path,
    uploads: &[Upload],
    parallelism: usize,
    stop: Arc<AtomicBool>,
) -> Vec<UploadResult> {
    stream::iter(uploads)
        .map(|upload| {
            let stop = stop.clone();
            async move {
                let outcome = if stop.load(Ordering::SeqCst) {
                    Err("not attempted: the run was interrupted".to_owned())
                } else {
                    upload_one(site, &dir.join(&upload.rel), upload).await
                };
                UploadResult {
                    upload: upload.clone(),
                    outcome,
                }
            }
        })
        .buffered(parallelism.max(1))
        .collect()
        .await
}

async fn upload_one(site: &Site, path: &Path, upload: &Upload) -> Result<RemoteFile, String> {
    let bytes = read_bytes(path, &upload.source).map_err(|e| e.to_string())?;
    let now = sha256_hex(&bytes);
    if now != upload.sha256 {
        return Err(FileError::Changed {
            path: upload.source.clone(),
            planned: upload.sha256.clone(),
            now,
        }
        .to_string());
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        let error = match site.upload_file(&upload.field, &upload.name, &bytes).await {
            Ok(file) => return Ok(file),
            Err(e) => e,
        };
        if !error.is_transient() || attempt >= MAX_ATTEMPTS {
            return Err(explain(&error, upload));
        }
        tracing::info!(
            "{}: upload outcome unknown ({error}); looking it up",
            upload.source
        );
        crate::drupal::client::backoff(attempt, None).await;
        if let Ok(Some(found)) = site.find_files(std::slice::from_ref(&upload.name)).await {
            if let Some(file) = choose(&upload.name, upload.size, &found) {
                return Ok(file);
            }
        }
    }
}

/// An upload error in words that say what to change on the site or in the config.
fn explain(error: &DrupalError, upload: &Upload) -> String {
    let field = &upload.field;
    let hint = match error.status() {
        Some(405) => format!(
            "\n  hint: the bundle `{}` of `{}` has no file field `{}` — set [files].{} to ENTITY/BUNDLE/FIELD of a field the site has (the standard profile's images go through node/article/field_image)",
            field.bundle,
            field.entity,
            field.field,
            if IMAGE_EXTENSIONS.contains(&extension(&upload.rel).as_str()) { "images" } else { "documents" }
        ),
        Some(404) => format!(
            "\n  hint: the site has no upload route for `{field}`: check that the field exists (set [files].images/documents) and, for core REST, that the `file:upload` REST resource is enabled (POST, json)"
        ),
        Some(422) => format!(
            "\n  hint: the field `{field}` does not take `.{}` files: allow the extension in the field's settings, or set [files].documents to a field that does",
            extension(&upload.rel)
        ),
        Some(403) => format!(
            "\n  hint: the account may not upload to `{field}`: grant it \"create {} content\" (the field's bundle)",
            field.bundle
        ),
        _ => String::new(),
    };
    format!("{error}{hint}")
}

/// Before a saved plan is applied: every file it uploads must still have the planned bytes
/// (else the plan is stale), and a file uploaded since the plan was made (by another run) is
/// embedded instead of uploaded again.
pub async fn recheck(site: &Site, dir: &Path, plan: &mut Plan) -> anyhow::Result<()> {
    if plan.uploads.is_empty() {
        return Ok(());
    }
    for upload in &plan.uploads {
        let now = sha256_hex(&read_bytes(&dir.join(&upload.rel), &upload.source)?);
        if now != upload.sha256 {
            return Err(FileError::Changed {
                path: upload.source.clone(),
                planned: upload.sha256.clone(),
                now,
            }
            .into());
        }
    }
    let names: Vec<String> = plan.uploads.iter().map(|u| u.name.clone()).collect();
    let Some(candidates) = site.find_files(&names).await? else {
        return Ok(());
    };
    let mut done = Vec::new();
    plan.uploads.retain(
        |upload| match choose(&upload.name, upload.size, &candidates) {
            Some(file) => {
                done.push(UploadResult {
                    upload: upload.clone(),
                    outcome: Ok(file),
                });
                false
            }
            None => true,
        },
    );
    *plan = embed_plan(plan, &done);
    Ok(())
}

/// The plan with the uploaded files embedded into the pages it writes.
pub fn embed_plan(plan: &Plan, results: &[UploadResult]) -> Plan {
    let mut uploaded: HashMap<String, RemoteFile> = HashMap::new();
    for result in results {
        if let Ok(file) = &result.outcome {
            for rel in std::iter::once(&result.upload.rel).chain(&result.upload.same) {
                uploaded.insert(rel.clone(), file.clone());
            }
        }
    }
    let mut plan = plan.clone();
    for change in &mut plan.changes {
        if let Some(page) = &mut change.page {
            page.body = embed(&page.body, &uploaded);
            // The report shows what is written: the body with the real url and uuid.
            for field in &mut change.fields {
                if field.field == crate::plan::Field::Body && field.after.is_some() {
                    field.after = Some(page.body.clone());
                }
            }
        }
    }
    plan
}

/// The first file a body still holds as a token (not uploaded), if any.
pub fn unresolved(body: &str) -> Option<String> {
    find_tokens(body).into_iter().next().map(|f| f.rel)
}

/// A size for people: `73 B`, `12.3 KB`, `4.0 MB`.
pub fn human_size(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(name: &str, uuid: &str) -> RemoteFile {
        RemoteFile {
            uuid: uuid.into(),
            fid: Some(1),
            filename: name.into(),
            url: format!("/sites/default/files/2026-11/{name}"),
            size: Some(73),
            permanent: true,
        }
    }

    #[test]
    fn stored_names() {
        let sha = "0a1b2c3d4e5f";
        for (rel, name) in [
            ("img/diagram.png", "diagram.0a1b2c3d.png"),
            ("img/My Diagram.PNG", "my-diagram.0a1b2c3d.png"),
            ("files/foo.bar.pdf", "foo-bar.0a1b2c3d.pdf"),
            ("Über Größe.jpg", "ber-gr-e.0a1b2c3d.jpg"),
            ("..png", "file.0a1b2c3d.png"),
            ("README", "readme.0a1b2c3d"),
        ] {
            assert_eq!(stored_name(rel, sha), name, "{rel}");
        }
        assert_eq!(
            stored_name(&format!("{}.png", "a".repeat(300)), sha).len(),
            64 + 13
        );
    }

    #[test]
    fn field_paths_and_targets() {
        assert!(FieldPath::parse("node/article/field_image").is_ok());
        for bad in ["node/article", "node//x", "Node/a/b", "a/b/c/d", ""] {
            assert!(FieldPath::parse(bad).is_err(), "{bad}");
        }
        let settings = FileSettings::default();
        assert_eq!(
            settings.target("PNG").unwrap().to_string(),
            "node/article/field_image"
        );
        assert_eq!(
            settings.target("pdf"),
            Err(TargetError::NoDocumentField("pdf".into()))
        );
        let with_docs = FileSettings {
            documents: Some(FieldPath::parse("node/page/field_files").unwrap()),
            ..FileSettings::default()
        };
        assert_eq!(with_docs.target("pdf").unwrap().field, "field_files");
    }

    #[test]
    fn tokens_embed_as_drupal_does() {
        let body = format!(
            "<p><img src=\"{}\" alt=\"D\" /> <a href=\"{}#page=2\">m</a> <img src=\"{}\"></p>",
            token("img/diagram.png"),
            token("files/my manual.pdf"),
            token("img/other.png")
        );
        assert_eq!(
            referenced(&body),
            ["img/diagram.png", "files/my manual.pdf", "img/other.png"]
        );
        let resolved = HashMap::from([
            (
                "img/diagram.png".to_owned(),
                remote("diagram.0a1b2c3d.png", "u-1"),
            ),
            (
                "files/my manual.pdf".to_owned(),
                remote("my-manual.11111111.pdf", "u-2"),
            ),
        ]);
        let embedded = embed(&body, &resolved);
        assert!(embedded.contains("<img src=\"/sites/default/files/2026-11/diagram.0a1b2c3d.png\" data-entity-type=\"file\" data-entity-uuid=\"u-1\" alt=\"D\" />"), "{embedded}");
        assert!(embedded.contains("<a href=\"/sites/default/files/2026-11/my-manual.11111111.pdf#page=2\" data-entity-type=\"file\" data-entity-uuid=\"u-2\">m</a>"), "{embedded}");
        assert_eq!(unresolved(&embedded).as_deref(), Some("img/other.png"));
        // What Drupal stores can be read back as the files it embeds.
        let found = harvest(std::iter::once(embedded.as_str()));
        assert_eq!(found["diagram.0a1b2c3d.png"].uuid, "u-1");
        assert_eq!(
            found["my-manual.11111111.pdf"].url,
            "/sites/default/files/2026-11/my-manual.11111111.pdf"
        );
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn choosing_among_lookup_results() {
        let mut temporary = remote("a.png", "temp");
        temporary.permanent = false;
        temporary.fid = Some(1);
        let mut permanent = remote("a.png", "perm");
        permanent.fid = Some(5);
        let mut other_size = remote("a.png", "other");
        other_size.size = Some(9);
        let candidates = [
            temporary.clone(),
            permanent,
            other_size,
            remote("A.png", "case"),
        ];
        assert_eq!(choose("a.png", 73, &candidates).unwrap().uuid, "perm");
        assert_eq!(choose("a.png", 9, &candidates).unwrap().uuid, "other");
        assert_eq!(choose("a.png", 73, &[temporary]).unwrap().uuid, "temp");
        assert!(choose("b.png", 73, &candidates).is_none());
    }

    #[test]
    fn same_bytes_under_two_paths_are_one_upload_embedded_in_both() {
        use crate::page::{derive_uuid, Source};
        let page = |key: &str, rel: &str| Page {
            key: key.into(),
            uuid: derive_uuid("ns", key),
            adopted: false,
            source: Source {
                path: format!("content/{key}.md"),
                line: 1,
            },
            title: key.into(),
            alias: format!("/{key}"),
            previous_aliases: vec![],
            published: true,
            status_explicit: false,
            body: format!("<img src=\"{}\">", token(rel)),
            format: "basic_html".into(),
            summary: None,
            alias_auto: false,
            nav: Default::default(),
        };
        let pages = [page("a", "a/logo.png"), page("b", "b/logo.png")];
        let plan = crate::plan::plan(
            &pages,
            &crate::plan::RemoteState::default(),
            &crate::plan::PlanOptions {
                namespace: "ns".into(),
                on_drift: crate::plan::OnDrift::Overwrite,
                known: Default::default(),
                lookup_by_uuid: true,
            },
        );
        let local = |rel: &str| LocalFile {
            rel: rel.into(),
            source: format!("content/{rel}"),
            name: "logo.0a1b2c3d.png".into(),
            size: 5,
            sha256: "0a1b2c3d".repeat(8),
            field: FieldPath::parse("node/article/field_image").unwrap(),
        };
        let uploads = uploads(&plan, &[local("a/logo.png"), local("b/logo.png")]);
        assert_eq!(uploads.len(), 1);
        assert_eq!(uploads[0].pages, ["content/a.md", "content/b.md"]);
        assert_eq!(uploads[0].same, ["b/logo.png"]);
        let done = embed_plan(
            &plan,
            &[UploadResult {
                upload: uploads[0].clone(),
                outcome: Ok(remote("logo.0a1b2c3d.png", "u-9")),
            }],
        );
        for change in &done.changes {
            let body = &change.page.as_ref().unwrap().body;
            assert!(body.contains("data-entity-uuid=\"u-9\""), "{body}");
            assert_eq!(unresolved(body), None);
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(human_size(73), "73 B");
        assert_eq!(human_size(12_595), "12.3 KB");
        assert_eq!(human_size(40 * 1024 * 1024), "40.0 MB");
    }
}
