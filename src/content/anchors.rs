//! Heading ids and the anchors of a page: GitHub's slug rules (what Hugo, Docusaurus and
//! GitHub itself use), unique per page, a `{#custom}` id honoured; and GitHub alerts
//! (`> [!NOTE]`) as HTML that Drupal's `basic_html` keeps.
//!
//! [`HeadingIds`] is an adapter over the renderer's events; [`collect`] finds the same ids
//! (plus `id`/`name` attributes in raw HTML) without rendering, so links from other pages can
//! be checked before any page is rendered.

use std::collections::{HashSet, VecDeque};

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, Options, Parser, Tag, TagEnd};

/// How a generator turns a heading into an id, so links written for it keep working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum SlugStyle {
    /// GitHub's (Hugo, Docusaurus, Jekyll's GFM input, drupal-sync's own).
    #[default]
    Github,
    /// Zola's: every run of other characters is one `-`.
    Zola,
    /// Python-Markdown's `toc` (MkDocs): ASCII only, runs of spaces and `-` are one `-`,
    /// duplicates take `_1`.
    Mkdocs,
}

/// How headings get ids: generated or not (a `{#custom}` id always), in which style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Ids {
    pub generate: bool,
    pub style: SlugStyle,
}

impl Default for Ids {
    fn default() -> Self {
        Ids {
            generate: true,
            style: SlugStyle::Github,
        }
    }
}

/// The ids of one page's headings, made unique in document order.
#[derive(Debug, Default)]
pub(super) struct Slugger {
    used: HashSet<String>,
    style: SlugStyle,
}

impl Slugger {
    /// The id for a heading: `custom` as written, else the slug of `text`, with `-1`, `-2` …
    /// appended when taken.
    pub(super) fn id(&mut self, text: &str, custom: Option<&str>) -> String {
        if let Some(custom) = custom {
            self.used.insert(custom.to_owned());
            return custom.to_owned();
        }
        let base = match self.style {
            SlugStyle::Github => slug(text),
            SlugStyle::Zola => zola_slug(text),
            SlugStyle::Mkdocs => mkdocs_slug(text),
        };
        let separator = if self.style == SlugStyle::Mkdocs {
            '_'
        } else {
            '-'
        };
        let mut id = base.clone();
        let mut n = 0;
        while self.used.contains(&id) {
            n += 1;
            id = format!("{base}{separator}{n}");
        }
        self.used.insert(id.clone());
        id
    }

    /// A slugger in `style`.
    pub(super) fn new(style: SlugStyle) -> Slugger {
        Slugger {
            used: HashSet::new(),
            style,
        }
    }

    /// Every id given out.
    pub(super) fn into_ids(self) -> HashSet<String> {
        self.used
    }
}

/// GitHub's heading slug: lowercase; letters, digits, `-` and `_` kept, spaces become `-`,
/// everything else dropped.
pub(super) fn slug(text: &str) -> String {
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Zola's slug: lowercase letters and digits, every run of anything else one `-`.
fn zola_slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// Python-Markdown's slugify: ASCII word characters, spaces and `-` kept, then runs of
/// spaces and `-` made one `-`.
fn mkdocs_slug(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| {
            c.is_ascii()
                && (c.is_ascii_alphanumeric() || matches!(c, '_' | '-') || c.is_whitespace())
        })
        .collect();
    let mut out = String::new();
    for c in kept.trim().to_lowercase().chars() {
        if c == '-' || c.is_whitespace() {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Events of a rendered body with an `id` on every heading (when `generate`; a `{#custom}`
/// id always). The ids end up in `slugger`.
pub(super) struct HeadingIds<'s, 'e, I: Iterator<Item = Event<'e>>> {
    inner: I,
    slugger: &'s mut Slugger,
    generate: bool,
    queue: VecDeque<Event<'e>>,
}

impl<'s, 'e, I: Iterator<Item = Event<'e>>> HeadingIds<'s, 'e, I> {
    pub(super) fn new(inner: I, slugger: &'s mut Slugger, generate: bool) -> Self {
        HeadingIds {
            inner,
            slugger,
            generate,
            queue: VecDeque::new(),
        }
    }
}

impl<'e, I: Iterator<Item = Event<'e>>> Iterator for HeadingIds<'_, 'e, I> {
    type Item = Event<'e>;

    fn next(&mut self) -> Option<Event<'e>> {
        if let Some(event) = self.queue.pop_front() {
            return Some(event);
        }
        let event = self.inner.next()?;
        let Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) = event
        else {
            return Some(event);
        };
        // Buffer the heading to learn its text before its start tag is written.
        let mut text = String::new();
        for event in self.inner.by_ref() {
            let end = matches!(event, Event::End(TagEnd::Heading(_)));
            match &event {
                Event::Text(t) | Event::Code(t) => text.push_str(t),
                Event::SoftBreak | Event::HardBreak => text.push(' '),
                _ => {}
            }
            self.queue.push_back(event);
            if end {
                break;
            }
        }
        let id = match id {
            Some(custom) => Some(CowStr::from(self.slugger.id(&text, Some(&custom)))),
            None if self.generate => Some(CowStr::from(self.slugger.id(&text, None))),
            None => None,
        };
        Some(Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }))
    }
}

/// The anchors a page has: its headings' ids and the `id`/`name` attributes of its raw HTML.
/// `skip_title` leaves out a leading H1 that becomes the title.
pub(super) fn collect(body: &str, options: Options, ids: Ids, skip_title: bool) -> HashSet<String> {
    let mut slugger = Slugger::new(ids.style);
    let mut html_ids = Vec::new();
    let mut in_title = false;
    let events = Parser::new_ext(body, options)
        .enumerate()
        .filter_map(|(index, event)| {
            if index == 0 && skip_title {
                if let Event::Start(Tag::Heading {
                    level: pulldown_cmark::HeadingLevel::H1,
                    ..
                }) = event
                {
                    in_title = true;
                    return None;
                }
            }
            if in_title {
                in_title = !matches!(event, Event::End(TagEnd::Heading(_)));
                return None;
            }
            if let Event::Html(html) | Event::InlineHtml(html) = &event {
                html_ids.extend(attribute_ids(html));
            }
            Some(event)
        });
    for _ in HeadingIds::new(events, &mut slugger, ids.generate) {}
    let mut ids = slugger.into_ids();
    ids.extend(html_ids);
    ids
}

/// The text of a body's first level-1 heading, wherever it is.
pub(super) fn first_heading(body: &str) -> Option<String> {
    let mut text: Option<String> = None;
    for event in Parser::new_ext(body, Options::ENABLE_HEADING_ATTRIBUTES) {
        match event {
            Event::Start(Tag::Heading {
                level: pulldown_cmark::HeadingLevel::H1,
                ..
            }) => text = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(text) = &mut text {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => match text.take().map(|t| t.trim().to_owned()) {
                Some(found) if !found.is_empty() => return Some(found),
                _ => {}
            },
            _ => {}
        }
    }
    None
}

/// Values of `id="…"` and `name="…"` attributes in raw HTML.
fn attribute_ids(html: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for attribute in ["id=", "name="] {
        let mut rest = html;
        while let Some(at) = rest.find(attribute) {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + attribute.len()..];
            if !before.is_some_and(char::is_whitespace) {
                continue;
            }
            let Some(quote) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) else {
                continue;
            };
            if let Some(end) = rest[1..].find(quote) {
                ids.push(rest[1..=end].to_owned());
            }
        }
    }
    ids
}

/// The HTML that opens a GitHub alert: a plain blockquote (`basic_html` drops classes)
/// whose first line names the kind.
pub(super) fn alert_start(kind: BlockQuoteKind) -> String {
    let label = match kind {
        BlockQuoteKind::Note => "Note",
        BlockQuoteKind::Tip => "Tip",
        BlockQuoteKind::Important => "Important",
        BlockQuoteKind::Warning => "Warning",
        BlockQuoteKind::Caution => "Caution",
    };
    format!("<blockquote>\n<p><strong>{label}</strong></p>\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_github() {
        for (text, want) in [
            ("Getting Started", "getting-started"),
            ("What's new in 2.0?", "whats-new-in-20"),
            ("  API: `get_page()`  ", "api-get_page"),
            ("Ünïcode Straße", "ünïcode-straße"),
            ("a -- b", "a----b"),
            ("C++ & Rust!", "c--rust"),
        ] {
            assert_eq!(slug(text), want, "{text}");
        }
        let mut slugger = Slugger::default();
        let ids: Vec<String> = [("A", None), ("A", None), ("x", Some("a-1")), ("A", None)]
            .iter()
            .map(|(t, c)| slugger.id(t, *c))
            .collect();
        assert_eq!(ids, ["a", "a-1", "a-1", "a-2"]);
        for (style, text, want) in [
            (SlugStyle::Zola, "What's next?", "what-s-next"),
            (
                SlugStyle::Zola,
                "Contributors to 1.31.0",
                "contributors-to-1-31-0",
            ),
            (
                SlugStyle::Mkdocs,
                "What's new -- in 2.0?",
                "whats-new-in-20",
            ),
            (SlugStyle::Mkdocs, "Straße  x", "strae-x"),
        ] {
            assert_eq!(Slugger::new(style).id(text, None), want, "{text}");
        }
        let mut mkdocs = Slugger::new(SlugStyle::Mkdocs);
        assert_eq!([mkdocs.id("A", None), mkdocs.id("A", None)], ["a", "a_1"]);
    }

    #[test]
    fn collected_anchors() {
        let options = Options::ENABLE_HEADING_ATTRIBUTES;
        let body = "# Title\n\n## Intro *one*\n\n## Intro one\n\n### Custom {#mine}\n\n<a name=\"old\"></a> <span id='x'>y</span>\n";
        let ids = collect(body, options, Ids::default(), true);
        let mut ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["intro-one", "intro-one-1", "mine", "old", "x"]);
        let off = Ids {
            generate: false,
            style: SlugStyle::Github,
        };
        let ids = collect(body, options, off, false);
        let mut ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["mine", "old", "x"]);
    }
}
