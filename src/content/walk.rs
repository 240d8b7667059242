//! The only filesystem walk: the content dir → decoded page files, in a stable order.
//!
//! Owns which files are pages (`.md`, `.markdown`, `.yaml`, `.yml`; hidden and excluded
//! paths skipped), the symlink rules (followed only while they stay inside the content dir;
//! loops are errors, never hangs) and the size limit. Parsing is the rest of the module's job.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use walkdir::WalkDir;

use super::flavor::GeneratorOptions;
use super::text::{self, Pos};
use super::{ContentOptions, Diagnostic, Problem};

/// The largest page file read; checked before reading, so a huge file costs nothing.
pub(super) const MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// How a page file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Markdown,
    Yaml,
}

impl Kind {
    /// The kind of a page file by its name's extension (any case); `None` for other files.
    pub(super) fn of(name: &str) -> Option<Kind> {
        let (_, ext) = name.rsplit_once('.')?;
        match ext.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Some(Kind::Markdown),
            "yaml" | "yml" => Some(Kind::Yaml),
            _ => None,
        }
    }
}

/// A page file, read and decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SourceFile {
    /// Path under the content dir, `/`-separated (`team/index.md`).
    pub rel: String,
    /// Path as shown to the user (`content/team/index.md`).
    pub display: String,
    pub kind: Kind,
    /// Decoded text with `\n` line endings.
    pub text: String,
}

/// What the walk found.
#[derive(Debug, Default)]
pub(super) struct Walk {
    pub files: Vec<SourceFile>,
    /// Page files that exist but could not be read (paths under the content dir).
    pub unreadable: BTreeSet<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// Every other regular file (images, downloads), path under the content dir → size.
    pub others: BTreeMap<String, u64>,
    /// Page files and folders left out on purpose (excluded, or never rendered by the
    /// content's generator): the path as shown, and why. Hidden ones are not listed.
    pub skipped: Vec<(String, String)>,
}

/// Which paths under the content dir are skipped: hidden ones, `exclude` matches, and what
/// the content's generator never renders.
#[derive(Debug, Default)]
pub(super) struct Filter {
    exclude: GlobSet,
    generator: GeneratorOptions,
}

impl Filter {
    /// Compile the `exclude` globs (relative to the content dir), read as gitignore users
    /// expect: a leading `/` anchors at the content dir, a trailing `/` names a folder, and a
    /// pattern without a `/` matches at any depth.
    pub(super) fn new(patterns: &[String]) -> Result<Filter, String> {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let anchored = pattern.starts_with('/');
            let trimmed = pattern.trim_matches('/');
            let mut globs = vec![trimmed.to_owned()];
            if !anchored && !trimmed.contains('/') && !trimmed.starts_with("**") {
                globs.push(format!("**/{trimmed}"));
            }
            for glob in globs {
                let glob = Glob::new(&glob)
                    .map_err(|err| format!("invalid `exclude` glob `{pattern}`: {}", err.kind()))?;
                builder.add(glob);
            }
        }
        let exclude = builder.build().map_err(|err| err.to_string())?;
        Ok(Filter {
            exclude,
            generator: GeneratorOptions::default(),
        })
    }

    /// The filter that also skips what `generator` never renders.
    pub(super) fn with_generator(mut self, generator: &GeneratorOptions) -> Filter {
        self.generator = generator.clone();
        self
    }

    /// Why `rel` (or a folder above it) is skipped: `"hidden"`, `"excluded"`, or what the
    /// generator does with it.
    pub(super) fn skips(&self, rel: &str) -> Option<&'static str> {
        let ancestors = rel
            .match_indices('/')
            .map(|(i, _)| &rel[..i])
            .chain(std::iter::once(rel));
        for path in ancestors {
            let name = path.rsplit('/').next().unwrap_or(path);
            if name.starts_with('.') {
                return Some("hidden");
            }
            if self.exclude.is_match(path) {
                return Some("excluded");
            }
            if let Some(why) = self.generator.skips(path, name, path == rel) {
                return Some(why);
            }
        }
        None
    }
}

/// Walk `options.dir` and read every page file in it, sorted by path.
pub(super) fn walk(options: &ContentOptions, filter: &Filter) -> Walk {
    let root = &options.dir;
    let show = |path: &Path| display_path(path, &options.display_base);
    let mut walk = Walk::default();
    let canonical_root = match root.canonicalize() {
        Ok(path) if path.is_dir() => path,
        Ok(_) => {
            walk.diagnostics.push(whole(
                show(root),
                "the content directory is not a directory".into(),
            ));
            return walk;
        }
        Err(err) => {
            let message = format!("cannot read the content directory: {err}");
            walk.diagnostics.push(whole(show(root), message));
            return walk;
        }
    };
    let mut escaping = Vec::new();
    let mut skipped = Vec::new();
    let entries = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            if entry.depth() == 0 {
                return true;
            }
            if let Some(rel) = relative(root, entry.path()) {
                if let Some(why) = filter.skips(&rel) {
                    let is_page = Kind::of(&entry.file_name().to_string_lossy()).is_some();
                    if why != "hidden" && (entry.file_type().is_dir() || is_page) {
                        skipped.push((show(entry.path()), why.to_owned()));
                    }
                    return false;
                }
            }
            // Checked before walkdir follows the link, so an outside directory is never read.
            if entry.path_is_symlink() {
                let inside = entry
                    .path()
                    .canonicalize()
                    .is_ok_and(|target| target.starts_with(&canonical_root));
                if !inside {
                    let is_page = Kind::of(&entry.file_name().to_string_lossy()).is_some();
                    if entry.file_type().is_dir() || is_page {
                        escaping.push(entry.path().to_path_buf());
                    }
                    return false;
                }
            }
            true
        });
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                if let Some(diagnostic) = walk_error(&err, show) {
                    walk.diagnostics.push(diagnostic);
                }
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        let Some(kind) = Kind::of(&entry.file_name().to_string_lossy()) else {
            if entry.file_type().is_file() {
                if let Some(rel) = relative(root, entry.path()) {
                    let size = entry.metadata().map_or(0, |m| m.len());
                    walk.others.insert(rel, size);
                }
            }
            continue;
        };
        let display = show(entry.path());
        let Some(rel) = relative(root, entry.path()) else {
            let message = "path is not valid UTF-8; rename it".to_owned();
            walk.diagnostics.push(whole(display, message));
            continue;
        };
        // A FIFO or device named `x.md` would block or never end.
        if !entry.file_type().is_file() {
            let message = "not a regular file (a FIFO, socket or device?)".to_owned();
            walk.diagnostics.push(whole(display, message));
            walk.unreadable.insert(rel);
            continue;
        }
        match read(entry.path()) {
            Ok(text) => walk.files.push(SourceFile {
                rel,
                display,
                kind,
                text,
            }),
            Err(problem) => {
                walk.diagnostics.push(Diagnostic::new(display, problem));
                walk.unreadable.insert(rel);
            }
        }
    }
    walk.skipped = skipped;
    for path in escaping {
        let target =
            std::fs::read_link(&path).map_or_else(|_| "?".into(), |t| t.display().to_string());
        let message = format!(
            "symlink to `{target}` leaves the content directory; copy the file in or move the content"
        );
        walk.diagnostics.push(whole(show(&path), message));
    }
    walk
}

/// Read and decode a page file, refusing one that is too large.
fn read(path: &Path) -> Result<String, Problem> {
    let too_large = |size: u64| {
        Problem::error(
            Pos::START,
            format!(
                "file is {:.1} MiB, over the {} MiB limit for a page file",
                size as f64 / (1024.0 * 1024.0),
                MAX_FILE_SIZE / (1024 * 1024)
            ),
        )
    };
    let cannot =
        |err: std::io::Error| Problem::error(Pos::NONE, format!("cannot read the file: {err}"));
    let file = File::open(path).map_err(cannot)?;
    let size = file.metadata().map_err(cannot)?.len();
    if size > MAX_FILE_SIZE {
        return Err(too_large(size));
    }
    // The file may grow between the check and the read; read no more than the limit.
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(too_large(bytes.len() as u64));
    }
    text::decode(&bytes)
}

/// A diagnostic for a walk error; `None` for problems with files that would not be pages.
fn walk_error(err: &walkdir::Error, show: impl Fn(&Path) -> String) -> Option<Diagnostic> {
    let path = err.path()?;
    let message = if let Some(ancestor) = err.loop_ancestor() {
        format!(
            "symlink loop: this link points back to `{}`",
            show(ancestor)
        )
    } else if path.is_symlink() {
        match err.io_error().map(std::io::Error::kind) {
            Some(std::io::ErrorKind::NotFound) => {
                // A dangling link to an image is ignored like the image would be.
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                Kind::of(&name)?;
                "broken symlink: its target does not exist".to_owned()
            }
            _ => format!(
                "cannot follow symlink (a symlink loop?): {}",
                io_message(err)
            ),
        }
    } else {
        format!("cannot read: {}", io_message(err))
    };
    Some(whole(show(path), message))
}

fn io_message(err: &walkdir::Error) -> String {
    err.io_error()
        .map_or_else(|| err.to_string(), ToString::to_string)
}

/// A diagnostic about a whole path rather than a place in a file.
fn whole(path: String, message: String) -> Diagnostic {
    Diagnostic::new(path, Problem::error(Pos::NONE, message))
}

/// `path` under `root`, `/`-separated; `None` when a component is not UTF-8.
fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// `path` shown relative to `base` when it lies under it, with `/` separators.
pub fn display_path(path: &Path, base: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let shown: PathBuf = match absolute(path).strip_prefix(absolute(base)) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => path.to_path_buf(),
    };
    let shown = shown.to_string_lossy();
    let shown = if std::path::MAIN_SEPARATOR == '/' {
        shown.into_owned()
    } else {
        shown.replace(std::path::MAIN_SEPARATOR, "/")
    };
    escape_controls(&shown)
}

/// Control characters written as escapes (`\n`, `\u{1b}`): a file name is untrusted input, and
/// printed raw a newline in it could start a forged line (a GitHub `::error` annotation).
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_in_paths_are_escaped() {
        let shown = display_path(
            Path::new("dir/a\n::error title=x::forged.md"),
            Path::new("dir"),
        );
        assert_eq!(shown, "a\\n::error title=x::forged.md");
        assert!(!shown.contains('\n'));
        assert_eq!(
            escape_controls("tab\there\u{1b}[31m"),
            "tab\\there\\u{1b}[31m"
        );
        assert_eq!(escape_controls("plain/é.md"), "plain/é.md");
    }

    #[test]
    fn kinds() {
        for (name, kind) in [
            ("a.md", Some(Kind::Markdown)),
            ("a.MD", Some(Kind::Markdown)),
            ("a.Markdown", Some(Kind::Markdown)),
            ("a.yaml", Some(Kind::Yaml)),
            ("a.YML", Some(Kind::Yaml)),
            ("a.png", None),
            ("md", None),
            ("a.md.bak", None),
        ] {
            assert_eq!(Kind::of(name), kind, "{name}");
        }
    }

    #[test]
    fn filter() {
        let filter = Filter::new(&[
            "drafts/**".into(),
            "*.tmp.md".into(),
            "private".into(),
            "old/".into(),
            "/tmp/**".into(),
        ])
        .unwrap();
        for (rel, skip) in [
            ("about.md", None),
            (".hidden.md", Some("hidden")),
            ("docs/.git/x.md", Some("hidden")),
            ("drafts/a.md", Some("excluded")),
            ("drafts", None),
            ("x.tmp.md", Some("excluded")),
            ("docs/x.tmp.md", Some("excluded")),
            ("private/a/b.md", Some("excluded")),
            ("privateer.md", None),
            ("docs/private/x.md", Some("excluded")),
            ("old/a.md", Some("excluded")),
            ("docs/old/a.md", Some("excluded")),
            ("tmp/a.md", Some("excluded")),
            ("docs/tmp/a.md", None),
        ] {
            assert_eq!(filter.skips(rel), skip, "{rel}");
        }
        assert!(Filter::new(&["a[".into()])
            .unwrap_err()
            .contains("invalid `exclude` glob `a[`"));
    }

    #[test]
    fn display_paths() {
        let base = Path::new("/work/site");
        for (path, shown) in [
            ("/work/site/content/a.md", "content/a.md"),
            ("/elsewhere/a.md", "/elsewhere/a.md"),
            ("/work/site", "/work/site"),
        ] {
            assert_eq!(display_path(Path::new(path), base), shown);
        }
    }
}
