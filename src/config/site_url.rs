//! [`SiteUrl`]: the site's base URL, checked once (`https://`, or `http://` on loopback; no
//! credentials, query or fragment) and kept without a trailing slash, so that joining a
//! site path, showing the site in a report and comparing a saved plan's site all agree on
//! one spelling: `https://example.com`, `https://example.com/drupal`.

use std::fmt;

use url::Url;

use super::ConfigError;

/// The base URL of a Drupal site (possibly in a subdirectory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteUrl {
    url: Url,
    /// `url` without the trailing slash.
    text: String,
}

impl SiteUrl {
    /// Parse a site URL, refusing plain `http://` except on loopback, and credentials.
    pub fn parse(raw: &str) -> Result<SiteUrl, ConfigError> {
        let mut url = Url::parse(raw.trim())
            .map_err(|e| ConfigError::Setting(format!("invalid site url `{raw}`: {e}")))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(ConfigError::Setting(format!(
                    "refusing plain http for `{raw}`: credentials would cross the network unencrypted\n  hint: use https:// (http:// is only allowed for localhost)"
                )))
            }
            other => {
                return Err(ConfigError::Setting(format!(
                    "unsupported url scheme `{other}` in `{raw}`; use https://"
                )))
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ConfigError::Setting(
                "the site url must not contain credentials; use [auth] and DRUPAL_SYNC_PASSWORD"
                    .into(),
            ));
        }
        url.set_query(None);
        url.set_fragment(None);
        let trimmed = url.path().trim_end_matches('/').to_owned();
        url.set_path(&trimmed);
        // An empty path reads back as `/`: the one trailing slash this type removes.
        let text = url.as_str().trim_end_matches('/').to_owned();
        Ok(SiteUrl { url, text })
    }

    /// The URL without a trailing slash: `https://example.com/drupal`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parsed URL (its origin, its host).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The host name or address.
    pub fn host(&self) -> &str {
        self.url.host_str().unwrap_or_default()
    }

    /// The absolute URL of a site path (`/jsonapi/node/page?…`), as text.
    pub fn join(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.text)
    }

    /// The absolute URL of a site path without a query (`/oauth/token`).
    pub fn endpoint(&self, path: &str) -> Url {
        let mut url = self.url.clone();
        url.set_path(&format!("{}{path}", self.url.path().trim_end_matches('/')));
        url
    }
}

impl fmt::Display for SiteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_spelling_with_or_without_trailing_slashes() {
        for (raw, text) in [
            ("https://example.com", "https://example.com"),
            ("https://example.com/", "https://example.com"),
            ("https://example.com/drupal", "https://example.com/drupal"),
            ("https://example.com/drupal//", "https://example.com/drupal"),
            (
                " https://example.com/drupal/?q=1#top ",
                "https://example.com/drupal",
            ),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ] {
            let url = SiteUrl::parse(raw).unwrap();
            assert_eq!(url.as_str(), text, "{raw}");
            assert_eq!(url.to_string(), text, "{raw}");
            assert_eq!(
                url.join("/jsonapi/node/page?x=1"),
                format!("{text}/jsonapi/node/page?x=1")
            );
            assert_eq!(
                url.endpoint("/oauth/token").as_str(),
                format!("{text}/oauth/token")
            );
        }
        assert_eq!(
            SiteUrl::parse("https://example.com/").unwrap(),
            SiteUrl::parse("https://example.com").unwrap()
        );
    }

    #[test]
    fn host_of_the_site() {
        assert_eq!(
            SiteUrl::parse("https://www.example.com:8443/d")
                .unwrap()
                .host(),
            "www.example.com"
        );
    }
}
