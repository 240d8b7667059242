//! The progress bar shown on stderr while an apply writes pages. The caller decides whether
//! it is visible (stderr is a terminal and `-q` is off); a hidden bar draws nothing at all,
//! so piped output and logs never carry a bar or its escape sequences.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::done_verb;
use crate::apply::{ChangeResult, Outcome};

/// Progress of an apply: one step per change. Cheap to share between concurrent writes.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar for `total` changes, drawn on stderr only when `visible`.
    pub fn new(total: usize, visible: bool) -> Progress {
        let bar = if visible {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {wide_msg}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        } else {
            ProgressBar::hidden()
        };
        Progress { bar }
    }

    /// Count one finished change and show what it was.
    pub fn record(&self, result: &ChangeResult) {
        let what = match result.outcome {
            Outcome::Done(_) => done_verb(result.change.action),
            Outcome::Failed(_) => "failed",
            Outcome::NotAttempted => "skipped",
        };
        self.bar
            .set_message(format!("{what} {}", result.change.alias));
        self.bar.inc(1);
    }

    /// Remove the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    #[test]
    fn a_hidden_bar_draws_nothing_but_still_counts() {
        let report = fixtures::apply_with_failure();
        let progress = Progress::new(report.results.len(), false);
        assert!(progress.bar.is_hidden());
        for result in &report.results {
            progress.record(result);
        }
        assert_eq!(progress.bar.position(), report.results.len() as u64);
        assert_eq!(progress.bar.message(), "deleted /old-page");
        progress.finish();
        assert!(progress.bar.is_finished());
    }

    #[test]
    fn can_be_shared_by_concurrent_writes() {
        fn shared<T: Send + Sync>() {}
        shared::<Progress>();
    }

    #[test]
    fn a_failure_is_named() {
        let report = fixtures::apply_with_failure();
        let progress = Progress::new(report.results.len(), false);
        let team = report
            .results
            .iter()
            .find(|r| r.change.alias == "/team")
            .unwrap();
        progress.record(team);
        assert_eq!(progress.bar.message(), "failed /team");
    }
}
