//! Request counters behind `GET /_sandbox/stats`, keyed by route (method and path with ids
//! replaced by `{id}`), so tests can assert how many requests a command made.

use std::collections::BTreeMap;

/// Requests served, as `GET /_sandbox/stats` answers them.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    /// Every counted request.
    pub total: u64,
    /// Counts per route, e.g. `"PATCH /jsonapi/node/page/{id}": 3`.
    pub by_route: BTreeMap<String, u64>,
}

impl Stats {
    /// Counts one request.
    pub(crate) fn record(&mut self, method: &str, path: &str) {
        self.total += 1;
        *self.by_route.entry(route_key(method, path)).or_default() += 1;
    }
}

/// `METHOD /path` with every UUID and all-digit segment replaced by `{id}`.
pub(crate) fn route_key(method: &str, path: &str) -> String {
    let path: Vec<&str> = path
        .split('/')
        .map(|segment| {
            let digits = !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit());
            if digits || is_uuid(segment) {
                "{id}"
            } else {
                segment
            }
        })
        .collect();
    let path = path.join("/");
    if path.is_empty() {
        format!("{method} /")
    } else {
        format!("{method} {path}")
    }
}

/// Whether `s` is a hyphenated 8-4-4-4-12 hex UUID, the only form Drupal accepts.
pub(crate) fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_keys() {
        let cases = [
            ("GET", "/jsonapi/node/page", "GET /jsonapi/node/page"),
            (
                "PATCH",
                "/jsonapi/node/page/aaaaaaaa-0000-8000-8000-000000000001",
                "PATCH /jsonapi/node/page/{id}",
            ),
            ("GET", "/node/13", "GET /node/{id}"),
            ("GET", "/team/people", "GET /team/people"),
            ("GET", "/v2/node", "GET /v2/node"),
            ("GET", "/", "GET /"),
            ("GET", "", "GET /"),
            (
                "GET",
                "/jsonapi/node/page/not-a-uuid",
                "GET /jsonapi/node/page/not-a-uuid",
            ),
        ];
        for (method, path, expected) in cases {
            assert_eq!(route_key(method, path), expected);
        }
    }

    #[test]
    fn counts_per_route() {
        let mut stats = Stats::default();
        stats.record("GET", "/node/1");
        stats.record("GET", "/node/2");
        stats.record("POST", "/rest_api/id_token");
        assert_eq!(stats.total, 3);
        assert_eq!(stats.by_route["GET /node/{id}"], 2);
        assert_eq!(stats.by_route["POST /rest_api/id_token"], 1);
    }

    #[test]
    fn uuids() {
        assert!(is_uuid("2384dabc-4ce1-478c-9142-0f00ecc5f68c"));
        assert!(is_uuid("2384DABC-4CE1-478C-9142-0F00ECC5F68C"));
        assert!(!is_uuid("2384dabc4ce1478c91420f00ecc5f68c"));
        assert!(!is_uuid("2384dabc-4ce1-478c-9142-0f00ecc5f68g"));
        assert!(!is_uuid("not-a-uuid"));
    }
}
