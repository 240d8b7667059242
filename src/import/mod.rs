//! `drupal-sync import` (CONTRACT §10): the site's existing basic pages → content files, so
//! a site can move to git. The reverse of the pipeline: list the site's pages (JSON:API,
//! 50 per request), `select` those to import and their files, `convert` each body to
//! Markdown, `settle` which pages stay Markdown by reading every file back through the
//! content pipeline as `plan` would, and write the files — never over an existing one.
//!
//! What it does not do: download embedded images and files (they keep pointing at the site),
//! or import other content types than `[site].bundle`.

mod convert;
mod files;
mod select;
mod settle;

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::cli::{Cli, ImportArgs};
use crate::config::Api;
use crate::content::{self, ContentOptions};
use crate::drupal::REST_CANNOT_LIST;
use crate::report::Style as Paint;
use crate::{display_dir, Exit, Output};
use select::{Selected, Selection};
use settle::{Form, Settled};

/// `drupal-sync import`.
pub async fn run(cli: &Cli, args: &ImportArgs, output: &Output) -> anyhow::Result<Exit> {
    let selection = selection(args)?;
    let connection = crate::sync::connect_for(cli, args.password_stdin, args.sandbox, |s| {
        if s.api == Api::Rest {
            bail!("{REST_CANNOT_LIST}");
        }
        Ok(())
    })
    .await?;
    let settings = &connection.settings;
    let (options, folder) = target(&settings.content, args.dir.as_deref())?;
    if folder.is_none() {
        output.note(&format!(
            "note: `{}` is outside the content directory `{}`; `plan` reads only the content directory, so move the files there (or point [content].dir at it) before planning",
            display_dir(&options.dir),
            display_dir(&settings.content.dir)
        ));
    }
    let folder = folder.unwrap_or_default();

    // A `--dir` not made yet holds nothing (and is no error).
    let existing = if options.dir.exists() {
        content::load(&options)
    } else {
        content::Content::default()
    };
    let errors = existing.errors().count();
    if errors > 0 {
        output.note(&format!(
            "warning: `{}` has {errors} error{} (see `drupal-sync validate`); plan refuses to run until they are fixed",
            display_dir(&options.dir),
            crate::report::plural(errors)
        ));
    }

    let nodes = connection.site.list().await?;
    let listed = nodes.len();
    let root = options.dir.clone();
    let exists = |rel: &str| root.join(rel).symlink_metadata().is_ok();
    let selected = select::select(
        nodes,
        &selection,
        &select::Context {
            namespace: &settings.namespace,
            folder: &folder,
            existing: &existing.pages,
            exists: &exists,
        },
    );
    if !selected.conflicts.is_empty() {
        bail!(conflicts(&selected, &options));
    }
    let Selected {
        chosen,
        skipped,
        unselected,
        ..
    } = selected;
    let settled = settle::settle(
        chosen,
        args.html,
        &options.default_format,
        |extra| content::load_with(&options, extra),
        |rel| content::display_of(&options, rel),
    );
    write(&options.dir, &settled)?;
    output.data(&summary(
        &settled,
        &skipped,
        &Summary {
            url: connection.url.as_str(),
            bundle: &settings.bundle,
            dir: &display_dir(&options.dir.join(&folder)),
            listed,
            unselected,
            selection: &selection,
        },
        &options,
        &Paint {
            color: output.color_stdout,
        },
    ));
    Ok(Exit::Success)
}

/// `--prefix` or `--all`: one is needed, so a whole site is never imported by accident.
fn selection(args: &ImportArgs) -> anyhow::Result<Selection> {
    match (&args.prefix, args.all) {
        (Some(prefix), false) => {
            let trimmed = prefix.trim_end_matches('/');
            if !prefix.starts_with('/') {
                bail!("--prefix `{prefix}`: an alias prefix starts with `/`, such as `/docs`");
            }
            if trimmed.is_empty() {
                return Ok(Selection::All);
            }
            Ok(Selection::Prefix(trimmed.to_owned()))
        }
        (None, true) => Ok(Selection::All),
        (Some(_), true) => bail!("--prefix and --all cannot be used together"),
        (None, false) => bail!(
            "say which pages to import: `--prefix /docs` imports the pages under /docs, `--all` every basic page"
        ),
    }
}

/// The content options to read back with, and the folder under the content dir the files go
/// to (`None` when `dir` is outside the content dir: then `dir` is read back on its own).
fn target(
    content: &ContentOptions,
    dir: Option<&Path>,
) -> anyhow::Result<(ContentOptions, Option<String>)> {
    let Some(dir) = dir else {
        return Ok((content.clone(), Some(String::new())));
    };
    let absolute = |p: &Path| -> anyhow::Result<PathBuf> {
        let p =
            std::path::absolute(p).with_context(|| format!("cannot resolve `{}`", p.display()))?;
        // Resolve `..` and symlinks in the part that exists, so `content/../content/new` and
        // a content dir reached through a symlink still compare as inside.
        let existing = p
            .ancestors()
            .find_map(|a| Some((a, a.canonicalize().ok()?)));
        Ok(match existing {
            Some((ancestor, real)) => real.join(p.strip_prefix(ancestor).unwrap_or(Path::new(""))),
            None => p,
        })
    };
    let (dir, root) = (absolute(dir)?, absolute(&content.dir)?);
    match dir.strip_prefix(&root) {
        Ok(rel) => {
            let parts: Option<Vec<&str>> =
                rel.components().map(|c| c.as_os_str().to_str()).collect();
            let folder = parts
                .map(|p| p.join("/"))
                .ok_or_else(|| anyhow::anyhow!("--dir `{}` is not valid UTF-8", dir.display()))?;
            Ok((content.clone(), Some(folder)))
        }
        Err(_) => {
            let mut options = content.clone();
            options.dir = dir;
            Ok((options, None))
        }
    }
}

/// The error for files that exist where the import would write.
fn conflicts(selected: &Selected, options: &ContentOptions) -> String {
    let names: Vec<String> = selected
        .conflicts
        .iter()
        .map(|rel| format!("  {}", content::display_of(options, rel)))
        .collect();
    format!(
        "{} file{} the import would write exist{}; nothing was written:\n{}\n  hint: pages imported before are skipped only when their file moved; import other pages with `--prefix`, or remove these files, or write into another folder with `--dir`",
        names.len(),
        crate::report::plural(names.len()),
        if names.len() == 1 { "s" } else { "" },
        names.join("\n")
    )
}

/// Write every file, each only if it does not exist yet; on a failure, remove the files this
/// run wrote, so the content directory is left as it was.
fn write(root: &Path, settled: &Settled) -> anyhow::Result<()> {
    let mut written: Vec<PathBuf> = Vec::new();
    let result = settled.files.iter().try_for_each(|file| {
        let path = root.join(&file.rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        let mut handle = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .with_context(|| format!("cannot create `{}`", path.display()))?;
        written.push(path.clone());
        handle
            .write_all(file.text.as_bytes())
            .with_context(|| format!("cannot write `{}`", path.display()))
    });
    if let Err(e) = result {
        for path in &written {
            let _ = std::fs::remove_file(path);
        }
        return Err(e.context("nothing was imported"));
    }
    Ok(())
}

/// What the summary says about the run as a whole.
struct Summary<'a> {
    url: &'a str,
    bundle: &'a str,
    dir: &'a str,
    listed: usize,
    unselected: usize,
    selection: &'a Selection,
}

/// The summary: every file written and how, every page skipped and why, then the counts.
fn summary(
    settled: &Settled,
    skipped: &[select::Skipped],
    about: &Summary,
    options: &ContentOptions,
    paint: &Paint,
) -> String {
    let mut out = String::new();
    let kind = match about.bundle {
        "page" => "basic page".to_owned(),
        bundle => format!("`{bundle}` node"),
    };
    let found = format!("Found {} on {}", plural(about.listed, &kind), about.url);
    out.push_str(&match about.selection {
        Selection::All => format!("{found}.\n"),
        Selection::Prefix(prefix) => format!(
            "{found}, {} under {prefix}.\n",
            about.listed - about.unselected
        ),
    });
    let width = settled
        .files
        .iter()
        .map(|f| content::display_of(options, &f.rel).chars().count())
        .max()
        .unwrap_or(0);
    let alias_width = settled
        .files
        .iter()
        .map(|f| {
            f.chosen
                .node
                .alias
                .as_deref()
                .unwrap_or_default()
                .chars()
                .count()
        })
        .max()
        .unwrap_or(0);
    for file in &settled.files {
        let shown = content::display_of(options, &file.rel);
        let alias = file.chosen.node.alias.as_deref().unwrap_or_default();
        let how = match &file.form {
            Form::Markdown => "Markdown".to_owned(),
            Form::Html(why) => format!("HTML ({why})"),
        };
        out.push_str(&format!(
            "  {} {shown:<width$}  {alias:<alias_width$}  {how}\n",
            paint.paint("32", "+")
        ));
    }
    let all_skipped: Vec<&select::Skipped> = skipped.iter().chain(&settled.skipped).collect();
    for skip in &all_skipped {
        let node = &skip.node;
        let name = node
            .alias
            .clone()
            .or_else(|| node.nid.map(|n| format!("node {n}")))
            .unwrap_or_else(|| node.uuid.to_string());
        out.push_str(&format!(
            "  {} skipped {name} \"{}\": {}\n",
            paint.paint("33", "~"),
            node.title,
            skip.reason
        ));
    }
    let markdown = settled
        .files
        .iter()
        .filter(|f| f.form == Form::Markdown)
        .count();
    let html = settled.files.len() - markdown;
    out.push_str(&format!(
        "Imported {} into {}: {markdown} as Markdown, {html} as HTML (body_html in YAML); {} skipped.\n",
        plural(settled.files.len(), "page"),
        about.dir,
        all_skipped.len()
    ));
    if !settled.files.is_empty() {
        out.push_str(
            "Next: review and commit the files; `drupal-sync plan` shows no change for them.\n",
        );
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", crate::report::plural(n))
}

#[cfg(test)]
mod tests;
