//! pathauto, the most installed contrib module, as `sandbox --pathauto PATTERN` plays it
//! (drupal-wire §7): a node saved without `"pathauto": 0` in its `path` gets the alias the
//! pattern makes from its title, whatever alias was sent, and keeps getting it on every save.
//!
//! Owns the pattern and the cleaning of token values; which nodes pathauto owns, and when it
//! regenerates their alias, is [`super::state`]'s.

use serde_json::{json, Value};

use super::state::{PathChange, Site};

/// A write to a node pathauto owns answers with the `path` that was sent, not the alias
/// pathauto keeps (drupal-wire 90, 92, 98, 99): only a read-back tells the truth.
pub(super) fn echo_sent_path(site: &Site, nid: u64, sent: Option<&PathChange>, path: &mut Value) {
    if let (Some(sent), true) = (sent, site.pathauto_owns(nid)) {
        path["alias"] = json!(sent.alias);
        path["pid"] = json!(sent.pid);
    }
}

/// A URL alias pattern such as `[node:title]` or `docs/[node:title]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(String);

/// pathauto's default "maximum component length".
const MAX_COMPONENT: usize = 100;

impl Pattern {
    /// The pattern as given on the command line.
    pub fn new(pattern: &str) -> Pattern {
        Pattern(pattern.trim().trim_matches('/').to_owned())
    }

    /// The alias for a node: every token replaced by its cleaned value, `/` in front.
    /// Known tokens: `[node:title]`, `[node:nid]`, `[node:content-type]`; others become empty.
    pub fn alias(&self, title: &str, nid: u64) -> String {
        let mut alias = String::from("/");
        let mut rest = self.0.as_str();
        while let Some(start) = rest.find('[') {
            alias.push_str(&rest[..start]);
            let Some(end) = rest[start..].find(']') else {
                alias.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let value = match &rest[start + 1..start + end] {
                "node:title" => title.to_owned(),
                "node:nid" => nid.to_string(),
                "node:content-type" => "page".to_owned(),
                _ => String::new(),
            };
            alias.push_str(&clean(&value));
            rest = &rest[start + end + 1..];
        }
        alias.push_str(rest);
        alias
    }
}

/// Cleans a token value the way pathauto does by default: lowercase, punctuation dropped,
/// runs of spaces to one `-`, no `-` at either end, at most 100 characters.
pub(super) fn clean(value: &str) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    for c in value.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c);
        } else if c.is_whitespace() || c == '-' || c == '_' {
            pending_dash = true;
        }
    }
    let cut: String = out.chars().take(MAX_COMPONENT).collect();
    cut.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_like_pathauto() {
        for (title, alias) in [
            ("Pathauto Title One", "/pathauto-title-one"),
            ("  Spaced   title  ", "/spaced-title"),
            ("What's new? (2024)", "/whats-new-2024"),
            ("Über uns", "/über-uns"),
            ("a - b", "/a-b"),
            ("!!!", "/"),
        ] {
            assert_eq!(
                Pattern::new("[node:title]").alias(title, 1),
                alias,
                "{title:?}"
            );
        }
    }

    #[test]
    fn patterns_keep_their_literal_text() {
        let pattern = Pattern::new("/docs/[node:title]-[node:nid]");
        assert_eq!(
            pattern.alias("Getting Started", 7),
            "/docs/getting-started-7"
        );
        assert_eq!(Pattern::new("[node:unknown]x").alias("T", 1), "/x");
    }
}
