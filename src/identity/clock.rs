//! The time source for expiry decisions, so that tests can set it.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where the identity layer reads the current time: session-token expiry,
/// temporary-credential expiry in stores and caches, and the issue time of
/// new temporary credentials.
///
/// Production code uses [`SystemClock`]; tests use [`ManualClock`] to stand
/// exactly on an expiry boundary.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
}

/// The operating system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that only moves when told to.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use tower_sigv4::identity::{Clock, ManualClock};
///
/// let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_440_938_160));
/// clock.advance(Duration::from_secs(60));
/// assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(1_440_938_220));
/// ```
#[derive(Debug)]
pub struct ManualClock {
    // Nanoseconds since the Unix epoch; an atomic so that a shared clock can
    // be moved by a test while a server task reads it.
    nanos: AtomicI64,
}

impl ManualClock {
    /// A clock standing at `now`.
    ///
    /// Times before 1970 or after the year 2262 are clamped to that range.
    pub fn new(now: SystemTime) -> Self {
        ManualClock {
            nanos: AtomicI64::new(to_nanos(now)),
        }
    }

    /// Moves the clock to `now` (backwards too).
    pub fn set(&self, now: SystemTime) {
        self.nanos.store(to_nanos(now), Ordering::SeqCst);
    }

    /// Moves the clock forwards by `by`.
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_nanos()).unwrap_or(i64::MAX);
        let _ = self
            .nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                Some(n.saturating_add(by))
            });
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        let n = self.nanos.load(Ordering::SeqCst).max(0);
        UNIX_EPOCH + Duration::from_nanos(n as u64)
    }
}

fn to_nanos(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// Whole seconds since the Unix epoch (0 for earlier times).
pub(crate) fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The instant `secs` seconds after the Unix epoch.
pub(crate) fn from_unix_seconds(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = UNIX_EPOCH + Duration::from_secs(1_000);
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::from_millis(1_500));
        assert_eq!(clock.now(), start + Duration::from_millis(1_500));
        clock.set(start);
        assert_eq!(clock.now(), start);
    }

    #[test]
    fn times_before_the_epoch_clamp_to_it() {
        let clock = ManualClock::new(UNIX_EPOCH - Duration::from_secs(5));
        assert_eq!(clock.now(), UNIX_EPOCH);
        assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_secs(5)), 0);
    }
}
