//! Client for the ADB host ("smart socket") protocol spoken by the adb server on tcp 5037.
//! One TCP connection per stream; every call is bounded by a timeout; a vanished phone is `Offline`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Default bound on one call (connection, request, and reading the whole answer).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The server itself waits up to 10 s for a `host:connect` handshake; give it room to answer.
const MIN_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Largest `DATA` chunk of the sync protocol.
const SYNC_CHUNK: usize = 64 * 1024;
/// Longest remote path the sync protocol accepts.
const SYNC_MAX_PATH: usize = 1024;
/// Largest single shell v2 packet accepted from the server (adbd sends at most its max payload).
const SHELL_MAX_PACKET: u32 = 16 * 1024 * 1024;
/// File type bits of a regular file, as `adb push` sends them.
const S_IFREG: u32 = 0o100_000;
/// Mask of the file type bits.
const S_IFMT: u32 = 0o170_000;

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
    /// The server does not know the device, reports it offline, or the stream broke mid-call.
    #[error("device {serial} is offline or not connected")]
    Offline {
        /// Serial of the device.
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

/// Low-level failure of one exchange, before it is given its context (server or device).
#[derive(Debug)]
enum WireError {
    /// The socket broke or closed early.
    Io(io::Error),
    /// The adb server answered `FAIL` with this reason.
    Fail(String),
    /// The device's sync service answered `FAIL` with this message.
    SyncFail(String),
    /// The other side sent something malformed.
    Protocol(String),
    /// A local file could not be read.
    Local(io::Error),
}

impl From<io::Error> for WireError {
    fn from(e: io::Error) -> Self {
        WireError::Io(e)
    }
}

impl WireError {
    /// Context of a host-level request (`host:...`): socket trouble means the server went away.
    fn on_server(self, addr: SocketAddr) -> AdbError {
        match self {
            WireError::Io(source) => AdbError::ServerUnavailable { addr, source },
            WireError::Fail(reason) | WireError::SyncFail(reason) => AdbError::Failed(reason),
            WireError::Protocol(what) => AdbError::Protocol(what),
            WireError::Local(e) => AdbError::Io(e),
        }
    }

    /// Context of a device stream: socket trouble or a "not found"/"offline" refusal means the phone is gone.
    fn on_device(self, serial: &str) -> AdbError {
        let offline = || AdbError::Offline {
            serial: serial.to_owned(),
        };
        match self {
            WireError::Io(_) => offline(),
            WireError::Fail(reason) if means_offline(&reason) => offline(),
            WireError::Fail(reason) | WireError::SyncFail(reason) => AdbError::Failed(reason),
            WireError::Protocol(what) => AdbError::Protocol(what),
            WireError::Local(e) => AdbError::Io(e),
        }
    }
}

/// Whether a server `FAIL` reason says the device is not there.
fn means_offline(reason: &str) -> bool {
    reason.contains("not found") || reason.contains("offline") || reason.contains("no devices")
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
        Ok(parse_device_list(&body))
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

    /// A handle on one device of this server; no I/O happens until it is used.
    pub fn device(&self, serial: &str) -> Device {
        Device {
            server: self.clone(),
            serial: serial.to_owned(),
        }
    }

    /// Opens a TCP connection to the server.
    async fn open(&self) -> Result<BufReader<TcpStream>, AdbError> {
        let stream =
            TcpStream::connect(self.addr)
                .await
                .map_err(|source| AdbError::ServerUnavailable {
                    addr: self.addr,
                    source,
                })?;
        // Requests are small and answered at once; do not let Nagle hold them back.
        stream
            .set_nodelay(true)
            .map_err(|source| AdbError::ServerUnavailable {
                addr: self.addr,
                source,
            })?;
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

/// One device as the server lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DeviceInfo {
    /// Serial; `host:port` for a phone connected over TCP.
    pub serial: String,
    /// `device`, `offline`, `unauthorized`, `authorizing`, `connecting`, `no permissions ...`.
    pub state: String,
    /// `ro.product.model`, when the device reported it.
    pub model: Option<String>,
    /// `ro.product.name`, when the device reported it.
    pub product: Option<String>,
    /// `ro.product.device`, when the device reported it.
    pub device: Option<String>,
    /// The server's transport id for the device.
    pub transport_id: Option<u64>,
}

/// Parses the body of `host:devices-l` / `host:track-devices-l`, one device per non-empty line.
fn parse_device_list(body: &str) -> Vec<DeviceInfo> {
    body.lines().filter_map(parse_device_line).collect()
}

/// Parses `SERIAL<spaces>STATE [usb:..] product:x model:Y device:z transport_id:N`.
///
/// The state may hold spaces (`no permissions (...); see [...]`); it ends at the first `key:value` word.
fn parse_device_line(line: &str) -> Option<DeviceInfo> {
    let mut words = line.split_whitespace();
    let serial = words.next()?.to_owned();
    let mut info = DeviceInfo {
        serial,
        state: String::new(),
        model: None,
        product: None,
        device: None,
        transport_id: None,
    };
    let mut in_state = true;
    for word in words {
        let pair = word.split_once(':').filter(|(key, _)| {
            !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        });
        match pair {
            Some((key, value)) => {
                in_state = false;
                match key {
                    "model" => info.model = Some(value.to_owned()),
                    "product" => info.product = Some(value.to_owned()),
                    "device" => info.device = Some(value.to_owned()),
                    "transport_id" => info.transport_id = value.parse().ok(),
                    _ => {}
                }
            }
            None if in_state => {
                if !info.state.is_empty() {
                    info.state.push(' ');
                }
                info.state.push_str(word);
            }
            None => {}
        }
    }
    Some(info)
}

/// Live device lists from `host:track-devices-l`.
#[derive(Debug)]
pub struct DeviceStream {
    stream: BufReader<TcpStream>,
    addr: SocketAddr,
}

impl DeviceStream {
    /// Waits for the next full device list; `None` when the server closed the stream.
    pub async fn next(&mut self) -> Result<Option<Vec<DeviceInfo>>, AdbError> {
        let mut len = [0u8; 4];
        match read_exact_or_eof(&mut self.stream, &mut len).await {
            Ok(false) => return Ok(None),
            Ok(true) => {}
            Err(source) => {
                return Err(AdbError::ServerUnavailable {
                    addr: self.addr,
                    source,
                });
            }
        }
        let body = async {
            let len = parse_hex4(&len)?;
            read_string(&mut self.stream, len).await
        };
        let body = body.await.map_err(|e| e.on_server(self.addr))?;
        Ok(Some(parse_device_list(&body)))
    }
}

/// Output of a shell v2 command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellOutput {
    /// Bytes the command wrote to stdout.
    pub stdout: Vec<u8>,
    /// Bytes the command wrote to stderr.
    pub stderr: Vec<u8>,
    /// Exit status (0–255).
    pub exit_code: i32,
}

/// What sync `STAT` reports about a remote path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RemoteStat {
    /// `st_mode`, file type bits included.
    pub mode: u32,
    /// Size in bytes (truncated to 32 bits by the protocol).
    pub size: u32,
    /// Modification time, seconds since the epoch.
    pub mtime: u32,
}

/// One device of an adb server. Each call opens its own stream.
#[derive(Clone, Debug)]
pub struct Device {
    server: AdbServer,
    serial: String,
}

impl Device {
    /// Serial of the device.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// Runs `command` through the phone's `sh -c` with shell protocol v2 (`shell,v2,raw:`):
    /// separate stdout and stderr, and the exit code. Stdin is closed at once.
    ///
    /// The command is passed as is; quote arguments with [`crate::quote::quote`].
    pub async fn shell(&self, command: &str) -> Result<ShellOutput, AdbError> {
        let service = format!("shell,v2,raw:{command}");
        self.bounded_stream(
            || brief("shell", command),
            &service,
            async |stream| {
                // Close stdin first, so commands that read it see EOF instead of waiting forever.
                stream.write_all(&[packet::CLOSE_STDIN, 0, 0, 0, 0]).await?;
                stream.flush().await?;
                read_shell_v2(stream).await
            },
        )
        .await
    }

    /// Runs `command` with the v1 shell (`shell:`): stdout and stderr merged, no exit code.
    /// Invalid UTF-8 is replaced with U+FFFD.
    pub async fn shell_v1(&self, command: &str) -> Result<String, AdbError> {
        let service = format!("shell:{command}");
        let bytes = self
            .bounded_stream(
                || brief("shell", command),
                &service,
                async |stream| read_to_eof(stream).await,
            )
            .await?;
        Ok(match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    /// Runs `command` with `exec:` and returns its raw stdout (binary-safe, e.g. `screencap -p`).
    pub async fn exec(&self, command: &str) -> Result<Vec<u8>, AdbError> {
        let service = format!("exec:{command}");
        self.bounded_stream(
            || brief("exec", command),
            &service,
            async |stream| read_to_eof(stream).await,
        )
        .await
    }

    /// Copies the local file to `remote` with permissions `mode` (e.g. `0o644`); returns bytes sent.
    ///
    /// The file is streamed in chunks of at most 64 KiB; its modification time is kept.
    pub async fn push(&self, local: &Path, remote: &str, mode: u32) -> Result<u64, AdbError> {
        let target = send_target(remote, mode)?;
        let mut file = tokio::fs::File::open(local).await?;
        let mtime = file
            .metadata()
            .await?
            .modified()
            .map(unix_seconds)
            .unwrap_or_else(|_| now_seconds());
        self.bounded_stream(
            || format!("push to {remote}"),
            "sync:",
            async |stream| sync_send(stream, &mut file, &target, mtime).await,
        )
        .await
    }

    /// Writes `data` to `remote` with permissions `mode`; returns bytes sent.
    pub async fn push_bytes(&self, data: &[u8], remote: &str, mode: u32) -> Result<u64, AdbError> {
        let target = send_target(remote, mode)?;
        let mut source = data;
        self.bounded_stream(
            || format!("push to {remote}"),
            "sync:",
            async |stream| sync_send(stream, &mut source, &target, now_seconds()).await,
        )
        .await
    }

    /// Stats `remote` with sync `STAT`; `None` when it does not exist (all-zero answer).
    pub async fn stat(&self, remote: &str) -> Result<Option<RemoteStat>, AdbError> {
        check_sync_path(remote)?;
        self.bounded_stream(
            || format!("stat {remote}"),
            "sync:",
            async |stream| {
                write_sync_header(stream, b"STAT", remote.len()).await?;
                stream.write_all(remote.as_bytes()).await?;
                stream.flush().await?;
                let mut reply = [0u8; 16];
                stream.read_exact(&mut reply[..8]).await?;
                match &reply[..4] {
                    b"STAT" => {}
                    b"FAIL" => return Err(read_sync_fail(stream, le32(&reply[4..8])).await),
                    other => {
                        return Err(WireError::Protocol(format!(
                            "sync STAT answered {:?}",
                            String::from_utf8_lossy(other)
                        )));
                    }
                }
                stream.read_exact(&mut reply[8..]).await?;
                quit_sync(stream).await;
                let stat = RemoteStat {
                    mode: le32(&reply[4..8]),
                    size: le32(&reply[8..12]),
                    mtime: le32(&reply[12..16]),
                };
                let missing = stat.mode == 0 && stat.size == 0 && stat.mtime == 0;
                Ok((!missing).then_some(stat))
            },
        )
        .await
    }

    /// Features the device and server share (`host-serial:SERIAL:features`), e.g. `shell_v2`.
    pub async fn features(&self) -> Result<Vec<String>, AdbError> {
        let req = format!("host-serial:{}:features", self.serial);
        let exchange = async {
            let mut stream = self.server.open().await?;
            let answer = async {
                request(&mut stream, &req).await?;
                read_framed(&mut stream).await
            };
            answer.await.map_err(|e| e.on_device(&self.serial))
        };
        let body = bounded(|| req.clone(), self.server.timeout, exchange).await?;
        Ok(body
            .trim()
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect())
    }

    /// Opens `service` on this device and runs `talk` on the stream, all bounded by the timeout.
    async fn bounded_stream<T>(
        &self,
        what: impl FnOnce() -> String,
        service: &str,
        talk: impl AsyncFnOnce(&mut BufReader<TcpStream>) -> Result<T, WireError>,
    ) -> Result<T, AdbError> {
        let exchange = async {
            let mut stream = self.server.open().await?;
            let conversation = async {
                request(&mut stream, &format!("host:transport:{}", self.serial)).await?;
                request(&mut stream, service).await?;
                talk(&mut stream).await
            };
            conversation.await.map_err(|e| e.on_device(&self.serial))
        };
        bounded(what, self.server.timeout, exchange).await
    }
}

/// Packet ids of the shell v2 protocol.
mod packet {
    /// Output the command wrote to stdout.
    pub const STDOUT: u8 = 1;
    /// Output the command wrote to stderr.
    pub const STDERR: u8 = 2;
    /// One byte: the exit status; the last packet.
    pub const EXIT: u8 = 3;
    /// From the client: no more stdin.
    pub const CLOSE_STDIN: u8 = 4;
}

/// Reads shell v2 packets until the exit packet; EOF before it means the phone went away.
async fn read_shell_v2<R: AsyncRead + Unpin>(stream: &mut R) -> Result<ShellOutput, WireError> {
    let mut out = ShellOutput {
        stdout: Vec::new(),
        stderr: Vec::new(),
        exit_code: 0,
    };
    loop {
        let mut header = [0u8; 5];
        stream.read_exact(&mut header).await?;
        let len = le32(&header[1..5]);
        if len > SHELL_MAX_PACKET {
            return Err(WireError::Protocol(format!("shell packet of {len} bytes")));
        }
        let mut body = (&mut *stream).take(u64::from(len));
        let target = match header[0] {
            packet::STDOUT => &mut out.stdout,
            packet::STDERR => &mut out.stderr,
            packet::EXIT => {
                let mut code = Vec::with_capacity(len as usize);
                body.read_to_end(&mut code).await?;
                let Some(&status) = code.first() else {
                    return Err(WireError::Protocol("empty shell exit packet".to_owned()));
                };
                out.exit_code = i32::from(status);
                return Ok(out);
            }
            _ => {
                // Window size or stdin echo: not ours, skip the payload.
                let skipped = tokio::io::copy(&mut body, &mut tokio::io::sink()).await?;
                check_complete(skipped, len)?;
                continue;
            }
        };
        let got = body.read_to_end(target).await?;
        check_complete(got as u64, len)?;
    }
}

/// A short read inside a length-framed packet means the stream ended early.
fn check_complete(got: u64, len: u32) -> Result<(), WireError> {
    if got < u64::from(len) {
        Err(WireError::Io(io::ErrorKind::UnexpectedEof.into()))
    } else {
        Ok(())
    }
}

/// Sends the sync `SEND` sequence from `source`; returns the bytes sent.
async fn sync_send<R: AsyncRead + Unpin>(
    stream: &mut BufReader<TcpStream>,
    source: &mut R,
    target: &str,
    mtime: u32,
) -> Result<u64, WireError> {
    let sent = match send_file_data(stream, source, target, mtime).await {
        Ok(sent) => sent,
        // The device may refuse early and close; its FAIL, if any, explains why better than EPIPE.
        Err(WireError::Io(e)) => {
            return Err(match read_sync_status(stream).await {
                Err(fail @ WireError::SyncFail(_)) => fail,
                _ => WireError::Io(e),
            });
        }
        Err(other) => return Err(other),
    };
    read_sync_status(stream).await?;
    quit_sync(stream).await;
    Ok(sent)
}

/// Writes `SEND`, the `DATA` chunks and `DONE`.
async fn send_file_data<R: AsyncRead + Unpin>(
    stream: &mut BufReader<TcpStream>,
    source: &mut R,
    target: &str,
    mtime: u32,
) -> Result<u64, WireError> {
    write_sync_header(stream, b"SEND", target.len()).await?;
    stream.write_all(target.as_bytes()).await?;
    let mut buf = vec![0u8; SYNC_CHUNK];
    let mut sent = 0u64;
    loop {
        let n = fill(source, &mut buf).await.map_err(WireError::Local)?;
        if n == 0 {
            break;
        }
        write_sync_header(stream, b"DATA", n).await?;
        stream.write_all(&buf[..n]).await?;
        sent += n as u64;
    }
    stream.write_all(b"DONE").await?;
    stream.write_all(&mtime.to_le_bytes()).await?;
    stream.flush().await?;
    Ok(sent)
}

/// Reads as much as fits in `buf` (less only at EOF), so `DATA` chunks stay full-sized.
async fn fill<R: AsyncRead + Unpin>(source: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = source.read(&mut buf[filled..]).await?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

/// Reads the `OKAY` / `FAIL` that ends a sync `SEND`.
async fn read_sync_status<R: AsyncRead + Unpin>(stream: &mut R) -> Result<(), WireError> {
    let mut reply = [0u8; 8];
    stream.read_exact(&mut reply).await?;
    match &reply[..4] {
        b"OKAY" => Ok(()),
        b"FAIL" => Err(read_sync_fail(stream, le32(&reply[4..8])).await),
        other => Err(WireError::Protocol(format!(
            "sync SEND answered {:?}",
            String::from_utf8_lossy(other)
        ))),
    }
}

/// Reads the message of a sync `FAIL` of `len` bytes.
async fn read_sync_fail<R: AsyncRead + Unpin>(stream: &mut R, len: u32) -> WireError {
    match read_string(stream, len as usize).await {
        Ok(message) => WireError::SyncFail(message),
        Err(e) => e,
    }
}

/// Ends a sync session politely; the connection closes right after, so errors do not matter.
async fn quit_sync(stream: &mut BufReader<TcpStream>) {
    let quit = [b'Q', b'U', b'I', b'T', 0, 0, 0, 0];
    if stream.write_all(&quit).await.is_ok() {
        let _ = stream.flush().await;
    }
}

/// The `SEND` argument `path,<decimal mode>`; a mode without file type bits is a regular file, as `adb push` sends it.
fn send_target(remote: &str, mode: u32) -> Result<String, AdbError> {
    let mode = if mode & S_IFMT == 0 {
        mode | S_IFREG
    } else {
        mode
    };
    let target = format!("{remote},{mode}");
    check_sync_path(&target)?;
    Ok(target)
}

/// Rejects remote paths the sync protocol cannot carry.
fn check_sync_path(path: &str) -> Result<(), AdbError> {
    if path.len() > SYNC_MAX_PATH {
        return Err(AdbError::Failed(format!(
            "remote path of {} bytes exceeds the sync limit of {SYNC_MAX_PATH}",
            path.len()
        )));
    }
    Ok(())
}

/// Writes a sync request header: 4-byte id + u32 LE length.
async fn write_sync_header(
    stream: &mut BufReader<TcpStream>,
    id: &[u8; 4],
    len: usize,
) -> Result<(), WireError> {
    let len = u32::try_from(len)
        .map_err(|_| WireError::Protocol(format!("sync payload of {len} bytes")))?;
    let mut header = [0u8; 8];
    header[..4].copy_from_slice(id);
    header[4..].copy_from_slice(&len.to_le_bytes());
    stream.write_all(&header).await?;
    Ok(())
}

/// Sends a hex4-framed request and reads the bare `OKAY` (or the `FAIL` reason).
async fn request(stream: &mut BufReader<TcpStream>, payload: &str) -> Result<(), WireError> {
    let len = u16::try_from(payload.len()).map_err(|_| {
        WireError::Fail(format!(
            "request of {} bytes exceeds the 65535-byte limit",
            payload.len()
        ))
    })?;
    let mut framed = Vec::with_capacity(4 + payload.len());
    framed.extend_from_slice(format!("{len:04x}").as_bytes());
    framed.extend_from_slice(payload.as_bytes());
    stream.write_all(&framed).await?;
    stream.flush().await?;
    let mut status = [0u8; 4];
    stream.read_exact(&mut status).await?;
    match &status {
        b"OKAY" => Ok(()),
        b"FAIL" => Err(match read_framed(stream).await {
            Ok(reason) => WireError::Fail(reason),
            Err(e) => e,
        }),
        other => Err(WireError::Protocol(format!(
            "expected OKAY or FAIL, got {:?}",
            String::from_utf8_lossy(other)
        ))),
    }
}

/// Reads a hex4 length and that many bytes as text.
async fn read_framed<R: AsyncRead + Unpin>(stream: &mut R) -> Result<String, WireError> {
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).await?;
    let len = parse_hex4(&len)?;
    read_string(stream, len).await
}

/// Reads exactly `len` bytes as (lossy) UTF-8 text.
async fn read_string<R: AsyncRead + Unpin>(
    stream: &mut R,
    len: usize,
) -> Result<String, WireError> {
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).await?;
    Ok(match String::from_utf8(body) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Parses 4 ASCII hex digits.
fn parse_hex4(digits: &[u8; 4]) -> Result<usize, WireError> {
    std::str::from_utf8(digits)
        .ok()
        .filter(|s| s.bytes().all(|b| b.is_ascii_hexdigit()))
        .and_then(|s| usize::from_str_radix(s, 16).ok())
        .ok_or_else(|| {
            WireError::Protocol(format!(
                "bad hex length {:?}",
                String::from_utf8_lossy(digits)
            ))
        })
}

/// Fills `buf`; `Ok(false)` on a clean EOF before the first byte.
async fn read_exact_or_eof<R: AsyncRead + Unpin>(
    stream: &mut R,
    buf: &mut [u8],
) -> io::Result<bool> {
    let first = stream.read(buf).await?;
    if first == 0 {
        return Ok(false);
    }
    stream.read_exact(&mut buf[first..]).await?;
    Ok(true)
}

/// Reads the stream to EOF.
async fn read_to_eof<R: AsyncRead + Unpin>(stream: &mut R) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await?;
    Ok(out)
}

/// Little-endian u32 from the first 4 bytes of `bytes`.
fn le32(bytes: &[u8]) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[..4]);
    u32::from_le_bytes(word)
}

/// Seconds since the epoch, saturated into the sync protocol's u32.
fn unix_seconds(t: SystemTime) -> u32 {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    u32::try_from(secs).unwrap_or(u32::MAX)
}

/// Now, in sync protocol seconds.
fn now_seconds() -> u32 {
    unix_seconds(SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_line_with_all_properties_is_parsed() {
        let line = "127.0.0.1:5555         device product:sdk_phone model:Pixel_7 device:panther transport_id:4";
        assert_eq!(
            parse_device_line(line),
            Some(DeviceInfo {
                serial: "127.0.0.1:5555".into(),
                state: "device".into(),
                model: Some("Pixel_7".into()),
                product: Some("sdk_phone".into()),
                device: Some("panther".into()),
                transport_id: Some(4),
            })
        );
    }

    #[test]
    fn device_line_with_usb_path_and_offline_state_is_parsed() {
        let info = parse_device_line("R58M123ABC             offline usb:1-1.2 transport_id:7")
            .expect("a device");
        assert_eq!(info.state, "offline");
        assert_eq!(info.model, None);
        assert_eq!(info.transport_id, Some(7));
    }

    #[test]
    fn no_permissions_state_keeps_its_spaces() {
        let line = "0123456789ABCDEF       no permissions (user in plugdev group; are your udev rules wrong?); see [http://developer.android.com/tools/device.html] usb:1-1 transport_id:2";
        let info = parse_device_line(line).expect("a device");
        assert_eq!(info.serial, "0123456789ABCDEF");
        assert!(
            info.state
                .starts_with("no permissions (user in plugdev group;"),
            "{}",
            info.state
        );
        assert!(info.state.ends_with("device.html]"), "{}", info.state);
        assert_eq!(info.transport_id, Some(2));
    }

    #[test]
    fn empty_device_list_has_no_devices() {
        assert!(parse_device_list("").is_empty());
        assert!(parse_device_list("\n").is_empty());
    }

    #[test]
    fn bad_hex_length_is_a_protocol_error() {
        assert!(matches!(parse_hex4(b"00g1"), Err(WireError::Protocol(_))));
        assert!(matches!(parse_hex4(b"+0a1"), Err(WireError::Protocol(_))));
        assert_eq!(parse_hex4(b"001A").ok(), Some(26));
    }

    #[test]
    fn not_found_and_offline_refusals_mean_offline() {
        for reason in [
            "device 'x' not found",
            "device offline",
            "no devices/emulators found",
        ] {
            assert!(
                matches!(
                    WireError::Fail(reason.into()).on_device("x"),
                    AdbError::Offline { .. }
                ),
                "{reason}"
            );
        }
        assert!(matches!(
            WireError::Fail("closed".into()).on_device("x"),
            AdbError::Failed(_)
        ));
    }

    #[test]
    fn sync_fail_is_refused_even_when_it_says_not_found() {
        let err = WireError::SyncFail("remote object not found".into()).on_device("x");
        assert!(matches!(err, AdbError::Failed(m) if m == "remote object not found"));
    }

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

    #[tokio::test]
    async fn shell_v2_packets_are_split_into_streams_and_exit_code() {
        let wire: &[u8] = b"\x01\x03\x00\x00\x00hi\n\x02\x04\x00\x00\x00oops\x05\x00\x00\x00\x00\x03\x01\x00\x00\x00\x07";
        let out = read_shell_v2(&mut &wire[..])
            .await
            .expect("complete output");
        assert_eq!(
            out,
            ShellOutput {
                stdout: b"hi\n".to_vec(),
                stderr: b"oops".to_vec(),
                exit_code: 7
            }
        );
    }

    #[tokio::test]
    async fn shell_v2_eof_before_exit_is_a_broken_stream() {
        let wire: &[u8] = b"\x01\x03\x00\x00\x00hi\n";
        assert!(matches!(
            read_shell_v2(&mut &wire[..]).await,
            Err(WireError::Io(_))
        ));
        let truncated: &[u8] = b"\x01\x09\x00\x00\x00hi";
        assert!(matches!(
            read_shell_v2(&mut &truncated[..]).await,
            Err(WireError::Io(_))
        ));
    }
}
