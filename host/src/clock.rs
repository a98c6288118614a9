//! The host's clock as the API shows it: Unix milliseconds inside, RFC 3339 in the host's local
//! time zone outside.

use chrono::{Local, SecondsFormat, TimeZone};

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// RFC 3339 in the host's local time zone, e.g. `2026-11-28T14:30:00+01:00`.
pub fn rfc3339(ms: i64) -> String {
    formatted(ms, SecondsFormat::Secs)
}

fn formatted(ms: i64, precision: SecondsFormat) -> String {
    match Local.timestamp_millis_opt(ms) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
            t.to_rfc3339_opts(precision, false)
        }
        chrono::LocalResult::None => ms.to_string(),
    }
}

/// [`rfc3339`] with milliseconds, for log lines several of which fall in one second.
pub fn rfc3339_millis(ms: i64) -> String {
    formatted(ms, SecondsFormat::Millis)
}

/// Serde `serialize_with` for a stored Unix-milliseconds time: an RFC 3339 string, as every time
/// the API shows.
pub fn as_rfc3339<S: serde::Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*ms))
}

/// [`as_rfc3339`] for a time that may not have happened yet (`null` then).
pub fn as_rfc3339_opt<S: serde::Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => s.serialize_some(&rfc3339(*ms)),
        None => s.serialize_none(),
    }
}

/// [`as_rfc3339`] with milliseconds.
pub fn as_rfc3339_millis<S: serde::Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339_millis(*ms))
}
