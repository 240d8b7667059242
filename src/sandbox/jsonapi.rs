//! JSON:API for `node--page` and `path_alias--path_alias`: resource objects shaped like
//! transcripts 20–52, collections with filters, sorting, paging and sparse fieldsets, and
//! writes checked in Drupal's order (media type, access, document, id, field access,
//! validation).
//!
//! Error documents follow Drupal: an error raised as an HTTP exception carries `links.via` and,
//! where RFC 2616 has a section for its status, `links.info`; a validation error carries
//! `source.pointer` instead.

use std::cmp::Ordering;

use axum::http::{header, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::auth::Actor;
use super::pathauto;
use super::query::{self, Listing, Operator, Scalar};
use super::routes::{respond, with_header, Req, Shared};
use super::state::{
    self, Alias, Changes, Node, PathChange, Revision, Site, TextBody, Violation, WriteError,
};
use super::stats::is_uuid;
use super::{lock, timestamp};

const NODE_TYPE: &str = "node--page";
const ALIAS_TYPE: &str = "path_alias--path_alias";
const MEDIA_TYPE: &str = "application/vnd.api+json";

/// Attributes that only the site sets; sending a different value is refused.
const READ_ONLY: [&str; 5] = [
    "drupal_internal__nid",
    "drupal_internal__vid",
    "revision_timestamp",
    "changed",
    "revision_translation_affected",
];

/// Node field paths that filters and sorts accept.
const NODE_PATHS: [&str; 17] = [
    "id",
    "drupal_internal__nid",
    "drupal_internal__vid",
    "langcode",
    "title",
    "status",
    "promote",
    "sticky",
    "created",
    "changed",
    "revision_timestamp",
    "revision_log",
    "default_langcode",
    "body",
    "body.value",
    "body.format",
    "body.summary",
];

/// Path alias field paths that filters and sorts accept.
const ALIAS_PATHS: [&str; 7] = [
    "id",
    "drupal_internal__id",
    "drupal_internal__revision_id",
    "langcode",
    "path",
    "alias",
    "status",
];

/// An error document to send.
#[derive(Debug)]
pub(super) enum Problem {
    /// An error raised as an HTTP exception: one error object with links.
    Http {
        status: StatusCode,
        detail: String,
        pointer: Option<String>,
    },
    /// Failed validation: one error object per violation, each with its pointer.
    Invalid(Vec<Violation>),
}

impl Problem {
    pub(super) fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem::Http {
            status,
            detail: detail.into(),
            pointer: None,
        }
    }

    pub(super) fn at(
        status: StatusCode,
        detail: impl Into<String>,
        pointer: impl Into<String>,
    ) -> Problem {
        Problem::Http {
            status,
            detail: detail.into(),
            pointer: Some(pointer.into()),
        }
    }

    /// Drupal's answer when the UUID in the URL names no resource.
    fn not_found(req: &Req) -> Problem {
        let (path, route) = if req.path.starts_with("/jsonapi/path_alias/") {
            ("path_alias/path_alias", ALIAS_TYPE)
        } else {
            ("node/page", NODE_TYPE)
        };
        Problem::new(
            StatusCode::NOT_FOUND,
            format!(
                "The \"entity\" parameter was not converted for the path \"/jsonapi/{path}/{{entity}}\" (route name: \"jsonapi.{route}.individual\")"
            ),
        )
    }

    /// The answer to a write the site refused.
    fn write(error: WriteError, req: &Req, method: &str) -> Problem {
        match error {
            WriteError::Forbidden(field) => Problem::at(
                StatusCode::FORBIDDEN,
                format!(
                    "The current user is not allowed to {method} the selected field ({field}). The 'administer nodes' permission is required."
                ),
                format!("/data/attributes/{field}"),
            ),
            WriteError::Invalid(violations) => Problem::Invalid(violations),
            WriteError::UuidTaken => Problem::new(StatusCode::CONFLICT, "Conflict: Entity already exists."),
            WriteError::NotFound => Problem::not_found(req),
        }
    }

    pub(super) fn respond(self, req: &Req) -> Response {
        let (status, errors) = match self {
            Problem::Http {
                status,
                detail,
                pointer,
            } => {
                let mut links = json!({ "via": { "href": req.url() } });
                if let Some(section) = rfc2616_section(status) {
                    links["info"] = json!({ "href": format!("http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec{section}") });
                }
                let mut object = json!({
                    "title": title(status),
                    "status": status.as_u16().to_string(),
                    "detail": detail,
                    "links": links,
                });
                if let Some(pointer) = pointer {
                    object["source"] = json!({ "pointer": pointer });
                }
                (status, vec![object])
            }
            Problem::Invalid(violations) => {
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                let errors = violations
                    .iter()
                    .map(|v| {
                        json!({
                            "title": title(status),
                            "status": "422",
                            "detail": format!("{}: {}", v.property, v.message),
                            "source": { "pointer": pointer(&v.property) },
                        })
                    })
                    .collect();
                (status, errors)
            }
        };
        document(
            status,
            json!({ "jsonapi": jsonapi_object(), "errors": errors }),
        )
    }
}

/// Answers a request under `/jsonapi`.
pub(super) fn dispatch(shared: &Shared, req: &Req, actor: Actor) -> Response {
    let rest = req.path.strip_prefix("/jsonapi").unwrap_or_default();
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    if let Some(response) = super::files::jsonapi(shared, req, actor, &segments) {
        return response;
    }
    if let Some(response) = super::menus::dispatch(shared, req, actor, &segments) {
        return response;
    }
    let answer = match (segments.as_slice(), req.method.as_str()) {
        ([], "GET") => Ok(entry_point(shared, req, actor)),
        (["node", "page"], "GET") => collection(shared, req, actor),
        (["node", "page"], "POST") => create(shared, req, actor),
        (["node", "page", id], "GET") => individual(shared, req, actor, id),
        (["node", "page", id], "PATCH") => update(shared, req, actor, id),
        (["node", "page", id], "DELETE") => delete(shared, req, actor, id),
        (["path_alias", "path_alias"], "GET") => alias_collection(shared, req, actor),
        (["filter_format", "filter_format"], "GET") => Ok(document(
            StatusCode::OK,
            super::filter::collection(&lock(&shared.site), &req.base, actor),
        )),
        (["path_alias", "path_alias", id], "GET") => alias_individual(shared, req, actor, id),
        ([], _) | (["path_alias", "path_alias"] | ["path_alias", "path_alias", _], _) => {
            Ok(method_not_allowed(req, "GET"))
        }
        (["node", "page"], _) => Ok(method_not_allowed(req, "GET, POST")),
        (["node", "page", _], _) => Ok(method_not_allowed(req, "GET, PATCH, DELETE")),
        _ => {
            let url = format!("{}{}", req.base, req.path);
            Err(Problem::new(
                StatusCode::NOT_FOUND,
                format!("No route found for \"{} {url}\"", req.method),
            ))
        }
    };
    answer.unwrap_or_else(|problem| problem.respond(req))
}

/// Resource types the recorded site's index lists (drupal-wire 9b), besides pathauto's.
const INDEXED: &[&str] = &[
    "action--action",
    "base_field_override--base_field_override",
    "block--block",
    "block_content--basic",
    "block_content_type--block_content_type",
    "comment--comment",
    "comment_type--comment_type",
    "contact_form--contact_form",
    "contact_message--feedback",
    "contact_message--personal",
    "date_format--date_format",
    "editor--editor",
    "entity_form_display--entity_form_display",
    "entity_form_mode--entity_form_mode",
    "entity_view_display--entity_view_display",
    "entity_view_mode--entity_view_mode",
    "field_config--field_config",
    "field_storage_config--field_storage_config",
    "file--file",
    "filter_format--filter_format",
    "image_style--image_style",
    "key--key",
    "key_config_override--key_config_override",
    "menu--menu",
    "menu_link_content--menu_link_content",
    "node--article",
    "node--page",
    "node_type--node_type",
    "path_alias--path_alias",
    "rest_resource_config--rest_resource_config",
    "search_page--search_page",
    "shortcut--default",
    "shortcut_set--shortcut_set",
    "taxonomy_term--tags",
    "taxonomy_vocabulary--taxonomy_vocabulary",
    "user--user",
    "user_role--user_role",
    "view--view",
];

/// `GET /jsonapi`: a link per resource type; `pathauto_pattern--pathauto_pattern` only when
/// the site runs pathauto, which is how a client tells (drupal-wire 97, 9b).
fn entry_point(shared: &Shared, req: &Req, actor: Actor) -> Response {
    let mut types: Vec<&str> = INDEXED.to_vec();
    if lock(&shared.site).runs_pathauto() {
        types.push("pathauto_pattern--pathauto_pattern");
    }
    let mut links = Map::new();
    for name in types {
        let path = name.replacen("--", "/", 1);
        links.insert(
            name.to_owned(),
            json!({ "href": format!("{}/jsonapi/{path}", req.base) }),
        );
    }
    links.insert(
        "self".into(),
        json!({ "href": format!("{}/jsonapi", req.base) }),
    );
    let mut body = json!({ "jsonapi": jsonapi_object(), "data": [], "links": links });
    if let Some(author) = actor.author() {
        let id = state::user_uuid(author.uid);
        body["meta"] = json!({ "links": { "me": {
            "meta": { "id": id },
            "href": format!("{}/jsonapi/user/user/{id}", req.base),
        } } });
    }
    document(StatusCode::OK, body)
}

fn collection(shared: &Shared, req: &Req, actor: Actor) -> Result<Response, Problem> {
    let listing = parse_listing(req, NODE_TYPE, &NODE_PATHS)?;
    let site = lock(&shared.site);
    let mut nodes: Vec<&Node> = candidates(&site, &listing)
        .filter(|n| n.visible_to(actor))
        .filter(|n| {
            listing
                .filters
                .iter()
                .all(|c| c.matches(&node_scalar(n, &c.path)))
        })
        .collect();
    sort(&mut nodes, &listing, node_scalar);
    let fields = listing.fields.as_deref();
    Ok(page(req, &listing, &nodes, |n| {
        node_resource(&site, &req.base, n, fields, None)
    }))
}

/// The nodes a listing can match: looked up by UUID when it filters on `id` with `=` or
/// `IN` (the client's read of 50 pages must not scan a site of 10,000), else all of them;
/// in nid order either way. Every filter still runs on the candidates.
fn candidates<'a>(site: &'a Site, listing: &Listing) -> Box<dyn Iterator<Item = &'a Node> + 'a> {
    let by_id = listing
        .filters
        .iter()
        .find(|c| c.path == "id" && matches!(c.operator, Operator::Eq | Operator::In));
    match by_id {
        Some(condition) => {
            let mut found: Vec<&Node> = condition
                .values
                .iter()
                .filter_map(|id| {
                    site.node_by_uuid(id)
                        .or_else(|| site.node_by_uuid(&id.to_lowercase()))
                })
                .collect();
            found.sort_by_key(|n| n.nid);
            found.dedup_by_key(|n| n.nid);
            Box::new(found.into_iter())
        }
        None => Box::new(site.nodes()),
    }
}

fn individual(shared: &Shared, req: &Req, actor: Actor, id: &str) -> Result<Response, Problem> {
    let site = lock(&shared.site);
    let node = site
        .node_by_uuid(id)
        .ok_or_else(|| Problem::not_found(req))?;
    if !node.visible_to(actor) {
        let detail = "The current user is not allowed to GET the selected resource.";
        return Err(Problem::at(StatusCode::FORBIDDEN, detail, "/data"));
    }
    let fields = query::sparse_fields(&req.query, NODE_TYPE);
    let data = node_resource(&site, &req.base, node, fields.as_deref(), None);
    Ok(document(StatusCode::OK, single(data, req.url())))
}

fn create(shared: &Shared, req: &Req, actor: Actor) -> Result<Response, Problem> {
    require_media_type(req)?;
    let author = actor.author().ok_or_else(|| {
        Problem::new(
            StatusCode::FORBIDDEN,
            "The current user is not allowed to POST the selected resource.",
        )
    })?;
    let data = read_data(req, NODE_TYPE)?;
    let uuid = match data.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) if is_uuid(id) => Some(id.clone()),
        Some(_) => {
            let detail =
                "IDs should be properly generated and formatted UUIDs as described in RFC 4122.";
            return Err(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, detail));
        }
    };
    let mut site = lock(&shared.site);
    if uuid
        .as_deref()
        .is_some_and(|id| site.node_by_uuid(id).is_some())
    {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "Conflict: Entity already exists.",
        ));
    }
    let (changes, path_langcode) = read_attributes(&data, None, "POST")?;
    refuse_pathauto_flag(&site, &changes)?;
    let sent_path = changes.path.clone();
    let nid = site
        .create(uuid, changes, author, timestamp::now())
        .map_err(|e| Problem::write(e, req, "POST"))?;
    let node = site.node(nid).ok_or_else(|| Problem::not_found(req))?;
    let mut data = node_resource(
        &site,
        &req.base,
        node,
        None,
        path_langcode.as_ref().map(Option::as_deref),
    );
    pathauto::echo_sent_path(
        &site,
        nid,
        sent_path.as_ref(),
        &mut data["attributes"]["path"],
    );
    let location = format!(
        "{}?resourceVersion=id%3A{}",
        resource_url(&req.base, &node.uuid),
        node.vid
    );
    let response = document(StatusCode::CREATED, single(data, req.url()));
    Ok(with_header(response, header::LOCATION, &location))
}

fn update(shared: &Shared, req: &Req, actor: Actor, id: &str) -> Result<Response, Problem> {
    require_media_type(req)?;
    let mut site = lock(&shared.site);
    let node = site
        .node_by_uuid(id)
        .cloned()
        .ok_or_else(|| Problem::not_found(req))?;
    let author = actor.author().ok_or_else(|| {
        let detail = "The current user is not allowed to PATCH the selected resource.";
        Problem::at(StatusCode::FORBIDDEN, detail, "/data")
    })?;
    let data = read_data(req, NODE_TYPE)?;
    let payload_id = data.get("id").and_then(Value::as_str);
    if payload_id != Some(id) {
        let detail = format!(
            "The selected entity ({id}) does not match the ID in the payload ({}).",
            payload_id.unwrap_or_default()
        );
        return Err(Problem::new(StatusCode::BAD_REQUEST, detail));
    }
    let current = node_attributes(&site, &node, None);
    let (changes, path_langcode) = read_attributes(&data, Some(&current), "PATCH")?;
    refuse_pathauto_flag(&site, &changes)?;
    let sent_path = changes.path.clone();
    site.update(node.nid, changes, author, timestamp::now(), Revision::New)
        .map_err(|e| Problem::write(e, req, "PATCH"))?;
    let node = site.node(node.nid).ok_or_else(|| Problem::not_found(req))?;
    let mut data = node_resource(
        &site,
        &req.base,
        node,
        None,
        path_langcode.as_ref().map(Option::as_deref),
    );
    pathauto::echo_sent_path(
        &site,
        node.nid,
        sent_path.as_ref(),
        &mut data["attributes"]["path"],
    );
    Ok(document(StatusCode::OK, single(data, req.url())))
}

/// Without pathauto, the `path` field has no `pathauto` property and JSON:API refuses it
/// (drupal-wire 95; core REST ignores it, 96).
fn refuse_pathauto_flag(site: &Site, changes: &Changes) -> Result<(), Problem> {
    if site.runs_pathauto() || changes.path.as_ref().is_none_or(|p| p.pathauto.is_none()) {
        return Ok(());
    }
    Err(Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "The property 'pathauto' does not exist on the 'path' field of type 'path'. Writable properties are: 'alias', 'pid', 'langcode'.",
    ))
}

fn delete(shared: &Shared, req: &Req, actor: Actor, id: &str) -> Result<Response, Problem> {
    let mut site = lock(&shared.site);
    let nid = site
        .node_by_uuid(id)
        .map(|n| n.nid)
        .ok_or_else(|| Problem::not_found(req))?;
    if actor == Actor::Anonymous {
        let detail = "The current user is not allowed to DELETE the selected resource.";
        return Err(Problem::at(StatusCode::FORBIDDEN, detail, "/data"));
    }
    site.delete(nid)
        .map_err(|e| Problem::write(e, req, "DELETE"))?;
    let mut response = Response::default();
    *response.status_mut() = StatusCode::NO_CONTENT;
    Ok(response)
}

fn alias_collection(shared: &Shared, req: &Req, actor: Actor) -> Result<Response, Problem> {
    let listing = parse_listing(req, ALIAS_TYPE, &ALIAS_PATHS)?;
    let site = lock(&shared.site);
    // Viewing aliases takes "administer url aliases", which the anonymous user lacks.
    let mut aliases: Vec<&Alias> = site
        .aliases()
        .filter(|_| actor != Actor::Anonymous)
        .filter(|a| {
            listing
                .filters
                .iter()
                .all(|c| c.matches(&alias_scalar(a, &c.path)))
        })
        .collect();
    sort(&mut aliases, &listing, alias_scalar);
    let fields = listing.fields.as_deref();
    Ok(page(req, &listing, &aliases, |a| {
        alias_resource(&req.base, a, fields)
    }))
}

fn alias_individual(
    shared: &Shared,
    req: &Req,
    actor: Actor,
    id: &str,
) -> Result<Response, Problem> {
    let site = lock(&shared.site);
    let alias = site
        .aliases()
        .find(|a| a.uuid == id)
        .ok_or_else(|| Problem::not_found(req))?;
    if actor == Actor::Anonymous {
        let detail = "The current user is not allowed to GET the selected resource.";
        return Err(Problem::at(StatusCode::FORBIDDEN, detail, "/data"));
    }
    let fields = query::sparse_fields(&req.query, ALIAS_TYPE);
    let data = alias_resource(&req.base, alias, fields.as_deref());
    Ok(document(StatusCode::OK, single(data, req.url())))
}

/// A collection's query for another resource type (files): the listing, or the error answer.
pub(super) fn parse_listing_for(
    req: &Req,
    resource_type: &str,
    known: &[&str],
) -> Result<Listing, Box<Response>> {
    parse_listing(req, resource_type, known).map_err(|problem| Box::new(problem.respond(req)))
}

/// An error document raised as an HTTP exception, with Drupal's links.
pub(super) fn error(req: &Req, status: StatusCode, detail: &str) -> Response {
    Problem::new(status, detail).respond(req)
}

pub(super) fn parse_listing(
    req: &Req,
    resource_type: &str,
    known: &[&str],
) -> Result<Listing, Problem> {
    let listing = Listing::parse(&req.query, resource_type)
        .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    let paths = listing.filters.iter().map(|c| (&c.path, "filtering"));
    let paths = paths.chain(listing.sort.iter().map(|s| (&s.path, "sorting")));
    for (path, purpose) in paths {
        if known.contains(&path.as_str()) {
            continue;
        }
        let field = path.split('.').next().unwrap_or_default();
        let detail = if resource_type == NODE_TYPE && field == "path" {
            format!("Invalid nested {purpose}. The field `path`, given in the path `{path}`, is computed and does not support {purpose}.")
        } else {
            format!("Invalid nested {purpose}. The field `{field}`, given in the path `{path}`, does not exist.")
        };
        return Err(Problem::new(StatusCode::BAD_REQUEST, detail));
    }
    Ok(listing)
}

pub(super) fn sort<T>(items: &mut [&T], listing: &Listing, scalar: impl Fn(&T, &str) -> Scalar) {
    // Items arrive in id order, and the sort is stable, so ties stay in id order.
    items.sort_by(|a, b| {
        listing
            .sort
            .iter()
            .map(|key| {
                let order = query::compare(&scalar(a, &key.path), &scalar(b, &key.path));
                if key.descending {
                    order.reverse()
                } else {
                    order
                }
            })
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    });
}

/// The page `listing` asks for, with Drupal's `self`, `next`, `first` and `prev` links.
pub(super) fn page<T>(
    req: &Req,
    listing: &Listing,
    items: &[&T],
    render: impl Fn(&T) -> Value,
) -> Response {
    let data: Vec<Value> = items
        .iter()
        .skip(listing.offset)
        .take(listing.limit)
        .map(|item| render(item))
        .collect();
    let href = |query: String| {
        let url = format!("{}{}", req.base, req.path);
        json!({ "href": if query.is_empty() { url } else { format!("{url}?{query}") } })
    };
    let mut links = Map::new();
    links.insert("self".into(), href(listing.self_query()));
    if listing.offset > 0 {
        links.insert("first".into(), href(listing.page_query(0)));
        links.insert(
            "prev".into(),
            href(listing.page_query(listing.offset.saturating_sub(listing.limit))),
        );
    }
    if listing.offset.saturating_add(listing.limit) < items.len() {
        links.insert(
            "next".into(),
            href(listing.page_query(listing.offset + listing.limit)),
        );
    }
    document(
        StatusCode::OK,
        json!({ "jsonapi": jsonapi_object(), "data": data, "links": links }),
    )
}

fn node_scalar(node: &Node, path: &str) -> Scalar {
    let text = |s: Option<&String>| s.map_or(Scalar::Null, |s| Scalar::Str(s.clone()));
    let body = node.body.as_ref();
    match path {
        "id" => Scalar::Str(node.uuid.clone()),
        "drupal_internal__nid" => Scalar::Int(node.nid as i64),
        "drupal_internal__vid" => Scalar::Int(node.vid as i64),
        "langcode" => Scalar::Str("en".into()),
        "title" => Scalar::Str(node.title.clone()),
        "status" => Scalar::Bool(node.status),
        "promote" => Scalar::Bool(node.promote),
        "sticky" => Scalar::Bool(node.sticky),
        "default_langcode" => Scalar::Bool(true),
        "created" => Scalar::Int(node.created),
        "changed" => Scalar::Int(node.changed),
        "revision_timestamp" => Scalar::Int(node.revision_timestamp),
        "revision_log" => text(node.revision_log.as_ref()),
        "body" | "body.value" => text(body.map(|b| &b.value)),
        "body.format" => text(body.and_then(|b| b.format.as_ref())),
        "body.summary" => text(body.and_then(|b| b.summary.as_ref())),
        _ => Scalar::Null,
    }
}

fn alias_scalar(alias: &Alias, path: &str) -> Scalar {
    match path {
        "id" => Scalar::Str(alias.uuid.clone()),
        "drupal_internal__id" | "drupal_internal__revision_id" => Scalar::Int(alias.pid as i64),
        "langcode" => Scalar::Str(alias.langcode.clone()),
        "path" => Scalar::Str(alias.path.clone()),
        "alias" => Scalar::Str(alias.alias.clone()),
        "status" => Scalar::Bool(true),
        _ => Scalar::Null,
    }
}

fn resource_url(base: &str, uuid: &str) -> String {
    format!("{base}/jsonapi/node/page/{uuid}")
}

/// A node's attributes in Drupal's order. `path_langcode` is `Some` after a write that sent
/// `path`: Drupal then echoes the sent langcode (null when absent) instead of the stored one.
fn node_attributes(
    site: &Site,
    node: &Node,
    path_langcode: Option<Option<&str>>,
) -> Map<String, Value> {
    let alias = site.alias_of(node.nid);
    let langcode = path_langcode.map_or(json!("en"), |l| json!(l));
    let body = node.body.as_ref().map_or(Value::Null, |b: &TextBody| {
        json!({ "value": b.value, "format": b.format, "processed": site.processed(b), "summary": b.summary })
    });
    let attributes = json!({
        "drupal_internal__nid": node.nid,
        "drupal_internal__vid": node.vid,
        "langcode": "en",
        "revision_timestamp": timestamp::format(node.revision_timestamp),
        "revision_log": node.revision_log,
        "status": node.status,
        "title": node.title,
        "created": timestamp::format(node.created),
        "changed": timestamp::format(node.changed),
        "promote": node.promote,
        "sticky": node.sticky,
        "default_langcode": true,
        "revision_translation_affected": node.revision_translation_affected,
        "path": { "alias": alias.map(|a| &a.alias), "pid": alias.map(|a| a.pid), "langcode": langcode },
        "body": body,
    });
    match attributes {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn node_resource(
    site: &Site,
    base: &str,
    node: &Node,
    fields: Option<&[String]>,
    path_langcode: Option<Option<&str>>,
) -> Value {
    let wanted = |name: &str| fields.is_none_or(|f| f.iter().any(|x| x == name));
    let url = resource_url(base, &node.uuid);
    let version = format!("?resourceVersion=id%3A{}", node.vid);
    let relationship = |name: &str, data: Value| {
        json!({
            "data": data,
            "links": {
                "related": { "href": format!("{url}/{name}{version}") },
                "self": { "href": format!("{url}/relationships/{name}{version}") },
            },
        })
    };
    let user = |uid: u64| json!({ "type": "user--user", "id": state::user_uuid(uid), "meta": { "drupal_internal__target_id": uid } });
    let mut relationships = Map::new();
    for (name, data) in [
        (
            "node_type",
            json!({ "type": "node_type--node_type", "id": state::PAGE_TYPE_UUID, "meta": { "drupal_internal__target_id": "page" } }),
        ),
        ("revision_uid", user(node.revision_uid)),
        ("uid", user(node.uid)),
    ] {
        if wanted(name) {
            relationships.insert(name.into(), relationship(name, data));
        }
    }
    let attributes: Map<String, Value> = node_attributes(site, node, path_langcode)
        .into_iter()
        .filter(|(name, _)| wanted(name))
        .collect();
    let mut resource = json!({
        "type": NODE_TYPE,
        "id": node.uuid,
        "links": { "self": { "href": format!("{url}{version}") } },
    });
    if fields.is_none() || !attributes.is_empty() {
        resource["attributes"] = Value::Object(attributes);
    }
    if !relationships.is_empty() {
        resource["relationships"] = Value::Object(relationships);
    }
    resource
}

fn alias_resource(base: &str, alias: &Alias, fields: Option<&[String]>) -> Value {
    let attributes = json!({
        "drupal_internal__id": alias.pid,
        "drupal_internal__revision_id": alias.pid,
        "langcode": alias.langcode,
        "path": alias.path,
        "alias": alias.alias,
        "status": true,
    });
    let attributes: Map<String, Value> = match attributes {
        Value::Object(map) => map
            .into_iter()
            .filter(|(name, _)| fields.is_none_or(|f| f.iter().any(|x| x == name)))
            .collect(),
        _ => Map::new(),
    };
    json!({
        "type": ALIAS_TYPE,
        "id": alias.uuid,
        "links": { "self": { "href": format!("{base}/jsonapi/path_alias/path_alias/{}?resourceVersion=id%3A{}", alias.uuid, alias.pid) } },
        "attributes": attributes,
    })
}

/// A resource object's `attributes` (`empty` when absent or null); not an object is a 400.
pub(super) fn attributes_of<'a>(
    data: &'a Map<String, Value>,
    empty: &'a Map<String, Value>,
) -> Result<&'a Map<String, Value>, Problem> {
    match data.get("attributes") {
        None | Some(Value::Null) => Ok(empty),
        Some(Value::Object(attributes)) => Ok(attributes),
        Some(_) => Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "The `attributes` member must be an object.",
        )),
    }
}

/// Reads the attributes of a write into [`Changes`], plus the path langcode to echo.
/// `current` holds the node's attributes on PATCH, where read-only values may be repeated.
fn read_attributes(
    data: &Map<String, Value>,
    current: Option<&Map<String, Value>>,
    method: &str,
) -> Result<(Changes, Option<Option<String>>), Problem> {
    let empty = Map::new();
    let attributes = attributes_of(data, &empty)?;
    let mut changes = Changes::default();
    let mut path_langcode = None;
    let mut violations = Vec::new();
    for (name, value) in attributes {
        let text = |value: &Value| match value {
            Value::String(text) => Ok(Some(text.clone())),
            Value::Null => Ok(None),
            _ => Err(Violation::primitive(&format!("{name}.0.value"))),
        };
        let flag = |value: &Value| {
            value
                .as_bool()
                .ok_or_else(|| Violation::primitive(&format!("{name}.0.value")))
        };
        let result = match name.as_str() {
            "title" => text(value).map(|title| changes.title = Some(title)),
            "status" => flag(value).map(|v| changes.status = Some(v)),
            "promote" => flag(value).map(|v| changes.promote = Some(v)),
            "sticky" => flag(value).map(|v| changes.sticky = Some(v)),
            "created" => value
                .as_str()
                .and_then(timestamp::parse)
                .or_else(|| value.as_i64())
                .map(|ts| changes.created = Some(ts))
                .ok_or_else(|| Violation::primitive("created.0.value")),
            "body" => TextBody::from_json(value).map(|body| changes.body = Some(body)),
            "path" => PathChange::from_json(value).map(|(path, langcode)| {
                changes.path = Some(path);
                path_langcode = Some(langcode);
            }),
            "revision_log" => text(value).map(|log| changes.revision_log = Some(log)),
            // A single-language site: the language fields can only hold what they hold.
            "langcode" | "default_langcode" => Ok(()),
            name if READ_ONLY.contains(&name) => {
                if current.and_then(|c| c.get(name)) != Some(value) {
                    let detail = format!(
                        "The current user is not allowed to {method} the selected field ({name})."
                    );
                    return Err(Problem::at(
                        StatusCode::FORBIDDEN,
                        detail,
                        format!("/data/attributes/{name}"),
                    ));
                }
                Ok(())
            }
            name => {
                let detail = format!(
                    "The attribute {name} does not exist on the {NODE_TYPE} resource type."
                );
                return Err(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, detail));
            }
        };
        if let Err(violation) = result {
            violations.push(violation);
        }
    }
    if !violations.is_empty() {
        return Err(Problem::Invalid(violations));
    }
    Ok((changes, path_langcode))
}

/// The `data` object of a request document, checked to be of `resource_type`
/// (`node--page`, `menu_link_content--menu_link_content`).
pub(super) fn read_data(req: &Req, resource_type: &str) -> Result<Map<String, Value>, Problem> {
    let document: Value = serde_json::from_slice(&req.body)
        .map_err(|_| Problem::new(StatusCode::BAD_REQUEST, "Syntax error"))?;
    let Some(Value::Object(data)) = document.get("data") else {
        let detail = "The request document must contain a `data` member holding a resource object.";
        return Err(Problem::new(StatusCode::BAD_REQUEST, detail));
    };
    match data.get("type").and_then(Value::as_str) {
        Some(t) if t == resource_type => Ok(data.clone()),
        Some(other) => {
            let detail = format!("The resource object's type `{other}` does not match the endpoint's type `{resource_type}`.");
            Err(Problem::new(StatusCode::CONFLICT, detail))
        }
        None => Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "The resource object must have a `type`.",
        )),
    }
}

pub(super) fn require_media_type(req: &Req) -> Result<(), Problem> {
    if req.content_type().as_deref() == Some(MEDIA_TYPE) {
        return Ok(());
    }
    let sent = req.header(header::CONTENT_TYPE).unwrap_or_default();
    let detail = format!("No route found that matches \"Content-Type: {sent}\"");
    Err(Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, detail))
}

pub(super) fn method_not_allowed(req: &Req, allow: &str) -> Response {
    let url = format!("{}{}", req.base, req.path);
    let detail = format!(
        "No route found for \"{} {url}\": Method Not Allowed (Allow: {allow})",
        req.method
    );
    let response = Problem::new(StatusCode::METHOD_NOT_ALLOWED, detail).respond(req);
    with_header(response, header::ALLOW, allow)
}

pub(super) fn jsonapi_object() -> Value {
    json!({ "version": "1.0", "meta": { "links": { "self": { "href": "http://jsonapi.org/format/1.0/" } } } })
}

pub(super) fn single(data: Value, self_href: String) -> Value {
    // Built by hand so that `data` moves in: `json!` would copy it.
    let links = json!({ "self": { "href": Value::String(self_href) } });
    Value::Object(serde_json::Map::from_iter([
        ("jsonapi".to_owned(), jsonapi_object()),
        ("data".to_owned(), data),
        ("links".to_owned(), links),
    ]))
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "callers build the document in the call"
)]
pub(super) fn document(status: StatusCode, body: Value) -> Response {
    respond(status, MEDIA_TYPE, body.to_string())
}

/// `/data/attributes/body/format` for the property path `body.0.format`.
fn pointer(property: &str) -> String {
    let parts: Vec<&str> = property
        .split('.')
        .filter(|p| !p.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    format!("/data/attributes/{}", parts.join("/"))
}

/// Symfony's reason phrases, which Drupal uses as error titles.
fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        422 => "Unprocessable Content",
        _ => status.canonical_reason().unwrap_or("Error"),
    }
}

fn rfc2616_section(status: StatusCode) -> Option<&'static str> {
    Some(match status.as_u16() {
        400 => "10.4.1",
        401 => "10.4.2",
        403 => "10.4.4",
        404 => "10.4.5",
        405 => "10.4.6",
        406 => "10.4.7",
        409 => "10.4.10",
        415 => "10.4.16",
        500 => "10.5.1",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::auth::Author;
    use crate::sandbox::Role;

    #[test]
    fn pointers_drop_deltas() {
        assert_eq!(pointer("title"), "/data/attributes/title");
        assert_eq!(pointer("body.0.format"), "/data/attributes/body/format");
        assert_eq!(pointer("path"), "/data/attributes/path");
    }

    #[test]
    fn titles_and_info_links_follow_drupal() {
        assert_eq!(
            title(StatusCode::UNPROCESSABLE_ENTITY),
            "Unprocessable Content"
        );
        assert_eq!(
            title(StatusCode::UNSUPPORTED_MEDIA_TYPE),
            "Unsupported Media Type"
        );
        assert_eq!(rfc2616_section(StatusCode::CONFLICT), Some("10.4.10"));
        assert_eq!(rfc2616_section(StatusCode::UNPROCESSABLE_ENTITY), None);
    }

    #[test]
    fn sparse_resources_keep_only_listed_members() {
        let mut site = Site::new();
        let author = Author {
            uid: 1,
            role: Role::Admin,
        };
        let changes = Changes {
            title: Some(Some("T".into())),
            ..Changes::default()
        };
        let nid = site.create(None, changes, author, 0).unwrap();
        let node = site.node(nid).unwrap();
        let fields = vec!["title".to_owned(), "path".to_owned()];
        let resource = node_resource(&site, "http://x", node, Some(&fields), None);
        let attributes = resource["attributes"].as_object().unwrap();
        assert_eq!(attributes.keys().collect::<Vec<_>>(), ["path", "title"]);
        assert!(resource.get("relationships").is_none());
        let full = node_resource(&site, "http://x", node, None, None);
        assert_eq!(full["attributes"].as_object().unwrap().len(), 15);
        assert_eq!(full["relationships"].as_object().unwrap().len(), 3);
        assert_eq!(
            full["attributes"]["path"],
            json!({ "alias": null, "pid": null, "langcode": "en" })
        );
        assert_eq!(
            full["links"]["self"]["href"],
            format!(
                "http://x/jsonapi/node/page/{}?resourceVersion=id%3A1",
                node.uuid
            )
        );
    }
}
