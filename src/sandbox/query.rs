//! JSON:API collection query strings, parsed from the raw text (PHP-style `a[b][]=c` keys,
//! percent-decoding, repeated keys): filters, sorting, paging, sparse fieldsets, and the query
//! of the `self`/`next` links Drupal builds from them. Which field paths exist is the
//! resource's business (`jsonapi`), not this module's.

use std::cmp::Ordering;

use super::timestamp;

/// Largest page Drupal serves; larger `page[limit]`s are clamped.
pub(super) const MAX_LIMIT: usize = 50;

/// Decodes `%XX` escapes (and `+` as a space); invalid escapes stay as they are.
pub(super) fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let spaced;
    let text = if plus_is_space && text.contains('+') {
        spaced = text.replace('+', " ");
        spaced.as_str()
    } else {
        text
    };
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Percent-encodes like PHP's `rawurlencode`, optionally keeping `/` as Drupal's URL builder
/// does for values.
pub(super) fn encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The decoded `key=value` pairs of a query string, in order.
pub(super) fn pairs(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(key, true), percent_decode(value, true))
        })
        .collect()
}

/// Splits `filter[a][condition][value][]` into `["filter", "a", "condition", "value", ""]`;
/// a key without well-formed brackets is one segment.
pub(super) fn segments(key: &str) -> Vec<String> {
    let Some(open) = key.find('[') else {
        return vec![key.to_owned()];
    };
    let mut out = vec![key[..open].to_owned()];
    let mut rest = &key[open..];
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return vec![key.to_owned()];
        };
        out.push(inner[..close].to_owned());
        rest = &inner[close + 1..];
    }
    if rest.is_empty() {
        out
    } else {
        vec![key.to_owned()]
    }
}

/// A value of a resource field, as filters and sorts see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Scalar {
    /// Text; compared case-insensitively, like Drupal's default collation.
    Str(String),
    /// A number or a timestamp.
    Int(i64),
    /// A boolean; filter values `1`/`true` and `0`/`false`.
    Bool(bool),
    /// No value.
    Null,
}

/// A filter operator Drupal accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Operator {
    Eq,
    NotEq,
    Gt,
    Ge,
    Lt,
    Le,
    StartsWith,
    Contains,
    EndsWith,
    In,
    NotIn,
    Between,
    NotBetween,
    IsNull,
    IsNotNull,
}

impl Operator {
    fn parse(text: &str) -> Option<Operator> {
        Some(match text {
            "=" => Operator::Eq,
            "<>" => Operator::NotEq,
            ">" => Operator::Gt,
            ">=" => Operator::Ge,
            "<" => Operator::Lt,
            "<=" => Operator::Le,
            "STARTS_WITH" => Operator::StartsWith,
            "CONTAINS" => Operator::Contains,
            "ENDS_WITH" => Operator::EndsWith,
            "IN" => Operator::In,
            "NOT IN" => Operator::NotIn,
            "BETWEEN" => Operator::Between,
            "NOT BETWEEN" => Operator::NotBetween,
            "IS NULL" => Operator::IsNull,
            "IS NOT NULL" => Operator::IsNotNull,
            _ => return None,
        })
    }

    /// How many values the operator takes: (min, max).
    fn arity(self) -> (usize, usize) {
        match self {
            Operator::In | Operator::NotIn => (1, usize::MAX),
            Operator::Between | Operator::NotBetween => (2, 2),
            Operator::IsNull | Operator::IsNotNull => (0, usize::MAX),
            _ => (1, 1),
        }
    }
}

/// One filter condition; several conditions must all hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Condition {
    /// Field path, e.g. `id` or `body.value`.
    pub path: String,
    /// Comparison.
    pub operator: Operator,
    /// Values as sent.
    pub values: Vec<String>,
}

impl Condition {
    /// Whether a resource whose field holds `actual` passes; a null field only passes the
    /// null tests, as in SQL.
    pub(super) fn matches(&self, actual: &Scalar) -> bool {
        use Operator as Op;
        let cmp = |value: &String| compare_to(actual, value);
        let first = self.values.first().and_then(cmp);
        match self.operator {
            Op::IsNull => *actual == Scalar::Null,
            Op::IsNotNull => *actual != Scalar::Null,
            _ if *actual == Scalar::Null => false,
            Op::Eq => first == Some(Ordering::Equal),
            Op::NotEq => first.is_some_and(|o| o != Ordering::Equal),
            Op::Gt => first == Some(Ordering::Greater),
            Op::Ge => first.is_some_and(|o| o != Ordering::Less),
            Op::Lt => first == Some(Ordering::Less),
            Op::Le => first.is_some_and(|o| o != Ordering::Greater),
            Op::In => self.values.iter().any(|v| cmp(v) == Some(Ordering::Equal)),
            Op::NotIn => self
                .values
                .iter()
                .all(|v| cmp(v).is_some_and(|o| o != Ordering::Equal)),
            Op::Between | Op::NotBetween => {
                let low = first.is_some_and(|o| o != Ordering::Less);
                let high = self
                    .values
                    .get(1)
                    .and_then(cmp)
                    .is_some_and(|o| o != Ordering::Greater);
                (low && high) == (self.operator == Op::Between)
            }
            Op::StartsWith | Op::Contains | Op::EndsWith => {
                let text = match actual {
                    Scalar::Str(s) => s.to_lowercase(),
                    Scalar::Int(n) => n.to_string(),
                    Scalar::Bool(b) => i64::from(*b).to_string(),
                    Scalar::Null => return false,
                };
                let Some(value) = self.values.first().map(|v| v.to_lowercase()) else {
                    return false;
                };
                match self.operator {
                    Op::StartsWith => text.starts_with(&value),
                    Op::EndsWith => text.ends_with(&value),
                    _ => text.contains(&value),
                }
            }
        }
    }
}

/// Compares a field value with a filter value of the field's type; `None` when the filter
/// value cannot be read as that type.
fn compare_to(actual: &Scalar, value: &str) -> Option<Ordering> {
    match actual {
        Scalar::Str(s) => Some(cmp_caseless(s, value)),
        Scalar::Int(n) => {
            let value = value.trim();
            value
                .parse::<i64>()
                .ok()
                .or_else(|| timestamp::parse(value))
                .map(|v| n.cmp(&v))
        }
        Scalar::Bool(b) => {
            let value = match value.trim().to_ascii_lowercase().as_str() {
                "1" | "true" => true,
                "0" | "false" => false,
                _ => return None,
            };
            Some(b.cmp(&value))
        }
        Scalar::Null => None,
    }
}

/// Compares text case-insensitively without allocating (filters run once per node and value).
fn cmp_caseless(a: &str, b: &str) -> Ordering {
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

/// Orders two field values for `sort`: nulls first, text case-insensitively.
pub(super) fn compare(a: &Scalar, b: &Scalar) -> Ordering {
    match (a, b) {
        (Scalar::Null, Scalar::Null) => Ordering::Equal,
        (Scalar::Null, _) => Ordering::Less,
        (_, Scalar::Null) => Ordering::Greater,
        (Scalar::Str(a), Scalar::Str(b)) => cmp_caseless(a, b).then_with(|| a.cmp(b)),
        (Scalar::Int(a), Scalar::Int(b)) => a.cmp(b),
        (Scalar::Bool(a), Scalar::Bool(b)) => a.cmp(b),
        _ => Ordering::Equal,
    }
}

/// One `sort` criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SortKey {
    /// Field path.
    pub path: String,
    /// `-path`.
    pub descending: bool,
}

/// A query string Drupal rejects with 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum QueryError {
    /// An operator Drupal does not know.
    #[error("The \"{0}\" operator is not allowed in a filter parameter.")]
    Operator(String),
    /// Filter groups, which the sandbox does not implement.
    #[error("Filter groups (`filter[{0}][group]`, `memberOf`) are not supported by the sandbox.")]
    Group(String),
    /// A condition without a path.
    #[error("Filter `{0}` is missing a path.")]
    MissingPath(String),
    /// Too few or too many values for the operator.
    #[error("Filter `{0}` has the wrong number of values for its operator.")]
    Values(String),
    /// A `filter` or `sort` key of an unknown shape.
    #[error("The query parameter `{0}` is not valid.")]
    Malformed(String),
    /// A `page[offset]` or `page[limit]` that is not a number.
    #[error("The page {0} needs to be a non-negative integer.")]
    Page(&'static str),
}

/// A parsed collection request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Listing {
    /// Conditions, all of which must hold.
    pub filters: Vec<Condition>,
    /// Sort criteria, first one first; empty means by id.
    pub sort: Vec<SortKey>,
    /// Items to skip.
    pub offset: usize,
    /// Page size, at most [`MAX_LIMIT`].
    pub limit: usize,
    /// Sparse fieldset of the resource type, if any.
    pub fields: Option<Vec<String>>,
    /// The query as sent, `[]` numbered, for links.
    pairs: Vec<(Vec<String>, String)>,
}

#[derive(Default)]
struct Draft {
    path: Option<String>,
    operator: Option<String>,
    values: Vec<String>,
    short_form: bool,
}

impl Listing {
    /// Parses the raw query string of a collection of `resource_type`.
    pub(super) fn parse(raw: &str, resource_type: &str) -> Result<Listing, QueryError> {
        let pairs = numbered(pairs(raw));
        let mut drafts: Vec<(String, Draft)> = Vec::new();
        let mut listing = Listing {
            filters: Vec::new(),
            sort: Vec::new(),
            offset: 0,
            limit: MAX_LIMIT,
            fields: None,
            pairs: Vec::new(),
        };
        for (segments, value) in &pairs {
            let key = display_key(segments);
            match segments
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice()
            {
                ["filter", name, rest @ ..] => {
                    let index = match drafts.iter().position(|(n, _)| n == name) {
                        Some(index) => index,
                        None => {
                            drafts.push(((*name).to_owned(), Draft::default()));
                            drafts.len() - 1
                        }
                    };
                    draft_filter(&mut drafts[index].1, name, rest, value, &key)?;
                }
                ["sort"] => {
                    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        let (path, descending) = match part.strip_prefix('-') {
                            Some(path) => (path, true),
                            None => (part, false),
                        };
                        listing.sort.push(SortKey {
                            path: path.to_owned(),
                            descending,
                        });
                    }
                }
                ["sort", ..] | ["filter"] => return Err(QueryError::Malformed(key)),
                ["page", "offset"] => {
                    listing.offset = value
                        .trim()
                        .parse()
                        .map_err(|_| QueryError::Page("offset"))?;
                }
                ["page", "limit"] => {
                    let limit: usize = value
                        .trim()
                        .parse()
                        .map_err(|_| QueryError::Page("limit"))?;
                    listing.limit = limit.clamp(1, MAX_LIMIT);
                }
                ["fields", kind] if *kind == resource_type => {
                    listing.fields = Some(field_list(value));
                }
                _ => {}
            }
        }
        for (name, draft) in drafts {
            let path = match (draft.path, draft.short_form) {
                (Some(path), _) => path,
                (None, true) => name.clone(),
                (None, false) => return Err(QueryError::MissingPath(name)),
            };
            let operator_text = draft.operator.unwrap_or_else(|| "=".into());
            let operator =
                Operator::parse(&operator_text).ok_or(QueryError::Operator(operator_text))?;
            let (min, max) = operator.arity();
            if draft.values.len() < min || draft.values.len() > max {
                return Err(QueryError::Values(name));
            }
            listing.filters.push(Condition {
                path,
                operator,
                values: draft.values,
            });
        }
        listing.pairs = pairs;
        Ok(listing)
    }

    /// The query of the `self` link: top-level keys sorted, as Symfony normalizes it.
    pub(super) fn self_query(&self) -> String {
        let mut pairs: Vec<&(Vec<String>, String)> = self.pairs.iter().collect();
        pairs.sort_by(|a, b| a.0[0].cmp(&b.0[0]));
        join(&pairs)
    }

    /// The query of the link to the page at `offset`: the request's query with `page`
    /// replaced, as Drupal builds `next`.
    pub(super) fn page_query(&self, offset: usize) -> String {
        let page = [
            (
                vec!["page".to_owned(), "offset".to_owned()],
                offset.to_string(),
            ),
            (
                vec!["page".to_owned(), "limit".to_owned()],
                self.limit.to_string(),
            ),
        ];
        let at = self.pairs.iter().position(|(k, _)| k[0] == "page");
        let mut pairs: Vec<&(Vec<String>, String)> =
            self.pairs.iter().filter(|(k, _)| k[0] != "page").collect();
        let at = at.unwrap_or(pairs.len()).min(pairs.len());
        for (i, pair) in page.iter().enumerate() {
            pairs.insert(at + i, pair);
        }
        join(&pairs)
    }
}

/// The sparse fieldset for `resource_type` in a raw query string.
pub(super) fn sparse_fields(raw: &str, resource_type: &str) -> Option<Vec<String>> {
    let key = format!("fields[{resource_type}]");
    pairs(raw)
        .into_iter()
        .rev()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| field_list(&v))
}

fn field_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect()
}

fn draft_filter(
    draft: &mut Draft,
    name: &str,
    rest: &[&str],
    value: &str,
    key: &str,
) -> Result<(), QueryError> {
    let rest = match rest {
        [] => {
            draft.short_form = true;
            draft.values.push(value.to_owned());
            return Ok(());
        }
        ["condition", rest @ ..] => rest,
        ["group", ..] | ["memberOf"] => return Err(QueryError::Group(name.to_owned())),
        rest => {
            draft.short_form = true;
            rest
        }
    };
    match rest {
        ["path"] => draft.path = Some(value.to_owned()),
        ["operator"] => draft.operator = Some(value.to_owned()),
        ["value"] | ["value", _] => draft.values.push(value.to_owned()),
        ["memberOf"] => return Err(QueryError::Group(name.to_owned())),
        _ => return Err(QueryError::Malformed(key.to_owned())),
    }
    Ok(())
}

/// Splits keys into segments and numbers `[]` per parent, as PHP does when it parses a query.
fn numbered(pairs: Vec<(String, String)>) -> Vec<(Vec<String>, String)> {
    let mut counters: Vec<(Vec<String>, usize)> = Vec::new();
    pairs
        .into_iter()
        .map(|(key, value)| {
            let mut segments = segments(&key);
            for i in 1..segments.len() {
                if segments[i].is_empty() {
                    let parent = segments[..i].to_vec();
                    let next = match counters.iter_mut().find(|(p, _)| *p == parent) {
                        Some((_, n)) => {
                            *n += 1;
                            *n - 1
                        }
                        None => {
                            counters.push((parent, 1));
                            0
                        }
                    };
                    segments[i] = next.to_string();
                }
            }
            (segments, value)
        })
        .collect()
}

/// `a[b][c]` from its segments.
fn display_key(segments: &[String]) -> String {
    let mut key = segments[0].clone();
    for segment in &segments[1..] {
        key.push('[');
        key.push_str(segment);
        key.push(']');
    }
    key
}

fn join(pairs: &[&(Vec<String>, String)]) -> String {
    pairs
        .iter()
        .map(|(segments, value)| {
            format!(
                "{}={}",
                encode(&display_key(segments), false),
                encode(value, true)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(raw: &str) -> Listing {
        Listing::parse(raw, "node--page").unwrap()
    }

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("a%5Bb%5D+c%2Fd", true), "a[b] c/d");
        assert_eq!(percent_decode("a+b", false), "a+b");
        assert_eq!(percent_decode("100%", true), "100%");
        assert_eq!(percent_decode("%zz%4", true), "%zz%4");
        assert_eq!(percent_decode("%C3%BCber", false), "über");
        assert_eq!(percent_decode("%FF", false), "\u{FFFD}");
    }

    #[test]
    fn raw_pairs() {
        assert_eq!(
            pairs("page[limit]=2&&sort=-title&flag&x=a%3Db&x=2"),
            [
                ("page[limit]".to_owned(), "2".to_owned()),
                ("sort".into(), "-title".into()),
                ("flag".into(), String::new()),
                ("x".into(), "a=b".into()),
                ("x".into(), "2".into()),
            ]
        );
    }

    #[test]
    fn key_segments() {
        assert_eq!(
            segments("filter[f][condition][value][]"),
            ["filter", "f", "condition", "value", ""]
        );
        assert_eq!(segments("sort"), ["sort"]);
        assert_eq!(segments("a[b"), ["a[b"]);
        assert_eq!(segments("a[b]c"), ["a[b]c"]);
    }

    #[test]
    fn defaults_and_paging() {
        let default = listing("");
        assert_eq!(
            (default.offset, default.limit, default.fields.clone()),
            (0, 50, None)
        );
        assert!(default.filters.is_empty() && default.sort.is_empty());
        let paged = listing("page%5Boffset%5D=100&page[limit]=500");
        assert_eq!((paged.offset, paged.limit), (100, 50));
        assert_eq!(listing("page[limit]=0").limit, 1);
        assert_eq!(
            Listing::parse("page[limit]=ten", "node--page"),
            Err(QueryError::Page("limit"))
        );
        assert_eq!(
            Listing::parse("page[offset]=-1", "node--page"),
            Err(QueryError::Page("offset"))
        );
    }

    #[test]
    fn filters_in_every_form() {
        let condition = |path: &str, operator, values: &[&str]| Condition {
            path: path.into(),
            operator,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        };
        let cases = [
            ("filter[status]=1", vec![condition("status", Operator::Eq, &["1"])]),
            ("filter[t][value]=x&filter[t][operator]=CONTAINS&filter[t][path]=title", vec![condition("title", Operator::Contains, &["x"])]),
            ("filter[title][value]=x", vec![condition("title", Operator::Eq, &["x"])]),
            (
                "filter[f][condition][path]=id&filter[f][condition][operator]=IN&filter[f][condition][value][]=a&filter[f][condition][value][]=b",
                vec![condition("id", Operator::In, &["a", "b"])],
            ),
            (
                "filter%5Bf%5D%5Bcondition%5D%5Bpath%5D=id&filter%5Bf%5D%5Bcondition%5D%5Boperator%5D=NOT%20IN&filter%5Bf%5D%5Bcondition%5D%5Bvalue%5D%5B0%5D=a",
                vec![condition("id", Operator::NotIn, &["a"])],
            ),
            (
                "filter[a][condition][path]=title&filter[a][condition][operator]=STARTS_WITH&filter[a][condition][value]=Ab&filter[b][condition][path]=changed&filter[b][condition][operator]=%3E%3D&filter[b][condition][value]=5",
                vec![condition("title", Operator::StartsWith, &["Ab"]), condition("changed", Operator::Ge, &["5"])],
            ),
            ("filter[n][condition][path]=revision_log&filter[n][condition][operator]=IS+NULL", vec![condition("revision_log", Operator::IsNull, &[])]),
        ];
        for (raw, expected) in cases {
            assert_eq!(listing(raw).filters, expected, "{raw}");
        }
        let errors = [
            ("filter[f][condition][path]=id&filter[f][condition][operator]=LIKE&filter[f][condition][value]=x", QueryError::Operator("LIKE".into())),
            ("filter[f][condition][value]=x", QueryError::MissingPath("f".into())),
            ("filter[g][group][conjunction]=OR", QueryError::Group("g".into())),
            ("filter[f][condition][memberOf]=g&filter[f][condition][path]=id", QueryError::Group("f".into())),
            ("filter[f][condition][path]=id&filter[f][condition][value][]=a&filter[f][condition][value][]=b", QueryError::Values("f".into())),
            ("filter[f][condition][path]=id&filter[f][condition][operator]=BETWEEN&filter[f][condition][value]=a", QueryError::Values("f".into())),
            ("filter=x", QueryError::Malformed("filter".into())),
            ("sort[a][path]=title", QueryError::Malformed("sort[a][path]".into())),
            ("filter[f][condition][x]=1", QueryError::Malformed("filter[f][condition][x]".into())),
        ];
        for (raw, expected) in errors {
            assert_eq!(Listing::parse(raw, "node--page"), Err(expected), "{raw}");
        }
    }

    #[test]
    fn sort_and_fields() {
        let parsed = listing("sort=-drupal_internal__nid,%20title,&fields[node--page]=title,%20path&fields[user--user]=name");
        assert_eq!(
            parsed.sort,
            [
                SortKey {
                    path: "drupal_internal__nid".into(),
                    descending: true
                },
                SortKey {
                    path: "title".into(),
                    descending: false
                },
            ]
        );
        assert_eq!(
            parsed.fields,
            Some(vec!["title".to_owned(), "path".to_owned()])
        );
        assert_eq!(
            sparse_fields("fields%5Bnode--page%5D=title", "node--page"),
            Some(vec!["title".to_owned()])
        );
        assert_eq!(sparse_fields("x=1", "node--page"), None);
    }

    #[test]
    fn links_match_the_transcripts() {
        // Transcript 20.
        let twenty = listing("page[limit]=2&sort=drupal_internal__nid");
        assert_eq!(
            twenty.self_query(),
            "page%5Blimit%5D=2&sort=drupal_internal__nid"
        );
        assert_eq!(
            twenty.page_query(2),
            "page%5Boffset%5D=2&page%5Blimit%5D=2&sort=drupal_internal__nid"
        );
        // Transcript 41.
        let forty_one = listing(
            "filter[f][condition][path]=id&filter[f][condition][operator]=IN&filter[f][condition][value][]=aaaaaaaa-0000-8000-8000-000000000001&filter[f][condition][value][]=aaaaaaaa-0000-8000-8000-000000000002&fields[node--page]=title,path,body,status,changed,revision_log,drupal_internal__nid,drupal_internal__vid&page[limit]=50",
        );
        assert_eq!(
            forty_one.self_query(),
            "fields%5Bnode--page%5D=title%2Cpath%2Cbody%2Cstatus%2Cchanged%2Crevision_log%2Cdrupal_internal__nid%2Cdrupal_internal__vid&filter%5Bf%5D%5Bcondition%5D%5Bpath%5D=id&filter%5Bf%5D%5Bcondition%5D%5Boperator%5D=IN&filter%5Bf%5D%5Bcondition%5D%5Bvalue%5D%5B0%5D=aaaaaaaa-0000-8000-8000-000000000001&filter%5Bf%5D%5Bcondition%5D%5Bvalue%5D%5B1%5D=aaaaaaaa-0000-8000-8000-000000000002&page%5Blimit%5D=50"
        );
        // Transcript 43 keeps the slashes of values.
        let forty_three =
            Listing::parse("filter[path]=/node/13", "path_alias--path_alias").unwrap();
        assert_eq!(forty_three.self_query(), "filter%5Bpath%5D=/node/13");
        assert_eq!(
            listing("sort=title").page_query(50),
            "sort=title&page%5Boffset%5D=50&page%5Blimit%5D=50"
        );
    }

    #[test]
    fn matching() {
        let cond = |operator, values: &[&str]| Condition {
            path: "x".into(),
            operator,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        };
        let title = Scalar::Str("About Us".into());
        let nid = Scalar::Int(13);
        let yes = Scalar::Bool(true);
        let cases = [
            (cond(Operator::Eq, &["about us"]), &title, true),
            (cond(Operator::NotEq, &["about us"]), &title, false),
            (cond(Operator::StartsWith, &["ABOUT"]), &title, true),
            (cond(Operator::EndsWith, &["us"]), &title, true),
            (cond(Operator::Contains, &["t u"]), &title, true),
            (cond(Operator::In, &["x", "About Us"]), &title, true),
            (cond(Operator::NotIn, &["x", "y"]), &title, true),
            (cond(Operator::Gt, &["12"]), &nid, true),
            (cond(Operator::Le, &["12"]), &nid, false),
            (cond(Operator::Between, &["13", "20"]), &nid, true),
            (cond(Operator::NotBetween, &["13", "20"]), &nid, false),
            (cond(Operator::Eq, &["thirteen"]), &nid, false),
            (cond(Operator::NotEq, &["thirteen"]), &nid, false),
            (cond(Operator::Eq, &["1"]), &yes, true),
            (cond(Operator::Eq, &["false"]), &yes, false),
            (cond(Operator::Eq, &["x"]), &Scalar::Null, false),
            (cond(Operator::NotEq, &["x"]), &Scalar::Null, false),
            (cond(Operator::IsNull, &[]), &Scalar::Null, true),
            (cond(Operator::IsNotNull, &[]), &title, true),
        ];
        for (condition, actual, expected) in cases {
            assert_eq!(
                condition.matches(actual),
                expected,
                "{condition:?} on {actual:?}"
            );
        }
        // Timestamps filter by number or by date.
        let changed = Scalar::Int(1_795_981_949);
        assert!(cond(Operator::Ge, &["2026-11-29T00:00:00+00:00"]).matches(&changed));
        assert!(cond(Operator::Lt, &["1795981950"]).matches(&changed));
    }

    #[test]
    fn sort_order() {
        let mut values = [
            Scalar::Str("b".into()),
            Scalar::Null,
            Scalar::Str("A".into()),
        ];
        values.sort_by(compare);
        assert_eq!(
            values,
            [
                Scalar::Null,
                Scalar::Str("A".into()),
                Scalar::Str("b".into())
            ]
        );
    }
}
