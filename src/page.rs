//! Pages as drupal-sync sees them: the desired [`Page`] read from `content/`, the
//! [`RemotePage`] read from the site, and the identity rules that tie the two together
//! (CONTRACT §2: keys, default aliases, derived UUIDs and namespace ownership).
//!
//! Everything here is pure; nothing touches the filesystem or the network.

use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Where a page was defined: the file (as shown to the user) and the line its definition starts on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Source {
    /// Path as displayed, relative to the working directory where possible (`content/about.md`).
    pub path: String,
    /// 1-based line where the page starts (1 for a file; the list item's line in a `pages:` list).
    pub line: usize,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 1 {
            write!(f, "{}:{}", self.path, self.line)
        } else {
            f.write_str(&self.path)
        }
    }
}

/// A page as the content directory defines it: the state the site should reach.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Page {
    /// Stable key (CONTRACT §2): `id`, or the path under the content dir without extension.
    pub key: String,
    /// The node UUID: given with `uuid:` (adopted) or derived from (namespace, key).
    pub uuid: Uuid,
    /// True when the UUID came from `uuid:` (an existing node adopted, not owned by the namespace).
    pub adopted: bool,
    pub source: Source,
    pub title: String,
    /// URL alias, always starting with `/`.
    pub alias: String,
    /// Previous aliases (front matter `aliases`), used to find a renamed page where the API
    /// cannot look pages up by UUID (core REST).
    pub previous_aliases: Vec<String>,
    /// Published (`true`) or draft.
    pub published: bool,
    /// Whether the source set the status explicitly; an implicit status is not sent on create,
    /// because accounts without "administer nodes" may not send it (drupal-wire 48).
    pub status_explicit: bool,
    /// Rendered HTML of the body.
    pub body: String,
    /// Drupal text format of the body (`basic_html`, `full_html`, ...).
    pub format: String,
    /// Body summary; `None` when the source sets none.
    pub summary: Option<String>,
    /// `path: auto`: the site's pathauto pattern makes the alias; drupal-sync neither sends
    /// nor compares it (JSON:API only).
    #[serde(default)]
    pub alias_auto: bool,
    /// Menu entries, `linkTitle` and `weight` (CONTRACT §8); links are derived by `menu`.
    #[serde(default)]
    pub nav: crate::menu::Declared,
}

/// A basic page as the site reports it, reduced to the fields drupal-sync manages.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct RemotePage {
    pub uuid: Uuid,
    /// `drupal_internal__nid` (JSON:API) or `nid` (REST).
    pub nid: Option<u64>,
    /// Revision id, when the API reports it.
    pub vid: Option<u64>,
    pub title: String,
    pub alias: Option<String>,
    /// Path alias id: must be sent back when the alias changes, or Drupal adds a second alias.
    pub alias_pid: Option<u64>,
    pub published: bool,
    pub body: Option<String>,
    pub format: Option<String>,
    pub summary: Option<String>,
    /// `changed` timestamp as the site reports it (used to detect stale saved plans).
    pub changed: Option<String>,
    /// The current revision's log message: `Some("")` when empty, `None` when the site
    /// does not show revision logs to this account (drift cannot be told then).
    pub revision_log: Option<String>,
    /// `body.processed`: what visitors see after the text format's filters (drupal-wire §9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processed: Option<String>,
}

const NAMESPACE_DOMAIN: &[u8] = b"drupal-sync/namespace\0";
const KEY_DOMAIN: &[u8] = b"drupal-sync/key\0";

/// The first six bytes every UUID of `namespace` shares: `SHA-256("drupal-sync/namespace\0" + namespace)[0..6]`.
pub fn namespace_tag(namespace: &str) -> [u8; 6] {
    let digest = Sha256::new()
        .chain_update(NAMESPACE_DOMAIN)
        .chain_update(namespace.as_bytes())
        .finalize();
    let mut tag = [0u8; 6];
    tag.copy_from_slice(&digest[..6]);
    tag
}

/// The UUID (RFC 9562 version 8) of `key` in `namespace`, fixed by CONTRACT §2.
pub fn derive_uuid(namespace: &str, key: &str) -> Uuid {
    let k = Sha256::new()
        .chain_update(KEY_DOMAIN)
        .chain_update(namespace.as_bytes())
        .chain_update([0u8])
        .chain_update(key.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&namespace_tag(namespace));
    bytes[6..].copy_from_slice(&k[..10]);
    // Sets the version nibble to 8 and the variant bits to `10`, as §2 fixes.
    Uuid::new_v8(bytes)
}

/// Whether a remote node's UUID was derived for `namespace` (and so may be pruned by it).
pub fn belongs_to(uuid: &Uuid, namespace: &str) -> bool {
    let bytes = uuid.as_bytes();
    uuid.get_version_num() == 8 && bytes[8] & 0xc0 == 0x80 && bytes[..6] == namespace_tag(namespace)
}

/// The default alias of a key: `/` + key, each segment lowercased and every run of
/// characters outside `a-z 0-9 . _ ~ -` replaced by one `-`.
pub fn default_alias(key: &str) -> String {
    let mut alias = String::with_capacity(key.len() + 1);
    for segment in key.split('/') {
        alias.push('/');
        let mut in_run = false;
        for c in segment.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '~' | '-') {
                alias.push(c);
                in_run = false;
            } else if !in_run {
                alias.push('-');
                in_run = true;
            }
        }
    }
    alias
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_uuid_is_version_8_and_stable() {
        let a = derive_uuid("example-docs", "about");
        assert_eq!(a.get_version_num(), 8);
        assert_eq!(a, derive_uuid("example-docs", "about"));
        assert_ne!(a, derive_uuid("example-docs", "About"));
        assert_ne!(a, derive_uuid("other", "about"));
        assert_eq!(a.to_string(), a.to_string().to_lowercase());
    }

    #[test]
    fn derived_uuid_matches_the_contract_bytes() {
        // Recomputed independently from CONTRACT §2.
        let t = Sha256::digest(b"drupal-sync/namespace\0example-docs");
        let k = Sha256::digest(b"drupal-sync/key\0example-docs\0team/people");
        let u = derive_uuid("example-docs", "team/people");
        let b = u.as_bytes();
        assert_eq!(&b[..6], &t[..6]);
        assert_eq!(b[6] & 0x0f, k[0] & 0x0f);
        assert_eq!(b[6] >> 4, 8);
        assert_eq!(b[7], k[1]);
        assert_eq!(b[8] & 0x3f, k[2] & 0x3f);
        assert_eq!(b[8] >> 6, 0b10);
        assert_eq!(&b[9..], &k[3..10]);
    }

    #[test]
    fn ownership_is_by_namespace_prefix() {
        let u = derive_uuid("example-docs", "about");
        assert!(belongs_to(&u, "example-docs"));
        assert!(!belongs_to(&u, "example-doc"));
        assert!(!belongs_to(&Uuid::new_v4(), "example-docs"));
        let hand_made: Uuid = "1c50805e-7836-4667-acf3-34b82481c4eb".parse().unwrap();
        assert!(!belongs_to(&hand_made, "example-docs"));
    }

    #[test]
    fn default_alias_rules() {
        for (key, alias) in [
            ("about", "/about"),
            ("index", "/index"),
            ("Team/Our People", "/team/our-people"),
            ("docs/API  v2!!", "/docs/api-v2-"),
            ("a.b_c~d-e", "/a.b_c~d-e"),
            ("Über uns", "/-ber-uns"),
        ] {
            assert_eq!(default_alias(key), alias, "key {key:?}");
        }
    }
}
