//! Issue 11: what visitors see must match the Markdown. Text formats filter bodies on the
//! site (drupal-wire §9); the plan says what a page's format will drop, `--strict` fails on
//! it, and the sandbox computes `body.processed` as Drupal does.

use serde_json::Value;

use crate::harness::{basic, http, repo, Project, SandboxProc};

/// A page with what `basic_html` drops: a table, two code blocks, a remote image, and what
/// survives when rendered for it (a second H1, task boxes, a footnote).
const RICH: &str = "---\ntitle: Guide\n---\n# Guide heading\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() {}\n```\n\n```sh\nls\n```\n\n- [x] done\n- [ ] open\n\nNote[^1].\n\n![remote](https://example.com/x.png)\n\n[^1]: Said.\n";

fn body_of(sandbox: &SandboxProc, title: &str) -> Value {
    sandbox
        .nodes()
        .into_iter()
        .find(|n| n["attributes"]["title"] == title)
        .unwrap_or_else(|| panic!("no node {title}"))["attributes"]["body"]
        .clone()
}

#[test]
fn basic_html_page_is_warned_about_and_filtered_as_drupal_does() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    project.page("guide.md", RICH);

    let run = project.run(&["plan"]);
    run.code(0);
    assert!(
        run.stdout.contains(
            "warning: content/guide.md: basic_html drops <table> (1), <pre> (2) and replaces 1 image not on the site: visitors see the table as loose text, code blocks lose their layout, visitors see an \"Image removed\" icon instead; use format: full_html or a format that allows them"
        ),
        "{}",
        run.stdout
    );

    let json = project.run(&["plan", "--format", "json"]);
    json.code(0);
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    let warning = &doc["warnings"][0];
    assert_eq!(warning["source"], "content/guide.md");
    assert_eq!(warning["dropped"][1]["element"], "pre");
    assert_eq!(warning["dropped"][1]["count"], 2);
    assert_eq!(warning["remote_images"], 1);

    let markdown = project.run(&["plan", "--format", "markdown"]);
    assert!(
        markdown.stdout.contains("What visitors will not see")
            && markdown
                .stdout
                .contains("basic\\_html drops \\<table\\> (1)"),
        "{}",
        markdown.stdout
    );

    project.run(&["plan", "--strict"]).code(1);
    project.run(&["validate"]).code(0);
    let strict = project.run(&["validate", "--strict"]);
    strict.code(1);
    assert!(
        strict
            .stderr
            .contains("content/guide.md:1:1: error: basic_html drops <table> (1)"),
        "{}",
        strict.stderr
    );

    project.run(&["apply"]).code(0);
    let body = body_of(&sandbox, "Guide");
    let value = body["value"].as_str().unwrap();
    let processed = body["processed"].as_str().unwrap();
    // Rendered for basic_html: no <h1> (its heading id kept), boxes and footnote markers as text.
    assert!(
        value.contains("<h2 id=\"guide-heading\">Guide heading</h2>"),
        "{value}"
    );
    assert!(!value.contains("<h1"), "{value}");
    assert!(
        value.contains("<li>☑\ndone</li>") && value.contains("☐"),
        "{value}"
    );
    assert!(
        value.contains("Note[1].") && value.contains("<p>[1] Said.</p>"),
        "{value}"
    );
    // Filtered as transcript 5e shows: loose cells, no <pre>, the image replaced.
    assert!(
        processed.contains("ab\n12") && !processed.contains("<table"),
        "{processed}"
    );
    assert!(
        !processed.contains("<pre") && processed.contains("<code>fn main() {}\n</code>"),
        "{processed}"
    );
    assert!(
        processed.contains("<img src=\"/core/misc/icons/e32700/error.svg\" alt=\"Image removed.\""),
        "{processed}"
    );
}

#[test]
fn full_html_page_keeps_everything() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    project.page(
        "guide.md",
        &RICH.replace("title: Guide\n", "title: Guide\nformat: full_html\n"),
    );

    let run = project.run(&["plan", "--strict"]);
    run.code(0);
    assert!(!run.stdout.contains("warning"), "{}", run.stdout);
    let apply = project.run(&["apply"]);
    apply.code(0);
    assert!(!apply.stderr.contains("warning"), "{}", apply.stderr);

    let body = body_of(&sandbox, "Guide");
    let processed = body["processed"].as_str().unwrap();
    for kept in [
        "<table>",
        "<pre><code class=\"language-rust\">",
        "<img src=\"https://example.com/x.png\" alt=\"remote\">",
        "<sup class=\"footnote-reference\">",
        "<input disabled type=\"checkbox\" checked>",
    ] {
        assert!(processed.contains(kept), "{kept} in {processed}");
    }
    assert!(!processed.contains("<h1"), "{processed}");
}

#[test]
fn site_rules_are_read_once_and_only_when_a_page_needs_them() {
    let sandbox = SandboxProc::with_args(&[
        "--text-format",
        "docs_html:<p> <a href> <code> <pre> <table> <thead> <tbody> <tr> <th> <td> <h2 id> <h3 id>",
    ]);
    let project = Project::new(&sandbox.url);
    project.page("plain.md", "---\ntitle: Plain\n---\nJust *text*.\n");

    let before = sandbox.stats();
    project.run(&["plan"]).code(0);
    let stats = sandbox.stats().since(&before);
    assert_eq!(
        stats.route("GET /jsonapi/filter_format/filter_format"),
        0,
        "{stats:?}"
    );

    // A table in the site's own format: only the site's rules can tell it is kept.
    project.page(
        "docs.md",
        "---\ntitle: Docs\nformat: docs_html\n---\n| a |\n|---|\n| 1 |\n\n```\ncode\n```\n",
    );
    project.page(
        "more.md",
        "---\ntitle: More\nformat: docs_html\n---\n| b |\n|---|\n| 2 |\n",
    );
    let before = sandbox.stats();
    let run = project.run(&["plan"]);
    run.code(0);
    let stats = sandbox.stats().since(&before);
    assert_eq!(
        stats.route("GET /jsonapi/filter_format/filter_format"),
        1,
        "{stats:?}"
    );
    assert!(!run.stdout.contains("warning"), "{}", run.stdout);

    // Strikethrough is outside docs_html: the site's rules say so before publishing.
    project.page(
        "struck.md",
        "---\ntitle: Struck\nformat: docs_html\n---\n~~old~~ new\n",
    );
    let run = project.run(&["plan"]);
    assert!(
        run.stdout
            .contains("warning: content/struck.md: docs_html drops <del> (1): struck-out text reads as if it stood"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_account_that_cannot_read_the_rules_learns_from_the_written_answer() {
    let sandbox = SandboxProc::with_args(&["--text-format", "docs_html:<p> <a href> <code>"]);
    let (status, body) = http(
        "GET",
        &format!("{}/jsonapi/filter_format/filter_format", sandbox.url),
        &[basic("editor", "editor-password")],
        None,
    );
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["data"], serde_json::json!([]));
    assert!(doc["meta"]["omitted"]["links"].as_object().unwrap().len() > 1);

    let mut project = Project::new(&sandbox.url);
    project
        .env("DRUPAL_SYNC_USERNAME", "editor")
        .env("DRUPAL_SYNC_PASSWORD", "editor-password");
    project.page(
        "struck.md",
        "---\ntitle: Struck\nformat: docs_html\n---\n~~old~~ new\n",
    );
    let plan = project.run(&["plan"]);
    plan.code(0);
    assert!(!plan.stdout.contains("warning"), "{}", plan.stdout);
    let apply = project.run(&["apply"]);
    apply.code(0);
    assert!(
        apply.stderr.contains(
            "warning: content/struck.md: docs_html drops <del> (1): struck-out text reads as if it stood; use format: full_html or a format that allows them (the site's answer shows it)"
        ),
        "{}",
        apply.stderr
    );
}

#[test]
fn the_shipped_example_content_publishes_without_format_warnings() {
    // The repository's own config and content.
    let run = std::process::Command::new(crate::harness::bin())
        .args(["validate", "--strict"])
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // What `init` writes.
    let dir = tempfile::tempdir().unwrap();
    let init = std::process::Command::new(crate::harness::bin())
        .arg("init")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(init.status.success());
    let config = std::fs::read_to_string(dir.path().join("drupal-sync.toml")).unwrap();
    assert!(config.contains("format = \"basic_html\""), "{config}");
    let plan = std::process::Command::new(crate::harness::bin())
        .args(["plan", "--sandbox", "--strict"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        plan.status.success(),
        "{}{}",
        String::from_utf8_lossy(&plan.stdout),
        String::from_utf8_lossy(&plan.stderr)
    );
}
