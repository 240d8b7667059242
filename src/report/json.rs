//! Machine-readable output (CONTRACT §5, `format_version` "1"). The documents are described
//! by `schema/plan-v1.schema.json` and `schema/apply-v1.schema.json`; the tests below hold
//! the renderers to them. Besides the contract's keys each change carries `title` and
//! `drift`, which CI needs to word a comment or stop on an overwritten edit.
//!
//! The documents are typed structs, so the printed text ([`plan_text`], [`apply_text`])
//! keeps the contract's key order (`format_version` first, fields in the plan's order);
//! [`plan`] and [`apply`] give the same documents as values.

use serde::ser::{Serialize, Serializer};
use serde_json::Value;
use uuid::Uuid;

use crate::apply::{ApplyReport, ChangeResult, Outcome};
use crate::files::{Upload, UploadResult};
use crate::menu::apply::{LinkOutcome, LinkResult};
use crate::menu::{LinkChange, LinkFieldChange};
use crate::plan::{Action, Change, FieldChange, Plan};

#[derive(serde::Serialize)]
struct Document<'a> {
    format_version: &'static str,
    site: &'a str,
    api: &'a str,
    summary: Summary,
    changes: Vec<ChangeDoc<'a>>,
    uploads: Vec<UploadDoc<'a>>,
    /// Only when the content has menu links (CONTRACT §8).
    #[serde(skip_serializing_if = "Option::is_none")]
    menu_summary: Option<Summary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    menu: Option<Vec<LinkDoc<'a>>>,
    /// Only when some page's format drops markup.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<WarningDoc<'a>>,
}

/// A page whose text format drops what visitors would see.
#[derive(serde::Serialize)]
struct WarningDoc<'a> {
    source: &'a str,
    key: &'a str,
    format: &'a str,
    dropped: &'a [crate::formats::Dropped],
    remote_images: usize,
    escaped: bool,
    message: String,
}

#[derive(serde::Serialize)]
struct LinkDoc<'a> {
    action: &'static str,
    menu: &'a str,
    uuid: Uuid,
    key: Option<&'a str>,
    source: Option<&'a str>,
    path: String,
    title: &'a str,
    weight: i64,
    parent: Option<Uuid>,
    note: Option<&'a str>,
    fields: LinkFields<'a>,
    /// Only in apply documents.
    #[serde(flatten)]
    result: Option<ResultDoc<'a>>,
}

/// A link's changed fields as an object keyed by field name.
struct LinkFields<'a>(&'a [LinkFieldChange]);

impl Serialize for LinkFields<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        field_map(
            serializer,
            self.0
                .iter()
                .map(|f| (f.field.as_str(), f.before.as_deref(), f.after.as_deref())),
        )
    }
}

fn link(c: &LinkChange) -> LinkDoc<'_> {
    LinkDoc {
        action: c.action.as_str(),
        menu: &c.menu,
        uuid: c.uuid,
        key: c.link.as_ref().map(|l| l.key.as_str()),
        source: c.source().map(|s| s.path.as_str()),
        path: c.path(),
        title: c
            .link
            .as_ref()
            .map(|l| l.title.as_str())
            .or(c.remote.as_ref().map(|r| r.title.as_str()))
            .unwrap_or_default(),
        weight: c.weight(),
        parent: c.link.as_ref().and_then(|l| l.parent),
        note: c.note.as_deref(),
        fields: LinkFields(&c.fields),
        result: None,
    }
}

fn link_result(r: &LinkResult) -> LinkDoc<'_> {
    let mut doc = link(&r.change);
    let (result, error) = match &r.outcome {
        LinkOutcome::Done => ("ok", None),
        LinkOutcome::Failed(e) => ("failed", Some(e.as_str())),
        LinkOutcome::NotAttempted => ("failed", Some(NOT_ATTEMPTED)),
    };
    doc.result = Some(ResultDoc { result, error });
    doc
}

fn menu_summary(plan: &Plan) -> Option<Summary> {
    (!plan.menu.is_empty() || plan.menu_unchanged > 0).then(|| Summary {
        create: plan.menu_count(Action::Create),
        update: plan.menu_count(Action::Update),
        delete: plan.menu_count(Action::Delete),
        unchanged: plan.menu_unchanged,
        upload: None,
    })
}

#[derive(serde::Serialize)]
struct Summary {
    create: usize,
    update: usize,
    delete: usize,
    unchanged: usize,
    /// Files to upload; only in the pages' summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    upload: Option<usize>,
}

/// A file to upload (CONTRACT §7); in apply documents with its result.
#[derive(serde::Serialize)]
struct UploadDoc<'a> {
    source: &'a str,
    name: &'a str,
    size: u64,
    sha256: &'a str,
    field: String,
    pages: &'a [String],
    #[serde(flatten)]
    result: Option<UploadResultDoc<'a>>,
}

#[derive(serde::Serialize)]
struct UploadResultDoc<'a> {
    result: &'static str,
    error: Option<&'a str>,
    uuid: Option<&'a str>,
    url: Option<&'a str>,
}

fn upload(u: &Upload) -> UploadDoc<'_> {
    UploadDoc {
        source: &u.source,
        name: &u.name,
        size: u.size,
        sha256: &u.sha256,
        field: u.field.to_string(),
        pages: &u.pages,
        result: None,
    }
}

fn upload_result(r: &UploadResult) -> UploadDoc<'_> {
    let mut doc = upload(&r.upload);
    doc.result = Some(match &r.outcome {
        Ok(file) => UploadResultDoc {
            result: "ok",
            error: None,
            uuid: Some(&file.uuid),
            url: Some(&file.url),
        },
        Err(e) => UploadResultDoc {
            result: "failed",
            error: Some(e),
            uuid: None,
            url: None,
        },
    });
    doc
}

#[derive(serde::Serialize)]
struct ChangeDoc<'a> {
    action: &'static str,
    key: Option<&'a str>,
    source: Option<&'a str>,
    uuid: Uuid,
    nid: Option<u64>,
    alias: &'a str,
    title: &'a str,
    drift: bool,
    fields: Fields<'a>,
    /// Only in apply documents.
    #[serde(flatten)]
    result: Option<ResultDoc<'a>>,
}

#[derive(serde::Serialize)]
struct ResultDoc<'a> {
    result: &'static str,
    error: Option<&'a str>,
}

/// The changed fields as an object keyed by field name, in the plan's order.
struct Fields<'a>(&'a [FieldChange]);

impl Serialize for Fields<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        field_map(
            serializer,
            self.0
                .iter()
                .map(|f| (f.field.as_str(), f.before.as_deref(), f.after.as_deref())),
        )
    }
}

/// `{"title":{"before":…,"after":…},…}` from (field, before, after) triples, in their order.
fn field_map<'a, S: Serializer>(
    serializer: S,
    fields: impl Iterator<Item = (&'a str, Option<&'a str>, Option<&'a str>)>,
) -> Result<S::Ok, S::Error> {
    #[derive(serde::Serialize)]
    struct Values<'a> {
        before: Option<&'a str>,
        after: Option<&'a str>,
    }
    serializer.collect_map(fields.map(|(field, before, after)| (field, Values { before, after })))
}

/// Why a change that was not attempted counts as failed.
const NOT_ATTEMPTED: &str = "not attempted: the run was interrupted";

fn document<'a>(
    plan: &Plan,
    site: &'a str,
    api: &'a str,
    changes: Vec<ChangeDoc<'a>>,
    uploads: Vec<UploadDoc<'a>>,
) -> Document<'a> {
    Document {
        format_version: "1",
        site,
        api,
        summary: Summary {
            create: plan.count(Action::Create),
            update: plan.count(Action::Update),
            delete: plan.count(Action::Delete),
            unchanged: plan.unchanged,
            upload: Some(plan.uploads.len()),
        },
        changes,
        uploads,
        menu_summary: menu_summary(plan),
        menu: None,
        warnings: Vec::new(),
    }
}

fn change(c: &Change) -> ChangeDoc<'_> {
    ChangeDoc {
        action: c.action.as_str(),
        key: Some(c.key.as_str()).filter(|k| !k.is_empty()),
        source: c.source.as_ref().map(|s| s.path.as_str()),
        uuid: c.uuid,
        nid: c.nid(),
        alias: &c.alias,
        title: &c.title,
        drift: c.drift,
        fields: Fields(&c.fields),
        result: None,
    }
}

fn result(r: &ChangeResult) -> ChangeDoc<'_> {
    let mut doc = change(&r.change);
    let (result, error) = match &r.outcome {
        Outcome::Done(node) => {
            // A created page has a node id only now.
            doc.nid = doc.nid.or(node.as_ref().and_then(|n| n.nid));
            ("ok", None)
        }
        Outcome::Failed(e) => ("failed", Some(e.as_str())),
        Outcome::NotAttempted => ("failed", Some(NOT_ATTEMPTED)),
    };
    doc.result = Some(ResultDoc { result, error });
    doc
}

fn plan_document<'a>(plan: &'a Plan, site: &'a str, api: &'a str) -> Document<'a> {
    let mut doc = document(
        plan,
        site,
        api,
        plan.changes.iter().map(change).collect(),
        plan.uploads.iter().map(upload).collect(),
    );
    if doc.menu_summary.is_some() {
        doc.menu = Some(plan.menu.iter().map(link).collect());
    }
    doc.warnings = warnings(plan);
    doc
}

fn warnings(plan: &Plan) -> Vec<WarningDoc<'_>> {
    plan.warnings
        .iter()
        .map(|w| WarningDoc {
            source: &w.source,
            key: &w.key,
            format: &w.format,
            dropped: &w.dropped,
            remote_images: w.remote_images,
            escaped: w.escaped,
            message: w.message(),
        })
        .collect()
}

fn apply_document<'a>(
    plan: &'a Plan,
    report: &'a ApplyReport,
    site: &'a str,
    api: &'a str,
) -> Document<'a> {
    let mut doc = document(
        plan,
        site,
        api,
        report.results.iter().map(result).collect(),
        report.uploads.iter().map(upload_result).collect(),
    );
    doc.warnings = warnings(plan);
    if doc.menu_summary.is_some() {
        doc.menu = Some(report.menu.iter().map(link_result).collect());
    }
    doc
}

fn pretty(document: &Document) -> String {
    let mut text = serde_json::to_string_pretty(document)
        .expect("a document of strings, numbers and string-keyed maps always serialises");
    text.push('\n');
    text
}

fn value(document: &Document) -> Value {
    serde_json::to_value(document)
        .expect("a document of strings, numbers and string-keyed maps always serialises")
}

/// The plan document.
pub fn plan(plan: &Plan, site: &str, api: &str) -> Value {
    value(&plan_document(plan, site, api))
}

/// The plan document as printed: pretty, in the contract's key order, with a final newline.
pub fn plan_text(plan: &Plan, site: &str, api: &str) -> String {
    pretty(&plan_document(plan, site, api))
}

/// The apply document: the plan's changes, each with its `result` and `error`.
pub fn apply(plan: &Plan, report: &ApplyReport, site: &str, api: &str) -> Value {
    value(&apply_document(plan, report, site, api))
}

/// The apply document as printed: pretty, in the contract's key order, with a final newline.
pub fn apply_text(plan: &Plan, report: &ApplyReport, site: &str, api: &str) -> String {
    pretty(&apply_document(plan, report, site, api))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::{self, SITE};
    use serde_json::json;

    const PLAN_SCHEMA: &str = include_str!("../../schema/plan-v1.schema.json");
    const APPLY_SCHEMA: &str = include_str!("../../schema/apply-v1.schema.json");

    /// A compiled schema (checked against the 2020-12 meta-schema on the way).
    struct Schema {
        schemas: boon::Schemas,
        index: boon::SchemaIndex,
    }

    impl Schema {
        fn new(text: &str) -> Schema {
            let url = "urn:drupal-sync:schema";
            let mut schemas = boon::Schemas::new();
            let mut compiler = boon::Compiler::new();
            compiler.enable_format_assertions();
            compiler
                .add_resource(url, serde_json::from_str(text).expect("the schema is JSON"))
                .expect("the schema is added");
            let index = compiler
                .compile(url, &mut schemas)
                .unwrap_or_else(|e| panic!("the schema compiles: {e:#}"));
            Schema { schemas, index }
        }

        fn check(&self, document: &Value) -> Result<(), String> {
            self.schemas
                .validate(document, self.index)
                .map_err(|e| format!("{e:#}"))
        }
    }

    #[test]
    fn plans_match_the_plan_schema() {
        let schema = Schema::new(PLAN_SCHEMA);
        for (name, plan) in [
            ("mixed", fixtures::mixed()),
            ("creates", fixtures::creates()),
            ("update", fixtures::update()),
            ("delete", fixtures::delete()),
            ("drift_skipped", fixtures::drift_skipped()),
            ("no_changes", fixtures::no_changes()),
            ("with_upload", fixtures::with_upload()),
        ] {
            let document = super::plan(&plan, SITE, "jsonapi");
            if let Err(e) = schema.check(&document) {
                panic!("{name}: {e}\n{document:#}");
            }
        }
    }

    #[test]
    fn format_warnings_match_both_schemas() {
        let mut plan = fixtures::creates();
        let verdict = crate::formats::check(
            "<table><tr><td>a</td></tr></table><pre>x</pre><img src=\"https://x.test/a.png\">",
            &crate::formats::TextFormat::standard("basic_html").unwrap(),
            &crate::formats::SiteOrigin::default(),
        )
        .unwrap();
        plan.warnings = vec![verdict.warning("content/guide.md", 1, "guide", "basic_html")];
        let document = super::plan(&plan, SITE, "jsonapi");
        assert_eq!(document["warnings"][0]["dropped"][0]["element"], "table");
        assert_eq!(document["warnings"][0]["remote_images"], 1);
        Schema::new(PLAN_SCHEMA).check(&document).unwrap();
        let applied = super::apply(&plan, &ApplyReport::default(), SITE, "jsonapi");
        Schema::new(APPLY_SCHEMA).check(&applied).unwrap();
        // No warning, no key: the documents of format_version 1 stay as they were.
        assert!(super::plan(&fixtures::creates(), SITE, "jsonapi")
            .get("warnings")
            .is_none());
    }

    #[test]
    fn the_mixed_plan_document() {
        let plan = fixtures::mixed();
        let document = super::plan(&plan, SITE, "rest");
        assert_eq!(document["format_version"], "1");
        assert_eq!(document["site"], SITE);
        assert_eq!(document["api"], "rest");
        assert_eq!(
            document["summary"],
            json!({"create": 2, "update": 2, "delete": 1, "unchanged": 1, "upload": 0})
        );
        let changes = document["changes"].as_array().unwrap();
        let actions: Vec<&str> = changes
            .iter()
            .map(|c| c["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["create", "create", "update", "update", "delete"]);
        let team = changes.iter().find(|c| c["alias"] == "/team").unwrap();
        assert_eq!(team["key"], "team");
        assert_eq!(team["source"], "content/team.md");
        assert_eq!(team["nid"], 7);
        assert_eq!(team["drift"], false);
        assert_eq!(
            team["fields"]["title"],
            json!({"before": "Team", "after": "Our team"})
        );
        assert!(team["fields"]["body"]["after"]
            .as_str()
            .unwrap()
            .contains("<li>Grace</li>"));
        let fields: Vec<&String> = team["fields"].as_object().unwrap().keys().collect();
        assert_eq!(fields.len(), 2, "only the fields that differ: {fields:?}");
        let pricing = changes.iter().find(|c| c["alias"] == "/pricing").unwrap();
        assert_eq!(pricing["drift"], true);
        let old = changes.iter().find(|c| c["action"] == "delete").unwrap();
        assert_eq!(old["key"], Value::Null);
        assert_eq!(old["source"], Value::Null);
        assert_eq!(old["nid"], 9);
        assert_eq!(old["fields"], json!({}));
        let about = changes.iter().find(|c| c["alias"] == "/about").unwrap();
        assert_eq!(about["nid"], Value::Null);
        assert_eq!(about["fields"]["title"]["before"], Value::Null);
    }

    #[test]
    fn apply_reports_match_the_apply_schema() {
        let schema = Schema::new(APPLY_SCHEMA);
        for (name, plan, report) in [
            (
                "with a failure",
                fixtures::mixed(),
                fixtures::apply_with_failure(),
            ),
            (
                "interrupted",
                fixtures::creates(),
                fixtures::apply_interrupted(),
            ),
            (
                "nothing to do",
                fixtures::no_changes(),
                ApplyReport::default(),
            ),
            (
                "with an upload",
                fixtures::with_upload(),
                fixtures::apply_with_upload(),
            ),
        ] {
            let document = super::apply(&plan, &report, SITE, "jsonapi");
            if let Err(e) = schema.check(&document) {
                panic!("{name}: {e}\n{document:#}");
            }
        }
    }

    #[test]
    fn apply_results_and_errors() {
        let document = super::apply(
            &fixtures::mixed(),
            &fixtures::apply_with_failure(),
            SITE,
            "jsonapi",
        );
        let changes = document["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 5);
        for change in changes {
            if change["alias"] == "/team" {
                assert_eq!(change["result"], "failed");
                assert!(change["error"]
                    .as_str()
                    .unwrap()
                    .starts_with("403 Forbidden"));
            } else {
                assert_eq!(change["result"], "ok", "{change:#}");
                assert_eq!(change["error"], Value::Null);
            }
        }
        let about = changes.iter().find(|c| c["alias"] == "/about").unwrap();
        assert_eq!(about["nid"], 21, "a created page reports its new node id");

        let interrupted = super::apply(
            &fixtures::creates(),
            &fixtures::apply_interrupted(),
            SITE,
            "jsonapi",
        );
        let results: Vec<&Value> = interrupted["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| &c["result"])
            .collect();
        assert_eq!(results, [&json!("ok"), &json!("failed"), &json!("failed")]);
    }

    #[test]
    fn the_schemas_refuse_wrong_documents() {
        let plan_schema = Schema::new(PLAN_SCHEMA);
        let apply_schema = Schema::new(APPLY_SCHEMA);
        let plan = super::plan(&fixtures::mixed(), SITE, "jsonapi");
        let apply = super::apply(
            &fixtures::mixed(),
            &fixtures::apply_with_failure(),
            SITE,
            "jsonapi",
        );
        assert!(plan_schema.check(&plan).is_ok());
        assert!(apply_schema.check(&apply).is_ok());

        type Edit = fn(&mut Value);
        let plan_edits: [(&str, Edit); 9] = [
            ("a missing top-level key", |d| {
                d.as_object_mut().unwrap().remove("summary");
            }),
            ("a renamed top-level key", |d| {
                let v = d.as_object_mut().unwrap().remove("changes").unwrap();
                d["items"] = v;
            }),
            ("another format version", |d| d["format_version"] = json!(1)),
            ("an unknown api", |d| d["api"] = json!("graphql")),
            ("a missing summary count", |d| {
                d["summary"].as_object_mut().unwrap().remove("unchanged");
            }),
            ("a renamed change key", |d| {
                let c = d["changes"][0].as_object_mut().unwrap();
                let v = c.remove("alias").unwrap();
                c.insert("path".into(), v);
            }),
            ("an unknown action", |d| {
                d["changes"][0]["action"] = json!("replace");
            }),
            ("an unknown field", |d| {
                d["changes"][0]["fields"]["weight"] = json!({"before": null, "after": "1"});
            }),
            ("a field change without `before`", |d| {
                d["changes"][0]["fields"]["title"]
                    .as_object_mut()
                    .unwrap()
                    .remove("before");
            }),
        ];
        for (name, edit) in plan_edits {
            let mut wrong = plan.clone();
            edit(&mut wrong);
            assert!(plan_schema.check(&wrong).is_err(), "plan: {name}");
        }
        let apply_edits: [(&str, Edit); 4] = [
            ("a change without `result`", |d| {
                d["changes"][0].as_object_mut().unwrap().remove("result");
            }),
            ("an unknown result", |d| {
                d["changes"][0]["result"] = json!("done");
            }),
            ("a failure without its error", |d| {
                let team = d["changes"]
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .find(|c| c["result"] == "failed")
                    .unwrap();
                team["error"] = Value::Null;
            }),
            ("a plan document", |d| {
                for c in d["changes"].as_array_mut().unwrap() {
                    let c = c.as_object_mut().unwrap();
                    c.remove("result");
                    c.remove("error");
                }
            }),
        ];
        for (name, edit) in apply_edits {
            let mut wrong = apply.clone();
            edit(&mut wrong);
            assert!(apply_schema.check(&wrong).is_err(), "apply: {name}");
        }
        assert!(
            plan_schema.check(&apply).is_err(),
            "an apply report is not a plan"
        );
    }

    #[test]
    fn printed_documents_keep_the_contract_order() {
        let plan = fixtures::mixed();
        let text = plan_text(&plan, SITE, "jsonapi");
        assert!(
            text.starts_with("{\n  \"format_version\": \"1\",\n  \"site\": \"https://www.example.com\",\n  \"api\": \"jsonapi\",\n  \"summary\": {\n    \"create\": 2,"),
            "{text}"
        );
        assert!(text.ends_with("}\n"));
        let keys = |text: &str, keys: &[&str]| {
            let at: Vec<usize> = keys
                .iter()
                .map(|k| text.find(&format!("\"{k}\":")).unwrap())
                .collect();
            assert!(at.windows(2).all(|w| w[0] < w[1]), "{keys:?} in {text}");
        };
        keys(
            &text,
            &[
                "action", "key", "source", "uuid", "nid", "alias", "title", "drift", "fields",
            ],
        );
        let first_fields = &text[text.find("\"fields\":").unwrap()..];
        keys(
            first_fields,
            &["title", "alias", "status", "format", "body"],
        );
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, super::plan(&plan, SITE, "jsonapi"));

        let report = fixtures::apply_with_failure();
        let text = apply_text(&plan, &report, SITE, "jsonapi");
        keys(&text, &["fields", "result", "error"]);
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, super::apply(&plan, &report, SITE, "jsonapi"));
    }

    #[test]
    fn menu_changes_match_the_schemas() {
        let (plan, report) = fixtures::menu_changes();
        let actions: Vec<Action> = plan.menu.iter().map(|c| c.action).collect();
        assert_eq!(actions, [Action::Update, Action::Create, Action::Delete]);
        let document = super::plan(&plan, SITE, "jsonapi");
        if let Err(e) = Schema::new(PLAN_SCHEMA).check(&document) {
            panic!("{e}\n{document:#}");
        }
        assert_eq!(
            document["menu_summary"],
            json!({"create": 1, "update": 1, "delete": 1, "unchanged": 0})
        );
        assert_eq!(document["menu"][1]["path"], "main › Docs › A");
        assert_eq!(document["menu"][1]["weight"], 3);
        assert_eq!(
            document["menu"][0]["fields"]["title"],
            json!({"before": "Old docs", "after": "Docs"})
        );
        let document = super::apply(&plan, &report, SITE, "jsonapi");
        if let Err(e) = Schema::new(APPLY_SCHEMA).check(&document) {
            panic!("{e}\n{document:#}");
        }
        assert_eq!(document["menu"][0]["result"], "failed");
        assert_eq!(document["menu"][1]["result"], "ok");
        // Without menus the documents keep their shape.
        let plain = super::plan(&fixtures::mixed(), SITE, "jsonapi");
        assert!(plain.get("menu").is_none() && plain.get("menu_summary").is_none());
    }

    /// The apply schema is the plan schema plus `result` and `error`: the files cannot drift apart.
    #[test]
    fn the_apply_schema_extends_the_plan_schema() {
        let plan: Value = serde_json::from_str(PLAN_SCHEMA).unwrap();
        let mut apply: Value = serde_json::from_str(APPLY_SCHEMA).unwrap();
        let change = &mut apply["$defs"]["change"];
        let properties = change["properties"].as_object_mut().unwrap();
        properties.remove("result");
        properties.remove("error");
        properties["nid"]["description"] =
            plan["$defs"]["change"]["properties"]["nid"]["description"].clone();
        change["required"]
            .as_array_mut()
            .unwrap()
            .retain(|k| k != "result" && k != "error");
        change["allOf"].as_array_mut().unwrap().pop();
        apply["$defs"]
            .as_object_mut()
            .unwrap()
            .remove("uploadResult");
        let link = &mut apply["$defs"]["linkChange"];
        let properties = link["properties"].as_object_mut().unwrap();
        properties.remove("result");
        properties.remove("error");
        link["required"]
            .as_array_mut()
            .unwrap()
            .retain(|k| k != "result" && k != "error");
        assert_eq!(apply["$defs"], plan["$defs"]);
        assert_eq!(
            apply["required"], plan["required"],
            "the top level keys are the same"
        );
        for key in ["format_version", "site", "api"] {
            assert_eq!(apply["properties"][key], plan["properties"][key], "{key}");
        }
    }
}
