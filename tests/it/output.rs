//! What CI pipelines and people see: JSON validated against the shipped schemas, saved
//! plans, GitHub annotations and step summaries, colour and progress only on terminals,
//! partial failures, and a snapshot of the human plan.

use serde_json::{json, Value};

use crate::harness::{repo, Project, SandboxProc};

pub(crate) fn validate_against(schema_file: &str, document: &Value) -> Result<(), String> {
    let path = repo().join("schema").join(schema_file);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource(schema_file, schema).unwrap();
    let index = compiler.compile(schema_file, &mut schemas).unwrap();
    schemas
        .validate(document, index)
        .map_err(|e| format!("{e:#}"))
}

#[test]
fn json_output_validates_against_the_shipped_schemas() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    project
        .page("a.md", "---\ntitle: A\n---\na\n")
        .page("b.md", "---\ntitle: B\n---\nb\n")
        .page("gone.md", "---\ntitle: Gone\n---\ng\n");
    project.run(&["apply"]).code(0);
    project
        .page("a.md", "---\ntitle: A2\nsummary: s\n---\na changed\n")
        .remove("gone.md");
    project.page("c.md", "---\ntitle: C\n---\nc\n");

    let run = project.run(&["plan", "--prune", "--format", "json"]);
    run.code(0);
    let plan: Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    validate_against("plan-v1.schema.json", &plan).unwrap();
    assert_eq!(plan["format_version"], "1");
    assert_eq!(
        plan["summary"],
        json!({"create": 1, "update": 1, "delete": 1, "unchanged": 1, "upload": 0})
    );
    let update = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["action"] == "update")
        .unwrap();
    assert_eq!(
        update["fields"]["title"],
        json!({"before": "A", "after": "A2"})
    );
    assert_eq!(update["source"], "content/a.md");

    let run = project.run(&["apply", "--prune", "--format", "json"]);
    run.code(0);
    let applied: Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    validate_against("apply-v1.schema.json", &applied).unwrap();
    assert!(applied["changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["result"] == "ok"));
    // The schema is strict: a renamed key fails.
    let mut broken = applied.clone();
    broken["changes"][0]["results"] = broken["changes"][0]["result"].take();
    assert!(validate_against("apply-v1.schema.json", &broken).is_err());
}

#[test]
fn a_saved_plan_applies_exactly_and_refuses_when_stale() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    project
        .page("a.md", "---\ntitle: A\n---\na\n")
        .page("b.md", "---\ntitle: B\n---\nb\n");
    project.run(&["apply"]).code(0);

    // Exactly the saved changes, even if content moves on after the plan.
    project.page("a.md", "---\ntitle: A (planned)\n---\na\n");
    let plan_file = project.path().join("reviewed.plan");
    project
        .run(&["plan", "--out", plan_file.to_str().unwrap()])
        .code(0);
    let saved = std::fs::read_to_string(&plan_file).unwrap();
    assert!(!saved.contains("ci-password"));
    project.page("a.md", "---\ntitle: A (not reviewed)\n---\na\n");
    project.page("c.md", "---\ntitle: C (not reviewed)\n---\nc\n");
    let run = project.run(&["apply", plan_file.to_str().unwrap()]);
    run.code(0);
    assert!(
        run.stdout.contains("Apply complete: 0 created, 1 updated"),
        "{}",
        run.stdout
    );
    let titles: Vec<String> = sandbox
        .nodes()
        .iter()
        .map(|n| n["attributes"]["title"].as_str().unwrap().to_owned())
        .collect();
    assert!(titles.contains(&"A (planned)".to_owned()), "{titles:?}");
    assert_eq!(titles.len(), 2);

    // Someone edits a target page on the site: the saved plan is refused, nothing written.
    project.page("b.md", "---\ntitle: B (planned)\n---\nb\n");
    project
        .run(&["plan", "--out", plan_file.to_str().unwrap()])
        .code(0);
    let b = sandbox
        .nodes()
        .into_iter()
        .find(|n| n["attributes"]["title"] == "B")
        .unwrap();
    let uuid = b["id"].as_str().unwrap();
    sandbox.edit_as_editor(uuid, json!({ "title": "B (edited)" }));
    let before = sandbox.stats();
    let run = project.run(&["apply", plan_file.to_str().unwrap()]);
    run.code(1);
    assert!(run.stderr.contains("stale"), "{}", run.stderr);
    assert!(run.stderr.contains("/b (content/b.md)"), "{}", run.stderr);
    assert_eq!(sandbox.stats().since(&before).writes(), 0);

    // A plan made for another namespace is refused before any request.
    let other = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\nnamespace = \"another\"\n[auth]\nusername = \"ci\"\n",
        sandbox.url
    ));
    let run = other.run(&["apply", plan_file.to_str().unwrap()]);
    run.code(1);
    assert!(run.stderr.contains("namespace `it-docs`"), "{}", run.stderr);
}

#[test]
fn github_actions_get_annotations_and_a_step_summary() {
    let sandbox = SandboxProc::start();
    let mut project = Project::new(&sandbox.url);
    let summary = project.path().join("summary.md");
    project.env("GITHUB_ACTIONS", "true");
    project.env("GITHUB_STEP_SUMMARY", summary.to_str().unwrap());
    project.page("bad.md", "---\ntitle: Bad\npath: /admin/x\n---\nx\n");
    let run = project.run(&["plan"]);
    run.code(1);
    assert!(
        run.stderr.contains("::error file=content/bad.md,line=3"),
        "{}",
        run.stderr
    );

    project.page("bad.md", "---\ntitle: Good now\n---\nx\n");
    project.run(&["plan"]).code(0);
    let markdown = std::fs::read_to_string(&summary).unwrap();
    assert!(
        markdown.contains("| `+ create` |") || markdown.contains("+ create"),
        "{markdown}"
    );
    assert!(markdown.contains("/bad"), "{markdown}");
    assert!(markdown.contains('|'), "a table: {markdown}");
}

#[test]
fn piped_output_has_no_colour_and_no_progress_but_terminals_do() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    for i in 0..20 {
        project.page(&format!("p{i}.md"), &format!("---\ntitle: P{i}\n---\np\n"));
    }
    let run = project.run(&["apply"]);
    run.code(0);
    assert!(
        !run.stdout.contains('\x1b') && !run.stderr.contains('\x1b'),
        "{run:?}"
    );
    assert!(
        !run.stderr.contains("20/20"),
        "no progress bar through a pipe: {}",
        run.stderr
    );

    // Under a pseudo-terminal (script(1)): colour, unless NO_COLOR is set.
    let tty = |no_color: bool, page: &str| {
        project.page("p0.md", &format!("---\ntitle: {page}\n---\np\n"));
        let mut command = project.command(&[]);
        let shell = format!("{} plan", crate::harness::bin());
        command.args(["-qec", &shell, "/dev/null"]);
        let mut script = std::process::Command::new("script");
        script
            .args(["-qec", &shell, "/dev/null"])
            .current_dir(project.path());
        for (name, value) in command.get_envs() {
            match value {
                Some(value) => script.env(name, value),
                None => script.env_remove(name),
            };
        }
        if no_color {
            script.env("NO_COLOR", "1");
        }
        let output = script.output().expect("script(1)");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let coloured = tty(false, "Coloured");
    assert!(coloured.contains("\x1b["), "{coloured:?}");
    let plain = tty(true, "Plain");
    assert!(plain.contains("~ update"), "{plain:?}");
    assert!(!plain.contains("\x1b["), "{plain:?}");
}

#[test]
fn every_page_is_attempted_and_each_failure_is_reported_with_its_file() {
    let sandbox = SandboxProc::start();
    let mut project = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\nnamespace = \"partial\"\n[auth]\nusername = \"editor\"\n",
        sandbox.url
    ));
    project.env("DRUPAL_SYNC_PASSWORD", "editor-password");
    project
        .page("ok-1.md", "---\ntitle: OK 1\n---\nfine\n")
        .page(
            "draft.md",
            "---\ntitle: Draft\nstatus: draft\n---\nneeds administer nodes\n",
        )
        .page(
            "full.md",
            "---\ntitle: Full\nformat: full_html\n---\nnot allowed for editors\n",
        )
        .page("ok-2.md", "---\ntitle: OK 2\n---\nfine\n");
    let run = project.run(&["apply"]);
    run.code(1);
    assert!(
        run.stdout
            .contains("Apply incomplete: 2 created, 0 updated, 0 deleted, 2 failed."),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("content/draft.md"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("'administer nodes' permission is required"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("content/full.md"), "{}", run.stdout);
    assert!(run.stdout.contains("body.0.format"), "{}", run.stdout);
    assert_eq!(sandbox.nodes().len(), 2);
}

#[test]
fn human_plan_snapshot() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    project
        .page(
            "about.md",
            "---\ntitle: About us\n---\nWe are a team.\n\nWe write docs.\n",
        )
        .page("team/index.md", "# Team\n\nAda and Linus.\n")
        .page("old.md", "---\ntitle: Old page\n---\nold\n");
    project.run(&["apply"]).code(0);
    project
        .page(
            "about.md",
            "---\ntitle: About the team\n---\nWe are a team.\n\nWe write good docs.\n",
        )
        .remove("old.md");
    project.page("new.md", "---\ntitle: New page\nsummary: Fresh\n---\nnew\n");
    let run = project.run(&["plan", "--prune"]);
    run.code(0);
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT");
    settings.bind(|| insta::assert_snapshot!("human_plan", run.stdout));
    project.run(&["apply", "--prune"]).code(0);
    let run = project.run(&["plan", "--prune"]);
    settings.bind(|| insta::assert_snapshot!("human_plan_no_changes", run.stdout));
}

#[test]
fn quiet_silences_diagnostics_but_never_data() {
    // CONTRACT §4: `drupal-sync -q plan --format json > plan.json` must not write 0 bytes.
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    project.page("a.md", "---\ntitle: A\nunknown_key: 1\n---\na\n");
    let run = project.run(&["-q", "plan", "--format", "json"]);
    run.code(0);
    assert_eq!(run.stderr, "", "the warning is a diagnostic");
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).expect("the plan on stdout");
    assert_eq!(plan["summary"]["create"], 1);
    let run = project.run(&["-q", "apply"]);
    run.code(0);
    assert_eq!(run.stderr, "");
    assert!(
        run.stdout.contains("Apply complete: 1 created"),
        "{}",
        run.stdout
    );
    project.page("b.md", "---\n---\nno title\n");
    let run = project.run(&["-q", "apply"]);
    run.code(1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("content/b.md:1:1: error: missing title"),
        "{}",
        run.stderr
    );
}

#[test]
fn init_writes_a_working_project_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let init = |args: &[&str]| {
        std::process::Command::new(crate::harness::bin())
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let first = init(&["init", "--url", "https://www.example.org"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let config = std::fs::read_to_string(dir.path().join("drupal-sync.toml")).unwrap();
    assert!(
        config.contains("url = \"https://www.example.org\""),
        "{config}"
    );
    let validate = init(&["validate", "--strict"]);
    assert!(
        validate.status.success(),
        "{}",
        String::from_utf8_lossy(&validate.stderr)
    );
    let plan = init(&["plan", "--sandbox", "--detailed-exitcode"]);
    assert_eq!(
        plan.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&plan.stderr)
    );

    std::fs::write(dir.path().join("drupal-sync.toml"), "# mine\n").unwrap();
    let again = init(&["init"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("drupal-sync.toml"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("drupal-sync.toml")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let output = std::process::Command::new(crate::harness::bin())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success());
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(
            script.contains("drupal-sync") && script.contains("detailed-exitcode"),
            "{shell}: {script}"
        );
    }
}
