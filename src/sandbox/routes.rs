//! Every request's way through the sandbox: `/_sandbox/*` housekeeping, then counting,
//! latency and fault injection, then the token issuers, the miniOrange check in front of the
//! APIs (any `?_format=` or `/jsonapi/` URI), JSON:API, core REST or the HTML view, and finally
//! saving the site when the request changed it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;

use super::auth::{self, Accounts};
use super::faults::{self, FaultPlan};
use super::state::{self, Site};
use super::stats::Stats;
use super::{html, issuers, jsonapi, lock, query, rest, timestamp, SandboxOptions};

/// Largest request body read; Drupal's PHP default is far below it.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// What every request handler sees.
pub struct Shared {
    /// The site; held only for the synchronous part of a request, never across an await.
    pub site: Mutex<Site>,
    /// Who may sign in.
    pub accounts: Accounts,
    /// Lifetime of issued tokens, in seconds.
    pub token_ttl: i64,
    /// Request counters.
    pub stats: Mutex<Stats>,
    /// File fields uploads may go to.
    pub file_fields: Vec<super::files::FileField>,
    /// Whether `/jsonapi` is served.
    jsonapi: bool,
    latency: Duration,
    faults: Mutex<FaultPlan>,
    data: Option<PathBuf>,
    /// Generation of the site last written to `data`; the lock also orders the writes.
    saved: tokio::sync::Mutex<u64>,
}

impl Shared {
    /// State for a sandbox with `options` serving `site`.
    pub fn new(options: &SandboxOptions, site: Site) -> Shared {
        let saved = site.generation();
        Shared {
            site: Mutex::new(site),
            accounts: Accounts::new(options.users.clone()),
            token_ttl: i64::try_from(options.token_ttl.as_secs()).unwrap_or(i64::MAX),
            stats: Mutex::new(Stats::default()),
            file_fields: std::iter::once(super::files::FileField::standard())
                .chain(options.file_fields.iter().cloned())
                .collect(),
            jsonapi: options.jsonapi,
            latency: options.latency,
            faults: Mutex::new(FaultPlan::new(options.fault_seed, options.fail_rate)),
            data: options.data.clone(),
            saved: tokio::sync::Mutex::new(saved),
        }
    }

    /// Writes the site to the data file if a request changed it since the last save.
    async fn persist(&self) {
        let Some(path) = &self.data else { return };
        let mut saved = self.saved.lock().await;
        let (generation, bytes) = {
            let site = lock(&self.site);
            if site.generation() == *saved {
                return;
            }
            (site.generation(), site.to_json())
        };
        match state::save(path, &bytes).await {
            Ok(()) => *saved = generation,
            Err(error) => tracing::error!("sandbox: {error}"),
        }
    }
}

/// A request, read completely.
pub struct Req {
    /// HTTP method.
    pub method: Method,
    /// Path as sent (still percent-encoded).
    pub path: String,
    /// Raw query string, without `?`.
    pub query: String,
    /// Request headers.
    pub headers: HeaderMap,
    /// Request body.
    pub body: Bytes,
    /// `http://host:port` as the client addressed the site, for absolute links.
    pub base: String,
}

impl Req {
    /// A header's value, if present and text.
    pub fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The path with percent-escapes decoded, as aliases are stored.
    pub fn decoded_path(&self) -> String {
        query::percent_decode(&self.path, false)
    }

    /// The absolute URL of the request, query included.
    pub fn url(&self) -> String {
        if self.query.is_empty() {
            format!("{}{}", self.base, self.path)
        } else {
            format!("{}{}?{}", self.base, self.path, self.query)
        }
    }

    /// The `_format` query parameter.
    pub fn format(&self) -> Option<String> {
        query::pairs(&self.query)
            .into_iter()
            .find(|(k, _)| k == "_format")
            .map(|(_, v)| v)
    }

    /// The media type of the body, without parameters, lowercased.
    pub fn content_type(&self) -> Option<String> {
        let value = self.header(header::CONTENT_TYPE)?;
        Some(
            value
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase(),
        )
    }
}

/// The axum handler behind every route.
pub(super) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    if let Some(action) = path.strip_prefix("/_sandbox/") {
        return housekeeping(&shared, &parts.method, action);
    }
    lock(&shared.stats).record(parts.method.as_str(), &path);
    if !shared.latency.is_zero() {
        tokio::time::sleep(shared.latency).await;
    }
    let write = matches!(
        parts.method,
        Method::POST | Method::PATCH | Method::PUT | Method::DELETE
    );
    let decision = lock(&shared.faults).next(write);
    if let Some(decision) = decision.filter(|d| !d.after_write) {
        return faults::response(decision.fault);
    }
    let Ok(body) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return text(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request body too large or unreadable.\n",
        );
    };
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    let req = Req {
        base: format!("http://{}", host.unwrap_or("127.0.0.1")),
        method: parts.method,
        path,
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts.headers,
        body,
    };
    let response = dispatch(&shared, &req);
    if write {
        shared.persist().await;
    }
    // A fault left at this point is a late one: the write landed, its answer is lost.
    match decision {
        Some(decision) => faults::response(decision.fault),
        None => response,
    }
}

fn dispatch(shared: &Shared, req: &Req) -> Response {
    match req.path.as_str() {
        "/rest_api/id_token" => return issuers::id_token(shared, req),
        "/jwt/token" => return issuers::jwt_token(shared, req),
        "/oauth/token" => return issuers::oauth_token(shared, req),
        _ => {}
    }
    let jsonapi = req.path == "/jsonapi" || req.path.starts_with("/jsonapi/");
    if jsonapi && !shared.jsonapi {
        return html::error_page(StatusCode::NOT_FOUND, "Page not found");
    }
    if !jsonapi && req.format().is_none() {
        if let Some(file) = super::files::serve(shared, req) {
            return file;
        }
        return html::serve(shared, req);
    }
    let actor = {
        let site = lock(&shared.site);
        let header = req.header(header::AUTHORIZATION);
        // The recorded site lets anonymous visitors list files (`73_…`) though it guards
        // node listings (`25_…`).
        let file_listing = req.method == Method::GET && req.path.starts_with("/jsonapi/file/file");
        if header.is_none() && file_listing {
            Ok(auth::Actor::Anonymous)
        } else {
            auth::authenticate(&shared.accounts, site.secret(), header, timestamp::now())
        }
    };
    match actor {
        Err(error) => auth::envelope(error),
        Ok(actor) if jsonapi => jsonapi::dispatch(shared, req, actor),
        Ok(actor) => rest::dispatch(shared, req, actor),
    }
}

fn housekeeping(shared: &Shared, method: &Method, action: &str) -> Response {
    match (method.as_str(), action) {
        ("GET", "stats") => {
            let stats = lock(&shared.stats).clone();
            let body = serde_json::to_vec(&stats).unwrap_or_default();
            respond(StatusCode::OK, "application/json", body)
        }
        ("POST", "reset-stats") => {
            *lock(&shared.stats) = Stats::default();
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::NO_CONTENT;
            response
        }
        _ => text(
            StatusCode::NOT_FOUND,
            "Unknown sandbox endpoint: try GET /_sandbox/stats or POST /_sandbox/reset-stats.\n",
        ),
    }
}

/// A response with `status`, `content_type` and `body`.
pub(super) fn respond(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Body>,
) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A `text/plain` response.
pub(super) fn text(status: StatusCode, body: &'static str) -> Response {
    respond(status, "text/plain; charset=UTF-8", body)
}

/// Adds a header whose value comes from the request or the site; values that cannot be a
/// header (control characters) are left out rather than failing the response.
pub(super) fn with_header(
    mut response: Response,
    name: header::HeaderName,
    value: &str,
) -> Response {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
    response
}
