//! A `drupal-sync sandbox` process on 127.0.0.1 (started the way the integration tests start
//! it), killed when dropped, and its request counters from `GET /_sandbox/stats`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{bail, Context};

use crate::corpus::{PASSWORD, USERNAME};

/// A running sandbox site.
pub(crate) struct SandboxProc {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl SandboxProc {
    /// Start a fresh, empty sandbox that adds `latency_ms` to every request.
    pub(crate) fn start(exe: &Path, latency_ms: u64) -> anyhow::Result<SandboxProc> {
        let mut child = Command::new(exe)
            .args(["sandbox", "--listen", "127.0.0.1:0", "--user"])
            .arg(format!("{USERNAME}:{PASSWORD}"))
            .args(["--latency-ms", &latency_ms.to_string()])
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start `{} sandbox`", exe.display()))?;
        let stdout = child.stdout.take().context("the sandbox has no stdout")?;
        let mut reader = BufReader::new(stdout);
        let mut banner = String::new();
        reader
            .read_line(&mut banner)
            .context("cannot read the sandbox's banner")?;
        // Keep the pipe open and drained, so a later line can never block or kill the sandbox.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let url = banner
            .trim()
            .rsplit(' ')
            .next()
            .filter(|u| u.starts_with("http://127.0.0.1:"))
            .map(str::to_owned);
        let mut sandbox = SandboxProc {
            child,
            url: String::new(),
        };
        match url {
            Some(url) => sandbox.url = url,
            None => bail!("unexpected sandbox banner {banner:?} (is the sandbox module finished?)"),
        }
        Ok(sandbox)
    }

    /// The counters as they are now.
    pub(crate) fn stats(&self) -> anyhow::Result<Stats> {
        let body = http_get(&self.url, "/_sandbox/stats")?;
        let stats: Stats = serde_json::from_str(&body)
            .with_context(|| format!("`/_sandbox/stats` is not the expected JSON: {body}"))?;
        Ok(stats)
    }
}

impl Drop for SandboxProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Requests served, per route (`"PATCH /jsonapi/node/page/{id}"`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub(crate) struct Stats {
    pub total: u64,
    pub by_route: BTreeMap<String, u64>,
}

impl Stats {
    /// Requests to `route`.
    pub(crate) fn route(&self, route: &str) -> u64 {
        self.by_route.get(route).copied().unwrap_or(0)
    }

    /// The requests made since `earlier`.
    pub(crate) fn since(&self, earlier: &Stats) -> Stats {
        let by_route = self
            .by_route
            .iter()
            .map(|(route, n)| (route.clone(), n.saturating_sub(earlier.route(route))))
            .filter(|(_, n)| *n > 0)
            .collect();
        Stats {
            total: self.total.saturating_sub(earlier.total),
            by_route,
        }
    }
}

/// A plain HTTP/1.0 GET on loopback: the stats endpoint needs nothing more, and this keeps
/// the measuring tool out of the async runtime the baseline is timed in.
fn http_get(base: &str, path: &str) -> anyhow::Result<String> {
    use std::io::Write;
    let host = base
        .strip_prefix("http://")
        .with_context(|| format!("`{base}` is not an http:// URL"))?;
    let mut stream = std::net::TcpStream::connect(host)
        .with_context(|| format!("cannot connect to the sandbox at {base}"))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n")?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .with_context(|| format!("cannot read {base}{path}"))?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .with_context(|| format!("malformed answer from {base}{path}"))?;
    if !head.starts_with("HTTP/1.0 200") && !head.starts_with("HTTP/1.1 200") {
        bail!(
            "{base}{path} answered `{}`",
            head.lines().next().unwrap_or("")
        );
    }
    Ok(body.to_owned())
}
