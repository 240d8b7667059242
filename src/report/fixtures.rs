//! Plans and apply reports the renderers' tests share. They are made by the real
//! [`crate::plan::plan`] from desired pages and a remote state, so the tests render what a
//! run would render.

use std::collections::HashSet;

use crate::apply::{ApplyReport, ChangeResult, Outcome};
use crate::page::{default_alias, derive_uuid, Page, RemotePage, Source};
use crate::plan::OnDrift;
use crate::plan::{self, Plan, PlanOptions, RemoteState};

pub(crate) const NS: &str = "example-docs";
pub(crate) const SITE: &str = "https://www.example.com";

/// A page defined at line `line` of `path` (under `content/`).
pub(crate) fn page(path: &str, line: usize, key: &str, title: &str, body: &str) -> Page {
    Page {
        key: key.into(),
        uuid: derive_uuid(NS, key),
        adopted: false,
        source: Source {
            path: format!("content/{path}"),
            line,
        },
        title: title.into(),
        alias: default_alias(key),
        previous_aliases: vec![],
        published: true,
        status_explicit: false,
        body: body.into(),
        format: "basic_html".into(),
        summary: None,
        alias_auto: false,
        nav: Default::default(),
    }
}

/// The node drupal-sync leaves after writing `page`.
pub(crate) fn written(page: &Page, nid: u64) -> RemotePage {
    RemotePage {
        uuid: page.uuid,
        nid: Some(nid),
        vid: Some(nid),
        title: page.title.clone(),
        alias: Some(page.alias.clone()),
        alias_pid: Some(nid),
        published: page.published,
        body: Some(page.body.clone()),
        format: Some(page.format.clone()),
        summary: page.summary.clone(),
        changed: Some("2026-11-29T19:51:43+00:00".into()),
        revision_log: Some(plan::revision_log("drupal-sync", page)),
        processed: None,
    }
}

fn plan_of(
    desired: &[Page],
    remote: Vec<RemotePage>,
    namespace: Option<Vec<RemotePage>>,
    on_drift: OnDrift,
) -> Plan {
    plan::plan(
        desired,
        &RemoteState {
            pages: remote.into_iter().map(|n| (n.uuid, n)).collect(),
            namespace_pages: namespace,
        },
        &PlanOptions {
            namespace: NS.into(),
            on_drift,
            known: HashSet::new(),
            lookup_by_uuid: true,
        },
    )
}

/// Pages already on the site, unchanged: `(pages, nodes)`.
fn in_sync(count: usize) -> (Vec<Page>, Vec<RemotePage>) {
    let pages: Vec<Page> = (0..count)
        .map(|i| {
            page(
                &format!("docs/page-{i}.md"),
                1,
                &format!("docs/page-{i}"),
                &format!("Page {i}"),
                "<p>Same</p>\n",
            )
        })
        .collect();
    let nodes = pages
        .iter()
        .enumerate()
        .map(|(i, p)| written(p, 100 + i as u64))
        .collect();
    (pages, nodes)
}

/// Three new pages (one from a YAML `pages:` list) next to two unchanged ones.
pub(crate) fn creates() -> Plan {
    let (mut pages, nodes) = in_sync(2);
    pages.push(page(
        "about.md",
        1,
        "about",
        "About us",
        "<h2>Who we are</h2>\n<p>A small team.</p>\n",
    ));
    pages.push(page(
        "blog/first-post.md",
        1,
        "blog/first-post",
        "Our \"first\" post",
        "<p>Hello.</p>\n",
    ));
    pages.push(page(
        "pages.yaml",
        4,
        "contact",
        "Contact | Support",
        "<p>Mail us.</p>\n",
    ));
    plan_of(&pages, nodes, None, OnDrift::Overwrite)
}

fn team_before() -> Page {
    page(
        "team.md",
        1,
        "team",
        "Team",
        "<h2>People</h2>\n<p>Old</p>\n<ul>\n<li>Ada</li>\n</ul>\n",
    )
}

fn team_after() -> Page {
    page(
        "team.md",
        1,
        "team",
        "Our team",
        "<h2>People</h2>\n<p>New</p>\n<ul>\n<li>Ada</li>\n<li>Grace</li>\n</ul>\n",
    )
}

/// An update changed in git: a new title and a body diff.
pub(crate) fn update() -> Plan {
    let (mut pages, mut nodes) = in_sync(3);
    nodes.push(written(&team_before(), 7));
    pages.push(team_after());
    plan_of(&pages, nodes, None, OnDrift::Overwrite)
}

/// `--prune` finds a page of the namespace that no source defines.
pub(crate) fn delete() -> Plan {
    let (pages, nodes) = in_sync(2);
    let old = written(
        &page("old-page.md", 1, "old-page", "Old page", "<p>Gone</p>\n"),
        9,
    );
    let namespace: Vec<RemotePage> = nodes.iter().cloned().chain([old]).collect();
    plan_of(&pages, nodes, Some(namespace), OnDrift::Overwrite)
}

/// `/pricing` edited on the site since drupal-sync wrote it: `(pages, nodes)`.
fn drifted() -> (Vec<Page>, Vec<RemotePage>) {
    let (mut pages, mut nodes) = in_sync(1);
    let pricing = page(
        "pricing.md",
        1,
        "pricing",
        "Pricing",
        "<p>Free for everyone.</p>\n",
    );
    let mut node = written(&pricing, 11);
    node.title = "Pricing (edited in Drupal)".into();
    node.body = Some("<p>Free for everyone.</p>\n<p>Call us for a quote.</p>\n".into());
    pages.push(pricing);
    nodes.push(node);
    (pages, nodes)
}

/// A drifted page overwritten (`--on-drift overwrite`, the default).
pub(crate) fn drift_overwrite() -> Plan {
    let (pages, nodes) = drifted();
    plan_of(&pages, nodes, None, OnDrift::Overwrite)
}

/// A drifted page left alone (`--on-drift skip`).
pub(crate) fn drift_skipped() -> Plan {
    let (pages, nodes) = drifted();
    plan_of(&pages, nodes, None, OnDrift::Skip)
}

/// Everything already matches.
pub(crate) fn no_changes() -> Plan {
    let (pages, nodes) = in_sync(12);
    plan_of(&pages, nodes, None, OnDrift::Overwrite)
}

/// Creates, a git update, a drift overwrite and a delete in one plan.
pub(crate) fn mixed() -> Plan {
    let (mut pages, mut nodes) = drifted();
    pages.push(page(
        "about.md",
        1,
        "about",
        "About us",
        "<p>A small team.</p>\n",
    ));
    pages.push(page(
        "pages.yaml",
        4,
        "contact",
        "Contact",
        "<p>Mail us.</p>\n",
    ));
    nodes.push(written(&team_before(), 7));
    pages.push(team_after());
    let old = written(
        &page("old-page.md", 1, "old-page", "Old page", "<p>Gone</p>\n"),
        9,
    );
    let namespace: Vec<RemotePage> = nodes.iter().cloned().chain([old]).collect();
    plan_of(&pages, nodes, Some(namespace), OnDrift::Overwrite)
}

/// An update whose body gains a hundred paragraphs.
pub(crate) fn long_body() -> Plan {
    let before = page("handbook.md", 1, "handbook", "Handbook", "<p>Intro</p>\n");
    let mut after = before.clone();
    after.body = std::iter::once("<p>Intro</p>\n".to_owned())
        .chain((1..=100).map(|i| format!("<p>Rule {i}</p>\n")))
        .collect();
    plan_of(
        &[after],
        vec![written(&before, 5)],
        None,
        OnDrift::Overwrite,
    )
}

/// What applying [`mixed`] did: the update of `/team` failed, everything else was written.
pub(crate) fn apply_with_failure() -> ApplyReport {
    let results = mixed()
        .changes
        .into_iter()
        .zip(21..)
        .map(|(change, new_nid)| {
            let outcome = match change.alias.as_str() {
                "/team" => Outcome::Failed(
                    "403 Forbidden: The used authentication method is not allowed on this route.\n  hint: check that the account may `edit any page content`".into(),
                ),
                _ => match &change.page {
                    Some(page) => Outcome::Done(Some(Box::new(written(
                        page,
                        change.nid().unwrap_or(new_nid),
                    )))),
                    None => Outcome::Done(None),
                },
            };
            ChangeResult { change, outcome }
        })
        .collect();
    ApplyReport {
        results,
        interrupted: false,
        ..ApplyReport::default()
    }
}

/// An apply interrupted after its first change.
pub(crate) fn apply_interrupted() -> ApplyReport {
    let results = creates()
        .changes
        .into_iter()
        .enumerate()
        .map(|(i, change)| {
            let outcome = if i == 0 {
                Outcome::Done(change.page.as_ref().map(|p| Box::new(written(p, 30))))
            } else {
                Outcome::NotAttempted
            };
            ChangeResult { change, outcome }
        })
        .collect();
    ApplyReport {
        results,
        interrupted: true,
        ..ApplyReport::default()
    }
}

/// A new page that embeds an image the site does not have yet, and the upload of that image.
pub(crate) fn with_upload() -> Plan {
    let (mut pages, nodes) = in_sync(1);
    pages.push(page(
        "guide.md",
        1,
        "guide",
        "Guide",
        "<p><img src=\"drupal-sync-file:img/diagram.png\" alt=\"Diagram\" /></p>\n",
    ));
    let mut plan = plan_of(&pages, nodes, None, OnDrift::Overwrite);
    plan.uploads = vec![crate::files::Upload {
        source: "content/img/diagram.png".into(),
        rel: "img/diagram.png".into(),
        name: "diagram.3f2a9c1e.png".into(),
        size: 12_595,
        sha256: format!("3f2a9c1e{}", "0".repeat(56)),
        field: crate::files::FieldPath::parse("node/article/field_image").unwrap(),
        pages: vec!["content/guide.md".into()],
        same: vec![],
    }];
    plan
}

/// The apply of [`with_upload`]: the upload and the page done.
pub(crate) fn apply_with_upload() -> ApplyReport {
    let plan = with_upload();
    let upload = plan.uploads[0].clone();
    let results = plan
        .changes
        .into_iter()
        .map(|change| {
            let outcome = Outcome::Done(change.page.as_ref().map(|p| Box::new(written(p, 40))));
            ChangeResult { change, outcome }
        })
        .collect();
    ApplyReport {
        results,
        interrupted: false,
        uploads: vec![crate::files::UploadResult {
            upload,
            outcome: Ok(crate::files::RemoteFile {
                uuid: "ee31cb48-14dc-4e55-b699-56cce49d9705".into(),
                fid: Some(2),
                filename: "diagram.3f2a9c1e.png".into(),
                url: "/sites/default/files/2026-11/diagram.3f2a9c1e.png".into(),
                size: Some(12_595),
                permanent: false,
            }),
        }],
        ..ApplyReport::default()
    }
}

/// A plan that creates, updates and deletes menu links.
pub(crate) fn menu_changes() -> (Plan, ApplyReport) {
    use crate::menu::apply::{LinkOutcome, LinkResult};
    use crate::menu::{self, Entry, MenuOptions, RemoteLink};
    let mut pages = vec![
        page("docs/index.md", 1, "docs", "Docs", ""),
        page("docs/a.md", 1, "docs/a", "A", ""),
    ];
    for (page, parent) in pages.iter_mut().zip([None, Some("docs")]) {
        page.nav.entries.push(Entry {
            menu: "main".into(),
            name: None,
            weight: Some(3),
            parent: parent.map(str::to_owned),
        });
    }
    let (links, problems) = menu::derive(&pages, &MenuOptions::default(), NS);
    assert!(problems.is_empty(), "{problems:?}");
    let docs = links.iter().find(|l| l.key == "docs").unwrap();
    let remote = vec![
        RemoteLink {
            uuid: docs.uuid,
            menu: "main".into(),
            title: "Old docs".into(),
            weight: 3,
            parent: None,
            enabled: true,
            uri: "entity:node/4".into(),
        },
        RemoteLink {
            uuid: menu::link_uuid(NS, "footer", "docs/a"),
            menu: "footer".into(),
            title: "A".into(),
            enabled: true,
            uri: "entity:node/5".into(),
            ..RemoteLink::default()
        },
    ];
    let context = menu::LinkContext {
        nids: [(pages[0].uuid, 4), (pages[1].uuid, 5)].into(),
        keys: vec!["docs", "docs/a"],
        namespace: NS,
        prune: false,
    };
    let mut plan = no_changes();
    (plan.menu, plan.menu_unchanged) = menu::plan(&links, &remote, &context);
    let report = ApplyReport {
        menu: plan
            .menu
            .iter()
            .enumerate()
            .map(|(i, change)| LinkResult {
                change: change.clone(),
                outcome: if i == 0 {
                    LinkOutcome::Failed("HTTP 403: no".into())
                } else {
                    LinkOutcome::Done
                },
            })
            .collect(),
        ..ApplyReport::default()
    };
    (plan, report)
}
