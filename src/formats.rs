//! Drupal text formats: what each one keeps of a body's HTML, and what visitors then see
//! (drupal-wire §9). Owns the standard profile's rules (`basic_html`, `restricted_html`,
//! `full_html`, `plain_text`), reading a site's own rules from
//! `GET /jsonapi/filter_format/filter_format`, the per-page warnings of a plan ([`check`]),
//! the rendering adjustments that lose nothing ([`adapt`]) and the check of a write's
//! `processed` against the value sent ([`check_written`]).
//!
//! It does not filter: the sandbox's `filter` module applies these rules the way Drupal does.

pub mod html;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use html::Token;

use crate::page::{Page, RemotePage};

/// The filters of a text format that change what visitors see, in Drupal's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// `filter_html_escape`: all markup is shown as text.
    pub escape: bool,
    /// `filter_html`: only these elements and attributes are kept.
    pub html: Option<AllowedHtml>,
    /// `filter_autop`: line breaks become `<br>` and `<p>`.
    pub autop: bool,
    /// `filter_url`: URLs in text become links (the display length).
    pub url: Option<usize>,
    /// `filter_align`: `data-align` becomes a class.
    pub align: bool,
    /// `filter_caption`: `data-caption` becomes a `<figure>` (not modelled by the sandbox).
    pub caption: bool,
    /// `editor_file_reference`: file images get their URL and size (not modelled by the sandbox).
    pub file_reference: bool,
    /// `filter_html_image_secure`: images not on the site are replaced by an icon.
    pub image_secure: bool,
    /// `filter_htmlcorrector`: the markup is parsed and written back.
    pub corrector: bool,
    /// `filter_image_lazy_load`: images with a size get `loading="lazy"`.
    pub lazy_load: bool,
}

/// A text format and its filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFormat {
    /// Machine name (`basic_html`).
    pub name: String,
    pub filters: Filters,
}

/// `filter_html`'s "allowed HTML": element → allowed attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedHtml {
    /// In the order written, as Drupal shows it back.
    elements: Vec<(String, Vec<AttrRule>)>,
}

/// An allowed attribute: a name (`data-*` allows a prefix) and, optionally, its only values.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AttrRule {
    name: String,
    values: Option<Vec<String>>,
}

/// The standard profile's `basic_html` (drupal-wire 5c).
pub const BASIC_HTML: &str = "<br> <p> <h2 id> <h3 id> <h4 id> <h5 id> <h6 id> <cite> <dl> <dt> <dd> <a hreflang href> <blockquote cite> <ul type> <ol start type> <strong> <em> <code> <li> <img src alt data-entity-uuid data-entity-type height width data-caption data-align>";
/// The standard profile's `restricted_html` (drupal-wire 5c).
pub const RESTRICTED_HTML: &str = "<a href hreflang> <em> <strong> <cite> <blockquote cite> <code> <ul type> <ol start type> <li> <dl> <dt> <dd> <h2 id> <h3 id> <h4 id> <h5 id> <h6 id>";

impl AllowedHtml {
    /// Parse Drupal's notation: `<a href hreflang> <ol start type="1 A"> <img data-*>`.
    pub fn parse(text: &str) -> AllowedHtml {
        let mut elements: Vec<(String, Vec<AttrRule>)> = Vec::new();
        for (token, _) in html::tokenize(text) {
            if let Token::Start(tag) = token {
                let rules = tag
                    .attrs
                    .into_iter()
                    .map(|a| AttrRule {
                        name: a.name,
                        values: (!a.value.trim().is_empty())
                            .then(|| a.value.split_whitespace().map(str::to_owned).collect()),
                    })
                    .collect();
                elements.retain(|(name, _)| *name != tag.name);
                elements.push((tag.name, rules));
            }
        }
        AllowedHtml { elements }
    }

    /// Whether elements named `name` are kept.
    pub fn allows(&self, name: &str) -> bool {
        self.elements.iter().any(|(n, _)| n == name)
    }

    /// Whether attribute `attr` with `value` is kept on element `element`. `lang` and `dir`
    /// (`ltr`/`rtl`) are allowed everywhere, as in Drupal; `style` and `on*` nowhere.
    pub fn allows_attr(&self, element: &str, attr: &str, value: &str) -> bool {
        if attr == "style" || attr.starts_with("on") {
            return false;
        }
        if attr == "lang" {
            return true;
        }
        if attr == "dir" && matches!(value.to_ascii_lowercase().as_str(), "ltr" | "rtl") {
            return true;
        }
        let Some((_, rules)) = self.elements.iter().find(|(n, _)| n == element) else {
            return false;
        };
        rules.iter().any(|rule| {
            let named = match rule.name.strip_suffix('*') {
                Some(prefix) if !prefix.is_empty() => attr.starts_with(prefix),
                _ => rule.name == attr,
            };
            named
                && rule
                    .values
                    .as_ref()
                    .is_none_or(|values| values.iter().any(|v| v == value))
        })
    }
}

impl TextFormat {
    /// The standard profile's format named `name`, as drupal-wire 5c records it.
    pub fn standard(name: &str) -> Option<TextFormat> {
        static STANDARD: LazyLock<Vec<TextFormat>> = LazyLock::new(|| {
            ["basic_html", "restricted_html", "full_html", "plain_text"]
                .iter()
                .filter_map(|name| TextFormat::build_standard(name))
                .collect()
        });
        STANDARD.iter().find(|f| f.name == name).cloned()
    }

    fn build_standard(name: &str) -> Option<TextFormat> {
        let filters = match name {
            "basic_html" => Filters {
                html: Some(AllowedHtml::parse(BASIC_HTML)),
                align: true,
                caption: true,
                file_reference: true,
                image_secure: true,
                lazy_load: true,
                ..Filters::default()
            },
            "restricted_html" => Filters {
                html: Some(AllowedHtml::parse(RESTRICTED_HTML)),
                autop: true,
                url: Some(72),
                ..Filters::default()
            },
            "full_html" => Filters {
                align: true,
                caption: true,
                file_reference: true,
                corrector: true,
                lazy_load: true,
                ..Filters::default()
            },
            "plain_text" => Filters {
                escape: true,
                autop: true,
                url: Some(72),
                ..Filters::default()
            },
            _ => return None,
        };
        Some(TextFormat {
            name: name.into(),
            filters,
        })
    }

    /// A site's own format from its allowed HTML, filtered like `basic_html` otherwise.
    pub fn custom(name: &str, allowed_html: &str) -> TextFormat {
        let mut filters = TextFormat::standard("basic_html")
            .expect("standard format")
            .filters;
        filters.html = Some(AllowedHtml::parse(allowed_html));
        TextFormat {
            name: name.into(),
            filters,
        }
    }

    /// Whether this format keeps elements named `name` (as markup, not as text).
    pub fn keeps(&self, name: &str) -> bool {
        !self.filters.escape && self.filters.html.as_ref().is_none_or(|h| h.allows(name))
    }

    /// The formats of a `GET /jsonapi/filter_format/filter_format` document; an account
    /// without "administer filters" gets none (drupal-wire 5d).
    pub fn from_jsonapi(document: &Value) -> Vec<TextFormat> {
        let Some(data) = document.get("data").and_then(Value::as_array) else {
            return Vec::new();
        };
        data.iter()
            .filter_map(|resource| {
                let a = resource.get("attributes")?;
                let name = a.get("drupal_internal__format")?.as_str()?;
                let filters = a.get("filters")?.as_object()?;
                let on = |id: &str| {
                    filters
                        .get(id)
                        .is_some_and(|f| f.get("status").and_then(Value::as_bool) != Some(false))
                };
                let html = on("filter_html").then(|| {
                    AllowedHtml::parse(
                        filters["filter_html"]
                            .pointer("/settings/allowed_html")
                            .and_then(Value::as_str)
                            .unwrap_or_default(),
                    )
                });
                let url = on("filter_url").then(|| {
                    filters["filter_url"]
                        .pointer("/settings/filter_url_length")
                        .and_then(Value::as_u64)
                        .map_or(72, |n| usize::try_from(n).unwrap_or(72))
                });
                Some(TextFormat {
                    name: name.to_owned(),
                    filters: Filters {
                        escape: on("filter_html_escape"),
                        html,
                        autop: on("filter_autop"),
                        url,
                        align: on("filter_align"),
                        caption: on("filter_caption"),
                        file_reference: on("editor_file_reference"),
                        image_secure: on("filter_html_image_secure"),
                        corrector: on("filter_htmlcorrector"),
                        lazy_load: on("filter_image_lazy_load"),
                    },
                })
            })
            .collect()
    }

    /// The `GET /jsonapi/filter_format/filter_format` resource of this format.
    pub fn to_jsonapi(&self, base: &str, uuid: &str, weight: i64) -> Value {
        let mut filters = serde_json::Map::new();
        let mut add = |id: &str, weight: i64, settings: Value| {
            let provider = if id.starts_with("editor_") {
                "editor"
            } else {
                "filter"
            };
            filters.insert(
                id.into(),
                serde_json::json!({"id": id, "provider": provider, "status": true, "weight": weight, "settings": settings}),
            );
        };
        let f = &self.filters;
        if f.escape {
            add("filter_html_escape", -10, serde_json::json!([]));
        }
        if let Some(allowed) = &f.html {
            add(
                "filter_html",
                -10,
                // The standard profile shows the "allowed HTML" help under restricted_html only.
                serde_json::json!({"allowed_html": allowed.to_string(), "filter_html_help": self.name == "restricted_html", "filter_html_nofollow": false}),
            );
        }
        if f.autop {
            add("filter_autop", 0, serde_json::json!([]));
        }
        if let Some(length) = f.url {
            add(
                "filter_url",
                0,
                serde_json::json!({ "filter_url_length": length }),
            );
        }
        if f.align {
            add("filter_align", 7, serde_json::json!([]));
        }
        if f.caption {
            add("filter_caption", 8, serde_json::json!([]));
        }
        if f.image_secure {
            add("filter_html_image_secure", 9, serde_json::json!([]));
        }
        if f.file_reference {
            add("editor_file_reference", 11, serde_json::json!([]));
        }
        if f.corrector {
            add("filter_htmlcorrector", 10, serde_json::json!([]));
        }
        if f.lazy_load {
            add("filter_image_lazy_load", 15, serde_json::json!([]));
        }
        serde_json::json!({
            "type": "filter_format--filter_format",
            "id": uuid,
            "links": {"self": {"href": format!("{base}/jsonapi/filter_format/filter_format/{uuid}")}},
            "attributes": {
                "langcode": "en",
                "status": true,
                "dependencies": if f.file_reference { serde_json::json!({"module": ["editor"]}) } else { serde_json::json!([]) },
                "name": human_name(&self.name),
                "drupal_internal__format": self.name,
                "weight": weight,
                "filters": filters,
            }
        })
    }
}

fn human_name(machine: &str) -> String {
    match machine {
        "basic_html" => "Basic HTML".into(),
        "full_html" => "Full HTML".into(),
        "plain_text" => "Plain text".into(),
        "restricted_html" => "Restricted HTML".into(),
        other => other.replace('_', " "),
    }
}

impl fmt::Display for AllowedHtml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (element, rules) in &self.elements {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            write!(f, "<{element}")?;
            for rule in rules {
                write!(f, " {}", rule.name)?;
                if let Some(values) = &rule.values {
                    write!(f, "=\"{}\"", values.join(" "))?;
                }
            }
            f.write_str(">")?;
        }
        Ok(())
    }
}

/// The text formats a command knows: the standard ones, and a site's own once read.
#[derive(Debug, Clone, Default)]
pub struct Formats {
    /// The site's own rules, when read (an account without "administer filters" reads none).
    site: Vec<TextFormat>,
}

impl Formats {
    /// The built-in rules only.
    pub fn builtin() -> Formats {
        Formats::default()
    }

    /// Add what the site says its formats are (they win over the built-in rules).
    pub fn with_site(mut self, formats: Vec<TextFormat>) -> Formats {
        self.site = formats;
        self
    }

    /// The rules of format `name`, when known.
    pub fn get(&self, name: &str) -> Option<TextFormat> {
        self.site
            .iter()
            .find(|f| f.name == name)
            .cloned()
            .or_else(|| TextFormat::standard(name))
    }
}

/// What a text format does to one page's body, for visitors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormatWarning {
    /// The page's source file (`content/guide.md`).
    pub source: String,
    /// Line of the page in its file.
    #[serde(default)]
    pub line: usize,
    /// The page's key.
    pub key: String,
    /// The text format.
    pub format: String,
    /// Elements the format removes, with how many of each.
    pub dropped: Vec<Dropped>,
    /// Images not on the site the format replaces by an "Image removed" icon.
    #[serde(default)]
    pub remote_images: usize,
    /// The format shows markup as text (`plain_text`).
    #[serde(default)]
    pub escaped: bool,
}

/// One element a format drops.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    pub element: String,
    pub count: usize,
}

impl FormatWarning {
    /// The sentence after the file name: what is dropped, what visitors see, what to do.
    pub fn message(&self) -> String {
        let mut parts = Vec::new();
        let mut effects: Vec<&str> = Vec::new();
        if self.escaped {
            parts.push(format!("{} shows the HTML as text", self.format));
            effects.push("visitors see the tags as written");
        }
        if !self.dropped.is_empty() {
            let list: Vec<String> = self
                .dropped
                .iter()
                .map(|d| format!("<{}> ({})", d.element, d.count))
                .collect();
            parts.push(format!("{} drops {}", self.format, list.join(", ")));
            for d in &self.dropped {
                let effect = effect(&d.element);
                if !effects.contains(&effect) {
                    effects.push(effect);
                }
            }
        }
        if self.remote_images > 0 {
            let lead = if parts.is_empty() {
                format!("{} replaces", self.format)
            } else {
                "replaces".into()
            };
            parts.push(format!(
                "{lead} {} image{} not on the site",
                self.remote_images,
                crate::report::plural(self.remote_images)
            ));
            effects.push("visitors see an \"Image removed\" icon instead");
        }
        let hint = if self.remote_images > 0 && self.dropped.is_empty() && !self.escaped {
            "put the image under the content directory, or use format: full_html"
        } else {
            "use format: full_html or a format that allows them"
        };
        format!("{}: {}; {hint}", parts.join(" and "), effects.join(", "))
    }
}

impl fmt::Display for FormatWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.message())
    }
}

/// What visitors see when `element` is dropped.
fn effect(element: &str) -> &'static str {
    match element {
        "table" | "thead" | "tbody" | "tfoot" | "tr" | "th" | "td" | "caption" => {
            "visitors see the table as loose text"
        }
        "pre" => "code blocks lose their layout",
        "del" | "s" | "strike" => "struck-out text reads as if it stood",
        "hr" => "horizontal rules vanish",
        "h1" => "the heading reads as plain text",
        "sup" | "sub" => "footnote markers run into the text",
        "input" => "task-list boxes vanish",
        "img" => "images vanish",
        "iframe" | "video" | "audio" | "object" | "embed" => "embedded media vanish",
        _ => "the markup is removed and only its text stays",
    }
}

/// Elements that hold a table's parts: reported as `<table>` alone when it is dropped too.
const TABLE_PARTS: &[&str] = &[
    "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
];

/// Where the site lives, to tell its own images from other sites'.
#[derive(Debug, Clone, Default)]
pub struct SiteOrigin {
    /// `https://www.example.com` (scheme, host and port), when known.
    pub origin: Option<String>,
}

impl SiteOrigin {
    /// The origin of `url`.
    pub fn of(url: &url::Url) -> SiteOrigin {
        SiteOrigin {
            origin: Some(url.origin().ascii_serialization()),
        }
    }

    /// Whether `filter_html_image_secure` keeps an image at `src`: a root-relative path, or
    /// an absolute URL on the site itself. A relative path (`img/a.png`) is not kept: Drupal
    /// checks that the path starts with the site's base path.
    pub fn is_local(&self, src: &str) -> bool {
        let src = src.trim();
        // A local file not uploaded yet: it will be served by the site itself.
        if (src.starts_with('/') && !src.starts_with("//")) || src.starts_with(crate::files::TOKEN)
        {
            return true;
        }
        url::Url::parse(src).is_ok_and(|url| {
            self.origin
                .as_deref()
                .is_some_and(|o| url.origin().ascii_serialization() == o)
        })
    }
}

/// What `format` does to `body` (rendered HTML): `None` when visitors see it all.
pub fn check(body: &str, format: &TextFormat, site: &SiteOrigin) -> Option<Verdict> {
    let f = &format.filters;
    let mut verdict = Verdict::default();
    if f.escape {
        verdict.escaped = html::tokenize(body)
            .iter()
            .any(|(t, _)| matches!(t, Token::Start(_) | Token::End(_)));
    }
    let mut dropped: BTreeMap<String, usize> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (token, _) in html::tokenize(body) {
        let Token::Start(tag) = token else { continue };
        if let Some(allowed) = f.html.as_ref().filter(|_| !f.escape) {
            if !allowed.allows(&tag.name) {
                if !dropped.contains_key(&tag.name) {
                    order.push(tag.name.clone());
                }
                *dropped.entry(tag.name.clone()).or_default() += 1;
                continue;
            }
        }
        if tag.name == "img" && f.image_secure && !f.escape {
            let src = tag.attr("src").unwrap_or_default();
            if !site.is_local(src) {
                verdict.remote_images += 1;
            }
        }
    }
    let table_dropped = dropped.contains_key("table");
    verdict.dropped = order
        .into_iter()
        .filter(|name| !(table_dropped && TABLE_PARTS.contains(&name.as_str())))
        .map(|name| Dropped {
            count: dropped[&name],
            element: name,
        })
        .collect();
    (verdict.escaped || !verdict.dropped.is_empty() || verdict.remote_images > 0).then_some(verdict)
}

/// The findings of [`check`] for one body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    pub dropped: Vec<Dropped>,
    pub remote_images: usize,
    pub escaped: bool,
}

impl Verdict {
    /// The warning for the page at `source`.
    pub fn warning(self, source: &str, line: usize, key: &str, format: &str) -> FormatWarning {
        FormatWarning {
            source: source.into(),
            line,
            key: key.into(),
            format: format.into(),
            dropped: self.dropped,
            remote_images: self.remote_images,
            escaped: self.escaped,
        }
    }
}

/// Whether any element of `body` lies outside what the standard formats describe, so the
/// site's own rules are worth reading (or `format` is not a standard one).
pub fn needs_site_rules(body: &str, format: &str) -> bool {
    match TextFormat::standard(format) {
        None => !body.trim().is_empty(),
        Some(f) => check(body, &f, &SiteOrigin::default()).is_some_and(|v| !v.dropped.is_empty()),
    }
}

/// The warnings of `pages` under `formats`: one per page whose format drops something
/// visitors would see. Pages in a format no rule is known for are not judged.
pub fn warnings(pages: &[Page], formats: &Formats, site: &SiteOrigin) -> Vec<FormatWarning> {
    // Each page's HTML is read on its own: on every core, as content loading does.
    crate::content::parallel_map(pages.iter().collect(), |page| {
        let format = formats.get(&page.format)?;
        let verdict = check(&page.body, &format, site)?;
        Some(verdict.warning(&page.source.path, page.source.line, &page.key, &page.format))
    })
    .into_iter()
    .flatten()
    .collect()
}

/// Whether the site's own rules could change a warning: some page uses a format that is not
/// a standard one, or an element a standard format drops (a site may allow more).
pub fn pages_need_site_rules(pages: &[Page]) -> bool {
    crate::content::parallel_map(pages.iter().collect(), |page| {
        needs_site_rules(&page.body, &page.format)
    })
    .into_iter()
    .any(|needs| needs)
}

/// The warning for a write whose answer's `processed` lost markup the page sent.
pub fn check_write(page: &Page, written: &RemotePage) -> Option<FormatWarning> {
    let processed = written.processed.as_deref()?;
    let verdict = check_written(&page.body, processed)?;
    Some(verdict.warning(&page.source.path, page.source.line, &page.key, &page.format))
}

/// What a write's answer shows was lost: elements of the value sent that `processed` no
/// longer has (counted per element name), and images replaced by Drupal's icon.
pub fn check_written(sent: &str, processed: &str) -> Option<Verdict> {
    let count = |html: &str| {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let mut order = Vec::new();
        let mut removed_images = 0;
        for (token, _) in html::tokenize(html) {
            if let Token::Start(tag) = token {
                if tag.name == "img"
                    && tag
                        .attr("class")
                        .is_some_and(|c| c.contains("filter-image-invalid"))
                {
                    removed_images += 1;
                }
                if !counts.contains_key(&tag.name) {
                    order.push(tag.name.clone());
                }
                *counts.entry(tag.name).or_default() += 1;
            }
        }
        (counts, order, removed_images)
    };
    let (before, order, _) = count(sent);
    let (after, _, removed_images) = count(processed);
    // plain_text: the markup came back as text.
    let escaped = !before.is_empty()
        && after.keys().all(|k| matches!(k.as_str(), "p" | "br" | "a"))
        && processed.contains("&lt;");
    let mut lost: Vec<Dropped> = order
        .into_iter()
        .filter_map(|name| {
            let gone = before[&name].saturating_sub(after.get(&name).copied().unwrap_or(0));
            (gone > 0).then_some(Dropped {
                element: name,
                count: gone,
            })
        })
        .collect();
    if lost.iter().any(|d| d.element == "table") {
        lost.retain(|d| !TABLE_PARTS.contains(&d.element.as_str()));
    }
    if escaped {
        lost.clear();
    }
    (escaped || !lost.is_empty() || removed_images > 0).then_some(Verdict {
        dropped: lost,
        remote_images: removed_images,
        escaped,
    })
}

/// Adjust HTML rendered from Markdown to `format` where that loses nothing: headings move
/// down a level when the body has an `<h1>` (the title is the page's H1); strikethrough
/// uses `<s>` when only that is allowed; task-list boxes become ☐/☑ and footnote markers
/// `[1]` when the format drops `<input>` and `<sup>`. Unknown formats get the heading shift only.
pub fn adapt(body: &str, format: Option<&TextFormat>) -> String {
    let tokens = html::tokenize(body);
    let shift = tokens
        .iter()
        .any(|(t, _)| matches!(t, Token::Start(tag) if tag.name == "h1"));
    let keeps = |name: &str| format.is_none_or(|f| f.keeps(name));
    let del_to_s = !keeps("del") && keeps("s");
    let boxes = !keeps("input");
    let footnotes = !keeps("sup") || !keeps("div");
    if !(shift || del_to_s || boxes || footnotes) {
        return body.to_owned();
    }
    let mut out = String::with_capacity(body.len());
    // Inside a footnote definition: the depth of its `<div>`, and the label not yet written.
    let mut definition: Option<usize> = None;
    let mut depth = 0usize;
    let mut pending_label: Option<String> = None;
    let mut skip_until_end_sup = false;
    let mut i = 0;
    while i < tokens.len() {
        let (token, range) = &tokens[i];
        let raw = &body[range.clone()];
        i += 1;
        if skip_until_end_sup {
            if matches!(token, Token::End(n) if n == "sup") {
                skip_until_end_sup = false;
            }
            continue;
        }
        match token {
            Token::Start(tag) => {
                let name = tag.name.as_str();
                if !html::VOID.contains(&name) {
                    depth += 1;
                }
                if shift && is_heading(name) {
                    out.push_str(&rename_tag(raw, name, &shifted(name)));
                } else if del_to_s && name == "del" {
                    out.push_str(&rename_tag(raw, name, "s"));
                } else if boxes && name == "input" && tag.attr("type") == Some("checkbox") {
                    out.push(if tag.attr("checked").is_some() {
                        '☑'
                    } else {
                        '☐'
                    });
                } else if footnotes
                    && name == "sup"
                    && tag.attr("class") == Some("footnote-reference")
                {
                    // `<sup class="footnote-reference"><a href="#l">1</a></sup>` → `[1]`
                    let number = footnote_number(&tokens[i..]);
                    out.push_str(&format!("[{number}]"));
                    skip_until_end_sup = true;
                    depth -= 1;
                } else if footnotes
                    && name == "div"
                    && tag.attr("class") == Some("footnote-definition")
                {
                    definition = Some(depth);
                    // `<sup class="footnote-definition-label">1</sup>` follows.
                    if let Some((Token::Start(sup), _)) = tokens.get(i) {
                        if sup.name == "sup" {
                            pending_label = Some(footnote_number(&tokens[i + 1..]));
                            while i < tokens.len()
                                && !matches!(&tokens[i].0, Token::End(n) if n == "sup")
                            {
                                i += 1;
                            }
                            i += 1;
                        }
                    }
                } else if pending_label.is_some() && name == "p" {
                    out.push_str(raw);
                    out.push_str(&format!("[{}] ", pending_label.take().unwrap_or_default()));
                } else {
                    if let Some(label) = pending_label.take() {
                        out.push_str(&format!("<p>[{label}]</p>\n"));
                    }
                    out.push_str(raw);
                }
            }
            Token::End(name) => {
                if definition == Some(depth) && name == "div" {
                    definition = None;
                    depth = depth.saturating_sub(1);
                    continue;
                }
                depth = depth.saturating_sub(1);
                if shift && is_heading(name) {
                    out.push_str(&format!("</{}>", shifted(name)));
                } else if del_to_s && name == "del" {
                    out.push_str("</s>");
                } else {
                    out.push_str(raw);
                }
            }
            Token::Text(text) if pending_label.is_some() && text.trim().is_empty() => {}
            _ => out.push_str(raw),
        }
    }
    out
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

fn shifted(name: &str) -> String {
    let level: u8 = name[1..].parse().unwrap_or(6);
    format!("h{}", (level + 1).min(6))
}

/// `<h1 id="x">` → `<h2 id="x">`: only the name changes.
fn rename_tag(raw: &str, from: &str, to: &str) -> String {
    format!("<{to}{}", &raw[1 + from.len()..])
}

/// The first text ahead, as written (a footnote's number).
fn footnote_number(tokens: &[(Token<'_>, std::ops::Range<usize>)]) -> String {
    tokens
        .iter()
        .find_map(|(t, _)| match t {
            Token::Text(text) => Some((*text).to_owned()),
            _ => None,
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The HTML of drupal-wire 5e/5f.
    const RICH: &str = "<h2>Table</h2>\n<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n<pre><code class=\"language-rust\">fn main() {}\n</code></pre>\n<p><del>old</del> new</p>\n<hr />\n<ul>\n<li><input disabled=\"\" type=\"checkbox\" checked=\"\"/>\ndone</li>\n</ul>\n<p>note<sup class=\"footnote-reference\"><a href=\"#1\">1</a></sup></p>\n<h1>Top</h1>\n<img src=\"https://example.com/x.png\" alt=\"remote\">";

    fn format(name: &str) -> TextFormat {
        TextFormat::standard(name).unwrap()
    }

    #[test]
    fn basic_html_drops_what_5e_lost() {
        let verdict = check(RICH, &format("basic_html"), &SiteOrigin::default()).unwrap();
        let names: Vec<&str> = verdict.dropped.iter().map(|d| d.element.as_str()).collect();
        assert_eq!(names, ["table", "pre", "del", "hr", "input", "sup", "h1"]);
        assert_eq!(verdict.remote_images, 1);
        let warning = verdict.warning("content/guide.md", 1, "guide", "basic_html");
        assert_eq!(
            warning.to_string(),
            "content/guide.md: basic_html drops <table> (1), <pre> (1), <del> (1), <hr> (1), <input> (1), <sup> (1), <h1> (1) and replaces 1 image not on the site: visitors see the table as loose text, code blocks lose their layout, struck-out text reads as if it stood, horizontal rules vanish, task-list boxes vanish, footnote markers run into the text, the heading reads as plain text, visitors see an \"Image removed\" icon instead; use format: full_html or a format that allows them"
        );
    }

    #[test]
    fn full_html_keeps_everything() {
        assert_eq!(
            check(RICH, &format("full_html"), &SiteOrigin::default()),
            None
        );
    }

    #[test]
    fn plain_text_shows_markup() {
        let verdict = check("<p>x</p>", &format("plain_text"), &SiteOrigin::default()).unwrap();
        assert!(verdict.escaped);
        assert_eq!(
            check("just text", &format("plain_text"), &SiteOrigin::default()),
            None
        );
    }

    #[test]
    fn local_images_are_kept() {
        let site = SiteOrigin::of(&url::Url::parse("https://www.example.com/").unwrap());
        for src in [
            "/sites/default/files/x.png",
            "https://www.example.com/x.png",
        ] {
            let html = format!("<p><img src=\"{src}\" alt=\"\"></p>");
            assert_eq!(check(&html, &format("basic_html"), &site), None, "{src}");
        }
        for src in [
            "https://cdn.example.net/x.png",
            "//cdn.example.net/x.png",
            "img/x.png",
        ] {
            let html = format!("<p><img src=\"{src}\" alt=\"\"></p>");
            assert_eq!(
                check(&html, &format("basic_html"), &site).map(|v| v.remote_images),
                Some(1)
            );
        }
    }

    #[test]
    fn parses_and_writes_allowed_html() {
        let allowed = AllowedHtml::parse("<a href hreflang> <ol start type=\"1 A\"> <img data-*>");
        assert!(allowed.allows_attr("a", "href", "/x"));
        assert!(!allowed.allows_attr("a", "class", "x"));
        assert!(allowed.allows_attr("ol", "type", "A"));
        assert!(!allowed.allows_attr("ol", "type", "i"));
        assert!(allowed.allows_attr("img", "data-align", "left"));
        assert!(allowed.allows_attr("p", "lang", "de"));
        assert!(!allowed.allows_attr("a", "onclick", "x"));
        assert_eq!(
            allowed.to_string(),
            "<a href hreflang> <ol start type=\"1 A\"> <img data-*>"
        );
    }

    #[test]
    fn reads_the_recorded_formats() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/drupal-wire/5c_jsonapi_filter_formats_admin.txt"
        ))
        .unwrap();
        let body = text
            .split("----- RESPONSE -----")
            .nth(1)
            .and_then(|r| r.split("\n\n").nth(1))
            .unwrap()
            .lines()
            .next()
            .unwrap();
        let formats = TextFormat::from_jsonapi(&serde_json::from_str(body).unwrap());
        let names: Vec<&str> = formats.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["basic_html", "full_html", "plain_text", "restricted_html"]
        );
        for f in &formats {
            assert_eq!(
                Some(f),
                TextFormat::standard(&f.name).as_ref(),
                "{}",
                f.name
            );
        }
    }

    #[test]
    fn written_answers_tell_what_was_lost() {
        let processed = "<h2>Table</h2>\n\n\n\na\nb\n\n\n\n\n1\n2\n\n\n\n<code>fn main() {}\n</code>\n<p>old new</p>\n\n<ul>\n<li>\ndone</li>\n</ul>\n<p>note<a href=\"#1\">1</a></p>\nTop\n<img src=\"/core/misc/icons/e32700/error.svg\" alt=\"Image removed.\" title=\"This image has been removed. For security reasons, only images from the local domain are allowed.\" height=\"16\" width=\"16\" class=\"filter-image-invalid\" loading=\"lazy\">";
        let verdict = check_written(RICH, processed).unwrap();
        let names: Vec<&str> = verdict.dropped.iter().map(|d| d.element.as_str()).collect();
        assert_eq!(names, ["table", "pre", "del", "hr", "input", "sup", "h1"]);
        assert_eq!(verdict.remote_images, 1);
        assert_eq!(check_written(RICH, RICH), None);
        assert!(
            check_written("<p>a</p>", "<p>&lt;p&gt;a&lt;/p&gt;</p>\n")
                .unwrap()
                .escaped
        );
    }

    #[test]
    fn adapts_what_loses_nothing() {
        let basic = format("basic_html");
        let cases = [
            ("<h1 id=\"t\">T</h1>\n<h2>S</h2>", "<h2 id=\"t\">T</h2>\n<h3>S</h3>"),
            ("<h2>S</h2>", "<h2>S</h2>"),
            (
                "<li><input disabled=\"\" type=\"checkbox\" checked=\"\"/>\ndone</li><li><input disabled=\"\" type=\"checkbox\"/>\nopen</li>",
                "<li>☑\ndone</li><li>☐\nopen</li>",
            ),
            (
                "<p>note<sup class=\"footnote-reference\"><a href=\"#1\">1</a></sup></p>\n<div class=\"footnote-definition\" id=\"1\"><sup class=\"footnote-definition-label\">1</sup>\n<p>Said.</p>\n</div>\n",
                "<p>note[1]</p>\n<p>[1] Said.</p>\n\n",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(adapt(input, Some(&basic)), want, "{input}");
        }
        let full = format("full_html");
        let footnote = "<p>n<sup class=\"footnote-reference\"><a href=\"#1\">1</a></sup></p>";
        assert_eq!(adapt(footnote, Some(&full)), footnote);
        let s_only = TextFormat::custom("s_only", "<p> <s>");
        assert_eq!(
            adapt("<p><del>x</del></p>", Some(&s_only)),
            "<p><s>x</s></p>"
        );
        assert_eq!(adapt("<h1>x</h1>", None), "<h2>x</h2>");
    }
}
