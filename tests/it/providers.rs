//! Every token issuer × both APIs, and core REST's own traps.

use std::process::Stdio;

use serde_json::Value;

use crate::harness::{basic, http, Project, SandboxProc};

const PROVIDERS: &[(&str, &str)] = &[
    ("miniorange", "POST /rest_api/id_token"),
    ("jwt", "POST /jwt/token"),
    ("oauth", "POST /oauth/token"),
    ("basic", ""),
    ("token", ""),
];

fn project_for(sandbox: &SandboxProc, provider: &str, api: &str) -> Project {
    let auth = match provider {
        "oauth" => "provider = \"oauth\"\nclient_id = \"ci\"\n".to_owned(),
        "token" => "provider = \"token\"\n".to_owned(),
        other => format!("provider = \"{other}\"\nusername = \"ci\"\n"),
    };
    let mut project = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\napi = \"{api}\"\nnamespace = \"{provider}-{api}\"\n\n[auth]\n{auth}",
        sandbox.url
    ));
    match provider {
        "oauth" => {
            project.env("DRUPAL_SYNC_CLIENT_SECRET", "ci-password");
        }
        "token" => {
            let (status, body) = http(
                "POST",
                &format!("{}/jwt/token", sandbox.url),
                &[basic("ci", "ci-password")],
                None,
            );
            assert_eq!(status, 200, "{body}");
            let token: Value = serde_json::from_str(&body).unwrap();
            project.env("DRUPAL_SYNC_TOKEN", token["token"].as_str().unwrap());
        }
        _ => {}
    }
    project
}

#[test]
fn every_provider_with_every_api_runs_the_whole_loop() {
    let sandbox = SandboxProc::start();
    for api in ["jsonapi", "rest"] {
        for (provider, token_route) in PROVIDERS {
            let what = format!("{provider} × {api}");
            let project = project_for(&sandbox, provider, api);
            project
                .page(
                    "intro.md",
                    &format!(
                        "---\ntitle: Intro {what}\npath: /{provider}-{api}/intro\n---\nHello.\n"
                    ),
                )
                .page(
                    "docs/setup.md",
                    &format!(
                        "---\ntitle: Setup {what}\npath: /{provider}-{api}/setup\n---\nSteps.\n"
                    ),
                );
            let mut commands = 0;
            let before = sandbox.stats();
            project.run(&["plan", "--detailed-exitcode"]).code(2);
            project.run(&["apply"]).code(0);
            project.run(&["plan", "--detailed-exitcode"]).code(0);
            commands += 3;
            project.page(
                "intro.md",
                &format!(
                    "---\ntitle: Intro {what} (v2)\npath: /{provider}-{api}/intro\n---\nHello.\n"
                ),
            );
            let edit = sandbox.stats();
            let run = project.run(&["apply"]);
            run.code(0);
            commands += 1;
            assert!(
                run.stdout.contains("Plan: 0 to create, 1 to update"),
                "{what}: {}",
                run.stdout
            );
            let update = sandbox.stats().since(&edit);
            assert_eq!(update.writes(), 1, "{what}: {:?}", update);
            project.run(&["plan", "--detailed-exitcode"]).code(0);
            commands += 1;
            let stats = sandbox.stats().since(&before);
            if !token_route.is_empty() {
                assert_eq!(
                    stats.route(token_route),
                    commands,
                    "{what}: one token per command: {:?}",
                    stats
                );
            }
        }
    }
}

#[test]
fn renaming_an_alias_leaves_one_alias_with_either_api() {
    // Drupal adds a second alias unless the current alias's pid is sent (drupal-wire 42-44).
    let sandbox = SandboxProc::start();
    for api in ["jsonapi", "rest"] {
        let project = project_for(&sandbox, "miniorange", api);
        let page = |path: &str, extra: &str| {
            format!("---\ntitle: About\npath: /via-{api}/{path}\n{extra}---\nx\n")
        };
        project.page("about.md", &page("about", ""));
        project.run(&["apply"]).code(0);
        // Core REST finds a renamed page by its previous alias (`aliases:`).
        project.page(
            "about.md",
            &page("about-us", &format!("aliases: [/via-{api}/about]\n")),
        );
        let run = project.run(&["apply"]);
        run.code(0);
        let change = format!("alias: \"/via-{api}/about\" -> \"/via-{api}/about-us\"");
        assert!(run.stdout.contains(&change), "{api}: {}", run.stdout);
        project.page(
            "about.md",
            &page("who-we-are", &format!("aliases: [/via-{api}/about-us]\n")),
        );
        project.run(&["apply"]).code(0);
        let node = sandbox
            .nodes()
            .into_iter()
            .find(|n| n["attributes"]["path"]["alias"] == format!("/via-{api}/who-we-are"))
            .unwrap_or_else(|| panic!("{api}: no node at the new alias"));
        let nid = node["attributes"]["drupal_internal__nid"].as_u64().unwrap();
        assert_eq!(
            sandbox.aliases_of(nid),
            [format!("/via-{api}/who-we-are")],
            "{api}"
        );
        project.run(&["plan", "--detailed-exitcode"]).code(0);
    }
    assert_eq!(sandbox.nodes().len(), 2);
}

#[test]
fn rest_duplicate_uuid_500_is_resolved_by_looking_the_page_up() {
    // Two applies race: both plan to create every page; for each page one POST lands first
    // and the other is answered Drupal's 500 for a duplicate uuid. Both must succeed, and
    // every page must exist exactly once. The latency is long and writes sequential so the
    // two runs collide even if one starts a few hundred milliseconds after the other.
    let sandbox = SandboxProc::with_args(&["--latency-ms", "150"]);
    let project = project_for(&sandbox, "miniorange", "rest");
    for i in 0..10 {
        project.page(
            &format!("p{i}.md"),
            &format!("---\ntitle: Page {i}\n---\nBody {i}.\n"),
        );
    }
    let children: Vec<_> = (0..2)
        .map(|_| {
            project
                .command(&["apply", "--parallelism", "1"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let nodes = sandbox.nodes();
    assert_eq!(nodes.len(), 10);
    let posts = sandbox.stats().route("POST /node");
    assert!(
        posts > 10,
        "the race must have produced duplicate posts: {posts}"
    );
    project.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn rest_alias_held_by_another_node_is_a_plan_error() {
    let sandbox = SandboxProc::start();
    let (status, body) = http(
        "POST",
        &format!("{}/node?_format=json", sandbox.url),
        &[basic("ci", "ci-password")],
        Some(("application/json", r#"{"type":[{"target_id":"page"}],"title":[{"value":"Mine"}],"path":[{"alias":"/taken"}]}"#.to_owned())),
    );
    assert_eq!(status, 201, "{body}");
    let project = project_for(&sandbox, "miniorange", "rest");
    project.page("taken.md", "---\ntitle: Taken\n---\nx\n");
    let run = project.run(&["plan"]);
    run.code(1);
    assert!(run.stderr.contains("content/taken.md"), "{}", run.stderr);
    assert!(
        run.stderr.contains("`/taken` is already used by node"),
        "{}",
        run.stderr
    );
}

#[test]
fn provider_failures_are_explained() {
    let sandbox = SandboxProc::start();
    for (provider, want) in [
        ("miniorange", "INVALID_CREDENTIALS"),
        ("jwt", "wrong username or password"),
        ("oauth", "invalid_client"),
        ("basic", "INVALID_CREDENTIALS"),
    ] {
        let mut project = project_for(&sandbox, provider, "jsonapi");
        project.env("DRUPAL_SYNC_PASSWORD", "nope-nope");
        project.env("DRUPAL_SYNC_CLIENT_SECRET", "nope-nope");
        project.page("a.md", "---\ntitle: A\n---\n");
        let run = project.run(&["plan"]);
        run.code(1);
        assert!(run.stderr.contains(want), "{provider}: {}", run.stderr);
        assert!(
            !run.stderr.contains("nope-nope"),
            "{provider}: {}",
            run.stderr
        );
    }
    let mut project = project_for(&sandbox, "token", "jsonapi");
    project.env("DRUPAL_SYNC_TOKEN", "not.a.token");
    project.page("a.md", "---\ntitle: A\n---\n");
    let run = project.run(&["apply"]);
    run.code(1);
    assert!(
        run.stderr.contains("403") || run.stdout.contains("403"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
}
