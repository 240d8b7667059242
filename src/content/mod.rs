//! Content loading: the content directory → the desired [`Page`]s, with every problem found
//! on the way collected as a positioned [`Diagnostic`] (CONTRACT §1 and §2).
//!
//! The pipeline, one module per step: `walk` reads the files (the only filesystem access),
//! `text` decodes them, `front_matter` and `yaml_pages` find each page's keys (parsed
//! by `value`), `fields` types them, `identity` derives keys and checks aliases,
//! `markdown` renders bodies and rewrites links, `assets` replaces references to local files
//! (images, downloads) by tokens that `crate::files` embeds or uploads, and `validate` checks
//! pages against each other. Everything after the walk is pure. Comparing pages with the site is not done here.
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

mod admonitions;
mod anchors;
pub mod assets;
mod fields;
mod flavor;
mod front_matter;
pub mod html;
mod identity;
mod markdown;
mod shortcodes;
mod text;
mod validate;
mod value;
mod walk;

pub use walk::{display_path, escape_controls};
mod yaml_pages;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;

use uuid::Uuid;

use crate::page::{self, Page, Source};
use fields::{Fields, Origin};
pub use flavor::{Flavor, GeneratorOptions, ShortcodeMode};
use flavor::{Rules, Templates, Url};
pub use identity::{check_alias, key_from_path};
use markdown::LinkTarget;
pub(crate) use text::LineIndex;
use text::Pos;
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
    /// The static-site generator the content was written for, and how its templates and
    /// headings are handled (CONTRACT §9).
    pub generator: GeneratorOptions,
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Shown as a warning, but never an error, even under `--strict`: a conversion the
    /// content's flavor asks for (a template removed), not a mistake in the content.
    Notice,
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
            Severity::Notice | Severity::Warning => "warning",
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
    /// Every reference to a local file (image, download) in the pages, where it was written.
    pub files: Vec<assets::FileRef>,
    /// Page files and folders left out on purpose: the path as shown, and why.
    pub skipped: Vec<(String, String)>,
    /// The generator the content was read as.
    pub flavor: Option<Flavor>,
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
    let now = crate::sandbox::timestamp::format(crate::sandbox::timestamp::now());
    let generator = flavor::resolve(&options.dir, &options.generator, now[..19].to_owned());
    let options = &ContentOptions {
        generator,
        ..options.clone()
    };
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
    let filter = filter.with_generator(&options.generator);
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
    link_files(&mut content, &walked);
    content.diagnostics.extend(walked.diagnostics);
    content.skipped.extend(walked.skipped);
    content.skipped.sort();
    content.flavor = Some(options.generator.flavor);
    content.diagnostics.extend(filter_problem);
    finish(content, options.strict)
}

/// How a file under the content dir (`rel`, `/`-separated) is named in diagnostics and
/// sources (`content/docs/guide.md`).
pub fn display_of(options: &ContentOptions, rel: &str) -> String {
    walk::display_path(&options.dir.join(rel), &options.display_base)
}

/// Replace the pages' references to local files by tokens ([`assets`]), recording each
/// reference, and a missing file as an error at the reference.
fn link_files(content: &mut Content, walked: &walk::Walk) {
    let by_path: HashMap<&str, &SourceFile> = walked
        .files
        .iter()
        .map(|f| (f.display.as_str(), f))
        .collect();
    let pages = std::mem::take(&mut content.pages);
    let linked = parallel_map(pages, |mut page| {
        let Some(file) = by_path.get(page.source.path.as_str()) else {
            return (page, Vec::new(), Vec::new());
        };
        let start = match file.kind {
            Kind::Markdown => front_matter::split(&file.text).map_or(0, |s| s.body_offset),
            Kind::Yaml => file
                .text
                .split_inclusive('\n')
                .take(page.source.line.saturating_sub(1))
                .map(str::len)
                .sum(),
        };
        let linked = assets::link(&page.body, &file.text, start, &file.rel, &walked.others);
        page.body = linked.html;
        let refs: Vec<assets::FileRef> = linked
            .refs
            .into_iter()
            .map(|(pos, rel, size)| assets::FileRef {
                path: file.display.clone(),
                line: pos.line,
                col: pos.col,
                rel,
                size,
            })
            .collect();
        let problems: Vec<Diagnostic> = linked
            .problems
            .into_iter()
            .map(|p| Diagnostic::new(file.display.clone(), p))
            .collect();
        (page, refs, problems)
    });
    for (page, refs, problems) in linked {
        content.pages.push(page);
        content.files.extend(refs);
        content.diagnostics.extend(problems);
    }
}

/// Sort pages and diagnostics; under `strict`, make warnings errors.
fn finish(mut content: Content, strict: bool) -> Content {
    if strict {
        for diagnostic in &mut content.diagnostics {
            if diagnostic.severity == Severity::Warning {
                diagnostic.severity = Severity::Error;
            }
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
    body: Body,
    problems: Vec<Problem>,
    /// What the generator's keys say about the page.
    rules: Rules,
    /// How headings get ids.
    ids: anchors::Ids,
    /// The ids a link's fragment may name (filled before any page is rendered).
    anchors: HashSet<String>,
    /// Templates removed from the body: name and position.
    removed: Vec<(String, Pos)>,
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
        resolve: impl Fn(&str, Option<&str>) -> Result<LinkTarget, String>,
    ) -> (String, Option<String>) {
        let take_title = self.fields.title.is_none();
        let ids = self.ids;
        let (rendered, at, warned_at) = match &mut self.body {
            Body::File(body, offset) => {
                let rendered = markdown::render_with(&body.text, take_title, ids, resolve);
                let index = LineIndex::new(&self.file.text);
                let at = |o: &usize| index.position(*offset + body.original(*o));
                let broken = rendered.broken_links.iter().map(|(o, _)| at(o)).collect();
                let warned = rendered.link_warnings.iter().map(|(o, _)| at(o)).collect();
                (rendered, broken, warned)
            }
            Body::Key(body, key) => {
                let rendered = markdown::render_with(body, take_title, ids, resolve);
                let at = |o: &usize| yaml_pages::body_pos(&self.file.text, *key, body, *o);
                let broken = rendered.broken_links.iter().map(|(o, _)| at(o)).collect();
                let warned = rendered.link_warnings.iter().map(|(o, _)| at(o)).collect();
                (rendered, broken, warned)
            }
            Body::Html(html) => return (std::mem::take(html), None),
        };
        let at: Vec<Pos> = at;
        let warned_at: Vec<Pos> = warned_at;
        for (pos, (_, message)) in at.into_iter().zip(rendered.broken_links) {
            self.problems.push(Problem::error(pos, message));
        }
        for (pos, (_, message)) in warned_at.into_iter().zip(rendered.link_warnings) {
            self.problems.push(Problem::warning(pos, message));
        }
        (rendered.html, rendered.title)
    }

    /// The anchors links may name on this page.
    fn collect_anchors(&mut self) {
        let take_title = self.fields.title.is_none();
        let body = match &self.body {
            Body::File(body, _) => body.text.as_str(),
            Body::Key(body, _) => body.as_str(),
            Body::Html(_) => return,
        };
        self.anchors = anchors::collect(body, markdown::OPTIONS, self.ids, take_title);
    }
}

enum Body {
    /// The Markdown body of a `.md` file (its templates expanded), starting at this byte
    /// offset of the file.
    File(shortcodes::Expanded, usize),
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
    let markdown_files: HashSet<&str> = files
        .iter()
        .filter(|f| f.kind == Kind::Markdown)
        .map(|f| f.rel.as_str())
        .collect();
    for file in files {
        let (found, problems) = match file.kind {
            Kind::Markdown => read_markdown(file, &markdown_files, options),
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

    // Pages the generator never renders are not pages.
    let unrendered = unrendered(&drafts, options.generator.flavor);
    let mut skipped = Vec::new();
    drafts.retain(|d| match unrendered.get(d.file.rel.as_str()) {
        Some(why) if d.file.kind == Kind::Markdown => {
            skipped.push((d.file.display.clone(), why.clone()));
            false
        }
        _ => true,
    });
    let mut drafts = parallel_map(drafts, |mut draft| {
        draft.collect_anchors();
        draft
    });
    let anchors: Vec<HashSet<String>> = drafts
        .iter_mut()
        .map(|d| std::mem::take(&mut d.anchors))
        .collect();
    // A `path: auto` page's alias is chosen by the site's pathauto: no link can know it.
    let targets: HashMap<String, (Option<String>, usize)> = drafts
        .iter()
        .enumerate()
        .filter(|(_, d)| d.file.kind == Kind::Markdown)
        .map(|(i, d)| {
            let alias = (!d.fields.path_auto).then(|| d.alias.clone());
            (d.file.rel.clone(), (alias, i))
        })
        .collect();
    let resolve = |from: &str, own: &HashSet<String>, path: &str, fragment: Option<&str>| {
        let missing = |anchors: &HashSet<String>, name: &str| {
            fragment
                .filter(|f| !anchors.contains(*f))
                .map(|f| format!("{name} has no heading or anchor `#{f}`"))
        };
        if path.is_empty() {
            return Ok(LinkTarget {
                alias: String::new(),
                warning: missing(own, "this page"),
            });
        }
        let Some(target) = markdown::join(from, path) else {
            return Err("it points outside the content directory".to_owned());
        };
        match targets.get(target.as_str()) {
            Some((Some(alias), index)) => {
                return Ok(LinkTarget {
                    alias: alias.clone(),
                    warning: missing(&anchors[*index], &format!("`{target}`")),
                })
            }
            Some((None, _)) => {
                return Err(format!(
                    "`{target}` has `path: auto`, so its alias is the site's pathauto's and unknown here; give it a `path:`"
                ))
            }
            None => {}
        }
        Err(if let Some(why) = unrendered.get(target.as_str()) {
            format!("`{target}` is not a page ({why})")
        } else if invalid.contains(&target) {
            format!("`{target}` has errors, so it is not a page")
        } else if let Some(why) = filter.skips(&target) {
            format!("`{target}` is {why}, so it is not a page")
        } else {
            format!("there is no page `{target}` in the content directory")
        })
    };

    let claims: Vec<validate::Claim> = drafts.iter().map(Draft::claim).collect();
    diagnostics.extend(validate::duplicates(&claims));
    let removed = removed_templates(&drafts, options.generator.templates());
    diagnostics.extend(removed);

    let finish = |(index, mut draft): (usize, Draft)| -> (Option<Page>, Vec<Diagnostic>) {
        let file = draft.file;
        let from_markdown = !matches!(draft.body, Body::Html(_));
        let own = &anchors[index];
        let (html, h1) = draft.render(|path, fragment| resolve(&file.rel, own, path, fragment));
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
            // A generator names a page without title by its first heading or its file.
            _ if options.generator.flavor.is_generator()
                && !draft.fields.rejected.iter().any(|k| k == "title") =>
            {
                let heading = match &draft.body {
                    Body::File(body, _) => anchors::first_heading(&body.text),
                    _ => None,
                };
                Some(heading.unwrap_or_else(|| {
                    flavor::fallback_title(&file.rel, options.generator.site_title.as_deref())
                }))
            }
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
    let numbered: Vec<(usize, Draft)> = drafts.into_iter().enumerate().collect();
    for (page, problems) in parallel_map(numbered, finish) {
        pages.extend(page);
        diagnostics.extend(problems);
    }
    Content {
        pages,
        links: Vec::new(),
        diagnostics,
        files: Vec::new(),
        skipped,
        flavor: Some(options.generator.flavor),
    }
}

/// The page files the generator never renders, and why: `headless` and `build.render`
/// pages, pages below a section whose `cascade` says so, and Hugo's leaf-bundle resources
/// (Markdown files beside or below an `index.md`).
fn unrendered(drafts: &[Draft], flavor: Flavor) -> HashMap<String, String> {
    let folder = |rel: &str| rel.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    let mut found = HashMap::new();
    let mut cascades = Vec::new();
    let mut bundles = HashSet::new();
    for draft in drafts {
        let rel = draft.file.rel.as_str();
        if let Some(why) = draft.rules.never {
            found.insert(rel.to_owned(), why.to_owned());
        }
        if draft.rules.cascade_never {
            cascades.push((folder(rel), rel));
        }
        let name = rel.rsplit('/').next().unwrap_or(rel);
        if flavor == Flavor::Hugo && name == "index.md" && rel != "index.md" {
            bundles.insert(folder(rel));
        }
    }
    for draft in drafts {
        let rel = draft.file.rel.as_str();
        let under = |dir: &str| dir.is_empty() || rel.starts_with(&format!("{dir}/"));
        if let Some((_, section)) = cascades
            .iter()
            .find(|(dir, section)| under(dir) && rel != *section)
        {
            found.entry(rel.to_owned()).or_insert_with(|| {
                format!("the `cascade` of `{section}` stops Hugo from rendering it")
            });
        }
        let mut dir = folder(rel);
        loop {
            if bundles.contains(&dir) && rel != format!("{dir}/index.md") {
                found.entry(rel.to_owned()).or_insert_with(|| {
                    format!("a resource of Hugo's leaf bundle `{dir}/index.md`, not a page")
                });
                break;
            }
            match dir.rsplit_once('/') {
                Some((parent, _)) => dir = parent.to_owned(),
                None => break,
            }
        }
    }
    found
}

/// One warning per removed template name: how many times, and the first place.
fn removed_templates(drafts: &[Draft], templates: Templates) -> Vec<Diagnostic> {
    let mut by_name: BTreeMap<&str, (usize, &str, Pos)> = BTreeMap::new();
    for draft in drafts {
        for (name, pos) in &draft.removed {
            let entry =
                by_name
                    .entry(name.as_str())
                    .or_insert((0, draft.file.display.as_str(), *pos));
            entry.0 += 1;
        }
    }
    let kind = match templates {
        Templates::Liquid => "Liquid tag",
        _ => "shortcode",
    };
    by_name
        .into_iter()
        .map(|(name, (count, path, pos))| {
            let kind = if name == ":::" {
                "mkdocstrings directive"
            } else {
                kind
            };
            let times = if count == 1 {
                "once".to_owned()
            } else {
                format!("{count} times, the first here")
            };
            let message = format!(
                "{kind} `{name}` removed ({times}): Drupal cannot run it; its inner Markdown, if any, is kept \
                 (`[content].shortcodes = \"keep\"` publishes templates as text)"
            );
            let notice = Problem {
                pos,
                severity: Severity::Notice,
                message,
            };
            Diagnostic::new(path.to_owned(), notice)
        })
        .collect()
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
pub(crate) fn parallel_map<T: Send, R: Send>(
    mut items: Vec<T>,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
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
    // A page the generator would not publish now (future, expired, `published: false`)
    // is a draft.
    let held = draft.rules.unpublished.is_some();
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
        published: published.unwrap_or(true) && !held,
        status_explicit: published.is_some() || held,
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
    files: &HashSet<&str>,
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
    let (entries, rules, mut problems) = flavor::interpret(entries, &file.rel, &options.generator);
    let (fields, more) = fields::extract(entries, Origin::Markdown);
    problems.extend(more);
    let find = |written: &str| find_page(files, &file.rel, written);
    let param = |key: &str| {
        let params = &options.generator.params;
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let expanded = shortcodes::expand(split.body, options.generator.templates(), &find, &param);
    let callouts = match options.generator.flavor {
        Flavor::Docusaurus => admonitions::Syntax::Docusaurus,
        Flavor::Mkdocs => admonitions::Syntax::Mkdocs,
        _ => admonitions::Syntax::None,
    };
    let directives = options.generator.shortcodes == ShortcodeMode::Remove;
    let next = admonitions::expand(&expanded.text, callouts, directives);
    let expanded = expanded.then(next);
    let index = LineIndex::new(&file.text);
    let at = |offset: usize| index.position(split.body_offset + offset);
    for (offset, message) in &expanded.broken {
        problems.push(Problem::error(at(*offset), message.clone()));
    }
    let removed = expanded
        .removed
        .iter()
        .map(|(name, offset)| (name.clone(), at(*offset)))
        .collect();
    let body = Body::File(expanded, split.body_offset);
    let mut draft = draft(file, 1, fields, body, problems, options);
    apply_rules(&mut draft, rules, options.generator.flavor);
    draft.removed = removed;
    (vec![draft], Vec::new())
}

/// The page file a template reference names (Hugo `ref`, Liquid `link`): relative to the page,
/// else from the content dir; with or without `.md`, or a folder's `index.md`/`_index.md`.
fn find_page(files: &HashSet<&str>, from: &str, written: &str) -> Option<String> {
    let mut bases = Vec::new();
    let rooted = written.trim_start_matches('/');
    if !written.starts_with('/') {
        bases.extend(markdown::join(from, written));
    }
    bases.push(rooted.to_owned());
    // A multilingual Hugo site's refs are rooted at the page's language folder.
    if let Some((language, _)) = from.split_once('/') {
        bases.push(format!("{language}/{rooted}"));
    }
    for base in bases {
        let base = base.trim_end_matches('/');
        let stem = base.strip_suffix(".md").unwrap_or(base);
        for candidate in [
            base.to_owned(),
            format!("{stem}.md"),
            format!("{stem}.markdown"),
            format!("{base}/index.md"),
            format!("{base}/_index.md"),
        ] {
            if files.contains(candidate.as_str()) {
                return Some(candidate);
            }
        }
    }
    // Hugo also finds a page by its file or section name alone, when only one has it.
    let name = rooted.trim_end_matches('/').to_lowercase();
    if name.is_empty() || name.contains('/') {
        return None;
    }
    let stem = name.strip_suffix(".md").unwrap_or(&name);
    let mut found = files.iter().filter(|rel| {
        let lower = rel.to_lowercase();
        [
            format!("{stem}.md"),
            format!("{stem}/_index.md"),
            format!("{stem}/index.md"),
        ]
        .iter()
        .any(|end| lower == *end || lower.ends_with(&format!("/{end}")))
    });
    match (found.next(), found.next()) {
        (Some(only), None) => Some((*only).to_owned()),
        _ => None,
    }
}

/// Settle what a generator's keys change: the alias (`url`, `slug`, `permalink`, Zola
/// `path`, Docusaurus `id` and number prefixes) unless `path:` set it, and heading ids.
fn apply_rules(draft: &mut Draft, rules: Rules, flavor: Flavor) {
    if let Some(on) = rules.heading_ids {
        draft.ids.generate = on;
    }
    if draft.fields.path.is_none() && !draft.fields.rejected.iter().any(|k| k == "path") {
        let folder = |alias: &str| alias.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
        let mut alias = None;
        if flavor == Flavor::Jekyll {
            if let Some(url) = flavor::post_url(&draft.file.rel, &rules.categories) {
                alias = Some((url, draft.alias_pos));
            } else if let Some(collection) = draft.alias.strip_prefix("/_") {
                // A collection's pages are under its name (`/:collection/:path`).
                alias = Some((format!("/{collection}"), draft.alias_pos));
            }
        }
        if flavor == Flavor::Docusaurus {
            let mut docusaurus = docusaurus_alias(&draft.alias);
            if let Some(id) = &rules.doc_id {
                docusaurus = format!("{}/{}", folder(&docusaurus), id.value);
            }
            alias = Some((docusaurus, draft.alias_pos));
        }
        if let Some(url) = &rules.url {
            let value = match &url.value {
                Url::Alias(written) => flavor::normalize_url(written),
                Url::Slug(slug) => {
                    let base = alias.as_ref().map_or(draft.alias.as_str(), |(a, _)| a);
                    format!("{}/{}", folder(base), slug.trim_matches('/'))
                }
            };
            alias = Some((value, url.pos));
        }
        if let Some((value, pos)) = alias {
            if let Err(why) = identity::check_alias(&value) {
                draft.problems.push(Problem::error(
                    pos,
                    format!("invalid alias `{value}`: {why}"),
                ));
            }
            draft.alias = value;
            draft.alias_pos = pos;
        }
    }
    draft.rules = rules;
}

/// Docusaurus drops number prefixes (`01-intro` → `intro`) from every segment of a URL.
fn docusaurus_alias(alias: &str) -> String {
    alias
        .split('/')
        .map(|segment| {
            let digits = segment.bytes().take_while(u8::is_ascii_digit).count();
            match segment[digits..].strip_prefix(['-', '_', '.']) {
                Some(rest) if digits > 0 && !rest.is_empty() => rest,
                _ => segment,
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn read_yaml<'f>(file: &'f SourceFile, options: &ContentOptions) -> (Vec<Draft<'f>>, Vec<Problem>) {
    let (pages, problems) = yaml_pages::parse(&file.text);
    let drafts = pages
        .into_iter()
        .map(|page| {
            let (entries, rules, mut problems) =
                flavor::interpret(page.entries, &file.rel, &options.generator);
            let (mut fields, more) = fields::extract(entries, Origin::Yaml);
            problems.extend(more);
            let body = match (fields.body.take(), fields.body_html.take()) {
                (Some(markdown), _) => Body::Key(markdown.value, markdown.pos),
                (None, html) => Body::Html(html.unwrap_or_default()),
            };
            let mut draft = draft(file, page.line, fields, body, problems, options);
            apply_rules(&mut draft, rules, options.generator.flavor);
            draft
        })
        .collect();
    (drafts, problems)
}

/// Settle a page's identity (CONTRACT §2): key, alias and UUID, each with where it was set.
fn draft<'f>(
    file: &'f SourceFile,
    line: usize,
    fields: Fields,
    body: Body,
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
        rules: Rules::default(),
        ids: anchors::Ids {
            generate: options.generator.heading_ids,
            style: match options.generator.flavor {
                Flavor::Zola => anchors::SlugStyle::Zola,
                Flavor::Mkdocs => anchors::SlugStyle::Mkdocs,
                _ => anchors::SlugStyle::Github,
            },
        },
        anchors: HashSet::new(),
        removed: Vec::new(),
    }
}

#[cfg(test)]
mod tests;
