//! The site: one authenticated client and the backend of the configured API (JSON:API or
//! core REST), behind one interface that reads remote state and writes pages.

pub mod auth;
pub mod client;
mod document;
pub mod error;
pub mod files;
pub mod jsonapi;
pub mod menu;
pub mod pathauto;
pub mod rest;

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::SiteUrl;
use futures::stream::{self, StreamExt, TryStreamExt};
use uuid::Uuid;

use crate::config::{Api, Settings};
use crate::page::{derive_uuid, Page, RemotePage};
use crate::plan::{Change, Field, RemoteState};
pub use error::DrupalError;

/// Why `import` cannot run on core REST.
pub const REST_CANNOT_LIST: &str = "import needs api = \"jsonapi\": core REST has no endpoint that lists nodes, so drupal-sync cannot find the site's pages\n  hint: enable Drupal's JSON:API module (read-only is enough to import) and set [site].api = \"jsonapi\" in drupal-sync.toml; pages import the same either way";

/// A connected site.
#[derive(Debug, Clone)]
pub struct Site {
    client: client::Client,
    backend: Backend,
    parallelism: usize,
    origin: Arc<Origin>,
    /// Whether the site runs pathauto, asked once per run when an alias is written.
    pathauto: pathauto::Probe,
}

/// Where the site's URL came from, so a connection error can name the setting that fixes it.
#[derive(Debug, Clone)]
struct Origin {
    url: String,
    host: String,
    /// "`[site].url` in `drupal-sync.toml`", "`DRUPAL_SYNC_URL`", …
    source: String,
    config_path: String,
}

#[derive(Debug, Clone)]
enum Backend {
    JsonApi(jsonapi::JsonApi),
    Rest(rest::Rest),
}

impl Site {
    /// Prepare a client for the site at `base` (no request is made yet).
    pub fn connect(settings: &Settings, base: SiteUrl) -> Result<Site, DrupalError> {
        let http = client::http_client(settings.timeout, settings.ca_file.as_deref())?;
        let origin = Arc::new(Origin {
            url: base.as_str().to_owned(),
            host: base.host().to_owned(),
            source: settings.url_source.clone(),
            config_path: settings.config_path.display().to_string(),
        });
        let auth = Arc::new(auth::Auth::new(
            settings.auth.clone(),
            base.clone(),
            http.clone(),
        )?);
        let client = client::Client::new(http, base, auth);
        let probe = pathauto::Probe::default();
        let backend = match settings.api {
            Api::Jsonapi => Backend::JsonApi(
                jsonapi::JsonApi::new(client.clone(), &settings.bundle)
                    .with_pathauto_probe(probe.clone()),
            ),
            Api::Rest => Backend::Rest(rest::Rest::new(client.clone(), &settings.bundle)),
        };
        Ok(Site {
            client,
            backend,
            parallelism: settings.parallelism.max(1),
            origin,
            pathauto: probe,
        })
    }

    /// A connection failure with the host, where its URL came from and the setting that
    /// fixes it (an untrusted certificate authority, an unknown host, a refused connection).
    fn explain(&self, error: DrupalError) -> DrupalError {
        let DrupalError::Transport {
            method,
            path,
            message,
            maybe_sent,
        } = error
        else {
            return error;
        };
        let Origin {
            url,
            host,
            source,
            config_path,
        } = self.origin.as_ref();
        let lower = message.to_ascii_lowercase();
        let hint = if lower.contains("certificate") || lower.contains("unknownissuer") {
            format!(
                "`{host}` presents a certificate this machine does not trust (the site url `{url}` comes from {source})\n  \
                 hint: if the site uses a private certificate authority, set `ca_file = \"/path/to/ca.pem\"` under [site] in `{config_path}`, \
                 or SSL_CERT_FILE / SSL_CERT_DIR to the authority's PEM file"
            )
        } else if lower.contains("dns") || lower.contains("lookup") || lower.contains("resolve") {
            format!(
                "cannot resolve the host `{host}` of the site url `{url}`\n  hint: check the url in {source}"
            )
        } else if lower.contains("could not connect") || lower.contains("refused") {
            format!(
                "cannot connect to `{url}`\n  hint: is the site up and reachable from here? The url comes from {source}"
            )
        } else {
            return DrupalError::Transport {
                method,
                path,
                message,
                maybe_sent,
            };
        };
        DrupalError::Transport {
            method,
            path,
            message: format!("{message}\n  {hint}"),
            maybe_sent,
        }
    }

    /// Reads in flight at once: twice the write parallelism. Reads are cheap for Drupal and
    /// mostly waiting, and a plan of 10,000 pages is 200 of them.
    fn read_concurrency(&self) -> usize {
        self.parallelism * 2
    }

    /// The site's menu links and menus (JSON:API, whatever `[site].api` is).
    pub fn menus(&self) -> menu::MenuApi {
        menu::MenuApi::new(self.client.clone())
    }

    /// Token requests made so far.
    pub fn token_requests(&self) -> u64 {
        self.client.auth().token_requests()
    }

    /// API requests made so far.
    pub fn requests(&self) -> u64 {
        self.client.requests()
    }

    /// Read the site's state of `pages`, and with `prune_namespace` every node of that
    /// namespace. JSON:API: one request per 50 pages; REST: one lookup per page, concurrently.
    pub async fn read(
        &self,
        pages: &[Page],
        prune_namespace: Option<&str>,
    ) -> Result<RemoteState, Vec<DrupalError>> {
        self.read_state(pages, prune_namespace)
            .await
            .map_err(|errors| errors.into_iter().map(|e| self.explain(e)).collect())
    }

    async fn read_state(
        &self,
        pages: &[Page],
        prune_namespace: Option<&str>,
    ) -> Result<RemoteState, Vec<DrupalError>> {
        match &self.backend {
            Backend::JsonApi(api) => {
                let mut state = RemoteState::default();
                if let Some(namespace) = prune_namespace {
                    let prefix: String = derive_uuid(namespace, "")
                        .to_string()
                        .chars()
                        .take(13)
                        .collect();
                    let nodes = api.fetch_prefixed(&prefix).await.map_err(|e| vec![e])?;
                    state.namespace_pages = Some(nodes);
                }
                let listed: HashMap<Uuid, &RemotePage> = state
                    .namespace_pages
                    .iter()
                    .flatten()
                    .map(|n| (n.uuid, n))
                    .collect();
                let mut wanted = Vec::new();
                for page in pages {
                    match listed.get(&page.uuid) {
                        Some(node) => {
                            state.pages.insert(page.uuid, (*node).clone());
                        }
                        None if state.namespace_pages.is_some() && !page.adopted => {}
                        None => wanted.push(page.uuid),
                    }
                }
                let batches: Vec<Vec<RemotePage>> = stream::iter(wanted.chunks(jsonapi::PAGE_SIZE))
                    .map(|chunk| api.fetch_batch(chunk))
                    .buffer_unordered(self.read_concurrency())
                    .try_collect()
                    .await
                    .map_err(|e| vec![e])?;
                state
                    .pages
                    .extend(batches.into_iter().flatten().map(|n| (n.uuid, n)));
                Ok(state)
            }
            Backend::Rest(api) => {
                if prune_namespace.is_some() {
                    return Err(vec![DrupalError::Conflict(
                        "--prune needs api = \"jsonapi\": core REST has no endpoint that lists nodes, so drupal-sync cannot find pages whose files were removed\n  hint: enable JSON:API (read-only listing is enough for pruning) and set [site].api = \"jsonapi\"".into(),
                    )]);
                }
                let results: Vec<Result<Option<RemotePage>, DrupalError>> = stream::iter(pages)
                    .map(|page| api.find(page))
                    .buffer_unordered(self.read_concurrency())
                    .collect()
                    .await;
                let mut state = RemoteState::default();
                let mut errors = Vec::new();
                for result in results {
                    match result {
                        Ok(Some(node)) => {
                            state.pages.insert(node.uuid, node);
                        }
                        Ok(None) => {}
                        Err(e) => errors.push(e),
                    }
                }
                if errors.is_empty() {
                    Ok(state)
                } else {
                    Err(errors)
                }
            }
        }
    }

    /// Every page of the bundle this account may see (`import`): JSON:API lists them 50 per
    /// request; core REST has no listing, which is an error that says what to do.
    pub async fn list(&self) -> Result<Vec<RemotePage>, DrupalError> {
        match &self.backend {
            Backend::JsonApi(api) => api.fetch_every().await,
            Backend::Rest(_) => Err(DrupalError::Conflict(REST_CANNOT_LIST.into())),
        }
    }

    /// The nodes a plan targets, as they are now (to refuse a stale saved plan): JSON:API
    /// reads them 50 per request; REST looks each page up by alias.
    pub async fn current(
        &self,
        changes: &[Change],
    ) -> Result<HashMap<Uuid, RemotePage>, DrupalError> {
        self.current_nodes(changes)
            .await
            .map_err(|e| self.explain(e))
    }

    async fn current_nodes(
        &self,
        changes: &[Change],
    ) -> Result<HashMap<Uuid, RemotePage>, DrupalError> {
        let found: Vec<RemotePage> = match &self.backend {
            Backend::JsonApi(api) => {
                let uuids: Vec<Uuid> = changes.iter().map(|c| c.uuid).collect();
                let batches: Vec<Vec<RemotePage>> = stream::iter(uuids.chunks(jsonapi::PAGE_SIZE))
                    .map(|chunk| api.fetch_batch(chunk))
                    .buffer_unordered(self.read_concurrency())
                    .try_collect()
                    .await?;
                batches.into_iter().flatten().collect()
            }
            Backend::Rest(api) => {
                let pages = changes.iter().filter_map(|c| c.page.as_ref());
                let nodes: Vec<Option<RemotePage>> = stream::iter(pages)
                    .map(|page| api.find(page))
                    .buffer_unordered(self.read_concurrency())
                    .try_collect()
                    .await?;
                nodes.into_iter().flatten().collect()
            }
        };
        Ok(found.into_iter().map(|n| (n.uuid, n)).collect())
    }

    /// The page's node as it is now (to verify a write whose outcome is unknown).
    pub async fn find(&self, page: &Page) -> Result<Option<RemotePage>, DrupalError> {
        match &self.backend {
            Backend::JsonApi(api) => api.fetch_one(page.uuid).await,
            Backend::Rest(api) => api.find(page).await,
        }
    }

    /// What is known about the site for checking a write's result (pathauto, once asked).
    pub fn facts(&self) -> crate::verify::SiteFacts {
        crate::verify::SiteFacts {
            pathauto: self.pathauto.known(),
        }
    }

    /// Whether the answer to a write of the alias cannot be trusted: a node pathauto owns
    /// answers with the alias sent and keeps its own (drupal-wire 98, 99), so only a read-back
    /// tells. True where the site runs pathauto (asked once, through the JSON:API index, with
    /// either API: a core REST site without JSON:API counts as without pathauto).
    pub async fn alias_echo_may_lie(&self) -> bool {
        self.pathauto.runs(&self.client).await
    }

    /// Create the page's node.
    pub async fn create(&self, page: &Page, log: &str) -> Result<RemotePage, DrupalError> {
        match &self.backend {
            Backend::JsonApi(api) => api.create(page, log).await,
            Backend::Rest(api) => api.create(page, log).await,
        }
    }

    /// Write the changed `fields` of `page` to its node.
    pub async fn update(
        &self,
        page: &Page,
        remote: &RemotePage,
        fields: &[Field],
        log: &str,
    ) -> Result<RemotePage, DrupalError> {
        match &self.backend {
            Backend::JsonApi(api) => api.update(page, remote, fields, log).await,
            Backend::Rest(api) => api.update(page, remote, fields, log).await,
        }
    }

    /// The site's files named `names`, looked up 50 names per request, concurrently; `None`
    /// when the site has no file lookup (JSON:API's file collection answers 404). Core REST
    /// sites use JSON:API's collection too: REST itself has none (drupal-wire `76_…`).
    pub async fn find_files(
        &self,
        names: &[String],
    ) -> Result<Option<Vec<crate::files::RemoteFile>>, DrupalError> {
        let batches: Vec<Option<Vec<crate::files::RemoteFile>>> =
            stream::iter(names.chunks(crate::files::LOOKUP_BATCH))
                .map(|chunk| files::find(&self.client, chunk))
                .buffer_unordered(self.read_concurrency())
                .try_collect()
                .await?;
        if batches.iter().any(Option::is_none) {
            return Ok(None);
        }
        Ok(Some(batches.into_iter().flatten().flatten().collect()))
    }

    /// Upload `bytes` as `name` through the file field `field`, with the configured API.
    pub async fn upload_file(
        &self,
        field: &crate::files::FieldPath,
        name: &str,
        bytes: &[u8],
    ) -> Result<crate::files::RemoteFile, DrupalError> {
        match &self.backend {
            Backend::JsonApi(_) => files::upload_jsonapi(&self.client, field, name, bytes).await,
            Backend::Rest(_) => files::upload_rest(&self.client, field, name, bytes).await,
        }
    }

    /// The site's text formats and their filters (`GET /jsonapi/filter_format/filter_format`,
    /// one request, whatever the configured API). An account without "administer filters"
    /// reads none (drupal-wire 5d); a site without JSON:API answers 404: none either.
    pub async fn text_formats(&self) -> Result<Vec<crate::formats::TextFormat>, DrupalError> {
        let document: Option<serde_json::Value> = self
            .client
            .get_json(
                "/jsonapi/filter_format/filter_format",
                "application/vnd.api+json",
            )
            .await?;
        Ok(document
            .map(|d| crate::formats::TextFormat::from_jsonapi(&d))
            .unwrap_or_default())
    }

    /// Delete a node.
    pub async fn delete(&self, remote: &RemotePage) -> Result<(), DrupalError> {
        match &self.backend {
            Backend::JsonApi(api) => api.delete(remote.uuid).await,
            Backend::Rest(api) => match remote.nid {
                Some(nid) => api.delete(nid).await,
                None => Err(DrupalError::Conflict(format!(
                    "node {} has no id",
                    remote.uuid
                ))),
            },
        }
    }
}
