//! How long to wait before the next connection attempt: a pure, deterministic policy.
//!
//! Exponential backoff with jitter: attempt `n` waits a random time in
//! `[floor, min(cap, base * 2^n)]`. The base is the server's `retry:` value (clamped to sane
//! bounds) or one second. The floor is the server's `retry:` when it sent one (the spec's
//! reconnection time: never sooner than asked), else a small minimum that keeps a zero draw from
//! turning into a busy loop. The jitter keeps many clients from reconnecting in step. A server
//! that accepts and drops at once is not hammered because only progress (an event, or a
//! connection that stayed up) resets the attempt count — failures keep doubling the ceiling.

use std::time::Duration;

/// The default first delay when the server sent no `retry:`.
pub const DEFAULT_BASE: Duration = Duration::from_secs(1);
/// The shortest base Herald accepts from a server's `retry:`.
pub const MIN_BASE: Duration = Duration::from_millis(250);
/// The longest wait between attempts.
pub const DEFAULT_CAP: Duration = Duration::from_secs(60);
/// How often a feed that needs the user's attention is retried anyway.
pub const ATTENTION_RETRY: Duration = Duration::from_secs(15 * 60);
/// The longest wait a server's `Retry-After` can set.
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(6 * 3600);

/// How long to wait when the server answered `Retry-After: asked` and the backoff says
/// `backoff`: as long as the server asks, but not less than the backoff (a `Retry-After: 0` on
/// every answer must not become a request loop) and not more than [`MAX_SERVER_WAIT`] (a huge
/// value must not park the feed for good; the user can still reconnect at once).
pub fn server_wait(asked: Duration, backoff: Duration) -> Duration {
    asked.max(backoff).min(MAX_SERVER_WAIT)
}

/// The bounds of the policy. The app uses the defaults; tests that cut connections hundreds of
/// times shrink them so they run in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    /// The first delay when the server sent no `retry:`.
    pub initial: Duration,
    /// The shortest base accepted from a server's `retry:`.
    pub min: Duration,
    /// The longest wait between attempts.
    pub cap: Duration,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        BackoffPolicy {
            initial: DEFAULT_BASE,
            min: MIN_BASE,
            cap: DEFAULT_CAP,
        }
    }
}

/// The backoff state of one feed.
#[derive(Debug, Clone)]
pub struct Backoff {
    policy: BackoffPolicy,
    base: Duration,
    /// `base` is the server's `retry:`: no wait is shorter.
    base_from_server: bool,
    /// Failed attempts since the feed last made progress.
    attempt: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(BackoffPolicy::default())
    }
}

impl Backoff {
    /// A fresh backoff under `policy`.
    pub fn new(policy: BackoffPolicy) -> Backoff {
        Backoff {
            policy,
            base: policy.initial,
            base_from_server: false,
            attempt: 0,
        }
    }

    /// Failed attempts since the feed last made progress.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Takes the server's `retry:` (milliseconds) as the new base delay.
    pub fn set_retry(&mut self, retry_ms: u64) {
        self.base = Duration::from_millis(retry_ms).clamp(self.policy.min, self.policy.cap);
        self.base_from_server = true;
    }

    /// The connection made progress (delivered an event, or stayed up): start over.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// Counts a failed attempt and returns how long to wait; `unit` is a random number in
    /// `[0, 1)` (passed in so tests are deterministic).
    pub fn next_delay(&mut self, unit: f64) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1 << self.attempt.min(16))
            .min(self.policy.cap);
        let floor = if self.base_from_server {
            self.base
        } else {
            self.policy.min.min(ceiling)
        };
        self.attempt = self.attempt.saturating_add(1);
        floor + (ceiling.saturating_sub(floor)).mul_f64(unit.clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn delays_grow_exponentially_up_to_the_cap() {
        let mut backoff = Backoff::default();
        // With unit = 1.0 every delay is its ceiling.
        let got: Vec<_> = (0..9).map(|_| backoff.next_delay(1.0)).collect();
        let want = [1, 2, 4, 8, 16, 32, 60, 60, 60].map(|s| ms(s * 1000));
        assert_eq!(got, want);
    }

    #[test]
    fn jitter_spreads_between_the_floor_and_the_ceiling() {
        let table = [(0.0, ms(250)), (0.5, ms(625)), (0.999_999, ms(1000))];
        for (unit, want) in table {
            let delay = Backoff::default().next_delay(unit);
            assert!(
                (delay.as_millis() as i128 - want.as_millis() as i128).abs() <= 1,
                "{unit}"
            );
        }
    }

    #[test]
    fn server_retry_sets_the_base_within_bounds() {
        let table = [(3000, ms(3000)), (10, MIN_BASE), (10_000_000, DEFAULT_CAP)];
        for (retry, want) in table {
            let mut backoff = Backoff::default();
            backoff.set_retry(retry);
            assert_eq!(backoff.next_delay(1.0), want, "retry {retry}");
        }
    }

    #[test]
    fn no_wait_is_shorter_than_the_server_retry() {
        let mut backoff = Backoff::default();
        backoff.set_retry(30_000);
        // The lowest draw waits what the server asked; higher draws spread above it.
        assert_eq!(backoff.next_delay(0.0), ms(30_000));
        assert_eq!(backoff.next_delay(0.0), ms(30_000));
        assert_eq!(backoff.next_delay(1.0), DEFAULT_CAP);
    }

    #[test]
    fn a_server_wait_is_bounded_both_ways() {
        let table = [
            // (Retry-After, backoff) -> wait
            (ms(120_000), ms(1_000), ms(120_000)),
            (Duration::ZERO, ms(700), ms(700)),
            (Duration::from_secs(u64::MAX), ms(700), MAX_SERVER_WAIT),
        ];
        for (asked, backoff, want) in table {
            assert_eq!(server_wait(asked, backoff), want, "{asked:?} {backoff:?}");
        }
    }

    #[test]
    fn reset_starts_over() {
        let mut backoff = Backoff::default();
        for _ in 0..5 {
            backoff.next_delay(1.0);
        }
        backoff.reset();
        assert_eq!(backoff.attempt(), 0);
        assert_eq!(backoff.next_delay(1.0), ms(1000));
    }
}
