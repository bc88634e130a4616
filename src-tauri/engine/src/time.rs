//! Wall-clock helpers: the UI and the status machine speak milliseconds since the Unix epoch.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> u64 {
    to_ms(SystemTime::now())
}

/// Milliseconds since the Unix epoch of `t` (0 for times before 1970).
pub fn to_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis()
        .try_into()
        .unwrap_or(u64::MAX)
}

/// Milliseconds since the epoch, `delay` from now (`u64::MAX` past the clock's range).
pub fn ms_after(delay: Duration) -> u64 {
    SystemTime::now().checked_add(delay).map_or(u64::MAX, to_ms)
}
