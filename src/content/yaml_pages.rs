//! YAML page files (`.yaml`, `.yml`): one page per file, or a `pages:` list of pages each
//! with its own `id`. Finds each page's entries and the line it starts on.
//!
//! What the keys mean is [`super::fields`]'s business; turning entries into pages is the
//! caller's.

use super::fields::Entry;
use super::front_matter;
use super::text::{LineIndex, Pos};
use super::value::{self, KeyLines, Syntax, Value};
use super::Problem;

/// One page definition found in a YAML file.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct YamlPage {
    /// Line the page starts on: 1 for a whole-file page, the item's line in a `pages:` list.
    pub line: usize,
    pub entries: Vec<Entry>,
    /// Whether the page is an item of a `pages:` list (which must have an `id`).
    pub in_list: bool,
}

/// The pages a YAML page file defines, and the problems that kept others from being read.
pub(super) fn parse(text: &str) -> (Vec<YamlPage>, Vec<Problem>) {
    let map = match value::from_yaml(text) {
        Ok(Value::Map(map)) => map,
        Ok(Value::Null) => {
            return fail(
                Pos::START,
                "empty page file; expected the keys of a page (`title: …`) or a `pages:` list"
                    .to_owned(),
            )
        }
        Ok(other) => {
            return fail(
                Pos::START,
                format!(
                    "a YAML page file must be a mapping (one page) or a `pages:` list, found {}",
                    other.kind()
                ),
            )
        }
        Err(err) => return fail(err.pos, format!("invalid YAML: {}", err.describe(1))),
    };
    let keys = KeyLines::new(text.lines(), 1, Syntax::Yaml);
    let mut entries = front_matter::entries(map, &keys, Pos::START);
    let Some(at) = entries.iter().position(|e| e.key == "pages") else {
        let page = YamlPage {
            line: 1,
            entries,
            in_list: false,
        };
        return (vec![page], Vec::new());
    };
    let list = entries.remove(at);
    let mut problems: Vec<Problem> = entries
        .iter()
        .map(|e| {
            Problem::error(
                e.pos,
                format!("`{}` beside `pages`: in a file with a `pages:` list, every key belongs to a page", e.key),
            )
        })
        .collect();
    let items = match list.value {
        Value::List(items) => items,
        other => {
            let message = format!("`pages` must be a list of pages, found {}", other.kind());
            problems.push(Problem::error(list.pos, message));
            return (Vec::new(), problems);
        }
    };
    let lines: Vec<&str> = text.lines().collect();
    let starts = item_lines(&lines, list.pos.line);
    let mut pages = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        // Flow-style lists (`pages: [{…}]`) have no item lines; their pages start at `pages:`.
        let line = starts.get(i).copied().unwrap_or(list.pos.line);
        let map = match item {
            Value::Map(map) => map,
            other => {
                let message = format!(
                    "page #{} in `pages` must be a mapping of page keys, found {}",
                    i + 1,
                    other.kind()
                );
                problems.push(Problem::error(Pos::line(line), message));
                continue;
            }
        };
        let end = starts.get(i + 1).map_or(lines.len(), |next| next - 1);
        let item_text = lines.get(line - 1..end).unwrap_or_default();
        let keys = KeyLines::new(item_text.iter().copied(), line, Syntax::Yaml);
        let entries = front_matter::entries(map, &keys, Pos::line(line));
        if !entries.iter().any(|e| e.key == "id") {
            let message = format!(
                "page #{} in `pages` has no `id`; every page in a list needs one",
                i + 1
            );
            problems.push(Problem::error(Pos::line(line), message));
            continue;
        }
        pages.push(YamlPage {
            line,
            entries,
            in_list: true,
        });
    }
    (pages, problems)
}

fn fail(pos: Pos, message: String) -> (Vec<YamlPage>, Vec<Problem>) {
    (Vec::new(), vec![Problem::error(pos, message)])
}

/// The 1-based lines where the items of the block sequence under the key on `key_line` start.
fn item_lines(lines: &[&str], key_line: usize) -> Vec<usize> {
    let mut items = Vec::new();
    let mut indent = None;
    for (i, line) in lines.iter().enumerate().skip(key_line) {
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let at = line.len() - content.len();
        let is_item = content == "-" || content.starts_with("- ");
        match indent {
            None if is_item => indent = Some(at),
            None => break,
            Some(dash) if at < dash || (at == dash && !is_item) => break,
            Some(_) => {}
        }
        if is_item && indent == Some(at) {
            items.push(i + 1);
        }
    }
    items
}

/// Where in the file byte `offset` of a `body` value lies, given the position of its key.
///
/// A literal block scalar (`body: |`) keeps its lines, so positions map exactly; any other
/// style folds or escapes text, so its problems are reported at the key.
pub(super) fn body_pos(text: &str, key: Pos, body: &str, offset: usize) -> Pos {
    let lines: Vec<&str> = text.lines().collect();
    let Some(key_line) = lines.get(key.line - 1) else {
        return key;
    };
    let value = key_line
        .get(key.col - 1..)
        .and_then(|rest| rest.split_once(':'))
        .map_or("", |(_, value)| value.trim());
    if !value.starts_with('|') {
        return key;
    }
    let indent = lines[key.line..]
        .iter()
        .find(|l| !l.trim().is_empty())
        .map_or(0, |l| l.len() - l.trim_start_matches(' ').len());
    let pos = LineIndex::new(body).position(offset);
    Pos {
        line: key.line + pos.line,
        col: indent + pos.col,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each page's line and its keys' lines.
    type Pages = Vec<(usize, Vec<(String, usize)>)>;

    fn summary(text: &str) -> (Pages, Vec<(usize, String)>) {
        let (pages, problems) = parse(text);
        let pages = pages
            .into_iter()
            .map(|p| {
                (
                    p.line,
                    p.entries.into_iter().map(|e| (e.key, e.pos.line)).collect(),
                )
            })
            .collect();
        let problems = problems
            .into_iter()
            .map(|p| (p.pos.line, p.message))
            .collect();
        (pages, problems)
    }

    fn keys(list: &[(&str, usize)]) -> Vec<(String, usize)> {
        list.iter().map(|&(k, l)| (k.to_owned(), l)).collect()
    }

    #[test]
    fn list_items_have_their_lines() {
        for text in [
            "# pages\npages:\n  - id: a\n    title: A\n\n  - id: b\n    # c\n    title: B\n    body: |\n      - id: no\n",
            "# pages\npages:\n- id: a\n  title: A\n\n- id: b\n  # c\n  title: B\n  body: |\n    - id: no\n",
        ] {
            let (pages, problems) = summary(text);
            assert_eq!(problems, vec![], "{text}");
            assert_eq!(
                pages,
                vec![
                    (3, keys(&[("id", 3), ("title", 4)])),
                    (6, keys(&[("id", 6), ("title", 8), ("body", 9)])),
                ],
                "{text}"
            );
        }
        let (pages, _) = summary("pages:\n  -\n    id: a\n  - {id: b}\n");
        assert_eq!(
            pages,
            vec![(2, keys(&[("id", 3)])), (4, keys(&[("id", 4)]))]
        );
        let (pages, _) = summary("pages: [{id: a}, {id: b}]\n");
        assert_eq!(
            pages,
            vec![(1, keys(&[("id", 1)])), (1, keys(&[("id", 1)]))]
        );
    }

    #[test]
    fn single_page() {
        let (pages, problems) = summary("title: A\nbody: |\n  # Hi\n");
        assert_eq!(problems, vec![]);
        assert_eq!(pages, vec![(1, keys(&[("title", 1), ("body", 2)]))]);
    }

    #[test]
    fn problems() {
        for (text, line, needle) in [
            ("", 1, "empty page file"),
            ("# nothing\n", 1, "empty page file"),
            ("- a\n", 1, "found a list"),
            ("title: [\n", 2, "invalid YAML"),
            ("title: A\ntitle: B\n", 2, "duplicate key `title`"),
            (
                "pages: {a: 1}\n",
                1,
                "`pages` must be a list of pages, found a mapping",
            ),
            ("title: A\npages: []\n", 1, "`title` beside `pages`"),
            (
                "pages:\n  - id: a\n  - title: B\n",
                3,
                "page #2 in `pages` has no `id`",
            ),
            (
                "pages:\n  - id: a\n  - just text\n",
                3,
                "page #2 in `pages` must be a mapping",
            ),
            ("pages:\n  - id: a\n    id: b\n", 3, "duplicate key `id`"),
        ] {
            let (_, problems) = summary(text);
            assert_eq!(problems.len(), 1, "{text}: {problems:?}");
            assert_eq!(problems[0].0, line, "{text}: {problems:?}");
            assert!(problems[0].1.contains(needle), "{text}: {}", problems[0].1);
        }
    }

    #[test]
    fn body_positions() {
        let text = "title: A\nbody: |\n  Intro\n\n  See [x](x.md)\nother: 1\n";
        let body = "Intro\n\nSee [x](x.md)\n";
        let key = Pos { line: 2, col: 1 };
        assert_eq!(body_pos(text, key, body, 11), Pos { line: 5, col: 7 });
        let text = "title: A\nbody: \"See [x](x.md)\"\n";
        assert_eq!(body_pos(text, key, "See [x](x.md)", 4), key);
    }
}
