//! The HTTP client every backend shares: one connection pool (keep-alive, HTTP/2 where the
//! server offers it), the run's credential on every request, a per-request timeout, and
//! retries with exponential backoff and jitter — for requests that are safe to repeat.
//! Writes are never repeated blindly here: their callers verify what happened first.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::SiteUrl;
use rand::Rng;
use reqwest::Method;

use super::auth::Auth;
use super::error::{describe, envelope, is_transient_status, DrupalError};

/// How many times a safe request is tried before its failure is reported.
const MAX_ATTEMPTS: u32 = 6;
/// The longest a `Retry-After` is honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Whether a request may be repeated when its outcome is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Reads and deletes: repeating them changes nothing.
    Safe,
    /// Creates and updates: only repeated when the request surely never left.
    Unsafe,
}

/// A request body with its media type.
#[derive(Debug, Clone)]
pub struct Body {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// A complete answer.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Response {
    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body, parsed from JSON.
    pub fn json<T: serde::de::DeserializeOwned>(
        &self,
        method: &Method,
        path: &str,
    ) -> Result<T, DrupalError> {
        serde_json::from_slice(&self.body).map_err(|e| DrupalError::Protocol {
            method: method.to_string(),
            path: strip_query(path).to_owned(),
            message: format!("the answer is not JSON: {e}"),
        })
    }

    /// The error this answer means, for `method path`.
    pub fn error(&self, method: &Method, path: &str) -> DrupalError {
        DrupalError::Status {
            method: method.to_string(),
            path: strip_query(path).to_owned(),
            status: self.status,
            detail: describe(self.status, &self.content_type, &self.body),
            transient: is_transient_status(self.status),
        }
    }
}

/// The shared client.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: SiteUrl,
    auth: Arc<Auth>,
    requests: Arc<AtomicU64>,
}

/// The reqwest client drupal-sync uses: rustls with certificate verification against the
/// bundled Mozilla roots, the system's roots (which honour `SSL_CERT_FILE` and `SSL_CERT_DIR`)
/// and the authorities in `ca_file` (`[site].ca_file`, for sites behind a private CA); no
/// cookie jar, and redirects followed only to the same host (credentials never leave the site).
pub fn http_client(
    timeout: Duration,
    ca_file: Option<&Path>,
) -> Result<reqwest::Client, DrupalError> {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        let same_host = attempt.previous().first().is_some_and(|first| {
            first.host_str() == attempt.url().host_str()
                && first.port_or_known_default() == attempt.url().port_or_known_default()
        });
        if attempt.previous().len() > 5 || !same_host {
            attempt.stop()
        } else {
            attempt.follow()
        }
    });
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .redirect(policy)
        .user_agent(concat!("drupal-sync/", env!("CARGO_PKG_VERSION")))
        .pool_idle_timeout(Duration::from_secs(30));
    if let Some(path) = ca_file {
        let setup = |why: String| {
            DrupalError::Setup(format!(
                "[site].ca_file `{}`: {why}\n  hint: point it at the PEM file of the certificate authority that signed the site's certificate",
                path.display()
            ))
        };
        let pem = std::fs::read(path).map_err(|e| setup(format!("cannot read it: {e}")))?;
        let authorities = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| setup(format!("not a PEM certificate file: {e}")))?;
        if authorities.is_empty() {
            return Err(setup("it holds no PEM certificate".into()));
        }
        for authority in authorities {
            builder = builder.add_root_certificate(authority);
        }
    }
    builder.build().map_err(|e| {
        DrupalError::Setup(format!(
            "cannot set up the HTTP client: {}",
            transport_message(&e)
        ))
    })
}

impl Client {
    /// A client for the site at `base`.
    pub fn new(http: reqwest::Client, base: SiteUrl, auth: Arc<Auth>) -> Self {
        Self {
            http,
            base,
            auth,
            requests: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The run's authentication.
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// How many API requests were sent (attempts included; token requests not).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The absolute URL of a site path (`/jsonapi/node/page?…`).
    pub fn url(&self, path_and_query: &str) -> String {
        self.base.join(path_and_query)
    }

    /// Send a request, retrying what is safe to retry, and return the final answer, whatever
    /// its status. Errors: transport failures and transient statuses after the last attempt,
    /// and answers in the miniOrange error envelope (authentication).
    pub async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        accept: &'static str,
        body: Option<&Body>,
        repeat: Repeat,
    ) -> Result<Response, DrupalError> {
        self.send_with(method, path_and_query, accept, body, repeat, &[])
            .await
    }

    /// [`Client::send`] with extra request headers (a file upload's `Content-Disposition`).
    pub async fn send_with(
        &self,
        method: Method,
        path_and_query: &str,
        accept: &'static str,
        body: Option<&Body>,
        repeat: Repeat,
        headers: &[(&'static str, String)],
    ) -> Result<Response, DrupalError> {
        let mut attempt = 0;
        let mut refreshed = false;
        loop {
            attempt += 1;
            let credential = self.auth.credential().await?;
            let url = self.url(path_and_query);
            let mut request = self
                .http
                .request(method.clone(), &url)
                .header("Accept", accept)
                .header(credential.header.as_str(), credential.value.expose());
            for (name, value) in self.auth.extra_headers() {
                request = request.header(name, value);
            }
            for (name, value) in headers {
                request = request.header(*name, value.as_str());
            }
            if let Some(body) = body {
                request = request
                    .header("Content-Type", body.content_type)
                    .body(body.bytes.clone());
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            let started = Instant::now();
            let outcome = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let content_type = header(&response, reqwest::header::CONTENT_TYPE);
                    let retry_after = header(&response, reqwest::header::RETRY_AFTER)
                        .trim()
                        .parse::<u64>()
                        .ok()
                        .map(Duration::from_secs);
                    response
                        .bytes()
                        .await
                        .map(|body| {
                            (
                                Response {
                                    status,
                                    content_type,
                                    body: body.to_vec(),
                                },
                                retry_after,
                            )
                        })
                        .map_err(|e| (e, true))
                }
                Err(e) => {
                    let maybe_sent = !e.is_connect();
                    Err((e, maybe_sent))
                }
            };
            let elapsed = started.elapsed().as_millis();
            let shown = display_path(path_and_query);
            let (response, retry_after) = match outcome {
                Ok(ok) => ok,
                Err((e, maybe_sent)) => {
                    let message = transport_message(&e);
                    tracing::info!("{method} {shown} failed after {elapsed} ms: {message}");
                    let repeatable = repeat == Repeat::Safe || !maybe_sent;
                    if repeatable && attempt < MAX_ATTEMPTS {
                        backoff(attempt, None).await;
                        continue;
                    }
                    return Err(DrupalError::Transport {
                        method: method.to_string(),
                        path: strip_query(path_and_query).to_owned(),
                        message,
                        maybe_sent,
                    });
                }
            };
            tracing::info!("{method} {shown} -> {} ({elapsed} ms)", response.status);
            tracing::debug!(
                "  content-type {:?}, {} bytes, attempt {attempt}",
                response.content_type,
                response.body.len()
            );

            if matches!(response.status, 401 | 403) && self.auth.refreshable() && !refreshed {
                // An expired or rejected token makes Drupal run the request as anonymous;
                // fetch a new token once and try again (a refused write was not applied).
                if self.auth.rejected(credential.generation).await {
                    refreshed = true;
                    attempt -= 1;
                    continue;
                }
            }
            if let Some(env) = envelope(&response.body) {
                return Err(DrupalError::Auth(format!(
                    "{method} {}: {} ({})",
                    strip_query(path_and_query),
                    env.code,
                    env.description
                )));
            }
            if is_transient_status(response.status) {
                let repeatable = repeat == Repeat::Safe;
                if repeatable && attempt < MAX_ATTEMPTS {
                    backoff(attempt, retry_after).await;
                    continue;
                }
            }
            return Ok(response);
        }
    }
}

impl Client {
    /// GET a JSON document: `None` for a 404, the parsed body for a 2xx, an error otherwise.
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        accept: &'static str,
    ) -> Result<Option<T>, DrupalError> {
        let response = self
            .send(Method::GET, path, accept, None, Repeat::Safe)
            .await?;
        match response.status {
            404 => Ok(None),
            _ if response.ok() => response.json(&Method::GET, path).map(Some),
            _ => Err(response.error(&Method::GET, path)),
        }
    }
}

/// Wait before attempt `attempt + 1`: `Retry-After` when given (capped), else exponential
/// backoff with full jitter.
pub async fn backoff(attempt: u32, retry_after: Option<Duration>) {
    let delay = match retry_after {
        Some(after) => after.min(MAX_RETRY_AFTER),
        None => {
            let ceiling =
                Duration::from_millis(100 * 2u64.pow(attempt.min(6))).min(Duration::from_secs(5));
            let millis = rand::rng()
                .random_range(ceiling.as_millis() as u64 / 4..=ceiling.as_millis() as u64);
            Duration::from_millis(millis)
        }
    };
    tokio::time::sleep(delay).await;
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

fn strip_query(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

/// A path for logs: long queries (id filters) are shortened.
fn display_path(path: &str) -> String {
    match path.split_once('?') {
        Some((p, q)) if q.len() > 120 => format!("{p}?…({} bytes of query)", q.len()),
        _ => path.to_owned(),
    }
}

/// A transport error in words, without the URL's credentials (there are none) or headers.
pub fn transport_message(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the connection broke during the answer"
    } else if e.is_request() {
        "the connection failed"
    } else {
        "request failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    if cause.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {cause}")
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use axum::http::HeaderMap;
    use axum::response::{IntoResponse, Redirect};
    use axum::routing::get;

    use super::*;
    use crate::config::{AuthSettings, Provider};
    use crate::secret::Secret;

    async fn serve(addr: &str, router: axum::Router) -> String {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        url
    }

    fn client(base: &str) -> Client {
        let settings = AuthSettings {
            provider: Provider::Basic,
            username: Some("ci".into()),
            password: Some(Secret::new("pw")),
            token: None,
            client_id: None,
            client_secret: None,
            token_path: None,
            header: None,
            application: None,
        };
        let http = http_client(Duration::from_secs(5), None).unwrap();
        let base = SiteUrl::parse(base).unwrap();
        let auth = Arc::new(Auth::new(settings, base.clone(), http.clone()).unwrap());
        Client::new(http, base, auth)
    }

    #[tokio::test]
    async fn credentials_never_follow_a_redirect_to_another_host() {
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = seen.clone();
        let elsewhere = serve(
            "127.0.0.2:0",
            axum::Router::new().route(
                "/stolen",
                get(move |headers: HeaderMap| {
                    let counter = counter.clone();
                    async move {
                        if headers.contains_key("authorization") {
                            counter.fetch_add(1, Ordering::SeqCst);
                        }
                        "got it"
                    }
                }),
            ),
        )
        .await;
        let target = format!("{elsewhere}/stolen");
        let site = serve(
            "127.0.0.1:0",
            axum::Router::new()
                .route(
                    "/away",
                    get(move || async move { Redirect::temporary(&target).into_response() }),
                )
                .route(
                    "/here",
                    get(|| async { Redirect::temporary("/there").into_response() }),
                )
                .route(
                    "/there",
                    get(|headers: HeaderMap| async move {
                        if headers.contains_key("authorization") {
                            "authorised"
                        } else {
                            "anonymous"
                        }
                    }),
                ),
        )
        .await;
        let client = client(&site);

        let away = client
            .send(Method::GET, "/away", "application/json", None, Repeat::Safe)
            .await
            .unwrap();
        assert_eq!(
            away.status, 307,
            "a redirect to another host is not followed"
        );
        assert_eq!(seen.load(Ordering::SeqCst), 0);

        let here = client
            .send(Method::GET, "/here", "application/json", None, Repeat::Safe)
            .await
            .unwrap();
        assert_eq!(here.status, 200);
        assert_eq!(here.body, b"authorised");
    }
}
