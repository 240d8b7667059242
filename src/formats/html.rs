//! A small HTML reader for the markup drupal-sync renders and Drupal's text formats filter:
//! a tokenizer that keeps each token's byte span (so callers can rewrite tags in place), a
//! tree built from tokens the way a browser nests well-formed markup, and a serializer that
//! writes a tree as Drupal 10's `Html::serialize` (masterminds/html5) does: no end slash on
//! void elements, `name="value"` in double quotes, an empty attribute written bare.
//!
//! It is not a full HTML5 parser: markup a browser would repair (misnested inline elements,
//! tables with stray content) nests as written. Markdown renderers do not produce such markup.

use std::ops::Range;

/// Elements that never have content or an end tag.
pub const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements whose content is text up to their end tag.
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title"];

/// Block elements whose start closes an open `<p>`.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];

/// One attribute: lowercase name, value with character references decoded (`""` when bare).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    pub name: String,
    pub value: String,
}

/// A start tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartTag {
    /// Lowercase element name.
    pub name: String,
    pub attrs: Vec<Attr>,
    /// Written `<x/>`.
    pub self_closing: bool,
}

impl StartTag {
    /// The value of attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_str())
    }
}

/// A piece of markup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token<'a> {
    /// Text as written (character references not decoded).
    Text(&'a str),
    Start(StartTag),
    /// An end tag's lowercase name.
    End(String),
    /// `<!--…-->`, the text between the markers.
    Comment(&'a str),
    /// `<!DOCTYPE …>`, `<?…>`: dropped by every consumer here.
    Other(&'a str),
}

/// Split `html` into tokens, each with its byte range in `html`.
pub fn tokenize(html: &str) -> Vec<(Token<'_>, Range<usize>)> {
    let bytes = html.as_bytes();
    let mut tokens = Vec::new();
    let mut pos = 0;
    let mut text_start = 0;
    while pos < bytes.len() {
        if bytes[pos] != b'<' {
            pos += 1;
            continue;
        }
        let Some((token, end)) = markup_at(html, pos) else {
            pos += 1;
            continue;
        };
        if text_start < pos {
            tokens.push((Token::Text(&html[text_start..pos]), text_start..pos));
        }
        let raw = match &token {
            Token::Start(tag) if RAW_TEXT.contains(&tag.name.as_str()) && !tag.self_closing => {
                Some(tag.name.clone())
            }
            _ => None,
        };
        tokens.push((token, pos..end));
        pos = end;
        text_start = end;
        if let Some(name) = raw {
            let close = find_end_tag(html, pos, &name).unwrap_or(html.len());
            if close > pos {
                tokens.push((Token::Text(&html[pos..close]), pos..close));
            }
            pos = close;
            text_start = close;
        }
    }
    if text_start < html.len() {
        tokens.push((Token::Text(&html[text_start..]), text_start..html.len()));
    }
    tokens
}

fn find_end_tag(html: &str, from: usize, name: &str) -> Option<usize> {
    let lower = html[from..].to_ascii_lowercase();
    let needle = format!("</{name}");
    lower.find(&needle).map(|i| from + i)
}

/// The markup starting at `html[pos] == '<'` and where it ends; `None` when that `<` is text.
fn markup_at(html: &str, pos: usize) -> Option<(Token<'_>, usize)> {
    let rest = &html[pos..];
    let next = rest.as_bytes().get(1).copied()?;
    if let Some(body) = rest.strip_prefix("<!--") {
        let close = body.find("-->")?;
        return Some((Token::Comment(&body[..close]), pos + 4 + close + 3));
    }
    if next == b'!' || next == b'?' {
        let close = rest.find('>')?;
        return Some((Token::Other(&rest[..=close]), pos + close + 1));
    }
    if next == b'/' {
        let name_len = name_len(&rest[2..]);
        if name_len == 0 || !rest.as_bytes()[2].is_ascii_alphabetic() {
            return None;
        }
        let close = rest.find('>')?;
        let name = rest[2..2 + name_len].to_ascii_lowercase();
        return Some((Token::End(name), pos + close + 1));
    }
    if !next.is_ascii_alphabetic() {
        return None;
    }
    let name_len = name_len(&rest[1..]);
    let name = rest[1..=name_len].to_ascii_lowercase();
    let (attrs, self_closing, len) = attributes(&rest[1 + name_len..])?;
    Some((
        Token::Start(StartTag {
            name,
            attrs,
            self_closing,
        }),
        pos + 1 + name_len + len,
    ))
}

fn name_len(s: &str) -> usize {
    s.find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .unwrap_or(s.len())
}

/// Attributes up to and including the closing `>`: the attributes, whether the tag ended
/// with `/>`, and the bytes consumed; `None` when the tag never closes.
fn attributes(s: &str) -> Option<(Vec<Attr>, bool, usize)> {
    let b = s.as_bytes();
    let mut attrs: Vec<Attr> = Vec::new();
    let mut i = 0;
    let mut slash = false;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i)? {
            b'>' => return Some((attrs, slash, i + 1)),
            b'/' => {
                slash = true;
                i += 1;
                continue;
            }
            _ => slash = false,
        }
        let start = i;
        while i < b.len() && !(b[i].is_ascii_whitespace() || matches!(b[i], b'/' | b'>' | b'=')) {
            i += 1;
        }
        if i == start {
            // A lone `=`: skip it like a browser would.
            i += 1;
            continue;
        }
        let name = s[start..i].to_ascii_lowercase();
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let mut value = String::new();
        if b.get(j) == Some(&b'=') {
            j += 1;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            match b.get(j)? {
                q @ (b'"' | b'\'') => {
                    let close = s[j + 1..].find(*q as char)?;
                    value = decode(&s[j + 1..j + 1 + close]);
                    j += close + 2;
                }
                _ => {
                    let start = j;
                    while j < b.len() && !(b[j].is_ascii_whitespace() || b[j] == b'>') {
                        j += 1;
                    }
                    value = decode(&s[start..j]);
                }
            }
            i = j;
        }
        if !attrs.iter().any(|a| a.name == name) {
            attrs.push(Attr { name, value });
        }
    }
}

/// Decode character references: numeric ones and the named ones renderers write.
pub fn decode(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .map(|i| i + 1);
        let decoded = match end {
            Some(end) if rest.as_bytes()[end] == b';' => reference(&rest[1..end]).map(|c| (c, end)),
            _ => None,
        };
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn reference(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "laquo" => '«',
        "raquo" => '»',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "middot" => '·',
        "times" => '×',
        "euro" => '€',
        _ => return None,
    })
}

/// A node of a parsed fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    /// Decoded text.
    Text(String),
    Comment(String),
}

/// An element and its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Node>,
}

impl Element {
    /// The value of attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_str())
    }

    /// Set `name` to `value`, in place when present, else appended (as PHP's DOM does).
    pub fn set_attr(&mut self, name: &str, value: &str) {
        match self.attrs.iter_mut().find(|a| a.name == name) {
            Some(a) => value.clone_into(&mut a.value),
            None => self.attrs.push(Attr {
                name: name.into(),
                value: value.into(),
            }),
        }
    }

    /// Remove attribute `name`.
    pub fn remove_attr(&mut self, name: &str) {
        self.attrs.retain(|a| a.name != name);
    }
}

/// Parse a fragment into nodes.
pub fn parse(html: &str) -> Vec<Node> {
    build(tokenize(html).into_iter().map(|(t, _)| t))
}

/// Nest tokens into a tree: void elements are empty, an end tag closes the nearest open
/// element of its name (and those inside it), a stray end tag is dropped, a block start
/// closes an open `<p>` and `<li>`/`<dt>`/`<dd>` close their open siblings.
pub fn build<'a>(tokens: impl IntoIterator<Item = Token<'a>>) -> Vec<Node> {
    let mut stack: Vec<Element> = vec![Element {
        name: String::new(),
        attrs: Vec::new(),
        children: Vec::new(),
    }];
    let close_to = |stack: &mut Vec<Element>, depth: usize| {
        while stack.len() > depth {
            let done = stack.pop().expect("depth >= 1");
            stack
                .last_mut()
                .expect("root stays")
                .children
                .push(Node::Element(done));
        }
    };
    let raw_parent = |stack: &Vec<Element>| {
        stack
            .last()
            .is_some_and(|e| RAW_TEXT.contains(&e.name.as_str()))
    };
    for token in tokens {
        match token {
            Token::Text(text) => {
                let text = if raw_parent(&stack) {
                    text.to_owned()
                } else {
                    decode(text)
                };
                push_text(&mut stack.last_mut().expect("root").children, &text);
            }
            Token::Comment(text) => stack
                .last_mut()
                .expect("root")
                .children
                .push(Node::Comment(text.to_owned())),
            Token::Other(_) => {}
            Token::Start(tag) => {
                let name = tag.name.as_str();
                if CLOSES_P.contains(&name) {
                    if let Some(p) = open_in_scope(&stack, &["p"]) {
                        close_to(&mut stack, p);
                    }
                }
                let siblings: &[&str] = match name {
                    "li" => &["li"],
                    "dt" | "dd" => &["dt", "dd"],
                    _ => &[],
                };
                if let Some(at) = open_in_scope(&stack, siblings) {
                    close_to(&mut stack, at);
                }
                let element = Element {
                    name: tag.name,
                    attrs: tag.attrs,
                    children: Vec::new(),
                };
                if VOID.contains(&element.name.as_str()) {
                    stack
                        .last_mut()
                        .expect("root")
                        .children
                        .push(Node::Element(element));
                } else {
                    stack.push(element);
                }
            }
            Token::End(name) => {
                if let Some(at) = stack.iter().rposition(|e| e.name == name) {
                    if at > 0 {
                        close_to(&mut stack, at);
                    }
                }
            }
        }
    }
    close_to(&mut stack, 1);
    stack.pop().expect("root").children
}

/// Where an open element named one of `names` is, if no boundary of its scope is open
/// inside it: a list, table or quote for list items, a table cell or button for `<p>`.
fn open_in_scope(stack: &[Element], names: &[&str]) -> Option<usize> {
    let boundaries: &[&str] = if names.contains(&"p") {
        &["td", "th", "caption", "table", "button", "object"]
    } else {
        &["ul", "ol", "dl", "table", "td", "th", "blockquote"]
    };
    for (i, e) in stack.iter().enumerate().skip(1).rev() {
        if names.contains(&e.name.as_str()) {
            return Some(i);
        }
        if boundaries.contains(&e.name.as_str()) {
            return None;
        }
    }
    None
}

fn push_text(children: &mut Vec<Node>, text: &str) {
    if let Some(Node::Text(last)) = children.last_mut() {
        last.push_str(text);
    } else {
        children.push(Node::Text(text.to_owned()));
    }
}

/// Write nodes as Drupal's `Html::serialize` does.
pub fn serialize(nodes: &[Node]) -> String {
    let mut out = String::new();
    write_nodes(&mut out, nodes, false);
    out
}

fn write_nodes(out: &mut String, nodes: &[Node], raw: bool) {
    for node in nodes {
        match node {
            Node::Text(text) if raw => out.push_str(text),
            Node::Text(text) => escape_into(out, text, false),
            Node::Comment(text) => {
                out.push_str("<!--");
                out.push_str(text);
                out.push_str("-->");
            }
            Node::Element(e) => {
                out.push('<');
                out.push_str(&e.name);
                for a in &e.attrs {
                    out.push(' ');
                    out.push_str(&a.name);
                    if !a.value.is_empty() || keeps_empty_value(&e.name, &a.name) {
                        out.push_str("=\"");
                        escape_into(out, &a.value, true);
                        out.push('"');
                    }
                }
                out.push('>');
                if VOID.contains(&e.name.as_str()) {
                    continue;
                }
                write_nodes(out, &e.children, RAW_TEXT.contains(&e.name.as_str()));
                out.push_str("</");
                out.push_str(&e.name);
                out.push('>');
            }
        }
    }
}

/// masterminds/html5 writes an empty attribute bare except these.
fn keeps_empty_value(element: &str, attr: &str) -> bool {
    attr.starts_with("data-")
        || matches!(
            (element, attr),
            ("img", "alt" | "title") | ("a", "href") | ("input", "value")
        )
}

fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            // libxml2, which serialises Drupal's filtered DOM, writes a carriage return as a
            // character reference, so a `&#13;` in the input survives filtering as one.
            '\r' => out.push_str("&#13;"),
            '"' if attribute => out.push_str("&quot;"),
            '<' if !attribute => out.push_str("&lt;"),
            '>' if !attribute => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// Visit every element, depth first, mutably.
pub fn walk_mut(nodes: &mut [Node], f: &mut impl FnMut(&mut Element)) {
    for node in nodes {
        if let Node::Element(e) = node {
            f(e);
            walk_mut(&mut e.children, f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_as_drupal_serializes() {
        let cases = [
            ("<p>a &amp; b</p>", "<p>a &amp; b</p>"),
            ("<hr />", "<hr>"),
            (
                r#"<input disabled="" type="checkbox" checked=""/>"#,
                r#"<input disabled type="checkbox" checked>"#,
            ),
            (r#"<img src="x.png" alt="">"#, r#"<img src="x.png" alt="">"#),
            ("<p>&quot;q&quot; &#39;s&#39;</p>", "<p>\"q\" 's'</p>"),
            ("<P CLASS='a'>x</P>", r#"<p class="a">x</p>"#),
            ("<p>one<p>two", "<p>one</p><p>two</p>"),
            ("<ul><li>a<li>b</ul>", "<ul><li>a</li><li>b</li></ul>"),
            (
                "<ul><li>a<ul><li>b</ul><li>c</ul>",
                "<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>",
            ),
            ("<td><p>a<table>", "<td><p>a</p><table></table></td>"),
            ("a < b > c", "a &lt; b &gt; c"),
            ("<!-- c --><b>x</i></b>", "<!-- c --><b>x</b>"),
            (
                "<script>if (a < b) {}</script>",
                "<script>if (a < b) {}</script>",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(serialize(&parse(input)), want, "{input}");
        }
    }

    proptest::proptest! {
        /// Any text, markup or not: the tokens cover it exactly, and reading never panics.
        #[test]
        fn any_text_reads(text in "(<[/!a-zA-Z]?[a-z0-9 =\"'/-]{0,8}>?|&[a-z#0-9]{0,6};?|[^<&]{0,6}|é|<!--|-->){0,24}") {
            let joined: String = tokenize(&text).iter().map(|(_, r)| &text[r.clone()]).collect();
            proptest::prop_assert_eq!(&joined, &text);
            let _ = serialize(&parse(&text));
            let _ = crate::formats::adapt(&text, None);
        }
    }

    #[test]
    fn spans_cover_the_input() {
        let html = "<h1 id=\"x\">T</h1>\n<p>a</p>";
        let tokens = tokenize(html);
        assert_eq!(&html[tokens[0].1.clone()], "<h1 id=\"x\">");
        assert_eq!(tokens[2].0, Token::End("h1".into()));
        let joined: String = tokens.iter().map(|(_, r)| &html[r.clone()]).collect();
        assert_eq!(joined, html);
    }
}
