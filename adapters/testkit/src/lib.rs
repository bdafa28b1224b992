//! What the adapters' tests share:
//!
//! - [`service_url`]: the one guard of a test that needs a service
//!   (PostgreSQL, Redis, RabbitMQ): skipped without its URL, failed under CI.
//! - [`store`]: the store contract suite — every store port's behaviour, run
//!   against each store adapter with [`store_contract!`].
//!   Its fixtures (a user, a group, a message) serve an adapter's own tests.
//! - [`queue`]: the queue contract — lanes, retries and dead letters, delays —
//!   run against each queue adapter with [`queue_contract!`].

pub mod queue;
pub mod store;

/// The URL in `variable`, or `None` when it is unset outside CI (the test
/// then says it was skipped and passes). Under CI (`CI` set) a missing URL
/// fails the test: a service suite must not pass by not running.
///
/// # Panics
/// Under CI, when `variable` is unset.
pub fn service_url(variable: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(url) => Some(url),
        Err(_) => unavailable(&format!("{variable} is not set")),
    }
}

/// What a test that cannot run here returns: `None`, with a `skipped:` line
/// saying `why`; under CI (`CI` set) a failure instead, so that no suite
/// passes in CI by not running.
///
/// # Panics
/// Under CI.
pub fn unavailable<T>(why: &str) -> Option<T> {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run this test, but {why}"
    );
    eprintln!("skipped: {why}");
    None
}
