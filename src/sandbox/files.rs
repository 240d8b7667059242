//! Files, as drupal-wire §5 records them: uploads of raw bytes to the file fields the site
//! has (the standard profile's `node/article/field_image`, plus every `--file-field`), through
//! JSON:API (`POST /jsonapi/{entity}/{bundle}/{field}`, `60_…`–`67_…`) and core REST
//! (`POST /file/upload/…?_format=json`, `74_…`, `75_…`); file entities, temporary until a saved
//! node body embeds them (any element with `data-entity-type="file"` and `data-entity-uuid`,
//! `68_…`–`70_…`); JSON:API file reads and collections with `filename` filters, readable by
//! anonymous visitors (`71_…`, `73_…`); the stored bytes at their public URL; and the `width`,
//! `height` and `loading="lazy"` Drupal adds to embedded images (`69_…`, `72_…`).
//!
//! Not modelled: cron (temporary files are never deleted), field size limits, image styles.

use std::collections::BTreeMap;

use axum::http::{header, Method, StatusCode};
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::auth::Actor;
use super::query::{self, Scalar};
use super::routes::{respond, Req, Shared};
use super::{html, jsonapi, lock, state, timestamp, OptionsError};

const FILE_TYPE: &str = "file--file";
const MEDIA_TYPE: &str = "application/vnd.api+json";

/// File field paths that filters and sorts accept.
const FILE_PATHS: [&str; 10] = [
    "id",
    "drupal_internal__fid",
    "langcode",
    "filename",
    "uri",
    "uri.value",
    "filemime",
    "filesize",
    "status",
    "created",
];

/// A file or image field of the site, and the extensions it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileField {
    pub entity: String,
    pub bundle: String,
    pub field: String,
    /// Allowed extensions, lowercase.
    pub extensions: Vec<String>,
}

impl FileField {
    /// The standard profile's article image field.
    pub fn standard() -> FileField {
        FileField {
            entity: "node".into(),
            bundle: "article".into(),
            field: "field_image".into(),
            extensions: ["png", "gif", "jpg", "jpeg", "webp"]
                .map(str::to_owned)
                .to_vec(),
        }
    }

    /// Parses `ENTITY/BUNDLE/FIELD:EXT,EXT…`.
    pub fn parse(spec: &str) -> Result<FileField, OptionsError> {
        let bad = || OptionsError::FileField(spec.to_owned());
        let (path, extensions) = spec.split_once(':').ok_or_else(bad)?;
        let path = crate::files::FieldPath::parse(path).map_err(|_| bad())?;
        let extensions: Vec<String> = extensions
            .split([',', ' '])
            .map(|e| e.trim().trim_start_matches('.').to_ascii_lowercase())
            .filter(|e| !e.is_empty())
            .collect();
        if extensions.is_empty() {
            return Err(bad());
        }
        Ok(FileField {
            entity: path.entity,
            bundle: path.bundle,
            field: path.field,
            extensions,
        })
    }

    fn matches(&self, entity: &str, bundle: &str, field: &str) -> bool {
        self.entity == entity && self.bundle == bundle && self.field == field
    }
}

/// A file entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct File {
    pub fid: u64,
    pub uuid: String,
    pub filename: String,
    /// `public://2026-11/diagram.png`.
    pub uri: String,
    pub mime: String,
    pub size: u64,
    /// Permanent (`true`) or temporary.
    pub status: bool,
    pub created: i64,
    pub changed: i64,
    pub uid: u64,
    /// The bytes, base64 in the data file.
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
}

impl File {
    /// `/sites/default/files/2026-11/diagram.png`.
    pub fn url(&self) -> String {
        let path = self.uri.strip_prefix("public://").unwrap_or(&self.uri);
        let encoded: Vec<String> = path.split('/').map(|s| query::encode(s, false)).collect();
        format!("/sites/default/files/{}", encoded.join("/"))
    }
}

mod base64_bytes {
    use super::{Engine, STANDARD};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

/// The site's files.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Files {
    next_fid: u64,
    files: BTreeMap<u64, File>,
}

impl Files {
    /// Every file, by fid.
    pub fn iter(&self) -> impl Iterator<Item = &File> {
        self.files.values()
    }

    /// The file with `uuid`.
    pub fn by_uuid(&self, uuid: &str) -> Option<&File> {
        self.files.values().find(|f| f.uuid == uuid)
    }

    /// Stores an upload as a new temporary file in this month's folder; a name already there
    /// gets `_0`, `_1`, … before its extension, as Drupal never replaces a file (`61_…`).
    pub fn upload(&mut self, name: &str, bytes: Vec<u8>, uid: u64, now: i64) -> u64 {
        let month = &timestamp::format(now)[..7];
        let taken = |candidate: &str| {
            let uri = format!("public://{month}/{candidate}");
            self.files.values().any(|f| f.uri == uri)
        };
        let mut filename = name.to_owned();
        if taken(&filename) {
            let (stem, ext) = match name.rfind('.') {
                Some(dot) => name.split_at(dot),
                None => (name, ""),
            };
            filename = (0..)
                .map(|n| format!("{stem}_{n}{ext}"))
                .find(|c| !taken(c))
                .unwrap_or_default();
        }
        self.next_fid = self
            .next_fid
            .max(self.files.keys().max().map_or(1, |f| f + 1));
        let fid = self.next_fid;
        self.next_fid += 1;
        self.files.insert(
            fid,
            File {
                fid,
                uuid: uuid::Uuid::new_v4().to_string(),
                uri: format!("public://{month}/{filename}"),
                mime: mime(&filename).to_owned(),
                filename,
                size: bytes.len() as u64,
                status: false,
                created: now,
                changed: now,
                uid,
                bytes,
            },
        );
        fid
    }

    /// A node was saved with `html` as its body: every file it embeds (an element with
    /// `data-entity-type="file"` and `data-entity-uuid`) is in use, so permanent from now on.
    pub fn record_usage(&mut self, html: &str, now: i64) {
        if !html.contains("data-entity-uuid") {
            return;
        }
        for tag in crate::content::html::tags(html) {
            if tag.attribute("data-entity-type").as_deref() != Some("file") {
                continue;
            }
            let Some(uuid) = tag.attribute("data-entity-uuid") else {
                continue;
            };
            if let Some(file) = self.files.values_mut().find(|f| f.uuid == uuid) {
                if !file.status {
                    file.status = true;
                    file.changed = now;
                }
            }
        }
    }

    /// The file served at the public URL path `path`.
    fn by_url(&self, path: &str) -> Option<&File> {
        let rest = path.strip_prefix("/sites/default/files/")?;
        let uri = format!("public://{}", query::percent_decode(rest, false));
        self.files.values().find(|f| f.uri == uri)
    }
}

fn mime(name: &str) -> &'static str {
    match crate::files::extension(name).as_str() {
        "png" => "image/png",
        "gif" => "image/gif",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Width and height of a PNG, GIF or JPEG image.
fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    if bytes.len() >= 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some((be(&bytes[16..20]), be(&bytes[20..24])));
    }
    if bytes.len() >= 10 && bytes.starts_with(b"GIF8") {
        let le = |b: &[u8]| u32::from(u16::from_le_bytes([b[0], b[1]]));
        return Some((le(&bytes[6..8]), le(&bytes[8..10])));
    }
    if bytes.starts_with(&[0xff, 0xd8]) {
        let mut i = 2;
        while i + 9 < bytes.len() && bytes[i] == 0xff {
            let marker = bytes[i + 1];
            let length = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
            if matches!(marker, 0xc0..=0xc3) {
                let h = u32::from(u16::from_be_bytes([bytes[i + 5], bytes[i + 6]]));
                let w = u32::from(u16::from_be_bytes([bytes[i + 7], bytes[i + 8]]));
                return Some((w, h));
            }
            i += 2 + length;
        }
    }
    None
}

/// The body as visitors get it: images that embed a file of the site get its `width` and
/// `height` (`editor_file_reference`), and every image with both gets `loading="lazy"`.
pub fn processed(files: &Files, html: &str) -> String {
    if !html.contains("<img") && !html.contains("<IMG") {
        return html.to_owned();
    }
    let mut out = String::with_capacity(html.len() + 64);
    let mut at = 0;
    for tag in crate::content::html::tags(html) {
        if tag.name != "img" {
            continue;
        }
        let mut added = String::new();
        let has = |name: &str| tag.attributes.iter().any(|a| a.name == name);
        let size = (tag.attribute("data-entity-type").as_deref() == Some("file"))
            .then(|| tag.attribute("data-entity-uuid"))
            .flatten()
            .and_then(|uuid| files.by_uuid(&uuid))
            .and_then(|f| dimensions(&f.bytes));
        let mut sized = has("width") && has("height");
        if let (Some((w, h)), false) = (size, sized) {
            added.push_str(&format!(" width=\"{w}\" height=\"{h}\""));
            sized = true;
        }
        if sized && !has("loading") {
            added.push_str(" loading=\"lazy\"");
        }
        if added.is_empty() {
            continue;
        }
        let tag_text = &html[tag.span.clone()];
        let close = if tag_text.ends_with("/>") {
            tag.span.end - 2
        } else if tag_text.ends_with('>') {
            tag.span.end - 1
        } else {
            continue;
        };
        let close = html[..close].trim_end().len();
        out.push_str(&html[at..close]);
        out.push_str(&added);
        at = close;
    }
    out.push_str(&html[at..]);
    out
}

/// Answers the JSON:API requests about files; `None` for every other request.
pub fn jsonapi(shared: &Shared, req: &Req, actor: Actor, segments: &[&str]) -> Option<Response> {
    let response = match (segments, req.method.as_str()) {
        (["file", "file"], "GET") => collection(shared, req),
        (["file", "file", id], "GET") => individual(shared, req, id),
        (["file", "file", ..], _) => jsonapi::method_not_allowed(req, "GET"),
        ([entity, bundle, field], "POST") => {
            match shared
                .file_fields
                .iter()
                .find(|f| f.matches(entity, bundle, field))
            {
                Some(target) => jsonapi_upload(shared, req, actor, target),
                // Only `/jsonapi/{entity}/{bundle}/{uuid}` exists there (`64_…`).
                None if [*entity, *bundle] == ["node", "page"] => {
                    jsonapi::method_not_allowed(req, "GET, HEAD, DELETE, PATCH")
                }
                None => return None,
            }
        }
        _ => return None,
    };
    Some(response)
}

/// Why an upload is refused, in words both APIs use.
enum Refusal {
    MediaType(String),
    Access,
    Disposition,
    Extensions(String),
}

impl Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Refusal::MediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Refusal::Access => StatusCode::FORBIDDEN,
            Refusal::Disposition => StatusCode::BAD_REQUEST,
            Refusal::Extensions(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    fn detail(&self) -> String {
        match self {
            Refusal::MediaType(sent) => format!("No route found that matches \"Content-Type: {sent}\""),
            Refusal::Access => "The current user is not permitted to upload a file for this field. ".to_owned(),
            Refusal::Disposition => "\"Content-Disposition\" header is required. A file name in the format \"filename=FILENAME\" must be provided.".to_owned(),
            Refusal::Extensions(allowed) => format!("Unprocessable Entity: file validation failed.\nOnly files with the following extensions are allowed: {allowed}."),
        }
    }
}

/// Checks an upload in Drupal's order and stores it; the new file's fid.
fn upload(shared: &Shared, req: &Req, actor: Actor, field: &FileField) -> Result<u64, Refusal> {
    if req.content_type().as_deref() != Some("application/octet-stream") {
        let sent = req.header(header::CONTENT_TYPE).unwrap_or_default();
        return Err(Refusal::MediaType(sent.to_owned()));
    }
    let author = actor.author().ok_or(Refusal::Access)?;
    let name = req
        .header(header::CONTENT_DISPOSITION)
        .and_then(disposition_filename)
        .ok_or(Refusal::Disposition)?;
    let ext = crate::files::extension(&name);
    if !field.extensions.contains(&ext) {
        return Err(Refusal::Extensions(field.extensions.join(" ")));
    }
    let mut site = lock(&shared.site);
    Ok(site.upload_file(&name, req.body.to_vec(), author.uid, timestamp::now()))
}

/// The file name of `Content-Disposition: file; filename="NAME"`, without any folders.
fn disposition_filename(value: &str) -> Option<String> {
    let at = value.find("filename=")?;
    let rest = value[at + "filename=".len()..].trim();
    let name = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next()?,
        None => rest.split(';').next()?.trim(),
    };
    let name = name.rsplit(['/', '\\']).next()?.trim();
    (!name.is_empty() && name != "." && name != "..").then(|| name.to_owned())
}

fn jsonapi_upload(shared: &Shared, req: &Req, actor: Actor, field: &FileField) -> Response {
    match upload(shared, req, actor, field) {
        Ok(fid) => {
            let site = lock(&shared.site);
            let Some(file) = site.files().iter().find(|f| f.fid == fid) else {
                return jsonapi::error(req, StatusCode::INTERNAL_SERVER_ERROR, "The file is gone.");
            };
            let url = resource_url(&req.base, &file.uuid);
            let data = file_resource(&req.base, file, None);
            document(
                StatusCode::CREATED,
                json!({ "jsonapi": jsonapi::jsonapi_object(), "data": data, "links": { "self": { "href": url } } }),
            )
        }
        Err(refusal) => jsonapi::error(req, refusal.status(), &refusal.detail()),
    }
}

fn collection(shared: &Shared, req: &Req) -> Response {
    let listing = match jsonapi::parse_listing_for(req, FILE_TYPE, &FILE_PATHS) {
        Ok(listing) => listing,
        Err(response) => return *response,
    };
    let site = lock(&shared.site);
    let mut files: Vec<&File> = site
        .files()
        .iter()
        .filter(|f| {
            listing
                .filters
                .iter()
                .all(|c| c.matches(&file_scalar(f, &c.path)))
        })
        .collect();
    // Unsorted, the recorded site (SQLite) lists files by its `status` index, then fid (`73_…`).
    files.sort_by_key(|f| (f.status, f.fid));
    jsonapi::sort(&mut files, &listing, file_scalar);
    let fields = listing.fields.as_deref();
    jsonapi::page(req, &listing, &files, |f| {
        file_resource(&req.base, f, fields)
    })
}

fn individual(shared: &Shared, req: &Req, id: &str) -> Response {
    let site = lock(&shared.site);
    let Some(file) = site.files().by_uuid(id) else {
        let detail = "The \"entity\" parameter was not converted for the path \"/jsonapi/file/file/{entity}\" (route name: \"jsonapi.file--file.individual\")";
        return jsonapi::error(req, StatusCode::NOT_FOUND, detail);
    };
    let fields = query::sparse_fields(&req.query, FILE_TYPE);
    let data = file_resource(&req.base, file, fields.as_deref());
    document(
        StatusCode::OK,
        json!({ "jsonapi": jsonapi::jsonapi_object(), "data": data, "links": { "self": { "href": req.url() } } }),
    )
}

fn file_scalar(file: &File, path: &str) -> Scalar {
    match path {
        "id" => Scalar::Str(file.uuid.clone()),
        "drupal_internal__fid" => Scalar::Int(file.fid as i64),
        "langcode" => Scalar::Str("en".into()),
        "filename" => Scalar::Str(file.filename.clone()),
        "uri" | "uri.value" => Scalar::Str(file.uri.clone()),
        "filemime" => Scalar::Str(file.mime.clone()),
        "filesize" => Scalar::Int(file.size as i64),
        "status" => Scalar::Bool(file.status),
        "created" => Scalar::Int(file.created),
        _ => Scalar::Null,
    }
}

fn resource_url(base: &str, uuid: &str) -> String {
    format!("{base}/jsonapi/file/file/{uuid}")
}

/// A `file--file` resource object shaped like `60_…` (sparse like `71_…`).
fn file_resource(base: &str, file: &File, fields: Option<&[String]>) -> Value {
    let wanted = |name: &str| fields.is_none_or(|f| f.iter().any(|x| x == name));
    let url = resource_url(base, &file.uuid);
    let attributes = json!({
        "drupal_internal__fid": file.fid,
        "langcode": "en",
        "filename": file.filename,
        "uri": { "value": file.uri, "url": file.url() },
        "filemime": file.mime,
        "filesize": file.size,
        "status": file.status,
        "created": timestamp::format(file.created),
        "changed": timestamp::format(file.changed),
    });
    let attributes: Map<String, Value> = match attributes {
        Value::Object(map) => map.into_iter().filter(|(k, _)| wanted(k)).collect(),
        _ => Map::new(),
    };
    let mut resource = json!({
        "type": FILE_TYPE,
        "id": file.uuid,
        "links": { "self": { "href": url } },
    });
    if fields.is_none() || !attributes.is_empty() {
        resource["attributes"] = Value::Object(attributes);
    }
    if wanted("uid") {
        resource["relationships"] = json!({
            "uid": {
                "data": { "type": "user--user", "id": state::user_uuid(file.uid), "meta": { "drupal_internal__target_id": file.uid } },
                "links": {
                    "related": { "href": format!("{url}/uid") },
                    "self": { "href": format!("{url}/relationships/uid") },
                },
            }
        });
    }
    resource
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "callers build the document in the call"
)]
fn document(status: StatusCode, body: Value) -> Response {
    respond(status, MEDIA_TYPE, body.to_string())
}

/// Answers core REST's `/file/upload/{entity}/{bundle}/{field}`; `None` for other paths.
pub fn rest(shared: &Shared, req: &Req, actor: Actor) -> Option<Response> {
    let rest = req.path.strip_prefix("/file/upload/")?;
    let message = |status: StatusCode, text: &str| {
        respond(
            status,
            "application/json",
            json!({ "message": text }).to_string(),
        )
    };
    if req.method != Method::POST {
        let text = format!(
            "No route found for \"{} {}{}\": Method Not Allowed (Allow: POST)",
            req.method, req.base, req.path
        );
        return Some(message(StatusCode::METHOD_NOT_ALLOWED, &text));
    }
    let parts: Vec<&str> = rest.split('/').collect();
    let [entity, bundle, field] = parts.as_slice() else {
        let text = format!(
            "No route found for \"{} {}{}\"",
            req.method, req.base, req.path
        );
        return Some(message(StatusCode::NOT_FOUND, &text));
    };
    let Some(target) = shared
        .file_fields
        .iter()
        .find(|f| f.matches(entity, bundle, field))
    else {
        return Some(message(
            StatusCode::NOT_FOUND,
            &format!("Field \"{field}\" does not exist"),
        ));
    };
    Some(match upload(shared, req, actor, target) {
        Ok(fid) => {
            let site = lock(&shared.site);
            let fields = site.files().iter().find(|f| f.fid == fid).map(rest_fields);
            match fields {
                Some(fields) => {
                    respond(StatusCode::CREATED, "application/json", fields.to_string())
                }
                None => message(StatusCode::INTERNAL_SERVER_ERROR, "The file is gone."),
            }
        }
        Err(refusal) => message(refusal.status(), &refusal.detail()),
    })
}

/// A file entity as core REST serialises it (`74_…`).
fn rest_fields(file: &File) -> Value {
    let time = |ts: i64| json!([{ "value": timestamp::format(ts), "format": "Y-m-d\\TH:i:sP" }]);
    json!({
        "fid": [{ "value": file.fid }],
        "uuid": [{ "value": file.uuid }],
        "langcode": [{ "value": "en" }],
        "uid": [{ "target_id": file.uid, "target_type": "user", "target_uuid": state::user_uuid(file.uid), "url": format!("/user/{}", file.uid) }],
        "filename": [{ "value": file.filename }],
        "uri": [{ "value": file.uri, "url": file.url() }],
        "filemime": [{ "value": file.mime }],
        "filesize": [{ "value": file.size }],
        "status": [{ "value": file.status }],
        "created": time(file.created),
        "changed": time(file.changed),
    })
}

/// Serves a stored file at its public URL, to anyone.
pub fn serve(shared: &Shared, req: &Req) -> Option<Response> {
    if !req.path.starts_with("/sites/default/files/") {
        return None;
    }
    let site = lock(&shared.site);
    Some(match site.files().by_url(&req.path) {
        Some(file) if matches!(req.method, Method::GET | Method::HEAD) => {
            let mut response = respond(
                StatusCode::OK,
                "application/octet-stream",
                file.bytes.clone(),
            );
            if let Ok(value) = header::HeaderValue::from_str(&file.mime) {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response
        }
        Some(_) => html::error_page(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed"),
        None => html::error_page(StatusCode::NOT_FOUND, "Page not found"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = include_bytes!("../../tests/fixtures/drupal-wire/files/diagram.png");

    #[test]
    fn same_names_get_suffixes_and_usage_makes_files_permanent() {
        let mut files = Files::default();
        let now = 1_796_052_754; // 2026-11-30
        let a = files.upload("diagram.png", PNG.to_vec(), 1, now);
        let b = files.upload("diagram.png", PNG.to_vec(), 1, now);
        let c = files.upload("diagram.png", PNG.to_vec(), 1, now);
        let names: Vec<&str> = files.iter().map(|f| f.filename.as_str()).collect();
        assert_eq!(names, ["diagram.png", "diagram_0.png", "diagram_1.png"]);
        assert_eq!((a, b, c), (1, 2, 3));
        let first = files.iter().next().unwrap().clone();
        assert_eq!(first.uri, "public://2026-11/diagram.png");
        assert_eq!(first.url(), "/sites/default/files/2026-11/diagram.png");
        assert!(!first.status);

        files.record_usage(
            &format!("<p><img src=\"x\" data-entity-uuid=\"{}\"></p>", first.uuid),
            now,
        );
        assert!(
            !files.by_uuid(&first.uuid).unwrap().status,
            "no data-entity-type"
        );
        files.record_usage(
            &format!(
                "<a href=\"x\" data-entity-type=\"file\" data-entity-uuid=\"{}\">m</a>",
                first.uuid
            ),
            now + 5,
        );
        let used = files.by_uuid(&first.uuid).unwrap();
        assert!(used.status);
        assert_eq!(used.changed, now + 5);
        assert_eq!(
            files
                .by_url("/sites/default/files/2026-11/diagram_0.png")
                .unwrap()
                .fid,
            2
        );
    }

    #[test]
    fn images_get_their_size_and_lazy_loading() {
        let mut files = Files::default();
        files.upload("diagram.png", PNG.to_vec(), 1, 0);
        let uuid = files.iter().next().unwrap().uuid.clone();
        let body = format!("<p><img src=\"/x.png\" data-entity-type=\"file\" data-entity-uuid=\"{uuid}\" alt=\"Diagram\"></p><img src=\"y\" />");
        assert_eq!(
            processed(&files, &body),
            format!("<p><img src=\"/x.png\" data-entity-type=\"file\" data-entity-uuid=\"{uuid}\" alt=\"Diagram\" width=\"4\" height=\"4\" loading=\"lazy\"></p><img src=\"y\" />")
        );
        assert_eq!(dimensions(b"GIF89a\x0a\x00\x05\x00"), Some((10, 5)));
    }

    #[test]
    fn file_field_specs() {
        let field = FileField::parse("node/page/field_files:pdf, .TXT").unwrap();
        assert_eq!(field.extensions, ["pdf", "txt"]);
        for bad in ["node/page/field_files", "node/page:pdf", "node/page/f:"] {
            assert!(FileField::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            disposition_filename("file; filename=\"a b.png\"").as_deref(),
            Some("a b.png")
        );
        assert_eq!(
            disposition_filename("file; filename=../../x.png").as_deref(),
            Some("x.png")
        );
        assert_eq!(disposition_filename("file"), None);
    }
}
