//! Whether the site runs pathauto (drupal-wire §7): its JSON:API index lists
//! `pathauto_pattern--pathauto_pattern` resources exactly then (97, 9b). Asked once per run,
//! the first time an alias is written, so a plan without changes never asks.

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::OnceCell;

use super::client::Client;

const MEDIA: &str = "application/vnd.api+json";

/// The answer, shared by every clone, asked for at most once.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    answer: Arc<OnceCell<bool>>,
}

impl Probe {
    /// Whether the site runs pathauto. An index that cannot be read (JSON:API off, no access)
    /// counts as no pathauto: a write pathauto then takes over is still caught by the
    /// read-back check of [`crate::verify`].
    pub async fn runs(&self, client: &Client) -> bool {
        *self
            .answer
            .get_or_init(|| async {
                match client.get_json::<Value>("/jsonapi", MEDIA).await {
                    Ok(index) => index
                        .as_ref()
                        .and_then(|i| i.get("links"))
                        .and_then(Value::as_object)
                        .is_some_and(|links| {
                            links.keys().any(|k| k.starts_with("pathauto_pattern--"))
                        }),
                    Err(e) => {
                        tracing::info!(
                            "cannot read the JSON:API index to tell whether the site runs pathauto: {e}"
                        );
                        false
                    }
                }
            })
            .await
    }

    /// The answer, when it was asked for in this run.
    pub fn known(&self) -> Option<bool> {
        self.answer.get().copied()
    }
}
