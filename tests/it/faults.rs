//! Surviving the real world: injected faults, short-lived tokens, a killed run, Ctrl-C,
//! and secrets that never reach the output.

use std::collections::HashSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::{pages, Project, SandboxProc};

fn unique_uuids(sandbox: &SandboxProc) -> (usize, usize) {
    let nodes = sandbox.nodes();
    let uuids: HashSet<String> = nodes
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect();
    (nodes.len(), uuids.len())
}

#[test]
fn a_faulty_site_converges_without_duplicates() {
    let sandbox = SandboxProc::with_args(&[
        "--fail-rate",
        "0.2",
        "--latency-ms",
        "10",
        "--fault-seed",
        "7",
    ]);
    let project = Project::new(&sandbox.url);
    pages(&project, 500);
    let run = project.run(&["apply"]);
    run.code(0);
    assert!(
        run.stdout.contains("Apply complete: 500 created"),
        "{}",
        run.stdout
    );
    let stats = sandbox.stats();
    assert!(
        stats.route("POST /jsonapi/node/page") > 500,
        "faults must have forced retries: {:?}",
        stats
    );
    assert_eq!(unique_uuids(&sandbox), (500, 500));
    project.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn short_lived_tokens_are_refreshed_before_they_expire() {
    let sandbox = SandboxProc::with_args(&["--token-ttl", "2", "--latency-ms", "20"]);
    let project = Project::new(&sandbox.url);
    pages(&project, 300);
    let started = Instant::now();
    let run = project.run(&["apply", "--parallelism", "4"]);
    let elapsed = started.elapsed();
    run.code(0);
    assert_eq!(unique_uuids(&sandbox), (300, 300));
    let tokens = sandbox.stats().route("POST /rest_api/id_token");
    let bound = elapsed.as_secs_f64() / 2.0 + 1.0;
    assert!(
        (tokens as f64) <= bound,
        "{tokens} token requests in {elapsed:?} (bound {bound:.1})"
    );
    assert!(elapsed > Duration::from_secs(2) || tokens >= 1);
}

#[test]
fn a_killed_apply_is_repaired_by_the_next_run() {
    let sandbox = SandboxProc::with_args(&["--latency-ms", "20"]);
    let project = Project::new(&sandbox.url);
    pages(&project, 200);
    let mut child = project
        .command(&["apply", "--parallelism", "2"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while sandbox.stats().route("POST /jsonapi/node/page") < 40 {
        assert!(Instant::now() < deadline, "apply made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (partial, _) = unique_uuids(&sandbox);
    assert!(partial > 0 && partial < 200, "killed half-way: {partial}");

    let run = project.run(&["apply"]);
    run.code(0);
    assert!(
        run.stdout.contains(&format!("{} created", 200 - partial)),
        "{}",
        run.stdout
    );
    assert_eq!(unique_uuids(&sandbox), (200, 200));
    project.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn ctrl_c_finishes_writes_in_flight_and_reports_the_rest() {
    interrupt_with("-INT");
}

#[test]
fn sigterm_stops_like_ctrl_c() {
    // CI systems cancel jobs with SIGTERM (CONTRACT §4).
    interrupt_with("-TERM");
}

fn interrupt_with(signal: &str) {
    let sandbox = SandboxProc::with_args(&["--latency-ms", "30"]);
    let project = Project::new(&sandbox.url);
    pages(&project, 150);
    let child = project
        .command(&["apply", "--parallelism", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while sandbox.stats().route("POST /jsonapi/node/page") < 20 {
        assert!(Instant::now() < deadline, "apply made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(stdout.contains("not attempted (interrupted)"), "{stdout}");
    let created = sandbox.nodes().len();
    assert!(
        stdout.contains(&format!("Apply incomplete: {created} created")),
        "{created}\n{stdout}"
    );
    // The next run completes the rest.
    project.run(&["apply"]).code(0);
    assert_eq!(unique_uuids(&sandbox), (150, 150));
}

#[test]
fn secrets_never_reach_the_output() {
    let password = "Pa55-w0rd-XYZZY";
    let sandbox = SandboxProc::with_args(&["--user", &format!("secret-user:{password}")]);
    let mut project = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\nnamespace = \"secrets\"\n\n[auth]\nprovider = \"miniorange\"\nusername = \"secret-user\"\n",
        sandbox.url
    ));
    project.env("DRUPAL_SYNC_PASSWORD", password);
    project
        .page("a.md", "---\ntitle: A\n---\na\n")
        .page("b.md", "---\ntitle: B\n---\nb\n");
    let plan_file = project.path().join("plan.json");
    let plan_file = plan_file.to_str().unwrap();
    let mut outputs = Vec::new();
    for args in [
        vec!["-vv", "validate"],
        vec!["-vv", "plan"],
        vec!["-vv", "plan", "--format", "json"],
        vec!["-vv", "plan", "--out", plan_file],
        vec!["-vv", "apply", plan_file],
        vec!["-vv", "apply", "--format", "json"],
        vec!["-vv", "plan", "--format", "markdown"],
    ] {
        let run = project.run(&args);
        assert!(run.code == 0, "{args:?}: {}", run.stderr);
        outputs.push(run.stdout + &run.stderr);
    }
    outputs.push(std::fs::read_to_string(plan_file).unwrap());
    // A wrong password, and a bearer token from the environment.
    project.env("DRUPAL_SYNC_PASSWORD", "wrong-Pa55-XYZZY");
    let run = project.run(&["-vv", "apply"]);
    run.code(1);
    outputs.push(run.stdout + &run.stderr);
    let token = "tok-SECRET-0123456789";
    let mut bearer = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\nnamespace = \"secrets\"\n\n[auth]\nprovider = \"token\"\n",
        sandbox.url
    ));
    bearer.env("DRUPAL_SYNC_TOKEN", token);
    bearer.page("a.md", "---\ntitle: A\n---\na\n");
    let run = bearer.run(&["-vv", "apply"]);
    outputs.push(run.stdout + &run.stderr);

    for output in &outputs {
        for secret in [password, "wrong-Pa55-XYZZY", token, "eyJ0eXAi", "eyJhbGci"] {
            assert!(!output.contains(secret), "`{secret}` leaked:\n{output}");
        }
    }
}

#[test]
fn a_password_in_the_config_file_is_refused() {
    let project = Project::with_config(
        "[site]\nurl = \"https://example.com\"\nnamespace = \"x\"\n[auth]\nusername = \"u\"\npassword = \"in-the-file-123\"\n",
    );
    let run = project.run(&["validate"]);
    run.code(1);
    assert!(run.stderr.contains("drupal-sync.toml:6:"), "{}", run.stderr);
    assert!(run.stderr.contains("auth.password"), "{}", run.stderr);
    assert!(!run.stderr.contains("in-the-file-123"), "{}", run.stderr);
}

#[test]
fn plain_http_is_refused_for_remote_hosts() {
    let project = Project::with_config("[site]\nurl = \"http://drupal.example.com\"\nnamespace = \"x\"\n[auth]\nusername = \"u\"\n");
    project.page("a.md", "---\ntitle: A\n---\n");
    let run = project.run(&["plan"]);
    run.code(1);
    assert!(run.stderr.contains("refusing plain http"), "{}", run.stderr);
}
