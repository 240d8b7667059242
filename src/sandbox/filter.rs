//! `body.processed`: a stored body after its text format's filters, as Drupal 10 computes it
//! for visitors (drupal-wire §9, transcripts 5e and 5f). Ported filters, in Drupal's order:
//! `filter_html_escape`, `filter_html` (`Xss::filter` with the allowed tags, then the allowed
//! attributes, then `Html::serialize`), `filter_autop`, `filter_url`, `filter_align`,
//! `filter_html_image_secure`, `filter_htmlcorrector`, `editor_file_reference` and
//! `filter_image_lazy_load`. What the site's files are comes from a [`SiteFiles`].
//!
//! Not modelled: `filter_caption` (a `data-caption` stays an attribute, no `<figure>`), and
//! the HTML5 parser's repairs of badly nested markup (see `formats::html`).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::auth::Actor;
use super::state::Site;
use super::Role;

use crate::formats::html::{self, Element, Node, Token};
use crate::formats::{AllowedHtml, TextFormat};

/// Where Drupal's "Image removed" icon is.
const REMOVED_ICON: &str = "/core/misc/icons/e32700/error.svg";

/// URL schemes `filter_html` keeps in attribute values (Drupal's `filter_allowed_protocols`).
const ALLOWED_PROTOCOLS: &[&str] = &[
    "http", "https", "ftp", "news", "nntp", "tel", "telnet", "mailto", "irc", "ssh", "sftp",
    "webcal", "rtsp",
];

/// What the filters need to know of the site's files.
pub(super) trait SiteFiles {
    /// Whether the site serves an image at root-relative `path` (`getimagesize` in Drupal).
    fn image_exists(&self, path: &str) -> bool;
    /// The file entity with this UUID: its URL and, for an image, its size in pixels.
    fn file(&self, uuid: &str) -> Option<FileRef>;
}

/// A file entity as `editor_file_reference` sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FileRef {
    /// Root-relative URL (`/sites/default/files/2026-11/a.png`).
    pub url: String,
    /// Width and height, for an image.
    pub size: Option<(u32, u32)>,
}

/// `value` after `format`'s filters on the site at `base_url` (`http://127.0.0.1:8888`, or
/// empty) whose files `files` knows.
pub(super) fn process(
    value: &str,
    format: &TextFormat,
    base_url: &str,
    files: &dyn SiteFiles,
) -> String {
    let f = &format.filters;
    let mut text = value.replace("\r\n", "\n").replace('\r', "\n");
    if f.escape {
        text = super::html::escape(&text);
    }
    if let Some(allowed) = &f.html {
        text = html::serialize(&filter_html(&text, allowed));
    }
    if f.autop {
        text = autop(&text);
    }
    if let Some(length) = f.url {
        text = url_filter(&text, length);
    }
    let align = f.align && text.contains("data-align");
    let lazy = f.lazy_load && text.to_ascii_lowercase().contains("<img");
    let references = f.file_reference && text.contains("data-entity-type");
    if align || f.image_secure || f.corrector || lazy || references {
        let mut nodes = html::parse(&text);
        html::walk_mut(&mut nodes, &mut |e: &mut Element| {
            if align {
                filter_align(e);
            }
            if f.image_secure && e.name == "img" {
                image_secure(e, base_url, files);
            }
            if references {
                file_reference(e, files);
            }
            if lazy && e.name == "img" {
                lazy_load(e);
            }
        });
        text = html::serialize(&nodes);
    }
    text
}

/// `filter_html`: elements outside `allowed` are removed (their text stays), comments too,
/// attributes outside it are removed, `style`, `on*` and dangerous URL schemes always.
fn filter_html(text: &str, allowed: &AllowedHtml) -> Vec<Node> {
    let tokens = html::tokenize(text)
        .into_iter()
        .filter_map(|(token, _)| match token {
            Token::Start(mut tag) => {
                if !allowed.allows(&tag.name) {
                    return None;
                }
                let name = tag.name.clone();
                for attr in &mut tag.attrs {
                    if !skips_protocol_filtering(&attr.name) {
                        attr.value = strip_dangerous_protocols(&attr.value);
                    }
                }
                tag.attrs
                    .retain(|a| allowed.allows_attr(&name, &a.name, &a.value));
                Some(Token::Start(tag))
            }
            Token::End(name) => allowed.allows(&name).then_some(Token::End(name)),
            Token::Comment(_) | Token::Other(_) => None,
            text @ Token::Text(_) => Some(text),
        });
    html::build(tokens)
}

/// `Xss::attributes` leaves these values alone.
fn skips_protocol_filtering(name: &str) -> bool {
    name.starts_with("data-")
        || matches!(
            name,
            "title" | "alt" | "rel" | "property" | "class" | "datetime"
        )
}

/// `UrlHelper::stripDangerousProtocols`: remove schemes not allowed, repeatedly.
fn strip_dangerous_protocols(uri: &str) -> String {
    let mut uri = uri.to_owned();
    loop {
        let Some(colon) = uri.find(':').filter(|&c| c > 0) else {
            return uri;
        };
        let protocol = &uri[..colon];
        if protocol.contains(['/', '?', '#'])
            || ALLOWED_PROTOCOLS.contains(&protocol.to_ascii_lowercase().as_str())
        {
            return uri;
        }
        uri = uri[colon + 1..].to_owned();
    }
}

/// `filter_align`: `data-align="left|center|right"` becomes the class `align-…`.
fn filter_align(e: &mut Element) {
    let Some(align) = e.attr("data-align").map(str::to_owned) else {
        return;
    };
    e.remove_attr("data-align");
    if matches!(align.as_str(), "left" | "center" | "right") {
        let class = match e.attr("class") {
            Some(c) if !c.is_empty() => format!("{c} align-{align}"),
            _ => format!("align-{align}"),
        };
        e.set_attr("class", &class);
    }
}

/// `filter_html_image_secure`: an image not served by the site becomes the error icon.
fn image_secure(e: &mut Element, base_url: &str, files: &dyn SiteFiles) {
    // `transformRelative`: the site's own absolute URLs become root-relative.
    let own = e
        .attr("src")
        .and_then(|src| src.strip_prefix(base_url).filter(|_| !base_url.is_empty()))
        .filter(|path| path.starts_with('/'))
        .map(str::to_owned);
    if let Some(path) = own {
        e.set_attr("src", &path);
    }
    let src = e.attr("src").unwrap_or_default();
    if src.starts_with('/') && !src.starts_with("//") && files.image_exists(src) {
        return;
    }
    e.set_attr("src", REMOVED_ICON);
    e.set_attr("alt", "Image removed.");
    e.set_attr(
        "title",
        "This image has been removed. For security reasons, only images from the local domain are allowed.",
    );
    e.set_attr("height", "16");
    e.set_attr("width", "16");
    let class = match e.attr("class").map(str::trim) {
        Some(c) if !c.is_empty() => format!("{c} filter-image-invalid"),
        _ => "filter-image-invalid".to_owned(),
    };
    e.set_attr("class", &class);
}

/// `editor_file_reference`: an element naming a file by `data-entity-type="file"` and
/// `data-entity-uuid` gets the file's URL, and an image without a size gets the file's.
fn file_reference(e: &mut Element, files: &dyn SiteFiles) {
    if e.attr("data-entity-type") != Some("file") || !e.attrs.iter().any(|a| a.name == "src") {
        return;
    }
    let Some(file) = e.attr("data-entity-uuid").and_then(|uuid| files.file(uuid)) else {
        return;
    };
    e.set_attr("src", &file.url);
    if let (true, Some((width, height))) = (e.name == "img", file.size) {
        if e.attr("width").is_none() && e.attr("height").is_none() {
            e.set_attr("width", &width.to_string());
            e.set_attr("height", &height.to_string());
        }
    }
}

/// `filter_image_lazy_load`: an image with both sizes and no `loading="eager"` loads lazily.
fn lazy_load(e: &mut Element) {
    if e.attr("loading") != Some("eager") && e.attr("width").is_some() && e.attr("height").is_some()
    {
        e.set_attr("loading", "lazy");
    }
}

/// `GET /jsonapi/filter_format/filter_format`: every format with its filters for an account
/// that may administer filters (drupal-wire 5c), none but `meta.omitted` for others (5d).
pub(super) fn collection(site: &Site, base: &str, actor: Actor) -> Value {
    let admin = matches!(actor, Actor::User(author) if author.role == Role::Admin);
    let formats = site.text_formats();
    let self_link =
        json!({ "self": { "href": format!("{base}/jsonapi/filter_format/filter_format") } });
    let jsonapi = json!({ "version": "1.0", "meta": { "links": { "self": { "href": "http://jsonapi.org/format/1.0/" } } } });
    if admin {
        let weights = |name: &str| match name {
            "basic_html" => 0,
            "restricted_html" => 1,
            "full_html" => 2,
            "plain_text" => 10,
            _ => 5,
        };
        let data: Vec<Value> = formats
            .iter()
            .map(|f| f.to_jsonapi(base, &format_uuid(&f.name), weights(&f.name)))
            .collect();
        return json!({ "jsonapi": jsonapi, "data": data, "links": self_link });
    }
    let mut links = serde_json::Map::new();
    links.insert(
        "help".into(),
        json!({ "href": "https://www.drupal.org/docs/8/modules/json-api/filtering#filters-access-control" }),
    );
    for f in &formats {
        let uuid = format_uuid(&f.name);
        links.insert(
            format!("item--{}", link_hash(&uuid)),
            json!({
                "href": format!("{base}/jsonapi/filter_format/filter_format/{uuid}"),
                "meta": { "rel": "item", "detail": "The current user is not allowed to GET the selected resource. The 'administer filters' permission is required." }
            }),
        );
    }
    json!({
        "jsonapi": jsonapi,
        "data": [],
        "meta": { "omitted": { "detail": "Some resources have been omitted because of insufficient authorization.", "links": links } },
        "links": self_link,
    })
}

/// JSON:API names omitted items by 7 characters of a salted hash of their link.
fn link_hash(uuid: &str) -> String {
    use base64::Engine;
    let digest = Sha256::digest(uuid.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(digest)
        .replace(['-', '_'], "")[..7]
        .to_owned()
}

/// A format's config entity UUID: stable per name.
fn format_uuid(name: &str) -> String {
    let digest = Sha256::digest(format!("drupal-sync sandbox text format {name}"));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// The three link patterns of `_filter_url`, in its order: full URLs, e-mail addresses,
/// `www.` domains; each with the prefix its links get.
static URL_PATTERNS: LazyLock<[(&str, Regex); 3]> = LazyLock::new(|| {
    let protocols: Vec<String> = ALLOWED_PROTOCOLS
        .iter()
        .map(|p| format!("{p}:(?://)?"))
        .collect();
    let protocols = protocols.join("|");
    let path_chars = r"[\p{L}\p{M}\p{N}!*';:=+,.$/%#\[\]\-_~@&]";
    let parens = format!(r"\({path_chars}+\)");
    let ending = format!(r"[\p{{L}}\p{{M}}\p{{N}}:_+~#=/]|(?:{parens})");
    let query_chars = r"[a-zA-Z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]";
    let query_ending = r"[a-zA-Z0-9_&=#/]";
    let path =
        format!(r"(?:(?:{path_chars}*(?:{parens}{path_chars}*)*{ending})|(?:@{path_chars}+/))");
    let domain = r"(?:[\p{L}\p{M}\p{N}._+-]+\.)?[\p{L}\p{M}]{2,64}\b";
    let ip = r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}";
    let auth = r"[\p{L}\p{M}\p{N}:%_+*~#?&=.,/;-]+@";
    let trail = format!(r"({path}*)?(\?{query_chars}*{query_ending})?");
    [
        (
            "",
            big(&format!(
                r"((?:{protocols})(?:(?:{auth})?(?:{domain}|{ip})/?(?:{trail})?))"
            )),
        ),
        (
            "mailto:",
            // `{1,254}` in Drupal: unbounded here, which only differs past 254 characters.
            big(&format!(r"([\p{{L}}\p{{M}}\p{{N}}._+-]+@(?:{domain}))")),
        ),
        (
            "http://",
            big(&format!(r"(www\.(?:{domain})/?(?:{trail})?)")),
        ),
    ]
});

/// A pattern with Unicode classes under bounded repetition: more room than the default.
fn big(pattern: &str) -> Regex {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 26)
        .build()
        .expect("static pattern")
}

static TAG_OR_COMMENT: LazyLock<Regex> = LazyLock::new(|| re(r"(?s)<!--.*?-->|<.+?>"));
static IGNORED_OPEN: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^<(a|script|style|code|pre)(?:\s|>)"));

/// `_filter_url`: URLs, e-mail addresses and `www.` domains in text become links (their
/// text cut to `length` characters), except inside `<a>`, `<script>`, `<style>`, `<code>`
/// and `<pre>`.
fn url_filter(text: &str, length: usize) -> String {
    let mut text = text.to_owned();
    for (prefix, pattern) in URL_PATTERNS.iter() {
        let link = |chunk: &str, out: &mut String| {
            let linked = pattern.replace_all(chunk, |caps: &regex::Captures<'_>| {
                let url = html::decode(&caps[1]);
                let caption = php_escape(&truncate(&url, length));
                format!("<a href=\"{prefix}{}\">{caption}</a>", php_escape(&url))
            });
            out.push_str(&linked);
        };
        let mut out = String::with_capacity(text.len());
        let mut open_tag: Option<String> = None;
        let mut last = 0;
        for tag in TAG_OR_COMMENT.find_iter(&text) {
            let chunk = &text[last..tag.start()];
            if open_tag.is_none() {
                link(chunk, &mut out);
            } else {
                out.push_str(chunk);
            }
            let tag_text = tag.as_str();
            match &open_tag {
                None => {
                    if let Some(caps) = IGNORED_OPEN.captures(tag_text) {
                        open_tag = Some(caps[1].to_ascii_lowercase());
                    }
                }
                Some(open) => {
                    if tag_text
                        .to_ascii_lowercase()
                        .starts_with(&format!("</{open}>"))
                    {
                        open_tag = None;
                    }
                }
            }
            out.push_str(tag_text);
            last = tag.end();
        }
        if open_tag.is_none() {
            link(&text[last..], &mut out);
        } else {
            out.push_str(&text[last..]);
        }
        text = out;
    }
    text
}

/// `Unicode::truncate($text, $length, FALSE, TRUE)`: cut with an ellipsis.
fn truncate(text: &str, length: usize) -> String {
    if text.chars().count() <= length {
        return text.to_owned();
    }
    let cut: String = text.chars().take(length.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end_matches('.'))
}

/// `Html::escape`: PHP's `htmlspecialchars` with `ENT_QUOTES`.
fn php_escape(text: &str) -> String {
    super::html::escape(text)
}

/// The block elements of `_filter_autop`.
const BLOCK: &str = "(?:table|thead|tfoot|caption|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|select|option|form|map|area|blockquote|address|math|input|p|h[1-6]|fieldset|legend|hr|article|aside|details|figcaption|figure|footer|header|hgroup|menu|nav|section|summary)";

/// PCRE's `\s` without the `u` flag.
const WS: &str = r"[ \t\n\x0B\x0C\r]";

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static pattern")
}

static SPLIT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(<!--.*?-->|</?(?:pre|script|style|object|iframe|drupal-media|svg|!--)[^>]*>)")
});

/// `_filter_autop`: line breaks become `<br />`, blank lines paragraphs, except inside
/// `<pre>`, `<script>`, `<style>`, `<object>`, `<iframe>`, `<svg>` and comments.
pub(super) fn autop(text: &str) -> String {
    let mut output = String::with_capacity(text.len() * 5 / 4);
    let mut ignore = false;
    let mut ignore_tag = String::new();
    let mut last = 0;
    let mut pieces: Vec<(bool, &str)> = Vec::new();
    for m in SPLIT.find_iter(text) {
        pieces.push((false, &text[last..m.start()]));
        pieces.push((true, m.as_str()));
        last = m.end();
    }
    pieces.push((false, &text[last..]));
    for (delimiter, chunk) in pieces {
        if delimiter {
            if !chunk.starts_with("<!--") {
                let open = chunk.as_bytes().get(1) != Some(&b'/');
                let rest = &chunk[if open { 1 } else { 2 }..];
                let tag = rest.split([' ', '>']).next().unwrap_or_default();
                if !ignore {
                    if open {
                        ignore = true;
                        tag.clone_into(&mut ignore_tag);
                    }
                } else if !open && ignore_tag == tag {
                    ignore = false;
                    ignore_tag.clear();
                }
            }
            output.push_str(chunk);
        } else if ignore {
            output.push_str(chunk);
        } else if !chunk.is_empty() {
            output.push_str(&autop_chunk(chunk));
        }
    }
    output
}

struct AutopPatterns {
    double_br: Regex,
    block_open: Regex,
    block_close: Regex,
    blank_runs: Regex,
    ends: Regex,
    paragraphs: Regex,
    li: Regex,
    blockquote: Regex,
    empty_p: Regex,
    p_before_block: Regex,
    p_after_block: Regex,
    br_after_block: Regex,
    br_before_close: Regex,
}

static AUTOP: LazyLock<AutopPatterns> = LazyLock::new(|| AutopPatterns {
    double_br: re(&format!("<br />{WS}*<br />")),
    block_open: re(&format!("(<{BLOCK}[^>]*>)")),
    block_close: re(&format!("(</{BLOCK}>)")),
    blank_runs: re("\n\n+"),
    ends: re(&format!(r"^\n|\n{WS}*\n$")),
    paragraphs: re(&format!(r"\n{WS}*\n\n?(.)")),
    li: re("<p>(<li.+?)</p>"),
    blockquote: re("(?i)<p><blockquote([^>]*)>"),
    empty_p: re(&format!("<p>{WS}*</p>\n?")),
    p_before_block: re(&format!("<p>{WS}*(</?{BLOCK}[^>]*>)")),
    p_after_block: re(&format!("(</?{BLOCK}[^>]*>){WS}*</p>")),
    br_after_block: re(&format!("(</?{BLOCK}[^>]*>){WS}*<br />")),
    br_before_close: re(&format!("<br />({WS}*</?(?:p|li|div|th|pre|td|ul|ol)>)")),
});

fn autop_chunk(chunk: &str) -> String {
    let p = &*AUTOP;
    let mut c = format!("{}\n\n", chunk.trim_end_matches('\n'));
    c = p.double_br.replace_all(&c, "\n\n").into_owned();
    c = p.block_open.replace_all(&c, "\n$1").into_owned();
    c = p.block_close.replace_all(&c, "$1\n\n").into_owned();
    c = p.blank_runs.replace_all(&c, "\n\n").into_owned();
    c = p.ends.replace_all(&c, "").into_owned();
    c = format!("<p>{}</p>\n", p.paragraphs.replace_all(&c, "</p>\n<p>$1"));
    c = p.li.replace_all(&c, "$1").into_owned();
    c = p
        .blockquote
        .replace_all(&c, "<blockquote$1><p>")
        .into_owned();
    c = c.replace("</blockquote></p>", "</p></blockquote>");
    c = p.empty_p.replace_all(&c, "").into_owned();
    c = p.p_before_block.replace_all(&c, "$1").into_owned();
    c = p.p_after_block.replace_all(&c, "$1").into_owned();
    c = line_breaks(&c);
    c = p.br_after_block.replace_all(&c, "$1").into_owned();
    c = p.br_before_close.replace_all(&c, "$1").into_owned();
    defuse_ampersands(&c)
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// `preg_replace('|(?<!<br />)\s*\n|', "<br />\n", …)`.
fn line_breaks(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 64);
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        if text.is_char_boundary(i) && !text[..i].ends_with("<br />") {
            let mut j = i;
            while j < b.len() && is_ws(b[j]) {
                j += 1;
            }
            if let Some(nl) = text[i..j].rfind('\n') {
                out.push_str(&text[copied..i]);
                out.push_str("<br />\n");
                i += nl + 1;
                copied = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// `preg_replace('/&([^#])(?![A-Za-z0-9]{1,8};)/', '&amp;$1', …)`.
fn defuse_ampersands(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let Some(c) = after.chars().next().filter(|&c| c != '#') else {
            out.push('&');
            rest = after;
            continue;
        };
        let tail = &after[c.len_utf8()..];
        let run = tail.bytes().take_while(u8::is_ascii_alphanumeric).count();
        let entity_like = (1..=8).contains(&run) && tail.as_bytes().get(run) == Some(&b';');
        if entity_like {
            out.push('&');
            rest = after;
        } else {
            out.push_str("&amp;");
            out.push(c);
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The body value of drupal-wire 5e and 5f.
    const RICH: &str = "<h2>Table</h2>\n<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n<pre><code class=\"language-rust\">fn main() {}\n</code></pre>\n<p><del>old</del> new</p>\n<hr />\n<ul>\n<li><input disabled=\"\" type=\"checkbox\" checked=\"\"/>\ndone</li>\n</ul>\n<p>note<sup class=\"footnote-reference\"><a href=\"#1\">1</a></sup></p>\n<h1>Top</h1>\n<img src=\"https://example.com/x.png\" alt=\"remote\">";

    /// A site with one image file, 4×4 pixels (drupal-wire 69–72).
    struct OneImage;

    impl SiteFiles for OneImage {
        fn image_exists(&self, path: &str) -> bool {
            path == "/sites/default/files/2026-11/diagram.png"
                || path.starts_with("/sites/default/files/a")
        }
        fn file(&self, uuid: &str) -> Option<FileRef> {
            (uuid == "ee31cb48-14dc-4e55-b699-56cce49d9705").then(|| FileRef {
                url: "/sites/default/files/2026-11/diagram.png".into(),
                size: Some((4, 4)),
            })
        }
    }

    fn run(value: &str, format: &str) -> String {
        process(
            value,
            &TextFormat::standard(format).unwrap(),
            "http://127.0.0.1:8888",
            &OneImage,
        )
    }

    #[test]
    fn basic_html_as_recorded_in_5e() {
        assert_eq!(
            run(RICH, "basic_html"),
            "<h2>Table</h2>\n\n\n\na\nb\n\n\n\n\n1\n2\n\n\n\n<code>fn main() {}\n</code>\n<p>old new</p>\n\n<ul>\n<li>\ndone</li>\n</ul>\n<p>note<a href=\"#1\">1</a></p>\nTop\n<img src=\"/core/misc/icons/e32700/error.svg\" alt=\"Image removed.\" title=\"This image has been removed. For security reasons, only images from the local domain are allowed.\" height=\"16\" width=\"16\" class=\"filter-image-invalid\" loading=\"lazy\">"
        );
    }

    #[test]
    fn full_html_as_recorded_in_5f() {
        assert_eq!(
            run(RICH, "full_html"),
            "<h2>Table</h2>\n<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n<pre><code class=\"language-rust\">fn main() {}\n</code></pre>\n<p><del>old</del> new</p>\n<hr>\n<ul>\n<li><input disabled type=\"checkbox\" checked>\ndone</li>\n</ul>\n<p>note<sup class=\"footnote-reference\"><a href=\"#1\">1</a></sup></p>\n<h1>Top</h1>\n<img src=\"https://example.com/x.png\" alt=\"remote\">"
        );
    }

    #[test]
    fn local_images_stay() {
        assert_eq!(
            run(
                "<p><img src=\"/sites/default/files/a.png\" alt=\"a\" width=\"2\" height=\"3\"></p>",
                "basic_html"
            ),
            "<p><img src=\"/sites/default/files/a.png\" alt=\"a\" width=\"2\" height=\"3\" loading=\"lazy\"></p>"
        );
    }

    #[test]
    fn file_images_get_their_size_as_72_shows() {
        assert_eq!(
            run("<p><img src=\"/sites/default/files/2026-11/diagram.png\" data-entity-type=\"file\" data-entity-uuid=\"ee31cb48-14dc-4e55-b699-56cce49d9705\" alt=\"Diagram\"></p>", "basic_html"),
            "<p><img src=\"/sites/default/files/2026-11/diagram.png\" data-entity-type=\"file\" data-entity-uuid=\"ee31cb48-14dc-4e55-b699-56cce49d9705\" alt=\"Diagram\" width=\"4\" height=\"4\" loading=\"lazy\"></p>"
        );
    }

    #[test]
    fn own_absolute_images_become_relative() {
        assert_eq!(
            run(
                "<img src=\"http://127.0.0.1:8888/sites/default/files/a.png\" alt=\"\">",
                "basic_html"
            ),
            "<img src=\"/sites/default/files/a.png\" alt=\"\">"
        );
        assert!(run("<img src=\"//cdn.test/a.png\" alt=\"\">", "basic_html")
            .contains("filter-image-invalid"));
    }

    #[test]
    fn attributes_and_schemes_are_filtered() {
        assert_eq!(
            run(
                "<p class=\"x\" onclick=\"y\" lang=\"de\"><a href=\"javascript:alert(1)\" title=\"t\">a</a><!-- c --><script>s</script></p>",
                "basic_html"
            ),
            "<p lang=\"de\"><a href=\"alert(1)\">a</a>s</p>"
        );
        assert_eq!(
            run("<p data-align=\"center\">x</p>", "full_html"),
            "<p class=\"align-center\">x</p>"
        );
    }

    #[test]
    fn plain_text_is_escaped_into_paragraphs() {
        assert_eq!(
            run("a < b\r\nc", "plain_text"),
            "<p>a &lt; b<br />\nc</p>\n"
        );
        assert_eq!(
            run("one\n\ntwo & 'three'", "plain_text"),
            "<p>one</p>\n<p>two &amp; &#039;three&#039;</p>\n"
        );
        assert_eq!(
            run("<p>x</p>", "plain_text"),
            "<p>&lt;p&gt;x&lt;/p&gt;</p>\n"
        );
    }

    #[test]
    fn restricted_html_adds_paragraphs_and_breaks() {
        assert_eq!(
            run("<p>one\ntwo</p>\n<ul><li>a</li></ul>", "restricted_html"),
            "<p>one<br />\ntwo</p>\n<ul>\n<li>a</li>\n</ul>\n"
        );
        assert_eq!(run("<pre>a\n\nb</pre>", "full_html"), "<pre>a\n\nb</pre>");
    }

    #[test]
    fn urls_become_links_outside_code() {
        assert_eq!(
            run("See https://example.com/a?b=1&c=2. Or www.drupal.org, or me@example.com!", "plain_text"),
            "<p>See <a href=\"https://example.com/a?b=1&amp;c=2\">https://example.com/a?b=1&amp;c=2</a>. Or <a href=\"http://www.drupal.org\">www.drupal.org</a>, or <a href=\"mailto:me@example.com\">me@example.com</a>!</p>\n"
        );
        assert_eq!(
            run("<p><code>https://example.com</code> <a href=\"https://x.org\">https://x.org</a></p>", "restricted_html"),
            "<p><code>https://example.com</code> <a href=\"https://x.org\">https://x.org</a></p>\n"
        );
        let long = format!("https://example.com/{}", "a".repeat(80));
        let linked = run(&long, "plain_text");
        assert!(
            linked.contains(&format!(">https://example.com/{}…</a>", "a".repeat(51))),
            "{linked}"
        );
    }

    proptest::proptest! {
        /// Filtering never panics, and filtering twice changes nothing more under full_html.
        #[test]
        fn any_body_filters(text in "(<[/!a-z]?[a-z0-9 =\"'/:.-]{0,10}>?|&[a-z#0-9]{0,6};?|[^<&]{0,8}|\n|https://x.org/a|é){0,24}") {
            for format in ["basic_html", "restricted_html", "full_html", "plain_text"] {
                let _ = run(&text, format);
            }
            let once = run(&text, "full_html");
            proptest::prop_assert_eq!(run(&once, "full_html"), once);
        }
    }

    #[test]
    fn autop_keeps_preformatted_text() {
        assert_eq!(
            autop("x\n<pre>a\n\nb</pre>\ny"),
            "<p>x</p>\n<pre>a\n\nb</pre><p>y</p>\n"
        );
    }
}
