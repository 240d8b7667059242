//! Getting started: `init` writes a commented `drupal-sync.toml` and two example pages,
//! never overwriting a file, and `completions` prints shell completion scripts. Neither
//! touches the network; what to print about the result is left to the caller.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::CommandFactory;

use crate::cli::InitArgs;
use crate::config::{self, FILE_NAME};

/// The URL written when `--url` is not given.
const PLACEHOLDER_URL: &str = "https://www.example.com";

/// The config file, with `{url}`, `{namespace}` filled in.
const CONFIG: &str = r#"# drupal-sync configuration: which Drupal site the pages in content/ are published to,
# and how. Every key but [site].namespace has a default; the values below are the defaults.
# Unknown keys are errors. Reference: the "Configuration" section of drupal-sync's README.

[site]
# The site's base URL (https://, or http:// on localhost only).
# The environment variable DRUPAL_SYNC_URL overrides it.
url = {url}
# The API pages are written through: "jsonapi" (JSON:API with write operations enabled)
# or "rest" (core REST, with the node resource's GET/POST/PATCH/DELETE enabled).
api = "jsonapi"
# Machine name of the content type pages are created as ("page" is Drupal's basic page).
bundle = "page"
# The identity of this content set. Every page's UUID is derived from it, and --prune
# deletes only pages whose UUID carries it. NEVER CHANGE IT after the first apply: every
# page would be created a second time, and the pages already published would no longer
# be recognised as this content set's.
namespace = {namespace}
# A PEM file of certificate authorities to trust besides the system's, for a site whose
# certificate comes from a private CA (relative to this file). SSL_CERT_FILE works too.
# ca_file = "certs/internal-ca.pem"

[auth]
# How drupal-sync signs in:
#   "miniorange"  miniOrange REST & JSON API Authentication, token from POST /rest_api/id_token
#   "jwt"         contrib jwt, token from /jwt/token
#   "oauth"       simple_oauth, token from POST /oauth/token (password grant when a username
#                 is set, client_credentials otherwise)
#   "basic"       HTTP Basic credentials on every request (miniOrange free edition, basic_auth)
#   "token"       a bearer token from the environment variable DRUPAL_SYNC_TOKEN
provider = "miniorange"
# The account pages are written as. The environment variable DRUPAL_SYNC_USERNAME overrides it.
username = "ci-publisher"
# Secrets never go in this file (it is committed; drupal-sync refuses them here):
#   password       environment variable DRUPAL_SYNC_PASSWORD, or --password-stdin
#   token          environment variable DRUPAL_SYNC_TOKEN (provider "token")
#   client secret  environment variable DRUPAL_SYNC_CLIENT_SECRET (provider "oauth")
# The token issuer's path, when the site serves it elsewhere than the provider's default:
# token_path = "/rest_api/id_token"
# The header the token is sent in (miniOrange's "custom header" setting):
# header = "Authorization"
# The miniOrange application, sent as the AUTH-METHOD header when the site has several:
# application = "..."
# The OAuth client (provider "oauth"):
# client_id = "..."

[content]
# The directory holding the pages (.md, .markdown, .yaml, .yml), relative to this file.
dir = "content"
# Drupal text format of rendered bodies; a page's `format:` overrides it. The account must
# be allowed to use it, and the format decides what visitors see:
#   "basic_html"  every account may use it (the standard profile's default), but it drops
#                 tables, code blocks (<pre>), strikethrough, rules (<hr>) and images from
#                 other sites. `drupal-sync plan` warns about every page that uses them
#                 (`plan --strict` fails), and renders task lists and footnotes as text.
#   "full_html"   keeps all Markdown renders, but only administrators may use it by default:
#                 give the CI account's role "Use the Full HTML text format".
format = "basic_html"
# Files to skip: globs relative to dir, e.g. ["drafts/**", "**/README.md"].
exclude = []

[sync]
# Concurrent write requests.
parallelism = 8
# Timeout of each request, in seconds.
timeout_secs = 30
# Revision log message of every write (drupal-sync adds a fingerprint, to notice edits
# made on the site later).
revision_log = "drupal-sync"
# --prune refuses to delete more pages than max(max_prune, 20% of the namespace's pages)
# unless --allow-mass-delete is given.
max_prune = 10

[files]
# Local images and files the pages show or link to are uploaded once and embedded as
# Drupal's editor does. Images (png gif jpg jpeg webp) go through this image field
# (ENTITY/BUNDLE/FIELD; the standard profile's article image field by default) ...
images = "node/article/field_image"
# ... every other file (PDFs, ...) through this file field; unset, linking one is an error.
documents = ""
# A larger local file is an error.
max_size_mb = 32

[menus]
# A menu every page joins, nested as its folders (a folder's index.md is the parent of the
# folder's pages), e.g. "main". Empty: only pages with `menu:` in front matter get links.
folders = ""
"#;

const INDEX: &str = r#"---
# Front matter: YAML between `---` lines (TOML between `+++` lines works too).
title: Welcome
# The URL alias. Without `path` it is "/" + the page's key, and the key of the content
# directory's own index.md is `index`: this page would be /index.
path: /welcome
summary: The first page of this content set.
# status: draft         # published (the default) or draft
# format: full_html     # the Drupal text format; default: [content].format
---
This page and [About us](about.md) were written by `drupal-sync init`.

A link to another page's file becomes a link to that page's alias when it is published.
Edit the pages, run `drupal-sync validate`, then `drupal-sync plan` to see what would
change on the site.
"#;

const ABOUT: &str = r#"---
# No `title`: the first level-1 heading below is the title (and is left out of the body).
# The key is the file's path under content/ without its extension, `about`, so the alias
# is /about and the page's UUID is derived from the namespace and `about`. Moving or
# renaming the file changes the key, and the site would get a new page: a stable `id`
# keeps the page the same wherever the file goes.
id: about
---
# About us

We publish these pages from git with drupal-sync.

- [Back to the welcome page](index.md)
- The title comes from `title:`, or from the first heading.
- The alias comes from `path:`, or from "/" + the key.

Bodies are CommonMark plus task lists, footnotes[^1], tables and strikethrough. The last two,
code blocks and images from other sites need a text format that keeps them (see `format` in
drupal-sync.toml): `drupal-sync plan` says when a page's format would drop something.

[^1]: Under `basic_html` a footnote shows as a plain `[1]`.
"#;

/// The files `init` writes, relative to its directory, with their text.
fn files(config: String) -> [(PathBuf, String); 3] {
    [
        (PathBuf::from(FILE_NAME), config),
        (Path::new("content").join("index.md"), INDEX.to_owned()),
        (Path::new("content").join("about.md"), ABOUT.to_owned()),
    ]
}

/// Write `drupal-sync.toml` and an example `content/` into `dir`, and return the files
/// written. Nothing is written when any of them already exists.
pub fn run(args: &InitArgs, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let url = match &args.url {
        Some(url) => config::parse_base_url(url)?.as_str().to_owned(),
        None => PLACEHOLDER_URL.to_owned(),
    };
    let config = CONFIG
        .replace("{url}", &toml_string(&url))
        .replace("{namespace}", &toml_string(&namespace(dir)));
    let files = files(config);
    for (path, _) in &files {
        let path = dir.join(path);
        // symlink_metadata: a dangling symlink is a file too; writing through it is not ours to do.
        if path.symlink_metadata().is_ok() {
            anyhow::bail!(
                "`{}` already exists; init never overwrites files, so nothing was written\n  hint: move it away, or edit the existing configuration",
                path.display()
            );
        }
    }

    let mut written = Vec::new();
    let content_dir = dir.join("content");
    let created_content_dir = !content_dir.exists();
    let result = (|| {
        std::fs::create_dir_all(&content_dir)
            .with_context(|| format!("cannot create `{}`", content_dir.display()))?;
        for (path, text) in &files {
            let path = dir.join(path);
            write_new(&path, text)?;
            written.push(path);
        }
        anyhow::Ok(())
    })();
    if let Err(e) = result {
        // All or nothing: a half-initialised directory would make the next init refuse.
        for path in &written {
            let _ = std::fs::remove_file(path);
        }
        if created_content_dir {
            let _ = std::fs::remove_dir(&content_dir);
        }
        return Err(e);
    }
    Ok(written)
}

/// Create `path` with `text`, failing if it exists (even if it appeared since the check).
fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create `{}`", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write `{}`", path.display()))
}

/// What to tell the user after `run`: the files written, relative to `dir`, and what to do next.
pub fn summary(written: &[PathBuf], dir: &Path) -> String {
    let mut out = String::new();
    for path in written {
        let shown = path.strip_prefix(dir).unwrap_or(path);
        out.push_str(&format!("wrote {}\n", shown.display()));
    }
    out.push_str(
        "\nNext:\n  \
         drupal-sync validate           check the pages offline\n  \
         drupal-sync plan --sandbox     see what would be published, against a throwaway local site\n  \
         drupal-sync apply --sandbox    publish to that throwaway site\n\
         Then check [site].url and [auth] in drupal-sync.toml, export DRUPAL_SYNC_PASSWORD, and run\n\
         `drupal-sync plan` against the real site.\n",
    );
    out
}

/// A fresh namespace: a slug of the directory's name and six random hex digits, so two
/// content sets started from directories of the same name never share page UUIDs.
fn namespace(dir: &Path) -> String {
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "site" } else { slug };
    format!("{slug}-{:06x}", rand::random::<u32>() & 0x00ff_ffff)
}

/// `text` as a TOML basic string, quoted and escaped.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// The completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> String {
    let mut command = crate::cli::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "drupal-sync", &mut out);
    let script = String::from_utf8_lossy(&out).into_owned();
    if shell == clap_complete::Shell::Bash {
        // clap_complete names the subcommand states of a hyphenated binary inconsistently:
        // the loop that walks the words sets `drupal__sync__subcmd__plan`, while the `case`
        // arms say `drupal__subcmd__sync__subcmd__plan`, so no option after a subcommand ever
        // completes. One spelling for both.
        script.replace("drupal__subcmd__sync", "drupal__sync")
    } else {
        script
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Overrides, Settings};
    use crate::content::{self, ContentOptions};

    fn init(dir: &Path, url: Option<&str>) -> anyhow::Result<Vec<PathBuf>> {
        run(
            &InitArgs {
                url: url.map(str::to_owned),
            },
            dir,
        )
    }

    #[test]
    fn writes_a_config_that_parses_and_resolves() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("My Docs_Site");
        std::fs::create_dir(&dir).unwrap();
        let written = init(&dir, Some("https://docs.example.org/")).unwrap();
        assert_eq!(
            written,
            [
                dir.join("drupal-sync.toml"),
                dir.join("content/index.md"),
                dir.join("content/about.md")
            ]
        );
        let path = dir.join(FILE_NAME);
        let text = std::fs::read_to_string(&path).unwrap();
        let config = Config::parse(&text, "drupal-sync.toml").unwrap();
        assert_eq!(config.site.url.as_deref(), Some("https://docs.example.org"));
        let namespace = config.site.namespace.clone().unwrap();
        let (slug, hex) = namespace.rsplit_once('-').unwrap();
        assert_eq!(slug, "my-docs-site");
        assert!(
            hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()),
            "{namespace}"
        );
        assert!(text.contains("NEVER CHANGE IT"));

        let settings = Settings::resolve(&config, &path, &|_| None, Overrides::default()).unwrap();
        assert_eq!(settings.content.dir, dir.join("content"));
        assert_eq!(settings.namespace, namespace);
    }

    #[test]
    fn the_config_documents_every_key() {
        let text = CONFIG;
        for key in [
            "url",
            "api",
            "bundle",
            "namespace",
            "provider",
            "username",
            "token_path",
            "header",
            "application",
            "client_id",
            "dir",
            "format",
            "exclude",
            "parallelism",
            "timeout_secs",
            "revision_log",
            "max_prune",
            "images",
            "documents",
            "max_size_mb",
            "folders",
        ] {
            assert!(
                text.lines()
                    .any(|l| l.trim_start_matches("# ").starts_with(&format!("{key} = "))),
                "{key} is missing"
            );
        }
        for env in [
            "DRUPAL_SYNC_URL",
            "DRUPAL_SYNC_USERNAME",
            "DRUPAL_SYNC_PASSWORD",
            "DRUPAL_SYNC_TOKEN",
            "DRUPAL_SYNC_CLIENT_SECRET",
            "--password-stdin",
        ] {
            assert!(text.contains(env), "{env} is missing");
        }
        // The defaults written are the parser's defaults.
        let written = Config::parse(
            &CONFIG
                .replace("{url}", "\"https://a.example\"")
                .replace("{namespace}", "\"x\""),
            "f",
        )
        .unwrap();
        let defaults = Config::parse("", "f").unwrap();
        assert_eq!(written.site.api, defaults.site.api);
        assert_eq!(written.site.bundle, defaults.site.bundle);
        assert_eq!(written.auth.provider, defaults.auth.provider);
        assert_eq!(written.content.dir, defaults.content.dir);
        assert_eq!(written.content.format, defaults.content.format);
        assert_eq!(written.content.exclude, defaults.content.exclude);
        assert_eq!(written.sync.parallelism, defaults.sync.parallelism);
        assert_eq!(written.sync.timeout_secs, defaults.sync.timeout_secs);
        assert_eq!(written.sync.revision_log, defaults.sync.revision_log);
        assert_eq!(written.sync.max_prune, defaults.sync.max_prune);
        assert_eq!(written.files.images, defaults.files.images);
        assert_eq!(written.files.documents, defaults.files.documents);
        assert_eq!(written.files.max_size_mb, defaults.files.max_size_mb);
    }

    #[test]
    fn without_url_a_placeholder_is_written_and_namespaces_differ() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        init(a.path(), None).unwrap();
        init(b.path(), None).unwrap();
        let read = |dir: &Path| {
            Config::parse(&std::fs::read_to_string(dir.join(FILE_NAME)).unwrap(), "f")
                .unwrap()
                .site
        };
        let (sa, sb) = (read(a.path()), read(b.path()));
        assert_eq!(sa.url.as_deref(), Some(PLACEHOLDER_URL));
        assert_ne!(sa.namespace, sb.namespace);
    }

    #[test]
    fn the_example_content_is_valid() {
        let tmp = tempfile::tempdir().unwrap();
        init(tmp.path(), None).unwrap();
        let loaded = content::load(&ContentOptions {
            dir: tmp.path().join("content"),
            display_base: tmp.path().to_path_buf(),
            namespace: "example-docs".into(),
            default_format: "basic_html".into(),
            exclude: vec![],
            strict: true,
            generator: Default::default(),
        });
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let pages: Vec<(&str, &str, &str)> = loaded
            .pages
            .iter()
            .map(|p| (p.key.as_str(), p.alias.as_str(), p.title.as_str()))
            .collect();
        assert_eq!(
            pages,
            [
                ("about", "/about", "About us"),
                ("index", "/welcome", "Welcome")
            ]
        );
        let about = &loaded.pages[0];
        assert!(
            about.body.contains(r#"<a href="/welcome">"#),
            "{}",
            about.body
        );
        assert!(!about.body.contains("<h1>"), "the heading became the title");
        let index = &loaded.pages[1];
        assert!(
            index.body.contains(r#"<a href="/about">"#),
            "{}",
            index.body
        );
        assert_eq!(
            index.summary.as_deref(),
            Some("The first page of this content set.")
        );
    }

    #[test]
    fn never_overwrites() {
        for existing in ["drupal-sync.toml", "content/index.md", "content/about.md"] {
            let tmp = tempfile::tempdir().unwrap();
            let path = tmp.path().join(existing);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "mine").unwrap();
            let err = init(tmp.path(), None).unwrap_err().to_string();
            assert!(err.contains(&path.display().to_string()), "{err}");
            assert!(err.contains("nothing was written"), "{err}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
            let mut files: Vec<String> = walkdir::WalkDir::new(tmp.path())
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(|e| e.path().display().to_string())
                .collect();
            files.sort();
            assert_eq!(
                files,
                [path.display().to_string()],
                "nothing else was written"
            );
        }
    }

    #[test]
    fn a_bad_url_writes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let err = init(tmp.path(), Some("http://example.com"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("plain http"), "{err}");
        assert!(std::fs::read_dir(tmp.path()).unwrap().next().is_none());
    }

    #[test]
    fn summary_names_files_relative_to_the_directory() {
        let dir = Path::new("/repo");
        let text = summary(
            &[dir.join("drupal-sync.toml"), dir.join("content/about.md")],
            dir,
        );
        assert!(
            text.starts_with("wrote drupal-sync.toml\nwrote content/about.md\n"),
            "{text}"
        );
        assert!(text.contains("drupal-sync apply --sandbox"));
    }

    #[test]
    fn bash_completes_subcommand_options() {
        let script = completions(clap_complete::Shell::Bash);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("drupal-sync.bash");
        std::fs::write(&path, script).unwrap();
        let complete = |line: &str| {
            let words: Vec<&str> = line.split(' ').collect();
            let program = format!(
                "source {}; COMP_WORDS=({}); COMP_CWORD={}; _drupal__sync drupal-sync '{}' '{}'; echo \"${{COMPREPLY[@]}}\"",
                path.display(),
                words.join(" "),
                words.len() - 1,
                words[words.len() - 1],
                words[words.len() - 2],
            );
            let out = std::process::Command::new("bash")
                .args(["-c", &program])
                .output()
                .expect("bash runs");
            String::from_utf8(out.stdout).unwrap()
        };
        let plan = complete("drupal-sync plan --");
        for option in ["--detailed-exitcode", "--on-drift", "--format", "--out"] {
            assert!(plan.split_whitespace().any(|w| w == option), "{plan}");
        }
        let apply = complete("drupal-sync apply --allow");
        assert_eq!(apply.trim(), "--allow-mass-delete");
        let top = complete("drupal-sync pl");
        assert_eq!(top.trim(), "plan");
    }

    #[test]
    fn completions_for_each_shell() {
        use clap_complete::Shell;
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let script = completions(shell);
            for word in [
                "drupal-sync",
                "plan",
                "apply",
                "detailed-exitcode",
                "on-drift",
            ] {
                assert!(script.contains(word), "{shell}: {word} is missing");
            }
        }
    }
}
