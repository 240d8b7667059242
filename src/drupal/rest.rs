//! Core REST backend (`?_format=json`): Drupal has no listing endpoint there, so a page is
//! found by its alias (`GET /{alias}?_format=json`), then by its previous aliases; writes
//! go to `/node` and `/node/{nid}` with `type` always present and the alias `pid` on renames.

use reqwest::Method;
use serde_json::{json, Map, Value};
use url::Url;

use super::client::{Body, Client, Repeat};
use super::error::DrupalError;
use crate::page::{default_alias, Page, RemotePage};
use crate::plan::Field;

const MEDIA: &str = "application/json";

/// The core REST node resource.
#[derive(Debug, Clone)]
pub struct Rest {
    client: Client,
    bundle: String,
}

impl Rest {
    /// The backend for nodes of `bundle`.
    pub fn new(client: Client, bundle: &str) -> Self {
        Self {
            client,
            bundle: bundle.to_owned(),
        }
    }

    /// The page's node: looked up by its alias, then its previous aliases and its default
    /// alias. An alias held by a node with another UUID is an error naming both.
    pub async fn find(&self, page: &Page) -> Result<Option<RemotePage>, DrupalError> {
        let mut candidates = vec![page.alias.clone()];
        candidates.extend(page.previous_aliases.iter().cloned());
        candidates.push(default_alias(&page.key));
        candidates.dedup();
        for (i, alias) in candidates.iter().enumerate() {
            let Some(node) = self.by_alias(alias).await? else {
                continue;
            };
            if node.uuid == page.uuid {
                return Ok(Some(node));
            }
            if i == 0 {
                return Err(DrupalError::Conflict(format!(
                    "{}: the alias `{alias}` is already used by node {} (uuid {}), which is not this page\n  hint: add `uuid: {}` to adopt that node, or choose another `path`",
                    page.source,
                    node.nid.map_or_else(|| "?".to_owned(), |n| n.to_string()),
                    node.uuid,
                    node.uuid,
                )));
            }
        }
        Ok(None)
    }

    async fn by_alias(&self, alias: &str) -> Result<Option<RemotePage>, DrupalError> {
        let path = format!("{}?_format=json", encode_path(alias));
        let Some(node) = self.client.get_json::<Value>(&path, MEDIA).await? else {
            return Ok(None);
        };
        // An alias of another entity type or bundle is not one of our pages.
        if node.pointer("/type/0/target_id").and_then(Value::as_str) != Some(self.bundle.as_str()) {
            return Ok(None);
        }
        Ok(remote_page(&node))
    }

    /// Create the page's node with its UUID. Drupal answers 500 to a UUID that exists.
    pub async fn create(&self, page: &Page, log: &str) -> Result<RemotePage, DrupalError> {
        let mut node = self.fields(page, &[Field::Title, Field::Body], log);
        node.insert("uuid".into(), json!([{ "value": page.uuid }]));
        // pathauto keeps an alias sent with `"pathauto": 0`; core REST ignores the property
        // where pathauto does not run (drupal-wire 93, 96), so it is always sent.
        node.insert(
            "path".into(),
            json!([{ "alias": page.alias, "pathauto": 0 }]),
        );
        if page.status_explicit {
            node.insert("status".into(), json!([{ "value": page.published }]));
        }
        self.write(Method::POST, "/node?_format=json", node).await
    }

    /// Send the changed `fields` of `page` to node `remote`.
    pub async fn update(
        &self,
        page: &Page,
        remote: &RemotePage,
        fields: &[Field],
        log: &str,
    ) -> Result<RemotePage, DrupalError> {
        let nid = remote
            .nid
            .ok_or_else(|| DrupalError::Conflict(format!("{}: the node has no id", page.source)))?;
        let mut node = self.fields(page, fields, log);
        if fields.contains(&Field::Alias) {
            let alias = match remote.alias_pid {
                Some(pid) => {
                    json!([{ "alias": page.alias, "pid": pid, "langcode": "en", "pathauto": 0 }])
                }
                None => json!([{ "alias": page.alias, "pathauto": 0 }]),
            };
            node.insert("path".into(), alias);
        }
        self.write(Method::PATCH, &format!("/node/{nid}?_format=json"), node)
            .await
    }

    /// Delete node `nid`; a node already gone counts as deleted.
    pub async fn delete(&self, nid: u64) -> Result<(), DrupalError> {
        let path = format!("/node/{nid}?_format=json");
        let response = self
            .client
            .send(Method::DELETE, &path, MEDIA, None, Repeat::Safe)
            .await?;
        match response.status {
            204 | 200 | 404 => Ok(()),
            _ => Err(response.error(&Method::DELETE, &path)),
        }
    }

    fn fields(&self, page: &Page, fields: &[Field], log: &str) -> Map<String, Value> {
        let mut node = Map::new();
        node.insert("type".into(), json!([{ "target_id": self.bundle }]));
        for field in fields {
            match field {
                Field::Title => {
                    node.insert("title".into(), json!([{ "value": page.title }]));
                }
                Field::Status => {
                    node.insert("status".into(), json!([{ "value": page.published }]));
                }
                Field::Body | Field::Format | Field::Summary => {
                    node.insert(
                        "body".into(),
                        json!([{
                            "value": page.body,
                            "format": page.format,
                            "summary": page.summary.clone().unwrap_or_default(),
                        }]),
                    );
                }
                Field::Alias => {}
            }
        }
        node.insert("revision_log".into(), json!([{ "value": log }]));
        node
    }

    async fn write(
        &self,
        method: Method,
        path: &str,
        node: Map<String, Value>,
    ) -> Result<RemotePage, DrupalError> {
        let body = Body {
            content_type: MEDIA,
            bytes: serde_json::to_vec(&node).unwrap_or_default(),
        };
        let response = self
            .client
            .send(method.clone(), path, MEDIA, Some(&body), Repeat::Unsafe)
            .await?;
        if !response.ok() {
            return Err(response.error(&method, path));
        }
        remote_page(&response.json::<Value>(&method, path)?).ok_or_else(|| DrupalError::Protocol {
            method: method.to_string(),
            path: path.to_owned(),
            message: "the answer is not a node".into(),
        })
    }
}

/// Percent-encode an alias for use as a request path.
fn encode_path(alias: &str) -> String {
    let mut url = Url::parse("http://localhost/").expect("static URL");
    url.set_path(alias);
    url.path().to_owned()
}

/// Map a core REST node (field arrays) to a [`RemotePage`].
pub fn remote_page(node: &Value) -> Option<RemotePage> {
    let first = |field: &str, key: &str| node.get(field)?.get(0)?.get(key).cloned();
    let text =
        |field: &str, key: &str| first(field, key).and_then(|v| v.as_str().map(str::to_owned));
    let uuid = text("uuid", "value")?.parse().ok()?;
    Some(RemotePage {
        uuid,
        nid: first("nid", "value").and_then(|v| v.as_u64()),
        vid: first("vid", "value").and_then(|v| v.as_u64()),
        title: text("title", "value").unwrap_or_default(),
        alias: text("path", "alias"),
        alias_pid: first("path", "pid").and_then(|v| v.as_u64()),
        published: first("status", "value")
            .and_then(|v| v.as_bool())
            .unwrap_or(true),
        body: text("body", "value"),
        format: text("body", "format"),
        summary: text("body", "summary"),
        changed: text("changed", "value"),
        // Absent: the account may not see logs; `[]`: an empty log.
        revision_log: node
            .get("revision_log")
            .map(|_| text("revision_log", "value").unwrap_or_default()),
        processed: text("body", "processed"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_the_recorded_node() {
        // Transcript 57.
        let node: Value = serde_json::from_str(r#"{"nid":[{"value":14}],"uuid":[{"value":"aaaaaaaa-0000-8000-8000-000000000003"}],"vid":[{"value":18}],"type":[{"target_id":"page"}],"revision_log":[],"status":[{"value":true}],"title":[{"value":"REST with uuid"}],"changed":[{"value":"2026-11-29T19:58:26+00:00","format":"Y-m-d\\TH:i:sP"}],"path":[{"alias":"\/rest-with-uuid","pid":5,"langcode":"en"}],"body":[{"value":"\u003Cp\u003Er\u003C\/p\u003E","format":"basic_html","processed":"","summary":null}]}"#).unwrap();
        let page = remote_page(&node).unwrap();
        assert_eq!(page.nid, Some(14));
        assert_eq!(page.alias.as_deref(), Some("/rest-with-uuid"));
        assert_eq!(page.alias_pid, Some(5));
        assert_eq!(page.body.as_deref(), Some("<p>r</p>"));
        assert_eq!(page.summary, None);
        assert_eq!(page.revision_log.as_deref(), Some(""));
    }

    #[test]
    fn aliases_are_percent_encoded() {
        assert_eq!(encode_path("/über/uns"), "/%C3%BCber/uns");
        assert_eq!(encode_path("/team/people"), "/team/people");
    }
}
