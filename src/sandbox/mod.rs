//! The project's own Drupal: an in-memory site that answers the requests recorded in
//! `shared/drupal-wire/transcripts` the way Drupal 10 does (status, content type, body shape).
//!
//! It serves the token issuers (miniOrange `id_token`, contrib `jwt`, `simple_oauth`), core
//! REST and JSON:API for nodes of bundle `page`, path aliases and revisions, file uploads,
//! menus and menu links, pathauto aliases, text formats that filter bodies as Drupal's filters
//! do, plus a minimal HTML view for browsers, and it can add latency and faults to test a
//! client's retries. Every test and `apply --sandbox` run against it instead of a real Drupal.
//! It is not a Drupal emulator beyond that subset: no other entity types, bundles or languages.
//!
//! Layout (the modules are private but for [`files`]; `cargo doc --document-private-items`
//! shows them all):
//! - `routes` receives every request (stats, latency, faults, authentication, persistence) and
//!   hands it to `issuers` (the token endpoints), `jsonapi`, `rest`, [`files`] (uploads),
//!   `menus` (menus and menu links) or `html` (what a browser sees);
//! - `state` owns the site and its rules, with `pathauto` (aliases made from a pattern) and
//!   `filter` (`body.processed`, a body after its text format's filters);
//! - `auth`, `query`, `faults`, `stats` and `timestamp` are the pure parts those build on.

mod auth;
mod faults;
pub mod files;
mod filter;
mod html;
mod issuers;
mod jsonapi;
mod menus;
mod pathauto;
mod query;
mod rest;
mod routes;
mod state;
mod stats;
pub(crate) mod timestamp;

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use anyhow::Context;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

pub use stats::Stats;

/// A sandbox user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// uid-1-like: all permissions.
    Admin,
    /// `content_editor`: no "administer nodes" (may not set `status`, `promote`, `sticky` or
    /// `created`) and no `full_html`.
    Editor,
}

/// A sandbox user; users get uids 1, 2, … in the order they are given.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// Login name.
    pub name: String,
    /// Password, also the OAuth client secret of the client named after the user.
    pub password: String,
    /// What the user may do.
    pub role: Role,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("name", &self.name)
            .field("password", &"(redacted)")
            .field("role", &self.role)
            .finish()
    }
}

impl User {
    /// Parses `NAME:PASS[:ROLE]`; a last `:admin` or `:editor` is the role, so a password may
    /// itself contain colons.
    pub fn parse(spec: &str) -> Result<User, OptionsError> {
        let (name, rest) = spec.split_once(':').ok_or(OptionsError::UserSyntax)?;
        if name.is_empty() {
            return Err(OptionsError::UserSyntax);
        }
        // `NAME:PASS` is an administrator; with a second colon the last part must be a role,
        // so a typo such as `:editer` is an error, never an admin whose password ends in it.
        let (password, role) = match rest.rsplit_once(':') {
            None => (rest, Role::Admin),
            Some((password, role)) if role.eq_ignore_ascii_case("admin") => (password, Role::Admin),
            Some((password, role)) if role.eq_ignore_ascii_case("editor") => {
                (password, Role::Editor)
            }
            Some((_, role)) => {
                // Name the role only when it is clearly a misspelt one: otherwise it may be the
                // tail of a password that contains a colon.
                let near = ["admin", "editor"]
                    .into_iter()
                    .find(|known| strsim::levenshtein(&role.to_ascii_lowercase(), known) <= 2);
                return Err(OptionsError::UnknownRole {
                    name: name.to_owned(),
                    typo: near.map(|known| (role.to_owned(), known)),
                });
            }
        };
        if password.is_empty() {
            return Err(OptionsError::EmptyPassword(name.to_owned()));
        }
        Ok(User {
            name: name.to_owned(),
            password: password.to_owned(),
            role,
        })
    }
}

/// A `drupal-sync sandbox` flag that cannot be used; messages never repeat a password.
#[derive(Debug, thiserror::Error)]
pub enum OptionsError {
    /// A `--user` value without `NAME:` in front.
    #[error("invalid --user value: expected NAME:PASS[:ROLE] with ROLE `admin` or `editor`")]
    UserSyntax,
    /// A `--user` value whose last `:` part is not a role.
    #[error("invalid --user value for `{name}`: {}", match typo {
        Some((role, known)) => format!("unknown role `{role}` (did you mean `{known}`?); ROLE is `admin` or `editor`"),
        None => "the part after the last `:` is not a role (`admin` or `editor`)\n  hint: a password that contains `:` needs an explicit role: NAME:PASS:admin".to_owned(),
    })]
    UnknownRole {
        name: String,
        typo: Option<(String, &'static str)>,
    },
    /// A `--user` value with an empty password.
    #[error("invalid --user value for `{0}`: the password is empty")]
    EmptyPassword(String),
    /// Two `--user` values with one name.
    #[error("--user `{0}` is given twice")]
    DuplicateUser(String),
    /// A `--text-format` value without `NAME:`.
    #[error("invalid --text-format value `{0}`: expected NAME:ALLOWED_HTML, e.g. `docs_html:<p> <a href> <pre> <table> <tr> <td>`")]
    TextFormatSyntax(String),
    /// A fault rate outside 0..=1.
    #[error("--fail-rate must be between 0 and 1, not `{0}`")]
    FailRate(f64),
    /// A `--file-field` value of the wrong shape.
    #[error("invalid --file-field value `{0}`: expected ENTITY/BUNDLE/FIELD:EXT,EXT… such as `node/page/field_files:pdf,txt`")]
    FileField(String),
}

/// How a sandbox behaves.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Who may sign in; uids follow this order.
    pub users: Vec<User>,
    /// File that keeps the site (nodes, aliases, counters, signing secret) across restarts.
    pub data: Option<PathBuf>,
    /// Added to every request except `/_sandbox/*`.
    pub latency: Duration,
    /// Fraction of requests answered with a fault (0 to 1).
    pub fail_rate: f64,
    /// Seed of the fault generator: same seed and request order, same faults.
    pub fault_seed: u64,
    /// Lifetime of issued tokens.
    pub token_ttl: Duration,
    /// File fields uploads may go to, besides the standard `node/article/field_image`.
    pub file_fields: Vec<files::FileField>,
    /// Whether the JSON:API module is enabled (a core REST site may run without it: then
    /// every `/jsonapi` path is "Page not found").
    pub jsonapi: bool,
    /// Run pathauto with this pattern for basic pages (`[node:title]`; drupal-wire §7).
    pub pathauto: Option<String>,
    /// Site-specific text formats besides the standard profile's (`--text-format`).
    pub text_formats: Vec<crate::formats::TextFormat>,
}

impl Default for SandboxOptions {
    /// One `admin:admin` administrator, no persistence, no latency, no faults, one-hour tokens.
    fn default() -> Self {
        SandboxOptions {
            users: vec![User {
                name: "admin".into(),
                password: "admin".into(),
                role: Role::Admin,
            }],
            data: None,
            latency: Duration::ZERO,
            fail_rate: 0.0,
            fault_seed: 1,
            token_ttl: Duration::from_secs(3600),
            file_fields: Vec::new(),
            jsonapi: true,
            pathauto: None,
            text_formats: Vec::new(),
        }
    }
}

impl SandboxOptions {
    /// Resolves the `sandbox` command's flags; without `--user` the default `admin:admin` stays.
    pub fn from_args(args: &crate::cli::SandboxArgs) -> Result<SandboxOptions, OptionsError> {
        if !(0.0..=1.0).contains(&args.fail_rate) {
            return Err(OptionsError::FailRate(args.fail_rate));
        }
        let mut options = SandboxOptions {
            data: args.data.clone(),
            latency: Duration::from_millis(args.latency_ms),
            fail_rate: args.fail_rate,
            fault_seed: args.fault_seed,
            token_ttl: Duration::from_secs(args.token_ttl),
            file_fields: args
                .file_fields
                .iter()
                .map(|spec| files::FileField::parse(spec))
                .collect::<Result<_, _>>()?,
            pathauto: args.pathauto.clone(),
            text_formats: args
                .text_formats
                .iter()
                .map(|spec| parse_text_format(spec))
                .collect::<Result<_, _>>()?,
            ..SandboxOptions::default()
        };
        if !args.users.is_empty() {
            options.users = Vec::new();
            for spec in &args.users {
                let user = User::parse(spec)?;
                if options.users.iter().any(|u| u.name == user.name) {
                    return Err(OptionsError::DuplicateUser(user.name));
                }
                options.users.push(user);
            }
        }
        Ok(options)
    }
}

/// `NAME:ALLOWED_HTML`: a format filtered like `basic_html` with its own allowed HTML.
fn parse_text_format(spec: &str) -> Result<crate::formats::TextFormat, OptionsError> {
    match spec.split_once(':') {
        Some((name, allowed))
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            Ok(crate::formats::TextFormat::custom(name, allowed))
        }
        _ => Err(OptionsError::TextFormatSyntax(spec.to_owned())),
    }
}

/// Parses `--listen`: a socket address, or `localhost:PORT` (IPv4 loopback).
pub fn parse_listen(value: &str) -> Result<SocketAddr, String> {
    let resolved = match value.rsplit_once(':') {
        Some((host, port)) if host.eq_ignore_ascii_case("localhost") => {
            format!("127.0.0.1:{port}")
        }
        _ => value.to_owned(),
    };
    resolved.parse().map_err(|_| {
        format!("expected 127.0.0.1:PORT, [::1]:PORT or localhost:PORT, not `{value}`")
    })
}

/// A running sandbox; it serves until [`Sandbox::shutdown`] or until its runtime stops
/// (dropping the handle does not stop it).
pub struct Sandbox {
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    shared: Arc<routes::Shared>,
    stop: Arc<Notify>,
    task: JoinHandle<()>,
}

impl Sandbox {
    /// Binds `listen` (loopback only; port 0 picks a free port) and serves in the background
    /// on the current tokio runtime.
    pub async fn start(listen: SocketAddr, options: SandboxOptions) -> io::Result<Sandbox> {
        if !listen.ip().is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("the sandbox listens on loopback addresses only, not `{listen}`"),
            ));
        }
        let mut site = match &options.data {
            Some(path) => state::Site::load_or_create(path).await?,
            None => state::Site::new(),
        };
        site.set_pathauto(options.pathauto.as_deref().map(pathauto::Pattern::new));
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let url = format!("http://{}", listener.local_addr()?);
        site.set_text_formats(options.text_formats.clone(), &url);
        let shared = Arc::new(routes::Shared::new(&options, site));
        let app = axum::Router::new()
            .fallback(routes::handle)
            .with_state(shared.clone());
        let stop = Arc::new(Notify::new());
        let stopped = stop.clone();
        let server = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stopped.notified().await });
        let task = tokio::spawn(async move {
            if let Err(error) = server.await {
                tracing::error!("sandbox server failed: {error}");
            }
        });
        Ok(Sandbox {
            url,
            shared,
            stop,
            task,
        })
    }

    /// Requests counted so far, as `GET /_sandbox/stats` reports them.
    pub fn stats(&self) -> Stats {
        lock(&self.shared.stats).clone()
    }

    /// Zeroes the request counters.
    pub fn reset_stats(&self) {
        *lock(&self.shared.stats) = Stats::default();
    }

    /// Stops accepting connections and waits for the requests in flight.
    pub async fn shutdown(self) {
        self.stop.notify_one();
        if let Err(error) = self.task.await {
            tracing::error!("sandbox server task failed: {error}");
        }
    }
}

/// `drupal-sync sandbox`: serve until Ctrl-C or SIGTERM.
pub async fn run(args: &crate::cli::SandboxArgs, output: &crate::Output) -> anyhow::Result<()> {
    let options = SandboxOptions::from_args(args)?;
    let sandbox = Sandbox::start(args.listen, options)
        .await
        .with_context(|| format!("cannot start the sandbox on `{}`", args.listen))?;
    if args.users.is_empty() {
        output.line("drupal-sync sandbox: no --user given; sign in as admin:admin (role admin)");
    }
    // Scripts and the tests read the URL from this line: `data` flushes it at once.
    output.data(&format!(
        "drupal-sync sandbox listening on {}\n",
        sandbox.url
    ));
    shutdown_signal().await;
    sandbox.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Locks a mutex, ignoring poisoning: every critical section leaves the data consistent, and a
/// sandbox that stops answering after one panicked request would hide the real failure.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses() {
        assert_eq!(
            parse_listen("localhost:8080").unwrap(),
            "127.0.0.1:8080".parse::<SocketAddr>().unwrap()
        );
        assert_eq!(
            parse_listen("[::1]:0").unwrap(),
            "[::1]:0".parse::<SocketAddr>().unwrap()
        );
        assert!(parse_listen("localhost").is_err());
        assert!(parse_listen("localhost:http").is_err());
    }

    #[test]
    fn user_specs() {
        let cases = [
            ("ci:secret", Some(("ci", "secret", Role::Admin))),
            ("ci:secret:editor", Some(("ci", "secret", Role::Editor))),
            ("ci:secret:ADMIN", Some(("ci", "secret", Role::Admin))),
            ("ci:se:cr:et", None),
            ("ci:se:cr:et:admin", Some(("ci", "se:cr:et", Role::Admin))),
            ("ci:pw:editer", None),
            ("ci:a:b:editor", Some(("ci", "a:b", Role::Editor))),
            ("ci", None),
            (":pw", None),
            ("ci:", None),
            ("ci::editor", None),
        ];
        for (spec, expected) in cases {
            let got = User::parse(spec).ok();
            let got = got
                .as_ref()
                .map(|u| (u.name.as_str(), u.password.as_str(), u.role));
            assert_eq!(got, expected, "{spec}");
        }
    }

    #[test]
    fn a_misspelt_role_is_an_error_that_never_shows_a_password() {
        let error = User::parse("ci:pw:editer").unwrap_err().to_string();
        assert_eq!(
            error,
            "invalid --user value for `ci`: unknown role `editer` (did you mean `editor`?); ROLE is `admin` or `editor`"
        );
        let error = User::parse("ci:pass:word-with-colon")
            .unwrap_err()
            .to_string();
        assert!(!error.contains("word-with-colon"), "{error}");
        assert!(error.contains("NAME:PASS:admin"), "{error}");
    }

    #[test]
    fn user_debug_hides_the_password() {
        let user = User::parse("ci:hunter2").unwrap();
        assert!(!format!("{user:?}").contains("hunter2"));
        let error = User::parse("ci::editor").unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid --user value for `ci`: the password is empty"
        );
    }
}
