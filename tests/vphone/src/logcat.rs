//! The phone's log buffer: `log -t TAG MSG` appends, `logcat -d` prints in threadtime or epoch format.
//! Times are real wall-clock times with millisecond precision, so tests can order events across phones.

use chrono::{DateTime, Local};

#[derive(Debug, Clone)]
struct Entry {
    time: DateTime<Local>,
    pid: u32,
    priority: char,
    tag: String,
    message: String,
}

#[derive(Debug, Clone)]
pub struct Logcat {
    entries: Vec<Entry>,
    next_pid: u32,
}

impl Default for Logcat {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            next_pid: 4100,
        }
    }
}

/// How `logcat -v` lays out a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `MM-DD HH:MM:SS.mmm  PID  TID I TAG: MSG` (logcat's default).
    ThreadTime,
    /// `SECS.mmm  PID  TID I TAG: MSG`.
    Epoch,
}

impl Logcat {
    /// Appends one entry as a new process would (each `log` call is its own pid).
    pub fn log(&mut self, priority: char, tag: &str, message: &str) {
        let pid = self.next_pid;
        self.next_pid += 1;
        for line in message.split('\n') {
            self.entries.push(Entry {
                time: Local::now(),
                pid,
                priority,
                tag: tag.to_string(),
                message: line.to_string(),
            });
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The buffer as `logcat -d` prints it; `tags` restricts to those tags (`-s`).
    pub fn dump(&self, format: Format, tags: &[String]) -> String {
        let mut out = String::new();
        for entry in self
            .entries
            .iter()
            .filter(|entry| tags.is_empty() || tags.iter().any(|tag| tag == &entry.tag))
        {
            let time = match format {
                Format::ThreadTime => entry.time.format("%m-%d %H:%M:%S%.3f").to_string(),
                Format::Epoch => format!(
                    "{}.{:03}",
                    entry.time.timestamp(),
                    entry.time.timestamp_subsec_millis()
                ),
            };
            out.push_str(&format!(
                "{time} {:5} {:5} {} {}: {}\n",
                entry.pid, entry.pid, entry.priority, entry.tag, entry.message
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_lines_carry_unix_millis_and_filter_by_tag() {
        let mut log = Logcat::default();
        log.log('I', "vp", "hello world");
        log.log('I', "other", "x");
        let text = log.dump(Format::Epoch, &["vp".to_string()]);
        let line = text.trim_end();
        let (time, rest) = line.split_once(' ').unwrap_or_default();
        let secs: f64 = time.parse().unwrap_or_default();
        let now = chrono::Utc::now().timestamp() as f64;
        assert!((now - secs).abs() < 5.0, "{line}");
        assert_eq!(time.split_once('.').map(|(_, ms)| ms.len()), Some(3));
        assert!(rest.ends_with(" I vp: hello world"), "{line}");
        assert_eq!(text.lines().count(), 1);
    }
}
