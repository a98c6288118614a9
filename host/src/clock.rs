//! The host's clock as the API shows it: Unix milliseconds inside, RFC 3339 in the host's local
//! time zone outside.

use chrono::{Local, SecondsFormat, TimeZone};

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// RFC 3339 in the host's local time zone, e.g. `2026-11-28T14:30:00+01:00`.
pub fn rfc3339(ms: i64) -> String {
    match Local.timestamp_millis_opt(ms) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
            t.to_rfc3339_opts(SecondsFormat::Secs, false)
        }
        chrono::LocalResult::None => ms.to_string(),
    }
}
