//! The start tags of an HTML text and their attributes, with byte ranges, for finding and
//! rewriting `<img src>` and `<a href>`: enough HTML for rendered Markdown, raw HTML blocks and
//! `body_html` (quoted, single-quoted and unquoted values, comments, `<script>`/`<style>`
//! content skipped). Not a validating parser: it never fails, it only finds less in broken HTML.

use std::ops::Range;

/// One attribute of a start tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Lowercased name.
    pub name: String,
    /// The value with character references decoded; `None` for a bare attribute.
    pub value: Option<String>,
    /// The whole attribute, name to end of value.
    pub span: Range<usize>,
}

/// A start tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// Lowercased element name.
    pub name: String,
    /// The whole tag, `<` to `>`.
    pub span: Range<usize>,
    pub attributes: Vec<Attribute>,
}

impl Tag {
    /// The decoded value of attribute `name` (lowercase).
    pub fn attribute(&self, name: &str) -> Option<String> {
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .and_then(|a| a.value.clone())
    }
}

/// Every start tag of `html`, in order.
pub fn tags(html: &str) -> Vec<Tag> {
    scan(html, None)
}

/// The start tags of `html` named one of `names` (lowercase), in order; other tags are
/// skipped without reading their attributes, which keeps scanning large bodies cheap.
pub fn tags_named(html: &str, names: &[&str]) -> Vec<Tag> {
    scan(html, Some(names))
}

fn scan(html: &str, names: Option<&[&str]>) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(at) = html[i..].find('<') {
        let start = i + at;
        let rest = &html[start..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            i = comment
                .find("-->")
                .map_or(html.len(), |e| start + 4 + e + 3);
            continue;
        }
        if rest.starts_with("</") || rest.starts_with("<!") || rest.starts_with("<?") {
            i = rest.find('>').map_or(html.len(), |e| start + e + 1);
            continue;
        }
        if !bytes.get(start + 1).is_some_and(u8::is_ascii_alphabetic) {
            i = start + 1;
            continue;
        }
        if let Some(names) = names {
            let name_end = html[start + 1..]
                .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                .map_or(html.len(), |e| start + 1 + e);
            let name = &html[start + 1..name_end];
            let raw_text = ["script", "style"]
                .iter()
                .any(|r| name.eq_ignore_ascii_case(r));
            if !raw_text && !names.iter().any(|n| name.eq_ignore_ascii_case(n)) {
                i = skip_tag(bytes, name_end);
                continue;
            }
        }
        let (tag, end) = start_tag(html, start);
        i = end;
        let raw_text = matches!(tag.name.as_str(), "script" | "style");
        let name = tag.name.clone();
        found.push(tag);
        if raw_text {
            let close = format!("</{name}");
            i = html[i..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(html.len(), |e| i + e);
        }
    }
    found
}

/// The offset after the `>` that ends the tag whose attributes start at `from`.
fn skip_tag(bytes: &[u8], from: usize) -> usize {
    let mut quote = None;
    for (k, &b) in bytes[from..].iter().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return from + k + 1,
            None => {}
        }
    }
    bytes.len()
}

/// Parse the start tag at `start` (`<` then a letter); returns it and the offset after it.
fn start_tag(html: &str, start: usize) -> (Tag, usize) {
    let bytes = html.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-') {
        i += 1;
    }
    let name = html[start + 1..i].to_ascii_lowercase();
    let mut attributes = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        if bytes[i] == b'>' {
            i += 1;
            break;
        }
        let name_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
        {
            i += 1;
        }
        if i == name_start {
            // A stray `=`: skip it.
            i += 1;
            continue;
        }
        let attr_name = html[name_start..i].to_ascii_lowercase();
        let mut j = i;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        let mut value = None;
        if bytes.get(j) == Some(&b'=') {
            j += 1;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            match bytes.get(j) {
                Some(&quote @ (b'"' | b'\'')) => {
                    let end = html[j + 1..]
                        .find(char::from(quote))
                        .map_or(html.len(), |e| j + 1 + e);
                    value = Some(decode(&html[j + 1..end]));
                    i = (end + 1).min(html.len());
                }
                _ => {
                    let end = html[j..]
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .map_or(html.len(), |e| j + e);
                    value = Some(decode(&html[j..end]));
                    i = end;
                }
            }
        }
        attributes.push(Attribute {
            name: attr_name,
            value,
            span: name_start..i,
        });
    }
    (
        Tag {
            name,
            span: start..i,
            attributes,
        },
        i,
    )
}

/// Escape text for HTML element content and double- or single-quoted attribute values:
/// `&`, `<`, `>`, `"` and `'` (as `&#39;`), by pulldown-cmark's escaper.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

/// Decode character references (numeric and the named ones renderers write); one decoder
/// for the whole crate.
pub use crate::formats::html::decode;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tags_and_attributes() {
        let html = "<p><img src=\"a.png\" alt='x > y' /><!-- <img src=\"no.png\"> -->\n<A HREF=b.pdf data-x>t</A><script>var s = '<img src=\"no\">';</script><img\nsrc = \"c&amp;d.png\"></p>";
        let found: Vec<(String, Option<String>, Option<String>)> = tags(html)
            .into_iter()
            .map(|t| {
                (
                    t.name.clone(),
                    t.attribute("src").or_else(|| t.attribute("href")),
                    t.attribute("alt"),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("p".into(), None, None),
                ("img".into(), Some("a.png".into()), Some("x > y".into())),
                ("a".into(), Some("b.pdf".into()), None),
                ("script".into(), None, None),
                ("img".into(), Some("c&d.png".into()), None),
            ]
        );
        let img = &tags(html)[1];
        assert_eq!(&html[img.span.clone()], "<img src=\"a.png\" alt='x > y' />");
        assert_eq!(&html[img.attributes[0].span.clone()], "src=\"a.png\"");
    }

    #[test]
    fn named_tags_skip_the_others() {
        let html = "<p title='a > b'><IMG SRC=x.png><table><tr><td><a href=\"y.pdf\">y</a><script><a href=no></script>";
        let found: Vec<String> = tags_named(html, &["img", "a"])
            .into_iter()
            .map(|t| {
                format!(
                    "{} {:?}",
                    t.name,
                    t.attribute("src").or(t.attribute("href"))
                )
            })
            .collect();
        assert_eq!(
            found,
            ["img Some(\"x.png\")", "a Some(\"y.pdf\")", "script None"]
        );
    }

    #[test]
    fn broken_html_finds_what_it_can() {
        for html in [
            "<",
            "<img",
            "<img src=\"x",
            "a < b",
            "<img =x src>",
            "<!--",
            "</",
        ] {
            let _ = tags(html);
        }
        assert_eq!(
            tags("<img src=\"x")[0].attribute("src").as_deref(),
            Some("x")
        );
    }

    #[test]
    fn decodes_references() {
        assert_eq!(decode("a&amp;b&#39;c&#x41;&unknown;&"), "a&b'cA&unknown;&");
    }
}
