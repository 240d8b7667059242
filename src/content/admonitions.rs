//! Admonitions, the callout syntax of Docusaurus (`:::note Title` … `:::`) and MkDocs
//! (`!!! note "Title"` or `??? note` with an indented body), turned into the blockquote
//! Drupal's `basic_html` keeps, before the body is rendered, so they never reach Drupal as
//! text. Lines inside code fences are left alone.
//!
//! Pure; the result maps offsets back like [`super::shortcodes::Expanded`] does.

use super::shortcodes::Expanded;

/// The admonition syntax of a flavor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Syntax {
    None,
    Docusaurus,
    Mkdocs,
}

/// `body` with its admonitions as blockquotes; with `directives`, mkdocstrings' `:::`
/// directives removed (and recorded in [`Expanded::removed`]).
pub(super) fn expand(body: &str, syntax: Syntax, directives: bool) -> Expanded {
    let mut out = Expanded::default();
    let marked = body.contains(":::") || body.contains("!!!") || body.contains("???");
    if syntax == Syntax::None || !marked {
        out.copy(body, 0, body.len());
        return out;
    }
    let mut fence: Option<String> = None;
    // Docusaurus: the colons of each open admonition. MkDocs: the indent of each open one.
    let mut open: Vec<usize> = Vec::new();
    // The indent below which an mkdocstrings `::: module.name` directive's options end.
    let mut directive: Option<usize> = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let text = line.trim_end_matches('\n');
        let trimmed = text.trim_start();
        if let Some(marker) = fence.as_deref() {
            if trimmed.starts_with(marker) {
                fence = None;
            }
        } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(trimmed[..3].to_owned());
        }
        match syntax {
            Syntax::Docusaurus if fence.is_none() || trimmed.starts_with(":::") => {
                let colons = trimmed.bytes().take_while(|&b| b == b':').count();
                if colons >= 3 && fence.is_none() {
                    let rest = trimmed[colons..].trim();
                    if rest.is_empty() {
                        if open.last() == Some(&colons) {
                            open.pop();
                            out.insert("\n</blockquote>\n", start);
                            continue;
                        }
                    } else if let Some((kind, title)) = docusaurus_open(rest) {
                        open.push(colons);
                        out.insert(&opening(kind, title), start);
                        continue;
                    }
                }
                out.copy(body, start, offset);
            }
            Syntax::Mkdocs => {
                let indent = text.len() - trimmed.len();
                // mkdocstrings' `::: module.name` (and its indented options) documents code
                // Drupal does not have: removed, and reported like a template.
                match directive {
                    Some(at) if trimmed.is_empty() || indent > at => continue,
                    _ => directive = None,
                }
                if directives && fence.is_none() && trimmed.starts_with("::: ") {
                    directive = Some(indent);
                    out.removed.push((":::".to_owned(), start));
                    continue;
                }
                // Close those whose body ended: a non-blank line indented less than theirs.
                while let Some(&inner) = open.last() {
                    if trimmed.is_empty() || indent >= inner {
                        break;
                    }
                    open.pop();
                    out.insert("\n</blockquote>\n\n", start);
                }
                let dedent = open.len() * 4;
                let from = start + dedent.min(indent).min(text.len());
                if fence.is_none() {
                    if let Some((kind, title)) = mkdocs_open(trimmed) {
                        open.push(indent + 4);
                        out.insert(&opening(kind, title), from);
                        continue;
                    }
                }
                out.copy(body, from, offset);
            }
            _ => out.copy(body, start, offset),
        }
    }
    for _ in open {
        out.insert("\n</blockquote>\n", body.len());
    }
    out
}

fn docusaurus_open(rest: &str) -> Option<(&str, Option<&str>)> {
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    let (kind, after) = rest.split_at(end);
    if kind.is_empty() {
        return None;
    }
    let title = after
        .trim()
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(after.trim());
    let title = title.split('{').next().unwrap_or_default().trim();
    Some((kind, (!title.is_empty()).then_some(title)))
}

fn mkdocs_open(line: &str) -> Option<(&str, Option<&str>)> {
    let rest = line
        .strip_prefix("!!!")
        .or_else(|| line.strip_prefix("???+"))
        .or_else(|| line.strip_prefix("???"))?
        .trim();
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let (kind, after) = rest.split_at(end);
    if kind.is_empty() {
        return None;
    }
    // `!!! note "Title"`, `!!! note ""` (no title), or modifiers only (`inline end`).
    let after = after.trim();
    let title = after.strip_prefix('"').and_then(|t| t.strip_suffix('"'));
    Some((kind, title))
}

/// The HTML that opens an admonition: a blockquote and its title.
fn opening(kind: &str, title: Option<&str>) -> String {
    let label = match title {
        Some("") => None,
        Some(title) => Some(title.to_owned()),
        None => {
            let mut chars = kind.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
        }
    };
    let label = label.map_or(String::new(), |l| {
        format!(
            "<p><strong>{}</strong></p>\n",
            l.replace('&', "&amp;").replace('<', "&lt;")
        )
    });
    format!("<blockquote>\n{label}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docusaurus() {
        let body = "Intro\n\n:::tip[Try it]\nSome **text**.\n:::\n\n```\n:::note\n```\n::::info\nA\n:::danger\nB\n:::\n::::\n";
        let got = expand(body, Syntax::Docusaurus, true);
        assert_eq!(
            got.text,
            "Intro\n\n<blockquote>\n<p><strong>Try it</strong></p>\n\nSome **text**.\n\n</blockquote>\n\n```\n:::note\n```\n<blockquote>\n<p><strong>Info</strong></p>\n\nA\n<blockquote>\n<p><strong>Danger</strong></p>\n\nB\n\n</blockquote>\n\n</blockquote>\n"
        );
        let offset = got.text.find("Some").unwrap();
        assert_eq!(&body[got.original(offset)..][..4], "Some");
    }

    #[test]
    fn mkdocs() {
        let body = "!!! note \"TL;DR\"\n    Use a client.\n\n    More.\n\nAfter.\n\n??? warning\n    Hidden.\n";
        assert_eq!(mkdocs_open("!!! tip \"\""), Some(("tip", Some(""))));
        assert_eq!(mkdocs_open("!!! tip inline end"), Some(("tip", None)));
        let got = expand(body, Syntax::Mkdocs, true);
        assert_eq!(
            got.text,
            "<blockquote>\n<p><strong>TL;DR</strong></p>\n\nUse a client.\n\nMore.\n\n\n</blockquote>\n\nAfter.\n\n<blockquote>\n<p><strong>Warning</strong></p>\n\nHidden.\n\n</blockquote>\n"
        );
        let offset = got.text.find("More").unwrap();
        assert_eq!(&body[got.original(offset)..][..4], "More");
        let got = expand(
            "A\n\n::: httpx.Client\n    options:\n      x: 1\n\nB\n",
            Syntax::Mkdocs,
            true,
        );
        assert_eq!(got.text, "A\n\nB\n");
        assert_eq!(got.removed, [(":::".to_owned(), 3)]);
        let plain = expand("a ::: b\n", Syntax::None, true);
        assert_eq!(plain.text, "a ::: b\n");
    }
}
