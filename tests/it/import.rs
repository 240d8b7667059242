//! `drupal-sync import` (CONTRACT §10) against pages made by hand through the sandbox's
//! JSON:API, as a team's existing site would have them.

use serde_json::{json, Value};

use crate::harness::{basic, http, Project, SandboxProc};

const API: &str = "application/vnd.api+json";

/// Create a basic page as the admin account, the way a person or another tool would; its UUID.
fn create(sandbox: &SandboxProc, attributes: Value) -> String {
    let body = json!({ "data": { "type": "node--page", "attributes": attributes } });
    let (status, answer) = http(
        "POST",
        &format!("{}/jsonapi/node/page", sandbox.url),
        &[basic("ci", "ci-password"), ("Accept".into(), API.into())],
        Some((API, body.to_string())),
    );
    assert_eq!(status, 201, "{answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    answer["data"]["id"].as_str().unwrap().to_owned()
}

fn page(title: &str, alias: &str, html: &str) -> Value {
    json!({ "title": title, "path": { "alias": alias }, "body": { "value": html, "format": "basic_html" } })
}

/// The site a team has today: pages written in Markdown elsewhere and pasted as HTML, pages
/// from Drupal's editor, a draft, a summary, a full_html page, an image, a page without alias.
fn hand_made_site(sandbox: &SandboxProc) -> Vec<String> {
    let mut uuids = vec![
        create(
            sandbox,
            page(
                "Guide",
                "/docs/guide",
                "<h2>Install</h2>\n<p>Run <code>make</code>, then:</p>\n<ul>\n<li>one</li>\n<li>two\n<ul>\n<li>nested</li>\n</ul>\n</li>\n</ul>\n<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n<h3>Options</h3>\n<p>See <a href=\"https://www.drupal.org\">Drupal</a>.</p>\n",
            ),
        ),
        create(
            sandbox,
            page(
                "Intro",
                "/docs/intro",
                "<p>Start with <a href=\"/docs/guide\">the guide</a>, then read <a href=\"/docs/tables#sizes\">the sizes</a>.</p>\n",
            ),
        ),
        create(
            sandbox,
            page(
                "Tables",
                "/docs/tables",
                "<h2>Sizes</h2>\n<table><thead><tr><th>Name</th><th>Size</th></tr></thead><tbody>\n<tr><td>small</td><td>1</td></tr>\n<tr><td>large</td><td>9</td></tr>\n</tbody></table>\n",
            ),
        ),
        create(
            sandbox,
            page(
                "About us",
                "/about",
                "<p>Our diagram:</p>\n<p><img src=\"/sites/default/files/2026-11/diagram.png\" data-entity-type=\"file\" data-entity-uuid=\"7a1e4f1c-5b59-4c1f-9d3a-2f8e0c6b1a2d\" alt=\"Diagram\"></p>\n",
            ),
        ),
        create(
            sandbox,
            page(
                "From the editor",
                "/editor",
                "<h2>Written in CKEditor</h2><p>No newlines between blocks.</p>",
            ),
        ),
    ];
    let mut draft = page("Draft", "/docs/draft", "<p>Not yet.</p>\n");
    draft["status"] = json!(false);
    uuids.push(create(sandbox, draft));
    uuids.push(create(
        sandbox,
        json!({ "title": "News", "path": { "alias": "/news" }, "body": { "value": "<p>All the news.</p>\n", "summary": "What happened", "format": "basic_html" } }),
    ));
    uuids.push(create(
        sandbox,
        json!({ "title": "Landing", "path": { "alias": "/landing" }, "body": { "value": "<div class=\"hero\">\n<p>Welcome</p>\n</div>\n", "format": "full_html" } }),
    ));
    uuids.push(create(
        sandbox,
        json!({ "title": "No alias", "body": { "value": "<p>x</p>\n", "format": "basic_html" } }),
    ));
    uuids
}

fn read(project: &Project, rel: &str) -> String {
    std::fs::read_to_string(project.path().join("content").join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn import_all_then_plan_is_clean() {
    let sandbox = SandboxProc::start();
    let uuids = hand_made_site(&sandbox);
    let project = Project::new(&sandbox.url);
    // A page this content already publishes is left to its file.
    project.page("welcome.md", "---\ntitle: Welcome\n---\nHello.\n");
    project.run(&["apply"]).code(0);

    let before = sandbox.stats();
    let run = project.run(&["import", "--all"]);
    run.code(0);
    let stats = sandbox.stats().since(&before);
    assert_eq!(
        stats.writes(),
        0,
        "import writes nothing to the site: {stats:?}"
    );
    assert_eq!(stats.route("GET /jsonapi/node/page"), 1, "{stats:?}");

    for (rel, how) in [
        ("docs/guide.md", "Markdown"),
        ("docs/intro.md", "Markdown"),
        ("docs/tables.md", "Markdown"),
        ("about.md", "Markdown"),
        ("docs/draft.md", "Markdown"),
        ("news.md", "Markdown"),
        ("editor.yaml", "HTML (the Markdown renders different HTML)"),
    ] {
        assert!(
            run.stdout.contains(&format!("content/{rel}"))
                && run
                    .stdout
                    .lines()
                    .any(|l| l.contains(&format!("content/{rel} ")) && l.ends_with(how)),
            "{rel} as {how}:\n{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("skipped /welcome \"Welcome\": published by drupal-sync from this content (namespace `it-docs`)"), "{}", run.stdout);
    assert!(
        run.stdout.contains("\"No alias\": has no URL alias"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Imported 8 pages into content: 7 as Markdown, 1 as HTML (body_html in YAML); 2 skipped."),
        "{}",
        run.stdout
    );

    // Headings the site holds without ids import with `heading_ids: false`, so the renderer
    // adds none.
    let guide = read(&project, "docs/guide.md");
    assert!(
        guide.starts_with(&format!(
            "---\ntitle: Guide\nheading_ids: false\nuuid: {}\n---\n## Install\n",
            uuids[0]
        )),
        "{guide}"
    );
    assert!(guide.contains("- two\n  - nested\n"), "{guide}");
    // A link to another imported page is relative; one with a fragment keeps the alias where
    // the target has no such anchor for the renderer to check (its headings have no ids).
    let intro = read(&project, "docs/intro.md");
    assert!(
        intro.contains("[the guide](guide.md)")
            && intro.contains("[the sizes](/docs/tables#sizes)"),
        "{intro}"
    );
    assert!(read(&project, "docs/tables.md").contains("| small | 1    |"));
    assert!(read(&project, "about.md")
        .contains("data-entity-uuid=\"7a1e4f1c-5b59-4c1f-9d3a-2f8e0c6b1a2d\""));
    assert!(read(&project, "docs/draft.md").contains("\nstatus: draft\n"));
    assert!(read(&project, "news.md").contains("\nsummary: What happened\n"));
    let landing = std::fs::read_dir(project.path().join("content"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with("landing."))
        .expect("landing page written");
    assert!(read(&project, &landing).contains("format: full_html"));
    assert!(read(&project, "editor.yaml")
        .contains("body_html: <h2>Written in CKEditor</h2><p>No newlines between blocks.</p>"));

    let run = project.run(&["plan", "--detailed-exitcode"]);
    run.code(0);
    assert!(run.stdout.contains("No changes."), "{}", run.stdout);
    let run = project.run(&["plan", "--detailed-exitcode", "--prune"]);
    run.code(0);
}

#[test]
fn editing_an_imported_file_updates_exactly_that_node() {
    let sandbox = SandboxProc::start();
    let uuids = hand_made_site(&sandbox);
    let project = Project::new(&sandbox.url);
    project.run(&["import", "--all"]).code(0);
    let vids = |sandbox: &SandboxProc| -> Vec<(String, u64)> {
        let mut vids: Vec<(String, u64)> = sandbox
            .nodes()
            .iter()
            .map(|n| {
                (
                    n["id"].as_str().unwrap().to_owned(),
                    n["attributes"]["drupal_internal__vid"].as_u64().unwrap(),
                )
            })
            .collect();
        vids.sort();
        vids
    };
    let before_vids = vids(&sandbox);

    let guide = read(&project, "docs/guide.md").replace("## Install", "## Installation");
    project.page("docs/guide.md", &guide);
    let before = sandbox.stats();
    let run = project.run(&["apply"]);
    run.code(0);
    assert!(
        run.stdout
            .contains("Plan: 0 to create, 1 to update, 0 to delete"),
        "{}",
        run.stdout
    );
    let stats = sandbox.stats().since(&before);
    assert_eq!(stats.writes(), 1, "{stats:?}");
    assert_eq!(stats.route("PATCH /jsonapi/node/page/{id}"), 1, "{stats:?}");

    let after_vids = vids(&sandbox);
    for ((uuid, before), (_, after)) in before_vids.iter().zip(&after_vids) {
        assert_eq!(
            before != after,
            *uuid == uuids[0],
            "{uuid}: vid {before} -> {after}"
        );
    }
    let node = sandbox
        .nodes()
        .into_iter()
        .find(|n| n["id"] == uuids[0].as_str())
        .unwrap();
    assert!(node["attributes"]["body"]["value"]
        .as_str()
        .unwrap()
        .starts_with("<h2>Installation</h2>\n"));
    project.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn import_never_overwrites() {
    let sandbox = SandboxProc::start();
    hand_made_site(&sandbox);
    let project = Project::new(&sandbox.url);
    project.page("docs/guide.md", "---\ntitle: Mine\n---\nMy own guide.\n");
    project.page("news.yml", "title: Old news\npath: /old-news\nbody: Old.\n");

    let run = project.run(&["import", "--all"]);
    run.code(1);
    assert!(run.stderr.contains("2 files the import would write exist; nothing was written:\n  content/docs/guide.md\n  content/news.yml\n"), "{}", run.stderr);
    assert_eq!(
        read(&project, "docs/guide.md"),
        "---\ntitle: Mine\n---\nMy own guide.\n"
    );
    assert!(!project.path().join("content/docs/intro.md").exists());
    assert!(!project.path().join("content/about.md").exists());

    // A second import finds the first one's files.
    let project = Project::new(&sandbox.url);
    project.run(&["import", "--prefix", "/docs"]).code(0);
    let run = project.run(&["import", "--prefix", "/docs"]);
    run.code(1);
    assert!(
        run.stderr.contains("content/docs/guide.md"),
        "{}",
        run.stderr
    );
    // Other pages still import beside them.
    let run = project.run(&["import", "--prefix", "/about"]);
    run.code(0);
    assert!(
        run.stdout
            .contains("Imported 1 page into content: 1 as Markdown"),
        "{}",
        run.stdout
    );
    project.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn prefix_dir_and_html() {
    let sandbox = SandboxProc::start();
    hand_made_site(&sandbox);
    let project = Project::new(&sandbox.url);

    let run = project.run(&["import"]);
    run.code(1);
    assert!(
        run.stderr
            .contains("say which pages to import: `--prefix /docs`"),
        "{}",
        run.stderr
    );

    let run = project.run(&[
        "import",
        "--prefix",
        "/docs/",
        "--dir",
        "content/imported",
        "--html",
    ]);
    run.code(0);
    assert!(
        run.stdout
            .starts_with("Found 9 basic pages on http://127.0.0.1:"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(", 4 under /docs.\n"), "{}", run.stdout);
    assert!(run.stdout.contains("Imported 4 pages into content/imported: 0 as Markdown, 4 as HTML (body_html in YAML); 0 skipped."), "{}", run.stdout);
    let guide = read(&project, "imported/docs/guide.yaml");
    assert!(
        guide.starts_with("title: Guide\npath: /docs/guide\nuuid: "),
        "{guide}"
    );
    assert!(!project.path().join("content/about.md").exists());
    project.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn import_lists_fifty_pages_per_request() {
    let sandbox = SandboxProc::start();
    for i in 0..60 {
        create(
            &sandbox,
            page(
                &format!("Page {i}"),
                &format!("/p/{i}"),
                &format!("<p>Page {i}.</p>\n"),
            ),
        );
    }
    let project = Project::new(&sandbox.url);
    let before = sandbox.stats();
    let run = project.run(&["import", "--all"]);
    run.code(0);
    assert!(
        run.stdout
            .contains("Imported 60 pages into content: 60 as Markdown"),
        "{}",
        run.stdout
    );
    let stats = sandbox.stats().since(&before);
    assert_eq!(stats.route("GET /jsonapi/node/page"), 2, "{stats:?}");
    let page = read(&project, "p/7.md");
    assert!(
        page.starts_with("---\ntitle: Page 7\nuuid: ") && page.ends_with("\n---\nPage 7.\n"),
        "{page}"
    );
    project.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn import_on_core_rest_says_why_and_stops() {
    let sandbox = SandboxProc::start();
    let project = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\napi = \"rest\"\nnamespace = \"it-docs\"\n\n[auth]\nprovider = \"miniorange\"\nusername = \"ci\"\n",
        sandbox.url
    ));
    let before = sandbox.stats();
    let run = project.run(&["import", "--all"]);
    run.code(1);
    assert!(
        run.stderr
            .contains("import needs api = \"jsonapi\": core REST has no endpoint that lists nodes"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("hint: enable Drupal's JSON:API module"),
        "{}",
        run.stderr
    );
    assert_eq!(
        sandbox.stats().since(&before).total(),
        0,
        "no request is made"
    );
}

#[test]
fn password_from_stdin_and_the_throwaway_sandbox() {
    use std::io::Write;
    use std::process::Stdio;

    let sandbox = SandboxProc::start();
    create(&sandbox, page("Guide", "/docs/guide", "<p>Read me.</p>\n"));
    let project = Project::new(&sandbox.url);
    let mut command = project.command(&["import", "--all", "--password-stdin"]);
    command
        .env_remove("DRUPAL_SYNC_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"ci-password\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("Imported 1 page into content: 1 as Markdown"),
        "{stdout}"
    );
    assert_eq!(
        read(&project, "docs/guide.md").lines().last(),
        Some("Read me.")
    );

    // `--sandbox` imports from an empty throwaway site, never from [site].url.
    let other = Project::new(&sandbox.url);
    let before = sandbox.stats();
    let run = other.run(&["import", "--all", "--sandbox"]);
    run.code(0);
    assert!(
        run.stdout
            .starts_with("Found 0 basic pages on http://127.0.0.1:"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(&sandbox.url), "{}", run.stdout);
    assert_eq!(sandbox.stats().since(&before).total(), 0);
}

#[test]
fn two_pages_for_one_file_get_distinct_names() {
    let sandbox = SandboxProc::start();
    create(&sandbox, page("Colon", "/notes/a:b", "<p>One.</p>\n"));
    create(&sandbox, page("Dash", "/notes/a-b", "<p>Two.</p>\n"));
    create(&sandbox, page("Same", "/Notes/Same", "<p>Three.</p>\n"));
    let project = Project::new(&sandbox.url);
    let run = project.run(&["import", "--prefix", "/notes"]);
    run.code(0);
    assert!(read(&project, "notes/a-b.md").contains("title: Colon\npath: /notes/a:b\n"));
    assert!(read(&project, "notes/a-b-2.md").contains("title: Dash\npath: /notes/a-b\n"));
    // Prefixes compare case-insensitively, as Drupal compares aliases.
    assert!(read(&project, "Notes/Same.md").contains("title: Same\npath: /Notes/Same\n"));
    project.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn a_page_with_only_a_title_imports() {
    let sandbox = SandboxProc::start();
    // Drupal stores an empty body as none at all (drupal-wire 58).
    let uuid = create(
        &sandbox,
        json!({ "title": "Section", "path": { "alias": "/section" }, "body": { "value": "", "format": "basic_html" } }),
    );
    let project = Project::new(&sandbox.url);
    project.run(&["import", "--all"]).code(0);
    assert_eq!(
        read(&project, "section.md"),
        format!("---\ntitle: Section\nuuid: {uuid}\n---\n")
    );
    project.run(&["plan", "--detailed-exitcode"]).code(0);
}
