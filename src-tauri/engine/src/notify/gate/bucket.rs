//! A token bucket: `capacity` notifications at once, refilled evenly over a window.

/// Tokens, refilled by the wall clock (a clock that jumps back refills nothing).
#[derive(Debug, Clone)]
pub struct Bucket {
    capacity: f64,
    per_ms: f64,
    tokens: f64,
    at_ms: u64,
}

impl Bucket {
    /// A full bucket of `capacity` tokens that refills completely in `window_ms`.
    pub fn new(capacity: u32, window_ms: u64, now_ms: u64) -> Bucket {
        let capacity = f64::from(capacity.max(1));
        Bucket {
            capacity,
            per_ms: capacity / window_ms.max(1) as f64,
            tokens: capacity,
            at_ms: now_ms,
        }
    }

    fn refill(&mut self, now_ms: u64) {
        let elapsed = now_ms.saturating_sub(self.at_ms) as f64;
        self.tokens = (self.tokens + elapsed * self.per_ms).min(self.capacity);
        self.at_ms = self.at_ms.max(now_ms);
    }

    /// At least one token at `now_ms`.
    pub fn has_token(&mut self, now_ms: u64) -> bool {
        self.refill(now_ms);
        self.tokens >= 1.0
    }

    /// Takes one token; call after [`Bucket::has_token`] said there is one.
    pub fn take(&mut self) {
        self.tokens -= 1.0;
    }

    /// Full again at `now_ms`: whatever overflowed is over.
    pub fn is_full(&mut self, now_ms: u64) -> bool {
        self.refill(now_ms);
        self.tokens >= self.capacity - 1e-9
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_token_per_share_of_the_window() {
        let mut b = Bucket::new(5, 10_000, 0);
        for _ in 0..5 {
            assert!(b.has_token(0));
            b.take();
        }
        assert!(!b.has_token(0));
        assert!(!b.has_token(1_999));
        assert!(b.has_token(2_000), "one token every 2 s");
        b.take();
        assert!(!b.has_token(2_000));
        assert!(!b.is_full(9_999));
        assert!(b.is_full(12_000));
        assert!(b.has_token(1_000_000));
    }

    #[test]
    fn a_clock_that_jumps_back_refills_nothing() {
        let mut b = Bucket::new(1, 1_000, 5_000);
        b.take();
        assert!(!b.has_token(0));
        assert!(!b.has_token(5_500));
        assert!(b.has_token(6_000));
    }
}
