//! Link derivation, validation and planning, table-driven over small page sets.

use super::*;
use crate::page::default_alias;

const NS: &str = "example-docs";

/// A page of file `file` (its key is the file without extension, `index` taking its folder's).
fn page(file: &str, title: &str, entries: &[(&str, Option<&str>)]) -> Page {
    let stem = file.trim_end_matches(".md");
    let (key, index) = match stem.rsplit_once('/') {
        Some((dir, "index")) => (dir.to_owned(), true),
        None if stem == "index" => ("index".to_owned(), true),
        _ => (stem.to_owned(), false),
    };
    Page {
        key: key.clone(),
        uuid: derive_uuid(NS, &key),
        adopted: false,
        source: Source {
            path: format!("content/{file}"),
            line: 1,
        },
        title: title.into(),
        alias: default_alias(&key),
        previous_aliases: vec![],
        published: true,
        status_explicit: false,
        body: String::new(),
        format: "basic_html".into(),
        summary: None,
        alias_auto: false,
        nav: Declared {
            entries: entries
                .iter()
                .map(|(menu, parent)| Entry {
                    menu: (*menu).into(),
                    name: None,
                    weight: None,
                    parent: parent.map(str::to_owned),
                })
                .collect(),
            link_title: None,
            weight: None,
            file: file.into(),
            folder_index: index,
            at: if entries.is_empty() { (0, 0) } else { (3, 1) },
        },
    }
}

fn folders(menu: &str) -> MenuOptions {
    MenuOptions {
        folders: Some(menu.into()),
    }
}

/// `menu › trail` of every link, sorted.
fn paths(links: &[Link]) -> Vec<String> {
    let mut out: Vec<String> = links
        .iter()
        .map(|l| format!("{} › {}", l.menu, l.trail.join(" › ")))
        .collect();
    out.sort();
    out
}

#[test]
fn folders_nest_links_like_the_content_directory() {
    let pages = vec![
        page("index.md", "Home", &[]),
        page("about.md", "About", &[]),
        page("docs/index.md", "Docs", &[]),
        page("docs/start.md", "Start", &[]),
        // A folder without an index page: its pages hang under the nearest index above.
        page("docs/api/v1.md", "V1", &[]),
        page("docs/guide/index.md", "Guide", &[]),
        page("docs/guide/deep/install.md", "Install", &[]),
        page("blog/post.md", "Post", &[]),
    ];
    let (links, problems) = derive(&pages, &folders("main"), NS);
    assert_eq!(problems, vec![]);
    assert_eq!(
        paths(&links),
        [
            "main › About",
            "main › Docs",
            "main › Docs › Guide",
            "main › Docs › Guide › Install",
            "main › Docs › Start",
            "main › Docs › V1",
            "main › Home",
            "main › Post",
        ]
    );
    let start = links.iter().find(|l| l.key == "docs/start").unwrap();
    assert_eq!(start.uuid, derive_uuid(NS, "menu:main:docs/start"));
    assert_eq!(start.parent, Some(derive_uuid(NS, "menu:main:docs")));
    assert_eq!(start.depth(), 1);
}

#[test]
fn titles_and_weights_fall_back_as_hugo_does() {
    let mut pages = vec![
        page("a.md", "Page A", &[("main", None)]),
        page("b.md", "Page B", &[("main", None)]),
        page("c.md", "Page C", &[("main", None)]),
    ];
    pages[0].nav.entries[0].name = Some("Named".into());
    pages[0].nav.link_title = Some("Short".into());
    pages[0].nav.entries[0].weight = Some(5);
    pages[0].nav.weight = Some(9);
    pages[1].nav.link_title = Some("Short B".into());
    pages[1].nav.weight = Some(-3);
    pages[2].published = false;
    let (links, problems) = derive(&pages, &MenuOptions::default(), NS);
    assert_eq!(problems, vec![]);
    let got: Vec<(&str, i64, bool)> = links
        .iter()
        .map(|l| (l.title.as_str(), l.weight, l.enabled))
        .collect();
    assert_eq!(
        got,
        [
            ("Named", 5, true),
            ("Short B", -3, true),
            ("Page C", 0, false)
        ]
    );
}

#[test]
fn explicit_entries_override_the_folder_defaults() {
    let mut pages = vec![
        page("docs/index.md", "Docs", &[]),
        page("docs/a.md", "A", &[("main", None), ("footer", None)]),
        page("docs/b.md", "B", &[("main", Some("docs/a"))]),
    ];
    pages[1].nav.entries[0].weight = Some(7);
    let (links, problems) = derive(&pages, &folders("main"), NS);
    assert_eq!(problems, vec![]);
    assert_eq!(
        paths(&links),
        [
            "footer › A",
            "main › Docs",
            "main › Docs › A",
            "main › Docs › A › B"
        ]
    );
    let a = links
        .iter()
        .find(|l| l.key == "docs/a" && l.menu == "main")
        .unwrap();
    assert_eq!(
        a.weight, 7,
        "the weight is explicit, the parent the folder's"
    );
}

#[test]
fn invalid_parents_cycles_and_duplicates_are_errors_at_the_menu_key() {
    for (pages, needle) in [
        (
            vec![page("a.md", "A", &[("main", Some("nope"))])],
            "parent `nope` in menu `main` is not a page",
        ),
        (
            vec![
                page("a.md", "A", &[("main", Some("b"))]),
                page("b.md", "B", &[("footer", None)]),
            ],
            "parent `b` in menu `main` is not in that menu",
        ),
        (
            vec![
                page("a.md", "A", &[("main", Some("b"))]),
                page("b.md", "B", &[("main", Some("a"))]),
            ],
            "has a cycle of parents",
        ),
        (
            vec![page("a.md", "A", &[("main", Some("a"))])],
            "cannot be its own parent",
        ),
        (
            vec![page("a.md", "A", &[("main", None), ("main", None)])],
            "is in menu `main` twice",
        ),
    ] {
        let (links, problems) = derive(&pages, &MenuOptions::default(), NS);
        assert!(!problems.is_empty(), "{needle}");
        for p in &problems {
            assert_eq!((p.line, p.col), (3, 1), "{p}");
            assert_eq!(p.severity, Severity::Error);
        }
        assert!(
            problems.iter().any(|p| p.message.contains(needle)),
            "{needle}: {problems:?}"
        );
        assert!(
            links
                .iter()
                .all(|l| l.parent.is_none() || needle.contains("twice")),
            "no link under a broken parent: {links:?}"
        );
    }
}

/// The site's copy of a desired link, as drupal-sync would have written it.
fn written(link: &Link, nid: u64) -> RemoteLink {
    RemoteLink {
        uuid: link.uuid,
        menu: link.menu.clone(),
        title: link.title.clone(),
        weight: link.weight,
        parent: link.parent.map(parent_ref),
        enabled: link.enabled,
        uri: node_uri(nid),
    }
}

fn context<'a>(pages: &'a [Page], prune: bool) -> LinkContext<'a> {
    LinkContext {
        nids: pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.uuid, 10 + i as u64))
            .collect(),
        keys: pages.iter().map(|p| p.key.as_str()).collect(),
        namespace: NS,
        prune,
    }
}

#[test]
fn planning_creates_updates_and_deletes_only_what_differs() {
    let pages = vec![
        page("docs/index.md", "Docs", &[]),
        page("docs/a.md", "A", &[]),
        page("docs/b.md", "B", &[]),
        page("c.md", "C", &[]),
    ];
    let (links, _) = derive(&pages, &folders("main"), NS);
    let index = |key: &str| pages.iter().position(|p| p.key == key).unwrap() as u64;
    let mut remote: Vec<RemoteLink> = links
        .iter()
        .map(|l| written(l, 10 + index(&l.key)))
        .collect();

    let (changes, unchanged) = plan(&links, &remote, &context(&pages, false));
    assert_eq!((changes.len(), unchanged), (0, 4), "{changes:?}");

    // On the site: A retitled and moved to the top, C missing, a stray link of a page
    // that dropped its entry, one of a page with no source, and a hand-made one.
    let a = remote.iter_mut().find(|r| r.title == "A").unwrap();
    a.title = "Old A".into();
    a.parent = None;
    remote.retain(|r| r.title != "C");
    let dropped = RemoteLink {
        uuid: link_uuid(NS, "footer", "docs/b"),
        menu: "footer".into(),
        title: "B".into(),
        uri: node_uri(12),
        enabled: true,
        ..RemoteLink::default()
    };
    let orphan = RemoteLink {
        uuid: link_uuid(NS, "main", "gone"),
        menu: "main".into(),
        title: "Gone".into(),
        uri: node_uri(99),
        enabled: true,
        ..RemoteLink::default()
    };
    let hand_made = RemoteLink {
        uuid: "1c50805e-7836-4667-acf3-34b82481c4eb".parse().unwrap(),
        menu: "main".into(),
        title: "By hand".into(),
        ..RemoteLink::default()
    };
    remote.extend([dropped, orphan, hand_made]);

    for (prune, deleted) in [
        (false, vec!["footer › B"]),
        (true, vec!["footer › B", "main › Gone"]),
    ] {
        let (changes, unchanged) = plan(&links, &remote, &context(&pages, prune));
        assert_eq!(unchanged, 2);
        let summary: Vec<(Action, String)> = changes.iter().map(|c| (c.action, c.path())).collect();
        let mut want = vec![
            (Action::Create, "main › C".to_owned()),
            (Action::Update, "main › Docs › A".to_owned()),
        ];
        want.extend(deleted.iter().map(|d| (Action::Delete, (*d).to_owned())));
        assert_eq!(summary, want, "prune {prune}");
        let update = &changes[1];
        let fields: Vec<(LinkField, Option<&str>, Option<&str>)> = update
            .fields
            .iter()
            .map(|f| (f.field, f.before.as_deref(), f.after.as_deref()))
            .collect();
        assert_eq!(
            fields,
            [
                (LinkField::Title, Some("Old A"), Some("A")),
                (LinkField::Parent, Some("(top)"), Some("Docs")),
            ]
        );
    }
}

#[test]
fn a_moved_node_updates_the_link_target() {
    let pages = vec![page("a.md", "A", &[("main", None)])];
    let (links, _) = derive(&pages, &MenuOptions::default(), NS);
    let remote = vec![written(&links[0], 3)];
    let (changes, _) = plan(&links, &remote, &context(&pages, false));
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].fields[0].field, LinkField::Link);
    assert_eq!(
        changes[0].fields[0].after.as_deref(),
        Some("entity:node/10")
    );
}

#[test]
fn menus_are_checked_against_the_site() {
    let pages = vec![
        page("a.md", "A", &[("mian", None)]),
        page("b.md", "B", &[("main", None)]),
    ];
    let (links, _) = derive(&pages, &MenuOptions::default(), NS);
    let (changes, _) = plan(&links, &[], &context(&pages, false));
    let site: Vec<String> = ["account", "footer", "main"].map(String::from).to_vec();
    let problems = check_menus(
        &changes,
        Some(&site),
        "ci",
        &MenuOptions::default(),
        "drupal-sync.toml",
    );
    assert_eq!(
        problems,
        ["content/a.md:3:1: unknown menu `mian`; the site has menus `account`, `footer`, `main`"]
    );
    let problems = check_menus(&changes, None, "editor", &MenuOptions::default(), "x");
    assert_eq!(problems.len(), 1);
    assert!(problems[0].contains("`editor`"), "{}", problems[0]);
    assert!(problems[0].contains("administer menu"), "{}", problems[0]);

    let (links, _) = derive(&pages[1..], &folders("mian"), NS);
    let (changes, _) = plan(&links, &[], &context(&pages[1..], false));
    let problems = check_menus(
        &changes,
        Some(&site),
        "ci",
        &folders("mian"),
        "drupal-sync.toml",
    );
    assert_eq!(
        problems,
        ["drupal-sync.toml: [menus].folders names unknown menu `mian`; the site has menus `account`, `footer`, `main`"]
    );
}

#[test]
fn saved_link_changes_go_stale_when_the_site_moves() {
    let pages = vec![page("a.md", "A", &[("main", None)])];
    let (links, _) = derive(&pages, &MenuOptions::default(), NS);
    let (changes, _) = plan(&links, &[], &context(&pages, false));
    assert!(stale(&changes, &[]).is_empty());
    assert_eq!(stale(&changes, &[written(&links[0], 10)]).len(), 1);
}
