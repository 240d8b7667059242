//! The page keys (CONTRACT §1): parsed entries → typed [`Fields`], with a positioned problem
//! for every wrong type, bad value and unknown key.
//!
//! Shared by Markdown front matter and YAML page files; how a key was parsed is not this
//! module's concern, nor is anything that needs more than one page.

use uuid::Uuid;

use super::identity;
use super::text::Pos;
use super::value::Value;
use super::Problem;

/// One top-level key of a page definition and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    pub key: String,
    pub value: Value,
    pub pos: Pos,
}

/// Which file a page is defined in: YAML page files carry their body as a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    Markdown,
    Yaml,
}

/// A value and the position of the key that set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Located<T> {
    pub value: T,
    pub pos: Pos,
}

/// The page keys that were set and valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Fields {
    pub title: Option<Located<String>>,
    pub id: Option<Located<String>>,
    pub path: Option<Located<String>>,
    pub uuid: Option<Located<Uuid>>,
    /// `Some` when `status` or `draft` set it.
    pub published: Option<bool>,
    pub summary: Option<String>,
    pub format: Option<String>,
    pub aliases: Vec<String>,
    /// Markdown body of a YAML page (`body`).
    pub body: Option<Located<String>>,
    /// Raw HTML body of a YAML page (`body_html`).
    pub body_html: Option<String>,
    /// `menu:` (or Hugo's `menus:`) entries, positioned at the key.
    pub menu: Option<Located<Vec<crate::menu::Entry>>>,
    /// `linkTitle`: a menu link's title when its entry has no `name`.
    pub link_title: Option<String>,
    /// `weight`: a menu link's weight when its entry has none.
    pub weight: Option<i64>,
    /// Keys that were set but rejected (each with a problem reported).
    pub rejected: Vec<String>,
    /// `path: auto`: the site's pathauto makes the alias.
    pub path_auto: bool,
}

/// Drupal's limit on a node title, in characters (drupal-wire 5a: longer is a 422).
pub(super) const MAX_TITLE: usize = 255;

/// The error for a title over [`MAX_TITLE`].
pub(super) fn too_long_title(title: &str) -> String {
    format!(
        "the title is {} characters long; Drupal refuses titles over {MAX_TITLE}",
        title.chars().count()
    )
}

/// The `path` value that leaves the alias to the site's pathauto pattern.
pub(super) const AUTO_ALIAS: &str = "auto";

const PAGE_KEYS: &[&str] = &[
    "title", "path", "status", "draft", "summary", "format", "id", "uuid", "aliases",
];
/// Navigation keys (CONTRACT §8), read here and given meaning by `menu`.
const MENU_KEYS: &[&str] = &["menu", "menus", "linkTitle", "weight"];
const YAML_BODY_KEYS: &[&str] = &["body", "body_html"];
/// Keys Hugo, Zola and Jekyll use that mean nothing to Drupal (CONTRACT §1).
const IGNORED_KEYS: &[&str] = &[
    "date",
    "tags",
    "categories",
    "description",
    "slug",
    "keywords",
    "lastmod",
];

/// Read the page keys out of `entries`; a key with a problem is left unset.
pub(super) fn extract(entries: Vec<Entry>, origin: Origin) -> (Fields, Vec<Problem>) {
    let mut fields = Fields::default();
    let mut problems = Vec::new();
    let mut status: Option<(bool, &'static str, Pos)> = None;
    for Entry { key, value, pos } in entries {
        let result = match key.as_str() {
            "title" => match value {
                Value::String(s) if s.chars().count() > MAX_TITLE => Err(too_long_title(&s)),
                Value::String(s) if !s.trim().is_empty() => {
                    fields.title = Some(Located { value: s, pos });
                    Ok(())
                }
                Value::String(_) | Value::Null => Err("`title` is empty".to_owned()),
                other => Err(wrong_type("title", &other)),
            },
            "id" => match value {
                // Numeric ids are common in YAML lists; their text is the key.
                Value::Number(n) if n.bytes().all(|b| b.is_ascii_digit() || b == b'-') => {
                    fields.id = Some(Located { value: n, pos });
                    Ok(())
                }
                other => string(&key, other).and_then(|id| match id {
                    Some(id) if id.trim().is_empty() => Err("`id` is empty".to_owned()),
                    id => {
                        fields.id = id.map(|value| Located { value, pos });
                        Ok(())
                    }
                }),
            },
            "path" => string(&key, value).and_then(|path| {
                if path.as_deref() == Some(AUTO_ALIAS) {
                    fields.path_auto = true;
                    return Ok(());
                }
                if let Some(path) = &path {
                    identity::check_alias(path)
                        .map_err(|why| format!("invalid alias `{path}`: {why}"))?;
                }
                fields.path = path.map(|value| Located { value, pos });
                Ok(())
            }),
            "uuid" => string(&key, value).and_then(|uuid| {
                if let Some(uuid) = uuid {
                    let value = identity::parse_uuid(&uuid)?;
                    fields.uuid = Some(Located { value, pos });
                }
                Ok(())
            }),
            "status" => string(&key, value).and_then(|s| {
                let published = match s.as_deref() {
                    None => return Ok(()),
                    Some("published") => true,
                    Some("draft") => false,
                    Some(other) => {
                        return Err(format!(
                            "unknown status `{other}`, expected `published` or `draft`"
                        ))
                    }
                };
                agree(&mut status, published, "status", pos)
            }),
            "draft" => match value {
                Value::Bool(draft) => agree(&mut status, !draft, "draft", pos),
                Value::Null => Ok(()),
                other => Err(format!(
                    "`draft` must be `true` or `false`, found {}",
                    other.kind()
                )),
            },
            "summary" => string(&key, value).map(|s| {
                fields.summary = s.filter(|s| !s.is_empty());
            }),
            "format" => string(&key, value).and_then(|format| match format {
                Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') => {
                    Err(format!(
                        "`format` must be a text format's machine name such as `basic_html`, found `{f}`"
                    ))
                }
                format => {
                    fields.format = format;
                    Ok(())
                }
            }),
            "aliases" => aliases(value).map(|(list, bad)| {
                fields.aliases = list;
                // Every bad alias of a list is its own error, at the key.
                if !bad.is_empty() {
                    fields.rejected.push(key.clone());
                }
                problems.extend(bad.into_iter().map(|m| Problem::error(pos, m)));
            }),
            "menu" | "menus" => {
                if fields.menu.is_some() {
                    Err("a page has either `menu` or `menus`, not both".to_owned())
                } else {
                    menu_entries(value).map(|entries| {
                        fields.menu = Some(Located {
                            value: entries,
                            pos,
                        });
                    })
                }
            }
            "linkTitle" => string(&key, value).map(|t| {
                fields.link_title = t.filter(|t| !t.trim().is_empty());
            }),
            "weight" => integer("weight", &value).map(|w| fields.weight = w),
            "body" | "body_html" if origin == Origin::Yaml => string(&key, value).and_then(|text| {
                if fields.body.is_some() || fields.body_html.is_some() {
                    return Err(
                        "a page has either `body` (Markdown) or `body_html` (HTML), not both"
                            .to_owned(),
                    );
                }
                let text = text.unwrap_or_default();
                if key == "body" {
                    fields.body = Some(Located { value: text, pos });
                } else {
                    fields.body_html = Some(text);
                }
                Ok(())
            }),
            k if IGNORED_KEYS.contains(&k) => Ok(()),
            _ => {
                problems.push(Problem::warning(pos, unknown_key(&key, origin)));
                Ok(())
            }
        };
        if let Err(message) = result {
            problems.push(Problem::error(pos, message));
            fields.rejected.push(key);
        }
    }
    fields.published = status.map(|(published, _, _)| published);
    (fields, problems)
}

/// An integer value (`weight`), `None` for an empty one.
fn integer(key: &str, value: &Value) -> Result<Option<i64>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .parse()
            .map(Some)
            .map_err(|_| format!("`{key}` must be a whole number, found `{n}`")),
        other => Err(format!(
            "`{key}` must be a whole number, found {}",
            other.kind()
        )),
    }
}

/// Hugo's three forms of `menu`: a menu name, a list of names, or a mapping of menu names to
/// `{weight, parent, name}` (Hugo's `identifier`, `pre`, `post`, `title` and `params` are
/// accepted and not used).
fn menu_entries(value: Value) -> Result<Vec<crate::menu::Entry>, String> {
    let named = |name: String| -> Result<crate::menu::Entry, String> {
        if !crate::menu::valid_menu_name(&name) {
            return Err(format!(
                "`{name}` is not a menu's machine name (lowercase letters, digits, `-` and `_`, e.g. `main`)"
            ));
        }
        Ok(crate::menu::Entry {
            menu: name,
            name: None,
            weight: None,
            parent: None,
        })
    };
    match value {
        Value::Null => Ok(Vec::new()),
        Value::String(name) => Ok(vec![named(name)?]),
        Value::List(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(name) => named(name),
                other => Err(format!(
                    "`menu` must list menu names, found {} in it",
                    other.kind()
                )),
            })
            .collect(),
        Value::Map(menus) => menus
            .into_iter()
            .map(|(menu, settings)| {
                let mut entry = named(menu)?;
                let settings = match settings {
                    Value::Null => Vec::new(),
                    Value::Map(settings) => settings,
                    other => {
                        return Err(format!(
                            "menu `{}` must map to `{{weight, parent, name}}`, found {}",
                            entry.menu,
                            other.kind()
                        ))
                    }
                };
                for (key, value) in settings {
                    match key.as_str() {
                        "weight" => entry.weight = integer("menu weight", &value)?,
                        "parent" => entry.parent = string("parent", value)?.filter(|p| !p.is_empty()),
                        "name" => entry.name = string("name", value)?.filter(|n| !n.trim().is_empty()),
                        "identifier" | "pre" | "post" | "title" | "params" => {}
                        other => {
                            return Err(format!(
                                "unknown key `{other}` in menu `{}`: expected `weight`, `parent` or `name`",
                                entry.menu
                            ))
                        }
                    }
                }
                Ok(entry)
            })
            .collect(),
        other => Err(format!(
            "`menu` must be a menu name, a list of them, or a mapping of menu names to settings, found {}",
            other.kind()
        )),
    }
}

/// Record a status from `status` or `draft`, refusing one that contradicts the other.
fn agree(
    status: &mut Option<(bool, &'static str, Pos)>,
    published: bool,
    key: &'static str,
    pos: Pos,
) -> Result<(), String> {
    match *status {
        Some((before, other, at)) if before != published => Err(format!(
            "`{key}` contradicts `{other}` on line {}; keep one of them",
            at.line
        )),
        _ => {
            *status = Some((published, key, pos));
            Ok(())
        }
    }
}

/// A string value, `None` for an empty (null) one.
fn string(key: &str, value: Value) -> Result<Option<String>, String> {
    match value {
        Value::String(s) => Ok(Some(s)),
        Value::Null => Ok(None),
        other => Err(wrong_type(key, &other)),
    }
}

fn wrong_type(key: &str, value: &Value) -> String {
    let hint = match value {
        Value::Number(_) | Value::Bool(_) | Value::Datetime(_) => "; put it in quotes",
        _ => "",
    };
    format!("`{key}` must be a string, found {}{hint}", value.kind())
}

/// The valid aliases of a list (a trailing `/` dropped, as static sites write folders) and a
/// message for each invalid one.
fn aliases(value: Value) -> Result<(Vec<String>, Vec<String>), String> {
    let items = match value {
        Value::List(items) => items,
        Value::Null => Vec::new(),
        other => {
            return Err(format!(
                "`aliases` must be a list of previous aliases, found {}",
                other.kind()
            ))
        }
    };
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for item in items {
        match item {
            Value::String(written) => {
                let alias = match written.trim_end_matches('/') {
                    "" => written.clone(),
                    trimmed => trimmed.to_owned(),
                };
                match identity::check_alias(&alias) {
                    Ok(()) => good.push(alias),
                    Err(why) => bad.push(format!("invalid alias `{written}` in `aliases`: {why}")),
                }
            }
            other => {
                return Err(format!(
                    "`aliases` must be a list of strings, found {} in it",
                    other.kind()
                ))
            }
        }
    }
    Ok((good, bad))
}

fn unknown_key(original: &str, origin: Origin) -> String {
    let yaml_keys = if origin == Origin::Yaml {
        YAML_BODY_KEYS
    } else {
        &[]
    };
    let key = original.to_lowercase();
    let nearest = PAGE_KEYS
        .iter()
        .chain(MENU_KEYS)
        .chain(yaml_keys)
        .chain(IGNORED_KEYS)
        .map(|k| (k, (k.len() / 3).max(1)))
        // The length difference bounds the distance: skip what cannot be close, cheaply.
        .filter(|&(k, max)| k.len().abs_diff(key.len()) <= max)
        .map(|(k, max)| (strsim::damerau_levenshtein(&key, k), max, k))
        .filter(|&(distance, max, _)| distance <= max)
        .map(|(distance, _, k)| (distance, k))
        .min();
    match nearest {
        Some((_, k)) => format!("unknown front matter key `{original}`; did you mean `{k}`?"),
        None => format!("unknown front matter key `{original}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::value::from_yaml;
    use crate::content::Severity;

    /// Entries of a YAML mapping, each positioned on the line it is written on.
    fn entries(yaml: &str) -> Vec<Entry> {
        let Value::Map(map) = from_yaml(yaml).unwrap() else {
            panic!("{yaml}")
        };
        map.into_iter()
            .enumerate()
            .map(|(i, (key, value))| Entry {
                key,
                value,
                pos: Pos::line(i + 1),
            })
            .collect()
    }

    #[test]
    fn valid_fields() {
        let uuid = "0C6F6E2C-7A85-4E0B-9C55-6B53C3A3F0B1";
        let yaml = format!(
            "title: About\npath: /about-us\nstatus: draft\ndraft: true\nsummary: Who\n\
             format: full_html\nid: 42\nuuid: {uuid}\naliases: [/old, /older]\ndate: 2024-01-01\n\
             tags: [a]\n"
        );
        let (fields, problems) = extract(entries(&yaml), Origin::Markdown);
        assert_eq!(problems, vec![]);
        assert_eq!(fields.title.unwrap().value, "About");
        assert_eq!(fields.path.unwrap().value, "/about-us");
        assert_eq!(fields.published, Some(false));
        assert_eq!(fields.summary.as_deref(), Some("Who"));
        assert_eq!(fields.format.as_deref(), Some("full_html"));
        assert_eq!(fields.id.unwrap().value, "42");
        assert_eq!(fields.uuid.unwrap().value.to_string(), uuid.to_lowercase());
        assert_eq!(fields.aliases, ["/old", "/older"]);

        let (fields, _) = extract(entries("draft: false\n"), Origin::Markdown);
        assert_eq!(fields.published, Some(true));
        let (fields, _) = extract(entries("summary: ''\nbody: '# x'\n"), Origin::Yaml);
        assert_eq!((fields.published, fields.summary), (None, None));
        assert_eq!(fields.body.unwrap().value, "# x");
    }

    #[test]
    fn problems() {
        // (yaml, line of the problem, severity, message fragment)
        for (yaml, line, severity, needle) in [
            (
                "title: [a, b]\n",
                1,
                Severity::Error,
                "`title` must be a string, found a list",
            ),
            (
                "summary: s\ntitle: 1984\n",
                2,
                Severity::Error,
                "found a number; put it in quotes",
            ),
            ("title: ''\n", 1, Severity::Error, "`title` is empty"),
            ("title:\n", 1, Severity::Error, "`title` is empty"),
            (
                "path: {a: b}\n",
                1,
                Severity::Error,
                "`path` must be a string, found a mapping",
            ),
            (
                "path: about\n",
                1,
                Severity::Error,
                "invalid alias `about`: must start with `/`",
            ),
            (
                "path: /../admin\n",
                1,
                Severity::Error,
                "invalid alias `/../admin`",
            ),
            (
                "status: live\n",
                1,
                Severity::Error,
                "unknown status `live`, expected `published` or `draft`",
            ),
            (
                "status: published\ndraft: true\n",
                2,
                Severity::Error,
                "`draft` contradicts `status` on line 1",
            ),
            (
                "draft: yes please\n",
                1,
                Severity::Error,
                "`draft` must be `true` or `false`",
            ),
            (
                "uuid: not-a-uuid\n",
                1,
                Severity::Error,
                "malformed uuid `not-a-uuid`",
            ),
            ("id: ' '\n", 1, Severity::Error, "`id` is empty"),
            ("id: 1.5\n", 1, Severity::Error, "`id` must be a string"),
            ("format: Full HTML\n", 1, Severity::Error, "machine name"),
            ("aliases: /old\n", 1, Severity::Error, "must be a list"),
            (
                "aliases: [/ok, /admin/x]\n",
                1,
                Severity::Error,
                "invalid alias `/admin/x` in `aliases`",
            ),
            (
                "aliases: [[/a]]\n",
                1,
                Severity::Error,
                "found a list in it",
            ),
            (
                "body: x\n",
                1,
                Severity::Warning,
                "unknown front matter key `body`",
            ),
            (
                "titel: A\n",
                1,
                Severity::Warning,
                "unknown front matter key `titel`; did you mean `title`?",
            ),
            ("Title: A\n", 1, Severity::Warning, "did you mean `title`?"),
            (
                "layout: page\n",
                1,
                Severity::Warning,
                "unknown front matter key `layout`",
            ),
        ] {
            let (_, problems) = extract(entries(yaml), Origin::Markdown);
            assert_eq!(problems.len(), 1, "{yaml}: {problems:?}");
            let p = &problems[0];
            assert_eq!((p.pos.line, p.severity), (line, severity), "{yaml}: {p:?}");
            assert!(p.message.contains(needle), "{yaml}: {}", p.message);
        }
        let (_, problems) = extract(entries("body: x\nbody_html: <p>\n"), Origin::Yaml);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].pos.line, 2);
        assert!(problems[0].message.contains("not both"));
        let (_, problems) = extract(entries("layout: x\n"), Origin::Markdown);
        assert!(
            !problems[0].message.contains("did you mean"),
            "{}",
            problems[0].message
        );
    }
}
