//! Tests of the whole pure pipeline ([`build`]): files in, pages and diagnostics out.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use super::*;

fn options() -> ContentOptions {
    ContentOptions {
        dir: "content".into(),
        display_base: ".".into(),
        namespace: "example-docs".into(),
        default_format: "basic_html".into(),
        exclude: Vec::new(),
        strict: false,
        generator: GeneratorOptions::default(),
    }
}

fn source_files(files: &[(&str, &str)]) -> Vec<SourceFile> {
    files
        .iter()
        .map(|&(rel, text)| SourceFile {
            rel: rel.to_owned(),
            display: format!("content/{rel}"),
            kind: Kind::of(rel).expect(rel),
            text: text::decode(text.as_bytes()).expect(rel),
        })
        .collect()
}

fn run_with(files: &[(&str, &str)], filter: &Filter, options: &ContentOptions) -> Content {
    let files = source_files(files);
    finish(
        build(&files, &BTreeSet::new(), filter, options),
        options.strict,
    )
}

fn run(files: &[(&str, &str)]) -> Content {
    run_with(files, &Filter::default(), &options())
}

fn shown(content: &Content) -> Vec<String> {
    content
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn identity_follows_the_contract() {
    let adopted = "0C6F6E2C-7A85-4E0B-9C55-6B53C3A3F0B1";
    let files = [
        ("index.md", "# Home\n"),
        ("team/_index.md", "---\ntitle: Team\n---\n"),
        ("Docs/Getting Started.md", "---\ntitle: Start\nstatus: draft\n---\n"),
        ("about.md", "+++\ntitle = \"About\"\npath = \"/about-us\"\nid = \"about-page\"\ndraft = false\nformat = \"full_html\"\nsummary = \"Who\"\n+++\n"),
        ("adopted.md", &format!("---\ntitle: Old\nuuid: {adopted}\naliases: [/old-one]\n---\n")),
        ("list.yaml", "pages:\n  - id: faq\n    title: FAQ\n  - id: 42\n    title: Answer\n    body_html: <p>42</p>\n"),
    ];
    let content = run(&files);
    assert_eq!(shown(&content), Vec::<String>::new());
    let got: Vec<_> = content
        .pages
        .iter()
        .map(|p| {
            (
                p.source.to_string(),
                p.key.as_str(),
                p.alias.as_str(),
                p.title.as_str(),
                p.published,
                p.status_explicit,
                p.format.as_str(),
                p.summary.as_deref(),
            )
        })
        .collect();
    let want = [
        (
            "content/Docs/Getting Started.md".into(),
            "Docs/Getting Started",
            "/docs/getting-started",
            "Start",
            false,
            true,
            "basic_html",
            None,
        ),
        (
            "content/about.md".into(),
            "about-page",
            "/about-us",
            "About",
            true,
            true,
            "full_html",
            Some("Who"),
        ),
        (
            "content/adopted.md".into(),
            "adopted",
            "/adopted",
            "Old",
            true,
            false,
            "basic_html",
            None,
        ),
        (
            "content/index.md".into(),
            "index",
            "/index",
            "Home",
            true,
            false,
            "basic_html",
            None,
        ),
        (
            "content/list.yaml:2".into(),
            "faq",
            "/faq",
            "FAQ",
            true,
            false,
            "basic_html",
            None,
        ),
        (
            "content/list.yaml:4".into(),
            "42",
            "/42",
            "Answer",
            true,
            false,
            "basic_html",
            None,
        ),
        (
            "content/team/_index.md".into(),
            "team",
            "/team",
            "Team",
            true,
            false,
            "basic_html",
            None,
        ),
    ];
    assert_eq!(got, want);
    for page in &content.pages {
        if page.key == "adopted" {
            assert!(page.adopted);
            assert_eq!(page.uuid.to_string(), adopted.to_lowercase());
            assert_eq!(page.previous_aliases, ["/old-one"]);
        } else {
            assert!(!page.adopted);
            assert_eq!(
                page.uuid,
                crate::page::derive_uuid("example-docs", &page.key)
            );
        }
    }
    let home = content.pages.iter().find(|p| p.key == "index").unwrap();
    assert_eq!(home.body, "", "the H1 used as title leaves the body");
    let answer = content.pages.iter().find(|p| p.key == "42").unwrap();
    assert_eq!(answer.body, "<p>42</p>");
}

#[test]
fn every_problem_is_collected_with_its_position() {
    let files = [
        ("a.md", "---\ntitle: A\nstatus: live\ntitel: x\n---\nSee [f](fm.md), [c](sub/c.md) and [x](x.md#top).\n"),
        ("b.md", "---\ntitle: [B]\n---\n"),
        ("dup.md", "---\ntitle: Dup\npath: /Dup\n---\n"),
        ("empty.md", ""),
        ("fm.md", "---\ntitle: A\n  bad: indent\n---\n"),
        ("open.md", "+++\ntitle = \"x\"\n"),
        ("pages.yml", "pages:\n  - id: p\n    title: P\n    body: |\n      Go [home](../home.md).\n  - title: No id\n"),
        ("sub/c.md", "---\ntitle: C\nid: a\n---\n"),
        ("two.yaml", "title: T\nbody: x\nbody_html: y\n"),
    ];
    let content = run(&files);
    assert_eq!(
        shown(&content),
        [
            "content/a.md:3:1: error: unknown status `live`, expected `published` or `draft`",
            "content/a.md:4:1: warning: unknown front matter key `titel`; did you mean `title`?",
            "content/a.md:6:5: error: broken link `fm.md`: `fm.md` has errors, so it is not a page",
            "content/a.md:6:35: error: broken link `x.md#top`: there is no page `x.md` in the content directory",
            "content/b.md:2:1: error: `title` must be a string, found a list",
            "content/empty.md:1:1: error: missing title: add `title:` to the front matter or start the body with `# Title`",
            "content/fm.md:3:6: error: invalid YAML front matter: mapping values are not allowed in this context",
            "content/open.md:1:1: error: front matter opened with `+++` is never closed; add a `+++` line after the last key",
            "content/pages.yml:5:10: error: broken link `../home.md`: it points outside the content directory",
            "content/pages.yml:6:1: error: page #2 in `pages` has no `id`; every page in a list needs one",
            "content/sub/c.md:3:1: error: duplicate key `a`: content/a.md:1 has the same key; set a distinct `id` on one of them",
            "content/two.yaml:3:1: error: a page has either `body` (Markdown) or `body_html` (HTML), not both",
        ]
    );
    let keys: Vec<&str> = content.pages.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        ["dup", "a"],
        "pages with their own errors are left out"
    );
}

#[test]
fn duplicate_aliases_compare_case_insensitively() {
    let content = run(&[
        ("about.md", "# About\n"),
        ("z.md", "---\ntitle: Z\npath: /About\n---\n"),
    ]);
    assert_eq!(
        shown(&content),
        ["content/z.md:3:1: error: duplicate alias `/About`: content/about.md:1 has `/about` (aliases compare case-insensitively)"]
    );
    assert_eq!(content.pages.len(), 2, "cross-page errors drop no page");
}

#[test]
fn derived_aliases_are_checked() {
    let content = run(&[
        ("admin/settings.md", "# S\n"),
        ("x.md", "---\ntitle: X\nid: ../admin\n---\n"),
    ]);
    assert_eq!(
        shown(&content),
        [
            "content/admin/settings.md:1:1: error: the default alias `/admin/settings` of key `admin/settings` is invalid: `/admin` and everything under it belongs to Drupal; choose another path; set `path:`",
            "content/x.md:3:1: error: the default alias `/../admin` of key `../admin` is invalid: `.` and `..` segments are not allowed; set `path:`",
        ]
    );
}

#[test]
fn links_point_at_aliases() {
    let files = [
        ("docs/a.md", "# A\n\n[people](../team/index.md#people) [b](b.markdown) [out](https://x.org/y.md) [d](drafts/d.md)\n"),
        ("docs/b.markdown", "---\ntitle: B\npath: /bee\n---\n"),
        ("team/index.md", "# Team\n\n## People\n"),
    ];
    let filter = Filter::new(&["docs/drafts/**".into()]).unwrap();
    let content = run_with(&files, &filter, &options());
    assert_eq!(
        shown(&content),
        ["content/docs/a.md:3:77: error: broken link `drafts/d.md`: `docs/drafts/d.md` is excluded, so it is not a page"]
    );
    let files = &files[1..];
    let linked = run(&[
        (
            "docs/a.md",
            "# A\n\n[people](../team/index.md#people) [b](b.markdown) [out](https://x.org/y.md)\n",
        ),
        files[0],
        files[1],
    ]);
    assert_eq!(shown(&linked), Vec::<String>::new());
    assert_eq!(
        linked.pages[0].body,
        "<p><a href=\"/team#people\">people</a> <a href=\"/bee\">b</a> <a href=\"https://x.org/y.md\">out</a></p>\n"
    );
}

#[test]
fn crlf_and_bom_change_nothing() {
    let lf =
        "---\ntitle: T\nstatus: nope\n---\n# Body\n\nText\nmore [x](gone.md)\n\n```\ncode\n```\n";
    let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
    let a = run(&[("p.md", lf)]);
    let b = run(&[("p.md", &crlf)]);
    assert_eq!(shown(&a), shown(&b));
    assert_eq!(shown(&a)[1], "content/p.md:8:6: error: broken link `gone.md`: there is no page `gone.md` in the content directory");
    let a = run(&[("p.md", "---\ntitle: T\n---\nText\nmore\n\n```\ncode\n```\n")]);
    let b = run(&[(
        "p.md",
        "---\r\ntitle: T\r\n---\r\nText\r\nmore\r\n\r\n```\r\ncode\r\n```\r\n",
    )]);
    assert_eq!(a.pages, b.pages);
    assert_eq!(
        a.pages[0].body,
        "<p>Text\nmore</p>\n<pre><code>code\n</code></pre>\n"
    );
}

#[test]
fn strict_makes_warnings_errors() {
    let files = [("p.md", "---\ntitle: T\nlayout: x\n---\n")];
    let relaxed = run(&files);
    assert!(!relaxed.has_errors());
    assert_eq!(relaxed.pages.len(), 1);
    let strict = run_with(
        &files,
        &Filter::default(),
        &ContentOptions {
            strict: true,
            ..options()
        },
    );
    assert!(strict.has_errors());
    assert_eq!(
        strict.errors().map(ToString::to_string).collect::<Vec<_>>(),
        ["content/p.md:3:1: error: unknown front matter key `layout`"]
    );
}

#[test]
fn diagnostics_display_like_a_compiler() {
    let mut d = Diagnostic {
        path: "content/a.md".into(),
        line: 3,
        col: 7,
        severity: Severity::Warning,
        message: "m".into(),
    };
    assert_eq!(d.to_string(), "content/a.md:3:7: warning: m");
    d.line = 0;
    d.severity = Severity::Error;
    assert_eq!(d.to_string(), "content/a.md: error: m");
}

// ---- properties ----

/// Whether every diagnostic points inside the text of the file it names.
fn positions_are_in(content: &Content, texts: &[(&str, &str)]) -> Result<(), TestCaseError> {
    for d in &content.diagnostics {
        let (_, text) = texts
            .iter()
            .find(|(rel, _)| d.path == format!("content/{rel}"))
            .ok_or_else(|| TestCaseError::fail(format!("unknown path in {d}")))?;
        let text = text::decode(text.as_bytes()).unwrap_or_default();
        let lines: Vec<&str> = text.split('\n').collect();
        prop_assert!(
            d.line >= 1 && d.line <= lines.len(),
            "{d} outside {} lines",
            lines.len()
        );
        let width = lines[d.line - 1].chars().count();
        prop_assert!(
            d.col >= 1 && d.col <= width + 1,
            "{d} outside a line of {width} chars"
        );
    }
    Ok(())
}

/// Text dense in the characters YAML, TOML and Markdown give meaning to.
fn syntax_soup() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("---\n"),
        Just("+++\n"),
        Just("title: "),
        Just("title = "),
        Just("path: /"),
        Just("pages:\n"),
        Just("  - id: "),
        Just("\n"),
        Just("\r\n"),
        Just(": "),
        Just("\""),
        Just("'"),
        Just("["),
        Just("]"),
        Just("{"),
        Just("}"),
        Just("&a "),
        Just("*a"),
        Just("# "),
        Just("[l](x.md)"),
        Just("|\n"),
        Just("  "),
        Just("é"),
        Just("\u{feff}"),
        Just("\t"),
        Just("x"),
        Just("1"),
        Just("!t "),
        Just("id: "),
        Just("uuid: "),
    ];
    prop::collection::vec(pieces, 0..40).prop_map(|p| p.concat())
}

fn check_text(text: &str) -> Result<(), TestCaseError> {
    for rel in ["p.md", "p.yaml"] {
        let files = [(rel, text)];
        let content = run(&files);
        positions_are_in(&content, &files)?;
        // A Markdown file always yields a page or says why not.
        prop_assert!(!content.pages.is_empty() || content.has_errors() || rel == "p.yaml");
    }
    Ok(())
}

/// A page we know the answer for, written as YAML or TOML front matter.
fn known_page() -> impl Strategy<Value = (String, String, String)> {
    let title = "[^\\x00-\\x1f\\x7f]{0,30}[a-zA-Z0-9é][^\\x00-\\x1f\\x7f]{0,30}";
    let path = "(/[a-z0-9][a-z0-9._~-]{0,8}){1,3}"
        .prop_filter("valid alias", |p| identity::check_alias(p).is_ok());
    (
        title,
        path,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        "[a-zA-Z ]{0,40}",
    )
        .prop_map(|(title, path, toml, crlf, bom, body)| {
            // `\u` escapes mean the same in YAML double-quoted and TOML basic strings; YAML
            // needs them for C1 controls, U+FFFE/U+FFFF and the characters it reads as line breaks.
            let quote = |s: &str| {
                let escaped: String = s
                    .chars()
                    .map(|c| match c {
                        '"' | '\\' => format!("\\{c}"),
                        '\u{80}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}' => {
                            format!("\\u{:04x}", c as u32)
                        }
                        c => c.to_string(),
                    })
                    .collect();
                format!("\"{escaped}\"")
            };
            let (fence, sep) = if toml { ("+++", " = ") } else { ("---", ": ") };
            let mut doc = format!(
                "{fence}\ntitle{sep}{}\npath{sep}{}\n{fence}\n{body}\n",
                quote(&title),
                quote(&path)
            );
            if crlf {
                doc = doc.replace('\n', "\r\n");
            }
            if bom {
                doc.insert(0, '\u{feff}');
            }
            (doc, title, path)
        })
}

proptest! {
    // Failing cases are kept beside this file (`tests.proptest-regressions`), not at the crate root.
    #![proptest_config(ProptestConfig {
        cases: 10_000,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_text_is_handled(text in any::<String>()) {
        check_text(&text)?;
    }

    #[test]
    fn syntax_soup_is_handled(text in syntax_soup()) {
        check_text(&text)?;
    }

    #[test]
    fn any_bytes_decode_or_fail_at_a_position(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        match text::decode(&bytes) {
            Ok(text) => check_text(&text)?,
            Err(problem) => {
                let lossy = String::from_utf8_lossy(&bytes).replace("\r\n", "\n").replace('\r', "\n");
                let lines = lossy.split('\n').count();
                prop_assert!(problem.pos.line >= 1 && problem.pos.line <= lines);
                prop_assert!(problem.pos.col >= 1);
            }
        }
    }

    #[test]
    fn known_pages_round_trip((doc, title, path) in known_page()) {
        let content = run(&[("p.md", &doc)]);
        prop_assert_eq!(shown(&content), Vec::<String>::new());
        prop_assert_eq!(&content.pages[0].title, &title);
        prop_assert_eq!(&content.pages[0].alias, &path);
    }

    #[test]
    fn mutated_pages_are_handled(
        (doc, _, _) in known_page(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0..4u8, "[-+:#\\[\\]{}\"'\n &*|>!]"), 1..4),
    ) {
        let mut doc = doc;
        for (at, op, piece) in edits {
            let mut at = at.index(doc.len() + 1);
            while !doc.is_char_boundary(at) {
                at -= 1;
            }
            match op {
                0 => doc.insert_str(at, &piece),
                1 if at < doc.len() => {
                    let end = doc[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                    doc.replace_range(at..end, "");
                }
                2 => {
                    let line_end = doc[at..].find('\n').map_or(doc.len(), |i| at + i + 1);
                    let line = doc[at..line_end].to_owned();
                    doc.insert_str(line_end, &line);
                }
                _ => doc.insert(at, '\n'),
            }
        }
        check_text(&doc)?;
    }
}

#[test]
fn generator_fixtures_load_as_their_generators_read_them() {
    // (fixture, content dir, key → (alias, previous aliases, published))
    let fixture = |name: &str, dir: &str| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/ssg")
            .join(name);
        load(&ContentOptions {
            dir: root.join(dir),
            display_base: root.clone(),
            ..options()
        })
    };
    let hugo = fixture("hugo", "content");
    assert_eq!(hugo.flavor, Some(Flavor::Hugo));
    assert!(!hugo.has_errors(), "{:?}", hugo.diagnostics);
    let guide = hugo.pages.iter().find(|p| p.key == "docs/guide").unwrap();
    assert_eq!(guide.alias, "/docs/the-guide");
    assert_eq!(guide.previous_aliases, ["/old-guide", "/docs/guide-v1"]);
    let skipped: Vec<&str> = hugo.skipped.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        skipped,
        [
            "content/bundle/part.md",
            "content/headless/index.md",
            "content/headless/snippet.md",
            "content/internal/_index.md",
            "content/internal/secret.md",
        ]
    );
    let jekyll = fixture("jekyll", "site");
    assert_eq!(jekyll.flavor, Some(Flavor::Jekyll));
    let setup = jekyll
        .pages
        .iter()
        .find(|p| p.key == "_guides/setup")
        .unwrap();
    assert_eq!(setup.previous_aliases, ["/install", "/setup.html"]);
    let skipped: Vec<&str> = jekyll.skipped.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        skipped,
        [
            "site/_config.yml",
            "site/_data",
            "site/_drafts",
            "site/_includes",
            "site/_layouts",
            "site/notes.md",
            "site/scripts"
        ]
    );
    for (name, dir, flavor) in [
        ("zola", "content", Flavor::Zola),
        ("docusaurus", "docs", Flavor::Docusaurus),
        ("mkdocs", "docs", Flavor::Mkdocs),
    ] {
        let content = fixture(name, dir);
        assert_eq!(content.flavor, Some(flavor));
        assert!(!content.has_errors(), "{name}: {:?}", content.diagnostics);
    }
}

#[test]
fn every_bad_alias_of_a_list_is_reported() {
    let content = run(&[(
        "p.md",
        "---\ntitle: P\naliases: [/admin/x, /ok/, /node/1, /fine]\n---\n",
    )]);
    let errors: Vec<String> = content.errors().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].contains("`/admin/x`") && errors[1].contains("`/node/1`"),
        "{errors:?}"
    );
}

#[test]
fn drupal_length_limits_are_checked_offline() {
    // drupal-wire 5a: a 256-character title is a 422 mid-apply; §8: aliases hold 255.
    let long_title = "t".repeat(256);
    let long_alias = format!("/{}", "a".repeat(255));
    let ok_title = "é".repeat(255);
    let files = [
        ("a.md", format!("---\ntitle: {long_title}\n---\n")),
        ("b.md", format!("# {long_title}\n")),
        ("c.md", format!("---\ntitle: C\npath: {long_alias}\n---\n")),
        (
            "d.md",
            format!("---\ntitle: {ok_title}\npath: /{}\n---\n", "a".repeat(254)),
        ),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let content = run(&files);
    assert_eq!(
        shown(&content),
        [
            "content/a.md:2:1: error: the title is 256 characters long; Drupal refuses titles over 255",
            "content/b.md:1:1: error: the title is 256 characters long; Drupal refuses titles over 255 (the `# ` heading)",
            format!("content/c.md:3:1: error: invalid alias `{long_alias}`: it is 256 characters long; Drupal's alias column holds 255").as_str(),
        ]
    );
    assert_eq!(content.pages.len(), 1);
}

#[test]
fn path_auto_leaves_the_alias_to_the_site() {
    let content = run(&[("guide.md", "---\ntitle: Guide\npath: auto\n---\n")]);
    assert!(content.diagnostics.is_empty(), "{:?}", shown(&content));
    assert!(content.pages[0].alias_auto);
    assert_eq!(auto_alias_needs_jsonapi(&content.pages).len(), 1);
    let content = run(&[
        ("guide.md", "---\ntitle: Guide\npath: auto\n---\n"),
        ("index.md", "# Home\n\nSee [the guide](guide.md).\n"),
    ]);
    assert_eq!(
        shown(&content),
        ["content/index.md:3:5: error: broken link `guide.md`: `guide.md` has `path: auto`, so its alias is the site's pathauto's and unknown here; give it a `path:`"]
    );
    // Its default alias is not claimed: another page may have it.
    let content = run(&[
        ("guide.md", "---\ntitle: Guide\npath: auto\n---\n"),
        ("other.md", "---\ntitle: Other\npath: /guide\n---\n"),
    ]);
    assert!(content.diagnostics.is_empty(), "{:?}", shown(&content));
}

#[test]
fn menu_front_matter_in_hugo_forms() {
    let content = run(&[
        ("a.md", "---\ntitle: A\nmenu: main\n---\n"),
        ("b.md", "---\ntitle: B\nmenus: [main, footer]\nweight: -2\n---\n"),
        (
            "docs/index.md",
            "---\ntitle: Docs\nlinkTitle: Documentation\nmenu:\n  main: {weight: 10, parent: a, name: \"Docs home\"}\n---\n",
        ),
        ("c.md", "+++\ntitle = \"C\"\n[menu.footer]\nweight = 4\n+++\n"),
    ]);
    assert_eq!(shown(&content), Vec::<String>::new());
    let nav = |key: &str| {
        content
            .pages
            .iter()
            .find(|p| p.key == key)
            .map(|p| p.nav.clone())
            .unwrap()
    };
    let menus =
        |key: &str| -> Vec<String> { nav(key).entries.into_iter().map(|e| e.menu).collect() };
    assert_eq!(menus("a"), ["main"]);
    assert_eq!(nav("a").at, (3, 1));
    assert_eq!(menus("b"), ["main", "footer"]);
    assert_eq!(nav("b").weight, Some(-2));
    let docs = nav("docs");
    assert_eq!(docs.link_title.as_deref(), Some("Documentation"));
    assert_eq!(docs.entries[0].weight, Some(10));
    assert_eq!(docs.entries[0].parent.as_deref(), Some("a"));
    assert_eq!(docs.entries[0].name.as_deref(), Some("Docs home"));
    assert!(docs.folder_index);
    assert_eq!(docs.file, "docs/index.md");
    assert_eq!(nav("c").entries[0].weight, Some(4));
    assert!(!nav("c").folder_index);
}

#[test]
fn bad_menu_front_matter_is_located() {
    for (text, needle) in [
        (
            "---\ntitle: A\nmenu: Main Menu\n---\n",
            "not a menu's machine name",
        ),
        (
            "---\ntitle: A\nmenu: 3\n---\n",
            "`menu` must be a menu name",
        ),
        (
            "---\ntitle: A\nmenu: {main: {wieght: 1}}\n---\n",
            "unknown key `wieght` in menu `main`",
        ),
        (
            "---\ntitle: A\nmenu: {main: {weight: high}}\n---\n",
            "must be a whole number",
        ),
        (
            "---\ntitle: A\nweight: 1.5\n---\n",
            "`weight` must be a whole number",
        ),
        (
            "---\ntitle: A\nmenu: main\nmenus: footer\n---\n",
            "either `menu` or `menus`",
        ),
    ] {
        let content = run(&[("a.md", text)]);
        let errors: Vec<&Diagnostic> = content.errors().collect();
        assert_eq!(errors.len(), 1, "{text}: {:?}", shown(&content));
        assert!(
            errors[0].message.contains(needle),
            "{text}: {}",
            errors[0].message
        );
        assert!(errors[0].line >= 3, "{text}: {}", errors[0]);
    }
}
