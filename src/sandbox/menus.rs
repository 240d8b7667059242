//! Menus and menu links as Drupal's standard profile has them (drupal-wire §6, transcripts
//! 80–89): the menus `account`, `admin`, `footer`, `main` and `tools` (`/jsonapi/menu/menu`),
//! and `menu_link_content` entities with CRUD, `parent`, filters, sorting and paging over
//! JSON:API.
//!
//! Drupal's rules, as recorded: writing or reading links takes "administer menu" (the editor
//! lacks it: 403 on writes, nothing listed); menus are listed to everyone, but only accounts
//! with that permission see their `drupal_internal__id`; a link to a menu that does not exist
//! is accepted; deleting a link moves its children to its own parent (the top, for a
//! top-level link: 86–87); deleting a node deletes the links to it. Link URIs are not checked
//! against existing nodes.

use std::collections::BTreeMap;

use axum::http::{header, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::auth::Actor;
use super::jsonapi::{
    attributes_of, document, jsonapi_object, method_not_allowed, page, parse_listing, read_data,
    require_media_type, single, sort, Problem,
};
use super::query::{self, Scalar};
use super::routes::{with_header, Req, Shared};
use super::state::Violation;
use super::stats::is_uuid;
use super::{lock, timestamp, Role};

const LINK_TYPE: &str = "menu_link_content--menu_link_content";
const MENU_TYPE: &str = "menu--menu";
const COLLECTION: &str = "/jsonapi/menu_link_content/menu_link_content";

/// Field paths link filters and sorts accept.
const LINK_PATHS: [&str; 11] = [
    "id",
    "drupal_internal__id",
    "drupal_internal__revision_id",
    "langcode",
    "title",
    "menu_name",
    "weight",
    "enabled",
    "expanded",
    "parent",
    "link.uri",
];

/// The standard profile's menus: machine name, label, description, UUID (as recorded in 88).
const MENUS: [(&str, &str, &str, &str); 5] = [
    (
        "account",
        "User account menu",
        "Links related to the active user account",
        "2b6926e3-34a6-45b8-81b8-ebc6b6b2ab82",
    ),
    (
        "admin",
        "Administration",
        "Contains links to administrative tasks",
        "002fdfec-44a2-4c02-8501-8af18f373e03",
    ),
    (
        "footer",
        "Footer",
        "Site information links",
        "12c75e67-192c-4bbe-91b9-ac88c6b41ef7",
    ),
    (
        "main",
        "Main navigation",
        "Site section links",
        "4ed80b85-1516-43da-abca-bd3a9cac7243",
    ),
    (
        "tools",
        "Tools",
        "Contains links for site visitors. Some modules add their links here.",
        "03ed7707-fbd5-440a-9327-1c285f520f48",
    ),
];

/// A `menu_link_content` entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuLink {
    pub id: u64,
    pub uuid: String,
    pub revision_id: u64,
    pub title: String,
    pub description: Option<String>,
    pub menu_name: String,
    pub uri: String,
    pub weight: i64,
    pub expanded: bool,
    pub enabled: bool,
    /// `menu_link_content:{uuid}` of the parent, or `None` at the top.
    pub parent: Option<String>,
    pub created: i64,
    pub changed: i64,
}

/// Every menu link of the site.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MenuLinks {
    next_id: u64,
    links: BTreeMap<u64, MenuLink>,
}

impl MenuLinks {
    /// The link with `uuid`.
    pub fn by_uuid(&self, uuid: &str) -> Option<&MenuLink> {
        self.links.values().find(|l| l.uuid == uuid)
    }

    /// Every link, by id.
    pub fn all(&self) -> impl Iterator<Item = &MenuLink> {
        self.links.values()
    }

    /// Stores a new link, giving it the next id (also its revision id).
    fn insert(&mut self, mut link: MenuLink) -> u64 {
        let id = self
            .next_id
            .max(self.links.keys().max().map_or(1, |i| i + 1));
        self.next_id = id + 1;
        link.id = id;
        link.revision_id = id;
        self.links.insert(id, link);
        id
    }

    /// Deletes link `id`; its children move to its parent, as Drupal's menu tree does.
    fn remove(&mut self, id: u64) -> Option<MenuLink> {
        let link = self.links.remove(&id)?;
        let reference = format!("menu_link_content:{}", link.uuid);
        for child in self.links.values_mut() {
            if child.parent.as_deref() == Some(reference.as_str()) {
                child.parent.clone_from(&link.parent);
            }
        }
        Some(link)
    }

    /// Deletes the links to node `nid` (Drupal deletes them with their node).
    pub fn node_deleted(&mut self, nid: u64) {
        let uri = format!("entity:node/{nid}");
        let ids: Vec<u64> = self
            .links
            .values()
            .filter(|l| l.uri == uri)
            .map(|l| l.id)
            .collect();
        for id in ids {
            self.remove(id);
        }
    }
}

/// Whether `actor` has "administer menu".
fn administers(actor: Actor) -> bool {
    actor.author().is_some_and(|a| a.role == Role::Admin)
}

/// Answers `/jsonapi/menu/…` and `/jsonapi/menu_link_content/…`; `None` for other paths.
pub(super) fn dispatch(
    shared: &Shared,
    req: &Req,
    actor: Actor,
    segments: &[&str],
) -> Option<Response> {
    let answer = match (segments, req.method.as_str()) {
        (["menu", "menu"], "GET") => Ok(menus(req, actor)),
        (["menu", "menu"], _) => Ok(method_not_allowed(req, "GET")),
        (["menu_link_content", "menu_link_content"], "GET") => collection(shared, req, actor),
        (["menu_link_content", "menu_link_content"], "POST") => create(shared, req, actor),
        (["menu_link_content", "menu_link_content"], _) => Ok(method_not_allowed(req, "GET, POST")),
        (["menu_link_content", "menu_link_content", id], "GET") => {
            individual(shared, req, actor, id)
        }
        (["menu_link_content", "menu_link_content", id], "PATCH") => update(shared, req, actor, id),
        (["menu_link_content", "menu_link_content", id], "DELETE") => delete(shared, actor, id),
        (["menu_link_content", "menu_link_content", _], _) => {
            Ok(method_not_allowed(req, "GET, PATCH, DELETE"))
        }
        _ => return None,
    };
    Some(answer.unwrap_or_else(|problem| problem.respond(req)))
}

fn menus(req: &Req, actor: Actor) -> Response {
    let fields = query::sparse_fields(&req.query, MENU_TYPE);
    let wanted = |name: &str| fields.as_ref().is_none_or(|f| f.iter().any(|x| x == name));
    let data: Vec<Value> = MENUS
        .iter()
        .map(|(id, label, description, uuid)| {
            let all = [
                ("langcode", json!("en")),
                ("status", json!(true)),
                ("dependencies", json!([])),
                ("drupal_internal__id", json!(id)),
                ("label", json!(label)),
                ("description", json!(description)),
                ("locked", json!(true)),
            ];
            // Without "administer menu" only the label may be viewed.
            let attributes: Map<String, Value> = all
                .into_iter()
                .filter(|(name, _)| wanted(name) && (administers(actor) || *name == "label"))
                .map(|(name, value)| (name.to_owned(), value))
                .collect();
            json!({
                "type": MENU_TYPE,
                "id": uuid,
                "links": { "self": { "href": format!("{}/jsonapi/menu/menu/{uuid}", req.base) } },
                "attributes": attributes,
            })
        })
        .collect();
    document(
        StatusCode::OK,
        json!({ "jsonapi": jsonapi_object(), "data": data, "links": { "self": { "href": req.url() } } }),
    )
}

fn forbidden() -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "The 'administer menu' permission is required.",
    )
}

fn not_found() -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "The \"entity\" parameter was not converted for the path \"/jsonapi/menu_link_content/menu_link_content/{entity}\" (route name: \"jsonapi.menu_link_content--menu_link_content.individual\")",
    )
}

fn collection(shared: &Shared, req: &Req, actor: Actor) -> Result<Response, Problem> {
    let listing = parse_listing(req, LINK_TYPE, &LINK_PATHS)?;
    let site = lock(&shared.site);
    // Viewing a link takes "administer menu"; others get an empty page.
    let mut links: Vec<&MenuLink> = site
        .menu_links()
        .all()
        .filter(|_| administers(actor))
        .filter(|l| {
            listing
                .filters
                .iter()
                .all(|c| c.matches(&link_scalar(l, &c.path)))
        })
        .collect();
    sort(&mut links, &listing, link_scalar);
    let fields = listing.fields.as_deref();
    Ok(page(req, &listing, &links, |l| {
        link_resource(&req.base, l, fields)
    }))
}

fn individual(shared: &Shared, req: &Req, actor: Actor, id: &str) -> Result<Response, Problem> {
    let site = lock(&shared.site);
    let link = site.menu_links().by_uuid(id).ok_or_else(not_found)?;
    if !administers(actor) {
        return Err(Problem::at(
            StatusCode::FORBIDDEN,
            "The current user is not allowed to GET the selected resource. The 'administer menu' permission is required.",
            "/data",
        ));
    }
    let fields = query::sparse_fields(&req.query, LINK_TYPE);
    let data = link_resource(&req.base, link, fields.as_deref());
    let self_href = format!("{}{}", req.base, req.path);
    Ok(document(StatusCode::OK, single(data, self_href)))
}

fn create(shared: &Shared, req: &Req, actor: Actor) -> Result<Response, Problem> {
    require_media_type(req)?;
    if !administers(actor) {
        return Err(forbidden());
    }
    let data = read_data(req, LINK_TYPE)?;
    let uuid = match data.get("id") {
        None | Some(Value::Null) => uuid::Uuid::new_v4().to_string(),
        Some(Value::String(id)) if is_uuid(id) => id.clone(),
        Some(_) => {
            let detail =
                "IDs should be properly generated and formatted UUIDs as described in RFC 4122.";
            return Err(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, detail));
        }
    };
    let mut site = lock(&shared.site);
    if site.menu_links().by_uuid(&uuid).is_some() {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "Conflict: Entity already exists.",
        ));
    }
    let now = timestamp::now();
    let mut link = MenuLink {
        id: 0,
        uuid,
        revision_id: 0,
        title: String::new(),
        description: None,
        menu_name: "tools".into(),
        uri: String::new(),
        weight: 0,
        expanded: false,
        enabled: true,
        parent: None,
        created: now,
        changed: now,
    };
    apply_attributes(&mut link, &data)?;
    let id = site.menu_links_mut().insert(link);
    let link = site
        .menu_links()
        .all()
        .find(|l| l.id == id)
        .ok_or_else(not_found)?;
    let location = format!(
        "{}{COLLECTION}/{}?resourceVersion=id%3A{}",
        req.base, link.uuid, link.revision_id
    );
    let data = link_resource(&req.base, link, None);
    let response = document(StatusCode::CREATED, single(data, req.url()));
    Ok(with_header(response, header::LOCATION, &location))
}

fn update(shared: &Shared, req: &Req, actor: Actor, id: &str) -> Result<Response, Problem> {
    require_media_type(req)?;
    let mut site = lock(&shared.site);
    let mut link = site
        .menu_links()
        .by_uuid(id)
        .cloned()
        .ok_or_else(not_found)?;
    if !administers(actor) {
        return Err(forbidden());
    }
    let data = read_data(req, LINK_TYPE)?;
    let payload_id = data.get("id").and_then(Value::as_str);
    if payload_id != Some(id) {
        let detail = format!(
            "The selected entity ({id}) does not match the ID in the payload ({}).",
            payload_id.unwrap_or_default()
        );
        return Err(Problem::new(StatusCode::BAD_REQUEST, detail));
    }
    apply_attributes(&mut link, &data)?;
    link.changed = timestamp::now();
    let stored = link.clone();
    site.menu_links_mut().links.insert(link.id, link);
    let data = link_resource(&req.base, &stored, None);
    let self_href = format!("{}{}", req.base, req.path);
    Ok(document(StatusCode::OK, single(data, self_href)))
}

fn delete(shared: &Shared, actor: Actor, id: &str) -> Result<Response, Problem> {
    let mut site = lock(&shared.site);
    let link_id = site
        .menu_links()
        .by_uuid(id)
        .map(|l| l.id)
        .ok_or_else(not_found)?;
    if !administers(actor) {
        return Err(forbidden());
    }
    site.menu_links_mut().remove(link_id);
    let mut response = Response::default();
    *response.status_mut() = StatusCode::NO_CONTENT;
    Ok(response)
}

/// Writes the document's attributes onto `link`, then validates it.
fn apply_attributes(link: &mut MenuLink, data: &Map<String, Value>) -> Result<(), Problem> {
    let empty = Map::new();
    let attributes = attributes_of(data, &empty)?;
    let mut violations = Vec::new();
    for (name, value) in attributes {
        let primitive = || Violation::primitive(&format!("{name}.0.value"));
        let result = match name.as_str() {
            "title" => match value {
                Value::String(s) => {
                    link.title.clone_from(s);
                    Ok(())
                }
                Value::Null => {
                    link.title.clear();
                    Ok(())
                }
                _ => Err(primitive()),
            },
            "description" => match value {
                Value::String(s) => {
                    link.description = Some(s.clone());
                    Ok(())
                }
                Value::Null => {
                    link.description = None;
                    Ok(())
                }
                _ => Err(primitive()),
            },
            "menu_name" => value
                .as_str()
                .map(|m| link.menu_name = m.to_owned())
                .ok_or_else(primitive),
            "weight" => value
                .as_i64()
                .map(|w| link.weight = w)
                .ok_or_else(primitive),
            "expanded" => value
                .as_bool()
                .map(|e| link.expanded = e)
                .ok_or_else(primitive),
            "enabled" => value
                .as_bool()
                .map(|e| link.enabled = e)
                .ok_or_else(primitive),
            "parent" => match value {
                Value::String(p) if p.is_empty() => {
                    link.parent = None;
                    Ok(())
                }
                Value::String(p) => {
                    link.parent = Some(p.clone());
                    Ok(())
                }
                Value::Null => {
                    link.parent = None;
                    Ok(())
                }
                _ => Err(primitive()),
            },
            "link" => match value.get("uri") {
                Some(Value::String(uri)) => {
                    link.uri.clone_from(uri);
                    Ok(())
                }
                _ => Err(Violation::primitive("link.0.uri")),
            },
            "langcode" | "default_langcode" | "bundle" => Ok(()),
            other => {
                let detail = format!(
                    "The attribute {other} does not exist on the {LINK_TYPE} resource type."
                );
                return Err(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, detail));
            }
        };
        if let Err(violation) = result {
            violations.push(violation);
        }
    }
    if link.title.trim().is_empty() {
        violations.push(Violation::new("title", "This value should not be null."));
    }
    if link.uri.is_empty() {
        violations.push(Violation::new("link", "This value should not be null."));
    } else if ![
        "entity:",
        "internal:",
        "route:",
        "base:",
        "http://",
        "https://",
    ]
    .iter()
    .any(|scheme| link.uri.starts_with(scheme))
    {
        violations.push(Violation::new(
            "link.0.uri",
            format!("The path '{}' is invalid.", link.uri),
        ));
    }
    if violations.is_empty() {
        Ok(())
    } else {
        Err(Problem::Invalid(violations))
    }
}

fn link_scalar(link: &MenuLink, path: &str) -> Scalar {
    match path {
        "id" => Scalar::Str(link.uuid.clone()),
        "drupal_internal__id" | "drupal_internal__revision_id" => {
            Scalar::Int(i64::try_from(link.id).unwrap_or(i64::MAX))
        }
        "langcode" => Scalar::Str("en".into()),
        "title" => Scalar::Str(link.title.clone()),
        "menu_name" => Scalar::Str(link.menu_name.clone()),
        "weight" => Scalar::Int(link.weight),
        "enabled" => Scalar::Bool(link.enabled),
        "expanded" => Scalar::Bool(link.expanded),
        "parent" => link
            .parent
            .as_ref()
            .map_or(Scalar::Null, |p| Scalar::Str(p.clone())),
        "link.uri" => Scalar::Str(link.uri.clone()),
        _ => Scalar::Null,
    }
}

/// A link as a JSON:API resource object, attributes in Drupal's order.
fn link_resource(base: &str, link: &MenuLink, fields: Option<&[String]>) -> Value {
    let wanted = |name: &str| fields.is_none_or(|f| f.iter().any(|x| x == name));
    let url = format!("{base}{COLLECTION}/{}", link.uuid);
    let version = format!("?resourceVersion=id%3A{}", link.revision_id);
    let external = link.uri.starts_with("http://") || link.uri.starts_with("https://");
    let all = json!({
        "drupal_internal__id": link.id,
        "drupal_internal__revision_id": link.revision_id,
        "langcode": "en",
        "bundle": "menu_link_content",
        "revision_created": timestamp::format(link.created),
        "revision_log_message": null,
        "enabled": link.enabled,
        "title": link.title,
        "description": link.description,
        "menu_name": link.menu_name,
        "link": { "uri": link.uri, "title": null, "options": [] },
        "external": external,
        // Drupal looks `internal:` paths up again when routes change.
        "rediscover": link.uri.starts_with("internal:"),
        "weight": link.weight,
        "expanded": link.expanded,
        "parent": link.parent,
        "changed": timestamp::format(link.changed),
        "default_langcode": true,
        "revision_translation_affected": true,
    });
    let attributes: Map<String, Value> = match all {
        Value::Object(map) => map.into_iter().filter(|(name, _)| wanted(name)).collect(),
        _ => Map::new(),
    };
    let mut resource = json!({
        "type": LINK_TYPE,
        "id": link.uuid,
        "links": { "self": { "href": format!("{url}{version}") } },
    });
    if fields.is_none() || !attributes.is_empty() {
        resource["attributes"] = Value::Object(attributes);
    }
    if wanted("revision_user") {
        resource["relationships"] = json!({
            "revision_user": {
                "data": null,
                "links": {
                    "related": { "href": format!("{url}/revision_user{version}") },
                    "self": { "href": format!("{url}/relationships/revision_user{version}") },
                },
            },
        });
    }
    resource
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(id: u64, parent: Option<&str>) -> MenuLink {
        MenuLink {
            id,
            uuid: format!("aaaaaaaa-0000-8000-8000-0000000000a{id}"),
            revision_id: id,
            title: format!("Link {id}"),
            description: None,
            menu_name: "main".into(),
            uri: format!("entity:node/{id}"),
            weight: 0,
            expanded: false,
            enabled: true,
            parent: parent
                .map(|p| format!("menu_link_content:aaaaaaaa-0000-8000-8000-0000000000a{p}")),
            created: 0,
            changed: 0,
        }
    }

    #[test]
    fn deleting_a_link_moves_its_children_to_its_parent() {
        let mut links = MenuLinks::default();
        for l in [link(1, None), link(2, Some("1")), link(3, Some("2"))] {
            let id = l.id;
            links.insert(l);
            assert!(links.links.contains_key(&id));
        }
        links.remove(2);
        assert_eq!(
            links
                .by_uuid("aaaaaaaa-0000-8000-8000-0000000000a3")
                .unwrap()
                .parent,
            Some("menu_link_content:aaaaaaaa-0000-8000-8000-0000000000a1".to_owned())
        );
        links.remove(1);
        assert_eq!(
            links
                .by_uuid("aaaaaaaa-0000-8000-8000-0000000000a3")
                .unwrap()
                .parent,
            None
        );
    }

    #[test]
    fn deleting_a_node_deletes_its_links() {
        let mut links = MenuLinks::default();
        links.insert(link(1, None));
        links.insert(link(2, Some("1")));
        links.node_deleted(1);
        assert_eq!(links.all().count(), 1);
        assert_eq!(links.all().next().unwrap().parent, None);
    }
}
