//! Time as a dependency, so that stage gates, reminders and follow-ups can be tested without sleeping.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, DurationRound, TimeDelta, Utc};

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// Truncated to microseconds: both databases store timestamps at that precision, and a value
/// read back must equal the value written.
fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t)
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        micros(Utc::now())
    }
}

/// A clock that only moves when told to.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(micros(start))))
    }

    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t += by;
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = micros(to);
    }
}

/// Real time plus an offset that tests can move forward: time keeps flowing (as the job
/// queue's own timers need), and a test can still jump a day ahead.
#[derive(Debug, Clone, Default)]
pub struct ShiftedClock(Arc<Mutex<Duration>>);

impl ShiftedClock {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) += by;
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        micros(Utc::now() + *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = DateTime::parse_from_rfc3339("2026-01-01T09:00:00Z").unwrap().to_utc();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::hours(24));
        assert_eq!(clock.now(), start + Duration::hours(24));
    }

    #[test]
    fn shifted_clock_keeps_flowing_and_jumps() {
        let clock = ShiftedClock::new();
        let a = clock.now();
        clock.advance(Duration::days(1));
        let b = clock.now();
        assert!(b - a >= Duration::days(1) && b - a < Duration::days(1) + Duration::seconds(5));
    }

    #[test]
    fn system_clock_has_microsecond_precision() {
        let now = SystemClock.now();
        assert_eq!(now.timestamp_subsec_nanos() % 1_000, 0);
    }
}
