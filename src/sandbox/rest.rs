//! Core REST for nodes (`?_format=json`): bodies of field arrays shaped like transcript 13;
//! create, read by nid or by alias of any depth, update in place (REST PATCH makes no new
//! revision) and delete; errors as `{"message": …}`, except a duplicate UUID, which crashes
//! Drupal into a plain-text 500 (transcript 56).

use axum::http::{header, Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::auth::Actor;
use super::pathauto;
use super::routes::{respond, text, with_header, Req, Shared};
use super::state::{
    self, Changes, Node, PathChange, Revision, Site, TextBody, Violation, WriteError,
};
use super::stats::is_uuid;
use super::{lock, timestamp};

/// Fields that only the site sets; sending a different value is refused.
const READ_ONLY: [&str; 6] = [
    "nid",
    "vid",
    "revision_timestamp",
    "changed",
    "revision_uid",
    "revision_translation_affected",
];

/// An error answer.
#[derive(Debug)]
enum Problem {
    /// `{"message": …}` with a status.
    Message(StatusCode, String),
    /// What PHP prints when it dies: a plain-text 500.
    Crash,
}

impl Problem {
    fn new(status: StatusCode, message: impl Into<String>) -> Problem {
        Problem::Message(status, message.into())
    }

    /// Drupal's answer when the nid in the URL names no node.
    fn not_converted(req: &Req) -> Problem {
        Problem::new(
            StatusCode::NOT_FOUND,
            format!(
                "The \"node\" parameter was not converted for the path \"/node/{{node}}\" (route name: \"rest.entity.node.{}\")",
                req.method
            ),
        )
    }

    /// A 422 with one `property: message` line per violation.
    fn invalid(violations: &[Violation]) -> Problem {
        let mut text = String::from("Unprocessable Entity: validation failed.\n");
        for violation in violations {
            text.push_str(&format!("{}: {}\n", violation.property, violation.message));
        }
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, text)
    }

    /// The answer to a write the site refused; `verb` is `creating`, `updating` or `deleting`.
    fn write(error: WriteError, req: &Req, verb: &str) -> Problem {
        match error {
            WriteError::Forbidden(field) => Problem::new(
                StatusCode::FORBIDDEN,
                format!("Access denied on {verb} field '{field}'. The 'administer nodes' permission is required."),
            ),
            WriteError::Invalid(violations) => Problem::invalid(&violations),
            // Drupal has no check for this: the database refuses the row and PHP dies.
            WriteError::UuidTaken => Problem::Crash,
            WriteError::NotFound => Problem::not_converted(req),
        }
    }

    fn respond(self) -> Response {
        match self {
            Problem::Message(status, text) => message(status, &text),
            Problem::Crash => text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The website encountered an unexpected error. Try again later.\n",
            ),
        }
    }
}

/// Answers a request with `?_format=` outside `/jsonapi`.
pub(super) fn dispatch(shared: &Shared, req: &Req, actor: Actor) -> Response {
    if let Some(response) = super::files::rest(shared, req, actor) {
        return response;
    }
    route(shared, req, actor).unwrap_or_else(Problem::respond)
}

fn route(shared: &Shared, req: &Req, actor: Actor) -> Result<Response, Problem> {
    match req.format().as_deref() {
        Some("json") => {}
        other => {
            let detail = format!("Not acceptable format: {}", other.unwrap_or_default());
            return Err(Problem::new(StatusCode::NOT_ACCEPTABLE, detail));
        }
    }
    let path = req.decoded_path();
    if path == "/node" {
        return match req.method {
            Method::POST => create(shared, req, actor),
            Method::GET => Err(no_route(req)),
            _ => Ok(method_not_allowed(req, "POST")),
        };
    }
    let nid = match path.strip_prefix("/node/") {
        // Node ids that do not fit are ids that do not exist.
        Some(id) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
            id.parse().unwrap_or(0)
        }
        _ => lock(&shared.site)
            .nid_by_alias(&path)
            .ok_or_else(|| no_route(req))?,
    };
    match req.method {
        Method::GET => read(shared, req, actor, nid),
        Method::PATCH => update(shared, req, actor, nid),
        Method::DELETE => delete(shared, req, actor, nid),
        _ => Ok(method_not_allowed(req, "GET, PATCH, DELETE")),
    }
}

fn read(shared: &Shared, req: &Req, actor: Actor, nid: u64) -> Result<Response, Problem> {
    let site = lock(&shared.site);
    let node = site.node(nid).ok_or_else(|| Problem::not_converted(req))?;
    if !node.visible_to(actor) {
        let detail = "The 'view own unpublished content' permission is required.";
        return Err(Problem::new(StatusCode::FORBIDDEN, detail));
    }
    Ok(json_response(StatusCode::OK, &node_json(&site, node, None)))
}

fn create(shared: &Shared, req: &Req, actor: Actor) -> Result<Response, Problem> {
    require_json(req)?;
    let author = actor
        .author()
        .ok_or_else(|| Problem::new(StatusCode::FORBIDDEN, ""))?;
    let fields = read_body(req)?;
    let uuid = match fields.get("uuid").and_then(first_value) {
        None | Some(Value::Null) => None,
        Some(Value::String(uuid)) if is_uuid(uuid) => Some(uuid.clone()),
        Some(_) => {
            let violation = Violation::new("uuid.0.value", "This value is not a valid UUID.");
            return Err(Problem::invalid(&[violation]));
        }
    };
    let (changes, path_langcode) = read_fields(&fields, None)?;
    let sent_path = changes.path.clone();
    let mut site = lock(&shared.site);
    let nid = site
        .create(uuid, changes, author, timestamp::now())
        .map_err(|e| Problem::write(e, req, "creating"))?;
    let node = site.node(nid).ok_or_else(|| Problem::not_converted(req))?;
    let location = match site.alias_of(nid) {
        Some(alias) => format!("{}{}", req.base, alias.alias),
        None => format!("{}{}", req.base, state::system_path(nid)),
    };
    let mut body = node_json(&site, node, path_langcode.as_ref().map(Option::as_deref));
    pathauto::echo_sent_path(&site, nid, sent_path.as_ref(), &mut body["path"][0]);
    Ok(with_header(
        json_response(StatusCode::CREATED, &body),
        header::LOCATION,
        &location,
    ))
}

fn update(shared: &Shared, req: &Req, actor: Actor, nid: u64) -> Result<Response, Problem> {
    require_json(req)?;
    let mut site = lock(&shared.site);
    let node = site.node(nid).ok_or_else(|| Problem::not_converted(req))?;
    let author = actor
        .author()
        .ok_or_else(|| Problem::new(StatusCode::FORBIDDEN, ""))?;
    let fields = read_body(req)?;
    let current = match node_json(&site, node, None) {
        Value::Object(current) => current,
        _ => Map::new(),
    };
    let (changes, path_langcode) = read_fields(&fields, Some(&current))?;
    let sent_path = changes.path.clone();
    site.update(nid, changes, author, timestamp::now(), Revision::Current)
        .map_err(|e| Problem::write(e, req, "updating"))?;
    let node = site.node(nid).ok_or_else(|| Problem::not_converted(req))?;
    let mut body = node_json(&site, node, path_langcode.as_ref().map(Option::as_deref));
    pathauto::echo_sent_path(&site, nid, sent_path.as_ref(), &mut body["path"][0]);
    Ok(json_response(StatusCode::OK, &body))
}

fn delete(shared: &Shared, req: &Req, actor: Actor, nid: u64) -> Result<Response, Problem> {
    let mut site = lock(&shared.site);
    if site.node(nid).is_none() {
        return Err(Problem::not_converted(req));
    }
    if actor == Actor::Anonymous {
        return Err(Problem::new(StatusCode::FORBIDDEN, ""));
    }
    site.delete(nid)
        .map_err(|e| Problem::write(e, req, "deleting"))?;
    let mut response = Response::default();
    *response.status_mut() = StatusCode::NO_CONTENT;
    Ok(response)
}

/// A node as core REST serializes it.
fn node_json(site: &Site, node: &Node, path_langcode: Option<Option<&str>>) -> Value {
    let time = |ts: i64| json!([{ "value": timestamp::format(ts), "format": "Y-m-d\\TH:i:sP" }]);
    let user = |uid: u64| json!([{ "target_id": uid, "target_type": "user", "target_uuid": state::user_uuid(uid), "url": format!("/user/{uid}") }]);
    let alias = site.alias_of(node.nid);
    let langcode = path_langcode.map_or(json!("en"), |l| json!(l));
    let body = node.body.as_ref().map_or(json!([]), |b: &TextBody| {
        json!([{ "value": b.value, "format": b.format, "processed": site.processed(b), "summary": b.summary }])
    });
    json!({
        "nid": [{ "value": node.nid }],
        "uuid": [{ "value": node.uuid }],
        "vid": [{ "value": node.vid }],
        "langcode": [{ "value": "en" }],
        "type": [{ "target_id": "page", "target_type": "node_type", "target_uuid": state::PAGE_TYPE_UUID }],
        "revision_timestamp": time(node.revision_timestamp),
        "revision_uid": user(node.revision_uid),
        "revision_log": node.revision_log.as_ref().map_or(json!([]), |log| json!([{ "value": log }])),
        "status": [{ "value": node.status }],
        "uid": user(node.uid),
        "title": [{ "value": node.title }],
        "created": time(node.created),
        "changed": time(node.changed),
        "promote": [{ "value": node.promote }],
        "sticky": [{ "value": node.sticky }],
        "default_langcode": [{ "value": true }],
        "revision_translation_affected": node.revision_translation_affected.map_or(json!([]), |v| json!([{ "value": v }])),
        "path": [{ "alias": alias.map(|a| &a.alias), "pid": alias.map(|a| a.pid), "langcode": langcode }],
        "body": body,
    })
}

/// The request body as an object of fields, with `type` naming the `page` bundle.
fn read_body(req: &Req) -> Result<Map<String, Value>, Problem> {
    let Ok(Value::Object(fields)) = serde_json::from_slice(&req.body) else {
        return Err(Problem::new(StatusCode::BAD_REQUEST, "Syntax error"));
    };
    match fields.get("type").and_then(first_item).map(bundle_of) {
        Some(Some("page")) => Ok(fields),
        Some(Some(other)) => {
            let detail = format!("\"{other}\" is not a valid bundle type for denormalization.");
            Err(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, detail))
        }
        _ => Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Could not determine entity type bundle: \"type\" field is missing.",
        )),
    }
}

/// Reads the fields of a write into [`Changes`], plus the path langcode to echo. `current`
/// holds the node's fields on PATCH, where read-only values may be repeated.
fn read_fields(
    fields: &Map<String, Value>,
    current: Option<&Map<String, Value>>,
) -> Result<(Changes, Option<Option<String>>), Problem> {
    let verb = if current.is_some() {
        "updating"
    } else {
        "creating"
    };
    let mut changes = Changes::default();
    let mut path_langcode = None;
    let mut violations = Vec::new();
    for (name, value) in fields {
        let first = first_value(value);
        let result = match name.as_str() {
            "title" => match first {
                Some(Value::String(title)) => {
                    changes.title = Some(Some(title.clone()));
                    Ok(())
                }
                None | Some(Value::Null) => {
                    changes.title = Some(None);
                    Ok(())
                }
                Some(_) => Err(Violation::primitive("title.0.value")),
            },
            "status" => flag(name, first).map(|v| changes.status = v),
            "promote" => flag(name, first).map(|v| changes.promote = v),
            "sticky" => flag(name, first).map(|v| changes.sticky = v),
            "created" => match first {
                None => Ok(()),
                Some(value) => value
                    .as_str()
                    .and_then(timestamp::parse)
                    .or_else(|| value.as_i64())
                    .map(|ts| changes.created = Some(ts))
                    .ok_or_else(|| Violation::primitive("created.0.value")),
            },
            "body" => match first_item(value) {
                None => {
                    changes.body = Some(None);
                    Ok(())
                }
                Some(item) => TextBody::from_json(item).map(|body| changes.body = Some(body)),
            },
            "path" => {
                let item = first_item(value).unwrap_or(&Value::Null);
                PathChange::from_json(item).map(|(path, langcode)| {
                    changes.path = Some(path);
                    path_langcode = Some(langcode);
                })
            }
            "revision_log" => match first {
                Some(Value::String(log)) => {
                    changes.revision_log = Some(Some(log.clone()));
                    Ok(())
                }
                None | Some(Value::Null) => {
                    changes.revision_log = Some(None);
                    Ok(())
                }
                Some(_) => Err(Violation::primitive("revision_log.0.value")),
            },
            // `type` is checked by `read_body`; `uuid` on create by `create`. The author and the
            // language are fixed on this single-language sandbox.
            "type" | "langcode" | "default_langcode" | "uid" => Ok(()),
            "uuid" if current.is_none() => Ok(()),
            name if name == "uuid" || READ_ONLY.contains(&name) => {
                if current
                    .and_then(|c| c.get(name))
                    .map(|c| same_field(c, value))
                    != Some(true)
                {
                    return Err(Problem::new(
                        StatusCode::FORBIDDEN,
                        format!("Access denied on {verb} field '{name}'."),
                    ));
                }
                Ok(())
            }
            name => {
                return Err(Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("Field {name} is unknown."),
                ))
            }
        };
        if let Err(violation) = result {
            violations.push(violation);
        }
    }
    if !violations.is_empty() {
        return Err(Problem::invalid(&violations));
    }
    Ok((changes, path_langcode))
}

/// Whether a sent field equals the stored one, comparing only the properties sent (a client
/// echoes `[{"value": 13}]`, the site stores more).
fn same_field(stored: &Value, sent: &Value) -> bool {
    let (Some(stored), Some(sent)) = (first_item(stored), first_item(sent)) else {
        return first_item(stored).is_none() && first_item(sent).is_none();
    };
    match (stored, sent) {
        (Value::Object(stored), Value::Object(sent)) => {
            sent.iter().all(|(k, v)| stored.get(k) == Some(v))
        }
        (Value::Object(stored), scalar) => stored.get("value") == Some(scalar),
        _ => false,
    }
}

/// A boolean field: Drupal also takes 0/1 and their strings.
fn flag(name: &str, value: Option<&Value>) -> Result<Option<bool>, Violation> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::Number(n)) if n.as_u64() == Some(0) => Ok(Some(false)),
        Some(Value::Number(n)) if n.as_u64() == Some(1) => Ok(Some(true)),
        Some(Value::String(s)) if matches!(s.as_str(), "0" | "false") => Ok(Some(false)),
        Some(Value::String(s)) if matches!(s.as_str(), "1" | "true") => Ok(Some(true)),
        Some(_) => Err(Violation::primitive(&format!("{name}.0.value"))),
    }
}

/// The first item of a field: `[{…}]`, or a bare value as Drupal's normalizer also accepts.
fn first_item(field: &Value) -> Option<&Value> {
    match field {
        Value::Array(items) => items.first(),
        Value::Null => None,
        other => Some(other),
    }
}

/// The main property (`value`) of a field's first item.
fn first_value(field: &Value) -> Option<&Value> {
    let item = first_item(field)?;
    match item {
        Value::Object(object) => Some(object.get("value").unwrap_or(&Value::Null)),
        other => Some(other),
    }
}

fn bundle_of(item: &Value) -> Option<&str> {
    match item {
        Value::Object(object) => object
            .get("target_id")
            .or_else(|| object.get("value"))?
            .as_str(),
        Value::String(bundle) => Some(bundle),
        _ => None,
    }
}

fn require_json(req: &Req) -> Result<(), Problem> {
    if req.content_type().as_deref() == Some("application/json") {
        return Ok(());
    }
    let sent = req.header(header::CONTENT_TYPE).unwrap_or_default();
    let detail = format!("No route found that matches \"Content-Type: {sent}\"");
    Err(Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, detail))
}

fn no_route(req: &Req) -> Problem {
    let detail = format!(
        "No route found for \"{} {}{}\"",
        req.method, req.base, req.path
    );
    Problem::new(StatusCode::NOT_FOUND, detail)
}

fn method_not_allowed(req: &Req, allow: &str) -> Response {
    let detail = format!(
        "No route found for \"{} {}{}\": Method Not Allowed (Allow: {allow})",
        req.method, req.base, req.path
    );
    with_header(
        message(StatusCode::METHOD_NOT_ALLOWED, &detail),
        header::ALLOW,
        allow,
    )
}

fn message(status: StatusCode, text: &str) -> Response {
    json_response(status, &json!({ "message": text }))
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    respond(status, "application/json", body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(json: Value) -> Map<String, Value> {
        match json {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    #[test]
    fn field_arrays_become_changes() {
        let body = fields(json!({
            "type": [{ "target_id": "page" }],
            "title": [{ "value": "REST with uuid" }],
            "status": [{ "value": 1 }],
            "path": [{ "alias": "/rest-with-uuid" }],
            "body": [{ "value": "<p>r</p>", "format": "basic_html" }],
            "revision_log": [],
        }));
        let (changes, langcode) = read_fields(&body, None).unwrap();
        assert_eq!(changes.title, Some(Some("REST with uuid".into())));
        assert_eq!(changes.status, Some(true));
        assert_eq!(
            changes.path,
            Some(PathChange {
                alias: Some("/rest-with-uuid".into()),
                pid: None,
                pathauto: None,
            })
        );
        assert_eq!(
            changes.body.unwrap().unwrap().format.as_deref(),
            Some("basic_html")
        );
        assert_eq!(changes.revision_log, Some(None));
        assert_eq!(langcode, Some(None));
    }

    #[test]
    fn bad_fields() {
        let cases = [
            (
                json!({ "title": [{ "value": 5 }] }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({ "status": [{ "value": "yes" }] }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({ "color": [{ "value": "red" }] }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (json!({ "nid": [{ "value": 3 }] }), StatusCode::FORBIDDEN),
        ];
        for (body, status) in cases {
            let error = read_fields(&fields(body.clone()), None).unwrap_err();
            assert_eq!(error.respond().status(), status, "{body}");
        }
    }

    #[test]
    fn repeated_read_only_fields_are_accepted_on_update() {
        let current = fields(
            json!({ "nid": [{ "value": 13 }], "uuid": [{ "value": "u" }], "changed": [{ "value": "t", "format": "f" }] }),
        );
        let same =
            fields(json!({ "nid": [{ "value": 13 }], "uuid": "u", "changed": [{ "value": "t" }] }));
        assert!(read_fields(&same, Some(&current)).is_ok());
        let other = fields(json!({ "nid": [{ "value": 14 }] }));
        assert_eq!(
            read_fields(&other, Some(&current))
                .unwrap_err()
                .respond()
                .status(),
            StatusCode::FORBIDDEN
        );
    }
}
