//! Command-line arguments (clap derive types only; no logic). Raw flags are resolved into
//! [`crate::config::Settings`] once, in `config`; nothing downstream reads these types.

// The doc comments here are the `--help` text, written for people at a terminal: brackets in
// them (`[sync].parallelism`, `NAME:PASS[:ROLE]`) are not links.
#![allow(rustdoc::broken_intra_doc_links)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Git-driven content publishing to Drupal: plan and apply Markdown/YAML pages as basic pages.
#[derive(Debug, Parser)]
#[command(name = "drupal-sync", version, about, propagate_version = true)]
pub struct Cli {
    /// Configuration file (default: drupal-sync.toml in the working directory or a parent).
    #[arg(short = 'c', long = "config", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// When to use colour.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// More output (-v: requests, -vv: request details). Secrets are never printed.
    #[arg(short = 'v', long = "verbose", global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Print only errors.
    #[arg(short = 'q', long = "quiet", global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write drupal-sync.toml and an example content/ (never overwrites).
    Init(InitArgs),
    /// Check configuration and content offline.
    Validate(ValidateArgs),
    /// Show what apply would change; writes nothing.
    Plan(PlanArgs),
    /// Plan and apply the changes (or apply a saved plan).
    Apply(ApplyArgs),
    /// Write content files from the site's existing pages (never overwrites).
    Import(ImportArgs),
    /// Serve a Drupal-compatible sandbox site on loopback.
    Sandbox(SandboxArgs),
    /// Print shell completions.
    Completions(CompletionsArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnDrift {
    /// Write the content over the site's edits (the plan says so).
    Overwrite,
    /// Leave pages edited on the site as they are.
    Skip,
    /// Fail before any write when a page was edited on the site.
    Fail,
}

impl From<OnDrift> for crate::plan::OnDrift {
    fn from(flag: OnDrift) -> crate::plan::OnDrift {
        match flag {
            OnDrift::Overwrite => crate::plan::OnDrift::Overwrite,
            OnDrift::Skip => crate::plan::OnDrift::Skip,
            OnDrift::Fail => crate::plan::OnDrift::Fail,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApplyFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The site's base URL to write into the config.
    #[arg(long)]
    pub url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Treat warnings (unknown front matter keys, ...) as errors.
    #[arg(long)]
    pub strict: bool,
}

/// Options shared by `plan` and `apply`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Also delete remote pages of this namespace that no source defines.
    #[arg(long)]
    pub prune: bool,

    /// What to do with pages edited on the site since drupal-sync last wrote them
    /// [default: overwrite].
    #[arg(long, value_enum)]
    pub on_drift: Option<OnDrift>,

    /// Read the password from standard input.
    #[arg(long)]
    pub password_stdin: bool,

    /// Run against a throwaway in-process sandbox site (no Drupal, no credentials).
    #[arg(long)]
    pub sandbox: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub sync: SyncArgs,

    /// Exit 2 when there are changes, 0 when there are none.
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Save the plan to FILE for `apply FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,

    /// Fail (exit 1) on any warning: content warnings, and pages whose text format drops
    /// markup visitors would see.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A plan saved with `plan --out`; applied exactly, refused when stale.
    #[arg(value_name = "PLAN_FILE")]
    pub plan_file: Option<PathBuf>,

    #[command(flatten)]
    pub sync: SyncArgs,

    /// Allow --prune to delete more pages than `[sync].max_prune`.
    #[arg(long)]
    pub allow_mass_delete: bool,

    /// Concurrent write requests (default: [sync].parallelism).
    #[arg(long)]
    pub parallelism: Option<usize>,

    #[arg(long, value_enum, default_value_t = ApplyFormat::Human)]
    pub format: ApplyFormat,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Import the pages whose alias is PREFIX or under it (`/docs` takes `/docs/guide`).
    #[arg(long, value_name = "/ALIAS-PREFIX", conflicts_with = "all")]
    pub prefix: Option<String>,

    /// Import every basic page this account can see.
    #[arg(long)]
    pub all: bool,

    /// Write the files under DIR instead of [content].dir.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Keep every body as HTML (`body_html` in a YAML file) instead of converting it to Markdown.
    #[arg(long)]
    pub html: bool,

    /// Read the password from standard input.
    #[arg(long)]
    pub password_stdin: bool,

    /// Run against a throwaway in-process sandbox site (no Drupal, no credentials).
    #[arg(long)]
    pub sandbox: bool,
}

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to listen on: `127.0.0.1:PORT`, `[::1]:PORT` or `localhost:PORT` (loopback only;
    /// port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8888", value_parser = crate::sandbox::parse_listen)]
    pub listen: std::net::SocketAddr,

    /// Persist the site's state in FILE across restarts.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,

    /// A user, NAME:PASS[:ROLE] with ROLE admin (default) or editor; a password that contains
    /// `:` needs the ROLE written out. Repeatable.
    #[arg(long = "user", value_name = "NAME:PASS[:ROLE]")]
    pub users: Vec<String>,

    /// Added latency per request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,

    /// Fraction of requests answered with a fault (500/502/503/429 or a dropped connection).
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,

    /// Seed for the fault generator.
    #[arg(long, default_value_t = 1)]
    pub fault_seed: u64,

    /// Lifetime of issued tokens: each stays valid for at least SECS seconds (0: expired at once).
    #[arg(long, default_value_t = 3600)]
    pub token_ttl: u64,

    /// A file field uploads may go to, besides `node/article/field_image`. Repeatable.
    #[arg(long = "file-field", value_name = "ENTITY/BUNDLE/FIELD:EXT,…")]
    pub file_fields: Vec<String>,
    /// Run pathauto with this URL alias pattern for basic pages, e.g. '[node:title]'.
    #[arg(long, value_name = "PATTERN")]
    pub pathauto: Option<String>,
    /// A site-specific text format, `NAME:ALLOWED_HTML` in Drupal's notation
    /// (`docs_html:<p> <a href> <pre> <code> <table> <tr> <th> <td>`), filtered like
    /// `basic_html` otherwise. Repeatable.
    #[arg(long = "text-format", value_name = "NAME:ALLOWED_HTML")]
    pub text_formats: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print completions for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
