//! Deleting what git deleted, safely, and noticing edits made in Drupal.

use serde_json::{json, Value};

use crate::harness::{basic, http, pages, Project, SandboxProc, NAMESPACE};

const API: &str = "application/vnd.api+json";

fn post_by_hand(sandbox: &SandboxProc, title: &str, id: Option<&str>) -> String {
    let mut data = json!({ "type": "node--page", "attributes": { "title": title } });
    if let Some(id) = id {
        data["id"] = json!(id);
    }
    let (status, body) = http(
        "POST",
        &format!("{}/jsonapi/node/page", sandbox.url),
        &[basic("ci", "ci-password"), ("Accept".into(), API.into())],
        Some((API, json!({ "data": data }).to_string())),
    );
    assert_eq!(status, 201, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    doc["data"]["id"].as_str().unwrap().to_owned()
}

fn titles(sandbox: &SandboxProc) -> Vec<String> {
    let mut titles: Vec<String> = sandbox
        .nodes()
        .iter()
        .map(|n| n["attributes"]["title"].as_str().unwrap().to_owned())
        .collect();
    titles.sort();
    titles
}

fn uuid_of(sandbox: &SandboxProc, title: &str) -> String {
    sandbox
        .nodes()
        .iter()
        .find(|n| n["attributes"]["title"] == title)
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no node titled {title}"))
}

#[test]
fn prune_deletes_exactly_the_removed_page() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    project
        .page("keep.md", "---\ntitle: Keep\n---\nk\n")
        .page("gone.md", "---\ntitle: Gone\n---\ng\n");
    project.run(&["apply"]).code(0);

    post_by_hand(&sandbox, "Made by hand", None);
    let adopted = post_by_hand(
        &sandbox,
        "Adopted",
        Some("0c6f6a4e-1f0b-4b5e-9d55-3c1f4a8b9e21"),
    );
    project.page(
        "adopted.md",
        &format!("---\ntitle: Adopted\nuuid: {adopted}\n---\na\n"),
    );
    project.run(&["apply"]).code(0);
    let other = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\nnamespace = \"someone-else\"\n[auth]\nusername = \"ci\"\n",
        sandbox.url
    ));
    other.page("elsewhere.md", "---\ntitle: Other namespace\n---\no\n");
    other.run(&["apply"]).code(0);

    project.remove("gone.md").remove("adopted.md");
    let run = project.run(&["plan", "--prune", "--detailed-exitcode"]);
    run.code(2);
    assert!(run.stdout.contains("- delete  /gone"), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!("namespace {NAMESPACE}")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Plan: 0 to create, 0 to update, 1 to delete"),
        "{}",
        run.stdout
    );
    project.run(&["apply", "--prune"]).code(0);
    assert_eq!(
        titles(&sandbox),
        ["Adopted", "Keep", "Made by hand", "Other namespace"]
    );
    project
        .run(&["plan", "--prune", "--detailed-exitcode"])
        .code(0);
}

#[test]
fn prune_refuses_an_empty_content_set() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    project.page("a.md", "---\ntitle: A\n---\na\n");
    project.run(&["apply"]).code(0);
    project.remove("a.md");
    let before = sandbox.stats();
    let run = project.run(&["apply", "--prune"]);
    run.code(1);
    assert!(
        run.stderr.contains("content set is empty"),
        "{}",
        run.stderr
    );
    assert_eq!(sandbox.stats().since(&before).writes(), 0);
    assert_eq!(sandbox.nodes().len(), 1);
}

#[test]
fn prune_refuses_mass_deletion_unless_allowed() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    pages(&project, 100);
    project.run(&["apply"]).code(0);
    for i in 0..30 {
        project.remove(&format!("p{i:03}.md"));
    }
    let before = sandbox.stats();
    let run = project.run(&["apply", "--prune"]);
    run.code(1);
    assert!(
        run.stderr.contains("refusing to prune 30 of 100"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--allow-mass-delete"), "{}", run.stderr);
    assert_eq!(sandbox.stats().since(&before).writes(), 0);
    assert_eq!(sandbox.nodes().len(), 100);

    project
        .run(&["apply", "--prune", "--allow-mass-delete"])
        .code(0);
    assert_eq!(sandbox.nodes().len(), 70);
}

#[test]
fn prune_needs_jsonapi() {
    let sandbox = SandboxProc::start();
    let project = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\napi = \"rest\"\nnamespace = \"x\"\n[auth]\nusername = \"ci\"\n",
        sandbox.url
    ));
    project.page("a.md", "---\ntitle: A\n---\n");
    let run = project.run(&["plan", "--prune"]);
    run.code(1);
    assert!(
        run.stderr.contains("--prune needs api = \"jsonapi\""),
        "{}",
        run.stderr
    );
}

#[test]
fn drift_is_shown_and_each_policy_is_honoured() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    project
        .page("about.md", "---\ntitle: About\n---\nabout\n")
        .page("team.md", "---\ntitle: Team\n---\nteam\n");
    project.run(&["apply"]).code(0);
    let uuid = uuid_of(&sandbox, "About");
    sandbox.edit_as_editor(&uuid, json!({ "title": "About (edited in Drupal)" }));

    let run = project.run(&["plan", "--detailed-exitcode"]);
    run.code(2);
    assert!(run.stdout.contains("drift"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("title: \"About (edited in Drupal)\" -> \"About\""),
        "{}",
        run.stdout
    );

    let before = sandbox.stats();
    let run = project.run(&["apply", "--on-drift", "fail"]);
    run.code(1);
    assert!(run.stderr.contains("/about"), "{}", run.stderr);
    assert_eq!(sandbox.stats().since(&before).writes(), 0);

    project.page("team.md", "---\ntitle: Our team\n---\nteam\n");
    project.run(&["apply", "--on-drift", "skip"]).code(0);
    assert_eq!(titles(&sandbox), ["About (edited in Drupal)", "Our team"]);

    project.run(&["apply"]).code(0);
    assert_eq!(titles(&sandbox), ["About", "Our team"]);
    project.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn a_page_deleted_on_the_site_is_created_again() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    project.page("about.md", "---\ntitle: About\n---\nabout\n");
    project.run(&["apply"]).code(0);
    let uuid = uuid_of(&sandbox, "About");
    let (status, body) = http(
        "DELETE",
        &format!("{}/jsonapi/node/page/{uuid}", sandbox.url),
        &[basic("ci", "ci-password")],
        None,
    );
    assert_eq!(status, 204, "{body}");
    let run = project.run(&["plan", "--detailed-exitcode"]);
    run.code(2);
    assert!(run.stdout.contains("+ create  /about"), "{}", run.stdout);
    assert!(run.stdout.contains("deleted on the site"), "{}", run.stdout);
    project.run(&["apply"]).code(0);
    assert_eq!(uuid_of(&sandbox, "About"), uuid);
}

#[test]
fn a_new_revision_made_by_someone_else_is_drift() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    project.page("about.md", "---\ntitle: About\n---\nabout\n");
    project.run(&["apply"]).code(0);
    let uuid = uuid_of(&sandbox, "About");
    // Like the Drupal UI: a new revision with the editor's own log message.
    sandbox.edit_as_editor(
        &uuid,
        json!({ "title": "About (fixed)", "revision_log": "fixed a typo" }),
    );
    let run = project.run(&["plan", "--on-drift", "fail"]);
    run.code(1);
    assert!(
        run.stderr.contains("/about (content/about.md)"),
        "{}",
        run.stderr
    );
}
