//! The round trip on real content directories: files written by `settle` read back through
//! `content::load` exactly as `plan` reads them.

use std::path::Path;

use super::select::Chosen;
use super::settle::{settle, Form, Settled};
use crate::config::{Config, Overrides, Settings};
use crate::content::{self, ContentOptions};
use crate::page::RemotePage;
use crate::plan;

/// The content options of a project in `dir` whose content directory is `dir/content`, as
/// the config makes them (so new options keep their defaults), excluding `private/**`.
pub(super) fn options(dir: &Path) -> ContentOptions {
    let text = "[site]\nnamespace = \"ns\"\n[auth]\nprovider = \"basic\"\n[content]\ndir = \"content\"\nexclude = [\"private/**\"]\n";
    let config = Config::parse(text, "drupal-sync.toml").unwrap();
    let path = dir.join("drupal-sync.toml");
    let settings = Settings::resolve(config, &path, &|_| None, Overrides::default()).unwrap();
    std::fs::create_dir_all(&settings.content.dir).unwrap();
    ContentOptions {
        display_base: dir.to_path_buf(),
        ..settings.content
    }
}

/// The HTML drupal-sync itself renders for `markdown`.
fn rendered(markdown: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let content = content::load_with(
        &options(dir.path()),
        vec![("x.md".into(), format!("---\ntitle: X\n---\n{markdown}"))],
    );
    assert!(content.diagnostics.is_empty(), "{:?}", content.diagnostics);
    content.pages[0].body.clone()
}

fn node(n: u128, alias: &str, body: &str) -> RemotePage {
    RemotePage {
        uuid: uuid::Uuid::from_u128(n | 0x4000_0000_0000_8000_0000_0000_0000_0000),
        nid: Some(n as u64),
        title: format!("Page {n}"),
        alias: Some(alias.into()),
        published: true,
        body: Some(body.into()),
        format: Some("basic_html".into()),
        summary: None,
        ..RemotePage::default()
    }
}

fn chosen(node: RemotePage) -> Chosen {
    let stem = node.alias.clone().unwrap()[1..].to_owned();
    Chosen {
        key: content::key_from_path(&format!("{stem}.md")),
        stem,
        node,
    }
}

/// Settle `nodes` into `dir`, write the files, and check that `plan` would find nothing to do.
fn import(dir: &Path, nodes: Vec<RemotePage>, html_only: bool) -> Settled {
    let options = options(dir);
    let settled = settle(
        nodes.iter().cloned().map(chosen).collect(),
        html_only,
        "basic_html",
        |extra| content::load_with(&options, extra),
        |rel| content::display_of(&options, rel),
    );
    for file in &settled.files {
        let path = options.dir.join(&file.rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &file.text).unwrap();
    }
    let content = content::load(&options);
    assert!(content.diagnostics.is_empty(), "{:?}", content.diagnostics);
    for page in &content.pages {
        let node = nodes.iter().find(|n| n.uuid == page.uuid).unwrap();
        assert_eq!(plan::diff(page, node), vec![], "{}", page.source);
    }
    assert_eq!(content.pages.len(), settled.files.len());
    settled
}

fn form_of<'a>(settled: &'a Settled, rel: &str) -> &'a Form {
    &settled
        .files
        .iter()
        .find(|f| f.rel == rel)
        .unwrap_or_else(|| panic!("no {rel}: {:?}", settled.files))
        .form
}

fn text_of<'a>(settled: &'a Settled, rel: &str) -> &'a str {
    &settled.files.iter().find(|f| f.rel == rel).unwrap().text
}

#[test]
fn markdown_rendered_html_comes_back_as_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let bodies = [
        "Plain *emphasis*, **strong**, `code` and a [link](https://example.com/x).\n",
        "## Setup\n\nText.\n\n### Deeper\n\nMore text.\n",
        "- one\n- two\n  - nested\n- three\n\n1. first\n2. second\n",
        "| Name | Value |\n|------|-------|\n| a | 1 |\n| b | 2 |\n",
        "```rust\nfn main() {}\n```\n\n> A quote.\n",
        "Line one  \nLine two.\n\n* * *\n\n![Diagram](https://example.com/d.png)\n",
    ];
    let nodes: Vec<RemotePage> = bodies
        .iter()
        .enumerate()
        .map(|(i, md)| node(i as u128 + 1, &format!("/p{i}"), &rendered(md)))
        .collect();
    let settled = import(dir.path(), nodes, false);
    assert!(settled.skipped.is_empty(), "{:?}", settled.skipped);
    let forms: Vec<(&str, &Form)> = settled
        .files
        .iter()
        .map(|f| (f.rel.as_str(), &f.form))
        .collect();
    for (i, _) in bodies.iter().enumerate() {
        assert_eq!(
            form_of(&settled, &format!("p{i}.md")),
            &Form::Markdown,
            "{forms:?}"
        );
    }
    assert!(text_of(&settled, "p1.md").contains("\n## Setup\n"));
    assert!(text_of(&settled, "p3.md").contains("| a"));
}

#[test]
fn editor_html_keeps_its_html() {
    let dir = tempfile::tempdir().unwrap();
    let editor = "<h2>Title</h2><p>Written in CKEditor, no newlines.</p>";
    let settled = import(dir.path(), vec![node(1, "/editor", editor)], false);
    assert_eq!(
        form_of(&settled, "editor.yaml"),
        &Form::Html("the Markdown renders different HTML".into())
    );
    assert!(text_of(&settled, "editor.yaml").contains("body_html: <h2>Title</h2><p>Written"));
}

#[test]
fn links_between_pages_are_relative_while_their_target_is_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let nodes = vec![
        node(1, "/docs/intro", "<p>See <a href=\"/docs/guide#setup\">the guide</a> and <a href=\"/editor\">the editor page</a>.</p>\n"),
        node(2, "/docs/guide", &rendered("## Setup\n\nBack to [intro](/docs/intro).\n")),
        node(3, "/editor", "<p>no newline</p>"),
    ];
    let settled = import(dir.path(), nodes, false);
    let intro = text_of(&settled, "docs/intro.md");
    assert!(
        intro.contains("See [the guide](guide.md#setup) and [the editor page](/editor)."),
        "{intro}"
    );
    assert!(text_of(&settled, "docs/guide.md").contains("[intro](intro.md)"));
    assert!(matches!(form_of(&settled, "editor.yaml"), Form::Html(_)));
}

#[test]
fn embedded_files_keep_their_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let html = "<p>The diagram: <img src=\"/sites/default/files/2026-11/d.png\" data-entity-type=\"file\" data-entity-uuid=\"0c6f6e2c-7a85-4e0b-9c55-6b53c3a3f0b1\" alt=\"Diagram\"></p>\n";
    let settled = import(dir.path(), vec![node(1, "/image", html)], false);
    assert_eq!(form_of(&settled, "image.md"), &Form::Markdown);
    assert!(text_of(&settled, "image.md").contains("data-entity-uuid=\"0c6f6e2c"));
}

#[test]
fn an_image_alone_in_its_paragraph_stays_in_one() {
    let dir = tempfile::tempdir().unwrap();
    let html = "<p>Our diagram:</p>\n<p><img src=\"/sites/default/files/d.png\" data-entity-type=\"file\" data-entity-uuid=\"0c6f6e2c-7a85-4e0b-9c55-6b53c3a3f0b1\" alt=\"D\"></p>\n<img src=\"/sites/default/files/e.png\" data-entity-type=\"file\" data-entity-uuid=\"1c6f6e2c-7a85-4e0b-9c55-6b53c3a3f0b1\" alt=\"E\">\n";
    let settled = import(dir.path(), vec![node(1, "/image", html)], false);
    assert_eq!(form_of(&settled, "image.md"), &Form::Markdown);
    assert!(text_of(&settled, "image.md").contains("\n<p><img src=\"/sites/default/files/d.png\""));
}

#[test]
fn html_flag_and_other_fields() {
    let dir = tempfile::tempdir().unwrap();
    let mut draft = node(1, "/draft", &rendered("Text.\n"));
    draft.published = false;
    draft.summary = Some("Short".into());
    draft.format = Some("full_html".into());
    draft.title = "  Spaced: title  ".into();
    let settled = import(dir.path(), vec![draft.clone()], true);
    assert_eq!(
        form_of(&settled, "draft.yaml"),
        &Form::Html("--html".into())
    );
    let dir = tempfile::tempdir().unwrap();
    let settled = import(dir.path(), vec![draft], false);
    let text = text_of(&settled, "draft.md");
    assert!(
        text.contains("status: draft\nsummary: Short\nformat: full_html\n"),
        "{text}"
    );
}

#[test]
fn files_plan_would_not_read_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let settled = import(
        dir.path(),
        vec![
            node(1, "/private/x", "<p>x</p>\n"),
            node(2, "/ok", "<p>x</p>\n"),
        ],
        false,
    );
    assert_eq!(settled.skipped.len(), 1);
    assert!(
        settled.skipped[0].reason.contains("excluded"),
        "{}",
        settled.skipped[0].reason
    );
    assert_eq!(form_of(&settled, "ok.md"), &Form::Markdown);
}

#[test]
fn dir_inside_or_outside_the_content_dir() {
    let base = tempfile::tempdir().unwrap();
    let content = options(base.path());
    for (dir, folder) in [
        ("content", Some("")),
        ("content/imported/new", Some("imported/new")),
        ("content/../content/x", Some("x")),
        ("elsewhere", None),
    ] {
        let (options, got) = super::target(&content, Some(&base.path().join(dir))).unwrap();
        assert_eq!(got.as_deref(), folder, "{dir}");
        if folder.is_none() {
            assert!(options.dir.ends_with("elsewhere"));
        }
    }
}

#[test]
fn titles_and_bodies_yaml_would_misread() {
    let dir = tempfile::tempdir().unwrap();
    let titles = [
        "1984",
        "yes",
        "null",
        "- dash",
        "# hash",
        "a: b",
        "'quoted'",
        "\"double\"",
        "~",
        "[x]",
        "{y}",
        "@at",
        "Über uns",
        "tab\there",
    ];
    let mut nodes: Vec<RemotePage> = titles
        .iter()
        .enumerate()
        .map(|(i, title)| RemotePage {
            title: (*title).to_owned(),
            ..node(i as u128 + 1, &format!("/t{i}"), "<p>x</p>\n")
        })
        .collect();
    nodes.push(node(99, "/crlf", "<p>a</p>\r\n<p>b</p>\r\n"));
    let settled = import(dir.path(), nodes, false);
    assert!(settled.skipped.is_empty(), "{:?}", settled.skipped);
    for i in 0..titles.len() {
        assert_eq!(form_of(&settled, &format!("t{i}.md")), &Form::Markdown);
    }
    assert!(matches!(form_of(&settled, "crlf.yaml"), Form::Html(_)));
}

#[test]
fn html_the_renderer_would_change_keeps_its_html() {
    let dir = tempfile::tempdir().unwrap();
    let nodes = vec![
        node(1, "/h1", "<h1>Big</h1>\n<p>x</p>\n"),
        node(2, "/aligned", "<table><thead><tr><th style=\"text-align: right\">n</th></tr></thead><tbody>\n<tr><td style=\"text-align: right\">1</td></tr>\n</tbody></table>\n"),
        node(3, "/script", "<p>x</p>\n<script>alert(1)</script>\n"),
    ];
    let settled = import(dir.path(), nodes, false);
    assert!(settled.skipped.is_empty(), "{:?}", settled.skipped);
    assert_eq!(settled.files.len(), 3);
}
