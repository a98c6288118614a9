//! Running documentation as written: the fenced block after an HTML-comment marker, run by bash
//! in its own process group (killed, group and all, on drop), with polling waits on its output.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The fenced block right after `<!-- MARKER -->` in `doc`.
pub fn block(doc: &str, marker: &str) -> String {
    let tag = format!("<!-- {marker} -->");
    let after = doc
        .split_once(&tag)
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("the document lacks {tag}"));
    let body = after
        .split_once("```")
        .and_then(|(_, b)| b.split_once('\n'))
        .and_then(|(_, b)| b.split_once("```"));
    body.map(|(b, _)| b.to_string())
        .unwrap_or_else(|| panic!("no fenced block after {tag}"))
}

/// A terminal running one block, its output going to a log file.
pub struct Terminal {
    child: Child,
    log: PathBuf,
    script: String,
}

impl Terminal {
    /// Runs `script` with `bash -euo pipefail` in `dir`, with `envs` set and `unset` removed.
    pub fn open(
        script: &str,
        dir: &Path,
        envs: &[(&str, String)],
        unset: &[&str],
        log: PathBuf,
    ) -> Terminal {
        let out = std::fs::File::create(&log).expect("log");
        let err = out.try_clone().expect("log");
        let mut command = Command::new("bash");
        command
            .args(["-euo", "pipefail", "-c", script])
            .current_dir(dir)
            .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        for name in unset {
            command.env_remove(name);
        }
        Terminal {
            child: command.spawn().expect("bash runs"),
            log,
            script: script.to_string(),
        }
    }

    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the output contains `text` `times` times; fails if the block exits first or
    /// `limit` passes.
    pub fn wait_for_text(&mut self, text: &str, times: usize, limit: Duration) {
        let deadline = Instant::now() + limit;
        while self.output().matches(text).count() < times {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) before printing {text:?}:\n{}",
                    self.script,
                    self.output()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no {text:?} within {limit:?}:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (at most `limit`) for the block to exit successfully; returns its output.
    pub fn finish(mut self, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "{} still runs after {limit:?}:\n{}",
                self.script,
                self.output()
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        assert!(
            status.success(),
            "{} failed ({status}):\n{}",
            self.script,
            self.output()
        );
        self.output()
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        // The whole group: a finished block may have left processes behind.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
    }
}
