//! Local images and files a page refers to (CONTRACT §7): `<img src>` and `<a href>` in the
//! rendered body, so Markdown images and links (inline and reference style), raw HTML blocks and
//! `body_html` are found alike. A reference is local when it has no scheme and its path, relative
//! to the page's file (Hugo page bundles: `index.md` beside its images) or `/`-rooted at the
//! content dir, names a file of the content dir that is not a page. Each local reference is
//! replaced by a [`crate::files::token`], which `files` later embeds or uploads.
//!
//! Decisions where the contract is silent:
//! - A relative image that is not in the content dir is an error (a broken image on the site);
//!   so is a relative link whose last segment has a file extension (`files/manual.pdf`), except
//!   web pages (`.html`, `.php`…). Links without an extension (`contact`) are left alone.
//! - A `/`-rooted path that is no file of the content dir is left alone: it may be a path of
//!   the site (`/sites/default/files/logo.png`, an alias).
//! - Positions: the first place at or after the previous reference where the page's source
//!   contains the reference as written (else the page's first line).
//!
//! Extensions and sizes are checked against `[files]` by [`check`], which needs the config.

use std::collections::BTreeMap;

use super::html;
use super::markdown;
use super::text::{LineIndex, Pos};
use super::{Diagnostic, Problem, Severity};
use crate::files::{self, FileSettings};

/// Links to these are pages (of a web site, or page files of the content dir), not files to upload.
const WEB_EXTENSIONS: &[&str] = &[
    "html", "htm", "xhtml", "php", "asp", "aspx", "jsp", "cgi", "md", "markdown", "yaml", "yml",
];

/// A page's reference to a local file, where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    /// The page file as shown (`content/about.md`).
    pub path: String,
    pub line: usize,
    pub col: usize,
    /// The file, under the content dir (`img/diagram.png`).
    pub rel: String,
    /// Its size in bytes, as the walk saw it.
    pub size: u64,
}

/// A body with its local references replaced by tokens.
#[derive(Debug, Default)]
pub(super) struct Linked {
    pub html: String,
    pub refs: Vec<(Pos, String, u64)>,
    pub problems: Vec<Problem>,
}

/// Find the local references of the page defined in the file `from` (path under the content
/// dir) with rendered body `html`; `text` is the file and `search_from` where the page's
/// source starts in it; `files` are the content dir's files that are not pages, with sizes.
pub(super) fn link(
    html: &str,
    text: &str,
    search_from: usize,
    from: &str,
    files: &BTreeMap<String, u64>,
) -> Linked {
    let mut linked = Linked::default();
    let index = LineIndex::new(text);
    let start_pos = index.position(search_from);
    let mut cursor = search_from;
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    if !html.contains("<img")
        && !html.contains("<a")
        && !html.contains("<IMG")
        && !html.contains("<A")
    {
        linked.html = html.to_owned();
        return linked;
    }
    for tag in html::tags_named(html, &["img", "a"]) {
        let wanted = match tag.name.as_str() {
            "img" => "src",
            "a" => "href",
            _ => continue,
        };
        let Some(attribute) = tag.attributes.iter().find(|a| a.name == wanted) else {
            continue;
        };
        let Some(value) = attribute.value.as_deref() else {
            continue;
        };
        let Some(target) = classify(value, tag.name == "img", from) else {
            continue;
        };
        let pos = locate(text, &index, &mut cursor, search_from, value).unwrap_or(start_pos);
        match target {
            Target::Outside => linked.problems.push(Problem::error(
                pos,
                format!("`{value}` points outside the content directory; only files under it are uploaded"),
            )),
            Target::Local { rel, suffix, rooted } => match files.get(&rel) {
                Some(&size) => {
                    let mut replacement = format!(
                        "{wanted}=\"{}{}\"",
                        files::token(&rel),
                        escape(suffix)
                    );
                    // An element copied from Drupal may carry the old file's attributes.
                    let stale: Vec<_> = tag
                        .attributes
                        .iter()
                        .filter(|a| matches!(a.name.as_str(), "data-entity-type" | "data-entity-uuid"))
                        .collect();
                    for attr in stale {
                        edits.push((extend_left(html, attr.span.clone()), String::new()));
                    }
                    edits.push((attribute.span.clone(), std::mem::take(&mut replacement)));
                    linked.refs.push((pos, rel, size));
                }
                None if rooted => {}
                None => linked.problems.push(Problem::error(
                    pos,
                    format!("missing file `{value}`: there is no `{rel}` in the content directory"),
                )),
            },
        }
    }
    edits.sort_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(html.len() + edits.len() * 24);
    let mut at = 0;
    for (range, text) in edits {
        if range.start < at {
            continue;
        }
        out.push_str(&html[at..range.start]);
        out.push_str(&text);
        at = range.end;
    }
    out.push_str(&html[at..]);
    linked.html = out;
    linked
}

/// Include the whitespace before an attribute, so removing it leaves none doubled.
fn extend_left(html: &str, span: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let before = html[..span.start].trim_end_matches([' ', '\t', '\n']);
    before.len()..span.end
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;")
}

enum Target<'a> {
    /// Under the content dir: the path there, what follows the path, and whether it was
    /// written `/`-rooted.
    Local {
        rel: String,
        suffix: &'a str,
        rooted: bool,
    },
    /// A relative path that climbs out of the content dir.
    Outside,
}

/// What an `src` (image) or `href` value refers to; `None` when it is no local file.
fn classify<'a>(value: &'a str, image: bool, from: &str) -> Option<Target<'a>> {
    let value = value.trim();
    if value.is_empty()
        || value.starts_with('#')
        || value.starts_with("//")
        || value.starts_with(files::TOKEN)
        || markdown::has_scheme(value)
    {
        return None;
    }
    let split = value.find(['?', '#']).unwrap_or(value.len());
    let (path, suffix) = value.split_at(split);
    if path.is_empty() || path.ends_with('/') {
        return None;
    }
    let path = html::decode(&markdown::percent_decode(path));
    let ext = files::extension(&path);
    let looks_like_file = !ext.is_empty()
        && ext.bytes().any(|b| b.is_ascii_alphabetic())
        && ext.len() <= 10
        && !WEB_EXTENSIONS.contains(&ext.as_str());
    if !image && !looks_like_file {
        return None;
    }
    let rooted = path.starts_with('/');
    let joined = if rooted {
        markdown::join("", path.trim_start_matches('/'))
    } else {
        markdown::join(from, &path)
    };
    match joined {
        Some(rel) if !rel.is_empty() => Some(Target::Local {
            rel,
            suffix,
            rooted,
        }),
        _ if rooted => None,
        _ => Some(Target::Outside),
    }
}

/// Where the page's source writes `value`: the first place at or after `cursor`, else after
/// `from`; the cursor moves past what was found, so repeated references find their own places.
fn locate(
    text: &str,
    index: &LineIndex,
    cursor: &mut usize,
    from: usize,
    value: &str,
) -> Option<Pos> {
    let decoded = markdown::percent_decode(value);
    let forms = [value, decoded.as_ref()];
    for start in [*cursor, from] {
        for form in forms {
            if let Some(at) = text.get(start..).and_then(|rest| rest.find(form)) {
                *cursor = start + at + form.len();
                return Some(index.position(start + at));
            }
        }
    }
    None
}

/// Check every reference against `[files]`: a field that takes the file's extension, and the
/// size limit. One error per reference, at its position.
pub fn check(refs: &[FileRef], settings: &FileSettings) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for r in refs {
        let mut error = |message: String| {
            found.push(Diagnostic {
                path: r.path.clone(),
                line: r.line,
                col: r.col,
                severity: Severity::Error,
                message,
            });
        };
        if let Err(why) = settings.target(&files::extension(&r.rel)) {
            error(format!("cannot upload `{}`: {why}", r.rel));
        }
        if r.size > settings.max_size {
            error(format!(
                "file `{}` is {}, over the [files].max_size_mb limit of {}",
                r.rel,
                files::human_size(r.size),
                files::human_size(settings.max_size)
            ));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> BTreeMap<String, u64> {
        BTreeMap::from([
            ("img/diagram.png".to_owned(), 73),
            ("docs/img/shot.png".to_owned(), 10),
            ("files/manual.pdf".to_owned(), 25),
            ("files/my manual.pdf".to_owned(), 25),
        ])
    }

    #[test]
    fn local_references_become_tokens() {
        let text = "---\ntitle: x\n---\n![D](img/diagram.png) [m](../files/manual.pdf#p=2)\n";
        let html = "<p><img src=\"img/diagram.png\" alt=\"D\" /> <a href=\"../files/manual.pdf#p=2\">m</a></p>\n";
        let linked = link(html, text, 16, "docs/page.md", &files());
        // `img/diagram.png` relative to `docs/` is missing; the PDF is found.
        assert_eq!(linked.problems.len(), 1, "{:?}", linked.problems);
        assert_eq!(linked.problems[0].pos, Pos { line: 4, col: 6 });
        assert!(linked.problems[0]
            .message
            .contains("missing file `img/diagram.png`: there is no `docs/img/diagram.png`"));
        assert_eq!(linked.refs.len(), 1);
        assert_eq!(linked.refs[0].1, "files/manual.pdf");
        assert_eq!(linked.refs[0].0, Pos { line: 4, col: 27 });
        assert!(linked
            .html
            .contains("<a href=\"drupal-sync-file:files/manual.pdf#p=2\">m</a>"));

        let html = "<p><img src=\"img/diagram.png\" alt=\"D\" /></p>\n";
        let linked = link(html, text, 16, "page.md", &files());
        assert!(linked.problems.is_empty(), "{:?}", linked.problems);
        assert_eq!(linked.refs.len(), 1);
        assert!(linked
            .html
            .contains("<img src=\"drupal-sync-file:img/diagram.png\" alt=\"D\" />"));
    }

    #[test]
    fn what_is_left_alone() {
        let html = concat!(
            "<a href=\"https://x.org/a.pdf\">a</a><a href=\"/about\">b</a><a href=\"contact\">c</a>",
            "<a href=\"#top\">d</a><img src=\"//cdn.example/x.png\"><img src=\"data:image/png;base64,xx\">",
            "<a href=\"/sites/default/files/x.pdf\">e</a><a href=\"page.html\">f</a><a href=\"mailto:a@b.c\">g</a>"
        );
        let linked = link(html, "", 0, "index.md", &files());
        assert!(linked.refs.is_empty() && linked.problems.is_empty());
        assert_eq!(linked.html, html);
    }

    #[test]
    fn raw_html_rooted_paths_and_bundles() {
        let html = "<img src='/img/diagram.png' data-entity-type=\"file\" data-entity-uuid=\"old\"><a href=\"my%20manual.pdf\">m</a><img src=\"shot.png\"><img src=\"../../x.png\">";
        let linked = link(html, html, 0, "files/index.md", &files());
        let rels: Vec<&str> = linked.refs.iter().map(|r| r.1.as_str()).collect();
        assert_eq!(rels, ["img/diagram.png", "files/my manual.pdf"]);
        assert!(
            linked
                .html
                .starts_with("<img src=\"drupal-sync-file:img/diagram.png\">"),
            "{}",
            linked.html
        );
        assert!(linked
            .html
            .contains("<a href=\"drupal-sync-file:files/my%20manual.pdf\">"));
        let messages: Vec<&str> = linked.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].contains("missing file `shot.png`"));
        assert!(messages[1].contains("outside the content directory"));
        // A bundle: `index.md` beside its image.
        let linked = link(
            "<img src=\"shot.png\">",
            "",
            0,
            "docs/img/index.md",
            &files(),
        );
        assert_eq!(linked.refs[0].1, "docs/img/shot.png");
    }

    #[test]
    fn checks_against_the_files_settings() {
        let at = |rel: &str, size: u64| FileRef {
            path: "content/a.md".into(),
            line: 3,
            col: 1,
            rel: rel.into(),
            size,
        };
        let settings = FileSettings::default();
        let found = check(
            &[
                at("img/a.png", 10),
                at("files/m.pdf", 10),
                at("img/big.png", 40 * 1024 * 1024),
            ],
            &settings,
        );
        let messages: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].starts_with("content/a.md:3:1: error: cannot upload `files/m.pdf`"));
        assert!(messages[0].contains("[files].documents is not set"));
        assert!(messages[1].contains("is 40.0 MB, over the [files].max_size_mb limit of 32.0 MB"));
    }
}
