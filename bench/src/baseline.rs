//! The baseline: the obvious script a site owner writes from the miniOrange guide, ported
//! faithfully so both tools are timed on the same machine against the same sandbox.
//!
//! It asks for one token (`POST /rest_api/id_token` with Basic credentials), then handles one
//! page at a time, sequentially, like a loop of `curl` calls: a new connection per request,
//! JSON:API `POST /jsonapi/node/page` to create, `GET /jsonapi/node/page/{uuid}` to find out
//! whether a page differs, `PATCH` when it does. It renders Markdown with pulldown-cmark the
//! simple way and, like drupal-sync, uses client-side UUIDs so it can find its pages again
//! (`derive_uuid("bench-baseline", key)`). What it does not do is the point of the
//! comparison: batch reads, concurrency, connection reuse.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use base64::Engine as _;
use pulldown_cmark::{html, Options, Parser};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::corpus::{PASSWORD, USERNAME};

const MEDIA: &str = "application/vnd.api+json";
/// The namespace the baseline derives its UUIDs from.
const NAMESPACE: &str = "bench-baseline";

/// One page as the script reads it from disk.
#[derive(Debug, Clone)]
pub(crate) struct SourcePage {
    uuid: Uuid,
    title: String,
    alias: String,
    summary: String,
    html: String,
}

/// What a sync pass found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Read the content directory, create every page: the "first publish" script.
pub(crate) async fn create_all(base: &str, content: &Path) -> anyhow::Result<Outcome> {
    let pages = read_pages(content)?;
    let script = Script::login(base).await?;
    for page in &pages {
        script.create(page).await?;
    }
    Ok(Outcome {
        created: pages.len(),
        ..Outcome::default()
    })
}

/// Read the content directory, GET every page, create the missing and PATCH the changed:
/// the "publish again" script (it has no other way to know what changed).
pub(crate) async fn sync_all(base: &str, content: &Path) -> anyhow::Result<Outcome> {
    let pages = read_pages(content)?;
    let script = Script::login(base).await?;
    let mut outcome = Outcome::default();
    for page in &pages {
        match script.get(page.uuid).await? {
            None => {
                script.create(page).await?;
                outcome.created += 1;
            }
            Some(remote) if differs(page, &remote) => {
                script.update(page).await?;
                outcome.updated += 1;
            }
            Some(_) => outcome.unchanged += 1,
        }
    }
    Ok(outcome)
}

/// A signed-in script.
struct Script {
    http: reqwest::Client,
    base: String,
    bearer: String,
}

impl Script {
    /// `POST /rest_api/id_token` with Basic credentials, as the miniOrange guide shows.
    async fn login(base: &str) -> anyhow::Result<Script> {
        // No idle connection is kept: every request opens its own, as a loop of curl calls does.
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(60))
            .build()
            .context("cannot build the HTTP client")?;
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{USERNAME}:{PASSWORD}"));
        let response = http
            .post(format!("{base}/rest_api/id_token"))
            .header("Authorization", format!("Basic {basic}"))
            .header("Accept", "application/json")
            .send()
            .await
            .context("token request failed")?;
        let body: Value = answer(response, "POST /rest_api/id_token").await?;
        let token = ["jwt_token", "access_token", "id_token", "token"]
            .iter()
            .find_map(|name| body.get(name).and_then(Value::as_str))
            .with_context(|| format!("no token in the id_token answer: {body}"))?;
        Ok(Script {
            http,
            base: base.to_owned(),
            bearer: format!("Bearer {token}"),
        })
    }

    async fn create(&self, page: &SourcePage) -> anyhow::Result<()> {
        let document = json!({ "data": {
            "type": "node--page",
            "id": page.uuid,
            "attributes": attributes(page),
        }});
        self.write(
            reqwest::Method::POST,
            "/jsonapi/node/page".into(),
            &document,
        )
        .await
    }

    async fn update(&self, page: &SourcePage) -> anyhow::Result<()> {
        let document = json!({ "data": {
            "type": "node--page",
            "id": page.uuid,
            "attributes": {
                "title": page.title,
                "body": { "value": page.html, "format": "basic_html", "summary": page.summary },
            },
        }});
        let path = format!("/jsonapi/node/page/{}", page.uuid);
        self.write(reqwest::Method::PATCH, path, &document).await
    }

    /// The node, or `None` when the site has no node with this UUID.
    async fn get(&self, uuid: Uuid) -> anyhow::Result<Option<Value>> {
        let path = format!("/jsonapi/node/page/{uuid}");
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("Authorization", &self.bearer)
            .header("Accept", MEDIA)
            .send()
            .await
            .with_context(|| format!("GET {path} failed"))?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        answer(response, &format!("GET {path}")).await.map(Some)
    }

    async fn write(
        &self,
        method: reqwest::Method,
        path: String,
        document: &Value,
    ) -> anyhow::Result<()> {
        let what = format!("{method} {path}");
        let response = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", &self.bearer)
            .header("Accept", MEDIA)
            .header("Content-Type", MEDIA)
            .body(serde_json::to_vec(document)?)
            .send()
            .await
            .with_context(|| format!("{what} failed"))?;
        answer(response, &what).await.map(drop)
    }
}

fn attributes(page: &SourcePage) -> Value {
    json!({
        "title": page.title,
        "path": { "alias": page.alias },
        "body": { "value": page.html, "format": "basic_html", "summary": page.summary },
    })
}

/// Whether the node's title or body differs from the page.
fn differs(page: &SourcePage, node: &Value) -> bool {
    let attribute = |pointer: &str| node.pointer(pointer).and_then(Value::as_str);
    attribute("/data/attributes/title") != Some(page.title.as_str())
        || attribute("/data/attributes/body/value") != Some(page.html.as_str())
        || attribute("/data/attributes/body/summary").unwrap_or("") != page.summary
}

/// A successful answer's JSON body, or an error naming the request and the status.
async fn answer(response: reqwest::Response, what: &str) -> anyhow::Result<Value> {
    let status = response.status();
    let text = response
        .text()
        .await
        .with_context(|| format!("{what}: cannot read the answer"))?;
    if !status.is_success() {
        let excerpt: String = text.chars().take(300).collect();
        bail!("{what} answered {status}: {excerpt}");
    }
    serde_json::from_str(&text).with_context(|| format!("{what}: the answer is not JSON"))
}

/// Every `.md` file under `content`, in path order, parsed and rendered.
pub(crate) fn read_pages(content: &Path) -> anyhow::Result<Vec<SourcePage>> {
    let mut files = Vec::new();
    collect_markdown(content, &mut files)?;
    files.sort();
    files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read `{}`", path.display()))?;
            let key = path
                .strip_prefix(content)?
                .with_extension("")
                .to_string_lossy()
                .replace('\\', "/");
            Ok(source_page(&key, &text))
        })
        .collect()
}

fn collect_markdown(dir: &Path, files: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?
    {
        let path = entry?.path();
        if path.is_dir() {
            collect_markdown(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    Ok(())
}

/// Split `key: value` front matter from the body and render the body to HTML.
fn source_page(key: &str, text: &str) -> SourcePage {
    let (front, body) = text
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .unwrap_or(("", text));
    let field = |name: &str| {
        front.lines().find_map(|line| {
            line.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(':'))
                .map(|value| value.trim().trim_matches('"').to_owned())
        })
    };
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut rendered = String::with_capacity(body.len() * 5 / 4);
    html::push_html(&mut rendered, Parser::new_ext(body, options));
    SourcePage {
        uuid: drupal_sync::page::derive_uuid(NAMESPACE, key),
        title: field("title").unwrap_or_else(|| key.to_owned()),
        alias: field("path").unwrap_or_else(|| format!("/{}", key.to_lowercase())),
        summary: field("summary").unwrap_or_default(),
        html: rendered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_front_matter_and_renders_the_body() {
        let page = source_page(
            "section-1/page-0001",
            "---\ntitle: Page one\npath: /guides/one\n---\n\n# Hi\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        assert_eq!(page.title, "Page one");
        assert_eq!(page.alias, "/guides/one");
        assert_eq!(page.summary, "");
        assert!(page.html.contains("<h1>Hi</h1>"));
        assert!(page.html.contains("<table>"));
        assert_eq!(
            page.uuid,
            drupal_sync::page::derive_uuid("bench-baseline", "section-1/page-0001")
        );
    }

    #[test]
    fn without_path_the_alias_is_the_key() {
        let page = source_page("section-2/page-0002", "---\ntitle: Two\n---\nText\n");
        assert_eq!(page.alias, "/section-2/page-0002");
    }
}
