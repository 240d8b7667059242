//! The check that makes an import safe: every file is read back through the same content
//! pipeline `plan` uses (`content::load_with`, together with the rest of the content
//! directory) and compared with its node field by field, as `plan` compares them. A page is
//! written as Markdown only when that comparison finds nothing, so the next plan is clean;
//! otherwise as YAML with `body_html`, and a page that would not even round-trip that way is
//! skipped with the reason.
//!
//! Pages move one way only (Markdown styles in order, then HTML, then skipped), so the loop
//! ends; links to a page that leaves Markdown fall back to its alias on the next round.

use std::collections::HashMap;
use std::sync::Arc;

use super::convert::{self, Style};
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

/// Where a page stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// Trying `Style::ALL[i]`.
    Markdown(usize),
    Html,
    Skipped(String),
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
    let start = if html_only {
        State::Html
    } else {
        State::Markdown(0)
    };
    let mut states: Vec<State> = vec![start; chosen.len()];
    // Why the first Markdown attempt failed, for the summary.
    let mut why_html: Vec<Option<String>> = vec![None; chosen.len()];
    let texts = loop {
        let targets: convert::Targets = Arc::new(
            chosen
                .iter()
                .zip(&states)
                .filter(|(_, s)| matches!(s, State::Markdown(_)))
                .filter_map(|(c, _)| Some((c.node.alias.clone()?, format!("{}.md", c.stem))))
                .collect(),
        );
        let mut texts: Vec<Option<(String, String)>> = Vec::with_capacity(chosen.len());
        for (i, c) in chosen.iter().enumerate() {
            texts.push(loop {
                match render(c, &states[i], &targets, default_format) {
                    Ok(text) => break text,
                    Err(reason) => advance(&mut states[i], &mut why_html[i], reason),
                }
            });
        }
        let extra: Vec<(String, String)> = texts.iter().flatten().cloned().collect();
        let content = load(extra);
        let pages: HashMap<&str, &Page> = content
            .pages
            .iter()
            .map(|p| (p.source.path.as_str(), p))
            .collect();
        let mut changed = false;
        for (i, c) in chosen.iter().enumerate() {
            let Some((rel, _)) = &texts[i] else { continue };
            if let Err(reason) = check(&content, &pages, &display(rel), &c.node) {
                advance(&mut states[i], &mut why_html[i], reason);
                changed = true;
            }
        }
        if !changed {
            break texts;
        }
    };
    let mut settled = Settled::default();
    for (((chosen, state), text), why) in chosen.into_iter().zip(states).zip(texts).zip(why_html) {
        let form = match state {
            State::Skipped(reason) => {
                settled.skipped.push(Skipped {
                    node: chosen.node,
                    reason,
                });
                continue;
            }
            State::Markdown(_) => Form::Markdown,
            State::Html => Form::Html(why.unwrap_or_else(|| "--html".to_owned())),
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

/// Move a page that failed on to its next form.
fn advance(state: &mut State, why_html: &mut Option<String>, reason: String) {
    *state = match state {
        State::Markdown(i) => {
            why_html.get_or_insert(reason);
            if *i + 1 < Style::ALL.len() {
                State::Markdown(*i + 1)
            } else {
                State::Html
            }
        }
        State::Html => State::Skipped(format!(
            "even with its HTML kept as it is, the next plan would change it: {reason}"
        )),
        State::Skipped(reason) => State::Skipped(reason.clone()),
    };
}

/// The file of a page in its current form: path under the content dir and text.
fn render(
    chosen: &Chosen,
    state: &State,
    targets: &convert::Targets,
    default_format: &str,
) -> Result<Option<(String, String)>, String> {
    let body = chosen.node.body.as_deref().unwrap_or_default();
    let front = FrontMatter::of(&chosen.node, &chosen.key, default_format);
    Ok(Some(match state {
        State::Markdown(i) => {
            let rel = format!("{}.md", chosen.stem);
            let markdown = convert::to_markdown(body, Style::ALL[*i], &rel, targets)
                .ok_or("the HTML could not be read")?;
            let text = files::markdown(&front, &markdown);
            (rel, text)
        }
        State::Html => (format!("{}.yaml", chosen.stem), files::html(&front, body)),
        State::Skipped(_) => return Ok(None),
    }))
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
