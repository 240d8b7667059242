//! What a browser sees: published pages by alias or `/node/N`, a front page listing them,
//! and the HTML error pages Drupal answers outside the APIs. Authentication never applies
//! here (miniOrange only guards `?_format=` and `/jsonapi/`), so every visitor is anonymous.

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;

use super::routes::{Req, Shared};
use super::state::{system_path, Site};

/// Drupal's `Html::escape` (PHP's `htmlspecialchars` with `ENT_QUOTES`), for HTML element
/// content and attribute values: the common escape, with PHP's spelling of `'`, `&#039;`.
pub(super) fn escape(text: &str) -> String {
    crate::content::html::escape(text).replace("&#39;", "&#039;")
}

/// A small HTML page with `title`, like Drupal's "Access denied" or "Page not found".
pub(super) fn error_page(status: StatusCode, title: &str) -> Response {
    document(status, title, &format!("<p>{}</p>", escape(title)))
}

/// Serves a page view for a browser.
pub(super) fn serve(shared: &Shared, req: &Req) -> Response {
    if req.method != Method::GET && req.method != Method::HEAD {
        return error_page(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed");
    }
    let site = super::lock(&shared.site);
    let path = req.decoded_path();
    if path == "/" {
        return front(&site);
    }
    let nid = match path.strip_prefix("/node/") {
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => n.parse().ok(),
        _ => site.nid_by_alias(&path),
    };
    match nid.and_then(|nid| site.node(nid)) {
        Some(node) if node.status => {
            let body = node
                .body
                .as_ref()
                .map(|b| site.processed(b))
                .unwrap_or_default();
            document(StatusCode::OK, &node.title, &body)
        }
        Some(_) => error_page(StatusCode::FORBIDDEN, "Access denied"),
        None => error_page(StatusCode::NOT_FOUND, "Page not found"),
    }
}

fn front(site: &Site) -> Response {
    let items: String = site
        .nodes()
        .filter(|n| n.status)
        .map(|n| {
            let href = site
                .alias_of(n.nid)
                .map_or_else(|| system_path(n.nid), |a| a.alias.clone());
            format!(
                "<li><a href=\"{}\">{}</a></li>\n",
                escape(&href),
                escape(&n.title)
            )
        })
        .collect();
    document(StatusCode::OK, "Home", &format!("<ul>\n{items}</ul>"))
}

fn document(status: StatusCode, title: &str, content: &str) -> Response {
    let title = escape(title);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\" />\n\
         <title>{title} | Drupal sandbox</title>\n</head>\n<body>\n<h1>{title}</h1>\n{content}\n\
         </body>\n</html>\n"
    );
    let mut response = Response::new(html.into());
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=UTF-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#039;Jerry&#039;&lt;/a&gt;"
        );
    }
}
