//! The invariant of a declarative tool, as a property: for any page set — empty and
//! whitespace-only bodies, heading-only pages, a summary without a body, spaces around
//! titles, CRLF, emoji and right-to-left text, `body_html: ""`, drafts, `format:` overrides,
//! odd but valid aliases, `path: auto` — `apply` succeeds and the next
//! `plan --detailed-exitcode` exits 0, with either API, with and without pathauto. The
//! sandbox stores what Drupal stores (drupal-wire §8), so this says something about Drupal.
//!
//! Bounded: a few cases of a few pages, two sandbox processes shared by every case.

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::harness::{Project, SandboxProc};

/// One page of a generated set.
#[derive(Debug, Clone)]
struct Spec {
    title: &'static str,
    body: Body,
    status: Option<&'static str>,
    format: Option<&'static str>,
    alias: Alias,
}

#[derive(Debug, Clone, Copy)]
enum Body {
    Empty,
    Whitespace,
    HeadingOnly,
    Text,
    Crlf,
    Rich,
    /// YAML page: `body_html: ""`.
    EmptyHtml,
    /// YAML page: a summary and no body.
    SummaryOnly,
    /// YAML page: raw HTML with CRLF.
    CrlfHtml,
}

#[derive(Debug, Clone, Copy)]
enum Alias {
    Default,
    Odd(&'static str),
    /// `path: auto` (JSON:API only).
    Auto,
}

const TITLES: &[&str] = &[
    "Plain title",
    "  Spaced title  ",
    "Emoji 🚀 launch ✨",
    "שלום עולם",
    "مرحبا بالعالم",
    "Mixed עברית and English",
    "Quotes \"and\" 'apostrophes'",
    "A: colon # hash",
];

const ODD_ALIASES: &[&str] = &[
    "/odd.path_~x",
    "/Upper/Case-Path",
    "/ünïcödé/straße",
    "/deep/a/b/c/d",
    "/a--b..c",
];

fn spec() -> impl Strategy<Value = Spec> {
    let body = prop_oneof![
        Just(Body::Empty),
        Just(Body::Whitespace),
        Just(Body::HeadingOnly),
        Just(Body::Text),
        Just(Body::Crlf),
        Just(Body::Rich),
        Just(Body::EmptyHtml),
        Just(Body::SummaryOnly),
        Just(Body::CrlfHtml),
    ];
    let alias = prop_oneof![
        2 => Just(Alias::Default),
        2 => proptest::sample::select(ODD_ALIASES).prop_map(Alias::Odd),
        1 => Just(Alias::Auto),
    ];
    (
        proptest::sample::select(TITLES),
        body,
        proptest::option::of(proptest::sample::select(&["published", "draft"][..])),
        proptest::option::of(proptest::sample::select(&["full_html", "basic_html"][..])),
        alias,
    )
        .prop_map(|(title, body, status, format, alias)| Spec {
            title,
            body,
            status,
            format,
            alias,
        })
}

/// Write page `i` of `spec` into `project`, its aliases under `prefix`.
fn write(project: &Project, i: usize, spec: &Spec, prefix: &str, rest: bool) {
    let mut keys = Vec::new();
    let heading_only = matches!(spec.body, Body::HeadingOnly);
    if !heading_only {
        keys.push(format!(
            "title: {}",
            serde_json::to_string(spec.title).unwrap()
        ));
    }
    match spec.alias {
        Alias::Default => keys.push(format!("path: {prefix}/p{i}")),
        Alias::Odd(alias) => keys.push(format!("path: {prefix}{alias}-{i}")),
        Alias::Auto if rest => keys.push(format!("path: {prefix}/auto-{i}")),
        Alias::Auto => keys.push("path: auto".to_owned()),
    }
    if let Some(status) = spec.status {
        keys.push(format!("status: {status}"));
    }
    if let Some(format) = spec.format {
        keys.push(format!("format: {format}"));
    }
    let yaml = |extra: &str| format!("{}\n{extra}\n", keys.join("\n"));
    let (file, text) = match spec.body {
        Body::EmptyHtml => (format!("p{i}.yaml"), yaml("body_html: \"\"")),
        Body::SummaryOnly => (format!("p{i}.yaml"), yaml("summary: \"Only a summary\"")),
        Body::CrlfHtml => (
            format!("p{i}.yaml"),
            yaml("body_html: \"<p>a</p>\\r\\n<p>b</p>\\n\""),
        ),
        body => {
            let markdown = match body {
                Body::Empty => String::new(),
                Body::Whitespace => "   \n\n \t \n".to_owned(),
                Body::HeadingOnly => format!("# {}\n", spec.title.trim()),
                Body::Text => "Hello *world*.\n\nA second paragraph.\n".to_owned(),
                Body::Crlf => "Line one\r\nline two\r\n\r\nNext paragraph\r\n".to_owned(),
                _ => "- one\n- two\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ `code`\n"
                    .to_owned(),
            };
            let front = if keys.is_empty() {
                String::new()
            } else {
                format!("---\n{}\n---\n", keys.join("\n"))
            };
            (format!("p{i}.md"), format!("{front}{markdown}"))
        }
    };
    project.page(&file, &text);
}

fn converges(
    sandbox: &SandboxProc,
    api: &str,
    specs: &[Spec],
    case: usize,
) -> Result<(), TestCaseError> {
    let namespace = format!("prop-{case}-{api}");
    let project = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\napi = \"{api}\"\nnamespace = \"{namespace}\"\n\n[auth]\nprovider = \"miniorange\"\nusername = \"ci\"\n",
        sandbox.url
    ));
    let prefix = format!("/{namespace}");
    for (i, spec) in specs.iter().enumerate() {
        write(&project, i, spec, &prefix, api == "rest");
    }
    let apply = project.run(&["apply"]);
    prop_assert_eq!(
        apply.code,
        0,
        "apply ({})\n{}\n{}",
        api,
        apply.stdout,
        apply.stderr
    );
    let plan = project.run(&["plan", "--detailed-exitcode"]);
    prop_assert_eq!(
        plan.code,
        0,
        "plan after apply ({})\n{}\n{}",
        api,
        plan.stdout,
        plan.stderr
    );
    Ok(())
}

#[test]
fn apply_then_plan_shows_no_changes_for_any_page_set() {
    let plain = SandboxProc::start();
    let pathauto = SandboxProc::with_args(&["--pathauto", "[node:title]"]);
    let counter = AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config {
        cases: 32,
        max_shrink_iters: 32,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (proptest::collection::vec(spec(), 1..5), any::<bool>());
    runner
        .run(&strategy, |(specs, with_pathauto)| {
            let case = counter.fetch_add(1, Ordering::SeqCst);
            let sandbox = if with_pathauto { &pathauto } else { &plain };
            for api in ["jsonapi", "rest"] {
                converges(sandbox, api, &specs, case)?;
            }
            Ok(())
        })
        .unwrap();
}
