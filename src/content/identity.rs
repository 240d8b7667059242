//! The parts of page identity (CONTRACT §2) that come from the content: keys derived from
//! file paths, the rules a URL alias must follow, and adopted UUIDs.
//!
//! Default aliases and derived UUIDs are [`crate::page`]'s; this module only feeds them.

use uuid::Uuid;

/// Path prefixes Drupal itself answers; an alias there would shadow or be shadowed by them.
const RESERVED_PREFIXES: &[&str] = &[
    "admin", "user", "node", "jsonapi", "rest_api", "jwt", "oauth", "system", "batch", "filter",
    "sites", "core",
];

/// The key of a page file from its path under the content dir (`/` separators, extension
/// included): the path without extension, a file named `index` or `_index` taking its folder's.
pub fn key_from_path(rel: &str) -> String {
    let (dir, name) = rel.rsplit_once('/').map_or(("", rel), |(d, n)| (d, n));
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    match (dir, stem) {
        ("", "index" | "_index") => "index".to_owned(),
        ("", stem) => stem.to_owned(),
        (dir, "index" | "_index") => dir.to_owned(),
        (dir, stem) => format!("{dir}/{stem}"),
    }
}

/// The longest alias Drupal stores (its `path_alias.alias` column; drupal-wire §8).
pub(super) const MAX_ALIAS: usize = 255;

/// Check a URL alias against CONTRACT §1, explaining what is wrong.
pub fn check_alias(alias: &str) -> Result<(), String> {
    if !alias.starts_with('/') {
        return Err("must start with `/`".to_owned());
    }
    let length = alias.chars().count();
    if length > MAX_ALIAS {
        return Err(format!(
            "it is {length} characters long; Drupal's alias column holds {MAX_ALIAS}"
        ));
    }
    if alias == "/" {
        return Err("`/` is the front page, which Drupal configures itself".to_owned());
    }
    if let Some(c) = alias
        .chars()
        .find(|&c| c.is_whitespace() || c.is_control() || c == '?' || c == '#')
    {
        return Err(match c {
            '?' | '#' => {
                format!("`{c}` is not allowed (a query or fragment is not part of a path)")
            }
            c => {
                format!("whitespace and control characters are not allowed (found {c:?}); use `-`")
            }
        });
    }
    let segments: Vec<&str> = alias[1..].split('/').collect();
    if segments.iter().any(|s| matches!(*s, "." | "..")) {
        return Err("`.` and `..` segments are not allowed".to_owned());
    }
    if alias.ends_with('/') {
        return Err(
            "must not end with `/` (Drupal strips it, so the alias would never match)".to_owned(),
        );
    }
    if segments.iter().any(|s| s.is_empty()) {
        return Err("empty segments (`//`) are not allowed".to_owned());
    }
    let first = segments[0].to_lowercase();
    if RESERVED_PREFIXES.contains(&first.as_str()) {
        return Err(format!(
            "`/{}` and everything under it belongs to Drupal; choose another path",
            segments[0]
        ));
    }
    Ok(())
}

/// Parse an adopted node UUID, written 8-4-4-4-12 in any case.
pub(super) fn parse_uuid(text: &str) -> Result<Uuid, String> {
    let malformed = || {
        format!("malformed uuid `{text}`, expected 8-4-4-4-12 hexadecimal digits such as `0c6f6e2c-7a85-4e0b-9c55-6b53c3a3f0b1`")
    };
    // `Uuid::parse_str` also takes braced, URN and unhyphenated forms, which Drupal never shows.
    if text.len() != 36 {
        return Err(malformed());
    }
    let uuid = Uuid::parse_str(text).map_err(|_| malformed())?;
    if uuid.is_nil() || uuid.is_max() {
        return Err(format!("uuid `{text}` cannot be a node's UUID"));
    }
    Ok(uuid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        for (rel, key) in [
            ("about.md", "about"),
            ("index.md", "index"),
            ("_index.md", "index"),
            ("team/index.md", "team"),
            ("team/_index.markdown", "team"),
            ("docs/api/_index.md", "docs/api"),
            ("Team/Our People.MD", "Team/Our People"),
            ("a.b.md", "a.b"),
            ("pages.yaml", "pages"),
            ("team/index.yml", "team"),
            ("team/indexes.md", "team/indexes"),
            ("team/Index.md", "team/Index"),
        ] {
            assert_eq!(key_from_path(rel), key, "{rel}");
        }
    }

    #[test]
    fn aliases() {
        for alias in [
            "/about",
            "/team/our-people",
            "/administrator-guide",
            "/users",
            "/nodes/x",
            "/v1..2",
            "/über",
            "/a.b_c~d-e",
        ] {
            assert_eq!(check_alias(alias), Ok(()), "{alias}");
        }
        for (alias, needle) in [
            ("about", "must start with `/`"),
            ("", "must start with `/`"),
            ("/", "front page"),
            ("/../admin", "`..` segments"),
            ("/a/./b", "`.` and `..`"),
            ("/a/..", "`..`"),
            ("/a?b=1", "`?` is not allowed"),
            ("/a#top", "`#` is not allowed"),
            ("/a b", "whitespace"),
            ("/a\tb", "whitespace"),
            ("/a\u{7}b", "control"),
            ("/about/", "must not end with `/`"),
            ("/a//b", "empty segments"),
            ("/admin", "`/admin` and everything under it"),
            ("/admin/x", "`/admin`"),
            ("/ADMIN/content", "`/ADMIN`"),
            ("/User", "belongs to Drupal"),
            ("/node/1", "belongs to Drupal"),
            ("/jsonapi", "belongs to Drupal"),
            ("/rest_api/id_token", "belongs to Drupal"),
            ("/jwt", "belongs to Drupal"),
            ("/oauth/token", "belongs to Drupal"),
            ("/system/files", "belongs to Drupal"),
            ("/batch", "belongs to Drupal"),
            ("/filter/tips", "belongs to Drupal"),
            ("/sites/default", "belongs to Drupal"),
            ("/core/install.php", "belongs to Drupal"),
        ] {
            let err = check_alias(alias).expect_err(alias);
            assert!(err.contains(needle), "{alias}: {err}");
        }
    }

    #[test]
    fn uuids() {
        let u = parse_uuid("0C6F6E2C-7A85-4E0B-9C55-6B53C3A3F0B1").unwrap();
        assert_eq!(u.to_string(), "0c6f6e2c-7a85-4e0b-9c55-6b53c3a3f0b1");
        for bad in [
            "",
            "0c6f6e2c7a854e0b9c556b53c3a3f0b1",
            "{0c6f6e2c-7a85-4e0b-9c55-6b53c3a3f0b}",
            "0c6f6e2c-7a85-4e0b-9c55-6b53c3a3f0bz",
            "00000000-0000-0000-0000-000000000000",
        ] {
            assert!(parse_uuid(bad).is_err(), "{bad}");
        }
    }
}
