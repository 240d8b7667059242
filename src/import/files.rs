//! The text of an imported page's file: Markdown with YAML front matter, or a YAML page with
//! `body_html`. Front matter holds only what differs from the defaults, and the node's UUID.

use serde::Serialize;

use crate::page::{default_alias, RemotePage};

/// The keys of an imported page, in the order they are written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrontMatter {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// `false` where the site's headings have no `id` and the renderer would add them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heading_ids: Option<bool>,
    pub uuid: String,
}

impl FrontMatter {
    /// The front matter of `node` written with key `key`, under the content's `default_format`.
    pub fn of(node: &RemotePage, key: &str, default_format: &str) -> FrontMatter {
        let alias = node.alias.clone().unwrap_or_default();
        FrontMatter {
            title: node.title.clone(),
            path: (alias != default_alias(key)).then_some(alias),
            status: (!node.published).then_some("draft"),
            summary: node.summary.clone().filter(|s| !s.is_empty()),
            format: node.format.clone().filter(|f| f != default_format),
            heading_ids: None,
            uuid: node.uuid.to_string(),
        }
    }
}

/// A Markdown page file.
pub fn markdown(front: &FrontMatter, body: &str) -> String {
    format!("---\n{}---\n{body}", yaml(front))
}

/// A YAML page file keeping the body as HTML.
pub fn html(front: &FrontMatter, body: &str) -> String {
    #[derive(Serialize)]
    struct Page<'a> {
        #[serde(flatten)]
        front: &'a FrontMatter,
        body_html: &'a str,
    }
    yaml(&Page {
        front,
        body_html: body,
    })
}

fn yaml<T: Serialize>(value: &T) -> String {
    // Serializing plain strings and options cannot fail.
    yaml_serde::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node() -> RemotePage {
        RemotePage {
            uuid: "1c50805e-7836-4667-acf3-34b82481c4eb".parse().unwrap(),
            title: "About: us".into(),
            alias: Some("/about".into()),
            published: true,
            body: Some("<p>x</p>\n".into()),
            format: Some("basic_html".into()),
            summary: Some(String::new()),
            ..RemotePage::default()
        }
    }

    #[test]
    fn defaults_are_left_out() {
        let front = FrontMatter::of(&node(), "about", "basic_html");
        assert_eq!(
            markdown(&front, "x\n"),
            "---\ntitle: 'About: us'\nuuid: 1c50805e-7836-4667-acf3-34b82481c4eb\n---\nx\n"
        );
    }

    #[test]
    fn differences_are_written() {
        let mut node = node();
        node.published = false;
        node.summary = Some("Short".into());
        node.format = Some("full_html".into());
        let front = FrontMatter::of(&node, "docs/about", "basic_html");
        let text = html(&front, "<p>a</p>\n<p>b</p>\n");
        assert_eq!(
            text,
            "title: 'About: us'\npath: /about\nstatus: draft\nsummary: Short\nformat: full_html\nuuid: 1c50805e-7836-4667-acf3-34b82481c4eb\nbody_html: |\n  <p>a</p>\n  <p>b</p>\n"
        );
    }
}
