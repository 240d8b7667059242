//! Content loading: the content directory → the desired [`Page`]s, with every problem found
//! on the way collected as a positioned [`Diagnostic`] (CONTRACT §1 and §2).
//!
//! The pipeline, one module per step: `walk` reads the files (the only filesystem access),
//! `text` decodes them, `front_matter` and `yaml_pages` find each page's keys (parsed
//! by `value`), `fields` types them, `identity` derives keys and checks aliases,
//! `markdown` renders bodies and rewrites links, and `validate` checks pages against each
//! other. Everything after the walk is pure. Comparing pages with the site is not done here.
//!
//! Decisions where the contract is silent:
//! - A title comes from `title`, else from a level-1 heading that is the body's first block
//!   (then removed from the body); an H1 further down stays in the body.
//! - Only relative links (`other.md`, `../team/index.md#people`) are rewritten; `/x.md`,
//!   URLs with a scheme, fragments and links in raw HTML are left alone. A link target is a
//!   page when its front matter could be read; its other errors are reported at the target.
//! - `pages` holds every page whose own definition has no error; cross-page errors
//!   (duplicates) are reported without dropping either page. Callers check
//!   [`Content::has_errors`] before using the pages.
//! - Numbers are not strings (`title: 1984` must be quoted), except for `id`, where an
//!   integer's digits are the key. An empty `summary` means none.
//! - Symlinks that leave the content directory are errors when they are page files or
//!   directories; other files (images) are ignored like any non-page file.
//! - Columns count characters (not bytes); a diagnostic about a whole path has line 0.

mod fields;
mod front_matter;
mod identity;
mod markdown;
mod text;
mod validate;
mod value;
mod walk;

pub use walk::{display_path, escape_controls};
mod yaml_pages;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::PathBuf;

use uuid::Uuid;

use crate::page::{self, Page, Source};
use fields::{Fields, Origin};
pub use identity::{check_alias, key_from_path};
use text::{LineIndex, Pos};
use walk::{Filter, Kind, SourceFile};

/// What `load` needs to know.
#[derive(Debug, Clone)]
pub struct ContentOptions {
    /// The content directory (absolute or relative to the working directory).
    pub dir: PathBuf,
    /// Paths in diagnostics and `Source` are shown relative to this directory when possible.
    pub display_base: PathBuf,
    pub namespace: String,
    /// Text format of rendered bodies when a page sets none (`[content].format`).
    pub default_format: String,
    /// Globs relative to `dir` of files to skip.
    pub exclude: Vec<String>,
    /// Warnings count as errors (`validate --strict`).
    pub strict: bool,
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found in the content, positioned in the whole file (1-based line and column;
/// line 0 when it concerns a whole path, such as an unreadable directory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    fn new(path: String, problem: Problem) -> Self {
        Diagnostic {
            path,
            line: problem.pos.line,
            col: problem.pos.col,
            severity: problem.severity,
            message: problem.message,
        }
    }
}

/// `path:line:col: error: message`, like a compiler.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{}: {severity}: {}", self.location(), self.message)
    }
}

impl Diagnostic {
    /// `file:line:col`, or just the file when the problem has no position in it.
    pub fn location(&self) -> String {
        if self.line == 0 {
            self.path.clone()
        } else {
            format!("{}:{}:{}", self.path, self.line, self.col)
        }
    }
}

/// The loaded content: every page that could be read, and every problem found.
#[derive(Debug, Default)]
pub struct Content {
    pub pages: Vec<Page>,
    /// The menu links the pages declare (filled by `menu::derive`, CONTRACT §8).
    pub links: Vec<crate::menu::Link>,
    /// Sorted by file, line and column. Under `strict`, warnings are already errors.
    pub diagnostics: Vec<Diagnostic>,
}

impl Content {
    /// Whether any diagnostic is an error (so nothing may be written to the site).
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// Add diagnostics found after loading (menus), keeping the order by file and position.
    pub fn add(&mut self, diagnostics: Vec<Diagnostic>) {
        self.diagnostics.extend(diagnostics);
        self.diagnostics
            .sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
    }

    /// The diagnostics that are errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }
}

/// A problem positioned in the file being read, before the file's path is attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub pos: Pos,
    pub severity: Severity,
    pub message: String,
}

impl Problem {
    fn error(pos: Pos, message: impl Into<String>) -> Self {
        Problem {
            pos,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    fn warning(pos: Pos, message: impl Into<String>) -> Self {
        Problem {
            pos,
            severity: Severity::Warning,
            message: message.into(),
        }
    }
}

/// Walk, parse, render and validate the content directory.
pub fn load(options: &ContentOptions) -> Content {
    load_with(options, Vec::new())
}

/// [`load`], with `extra` files (path under the content dir, text) read as if they were in
/// the content directory: what `plan` will see once they are written (`import` checks its
/// files with this before writing them). An extra file the walk would skip (hidden or
/// excluded) gets an error saying so.
pub fn load_with(options: &ContentOptions, extra: Vec<(String, String)>) -> Content {
    let (filter, filter_problem) = match Filter::new(&options.exclude) {
        Ok(filter) => (filter, None),
        Err(message) => {
            let path = walk::display_path(&options.dir, &options.display_base);
            (
                Filter::default(),
                Some(Diagnostic::new(path, Problem::error(Pos::NONE, message))),
            )
        }
    };
    let mut walked = walk::walk(options, &filter);
    for (rel, text) in extra {
        let display = display_of(options, &rel);
        match (filter.skips(&rel), walk::Kind::of(&rel)) {
            (Some(why), _) => {
                let message = format!("this path is {why}, so the content is never read from it");
                walked
                    .diagnostics
                    .push(Diagnostic::new(display, Problem::error(Pos::NONE, message)));
            }
            (None, Some(kind)) => walked.files.push(SourceFile {
                rel,
                display,
                kind,
                text,
            }),
            (None, None) => {
                let message = "not a page file (`.md`, `.markdown`, `.yaml`, `.yml`)".to_owned();
                walked
                    .diagnostics
                    .push(Diagnostic::new(display, Problem::error(Pos::NONE, message)));
            }
        }
    }
    let mut content = build(&walked.files, &walked.unreadable, &filter, options);
    content.diagnostics.extend(walked.diagnostics);
    content.diagnostics.extend(filter_problem);
    finish(content, options.strict)
}

/// How a file under the content dir (`rel`, `/`-separated) is named in diagnostics and
/// sources (`content/docs/guide.md`).
pub fn display_of(options: &ContentOptions, rel: &str) -> String {
    walk::display_path(&options.dir.join(rel), &options.display_base)
}

/// Sort pages and diagnostics; under `strict`, make warnings errors.
fn finish(mut content: Content, strict: bool) -> Content {
    if strict {
        for diagnostic in &mut content.diagnostics {
            diagnostic.severity = Severity::Error;
        }
    }
    content.pages.sort_by(|a, b| a.source.cmp(&b.source));
    content
        .diagnostics
        .sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
    content
}

/// A page whose keys are read and identity known, waiting for its body to be rendered.
struct Draft<'f> {
    file: &'f SourceFile,
    source: Source,
    fields: Fields,
    key: String,
    key_pos: Pos,
    uuid: Uuid,
    uuid_pos: Pos,
    alias: String,
    alias_pos: Pos,
    body: Body<'f>,
    problems: Vec<Problem>,
}

impl Draft<'_> {
    /// What this page claims that no other page may.
    fn claim(&self) -> validate::Claim<'_> {
        validate::Claim {
            source: &self.source,
            key: &self.key,
            key_pos: self.key_pos,
            uuid: self.uuid,
            adopted: self.fields.uuid.is_some(),
            uuid_pos: self.uuid_pos,
            alias: &self.alias,
            alias_pos: self.alias_pos,
        }
    }

    /// Render the body (once), recording broken links; the HTML and the leading H1 if the
    /// page needs it as its title.
    fn render(
        &mut self,
        resolve: impl Fn(&str) -> Result<String, String>,
    ) -> (String, Option<String>) {
        let take_title = self.fields.title.is_none();
        let (rendered, at) = match &mut self.body {
            Body::File(body, offset) => {
                let rendered = markdown::render(body, take_title, resolve);
                let index = LineIndex::new(&self.file.text);
                let at: Vec<Pos> = rendered
                    .broken_links
                    .iter()
                    .map(|(o, _)| index.position(*offset + o))
                    .collect();
                (rendered, at)
            }
            Body::Key(body, key) => {
                let rendered = markdown::render(body, take_title, resolve);
                let at = rendered
                    .broken_links
                    .iter()
                    .map(|(o, _)| yaml_pages::body_pos(&self.file.text, *key, body, *o))
                    .collect();
                (rendered, at)
            }
            Body::Html(html) => return (std::mem::take(html), None),
        };
        for (pos, (_, message)) in at.into_iter().zip(rendered.broken_links) {
            self.problems.push(Problem::error(pos, message));
        }
        (rendered.html, rendered.title)
    }
}

enum Body<'f> {
    /// The Markdown body of a `.md` file, starting at this byte offset of the file.
    File(&'f str, usize),
    /// Markdown from a YAML `body` key written at this position.
    Key(String, Pos),
    Html(String),
}

/// The pure core of [`load`]: decoded files → pages and diagnostics (unsorted).
fn build(
    files: &[SourceFile],
    unreadable: &BTreeSet<String>,
    filter: &Filter,
    options: &ContentOptions,
) -> Content {
    let mut diagnostics = Vec::new();
    let mut drafts = Vec::new();
    // Markdown files that exist but define no page, so links to them are broken.
    let mut invalid = unreadable.clone();
    for file in files {
        let (found, problems) = match file.kind {
            Kind::Markdown => read_markdown(file, options),
            Kind::Yaml => read_yaml(file, options),
        };
        if found.is_empty() {
            invalid.insert(file.rel.clone());
        }
        diagnostics.extend(
            problems
                .into_iter()
                .map(|p| Diagnostic::new(file.display.clone(), p)),
        );
        drafts.extend(found);
    }
    drafts.sort_by(|a, b| a.source.cmp(&b.source));

    // A `path: auto` page's alias is chosen by the site's pathauto: no link can know it.
    let targets: HashMap<&str, Option<String>> = drafts
        .iter()
        .filter(|d| d.file.kind == Kind::Markdown)
        .map(|d| {
            (
                d.file.rel.as_str(),
                (!d.fields.path_auto).then(|| d.alias.clone()),
            )
        })
        .collect();
    let resolve = |from: &str, path: &str| -> Result<String, String> {
        let Some(target) = markdown::join(from, path) else {
            return Err("it points outside the content directory".to_owned());
        };
        match targets.get(target.as_str()) {
            Some(Some(alias)) => return Ok(alias.clone()),
            Some(None) => {
                return Err(format!(
                    "`{target}` has `path: auto`, so its alias is the site's pathauto's and unknown here; give it a `path:`"
                ))
            }
            None => {}
        }
        Err(if invalid.contains(&target) {
            format!("`{target}` has errors, so it is not a page")
        } else if let Some(why) = filter.skips(&target) {
            format!("`{target}` is {why}, so it is not a page")
        } else {
            format!("there is no page `{target}` in the content directory")
        })
    };

    let claims: Vec<validate::Claim> = drafts.iter().map(Draft::claim).collect();
    diagnostics.extend(validate::duplicates(&claims));

    let finish = |mut draft: Draft| -> (Option<Page>, Vec<Diagnostic>) {
        let file = draft.file;
        let from_markdown = !matches!(draft.body, Body::Html(_));
        let (html, h1) = draft.render(|path| resolve(&file.rel, path));
        let title = match (draft.fields.title.take(), h1) {
            (Some(title), _) => Some(title.value),
            (None, Some(h1)) if h1.chars().count() > fields::MAX_TITLE => {
                let pos = Pos::line(draft.source.line);
                let message = format!("{} (the `# ` heading)", fields::too_long_title(&h1));
                draft.problems.push(Problem::error(pos, message));
                draft.fields.rejected.push("title".into());
                None
            }
            (None, Some(h1)) if !h1.is_empty() => Some(h1),
            _ => None,
        };
        // A rejected `title` was reported already.
        if title.is_none() && !draft.fields.rejected.iter().any(|k| k == "title") {
            let hint = match file.kind {
                Kind::Markdown => {
                    "add `title:` to the front matter or start the body with `# Title`"
                }
                Kind::Yaml => "add `title:`",
            };
            let pos = Pos::line(draft.source.line);
            draft
                .problems
                .push(Problem::error(pos, format!("missing title: {hint}")));
        }
        let has_error = draft.problems.iter().any(|p| p.severity == Severity::Error);
        let problems: Vec<Diagnostic> = draft
            .problems
            .drain(..)
            .map(|p| Diagnostic::new(file.display.clone(), p))
            .collect();
        let page = match (title, has_error) {
            (Some(title), false) => Some(page(draft, title, html, from_markdown, options)),
            _ => None,
        };
        (page, problems)
    };
    let mut pages = Vec::new();
    for (page, problems) in parallel_map(drafts, finish) {
        pages.extend(page);
        diagnostics.extend(problems);
    }
    Content {
        pages,
        links: Vec::new(),
        diagnostics,
    }
}

/// Errors for `path: auto` pages where the site is written through core REST: REST finds a
/// page only by its alias, which pathauto would choose, so such a page could never be found.
pub fn auto_alias_needs_jsonapi(pages: &[Page]) -> Vec<Diagnostic> {
    pages
        .iter()
        .filter(|p| p.alias_auto)
        .map(|p| Diagnostic {
            path: p.source.path.clone(),
            line: p.source.line,
            col: 1,
            severity: Severity::Error,
            message: "`path: auto` needs api = \"jsonapi\": core REST finds a page only by its \
                      alias, and pathauto would choose that alias\n  hint: set `path:` to the \
                      alias, or set [site].api = \"jsonapi\""
                .to_owned(),
        })
        .collect()
}

/// `f` over `items` on every core, results in order. Rendering is most of a load's work,
/// and each page's is independent of the others'.
fn parallel_map<T: Send, R: Send>(mut items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let per_thread = items.len().div_ceil(threads).max(64);
    let mut chunks = Vec::new();
    while items.len() > per_thread {
        let rest = items.split_off(per_thread);
        chunks.push(std::mem::replace(&mut items, rest));
    }
    chunks.push(items);
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(move || chunk.into_iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

fn page(
    draft: Draft,
    title: String,
    body: String,
    from_markdown: bool,
    options: &ContentOptions,
) -> Page {
    let nav = navigation(&draft);
    let Fields {
        uuid,
        published,
        summary,
        format,
        aliases,
        path_auto,
        ..
    } = draft.fields;
    // A `path: auto` page keeps its default alias, shown nowhere and sent nowhere.
    let alias = if path_auto {
        page::default_alias(&draft.key)
    } else {
        draft.alias
    };
    let format = format.unwrap_or_else(|| options.default_format.clone());
    // Rendered Markdown is fitted to the format where that loses nothing (formats::adapt).
    let body = if from_markdown {
        crate::formats::adapt(
            &body,
            crate::formats::TextFormat::standard(&format).as_ref(),
        )
    } else {
        body
    };
    Page {
        key: draft.key,
        uuid: draft.uuid,
        adopted: uuid.is_some(),
        source: draft.source,
        title,
        alias,
        previous_aliases: aliases,
        published: published.unwrap_or(true),
        status_explicit: published.is_some(),
        body,
        format,
        summary,
        alias_auto: path_auto,
        nav,
    }
}

/// What the page declares for menus, and where its file sits among the folders.
fn navigation(draft: &Draft) -> crate::menu::Declared {
    let rel = &draft.file.rel;
    let stem = rel.rsplit('/').next().unwrap_or(rel);
    let stem = stem.rsplit_once('.').map_or(stem, |(stem, _)| stem);
    let menu = draft.fields.menu.as_ref();
    crate::menu::Declared {
        entries: menu.map(|m| m.value.clone()).unwrap_or_default(),
        link_title: draft.fields.link_title.clone(),
        weight: draft.fields.weight,
        file: rel.clone(),
        folder_index: matches!(stem, "index" | "_index") && draft.source.line == 1,
        at: menu.map_or((0, 0), |m| (m.pos.line, m.pos.col)),
    }
}

fn read_markdown<'f>(
    file: &'f SourceFile,
    options: &ContentOptions,
) -> (Vec<Draft<'f>>, Vec<Problem>) {
    let split = match front_matter::split(&file.text) {
        Ok(split) => split,
        Err(problem) => return (Vec::new(), vec![problem]),
    };
    let entries = match split.front.as_ref().map(front_matter::parse) {
        Some(Err(problem)) => return (Vec::new(), vec![problem]),
        Some(Ok(entries)) => entries,
        None => Vec::new(),
    };
    let (fields, problems) = fields::extract(entries, Origin::Markdown);
    let body = Body::File(split.body, split.body_offset);
    (
        vec![draft(file, 1, fields, body, problems, options)],
        Vec::new(),
    )
}

fn read_yaml<'f>(file: &'f SourceFile, options: &ContentOptions) -> (Vec<Draft<'f>>, Vec<Problem>) {
    let (pages, problems) = yaml_pages::parse(&file.text);
    let drafts = pages
        .into_iter()
        .map(|page| {
            let (mut fields, problems) = fields::extract(page.entries, Origin::Yaml);
            let body = match (fields.body.take(), fields.body_html.take()) {
                (Some(markdown), _) => Body::Key(markdown.value, markdown.pos),
                (None, html) => Body::Html(html.unwrap_or_default()),
            };
            draft(file, page.line, fields, body, problems, options)
        })
        .collect();
    (drafts, problems)
}

/// Settle a page's identity (CONTRACT §2): key, alias and UUID, each with where it was set.
fn draft<'f>(
    file: &'f SourceFile,
    line: usize,
    fields: Fields,
    body: Body<'f>,
    mut problems: Vec<Problem>,
    options: &ContentOptions,
) -> Draft<'f> {
    let start = Pos::line(line);
    let (key, key_pos) = match &fields.id {
        Some(id) => (id.value.clone(), id.pos),
        None => (identity::key_from_path(&file.rel), start),
    };
    let (alias, alias_pos) = match &fields.path {
        Some(path) => (path.value.clone(), path.pos),
        // `path: auto`: pathauto's alias, claimed by no page here (see `page`).
        None if fields.path_auto => (String::new(), start),
        None => {
            let alias = page::default_alias(&key);
            // A rejected `path` was reported already; the default stands in quietly.
            let path_rejected = fields.rejected.iter().any(|k| k == "path");
            match identity::check_alias(&alias) {
                Err(why) if !path_rejected => {
                    let message = format!(
                        "the default alias `{alias}` of key `{key}` is invalid: {why}; set `path:`"
                    );
                    problems.push(Problem::error(key_pos, message));
                }
                _ => {}
            }
            (alias, start)
        }
    };
    let (uuid, uuid_pos) = match &fields.uuid {
        Some(uuid) => (uuid.value, uuid.pos),
        None => (page::derive_uuid(&options.namespace, &key), start),
    };
    Draft {
        file,
        source: Source {
            path: file.display.clone(),
            line,
        },
        fields,
        key,
        key_pos,
        uuid,
        uuid_pos,
        alias,
        alias_pos,
        body,
        problems,
    }
}

#[cfg(test)]
mod tests;
