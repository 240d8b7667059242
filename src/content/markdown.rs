//! Markdown body → HTML: rendered once, with CommonMark plus tables, strikethrough, task lists
//! and footnotes; a leading H1 taken as the title when asked; relative links to other
//! Markdown files rewritten to their pages' aliases.
//!
//! Pure: which file is which page is decided by the caller's `resolve` function. Raw HTML
//! passes through untouched, links inside it included.

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

use super::anchors::{self, HeadingIds, Ids, Slugger};

/// A rendered body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rendered {
    pub html: String,
    /// Text of the leading H1 when the caller asked for it and the body starts with one.
    pub title: Option<String>,
    /// Links to Markdown files that are not pages: byte offset in the body, and why.
    pub broken_links: Vec<(usize, String)>,
    /// Links that work but point at something missing (an anchor): byte offset, and why.
    pub link_warnings: Vec<(usize, String)>,
}

/// Where a link points, as the caller's `resolve` sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LinkTarget {
    /// The alias the link is rewritten to.
    pub alias: String,
    /// A problem with the link that does not break it (a missing anchor).
    pub warning: Option<String>,
}

/// The Markdown extensions every body is parsed with.
pub(super) const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_HEADING_ATTRIBUTES)
    .union(Options::ENABLE_GFM);

/// Render `body`. With `take_title`, a level-1 heading that is the body's first block becomes
/// the title and is left out of the HTML. `resolve` maps the path of a relative link to a
/// Markdown file (percent-decoded, without query or fragment) to the target page's alias.
#[cfg(test)]
pub(super) fn render(
    body: &str,
    take_title: bool,
    resolve: impl Fn(&str) -> Result<String, String>,
) -> Rendered {
    render_with(body, take_title, Ids::default(), |path, _| {
        resolve(path).map(|alias| LinkTarget {
            alias,
            warning: None,
        })
    })
}

/// [`render`], with heading ids generated or not (a `{#custom}` id is always kept), and a
/// `resolve` that also sees each link's fragment (percent-decoded) and may warn about it;
/// a link that is only a fragment (`#part`) is resolved with an empty path.
pub(super) fn render_with(
    body: &str,
    take_title: bool,
    ids: Ids,
    resolve: impl Fn(&str, Option<&str>) -> Result<LinkTarget, String>,
) -> Rendered {
    let options = OPTIONS;
    let mut title: Option<String> = None;
    let mut in_title = false;
    let mut broken_links = Vec::new();
    let mut link_warnings = Vec::new();
    // Events stream straight into the HTML writer: a huge body is never held as events.
    let events = Parser::new_ext(body, options)
        .into_offset_iter()
        .enumerate()
        .filter_map(|(index, (event, range))| {
            if index == 0 && take_title {
                if let Event::Start(Tag::Heading {
                    level: HeadingLevel::H1,
                    ..
                }) = event
                {
                    in_title = true;
                    title = Some(String::new());
                    return None;
                }
            }
            if in_title {
                let text = title.get_or_insert_with(String::new);
                match event {
                    Event::End(TagEnd::Heading(_)) => in_title = false,
                    Event::Text(t) | Event::Code(t) => text.push_str(&t),
                    Event::SoftBreak | Event::HardBreak => text.push(' '),
                    _ => {}
                }
                return None;
            }
            Some(match event {
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) if !matches!(link_type, LinkType::Autolink | LinkType::Email) => {
                    let fragment = |suffix: &str| {
                        suffix
                            .split_once('#')
                            .map(|(_, f)| percent_decode(f).into_owned())
                            .filter(|f| !f.is_empty())
                    };
                    let dest_url = match page_link(&dest_url) {
                        None if dest_url.starts_with('#') => {
                            if let Ok(LinkTarget {
                                warning: Some(why), ..
                            }) = resolve("", fragment(&dest_url).as_deref())
                            {
                                link_warnings
                                    .push((range.start, format!("link `{dest_url}`: {why}")));
                            }
                            dest_url
                        }
                        Some((path, suffix)) => {
                            match resolve(&percent_decode(path), fragment(suffix).as_deref()) {
                                Ok(target) => {
                                    if let Some(why) = target.warning {
                                        link_warnings.push((
                                            range.start,
                                            format!("link `{dest_url}`: {why}"),
                                        ));
                                    }
                                    CowStr::from(format!("{}{suffix}", target.alias))
                                }
                                Err(why) => {
                                    let message = format!("broken link `{dest_url}`: {why}");
                                    broken_links.push((range.start, message));
                                    dest_url
                                }
                            }
                        }
                        None => dest_url,
                    };
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })
                }
                Event::Start(Tag::BlockQuote(Some(kind))) => {
                    Event::Html(anchors::alert_start(kind).into())
                }
                Event::End(TagEnd::BlockQuote(Some(_))) => Event::Html("</blockquote>\n".into()),
                other => other,
            })
        });
    let mut slugger = Slugger::new(ids.style);
    let events = HeadingIds::new(events, &mut slugger, ids.generate);
    let mut html = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut html, events);
    // Bodies live until the run ends: give back what the estimate over-reserved.
    html.shrink_to_fit();
    Rendered {
        html,
        title: title.map(|t| t.trim().to_owned()),
        broken_links,
        link_warnings,
    }
}

/// Split a link that points at another Markdown file by path (relative, `/`-rooted at the
/// content dir, or Zola's `@/`) into that path and the query and fragment that follow it;
/// `None` for every other link.
#[allow(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "compares the lowercased path"
)]
pub(super) fn page_link(href: &str) -> Option<(&str, &str)> {
    if href.starts_with('#') || href.starts_with("//") || has_scheme(href) {
        return None;
    }
    let end = href.find(['?', '#']).unwrap_or(href.len());
    let (path, suffix) = href.split_at(end);
    let lower = path.to_ascii_lowercase();
    (lower.ends_with(".md") || lower.ends_with(".markdown")).then_some((path, suffix))
}

/// `mailto:`, `https:`, `tel:` …: a scheme is letters (then letters, digits, `+-.`) before a `:`.
pub(super) fn has_scheme(href: &str) -> bool {
    let Some((scheme, _)) = href.split_once(':') else {
        return false;
    };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The path under the content dir a link `target` in the file `from` (both `/`-separated)
/// points at; `None` when it climbs out of the content dir.
pub(super) fn join(from: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    let target = match target
        .strip_prefix("@/")
        .or_else(|| target.strip_prefix('/'))
    {
        Some(rooted) => {
            parts.clear();
            rooted
        }
        None => target,
    };
    for segment in target.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Decode `%XX` escapes (`my%20page.md`); text that would not decode to UTF-8 stays as written.
pub(super) fn percent_decode(text: &str) -> std::borrow::Cow<'_, str> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .unwrap_or(text.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aliases(path: &str) -> Result<String, String> {
        match path {
            "other.md" | "/other.md" => Ok("/other".into()),
            "../team/index.md" => Ok("/team".into()),
            "my page.md" => Ok("/my-page".into()),
            _ => Err(format!("no page `{path}`")),
        }
    }

    #[test]
    fn links() {
        for (markdown, html) in [
            ("[a](other.md)", r#"<a href="/other">a</a>"#),
            (
                "[a](../team/index.md#people)",
                r#"<a href="/team#people">a</a>"#,
            ),
            ("[a](other.md?x=1#f)", r#"<a href="/other?x=1#f">a</a>"#),
            ("[a](my%20page.md)", r#"<a href="/my-page">a</a>"#),
            ("[a][r]\n\n[r]: other.md", r#"<a href="/other">a</a>"#),
            (
                "[a](https://example.com/x.md)",
                r#"<a href="https://example.com/x.md">a</a>"#,
            ),
            (
                "[a](mailto:x@example.com)",
                r#"<a href="mailto:x@example.com">a</a>"#,
            ),
            ("[a](#frag)", r##"<a href="#frag">a</a>"##),
            ("[a](/other.md)", r#"<a href="/other">a</a>"#),
            ("[a](//host/x.md)", r#"<a href="//host/x.md">a</a>"#),
            ("[a](image.png)", r#"<a href="image.png">a</a>"#),
            ("[a](notes.txt)", r#"<a href="notes.txt">a</a>"#),
            (
                "<https://x.md>",
                r#"<a href="https://x.md">https://x.md</a>"#,
            ),
            (
                "<a href=\"other.md\">raw</a>",
                r#"<a href="other.md">raw</a>"#,
            ),
        ] {
            let rendered = render(markdown, false, aliases);
            assert!(
                rendered.html.contains(html),
                "{markdown}: {}",
                rendered.html
            );
            assert_eq!(rendered.broken_links, vec![], "{markdown}");
        }
    }

    #[test]
    fn broken_links_are_positioned() {
        let body = "Intro\n\nSee [gone](gone.md) and [x](OTHER.MD#a).\n";
        let rendered = render(body, false, aliases);
        let offsets: Vec<usize> = rendered.broken_links.iter().map(|(o, _)| *o).collect();
        assert_eq!(offsets, [11, 31]);
        assert_eq!(
            rendered.broken_links[0].1,
            "broken link `gone.md`: no page `gone.md`"
        );
        assert!(rendered.html.contains(r#"href="gone.md""#));
    }

    #[test]
    fn titles() {
        // (body, take_title, title, html)
        for (body, take, title, html) in [
            (
                "# About us\n\nText\n",
                true,
                Some("About us"),
                "<p>Text</p>\n",
            ),
            (
                "\n\n# A `b` *c*\nText\n",
                true,
                Some("A b c"),
                "<p>Text</p>\n",
            ),
            ("About\n=====\n", true, Some("About"), ""),
            ("#\n", true, Some(""), ""),
            ("# About\n", false, None, "<h1 id=\"about\">About</h1>\n"),
            (
                "Text\n\n# Later\n",
                true,
                None,
                "<p>Text</p>\n<h1 id=\"later\">Later</h1>\n",
            ),
            ("## Sub\n", true, None, "<h2 id=\"sub\">Sub</h2>\n"),
            ("", true, None, ""),
        ] {
            let rendered = render(body, take, aliases);
            assert_eq!(rendered.title.as_deref(), title, "{body:?}");
            assert_eq!(rendered.html, html, "{body:?}");
        }
    }

    #[test]
    fn extensions() {
        let body = "| a |\n|---|\n| b |\n\n~~s~~\n\n- [x] done\n\nx[^1]\n\n[^1]: note\n\n<div>raw</div>\n\n\"q\" -- x\n";
        let html = render(body, false, aliases).html;
        for needle in [
            "<table>",
            "<del>s</del>",
            "checkbox",
            "footnote",
            "<div>raw</div>",
            "<p>\"q\" -- x</p>",
        ] {
            assert!(html.contains(needle), "{needle}: {html}");
        }
    }

    #[test]
    fn joining() {
        for (from, target, joined) in [
            ("about.md", "other.md", Some("other.md")),
            ("docs/a.md", "../team/index.md", Some("team/index.md")),
            ("docs/a.md", "./b.md", Some("docs/b.md")),
            ("docs/a.md", "sub//c.md", Some("docs/sub/c.md")),
            ("a.md", "../outside.md", None),
            ("docs/a/b.md", "../../../x.md", None),
            ("docs/a.md", "/team/index.md", Some("team/index.md")),
            ("docs/a.md", "@/blog/x.md", Some("blog/x.md")),
        ] {
            assert_eq!(join(from, target).as_deref(), joined, "{from} + {target}");
        }
        assert_eq!(percent_decode("a%20b%zz%"), "a b%zz%");
        assert_eq!(percent_decode("%FF"), "%FF");
    }
}
