//! Files on the site (drupal-wire §5): stored names looked up in JSON:API's file collection
//! (`filter` on `filename` with `IN`, 50 names a request, sparse fields; readable even by
//! anonymous visitors, `73_…`), and raw bytes uploaded to a file field through JSON:API
//! (`POST /jsonapi/{entity}/{bundle}/{field}`, `60_…`) or core REST
//! (`POST /file/upload/{entity}/{bundle}/{field}?_format=json`, `74_…`). DTOs live here.

use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use super::client::{Body, Client, Repeat};
use super::document::{self, protocol, MEDIA as JSONAPI};
use super::error::DrupalError;
use crate::files::{FieldPath, RemoteFile};

const JSON: &str = "application/json";
const FIELDS: &str = "filename,uri,filesize,status,drupal_internal__fid";

type Resource = document::Resource<Attributes>;
type Single = document::Single<Attributes>;

/// The files named `names` (one request for up to 50, plus `next` pages when the site holds
/// several files of one name); `None` when the site has no JSON:API file collection (404).
pub async fn find(
    client: &Client,
    names: &[String],
) -> Result<Option<Vec<RemoteFile>>, DrupalError> {
    let mut path = String::from(
        "/jsonapi/file/file?filter[n][condition][path]=filename&filter[n][condition][operator]=IN",
    );
    for name in names {
        path.push_str("&filter[n][condition][value][]=");
        path.extend(url::form_urlencoded::byte_serialize(name.as_bytes()));
    }
    path.push_str(&format!(
        "&fields[file--file]={FIELDS}&page[limit]={}",
        crate::files::LOOKUP_BATCH
    ));
    let found = document::collect::<Attributes>(client, path).await?;
    Ok(found.map(|resources| resources.into_iter().filter_map(remote_file).collect()))
}

/// The request headers and body of an upload: the raw bytes, `application/octet-stream`,
/// and the name in `Content-Disposition` (Drupal refuses an upload without it, `63_…`).
fn upload_body(name: &str, bytes: &[u8]) -> (Body, [(&'static str, String); 1]) {
    let quoted = name.replace(['"', '\\'], "_");
    (
        Body {
            content_type: "application/octet-stream",
            bytes: bytes.to_vec(),
        },
        [(
            "Content-Disposition",
            format!("file; filename=\"{quoted}\""),
        )],
    )
}

/// Upload through JSON:API; the answer is the new (temporary) file.
pub async fn upload_jsonapi(
    client: &Client,
    field: &FieldPath,
    name: &str,
    bytes: &[u8],
) -> Result<RemoteFile, DrupalError> {
    let path = format!("/jsonapi/{}/{}/{}", field.entity, field.bundle, field.field);
    let document: Single = post_bytes(client, &path, JSONAPI, name, bytes).await?;
    remote_file(document.data)
        .ok_or_else(|| protocol(&Method::POST, &path, "the answer has no file"))
}

/// Upload through core REST (the `file:upload` resource); the answer holds the file's fields.
pub async fn upload_rest(
    client: &Client,
    field: &FieldPath,
    name: &str,
    bytes: &[u8],
) -> Result<RemoteFile, DrupalError> {
    let path = format!(
        "/file/upload/{}/{}/{}?_format=json",
        field.entity, field.bundle, field.field
    );
    let fields: Value = post_bytes(client, &path, JSON, name, bytes).await?;
    rest_file(&fields).ok_or_else(|| protocol(&Method::POST, &path, "the answer has no file uuid"))
}

/// POSTs a file's bytes under `name` and reads the answer (either API's file document).
async fn post_bytes<T: serde::de::DeserializeOwned>(
    client: &Client,
    path: &str,
    accept: &'static str,
    name: &str,
    bytes: &[u8],
) -> Result<T, DrupalError> {
    let (body, headers) = upload_body(name, bytes);
    let response = client
        .send_with(
            Method::POST,
            path,
            accept,
            Some(&body),
            Repeat::Unsafe,
            &headers,
        )
        .await?;
    if !response.ok() {
        return Err(response.error(&Method::POST, path));
    }
    response.json(&Method::POST, path)
}

/// A core REST file entity (`74_…`) as a [`RemoteFile`].
fn rest_file(fields: &Value) -> Option<RemoteFile> {
    let first = |name: &str, key: &str| fields.pointer(&format!("/{name}/0/{key}")).cloned();
    Some(RemoteFile {
        uuid: first("uuid", "value")?.as_str()?.to_owned(),
        fid: first("fid", "value").and_then(|v| v.as_u64()),
        filename: first("filename", "value")
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        url: first("uri", "url")?.as_str()?.to_owned(),
        size: first("filesize", "value").and_then(|v| v.as_u64()),
        permanent: first("status", "value")
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
    })
}

#[derive(Debug, Default, Deserialize)]
struct Attributes {
    #[serde(rename = "drupal_internal__fid")]
    fid: Option<u64>,
    filename: Option<String>,
    uri: Option<Uri>,
    filesize: Option<u64>,
    status: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct Uri {
    url: Option<String>,
}

/// A JSON:API `file--file` resource (`60_…`, `71_…`) as a [`RemoteFile`].
fn remote_file(resource: Resource) -> Option<RemoteFile> {
    let a = resource.attributes;
    Some(RemoteFile {
        uuid: resource.id,
        fid: a.fid,
        filename: a.filename?,
        url: a.uri.and_then(|u| u.url)?,
        size: a.filesize,
        permanent: a.status.unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_the_recorded_answers() {
        // 71_jsonapi_file_filter_filename (sparse fields).
        let document: document::Collection<Attributes> = serde_json::from_str(r#"{"data":[{"type":"file--file","id":"ee31cb48-14dc-4e55-b699-56cce49d9705","attributes":{"filename":"diagram.png","uri":{"value":"public:\/\/2026-11\/diagram.png","url":"\/sites\/default\/files\/2026-11\/diagram.png"},"filesize":73,"status":true}}],"links":{"self":{"href":"x"}}}"#).unwrap();
        let files: Vec<RemoteFile> = document.data.into_iter().filter_map(remote_file).collect();
        assert_eq!(
            files,
            [RemoteFile {
                uuid: "ee31cb48-14dc-4e55-b699-56cce49d9705".into(),
                fid: None,
                filename: "diagram.png".into(),
                url: "/sites/default/files/2026-11/diagram.png".into(),
                size: Some(73),
                permanent: true,
            }]
        );
        // 74_rest_file_upload_image.
        let fields: Value = serde_json::from_str(r#"{"fid":[{"value":5}],"uuid":[{"value":"10d63424-c46d-4ce5-b467-df6670f7abf3"}],"filename":[{"value":"chart.png"}],"uri":[{"value":"public:\/\/2026-11\/chart.png","url":"\/sites\/default\/files\/2026-11\/chart.png"}],"filemime":[{"value":"image\/png"}],"filesize":[{"value":73}],"status":[{"value":false}]}"#).unwrap();
        let file = rest_file(&fields).unwrap();
        assert_eq!(file.fid, Some(5));
        assert_eq!(file.url, "/sites/default/files/2026-11/chart.png");
        assert!(!file.permanent);
    }
}
