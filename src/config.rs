//! `drupal-sync.toml` → [`Config`] (pure [`Config::parse`], thin [`Config::from_file`] and
//! [`find`]), then config + environment + flags → [`Settings`], resolved once. Nothing
//! downstream reads clap types or the environment.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::content::{ContentOptions, Flavor, GeneratorOptions, ShortcodeMode};
use crate::secret::Secret;

mod site_url;
pub use site_url::SiteUrl;

/// The config file's name, looked up in the working directory and its parents.
pub const FILE_NAME: &str = "drupal-sync.toml";

/// Which Drupal API pages are written through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// JSON:API (`/jsonapi/node/{bundle}`), the default.
    #[default]
    Jsonapi,
    /// Core REST (`/node?_format=json`).
    Rest,
}

impl Api {
    /// The name used in config files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Api::Jsonapi => "jsonapi",
            Api::Rest => "rest",
        }
    }
}

/// How drupal-sync authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// miniOrange REST & JSON API Authentication: `POST /rest_api/id_token`.
    #[default]
    Miniorange,
    /// contrib jwt: `POST /jwt/token`.
    Jwt,
    /// `simple_oauth`: `POST /oauth/token`.
    Oauth,
    /// Basic credentials on every request (no token).
    Basic,
    /// A bearer token from `DRUPAL_SYNC_TOKEN`.
    Token,
}

/// The parsed config file, as written (defaults applied, nothing resolved).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub site: SiteConfig,
    pub auth: AuthConfig,
    pub content: ContentConfig,
    pub sync: SyncConfig,
    pub files: FilesConfig,
    pub menus: MenusConfig,
    /// The file's name and text, kept to locate problems found after parsing.
    #[serde(skip)]
    origin: Origin,
}

/// `[menus]` (CONTRACT §8).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MenusConfig {
    /// A menu every page joins, nested as its folders; empty: none.
    pub folders: String,
}

/// Where a parsed config came from: enough to point at a key's line later.
#[derive(Debug, Clone, Default)]
struct Origin {
    path: String,
    text: String,
}

/// `[site]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    pub url: Option<String>,
    pub api: Api,
    pub bundle: String,
    pub namespace: Option<String>,
    /// PEM file of certificate authorities to trust besides the system's (a private CA).
    pub ca_file: Option<PathBuf>,
}

impl Default for SiteConfig {
    fn default() -> Self {
        Self {
            url: None,
            api: Api::Jsonapi,
            bundle: "page".into(),
            namespace: None,
            ca_file: None,
        }
    }
}

/// `[auth]`. Secret keys are accepted by the parser only to be refused with a clear error.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    pub provider: Provider,
    pub username: Option<String>,
    pub token_path: Option<String>,
    pub header: Option<String>,
    pub application: Option<String>,
    pub client_id: Option<String>,
    #[serde(skip_serializing)]
    password: Option<toml::Spanned<toml::Value>>,
    #[serde(skip_serializing)]
    token: Option<toml::Spanned<toml::Value>>,
    #[serde(skip_serializing)]
    client_secret: Option<toml::Spanned<toml::Value>>,
}

/// `[content]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContentConfig {
    pub dir: PathBuf,
    pub format: String,
    pub exclude: Vec<String>,
    /// The static-site generator the content was written for (CONTRACT §9).
    pub flavor: Flavor,
    /// `remove` (default) or `keep` shortcodes and Liquid tags.
    pub shortcodes: ShortcodeMode,
    /// Headings get `id`s (default `true`).
    pub heading_ids: bool,
}

impl Default for ContentConfig {
    fn default() -> Self {
        Self {
            dir: "content".into(),
            format: "basic_html".into(),
            exclude: Vec::new(),
            flavor: Flavor::Auto,
            shortcodes: ShortcodeMode::Remove,
            heading_ids: true,
        }
    }
}

/// `[sync]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    pub parallelism: usize,
    pub timeout_secs: u64,
    pub revision_log: String,
    pub max_prune: usize,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            parallelism: 8,
            timeout_secs: 30,
            revision_log: "drupal-sync".into(),
            max_prune: 10,
        }
    }
}

/// `[files]`: where uploads of local images and files go (CONTRACT §7).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilesConfig {
    /// `ENTITY/BUNDLE/FIELD` images are uploaded through; empty: none.
    pub images: String,
    /// `ENTITY/BUNDLE/FIELD` other files are uploaded through; empty: linking one is an error.
    pub documents: String,
    pub max_size_mb: u64,
}

impl Default for FilesConfig {
    fn default() -> Self {
        Self {
            images: "node/article/field_image".into(),
            documents: String::new(),
            max_size_mb: 32,
        }
    }
}

/// A problem with the configuration, located in its file where possible.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}:{line}:{col}: {message}")]
    Invalid {
        path: String,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("cannot read `{path}`")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("no {FILE_NAME} found in `{0}` or any parent directory\n  hint: run `drupal-sync init`, or pass `-c FILE`")]
    NotFound(String),
    #[error("{0}")]
    Setting(String),
}

const SECTIONS: &[&str] = &["site", "auth", "content", "sync", "files", "menus"];
const KEYS: &[(&str, &[&str])] = &[
    ("site", &["url", "api", "bundle", "namespace", "ca_file"]),
    (
        "auth",
        &[
            "provider",
            "username",
            "token_path",
            "header",
            "application",
            "client_id",
        ],
    ),
    (
        "content",
        &[
            "dir",
            "format",
            "exclude",
            "flavor",
            "shortcodes",
            "heading_ids",
        ],
    ),
    (
        "sync",
        &["parallelism", "timeout_secs", "revision_log", "max_prune"],
    ),
    ("files", &["images", "documents", "max_size_mb"]),
    ("menus", &["folders"]),
];

impl Config {
    /// Parse the text of a config file; `path` only names the file in errors.
    pub fn parse(text: &str, path: &str) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let (line, col) = e
                .span()
                .map(|span| line_col(text, span.start))
                .unwrap_or((1, 1));
            ConfigError::Invalid {
                path: path.to_owned(),
                line,
                col,
                message: explain(e.message(), text, e.span()),
            }
        })?;
        let refused = [
            (
                &config.auth.password,
                "password",
                "set DRUPAL_SYNC_PASSWORD or pass --password-stdin",
            ),
            (&config.auth.token, "token", "set DRUPAL_SYNC_TOKEN"),
            (
                &config.auth.client_secret,
                "client_secret",
                "set DRUPAL_SYNC_CLIENT_SECRET",
            ),
        ];
        for (value, key, hint) in refused {
            if let Some(value) = value {
                let (line, col) = line_col(text, value.span().start);
                return Err(ConfigError::Invalid {
                    path: path.to_owned(),
                    line,
                    col,
                    message: format!(
                        "`auth.{key}` must not be stored in the config file (it would be committed to git)\n  hint: remove it and {hint}"
                    ),
                });
            }
        }
        config.origin = Origin {
            path: path.to_owned(),
            text: text.to_owned(),
        };
        if config.sync.parallelism == 0 {
            return Err(config.error_at(
                "sync",
                "parallelism",
                "`[sync].parallelism` must be at least 1: it is the number of concurrent writes"
                    .into(),
            ));
        }
        for pattern in &config.content.exclude {
            if let Err(e) = globset::Glob::new(pattern) {
                return Err(config.error_at(
                    "content",
                    "exclude",
                    format!(
                        "invalid glob `{pattern}` in `[content].exclude`: {}",
                        e.kind()
                    ),
                ));
            }
        }
        Ok(config)
    }

    /// An error located at `key` of `[section]` in the file (at the section, or the file's
    /// start, when the key is not written there).
    pub fn error_at(&self, section: &str, key: &str, message: String) -> ConfigError {
        let (line, col) = locate_key(&self.origin.text, section, key).unwrap_or((1, 1));
        ConfigError::Invalid {
            path: self.origin.path.clone(),
            line,
            col,
            message,
        }
    }

    /// Whether `[section].key` is written in the file (rather than defaulted).
    pub fn is_set(&self, section: &str, key: &str) -> bool {
        locate_key(&self.origin.text, section, key).is_some()
    }

    /// Read and parse a config file.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Config::parse(&text, &path.display().to_string())
    }
}

/// The config file in `start` or its nearest parent that has one.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Line and column (1-based) of `key` in `[section]` of a config file's text, written as
/// `key = …` (also with a dotted `section.key` at the top level); `None` when absent.
fn locate_key(text: &str, section: &str, key: &str) -> Option<(usize, usize)> {
    let mut current = String::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with('[') && !trimmed.starts_with("[[") {
            current = trimmed
                .trim_end()
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned();
            continue;
        }
        let Some((name, _)) = trimmed.split_once('=') else {
            continue;
        };
        let name = name.trim().trim_matches('"');
        let dotted = format!("{section}.{key}");
        if (current == section && name == key) || (current.is_empty() && name == dotted) {
            return Some((index + 1, indent + 1));
        }
    }
    None
}

/// The 1-based line and column (in characters) of byte `offset`, as page files count them.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let pos = crate::content::LineIndex::new(text).position(offset);
    (pos.line, pos.col)
}

/// Turn toml's unknown-field message into ours, with the nearest known key as a hint.
fn explain(message: &str, text: &str, span: Option<std::ops::Range<usize>>) -> String {
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        return explain_type(rest, text, span);
    }
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_owned();
    };
    let unknown = rest.split('`').next().unwrap_or_default();
    let section = span.and_then(|s| enclosing_section(text, s.start));
    let candidates: Vec<&str> = match section.as_deref() {
        Some(section) => KEYS
            .iter()
            .find(|(name, _)| *name == section)
            .map(|(_, keys)| keys.to_vec())
            .unwrap_or_default(),
        None => SECTIONS.to_vec(),
    };
    let place = section.map_or_else(|| "at the top level".to_owned(), |s| format!("in [{s}]"));
    let mut out = format!("unknown key `{unknown}` {place}");
    if let Some(best) = nearest(unknown, &candidates) {
        out.push_str(&format!("\n  hint: did you mean `{best}`?"));
    } else if !candidates.is_empty() {
        out.push_str(&format!("\n  hint: known keys: {}", candidates.join(", ")));
    }
    out
}

/// serde's `invalid type: string "8", expected usize` in words a config author uses, naming
/// the key, e.g. "`[sync].parallelism` must be a whole number, not the string \"8\"".
fn explain_type(rest: &str, text: &str, span: Option<std::ops::Range<usize>>) -> String {
    let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
    let expected = match expected.trim() {
        "usize" | "u64" | "u32" | "u16" | "u8" | "i64" | "i32" => "a whole number",
        "a boolean" => "`true` or `false`",
        "a string" => "a string in quotes",
        "a sequence" => "a list such as [\"a\", \"b\"]",
        other => other,
    };
    let found = found
        .strip_prefix("string ")
        .map_or_else(|| found.to_owned(), |value| format!("the string {value}"));
    let key = span.and_then(|span| {
        let line_start = text[..span.start.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let line = text[line_start..].lines().next().unwrap_or_default();
        let name = line.split_once('=')?.0.trim().trim_matches('"');
        let section = enclosing_section(text, span.start);
        Some(match section {
            Some(section) => format!("`[{section}].{name}`"),
            None => format!("`{name}`"),
        })
    });
    match key {
        Some(key) => format!("{key} must be {expected}, not {found}"),
        None => format!("expected {expected}, found {found}"),
    }
}

fn enclosing_section(text: &str, offset: usize) -> Option<String> {
    let line_start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    if text[line_start..].trim_start().starts_with('[') {
        // The unknown key is a table header itself: it belongs to the top level.
        return None;
    }
    text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && !l.starts_with("[["))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_owned())
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Everything a command needs, resolved once from the config file, environment and flags.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The config file that was read.
    pub config_path: PathBuf,
    /// The site's base URL (`None` until a command needs one).
    pub base_url: Option<SiteUrl>,
    /// Where `base_url` came from, for errors: "`[site].url` in `drupal-sync.toml`" or
    /// "`DRUPAL_SYNC_URL`".
    pub url_source: String,
    /// Extra certificate authorities to trust (`[site].ca_file`, relative to the config file).
    pub ca_file: Option<PathBuf>,
    pub api: Api,
    pub bundle: String,
    pub namespace: String,
    pub auth: AuthSettings,
    pub content: ContentOptions,
    pub parallelism: usize,
    pub timeout: Duration,
    pub revision_log: String,
    pub max_prune: usize,
    /// `[files]`, resolved.
    pub files: crate::files::FileSettings,
    /// `[menus]`.
    pub menus: crate::menu::MenuOptions,
    /// `--on-drift` (default: overwrite).
    pub on_drift: crate::plan::OnDrift,
    /// `--prune`: delete the namespace's pages (and menu links) the content no longer has.
    pub prune: bool,
}

/// Resolved authentication settings; secrets only as [`Secret`].
#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub provider: Provider,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub token: Option<Secret>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub token_path: Option<String>,
    pub header: Option<String>,
    pub application: Option<String>,
}

/// Flags that override the config file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub parallelism: Option<usize>,
    pub strict: bool,
    /// A password read from standard input (`--password-stdin`).
    pub password: Option<Secret>,
    /// `--on-drift`.
    pub on_drift: crate::plan::OnDrift,
    /// `--prune`.
    pub prune: bool,
}

impl Settings {
    /// Combine a parsed config (found at `config_path`) with the environment (`env`) and flags.
    pub fn resolve(
        config: &Config,
        config_path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
        overrides: Overrides,
    ) -> Result<Settings, ConfigError> {
        let base_dir = config_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let env_nonempty = |name: &str| env(name).filter(|v| !v.is_empty());

        let from_env = env_nonempty("DRUPAL_SYNC_URL");
        let url_source = if from_env.is_some() {
            "`DRUPAL_SYNC_URL`".to_owned()
        } else {
            format!("`[site].url` in `{}`", config_path.display())
        };
        let url = from_env.or(config.site.url.clone());
        let base_url = url.map(|u| parse_base_url(&u)).transpose()?;

        let namespace = config.site.namespace.clone().filter(|n| !n.trim().is_empty()).ok_or_else(|| {
            ConfigError::Setting(format!(
                "`{}`: `[site].namespace` is required: it names this content set and is part of every page's UUID\n  hint: set e.g. namespace = \"my-site-docs\" and never change it after the first apply",
                config_path.display()
            ))
        })?;
        if overrides.parallelism == Some(0) {
            return Err(ConfigError::Setting(
                "`--parallelism` must be at least 1: it is the number of concurrent writes".into(),
            ));
        }

        let folders = config.menus.folders.trim();
        if !folders.is_empty() && !crate::menu::valid_menu_name(folders) {
            return Err(config.error_at(
                "menus",
                "folders",
                format!("`{folders}` is not a menu's machine name (lowercase letters, digits, `-` and `_`, e.g. \"main\")"),
            ));
        }

        let auth = AuthSettings {
            provider: config.auth.provider,
            username: env_nonempty("DRUPAL_SYNC_USERNAME").or(config.auth.username.clone()),
            password: overrides
                .password
                .or_else(|| env_nonempty("DRUPAL_SYNC_PASSWORD").map(Secret::new)),
            token: env_nonempty("DRUPAL_SYNC_TOKEN").map(Secret::new),
            client_id: config.auth.client_id.clone(),
            client_secret: env_nonempty("DRUPAL_SYNC_CLIENT_SECRET").map(Secret::new),
            token_path: config.auth.token_path.clone(),
            header: config.auth.header.clone(),
            application: config.auth.application.clone(),
        };

        let display_base = std::env::current_dir().unwrap_or_else(|_| base_dir.clone());
        Ok(Settings {
            config_path: config_path.to_path_buf(),
            base_url,
            url_source,
            ca_file: config.site.ca_file.as_ref().map(|f| base_dir.join(f)),
            api: config.site.api,
            bundle: config.site.bundle.clone(),
            namespace: namespace.clone(),
            auth,
            content: ContentOptions {
                dir: base_dir.join(&config.content.dir),
                display_base,
                namespace,
                default_format: config.content.format.clone(),
                exclude: config.content.exclude.clone(),
                strict: overrides.strict,
                generator: GeneratorOptions {
                    flavor: config.content.flavor,
                    shortcodes: config.content.shortcodes,
                    heading_ids: config.content.heading_ids,
                    ..GeneratorOptions::default()
                },
            },
            parallelism: overrides.parallelism.unwrap_or(config.sync.parallelism),
            timeout: Duration::from_secs(config.sync.timeout_secs.max(1)),
            revision_log: config.sync.revision_log.clone(),
            max_prune: config.sync.max_prune,
            files: crate::files::FileSettings::resolve(&config.files, config_path)?,
            menus: crate::menu::MenuOptions {
                folders: Some(config.menus.folders.trim().to_owned()).filter(|m| !m.is_empty()),
            },
            on_drift: overrides.on_drift,
            prune: overrides.prune,
        })
    }
}

/// Parse a site URL, refusing plain `http://` except on loopback (see [`SiteUrl::parse`]).
pub fn parse_base_url(raw: &str) -> Result<SiteUrl, ConfigError> {
    SiteUrl::parse(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
[site]
url = "https://www.example.com"
api = "rest"
bundle = "page"
namespace = "example-docs"

[auth]
provider = "jwt"
username = "ci-publisher"

[content]
dir = "pages"
format = "full_html"
exclude = ["drafts/**"]

[sync]
parallelism = 4
timeout_secs = 10
revision_log = "ci"
max_prune = 3
"#;

    #[test]
    fn parses_every_key() {
        let c = Config::parse(FULL, "drupal-sync.toml").unwrap();
        assert_eq!(c.site.api, Api::Rest);
        assert_eq!(c.site.namespace.as_deref(), Some("example-docs"));
        assert_eq!(c.auth.provider, Provider::Jwt);
        assert_eq!(c.content.dir, PathBuf::from("pages"));
        assert_eq!(c.content.exclude, vec!["drafts/**"]);
        assert_eq!(c.sync.parallelism, 4);
        assert_eq!(c.sync.max_prune, 3);
    }

    #[test]
    fn defaults_apply() {
        let c = Config::parse("[site]\nnamespace = \"x\"\n", "f").unwrap();
        assert_eq!(c.site.api, Api::Jsonapi);
        assert_eq!(c.site.bundle, "page");
        assert_eq!(c.auth.provider, Provider::Miniorange);
        assert_eq!(c.content.format, "basic_html");
        assert_eq!(c.sync.parallelism, 8);
        assert_eq!(c.sync.timeout_secs, 30);
        assert_eq!(c.sync.revision_log, "drupal-sync");
    }

    #[test]
    fn unknown_keys_name_line_and_nearest_key() {
        for (text, line, want) in [
            (
                "[site]\nnamespace = \"x\"\nurll = \"https://a\"\n",
                3,
                "did you mean `url`?",
            ),
            ("[sync]\nparalelism = 3\n", 2, "did you mean `parallelism`?"),
            (
                "[site]\nnamespace = \"x\"\n[contnet]\ndir = \"c\"\n",
                3,
                "did you mean `content`?",
            ),
            ("[auth]\nprovder = \"jwt\"\n", 2, "did you mean `provider`?"),
        ] {
            let err = Config::parse(text, "drupal-sync.toml")
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(&format!("drupal-sync.toml:{line}:")),
                "{err}"
            );
            assert!(err.contains(want), "{err}");
        }
    }

    #[test]
    fn secrets_in_the_file_are_refused_without_echoing_them() {
        for key in ["password", "token", "client_secret"] {
            let text = format!("[auth]\nusername = \"u\"\n{key} = \"s3cr3t-value\"\n");
            let err = Config::parse(&text, "drupal-sync.toml")
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("drupal-sync.toml:3:"), "{err}");
            assert!(err.contains(&format!("auth.{key}")), "{err}");
            assert!(!err.contains("s3cr3t-value"), "{err}");
        }
    }

    #[test]
    fn bad_values_are_located() {
        let err = Config::parse("[site]\napi = \"graphql\"\n", "f.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("f.toml:2:"), "{err}");
    }

    #[test]
    fn type_errors_name_the_key_in_words() {
        let err = Config::parse(
            "[site]\nnamespace = \"x\"\n[sync]\nparallelism = \"8\"\n",
            "f.toml",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "f.toml:4:15: `[sync].parallelism` must be a whole number, not the string \"8\""
        );
    }

    #[test]
    fn zero_parallelism_and_bad_globs_point_at_their_key() {
        let err = Config::parse("[sync]\ntimeout_secs = 5\n  parallelism = 0\n", "f.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("f.toml:3:3: `[sync].parallelism` must be at least 1"),
            "{err}"
        );
        let err = Config::parse(
            "[content]\ndir = \"c\"\nexclude = [\"ok/**\", \"a[b\"]\n",
            "f.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("f.toml:3:1: invalid glob `a[b` in `[content].exclude`: "),
            "{err}"
        );
    }

    #[test]
    fn keys_are_located_in_their_section_or_dotted() {
        let text = "[site]\nurl = \"u\"\n[content]\n  dir = \"docs\"\n";
        assert_eq!(locate_key(text, "content", "dir"), Some((4, 3)));
        assert_eq!(locate_key(text, "site", "dir"), None);
        assert_eq!(
            locate_key("content.dir = \"d\"\n", "content", "dir"),
            Some((1, 1))
        );
    }

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn environment_overrides_the_file() {
        let c = Config::parse(FULL, "drupal-sync.toml").unwrap();
        let env = env_of(&[
            ("DRUPAL_SYNC_URL", "http://127.0.0.1:8080/"),
            ("DRUPAL_SYNC_USERNAME", "bot"),
            ("DRUPAL_SYNC_PASSWORD", "pw"),
        ]);
        let s = Settings::resolve(
            &c,
            Path::new("/repo/drupal-sync.toml"),
            &env,
            Overrides::default(),
        )
        .unwrap();
        assert_eq!(s.base_url.unwrap().as_str(), "http://127.0.0.1:8080");
        assert_eq!(s.auth.username.as_deref(), Some("bot"));
        assert_eq!(s.auth.password.unwrap().expose(), "pw");
        assert_eq!(s.content.dir, PathBuf::from("/repo/pages"));
        assert_eq!(s.parallelism, 4);
    }

    #[test]
    fn plain_http_is_refused_unless_loopback() {
        assert!(parse_base_url("http://example.com").is_err());
        assert!(parse_base_url("ftp://example.com").is_err());
        assert!(parse_base_url("https://u:p@example.com").is_err());
        for ok in [
            "http://localhost:8888",
            "http://127.0.0.1",
            "http://[::1]:3000",
            "https://example.com/",
        ] {
            assert!(parse_base_url(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            parse_base_url("https://example.com/drupal/")
                .unwrap()
                .as_str(),
            "https://example.com/drupal"
        );
    }

    #[test]
    fn namespace_is_required() {
        let c = Config::parse("[site]\nurl = \"https://a\"\n", "f").unwrap();
        let err =
            Settings::resolve(&c, Path::new("f"), &|_| None, Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("namespace"));
    }

    #[test]
    fn menus_folders_names_a_menu() {
        let resolve = |folders: &str| {
            let text = format!("[site]\nnamespace = \"n\"\n\n[menus]\nfolders = \"{folders}\"\n");
            let config = Config::parse(&text, "drupal-sync.toml").unwrap();
            Settings::resolve(
                &config,
                Path::new("drupal-sync.toml"),
                &|_| None,
                Overrides::default(),
            )
        };
        assert_eq!(
            resolve("main").unwrap().menus.folders.as_deref(),
            Some("main")
        );
        assert_eq!(resolve("").unwrap().menus.folders, None);
        let error = resolve("Main Menu").unwrap_err().to_string();
        assert!(error.starts_with("drupal-sync.toml:5:1: "), "{error}");
        assert!(error.contains("not a menu's machine name"), "{error}");
    }
}
