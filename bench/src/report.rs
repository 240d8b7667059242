//! The results as Markdown: the machine, the command that regenerates them, the side-by-side
//! table, the local (no network) costs, and PASS/MISS against each target.

use std::fmt::Write as _;
use std::time::Duration;

use crate::local;
use crate::sandbox::Stats;

/// The route names `/_sandbox/stats` reports.
pub(crate) const TOKEN: &str = "POST /rest_api/id_token";
pub(crate) const LIST: &str = "GET /jsonapi/node/page";
pub(crate) const CREATE: &str = "POST /jsonapi/node/page";
pub(crate) const UPDATE: &str = "PATCH /jsonapi/node/page/{id}";
/// The site's text-format rules, read once when pages use elements a standard format drops.
pub(crate) const FORMATS: &str = "GET /jsonapi/filter_format/filter_format";
/// The JSON:API index, asked once per apply that writes aliases: does the site run pathauto?
pub(crate) const INDEX: &str = "GET /jsonapi";

/// A scenario of the side-by-side comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scenario {
    /// (a) create N pages on an empty site.
    Create,
    /// (b) find out that nothing changed.
    NoChangePlan,
    /// (c) publish again after 10% of the pages changed.
    TenPercentApply,
}

impl Scenario {
    /// All scenarios, in report order.
    pub(crate) const ALL: [Scenario; 3] = [
        Scenario::Create,
        Scenario::NoChangePlan,
        Scenario::TenPercentApply,
    ];

    /// How the scenario reads in the table.
    pub(crate) fn describe(self, pages: usize, changed: usize) -> String {
        match self {
            Scenario::Create => format!("(a) create {pages} pages on an empty site"),
            Scenario::NoChangePlan => format!("(b) plan, nothing changed ({pages} pages)"),
            Scenario::TenPercentApply => {
                format!("(c) apply, {changed} of {pages} pages changed")
            }
        }
    }
}

/// Who is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tool {
    DrupalSync,
    Baseline,
}

impl Tool {
    /// How the tool reads in the table.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Tool::DrupalSync => "drupal-sync",
            Tool::Baseline => "baseline script",
        }
    }
}

/// One scenario measured for one tool.
#[derive(Debug, Clone)]
pub(crate) struct Measurement {
    pub scenario: Scenario,
    pub tool: Tool,
    /// Wall time of each run.
    pub times: Vec<Duration>,
    /// Requests of the timed part (the first run's).
    pub requests: Stats,
    /// Whether every run made exactly the same requests.
    pub consistent: bool,
}

impl Measurement {
    /// Median wall time.
    pub(crate) fn median(&self) -> Duration {
        median(&self.times)
    }
}

/// The 10,000-page measurements.
#[derive(Debug, Clone, Default)]
pub(crate) struct Local {
    pub pages: usize,
    pub bytes: u64,
    /// `bench local validate` runs.
    pub library_validate: Vec<local::Report>,
    /// `bench local plan` runs.
    pub library_plan: Vec<local::Report>,
    /// `drupal-sync validate`: wall time and sampled peak RSS (KiB) of each run.
    pub validate: Vec<(Duration, u64)>,
    /// The no-change plan against a sandbox, unless skipped.
    pub network: Option<NetworkPlan>,
}

/// `drupal-sync plan --detailed-exitcode` of the large corpus against a sandbox.
#[derive(Debug, Clone)]
pub(crate) struct NetworkPlan {
    /// The untimed `apply` that created the pages first.
    pub setup: Duration,
    /// Wall time and sampled peak RSS (KiB) of each plan.
    pub runs: Vec<(Duration, u64)>,
    pub requests: Stats,
}

/// Where and how the numbers were made.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub command: String,
    pub machine: String,
    pub pages: usize,
    pub bytes: u64,
    pub changed: usize,
    pub runs: usize,
    pub latency_ms: u64,
    pub parallelism: usize,
}

/// A target and how it fared.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    pub target: String,
    pub measured: String,
    /// `None` when not measured in this run.
    pub pass: Option<bool>,
}

/// The whole report.
pub(crate) fn render(context: &Context, results: &[Measurement], local: &Local) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Machine: {}  ", context.machine);
    let _ = writeln!(out, "Command: `{}`  ", context.command);
    let _ = writeln!(
        out,
        "Setup: a fresh `drupal-sync sandbox --latency-ms {}` per run (every request waits {} ms; \
         a real Drupal site answers in 20–30 ms, drupal-wire §4); {} generated Markdown pages \
         ({:.1} MB, 1–20 KB each, 10 folders); drupal-sync `[sync].parallelism = {}`; \
         median of {} run(s); the prior state of (b) and (c) is made by the same tool, untimed.\n",
        context.latency_ms,
        context.latency_ms,
        context.pages,
        context.bytes as f64 / 1e6,
        context.parallelism,
        context.runs
    );
    out.push_str(&side_by_side(context, results));
    out.push('\n');
    out.push_str(&local_table(local));
    out.push('\n');
    out.push_str(&verdicts(&targets(context, results, local)));
    out
}

fn side_by_side(context: &Context, results: &[Measurement]) -> String {
    let mut out = String::from(
        "| scenario | tool | median wall time | requests by route | baseline / drupal-sync |\n\
         |---|---|---:|---|---:|\n",
    );
    for scenario in Scenario::ALL {
        let ours = find(results, scenario, Tool::DrupalSync);
        let theirs = find(results, scenario, Tool::Baseline);
        let ratio = match (ours, theirs) {
            (Some(o), Some(t)) => format!("**{:.1}×**", ratio(t.median(), o.median())),
            _ => "—".into(),
        };
        for (m, ratio) in [(ours, ratio), (theirs, String::new())] {
            let Some(m) = m else { continue };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {}{} | {} |",
                scenario.describe(context.pages, context.changed),
                m.tool.name(),
                seconds(m.median()),
                routes(&m.requests),
                if m.consistent {
                    ""
                } else {
                    " (varied between runs)"
                },
                ratio
            );
        }
    }
    out
}

fn local_table(local: &Local) -> String {
    let html = local.library_validate.first().map_or(0, |r| r.body_bytes);
    let mut out = format!(
        "Local cost of {} pages ({:.0} MB of Markdown, {:.0} MB of rendered HTML):\n\n\
         | measurement | median wall time | peak RSS |\n|---|---:|---:|\n",
        local.pages,
        local.bytes as f64 / 1e6,
        html as f64 / 1e6
    );
    let row = |out: &mut String, what: &str, time: Option<Duration>, rss: Option<u64>| {
        let _ = writeln!(
            out,
            "| {what} | {} | {} |",
            time.map_or("—".into(), seconds),
            rss.map_or("—".into(), megabytes)
        );
    };
    let library = |reports: &[local::Report], pick: fn(&local::Report) -> f64| {
        let times: Vec<Duration> = reports
            .iter()
            .map(|r| Duration::from_secs_f64(pick(r) / 1000.0))
            .collect();
        (!times.is_empty()).then(|| median(&times))
    };
    let peak = |reports: &[local::Report]| reports.iter().map(|r| r.peak_rss_kib).max();
    row(
        &mut out,
        "library: `content::load` (read, parse, render, validate)",
        library(&local.library_validate, |r| r.total_ms),
        peak(&local.library_validate),
    );
    row(
        &mut out,
        "library: `content::load` + no-change `plan::plan` vs in-memory state",
        library(&local.library_plan, |r| r.total_ms),
        peak(&local.library_plan),
    );
    row(
        &mut out,
        "library: of which `plan::plan` (incl. building the remote state)",
        library(&local.library_plan, |r| r.plan_ms),
        None,
    );
    let (time, rss) = executable(&local.validate);
    row(&mut out, "`drupal-sync validate` (executable)", time, rss);
    match &local.network {
        Some(network) => {
            let (time, rss) = executable(&network.runs);
            row(
                &mut out,
                &format!(
                    "`drupal-sync plan --detailed-exitcode` vs sandbox, no change ({})",
                    routes(&network.requests)
                ),
                time,
                rss,
            );
            row(
                &mut out,
                "`drupal-sync apply` creating them first (setup, 1 run)",
                Some(network.setup),
                None,
            );
        }
        None => row(
            &mut out,
            "`drupal-sync plan` vs sandbox: skipped (`--skip-10k-network`)",
            None,
            None,
        ),
    }
    out.push_str(
        "\nPeak RSS of the executables is sampled from `/proc/PID/status` every 2 ms; the \
         library rows print their own `VmHWM`.\n",
    );
    out
}

fn executable(runs: &[(Duration, u64)]) -> (Option<Duration>, Option<u64>) {
    let times: Vec<Duration> = runs.iter().map(|(t, _)| *t).collect();
    (
        (!times.is_empty()).then(|| median(&times)),
        runs.iter().map(|(_, rss)| *rss).max(),
    )
}

/// Each target of the issue, measured.
pub(crate) fn targets(context: &Context, results: &[Measurement], local: &Local) -> Vec<Verdict> {
    let n = context.pages;
    let reads = n.div_ceil(50) as u64;
    let mut verdicts = Vec::new();

    // The generated pages hold tables and code blocks, which `basic_html` drops, so every
    // command reads the site's text-format rules once (a site may allow them); an apply
    // that writes aliases asks the JSON:API index once whether pathauto runs.
    let mut expected_plan = Stats::default();
    expected_plan.by_route.insert(TOKEN.into(), 1);
    expected_plan.by_route.insert(FORMATS.into(), 1);
    expected_plan.by_route.insert(LIST.into(), reads);
    expected_plan.total = 2 + reads;
    let measured = find(results, Scenario::NoChangePlan, Tool::DrupalSync);
    verdicts.push(Verdict {
        target: format!(
            "no-change plan of {n} pages = 1 token + 1 text-format read + {reads} reads"
        ),
        measured: measured.map_or("not run".into(), |m| routes(&m.requests)),
        pass: measured.map(|m| m.requests == expected_plan && m.consistent),
    });

    let mut expected_apply = expected_plan.clone();
    expected_apply
        .by_route
        .insert(UPDATE.into(), context.changed as u64);
    expected_apply.total += context.changed as u64;
    let measured = find(results, Scenario::TenPercentApply, Tool::DrupalSync);
    verdicts.push(Verdict {
        target: format!(
            "apply with {} pages changed = that + {} PATCH, nothing else",
            context.changed, context.changed
        ),
        measured: measured.map_or("not run".into(), |m| routes(&m.requests)),
        pass: measured.map(|m| m.requests == expected_apply && m.consistent),
    });

    let mut expected_create = expected_plan.clone();
    expected_create.by_route.insert(CREATE.into(), n as u64);
    expected_create.by_route.insert(INDEX.into(), 1);
    expected_create.total += n as u64 + 1;
    let measured = find(results, Scenario::Create, Tool::DrupalSync);
    verdicts.push(Verdict {
        target: format!("(also checked) create of {n} pages = that + 1 pathauto probe + {n} POST"),
        measured: measured.map_or("not run".into(), |m| routes(&m.requests)),
        pass: measured.map(|m| m.requests == expected_create && m.consistent),
    });

    let ours = find(results, Scenario::Create, Tool::DrupalSync);
    let theirs = find(results, Scenario::Create, Tool::Baseline);
    let speedup = ours.zip(theirs).map(|(o, t)| ratio(t.median(), o.median()));
    verdicts.push(Verdict {
        target: format!("create {n} pages ≥ 6× faster than the baseline"),
        measured: speedup.map_or("not run".into(), |s| {
            format!(
                "{s:.1}× ({} vs {})",
                seconds(ours.map(Measurement::median).unwrap_or_default()),
                seconds(theirs.map(Measurement::median).unwrap_or_default())
            )
        }),
        pass: speedup.map(|s| s >= 6.0),
    });

    let plan = local
        .network
        .as_ref()
        .and_then(|network| executable(&network.runs).0);
    verdicts.push(Verdict {
        target: format!("no-change plan of {} pages < 2 s", local.pages),
        measured: plan.map_or("skipped".into(), seconds),
        pass: plan.map(|t| t < Duration::from_secs(2)),
    });

    let (time, sampled) = executable(&local.validate);
    let library_peak = local.library_validate.iter().map(|r| r.peak_rss_kib).max();
    let rss = sampled.max(library_peak);
    verdicts.push(Verdict {
        target: format!(
            "`validate` of {} pages < 1.5 s and < 300 MB peak RSS",
            local.pages
        ),
        measured: format!(
            "{}, {}",
            time.map_or("—".into(), seconds),
            rss.map_or("—".into(), megabytes)
        ),
        pass: time
            .zip(rss)
            .map(|(t, kib)| t < Duration::from_millis(1500) && kib as f64 * 1024.0 < 300e6),
    });
    verdicts
}

fn verdicts(verdicts: &[Verdict]) -> String {
    let mut out = String::from("| target | measured | result |\n|---|---|---|\n");
    for v in verdicts {
        let result = match v.pass {
            Some(true) => "PASS",
            Some(false) => "**MISS**",
            None => "not measured",
        };
        let _ = writeln!(out, "| {} | {} | {result} |", v.target, v.measured);
    }
    out
}

fn find(results: &[Measurement], scenario: Scenario, tool: Tool) -> Option<&Measurement> {
    results
        .iter()
        .find(|m| m.scenario == scenario && m.tool == tool)
}

/// Requests by route, as `1 × POST /rest_api/id_token<br>20 × GET /jsonapi/node/page`.
pub(crate) fn routes(stats: &Stats) -> String {
    if stats.by_route.is_empty() {
        return "none".into();
    }
    let mut routes: Vec<(&String, &u64)> = stats.by_route.iter().collect();
    // Token first, then reads, then writes: the order a run makes them in.
    routes.sort_by_key(|(route, _)| {
        let rank = match route.split(' ').next() {
            _ if route.as_str() == TOKEN => 0,
            Some("GET") => 1,
            Some("POST") => 2,
            _ => 3,
        };
        (rank, (*route).clone())
    });
    routes
        .iter()
        .map(|(route, n)| format!("{n} × `{route}`"))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// The median (the mean of the middle two for an even count).
pub(crate) fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    match sorted.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

fn ratio(slow: Duration, fast: Duration) -> f64 {
    slow.as_secs_f64() / fast.as_secs_f64().max(1e-9)
}

/// `3.41 s` or `850 ms`.
pub(crate) fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

fn megabytes(kib: u64) -> String {
    format!("{:.0} MB", kib as f64 * 1024.0 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        let ms = |v: &[u64]| {
            v.iter()
                .map(|m| Duration::from_millis(*m))
                .collect::<Vec<_>>()
        };
        assert_eq!(median(&ms(&[3, 1, 2])), Duration::from_millis(2));
        assert_eq!(
            median(&ms(&[4, 1, 2, 3])),
            Duration::from_millis(2500) / 1000
        );
        assert_eq!(median(&[]), Duration::ZERO);
    }

    #[test]
    fn routes_read_in_request_order() {
        let mut stats = Stats::default();
        stats.by_route.insert(UPDATE.into(), 100);
        stats.by_route.insert(LIST.into(), 20);
        stats.by_route.insert(TOKEN.into(), 1);
        assert_eq!(
            routes(&stats),
            "1 × `POST /rest_api/id_token`<br>20 × `GET /jsonapi/node/page`<br>100 × `PATCH /jsonapi/node/page/{id}`"
        );
    }
}
