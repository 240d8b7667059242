//! Running a child process the way a user or CI would, timed from spawn to exit, with its
//! output captured and its peak resident memory sampled from `/proc/PID/status`.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

/// How often the child's peak RSS is sampled.
const SAMPLE_EVERY: Duration = Duration::from_millis(2);

/// A finished child process.
#[derive(Debug)]
pub(crate) struct Finished {
    /// Exit code (`-1` when killed by a signal).
    pub code: i32,
    /// From spawn to exit.
    pub elapsed: Duration,
    pub stdout: String,
    pub stderr: String,
    /// The highest `VmHWM` seen while it ran (KiB); the last ~2 ms of growth can be missed.
    pub peak_rss_kib: u64,
}

impl Finished {
    /// The end of stderr, for error messages.
    pub(crate) fn stderr_tail(&self) -> String {
        let lines: Vec<&str> = self.stderr.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }
}

/// Run `command` to completion; stdin is closed, stdout and stderr are captured.
pub(crate) fn run(mut command: Command) -> anyhow::Result<Finished> {
    let start = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {command:?}"))?;
    let pid = child.id();
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let out = scope.spawn(|| read_all(stdout));
        let err = scope.spawn(|| read_all(stderr));
        let waiter = scope.spawn(|| {
            let status = child.wait();
            let elapsed = start.elapsed();
            done.store(true, Ordering::Release);
            (status, elapsed)
        });
        let mut peak_rss_kib = 0;
        while !done.load(Ordering::Acquire) {
            if let Some(kib) = peak_rss_of(format!("/proc/{pid}/status")) {
                peak_rss_kib = peak_rss_kib.max(kib);
            }
            std::thread::sleep(SAMPLE_EVERY);
        }
        let (status, elapsed) = waiter
            .join()
            .map_err(|_| anyhow::anyhow!("the waiting thread panicked"))?;
        let status = status.context("cannot wait for the child")?;
        Ok(Finished {
            code: status.code().unwrap_or(-1),
            elapsed,
            stdout: out.join().unwrap_or_default(),
            stderr: err.join().unwrap_or_default(),
            peak_rss_kib,
        })
    })
}

fn read_all(stream: Option<impl Read>) -> String {
    let mut bytes = Vec::new();
    if let Some(mut stream) = stream {
        let _ = stream.read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `VmHWM` (peak resident set size, KiB) from a `/proc/*/status` file.
pub(crate) fn peak_rss_of(status_file: impl AsRef<Path>) -> Option<u64> {
    let status = std::fs::read_to_string(status_file).ok()?;
    status.lines().find_map(|line| {
        line.strip_prefix("VmHWM:")?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    })
}
