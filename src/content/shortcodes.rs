//! Templates in a Markdown body (CONTRACT §9): Hugo shortcodes, Liquid tags (Jekyll, MkDocs
//! macros) and Zola shortcodes, turned into plain Markdown before it is rendered, so none
//! reaches Drupal as text.
//!
//! - `ref`/`relref` (and Liquid's `link`/`post_url`) become the `/`-rooted path of the page
//!   they name, which the link rewriter then turns into an alias.
//! - A paired shortcode (`{{% note %}}…{{% /note %}}`, `{% if %}…{% endif %}`,
//!   `{% note() %}…{% end %}`) keeps its inner Markdown; `{% raw %}` keeps its inner text as
//!   written, `{% comment %}` drops it, `{% highlight x %}` becomes a code fence.
//! - Any other template is removed and recorded, so the caller can warn once per name.
//!
//! Pure: which files exist is the caller's `find` function. Offsets in the result map back to
//! the original body, so problems found later point at the file as written.

use super::flavor::Templates;

/// A body with its templates expanded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Expanded {
    pub text: String,
    /// Segments of `text`: (start in `text`, start in the original, copied verbatim).
    map: Vec<(usize, usize, bool)>,
    /// Templates removed: their name and offset in the original body.
    pub removed: Vec<(String, usize)>,
    /// References to pages that do not exist: offset in the original body, and why.
    pub broken: Vec<(usize, String)>,
    /// The expansion this one was made from (its text dropped), when passes are chained.
    before: Option<Box<Expanded>>,
}

impl Expanded {
    /// The offset in the original body of the byte at `offset` in the expanded text.
    pub(super) fn original(&self, offset: usize) -> usize {
        let at = self.map.partition_point(|&(start, _, _)| start <= offset);
        let inner = match at.checked_sub(1).map(|i| self.map[i]) {
            Some((start, original, true)) => original + (offset - start),
            Some((_, original, false)) => original,
            None => offset,
        };
        self.before
            .as_ref()
            .map_or(inner, |before| before.original(inner))
    }

    /// `next`, made from this expansion's text, mapping offsets back through both.
    pub(super) fn then(mut self, mut next: Expanded) -> Expanded {
        self.text = String::new();
        let later: Vec<(String, usize)> = std::mem::take(&mut next.removed)
            .into_iter()
            .map(|(name, offset)| (name, self.original(offset)))
            .collect();
        next.removed = std::mem::take(&mut self.removed);
        next.removed.extend(later);
        next.broken = std::mem::take(&mut self.broken);
        next.before = Some(Box::new(self));
        next
    }

    pub(super) fn copy(&mut self, body: &str, from: usize, to: usize) {
        if from < to {
            self.map.push((self.text.len(), from, true));
            self.text.push_str(&body[from..to]);
        }
    }

    pub(super) fn insert(&mut self, text: &str, at: usize) {
        if !text.is_empty() {
            self.map.push((self.text.len(), at, false));
            self.text.push_str(text);
        }
    }
}

/// One template tag found in the body.
#[derive(Debug, Clone)]
struct Tag {
    start: usize,
    end: usize,
    /// The first word (`note`, `/note`, `include`, `endif`, `site.baseurl`).
    name: String,
    /// Everything after the name, trimmed.
    args: String,
    /// Never opens a pair: `{{ … }}` in Liquid and Zola, a self-closing `{{< x />}}` in Hugo.
    standalone: bool,
    /// Written in the escaped form (`{{</* x */>}}`, `{{/* x */}}`): shown as text.
    escaped: bool,
}

/// Expand the templates of `syntax` in `body`. `find` maps a page reference (as written,
/// without fragment) to the page file's path under the content dir, if there is one;
/// `param` a Hugo site parameter (`grpc_vers.core`, lowercase) to its value.
pub(super) fn expand(
    body: &str,
    syntax: Templates,
    find: &dyn Fn(&str) -> Option<String>,
    param: &dyn Fn(&str) -> Option<String>,
) -> Expanded {
    let tags = match syntax {
        Templates::None => Vec::new(),
        Templates::Hugo => hugo_tags(body),
        Templates::Liquid | Templates::Zola => brace_tags(body, syntax),
    };
    let mut out = Expanded::default();
    if tags.is_empty() {
        out.copy(body, 0, body.len());
        return out;
    }
    let closes = |tag: &Tag, open: &Tag| match syntax {
        Templates::Hugo => tag.name.strip_prefix('/') == Some(open.name.as_str()),
        Templates::Liquid => tag.name.strip_prefix("end") == Some(open.name.as_str()),
        Templates::Zola => tag.name == "end" && !open.standalone,
        Templates::None => false,
    };
    let is_close = |tag: &Tag| match syntax {
        Templates::Hugo => tag.name.starts_with('/'),
        Templates::Liquid => tag.name.starts_with("end"),
        Templates::Zola => tag.name == "end",
        Templates::None => false,
    };
    // Pair closing tags with their openers: `pair[i]` is the index of the closing tag.
    let mut pair: Vec<Option<usize>> = vec![None; tags.len()];
    let mut closes_a_pair = vec![false; tags.len()];
    let mut stack: Vec<usize> = Vec::new();
    for (i, tag) in tags.iter().enumerate() {
        if tag.escaped {
            continue;
        }
        if is_close(tag) {
            if let Some(depth) = stack.iter().rposition(|&o| closes(tag, &tags[o])) {
                pair[stack[depth]] = Some(i);
                closes_a_pair[i] = true;
                stack.truncate(depth);
            }
        } else if !tag.standalone {
            stack.push(i);
        }
    }
    // Closing tags of callouts, which end the blockquote their opener started.
    let mut ends_callout = vec![false; tags.len()];
    let mut at = 0;
    let mut i = 0;
    while i < tags.len() {
        let tag = &tags[i];
        out.copy(body, at, tag.start);
        at = tag.end;
        i += 1;
        if tag.escaped {
            let text = &body[tag.start..tag.end];
            out.insert(&unescape(text), tag.start);
            continue;
        }
        if is_close(tag) {
            if ends_callout[i - 1] {
                out.insert("\n\n</blockquote>\n", tag.start);
            } else if !closes_a_pair[i - 1] {
                out.removed.push((tag.name.clone(), tag.start));
            }
            continue;
        }
        let name = tag.name.as_str();
        match (syntax, name) {
            (Templates::Hugo, "ref" | "relref") | (Templates::Liquid, "link" | "post_url") => {
                let target = first_argument(&tag.args);
                let written = if name == "post_url" {
                    format!("/_posts/{target}.md")
                } else {
                    target.clone()
                };
                let (path, fragment) = match written.split_once('#') {
                    Some((p, f)) => (p.to_owned(), format!("#{f}")),
                    None => (written.clone(), String::new()),
                };
                match find(&path) {
                    Some(rel) => out.insert(&format!("/{rel}{fragment}"), tag.start),
                    None if path.is_empty() => out.insert(&fragment, tag.start),
                    None => {
                        out.broken.push((
                            tag.start,
                            format!("broken `{name}` to `{target}`: there is no such page in the content directory"),
                        ));
                        out.insert(&written, tag.start);
                    }
                }
            }
            (Templates::Hugo, "param")
                if param(&first_argument(&tag.args).to_lowercase()).is_some() =>
            {
                let value = param(&first_argument(&tag.args).to_lowercase()).unwrap_or_default();
                out.insert(&value, tag.start);
            }
            (Templates::Liquid, "raw") => {
                // Copied as written up to `{% endraw %}`.
                let end = pair[i - 1];
                let stop = end.map_or(body.len(), |e| tags[e].start);
                out.copy(body, at, stop);
                at = end.map_or(body.len(), |e| tags[e].end);
                i = end.map_or(tags.len(), |e| e + 1);
            }
            (Templates::Liquid, "comment") => {
                let end = pair[i - 1];
                at = end.map_or(body.len(), |e| tags[e].end);
                i = end.map_or(tags.len(), |e| e + 1);
            }
            (Templates::Liquid, "highlight") if pair[i - 1].is_some() => {
                let lang = tag.args.split_whitespace().next().unwrap_or_default();
                out.insert(&format!("```{lang}"), tag.start);
                let end = pair[i - 1].unwrap_or_default();
                out.copy(body, at, tags[end].start);
                out.insert("```", tags[end].start);
                at = tags[end].end;
                i = end + 1;
            }
            (_, name) if pair[i - 1].is_some() && CALLOUTS.contains(&name) => {
                // A callout keeps its meaning as a blockquote (what `basic_html` allows).
                let label = named_argument(&tag.args, "title").or_else(|| {
                    (!matches!(name, "alert" | "callout" | "admonition")).then(|| capitalized(name))
                });
                let heading = label.map_or(String::new(), |l| {
                    format!("<p><strong>{}</strong></p>\n", escape(&l))
                });
                out.insert(&format!("<blockquote>\n{heading}\n"), tag.start);
                ends_callout[pair[i - 1].unwrap_or_default()] = true;
            }
            _ => out.removed.push((name.to_owned(), tag.start)),
        }
    }
    out.copy(body, at, body.len());
    out
}

/// Paired shortcodes that are callouts (Docsy's `alert`, common `note`/`warning` ones).
const CALLOUTS: &[&str] = &[
    "alert",
    "callout",
    "admonition",
    "note",
    "tip",
    "info",
    "warning",
    "caution",
    "danger",
    "important",
    "hint",
    "notice",
];

/// The value of `name="…"` among a shortcode's arguments.
fn named_argument(args: &str, name: &str) -> Option<String> {
    let at = args.find(&format!("{name}="))?;
    let rest = &args[at + name.len() + 1..];
    let quote = rest.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let value = rest[1..].split(quote).next()?;
    Some(value.to_owned())
}

fn capitalized(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The escaped form shown as its unescaped text: `{{</* x */>}}` → `{{< x >}}`.
fn unescape(text: &str) -> String {
    text.replacen("/*", "", 1)
        .chars()
        .rev()
        .collect::<String>()
        .replacen("/*", "", 1)
        .chars()
        .rev()
        .collect()
}

/// The first argument of a tag: a quoted string, a `path="…"` value or the first word.
fn first_argument(args: &str) -> String {
    let args = args.trim();
    let args = args
        .strip_prefix("path=")
        .or_else(|| args.strip_prefix("path ="))
        .map_or(args, str::trim_start);
    match args.chars().next() {
        Some(q @ ('"' | '\'' | '`')) => args[1..].split(q).next().unwrap_or_default().to_owned(),
        _ => args
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

/// Hugo's `{{< … >}}` and `{{% … %}}`, including the `{{</* … */>}}` escape.
fn hugo_tags(body: &str) -> Vec<Tag> {
    let mut tags = Vec::new();
    let mut from = 0;
    while let Some(found) = body[from..].find("{{") {
        let start = from + found;
        let Some(kind) = body[start + 2..]
            .chars()
            .next()
            .filter(|c| matches!(c, '<' | '%'))
        else {
            from = start + 2;
            continue;
        };
        let close = if kind == '<' { ">}}" } else { "%}}" };
        let inner_start = start + 3;
        let Some(inner_len) = find_close(&body[inner_start..], close) else {
            from = start + 2;
            continue;
        };
        let inner = body[inner_start..inner_start + inner_len].trim();
        let end = inner_start + inner_len + close.len();
        let escaped = inner.starts_with("/*") && inner.ends_with("*/");
        let standalone = inner.ends_with('/') && !escaped;
        let (name, args) = split_name(inner.trim_end_matches('/'));
        tags.push(Tag {
            start,
            end,
            name,
            args,
            standalone,
            escaped,
        });
        from = end;
    }
    tags
}

/// `{{ … }}` and `{% … %}` (Liquid, or Zola shortcodes when `syntax` is Zola: only calls
/// `name(…)` and `{% end %}` are Zola's).
fn brace_tags(body: &str, syntax: Templates) -> Vec<Tag> {
    let mut tags = Vec::new();
    let mut from = 0;
    while let Some(found) = body[from..].find('{') {
        let start = from + found;
        let (output, close) = match body[start + 1..].chars().next() {
            Some('{') => (true, "}}"),
            Some('%') => (false, "%}"),
            _ => {
                from = start + 1;
                continue;
            }
        };
        let inner_start = start + 2;
        let Some(inner_len) = find_close(&body[inner_start..], close) else {
            from = start + 2;
            continue;
        };
        let end = inner_start + inner_len + close.len();
        let inner = body[inner_start..inner_start + inner_len]
            .trim_matches(|c: char| c == '-' || c.is_whitespace());
        let escaped = inner.starts_with("/*") && inner.ends_with("*/");
        let (name, args) = split_name(inner);
        let is_tag = match syntax {
            Templates::Zola => {
                escaped
                    || name == "end" && !output
                    || (!name.is_empty() && args.starts_with('(') && is_identifier(&name))
            }
            _ => !name.is_empty() && !inner.contains('\n') || !output && !name.is_empty(),
        };
        if is_tag {
            tags.push(Tag {
                start,
                end,
                name,
                args,
                standalone: output,
                escaped,
            });
            from = end;
        } else {
            from = start + 2;
        }
    }
    tags
}

fn is_identifier(name: &str) -> bool {
    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The name of a tag (up to whitespace, `(`, `|` or a quote) and the rest.
fn split_name(inner: &str) -> (String, String) {
    let inner = inner.trim();
    let end = inner
        .find(|c: char| c.is_whitespace() || matches!(c, '(' | '|' | '"' | '\'' | '}'))
        .unwrap_or(inner.len());
    (inner[..end].to_owned(), inner[end..].trim().to_owned())
}

/// The length of the text before `close`, skipping quoted strings; `None` when it never
/// closes (then the braces are text). Stops at a blank line: a tag never spans paragraphs.
fn find_close(text: &str, close: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        if c == '\n' && text[i + 1..].starts_with('\n') {
            return None;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '`') => quote = Some(c),
            None if text[i..].starts_with(close) => return Some(i),
            None => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(path: &str) -> Option<String> {
        match path.trim_start_matches('/') {
            "docs/x.md" | "docs/x" => Some("docs/x.md".into()),
            "_posts/2024-01-02-hello.md" => Some("_posts/2024-01-02-hello.md".into()),
            _ => None,
        }
    }

    fn param(key: &str) -> Option<String> {
        (key == "vers.core").then(|| "v1.2".to_owned())
    }

    fn run(syntax: Templates, body: &str) -> Expanded {
        expand(body, syntax, &find, &param)
    }

    #[test]
    fn hugo() {
        for (body, text, removed) in [
            ("a {{< youtube abc >}} b", "a  b", vec!["youtube"]),
            (
                "{{% note %}}\n**Inner**\n{{% /note %}}\n",
                "<blockquote>\n<p><strong>Note</strong></p>\n\n\n**Inner**\n\n\n</blockquote>\n\n",
                vec![],
            ),
            (
                "{{% alert title=\"Heads <up>\" color=\"info\" %}}x{{% /alert %}}",
                "<blockquote>\n<p><strong>Heads &lt;up&gt;</strong></p>\n\nx\n\n</blockquote>\n",
                vec![],
            ),
            (
                "{{% details %}}\nx\n{{% /details %}}",
                "\nx\n",
                vec!["details"],
            ),
            (
                "[x]({{< ref \"docs/x.md#part\" >}})",
                "[x](/docs/x.md#part)",
                vec![],
            ),
            (
                "[x]({{< relref path=\"/docs/x\" >}})",
                "[x](/docs/x.md)",
                vec![],
            ),
            (
                "{{< tabs >}}{{< tab \"A\" >}}one{{< /tab >}}{{< /tabs >}}",
                "one",
                vec!["tabs", "tab"],
            ),
            ("{{< figure src=\"a>b.png\" />}}x", "x", vec!["figure"]),
            ("`{{</* note */>}}`", "`{{< note >}}`", vec![]),
            (
                "{{ .Title }} {{ not a shortcode",
                "{{ .Title }} {{ not a shortcode",
                vec![],
            ),
            ("{{< /orphan >}}", "", vec!["/orphan"]),
            ("tag {{< param \"vers.Core\" >}}!", "tag v1.2!", vec![]),
            ("{{< param unknown >}}", "", vec!["param"]),
        ] {
            let got = run(Templates::Hugo, body);
            assert_eq!(got.text, text, "{body}");
            let names: Vec<&str> = got.removed.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(names, removed, "{body}");
            assert!(got.broken.is_empty(), "{body}");
        }
        let got = run(Templates::Hugo, "see {{< ref \"gone.md\" >}}");
        assert_eq!(got.broken.len(), 1);
        assert!(got.broken[0].1.contains("`gone.md`"), "{:?}", got.broken);
    }

    #[test]
    fn liquid() {
        for (body, text, removed) in [
            ("[a]({{ site.baseurl }}/x)", "[a](/x)", vec!["site.baseurl"]),
            ("{% include note.html %}\ntext", "\ntext", vec!["include"]),
            ("{% if site.x %}shown{% endif %}", "shown", vec!["if"]),
            ("{% raw %}{{ kept }}{% endraw %}", "{{ kept }}", vec![]),
            ("a{% comment %}gone {{ x }}{% endcomment %}b", "ab", vec![]),
            (
                "{% highlight ruby %}\nputs 1\n{% endhighlight %}\n",
                "```ruby\nputs 1\n```\n",
                vec![],
            ),
            (
                "[p]({% post_url 2024-01-02-hello %})",
                "[p](/_posts/2024-01-02-hello.md)",
                vec![],
            ),
            ("[d]({% link docs/x.md %})", "[d](/docs/x.md)", vec![]),
            ("a { b } {x}", "a { b } {x}", vec![]),
            ("{{- page.title | upcase -}}", "", vec!["page.title"]),
        ] {
            let got = run(Templates::Liquid, body);
            assert_eq!(got.text, text, "{body}");
            let names: Vec<&str> = got.removed.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(names, removed, "{body}");
        }
    }

    #[test]
    fn zola() {
        for (body, text, removed) in [
            ("a {{ youtube(id=\"x\") }} b", "a  b", vec!["youtube"]),
            (
                "{% box(kind=\"x\") %}\ninner\n{% end %}",
                "\ninner\n",
                vec!["box"],
            ),
            (
                "{{ not_a_call }} {% raw %}",
                "{{ not_a_call }} {% raw %}",
                vec![],
            ),
            (
                "{{/* youtube(id=\"x\") */}}",
                "{{ youtube(id=\"x\") }}",
                vec![],
            ),
        ] {
            let got = run(Templates::Zola, body);
            assert_eq!(got.text, text, "{body}");
            let names: Vec<&str> = got.removed.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(names, removed, "{body}");
        }
    }

    #[test]
    fn offsets_map_back() {
        let body = "ab {{< x >}}cd\n{{% y %}}ef{{% /y %}}";
        let got = run(Templates::Hugo, body);
        assert_eq!(got.text, "ab cd\nef");
        for (offset, want) in [(0, 0), (3, 12), (6, 24), (7, 25)] {
            assert_eq!(got.original(offset), want, "{offset}");
            assert_eq!(&body[want..=want], &got.text[offset..=offset]);
        }
        assert_eq!(got.removed, [("x".into(), 3), ("y".into(), 15)]);
        let none = run(Templates::None, "{{< x >}}");
        assert_eq!(none.text, "{{< x >}}");
        assert_eq!(none.original(4), 4);
    }
}
