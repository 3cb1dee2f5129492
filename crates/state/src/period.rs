//! Quota periods as API Gateway counts them: calendar periods in UTC.
//!
//! DAY starts at 00:00 UTC, MONTH on the 1st at 00:00 UTC. AWS does not document the first
//! day of a WEEK; its older QuotaSettings reference ("with a time period of WEEK, an offset of 0
//! starts on Sunday") implies Sunday, which is what we use.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

const DAY: u64 = 86_400;

/// `QuotaSettings.period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum QuotaPeriod {
    Day,
    Week,
    Month,
}

impl QuotaPeriod {
    /// The period's name as AWS spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            QuotaPeriod::Day => "DAY",
            QuotaPeriod::Week => "WEEK",
            QuotaPeriod::Month => "MONTH",
        }
    }

    /// Parses `DAY`, `WEEK` or `MONTH` (case-insensitive).
    pub fn parse(text: &str) -> Option<QuotaPeriod> {
        match text.to_ascii_uppercase().as_str() {
            "DAY" => Some(QuotaPeriod::Day),
            "WEEK" => Some(QuotaPeriod::Week),
            "MONTH" => Some(QuotaPeriod::Month),
            _ => None,
        }
    }

    /// The period containing `at`, as `[start, end)` in seconds since the Unix epoch.
    pub fn bounds(self, at: SystemTime) -> (u64, u64) {
        let secs = unix_secs(at);
        let day = secs / DAY;
        match self {
            QuotaPeriod::Day => (day * DAY, (day + 1) * DAY),
            QuotaPeriod::Week => {
                // 1970-01-01 was a Thursday: day 0 is 4 days after a Sunday.
                let start = day - (day + 4) % 7;
                (start * DAY, (start + 7) * DAY)
            }
            QuotaPeriod::Month => month_bounds(secs),
        }
    }
}

fn month_bounds(secs: u64) -> (u64, u64) {
    let at = i64::try_from(secs)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let (year, month) = (at.year(), at.month());
    let (next_year, next_month) = match month {
        time::Month::December => (year + 1, time::Month::January),
        other => (year, other.next()),
    };
    let first = |y: i32, m: time::Month| {
        time::Date::from_calendar_date(y, m, 1)
            .map(|d| d.midnight().assume_utc().unix_timestamp())
            .unwrap_or(0)
    };
    let start = u64::try_from(first(year, month)).unwrap_or(0);
    let end = u64::try_from(first(next_year, next_month)).unwrap_or(u64::MAX);
    (start, end)
}

/// Seconds since the Unix epoch (0 before it).
pub(crate) fn unix_secs(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Microseconds since the Unix epoch (0 before it): token buckets keep time at this precision.
pub(crate) fn unix_micros(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

/// The instant `secs` seconds after the epoch.
pub fn from_unix_secs(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

#[cfg(test)]
mod tests;
