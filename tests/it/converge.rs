//! The declarative promise (issue 10): after `apply`, `plan` shows nothing to change, and what
//! apply reports is what the site holds — on sites that normalise what they store, run
//! pathauto, or see two runs race.

use std::io::Write;
use std::process::Stdio;

use serde_json::Value;

use crate::harness::{basic, http, Project, SandboxProc};

fn project(sandbox: &SandboxProc, api: &str) -> Project {
    Project::with_config(&format!(
        "[site]\nurl = \"{}\"\napi = \"{api}\"\nnamespace = \"converge-{api}\"\n\n[auth]\nprovider = \"miniorange\"\nusername = \"ci\"\n",
        sandbox.url
    ))
}

/// The node at `alias`, read as the admin (an authenticated read: anonymous 404s are cached
/// on real sites, drupal-wire §7).
fn node_at(sandbox: &SandboxProc, alias: &str) -> Option<Value> {
    let (status, body) = http(
        "GET",
        &format!("{}{alias}?_format=json", sandbox.url),
        &[basic("ci", "ci-password")],
        None,
    );
    (status == 200).then(|| serde_json::from_str(&body).unwrap())
}

#[test]
fn pages_without_a_body_converge_on_both_apis() {
    // drupal-wire 58, 5b: Drupal stores an empty body as null; 62 of ~950 pages of a real
    // Hugo docs tree are such section pages.
    let sandbox = SandboxProc::start();
    for api in ["jsonapi", "rest"] {
        let project = project(&sandbox, api);
        project
            .page(
                &format!("via-{api}/docs/_index.md"),
                "---\ntitle: Docs\n---\n",
            )
            .page(&format!("via-{api}/heading.md"), "# Only a heading\n")
            .page(
                &format!("via-{api}/fm.md"),
                "---\ntitle: Front matter only\nformat: full_html\n---\n\n",
            )
            .page(
                &format!("via-{api}/y.yaml"),
                "title: Empty HTML\nbody_html: \"\"\n",
            );
        project.run(&["apply"]).code(0);
        let run = project.run(&["plan", "--detailed-exitcode", "--on-drift", "fail"]);
        run.code(0);
        assert!(!run.stderr.contains("drift"), "{api}: {}", run.stderr);
        project.run(&["apply", "--on-drift", "fail"]).code(0);
    }
}

#[test]
fn with_pathauto_explicit_aliases_stick_and_path_auto_takes_the_pattern() {
    let sandbox = SandboxProc::with_args(&["--pathauto", "[node:title]"]);
    let project = project(&sandbox, "jsonapi");
    project
        .page(
            "about.md",
            "---\ntitle: About Us\npath: /company/about\n---\nHi.\n",
        )
        .page("team.md", "# The Team\n\nPeople.\n")
        .page(
            "auto.md",
            "---\ntitle: Left To Pathauto\npath: auto\n---\nx\n",
        );
    let planned = project.run(&["plan"]);
    assert!(
        planned.stdout.contains("+ create  (pathauto)"),
        "{}",
        planned.stdout
    );
    let before = sandbox.stats();
    project.run(&["apply"]).code(0);
    let during = sandbox.stats().since(&before);
    assert_eq!(
        during.route("GET /jsonapi"),
        1,
        "pathauto is asked once per apply"
    );
    for alias in ["/company/about", "/team", "/left-to-pathauto"] {
        assert!(node_at(&sandbox, alias).is_some(), "{alias} answers 404");
    }
    let before = sandbox.stats();
    project.run(&["plan", "--detailed-exitcode"]).code(0);
    assert_eq!(
        sandbox.stats().since(&before).route("GET /jsonapi"),
        0,
        "a plan makes no extra request"
    );

    // A renamed alias and a retitled auto page converge too.
    project
        .page(
            "about.md",
            "---\ntitle: About Us\npath: /company/who\n---\nHi.\n",
        )
        .page(
            "auto.md",
            "---\ntitle: Renamed By Pathauto\npath: auto\n---\nx\n",
        );
    project.run(&["apply"]).code(0);
    assert!(node_at(&sandbox, "/company/who").is_some());
    assert!(node_at(&sandbox, "/renamed-by-pathauto").is_some());
    project.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn an_alias_pathauto_keeps_is_a_failure_that_names_the_file() {
    // drupal-wire 98/99: a node pathauto aliased itself answers 200 to an alias PATCH and
    // keeps its alias. A node made by hand (no `pathauto: 0`) is adopted by uuid.
    for (api, uuid) in [
        ("jsonapi", "5b1f0a36-3f3e-4b53-9a3c-0f3b9d1c2e4a"),
        ("rest", "5b1f0a36-3f3e-4b53-9a3c-0f3b9d1c2e4b"),
    ] {
        pathauto_keeps_its_alias(api, uuid);
    }
}

fn pathauto_keeps_its_alias(api: &str, uuid: &str) {
    let sandbox = SandboxProc::with_args(&["--pathauto", "[node:title]"]);
    let (status, body) = http(
        "POST",
        &format!("{}/jsonapi/node/page", sandbox.url),
        &[basic("ci", "ci-password")],
        Some((
            "application/vnd.api+json",
            format!(
                r#"{{"data":{{"type":"node--page","id":"{uuid}","attributes":{{"title":"Legacy","body":{{"value":"<p>x</p>","format":"basic_html"}}}}}}}}"#
            ),
        )),
    );
    assert_eq!(status, 201, "{body}");
    let project = project(&sandbox, api);
    project.page(
        "legacy.md",
        &format!("---\ntitle: Legacy\nuuid: {uuid}\npath: /wanted\n---\nx\n"),
    );
    let run = project.run(&["apply"]);
    run.code(1);
    assert!(
        run.stdout.contains("0 updated, 0 deleted, 1 failed"),
        "{}",
        run.stdout
    );
    let text = format!("{}{}", run.stdout, run.stderr);
    assert!(text.contains("content/legacy.md"), "{text}");
    assert!(text.contains("alias `/legacy`"), "{text}");
    assert!(text.contains("`/wanted`"), "{text}");
    assert!(text.contains("pathauto"), "{text}");
}

#[test]
fn without_pathauto_the_flag_is_never_sent_over_jsonapi() {
    // drupal-wire 95: JSON:API refuses `pathauto` where the module is not installed.
    let sandbox = SandboxProc::start();
    let project = project(&sandbox, "jsonapi");
    project.page("a.md", "---\ntitle: A\npath: /a-page\n---\nx\n");
    project.run(&["apply"]).code(0);
    project.page("a.md", "---\ntitle: A\npath: /a-renamed\n---\nx\n");
    project.run(&["apply"]).code(0);
    assert!(node_at(&sandbox, "/a-renamed").is_some());
    project.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn concurrent_applies_with_different_content_never_both_claim_success() {
    // Both runs plan to create every page; for each page one create lands first and the other
    // is refused (JSON:API 409, core REST's duplicate-uuid 500). The loser must not report
    // success for content the site does not hold.
    for api in ["jsonapi", "rest"] {
        let sandbox = SandboxProc::with_args(&["--latency-ms", "200"]);
        let versions: Vec<Project> = ["first", "second"]
            .iter()
            .map(|which| {
                let project = project(&sandbox, api);
                for i in 0..4 {
                    project.page(
                        &format!("p{i}.md"),
                        &format!(
                            "---\ntitle: Page {i} {which}\n---\nBody {i} of the {which} run.\n"
                        ),
                    );
                }
                project
            })
            .collect();
        // Both runs wait for their password on stdin, so they start planning together.
        let mut children: Vec<_> = versions
            .iter()
            .map(|project| {
                project
                    .command(&["apply", "--parallelism", "1", "--password-stdin"])
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in &mut children {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"ci-password\n")
                .unwrap();
        }
        let outputs: Vec<_> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let titles: Vec<String> = (0..4)
            .map(|i| {
                let node = node_at(&sandbox, &format!("/p{i}")).expect("every page exists");
                node["title"][0]["value"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(sandbox.nodes().len(), 4, "{api}");
        for (which, output) in ["first", "second"].iter().zip(&outputs) {
            let holds_all = (0..4).all(|i| titles[i] == format!("Page {i} {which}"));
            let log = format!(
                "{api} {which}: {}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            if output.status.success() {
                assert!(holds_all, "exit 0 but the site holds {titles:?}\n{log}");
            }
        }
        // Each page holds one version entirely: its body matches its title's run.
        for i in 0..4 {
            let node = node_at(&sandbox, &format!("/p{i}")).unwrap();
            let title = node["title"][0]["value"].as_str().unwrap();
            let which = title.rsplit(' ').next().unwrap();
            let body = node["body"][0]["value"].as_str().unwrap();
            assert!(
                body.contains(&format!("of the {which} run")),
                "{api}: {title} / {body}"
            );
        }
        assert!(
            outputs.iter().any(|o| !o.status.success()),
            "{api}: both runs claimed success"
        );
    }
}

#[test]
fn drupal_limits_fail_validation_before_any_request() {
    let sandbox = SandboxProc::start();
    let project = project(&sandbox, "jsonapi");
    project
        .page("ok.md", "---\ntitle: Fine\n---\nx\n")
        .page(
            "long.md",
            &format!("---\ntitle: {}\n---\nx\n", "t".repeat(256)),
        )
        .page(
            "alias.md",
            &format!("---\ntitle: A\npath: /{}\n---\nx\n", "a".repeat(255)),
        );
    let before = sandbox.stats();
    let run = project.run(&["apply"]);
    run.code(1);
    assert!(
        run.stderr
            .contains("content/long.md:2:1: error: the title is 256 characters long"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("content/alias.md:3:1: error: invalid alias"),
        "{}",
        run.stderr
    );
    assert_eq!(sandbox.stats().since(&before).total(), 0);
    project.run(&["validate"]).code(1);
}

#[test]
fn path_auto_is_a_validation_error_with_core_rest() {
    let sandbox = SandboxProc::start();
    let project = project(&sandbox, "rest");
    project.page("auto.md", "---\ntitle: Auto\npath: auto\n---\nx\n");
    let run = project.run(&["plan"]);
    run.code(1);
    assert!(
        run.stderr
            .contains("content/auto.md:1:1: error: `path: auto` needs api = \"jsonapi\""),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_1_never_2() {
    // `2` means "success, there are changes" to `plan --detailed-exitcode` readers: a typo in
    // a CI script must fail the job, not pass it with an empty plan.
    let project = Project::new("http://127.0.0.1:9");
    for args in [
        &["plan", "--detailed-exitcode", "--formt", "json"][..],
        &["plan", "--format", "yaml"],
        &["apply", "--parallelism"],
        &["no-such-command"],
    ] {
        let run = project.run(args);
        run.code(1);
        assert!(run.stderr.contains("error:"), "{args:?}: {}", run.stderr);
    }
    let run = project.run(&["--help"]);
    run.code(0);
    assert!(run.stdout.contains("Usage"), "{}", run.stdout);
    project.run(&["--version"]).code(0);
}
