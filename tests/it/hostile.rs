//! Hostile content: each case builds a content directory in a temp dir, loads it through
//! `drupal_sync::content::load` under a deadline (a hang fails the test instead of stalling
//! the suite), and asserts the exact outcome: the diagnostics a user would read, or the
//! page that loads.

use std::fs;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use drupal_sync::content::{load, Content, ContentOptions};
use drupal_sync::page::Page;

const DEADLINE: Duration = Duration::from_secs(20);

/// A throwaway project: `<tmp>/content/…`, diagnostics shown relative to `<tmp>`.
struct Site {
    root: tempfile::TempDir,
    exclude: Vec<String>,
}

impl Site {
    fn new() -> Site {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir(root.path().join("content")).unwrap();
        Site {
            root,
            exclude: Vec::new(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    /// Write `bytes` to `content/<rel>`, creating folders.
    fn file(self, rel: &str, bytes: impl AsRef<[u8]>) -> Site {
        let path = self.path("content").join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
        self
    }

    #[cfg(unix)]
    fn symlink(self, rel: &str, target: &str) -> Site {
        std::os::unix::fs::symlink(target, self.path("content").join(rel)).unwrap();
        self
    }

    fn exclude(mut self, glob: &str) -> Site {
        self.exclude.push(glob.to_owned());
        self
    }

    /// Load the content on another thread (2 MiB stack, less than `main` gets) and give up
    /// after [`DEADLINE`].
    fn load(&self) -> Content {
        let options = ContentOptions {
            dir: self.path("content"),
            display_base: self.root.path().to_path_buf(),
            namespace: "example-docs".into(),
            default_format: "basic_html".into(),
            exclude: self.exclude.clone(),
            strict: false,
            generator: Default::default(),
        };
        let (done, result) = mpsc::channel();
        thread::spawn(move || {
            let _ = done.send(load(&options));
        });
        match result.recv_timeout(DEADLINE) {
            Ok(content) => content,
            Err(RecvTimeoutError::Timeout) => panic!("load did not finish within {DEADLINE:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("load panicked"),
        }
    }
}

fn shown(content: &Content) -> Vec<String> {
    content
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// Assert the load failed with exactly `expected`, and kept no page from the failing files.
#[track_caller]
fn assert_errors(content: &Content, expected: &[&str]) {
    assert_eq!(shown(content), expected);
    assert!(content.has_errors());
}

/// Assert the load succeeded with no diagnostic, and return its only page.
#[track_caller]
fn only_page(content: &Content) -> &Page {
    assert_eq!(shown(content), Vec::<String>::new());
    assert_eq!(content.pages.len(), 1, "{:?}", content.pages);
    &content.pages[0]
}

// ---- front matter that does not parse ----

#[test]
fn broken_yaml_front_matter() {
    let content = Site::new()
        .file(
            "about.md",
            "---\ntitle: About\npath: [/about\nsummary: x\n---\nBody\n",
        )
        .load();
    assert_errors(
        &content,
        &["content/about.md:4:8: error: invalid YAML front matter: did not find expected ',' or ']', while parsing a flow sequence that starts on line 3"],
    );
    assert!(content.pages.is_empty());
}

#[test]
fn broken_toml_front_matter() {
    let content = Site::new()
        .file("about.md", "+++\ntitle = \"About\npath = \"/about\"\n+++\n")
        .load();
    assert_errors(
        &content,
        &["content/about.md:2:15: error: invalid TOML front matter: invalid basic string, expected `\"`"],
    );
}

#[test]
fn yaml_front_matter_that_never_closes() {
    let content = Site::new()
        .file("a.md", "---\ntitle: A\n\n# Heading\n\nText\n")
        .load();
    assert_errors(
        &content,
        &["content/a.md:1:1: error: front matter opened with `---` is never closed; add a `---` line after the last key"],
    );
}

#[test]
fn toml_front_matter_that_never_closes() {
    let content = Site::new().file("a.md", "+++\ntitle = \"A\"\n---\n").load();
    assert_errors(
        &content,
        &["content/a.md:1:1: error: front matter opened with `+++` is never closed; add a `+++` line after the last key"],
    );
}

#[test]
fn wrong_types() {
    let content = Site::new()
        .file("list.md", "---\ntitle: [a, b]\n---\n")
        .file("map.md", "---\ntitle: M\npath: {a: b}\n---\n")
        .file("number.md", "+++\ntitle = 1984\n+++\n")
        .file("draft.md", "---\ntitle: D\ndraft: maybe\n---\n")
        .load();
    assert_errors(
        &content,
        &[
            "content/draft.md:3:1: error: `draft` must be `true` or `false`, found a string",
            "content/list.md:2:1: error: `title` must be a string, found a list",
            "content/map.md:3:1: error: `path` must be a string, found a mapping",
            "content/number.md:2:1: error: `title` must be a string, found a number; put it in quotes",
        ],
    );
    assert!(content.pages.is_empty());
}

#[test]
fn duplicate_keys() {
    let content = Site::new()
        .file("fm.md", "---\ntitle: A\npath: /a\ntitle: B\n---\n")
        .file(
            "pages.yaml",
            "pages:\n  - id: x\n    title: X\n    title: Y\n",
        )
        .file("toml.md", "+++\ntitle = \"A\"\ntitle = \"B\"\n+++\n")
        .load();
    assert_errors(
        &content,
        &[
            "content/fm.md:4:1: error: invalid YAML front matter: duplicate key `title`",
            "content/pages.yaml:4:5: error: invalid YAML: pages[0]: duplicate key `title`",
            "content/toml.md:3:1: error: invalid TOML front matter: duplicate key",
        ],
    );
}

#[test]
fn yaml_tags_and_documents() {
    let content = Site::new()
        .file("tag.md", "---\ntitle: !shell rm -rf /\n---\n")
        .file("docs.yaml", "title: A\n---\ntitle: B\n")
        .load();
    assert_errors(
        &content,
        &[
            "content/docs.yaml:1:1: error: invalid YAML: deserializing from YAML containing more than one document is not supported",
            "content/tag.md:2:8: error: invalid YAML front matter: title: YAML tags (`!name`) are not supported; remove the tag",
        ],
    );
}

// ---- resource exhaustion ----

#[test]
fn yaml_billion_laughs() {
    let mut bomb = String::from("---\ntitle: Boom\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        let refs = vec![format!("*{prev}"); 9].join(",");
        bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    bomb.push_str("---\n");
    let content = Site::new().file("bomb.md", bomb).load();
    let errors = shown(&content);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("content/bomb.md:")
            && errors[0].contains("YAML aliases (`*name`) expand to too many values"),
        "{errors:?}"
    );
}

#[test]
fn yaml_alias_fan_out() {
    // Few aliases, each copying a large anchor: 10,000 × 10,000 values if expanded.
    let yaml = format!(
        "big: &big [{}]\npages: [{}]\n",
        vec!["x"; 10_000].join(","),
        vec!["*big"; 10_000].join(",")
    );
    let content = Site::new().file("fan.yaml", yaml).load();
    let errors = shown(&content);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("expand to too many values"),
        "{errors:?}"
    );
}

#[test]
fn deeply_nested_yaml() {
    let nested = format!("---\ntitle: {}\n---\n", "[".repeat(10_000));
    let content = Site::new()
        .file("deep.md", nested)
        .file("deep.yaml", "{a: ".repeat(10_000))
        .file(
            "block.yaml",
            (0..200)
                .map(|i| format!("{}k:\n", " ".repeat(i)))
                .collect::<String>(),
        )
        .load();
    assert_errors(
        &content,
        &[
            "content/block.yaml:129:129: error: invalid YAML: nesting is deeper than 128 levels",
            "content/deep.md:2:72: error: invalid YAML front matter: flow collections (`[`, `{`) nest deeper than 64 levels",
            "content/deep.yaml:1:257: error: invalid YAML: flow collections (`[`, `{`) nest deeper than 64 levels",
        ],
    );
}

#[test]
fn megabytes_of_yaml_nesting_fail_fast() {
    // libyaml's scanner works in proportion to the flow depth for every token: without the
    // pre-scan these take hours. The second hides closing brackets in quotes and comments.
    let brackets = format!("---\ntitle: {}\n---\n", "[".repeat(9 * 1024 * 1024));
    let hidden = format!("a: [{}", "[\"]\", [#]\n".repeat(700_000));
    let content = Site::new()
        .file("brackets.md", brackets)
        .file("hidden.yaml", hidden)
        .load();
    assert_errors(
        &content,
        &[
            "content/brackets.md:2:72: error: invalid YAML front matter: flow collections (`[`, `{`) nest deeper than 64 levels",
            "content/hidden.yaml:32:7: error: invalid YAML: flow collections (`[`, `{`) nest deeper than 64 levels",
        ],
    );
}

#[test]
fn deeply_nested_toml() {
    let content = Site::new()
        .file(
            "deep.md",
            format!("+++\ntitle = {}\n+++\n", "[".repeat(10_000)),
        )
        .load();
    assert_errors(
        &content,
        &["content/deep.md:2:89: error: invalid TOML front matter: cannot recurse further; max recursion depth met"],
    );
}

#[test]
fn deeply_nested_markdown_renders() {
    let body = format!(
        "{}deep\n\n{}x\n\n{}\n",
        ">".repeat(10_000),
        "- ".repeat(5_000),
        "[".repeat(10_000)
    );
    let content = Site::new()
        .file("deep.md", format!("---\ntitle: Deep\n---\n{body}"))
        .load();
    let page = only_page(&content);
    assert!(page.body.contains("deep"));
}

#[test]
fn many_unknown_keys_stay_linear() {
    let keys: String = (0..100_000).map(|i| format!("k{i}: v\n")).collect();
    let content = Site::new()
        .file("keys.md", format!("---\ntitle: Keys\n{keys}---\n"))
        .load();
    assert_eq!(content.diagnostics.len(), 100_000);
    assert_eq!(
        content.diagnostics[99_999].to_string(),
        "content/keys.md:100002:1: warning: unknown front matter key `k99999`"
    );
    assert!(!content.has_errors());
}

#[test]
fn a_50_mb_file() {
    let site = Site::new().file("small.md", "# Small\n");
    // Sparse: the size is real to the filesystem, the disk stays empty.
    let big = fs::File::create(site.path("content/big.md")).unwrap();
    big.set_len(50 * 1024 * 1024).unwrap();
    let content = site.load();
    assert_errors(
        &content,
        &["content/big.md:1:1: error: file is 50.0 MiB, over the 10 MiB limit for a page file"],
    );
    assert_eq!(content.pages.len(), 1, "the other page still loads");
}

#[test]
fn just_over_the_size_limit() {
    let mut text = b"# Big\n".to_vec();
    text.resize(10 * 1024 * 1024 + 1, b'a');
    let content = Site::new().file("big.md", &text).load();
    assert_errors(
        &content,
        &["content/big.md:1:1: error: file is 10.0 MiB, over the 10 MiB limit for a page file"],
    );
    text.truncate(10 * 1024 * 1024);
    let content = Site::new().file("big.md", &text).load();
    assert_eq!(only_page(&content).title, "Big");
}

// ---- bytes that are not text ----

#[test]
fn invalid_utf8() {
    let content = Site::new()
        .file("latin1.md", b"---\ntitle: Caf\xe9\n---\n")
        .file(
            "late.md",
            "---\ntitle: A\n---\nok\n"
                .as_bytes()
                .iter()
                .chain(b"bad \xff\n")
                .copied()
                .collect::<Vec<u8>>(),
        )
        .load();
    assert_errors(
        &content,
        &[
            "content/late.md:5:5: error: invalid UTF-8: page files must be UTF-8 encoded (is this a binary file?)",
            "content/latin1.md:2:11: error: invalid UTF-8: page files must be UTF-8 encoded (is this a binary file?)",
        ],
    );
}

#[test]
fn nul_bytes() {
    let content = Site::new()
        .file("nul.md", "---\ntitle: A\0B\n---\n")
        .file("binary.yaml", b"\0\0\0\x01")
        .load();
    assert_errors(
        &content,
        &[
            "content/binary.yaml:1:1: error: file contains a NUL byte (is this a binary file?)",
            "content/nul.md:2:9: error: file contains a NUL byte (is this a binary file?)",
        ],
    );
}

#[test]
fn empty_files() {
    let content = Site::new()
        .file("empty.md", "")
        .file("empty.yaml", "")
        .file("blank.md", "\n\n   \n")
        .load();
    assert_errors(
        &content,
        &[
            "content/blank.md:1:1: error: missing title: add `title:` to the front matter or start the body with `# Title`",
            "content/empty.md:1:1: error: missing title: add `title:` to the front matter or start the body with `# Title`",
            "content/empty.yaml:1:1: error: empty page file; expected the keys of a page (`title: …`) or a `pages:` list",
        ],
    );
}

#[test]
fn a_bom_is_stripped() {
    let content = Site::new()
        .file("bom.md", "\u{feff}---\ntitle: Bom\nstatus: nope\n---\n")
        .load();
    assert_errors(
        &content,
        &["content/bom.md:3:1: error: unknown status `nope`, expected `published` or `draft`"],
    );
    let content = Site::new().file("bom.md", "\u{feff}# Bom\n\nText\n").load();
    let page = only_page(&content);
    assert_eq!(
        (page.title.as_str(), page.body.as_str()),
        ("Bom", "<p>Text</p>\n")
    );
}

#[test]
fn crlf_line_endings_work_like_lf() {
    let lf = "---\ntitle: Line endings\nsummary: S\n---\nFirst\nsecond\n\n```\ncode\n```\n";
    let crlf = lf.replace('\n', "\r\n");
    let a = Site::new().file("p.md", lf).load();
    let b = Site::new().file("p.md", &crlf).load();
    assert_eq!(only_page(&a), only_page(&b));
    assert_eq!(
        only_page(&b).body,
        "<p>First\nsecond</p>\n<pre><code>code\n</code></pre>\n"
    );
    let broken = "---\r\ntitle: T\r\n---\r\nText\r\nSee [x](gone.md)\r\n";
    assert_errors(
        &Site::new().file("p.md", broken).load(),
        &["content/p.md:5:5: error: broken link `gone.md`: there is no page `gone.md` in the content directory"],
    );
}

// ---- the filesystem ----

#[cfg(unix)]
#[test]
fn symlink_loops() {
    let content = Site::new()
        .file("a/page.md", "# Page\n")
        .symlink("a/loop", "..")
        .symlink("x.md", "y.md")
        .symlink("y.md", "x.md")
        .load();
    let errors = shown(&content);
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(
        errors[0],
        "content/a/loop: error: symlink loop: this link points back to `content`"
    );
    for (error, path) in errors[1..].iter().zip(["content/x.md", "content/y.md"]) {
        assert!(
            error.starts_with(&format!(
                "{path}: error: cannot follow symlink (a symlink loop?)"
            )),
            "{error}"
        );
    }
    assert_eq!(content.pages.len(), 1);
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_content_dir() {
    let site = Site::new();
    fs::write(site.path("secret.md"), "# Secret\n").unwrap();
    fs::create_dir(site.path("elsewhere")).unwrap();
    fs::write(site.path("elsewhere/page.md"), "# Elsewhere\n").unwrap();
    let content = site
        .file("inside.md", "# Inside\n")
        .file("real/target.md", "# Target\n")
        .symlink("leak.md", "../secret.md")
        .symlink("dir", "../elsewhere")
        .symlink("passwd.md", "/etc/passwd")
        .symlink("logo.png", "../secret.md")
        .symlink("alias.md", "real/target.md")
        .load();
    assert_errors(
        &content,
        &[
            "content/dir: error: symlink to `../elsewhere` leaves the content directory; copy the file in or move the content",
            "content/leak.md: error: symlink to `../secret.md` leaves the content directory; copy the file in or move the content",
            "content/passwd.md: error: symlink to `/etc/passwd` leaves the content directory; copy the file in or move the content",
        ],
    );
    let titles: Vec<&str> = content.pages.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Target", "Inside", "Target"],
        "inside links are followed"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_does_not_block() {
    let site = Site::new();
    let fifo = site.path("content/pipe.md");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !status.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo unavailable; skipped");
        return;
    }
    assert_errors(
        &site.load(),
        &["content/pipe.md: error: not a regular file (a FIFO, socket or device?)"],
    );
}

#[test]
fn hidden_ignored_and_excluded_files() {
    let content = Site::new()
        .file("page.md", "# Page\n\n[d](drafts/wip.md)\n")
        .file(".hidden.md", "broken: [")
        .file(".git/HEAD.md", "\0")
        .file("image.png", b"\x89PNG\r\n\x1a\n\0\0\xff")
        .file("notes.txt", "---\n")
        .file("folder.md/inner.md", "# Inner\n")
        .file("drafts/wip.md", "not even a title")
        .exclude("drafts/**")
        .load();
    assert_errors(
        &content,
        &["content/page.md:3:1: error: broken link `drafts/wip.md`: `drafts/wip.md` is excluded, so it is not a page"],
    );
    let keys: Vec<&str> = content.pages.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["folder.md/inner"]);
}

#[test]
fn a_missing_content_dir() {
    let site = Site::new();
    fs::remove_dir(site.path("content")).unwrap();
    let errors = shown(&site.load());
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("content: error: cannot read the content directory: "),
        "{errors:?}"
    );
}

// ---- aliases and identity ----

#[test]
fn alias_traversal() {
    let content = Site::new()
        .file("a.md", "---\ntitle: A\npath: /../admin\n---\n")
        .file("b.md", "---\ntitle: B\npath: /docs/../../etc\n---\n")
        .file("c.md", "---\ntitle: C\naliases: [/ok, /./x]\n---\n")
        .load();
    assert_errors(
        &content,
        &[
            "content/a.md:3:1: error: invalid alias `/../admin`: `.` and `..` segments are not allowed",
            "content/b.md:3:1: error: invalid alias `/docs/../../etc`: `.` and `..` segments are not allowed",
            "content/c.md:3:1: error: invalid alias `/./x` in `aliases`: `.` and `..` segments are not allowed",
        ],
    );
}

#[test]
fn reserved_and_malformed_aliases() {
    let content = Site::new()
        .file("admin.md", "---\ntitle: A\npath: /admin\n---\n")
        .file("login.md", "---\ntitle: L\npath: /USER/login\n---\n")
        .file("query.md", "---\ntitle: Q\npath: /a?b=1\n---\n")
        .file("space.md", "---\ntitle: S\npath: \"/a b\"\n---\n")
        .file("relative.md", "---\ntitle: R\npath: about\n---\n")
        .file("root.md", "---\ntitle: R\npath: /\n---\n")
        .file(
            "guide.md",
            "---\ntitle: G\npath: /administrator-guide\n---\n",
        )
        .file("core/install.md", "# Install\n")
        .load();
    assert_errors(
        &content,
        &[
            "content/admin.md:3:1: error: invalid alias `/admin`: `/admin` and everything under it belongs to Drupal; choose another path",
            "content/core/install.md:1:1: error: the default alias `/core/install` of key `core/install` is invalid: `/core` and everything under it belongs to Drupal; choose another path; set `path:`",
            "content/login.md:3:1: error: invalid alias `/USER/login`: `/USER` and everything under it belongs to Drupal; choose another path",
            "content/query.md:3:1: error: invalid alias `/a?b=1`: `?` is not allowed (a query or fragment is not part of a path)",
            "content/relative.md:3:1: error: invalid alias `about`: must start with `/`",
            "content/root.md:3:1: error: invalid alias `/`: `/` is the front page, which Drupal configures itself",
            "content/space.md:3:1: error: invalid alias `/a b`: whitespace and control characters are not allowed (found ' '); use `-`",
        ],
    );
    let aliases: Vec<&str> = content.pages.iter().map(|p| p.alias.as_str()).collect();
    assert_eq!(aliases, ["/administrator-guide"]);
}

#[test]
fn duplicates_across_files() {
    let uuid = "0c6f6e2c-7a85-4e0b-9c55-6b53c3a3f0b1";
    let content = Site::new()
        .file("about.md", "# About\n")
        .file("team.md", "---\ntitle: Team\npath: /ABOUT\n---\n")
        .file("team/index.md", "# Team index\n")
        .file("x.md", format!("---\ntitle: X\nuuid: {uuid}\n---\n"))
        .file(
            "y.yaml",
            format!(
                "pages:\n  - id: y\n    title: Y\n    uuid: {}\n",
                uuid.to_uppercase()
            ),
        )
        .load();
    assert_errors(
        &content,
        &[
            "content/team.md:3:1: error: duplicate alias `/ABOUT`: content/about.md:1 has `/about` (aliases compare case-insensitively)",
            "content/team/index.md:1:1: error: duplicate key `team`: content/team.md:1 has the same key; set a distinct `id` on one of them",
            "content/y.yaml:4:5: error: duplicate uuid `0c6f6e2c-7a85-4e0b-9c55-6b53c3a3f0b1`: content/x.md:1 has the same uuid",
        ],
    );
}

#[test]
fn malformed_uuid_and_unknown_status() {
    let content = Site::new()
        .file(
            "p.md",
            "---\ntitle: P\nstatus: Published\nuuid: 1234-abcd\n---\n",
        )
        .load();
    assert_errors(
        &content,
        &[
            "content/p.md:3:1: error: unknown status `Published`, expected `published` or `draft`",
            "content/p.md:4:1: error: malformed uuid `1234-abcd`, expected 8-4-4-4-12 hexadecimal digits such as `0c6f6e2c-7a85-4e0b-9c55-6b53c3a3f0b1`",
        ],
    );
}

// ---- YAML page files and links ----

#[test]
fn yaml_page_lists() {
    let content = Site::new()
        .file(
            "faq.yaml",
            "# FAQ\npages:\n  - id: faq/one\n    title: One\n    body: |\n      See [two](../two.md).\n\n  - title: Missing id\n  - id: faq/three\n    title: Three\n    body: Hi\n    body_html: <p>Hi</p>\n",
        )
        .load();
    assert_errors(
        &content,
        &[
            "content/faq.yaml:6:11: error: broken link `../two.md`: it points outside the content directory",
            "content/faq.yaml:8:1: error: page #2 in `pages` has no `id`; every page in a list needs one",
            "content/faq.yaml:12:5: error: a page has either `body` (Markdown) or `body_html` (HTML), not both",
        ],
    );
}

#[test]
fn links_between_pages() {
    let content = Site::new()
        .file("docs/guide.md", "# Guide\n\nMeet [the team](../team/index.md#people), [mail](mailto:a@b.c), [up](#top).\n\n[gone](missing.md)\n")
        .file("team/index.md", "---\ntitle: Team\npath: /our-team\n---\n")
        .load();
    assert_errors(
        &content,
        &[
            "content/docs/guide.md:3:6: warning: link `../team/index.md#people`: `team/index.md` has no heading or anchor `#people`",
            "content/docs/guide.md:3:65: warning: link `#top`: this page has no heading or anchor `#top`",
            "content/docs/guide.md:5:1: error: broken link `missing.md`: there is no page `docs/missing.md` in the content directory",
        ],
    );
    let fixed = Site::new()
        .file(
            "docs/guide.md",
            "# Guide\n\nMeet [the team](../team/index.md#people).\n",
        )
        .file(
            "team/index.md",
            "---\ntitle: Team\npath: /our-team\n---\n## People\n",
        )
        .load();
    assert_eq!(shown(&fixed), Vec::<String>::new());
    assert_eq!(
        fixed.pages[0].body,
        "<p>Meet <a href=\"/our-team#people\">the team</a>.</p>\n"
    );
}

#[test]
fn pathological_markdown_stays_fast() {
    let body = [
        "*a ".repeat(50_000),
        "[a](".repeat(50_000),
        "<a ".repeat(50_000),
        "`".repeat(50_000),
        "| a ".repeat(20_000) + "\n|" + &"---|".repeat(20_000),
    ]
    .join("\n\n");
    let content = Site::new()
        .file("slow.md", format!("# Slow\n\n{body}\n"))
        .load();
    assert_eq!(only_page(&content).title, "Slow");
}
