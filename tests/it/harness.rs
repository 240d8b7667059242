//! The test harness: a sandbox process on 127.0.0.1, temporary projects, and runs of the
//! real `drupal-sync` executable against them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// The executable under test.
pub(crate) fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_drupal-sync")
}

/// A `drupal-sync sandbox` process, killed when dropped.
pub(crate) struct SandboxProc {
    child: Child,
    pub url: String,
}

impl SandboxProc {
    /// Start a sandbox with users `ci:ci-password` (admin) and `editor:editor-password`.
    pub(crate) fn start() -> SandboxProc {
        SandboxProc::with_args(&[])
    }

    /// Start a sandbox with extra arguments (`--latency-ms 10`, `--token-ttl 2`, ...).
    pub(crate) fn with_args(extra: &[&str]) -> SandboxProc {
        let mut child = Command::new(bin())
            .args(["sandbox", "--listen", "127.0.0.1:0"])
            .args([
                "--user",
                "ci:ci-password",
                "--user",
                "editor:editor-password:editor",
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the sandbox");
        let stdout = child.stdout.take().expect("sandbox stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("sandbox banner");
        let url = line
            .trim()
            .rsplit(' ')
            .next()
            .filter(|u| u.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("unexpected sandbox banner {line:?}"))
            .to_owned();
        SandboxProc { child, url }
    }

    /// `GET /_sandbox/stats`.
    pub(crate) fn stats(&self) -> Stats {
        let (status, body) = http("GET", &format!("{}/_sandbox/stats", self.url), &[], None);
        assert_eq!(status, 200, "stats: {body}");
        Stats(serde_json::from_str(&body).expect("stats JSON"))
    }

    /// Every page node on the site (as admin), following `links.next`; each read is retried
    /// while the sandbox injects faults.
    pub(crate) fn nodes(&self) -> Vec<Value> {
        let mut url = format!("{}/jsonapi/node/page?page[limit]=50", self.url);
        let mut nodes = Vec::new();
        loop {
            let mut attempts = 0;
            let (status, body) = loop {
                attempts += 1;
                let (status, body) = http("GET", &url, &[basic("ci", "ci-password")], None);
                if status == 200 || attempts == 50 {
                    break (status, body);
                }
            };
            assert_eq!(status, 200, "{body}");
            let doc: Value = serde_json::from_str(&body).unwrap();
            nodes.extend(doc["data"].as_array().unwrap().iter().cloned());
            match doc.pointer("/links/next/href").and_then(Value::as_str) {
                Some(next) => url = next.to_owned(),
                None => return nodes,
            }
        }
    }

    /// The aliases of node `nid`, from the `path_alias` collection.
    pub(crate) fn aliases_of(&self, nid: u64) -> Vec<String> {
        let url = format!(
            "{}/jsonapi/path_alias/path_alias?filter[path]=/node/{nid}",
            self.url
        );
        let (status, body) = http("GET", &url, &[basic("ci", "ci-password")], None);
        assert_eq!(status, 200, "{body}");
        let doc: Value = serde_json::from_str(&body).unwrap();
        doc["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["attributes"]["alias"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Edit node `uuid` through JSON:API as the `editor` account, as a person would in Drupal.
    pub(crate) fn edit_as_editor(&self, uuid: &str, attributes: Value) {
        let api = "application/vnd.api+json";
        let mut body = serde_json::json!({ "data": { "type": "node--page", "id": uuid } });
        body["data"]["attributes"] = attributes;
        let (status, answer) = http(
            "PATCH",
            &format!("{}/jsonapi/node/page/{uuid}", self.url),
            &[
                basic("editor", "editor-password"),
                ("Accept".into(), api.into()),
            ],
            Some((api, body.to_string())),
        );
        assert_eq!(status, 200, "{answer}");
    }

    /// Kill the process abruptly.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SandboxProc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Counters from `/_sandbox/stats`.
#[derive(Debug, Clone)]
pub(crate) struct Stats(pub Value);

impl Stats {
    /// Requests to `route` (`"POST /rest_api/id_token"`).
    pub(crate) fn route(&self, route: &str) -> u64 {
        self.0["by_route"][route].as_u64().unwrap_or(0)
    }

    /// All requests.
    pub(crate) fn total(&self) -> u64 {
        self.0["total"].as_u64().unwrap_or(0)
    }

    /// Requests with a write method.
    pub(crate) fn writes(&self) -> u64 {
        self.0["by_route"]
            .as_object()
            .map(|routes| {
                routes
                    .iter()
                    .filter(|(route, _)| {
                        ["POST ", "PATCH ", "DELETE ", "PUT "]
                            .iter()
                            .any(|m| route.starts_with(m))
                            && !route.ends_with("token")
                    })
                    .map(|(_, n)| n.as_u64().unwrap_or(0))
                    .sum()
            })
            .unwrap_or(0)
    }

    /// The difference from an earlier snapshot.
    pub(crate) fn since(&self, earlier: &Stats) -> Stats {
        let mut by_route = serde_json::Map::new();
        if let Some(routes) = self.0["by_route"].as_object() {
            for (route, n) in routes {
                let diff = n.as_u64().unwrap_or(0) - earlier.route(route);
                if diff > 0 {
                    by_route.insert(route.clone(), diff.into());
                }
            }
        }
        Stats(serde_json::json!({ "total": self.total() - earlier.total(), "by_route": by_route }))
    }
}

/// An `Authorization: Basic` header.
pub(crate) fn basic(user: &str, pass: &str) -> (String, String) {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
    ("Authorization".into(), format!("Basic {encoded}"))
}

/// A blocking HTTP request for test set-up and inspection: (status, body).
pub(crate) fn http(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Option<(&str, String)>,
) -> (u16, String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut request = client
            .request(method.parse().unwrap(), url)
            .timeout(Duration::from_secs(30));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if let Some((content_type, body)) = body {
            request = request.header("Content-Type", content_type).body(body);
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                match response.text().await {
                    Ok(text) => (status, text),
                    Err(e) => (0, e.to_string()),
                }
            }
            Err(e) => (0, e.to_string()),
        }
    })
}

/// A temporary project: `drupal-sync.toml` and `content/`.
pub(crate) struct Project {
    pub dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

/// A finished run of the executable.
#[derive(Debug)]
pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Assert the exit code, showing the output when it differs.
    #[track_caller]
    pub(crate) fn code(&self, want: i32) -> &Run {
        assert_eq!(
            self.code, want,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

pub(crate) const NAMESPACE: &str = "it-docs";

impl Project {
    /// A project whose config points at `url` with `api`, provider `miniorange`, user `ci`.
    pub(crate) fn new(url: &str) -> Project {
        Project::with_config(&format!(
            "[site]\nurl = \"{url}\"\nnamespace = \"{NAMESPACE}\"\n\n[auth]\nprovider = \"miniorange\"\nusername = \"ci\"\n"
        ))
    }

    /// A project with this exact config file.
    pub(crate) fn with_config(config: &str) -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("drupal-sync.toml"), config).unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        Project {
            dir,
            env: vec![("DRUPAL_SYNC_PASSWORD".into(), "ci-password".into())],
        }
    }

    /// The project's directory.
    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write a file under `content/`.
    pub(crate) fn page(&self, rel: &str, text: &str) -> &Project {
        let path = self.path().join("content").join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// Remove a file under `content/`.
    pub(crate) fn remove(&self, rel: &str) -> &Project {
        std::fs::remove_file(self.path().join("content").join(rel)).unwrap();
        self
    }

    /// Set an environment variable for every run.
    pub(crate) fn env(&mut self, name: &str, value: &str) -> &mut Project {
        self.env.retain(|(n, _)| n != name);
        self.env.push((name.into(), value.into()));
        self
    }

    /// A command for the executable in this project, with a clean environment.
    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(bin());
        command.args(args).current_dir(self.path());
        for name in [
            "GITHUB_ACTIONS",
            "GITHUB_STEP_SUMMARY",
            "NO_COLOR",
            "DRUPAL_SYNC_URL",
            "DRUPAL_SYNC_USERNAME",
            "DRUPAL_SYNC_PASSWORD",
            "DRUPAL_SYNC_TOKEN",
            "DRUPAL_SYNC_CLIENT_SECRET",
            "RUST_LOG",
        ] {
            command.env_remove(name);
        }
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command
    }

    /// Run the executable in this project.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        let output = self
            .command(args)
            .stdin(Stdio::null())
            .output()
            .expect("run drupal-sync");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// `n` simple Markdown pages `p000.md`… in `project`.
pub(crate) fn pages(project: &Project, n: usize) {
    for i in 0..n {
        project.page(
            &format!("p{i:03}.md"),
            &format!("---\ntitle: Page {i}\n---\nBody of page {i}.\n"),
        );
    }
}

/// The repository's own directory.
pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
