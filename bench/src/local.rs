//! Local cost without the network: the hidden `bench local validate|plan DIR` subcommand,
//! run in a process of its own so its peak RSS is its own. It drives the library directly:
//! `content::load`, and for `plan` a no-change plan against an in-memory remote state that
//! holds, for every desired page, the node drupal-sync would have left on the site.

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context};
use drupal_sync::content::{self, ContentOptions};
use drupal_sync::page::{Page, RemotePage};
use drupal_sync::plan::OnDrift;
use drupal_sync::plan::{self, PlanOptions, RemoteState};

use crate::corpus::NAMESPACE;
use crate::process;

/// What the subcommand measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Work {
    /// `content::load` (what `drupal-sync validate` does).
    Validate,
    /// `content::load`, then `plan::plan` against a remote state that matches every page.
    Plan,
}

/// One measurement, printed as a JSON line for the parent benchmark.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Report {
    pub pages: usize,
    pub errors: usize,
    /// Bytes of rendered HTML bodies held by the pages.
    pub body_bytes: usize,
    /// Time in `content::load`.
    pub load_ms: f64,
    /// Time building the in-memory remote state and planning (0 for `validate`).
    pub plan_ms: f64,
    /// Everything, from start to the printed result.
    pub total_ms: f64,
    /// This process's `VmHWM`.
    pub peak_rss_kib: u64,
}

/// Measure `work` on the project at `dir` and print the [`Report`] on stdout.
pub(crate) fn run(work: Work, dir: &Path) -> anyhow::Result<()> {
    let start = Instant::now();
    let options = ContentOptions {
        dir: dir.join("content"),
        display_base: dir.to_path_buf(),
        namespace: NAMESPACE.into(),
        default_format: "basic_html".into(),
        exclude: Vec::new(),
        strict: false,
        generator: Default::default(),
    };
    let content = content::load(&options);
    let load_ms = ms(start);
    let errors = content.errors().count();
    if let Some(first) = content.errors().next() {
        bail!("the generated content has {errors} error(s), the first: {first}");
    }
    let plan_start = Instant::now();
    if work == Work::Plan {
        no_change_plan(&content.pages)?;
    }
    let plan_ms = if work == Work::Plan {
        ms(plan_start)
    } else {
        0.0
    };
    let report = Report {
        pages: content.pages.len(),
        errors,
        body_bytes: content.pages.iter().map(|p| p.body.len()).sum(),
        load_ms,
        plan_ms,
        total_ms: ms(start),
        peak_rss_kib: process::peak_rss_of("/proc/self/status").unwrap_or(0),
    };
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

/// Plan `pages` against a site that already holds exactly them; it must find nothing to do.
fn no_change_plan(pages: &[Page]) -> anyhow::Result<()> {
    let remote = RemoteState {
        pages: pages.iter().map(|p| (p.uuid, written(p))).collect(),
        namespace_pages: None,
    };
    let options = PlanOptions {
        namespace: NAMESPACE.into(),
        on_drift: OnDrift::Overwrite,
        known: HashSet::new(),
        lookup_by_uuid: true,
    };
    let plan = plan::plan(pages, &remote, &options);
    if !plan.is_empty() || plan.unchanged != pages.len() {
        bail!(
            "a no-change plan found {} change(s) and {} unchanged of {} pages",
            plan.changes.len(),
            plan.unchanged,
            pages.len()
        );
    }
    Ok(())
}

/// The node drupal-sync leaves on the site after writing `page`.
fn written(page: &Page) -> RemotePage {
    RemotePage {
        uuid: page.uuid,
        nid: None,
        vid: None,
        title: page.title.clone(),
        alias: Some(page.alias.clone()),
        alias_pid: None,
        published: page.published,
        body: Some(page.body.clone()),
        format: Some(page.format.clone()),
        summary: page.summary.clone(),
        changed: None,
        revision_log: Some(plan::revision_log("drupal-sync", page)),
        processed: None,
    }
}

/// Parse the line a `bench local` child printed.
pub(crate) fn parse(stdout: &str) -> anyhow::Result<Report> {
    let line = stdout
        .lines()
        .last()
        .context("`bench local` printed nothing")?;
    serde_json::from_str(line).with_context(|| format!("unexpected `bench local` output {line:?}"))
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}
