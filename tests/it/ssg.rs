//! Content written for static-site generators (CONTRACT §9, issue 16): each fixture tree under
//! `tests/ssg/` publishes as it is, exactly the pages its generator renders, with no template
//! left as text and every fragment link pointing at an id on its target page.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::harness::{repo, Project, SandboxProc, NAMESPACE};

/// Copy the fixture tree `name` into a project whose content dir is `dir`.
fn project(sandbox: &SandboxProc, name: &str, dir: &str, extra: &str) -> Project {
    let project = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\nnamespace = \"{NAMESPACE}\"\n\n[auth]\nprovider = \"miniorange\"\nusername = \"ci\"\n\n[content]\ndir = \"{dir}\"\n{extra}",
        sandbox.url
    ));
    copy(&repo().join("tests/ssg").join(name), project.path());
    project
}

fn copy(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// What the site holds after an apply: alias → (published, title, body).
fn site(sandbox: &SandboxProc) -> BTreeMap<String, (bool, String, String)> {
    sandbox
        .nodes()
        .iter()
        .map(|node| {
            let a = &node["attributes"];
            let alias = a["path"]["alias"].as_str().unwrap_or_default().to_owned();
            let body = a["body"]["value"].as_str().unwrap_or_default().to_owned();
            let title = a["title"].as_str().unwrap_or_default().to_owned();
            (alias, (a["status"].as_bool().unwrap(), title, body))
        })
        .collect()
}

/// `id="…"` values of an HTML body.
fn ids(body: &str) -> BTreeSet<String> {
    body.split("id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// Run the whole loop on a fixture and check what the issue's "Done means" asks.
fn publish(
    name: &str,
    dir: &str,
    published: &[&str],
    drafts: &[&str],
) -> BTreeMap<String, (bool, String, String)> {
    let sandbox = SandboxProc::start();
    let project = project(&sandbox, name, dir, "");
    let validate = project.run(&["validate", "--strict"]);
    validate.code(0);
    project.run(&["apply"]).code(0);
    let pages = site(&sandbox);
    let live: Vec<&str> = pages
        .iter()
        .filter(|(_, (status, _, _))| *status)
        .map(|(alias, _)| alias.as_str())
        .collect();
    assert_eq!(live, published, "{name}: published pages");
    let held: Vec<&str> = pages
        .iter()
        .filter(|(_, (status, _, _))| !*status)
        .map(|(alias, _)| alias.as_str())
        .collect();
    assert_eq!(held, drafts, "{name}: draft pages");
    for (alias, (_, _, body)) in &pages {
        for template in [
            "{{<",
            "{{%",
            "{%",
            "[!NOTE]",
            "[!TIP]",
            "[!WARNING]",
            "[!IMPORTANT]",
        ] {
            assert!(
                !body.contains(template),
                "{name} {alias}: `{template}` in {body}"
            );
        }
        // Every fragment link resolves to an id on its target page.
        for href in body
            .split("href=\"")
            .skip(1)
            .filter_map(|r| r.split('"').next())
        {
            let Some((path, fragment)) = href.split_once('#') else {
                continue;
            };
            let target = if path.is_empty() {
                alias.as_str()
            } else {
                path
            };
            let (_, _, target_body) = pages
                .get(target)
                .unwrap_or_else(|| panic!("{name} {alias}: link `{href}` to no page"));
            assert!(
                ids(target_body).contains(fragment),
                "{name} {alias}: `{href}` names no id of {target}: {target_body}"
            );
        }
    }
    project.run(&["plan", "--detailed-exitcode"]).code(0);
    pages
}

#[test]
fn hugo_site_publishes_as_hugo_renders_it() {
    let pages = publish(
        "hugo",
        "content",
        &[
            "/about-us",
            "/bundle",
            "/docs",
            "/docs/api",
            "/docs/the-guide",
            "/index",
        ],
        &["/draft", "/expired", "/future"],
    );
    let (_, title, guide) = &pages["/docs/the-guide"];
    assert_eq!(title, "Guide");
    for needle in [
        r#"<h2 id="install">Install</h2>"#,
        r#"<h2 id="getting-started">Getting started</h2>"#,
        "<strong>Inner Markdown</strong> survives",
        "the installer of version 2.1.",
        "<blockquote>\n<p><strong>Note</strong></p>",
        r#"href="/about-us#who-we-are""#,
    ] {
        assert!(guide.contains(needle), "{needle}: {guide}");
    }
    let (_, _, home) = &pages["/index"];
    assert!(home.contains(r#"href="/docs/the-guide#install""#), "{home}");
    assert!(home.contains(r#"href="/about-us""#), "{home}");
}

#[test]
fn template_removals_are_one_warning_per_name_and_keep_opts_out() {
    let sandbox = SandboxProc::start();
    let project = project(&sandbox, "hugo", "content", "");
    // Shortcode removals: one warning per name, with a count and the first place.
    let validate = project.run(&["validate"]);
    validate.code(0);
    let youtube: Vec<&str> = validate
        .stderr
        .lines()
        .filter(|l| l.contains("shortcode `youtube`"))
        .collect();
    assert_eq!(youtube.len(), 1, "{}", validate.stderr);
    assert!(
        youtube[0].starts_with("content/_index.md:12:1: warning"),
        "{}",
        youtube[0]
    );
    assert!(
        validate
            .stderr
            .contains("note: skipped 1 (`headless: true`"),
        "{}",
        validate.stderr
    );
    // `keep` publishes templates as text and says nothing about them.
    let keep = self::project(&sandbox, "hugo", "content", "shortcodes = \"keep\"\n");
    let run = keep.run(&["validate"]);
    run.code(0);
    assert!(!run.stderr.contains("removed"), "{}", run.stderr);
    keep.run(&["apply"]).code(0);
    let pages = site(&sandbox);
    assert!(
        pages["/index"].2.contains("{{&lt; youtube"),
        "{:?}",
        pages["/index"]
    );
}

#[test]
fn jekyll_site_publishes_as_jekyll_renders_it() {
    let pages = publish(
        "jekyll",
        "site",
        &[
            "/about",
            "/docs/page",
            "/docs/permalinked",
            "/guides/setup",
            "/index",
            "/news/2024/01/02/hello",
        ],
        &["/unpublished"],
    );
    let (_, _, index) = &pages["/index"];
    assert!(
        index.contains(r#"href="/news/2024/01/02/hello""#),
        "{index}"
    );
    assert!(index.contains(r#"href="/about#who-we-are""#), "{index}");
    assert!(index.contains("<strong>shown</strong>"), "{index}");
    assert!(!index.contains("Nothing of this"), "{index}");
    let (_, _, setup) = &pages["/guides/setup"];
    assert!(setup.contains(r#"<code class="language-ruby">"#), "{setup}");
    let (_, _, about) = &pages["/about"];
    assert!(about.contains("<code>{{ this }}</code>"), "{about}");
    let (_, title, _) = &pages["/docs/page"];
    assert_eq!(title, "A page without front matter");
}

#[test]
fn zola_site_publishes_as_zola_renders_it() {
    let pages = publish(
        "zola",
        "content",
        &[
            "/blog",
            "/blog/first",
            "/hidden/kept",
            "/index",
            "/second-post",
        ],
        &["/draft"],
    );
    let (_, _, first) = &pages["/blog/first"];
    assert!(first.contains(r#"<h2 id="what-s-next">"#), "{first}");
    assert!(first.contains(r#"href="/second-post#part-two""#), "{first}");
    assert!(
        first.contains("Inner <strong>Markdown</strong> stays."),
        "{first}"
    );
}

#[test]
fn docusaurus_site_publishes_as_docusaurus_renders_it() {
    let pages = publish(
        "docusaurus",
        "docs",
        &["/guides/configuration", "/guides/install", "/start"],
        &["/draft"],
    );
    let (_, _, intro) = &pages["/start"];
    assert!(
        intro.contains("<blockquote>\n<p><strong>Before you start</strong></p>\n<p>Read <strong>this</strong> first.</p>\n</blockquote>"),
        "{intro}"
    );
    let (_, title, config) = &pages["/guides/configuration"];
    assert_eq!(title, "Configuration");
    assert!(
        config.contains(r#"href="/guides/install#steps""#),
        "{config}"
    );
}

#[test]
fn mkdocs_site_publishes_as_mkdocs_renders_it() {
    let pages = publish(
        "mkdocs",
        "docs",
        &["/about", "/index", "/user-guide/setup"],
        &[],
    );
    let (_, title, about) = &pages["/about"];
    assert!(!about.contains("example.module"), "{about}");
    assert_eq!(title, "About");
    assert!(about.contains("<p><strong>Warning</strong></p>"), "{about}");
    let (_, _, setup) = &pages["/user-guide/setup"];
    assert!(setup.contains(r#"<h2 id="whats-new-in-20">"#), "{setup}");
    assert!(
        setup.contains("<p><strong>Pro tip</strong></p>\n<p>Keep the <strong>defaults</strong>.</p>\n<p>They work.</p>\n</blockquote>"),
        "{setup}"
    );
}

#[test]
fn heading_ids_can_be_turned_off() {
    let sandbox = SandboxProc::start();
    let project = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\nnamespace = \"{NAMESPACE}\"\n\n[auth]\nprovider = \"miniorange\"\nusername = \"ci\"\n\n[content]\nheading_ids = false\n",
        sandbox.url
    ));
    project
        .page(
            "a.md",
            "---\ntitle: A\n---\n## Plain\n\n## Custom {#kept}\n",
        )
        .page(
            "b.md",
            "---\ntitle: B\nheading_ids: true\n---\n## With id\n",
        );
    project.run(&["apply"]).code(0);
    let pages = site(&sandbox);
    assert_eq!(
        pages["/a"].2,
        "<h2>Plain</h2>\n<h2 id=\"kept\">Custom</h2>\n"
    );
    assert_eq!(pages["/b"].2, "<h2 id=\"with-id\">With id</h2>\n");
    project.run(&["plan", "--detailed-exitcode"]).code(0);
}
