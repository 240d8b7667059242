//! Front matter of a Markdown page: split it from the body, parse it into entries positioned
//! in the whole file.
//!
//! YAML between `---` lines or TOML between `+++` lines at the very start of the file, or
//! none. Which keys mean what is [`super::fields`]'s business, not this module's.

use super::fields::Entry;
use super::text::Pos;
use super::value::{self, KeyLines, Syntax, Value};
use super::Problem;

/// A front matter block: its syntax and its text, without the delimiter lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Block<'a> {
    pub syntax: Syntax,
    pub text: &'a str,
    /// The file line the block's text starts on (the line after the opening delimiter).
    pub first_line: usize,
}

/// A Markdown file cut in two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Split<'a> {
    pub front: Option<Block<'a>>,
    pub body: &'a str,
    /// Byte offset of `body` in the file text, to position problems found in the body.
    pub body_offset: usize,
}

/// Split decoded text (`\n` line endings) into front matter and body.
pub(super) fn split(text: &str) -> Result<Split<'_>, Problem> {
    let first = text.split('\n').next().unwrap_or_default();
    let (syntax, delimiter) = match first.trim_end() {
        "---" => (Syntax::Yaml, "---"),
        "+++" => (Syntax::Toml, "+++"),
        _ => {
            return Ok(Split {
                front: None,
                body: text,
                body_offset: 0,
            })
        }
    };
    let start = (first.len() + 1).min(text.len());
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        if line.trim_end() == delimiter {
            let body_offset = offset + line.len();
            return Ok(Split {
                front: Some(Block {
                    syntax,
                    text: &text[start..offset],
                    first_line: 2,
                }),
                body: &text[body_offset..],
                body_offset,
            });
        }
        offset += line.len();
    }
    Err(Problem::error(
        Pos::START,
        format!(
            "front matter opened with `{delimiter}` is never closed; \
             add a `{delimiter}` line after the last key"
        ),
    ))
}

/// Parse a block into its top-level entries, positioned in the whole file.
pub(super) fn parse(block: &Block) -> Result<Vec<Entry>, Problem> {
    let parsed = match block.syntax {
        Syntax::Yaml => value::from_yaml(block.text),
        Syntax::Toml => value::from_toml(block.text),
    };
    let name = match block.syntax {
        Syntax::Yaml => "YAML",
        Syntax::Toml => "TOML",
    };
    let offset_line = block.first_line - 1;
    let value = parsed.map_err(|err| {
        Problem::error(
            Pos {
                line: err.pos.line + offset_line,
                col: err.pos.col,
            },
            format!(
                "invalid {name} front matter: {}",
                err.describe(block.first_line)
            ),
        )
    })?;
    let map = match value {
        Value::Map(map) => map,
        Value::Null => Vec::new(),
        other => {
            return Err(Problem::error(
                Pos::line(block.first_line),
                format!(
                    "front matter must be a mapping of keys to values, found {}",
                    other.kind()
                ),
            ))
        }
    };
    let keys = KeyLines::new(block.text.lines(), block.first_line, block.syntax);
    Ok(entries(map, &keys, Pos::line(block.first_line)))
}

/// Attach to each key of `map` the position where `keys` found it.
pub(super) fn entries(map: Vec<(String, Value)>, keys: &KeyLines, fallback: Pos) -> Vec<Entry> {
    map.into_iter()
        .map(|(key, value)| Entry {
            pos: keys.pos(&key, fallback),
            key,
            value,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitting() {
        // (text, front matter text or None, body); `Err` for an unclosed block.
        for (text, want) in [
            (
                "---\ntitle: A\n---\nbody\n",
                Ok((Some("title: A\n"), "body\n")),
            ),
            (
                "+++\ntitle = \"A\"\n+++\n# H\n",
                Ok((Some("title = \"A\"\n"), "# H\n")),
            ),
            ("---\n---\n", Ok((Some(""), ""))),
            ("---\ntitle: A\n---", Ok((Some("title: A\n"), ""))),
            ("---  \ntitle: A\n---\t\nx", Ok((Some("title: A\n"), "x"))),
            ("# Only a body\n---\n", Ok((None, "# Only a body\n---\n"))),
            ("", Ok((None, ""))),
            ("--- title: A\n", Ok((None, "--- title: A\n"))),
            ("\n---\na: b\n---\n", Ok((None, "\n---\na: b\n---\n"))),
            ("---\ntitle: A\n", Err("`---` is never closed")),
            ("---", Err("`---` is never closed")),
            ("+++\ntitle = 1\n---\n", Err("`+++` is never closed")),
        ] {
            let got = split(text);
            match (got, want) {
                (Ok(split), Ok((front, body))) => {
                    assert_eq!(split.front.as_ref().map(|b| b.text), front, "{text:?}");
                    assert_eq!(split.body, body, "{text:?}");
                    assert_eq!(&text[split.body_offset..], body, "{text:?}");
                }
                (Err(problem), Err(needle)) => {
                    assert_eq!(problem.pos, Pos::START);
                    assert!(problem.message.contains(needle), "{}", problem.message);
                }
                (got, want) => panic!("{text:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn errors_are_positioned_in_the_whole_file() {
        for (text, line, col, needle) in [
            (
                "---\ntitle: A\npath: [\n---\n",
                4,
                1,
                "invalid YAML front matter",
            ),
            ("---\ntitle: A\n  bad: indent\n---\n", 3, 6, "invalid YAML"),
            (
                "---\ntitle: A\ntitle: B\n---\n",
                3,
                1,
                "duplicate key `title`",
            ),
            (
                "+++\ntitle = \"A\"\ntitle = \"B\"\n+++\n",
                3,
                1,
                "duplicate key",
            ),
            ("+++\ntitle = \n+++\n", 2, 9, "invalid TOML front matter"),
            ("---\n- a\n- b\n---\n", 2, 1, "must be a mapping"),
            ("---\njust text\n---\n", 2, 1, "found a string"),
        ] {
            let split = split(text).unwrap();
            let problem = parse(split.front.as_ref().unwrap()).unwrap_err();
            assert_eq!(
                (problem.pos.line, problem.pos.col),
                (line, col),
                "{text:?}: {}",
                problem.message
            );
            assert!(problem.message.contains(needle), "{}", problem.message);
        }
    }

    #[test]
    fn entries_know_their_lines() {
        for text in [
            "---\n# comment\ntitle: A\nstatus: draft\n---\n",
            "+++\n# comment\ntitle = \"A\"\nstatus = \"draft\"\n+++\n",
        ] {
            let split = split(text).unwrap();
            let entries = parse(split.front.as_ref().unwrap()).unwrap();
            let lines: Vec<_> = entries
                .iter()
                .map(|e| (e.key.as_str(), e.pos.line))
                .collect();
            assert!(lines.contains(&("title", 3)), "{lines:?}");
            assert!(lines.contains(&("status", 4)), "{lines:?}");
        }
    }
}
