//! Client for the ADB host ("smart socket") protocol spoken by the adb server on tcp 5037.
//! One TCP connection per stream; every call is bounded by a timeout; a vanished phone is `Offline`.
//!
//! `wire` frames requests, `devices` parses device lists, `shell` and `sync` speak the device
//! services; this module holds the error type and the two handles, [`AdbServer`] and [`Device`].

mod devices;
mod shell;
mod sync;
mod wire;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use std::collections::VecDeque;
use std::sync::Mutex;

use tokio::io::BufReader;
use tokio::net::TcpStream;
use tokio::sync::OnceCell;

pub use devices::{DeviceInfo, DeviceState, DeviceStream, NO_SERIAL};
pub use shell::{CommandRecord, ShellOutput};
pub use sync::RemoteStat;
use wire::{WireError, read_framed, request};

/// Default bound on one call (connection, request, and reading the whole answer).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The server itself waits up to 10 s for a `host:connect` handshake; give it room to answer.
const MIN_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Why an ADB call failed.
#[derive(Debug, thiserror::Error)]
pub enum AdbError {
    /// Nothing listens at the server address, or the server dropped the connection.
    #[error("no adb server answers at {addr}: {source}; start one with `adb start-server`")]
    ServerUnavailable {
        /// Address of the adb server.
        addr: SocketAddr,
        /// The underlying connection error.
        source: io::Error,
    },
    /// The server does not know the device or reports it offline: the command was not sent.
    #[error("device offline: {}", self.gone().unwrap_or_default())]
    Offline {
        /// Serial of the device.
        serial: String,
    },
    /// The phone (or the adb server) went away while the command ran: it may or may not have
    /// taken effect, so it is not safe to send again unless it only reads.
    #[error("device offline: {}", self.gone().unwrap_or_default())]
    Lost {
        /// Serial of the device.
        serial: String,
    },
    /// Two phones report the same serial, so the server will not pick one by it.
    #[error(
        "several phones report serial {serial}: give each a distinct serial, or unplug all but one"
    )]
    Ambiguous {
        /// The shared serial.
        serial: String,
    },
    /// The call did not finish within the timeout.
    #[error("{what} timed out after {after:?}")]
    Timeout {
        /// What was being done.
        what: String,
        /// The bound that passed.
        after: Duration,
    },
    /// A command ran on the phone and failed; `output` is what it said about it.
    #[error("`{command}` failed: {output}")]
    Command {
        /// The command line, cut to 200 characters.
        command: String,
        /// Exit status (0 when the command exits 0 but printed an error).
        status: i32,
        /// The command's own words: stderr, else stdout, trimmed.
        output: String,
    },
    /// `uiautomator dump` could not dump the screen; the text is uiautomator's own words. Transient:
    /// a later dump of the same screen may succeed.
    #[error("{prefix}: {0}", prefix = phonefleet_rules::DUMP_FAILED)]
    DumpFailed(String),
    /// The server or the device refused the request; the text says why.
    #[error("adb refused: {0}")]
    Failed(String),
    /// The server or the device sent something this client does not understand.
    #[error("adb protocol error: {0}")]
    Protocol(String),
    /// A local file could not be read.
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl AdbError {
    /// For a phone that is not there ([`AdbError::Offline`], [`AdbError::Lost`]): what happened to
    /// it, without the "device offline" both say (`R58M… is not connected`); `None` otherwise.
    pub fn gone(&self) -> Option<String> {
        match self {
            AdbError::Offline { serial } => Some(format!("{serial} is not connected")),
            AdbError::Lost { serial } => Some(format!(
                "{serial} went away during the command (it may have run)"
            )),
            _ => None,
        }
    }
}

/// An adb server reachable over TCP (normally `127.0.0.1:5037`).
#[derive(Clone, Debug)]
pub struct AdbServer {
    addr: SocketAddr,
    timeout: Duration,
}

impl AdbServer {
    /// A client for the server at `addr`, with a 10 s bound per call.
    pub fn new(addr: SocketAddr) -> Self {
        AdbServer {
            addr,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The same client with another bound per call.
    pub fn with_timeout(self, timeout: Duration) -> Self {
        AdbServer { timeout, ..self }
    }

    /// Address of the server.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's protocol version (`host:version`); adb 29 answers 41.
    pub async fn version(&self) -> Result<u32, AdbError> {
        let body = self.host_query("host:version").await?;
        u32::from_str_radix(body.trim(), 16)
            .map_err(|_| AdbError::Protocol(format!("host:version answered {body:?}")))
    }

    /// Devices the server knows, with their state and properties (`host:devices-l`).
    pub async fn devices(&self) -> Result<Vec<DeviceInfo>, AdbError> {
        let body = self.host_query("host:devices-l").await?;
        Ok(devices::parse_device_list(&body))
    }

    /// Asks the server to connect to a phone over TCP (`host:connect:ADDRESS`); returns the server's text.
    ///
    /// Bounded by the larger of the call timeout and 15 s, because the server itself waits up to 10 s
    /// for the handshake. Answers starting with "failed"/"unable"/"cannot" become [`AdbError::Failed`].
    pub async fn connect(&self, address: &str) -> Result<String, AdbError> {
        let request = format!("host:connect:{address}");
        let limit = self.timeout.max(MIN_CONNECT_TIMEOUT);
        let text = bounded(|| request.clone(), limit, self.host_exchange(&request)).await?;
        refused_text(text)
    }

    /// Asks the server to drop a TCP phone (`host:disconnect:ADDRESS`); returns the server's text.
    pub async fn disconnect(&self, address: &str) -> Result<String, AdbError> {
        let text = self
            .host_query(&format!("host:disconnect:{address}"))
            .await?;
        refused_text(text)
    }

    /// Opens `host:track-devices-l`: the server sends the device list now and again on every change.
    ///
    /// Opening is bounded by the timeout; waiting for the next list is not.
    pub async fn track_devices(&self) -> Result<DeviceStream, AdbError> {
        const REQUEST: &str = "host:track-devices-l";
        let addr = self.addr;
        let open = async {
            let mut stream = self.open().await?;
            request(&mut stream, REQUEST)
                .await
                .map_err(|e| e.on_server(addr))?;
            Ok(DeviceStream { stream, addr })
        };
        bounded(|| REQUEST.to_owned(), self.timeout, open).await
    }

    /// A handle on one device of this server, addressed by serial; no I/O happens until it is used.
    pub fn device(&self, serial: &str) -> Device {
        Device {
            server: self.clone(),
            serial: serial.to_owned(),
            transport_id: None,
            timeout: self.timeout,
            features: Arc::default(),
            history: Arc::default(),
        }
    }

    /// A handle on the device with this transport id (`host:transport-id:N`), for a phone whose
    /// serial is shared with another or missing. Transport ids change when a phone reconnects.
    pub fn device_by_transport(&self, serial: &str, transport_id: u64) -> Device {
        Device {
            transport_id: Some(transport_id),
            ..self.device(serial)
        }
    }

    /// Opens a TCP connection to the server.
    async fn open(&self) -> Result<BufReader<TcpStream>, AdbError> {
        let unavailable = |source| AdbError::ServerUnavailable {
            addr: self.addr,
            source,
        };
        let stream = TcpStream::connect(self.addr).await.map_err(unavailable)?;
        // Requests are small and answered at once; do not let Nagle hold them back.
        stream.set_nodelay(true).map_err(unavailable)?;
        Ok(BufReader::new(stream))
    }

    /// Sends one host request and reads its `OKAY` + hex4-framed body, bounded by the timeout.
    async fn host_query(&self, req: &str) -> Result<String, AdbError> {
        bounded(|| req.to_owned(), self.timeout, self.host_exchange(req)).await
    }

    /// Unbounded body of [`Self::host_query`].
    async fn host_exchange(&self, req: &str) -> Result<String, AdbError> {
        let mut stream = self.open().await?;
        let exchange = async {
            request(&mut stream, req).await?;
            read_framed(&mut stream).await
        };
        exchange.await.map_err(|e| e.on_server(self.addr))
    }
}

/// One device of an adb server. Each call opens its own stream. Clones share what was learnt of
/// the phone (its features), so keep one handle per phone connection and clone it.
#[derive(Clone, Debug)]
pub struct Device {
    server: AdbServer,
    serial: String,
    /// Set when the phone must be addressed by transport id rather than by serial.
    transport_id: Option<u64>,
    /// Bound on each call of this handle.
    timeout: Duration,
    /// `host-serial:SERIAL:features`, asked once per handle family.
    features: Arc<OnceCell<Vec<String>>>,
    /// The last commands this handle family ran, newest last.
    history: Arc<Mutex<VecDeque<CommandRecord>>>,
}

impl Device {
    /// Serial of the device.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The same phone with another bound per call (e.g. a UI dump, which may wait 10 s for an
    /// idle screen before it even starts).
    pub fn with_timeout(&self, timeout: Duration) -> Device {
        Device {
            timeout,
            ..self.clone()
        }
    }

    /// Features the device and server share (`host-serial:SERIAL:features`), e.g. `shell_v2`;
    /// asked once, then remembered by this handle and its clones.
    pub async fn features(&self) -> Result<&[String], AdbError> {
        let features = self
            .features
            .get_or_try_init(|| async {
                let body = self.serial_query("features").await?;
                Ok::<_, AdbError>(
                    body.trim()
                        .split(',')
                        .filter(|f| !f.is_empty())
                        .map(str::to_owned)
                        .collect(),
                )
            })
            .await?;
        Ok(features)
    }

    /// The last commands run through this handle and its clones (at most
    /// [`shell::HISTORY`](CommandRecord)), oldest first: what a failed task's forensics show.
    pub fn recent_commands(&self) -> Vec<CommandRecord> {
        self.history
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    fn remember(&self, record: CommandRecord) {
        let mut history = self.history.lock().unwrap_or_else(|p| p.into_inner());
        if history.len() == shell::HISTORY {
            history.pop_front();
        }
        history.push_back(record);
    }

    /// The phone's state as the adb server sees it now (`host-serial:SERIAL:get-state`).
    ///
    /// Errors: [`AdbError::Offline`] when the server does not know the phone.
    pub async fn state(&self) -> Result<DeviceState, AdbError> {
        let body = self.serial_query("get-state").await?;
        Ok(DeviceState::parse(body.trim()))
    }

    /// Asks the server `query` about this phone (`host-serial:SERIAL:QUERY`, or by transport id)
    /// and returns its framed answer.
    async fn serial_query(&self, query: &str) -> Result<String, AdbError> {
        let req = match self.transport_id {
            Some(id) => format!("host-transport-id:{id}:{query}"),
            None => format!("host-serial:{}:{query}", self.serial),
        };
        let exchange = async {
            let mut stream = self.server.open().await?;
            let answer = async {
                request(&mut stream, &req).await?;
                read_framed(&mut stream).await
            };
            answer.await.map_err(|e| e.on_device(&self.serial))
        };
        bounded(|| req.clone(), self.timeout, exchange).await
    }

    /// Whether the phone offers `feature` (see [`Device::features`]).
    pub async fn has_feature(&self, feature: &str) -> Result<bool, AdbError> {
        Ok(self.features().await?.iter().any(|f| f == feature))
    }

    /// Opens `service` on this device and runs `talk` on the stream, all bounded by the timeout.
    async fn bounded_stream<T>(
        &self,
        what: impl FnOnce() -> String,
        service: &str,
        talk: impl AsyncFnOnce(&mut BufReader<TcpStream>) -> Result<T, WireError>,
    ) -> Result<T, AdbError> {
        let transport = match self.transport_id {
            Some(id) => format!("host:transport-id:{id}"),
            None => format!("host:transport:{}", self.serial),
        };
        let exchange = async {
            let mut stream = self.server.open().await?;
            let opened = async {
                request(&mut stream, &transport).await?;
                request(&mut stream, service).await
            };
            opened.await.map_err(|e| e.on_device(&self.serial))?;
            // From here on the phone has the command: losing it now is not "not sent".
            talk(&mut stream)
                .await
                .map_err(|e| match e.on_device(&self.serial) {
                    AdbError::Offline { serial } => AdbError::Lost { serial },
                    other => other,
                })
        };
        bounded(what, self.timeout, exchange).await
    }
}

/// Turns a server text that reports a refusal into [`AdbError::Failed`].
fn refused_text(text: String) -> Result<String, AdbError> {
    let lower = text.to_ascii_lowercase();
    if ["failed", "unable", "cannot", "error"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        Err(AdbError::Failed(text))
    } else {
        Ok(text)
    }
}

/// `kind \`command\``, the command cut to its first 80 characters, to name a call in a timeout.
fn brief(kind: &str, command: &str) -> String {
    match command.char_indices().nth(80) {
        Some((end, _)) => format!("{kind} `{}…`", &command[..end]),
        None => format!("{kind} `{command}`"),
    }
}

/// Runs `fut`, turning an elapsed `limit` into [`AdbError::Timeout`] about `what`.
async fn bounded<T>(
    what: impl FnOnce() -> String,
    limit: Duration,
    fut: impl Future<Output = Result<T, AdbError>>,
) -> Result<T, AdbError> {
    match tokio::time::timeout(limit, fut).await {
        Ok(result) => result,
        Err(_) => Err(AdbError::Timeout {
            what: what(),
            after: limit,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_connect_text_is_an_error() {
        assert!(matches!(
            refused_text("failed to connect to '127.0.0.1:1': Connection refused".into()),
            Err(AdbError::Failed(_))
        ));
        assert_eq!(
            refused_text("connected to 127.0.0.1:5555".into())
                .ok()
                .as_deref(),
            Some("connected to 127.0.0.1:5555")
        );
    }

    #[test]
    fn long_commands_are_cut_in_timeout_messages() {
        assert_eq!(brief("shell", "echo hi"), "shell `echo hi`");
        let long = "é".repeat(200);
        assert_eq!(brief("exec", &long), format!("exec `{}…`", "é".repeat(80)));
    }
}
