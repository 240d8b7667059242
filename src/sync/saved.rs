//! The saved-plan file (`plan --out FILE`, `apply FILE`): a JSON document that holds a
//! [`Plan`] and what it was made for (site, API, bundle, namespace), and no secret. Pure:
//! reading and writing the file is the caller's.

use serde::{Deserialize, Serialize};

use crate::plan::Plan;

/// The `kind` tag of a saved plan.
const KIND: &str = "drupal-sync-plan";

/// The only `format_version` this build reads and writes.
const FORMAT_VERSION: &str = "1";

/// A plan saved by `plan --out`, applied exactly by `apply FILE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPlan {
    format_version: String,
    kind: String,
    site: String,
    api: String,
    bundle: String,
    namespace: String,
    /// The plan, as it was shown.
    pub plan: Plan,
}

/// What a plan is made for; a saved plan is only applied to the same.
#[derive(Debug, Clone, Copy)]
pub struct Made<'a> {
    /// The site's base URL (see [`SiteUrl`](crate::config::SiteUrl)); `None` when this run
    /// has none configured yet.
    pub site: Option<&'a str>,
    pub api: &'a str,
    pub bundle: &'a str,
    pub namespace: &'a str,
}

/// Why a text is not a saved plan this build can apply.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// Not JSON, or not shaped like a saved plan.
    #[error("not a drupal-sync plan file")]
    Malformed(#[source] serde_json::Error),
    /// Another kind of document, or another format version.
    #[error("not a drupal-sync plan file (format {format_version})")]
    Format { format_version: String },
}

/// A saved plan made for something else than this run targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// "site", "namespace" or "api/bundle".
    pub what: &'static str,
    /// What the plan was made for.
    pub planned: String,
    /// What this run targets.
    pub now: String,
}

impl SavedPlan {
    /// Wrap `plan`, made for `made` on the site at `site`.
    pub fn new(plan: Plan, site: &str, made: &Made<'_>) -> SavedPlan {
        SavedPlan {
            format_version: FORMAT_VERSION.into(),
            kind: KIND.into(),
            site: site.to_owned(),
            api: made.api.to_owned(),
            bundle: made.bundle.to_owned(),
            namespace: made.namespace.to_owned(),
            plan,
        }
    }

    /// The file's text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a plan always serialises")
    }

    /// Refuse to apply the plan to anything but what it was made for.
    pub fn check(&self, now: &Made<'_>) -> Result<(), Mismatch> {
        let mismatch = |what, planned: &str, now: &str| Mismatch {
            what,
            planned: planned.to_owned(),
            now: now.to_owned(),
        };
        if let Some(site) = now.site {
            if site != self.site {
                return Err(mismatch("site", &self.site, site));
            }
        }
        if self.namespace != now.namespace {
            return Err(mismatch("namespace", &self.namespace, now.namespace));
        }
        if self.api != now.api || self.bundle != now.bundle {
            return Err(mismatch(
                "api/bundle",
                &format!("{}/{}", self.api, self.bundle),
                &format!("{}/{}", now.api, now.bundle),
            ));
        }
        Ok(())
    }
}

/// Read a saved plan's text.
pub fn parse(text: &str) -> Result<SavedPlan, ParseError> {
    let saved: SavedPlan = serde_json::from_str(text).map_err(ParseError::Malformed)?;
    if saved.kind != KIND || saved.format_version != FORMAT_VERSION {
        return Err(ParseError::Format {
            format_version: saved.format_version,
        });
    }
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    const MADE: Made<'static> = Made {
        site: Some("https://example.com/drupal"),
        api: "jsonapi",
        bundle: "page",
        namespace: "docs",
    };

    fn saved() -> SavedPlan {
        SavedPlan::new(fixtures::mixed(), "https://example.com/drupal", &MADE)
    }

    /// The saved text with one top-level field replaced.
    fn with(field: &str, value: serde_json::Value) -> String {
        let mut json: serde_json::Value = serde_json::from_str(&saved().to_json()).unwrap();
        json[field] = value;
        json.to_string()
    }

    #[test]
    fn round_trips() {
        let saved = saved();
        assert!(!saved.plan.changes.is_empty());
        let back = parse(&saved.to_json()).unwrap();
        assert_eq!(back, saved);
        assert_eq!(back.check(&MADE), Ok(()));
    }

    #[test]
    fn another_kind_is_refused() {
        let err = parse(&with("kind", "terraform-plan".into())).unwrap_err();
        assert_eq!(err.to_string(), "not a drupal-sync plan file (format 1)");
    }

    #[test]
    fn another_format_version_is_refused() {
        let err = parse(&with("format_version", "2".into())).unwrap_err();
        assert_eq!(err.to_string(), "not a drupal-sync plan file (format 2)");
    }

    #[test]
    fn other_json_is_refused() {
        for text in ["", "[]", "{\"kind\": \"drupal-sync-plan\"}", "not json"] {
            assert!(
                matches!(parse(text), Err(ParseError::Malformed(_))),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_plan_for_another_target_is_refused() {
        let saved = saved();
        let cases = [
            (
                Made {
                    site: Some("https://example.com"),
                    ..MADE
                },
                "site",
                "https://example.com/drupal",
                "https://example.com",
            ),
            (
                Made {
                    namespace: "blog",
                    ..MADE
                },
                "namespace",
                "docs",
                "blog",
            ),
            (
                Made {
                    api: "rest",
                    ..MADE
                },
                "api/bundle",
                "jsonapi/page",
                "rest/page",
            ),
            (
                Made {
                    bundle: "article",
                    ..MADE
                },
                "api/bundle",
                "jsonapi/page",
                "jsonapi/article",
            ),
        ];
        for (now, what, planned, target) in cases {
            assert_eq!(
                saved.check(&now),
                Err(Mismatch {
                    what,
                    planned: planned.into(),
                    now: target.into(),
                })
            );
        }
    }

    #[test]
    fn a_run_without_a_site_url_checks_the_rest() {
        let saved = saved();
        assert_eq!(saved.check(&Made { site: None, ..MADE }), Ok(()));
        assert_eq!(
            saved
                .check(&Made {
                    site: None,
                    namespace: "blog",
                    ..MADE
                })
                .map_err(|m| m.what),
            Err("namespace")
        );
    }
}
