//! Images and files (issue "Pages keep their pictures and downloads", CONTRACT §7): uploaded
//! once, embedded as Drupal's editor does, kept permanent; validated offline; failures online
//! named with the page and the file.

use std::path::Path;

use serde_json::Value;

use crate::harness::{basic, http, repo, Project, SandboxProc, NAMESPACE};

fn diagram() -> Vec<u8> {
    std::fs::read(repo().join("tests/fixtures/drupal-wire/files/diagram.png")).unwrap()
}

const PDF: &[u8] = b"%PDF-1.4\n% tiny test pdf\n";

/// A project whose documents go through `node/page/field_files`.
fn project(sandbox: &SandboxProc, api: &str) -> Project {
    let project = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\napi = \"{api}\"\nnamespace = \"{NAMESPACE}\"\n\n[auth]\nprovider = \"miniorange\"\nusername = \"ci\"\n\n[files]\ndocuments = \"node/page/field_files\"\n",
        sandbox.url
    ));
    write(&project, "img/diagram.png", &diagram());
    write(&project, "files/manual.pdf", PDF);
    project
        .page(
            "guide.md",
            "---\ntitle: Guide\n---\n![Diagram](img/diagram.png)\n\nRead the [manual](files/manual.pdf), see [the figure][fig] again.\n\n[fig]: ./img/diagram.png\n",
        )
        .page(
            "gallery/index.md",
            "---\ntitle: Gallery\n---\n<p><img src=\"../img/diagram.png\" alt=\"raw\"></p>\n",
        )
        .page(
            "downloads.yaml",
            "title: Downloads\nbody_html: <p><a href=\"/files/manual.pdf\">PDF</a></p>\n",
        );
    project
}

fn write(project: &Project, rel: &str, bytes: &[u8]) {
    let path = project.path().join("content").join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn sandbox() -> SandboxProc {
    SandboxProc::with_args(&["--file-field", "node/page/field_files:pdf"])
}

/// Every file on the site, as the admin reads them.
fn site_files(sandbox: &SandboxProc) -> Vec<Value> {
    let (status, body) = http(
        "GET",
        &format!("{}/jsonapi/file/file", sandbox.url),
        &[basic("ci", "ci-password")],
        None,
    );
    assert_eq!(status, 200, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    doc["data"].as_array().unwrap().clone()
}

fn body_of(sandbox: &SandboxProc, title: &str) -> String {
    let nodes = sandbox.nodes();
    let node = nodes
        .iter()
        .find(|n| n["attributes"]["title"] == title)
        .unwrap_or_else(|| panic!("no page {title}"));
    node["attributes"]["body"]["value"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn bytes(url: &str) -> Vec<u8> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            reqwest::get(url)
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
                .to_vec()
        })
}

#[test]
fn images_and_files_upload_once_and_stay() {
    let sandbox = sandbox();
    let project = project(&sandbox, "jsonapi");

    let run = project.run(&["plan", "--detailed-exitcode"]);
    run.code(2);
    // Files about to be uploaded are the site's own, not images from another domain.
    assert!(
        !run.stdout.contains("not on the site") && !run.stderr.contains("not on the site"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    for line in [
        "+ upload  content/files/manual.pdf  25 B  (node/page/field_files)",
        "+ upload  content/img/diagram.png  73 B  (node/article/field_image)",
        "(node/page/field_files)",
        "(node/article/field_image)",
        "Plan: 2 to upload, 3 to create, 0 to update, 0 to delete, 0 unchanged.",
    ] {
        assert!(run.stdout.contains(line), "{line}\n{}", run.stdout);
    }

    let before = sandbox.stats();
    project.run(&["apply"]).code(0);
    let apply = sandbox.stats().since(&before);
    assert_eq!(
        apply.route("POST /jsonapi/node/article/field_image"),
        1,
        "{apply:?}"
    );
    assert_eq!(
        apply.route("POST /jsonapi/node/page/field_files"),
        1,
        "{apply:?}"
    );
    assert_eq!(apply.route("POST /jsonapi/node/page"), 3, "{apply:?}");

    // Both links carry the file's uuid and url; the sandbox holds exactly 2 files, permanent.
    let files = site_files(&sandbox);
    assert_eq!(files.len(), 2, "{files:#?}");
    for file in &files {
        assert_eq!(file["attributes"]["status"], true, "{file:#}");
        let uuid = file["id"].as_str().unwrap();
        let url = file["attributes"]["uri"]["url"].as_str().unwrap();
        let name = file["attributes"]["filename"].as_str().unwrap();
        let users = if Path::new(name).extension().is_some_and(|e| e == "png") {
            ["Guide", "Gallery"]
        } else {
            ["Guide", "Downloads"]
        };
        for title in users {
            let body = body_of(&sandbox, title);
            let embedded =
                format!("=\"{url}\" data-entity-type=\"file\" data-entity-uuid=\"{uuid}\"");
            assert!(body.contains(&embedded), "{title}: {body}");
        }
    }
    let png = files
        .iter()
        .find(|f| {
            Path::new(f["attributes"]["filename"].as_str().unwrap())
                .extension()
                .is_some_and(|e| e == "png")
        })
        .unwrap();
    let name = png["attributes"]["filename"].as_str().unwrap();
    assert!(
        name.starts_with("diagram.") && name.len() == "diagram.12345678.png".len(),
        "{name}"
    );
    let url = format!(
        "{}{}",
        sandbox.url,
        png["attributes"]["uri"]["url"].as_str().unwrap()
    );
    assert_eq!(bytes(&url), diagram(), "the uploaded bytes are served back");

    // Second run: nothing to upload, nothing to write; one lookup request for both names.
    let before = sandbox.stats();
    let run = project.run(&["plan", "--detailed-exitcode"]);
    run.code(0);
    assert!(run.stdout.contains("No changes."), "{}", run.stdout);
    project.run(&["apply"]).code(0);
    let idle = sandbox.stats().since(&before);
    assert_eq!(idle.writes(), 0, "{idle:?}");
    assert_eq!(
        idle.route("GET /jsonapi/file/file"),
        2,
        "one per command: {idle:?}"
    );

    // A changed image is one upload and an update of exactly the pages that embed it.
    let mut edited = diagram();
    edited.extend_from_slice(b"edited");
    write(&project, "img/diagram.png", &edited);
    let run = project.run(&["plan", "--detailed-exitcode"]);
    run.code(2);
    assert!(
        run.stdout
            .contains("Plan: 1 to upload, 0 to create, 2 to update, 0 to delete, 1 unchanged."),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("~ update  /guide"), "{}", run.stdout);
    assert!(run.stdout.contains("~ update  /gallery"), "{}", run.stdout);
    let before = sandbox.stats();
    project.run(&["apply"]).code(0);
    let changed = sandbox.stats().since(&before);
    assert_eq!(
        changed.route("POST /jsonapi/node/article/field_image"),
        1,
        "{changed:?}"
    );
    assert_eq!(
        changed.route("PATCH /jsonapi/node/page/{id}"),
        2,
        "{changed:?}"
    );
    assert_eq!(changed.writes(), 3, "{changed:?}");
    project.run(&["plan", "--detailed-exitcode"]).code(0);
    let files = site_files(&sandbox);
    assert_eq!(files.len(), 3);
    assert!(files.iter().all(|f| f["attributes"]["status"] == true));
}

#[test]
fn core_rest_uploads_and_finds_files_through_the_file_collection() {
    let sandbox = sandbox();
    let project = project(&sandbox, "rest");
    let run = project.run(&["apply", "--format", "json"]);
    run.code(0);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    crate::output::validate_against("apply-v1.schema.json", &report).unwrap();
    assert_eq!(report["summary"]["upload"], 2);
    let uploads = report["uploads"].as_array().unwrap();
    assert!(
        uploads
            .iter()
            .all(|u| u["result"] == "ok" && u["uuid"].is_string()),
        "{uploads:#?}"
    );
    for change in report["changes"].as_array().unwrap() {
        let body = change["fields"]["body"]["after"].as_str().unwrap();
        assert!(
            !body.contains("drupal-sync-file:"),
            "the report shows what was written: {body}"
        );
    }
    let stats = sandbox.stats();
    assert_eq!(stats.route("POST /file/upload/node/article/field_image"), 1);
    assert_eq!(stats.route("POST /file/upload/node/page/field_files"), 1);
    assert!(site_files(&sandbox)
        .iter()
        .all(|f| f["attributes"]["status"] == true));

    let before = sandbox.stats();
    project.run(&["plan", "--detailed-exitcode"]).code(0);
    let idle = sandbox.stats().since(&before);
    assert_eq!(idle.writes(), 0, "{idle:?}");
}

#[test]
fn plans_in_json_and_saved_plans_carry_uploads() {
    let sandbox = sandbox();
    let project = project(&sandbox, "jsonapi");
    let run = project.run(&["plan", "--format", "json", "--out", "plan.json"]);
    run.code(0);
    let plan: Value = serde_json::from_str(&run.stdout).unwrap();
    crate::output::validate_against("plan-v1.schema.json", &plan).unwrap();
    assert_eq!(plan["summary"]["upload"], 2);
    let png = plan["uploads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["source"] == "content/img/diagram.png")
        .unwrap();
    assert_eq!(png["size"], 73);
    assert_eq!(png["field"], "node/article/field_image");
    assert_eq!(
        png["pages"],
        serde_json::json!(["content/gallery/index.md", "content/guide.md"])
    );

    // The file changes after the plan: the saved plan is stale.
    write(&project, "img/diagram.png", b"other bytes");
    let run = project.run(&["apply", "plan.json"]);
    run.code(1);
    assert!(
        run.stderr.contains("changed since the plan was made"),
        "{}",
        run.stderr
    );
    assert_eq!(sandbox.stats().writes(), 0);

    write(&project, "img/diagram.png", &diagram());
    let run = project.run(&["apply", "plan.json"]);
    run.code(0);
    assert!(
        run.stdout.contains("uploaded  content/img/diagram.png"),
        "{}",
        run.stdout
    );
    assert_eq!(site_files(&sandbox).len(), 2);
    project.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn missing_unplaceable_and_oversized_files_are_validation_errors() {
    let sandbox = SandboxProc::start();
    let project = Project::new(&sandbox.url);
    write(&project, "files/manual.pdf", PDF);
    let big = std::fs::File::create(project.path().join("content/huge.png")).unwrap();
    big.set_len(40 * 1024 * 1024).unwrap();
    project
        .page(
            "a.md",
            "---\ntitle: A\n---\nIntro.\n\n![gone](img/missing.png)\n",
        )
        .page(
            "b.md",
            "---\ntitle: B\n---\nSee [the manual](files/manual.pdf).\n",
        )
        .page("c.md", "---\ntitle: C\n---\n\n  ![big](huge.png)\n");
    for command in [&["validate"][..], &["apply"]] {
        let run = project.run(command);
        run.code(1);
        for expected in [
            "content/a.md:6:9: error: missing file `img/missing.png`",
            "content/b.md:4:18: error: cannot upload `files/manual.pdf`",
            "[files].documents is not set",
            "content/c.md:5:10: error: file `huge.png` is 40.0 MB, over the [files].max_size_mb limit of 32.0 MB",
        ] {
            assert!(run.stderr.contains(expected), "{expected}\n{}", run.stderr);
        }
    }
    assert_eq!(sandbox.stats().total(), 0, "nothing was sent");
}

#[test]
fn a_field_the_site_lacks_fails_naming_the_page_and_the_file() {
    let sandbox = SandboxProc::start();
    let project = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\nnamespace = \"{NAMESPACE}\"\n\n[auth]\nprovider = \"miniorange\"\nusername = \"ci\"\n\n[files]\nimages = \"node/page/field_image\"\n",
        sandbox.url
    ));
    write(&project, "img/diagram.png", &diagram());
    project
        .page(
            "guide.md",
            "---\ntitle: Guide\n---\n![D](img/diagram.png)\n",
        )
        .page("plain.md", "---\ntitle: Plain\n---\nNo images.\n");
    let run = project.run(&["apply"]);
    run.code(1);
    assert!(
        run.stdout.contains(
            "failed    content/img/diagram.png (embedded by content/guide.md): POST /jsonapi/node/page/field_image: HTTP 405"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("has no file field `field_image` — set [files].images"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "content/guide.md: not written: the file `img/diagram.png` it embeds was not uploaded"
        ),
        "{}",
        run.stdout
    );
    // The page without files was written; the other was not.
    let titles: Vec<String> = sandbox
        .nodes()
        .iter()
        .map(|n| n["attributes"]["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(titles, ["Plain"]);
}

#[test]
fn an_editor_account_uploads_and_an_anonymous_one_is_refused() {
    let sandbox = SandboxProc::start();
    let png = diagram();
    let upload = |auth: Option<(String, String)>| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async {
                let mut request = reqwest::Client::new()
                    .post(format!("{}/jsonapi/node/article/field_image", sandbox.url))
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Disposition", "file; filename=\"editor.png\"")
                    .body(png.clone());
                if let Some((name, value)) = auth {
                    request = request.header(name, value);
                }
                let response = request.send().await.unwrap();
                (response.status().as_u16(), response.text().await.unwrap())
            })
    };
    let (status, body) = upload(Some(basic("editor", "editor-password")));
    assert_eq!(status, 201, "{body}");
    let (status, body) = upload(Some(("Authorization".into(), "Bearer not.a.jwt".into())));
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("not permitted to upload a file for this field"));
}

#[test]
fn without_json_api_core_rest_finds_files_in_the_pages_bodies() {
    use drupal_sync::sandbox::{files::FileField, Role, Sandbox, SandboxOptions, User};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime
        .block_on(Sandbox::start(
            "127.0.0.1:0".parse().unwrap(),
            SandboxOptions {
                users: vec![User {
                    name: "ci".into(),
                    password: "ci-password".into(),
                    role: Role::Admin,
                }],
                file_fields: vec![FileField::parse("node/page/field_files:pdf").unwrap()],
                jsonapi: false,
                ..SandboxOptions::default()
            },
        ))
        .unwrap();
    let project = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\napi = \"rest\"\nnamespace = \"{NAMESPACE}\"\n\n[auth]\nprovider = \"miniorange\"\nusername = \"ci\"\n\n[files]\ndocuments = \"node/page/field_files\"\n",
        sandbox.url
    ));
    write(&project, "img/diagram.png", &diagram());
    write(&project, "files/manual.pdf", PDF);
    project.page(
        "guide.md",
        "---\ntitle: Guide\n---\n![Diagram](img/diagram.png) [manual](files/manual.pdf)\n",
    );
    let run = project.run(&["apply"]);
    run.code(0);
    assert!(
        run.stderr.contains("the site has no file lookup"),
        "{}",
        run.stderr
    );
    let stats = sandbox.stats();
    assert_eq!(
        stats.by_route["POST /file/upload/node/article/field_image"],
        1
    );
    assert_eq!(stats.by_route["POST /file/upload/node/page/field_files"], 1);

    // The files the page embeds are found again there: nothing is uploaded or written.
    sandbox.reset_stats();
    let run = project.run(&["apply"]);
    run.code(0);
    assert!(run.stdout.contains("No changes."), "{}", run.stdout);
    let stats = sandbox.stats();
    let writes: u64 = stats
        .by_route
        .iter()
        .filter(|(route, _)| route.starts_with("POST /file") || route.starts_with("PATCH"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(writes, 0, "{stats:?}");
    runtime.block_on(sandbox.shutdown());
}

#[test]
fn an_extension_the_field_refuses_fails_with_the_fields_answer() {
    let sandbox = sandbox();
    let project = Project::with_config(&format!(
        "[site]\nurl = \"{}\"\nnamespace = \"{NAMESPACE}\"\n\n[auth]\nprovider = \"miniorange\"\nusername = \"ci\"\n\n[files]\ndocuments = \"node/page/field_files\"\n",
        sandbox.url
    ));
    write(&project, "notes.txt", b"plain text");
    project.page("a.md", "---\ntitle: A\n---\n[notes](notes.txt)\n");
    let run = project.run(&["apply"]);
    run.code(1);
    for expected in [
        "failed    content/notes.txt (embedded by content/a.md): POST /jsonapi/node/page/field_files: HTTP 422",
        "Only files with the following extensions are allowed: pdf.",
        "the field `node/page/field_files` does not take `.txt` files",
        "content/a.md: not written",
    ] {
        assert!(run.stdout.contains(expected), "{expected}\n{}", run.stdout);
    }
    assert!(
        run.stderr.contains("1 of 1 upload failed"),
        "{}",
        run.stderr
    );
    assert!(sandbox.nodes().is_empty());
}
