//! JSON:API documents as every resource client here reads them (nodes, menu links, files):
//! the generic envelope (`data`, `links.next`), paging through a collection, and a write that
//! answers one resource. Each client keeps its own `attributes` type and mapping.

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use super::client::{Body, Client, Repeat};
use super::error::DrupalError;

/// JSON:API's media type, for `Accept` and `Content-Type`.
pub(super) const MEDIA: &str = "application/vnd.api+json";

/// A collection page, reduced to its resources and the link to the next page.
#[derive(Debug, Deserialize)]
#[serde(bound = "A: DeserializeOwned + Default")]
pub(super) struct Collection<A> {
    pub(super) data: Vec<Resource<A>>,
    links: Option<Links>,
}

/// A document holding one resource.
#[derive(Debug, Deserialize)]
#[serde(bound = "A: DeserializeOwned + Default")]
pub(super) struct Single<A> {
    pub(super) data: Resource<A>,
}

/// One resource: its UUID and the attributes a client reads (everything else is skipped).
#[derive(Debug, Deserialize)]
#[serde(bound = "A: DeserializeOwned + Default")]
pub(super) struct Resource<A> {
    pub(super) id: String,
    #[serde(default)]
    pub(super) attributes: A,
}

#[derive(Debug, Deserialize)]
struct Links {
    next: Option<Href>,
}

#[derive(Debug, Deserialize)]
struct Href {
    href: String,
}

/// Every resource of the collection whose first page is `first`, following `links.next`;
/// `None` when the first page is a 404 (no such resource on the site).
pub(super) async fn collect<A>(
    client: &Client,
    first: String,
) -> Result<Option<Vec<Resource<A>>>, DrupalError>
where
    A: DeserializeOwned + Default,
{
    let mut path = first;
    let mut resources = Vec::new();
    loop {
        let Some(document) = client.get_json::<Collection<A>>(&path, MEDIA).await? else {
            return Ok(None);
        };
        resources.extend(document.data);
        match document.links.and_then(|l| l.next) {
            Some(next) => path = relative(client, &next.href)?,
            None => return Ok(Some(resources)),
        }
    }
}

/// Sends `document` with `method` (POST or PATCH) and reads the one resource answered.
pub(super) async fn write<A>(
    client: &Client,
    method: Method,
    path: &str,
    document: &Value,
) -> Result<Resource<A>, DrupalError>
where
    A: DeserializeOwned + Default,
{
    let body = Body {
        content_type: MEDIA,
        bytes: serde_json::to_vec(document).unwrap_or_default(),
    };
    let response = client
        .send(method.clone(), path, MEDIA, Some(&body), Repeat::Unsafe)
        .await?;
    if !response.ok() {
        return Err(response.error(&method, path));
    }
    Ok(response.json::<Single<A>>(&method, path)?.data)
}

/// Deletes the resource at `path`; one already gone counts as deleted.
pub(super) async fn delete(client: &Client, path: &str) -> Result<(), DrupalError> {
    let response = client
        .send(Method::DELETE, path, MEDIA, None, Repeat::Safe)
        .await?;
    match response.status {
        204 | 200 | 404 => Ok(()),
        _ => Err(response.error(&Method::DELETE, path)),
    }
}

/// An answer drupal-sync cannot use, named by its request.
pub(super) fn protocol(method: &Method, path: &str, message: &str) -> DrupalError {
    DrupalError::Protocol {
        method: method.to_string(),
        path: path.split('?').next().unwrap_or(path).to_owned(),
        message: message.to_owned(),
    }
}

/// A `links.next` href as a path on this site; a link to another host is refused, so
/// credentials never follow it.
fn relative(client: &Client, href: &str) -> Result<String, DrupalError> {
    let base = client.url("");
    href.strip_prefix(&base)
        .map(str::to_owned)
        .or_else(|| href.starts_with('/').then(|| href.to_owned()))
        .ok_or_else(|| protocol(&Method::GET, href, "`links.next` points outside the site"))
}
