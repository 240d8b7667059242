//! The generated content the benchmark publishes: N realistic Markdown pages of 1–20 KB,
//! spread over ten folders, with YAML front matter, headings, paragraphs, lists, a table and
//! links to other generated pages, plus the project's `drupal-sync.toml`.
//!
//! Generation is deterministic: page `i` is drawn from a pseudo-random stream seeded with
//! `i`, so the same page has the same size and text in every corpus and on every machine.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// The namespace of the pages drupal-sync publishes.
pub(crate) const NAMESPACE: &str = "bench";
/// The user the benchmark signs in as.
pub(crate) const USERNAME: &str = "bench";
/// Its password (given to drupal-sync through `DRUPAL_SYNC_PASSWORD`).
pub(crate) const PASSWORD: &str = "bench-password";
/// How many folders the pages are spread over.
pub(crate) const SECTIONS: usize = 10;
/// Every this-many-th page is edited for the "10% changed" scenario.
pub(crate) const CHANGE_EVERY: usize = 10;

const SEED: u64 = 0x0d5e_ed5e_ed00_2026;
const MIN_BYTES: u64 = 1024;
const MAX_BYTES: u64 = 20 * 1024;

/// Which revision of the content to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Revision {
    /// The pages as first published.
    Original,
    /// Every [`CHANGE_EVERY`]-th page's body gains a paragraph.
    TenPercentChanged,
}

/// A generated project directory: `drupal-sync.toml` and `content/`.
#[derive(Debug, Clone)]
pub(crate) struct Project {
    pub dir: PathBuf,
    pub pages: usize,
    /// Bytes of Markdown written under `content/`.
    pub bytes: u64,
}

impl Project {
    /// The content directory.
    pub(crate) fn content(&self) -> PathBuf {
        self.dir.join("content")
    }
}

/// The key of page `i` (its path under `content/` without extension).
pub(crate) fn key(i: usize) -> String {
    format!("section-{}/page-{i:04}", i % SECTIONS)
}

/// How many pages of `pages` the [`Revision::TenPercentChanged`] revision edits.
pub(crate) fn changed_count(pages: usize) -> usize {
    pages.div_ceil(CHANGE_EVERY)
}

/// Write a project of `pages` pages at `dir` (which must not exist yet).
pub(crate) fn generate(
    dir: &Path,
    pages: usize,
    revision: Revision,
    parallelism: usize,
) -> anyhow::Result<Project> {
    let content = dir.join("content");
    for section in 0..SECTIONS.min(pages.max(1)) {
        let folder = content.join(format!("section-{section}"));
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("cannot create `{}`", folder.display()))?;
    }
    std::fs::write(dir.join("drupal-sync.toml"), config(parallelism))
        .with_context(|| format!("cannot write the config in `{}`", dir.display()))?;
    let mut bytes = 0;
    for i in 0..pages {
        let text = page(i, pages, revision);
        bytes += text.len() as u64;
        let path = content.join(format!("{}.md", key(i)));
        std::fs::write(&path, text)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    Ok(Project {
        dir: dir.to_path_buf(),
        pages,
        bytes,
    })
}

/// The project's `drupal-sync.toml`; the URL is overridden per run with `DRUPAL_SYNC_URL`.
fn config(parallelism: usize) -> String {
    format!(
        r#"# Written by the drupal-sync benchmark. DRUPAL_SYNC_URL points each run at its own sandbox.
[site]
url = "http://127.0.0.1:8888"
namespace = "{NAMESPACE}"

[auth]
provider = "miniorange"
username = "{USERNAME}"

[sync]
parallelism = {parallelism}
"#
    )
}

/// The Markdown file of page `i` in a corpus of `total` pages.
pub(crate) fn page(i: usize, total: usize, revision: Revision) -> String {
    let mut rng = Rng::new(SEED ^ (i as u64).wrapping_mul(0x9e37_79b9));
    let target = MIN_BYTES + rng.below(MAX_BYTES - MIN_BYTES + 1);
    let section = i % SECTIONS;
    let mut out = String::with_capacity(target as usize + 512);

    out.push_str("---\n");
    let _ = writeln!(out, "title: Page {i:04} on {}", rng.words(3));
    if i % 3 == 0 {
        let _ = writeln!(out, "path: /guides/section-{section}/topic-{i:04}");
    }
    if i % 4 == 0 {
        let _ = writeln!(out, "summary: {}", sentence(&mut rng, 12));
    }
    if i % 5 == 0 {
        let _ = writeln!(out, "tags: [bench, section-{section}]");
    }
    out.push_str("---\n\n");
    let _ = writeln!(out, "{}\n", paragraph(&mut rng, total, 4));

    let _ = writeln!(out, "## {}\n", capitalized(&rng.words(4)));
    let _ = writeln!(out, "{}\n", paragraph(&mut rng, total, 5));
    table(&mut out, &mut rng);

    let mut block = 0;
    while (out.len() as u64) < target {
        match block % 3 {
            0 => list(&mut out, &mut rng, total),
            1 => {
                let _ = writeln!(out, "### {}\n", capitalized(&rng.words(3)));
                let _ = writeln!(out, "{}\n", paragraph(&mut rng, total, 3));
            }
            _ => {
                let _ = writeln!(out, "## {}\n", capitalized(&rng.words(4)));
                let _ = writeln!(out, "{}\n", paragraph(&mut rng, total, 5));
            }
        }
        block += 1;
    }
    if revision == Revision::TenPercentChanged && i % CHANGE_EVERY == 0 {
        out.push_str("Revised: this paragraph was added after the first publication.\n");
    }
    out
}

fn paragraph(rng: &mut Rng, total: usize, sentences: usize) -> String {
    let mut text = Vec::with_capacity(sentences);
    for n in 0..sentences {
        let words = 8 + rng.below(12) as usize;
        let mut s = sentence(rng, words);
        if n == 1 && total > 1 {
            s.push_str(&format!(" See [{}]({}).", rng.words(2), link(rng, total)));
        } else if n == 2 {
            s.push_str(&format!(" Use `{}` with **{}**.", rng.word(), rng.word()));
        }
        text.push(s);
    }
    text.join(" ")
}

fn list(out: &mut String, rng: &mut Rng, total: usize) {
    for n in 0..3 + rng.below(4) {
        if n == 0 && total > 1 {
            let _ = writeln!(
                out,
                "- [{}]({})",
                capitalized(&rng.words(2)),
                link(rng, total)
            );
        } else {
            let _ = writeln!(out, "- {}", sentence(rng, 6));
        }
    }
    out.push('\n');
}

fn table(out: &mut String, rng: &mut Rng) {
    out.push_str("| Setting | Default | Notes |\n|---|---:|---|\n");
    for _ in 0..4 + rng.below(4) {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            rng.word(),
            rng.below(1000),
            sentence(rng, 5)
        );
    }
    out.push('\n');
}

/// A relative link from a page's folder to another generated page.
fn link(rng: &mut Rng, total: usize) -> String {
    format!("../{}.md", key(rng.below(total as u64) as usize))
}

fn sentence(rng: &mut Rng, words: usize) -> String {
    format!("{}.", capitalized(&rng.words(words)))
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

const WORDS: &[&str] = &[
    "content", "page", "site", "editor", "publish", "release", "review", "draft", "module",
    "theme", "node", "revision", "alias", "menu", "block", "field", "format", "summary", "token",
    "request", "cache", "search", "index", "deploy", "server", "client", "version", "update",
    "language", "media", "image", "link", "table", "section", "guide", "team", "policy", "service",
    "account", "workflow", "schedule", "archive", "report", "support", "contact", "travel",
    "course", "student", "library", "research", "budget", "meeting", "project", "planning",
    "network", "storage", "backup", "security", "access", "privacy", "license", "history",
    "overview", "example", "detail", "option", "setting", "default", "change", "simple", "quick",
    "careful", "public", "internal", "annual", "weekly", "local", "global",
];

/// SplitMix64: tiny, deterministic across platforms and crate versions.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn word(&mut self) -> &'static str {
        WORDS[self.below(WORDS.len() as u64) as usize]
    }

    fn words(&mut self, n: usize) -> String {
        (0..n).map(|_| self.word()).collect::<Vec<_>>().join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_deterministic_and_within_size() {
        for i in [0, 1, 7, 42, 999] {
            let a = page(i, 1000, Revision::Original);
            assert_eq!(a, page(i, 1000, Revision::Original));
            assert!(a.len() as u64 >= MIN_BYTES, "page {i}: {} bytes", a.len());
            assert!(
                a.len() as u64 <= MAX_BYTES + 2048,
                "page {i}: {} bytes",
                a.len()
            );
            assert!(a.contains("| Setting |"), "page {i} has a table");
        }
    }

    #[test]
    fn only_every_tenth_page_changes() {
        for i in 0..30 {
            let changed =
                page(i, 100, Revision::Original) != page(i, 100, Revision::TenPercentChanged);
            assert_eq!(changed, i % CHANGE_EVERY == 0, "page {i}");
        }
        assert_eq!(changed_count(1000), 100);
        assert_eq!(changed_count(15), 2);
    }
}
