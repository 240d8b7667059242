//! The exact text of each class of error a person meets, kept fixed by snapshots of stderr
//! (temporary paths and ports filtered). A changed message must be a deliberate change.

use crate::harness::{bin, Project, SandboxProc};

/// Snapshot settings: the project's temporary directory and sandbox ports filtered.
fn settings(project: &Project) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    let dir = project.path().display().to_string();
    settings.add_filter(&regex_escape(&dir), "[PROJECT]");
    settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT");
    settings.add_filter(r"\(os error \d+\)", "(os error N)");
    settings
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '_' || c == '-' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

const CONFIG: &str = "[site]\nurl = \"http://127.0.0.1:9\"\nnamespace = \"msg\"\n";

fn stderr_of(config_tail: &str, args: &[&str]) -> (Project, String) {
    let project = Project::with_config(&format!("{CONFIG}{config_tail}"));
    project.page("a.md", "---\ntitle: A\n---\nA.\n");
    let run = project.run(args);
    run.code(1);
    (project, run.stderr)
}

#[test]
fn a_config_value_of_the_wrong_type() {
    let (project, stderr) = stderr_of("\n[sync]\nparallelism = \"8\"\n", &["validate"]);
    settings(&project).bind(|| insta::assert_snapshot!(stderr));
}

#[test]
fn zero_parallelism() {
    let (project, stderr) = stderr_of("\n[sync]\nparallelism = 0\n", &["validate"]);
    settings(&project).bind(|| insta::assert_snapshot!(stderr));
}

#[test]
fn a_bad_exclude_glob() {
    let (project, stderr) = stderr_of("\n[content]\nexclude = [\"a[b\"]\n", &["validate"]);
    settings(&project).bind(|| insta::assert_snapshot!(stderr));
}

#[test]
fn an_unknown_config_key() {
    let (project, stderr) = stderr_of("\n[sync]\nparalelism = 4\n", &["validate"]);
    settings(&project).bind(|| insta::assert_snapshot!(stderr));
}

#[test]
fn a_content_dir_that_is_a_file() {
    let project = Project::with_config(&format!("{CONFIG}\n[content]\ndir = \"pages.md\"\n"));
    std::fs::write(project.path().join("pages.md"), "not a folder").unwrap();
    let run = project.run(&["validate"]);
    run.code(1);
    settings(&project).bind(|| insta::assert_snapshot!(run.stderr));
}

#[test]
fn a_missing_content_dir() {
    let project = Project::with_config(CONFIG);
    std::fs::remove_dir(project.path().join("content")).unwrap();
    let run = project.run(&["validate"]);
    run.code(1);
    settings(&project).bind(|| insta::assert_snapshot!(run.stderr));
}

#[test]
fn content_errors_with_and_without_a_line() {
    let project = Project::with_config(CONFIG);
    project.page("no-title.md", "Just text, no title.\n");
    project.page("bad.md", "---\ntitle: [unclosed\n---\n");
    std::fs::write(
        project.path().join("content/latin1.md"),
        b"---\ntitle: Caf\xe9\n---\n",
    )
    .unwrap();
    let run = project.run(&["validate"]);
    run.code(1);
    assert!(!run.stderr.contains(":0:0"), "{}", run.stderr);
    settings(&project).bind(|| insta::assert_snapshot!(run.stderr));
}

#[test]
fn a_file_name_cannot_forge_an_annotation() {
    let project = Project::with_config(CONFIG);
    project.page("evil\n::error file=x.md::forged.md", "no title\n");
    let run = project.run(&["validate"]);
    run.code(1);
    assert!(
        !run.stderr.lines().any(|l| l.starts_with("::error")),
        "{}",
        run.stderr
    );
    settings(&project).bind(|| insta::assert_snapshot!(run.stderr));
}

#[test]
fn flags_a_saved_plan_would_ignore_are_refused() {
    let project = Project::with_config(CONFIG);
    std::fs::write(project.path().join("plan.json"), "{}").unwrap();
    let mut all = String::new();
    for args in [
        &["apply", "plan.json", "--prune"][..],
        &["apply", "plan.json", "--on-drift", "skip"],
        &["apply", "plan.json", "--sandbox"],
        &["plan", "--sandbox", "--out", "plan.json"],
    ] {
        let run = project.run(args);
        run.code(1);
        all.push_str(&format!(
            "$ drupal-sync {}\n{}\n",
            args.join(" "),
            run.stderr
        ));
    }
    settings(&project).bind(|| insta::assert_snapshot!(all));
}

#[test]
fn sandbox_flags() {
    let mut all = String::new();
    for args in [
        &["sandbox", "--user", "ci:pw:editer"][..],
        &["sandbox", "--user", "ci:pass:s3cr3tTail"],
        &["sandbox", "--listen", "localhost"],
    ] {
        let out = std::process::Command::new(bin())
            .args(args)
            .output()
            .expect("run drupal-sync");
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        // The part after the last colon may be the tail of a password: never echoed.
        assert!(!stderr.contains("s3cr3tTail"), "{stderr}");
        all.push_str(&format!("$ drupal-sync {}\n{stderr}\n", args.join(" ")));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn a_sandbox_listens_on_localhost() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(bin())
        .args(["sandbox", "--listen", "localhost:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut banner = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut banner)
        .unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(banner.contains("http://127.0.0.1:"), "{banner}");
}

/// A run's stdout and stderr, labelled, for the errors that span both (the plan and apply
/// summary on stdout, the error on stderr).
fn both(run: &crate::harness::Run) -> String {
    format!("--- stdout\n{}--- stderr\n{}", run.stdout, run.stderr)
}

#[test]
fn a_wrong_password() {
    let sandbox = SandboxProc::start();
    let mut project = Project::new(&sandbox.url);
    project.page("a.md", "---\ntitle: A\n---\nA.\n");
    project.env("DRUPAL_SYNC_PASSWORD", "not-the-password");
    let run = project.run(&["plan"]);
    run.code(1);
    assert!(run.stderr.contains("INVALID_CREDENTIALS"), "{}", run.stderr);
    settings(&project).bind(|| insta::assert_snapshot!(run.stderr));
}

#[test]
fn a_connection_refused_names_the_url_and_where_it_came_from() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut project = Project::with_config(&format!(
        "[site]\nurl = \"http://127.0.0.1:{port}\"\nnamespace = \"msg\"\n[auth]\nusername = \"ci\"\n"
    ));
    project.page("a.md", "---\ntitle: A\n---\nA.\n");
    let mut all = String::new();
    for env_url in [None, Some(format!("http://127.0.0.1:{port}/drupal/"))] {
        if let Some(url) = &env_url {
            project.env("DRUPAL_SYNC_URL", url);
        }
        let run = project.run(&["plan"]);
        run.code(1);
        all.push_str(&format!(
            "$ DRUPAL_SYNC_URL={} drupal-sync plan\n{}\n",
            env_url.as_deref().unwrap_or(""),
            run.stderr
        ));
    }
    settings(&project).bind(|| insta::assert_snapshot!(all));
}

#[test]
fn a_usage_error_exits_1() {
    let project = Project::with_config(CONFIG);
    let run = project.run(&["plan", "--detailed-exitcodes"]);
    run.code(1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    settings(&project).bind(|| insta::assert_snapshot!(run.stderr));
}

/// A project on `sandbox` signed in as the sandbox's `editor` account (no "administer nodes").
fn as_editor(sandbox: &SandboxProc) -> Project {
    let mut project = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\nnamespace = \"msg\"\n[auth]\nprovider = \"miniorange\"\nusername = \"editor\"\n",
        sandbox.url
    ));
    project.env("DRUPAL_SYNC_PASSWORD", "editor-password");
    project
}

#[test]
fn a_403_on_write() {
    let sandbox = SandboxProc::start();
    let project = as_editor(&sandbox);
    project.page(
        "draft.md",
        "---\ntitle: Draft\nstatus: draft\n---\nOnly an administrator may set the status.\n",
    );
    let run = project.run(&["apply"]);
    run.code(1);
    assert!(sandbox.nodes().is_empty());
    settings(&project).bind(|| insta::assert_snapshot!(both(&run)));
}

#[test]
fn a_failed_apply_summary() {
    let sandbox = SandboxProc::start();
    let project = as_editor(&sandbox);
    project
        .page("ok.md", "---\ntitle: OK\n---\nFine.\n")
        .page(
            "draft.md",
            "---\ntitle: Draft\nstatus: draft\n---\nNot allowed.\n",
        )
        .page(
            "full.md",
            "---\ntitle: Full\nformat: full_html\n---\nNot allowed for editors.\n",
        );
    let run = project.run(&["apply"]);
    run.code(1);
    assert_eq!(sandbox.nodes().len(), 1);
    settings(&project).bind(|| insta::assert_snapshot!(both(&run)));
}

#[test]
fn a_stale_saved_plan() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    project.page("a.md", "---\ntitle: A\n---\nA.\n");
    project.run(&["apply"]).code(0);
    project.page("a.md", "---\ntitle: A (planned)\n---\nA.\n");
    project.run(&["plan", "--out", "a.plan"]).code(0);
    let node = sandbox.nodes().remove(0);
    sandbox.edit_as_editor(
        node["id"].as_str().unwrap(),
        serde_json::json!({ "title": "A (edited in Drupal)" }),
    );
    let run = project.run(&["apply", "a.plan"]);
    run.code(1);
    settings(&project).bind(|| insta::assert_snapshot!(run.stderr));
}
