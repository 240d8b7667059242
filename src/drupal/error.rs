//! Errors from talking to Drupal, with Drupal's own error bodies parsed into words a person
//! can act on: JSON:API `errors[]`, core REST `{"message"}`, the miniOrange envelope (JSON
//! in a `text/html` answer, whatever the status line says), HTML and plain-text pages.

use serde_json::Value;

/// A failed exchange with the site.
#[derive(Debug, thiserror::Error)]
pub enum DrupalError {
    /// The site refused the credentials or the token request.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The site answered with an error status.
    #[error("{method} {path}: HTTP {status}: {detail}")]
    Status {
        method: String,
        path: String,
        status: u16,
        detail: String,
        /// The request may not have been processed, or may have been: worth verifying and retrying.
        transient: bool,
    },
    /// No (complete) answer: connection refused or dropped, timeout.
    #[error("{method} {path}: {message}")]
    Transport {
        method: String,
        path: String,
        message: String,
        /// Whether the request may have reached the server (false for a refused connection).
        maybe_sent: bool,
    },
    /// The answer was not what the API documents.
    #[error("{method} {path}: unexpected answer: {message}")]
    Protocol {
        method: String,
        path: String,
        message: String,
    },
    /// Something a write cannot recover from by itself (the message says why).
    #[error("{0}")]
    Conflict(String),
    /// The client could not be set up (e.g. an unreadable `[site].ca_file`).
    #[error("{0}")]
    Setup(String),
}

impl DrupalError {
    /// Whether trying again (after checking what happened) may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            DrupalError::Status { transient, .. } => *transient,
            DrupalError::Transport { .. } => true,
            _ => false,
        }
    }

    /// The HTTP status, when the site answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            DrupalError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Whether a status is worth retrying.
pub fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// A miniOrange error envelope: `{"status":"error","error":"CODE","error_description":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub code: String,
    pub description: String,
}

/// Recognise the miniOrange envelope in any answer body.
pub fn envelope(body: &[u8]) -> Option<Envelope> {
    let value: Value = serde_json::from_slice(body).ok()?;
    if value.get("status")?.as_str()? != "error" {
        return None;
    }
    let code = value.get("error")?.as_str()?.to_owned();
    let description = ["error_description", "message"]
        .iter()
        .find_map(|k| value.get(*k).and_then(Value::as_str))
        .unwrap_or_default()
        .to_owned();
    Some(Envelope { code, description })
}

/// Words for an error answer: Drupal's own message, whatever flavour it came in.
pub fn describe(status: u16, content_type: &str, body: &[u8]) -> String {
    if let Some(env) = envelope(body) {
        return format!("{} ({})", env.code, env.description);
    }
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        if let Some(errors) = value.get("errors").and_then(Value::as_array) {
            let parts: Vec<String> = errors
                .iter()
                .map(|e| {
                    let detail = e
                        .get("detail")
                        .or_else(|| e.get("title"))
                        .and_then(Value::as_str)
                        .unwrap_or("(no detail)");
                    match e.pointer("/source/pointer").and_then(Value::as_str) {
                        Some(pointer) => format!("{detail} (at {pointer})"),
                        None => detail.to_owned(),
                    }
                })
                .collect();
            if !parts.is_empty() {
                return parts.join("; ");
            }
        }
        if let Some(error) = value.get("error").and_then(Value::as_str) {
            let description = value
                .get("error_description")
                .or_else(|| value.get("message"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            return format!("{error} ({description})");
        }
        if let Some(message) = value.get("message").and_then(Value::as_str) {
            let message = message.trim().replace('\n', "; ");
            if message.is_empty() && status == 403 {
                return "access denied (the request ran as anonymous: the token was rejected or \
                        expired, or the account lacks permission)"
                    .to_owned();
            }
            if !message.is_empty() {
                return message;
            }
        }
    }
    let text = String::from_utf8_lossy(body);
    if content_type.contains("html") {
        if let Some(title) = html_title(&text) {
            return format!("HTML page \"{title}\"");
        }
        return format!("HTML page of {} bytes", body.len());
    }
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if line.is_empty() {
        return "(empty body)".to_owned();
    }
    line.chars().take(200).collect()
}

fn html_title(text: &str) -> Option<&str> {
    let start = text.find("<title>")? + "<title>".len();
    let end = text[start..].find("</title>")?;
    Some(text[start..start + end].trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_every_flavour_of_drupal_error() {
        let cases: &[(u16, &str, &str, &str)] = &[
            (401, "text/html; charset=UTF-8", "{\n    \"status\": \"error\",\n    \"http_code\": \"401\",\n    \"error\": \"INVALID_CREDENTIALS\",\n    \"error_description\": \"Invalid username or password\"\n}", "INVALID_CREDENTIALS (Invalid username or password)"),
            (422, "application/vnd.api+json", r#"{"errors":[{"title":"Unprocessable Content","status":"422","detail":"title: This value should not be null.","source":{"pointer":"/data/attributes/title"}}]}"#, "title: This value should not be null. (at /data/attributes/title)"),
            (422, "application/json", r#"{"message":"Unprocessable Entity: validation failed.\ntitle: This value should not be null.\n"}"#, "Unprocessable Entity: validation failed.; title: This value should not be null."),
            (403, "application/json", r#"{"message":""}"#, "access denied (the request ran as anonymous"),
            (500, "text/plain; charset=UTF-8", "The website encountered an unexpected error. Try again later.", "The website encountered an unexpected error. Try again later."),
            (403, "text/html", "<html><head><title>Access denied | Site</title></head></html>", "HTML page \"Access denied | Site\""),
            (400, "application/json", r#"{"error":"invalid_grant","error_description":"The user credentials were incorrect."}"#, "invalid_grant (The user credentials were incorrect.)"),
        ];
        for (status, ct, body, want) in cases {
            let got = describe(*status, ct, body.as_bytes());
            assert!(got.starts_with(want), "{got:?} should start with {want:?}");
        }
    }

    #[test]
    fn envelope_with_numeric_http_code_and_message() {
        let body = br#"{"status":"error","http_code":401,"error":"TOKEN_EXPIRED","message":"Token expired"}"#;
        assert_eq!(
            envelope(body),
            Some(Envelope {
                code: "TOKEN_EXPIRED".into(),
                description: "Token expired".into()
            })
        );
        assert_eq!(envelope(br#"{"status":"ok"}"#), None);
    }
}
