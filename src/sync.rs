//! The `plan` and `apply` commands: load content, connect to the site (or an in-process
//! sandbox), read the remote state, plan, render, and apply. The saved-plan file format
//! (`plan --out`, `apply FILE`) is [`saved`]; the record of pages seen on a site, [`known`].

pub mod known;
pub mod saved;

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::ValueEnum;
use rand::distr::{Alphanumeric, SampleString};

use crate::apply::{self, ApplyOptions, ApplyReport};
use crate::cli::{ApplyArgs, ApplyFormat, Cli, PlanArgs, PlanFormat, SyncArgs};
use crate::config::{Overrides, Provider, Settings, SiteUrl};
use crate::drupal::Site;
use crate::formats;
use crate::menu;
use crate::page::Page;
use crate::plan::{self, OnDrift, Plan, PlanOptions};
use crate::report::{self, Style};
use crate::sandbox::{Role, Sandbox, SandboxOptions, User};
use crate::secret::Secret;
use crate::{load_content, load_settings, Exit, Output};
use known::KnownPages;
use saved::SavedPlan;

/// A connected site, and the sandbox behind it when `--sandbox` was given.
struct Target {
    site: Site,
    url: SiteUrl,
    _sandbox: Option<Sandbox>,
    /// Where the pages known to exist on this site are remembered (none for a sandbox).
    known: Option<KnownPages>,
}

/// `drupal-sync plan`.
pub async fn plan(cli: &Cli, args: &PlanArgs, output: &Output) -> anyhow::Result<Exit> {
    if args.out.is_some() && args.sync.sandbox {
        bail!("`--out` cannot be used with `--sandbox`: the sandbox site is gone when this command ends, so the saved plan could never be applied\n  hint: use `--format json` to keep the plan as data");
    }
    let mut settings = settings(cli, &args.sync, None)?;
    settings.content.strict = args.strict;
    let content = load_content(&settings, output)?;
    let target = connect(&mut settings, args.sync.sandbox).await?;
    let mut plan = make_plan(&target, &settings, &content, output).await?;
    plan.warnings = format_warnings(&target, &content.pages).await;

    match args.format {
        PlanFormat::Human => output.data(&report::human::plan(
            &plan,
            &Style {
                color: output.color_stdout,
            },
        )),
        PlanFormat::Json => output.data(&report::json::plan_text(
            &plan,
            target.url.as_str(),
            settings.api.as_str(),
        )),
        PlanFormat::Markdown => output.data(&report::markdown::plan(&plan, target.url.as_str())),
    }
    if output.github {
        step_summary(output, &report::markdown::plan(&plan, target.url.as_str()));
        let kind = if args.strict { "error" } else { "warning" };
        for w in &plan.warnings {
            output.line(&report::github::annotation(
                kind,
                &w.source,
                w.line,
                &w.message(),
            ));
        }
    }
    if args.strict && !plan.warnings.is_empty() {
        bail!(
            "--strict: {} page{} would lose markup under {} text format (listed above); nothing was saved",
            plan.warnings.len(),
            crate::report::plural(plan.warnings.len()),
            if plan.warnings.len() == 1 { "its" } else { "their" },
        );
    }
    if let Some(path) = &args.out {
        save(path, &plan, &settings, &target.url)?;
        output.note(&format!(
            "Saved the plan to {}; apply it with `drupal-sync apply {}`.",
            path.display(),
            path.display()
        ));
    }
    refuse_drift(&plan, &settings)?;
    if settings.prune {
        if let Err(refusal) = check_prune(&plan, &content.pages, &settings, false) {
            output.note(&format!("warning: {refusal}"));
        }
    }
    Ok(if args.detailed_exitcode && !plan.is_empty() {
        Exit::Changes
    } else {
        Exit::Success
    })
}

/// Flags that would silently do nothing with `apply PLAN_FILE` are refused: the saved plan
/// already fixes its deletions and drift handling, and names the site it was made for.
fn refuse_with_saved_plan(path: &Path, sync: &SyncArgs) -> anyhow::Result<()> {
    let shown = path.display();
    if sync.prune {
        bail!("`--prune` cannot be used with a saved plan: `{shown}` already holds the deletions it was made with\n  hint: make the plan with `drupal-sync plan --prune --out {shown}`");
    }
    if let Some(on_drift) = sync.on_drift {
        let name = on_drift
            .to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default();
        bail!("`--on-drift {name}` cannot be used with a saved plan: `{shown}` already decided what to do with drifted pages\n  hint: make the plan with `drupal-sync plan --on-drift {name} --out {shown}`");
    }
    if sync.sandbox {
        bail!("`--sandbox` cannot be used with a saved plan: a saved plan is applied to the site it was made for, and `--sandbox` starts a new, empty one");
    }
    Ok(())
}

/// `drupal-sync apply`.
pub async fn apply(cli: &Cli, args: &ApplyArgs, output: &Output) -> anyhow::Result<Exit> {
    if let Some(path) = &args.plan_file {
        refuse_with_saved_plan(path, &args.sync)?;
    }
    let mut settings = settings(cli, &args.sync, args.parallelism)?;
    let (plan, target) = match &args.plan_file {
        Some(path) => {
            let mut saved = load_saved(path, &settings)?;
            let target = connect(&mut settings, args.sync.sandbox).await?;
            check_fresh(&target.site, &saved.plan).await?;
            crate::files::recheck(&target.site, &settings.content.dir, &mut saved.plan).await?;
            check_fresh_menu(&target.site, &saved.plan, &settings.namespace).await?;
            (saved.plan, target)
        }
        None => {
            let content = load_content(&settings, output)?;
            let target = connect(&mut settings, args.sync.sandbox).await?;
            let mut plan = make_plan(&target, &settings, &content, output).await?;
            plan.warnings = format_warnings(&target, &content.pages).await;
            refuse_drift(&plan, &settings)?;
            if settings.prune {
                check_prune(&plan, &content.pages, &settings, args.allow_mass_delete)?;
            }
            (plan, target)
        }
    };

    let human = args.format == ApplyFormat::Human;
    if human {
        output.data(&report::human::plan(
            &plan,
            &Style {
                color: output.color_stdout,
            },
        ));
    }
    let report = if plan.is_empty() {
        ApplyReport::default()
    } else {
        run_apply(&target.site, &plan, &settings, output).await
    };
    if let Some(known) = &target.known {
        known.remember(&plan, &report);
    }
    for warning in written_format_warnings(&plan, &report) {
        output.note(&format!("warning: {warning} (the site's answer shows it)"));
    }
    if human {
        if !plan.is_empty() {
            output.data(&report::human::apply(
                &report,
                &Style {
                    color: output.color_stdout,
                },
            ));
        }
    } else {
        output.data(&report::json::apply_text(
            &plan,
            &report,
            target.url.as_str(),
            settings.api.as_str(),
        ));
    }
    if output.github {
        for upload in &report.uploads {
            if let Err(reason) = &upload.outcome {
                output.line(&report::github::annotation(
                    "error",
                    &upload.upload.source,
                    1,
                    reason,
                ));
            }
        }
        for failure in report.failures() {
            if let (Some(source), apply::Outcome::Failed(reason)) =
                (&failure.change.source, &failure.outcome)
            {
                output.line(&report::github::annotation(
                    "error",
                    &source.path,
                    source.line,
                    reason,
                ));
            }
        }
        for failure in report.menu_failures() {
            if let (Some(link), menu::apply::LinkOutcome::Failed(reason)) =
                (&failure.change.link, &failure.outcome)
            {
                output.line(&report::github::annotation_at(
                    "error",
                    &link.source.path,
                    link.at.0,
                    link.at.1,
                    &format!("menu link {}: {reason}", failure.change.path()),
                ));
            }
        }
        step_summary(
            output,
            &report::markdown::apply(&report, target.url.as_str()),
        );
    }
    tracing::info!(
        "{} API requests, {} token request(s)",
        target.site.requests(),
        target.site.token_requests()
    );
    let failed_uploads = report.uploads.iter().filter(|u| u.outcome.is_err()).count();
    if failed_uploads > 0 {
        output.error(&format!(
            "{failed_uploads} of {} upload{} failed; the pages that embed {} were not written",
            report.uploads.len(),
            crate::report::plural(report.uploads.len()),
            if failed_uploads == 1 { "it" } else { "them" },
        ));
    }
    if let Some(shortfall) = report.shortfall() {
        output.error(&shortfall);
    }
    Ok(if report.success() {
        Exit::Success
    } else {
        Exit::Failure
    })
}

async fn run_apply(site: &Site, plan: &Plan, settings: &Settings, output: &Output) -> ApplyReport {
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let stop = stop.clone();
        let output = *output;
        // Registered before the first write: CI systems cancel jobs with SIGTERM, which
        // stops like Ctrl-C (CONTRACT §4).
        let signals = StopSignals::register();
        tokio::spawn(async move {
            if signals.recv().await {
                stop.store(true, Ordering::SeqCst);
                output.note("interrupted: starting no new writes; waiting for those in flight…");
            }
        })
    };
    let options = ApplyOptions {
        parallelism: settings.parallelism,
        revision_log: settings.revision_log.clone(),
    };
    let uploads = crate::files::upload_all(
        site,
        &settings.content.dir,
        &plan.uploads,
        settings.parallelism,
        stop.clone(),
    )
    .await;
    let plan = &crate::files::embed_plan(plan, &uploads);
    let progress = report::progress::Progress::new(plan.changes.len(), output.progress());
    let mut report = apply::apply(site, plan, &options, stop, &|r| progress.record(r)).await;
    report.uploads = uploads;
    progress.finish();
    watcher.abort();
    report
}

/// SIGINT (Ctrl-C) and, on Unix, SIGTERM: either asks apply to stop.
struct StopSignals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl StopSignals {
    fn register() -> StopSignals {
        StopSignals {
            #[cfg(unix)]
            term: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok(),
        }
    }

    /// Waits for the first signal; `false` when none can be received.
    async fn recv(self) -> bool {
        #[cfg(unix)]
        if let Some(mut term) = self.term {
            return tokio::select! {
                interrupted = tokio::signal::ctrl_c() => interrupted.is_ok(),
                terminated = term.recv() => terminated.is_some(),
            };
        }
        tokio::signal::ctrl_c().await.is_ok()
    }
}

/// Warnings of a plan: by the standard formats' rules, and by the site's own rules, read
/// once, when some page uses a format or an element those rules alone cannot judge.
async fn format_warnings(target: &Target, pages: &[Page]) -> Vec<formats::FormatWarning> {
    let origin = formats::SiteOrigin::of(target.url.url());
    let mut known = formats::Formats::builtin();
    if formats::pages_need_site_rules(pages) {
        match target.site.text_formats().await {
            Ok(site) if !site.is_empty() => known = known.with_site(site),
            Ok(_) => tracing::info!(
                "the account may not read the site's text formats (\"administer filters\"): judging pages by the standard profile's formats"
            ),
            Err(e) => tracing::info!(
                "cannot read the site's text formats ({e}): judging pages by the standard profile's formats"
            ),
        }
    }
    formats::warnings(pages, &known, &origin)
}

/// What the site's answers to the writes show was dropped, for pages the plan had not
/// already warned about.
fn written_format_warnings(plan: &Plan, report: &ApplyReport) -> Vec<formats::FormatWarning> {
    report
        .results
        .iter()
        .filter_map(|result| {
            let apply::Outcome::Done(Some(node)) = &result.outcome else {
                return None;
            };
            let page = result.change.page.as_ref()?;
            if plan.warnings.iter().any(|w| w.key == page.key) {
                return None;
            }
            formats::check_write(page, node)
        })
        .collect()
}

/// Append Markdown to the GitHub Actions step summary; a failure is a warning, not an error.
fn step_summary(output: &Output, markdown: &str) {
    if let Err(e) = report::github::append_step_summary(markdown) {
        output.note(&format!(
            "warning: cannot append to $GITHUB_STEP_SUMMARY: {e}"
        ));
    }
}

/// Resolve the settings of `plan` and `apply`: the one place their flags are read into
/// [`Settings`].
fn settings(cli: &Cli, sync: &SyncArgs, parallelism: Option<usize>) -> anyhow::Result<Settings> {
    load_settings(
        cli,
        Overrides {
            parallelism,
            strict: false,
            password: password_from_stdin(sync.password_stdin)?,
            on_drift: sync.on_drift.map(Into::into).unwrap_or_default(),
            prune: sync.prune,
        },
    )
}

/// `--password-stdin`: the password is standard input without its line ending.
fn password_from_stdin(wanted: bool) -> anyhow::Result<Option<Secret>> {
    if !wanted {
        return Ok(None);
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("cannot read the password from standard input")?;
    let password = text.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("--password-stdin: standard input was empty");
    }
    Ok(Some(Secret::new(password)))
}

/// Connect to the configured site, or start an in-process sandbox with fresh credentials.
async fn connect(settings: &mut Settings, sandbox: bool) -> anyhow::Result<Target> {
    let sandbox = if sandbox {
        let password = Alphanumeric.sample_string(&mut rand::rng(), 24);
        let sandbox = Sandbox::start(
            "127.0.0.1:0".parse()?,
            SandboxOptions {
                users: vec![User {
                    name: "drupal-sync".into(),
                    password: password.clone(),
                    role: Role::Admin,
                }],
                data: None,
                latency: std::time::Duration::ZERO,
                fail_rate: 0.0,
                fault_seed: 1,
                token_ttl: std::time::Duration::from_secs(3600),
                file_fields: sandbox_file_fields(&settings.files),
                jsonapi: true,
                pathauto: None,
                text_formats: Vec::new(),
            },
        )
        .await
        .context("cannot start the sandbox")?;
        settings.base_url = Some(crate::config::parse_base_url(&sandbox.url)?);
        settings.url_source = "the in-process sandbox (`--sandbox`)".into();
        settings.auth.username = Some("drupal-sync".into());
        settings.auth.password = Some(Secret::new(password.clone()));
        settings.auth.client_id = Some("drupal-sync".into());
        settings.auth.client_secret = Some(Secret::new(password));
        if settings.auth.provider == Provider::Token {
            settings.auth.provider = Provider::Miniorange;
        }
        Some(sandbox)
    } else {
        None
    };
    let base = settings.base_url.clone().ok_or_else(|| {
        anyhow::anyhow!(
            "no site url: set [site].url in {} or DRUPAL_SYNC_URL\n  hint: `--sandbox` runs against a throwaway local site",
            settings.config_path.display()
        )
    })?;

    let site = Site::connect(settings, base.clone())?;
    let known = sandbox
        .is_none()
        .then(|| KnownPages::beside(&settings.config_path, base.as_str(), &settings.namespace));
    Ok(Target {
        site,
        url: base,
        _sandbox: sandbox,
        known,
    })
}

/// The file fields a throwaway sandbox offers: the configured ones, the images field taking
/// image files and the documents field common document types.
fn sandbox_file_fields(
    files: &crate::files::FileSettings,
) -> Vec<crate::sandbox::files::FileField> {
    const DOCUMENTS: &[&str] = &[
        "txt", "pdf", "doc", "docx", "odt", "xls", "xlsx", "ods", "ppt", "pptx", "odp", "csv",
        "zip", "svg",
    ];
    let field =
        |path: &crate::files::FieldPath, extensions: &[&str]| crate::sandbox::files::FileField {
            entity: path.entity.clone(),
            bundle: path.bundle.clone(),
            field: path.field.clone(),
            extensions: extensions.iter().map(|e| (*e).to_owned()).collect(),
        };
    files
        .images
        .iter()
        .map(|p| field(p, crate::files::IMAGE_EXTENSIONS))
        .chain(files.documents.iter().map(|p| field(p, DOCUMENTS)))
        .collect()
}

async fn make_plan(
    target: &Target,
    settings: &Settings,
    content: &crate::content::Content,
    output: &Output,
) -> anyhow::Result<Plan> {
    let pages = &content.pages;
    let prune = settings.prune.then_some(settings.namespace.as_str());
    let remote = target.site.read(pages, prune).await.map_err(|errors| {
        let mut text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        // One unreachable site fails every page's read alike: say it once.
        text.dedup();
        anyhow::anyhow!("{}", text.join("\n"))
    })?;
    let local = crate::files::read_local(
        &settings.content.dir,
        &settings.content.display_base,
        pages,
        &settings.files,
    )?;
    let resolution = crate::files::resolve(&target.site, &local, pages, &remote.pages).await?;
    if let Some(note) = &resolution.note {
        output.note(note);
    }
    if remote.pages.values().any(|n| n.revision_log.is_none()) {
        output.note(
            "note: the site shows this account no revision logs, so edits made in Drupal cannot be \
             told from changes in git (no drift detection)\n  hint: grant the account \"View all revisions\"",
        );
    }
    let mut plan = plan::plan(
        &resolution.pages,
        &remote,
        &PlanOptions {
            namespace: settings.namespace.clone(),
            on_drift: settings.on_drift,
            known: target
                .known
                .as_ref()
                .map(KnownPages::load)
                .unwrap_or_default(),
            lookup_by_uuid: settings.api == crate::config::Api::Jsonapi,
        },
    );
    plan.uploads = crate::files::uploads(&plan, &resolution.missing);
    plan_menus(
        target,
        settings,
        content,
        &remote,
        settings.prune,
        &mut plan,
    )
    .await?;
    Ok(plan)
}

/// Add the menu link changes to `plan` (CONTRACT §8): one listing of the namespace's links
/// (50 per request) when the content declares links or `--prune` may delete some; and, when
/// links change, one read of the site's menus, refusing unknown menus and accounts without
/// "administer menu" before anything is written.
async fn plan_menus(
    target: &Target,
    settings: &Settings,
    content: &crate::content::Content,
    remote: &plan::RemoteState,
    prune: bool,
    plan: &mut Plan,
) -> anyhow::Result<()> {
    if content.links.is_empty() && !prune {
        return Ok(());
    }
    let api = target.site.menus();
    let links = match api.links(&namespace_prefix(&settings.namespace)).await? {
        Some(links) => links,
        // A site without menu links has none to prune.
        None if content.links.is_empty() => Vec::new(),
        None => bail!(
            "the site has no JSON:API resource for menu links (GET {} answered 404), but the content declares {} link{}\n  hint: enable Drupal's JSON:API and Custom Menu Links modules, or remove `menu:` and [menus].folders",
            "/jsonapi/menu_link_content/menu_link_content",
            content.links.len(),
            crate::report::plural(content.links.len())
        ),
    };
    let context = menu::LinkContext {
        nids: remote
            .pages
            .iter()
            .filter_map(|(uuid, node)| node.nid.map(|nid| (*uuid, nid)))
            .collect(),
        keys: content.pages.iter().map(|p| p.key.as_str()).collect(),
        namespace: &settings.namespace,
        prune,
    };
    let (changes, unchanged) = menu::plan(&content.links, &links, &context);
    if !changes.is_empty() {
        let menus = api.menus().await?;
        let account = settings.auth.username.as_deref().unwrap_or("in use");
        let problems = menu::check_menus(
            &changes,
            menus.as_deref(),
            account,
            &settings.menus,
            &crate::display_dir(&settings.config_path),
        );
        if !problems.is_empty() {
            bail!("{}", problems.join("\n"));
        }
    }
    plan.menu = changes;
    plan.menu_unchanged = unchanged;
    Ok(())
}

/// The UUID prefix every page and link of `namespace` shares (its first 6 bytes).
fn namespace_prefix(namespace: &str) -> String {
    crate::page::derive_uuid(namespace, "")
        .to_string()
        .chars()
        .take(13)
        .collect()
}

/// Refuse a saved plan when a menu link it changes was changed on the site since.
async fn check_fresh_menu(site: &Site, plan: &Plan, namespace: &str) -> anyhow::Result<()> {
    if plan.menu.is_empty() {
        return Ok(());
    }
    let current = site
        .menus()
        .links(&namespace_prefix(namespace))
        .await?
        .unwrap_or_default();
    let stale: Vec<String> = menu::stale(&plan.menu, &current)
        .iter()
        .map(|c| format!("  {} menu link {}", c.action.as_str(), c.path()))
        .collect();
    if !stale.is_empty() {
        bail!(
            "the saved plan is stale: {} menu link{} changed on the site since it was made; nothing was written:\n{}\n  hint: make a new plan",
            stale.len(),
            crate::report::plural(stale.len()),
            stale.join("\n")
        );
    }
    Ok(())
}

fn refuse_drift(plan: &Plan, settings: &Settings) -> anyhow::Result<()> {
    if settings.on_drift != OnDrift::Fail {
        return Ok(());
    }
    let drifted: Vec<String> = plan
        .drifted()
        .map(|c| {
            let source = c
                .source
                .as_ref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            format!("  {}{source}", c.alias)
        })
        .collect();
    if drifted.is_empty() {
        return Ok(());
    }
    bail!(
        "{} page{} edited on the site since drupal-sync last wrote {} (--on-drift fail); nothing was written:\n{}",
        drifted.len(),
        if drifted.len() == 1 { " was" } else { "s were" },
        if drifted.len() == 1 { "it" } else { "them" },
        drifted.join("\n")
    )
}

fn check_prune(
    plan: &Plan,
    pages: &[Page],
    settings: &Settings,
    allow_mass_delete: bool,
) -> Result<(), plan::PruneRefusal> {
    plan::check_prune(
        plan,
        pages.len(),
        &settings.namespace,
        settings.max_prune,
        allow_mass_delete,
    )
}

/// What this run's plan is made for, or a saved plan must have been made for.
fn made<'a>(settings: &'a Settings, site: Option<&'a str>) -> saved::Made<'a> {
    saved::Made {
        site,
        api: settings.api.as_str(),
        bundle: &settings.bundle,
        namespace: &settings.namespace,
    }
}

fn save(path: &Path, plan: &Plan, settings: &Settings, url: &SiteUrl) -> anyhow::Result<()> {
    let saved = SavedPlan::new(
        plan.clone(),
        url.as_str(),
        &made(settings, Some(url.as_str())),
    );
    std::fs::write(path, saved.to_json())
        .with_context(|| format!("cannot write the plan to `{}`", path.display()))
}

fn load_saved(path: &Path, settings: &Settings) -> anyhow::Result<SavedPlan> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the plan `{}`", path.display()))?;
    let saved = saved::parse(&text).map_err(|e| match e {
        saved::ParseError::Malformed(e) => anyhow::Error::new(e).context(format!(
            "`{}` is not a drupal-sync plan file",
            path.display()
        )),
        format @ saved::ParseError::Format { .. } => {
            anyhow::anyhow!("`{}` is {format}", path.display())
        }
    })?;
    let url = settings.base_url.as_ref().map(SiteUrl::as_str);
    if let Err(m) = saved.check(&made(settings, url)) {
        bail!(
            "the plan `{}` was made for {} `{}`, but this run targets `{}`; nothing was written\n  hint: make a new plan with `drupal-sync plan --out FILE`",
            path.display(),
            m.what,
            m.planned,
            m.now
        );
    }
    Ok(saved)
}

/// Refuse a saved plan when any page it targets changed on the site since it was made.
async fn check_fresh(site: &Site, plan: &Plan) -> anyhow::Result<()> {
    let current = site.current(&plan.changes).await?;
    let mut stale = Vec::new();
    for change in &plan.changes {
        let same = match (&change.remote, current.get(&change.uuid)) {
            (None, None) => true,
            (Some(before), Some(now)) => {
                before.changed == now.changed
                    && before.vid == now.vid
                    && plan::diff_remote(before, now).is_empty()
            }
            _ => false,
        };
        if !same {
            let source = change
                .source
                .as_ref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            stale.push(format!(
                "  {} {}{source}",
                change.action.as_str(),
                change.alias
            ));
        }
    }
    if !stale.is_empty() {
        bail!(
            "the saved plan is stale: {} target page{} changed on the site since it was made; nothing was written:\n{}\n  hint: make a new plan",
            stale.len(),
            crate::report::plural(stale.len()),
            stale.join("\n")
        );
    }
    Ok(())
}

/// A site connected for a command other than plan and apply (`import`): the settings, the
/// site, its URL, and the sandbox behind it, kept alive while the value lives.
pub(crate) struct Connection {
    pub settings: Settings,
    pub site: Site,
    pub url: SiteUrl,
    _sandbox: Option<Sandbox>,
}

/// Resolve the settings, check them with `check` before any request, and connect as `plan`
/// does.
pub(crate) async fn connect_for(
    cli: &Cli,
    password_stdin: bool,
    sandbox: bool,
    check: impl FnOnce(&Settings) -> anyhow::Result<()>,
) -> anyhow::Result<Connection> {
    let mut settings = load_settings(
        cli,
        Overrides {
            password: password_from_stdin(password_stdin)?,
            ..Overrides::default()
        },
    )?;
    check(&settings)?;
    let target = connect(&mut settings, sandbox).await?;
    Ok(Connection {
        settings,
        site: target.site,
        url: target.url,
        _sandbox: target._sandbox,
    })
}
