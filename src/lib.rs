//! drupal-sync publishes a git repository's Markdown and YAML pages to a Drupal site as
//! basic pages, Terraform-style: `plan` shows what would change, `apply` makes it so.
//!
//! The pipeline, one module per stage, data flowing one way:
//!
//! ```text
//! config (drupal-sync.toml + env + flags) ─► Settings
//! content/ ─► content::load ─► [Page] ──────────────┐
//! site ─► drupal::Site::read ─► RemoteState ────────┴─► plan::plan ─► Plan
//! Plan ─► apply::apply ─► ApplyReport ─► report::{human, json}
//! ```
//!
//! Local images and files the pages embed go through `files` on the way: looked up on the
//! site (and embedded) before planning, uploaded before the pages that embed them are applied.
//!
//! `import` runs the other way: site ─► import ─► content files, each checked by loading it
//! back through `content::load_with` and comparing it with the node as `plan` does.
//!
//! `sandbox` is a Drupal-compatible server (JSON:API, core REST, token issuers) used by the
//! tests and by `--sandbox`, so the whole loop runs without a Drupal site.

pub mod apply;
pub mod cli;
pub mod config;
pub mod content;
pub mod drupal;
pub mod files;
pub mod formats;
pub mod import;
pub mod init;
pub mod menu;
pub mod page;
pub mod plan;
pub mod report;
pub mod sandbox;
pub mod secret;
pub mod sync;
pub mod verify;

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Context;

use cli::{Cli, ColorChoice, Command};
use config::{Config, Overrides, Settings};
use content::{Content, Severity};

/// What the process should exit with (CONTRACT §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: success (with `--detailed-exitcode`: nothing to change).
    Success,
    /// 1: any error.
    Failure,
    /// 2: `plan --detailed-exitcode` found changes.
    Changes,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Changes => 2,
        }
    }
}

/// Where output goes, and how it looks.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// Colour on stdout.
    pub color_stdout: bool,
    /// Colour on stderr.
    pub color_stderr: bool,
    /// `-q`: only errors.
    pub quiet: bool,
    /// Running under GitHub Actions: annotations and a step summary too.
    pub github: bool,
    /// stderr is a terminal (a progress bar can be drawn there).
    pub stderr_terminal: bool,
}

impl Output {
    /// Decide colour from `--color`, `NO_COLOR` and whether each stream is a terminal.
    pub fn detect(choice: ColorChoice, quiet: bool) -> Output {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let stderr_terminal = std::io::stderr().is_terminal();
        let decide = |tty: bool| match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        Output {
            color_stdout: decide(std::io::stdout().is_terminal()),
            color_stderr: decide(stderr_terminal),
            quiet,
            github: std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true"),
            stderr_terminal,
        }
    }

    /// Print data to stdout. Never suppressed: `-q` silences diagnostics, not what was asked
    /// for (CONTRACT §4: `drupal-sync -q plan --format json > plan.json`).
    pub fn data(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    /// Print an error to stderr as `error: TEXT` (never suppressed).
    pub fn error(&self, text: &str) {
        let label = self.stderr_style().paint("1;31", "error");
        self.line(&format!("{label}: {text}"));
    }

    /// Print a note to stderr (suppressed by `-q`).
    pub fn note(&self, text: &str) {
        if !self.quiet {
            self.line(text);
        }
    }

    /// Print a line to stderr as given (never suppressed): diagnostics that carry their own
    /// `file:line:col: label:` prefix, and GitHub annotations.
    pub fn line(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{text}");
    }

    /// Whether to draw a progress bar on stderr: a terminal, and not `-q`.
    pub fn progress(&self) -> bool {
        self.stderr_terminal && !self.quiet
    }

    /// How text on stderr is styled (colour or not).
    pub fn stderr_style(&self) -> report::Style {
        report::Style {
            color: self.color_stderr,
        }
    }
}

/// Run a parsed command line, printing through `output` (detected once, by the caller, from
/// the same command line).
pub async fn run(cli: Cli, output: Output) -> Exit {
    let result = match &cli.command {
        Command::Validate(args) => validate(&cli, args.strict, &output),
        Command::Plan(args) => sync::plan(&cli, args, &output).await,
        Command::Apply(args) => sync::apply(&cli, args, &output).await,
        Command::Import(args) => import::run(&cli, args, &output).await,
        Command::Sandbox(args) => sandbox::run(args, &output).await.map(|()| Exit::Success),
        Command::Init(args) => init_command(args, &output),
        Command::Completions(args) => {
            output.data(&init::completions(args.shell));
            Ok(Exit::Success)
        }
    };
    match result {
        Ok(exit) => exit,
        Err(e) => {
            output.error(&format!("{e:#}"));
            Exit::Failure
        }
    }
}

/// `drupal-sync init`: write the config and example content into the working directory.
fn init_command(args: &cli::InitArgs, output: &Output) -> anyhow::Result<Exit> {
    let dir = std::env::current_dir().context("cannot read the working directory")?;
    let written = init::run(args, &dir)?;
    output.data(&init::summary(&written, &dir));
    Ok(Exit::Success)
}

/// Read the config file (given, or found from the working directory up) into settings.
pub fn load_settings(cli: &Cli, overrides: Overrides) -> anyhow::Result<Settings> {
    let path = match &cli.config {
        Some(path) => path.clone(),
        None => {
            let cwd = std::env::current_dir().context("cannot read the working directory")?;
            config::find(&cwd)
                .ok_or_else(|| config::ConfigError::NotFound(cwd.display().to_string()))?
        }
    };
    let config = Config::from_file(&path)?;
    let settings = Settings::resolve(&config, &path, &|name| std::env::var(name).ok(), overrides)?;
    check_content_dir(&config, &settings)?;
    Ok(settings)
}

/// The content directory must be a directory; the error points at `[content].dir`.
fn check_content_dir(config: &Config, settings: &Settings) -> Result<(), config::ConfigError> {
    let dir = &settings.content.dir;
    let problem = match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => return Ok(()),
        Ok(_) => "is a file, not a directory".to_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "does not exist".to_owned(),
        Err(e) => format!("cannot be read: {e}"),
    };
    let shown = content::display_path(dir, &settings.content.display_base);
    let message = if config.is_set("content", "dir") {
        format!("the content directory `{shown}` set by `[content].dir` {problem}")
    } else {
        format!(
            "the content directory `{shown}` {problem}\n  hint: create it, or set `[content].dir` to where the pages are"
        )
    };
    Err(config.error_at("content", "dir", message))
}

/// Load the content and print its diagnostics; `Err` when any is an error (strict: warnings too).
pub fn load_content(settings: &Settings, output: &Output) -> anyhow::Result<Content> {
    let mut content = content::load(&settings.content);
    let file_errors = content::assets::check(&content.files, &settings.files);
    if !file_errors.is_empty() {
        content.diagnostics.extend(file_errors);
        content
            .diagnostics
            .sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
    }
    if settings.api == config::Api::Rest {
        content
            .diagnostics
            .extend(content::auto_alias_needs_jsonapi(&content.pages));
    }
    let (links, problems) = menu::derive(&content.pages, &settings.menus, &settings.namespace);
    content.links = links;
    content.add(problems);
    let strict = settings.content.strict;
    let mut errors = 0;
    for d in &content.diagnostics {
        let is_error = d.severity == Severity::Error || (strict && d.severity == Severity::Warning);
        errors += usize::from(is_error);
        let style = output.stderr_style();
        let label = if is_error {
            style.paint("1;31", "error")
        } else {
            style.paint("1;33", "warning")
        };
        if is_error || !output.quiet {
            output.line(&format!("{}: {label}: {}", d.location(), d.message));
        }
        if output.github {
            let kind = if is_error { "error" } else { "warning" };
            output.line(&report::github::annotation_at(
                kind, &d.path, d.line, d.col, &d.message,
            ));
        }
    }
    if errors > 0 {
        anyhow::bail!(
            "{errors} error{} in {}; nothing was sent to the site",
            crate::report::plural(errors),
            display_dir(&settings.content.dir)
        );
    }
    Ok(content)
}

fn validate(cli: &Cli, strict: bool, output: &Output) -> anyhow::Result<Exit> {
    let settings = load_settings(
        cli,
        Overrides {
            strict,
            ..Overrides::default()
        },
    )?;
    let content = load_content(&settings, output)?;
    report_skipped(&content, output);
    let origin = settings
        .base_url
        .as_ref()
        .map(|url| formats::SiteOrigin::of(url.url()))
        .unwrap_or_default();
    let lossy = formats::warnings(&content.pages, &formats::Formats::builtin(), &origin);
    print_format_warnings(&lossy, strict, output);
    if strict && !lossy.is_empty() {
        anyhow::bail!(
            "--strict: {} page{} would lose markup under {} text format; nothing was sent to the site",
            lossy.len(),
            crate::report::plural(lossy.len()),
            if lossy.len() == 1 { "its" } else { "their" },
        );
    }
    let warnings = content.diagnostics.len() + lossy.len();
    output.data(&format!(
        "ok: {} page{} in {}{}\n",
        content.pages.len(),
        crate::report::plural(content.pages.len()),
        display_dir(&settings.content.dir),
        if warnings > 0 {
            format!(" ({warnings} warning{})", crate::report::plural(warnings))
        } else {
            String::new()
        }
    ));
    Ok(Exit::Success)
}

/// Notes on stderr: which generator the content was read as, and what was left out, why.
fn report_skipped(content: &Content, output: &Output) {
    if let Some(flavor) = content.flavor.filter(|f| f.is_generator()) {
        output.note(&format!(
            "note: content read as written for {}",
            flavor.name()
        ));
    }
    let mut by_reason: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (path, why) in &content.skipped {
        by_reason.entry(why).or_default().push(path);
    }
    for (why, paths) in by_reason {
        let shown: Vec<String> = paths.iter().take(3).map(|p| format!("`{p}`")).collect();
        let more = if paths.len() > 3 { ", …" } else { "" };
        output.note(&format!(
            "note: skipped {} ({why}): {}{more}",
            paths.len(),
            shown.join(", ")
        ));
    }
}

/// Print format warnings as diagnostics at each page's line (errors under `--strict`).
fn print_format_warnings(warnings: &[formats::FormatWarning], strict: bool, output: &Output) {
    let style = output.stderr_style();
    let (kind, label) = if strict {
        ("error", style.paint("1;31", "error"))
    } else {
        ("warning", style.paint("1;33", "warning"))
    };
    for w in warnings {
        if strict || !output.quiet {
            output.line(&format!(
                "{}:{}:1: {label}: {}",
                w.source,
                w.line.max(1),
                w.message()
            ));
        }
        if output.github {
            output.line(&report::github::annotation_at(
                kind,
                &w.source,
                w.line.max(1),
                1,
                &w.message(),
            ));
        }
    }
}

/// A directory as the user knows it: relative to the working directory when under it.
pub fn display_dir(dir: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown = dir.strip_prefix(&cwd).unwrap_or(dir);
    let shown = shown.display().to_string();
    if shown.is_empty() {
        ".".into()
    } else {
        shown
    }
}
