//! One integration binary: the real executable against the project's sandbox on 127.0.0.1.

// Tests may print (a skipped check says why).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod converge;
mod e2e;
mod faults;
mod files;
mod formats;
mod harness;
mod hostile;
mod import;
mod invariant;
mod menus;
mod messages;
mod output;
mod package;
mod providers;
mod prune;
mod replay;
mod ssg;
mod tls;
