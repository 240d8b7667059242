//! YAML and TOML text → one format-neutral [`Value`] tree, and where each key was written.
//!
//! Owns the defences against hostile YAML. `yaml_serde` refuses nesting deeper than 128
//! levels, but only after libyaml has scanned the whole text, in time that grows with the
//! depth of flow collections; and its alias limit still lets a small file expand into
//! millions of values. So [`from_yaml`] first bounds the flow depth with a linear scan, then
//! builds the tree itself under a budget of values proportional to the input. Duplicate
//! keys are errors in both formats. Nothing here knows which keys a page has.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::text::{LineIndex, Pos};

/// A parsed value, reduced to what page fields need to tell apart.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Null,
    Bool(bool),
    /// A number, as written (normalised by the parser).
    Number(String),
    String(String),
    /// A TOML date or time.
    Datetime(String),
    List(Vec<Value>),
    /// Keys in document order.
    Map(Vec<(String, Value)>),
}

impl Value {
    /// What the value is, for messages ("`title` must be a string, found a list").
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Datetime(_) => "a date",
            Value::List(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// A parse error positioned in the parsed text (not yet in the whole file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ParseError {
    pub pos: Pos,
    pub message: String,
    /// What the parser was inside of and the line (in the parsed text) where that began,
    /// e.g. `while parsing a flow sequence` on line 3: an unclosed `[` is found lines later.
    pub context: Option<(String, usize)>,
}

impl ParseError {
    /// The message for a text that starts on line `first_line` of its file.
    pub(super) fn describe(&self, first_line: usize) -> String {
        match &self.context {
            Some((context, line)) => format!(
                "{}, {context} that starts on line {}",
                self.message,
                line + first_line - 1
            ),
            None => self.message.clone(),
        }
    }
}

/// Values a YAML text may produce beyond one per input byte: generous for anchors reused
/// a few times, far below what an alias bomb expands to.
const ALIAS_ALLOWANCE: usize = 65_536;

/// Parse YAML, refusing duplicate keys, tags, non-scalar keys, deep nesting and alias
/// expansion beyond a budget; hostile input fails in time and memory linear in its size.
pub(super) fn from_yaml(text: &str) -> Result<Value, ParseError> {
    if let Some(offset) = flow_too_deep(text) {
        return Err(ParseError {
            pos: LineIndex::new(text).position(offset),
            message: format!(
                "flow collections (`[`, `{{`) nest deeper than {MAX_FLOW_DEPTH} levels"
            ),
            context: None,
        });
    }
    let builder = Builder {
        budget: &Cell::new(text.len() + ALIAS_ALLOWANCE),
        duplicate: &RefCell::new(None),
    };
    builder
        .deserialize(yaml_serde::Deserializer::from_str(text))
        .map_err(|err| {
            // The byte index, not libyaml's line and column: libyaml also breaks lines at
            // U+0085, U+2028 and U+2029, which editors and the rest of this module do not.
            let mark = err
                .location()
                .map_or(Pos::START, |l| LineIndex::new(text).position(l.index()));
            // yaml_serde positions our own errors at the start of the mapping; a duplicate
            // key is more useful at its second occurrence.
            let pos = match builder.duplicate.borrow().as_deref() {
                Some(key) => second_occurrence(text, mark, key).unwrap_or(mark),
                None => mark,
            };
            let (message, context) = yaml_message(&err);
            ParseError {
                pos,
                message,
                context,
            }
        })
}

/// Deeper flow collections are refused before parsing. libyaml's work grows with the flow
/// depth times the number of tokens, so this bounds the worst case; people nest two or three
/// levels. (`yaml_serde` itself refuses more than 128 levels of any nesting.)
const MAX_FLOW_DEPTH: usize = 64;

/// How a scanned character may be read: outside quotes and comments, or inside one.
#[derive(Clone, Copy)]
enum Reading {
    Plain,
    Single,
    Double,
    DoubleEscape,
    Comment,
}

/// The byte offset of a `[` or `{` that may open a flow collection deeper than
/// [`MAX_FLOW_DEPTH`], found before libyaml sees the text: libyaml's scanner does work
/// proportional to the flow depth for every token, so a few MiB of `[` would take hours.
///
/// The scan may overestimate the depth but never underestimates it, whatever the text: where
/// a `'`, `"` or `#` may or may not open a quoted scalar or comment, it follows both readings
/// and keeps, for each, the deepest nesting any path reaches. Brackets in block scalars count
/// too; that only matters for documents with dozens of unclosed brackets in them.
fn flow_too_deep(text: &str) -> Option<usize> {
    let mut depths: [Option<usize>; 5] = [Some(0), None, None, None, None];
    let mut prev = '\n';
    for (offset, c) in text.char_indices() {
        let mut next: [Option<usize>; 5] = [None; 5];
        let mut go = |reading: Reading, depth: usize| {
            let slot = &mut next[reading as usize];
            *slot = Some(slot.map_or(depth, |d| d.max(depth)));
        };
        let is_break = |c: char| matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}');
        let after_blank = is_break(prev) || prev == ' ' || prev == '\t';
        // Every place libyaml may start a token without a blank before it, and more.
        let token_start = after_blank || "[]{},:?-'\"".contains(prev);
        if let Some(d) = depths[Reading::Plain as usize] {
            match c {
                '[' | '{' => go(Reading::Plain, d + 1),
                ']' | '}' => go(Reading::Plain, d.saturating_sub(1)),
                '#' if after_blank => go(Reading::Comment, d),
                '#' | '\'' | '"' if token_start => {
                    go(Reading::Plain, d);
                    go(
                        match c {
                            '#' => Reading::Comment,
                            '\'' => Reading::Single,
                            _ => Reading::Double,
                        },
                        d,
                    );
                }
                _ => go(Reading::Plain, d),
            }
        }
        if let Some(d) = depths[Reading::Single as usize] {
            // `''` is an escaped quote: closing here, the next `'` reopens.
            go(
                if c == '\'' {
                    Reading::Plain
                } else {
                    Reading::Single
                },
                d,
            );
        }
        if let Some(d) = depths[Reading::Double as usize] {
            go(
                match c {
                    '"' => Reading::Plain,
                    '\\' => Reading::DoubleEscape,
                    _ => Reading::Double,
                },
                d,
            );
        }
        if let Some(d) = depths[Reading::DoubleEscape as usize] {
            go(Reading::Double, d);
        }
        if let Some(d) = depths[Reading::Comment as usize] {
            go(
                if is_break(c) {
                    Reading::Plain
                } else {
                    Reading::Comment
                },
                d,
            );
        }
        if next.iter().flatten().any(|&d| d > MAX_FLOW_DEPTH) {
            return Some(offset);
        }
        depths = next;
        prev = c;
    }
    None
}

/// `yaml_serde`'s message without its ` at line N column M` positions, which count from the
/// start of the parsed text rather than the file, and libyaml's context, if any.
fn yaml_message(err: &yaml_serde::Error) -> (String, Option<(String, usize)>) {
    let full = err.to_string();
    let (problem, context) = match full.split_once(", while ") {
        Some((problem, context)) => (problem, Some(context)),
        None => (full.as_str(), None),
    };
    let message = problem.split(" at line ").next().unwrap_or(problem);
    let message = message.split(" at position ").next().unwrap_or(message);
    let message = match message {
        "recursion limit exceeded" => "nesting is deeper than 128 levels",
        "repetition limit exceeded" => "YAML aliases (`*name`) expand to too many values",
        message => message,
    };
    let context = context.and_then(|context| {
        let (what, at) = context.split_once(" at line ")?;
        let line = at.split(' ').next()?.parse().ok()?;
        Some((format!("while {what}"), line))
    });
    (message.to_owned(), context)
}

/// The line of the second `key:` written at the column of the mapping that starts at `mapping`.
fn second_occurrence(text: &str, mapping: Pos, key: &str) -> Option<Pos> {
    let indent = mapping.col - 1;
    text.lines()
        .enumerate()
        .skip(mapping.line - 1)
        .filter(|(_, line)| yaml_key(line, indent) == Some(key))
        .nth(1)
        .map(|(i, _)| Pos {
            line: i + 1,
            col: mapping.col,
        })
}

/// Builds a [`Value`] while counting every value `yaml_serde` hands over, aliases included.
#[derive(Clone, Copy)]
struct Builder<'a> {
    budget: &'a Cell<usize>,
    duplicate: &'a RefCell<Option<String>>,
}

impl Builder<'_> {
    fn spend<E: de::Error>(self, value: Value) -> Result<Value, E> {
        match self.budget.get().checked_sub(1) {
            Some(left) => {
                self.budget.set(left);
                Ok(value)
            }
            None => Err(E::custom(
                "YAML aliases (`*name`) expand to too many values",
            )),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Builder<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Builder<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.spend(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.spend(Value::Number(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.spend(Value::Number(v.to_string()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        self.spend(Value::Number(v.to_string()))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        self.spend(Value::Number(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.spend(Value::Number(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.spend(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.spend(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.spend(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.spend(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        self.spend(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries: Vec<(String, Value)> = Vec::new();
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key_seed(self)? {
            let key = match key {
                Value::String(s) | Value::Number(s) => s,
                Value::Bool(b) => b.to_string(),
                other => {
                    return Err(de::Error::custom(format_args!(
                        "keys must be strings, found {}",
                        other.kind()
                    )))
                }
            };
            if !seen.insert(key.clone()) {
                let message = format!("duplicate key `{key}`");
                *self.duplicate.borrow_mut() = Some(key);
                return Err(de::Error::custom(message));
            }
            let value = map.next_value_seed(self)?;
            entries.push((key, value));
        }
        self.spend(Value::Map(entries))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, _data: A) -> Result<Value, A::Error> {
        Err(de::Error::custom(
            "YAML tags (`!name`) are not supported; remove the tag",
        ))
    }
}

/// Parse TOML (which itself refuses duplicate keys and deep nesting).
pub(super) fn from_toml(text: &str) -> Result<Value, ParseError> {
    match toml::from_str::<toml::Table>(text) {
        Ok(table) => Ok(from_toml_value(toml::Value::Table(table))),
        Err(err) => Err(ParseError {
            pos: LineIndex::new(text).position(err.span().map_or(0, |span| span.start)),
            message: err.message().trim_end().to_owned(),
            context: None,
        }),
    }
}

fn from_toml_value(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::Number(i.to_string()),
        toml::Value::Float(f) => Value::Number(f.to_string()),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::Datetime(d.to_string()),
        toml::Value::Array(items) => Value::List(items.into_iter().map(from_toml_value).collect()),
        toml::Value::Table(table) => Value::Map(
            table
                .into_iter()
                .map(|(k, v)| (k, from_toml_value(v)))
                .collect(),
        ),
    }
}

/// The key of a YAML block-mapping entry written on `line` at column `indent` (0-based),
/// allowing the `- ` of a list item before it; `None` for any other line.
pub(super) fn yaml_key(line: &str, indent: usize) -> Option<&str> {
    let prefix = line.get(..indent)?;
    if !prefix.bytes().all(|b| b == b' ' || b == b'-') {
        return None;
    }
    let rest = &line[indent..];
    if let Some((key, after)) = quoted_key(rest) {
        return after
            .trim_start_matches([' ', '\t'])
            .starts_with(':')
            .then_some(key);
    }
    let end = rest
        .match_indices(':')
        .map(|(i, _)| i)
        .find(|&i| matches!(rest.as_bytes().get(i + 1), None | Some(b' ' | b'\t')))?;
    let key = rest[..end].trim_end();
    let plain = !key.is_empty() && !key.starts_with([' ', '\t', '#', '-', '?', '[', '{']);
    plain.then_some(key)
}

/// The root-table key written on a TOML `line` (`key = …`, also `key.sub = …`).
fn toml_key(line: &str) -> Option<&str> {
    let rest = line.trim_start();
    let (key, after) = quoted_key(rest).or_else(|| {
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))?;
        Some((&rest[..end], &rest[end..]))
    })?;
    let after = after.trim_start();
    (!key.is_empty() && (after.starts_with(['=', '.', ']']))).then_some(key)
}

fn quoted_key(rest: &str) -> Option<(&str, &str)> {
    let quote = rest.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let end = rest[1..].find(quote)? + 1;
    Some((&rest[1..end], &rest[end + 1..]))
}

/// The syntax a key index is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Syntax {
    Yaml,
    Toml,
}

/// Where each top-level key of a mapping was written (first occurrence), so that errors
/// about a key can point at its line; `yaml_serde` and the TOML deserializer keep no spans.
#[derive(Debug, Default)]
pub(super) struct KeyLines {
    lines: HashMap<String, usize>,
    col: usize,
}

impl KeyLines {
    /// Index the keys of the mapping written in `lines` (numbered from `first_line`): for YAML
    /// the keys at the indentation of the first key found, for TOML those before any `[table]`.
    pub(super) fn new<'t>(
        lines: impl IntoIterator<Item = &'t str>,
        first_line: usize,
        syntax: Syntax,
    ) -> Self {
        let mut index = KeyLines::default();
        let mut indent = None;
        let mut in_table = false;
        for (i, line) in lines.into_iter().enumerate() {
            let key = match syntax {
                // A `[table]` header is where its top-level key is written; what follows
                // belongs to the table.
                Syntax::Toml if line.trim_start().starts_with('[') => {
                    in_table = true;
                    toml_key(line.trim_start().trim_start_matches('['))
                }
                Syntax::Toml if in_table => None,
                Syntax::Toml => toml_key(line),
                Syntax::Yaml => {
                    if indent.is_none() {
                        indent = key_column(line);
                    }
                    indent.and_then(|at| yaml_key(line, at))
                }
            };
            if let Some(key) = key {
                index.lines.entry(key.to_owned()).or_insert(first_line + i);
            }
        }
        index.col = indent.map_or(1, |i| i + 1);
        index
    }

    /// The position of `key`, or `fallback` when it was not found (flow style, unusual layout).
    pub(super) fn pos(&self, key: &str, fallback: Pos) -> Pos {
        self.lines.get(key).map_or(fallback, |&line| Pos {
            line,
            col: self.col,
        })
    }
}

/// The column (0-based) where the first key of a block mapping starts on `line`, if it holds one.
pub(super) fn key_column(line: &str) -> Option<usize> {
    let content = line.trim_start_matches([' ', '-']);
    let col = line.len() - content.len();
    yaml_key(line, col).map(|_| col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::String(v.to_owned())
    }

    #[test]
    fn yaml_values() {
        let got = from_yaml("title: A\nn: 3\nb: true\nl: [x, 1]\nm: {k: ~}\n").unwrap();
        let want = Value::Map(vec![
            ("title".into(), s("A")),
            ("n".into(), Value::Number("3".into())),
            ("b".into(), Value::Bool(true)),
            (
                "l".into(),
                Value::List(vec![s("x"), Value::Number("1".into())]),
            ),
            ("m".into(), Value::Map(vec![("k".into(), Value::Null)])),
        ]);
        assert_eq!(got, want);
        assert_eq!(from_yaml("").unwrap(), Value::Null);
    }

    #[test]
    fn yaml_errors() {
        for (text, line, col, needle) in [
            ("a: 1\nb: [\n", 3, 1, "did not find expected node content"),
            (
                "a: 1\nb: [x\nc: 1\n",
                3,
                2,
                "expected ',' or ']', while parsing a flow sequence that starts on line 2",
            ),
            (
                "title: A\npath: /a\ntitle: B\n",
                3,
                1,
                "duplicate key `title`",
            ),
            ("x:\n  k: 1\n  k: 2\n", 3, 3, "duplicate key `k`"),
            ("{a: 1, a: 2}", 1, 1, "duplicate key `a`"),
            ("t: !custom x\n", 1, 4, "tags"),
            ("? [a]\n: 1\n", 1, 1, "keys must be strings"),
            ("a: *nope\n", 1, 4, "unknown anchor"),
            (
                &"[".repeat(10_000),
                1,
                65,
                "flow collections (`[`, `{`) nest deeper than 64 levels",
            ),
            (
                &format!("a:\n {}", "{a: ".repeat(200)),
                2,
                258,
                "nest deeper than 64 levels",
            ),
            (
                &(0..200)
                    .map(|i| format!("{}k:\n", " ".repeat(i)))
                    .collect::<String>(),
                129,
                129,
                "nesting is deeper than 128 levels",
            ),
            ("a: [\u{85}", 1, 6, "did not find expected"),
            ("é: x\nb: [", 2, 5, "did not find expected"),
        ] {
            let err = from_yaml(text).unwrap_err();
            assert_eq!(
                (err.pos.line, err.pos.col),
                (line, col),
                "{text:.40}: {err:?}"
            );
            assert!(
                err.describe(1).contains(needle),
                "{text:.40}: {}",
                err.describe(1)
            );
        }
    }

    #[test]
    fn flow_depth_is_never_underestimated() {
        let deep = |text: &str| flow_too_deep(text).is_some();
        assert_eq!(flow_too_deep(&"[".repeat(65)), Some(64));
        assert_eq!(flow_too_deep(&"{".repeat(64)), None);
        assert_eq!(flow_too_deep(&"[]".repeat(10_000)), None);
        // Closers that libyaml reads inside quotes or comments close nothing.
        for piece in [
            "[\"]\", ",
            "['x]', ",
            "['it'']', ",
            "[\"\\\"]\", ",
            "[ # ]\n",
            "[#]\n",
            "[\n#]\n",
        ] {
            assert!(deep(&format!("a: [{}", piece.repeat(200))), "{piece:?}");
        }
        // Documents a person writes stay far below the limit, brackets in strings and all.
        for text in [
            "- title: \"Version [beta]\"\n  tags: [a, b]\n",
            "- title: 'it''s [x]'\n  summary: He said \"[no]\" # [ comment\n",
            "body: |\n  See [x](y.md), {z} and \"[q]\".\n",
            "pages: [{id: a, title: \"A [1]\"}, {id: b}]\n",
            "a: [b 'c], d\"e]\n",
        ] {
            assert!(!deep(&text.repeat(1_000)), "{text:?}");
        }
    }

    #[test]
    fn yaml_alias_bombs_fail_fast() {
        let mut laughs = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
            laughs.push_str(&format!(
                "{name}: &{name} [{}]\n",
                vec![format!("*{prev}"); 9].join(",")
            ));
        }
        // Few jumps, each copying a large block: yaml_serde's own limit allows this one.
        let wide = format!(
            "a: &a [{}]\nb: [{}]\n",
            vec!["x"; 10_000].join(","),
            vec!["*a"; 10_000].join(",")
        );
        for bomb in [laughs, wide] {
            let started = std::time::Instant::now();
            let err = from_yaml(&bomb).unwrap_err();
            assert!(err.message.contains("too many values"), "{}", err.message);
            assert!(started.elapsed().as_secs() < 5);
        }
        // Modest reuse stays fine.
        let reuse = "d: &d {format: full_html}\npages: [*d, *d, *d]\n";
        assert!(from_yaml(reuse).is_ok());
    }

    #[test]
    fn toml_values_and_errors() {
        let got = from_toml("title = \"A\"\ndate = 2024-01-02\n[extra]\nk = 1\n").unwrap();
        let Value::Map(entries) = got else { panic!() };
        assert_eq!(
            entries[0],
            ("date".into(), Value::Datetime("2024-01-02".into()))
        );
        for (text, line, col, needle) in [
            ("title = \"A\"\ntitle = \"B\"\n", 2, 1, "duplicate key"),
            ("a = 1\nb = \n", 2, 5, "string"),
            (&format!("a = {}", "[".repeat(10_000)), 1, 85, "recurse"),
        ] {
            let err = from_toml(text).unwrap_err();
            assert_eq!(
                (err.pos.line, err.pos.col),
                (line, col),
                "{text:.30}: {err:?}"
            );
            assert!(err.message.contains(needle), "{text:.30}: {}", err.message);
        }
    }

    #[test]
    fn key_lines() {
        let yaml = "# c\ntitle: A\n\"path\": /a\nsummary: |\n  title: not a key\nlist:\n  - x: 1\n";
        let index = KeyLines::new(yaml.lines(), 10, Syntax::Yaml);
        let fallback = Pos::line(99);
        for (key, line) in [
            ("title", 11),
            ("path", 12),
            ("summary", 13),
            ("list", 15),
            ("x", 99),
        ] {
            assert_eq!(index.pos(key, fallback).line, line, "{key}");
        }
        let item = ["- id: a", "  title: T", "  body: |", "    x: y"];
        let index = KeyLines::new(item, 5, Syntax::Yaml);
        assert_eq!(index.pos("title", fallback), Pos { line: 6, col: 3 });
        assert_eq!(index.pos("id", fallback), Pos { line: 5, col: 3 });
        assert_eq!(index.pos("x", fallback), fallback);

        let toml = "title = \"A\"\n  \"path\" = \"/a\"\nextra.x = 1\n[taxonomies]\ntags = []\n";
        let index = KeyLines::new(toml.lines(), 2, Syntax::Toml);
        for (key, line) in [
            ("title", 2),
            ("path", 3),
            ("extra", 4),
            ("taxonomies", 5),
            ("tags", 99),
        ] {
            assert_eq!(index.pos(key, fallback).line, line, "{key}");
        }
    }
}
