//! The gate's clock, injected: wall-clock milliseconds and the local day and minute, so quiet
//! hours and token buckets are tested on a fake clock.

use crate::notify::rule::QuietHours;

/// A moment as the gate sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// Milliseconds since the Unix epoch.
    pub wall_ms: u64,
    /// The local day of the week, Monday = 0 … Sunday = 6.
    pub weekday: u8,
    /// Minutes after local midnight, 0–1439.
    pub minute: u16,
}

impl Now {
    /// This moment, in the system's time zone.
    pub fn local() -> Now {
        let zoned = jiff::Zoned::now();
        Now {
            wall_ms: u64::try_from(zoned.timestamp().as_millisecond()).unwrap_or(0),
            weekday: zoned.weekday().to_monday_zero_offset() as u8,
            minute: zoned.hour() as u16 * 60 + zoned.minute() as u16,
        }
    }

    /// The same local day and minute, `ms` later in wall time only (for tests that step the
    /// clock within a minute).
    pub fn plus_ms(self, ms: u64) -> Now {
        Now {
            wall_ms: self.wall_ms + ms,
            ..self
        }
    }
}

impl QuietHours {
    /// Quiet hours hold at `now`. A range crossing midnight belongs to the day it starts on; a
    /// range whose start and end are equal is the whole day.
    pub fn contains(&self, now: &Now) -> bool {
        let today = self.days.contains(&now.weekday);
        let yesterday = self.days.contains(&((now.weekday + 6) % 7));
        let (start, end, m) = (self.start_min, self.end_min, now.minute);
        match start.cmp(&end) {
            std::cmp::Ordering::Less => today && (start..end).contains(&m),
            std::cmp::Ordering::Equal => today,
            std::cmp::Ordering::Greater => (today && m >= start) || (yesterday && m < end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(weekday: u8, hh: u16, mm: u16) -> Now {
        Now {
            wall_ms: 0,
            weekday,
            minute: hh * 60 + mm,
        }
    }

    #[test]
    fn quiet_hours_within_a_day_and_across_midnight() {
        // Weeknights 22:00–07:00, starting Monday to Friday.
        let nights = QuietHours {
            days: vec![0, 1, 2, 3, 4],
            start_min: 22 * 60,
            end_min: 7 * 60,
            critical_passes: false,
        };
        // Lunch 12:00–13:00 on Saturday.
        let lunch = QuietHours {
            days: vec![5],
            start_min: 12 * 60,
            end_min: 13 * 60,
            critical_passes: false,
        };
        let table = [
            (&nights, at(0, 21, 59), false),
            (&nights, at(0, 22, 0), true),
            (&nights, at(0, 23, 59), true),
            (&nights, at(1, 0, 0), true), // Monday night, on Tuesday
            (&nights, at(1, 6, 59), true),
            (&nights, at(1, 7, 0), false),  // the end is not quiet
            (&nights, at(0, 3, 0), false),  // Sunday night started no quiet hours
            (&nights, at(5, 3, 0), true),   // Friday night, on Saturday
            (&nights, at(5, 23, 0), false), // Saturday starts none
            (&nights, at(6, 6, 0), false),
            (&lunch, at(5, 12, 30), true),
            (&lunch, at(5, 13, 0), false),
            (&lunch, at(6, 12, 30), false),
        ];
        for (quiet, now, want) in table {
            assert_eq!(quiet.contains(&now), want, "{quiet:?} at {now:?}");
        }
    }

    #[test]
    fn equal_start_and_end_is_the_whole_day() {
        let all_sunday = QuietHours {
            days: vec![6],
            start_min: 0,
            end_min: 0,
            critical_passes: true,
        };
        assert!(all_sunday.contains(&at(6, 0, 0)));
        assert!(all_sunday.contains(&at(6, 23, 59)));
        assert!(!all_sunday.contains(&at(0, 0, 0)));
    }

    #[test]
    fn local_time_is_in_range() {
        let now = Now::local();
        assert!(now.weekday < 7 && now.minute < 1440 && now.wall_ms > 1_600_000_000_000);
    }
}
