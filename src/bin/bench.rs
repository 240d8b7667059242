//! `bench`: drupal-sync side by side with the obvious script, on the same machine, in one run.
//!
//! ```text
//! cargo run --release --bin bench -- [--pages N] [--runs R] [--latency-ms L] [--skip-10k-network]
//! ```
//!
//! It builds nothing: it runs the `drupal-sync` executable next to itself (`cargo run
//! --release --bin bench` builds both). For each scenario — (a) create N pages on an empty
//! site, (b) find out that nothing changed, (c) publish after 10% of the pages changed — and
//! for each tool — drupal-sync and the [`baseline`] script — it starts a fresh sandbox with
//! latency L, makes the prior state with the same tool (untimed), then times the scenario and
//! diffs `/_sandbox/stats` around it. Then it measures the local cost of 10,000 pages without
//! the network (time and peak RSS, through the hidden `bench local` subcommand and the real
//! executable) and a real no-change plan of them against a sandbox. It prints Markdown: the
//! machine, the command, the tables and PASS/MISS per target.
//!
//! Modules: [`corpus`] generates the pages, [`sandbox`] runs the sandbox process,
//! [`baseline`] is the script, [`process`] times child processes, [`local`] is the hidden
//! subcommand, [`report`] renders the results. (A binary's root looks for modules beside
//! itself, hence the `#[path]`s into `bench/`.)

// A benchmark tool, not the product: its report is printed directly, outside `Output`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "bench/baseline.rs"]
mod baseline;
#[path = "bench/corpus.rs"]
mod corpus;
#[path = "bench/images.rs"]
mod images;
#[path = "bench/local.rs"]
mod local;
#[path = "bench/process.rs"]
mod process;
#[path = "bench/report.rs"]
mod report;
#[path = "bench/sandbox.rs"]
mod sandbox;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

use corpus::{Project, Revision};
use report::{Local, Measurement, NetworkPlan, Scenario, Tool};
use sandbox::{SandboxProc, Stats};

/// Benchmark drupal-sync against the obvious sequential script.
#[derive(Debug, Parser)]
#[command(name = "bench")]
struct Args {
    /// Pages in the side-by-side scenarios.
    #[arg(long, default_value_t = 1000)]
    pages: usize,
    /// Runs per scenario and tool (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Latency the sandbox adds to every request, in milliseconds.
    #[arg(long, default_value_t = 25)]
    latency_ms: u64,
    /// drupal-sync's `[sync].parallelism`.
    #[arg(long, default_value_t = 8)]
    parallelism: usize,
    /// Pages in the local-cost measurements.
    #[arg(long, default_value_t = 10_000)]
    local_pages: usize,
    /// Skip creating the large corpus on a sandbox and planning it over the network.
    #[arg(long = "skip-10k-network")]
    skip_network: bool,
    /// Images in the images scenario (its pages embed them in turn).
    #[arg(long, default_value_t = 200)]
    images: usize,
    /// Pages in the images scenario.
    #[arg(long, default_value_t = 1000)]
    image_pages: usize,
    /// Run only the images scenario.
    #[arg(long)]
    only_images: bool,
    /// Also write the Markdown report to this file.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Hidden>,
}

#[derive(Debug, Subcommand)]
enum Hidden {
    /// Measure the library on a generated project, in a process of its own.
    #[command(hide = true)]
    Local { work: local::Work, dir: PathBuf },
    /// Write a generated project to DIR (to investigate a result by hand).
    #[command(hide = true)]
    Generate {
        dir: PathBuf,
        #[arg(long, default_value_t = 1000)]
        pages: usize,
        /// Write the revision with every tenth page changed.
        #[arg(long)]
        changed: bool,
    },
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let result = match &args.command {
        Some(Hidden::Local { work, dir }) => local::run(*work, dir),
        Some(Hidden::Generate {
            dir,
            pages,
            changed,
        }) => {
            let revision = if *changed {
                Revision::TenPercentChanged
            } else {
                Revision::Original
            };
            corpus::generate(dir, *pages, revision, args.parallelism).map(drop)
        }
        None => Bench::new(args).and_then(|bench| bench.run()),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A benchmark run: its settings, the executables and the generated projects.
struct Bench {
    args: Args,
    /// The `drupal-sync` executable.
    exe: PathBuf,
    /// This executable (for `bench local`).
    me: PathBuf,
    work: WorkDir,
    runtime: tokio::runtime::Runtime,
}

impl Bench {
    fn new(args: Args) -> anyhow::Result<Bench> {
        if args.pages == 0 || args.runs == 0 || args.local_pages == 0 {
            bail!("--pages, --runs and --local-pages must be at least 1");
        }
        let me = std::env::current_exe().context("cannot find the bench executable")?;
        let exe = me.with_file_name(format!("drupal-sync{}", std::env::consts::EXE_SUFFIX));
        if !exe.is_file() {
            bail!(
                "`{}` is missing\n  hint: run `cargo build --release` first, or `cargo run --release --bin bench`, which builds it",
                exe.display()
            );
        }
        // Current-thread, like the sequential script it runs: nothing in it is concurrent.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        Ok(Bench {
            args,
            exe,
            me,
            work: WorkDir::create()?,
            runtime,
        })
    }

    fn run(&self) -> anyhow::Result<()> {
        if self.args.only_images {
            let markdown = images::render(&self.images()?, self.args.latency_ms);
            println!("{markdown}");
            if let Some(path) = &self.args.out {
                std::fs::write(path, &markdown)
                    .with_context(|| format!("cannot write `{}`", path.display()))?;
            }
            return Ok(());
        }
        let pages = self.args.pages;
        note(&format!(
            "generating {pages} pages in {}",
            self.work.path.display()
        ));
        let original = self.generate("original", pages, Revision::Original)?;
        let changed = self.generate("changed", pages, Revision::TenPercentChanged)?;

        let mut results = Vec::new();
        for scenario in Scenario::ALL {
            for tool in [Tool::DrupalSync, Tool::Baseline] {
                results.push(self.measure(scenario, tool, &original, &changed)?);
            }
        }
        let local = self.local()?;

        let context = report::Context {
            command: self.command_line(),
            machine: machine(),
            pages,
            bytes: original.bytes,
            changed: corpus::changed_count(pages),
            runs: self.args.runs,
            latency_ms: self.args.latency_ms,
            parallelism: self.args.parallelism,
        };
        let mut markdown = report::render(&context, &results, &local);
        markdown.push_str(&images::render(&self.images()?, self.args.latency_ms));
        println!("{markdown}");
        if let Some(path) = &self.args.out {
            std::fs::write(path, &markdown)
                .with_context(|| format!("cannot write `{}`", path.display()))?;
        }
        Ok(())
    }

    fn generate(&self, name: &str, pages: usize, revision: Revision) -> anyhow::Result<Project> {
        corpus::generate(
            &self.work.path.join(name),
            pages,
            revision,
            self.args.parallelism,
        )
    }

    /// Run `scenario` with `tool` `--runs` times, each on a fresh sandbox.
    fn measure(
        &self,
        scenario: Scenario,
        tool: Tool,
        original: &Project,
        changed: &Project,
    ) -> anyhow::Result<Measurement> {
        let mut times = Vec::new();
        let mut requests: Vec<Stats> = Vec::new();
        for run in 1..=self.args.runs {
            let (elapsed, stats) = self
                .run_once(scenario, tool, original, changed)
                .with_context(|| {
                    format!(
                        "{} with {}",
                        scenario.describe(original.pages, 0),
                        tool.name()
                    )
                })?;
            note(&format!(
                "{} · {} · run {run}/{}: {} ({} requests)",
                scenario.describe(original.pages, corpus::changed_count(original.pages)),
                tool.name(),
                self.args.runs,
                report::seconds(elapsed),
                stats.total
            ));
            times.push(elapsed);
            requests.push(stats);
        }
        let consistent = requests.windows(2).all(|w| w[0] == w[1]);
        Ok(Measurement {
            scenario,
            tool,
            times,
            requests: requests.swap_remove(0),
            consistent,
        })
    }

    /// One timed run on a fresh sandbox: prior state (untimed), then the scenario.
    fn run_once(
        &self,
        scenario: Scenario,
        tool: Tool,
        original: &Project,
        changed: &Project,
    ) -> anyhow::Result<(Duration, Stats)> {
        let sandbox = SandboxProc::start(&self.exe, self.args.latency_ms)?;
        if scenario != Scenario::Create {
            self.publish(tool, original, &sandbox, Expect::Created(original.pages))
                .context("making the prior state")?;
        }
        let before = sandbox.stats()?;
        let elapsed = match (scenario, tool) {
            (Scenario::Create, _) => {
                self.publish(tool, original, &sandbox, Expect::Created(original.pages))?
            }
            (Scenario::NoChangePlan, Tool::DrupalSync) => {
                self.drupal_sync_plan(original, &sandbox)?
            }
            (Scenario::NoChangePlan, Tool::Baseline) => {
                self.publish(tool, original, &sandbox, Expect::Updated(0))?
            }
            (Scenario::TenPercentApply, _) => self.publish(
                tool,
                changed,
                &sandbox,
                Expect::Updated(corpus::changed_count(changed.pages)),
            )?,
        };
        let after = sandbox.stats()?;
        Ok((elapsed, after.since(&before)))
    }

    /// Make the site match `project` with `tool`; the wall time it took.
    fn publish(
        &self,
        tool: Tool,
        project: &Project,
        sandbox: &SandboxProc,
        expect: Expect,
    ) -> anyhow::Result<Duration> {
        match tool {
            Tool::DrupalSync => {
                let run = process::run(self.drupal_sync(project, &sandbox.url, &["apply"]))?;
                if run.code != 0 {
                    bail!(
                        "`drupal-sync apply` exited {}:\n{}",
                        run.code,
                        run.stderr_tail()
                    );
                }
                Ok(run.elapsed)
            }
            Tool::Baseline => {
                let start = Instant::now();
                let outcome = self.runtime.block_on(async {
                    match expect {
                        Expect::Created(_) => {
                            baseline::create_all(&sandbox.url, &project.content()).await
                        }
                        Expect::Updated(_) => {
                            baseline::sync_all(&sandbox.url, &project.content()).await
                        }
                    }
                })?;
                let elapsed = start.elapsed();
                let (created, updated) = match expect {
                    Expect::Created(n) => (n, 0),
                    Expect::Updated(n) => (0, n),
                };
                if outcome.created != created || outcome.updated != updated {
                    bail!("the baseline script expected {created} created and {updated} updated pages, but did {outcome:?}");
                }
                Ok(elapsed)
            }
        }
    }

    /// `drupal-sync plan --detailed-exitcode`, which must find nothing to change.
    fn drupal_sync_plan(
        &self,
        project: &Project,
        sandbox: &SandboxProc,
    ) -> anyhow::Result<Duration> {
        Ok(self.drupal_sync_plan_run(project, sandbox)?.elapsed)
    }

    fn drupal_sync_plan_run(
        &self,
        project: &Project,
        sandbox: &SandboxProc,
    ) -> anyhow::Result<process::Finished> {
        let run = process::run(self.drupal_sync(
            project,
            &sandbox.url,
            &["plan", "--detailed-exitcode"],
        ))?;
        if run.code != 0 {
            bail!(
                "`drupal-sync plan --detailed-exitcode` exited {} (0 = no changes expected):\n{}",
                run.code,
                run.stderr_tail()
            );
        }
        Ok(run)
    }

    /// A `drupal-sync` command in `project`, pointed at `url`, with a clean environment.
    fn drupal_sync(&self, project: &Project, url: &str, args: &[&str]) -> Command {
        let mut command = Command::new(&self.exe);
        command.args(args).current_dir(&project.dir);
        for name in [
            "GITHUB_ACTIONS",
            "GITHUB_STEP_SUMMARY",
            "DRUPAL_SYNC_USERNAME",
            "DRUPAL_SYNC_TOKEN",
            "DRUPAL_SYNC_CLIENT_SECRET",
            "RUST_LOG",
        ] {
            command.env_remove(name);
        }
        command
            .env("NO_COLOR", "1")
            .env("DRUPAL_SYNC_URL", url)
            .env("DRUPAL_SYNC_PASSWORD", corpus::PASSWORD);
        command
    }

    /// The local cost of the large corpus, and its no-change plan over the network.
    fn local(&self) -> anyhow::Result<Local> {
        let pages = self.args.local_pages;
        note(&format!(
            "generating {pages} pages for the local measurements"
        ));
        let project = self.generate("local", pages, Revision::Original)?;
        let mut local = Local {
            pages,
            bytes: project.bytes,
            ..Local::default()
        };
        for run in 1..=self.args.runs {
            local
                .library_validate
                .push(self.library(local::Work::Validate, &project)?);
            local
                .library_plan
                .push(self.library(local::Work::Plan, &project)?);
            let validate =
                process::run(self.drupal_sync(&project, "http://127.0.0.1:9", &["validate"]))?;
            if validate.code != 0 {
                bail!(
                    "`drupal-sync validate` exited {}:\n{}",
                    validate.code,
                    validate.stderr_tail()
                );
            }
            note(&format!(
                "local · {pages} pages · run {run}/{}: validate {} ({}), library load {:.0} ms, library load+plan {:.0} ms",
                self.args.runs,
                report::seconds(validate.elapsed),
                validate.stdout.trim(),
                local.library_validate.last().map_or(0.0, |r| r.total_ms),
                local.library_plan.last().map_or(0.0, |r| r.total_ms),
            ));
            local
                .validate
                .push((validate.elapsed, validate.peak_rss_kib));
        }
        if !self.args.skip_network {
            local.network = Some(self.network_plan(&project)?);
        }
        Ok(local)
    }

    /// `bench local WORK DIR` in a child process.
    fn library(&self, work: local::Work, project: &Project) -> anyhow::Result<local::Report> {
        let mut command = Command::new(&self.me);
        let work = match work {
            local::Work::Validate => "validate",
            local::Work::Plan => "plan",
        };
        command.args(["local", work]).arg(&project.dir);
        let run = process::run(command)?;
        if run.code != 0 {
            bail!(
                "`bench local {work}` exited {}:\n{}",
                run.code,
                run.stderr_tail()
            );
        }
        local::parse(&run.stdout)
    }

    /// Create the large corpus on a sandbox (untimed), then time no-change plans of it.
    fn network_plan(&self, project: &Project) -> anyhow::Result<NetworkPlan> {
        let sandbox = SandboxProc::start(&self.exe, self.args.latency_ms)?;
        note(&format!(
            "creating {} pages on a sandbox ({} ms latency) for the no-change plan",
            project.pages, self.args.latency_ms
        ));
        let setup = self.publish(
            Tool::DrupalSync,
            project,
            &sandbox,
            Expect::Created(project.pages),
        )?;
        note(&format!("created in {}", report::seconds(setup)));
        let mut runs = Vec::new();
        let mut requests = Stats::default();
        for run in 1..=self.args.runs {
            let before = sandbox.stats()?;
            let plan = self.drupal_sync_plan_run(project, &sandbox)?;
            let stats = sandbox.stats()?.since(&before);
            note(&format!(
                "plan of {} pages · run {run}/{}: {} ({} requests)",
                project.pages,
                self.args.runs,
                report::seconds(plan.elapsed),
                stats.total
            ));
            runs.push((plan.elapsed, plan.peak_rss_kib));
            requests = stats;
        }
        Ok(NetworkPlan {
            setup,
            runs,
            requests,
        })
    }

    /// The images scenario: drupal-sync's first apply and no-change plan of pages embedding
    /// images, then one naive run that uploads every image again.
    fn images(&self) -> anyhow::Result<images::Images> {
        let (pages, count) = (self.args.image_pages, self.args.images.max(1));
        note(&format!(
            "generating {pages} pages embedding {count} images"
        ));
        let (project, image_bytes) = images::generate(
            &self.work.path.join("images"),
            pages,
            count,
            self.args.parallelism,
        )?;
        let sandbox = SandboxProc::start(&self.exe, self.args.latency_ms)?;
        let timed = |args: &[&str]| -> anyhow::Result<(Duration, Stats)> {
            let before = sandbox.stats()?;
            let run = process::run(self.drupal_sync(&project, &sandbox.url, args))?;
            if run.code != 0 {
                bail!(
                    "`drupal-sync {}` exited {}:\n{}",
                    args.join(" "),
                    run.code,
                    run.stderr_tail()
                );
            }
            Ok((run.elapsed, sandbox.stats()?.since(&before)))
        };
        let first_apply = timed(&["apply"])?;
        note(&format!(
            "images · first apply: {} ({} requests)",
            report::seconds(first_apply.0),
            first_apply.1.total
        ));
        let plan = timed(&["plan", "--detailed-exitcode"])?;
        note(&format!(
            "images · no-change plan: {} ({} requests)",
            report::seconds(plan.0),
            plan.1.total
        ));
        let files_before = self.runtime.block_on(images::count_files(&sandbox.url))?;
        let before = sandbox.stats()?;
        let start = Instant::now();
        self.runtime
            .block_on(images::naive_run(&sandbox.url, &project.content()))?;
        let naive = (start.elapsed(), sandbox.stats()?.since(&before));
        note(&format!(
            "images · naive run: {} ({} requests)",
            report::seconds(naive.0),
            naive.1.total
        ));
        let files_after = self.runtime.block_on(images::count_files(&sandbox.url))?;
        Ok(images::Images {
            pages,
            images: count,
            image_bytes,
            first_apply,
            plan,
            naive,
            files_after: (files_before, files_after),
        })
    }

    /// The command that regenerates this report.
    fn command_line(&self) -> String {
        let a = &self.args;
        let mut command = format!(
            "cargo run --release --bin bench -- --pages {} --runs {} --latency-ms {}",
            a.pages, a.runs, a.latency_ms
        );
        if a.parallelism != 8 {
            command.push_str(&format!(" --parallelism {}", a.parallelism));
        }
        if a.local_pages != 10_000 {
            command.push_str(&format!(" --local-pages {}", a.local_pages));
        }
        if a.skip_network {
            command.push_str(" --skip-10k-network");
        }
        command
    }
}

/// What a publishing run must have done (checked for the baseline; drupal-sync checks its
/// own exit code).
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Created this many pages (on an empty site).
    Created(usize),
    /// Updated exactly this many pages of an existing site, created none.
    Updated(usize),
}

/// A temporary directory for the generated projects, removed when dropped.
struct WorkDir {
    path: PathBuf,
}

impl WorkDir {
    fn create() -> anyhow::Result<WorkDir> {
        let path = std::env::temp_dir().join(format!(
            "drupal-sync-bench-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis())
        ));
        std::fs::create_dir_all(&path)
            .with_context(|| format!("cannot create `{}`", path.display()))?;
        Ok(WorkDir { path })
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// CPUs, memory and CPU model, from `/proc`.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let memory = read_proc_field("/proc/meminfo", "MemTotal")
        .and_then(|v| v.trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or("unknown memory".into(), |kib| {
            format!("{:.1} GiB RAM", kib / (1024.0 * 1024.0))
        });
    let model =
        read_proc_field("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown CPU".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|k| format!(", Linux {}", k.trim()))
        .unwrap_or_default();
    format!("{cpus} CPUs (nproc), {model}, {memory}{kernel}")
}

fn read_proc_field(file: impl AsRef<Path>, name: &str) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == name).then(|| value.trim().to_owned())
    })
}

/// Progress on stderr; the report goes to stdout.
fn note(text: &str) {
    eprintln!("[bench] {text}");
}
