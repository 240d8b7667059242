//! Menu links over JSON:API (`/jsonapi/menu_link_content/menu_link_content`, drupal-wire §6):
//! the namespace's links read 50 per request with a UUID prefix filter, the site's menus
//! (`/jsonapi/menu/menu`), and link writes with the link's UUID as `data.id`. Used whatever
//! `[site].api` is: core REST has no menu link resource a site enables by default.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::client::Client;
use super::document::{self, protocol, MEDIA};
use super::error::DrupalError;
use crate::menu::{node_uri, parent_ref, Link, LinkField, RemoteLink};

const COLLECTION: &str = "/jsonapi/menu_link_content/menu_link_content";
const TYPE: &str = "menu_link_content--menu_link_content";
const FIELDS: &str = "title,link,parent,weight,menu_name,enabled";
const PAGE_SIZE: usize = 50;

type Resource = document::Resource<Attributes>;
type Single = document::Single<Attributes>;

/// The site's menu links and menus.
#[derive(Debug, Clone)]
pub struct MenuApi {
    client: Client,
}

impl MenuApi {
    /// Menu links through `client`.
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// Every link whose UUID starts with `prefix` (a namespace's), in every menu; `None`
    /// when the site has no menu link resource (Custom Menu Links or JSON:API is off).
    pub async fn links(&self, prefix: &str) -> Result<Option<Vec<RemoteLink>>, DrupalError> {
        let path = format!(
            "{COLLECTION}?filter[ns][condition][path]=id&filter[ns][condition][operator]=STARTS_WITH&filter[ns][condition][value]={prefix}&fields[{TYPE}]={FIELDS}&sort=drupal_internal__id&page[limit]={PAGE_SIZE}"
        );
        let Some(resources) = document::collect::<Attributes>(&self.client, path.clone()).await?
        else {
            return Ok(None);
        };
        resources
            .into_iter()
            .map(|resource| {
                remote_link(resource)
                    .ok_or_else(|| protocol(&Method::GET, &path, "a menu link has no valid `id`"))
            })
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// One link by UUID, or `None` when the site has none.
    pub async fn find(&self, uuid: Uuid) -> Result<Option<RemoteLink>, DrupalError> {
        let path = format!("{COLLECTION}/{uuid}?fields[{TYPE}]={FIELDS}");
        let document: Option<Single> = self.client.get_json(&path, MEDIA).await?;
        Ok(document.and_then(|d| remote_link(d.data)))
    }

    /// The machine names of the site's menus; `None` when the account may not see them
    /// (Drupal lists menus without `drupal_internal__id` to accounts lacking "administer
    /// menu", drupal-wire 89).
    pub async fn menus(&self) -> Result<Option<Vec<String>>, DrupalError> {
        let path = "/jsonapi/menu/menu?fields[menu--menu]=drupal_internal__id,label";
        let document: MenuCollection =
            self.client.get_json(path, MEDIA).await?.ok_or_else(|| {
                protocol(
                    &Method::GET,
                    path,
                    "no JSON:API resource for menus (404): menus need the JSON:API module",
                )
            })?;
        let ids: Vec<String> = document
            .data
            .into_iter()
            .filter_map(|m| m.attributes.id)
            .collect();
        Ok((!ids.is_empty()).then_some(ids))
    }

    /// Create `link` pointing at node `nid`, with its UUID.
    pub async fn create(&self, link: &Link, nid: u64) -> Result<RemoteLink, DrupalError> {
        let mut attributes = Map::new();
        attributes.insert("title".into(), json!(link.title));
        attributes.insert("menu_name".into(), json!(link.menu));
        attributes.insert("link".into(), json!({ "uri": node_uri(nid) }));
        attributes.insert("weight".into(), json!(link.weight));
        attributes.insert("expanded".into(), json!(false));
        attributes.insert("enabled".into(), json!(link.enabled));
        if let Some(parent) = link.parent {
            attributes.insert("parent".into(), json!(parent_ref(parent)));
        }
        let document =
            json!({ "data": { "type": TYPE, "id": link.uuid, "attributes": attributes } });
        self.write(Method::POST, COLLECTION, &document).await
    }

    /// Send the changed `fields` of `link`; `nid` is the page's node (for `link`).
    pub async fn update(
        &self,
        link: &Link,
        nid: Option<u64>,
        fields: &[LinkField],
    ) -> Result<RemoteLink, DrupalError> {
        let mut attributes = Map::new();
        for field in fields {
            match field {
                LinkField::Title => {
                    attributes.insert("title".into(), json!(link.title));
                }
                LinkField::Weight => {
                    attributes.insert("weight".into(), json!(link.weight));
                }
                LinkField::Parent => {
                    attributes.insert("parent".into(), json!(link.parent.map(parent_ref)));
                }
                LinkField::Enabled => {
                    attributes.insert("enabled".into(), json!(link.enabled));
                }
                LinkField::Link => {
                    if let Some(nid) = nid {
                        attributes.insert("link".into(), json!({ "uri": node_uri(nid) }));
                    }
                }
            }
        }
        let document =
            json!({ "data": { "type": TYPE, "id": link.uuid, "attributes": attributes } });
        let path = format!("{COLLECTION}/{}", link.uuid);
        self.write(Method::PATCH, &path, &document).await
    }

    /// Delete a link; one already gone (deleted with its node) counts as deleted.
    pub async fn delete(&self, uuid: Uuid) -> Result<(), DrupalError> {
        document::delete(&self.client, &format!("{COLLECTION}/{uuid}")).await
    }

    async fn write(
        &self,
        method: Method,
        path: &str,
        document: &Value,
    ) -> Result<RemoteLink, DrupalError> {
        let resource =
            document::write::<Attributes>(&self.client, method.clone(), path, document).await?;
        remote_link(resource)
            .ok_or_else(|| protocol(&method, path, "the answer has no valid menu link"))
    }
}

#[derive(Debug, Default, Deserialize)]
struct Attributes {
    title: Option<String>,
    menu_name: Option<String>,
    weight: Option<i64>,
    parent: Option<String>,
    enabled: Option<bool>,
    link: Option<LinkAttribute>,
}

#[derive(Debug, Deserialize)]
struct LinkAttribute {
    uri: Option<String>,
}

#[derive(Debug, Deserialize)]
struct MenuCollection {
    data: Vec<MenuResource>,
}

#[derive(Debug, Deserialize)]
struct MenuResource {
    #[serde(default)]
    attributes: MenuAttributes,
}

#[derive(Debug, Default, Deserialize)]
struct MenuAttributes {
    #[serde(rename = "drupal_internal__id")]
    id: Option<String>,
}

/// Map a `menu_link_content--menu_link_content` resource object to a [`RemoteLink`].
fn remote_link(resource: Resource) -> Option<RemoteLink> {
    let a = resource.attributes;
    Some(RemoteLink {
        uuid: resource.id.parse().ok()?,
        menu: a.menu_name.unwrap_or_default(),
        title: a.title.unwrap_or_default(),
        weight: a.weight.unwrap_or(0),
        parent: a.parent.filter(|p| !p.is_empty()),
        enabled: a.enabled.unwrap_or(true),
        uri: a.link.and_then(|l| l.uri).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_the_recorded_listing() {
        // Transcript 82 (sparse fieldset answer), second item.
        let resource: Resource = serde_json::from_str(r#"{"type":"menu_link_content--menu_link_content","id":"aaaaaaaa-0000-8000-8000-0000000000a2","attributes":{"enabled":true,"title":"Child","menu_name":"main","link":{"uri":"internal:\/with-image","title":null,"options":[]},"weight":0,"parent":"menu_link_content:aaaaaaaa-0000-8000-8000-0000000000a1"}}"#).unwrap();
        let link = remote_link(resource).unwrap();
        assert_eq!(link.menu, "main");
        assert_eq!(link.title, "Child");
        assert_eq!(
            link.parent.as_deref(),
            Some("menu_link_content:aaaaaaaa-0000-8000-8000-0000000000a1")
        );
        assert_eq!(link.uri, "internal:/with-image");
        assert!(link.enabled);
    }

    #[test]
    fn menus_without_ids_mean_no_permission() {
        // Transcript 89: the editor sees labels only.
        let document: MenuCollection = serde_json::from_str(r#"{"data":[{"type":"menu--menu","id":"2b6926e3-34a6-45b8-81b8-ebc6b6b2ab82","attributes":{"label":"User account menu"}}]}"#).unwrap();
        assert!(document.data.iter().all(|m| m.attributes.id.is_none()));
    }
}
