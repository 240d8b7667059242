//! A node's HTML body → Markdown, with htmd (a maintained port of turndown.js that also
//! converts tables). Links to other imported pages become relative `.md` links, which the
//! renderer turns back into the same aliases.
//!
//! Nothing here decides whether the Markdown is good enough: `settle` renders it back through
//! the content pipeline and keeps it only when it gives exactly the HTML the site holds.

use std::collections::HashMap;
use std::sync::Arc;

use htmd::element_handler::{HandlerResult, Handlers};
use htmd::options::{BulletListMarker, Options, TranslationMode};
use htmd::{Element, HtmlToMarkdown};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// How a body is turned into Markdown; tried in order until one renders back exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Plain Markdown: attributes Markdown cannot say are dropped.
    Pure,
    /// Markdown with inline HTML where an element has attributes Markdown cannot say (an
    /// image's `data-entity-uuid`, a heading's `id`), so they survive.
    Faithful,
}

/// Where the other Markdown pages are: alias → file path under the content dir.
pub type Targets = Arc<HashMap<String, String>>;

/// Which links to other imported Markdown pages become relative `.md` links (the others keep
/// their aliases, which the renderer leaves as they are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageLinks {
    All,
    /// Only links without a `#fragment`: the renderer may check a fragment against the
    /// target page's heading ids, which imported headings may lack.
    WithoutFragment,
    None,
}

/// Convert `html`, the body of the page written at `from` (path under the content dir).
/// `None` when htmd cannot read it.
pub fn to_markdown(
    html: &str,
    style: Style,
    from: &str,
    targets: &Targets,
    links: PageLinks,
) -> Option<String> {
    let options = Options {
        bullet_list_marker: BulletListMarker::Dash,
        ul_bullet_spacing: 1,
        ol_number_spacing: 1,
        translation_mode: match style {
            Style::Pure => TranslationMode::Pure,
            Style::Faithful => TranslationMode::Faithful,
        },
        ..Options::default()
    };
    let from = from.to_owned();
    let targets = targets.clone();
    let mut builder = HtmlToMarkdown::builder().options(options).add_handler(
        vec!["a"],
        move |handlers: &dyn Handlers, element: Element| {
            page_link(handlers, &element, &from, &targets, links)
                .or_else(|| handlers.fallback(element))
        },
    );
    if style == Style::Faithful {
        builder = builder.add_handler(vec!["p"], html_paragraph);
    }
    let converter = builder.build();
    let markdown = converter.convert(html).ok()?;
    let markdown = markdown.trim_end();
    Some(if markdown.is_empty() {
        String::new()
    } else {
        format!("{markdown}\n")
    })
}

/// `<a href="/alias">text</a>` to an imported Markdown page → `[text](relative.md)`; `None`
/// for every other link (and links with attributes besides `href`), left to htmd.
fn page_link(
    handlers: &dyn Handlers,
    element: &Element,
    from: &str,
    targets: &HashMap<String, String>,
    links: PageLinks,
) -> Option<HandlerResult> {
    let [attr] = element.attrs else { return None };
    if &*attr.name.local != "href" {
        return None;
    }
    let href: &str = &attr.value;
    let end = href.find(['?', '#']).unwrap_or(href.len());
    match links {
        PageLinks::All => {}
        PageLinks::WithoutFragment if !href.contains('#') => {}
        PageLinks::WithoutFragment | PageLinks::None => return None,
    }
    let target = targets.get(&href[..end])?;
    let text = handlers.walk_children(element.node).content;
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    let start = text.find(trimmed).unwrap_or(0);
    let (before, after) = (&text[..start], &text[start + trimmed.len()..]);
    let dest = format!("{}{}", relative(from, target), &href[end..]);
    Some(format!("{before}[{trimmed}]({dest}){after}").into())
}

/// A paragraph whose Markdown would be one line of tags only (`<img …>`) is written as
/// a `<p>` HTML block: alone on its line, a tag starts an HTML block, which has no `<p>`.
fn html_paragraph(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let result = handlers.fallback(element)?;
    let inner = result.content.trim_matches('\n');
    let only_tags = !inner.contains('\n') && inner.starts_with('<') && inner.ends_with('>');
    if !only_tags || inner.starts_with("<p") {
        return Some(result);
    }
    Some(HandlerResult {
        content: format!("\n\n<p>{inner}</p>\n\n"),
        markdown_translated: false,
    })
}

/// The link from the file `from` to the file `to` (both under the content dir, `/`-separated),
/// percent-encoded where a Markdown link destination needs it.
pub fn relative(from: &str, to: &str) -> String {
    let mut from_dir: Vec<&str> = from.split('/').collect();
    from_dir.pop();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let common = common.min(to_parts.len() - 1);
    let mut parts: Vec<&str> = vec![".."; from_dir.len() - common];
    parts.extend(&to_parts[common..]);
    encode(&parts.join("/"))
}

/// ASCII a link destination percent-encodes: everything but `A-Z a-z 0-9 - . _ ~ /`
/// (the renderer decodes `%XX`; other characters pass as they are).
const LINK: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut buf = [0u8; 4];
    for c in path.chars() {
        if c.is_ascii() {
            out.extend(utf8_percent_encode(c.encode_utf8(&mut buf), LINK));
        } else {
            // Letters beyond ASCII stay readable: the renderer takes them as they are.
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Targets {
        Arc::new(HashMap::from([
            ("/docs/guide".to_owned(), "docs/guide.md".to_owned()),
            ("/about us".to_owned(), "about us.md".to_owned()),
            ("/team".to_owned(), "team/index.md".to_owned()),
        ]))
    }

    #[test]
    fn relative_links() {
        for (from, to, link) in [
            ("docs/intro.md", "docs/guide.md", "guide.md"),
            ("about.md", "docs/guide.md", "docs/guide.md"),
            ("docs/a/b.md", "docs/guide.md", "../guide.md"),
            ("docs/intro.md", "about us.md", "../about%20us.md"),
            ("x.md", "a(1).md", "a%281%29.md"),
            ("docs/intro.md", "docs/über.md", "über.md"),
        ] {
            assert_eq!(relative(from, to), link, "{from} → {to}");
        }
    }

    #[test]
    fn links_to_imported_pages_become_relative() {
        let html = "<p>See <a href=\"/docs/guide#setup\">the guide</a>, <a href=\"/team\">the team</a>, <a href=\"/elsewhere\">this</a> and <a href=\"/docs/guide\" title=\"t\">that</a>.</p>\n";
        let markdown = to_markdown(
            html,
            Style::Pure,
            "docs/intro.md",
            &targets(),
            PageLinks::All,
        )
        .unwrap();
        assert_eq!(
            markdown,
            "See [the guide](guide.md#setup), [the team](../team/index.md), [this](/elsewhere) and [that](/docs/guide \"t\").\n"
        );
    }

    #[test]
    fn common_blocks() {
        let html = "<h2>Setup</h2>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol start=\"3\">\n<li>three</li>\n</ol>\n<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody>\n<tr><td>1</td><td>2</td></tr>\n</tbody></table>\n";
        let markdown = to_markdown(html, Style::Pure, "x.md", &targets(), PageLinks::All).unwrap();
        assert!(
            markdown.starts_with("## Setup\n\n- one\n- two\n\n3. three\n"),
            "{markdown}"
        );
        assert!(markdown.contains("| a | b |"), "{markdown}");
    }

    #[test]
    fn faithful_keeps_what_markdown_cannot_say() {
        let html = "<p><img src=\"/sites/default/files/d.png\" data-entity-type=\"file\" data-entity-uuid=\"0c6f6e2c-7a85-4e0b-9c55-6b53c3a3f0b1\" alt=\"D\"></p>\n";
        let pure = to_markdown(html, Style::Pure, "x.md", &targets(), PageLinks::All).unwrap();
        assert_eq!(pure, "![D](/sites/default/files/d.png)\n");
        let faithful =
            to_markdown(html, Style::Faithful, "x.md", &targets(), PageLinks::All).unwrap();
        assert!(
            faithful.contains("data-entity-uuid=\"0c6f6e2c"),
            "{faithful}"
        );
    }
}
