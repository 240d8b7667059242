//! The whole loop a user runs in CI (issue "End-to-end"), over HTTP against the sandbox.

use crate::harness::{pages, repo, Project, SandboxProc};

fn three_pages(project: &Project) {
    project
        .page("about.md", "---\ntitle: About us\n---\nWho we are.\n")
        .page("team/index.md", "# Team\n\nPeople.\n")
        .page(
            "faq.yaml",
            "title: FAQ\npath: /faq\nbody: |\n  Questions.\n",
        );
}

#[test]
fn plan_apply_plan_edit_plan() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    three_pages(&project);

    let before = sandbox.stats();
    let run = project.run(&["plan", "--detailed-exitcode"]);
    run.code(2);
    for alias in ["/about", "/team", "/faq"] {
        assert!(
            run.stdout.contains(&format!("+ create  {alias}")),
            "{}",
            run.stdout
        );
    }
    assert!(
        run.stdout
            .contains("Plan: 3 to create, 0 to update, 0 to delete, 0 unchanged."),
        "{}",
        run.stdout
    );
    let plan_stats = sandbox.stats().since(&before);
    assert_eq!(
        plan_stats.route("POST /rest_api/id_token"),
        1,
        "{:?}",
        plan_stats
    );
    assert_eq!(
        plan_stats.writes(),
        0,
        "plan must not write: {:?}",
        plan_stats
    );

    let before = sandbox.stats();
    project.run(&["apply"]).code(0);
    let apply_stats = sandbox.stats().since(&before);
    assert_eq!(
        apply_stats.route("POST /rest_api/id_token"),
        1,
        "{:?}",
        apply_stats
    );
    assert_eq!(
        apply_stats.route("POST /jsonapi/node/page"),
        3,
        "{:?}",
        apply_stats
    );
    assert_eq!(sandbox.nodes().len(), 3);

    let before = sandbox.stats();
    let run = project.run(&["plan", "--detailed-exitcode"]);
    run.code(0);
    assert!(run.stdout.contains("No changes."), "{}", run.stdout);
    let again = project.run(&["apply"]);
    again.code(0);
    let idle = sandbox.stats().since(&before);
    assert_eq!(
        idle.writes(),
        0,
        "nothing to change means no write: {:?}",
        idle
    );
    assert_eq!(
        idle.route("POST /rest_api/id_token"),
        2,
        "one token per command: {:?}",
        idle
    );

    project.page("about.md", "---\ntitle: About the team\n---\nWho we are.\n");
    let run = project.run(&["plan", "--detailed-exitcode"]);
    run.code(2);
    assert!(run.stdout.contains("~ update  /about"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("title: \"About us\" -> \"About the team\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Plan: 0 to create, 1 to update, 0 to delete, 2 unchanged."),
        "{}",
        run.stdout
    );

    let before = sandbox.stats();
    project.run(&["apply"]).code(0);
    let update = sandbox.stats().since(&before);
    assert_eq!(
        update.route("PATCH /jsonapi/node/page/{id}"),
        1,
        "{:?}",
        update
    );
    assert_eq!(update.writes(), 1, "{:?}", update);
    project.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn reading_120_pages_costs_three_gets() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    pages(&project, 120);
    let before = sandbox.stats();
    project.run(&["plan", "--detailed-exitcode"]).code(2);
    let stats = sandbox.stats().since(&before);
    assert!(stats.route("GET /jsonapi/node/page") <= 3, "{:?}", stats);
    assert_eq!(
        stats.total(),
        stats.route("GET /jsonapi/node/page") + 1,
        "{:?}",
        stats
    );

    project.run(&["apply"]).code(0);
    assert_eq!(sandbox.nodes().len(), 120);
    let before = sandbox.stats();
    project.run(&["plan", "--detailed-exitcode"]).code(0);
    let stats = sandbox.stats().since(&before);
    assert_eq!(stats.route("GET /jsonapi/node/page"), 3, "{:?}", stats);
    assert_eq!(stats.total(), 4, "1 token + 3 reads: {:?}", stats);
}

#[test]
fn every_content_error_is_reported_and_nothing_is_written() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    project
        .page("good.md", "---\ntitle: Good\npath: /dup\n---\nok\n")
        .page("broken.md", "---\ntitle: [unclosed\n---\nbody\n")
        .page(
            "untitled.md",
            "---\nsummary: no title here\n---\nJust text.\n",
        )
        .page("nested/dup.md", "---\ntitle: Dup\npath: /DUP\n---\nclash\n");
    let run = project.run(&["validate"]);
    run.code(1);
    assert!(
        run.stderr
            .contains("content/broken.md:3:1: error: invalid YAML front matter"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("content/untitled.md:1:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("content/nested/dup.md:3:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.to_lowercase().contains("title"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.to_lowercase().contains("alias"),
        "{}",
        run.stderr
    );

    let before = sandbox.stats();
    let run = project.run(&["apply"]);
    run.code(1);
    assert!(run.stderr.contains("nothing was sent"), "{}", run.stderr);
    assert_eq!(sandbox.stats().since(&before).total(), 0);
}

#[test]
fn a_wrong_password_is_named_and_never_printed() {
    let sandbox = SandboxProc::start();
    let mut project = Project::new(&sandbox.url);
    three_pages(&project);
    project.env("DRUPAL_SYNC_PASSWORD", "Wr0ng-Pa55word");
    for args in [&["plan"][..], &["apply"], &["-vv", "apply"]] {
        let run = project.run(args);
        run.code(1);
        assert!(run.stderr.contains("INVALID_CREDENTIALS"), "{}", run.stderr);
        for secret in ["Wr0ng-Pa55word", "ci-password"] {
            assert!(
                !run.stderr.contains(secret) && !run.stdout.contains(secret),
                "{}",
                run.stderr
            );
        }
    }
    assert_eq!(sandbox.nodes().len(), 0);
}

#[test]
fn readme_first_command_creates_every_page_of_the_repo() {
    let output = std::process::Command::new(crate::harness::bin())
        .args(["apply", "--sandbox"])
        .current_dir(repo())
        .env_remove("DRUPAL_SYNC_URL")
        .env_remove("DRUPAL_SYNC_PASSWORD")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let creates = stdout.lines().filter(|l| l.contains("+ create")).count();
    assert!(creates >= 8, "{stdout}");
    assert!(
        stdout.contains(&format!(
            "Apply complete: 1 uploaded, {creates} created, 0 updated, 0 deleted."
        )),
        "{stdout}"
    );
    let links = stdout.lines().filter(|l| l.contains("+ menu")).count();
    assert!(links >= 4, "{stdout}");
    assert!(
        stdout.contains(&format!(
            "Menu links: {links} created, 0 updated, 0 deleted."
        )),
        "{stdout}"
    );
}
