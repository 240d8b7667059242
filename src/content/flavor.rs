//! Content written for a static-site generator (CONTRACT §9): which generator a content
//! directory was made for, which of its folders and files the generator never renders, and
//! what each generator's own front matter keys mean for the page drupal-sync publishes.
//!
//! [`detect`] is the only part that reads files (the generator's config, found in the content
//! dir or a parent up to the repository root); [`interpret`] and [`Rules`] are pure. Templates
//! in bodies are [`super::shortcodes`]' business, heading ids [`super::anchors`]'.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::fields::{Entry, Located};
use super::text::Pos;
use super::value::{self, Value};
use super::Problem;

/// The generator a content directory was written for (`[content].flavor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Flavor {
    /// Detected from the generator's config file (the default).
    #[default]
    Auto,
    Hugo,
    Jekyll,
    Zola,
    Docusaurus,
    Mkdocs,
    /// drupal-sync's own conventions only.
    Plain,
}

impl Flavor {
    /// The generator's name as users write it.
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Auto => "auto",
            Flavor::Hugo => "Hugo",
            Flavor::Jekyll => "Jekyll",
            Flavor::Zola => "Zola",
            Flavor::Docusaurus => "Docusaurus",
            Flavor::Mkdocs => "MkDocs",
            Flavor::Plain => "plain",
        }
    }

    /// Whether a generator (not drupal-sync's own conventions) owns the directory.
    pub fn is_generator(self) -> bool {
        !matches!(self, Flavor::Auto | Flavor::Plain)
    }
}

/// What to do with shortcodes and Liquid tags (`[content].shortcodes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ShortcodeMode {
    /// Resolve `ref`s, keep paired shortcodes' inner Markdown, remove the rest with a warning.
    #[default]
    Remove,
    /// Leave every template as text.
    Keep,
}

/// How the content's generator is handled; `resolve` (run by [`load`](super::load)) fills in
/// what detection finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratorOptions {
    pub flavor: Flavor,
    pub shortcodes: ShortcodeMode,
    /// Headings get `id`s (`[content].heading_ids`; a page's `heading_ids: false` overrides).
    pub heading_ids: bool,
    /// The generator's config file, when one was found.
    pub config_file: Option<PathBuf>,
    /// Jekyll's `exclude` globs from `_config.yml` (relative to the site root).
    pub exclude: Vec<String>,
    /// Jekyll collections (`_name` folders) that are rendered, besides `_posts`.
    pub collections: Vec<String>,
    /// MkDocs with the macros plugin: pages are Jinja templates.
    pub macros: bool,
    /// The site's title in the generator's config (`title`, `site_name`), for a home page
    /// that has none.
    pub site_title: Option<String>,
    /// Hugo's site `params`, flattened to dotted keys (`grpc_vers.core`), for `{{< param >}}`.
    pub params: Vec<(String, String)>,
    /// Now, UTC, `YYYY-MM-DDTHH:MM:SS`: publish and expiry dates are compared with it.
    pub now: String,
}

impl Default for GeneratorOptions {
    fn default() -> Self {
        GeneratorOptions {
            flavor: Flavor::Auto,
            shortcodes: ShortcodeMode::Remove,
            heading_ids: true,
            config_file: None,
            exclude: Vec::new(),
            collections: Vec::new(),
            macros: false,
            site_title: None,
            params: Vec::new(),
            now: String::new(),
        }
    }
}

/// Template syntax processed in bodies of a flavor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Templates {
    None,
    /// `{{< name >}}`, `{{% name %}}`.
    Hugo,
    /// `{{ expr }}`, `{% tag %}` (Jekyll; MkDocs macros use the same delimiters).
    Liquid,
    /// `{{ name(args) }}`, `{% name(args) %}…{% end %}`.
    Zola,
}

impl GeneratorOptions {
    /// The template syntax of this content's bodies.
    pub fn templates(&self) -> Templates {
        if self.shortcodes == ShortcodeMode::Keep {
            return Templates::None;
        }
        match self.flavor {
            Flavor::Hugo => Templates::Hugo,
            Flavor::Jekyll => Templates::Liquid,
            Flavor::Mkdocs if self.macros => Templates::Liquid,
            Flavor::Zola => Templates::Zola,
            _ => Templates::None,
        }
    }

    /// Why the generator never renders the file or folder `name` at `rel` (a path under the
    /// content dir), if it does not.
    pub fn skips(&self, rel: &str, name: &str, is_last: bool) -> Option<&'static str> {
        let page_kind = super::walk::Kind::of(name);
        match self.flavor {
            Flavor::Jekyll => {
                if let Some(folder) = name.strip_prefix('_') {
                    let rendered =
                        folder == "posts" || self.collections.iter().any(|c| c == folder);
                    if !rendered {
                        return Some("not rendered by Jekyll (an `_` folder or file)");
                    }
                }
                if name.starts_with(['#', '~']) || name.ends_with('~') {
                    return Some("not rendered by Jekyll (a backup file)");
                }
                let excluded = self.exclude.iter().any(|p| exclude_matches(p, rel, name));
                if excluded {
                    return Some("excluded by `_config.yml`");
                }
            }
            Flavor::Docusaurus if name.starts_with('_') => {
                return Some("not rendered by Docusaurus (an `_` partial or category file)");
            }
            _ => {}
        }
        if is_last && self.flavor.is_generator() && page_kind == Some(super::walk::Kind::Yaml) {
            return Some(match self.flavor {
                Flavor::Hugo => "a data file to Hugo, not a page",
                Flavor::Jekyll => "a data file to Jekyll, not a page",
                Flavor::Zola => "a data file to Zola, not a page",
                Flavor::Docusaurus => "a data file to Docusaurus, not a page",
                _ => "a data file to MkDocs, not a page",
            });
        }
        None
    }
}

/// Jekyll's `exclude` entries: a name, a path from the site root, or a glob.
fn exclude_matches(pattern: &str, rel: &str, name: &str) -> bool {
    let pattern = pattern.trim_matches('/');
    if pattern.contains(['*', '?', '[']) {
        return globset::Glob::new(pattern).is_ok_and(|g| g.compile_matcher().is_match(rel));
    }
    pattern == rel || (!pattern.contains('/') && pattern == name)
}

/// Jekyll's folders and files never rendered whatever `_config.yml` says.
const JEKYLL_DEFAULT_EXCLUDE: &[&str] = &[
    "Gemfile",
    "Gemfile.lock",
    "node_modules",
    "vendor",
    "gemfiles",
];

/// `options` with the flavor detected when it is `auto`, the generator's config read, and now.
pub(super) fn resolve(dir: &Path, options: &GeneratorOptions, now: String) -> GeneratorOptions {
    let mut resolved = options.clone();
    resolved.now = now;
    let found = detect(dir);
    if resolved.flavor == Flavor::Auto {
        match &found {
            Some((flavor, file)) => {
                resolved.flavor = *flavor;
                resolved.config_file = Some(file.clone());
            }
            None => resolved.flavor = Flavor::Plain,
        }
    } else if let Some((flavor, file)) = &found {
        if *flavor == resolved.flavor {
            resolved.config_file = Some(file.clone());
        }
    }
    let text = resolved
        .config_file
        .as_ref()
        .and_then(|f| std::fs::read_to_string(f).ok());
    resolved.site_title = text.as_deref().and_then(site_title);
    match (resolved.flavor, text) {
        (Flavor::Jekyll, Some(text)) => {
            let (exclude, collections) = jekyll_config(&text);
            resolved.exclude = exclude;
            resolved.collections = collections;
        }
        (Flavor::Mkdocs, Some(text)) => resolved.macros = mkdocs_macros(&text),
        (Flavor::Hugo, Some(text)) => {
            let toml = resolved
                .config_file
                .as_ref()
                .is_some_and(|f| f.extension().is_some_and(|e| e == "toml"));
            resolved.params = hugo_params(&text, toml);
        }
        _ => {}
    }
    if resolved.flavor == Flavor::Jekyll {
        resolved
            .exclude
            .extend(JEKYLL_DEFAULT_EXCLUDE.iter().map(|s| (*s).to_owned()));
    }
    resolved
}

/// The generator whose config file is nearest to `dir` (in it or a parent, up to the
/// repository root), and that file.
pub(super) fn detect(dir: &Path) -> Option<(Flavor, PathBuf)> {
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    for folder in dir.ancestors() {
        if let Some(found) = detect_in(folder) {
            return Some(found);
        }
        if folder.join(".git").exists() {
            break;
        }
    }
    None
}

fn detect_in(folder: &Path) -> Option<(Flavor, PathBuf)> {
    let file = |name: &str| Some(folder.join(name)).filter(|p| p.is_file());
    let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
    for name in ["hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json"] {
        if let Some(path) = file(name) {
            return Some((Flavor::Hugo, path));
        }
    }
    if let Some(path) = file("zola.toml") {
        return Some((Flavor::Zola, path));
    }
    for name in ["config.toml", "config.yaml", "config.yml", "config.json"] {
        if let Some(path) = file(name) {
            let text = read(&path);
            if text.contains("base_url") {
                return Some((Flavor::Zola, path));
            }
            if text.to_ascii_lowercase().contains("baseurl") {
                return Some((Flavor::Hugo, path));
            }
        }
    }
    if folder.join("config/_default").is_dir() {
        return Some((Flavor::Hugo, folder.join("config/_default")));
    }
    for name in ["_config.yml", "_config.yaml"] {
        if let Some(path) = file(name) {
            return Some((Flavor::Jekyll, path));
        }
    }
    // Docusaurus sites often keep `docs/` beside the `website/` that builds it.
    for name in ["", "website/"] {
        for ext in ["js", "ts", "mjs", "cjs", "mts"] {
            if let Some(path) = file(&format!("{name}docusaurus.config.{ext}")) {
                return Some((Flavor::Docusaurus, path));
            }
        }
    }
    for name in ["mkdocs.yml", "mkdocs.yaml"] {
        if let Some(path) = file(name) {
            return Some((Flavor::Mkdocs, path));
        }
    }
    None
}

/// The top-level `title` or `site_name` of a generator's YAML or TOML config.
fn site_title(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (key, value) = line.split_once([':', '='])?;
        let key = key.trim().trim_matches('"');
        let top_level = !line.starts_with([' ', '\t']);
        let value = value.trim().trim_matches(['"', '\'']).trim();
        (top_level && matches!(key, "title" | "site_name") && !value.is_empty())
            .then(|| value.to_owned())
    })
}

/// A title for a page that sets none and has no H1, as the generators make one: the site's
/// title for the home page, else its file or folder name with `-` and `_` as spaces.
pub(super) fn fallback_title(rel: &str, site_title: Option<&str>) -> String {
    let stem = |name: &str| name.rsplit_once('.').map_or(name, |(s, _)| s).to_owned();
    let mut parts: Vec<&str> = rel.split('/').collect();
    let name = stem(parts.pop().unwrap_or_default());
    let name = if matches!(
        name.to_ascii_lowercase().as_str(),
        "index" | "_index" | "readme"
    ) {
        match parts.pop() {
            Some(folder) => folder.to_owned(),
            None => return site_title.unwrap_or("Home").to_owned(),
        }
    } else {
        name
    };
    let words = name.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Home".to_owned(),
    }
}

/// A Hugo config's `params`, flattened to `dotted.key = value` for scalar values.
fn hugo_params(text: &str, toml: bool) -> Vec<(String, String)> {
    fn flatten(prefix: &str, value: Value, out: &mut Vec<(String, String)>) {
        let key = || prefix.trim_end_matches('.').to_owned();
        match value {
            Value::Map(map) => {
                for (name, value) in map {
                    flatten(&format!("{prefix}{}.", name.to_lowercase()), value, out);
                }
            }
            Value::String(s) | Value::Number(s) | Value::Datetime(s) => out.push((key(), s)),
            Value::Bool(b) => out.push((key(), b.to_string())),
            Value::Null | Value::List(_) => {}
        }
    }
    let parsed = if toml {
        value::from_toml(text)
    } else {
        value::from_yaml(text)
    };
    let Ok(Value::Map(map)) = parsed else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in map {
        if key.eq_ignore_ascii_case("params") {
            flatten("", value, &mut out);
        }
    }
    out
}

/// `exclude` and the rendered collections of a Jekyll `_config.yml`.
fn jekyll_config(text: &str) -> (Vec<String>, Vec<String>) {
    let Ok(Value::Map(map)) = value::from_yaml(text) else {
        return (Vec::new(), Vec::new());
    };
    let mut exclude = Vec::new();
    let mut collections = Vec::new();
    for (key, value) in map {
        match (key.as_str(), value) {
            ("exclude", Value::List(items)) => {
                exclude.extend(items.into_iter().filter_map(|item| match item {
                    Value::String(s) => Some(s),
                    _ => None,
                }));
            }
            ("collections", Value::Map(entries)) => {
                for (name, settings) in entries {
                    let output = matches!(&settings, Value::Map(s)
                        if s.iter().any(|(k, v)| k == "output" && *v == Value::Bool(true)));
                    if output {
                        collections.push(name);
                    }
                }
            }
            _ => {}
        }
    }
    (exclude, collections)
}

/// Whether an `mkdocs.yml` turns the macros plugin on (tolerates MkDocs' `!!python` tags).
fn mkdocs_macros(text: &str) -> bool {
    text.lines().any(|line| {
        let item = line.trim().trim_start_matches('-').trim();
        item == "macros" || item.starts_with("macros:")
    })
}

/// How a page's URL is set by a generator's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Url {
    /// The whole alias (`url`, `permalink`, an absolute `slug` or Zola `path`).
    Alias(String),
    /// The last segment of the default alias (`slug`).
    Slug(String),
}

/// What a generator's keys say about one page, beyond drupal-sync's own keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Rules {
    pub url: Option<Located<Url>>,
    /// Docusaurus `id`: the page's name within its folder.
    pub doc_id: Option<Located<String>>,
    /// Why the generator never renders this page (`headless`, `build.render`, `render`).
    pub never: Option<&'static str>,
    /// A section whose `cascade` stops every page below it from being rendered.
    pub cascade_never: bool,
    /// Why the generator does not publish it now (a future publish date, expired,
    /// `published: false`): it becomes a draft.
    pub unpublished: Option<String>,
    /// `heading_ids` of the page.
    pub heading_ids: Option<bool>,
    /// Jekyll `categories`/`category`: the first segments of a post's URL.
    pub categories: Vec<String>,
}

/// Keys every generator flavor knows besides drupal-sync's own.
const HUGO_KEYS: &[&str] = &[
    "linkTitle",
    "menu",
    "menus",
    "params",
    "cascade",
    "build",
    "_build",
    "headless",
    "layout",
    "type",
    "url",
    "slug",
    "outputs",
    "resources",
    "sitemap",
    "markup",
    "translationKey",
    "isCJKLanguage",
    "publishDate",
    "publishdate",
    "pubdate",
    "published",
    "expiryDate",
    "expirydate",
    "unpublishdate",
    "lastmod",
    "modified",
    "images",
    "videos",
    "audio",
    "series",
    "toc",
    "author",
    "authors",
    "weight",
    "description",
    "keywords",
    "summary",
    "date",
    "tags",
    "categories",
    "aliases",
    "draft",
    "title",
];
const JEKYLL_KEYS: &[&str] = &[
    "layout",
    "permalink",
    "published",
    "category",
    "categories",
    "tags",
    "excerpt",
    "excerpt_separator",
    "redirect_from",
    "redirect_to",
    "sitemap",
    "author",
    "authors",
    "image",
    "last_modified_at",
    "lang",
    "date",
    "slug",
    "description",
    "title",
    "nav_order",
    "parent",
    "grand_parent",
    "has_children",
    "nav_exclude",
    "has_toc",
    "seo",
    "render_with_liquid",
];
const ZOLA_KEYS: &[&str] = &[
    "description",
    "date",
    "updated",
    "weight",
    "draft",
    "slug",
    "path",
    "aliases",
    "authors",
    "in_search_index",
    "template",
    "taxonomies",
    "extra",
    "render",
    "redirect_to",
    "insert_anchor_links",
    "sort_by",
    "paginate_by",
    "paginate_path",
    "paginate_reversed",
    "page_template",
    "transparent",
    "generate_feed",
    "generate_feeds",
    "title",
];
const DOCUSAURUS_KEYS: &[&str] = &[
    "id",
    "title",
    "sidebar_label",
    "sidebar_position",
    "sidebar_class_name",
    "sidebar_custom_props",
    "sidebar_key",
    "displayed_sidebar",
    "hide_title",
    "hide_table_of_contents",
    "toc_min_heading_level",
    "toc_max_heading_level",
    "pagination_label",
    "pagination_next",
    "pagination_prev",
    "parse_number_prefixes",
    "custom_edit_url",
    "keywords",
    "description",
    "image",
    "slug",
    "tags",
    "draft",
    "unlisted",
    "last_update",
    "authors",
    "date",
];
const MKDOCS_KEYS: &[&str] = &[
    "title",
    "description",
    "template",
    "hide",
    "search",
    "tags",
    "status",
    "icon",
    "subtitle",
    "authors",
    "date",
    "comments",
    "social",
    "categories",
    "links",
    "readtime",
    "draft",
    "slug",
    "pin",
];

impl Flavor {
    fn keys(self) -> &'static [&'static str] {
        match self {
            Flavor::Hugo => HUGO_KEYS,
            Flavor::Jekyll => JEKYLL_KEYS,
            Flavor::Zola => ZOLA_KEYS,
            Flavor::Docusaurus => DOCUSAURUS_KEYS,
            Flavor::Mkdocs => MKDOCS_KEYS,
            Flavor::Auto | Flavor::Plain => &[],
        }
    }
}

/// Keys drupal-sync reads itself; they pass through to [`super::fields`].
const OWN_KEYS: &[&str] = &[
    "title",
    "path",
    "status",
    "draft",
    "summary",
    "format",
    "id",
    "uuid",
    "aliases",
    "menu",
    "menus",
    "linkTitle",
    "weight",
];

/// Take out of `entries` the keys the generator of `options` defines, reading those that
/// matter for the page at `rel`; what is left (drupal-sync's keys and unknown ones) goes to
/// [`super::fields::extract`].
pub(super) fn interpret(
    entries: Vec<Entry>,
    rel: &str,
    options: &GeneratorOptions,
) -> (Vec<Entry>, Rules, Vec<Problem>) {
    let flavor = options.flavor;
    let mut rules = Rules::default();
    let mut problems = Vec::new();
    let mut rest = Vec::new();
    let mut aliases: Vec<(Value, Pos)> = Vec::new();
    let mut publish: Option<(String, Pos)> = None;
    let mut date: Option<(String, Pos)> = None;
    let mut expiry: Option<(String, Pos)> = None;
    for entry in entries {
        let Entry { key, value, pos } = entry;
        match (flavor, key.as_str()) {
            (_, "heading_ids") => match value {
                Value::Bool(on) => rules.heading_ids = Some(on),
                other => problems.push(Problem::error(
                    pos,
                    format!(
                        "`heading_ids` must be `true` or `false`, found {}",
                        other.kind()
                    ),
                )),
            },
            (Flavor::Auto | Flavor::Plain, _) => rest.push(Entry { key, value, pos }),
            (Flavor::Hugo, "url") | (Flavor::Jekyll, "permalink") => {
                if let Value::String(s) = value {
                    let url = if flavor == Flavor::Jekyll {
                        permalink(&s, rel)
                    } else {
                        Some(s.clone())
                    };
                    match url {
                        Some(url) => rules.url = Some(located(Url::Alias(url), pos)),
                        None => problems.push(Problem::warning(
                            pos,
                            format!("`{key}: {s}` uses placeholders drupal-sync cannot fill; the default alias is used"),
                        )),
                    }
                }
            }
            // Zola's `path` and Hugo's are written without the leading `/`; one with it is
            // drupal-sync's own.
            (Flavor::Zola | Flavor::Hugo, "path") if matches!(&value, Value::String(s) if !s.starts_with('/')) => {
                if let Value::String(s) = value {
                    rules.url = Some(located(Url::Alias(s), pos));
                }
            }
            (
                Flavor::Hugo | Flavor::Jekyll | Flavor::Zola | Flavor::Docusaurus | Flavor::Mkdocs,
                "slug",
            ) => {
                if let Value::String(s) = value {
                    if rules.url.is_none() {
                        let url = if s.starts_with('/') {
                            Url::Alias(s)
                        } else {
                            Url::Slug(s)
                        };
                        rules.url = Some(located(url, pos));
                    }
                }
            }
            (Flavor::Docusaurus, "id") => match value {
                Value::String(s) if !s.trim().is_empty() && !s.contains('/') => {
                    rules.doc_id = Some(located(s, pos));
                }
                Value::Number(n) => rules.doc_id = Some(located(n, pos)),
                _ => problems.push(Problem::error(
                    pos,
                    "Docusaurus `id` must be a name without `/`",
                )),
            },
            (_, "aliases") | (Flavor::Jekyll, "redirect_from") => aliases.push((value, pos)),
            (Flavor::Hugo, "headless") => {
                if value == Value::Bool(true) {
                    rules.never = Some("`headless: true`: Hugo never renders it");
                }
            }
            (Flavor::Hugo, "build" | "_build") => {
                if never_rendered(&value) {
                    rules.never =
                        Some("`build.render` is `never` or `link`: Hugo never writes the page");
                }
            }
            (Flavor::Hugo, "cascade") => rules.cascade_never |= cascade_never(&value),
            (Flavor::Zola, "render") => {
                if value == Value::Bool(false) {
                    rules.never = Some("`render = false`: Zola never renders it");
                }
            }
            (Flavor::Hugo, "publishDate" | "publishdate" | "pubdate")
            | (Flavor::Hugo, "published")
                if date_text(&value).is_some() =>
            {
                publish = date_text(&value).map(|d| (d, pos));
            }
            (Flavor::Hugo, "date") | (Flavor::Jekyll, "date") => {
                date = date_text(&value).map(|d| (d, pos));
            }
            (Flavor::Hugo, "expiryDate" | "expirydate" | "unpublishdate") => {
                expiry = date_text(&value).map(|d| (d, pos));
            }
            (Flavor::Hugo | Flavor::Jekyll, "published") => match value {
                Value::Bool(false) => {
                    rules.unpublished = Some("`published: false`".to_owned());
                }
                Value::Bool(true) | Value::Null => {}
                other => problems.push(Problem::error(
                    pos,
                    format!(
                        "`published` must be `true` or `false`, found {}",
                        other.kind()
                    ),
                )),
            },
            (Flavor::Jekyll, "categories" | "category") => match value {
                Value::String(s) => rules
                    .categories
                    .extend(s.split_whitespace().map(str::to_owned)),
                Value::List(items) => {
                    rules
                        .categories
                        .extend(items.into_iter().filter_map(|v| match v {
                            Value::String(s) => Some(s),
                            _ => None,
                        }));
                }
                _ => {}
            },
            (Flavor::Mkdocs, "status") => match &value {
                // Material for MkDocs' page status (`new`, `deprecated`) is not publishing.
                Value::String(s) if s != "published" && s != "draft" => {}
                _ => rest.push(Entry { key, value, pos }),
            },
            (flavor, k) if OWN_KEYS.contains(&k) => {
                let _ = flavor;
                rest.push(Entry { key, value, pos });
            }
            (flavor, k) if flavor.keys().contains(&k) => {}
            _ => rest.push(Entry { key, value, pos }),
        }
    }
    // Hugo's publish date defaults to `date`; a Jekyll post's date is its publish date.
    let is_post = rel.starts_with("_posts/");
    let publish = publish.or(match flavor {
        Flavor::Hugo => date,
        Flavor::Jekyll if is_post => date,
        _ => None,
    });
    if let Some((when, _)) = publish.filter(|(d, _)| d.as_str() > options.now.as_str()) {
        rules.unpublished = Some(format!("its publish date {when} is in the future"));
    }
    if let Some((when, _)) = expiry.filter(|(d, _)| d.as_str() <= options.now.as_str()) {
        rules.unpublished = Some(format!("it expired on {when}"));
    }
    if !aliases.is_empty() {
        let pos = aliases[0].1;
        let mut list = Vec::new();
        for (value, at) in aliases {
            match value {
                Value::List(items) => list.extend(items),
                Value::String(s) => list.push(Value::String(s)),
                Value::Null => {}
                other => problems.push(Problem::error(
                    at,
                    format!(
                        "`aliases` must be a list of previous aliases, found {}",
                        other.kind()
                    ),
                )),
            }
        }
        let list = list
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Value::String(normalize_alias(&s, rel, flavor)),
                other => other,
            })
            .collect();
        rest.push(Entry {
            key: "aliases".into(),
            value: Value::List(list),
            pos,
        });
    }
    (rest, rules, problems)
}

fn located<T>(value: T, pos: Pos) -> Located<T> {
    Located { value, pos }
}

/// A redirect alias as the generator means it: relative ones (Hugo) are under the page's
/// folder, a trailing `/` and `index.html` are how static sites spell a folder.
pub(super) fn normalize_alias(alias: &str, rel: &str, flavor: Flavor) -> String {
    let alias = alias.trim();
    let mut alias = if alias.starts_with('/') || !flavor.is_generator() {
        alias.to_owned()
    } else {
        let folder = rel.rsplit_once('/').map_or("", |(d, _)| d);
        if folder.is_empty() || flavor != Flavor::Hugo {
            format!("/{alias}")
        } else {
            format!("/{folder}/{alias}")
        }
    };
    for suffix in ["/index.html", "/index.htm"] {
        if alias.len() > suffix.len() && alias.ends_with(suffix) {
            alias.truncate(alias.len() - suffix.len());
        }
    }
    while alias.len() > 1 && alias.ends_with('/') {
        alias.pop();
    }
    alias
}

/// A URL a generator key gives, as a Drupal alias: leading `/`, no trailing `/`, no
/// `index.html`, no `.html` (Drupal pages have no extension).
pub(super) fn normalize_url(url: &str) -> String {
    let mut alias = normalize_alias(url, "", Flavor::Hugo);
    if !alias.starts_with('/') {
        alias.insert(0, '/');
    }
    if let Some(stem) = alias.strip_suffix(".html") {
        alias = stem.to_owned();
    }
    alias
}

/// The URL Jekyll gives a post (`_posts/2024-01-02-hello.md` → `/2024/01/02/hello`, its
/// categories first), with the default `date` permalink style.
pub(super) fn post_url(rel: &str, categories: &[String]) -> Option<String> {
    let name = rel.strip_prefix("_posts/")?.rsplit('/').next()?;
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let date = stem.get(..10)?;
    let slug = stem.get(11..).filter(|s| !s.is_empty())?;
    let parts: Vec<&str> = date.split('-').collect();
    let valid = parts.len() == 3 && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !valid || stem.as_bytes().get(10) != Some(&b'-') {
        return None;
    }
    let mut url = String::new();
    for category in categories {
        url.push('/');
        url.push_str(&category.to_lowercase().replace(' ', "-"));
    }
    Some(format!(
        "{url}/{}/{}/{}/{slug}",
        parts[0], parts[1], parts[2]
    ))
}

/// A Jekyll permalink for the page at `rel`, with the placeholders a page has filled;
/// `None` when it uses one that needs more than the file (`:categories`, dates of pages).
fn permalink(pattern: &str, rel: &str) -> Option<String> {
    if !pattern.contains(':') {
        return Some(pattern.to_owned());
    }
    let (folder, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(at) = rest.find(':') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let fill = match &after[..len] {
            "path" => folder,
            "basename" | "name" | "title" | "slug" => stem,
            "output_ext" => "",
            _ => return None,
        };
        out.push_str(fill);
        rest = &after[len..];
    }
    out.push_str(rest);
    Some(out)
}

fn never_rendered(build: &Value) -> bool {
    let Value::Map(map) = build else {
        return false;
    };
    // `link` pages get a URL for menus but are never written.
    map.iter().any(|(k, v)| {
        k == "render"
            && (matches!(v, Value::Bool(false))
                || matches!(v, Value::String(s) if matches!(s.as_str(), "never" | "false" | "link")))
    })
}

/// Whether a `cascade` (a mapping, or a list of them) stops descendants from rendering;
/// entries aimed at some pages only (`_target`, `target`) are not followed.
fn cascade_never(cascade: &Value) -> bool {
    let one = |value: &Value| {
        let Value::Map(map) = value else {
            return false;
        };
        if map.iter().any(|(k, _)| k == "_target" || k == "target") {
            return false;
        }
        map.iter().any(|(k, v)| {
            (k == "build" || k == "_build") && never_rendered(v)
                || k == "headless" && *v == Value::Bool(true)
        })
    };
    match cascade {
        Value::List(items) => items.iter().any(one),
        other => one(other),
    }
}

/// A date or date-time written in front matter, as `YYYY-MM-DDTHH:MM:SS` for comparing with
/// now (a time zone offset is ignored: a day's precision is what publishing needs).
fn date_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) | Value::Datetime(s) => s.trim(),
        _ => return None,
    };
    let bytes = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        bytes
            .get(r)
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    };
    if !(digits(0..4)
        && bytes.get(4) == Some(&b'-')
        && digits(5..7)
        && bytes.get(7) == Some(&b'-')
        && digits(8..10))
    {
        return None;
    }
    let time = if matches!(bytes.get(10), Some(b'T' | b't' | b' '))
        && digits(11..13)
        && bytes.get(13) == Some(&b':')
        && digits(14..16)
    {
        let seconds = if bytes.get(16) == Some(&b':') && digits(17..19) {
            &text[17..19]
        } else {
            "00"
        };
        format!("{}:{}:{seconds}", &text[11..13], &text[14..16])
    } else {
        "00:00:00".to_owned()
    };
    Some(format!("{}T{time}", &text[..10]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(yaml: &str) -> Vec<Entry> {
        let Value::Map(map) = value::from_yaml(yaml).unwrap() else {
            panic!("{yaml}")
        };
        map.into_iter()
            .enumerate()
            .map(|(i, (key, value))| Entry {
                key,
                value,
                pos: Pos::line(i + 2),
            })
            .collect()
    }

    fn options(flavor: Flavor) -> GeneratorOptions {
        GeneratorOptions {
            flavor,
            now: "2026-06-01T12:00:00".into(),
            ..GeneratorOptions::default()
        }
    }

    fn run(flavor: Flavor, rel: &str, yaml: &str) -> (Vec<String>, Rules, Vec<Problem>) {
        let (rest, rules, problems) = interpret(entries(yaml), rel, &options(flavor));
        (rest.into_iter().map(|e| e.key).collect(), rules, problems)
    }

    #[test]
    fn generator_keys_are_known_and_read() {
        let (rest, rules, problems) = run(
            Flavor::Hugo,
            "docs/a.md",
            "title: A\nlinkTitle: x\nmenu: main\nparams: {a: 1}\nurl: /about/\nlayout: x\nfoo: 1\n",
        );
        // `linkTitle` and `menu` are read by the page's fields (menus, CONTRACT §8).
        assert_eq!(rest, ["title", "linkTitle", "menu", "foo"]);
        assert_eq!(rules.url.unwrap().value, Url::Alias("/about/".into()));
        assert!(problems.is_empty());

        let (rest, rules, _) = run(Flavor::Plain, "a.md", "url: /x\nlinkTitle: y\n");
        assert_eq!(rest, ["url", "linkTitle"]);
        assert_eq!(rules.url, None);

        let (_, rules, _) = run(Flavor::Hugo, "docs/a.md", "slug: nice\n");
        assert_eq!(rules.url.unwrap().value, Url::Slug("nice".into()));
        let (_, rules, _) = run(
            Flavor::Jekyll,
            "docs/a.md",
            "permalink: /:path/:basename/\n",
        );
        assert_eq!(rules.url.unwrap().value, Url::Alias("/docs/a/".into()));
        let (_, rules, problems) = run(Flavor::Jekyll, "a.md", "permalink: /:categories/x\n");
        assert_eq!((rules.url, problems.len()), (None, 1));
        let (_, rules, _) = run(Flavor::Docusaurus, "guide/01-a.md", "id: intro\n");
        assert_eq!(rules.doc_id.unwrap().value, "intro");
        let (rest, _, _) = run(Flavor::Mkdocs, "a.md", "status: new\n");
        assert!(rest.is_empty());
        let (rest, _, _) = run(Flavor::Mkdocs, "a.md", "status: draft\n");
        assert_eq!(rest, ["status"]);
    }

    #[test]
    fn pages_never_rendered_or_not_yet_published() {
        for (flavor, yaml, never, unpublished) in [
            (Flavor::Hugo, "headless: true\n", true, None),
            (Flavor::Hugo, "build: {render: never}\n", true, None),
            (Flavor::Hugo, "_build: {render: false}\n", true, None),
            (Flavor::Hugo, "build: {render: always}\n", false, None),
            (Flavor::Hugo, "_build: {render: link}\n", true, None),
            (Flavor::Zola, "render: false\n", true, None),
            (
                Flavor::Hugo,
                "publishDate: 2027-01-01\n",
                false,
                Some("in the future"),
            ),
            (
                Flavor::Hugo,
                "date: 2027-01-01T10:00:00Z\n",
                false,
                Some("in the future"),
            ),
            (Flavor::Hugo, "date: 2020-01-01\n", false, None),
            (
                Flavor::Hugo,
                "expiryDate: 2026-05-31\n",
                false,
                Some("expired"),
            ),
            (Flavor::Hugo, "expiryDate: 2026-06-02\n", false, None),
            (
                Flavor::Jekyll,
                "published: false\n",
                false,
                Some("published: false"),
            ),
            (Flavor::Jekyll, "date: 2027-01-01\n", false, None),
        ] {
            let (_, rules, problems) = run(flavor, "a.md", yaml);
            assert!(problems.is_empty(), "{yaml}");
            assert_eq!(rules.never.is_some(), never, "{yaml}");
            match unpublished {
                Some(needle) => assert!(
                    rules
                        .unpublished
                        .as_deref()
                        .unwrap_or_default()
                        .contains(needle),
                    "{yaml}: {rules:?}"
                ),
                None => assert_eq!(rules.unpublished, None, "{yaml}"),
            }
        }
        let (_, rules, _) = run(
            Flavor::Jekyll,
            "_posts/2027-01-01-x.md",
            "date: 2027-01-01\n",
        );
        assert!(rules.unpublished.is_some());
        for (yaml, never) in [
            ("cascade: {build: {render: never}}\n", true),
            ("cascade: [{build: {render: never}}]\n", true),
            (
                "cascade: [{_target: {path: /x}, build: {render: never}}]\n",
                false,
            ),
            ("cascade: {params: {a: 1}}\n", false),
        ] {
            assert_eq!(
                run(Flavor::Hugo, "s/_index.md", yaml).1.cascade_never,
                never,
                "{yaml}"
            );
        }
    }

    #[test]
    fn aliases_are_normalised() {
        for (alias, rel, flavor, want) in [
            ("/about-hugo/", "a.md", Flavor::Hugo, "/about-hugo"),
            ("old.html", "docs/a.md", Flavor::Hugo, "/docs/old.html"),
            ("old/", "a.md", Flavor::Hugo, "/old"),
            ("/x/index.html", "a.md", Flavor::Zola, "/x"),
            ("/plain/", "a.md", Flavor::Plain, "/plain"),
            ("plain", "a.md", Flavor::Plain, "plain"),
        ] {
            assert_eq!(normalize_alias(alias, rel, flavor), want, "{alias}");
        }
        assert_eq!(normalize_url("docs/x.html"), "/docs/x");
        assert_eq!(
            post_url("_posts/2024-01-02-hello.md", &[]).as_deref(),
            Some("/2024/01/02/hello")
        );
        assert_eq!(
            post_url("_posts/2024-01-02-hello.md", &["News".into()]).as_deref(),
            Some("/news/2024/01/02/hello")
        );
        assert_eq!(post_url("_posts/notes.md", &[]), None);
        assert_eq!(post_url("about.md", &[]), None);
        assert_eq!(normalize_url("/docs/x/"), "/docs/x");
        let (rest, _, _) = run(Flavor::Jekyll, "a.md", "redirect_from: [/old/, /older]\n");
        assert_eq!(rest, ["aliases"]);
    }

    #[test]
    fn skipped_paths() {
        let mut jekyll = options(Flavor::Jekyll);
        jekyll.collections = vec!["docs".into()];
        jekyll.exclude = vec!["README.md".into(), "scripts".into(), "*.txt.md".into()];
        for (rel, name, last, skipped) in [
            ("_includes", "_includes", false, true),
            ("_posts", "_posts", false, false),
            ("_docs", "_docs", false, false),
            ("_config.yml", "_config.yml", true, true),
            ("data.yml", "data.yml", true, true),
            ("README.md", "README.md", true, true),
            ("scripts", "scripts", false, true),
            ("a.txt.md", "a.txt.md", true, true),
            ("node_modules", "node_modules", false, false),
            ("about.md", "about.md", true, false),
        ] {
            assert_eq!(jekyll.skips(rel, name, last).is_some(), skipped, "{rel}");
        }
        let docusaurus = options(Flavor::Docusaurus);
        assert!(docusaurus
            .skips("_partial.md", "_partial.md", true)
            .is_some());
        assert!(docusaurus.skips("a.md", "a.md", true).is_none());
        let plain = options(Flavor::Plain);
        assert!(plain.skips("a.yml", "a.yml", true).is_none());
    }

    #[test]
    fn detection() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(root.join("content/docs")).unwrap();
        std::fs::create_dir_all(root.join("website")).unwrap();
        assert_eq!(detect(&root.join("content")), None);
        for (file, text, flavor) in [
            ("mkdocs.yml", "site_name: x\n", Flavor::Mkdocs),
            ("docusaurus.config.ts", "", Flavor::Docusaurus),
            ("website/docusaurus.config.js", "", Flavor::Docusaurus),
            ("_config.yml", "title: x\n", Flavor::Jekyll),
            ("config.toml", "base_url = \"x\"\n", Flavor::Zola),
            ("config.yaml", "baseURL: x\n", Flavor::Hugo),
            ("hugo.toml", "", Flavor::Hugo),
        ] {
            std::fs::write(root.join(file), text).unwrap();
            let (found, path) = detect(&root.join("content/docs")).unwrap();
            assert_eq!((found, path), (flavor, root.join(file)), "{file}");
            std::fs::remove_file(root.join(file)).unwrap();
        }
        // The nearest folder wins.
        std::fs::write(root.join("mkdocs.yml"), "").unwrap();
        std::fs::write(root.join("content/hugo.toml"), "").unwrap();
        assert_eq!(detect(&root.join("content/docs")).unwrap().0, Flavor::Hugo);
        assert!(mkdocs_macros("plugins:\n  - search\n  - macros\n"));
        assert_eq!(
            hugo_params(
                "title: x\nparams:\n  vers: {Core: v1.2}\n  on: true\n",
                false
            ),
            [
                ("vers.core".to_owned(), "v1.2".to_owned()),
                ("on".to_owned(), "true".to_owned())
            ]
        );
        assert_eq!(
            hugo_params("[params]\nrepo = \"r\"\n", true),
            [("repo".to_owned(), "r".to_owned())]
        );
        assert_eq!(
            site_title("a: 1\ntitle: Docs\n  title: no\n").as_deref(),
            Some("Docs")
        );
        assert_eq!(site_title("site_name = \"X\"\n").as_deref(), Some("X"));
        for (rel, want) in [
            ("advanced/resource-limits.md", "Resource limits"),
            ("guide/_index.md", "Guide"),
            ("index.md", "Site"),
            ("README.md", "Site"),
        ] {
            assert_eq!(fallback_title(rel, Some("Site")), want);
        }
        assert!(!mkdocs_macros("plugins:\n  - search\n"));
        let (exclude, collections) = jekyll_config(
            "exclude: [vendor, x.md]\ncollections:\n  docs:\n    output: true\n  hidden: {}\n",
        );
        assert_eq!(exclude, ["vendor", "x.md"]);
        assert_eq!(collections, ["docs"]);
    }
}
