//! The check that makes an import safe: every file is read back through the same content
//! pipeline `plan` uses (`content::load_with`, together with the rest of the content
//! directory) and compared with its node field by field, as `plan` compares them. A page is
//! written as Markdown only when that comparison finds nothing, so the next plan is clean;
//! otherwise as YAML with `body_html`, and a page that would not even round-trip that way is
//! skipped with the reason.
//!
//! Markdown is tried in several variants (plain, then with inline HTML where Markdown cannot
//! say an attribute; links to other pages relative or as aliases; `heading_ids: false` or
//! not). Pages move one way only (variants in order, then HTML, then skipped), so the loop
//! ends; links to a page that leaves Markdown fall back to its alias on the next round.

use std::collections::HashMap;
use std::sync::Arc;

use super::convert::{self, PageLinks, Style};
use super::files::{self, FrontMatter};
use super::select::{Chosen, Skipped};
use crate::content::Content;
use crate::page::{Page, RemotePage};
use crate::plan::{self, Field};

/// How an imported page is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    Markdown,
    /// YAML with `body_html`, and why it is not Markdown.
    Html(String),
}

/// A file to write: its path under the content dir, its text, and its node.
#[derive(Debug, Clone)]
pub struct File {
    pub chosen: Chosen,
    pub rel: String,
    pub text: String,
    pub form: Form,
}

/// What [`settle`] decided.
#[derive(Debug, Default)]
pub struct Settled {
    pub files: Vec<File>,
    pub skipped: Vec<Skipped>,
}

/// One way of writing a page as Markdown; [`VARIANTS`] are tried in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Variant {
    style: Style,
    links: PageLinks,
    /// Front matter `heading_ids: false`, for HTML whose headings have no `id` where the
    /// renderer would add them. Where the renderer knows no such key, this variant fails
    /// its check (an unknown key), and the others stand.
    heading_ids_off: bool,
}

const fn variant(style: Style, links: PageLinks, heading_ids_off: bool) -> Variant {
    Variant {
        style,
        links,
        heading_ids_off,
    }
}

/// The variants, most readable first.
const VARIANTS: [Variant; 12] = [
    variant(Style::Pure, PageLinks::All, false),
    variant(Style::Pure, PageLinks::All, true),
    variant(Style::Pure, PageLinks::WithoutFragment, false),
    variant(Style::Pure, PageLinks::WithoutFragment, true),
    variant(Style::Pure, PageLinks::None, false),
    variant(Style::Pure, PageLinks::None, true),
    variant(Style::Faithful, PageLinks::All, false),
    variant(Style::Faithful, PageLinks::All, true),
    variant(Style::Faithful, PageLinks::WithoutFragment, false),
    variant(Style::Faithful, PageLinks::WithoutFragment, true),
    variant(Style::Faithful, PageLinks::None, false),
    variant(Style::Faithful, PageLinks::None, true),
];

/// Where a page stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// Trying `VARIANTS[i]`.
    Markdown(usize),
    Html,
    Skipped(String),
}

/// A page's way through the forms.
#[derive(Debug, Clone)]
struct Attempt {
    state: State,
    /// Why its first Markdown variant failed, for the summary.
    why_html: Option<String>,
    /// Texts that failed their check already: a variant that gives one of them again is
    /// passed over without another round.
    failed: Vec<String>,
}

impl Attempt {
    /// Move on to the next form; `reason` is why the current one failed (`None`: it did not
    /// apply).
    fn advance(&mut self, reason: Option<String>) {
        self.state = match &self.state {
            State::Markdown(i) => {
                if let Some(reason) = reason {
                    self.why_html.get_or_insert(reason);
                }
                if i + 1 < VARIANTS.len() {
                    State::Markdown(i + 1)
                } else {
                    State::Html
                }
            }
            State::Html => State::Skipped(format!(
                "even with its HTML kept as it is, the next plan would change it: {}",
                reason.unwrap_or_default()
            )),
            State::Skipped(reason) => State::Skipped(reason.clone()),
        };
    }
}

/// What rendering a page in its current form gave.
enum Rendered {
    /// The file: path under the content dir, and text.
    File(String, String),
    /// The form does not apply, or gives a text that failed before.
    Pass,
    Failed(String),
    /// The page is skipped.
    Nothing,
}

/// Decide each page's file. `load` reads the given files (path under the content dir,
/// text) together with the content directory; `display` names a path as `load` shows it.
pub fn settle(
    chosen: Vec<Chosen>,
    html_only: bool,
    default_format: &str,
    load: impl Fn(Vec<(String, String)>) -> Content,
    display: impl Fn(&str) -> String,
) -> Settled {
    let start = Attempt {
        state: if html_only {
            State::Html
        } else {
            State::Markdown(0)
        },
        why_html: None,
        failed: Vec::new(),
    };
    let mut attempts: Vec<Attempt> = vec![start; chosen.len()];
    let texts = loop {
        // Render until the pages that are Markdown are the ones the links were made for:
        // a page passing over variants that do not apply may leave Markdown meanwhile.
        let texts = loop {
            let targets = markdown_targets(&chosen, &attempts);
            let mut texts: Vec<Option<(String, String)>> = Vec::with_capacity(chosen.len());
            for (c, attempt) in chosen.iter().zip(&mut attempts) {
                texts.push(loop {
                    match render(c, attempt, &targets, default_format) {
                        Rendered::File(rel, text) => break Some((rel, text)),
                        Rendered::Nothing => break None,
                        Rendered::Pass => attempt.advance(None),
                        Rendered::Failed(reason) => attempt.advance(Some(reason)),
                    }
                });
            }
            if markdown_targets(&chosen, &attempts) == targets {
                break texts;
            }
        };
        let extra: Vec<(String, String)> = texts.iter().flatten().cloned().collect();
        let content = load(extra);
        let pages: HashMap<&str, &Page> = content
            .pages
            .iter()
            .map(|p| (p.source.path.as_str(), p))
            .collect();
        let mut changed = false;
        for ((c, attempt), text) in chosen.iter().zip(&mut attempts).zip(&texts) {
            let Some((rel, text)) = text else { continue };
            if let Err(reason) = check(&content, &pages, &display(rel), &c.node) {
                attempt.failed.push(text.clone());
                attempt.advance(Some(reason));
                changed = true;
            }
        }
        if !changed {
            break texts;
        }
    };
    let mut settled = Settled::default();
    for ((chosen, attempt), text) in chosen.into_iter().zip(attempts).zip(texts) {
        let form = match attempt.state {
            State::Skipped(reason) => {
                settled.skipped.push(Skipped {
                    node: chosen.node,
                    reason,
                });
                continue;
            }
            State::Markdown(_) => Form::Markdown,
            State::Html => Form::Html(attempt.why_html.unwrap_or_else(|| "--html".to_owned())),
        };
        if let Some((rel, text)) = text {
            settled.files.push(File {
                chosen,
                rel,
                text,
                form,
            });
        }
    }
    settled
}

/// Where the pages now meant to be Markdown are: alias → file.
fn markdown_targets(chosen: &[Chosen], attempts: &[Attempt]) -> convert::Targets {
    Arc::new(
        chosen
            .iter()
            .zip(attempts)
            .filter(|(_, a)| matches!(a.state, State::Markdown(_)))
            .filter_map(|(c, _)| Some((c.node.alias.clone()?, format!("{}.md", c.stem))))
            .collect(),
    )
}

/// The file of a page in its current form.
fn render(
    chosen: &Chosen,
    attempt: &Attempt,
    targets: &convert::Targets,
    default_format: &str,
) -> Rendered {
    let body = chosen.node.body.as_deref().unwrap_or_default();
    let mut front = FrontMatter::of(&chosen.node, &chosen.key, default_format);
    let (rel, text) = match attempt.state {
        State::Markdown(i) => {
            let variant = VARIANTS[i];
            if variant.heading_ids_off && !has_heading(body) {
                return Rendered::Pass;
            }
            front.heading_ids = variant.heading_ids_off.then_some(false);
            let rel = format!("{}.md", chosen.stem);
            let Some(markdown) =
                convert::to_markdown(body, variant.style, &rel, targets, variant.links)
            else {
                return Rendered::Failed("the HTML could not be read".into());
            };
            (rel, files::markdown(&front, &markdown))
        }
        State::Html => (format!("{}.yaml", chosen.stem), files::html(&front, body)),
        State::Skipped(_) => return Rendered::Nothing,
    };
    if attempt.failed.contains(&text) {
        return Rendered::Pass;
    }
    Rendered::File(rel, text)
}

/// Whether the HTML has a heading element (`<h1>`…`<h6>`, any case).
fn has_heading(html: &str) -> bool {
    html.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'<' && (w[1] == b'h' || w[1] == b'H') && (b'1'..=b'6').contains(&w[2]))
}

/// Whether the page read back from `shown` matches its node as `plan` compares them.
fn check(
    content: &Content,
    pages: &HashMap<&str, &Page>,
    shown: &str,
    node: &RemotePage,
) -> Result<(), String> {
    if let Some(diagnostic) = content.diagnostics.iter().find(|d| d.path == shown) {
        return Err(diagnostic.message.clone());
    }
    let page = pages
        .get(shown)
        .ok_or_else(|| "the file would not be read as a page".to_owned())?;
    let fields = plan::diff(page, node);
    if fields.is_empty() {
        return Ok(());
    }
    if fields.iter().any(|f| f.field == Field::Body) {
        let (site, file) = first_difference(node.body.as_deref().unwrap_or_default(), &page.body);
        tracing::info!(
            "{}: the body read back differs from the site's; site: {site:?}, read back: {file:?}",
            shown
        );
    }
    let show = |value: &Option<String>| match value {
        Some(v) if !v.is_empty() => format!("`{v}`"),
        _ => "nothing".to_owned(),
    };
    Err(fields
        .iter()
        .map(|f| match f.field {
            Field::Body => "the Markdown renders different HTML".to_owned(),
            field => format!(
                "{field} would change from {} to {}",
                show(&f.before),
                show(&f.after)
            ),
        })
        .collect::<Vec<_>>()
        .join("; "))
}

/// Where two texts first differ: a few characters of each from there.
fn first_difference<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    let at = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    let start = a[..at].char_indices().rev().nth(20).map_or(0, |(i, _)| i);
    let cut = |s: &'a str| {
        let end = s[start..]
            .char_indices()
            .nth(60)
            .map_or(s.len(), |(i, _)| start + i);
        &s[start..end]
    };
    (cut(a), cut(b))
}
