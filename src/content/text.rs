//! File bytes → page text, and byte offsets → `line:col` positions.
//!
//! Owns the decoding rules every page file shares (UTF-8 only, no NUL, BOM stripped, line
//! endings normalised); knows nothing about pages, front matter or the filesystem.

use super::Problem;

/// A 1-based position in a file: line, and column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    /// The first character of a file.
    pub(crate) const START: Pos = Pos { line: 1, col: 1 };

    /// No place in a file: the problem concerns the whole path (shown as `path: error: …`).
    pub(crate) const NONE: Pos = Pos { line: 0, col: 0 };

    /// The first column of `line`.
    pub(crate) fn line(line: usize) -> Pos {
        Pos { line, col: 1 }
    }
}

/// Decode a page file: strip a UTF-8 BOM, reject invalid UTF-8 and NUL bytes, and turn
/// `\r\n` and lone `\r` into `\n`.
///
/// Normalising line endings moves no character to another line or column (a `\r` is always
/// the last character of its line), so positions computed on the result are positions in the
/// file as an editor shows it.
pub(super) fn decode(bytes: &[u8]) -> Result<String, Problem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let valid = &bytes[..err.valid_up_to()];
            // The prefix is valid UTF-8 by construction.
            let prefix = normalize_newlines(std::str::from_utf8(valid).unwrap_or_default());
            let pos = LineIndex::new(&prefix).position(prefix.len());
            return Err(Problem::error(
                pos,
                "invalid UTF-8: page files must be UTF-8 encoded (is this a binary file?)",
            ));
        }
    };
    let text = normalize_newlines(text);
    if let Some(offset) = text.find('\0') {
        let pos = LineIndex::new(&text).position(offset);
        return Err(Problem::error(
            pos,
            "file contains a NUL byte (is this a binary file?)",
        ));
    }
    Ok(text)
}

fn normalize_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_owned();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Maps byte offsets of one text to [`Pos`]itions, in O(log lines) each.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Index the line starts of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The position of byte `offset` (clamped to the text, rounded down to a character).
    pub(crate) fn position(&self, offset: usize) -> Pos {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line - 1];
        let col = self.text[start..offset].chars().count() + 1;
        Pos { line, col }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let text = "ab\nçd\n\nx";
        let index = LineIndex::new(text);
        for (offset, line, col) in [
            (0, 1, 1),
            (1, 1, 2),
            (2, 1, 3),
            (3, 2, 1),
            (5, 2, 2), // after the two-byte `ç`
            (4, 2, 1), // inside `ç`: rounded down
            (7, 3, 1),
            (8, 4, 1),
            (9, 4, 2),
            (99, 4, 2),
        ] {
            assert_eq!(index.position(offset), Pos { line, col }, "offset {offset}");
        }
    }

    #[test]
    fn decoding() {
        for (bytes, expected) in [
            (&b"a\r\nb\r\n"[..], Ok("a\nb\n")),
            (b"\xEF\xBB\xBFtitle", Ok("title")),
            (b"a\rb", Ok("a\nb")),
            (b"", Ok("")),
            (b"ok\r\nbad \xFF here", Err((2, 5, "invalid UTF-8"))),
            (b"\xEF\xBB\xBF\xC3", Err((1, 1, "invalid UTF-8"))),
            (b"caf\xC3\xA9 \xC3", Err((1, 6, "invalid UTF-8"))),
            (b"a\n\nb\0c", Err((3, 2, "NUL byte"))),
        ] {
            let got = decode(bytes).map_err(|p| (p.pos.line, p.pos.col, p.message));
            match (got, expected) {
                (Ok(text), Ok(want)) => assert_eq!(text, want),
                (Err((line, col, message)), Err((l, c, needle))) => {
                    assert_eq!((line, col), (l, c), "{bytes:?}");
                    assert!(message.contains(needle), "{message}");
                }
                (got, want) => panic!("{bytes:?}: got {got:?}, want {want:?}"),
            }
        }
    }
}
