//! A pace for one run's calls to its phone, so a script calling `shell` or dumping the screen in
//! a tight loop cannot hammer the adb server that every phone of the host shares.
//!
//! A generic cell rate: calls may come in a burst of `burst`, then one per `interval`; a call
//! over the pace waits (the script just runs slower), it is never refused.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Phone calls (shell, input, app and file commands) a run may make per second, sustained.
pub const CALLS_PER_SECOND: u32 = 20;
/// UI dumps a run may take per second, sustained (the host's own polls dump every 250 ms).
pub const DUMPS_PER_SECOND: u32 = 4;

/// A pace of `burst` calls at once, then one per `interval`.
#[derive(Debug)]
pub struct Pace {
    interval: Duration,
    burst: Duration,
    /// When the next call would be due if calls came exactly on pace.
    next: Mutex<Option<Instant>>,
}

impl Pace {
    /// `per_second` calls per second, with a burst of as many.
    pub fn per_second(per_second: u32) -> Pace {
        let per_second = per_second.max(1);
        let interval = Duration::from_secs(1) / per_second;
        Pace {
            interval,
            // The first call of a burst is due now; the last `per_second - 1` intervals ahead.
            burst: interval * (per_second - 1),
            next: Mutex::new(None),
        }
    }

    /// Waits until one more call is within the pace.
    pub async fn wait(&self) {
        let now = Instant::now();
        let wait_until = {
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            let due = next.map_or(now, |n| n.max(now));
            *next = Some(due + self.interval);
            // A call may run ahead of its due time by at most the burst.
            due.checked_sub(self.burst).filter(|at| *at > now)
        };
        if let Some(at) = wait_until {
            tokio::time::sleep_until(at).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_burst_passes_then_calls_come_on_pace() {
        let pace = Pace::per_second(10);
        let start = Instant::now();
        for _ in 0..10 {
            pace.wait().await;
        }
        assert_eq!(
            start.elapsed(),
            Duration::ZERO,
            "the burst waits for nothing"
        );
        for _ in 0..10 {
            pace.wait().await;
        }
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(900) && took <= Duration::from_millis(1100),
            "{took:?}"
        );
    }
}
