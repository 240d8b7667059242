//! Checks across pages: no two pages may share a key, an adopted UUID or an alias (aliases
//! compare case-insensitively, as Drupal looks them up).
//!
//! Everything a single page can get wrong is found while reading that page, not here.

use std::collections::HashMap;

use uuid::Uuid;

use super::text::Pos;
use super::{Diagnostic, Severity};
use crate::page::Source;

/// What one page claims, and where each claim was written (the page's start when implicit).
#[derive(Debug, Clone)]
pub(super) struct Claim<'a> {
    pub source: &'a Source,
    pub key: &'a str,
    pub key_pos: Pos,
    pub uuid: Uuid,
    /// Whether the UUID was given with `uuid:`; derived UUIDs collide only when keys do.
    pub adopted: bool,
    pub uuid_pos: Pos,
    pub alias: &'a str,
    pub alias_pos: Pos,
}

/// One error for every claim an earlier page (in `claims` order) already made.
pub(super) fn duplicates(claims: &[Claim]) -> Vec<Diagnostic> {
    let mut keys: HashMap<&str, &Claim> = HashMap::new();
    let mut uuids: HashMap<Uuid, &Claim> = HashMap::new();
    let mut aliases: HashMap<String, &Claim> = HashMap::new();
    let mut found = Vec::new();
    let mut report = |claim: &Claim, pos: Pos, message: String| {
        found.push(Diagnostic {
            path: claim.source.path.clone(),
            line: pos.line,
            col: pos.col,
            severity: Severity::Error,
            message,
        });
    };
    for claim in claims {
        // A duplicate key usually brings the same default alias; one error says it.
        let mut alias_reported = false;
        if let Some(first) = keys.get(claim.key) {
            alias_reported = first.alias.eq_ignore_ascii_case(claim.alias);
            let message = format!(
                "duplicate key `{}`: {} has the same key; set a distinct `id` on one of them",
                claim.key,
                at(first)
            );
            report(claim, claim.key_pos, message);
        } else {
            keys.insert(claim.key, claim);
        }
        match uuids.get(&claim.uuid) {
            Some(first) if claim.adopted || first.adopted => {
                let message = format!(
                    "duplicate uuid `{}`: {} has the same uuid",
                    claim.uuid,
                    at(first)
                );
                report(claim, claim.uuid_pos, message);
            }
            Some(_) => {}
            None => {
                uuids.insert(claim.uuid, claim);
            }
        }
        // An empty alias is a `path: auto` page's: the site chooses it.
        if claim.alias.is_empty() {
            continue;
        }
        if let Some(first) = aliases
            .get(&claim.alias.to_lowercase())
            .filter(|_| !alias_reported)
        {
            let message = if first.alias == claim.alias {
                format!(
                    "duplicate alias `{}`: {} has the same alias",
                    claim.alias,
                    at(first)
                )
            } else {
                format!(
                    "duplicate alias `{}`: {} has `{}` (aliases compare case-insensitively)",
                    claim.alias,
                    at(first),
                    first.alias
                )
            };
            report(claim, claim.alias_pos, message);
        } else {
            aliases.insert(claim.alias.to_lowercase(), claim);
        }
    }
    found
}

fn at(claim: &Claim) -> String {
    format!("{}:{}", claim.source.path, claim.source.line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_name_the_first_page() {
        let sources: Vec<Source> = (1..=6)
            .map(|i| Source {
                path: format!("content/{i}.md"),
                line: i,
            })
            .collect();
        let adopted: Uuid = "0c6f6e2c-7a85-4e0b-9c55-6b53c3a3f0b1".parse().unwrap();
        // (key, uuid, adopted, alias)
        let pages = [
            ("a", Uuid::from_u128(1), false, "/a"),
            ("b", adopted, true, "/About"),
            ("a", Uuid::from_u128(1), false, "/a2"),
            ("c", adopted, true, "/about"),
            ("d", Uuid::from_u128(4), false, "/About"),
            ("e", Uuid::from_u128(5), false, "/e"),
        ];
        let claims: Vec<Claim> = pages
            .iter()
            .zip(&sources)
            .map(|(&(key, uuid, adopted, alias), source)| Claim {
                source,
                key,
                key_pos: Pos::line(source.line),
                uuid,
                adopted,
                uuid_pos: Pos::line(source.line),
                alias,
                alias_pos: Pos {
                    line: source.line,
                    col: 7,
                },
            })
            .collect();
        let got: Vec<(String, usize, usize, String)> = duplicates(&claims)
            .into_iter()
            .map(|d| (d.path, d.line, d.col, d.message))
            .collect();
        let want = [
            ("content/3.md", 3, 1, "duplicate key `a`: content/1.md:1 has the same key; set a distinct `id` on one of them"),
            ("content/4.md", 4, 1, "duplicate uuid `0c6f6e2c-7a85-4e0b-9c55-6b53c3a3f0b1`: content/2.md:2 has the same uuid"),
            ("content/4.md", 4, 7, "duplicate alias `/about`: content/2.md:2 has `/About` (aliases compare case-insensitively)"),
            ("content/5.md", 5, 7, "duplicate alias `/About`: content/2.md:2 has the same alias"),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|&(p, l, c, m)| (p.to_owned(), l, c, m.to_owned()))
            .collect();
        assert_eq!(got, want);
    }
}
