//! Failure injection: which request fails, how, and whether a write landed before it failed.
//!
//! The generator draws the same three numbers for every request whether or not it fails, so
//! the faults depend only on the seed and the order of requests.

use std::io;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How a request fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fault {
    /// 500, as PHP fatals answer.
    InternalError,
    /// 502 from a proxy whose upstream died.
    BadGateway,
    /// 503 from a site in maintenance or overloaded.
    Unavailable,
    /// 429 with `Retry-After: 1`.
    TooManyRequests,
    /// Headers, then a body cut short: the client sees a broken connection.
    Dropped,
}

const FAULTS: [Fault; 5] = [
    Fault::InternalError,
    Fault::BadGateway,
    Fault::Unavailable,
    Fault::TooManyRequests,
    Fault::Dropped,
];

/// A fault chosen for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Decision {
    /// What the client gets.
    pub fault: Fault,
    /// The write is applied first and its answer replaced by the fault, as when a server dies
    /// after committing; only ever true for writes.
    pub after_write: bool,
}

/// The seeded generator of faults.
#[derive(Debug)]
pub(super) struct FaultPlan {
    rng: ChaCha8Rng,
    fail_rate: f64,
}

impl FaultPlan {
    /// A generator failing `fail_rate` of the requests (clamped to 0..=1).
    pub(super) fn new(seed: u64, fail_rate: f64) -> FaultPlan {
        let fail_rate = if fail_rate.is_nan() {
            0.0
        } else {
            fail_rate.clamp(0.0, 1.0)
        };
        FaultPlan {
            rng: ChaCha8Rng::seed_from_u64(seed),
            fail_rate,
        }
    }

    /// Decides the fate of the next request; `write` is true for POST, PATCH and DELETE.
    pub(super) fn next(&mut self, write: bool) -> Option<Decision> {
        let roll: f64 = self.rng.random();
        let fault = FAULTS[self.rng.random_range(0..FAULTS.len())];
        let late = self.rng.random_bool(0.5);
        (roll < self.fail_rate).then_some(Decision {
            fault,
            after_write: write && late,
        })
    }
}

/// The answer for `fault`.
pub(super) fn response(fault: Fault) -> Response {
    let (status, text) = match fault {
        Fault::InternalError => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "The website encountered an unexpected error. Try again later.\n",
        ),
        Fault::BadGateway => (StatusCode::BAD_GATEWAY, "Bad Gateway\n"),
        Fault::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable\n"),
        Fault::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests\n"),
        Fault::Dropped => return dropped(),
    };
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=UTF-8"),
    );
    if fault == Fault::TooManyRequests {
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

/// Promises 4096 bytes, sends two, then fails the body stream, which makes hyper abort the
/// connection mid-message.
fn dropped() -> Response {
    let chunks: [io::Result<Bytes>; 2] = [
        Ok(Bytes::from_static(b"{\"")),
        Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "sandbox fault: connection dropped",
        )),
    ];
    let mut response = Response::new(Body::from_stream(futures::stream::iter(chunks)));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("4096"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sequence(seed: u64, rate: f64, writes: bool, n: usize) -> Vec<Option<Decision>> {
        let mut plan = FaultPlan::new(seed, rate);
        (0..n).map(|_| plan.next(writes)).collect()
    }

    #[test]
    fn same_seed_same_faults() {
        assert_eq!(sequence(7, 0.3, true, 200), sequence(7, 0.3, true, 200));
        assert_ne!(sequence(7, 0.3, true, 200), sequence(8, 0.3, true, 200));
    }

    #[test]
    fn a_seed_means_the_same_faults_in_every_build() {
        // ChaCha8's output is fixed by its specification, unlike `StdRng`'s, which rand may
        // change in any release: a fault seed written in a bug report keeps reproducing it.
        let pinned: Vec<Option<(Fault, bool)>> = sequence(7, 0.5, true, 8)
            .into_iter()
            .map(|d| d.map(|d| (d.fault, d.after_write)))
            .collect();
        assert_eq!(pinned, PINNED_SEED_7);
    }

    #[test]
    fn rate_bounds() {
        assert!(sequence(1, 0.0, true, 500).iter().all(Option::is_none));
        assert!(sequence(1, 1.0, true, 500).iter().all(Option::is_some));
        assert!(sequence(1, f64::NAN, true, 50).iter().all(Option::is_none));
        assert!(sequence(1, 7.0, true, 50).iter().all(Option::is_some));
    }

    #[test]
    fn rate_is_respected_and_every_kind_occurs() {
        let faults: Vec<Decision> = sequence(42, 0.25, true, 20_000)
            .into_iter()
            .flatten()
            .collect();
        let share = faults.len() as f64 / 20_000.0;
        assert!((0.23..0.27).contains(&share), "{share}");
        for kind in FAULTS {
            assert!(faults.iter().any(|d| d.fault == kind), "{kind:?}");
        }
        let late = faults.iter().filter(|d| d.after_write).count() as f64 / faults.len() as f64;
        assert!((0.45..0.55).contains(&late), "{late}");
    }

    #[test]
    fn reads_fail_before_anything_happens() {
        assert!(sequence(3, 1.0, false, 500)
            .iter()
            .flatten()
            .all(|d| !d.after_write));
    }

    #[test]
    fn whether_a_request_fails_does_not_depend_on_its_method() {
        let reads = sequence(9, 0.5, false, 300);
        let writes = sequence(9, 0.5, true, 300);
        for (read, write) in reads.iter().zip(&writes) {
            assert_eq!(read.map(|d| d.fault), write.map(|d| d.fault));
        }
    }

    #[test]
    fn throttling_says_when_to_retry() {
        let response = response(Fault::TooManyRequests);
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    }

    const PINNED_SEED_7: [Option<(Fault, bool)>; 8] = [
        Some((Fault::InternalError, true)),
        Some((Fault::TooManyRequests, false)),
        Some((Fault::BadGateway, true)),
        Some((Fault::BadGateway, false)),
        Some((Fault::TooManyRequests, false)),
        None,
        None,
        None,
    ];
}
