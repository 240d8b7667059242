//! Authentication: the one module that sees raw secrets. It fetches a token once per run
//! from the configured issuer (miniOrange `/rest_api/id_token`, contrib jwt `/jwt/token`,
//! `simple_oauth` `/oauth/token`), tracks its expiry from the JWT's own `exp` claim, and
//! refreshes it before it runs out — once, for every concurrent request — because an expired
//! token on Drupal does not answer 401: the request silently runs as anonymous (drupal-wire §1).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::config::SiteUrl;
use base64::Engine;
use serde_json::Value;
use tokio::sync::Mutex;

use super::error::{describe, envelope, DrupalError};
use crate::config::{AuthSettings, Provider};
use crate::secret::Secret;

/// Lifetime assumed when neither the token nor the answer tells.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// What to put on a request: a header name and its (secret) value.
#[derive(Debug, Clone)]
pub struct Credential {
    pub header: String,
    pub value: Secret,
    /// Which token this is, so a rejection refreshes it only once.
    pub generation: u64,
    /// When the token was obtained (for deciding whether a 401/403 may mean expiry).
    pub obtained: Instant,
}

#[derive(Debug)]
struct Token {
    credential: Credential,
    refresh_at: Instant,
}

/// The run's credentials: a token fetched on first use and refreshed before it expires.
#[derive(Debug)]
pub struct Auth {
    settings: AuthSettings,
    base: SiteUrl,
    http: reqwest::Client,
    current: Mutex<Option<Arc<Token>>>,
    generation: AtomicU64,
    requests: AtomicU64,
}

impl Auth {
    /// Check the settings a provider needs; no request is made yet.
    pub fn new(
        settings: AuthSettings,
        base: SiteUrl,
        http: reqwest::Client,
    ) -> Result<Self, DrupalError> {
        let need = |what: &str, hint: &str| {
            DrupalError::Auth(format!("{what} is not set\n  hint: {hint}"))
        };
        match settings.provider {
            Provider::Miniorange | Provider::Jwt | Provider::Basic => {
                if settings.username.is_none() {
                    return Err(need(
                        "the username",
                        "set [auth].username or DRUPAL_SYNC_USERNAME",
                    ));
                }
                if settings.password.is_none() {
                    return Err(need(
                        "the password",
                        "set DRUPAL_SYNC_PASSWORD or pass --password-stdin",
                    ));
                }
            }
            Provider::Oauth => {
                if settings.client_id.is_none() {
                    return Err(need("[auth].client_id", "set client_id in [auth]"));
                }
                if settings.client_secret.is_none() {
                    return Err(need("the client secret", "set DRUPAL_SYNC_CLIENT_SECRET"));
                }
                if settings.username.is_some() && settings.password.is_none() {
                    return Err(need(
                        "the password (oauth password grant)",
                        "set DRUPAL_SYNC_PASSWORD, or remove the username to use client_credentials",
                    ));
                }
            }
            Provider::Token => {
                if settings.token.is_none() {
                    return Err(need("the token", "set DRUPAL_SYNC_TOKEN"));
                }
            }
        }
        Ok(Self {
            settings,
            base,
            http,
            current: Mutex::new(None),
            generation: AtomicU64::new(0),
            requests: AtomicU64::new(0),
        })
    }

    /// How many token requests this run made.
    pub fn token_requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Whether credentials are a refreshable token (so a rejection may mean expiry).
    pub fn refreshable(&self) -> bool {
        matches!(
            self.settings.provider,
            Provider::Miniorange | Provider::Jwt | Provider::Oauth
        )
    }

    /// Extra headers every API request carries (miniOrange `AUTH-METHOD`).
    pub fn extra_headers(&self) -> Vec<(String, String)> {
        match (&self.settings.provider, &self.settings.application) {
            (Provider::Miniorange | Provider::Basic, Some(app)) => {
                vec![("AUTH-METHOD".into(), app.clone())]
            }
            _ => Vec::new(),
        }
    }

    /// The credential for the next request, fetching or refreshing the token if needed.
    pub async fn credential(&self) -> Result<Credential, DrupalError> {
        let mut current = self.current.lock().await;
        if let Some(token) = current.as_ref() {
            if Instant::now() < token.refresh_at {
                return Ok(token.credential.clone());
            }
        }
        let token = Arc::new(self.obtain().await?);
        let credential = token.credential.clone();
        *current = Some(token);
        Ok(credential)
    }

    /// Forget the token `generation` after the site rejected it, unless a newer one exists.
    /// A token younger than `min_age` is kept: a rejection right after issue is not expiry.
    pub async fn rejected(&self, generation: u64) -> bool {
        let mut current = self.current.lock().await;
        match current.as_ref() {
            Some(token) if token.credential.generation == generation => {
                let lifetime = token
                    .refresh_at
                    .saturating_duration_since(token.credential.obtained);
                let min_age = (lifetime / 2).min(Duration::from_secs(5));
                if token.credential.obtained.elapsed() < min_age {
                    return false;
                }
                *current = None;
                true
            }
            Some(_) => true,
            None => true,
        }
    }

    fn header_name(&self) -> String {
        self.settings
            .header
            .clone()
            .unwrap_or_else(|| "Authorization".to_owned())
    }

    fn basic(&self) -> Secret {
        let user = self.settings.username.as_deref().unwrap_or_default();
        let pass = self
            .settings
            .password
            .as_ref()
            .map(Secret::expose)
            .unwrap_or_default();
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        Secret::new(format!("Basic {encoded}"))
    }

    fn credential_of(&self, value: Secret, header: String) -> Credential {
        Credential {
            header,
            value,
            generation: self.generation.fetch_add(1, Ordering::Relaxed) + 1,
            obtained: Instant::now(),
        }
    }

    async fn obtain(&self) -> Result<Token, DrupalError> {
        let far = Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600);
        match self.settings.provider {
            Provider::Basic => Ok(Token {
                credential: self.credential_of(self.basic(), self.header_name()),
                refresh_at: far,
            }),
            Provider::Token => {
                let token = self
                    .settings
                    .token
                    .as_ref()
                    .map(Secret::expose)
                    .unwrap_or_default();
                Ok(Token {
                    credential: self
                        .credential_of(Secret::new(format!("Bearer {token}")), self.header_name()),
                    refresh_at: far,
                })
            }
            Provider::Miniorange | Provider::Jwt | Provider::Oauth => {
                let (started, issued) = self.request_token_with_retries().await?;
                let refresh_at = started + issued.lifetime.saturating_sub(margin(issued.lifetime));
                tracing::info!(
                    "obtained a token from {} (valid {} s)",
                    self.token_path(),
                    issued.lifetime.as_secs()
                );
                Ok(Token {
                    credential: self.credential_of(
                        Secret::new(format!("Bearer {}", issued.token.expose())),
                        self.header_name(),
                    ),
                    refresh_at,
                })
            }
        }
    }

    fn token_path(&self) -> String {
        if let Some(path) = &self.settings.token_path {
            return path.clone();
        }
        match self.settings.provider {
            Provider::Jwt => "/jwt/token",
            Provider::Oauth => "/oauth/token",
            _ => "/rest_api/id_token",
        }
        .to_owned()
    }

    /// Request a token, retrying transient failures (issuing a second token is harmless).
    async fn request_token_with_retries(&self) -> Result<(Instant, Issued), DrupalError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.requests.fetch_add(1, Ordering::Relaxed);
            let started = Instant::now();
            match self.request_token().await {
                Ok(issued) => return Ok((started, issued)),
                Err(e) if e.is_transient() && attempt < 6 => {
                    tracing::info!("token request failed ({e}); retrying");
                    super::client::backoff(attempt, None).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn request_token(&self) -> Result<Issued, DrupalError> {
        let path = self.token_path();
        let url = self.base.endpoint(&path);
        let mut request = self.http.post(url).header("Accept", "application/json");
        if self.settings.provider == Provider::Oauth {
            let mut form = vec![
                (
                    "client_id",
                    self.settings.client_id.clone().unwrap_or_default(),
                ),
                (
                    "client_secret",
                    self.settings
                        .client_secret
                        .as_ref()
                        .map(|s| s.expose().to_owned())
                        .unwrap_or_default(),
                ),
            ];
            match (&self.settings.username, &self.settings.password) {
                (Some(user), Some(pass)) => {
                    form.push(("grant_type", "password".into()));
                    form.push(("username", user.clone()));
                    form.push(("password", pass.expose().to_owned()));
                }
                _ => form.push(("grant_type", "client_credentials".into())),
            }
            request = request.form(&form);
        } else {
            request = request.header("Authorization", self.basic().expose());
            for (name, value) in self.extra_headers() {
                request = request.header(name, value);
            }
        }
        let describe_transport = |e: reqwest::Error| DrupalError::Transport {
            method: "POST".into(),
            path: path.clone(),
            message: super::client::transport_message(&e),
            maybe_sent: !e.is_connect(),
        };
        let response = request.send().await.map_err(describe_transport)?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = response.bytes().await.map_err(describe_transport)?;
        let user = self.settings.username.as_deref().unwrap_or("");
        if let Some(env) = envelope(&body) {
            return Err(DrupalError::Auth(format!(
                "POST {path}: {} ({}) for user `{user}`{}",
                env.code,
                env.description,
                hint_for(&env.code)
            )));
        }
        if !(200..300).contains(&status) {
            let detail = describe(status, &content_type, &body);
            let hint = match (self.settings.provider, status) {
                (Provider::Jwt, 403) => "\n  hint: wrong username or password (the jwt module answers 403 Access denied)",
                (Provider::Jwt, 401) => "\n  hint: the credentials did not reach Drupal; is basic_auth enabled for /jwt/token?",
                (Provider::Miniorange, 404) => "\n  hint: this site has no /rest_api/id_token: JWT issuance needs the paid miniOrange edition; use provider = \"basic\" (free edition) or \"jwt\"",
                (Provider::Oauth, 400 | 401) => "\n  hint: check [auth].client_id, DRUPAL_SYNC_CLIENT_SECRET and the grant the consumer allows",
                (_, 404) => "\n  hint: check [site].url and [auth].token_path",
                _ => "",
            };
            if super::error::is_transient_status(status) {
                return Err(DrupalError::Status {
                    method: "POST".into(),
                    path,
                    status,
                    detail,
                    transient: true,
                });
            }
            return Err(DrupalError::Auth(format!(
                "POST {path}: HTTP {status}: {detail}{hint}"
            )));
        }
        parse_issued(&body, now_epoch()).ok_or_else(|| DrupalError::Protocol {
            method: "POST".into(),
            path: path.clone(),
            message: "no token in the answer (looked for jwt_token, access_token, id_token, token)"
                .into(),
        })
    }
}

fn hint_for(code: &str) -> &'static str {
    match code {
        "INVALID_CREDENTIALS" => "\n  hint: check DRUPAL_SYNC_USERNAME / [auth].username and DRUPAL_SYNC_PASSWORD",
        "USER_BLOCKED" => "\n  hint: the account is blocked or not activated on the site",
        "MISSING_HEADER" | "INVALID_APPLICATION_ID" => {
            "\n  hint: the site has several miniOrange applications: set [auth].application"
        }
        "MISSING_AUTHORIZATION_HEADER" => {
            "\n  hint: a proxy may strip the Authorization header; configure a custom header with [auth].header"
        }
        _ => "",
    }
}

/// How long before expiry a token is replaced: 5% of its life (at most 30 s) leaves room
/// for requests in flight; a token shorter than 10 s keeps only 50 ms, or it would be
/// replaced far more often than it expires.
fn margin(lifetime: Duration) -> Duration {
    if lifetime < Duration::from_secs(10) {
        Duration::from_millis(50).min(lifetime / 2)
    } else {
        (lifetime / 20).min(Duration::from_secs(30))
    }
}

fn now_epoch() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// A token and how long it lives from the moment it was received.
#[derive(Debug)]
struct Issued {
    token: Secret,
    lifetime: Duration,
}

/// Parse a token answer tolerantly (drupal-wire §1): the token is the first string among
/// `jwt_token`, `access_token`, `id_token`, `token`; the lifetime comes from the JWT's
/// `exp` (relative to its `iat`, so clock skew does not matter), else `expires_in` (absolute
/// above 10^9, else seconds), else one hour.
fn parse_issued(body: &[u8], now: f64) -> Option<Issued> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let token = ["jwt_token", "access_token", "id_token", "token"]
        .iter()
        .find_map(|k| value.get(*k).and_then(Value::as_str))
        .filter(|t| !t.is_empty())?
        .to_owned();
    let lifetime = jwt_lifetime(&token, now)
        .or_else(|| {
            let expires_in = value.get("expires_in").and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })?;
            Some(if expires_in > 1_000_000_000 {
                Duration::from_secs_f64((expires_in as f64 - now).max(0.0))
            } else {
                Duration::from_secs(expires_in)
            })
        })
        .unwrap_or(DEFAULT_LIFETIME);
    Some(Issued {
        token: Secret::new(token),
        lifetime,
    })
}

/// How long a JWT lives from now: until `exp` on the local clock, but never longer than
/// `exp - iat` (the issuer's own idea of its lifetime, immune to clock skew) and, when the
/// clocks disagree by more than half of that, `exp - iat` alone (a far-off clock must not
/// make every token look expired).
fn jwt_lifetime(token: &str, now: f64) -> Option<Duration> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?.as_f64()?;
    let issued = claims.get("iat").and_then(Value::as_f64).unwrap_or(now);
    let relative = (exp - issued).max(0.0);
    let absolute = exp - now;
    let seconds = if absolute >= relative / 2.0 {
        absolute.min(relative)
    } else {
        relative
    };
    Some(Duration::from_secs_f64(seconds.max(0.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!(
            "{}.{}.sig",
            enc(r#"{"alg":"HS256","typ":"JWT"}"#),
            enc(claims)
        )
    }

    #[test]
    fn token_answers_are_parsed_tolerantly() {
        let now = 1_795_981_949.0;
        let with_exp = jwt(r#"{"iat":1795981949,"exp":1795985549,"drupal":{"uid":"1"}}"#);
        let cases = [
            (format!(r#"{{"token":"{with_exp}"}}"#), 3600),
            (
                format!(
                    r#"{{"token_type":"Bearer","iat":{now},"expires_in":{},"jwt_token":"opaque"}}"#,
                    now + 600.0
                ),
                600,
            ),
            (
                r#"{"token_type":"Bearer","expires_in":300,"access_token":"opaque"}"#.to_owned(),
                300,
            ),
            (r#"{"id_token":"opaque"}"#.to_owned(), 3600),
            (
                format!(r#"{{"jwt_token":"{}"}}"#, jwt(r#"{"iat":100,"exp":102}"#)),
                2,
            ),
        ];
        for (body, secs) in cases {
            let issued = parse_issued(body.as_bytes(), now).unwrap();
            assert_eq!(issued.lifetime, Duration::from_secs(secs), "{body}");
        }
        assert!(parse_issued(br#"{"token":""}"#, now).is_none());
        assert!(parse_issued(b"<html>", now).is_none());
    }

    #[test]
    fn margin_is_small_for_short_tokens() {
        assert_eq!(margin(Duration::from_secs(3600)), Duration::from_secs(30));
        assert_eq!(margin(Duration::from_secs(2)), Duration::from_millis(50));
        assert_eq!(margin(Duration::from_secs(60)), Duration::from_secs(3));
    }
}
