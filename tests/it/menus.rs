//! Menus (issue "Navigation: menu links from front matter and folders", CONTRACT §8), as a
//! new user meets them: against the sandbox over HTTP, through the real executable.

use serde_json::Value;

use crate::harness::{basic, http, Project, SandboxProc, NAMESPACE};

/// A project whose pages all join `main`, nested as their folders.
fn folders_project(url: &str) -> Project {
    Project::with_config(&format!(
        "[site]\nurl = \"{url}\"\nnamespace = \"{NAMESPACE}\"\n\n[auth]\nprovider = \"miniorange\"\nusername = \"ci\"\n\n[menus]\nfolders = \"main\"\n"
    ))
}

/// A link as a test compares it: (title, weight, parent title or "-").
type Shown = (String, i64, String);

/// The links of `menu` on the sandbox, sorted by title, read as the admin.
fn links(sandbox: &SandboxProc, menu: &str) -> Vec<Shown> {
    let url = format!(
        "{}/jsonapi/menu_link_content/menu_link_content?filter[menu_name]={menu}&page[limit]=50",
        sandbox.url
    );
    let (status, body) = http("GET", &url, &[basic("ci", "ci-password")], None);
    assert_eq!(status, 200, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    let data = doc["data"].as_array().unwrap();
    assert!(doc.pointer("/links/next").is_none(), "one page holds them");
    let title_of = |reference: &str| {
        data.iter()
            .find(|l| format!("menu_link_content:{}", l["id"].as_str().unwrap()) == reference)
            .map(|l| l["attributes"]["title"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| format!("(unknown {reference})"))
    };
    let mut shown: Vec<Shown> = data
        .iter()
        .map(|l| {
            let a = &l["attributes"];
            (
                a["title"].as_str().unwrap().to_owned(),
                a["weight"].as_i64().unwrap(),
                a["parent"].as_str().map_or("-".to_owned(), title_of),
            )
        })
        .collect();
    shown.sort();
    shown
}

fn shown(items: &[(&str, i64, &str)]) -> Vec<Shown> {
    let mut out: Vec<Shown> = items
        .iter()
        .map(|(t, w, p)| ((*t).to_owned(), *w, (*p).to_owned()))
        .collect();
    out.sort();
    out
}

fn page(title: &str, weight: i64, extra: &str) -> String {
    format!("---\ntitle: {title}\nweight: {weight}\n{extra}---\n{title} body.\n")
}

/// Ten pages in three folders.
fn ten_pages(project: &Project) {
    project
        .page("docs/index.md", &page("Docs", 1, ""))
        .page("docs/install.md", &page("Install", 1, ""))
        .page("docs/configure.md", &page("Configure", 2, ""))
        .page("docs/upgrade.md", &page("Upgrade", 3, "id: upgrade\n"))
        .page("guides/index.md", &page("Guides", 2, ""))
        .page("guides/first.md", &page("First steps", 1, ""))
        .page("guides/advanced.md", &page("Advanced", 2, "menu: footer\n"))
        .page("blog/index.md", &page("Blog", 3, ""))
        .page("blog/hello.md", &page("Hello", 1, ""))
        .page("blog/news.md", &page("News", 2, ""));
}

#[test]
fn folders_make_the_main_menu_and_edits_change_exactly_their_link() {
    let sandbox = SandboxProc::start();
    let project = folders_project(&sandbox.url);
    ten_pages(&project);

    let run = project.run(&["plan", "--detailed-exitcode"]);
    run.code(2);
    assert!(
        run.stdout
            .contains("  + menu  main › Docs › Upgrade  (weight 3)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Menu links: 11 to create, 0 to update, 0 to delete, 0 unchanged."),
        "{}",
        run.stdout
    );
    project.run(&["apply"]).code(0);
    let main = shown(&[
        ("Docs", 1, "-"),
        ("Install", 1, "Docs"),
        ("Configure", 2, "Docs"),
        ("Upgrade", 3, "Docs"),
        ("Guides", 2, "-"),
        ("First steps", 1, "Guides"),
        ("Advanced", 2, "Guides"),
        ("Blog", 3, "-"),
        ("Hello", 1, "Blog"),
        ("News", 2, "Blog"),
    ]);
    assert_eq!(links(&sandbox, "main"), main);
    assert_eq!(links(&sandbox, "footer"), shown(&[("Advanced", 2, "-")]));

    // Nothing changed: the next plan exits 0 and adds one read of the links (11 < 50).
    let before = sandbox.stats();
    let run = project.run(&["plan", "--detailed-exitcode"]);
    run.code(0);
    assert!(
        run.stdout
            .contains("No changes. The site matches the content (10 pages, 11 menu links)."),
        "{}",
        run.stdout
    );
    let stats = sandbox.stats().since(&before);
    assert_eq!(
        stats.route("GET /jsonapi/menu_link_content/menu_link_content"),
        1,
        "{stats:?}"
    );
    assert_eq!(
        stats.total(),
        3,
        "1 token + 1 page read + 1 link read: {stats:?}"
    );

    // Moving a file (its page keeps its key with `id:`) changes exactly its link's parent.
    let text = std::fs::read_to_string(project.path().join("content/docs/upgrade.md")).unwrap();
    project.remove("docs/upgrade.md");
    project.page("guides/upgrade.md", &text);
    let run = project.run(&["plan", "--detailed-exitcode"]);
    run.code(2);
    assert!(
        run.stdout.contains(
            "  ~ menu  main › Guides › Upgrade  content/guides/upgrade.md\n        parent: \"Docs\" -> \"Guides\"\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Plan: 0 to create, 0 to update, 0 to delete, 10 unchanged.\nMenu links: 0 to create, 1 to update, 0 to delete, 10 unchanged."),
        "{}",
        run.stdout
    );
    let before = sandbox.stats();
    project.run(&["apply"]).code(0);
    let writes = sandbox.stats().since(&before);
    assert_eq!(writes.writes(), 1, "{writes:?}");
    let moved: Vec<Shown> = main
        .iter()
        .map(|l| match l.0.as_str() {
            "Upgrade" => (l.0.clone(), l.1, "Guides".to_owned()),
            _ => l.clone(),
        })
        .collect();
    assert_eq!(links(&sandbox, "main"), shown_sorted(moved.clone()));

    // Removing a page's `menu:` deletes exactly that link.
    project.page("guides/advanced.md", &page("Advanced", 2, ""));
    let run = project.run(&["plan", "--detailed-exitcode"]);
    run.code(2);
    assert!(
        run.stdout.contains(
            "  - menu  footer › Advanced  (page `guides/advanced` no longer declares it)"
        ),
        "{}",
        run.stdout
    );
    project.run(&["apply"]).code(0);
    assert_eq!(links(&sandbox, "footer"), Vec::<Shown>::new());
    assert_eq!(links(&sandbox, "main"), shown_sorted(moved));
    project.run(&["plan", "--detailed-exitcode"]).code(0);
}

fn shown_sorted(mut items: Vec<Shown>) -> Vec<Shown> {
    items.sort();
    items
}

#[test]
fn a_typo_in_a_menu_name_fails_the_plan_naming_the_file_and_the_menus() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    project
        .page("ok.md", "---\ntitle: Fine\nmenu: main\n---\n")
        .page("typo.md", "---\ntitle: Typo\nmenu: mian\n---\n");
    let before = sandbox.stats();
    for command in ["plan", "apply"] {
        let run = project.run(&[command]);
        run.code(1);
        assert!(
            run.stderr.contains(
                "content/typo.md:3:1: unknown menu `mian`; the site has menus `account`, `admin`, `footer`, `main`, `tools`"
            ),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("ok.md"), "{}", run.stderr);
    }
    assert_eq!(sandbox.stats().since(&before).writes(), 0);
    assert!(sandbox.nodes().is_empty());

    // The folders menu is checked the same way, against the config file.
    let project = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\nnamespace = \"{NAMESPACE}\"\n\n[auth]\nprovider = \"miniorange\"\nusername = \"ci\"\n\n[menus]\nfolders = \"mian\"\n",
        sandbox.url
    ));
    project.page("a.md", "---\ntitle: A\n---\n");
    let run = project.run(&["plan"]);
    run.code(1);
    assert!(
        run.stderr
            .contains("drupal-sync.toml: [menus].folders names unknown menu `mian`"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_editor_is_told_it_lacks_administer_menu_before_any_write() {
    let sandbox = SandboxProc::start();
    let mut project = Project::new(&sandbox.url);
    project
        .env("DRUPAL_SYNC_USERNAME", "editor")
        .env("DRUPAL_SYNC_PASSWORD", "editor-password");
    project.page("a.md", "---\ntitle: A\nmenu: main\n---\n");
    let before = sandbox.stats();
    let run = project.run(&["apply"]);
    run.code(1);
    assert!(
        run.stderr
            .contains("the account `editor` may not manage menu links")
            && run.stderr.contains("\"administer menu\""),
        "{}",
        run.stderr
    );
    let stats = sandbox.stats().since(&before);
    assert_eq!(stats.writes(), 0, "{stats:?}");
    assert_eq!(stats.route("GET /jsonapi/menu/menu"), 1, "{stats:?}");
    assert!(sandbox.nodes().is_empty());
}

#[test]
fn saved_plans_carry_menu_links_and_rest_sites_get_them_through_jsonapi() {
    let sandbox = SandboxProc::start();
    let project = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\napi = \"rest\"\nnamespace = \"{NAMESPACE}\"\n\n[auth]\nprovider = \"miniorange\"\nusername = \"ci\"\n",
        sandbox.url
    ));
    project
        .page("docs.md", "---\ntitle: Docs\nmenu: {main: {weight: 4}}\n---\nBody.\n")
        .page(
            "start.md",
            "---\ntitle: Getting started\nlinkTitle: Start\nmenu:\n  main: {parent: docs, weight: 1}\n---\nBody.\n",
        );
    let run = project.run(&["plan", "--format", "json"]);
    run.code(0);
    let document: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        document["menu_summary"],
        serde_json::json!({"create": 2, "update": 0, "delete": 0, "unchanged": 0})
    );
    let paths: Vec<&str> = document["menu"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["main › Docs", "main › Docs › Start"]);
    assert_eq!(document["menu"][1]["source"], "content/start.md");

    let plan_file = project.path().join("menu-plan.json");
    let run = project.run(&["plan", "--out", plan_file.to_str().unwrap()]);
    run.code(0);
    assert!(
        run.stdout
            .contains("  + menu  main › Docs › Start  (weight 1)"),
        "{}",
        run.stdout
    );
    project.run(&["apply", plan_file.to_str().unwrap()]).code(0);
    assert_eq!(
        links(&sandbox, "main"),
        shown(&[("Docs", 4, "-"), ("Start", 1, "Docs")])
    );
    project.run(&["plan", "--detailed-exitcode"]).code(0);

    // The links point at the nodes just created.
    let nids: Vec<u64> = sandbox
        .nodes()
        .iter()
        .map(|n| n["attributes"]["drupal_internal__nid"].as_u64().unwrap())
        .collect();
    let url = format!(
        "{}/jsonapi/menu_link_content/menu_link_content",
        sandbox.url
    );
    let (_, body) = http("GET", &url, &[basic("ci", "ci-password")], None);
    let doc: Value = serde_json::from_str(&body).unwrap();
    let mut targets: Vec<u64> = doc["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            l["attributes"]["link"]["uri"]
                .as_str()
                .unwrap()
                .trim_start_matches("entity:node/")
                .parse()
                .unwrap()
        })
        .collect();
    targets.sort();
    let mut nids = nids;
    nids.sort();
    assert_eq!(targets, nids);
}

#[test]
fn prune_deletes_a_removed_page_with_its_link_and_never_a_hand_made_one() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    project
        .page("keep.md", "---\ntitle: Keep\nmenu: main\n---\nBody.\n")
        .page("gone.md", "---\ntitle: Gone\nmenu: main\n---\nBody.\n");
    project.run(&["apply"]).code(0);
    let api = "application/vnd.api+json";
    let (status, body) = http(
        "POST",
        &format!("{}/jsonapi/menu_link_content/menu_link_content", sandbox.url),
        &[basic("ci", "ci-password"), ("Accept".into(), api.into())],
        Some((
            api,
            r#"{"data":{"type":"menu_link_content--menu_link_content","attributes":{"title":"By hand","menu_name":"main","link":{"uri":"internal:/somewhere"}}}}"#.into(),
        )),
    );
    assert_eq!(status, 201, "{body}");

    project.remove("gone.md");
    // Without --prune the page stays, and so does its link.
    project.run(&["plan", "--detailed-exitcode"]).code(0);
    let run = project.run(&["plan", "--prune", "--detailed-exitcode"]);
    run.code(2);
    assert!(
        run.stdout
            .contains("  - menu  main › Gone  (no source; namespace it-docs)"),
        "{}",
        run.stdout
    );
    project.run(&["apply", "--prune"]).code(0);
    let titles: Vec<String> = links(&sandbox, "main").into_iter().map(|l| l.0).collect();
    assert_eq!(titles, ["By hand", "Keep"]);
    project
        .run(&["plan", "--prune", "--detailed-exitcode"])
        .code(0);
}

#[test]
fn a_saved_plan_is_refused_when_its_link_changed_on_the_site() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    project.page(
        "a.md",
        "---\ntitle: A\nmenu: {main: {weight: 1}}\n---\nBody.\n",
    );
    project.run(&["apply"]).code(0);
    project.page(
        "a.md",
        "---\ntitle: A\nmenu: {main: {weight: 2}}\n---\nBody.\n",
    );
    let plan_file = project.path().join("weight.json");
    project
        .run(&["plan", "--out", plan_file.to_str().unwrap()])
        .code(0);

    let uuid = drupal_sync::menu::link_uuid(NAMESPACE, "main", "a");
    let api = "application/vnd.api+json";
    let (status, body) = http(
        "PATCH",
        &format!(
            "{}/jsonapi/menu_link_content/menu_link_content/{uuid}",
            sandbox.url
        ),
        &[basic("ci", "ci-password"), ("Accept".into(), api.into())],
        Some((
            api,
            format!(
                r#"{{"data":{{"type":"menu_link_content--menu_link_content","id":"{uuid}","attributes":{{"title":"Edited by hand"}}}}}}"#
            ),
        )),
    );
    assert_eq!(status, 200, "{body}");

    let before = sandbox.stats();
    let run = project.run(&["apply", plan_file.to_str().unwrap()]);
    run.code(1);
    assert!(
        run.stderr
            .contains("the saved plan is stale: 1 menu link changed on the site")
            && run.stderr.contains("update menu link main › A"),
        "{}",
        run.stderr
    );
    assert_eq!(sandbox.stats().since(&before).writes(), 0);
    assert_eq!(
        links(&sandbox, "main"),
        shown(&[("Edited by hand", 1, "-")])
    );
}

#[test]
fn links_are_read_fifty_at_a_time() {
    let sandbox = SandboxProc::start();
    let project = folders_project(&sandbox.url);
    crate::harness::pages(&project, 60);
    project.run(&["apply"]).code(0);
    let before = sandbox.stats();
    project.run(&["plan", "--detailed-exitcode"]).code(0);
    let stats = sandbox.stats().since(&before);
    assert_eq!(
        stats.route("GET /jsonapi/menu_link_content/menu_link_content"),
        2,
        "⌈60/50⌉ link reads: {stats:?}"
    );
    assert_eq!(
        stats.total(),
        1 + stats.route("GET /jsonapi/node/page") + 2,
        "{stats:?}"
    );
}

#[test]
fn validate_finds_menu_mistakes_offline() {
    // No site at all: validation never connects.
    let project = Project::new("http://127.0.0.1:9");
    project
        .page(
            "a.md",
            "---\ntitle: A\nmenu:\n  main: {parent: nowhere}\n---\n",
        )
        .page("b.md", "---\ntitle: B\nmenu: {main: {parent: c}}\n---\n")
        .page("c.md", "---\ntitle: C\nmenu: {main: {parent: b}}\n---\n")
        .page("d.md", "---\ntitle: D\nmenu: [footer, footer]\n---\n");
    let run = project.run(&["validate"]);
    run.code(1);
    for line in [
        "content/a.md:3:1: error: parent `nowhere` in menu `main` is not a page",
        "content/b.md:3:1: error: menu `main` has a cycle of parents through page `b`",
        "content/c.md:3:1: error: menu `main` has a cycle of parents through page `c`",
        "content/d.md:3:1: error: page `d` is in menu `footer` twice",
    ] {
        assert!(run.stderr.contains(line), "{line}\n{}", run.stderr);
    }
    assert!(run.stderr.contains("4 errors"), "{}", run.stderr);
}
