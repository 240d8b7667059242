//! JSON:API backend (`/jsonapi/node/{bundle}`): reads in pages of 50 with `id IN (…)`
//! filters and sparse fieldsets, creates with the page's UUID as `data.id`, updates with
//! PATCH of the changed fields only (sending the alias `pid`, or Drupal adds a second
//! alias), deletes by UUID. DTOs and their mapping to [`RemotePage`] live here.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::client::Client;
use super::document::{self, protocol, MEDIA};
use super::error::DrupalError;
use super::pathauto::Probe;
use crate::page::{Page, RemotePage};
use crate::plan::Field;

type Resource = document::Resource<Attributes>;
type Single = document::Single<Attributes>;

/// JSON:API's page size limit (larger values are clamped by Drupal).
pub const PAGE_SIZE: usize = 50;
const FIELDS: &str =
    "title,path,body,status,changed,revision_log,drupal_internal__nid,drupal_internal__vid";

/// The JSON:API resource of one bundle.
#[derive(Debug, Clone)]
pub struct JsonApi {
    client: Client,
    bundle: String,
    /// Whether the site runs pathauto, asked once (on the first alias written) per run.
    pathauto: Probe,
}

impl JsonApi {
    /// The backend for `node--{bundle}`.
    pub fn new(client: Client, bundle: &str) -> Self {
        Self {
            client,
            bundle: bundle.to_owned(),
            pathauto: Probe::default(),
        }
    }

    /// Share `probe` (the site's one answer to "does it run pathauto?").
    pub fn with_pathauto_probe(mut self, probe: Probe) -> Self {
        self.pathauto = probe;
        self
    }

    /// A `path` value for `page`: the alias, with `"pathauto": 0` where pathauto runs so it
    /// keeps the alias (drupal-wire 91, 9a); JSON:API refuses that property elsewhere (95).
    async fn path_value(&self, page: &Page, remote: Option<&RemotePage>) -> Value {
        let mut path = match remote {
            Some(remote) => alias_value(page, remote),
            None => json!({ "alias": page.alias }),
        };
        if self.pathauto.runs(&self.client).await {
            path["pathauto"] = json!(0);
        }
        path
    }

    fn resource_type(&self) -> String {
        format!("node--{}", self.bundle)
    }

    fn collection(&self) -> String {
        format!("/jsonapi/node/{}", self.bundle)
    }

    /// The nodes with these UUIDs (at most [`PAGE_SIZE`]), in one request (plus `next` pages,
    /// which Drupal only sends when access checks hid some results).
    pub async fn fetch_batch(&self, uuids: &[Uuid]) -> Result<Vec<RemotePage>, DrupalError> {
        let mut query =
            String::from("filter[ids][condition][path]=id&filter[ids][condition][operator]=IN");
        for uuid in uuids {
            query.push_str(&format!("&filter[ids][condition][value][]={uuid}"));
        }
        self.fetch_all(&query).await
    }

    /// Every node whose UUID starts with `prefix` (a namespace's first 6 bytes).
    pub async fn fetch_prefixed(&self, prefix: &str) -> Result<Vec<RemotePage>, DrupalError> {
        let query = format!(
            "filter[ns][condition][path]=id&filter[ns][condition][operator]=STARTS_WITH&filter[ns][condition][value]={prefix}&sort=drupal_internal__nid"
        );
        self.fetch_all(&query).await
    }

    /// Every node of the bundle this account may see, in nid order, 50 per request.
    pub async fn fetch_every(&self) -> Result<Vec<RemotePage>, DrupalError> {
        self.fetch_all("sort=drupal_internal__nid").await
    }

    async fn fetch_all(&self, filter: &str) -> Result<Vec<RemotePage>, DrupalError> {
        let path = format!(
            "{}?{filter}&fields[{}]={FIELDS}&page[limit]={PAGE_SIZE}",
            self.collection(),
            self.resource_type()
        );
        let resources = document::collect::<Attributes>(&self.client, path.clone())
            .await?
            .ok_or_else(|| {
                protocol(
                    &Method::GET,
                    &path,
                    &format!("no JSON:API resource for bundle `{}` (404): check [site].bundle and that JSON:API is enabled", self.bundle),
                )
            })?;
        resources
            .into_iter()
            .map(|resource| {
                remote_page(resource)
                    .ok_or_else(|| protocol(&Method::GET, &path, "a resource has no valid `id`"))
            })
            .collect()
    }

    /// One node by UUID, or `None` when the site has none.
    pub async fn fetch_one(&self, uuid: Uuid) -> Result<Option<RemotePage>, DrupalError> {
        let path = format!(
            "{}/{uuid}?fields[{}]={FIELDS}",
            self.collection(),
            self.resource_type()
        );
        let Some(document) = self.client.get_json::<Single>(&path, MEDIA).await? else {
            return Ok(None);
        };
        Ok(remote_page(document.data))
    }

    /// Create the page's node with its UUID. A 409 means the node already exists.
    pub async fn create(&self, page: &Page, log: &str) -> Result<RemotePage, DrupalError> {
        let mut attributes = Map::new();
        attributes.insert("title".into(), json!(page.title));
        if !page.alias_auto {
            attributes.insert("path".into(), self.path_value(page, None).await);
        }
        if page.status_explicit {
            attributes.insert("status".into(), json!(page.published));
        }
        attributes.insert("body".into(), body_value(page));
        attributes.insert("revision_log".into(), json!(log));
        let document = json!({
            "data": { "type": self.resource_type(), "id": page.uuid, "attributes": attributes }
        });
        let path = self.collection();
        self.write(Method::POST, &path, &document).await
    }

    /// Send the changed `fields` of `page` to its node `remote`.
    pub async fn update(
        &self,
        page: &Page,
        remote: &RemotePage,
        fields: &[Field],
        log: &str,
    ) -> Result<RemotePage, DrupalError> {
        let mut attributes = Map::new();
        for field in fields {
            match field {
                Field::Title => {
                    attributes.insert("title".into(), json!(page.title));
                }
                Field::Status => {
                    attributes.insert("status".into(), json!(page.published));
                }
                Field::Alias => {
                    attributes.insert("path".into(), self.path_value(page, Some(remote)).await);
                }
                Field::Body | Field::Format | Field::Summary => {
                    attributes.insert("body".into(), body_value(page));
                }
            }
        }
        attributes.insert("revision_log".into(), json!(log));
        let document = json!({
            "data": { "type": self.resource_type(), "id": page.uuid, "attributes": attributes }
        });
        let path = format!("{}/{}", self.collection(), page.uuid);
        self.write(Method::PATCH, &path, &document).await
    }

    /// Delete a node; a node already gone counts as deleted.
    pub async fn delete(&self, uuid: Uuid) -> Result<(), DrupalError> {
        document::delete(&self.client, &format!("{}/{uuid}", self.collection())).await
    }

    async fn write(
        &self,
        method: Method,
        path: &str,
        document: &Value,
    ) -> Result<RemotePage, DrupalError> {
        let resource =
            document::write::<Attributes>(&self.client, method.clone(), path, document).await?;
        remote_page(resource)
            .ok_or_else(|| protocol(&method, path, "the answer has no valid resource"))
    }
}

fn body_value(page: &Page) -> Value {
    json!({
        "value": page.body,
        "format": page.format,
        "summary": page.summary.clone().unwrap_or_default(),
    })
}

/// The `path` attribute for an alias change: with the current alias's `pid`, so Drupal
/// renames it instead of adding a second alias (drupal-wire 42–44).
pub fn alias_value(page: &Page, remote: &RemotePage) -> Value {
    match remote.alias_pid {
        Some(pid) => json!({ "alias": page.alias, "pid": pid, "langcode": "en" }),
        None => json!({ "alias": page.alias }),
    }
}

#[derive(Debug, Default, Deserialize)]
struct Attributes {
    #[serde(rename = "drupal_internal__nid")]
    nid: Option<u64>,
    #[serde(rename = "drupal_internal__vid")]
    vid: Option<u64>,
    title: Option<String>,
    status: Option<bool>,
    path: Option<PathAttribute>,
    body: Option<BodyAttribute>,
    changed: Option<String>,
    /// Absent: the account may not see logs (`None`); null: an empty log (`Some(None)`).
    #[serde(default, deserialize_with = "present")]
    revision_log: Option<Option<String>>,
}

#[derive(Debug, Deserialize)]
struct PathAttribute {
    alias: Option<String>,
    pid: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct BodyAttribute {
    value: Option<String>,
    format: Option<String>,
    summary: Option<String>,
    #[serde(default)]
    processed: Option<String>,
}

/// Tell a field that is present but null from one that is absent.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Map a JSON:API `node--*` resource object to a [`RemotePage`].
fn remote_page(resource: Resource) -> Option<RemotePage> {
    let a = resource.attributes;
    let (alias, alias_pid) = a.path.map_or((None, None), |p| (p.alias, p.pid));
    let (body, format, summary, processed) = a.body.map_or((None, None, None, None), |b| {
        (b.value, b.format, b.summary, b.processed)
    });
    Some(RemotePage {
        uuid: resource.id.parse().ok()?,
        nid: a.nid,
        vid: a.vid,
        title: a.title.unwrap_or_default(),
        alias,
        alias_pid,
        published: a.status.unwrap_or(true),
        body,
        format,
        summary,
        changed: a.changed,
        revision_log: a.revision_log.map(Option::unwrap_or_default),
        processed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_the_recorded_resource() {
        // Transcript 41 (sparse fieldset answer).
        let resource: Resource = serde_json::from_str(r#"{"type":"node--page","id":"aaaaaaaa-0000-8000-8000-000000000001","attributes":{"drupal_internal__nid":13,"drupal_internal__vid":14,"revision_log":"drupal-sync: create","status":true,"title":"Alias page","changed":"2026-11-29T19:58:22+00:00","path":{"alias":"\/alias-page","pid":3,"langcode":"en"},"body":{"value":"\u003Cp\u003Eone\u003C\/p\u003E","format":"basic_html","processed":"\u003Cp\u003Eone\u003C\/p\u003E","summary":""}}}"#).unwrap();
        let page = remote_page(resource).unwrap();
        assert_eq!(page.nid, Some(13));
        assert_eq!(page.alias.as_deref(), Some("/alias-page"));
        assert_eq!(page.alias_pid, Some(3));
        assert_eq!(page.body.as_deref(), Some("<p>one</p>"));
        assert_eq!(page.summary.as_deref(), Some(""));
        assert!(page.published);
    }

    #[test]
    fn maps_a_node_without_body_or_alias() {
        let resource: Resource = serde_json::from_str(r#"{"type":"node--page","id":"1eaf3c6c-110c-47e1-a930-dee1204ececd","attributes":{"title":"JWT page","status":false,"path":{"alias":null,"pid":null,"langcode":"en"},"body":null}}"#).unwrap();
        let page = remote_page(resource).unwrap();
        assert_eq!(page.alias, None);
        assert_eq!(page.body, None);
        assert!(!page.published);
    }
}
