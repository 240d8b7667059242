//! The images scenario: P pages embedding I images (page `i` shows image `i % I`).
//! drupal-sync publishes them (uploading each image once), then makes a no-change plan, which
//! must upload nothing and look the images up in ⌈I/50⌉ requests. The naive way — what a
//! script without a lookup does — uploads every image on every run: Drupal never replaces a
//! file, so each run adds I more files (`name_0.png`, `name_1.png`, …) and every page would
//! have to be rewritten to point at them (not counted here, which favours the naive way).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use base64::Engine as _;
use serde_json::Value;

use crate::corpus::{Project, NAMESPACE, PASSWORD, USERNAME};
use crate::sandbox::Stats;

/// What the scenario measured.
#[derive(Debug, Default)]
pub(crate) struct Images {
    pub pages: usize,
    pub images: usize,
    pub image_bytes: u64,
    /// drupal-sync's first apply: uploads and creates.
    pub first_apply: (Duration, Stats),
    /// drupal-sync's no-change plan after it.
    pub plan: (Duration, Stats),
    /// One naive run: upload every image again.
    pub naive: (Duration, Stats),
    /// Files on the site after drupal-sync's apply and plan, and after one naive run more.
    pub files_after: (usize, usize),
}

/// A PNG of `size` bytes, different for every `i` (a valid header; the rest is payload).
fn image(i: usize, size: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0".to_vec();
    let mut state = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    while bytes.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(size);
    bytes
}

/// Write the project: `content/img/figure-NNN.png` and `content/pages/page-NNNN.md`.
pub(crate) fn generate(
    dir: &Path,
    pages: usize,
    images: usize,
    parallelism: usize,
) -> anyhow::Result<(Project, u64)> {
    let content = dir.join("content");
    for folder in ["img", "pages"] {
        std::fs::create_dir_all(content.join(folder))
            .with_context(|| format!("cannot create `{}`", content.join(folder).display()))?;
    }
    std::fs::write(
        dir.join("drupal-sync.toml"),
        format!(
            "[site]\nurl = \"http://127.0.0.1:8888\"\nnamespace = \"{NAMESPACE}\"\n\n[auth]\nprovider = \"miniorange\"\nusername = \"{USERNAME}\"\n\n[sync]\nparallelism = {parallelism}\n"
        ),
    )?;
    let mut image_bytes = 0;
    for i in 0..images {
        let bytes = image(i, 2048 + (i * 37) % 4096);
        image_bytes += bytes.len() as u64;
        std::fs::write(content.join(format!("img/figure-{i:03}.png")), bytes)?;
    }
    let mut bytes = 0;
    for i in 0..pages {
        let text = format!(
            "---\ntitle: Illustrated page {i:04}\n---\nSome text about figure {j}.\n\n![Figure {j}](../img/figure-{j:03}.png)\n\nMore text.\n",
            j = i % images.max(1)
        );
        bytes += text.len() as u64;
        std::fs::write(content.join(format!("pages/page-{i:04}.md")), text)?;
    }
    Ok((
        Project {
            dir: dir.to_path_buf(),
            pages,
            bytes,
        },
        image_bytes,
    ))
}

/// The naive run: one token, then every image uploaded, sequentially, a connection each.
pub(crate) async fn naive_run(base: &str, content: &Path) -> anyhow::Result<usize> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{USERNAME}:{PASSWORD}"));
    let token: Value = reqwest::Client::new()
        .post(format!("{base}/rest_api/id_token"))
        .header("Authorization", format!("Basic {basic}"))
        .header("Accept", "application/json")
        .send()
        .await?
        .json()
        .await?;
    let token = token["jwt_token"]
        .as_str()
        .context("no jwt_token in the id_token answer")?
        .to_owned();
    let mut files: Vec<PathBuf> = std::fs::read_dir(content.join("img"))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.sort();
    for path in &files {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let response = reqwest::Client::new()
            .post(format!("{base}/jsonapi/node/article/field_image"))
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "application/octet-stream")
            .header("Accept", "application/vnd.api+json")
            .header("Content-Disposition", format!("file; filename=\"{name}\""))
            .body(std::fs::read(path)?)
            .send()
            .await?;
        if response.status().as_u16() != 201 {
            bail!("upload of {name}: HTTP {}", response.status());
        }
    }
    Ok(files.len())
}

/// How many files the site holds (anonymous listing, following `next`).
pub(crate) async fn count_files(base: &str) -> anyhow::Result<usize> {
    let mut url = format!("{base}/jsonapi/file/file?fields[file--file]=filename");
    let mut count = 0;
    loop {
        let page: Value = reqwest::get(&url).await?.json().await?;
        count += page["data"].as_array().map_or(0, Vec::len);
        match page.pointer("/links/next/href").and_then(Value::as_str) {
            Some(next) => url = next.to_owned(),
            None => return Ok(count),
        }
    }
}

/// The Markdown section of the report.
pub(crate) fn render(images: &Images, latency_ms: u64) -> String {
    let mut out = String::new();
    let lookups = images.images.div_ceil(50);
    let _ = writeln!(
        out,
        "\n## Images: {} pages embedding {} images ({} KiB), {latency_ms} ms latency\n",
        images.pages,
        images.images,
        images.image_bytes / 1024
    );
    out.push_str("| run | time | requests | uploads | file lookups | page writes |\n|---|---:|---:|---:|---:|---:|\n");
    let row = |out: &mut String, name: &str, (elapsed, stats): &(Duration, Stats)| {
        let uploads = stats.route("POST /jsonapi/node/article/field_image");
        let writes =
            stats.route("POST /jsonapi/node/page") + stats.route("PATCH /jsonapi/node/page/{id}");
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {uploads} | {} | {writes} |",
            crate::report::seconds(*elapsed),
            stats.total,
            stats.route("GET /jsonapi/file/file"),
        );
    };
    row(&mut out, "drupal-sync: first apply", &images.first_apply);
    row(&mut out, "drupal-sync: no-change plan", &images.plan);
    row(&mut out, "naive: upload every image again", &images.naive);
    let plan_uploads = images
        .plan
        .1
        .route("POST /jsonapi/node/article/field_image");
    let plan_lookups = images.plan.1.route("GET /jsonapi/file/file");
    let _ = writeln!(
        out,
        "\nFiles on the site: {} after drupal-sync's apply and plan, {} after one naive run more. \
         No-change plan: {plan_uploads} uploads (target 0: {}), {plan_lookups} lookup requests (target ⌈{}/50⌉ = {lookups}: {}).",
        images.files_after.0,
        images.files_after.1,
        if plan_uploads == 0 { "PASS" } else { "MISS" },
        images.images,
        if plan_lookups as usize == lookups { "PASS" } else { "MISS" },
    );
    out
}
