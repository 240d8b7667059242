//! Read-back truth: after a write, what Drupal holds is compared with what was sent, so apply
//! never reports a change that did not land as sent. Drupal answers 201/200 and may still
//! store something else: pathauto replaces aliases (drupal-wire §7), a workflow decides the
//! status, a module rewrites a title or the HTML.
//!
//! Owns the comparison of the managed fields (title, alias and its id, status, body value,
//! format, summary) with the same rules as [`crate::plan::diff`], so a write that passes here
//! shows no change in the next plan. What visitors see after the text format's filters
//! (`body.processed`) is not compared here.

use std::fmt;

use crate::page::{Page, RemotePage, Source};
use crate::plan::{self, Field};

/// One field Drupal stored differently from what was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The file (and line) that defines the page.
    pub source: Source,
    pub field: Field,
    /// What drupal-sync sent.
    pub sent: Option<String>,
    /// What Drupal stored.
    pub stored: Option<String>,
    /// The most likely reason, with what to do about it.
    pub cause: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: &Option<String>| match v {
            Some(v) => format!("`{}`", shorten(v)),
            None => "nothing".to_owned(),
        };
        write!(
            f,
            "{}: Drupal stored {} {} where {} was sent\n  likely cause: {}",
            self.source,
            self.field,
            show(&self.stored),
            show(&self.sent),
            self.cause
        )
    }
}

/// What is known about the site when a write is checked.
#[derive(Debug, Clone, Copy, Default)]
pub struct SiteFacts {
    /// Whether the site runs pathauto (`None`: unknown, e.g. over core REST).
    pub pathauto: Option<bool>,
}

/// Compare `page` with the node Drupal holds after writing it; every difference is a
/// [`Mismatch`] naming the page's file, the field, both values and the likely cause.
pub fn check(page: &Page, stored: &RemotePage, facts: SiteFacts) -> Result<(), Vec<Mismatch>> {
    let mut mismatches: Vec<Mismatch> = plan::diff(page, stored)
        .into_iter()
        .map(|change| Mismatch {
            source: page.source.clone(),
            field: change.field,
            sent: change.after,
            stored: change.before,
            cause: cause(change.field, facts),
        })
        .collect();
    // An alias answered without its id was not saved as sent: pathauto replaces it after the
    // answer is made (drupal-wire 90, 92), so the echo alone would look right.
    if !page.alias_auto
        && stored.alias.is_some()
        && stored.alias_pid.is_none()
        && !mismatches.iter().any(|m| m.field == Field::Alias)
    {
        mismatches.push(Mismatch {
            source: page.source.clone(),
            field: Field::Alias,
            sent: Some(page.alias.clone()),
            stored: Some(format!(
                "{} (answered without an alias id: not saved as sent)",
                stored.alias.clone().unwrap_or_default()
            )),
            cause: cause(
                Field::Alias,
                SiteFacts {
                    pathauto: Some(true),
                },
            ),
        });
    }
    if mismatches.is_empty() {
        Ok(())
    } else {
        Err(mismatches)
    }
}

/// All mismatches as one message.
pub fn describe(mismatches: &[Mismatch]) -> String {
    let lines: Vec<String> = mismatches.iter().map(ToString::to_string).collect();
    format!(
        "the write was answered with success, but the site does not hold the page as sent:\n{}",
        lines.join("\n")
    )
}

fn cause(field: Field, facts: SiteFacts) -> String {
    match field {
        Field::Alias if facts.pathauto == Some(true) => {
            "the site runs pathauto, which generates this node's alias: a node pathauto aliased \
             once keeps its generated alias whatever is sent\n  hint: in Drupal, edit the node, \
             uncheck \"Generate automatic URL alias\" and save, then apply again; or set \
             `path: auto` to let pathauto choose"
                .to_owned()
        }
        Field::Alias => {
            "a module rewrote the alias (pathauto, redirect, …) or Drupal normalised it".to_owned()
        }
        Field::Title => "a module rewrote the title (e.g. auto_entitylabel)".to_owned(),
        Field::Status => {
            "a workflow (content moderation) or the content type's settings decide the status"
                .to_owned()
        }
        Field::Body => "a module or the text format rewrote the stored HTML".to_owned(),
        Field::Format => "the body field or the account does not allow this text format".to_owned(),
        Field::Summary => {
            "the body field has no summary (\"Summary input\" is off), so Drupal dropped it"
                .to_owned()
        }
    }
}

/// A value cut to one readable line.
fn shorten(value: &str) -> String {
    let line = value.replace(['\r', '\n'], "⏎");
    if line.chars().count() > 80 {
        format!("{}…", line.chars().take(79).collect::<String>())
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::{page, written};

    #[test]
    fn a_faithful_write_passes() {
        let about = page("about.md", 1, "about", "About", "<p>Hi</p>\n");
        assert_eq!(
            check(&about, &written(&about, 1), SiteFacts::default()),
            Ok(())
        );
    }

    #[test]
    fn an_alias_pathauto_took_names_file_field_values_and_cause() {
        // drupal-wire 94: the node holds the generated alias, not the one sent.
        let about = page("about.md", 1, "about", "Pathauto Title One", "<p>x</p>");
        let mut node = written(&about, 1);
        node.alias = Some("/pathauto-title-one".into());
        let facts = SiteFacts {
            pathauto: Some(true),
        };
        let mismatches = check(&about, &node, facts).unwrap_err();
        assert_eq!(mismatches.len(), 1);
        let text = mismatches[0].to_string();
        assert!(text.starts_with("content/about.md: Drupal stored alias `/pathauto-title-one` where `/about` was sent"), "{text}");
        assert!(text.contains("pathauto"), "{text}");
    }

    #[test]
    fn an_echo_without_alias_id_is_not_trusted() {
        // drupal-wire 90: 201 echoes the sent alias with `"pid": null`.
        let about = page("about.md", 1, "about", "About", "<p>x</p>");
        let mut node = written(&about, 1);
        node.alias_pid = None;
        let mismatches = check(&about, &node, SiteFacts::default()).unwrap_err();
        assert_eq!(mismatches[0].field, Field::Alias);
        assert!(mismatches[0].to_string().contains("not saved as sent"));
    }

    #[test]
    fn an_empty_body_stored_as_null_is_faithful() {
        let section = page("docs/_index.md", 1, "docs", "Docs", "");
        let mut node = written(&section, 1);
        node.body = None;
        node.format = None;
        assert_eq!(check(&section, &node, SiteFacts::default()), Ok(()));
        node.title = "Docs ".into();
        let mismatches = check(&section, &node, SiteFacts::default()).unwrap_err();
        assert_eq!(mismatches[0].field, Field::Title);
    }
}
