//! Which of the site's pages are imported, and the file each is written to: aliases filtered
//! by prefix, pages the content already defines or that could not be content skipped with a
//! reason, and one distinct file per node named after its alias (`/docs/guide` →
//! `docs/guide`). Pure: the existing content and the files on disk are given.

use std::collections::{HashMap, HashSet};

use crate::content::{check_alias, key_from_path};
use crate::page::{belongs_to, Page, RemotePage};

/// The page file extensions; a file with any of them at a node's path claims its key.
pub const EXTENSIONS: [&str; 4] = ["md", "markdown", "yaml", "yml"];

/// Which pages to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    All,
    /// Pages whose alias is this prefix or under it (compared case-insensitively, as Drupal
    /// compares aliases); no trailing `/`.
    Prefix(String),
}

impl Selection {
    /// Whether `alias` is selected.
    pub fn matches(&self, alias: Option<&str>) -> bool {
        match self {
            Selection::All => true,
            Selection::Prefix(prefix) => alias.is_some_and(|alias| {
                let alias = alias.to_lowercase();
                let prefix = prefix.to_lowercase();
                alias == prefix || prefix == "/" || alias.starts_with(&format!("{prefix}/"))
            }),
        }
    }
}

/// A node to import and where: `stem` is its file's path under the content dir without
/// extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub node: RemotePage,
    pub stem: String,
    pub key: String,
}

/// A node that is not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub node: RemotePage,
    pub reason: String,
}

/// What [`select`] decided.
#[derive(Debug, Default)]
pub struct Selected {
    pub chosen: Vec<Chosen>,
    pub skipped: Vec<Skipped>,
    /// Existing files (paths under the content dir) at the chosen nodes' paths.
    pub conflicts: Vec<String>,
    /// Nodes outside the selection.
    pub unselected: usize,
}

/// Where the files go and what is there already.
pub struct Context<'a> {
    pub namespace: &'a str,
    /// Folder under the content dir the files are written in (`""`: the content dir).
    pub folder: &'a str,
    /// The pages the content directory defines now.
    pub existing: &'a [Page],
    /// Whether a file exists at this path under the content dir.
    pub exists: &'a dyn Fn(&str) -> bool,
}

/// Choose the nodes to import (in nid order) and their files.
pub fn select(mut nodes: Vec<RemotePage>, selection: &Selection, cx: &Context) -> Selected {
    nodes.sort_by_key(|n| (n.nid, n.uuid));
    let mut by_uuid: HashMap<uuid::Uuid, &Page> = HashMap::new();
    let mut by_alias: HashMap<String, &Page> = HashMap::new();
    let mut existing_keys: HashSet<String> = HashSet::new();
    for page in cx.existing {
        by_uuid.insert(page.uuid, page);
        by_alias.insert(page.alias.to_lowercase(), page);
        existing_keys.insert(page.key.to_lowercase());
    }
    let mut chosen_aliases: HashMap<String, &RemotePage> = HashMap::new();
    let mut chosen_keys: HashSet<String> = HashSet::new();
    let mut selected = Selected::default();
    let mut chosen = Vec::new();
    for node in &nodes {
        if !selection.matches(node.alias.as_deref()) {
            selected.unselected += 1;
            continue;
        }
        let source = |page: &Page| page.source.path.clone();
        let skip = |reason: String| Skipped {
            node: node.clone(),
            reason,
        };
        if belongs_to(&node.uuid, cx.namespace) {
            selected.skipped.push(skip(format!(
                "published by drupal-sync from this content (namespace `{}`)",
                cx.namespace
            )));
            continue;
        }
        let Some(alias) = node.alias.as_deref() else {
            selected.skipped.push(skip(
                "has no URL alias, which every drupal-sync page has; give it one in Drupal and import again".into(),
            ));
            continue;
        };
        if let Err(why) = check_alias(alias) {
            selected.skipped.push(skip(format!(
                "its alias cannot be a drupal-sync path: {why}"
            )));
            continue;
        }
        if let Some(first) = chosen_aliases.get(&alias.to_lowercase()) {
            selected.skipped.push(skip(format!(
                "node {} has the same alias{}; Drupal serves only one of them",
                first
                    .nid
                    .map_or_else(|| first.uuid.to_string(), |n| n.to_string()),
                if first.alias.as_deref() == Some(alias) {
                    String::new()
                } else {
                    format!(" (`{}`)", first.alias.as_deref().unwrap_or_default())
                }
            )));
            continue;
        }
        let natural = natural_stem(cx.folder, alias);
        let at_natural = EXTENSIONS
            .iter()
            .any(|ext| (cx.exists)(&format!("{natural}.{ext}")));
        // Files at the node's own path stop the run (below) whatever they define.
        if !at_natural {
            if let Some(page) = by_uuid.get(&node.uuid) {
                selected
                    .skipped
                    .push(skip(format!("already in {}", source(page))));
                continue;
            }
            if let Some(page) = by_alias.get(&alias.to_lowercase()) {
                selected.skipped.push(skip(format!(
                    "{} already has its alias (`{}`)",
                    source(page),
                    page.alias
                )));
                continue;
            }
        }
        let (stem, key) = allocate(&natural, &chosen_keys, &existing_keys, cx);
        chosen_keys.insert(key.to_lowercase());
        chosen_aliases.insert(alias.to_lowercase(), node);
        selected.conflicts.extend(
            EXTENSIONS
                .iter()
                .map(|ext| format!("{stem}.{ext}"))
                .filter(|rel| (cx.exists)(rel)),
        );
        chosen.push(Chosen {
            node: node.clone(),
            stem,
            key,
        });
    }
    selected.chosen = chosen;
    selected
}

/// The first free name at or after `natural`: `natural`, `natural-2`, … A name taken by
/// another imported node, or whose key an existing page has, is not free; one with files at
/// it is taken anyway, so that the run stops naming them instead of writing beside them.
fn allocate(
    natural: &str,
    chosen_keys: &HashSet<String>,
    existing_keys: &HashSet<String>,
    cx: &Context,
) -> (String, String) {
    let mut n = 1;
    loop {
        let stem = if n == 1 {
            natural.to_owned()
        } else {
            format!("{natural}-{n}")
        };
        let key = key_from_path(&format!("{stem}.md"));
        let lower = key.to_lowercase();
        let files_here = EXTENSIONS
            .iter()
            .any(|ext| (cx.exists)(&format!("{stem}.{ext}")));
        if !chosen_keys.contains(&lower) && (files_here || !existing_keys.contains(&lower)) {
            return (stem, key);
        }
        n += 1;
    }
}

/// The file path (without extension) an alias suggests: its segments, made safe as file
/// names on every system, under `folder`.
pub fn natural_stem(folder: &str, alias: &str) -> String {
    let mut parts: Vec<String> = folder
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    parts.extend(alias.split('/').filter(|s| !s.is_empty()).map(file_name));
    parts.join("/")
}

/// A path segment as a file name: characters some systems refuse become `-`, a leading `.`
/// (a hidden file, never read) too, and very long names are cut.
fn file_name(segment: &str) -> String {
    let mut name: String = segment
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\\' | ':' | '*' | '"' | '<' | '>' | '|') {
                '-'
            } else {
                c
            }
        })
        .collect();
    if name.starts_with('.') {
        name.replace_range(..1, "-");
    }
    let mut end = name.len().min(200);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name.truncate(end);
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{derive_uuid, Source};

    fn node(nid: u64, alias: Option<&str>) -> RemotePage {
        RemotePage {
            uuid: uuid::Uuid::from_u128(
                u128::from(nid) | 0x4000_0000_0000_8000_0000_0000_0000_0000,
            ),
            nid: Some(nid),
            title: format!("Node {nid}"),
            alias: alias.map(str::to_owned),
            published: true,
            ..RemotePage::default()
        }
    }

    /// A page of the content, as `content::load` makes them.
    fn existing(key: &str, alias: &str, uuid: uuid::Uuid, path: &str) -> Page {
        let dir = tempfile::tempdir().unwrap();
        let options = super::super::tests::options(dir.path());
        let text = format!("---\ntitle: x\nid: {key}\npath: {alias}\nuuid: {uuid}\n---\n");
        let loaded = crate::content::load_with(&options, vec![("x.md".into(), text)]);
        let page = loaded.pages.into_iter().next().unwrap();
        Page {
            source: Source {
                path: path.into(),
                line: 1,
            },
            ..page
        }
    }

    fn run(
        nodes: Vec<RemotePage>,
        selection: Selection,
        existing: &[Page],
        files: &[&str],
    ) -> Selected {
        let exists = |rel: &str| files.contains(&rel);
        select(
            nodes,
            &selection,
            &Context {
                namespace: "ns",
                folder: "",
                existing,
                exists: &exists,
            },
        )
    }

    #[test]
    fn prefixes_match_whole_segments() {
        let prefix = Selection::Prefix("/docs".into());
        for (alias, matches) in [
            (Some("/docs"), true),
            (Some("/docs/guide"), true),
            (Some("/Docs/Guide"), true),
            (Some("/docsearch"), false),
            (Some("/about"), false),
            (None, false),
        ] {
            assert_eq!(prefix.matches(alias), matches, "{alias:?}");
        }
        assert!(Selection::All.matches(None));
    }

    #[test]
    fn stems_follow_aliases() {
        for (folder, alias, stem) in [
            ("", "/docs/guide", "docs/guide"),
            ("imported", "/about", "imported/about"),
            ("", "/docs/über uns", "docs/über uns"),
            ("", "/a:b/.env", "a-b/-env"),
        ] {
            assert_eq!(natural_stem(folder, alias), stem);
        }
        assert_eq!(
            natural_stem("", &format!("/{}", "é".repeat(150))).len(),
            200
        );
    }

    #[test]
    fn skips_say_why() {
        let mine = RemotePage {
            uuid: derive_uuid("ns", "about"),
            ..node(1, Some("/mine"))
        };
        let adopted = node(5, Some("/adopted"));
        let existing = [
            existing(
                "adopted-elsewhere",
                "/adopted",
                adopted.uuid,
                "content/moved.md",
            ),
            existing(
                "taken",
                "/taken",
                uuid::Uuid::from_u128(99),
                "content/taken.md",
            ),
        ];
        let selected = run(
            vec![
                mine,
                node(2, None),
                node(3, Some("/admin/x")),
                node(4, Some("/dup")),
                adopted,
                node(6, Some("/DUP")),
                node(7, Some("/taken")),
                node(8, Some("/fine")),
            ],
            Selection::All,
            &existing,
            &[],
        );
        let reasons: Vec<(u64, &str)> = selected
            .skipped
            .iter()
            .map(|s| (s.node.nid.unwrap(), s.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (1, "published by drupal-sync from this content (namespace `ns`)"),
                (2, "has no URL alias, which every drupal-sync page has; give it one in Drupal and import again"),
                (3, "its alias cannot be a drupal-sync path: `/admin` and everything under it belongs to Drupal; choose another path"),
                (5, "already in content/moved.md"),
                (6, "node 4 has the same alias (`/dup`); Drupal serves only one of them"),
                (7, "content/taken.md already has its alias (`/taken`)"),
            ]
        );
        let stems: Vec<&str> = selected.chosen.iter().map(|c| c.stem.as_str()).collect();
        assert_eq!(stems, ["dup", "fine"]);
        assert!(selected.conflicts.is_empty());
    }

    #[test]
    fn distinct_names_and_conflicts() {
        let existing = [existing(
            "docs",
            "/documentation",
            uuid::Uuid::from_u128(99),
            "content/docs/index.md",
        )];
        let selected = run(
            vec![
                node(1, Some("/a:b")),
                node(2, Some("/a-b")),
                node(3, Some("/docs")),
                node(4, Some("/present")),
                node(5, Some("/team/index")),
                node(6, Some("/team")),
            ],
            Selection::All,
            &existing,
            &["present.yaml", "docs/index.md"],
        );
        let stems: Vec<(&str, &str)> = selected
            .chosen
            .iter()
            .map(|c| (c.stem.as_str(), c.key.as_str()))
            .collect();
        assert_eq!(
            stems,
            [
                ("a-b", "a-b"),
                ("a-b-2", "a-b-2"),
                ("docs-2", "docs-2"),
                ("present", "present"),
                ("team/index", "team"),
                ("team-2", "team-2"),
            ]
        );
        assert_eq!(selected.conflicts, ["present.yaml"]);
    }
}
