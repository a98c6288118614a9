//! The services a stream can open: `shell:` (v1, merged output), `shell,v2,…:` (framed stdout,
//! stderr and exit status), `exec:` (raw output), `sync:` and `reboot:`; anything else is refused.

use std::sync::Arc;

use tracing::debug;

use super::stream::{Stream, StreamError};
use super::sync;
use crate::commands::{self, Fd, Output};
use crate::state::Shared;

/// Shell-protocol packet ids (`shell_protocol.h`).
const ID_STDOUT: u8 = 1;
const ID_STDERR: u8 = 2;
const ID_EXIT: u8 = 3;

/// Output packets are kept under this size, like adbd's buffer.
const V2_CHUNK: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Service {
    Shell {
        v2: bool,
        command: String,
    },
    Exec(String),
    Sync,
    /// `reboot:` into Android (not `reboot:bootloader` or `reboot:recovery`).
    Reboot,
}

impl Service {
    /// `shell:CMD`, `shell,v2,TERM=xterm,raw:CMD`, `exec:CMD`, `sync:`.
    pub fn parse(name: &str) -> Option<Service> {
        if name == "sync:" {
            return Some(Service::Sync);
        }
        if name == "reboot:" {
            return Some(Service::Reboot);
        }
        if let Some(command) = name.strip_prefix("exec:") {
            return Some(Service::Exec(command.to_string()));
        }
        let (head, command) = name.split_once(':')?;
        let options = head.strip_prefix("shell")?;
        if !options.is_empty() && !options.starts_with(',') {
            return None;
        }
        Some(Service::Shell {
            v2: options.split(',').any(|o| o == "v2"),
            command: command.to_string(),
        })
    }
}

/// Serves one stream to the end; the connection closes it afterwards.
pub async fn run(service: Service, mut stream: Stream, shared: Arc<Shared>) {
    let result = match service {
        Service::Shell { v2: false, command } => {
            let output = commands::run(&shared, &command).await;
            let mut bytes = output.merged();
            if !shared.shell_v2() {
                // Old adbd runs `shell:` on a PTY, which turns every LF into CR LF.
                bytes = crlf(&bytes);
            }
            stream.write(&bytes).await
        }
        Service::Exec(command) => {
            let output = commands::run(&shared, &command).await;
            stream.write(&output.merged()).await
        }
        Service::Shell { v2: true, command } => {
            let output = commands::run(&shared, &command).await;
            stream.write(&v2_packets(&output)).await
        }
        Service::Sync => sync::serve(&mut stream, &shared).await,
        Service::Reboot => {
            // adbd goes down with every connection; the transport brings it back after boot.
            shared.reboot.notify_one();
            Ok(())
        }
    };
    if let Err(StreamError::Closed) = result {
        debug!("stream closed by the host before the service finished");
    }
}

/// LF → CR LF, as a PTY writes output.
fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    for &b in bytes {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

fn v2_packets(output: &Output) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut packet = |id: u8, data: &[u8]| {
        bytes.push(id);
        bytes.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_le_bytes());
        bytes.extend_from_slice(data);
    };
    for (fd, data) in output.chunks() {
        let id = match fd {
            Fd::Out => ID_STDOUT,
            Fd::Err => ID_STDERR,
        };
        for part in data.chunks(V2_CHUNK) {
            packet(id, part);
        }
    }
    packet(ID_EXIT, &[output.code]);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_parse_like_adbd() {
        assert_eq!(
            Service::parse("shell,v2,TERM=xterm,raw:echo hi"),
            Some(Service::Shell {
                v2: true,
                command: "echo hi".into()
            })
        );
        assert_eq!(
            Service::parse("shell:ls -l"),
            Some(Service::Shell {
                v2: false,
                command: "ls -l".into()
            })
        );
        assert_eq!(
            Service::parse("exec:screencap '-p'"),
            Some(Service::Exec("screencap '-p'".into()))
        );
        assert_eq!(Service::parse("sync:"), Some(Service::Sync));
        assert_eq!(Service::parse("shellfish:x"), None);
        assert_eq!(Service::parse("tcp:8080"), None);
    }
}
