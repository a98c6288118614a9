//! The device side of ADB connections: accepts the adb server's TCP connections, answers CNXN,
//! and multiplexes OPEN/OKAY/WRTE/CLSE streams, each served by its own task so none blocks another.

use std::collections::HashMap;
use std::sync::Arc;

use thiserror::Error;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::{AbortHandle, JoinError, JoinHandle, JoinSet};
use tracing::{debug, warn};

use super::services::{self, Service};
use super::stream::Stream;
use crate::protocol::{
    A_AUTH, A_CLSE, A_CNXN, A_OKAY, A_OPEN, A_VERSION, A_WRTE, MAX_PAYLOAD, MAX_PAYLOAD_LEGACY,
    Message, ProtocolError, banner, read_message,
};
use crate::state::Shared;

#[derive(Debug, Error)]
enum ConnectionError {
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    #[error("the writer stopped")]
    WriterGone,
}

/// Accepts connections until the task is aborted; aborting it drops every connection with it. A
/// reboot drops them too, keeps the port closed for the phone's boot time, then listens again.
pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut listener = listener;
    loop {
        accept_until_reboot(&listener, &shared).await;
        let Ok(addr) = listener.local_addr() else {
            return;
        };
        drop(listener);
        shared.lock().boot();
        // The model's boot time: the phone is away this long, as a real one is.
        tokio::time::sleep(shared.boot_time).await;
        listener = loop {
            match TcpListener::bind(addr).await {
                Ok(listener) => break listener,
                Err(err) => {
                    warn!(%err, "cannot listen again after reboot; retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        };
    }
}

/// Serves connections until something asks for a reboot; every connection ends with it.
async fn accept_until_reboot(listener: &TcpListener, shared: &Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((socket, peer)) => {
                    debug!(%peer, "adb server connected");
                    connections.spawn(connection(socket, Arc::clone(shared)));
                }
                Err(err) => warn!(%err, "accept failed"),
            },
            Some(_) = connections.join_next() => {}
            () = shared.reboot.notified() => return,
        }
    }
}

async fn connection(socket: TcpStream, shared: Arc<Shared>) {
    if let Err(err) = run_connection(socket, shared).await {
        debug!(%err, "connection ended");
    }
}

/// Aborts the wrapped task when dropped, so a connection's reader and writer die with it.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn run_connection(socket: TcpStream, shared: Arc<Shared>) -> Result<(), ConnectionError> {
    socket.set_nodelay(true).map_err(ProtocolError::Io)?;
    let (reader, writer) = socket.into_split();
    let (out_tx, out_rx) = mpsc::unbounded_channel();
    let (in_tx, mut in_rx) = mpsc::channel(64);
    let mut writer_task = AbortOnDrop(tokio::spawn(write_loop(writer, out_rx)));
    let _reader_task = AbortOnDrop(tokio::spawn(read_loop(reader, in_tx)));
    let mut conn = Connection::new(shared, out_tx);
    loop {
        tokio::select! {
            msg = in_rx.recv() => match msg {
                Some(Ok(msg)) => conn.handle(msg)?,
                Some(Err(err)) => return Err(err.into()),
                None => return Ok(()),
            },
            Some(done) = conn.tasks.join_next_with_id() => conn.finished(done),
            _ = &mut writer_task.0 => return Err(ConnectionError::WriterGone),
        }
    }
}

async fn read_loop(
    mut reader: OwnedReadHalf,
    messages: mpsc::Sender<Result<Message, ProtocolError>>,
) {
    loop {
        let msg = read_message(&mut reader, MAX_PAYLOAD).await;
        let failed = msg.is_err();
        if messages.send(msg).await.is_err() || failed {
            return;
        }
    }
}

async fn write_loop(mut writer: OwnedWriteHalf, mut messages: UnboundedReceiver<Message>) {
    while let Some(msg) = messages.recv().await {
        if let Err(err) = writer.write_all(&msg.encode()).await {
            debug!(%err, "write failed");
            return;
        }
    }
}

/// What the connection loop keeps per open stream.
struct OpenStream {
    remote_id: u32,
    acks: UnboundedSender<()>,
    inbound: UnboundedSender<Vec<u8>>,
    task: AbortHandle,
}

struct Connection {
    shared: Arc<Shared>,
    out: UnboundedSender<Message>,
    max_payload: u32,
    next_id: u32,
    streams: HashMap<u32, OpenStream>,
    tasks: JoinSet<()>,
    task_streams: HashMap<tokio::task::Id, u32>,
}

impl Connection {
    fn new(shared: Arc<Shared>, out: UnboundedSender<Message>) -> Self {
        Self {
            shared,
            out,
            max_payload: MAX_PAYLOAD_LEGACY,
            next_id: 1,
            streams: HashMap::new(),
            tasks: JoinSet::new(),
            task_streams: HashMap::new(),
        }
    }

    fn send(&self, msg: Message) -> Result<(), ConnectionError> {
        self.out.send(msg).map_err(|_| ConnectionError::WriterGone)
    }

    fn handle(&mut self, msg: Message) -> Result<(), ConnectionError> {
        match msg.command {
            A_CNXN => {
                self.max_payload = msg.arg1.clamp(MAX_PAYLOAD_LEGACY, MAX_PAYLOAD);
                let version = msg.arg0.min(A_VERSION);
                let banner = banner(&self.shared.model(), self.shared.shell_v2());
                self.send(Message::new(A_CNXN, version, self.max_payload, banner))
            }
            A_OPEN => self.open(msg.arg0, &msg.payload),
            A_OKAY => {
                if let Some(stream) = self.streams.get(&msg.arg1) {
                    // A closed receiver means the service already finished; nothing to wake.
                    let _ = stream.acks.send(());
                }
                Ok(())
            }
            A_WRTE => {
                let Some(stream) = self.streams.get(&msg.arg1) else {
                    return Ok(());
                };
                let remote_id = stream.remote_id;
                // The service may have stopped reading; its input is then simply dropped.
                let _ = stream.inbound.send(msg.payload);
                self.send(Message::new(A_OKAY, msg.arg1, remote_id, Vec::new()))
            }
            A_CLSE => {
                if let Some(stream) = self.streams.remove(&msg.arg1) {
                    stream.task.abort();
                }
                Ok(())
            }
            A_AUTH => {
                debug!("ignoring AUTH: this device does not authenticate");
                Ok(())
            }
            other => {
                debug!(
                    command = format!("{other:#010x}"),
                    "ignoring unknown command"
                );
                Ok(())
            }
        }
    }

    fn open(&mut self, remote_id: u32, payload: &[u8]) -> Result<(), ConnectionError> {
        let name = String::from_utf8_lossy(payload);
        let name = name.trim_end_matches('\0');
        let service = Service::parse(name).filter(|service| {
            // adbd before Android 7 knows no `shell,v2`: it closes the stream, and the adb server
            // answers the client `FAIL closed` (field case 10).
            !matches!(service, Service::Shell { v2: true, .. }) || self.shared.shell_v2()
        });
        let Some(service) = service else {
            debug!(service = name, "refusing the service");
            return self.send(Message::new(A_CLSE, 0, remote_id, Vec::new()));
        };
        let local_id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        let (acks_tx, acks_rx) = mpsc::unbounded_channel();
        let (inbound_tx, inbound_rx) = mpsc::unbounded_channel();
        self.send(Message::new(A_OKAY, local_id, remote_id, Vec::new()))?;
        let stream = Stream::new(
            local_id,
            remote_id,
            self.max_payload as usize,
            self.out.clone(),
            acks_rx,
            inbound_rx,
        );
        let task = self
            .tasks
            .spawn(services::run(service, stream, Arc::clone(&self.shared)));
        self.task_streams.insert(task.id(), local_id);
        self.streams.insert(
            local_id,
            OpenStream {
                remote_id,
                acks: acks_tx,
                inbound: inbound_tx,
                task,
            },
        );
        Ok(())
    }

    /// A service task ended: close its stream unless the server already did.
    fn finished(&mut self, done: Result<(tokio::task::Id, ()), JoinError>) {
        let id = match done {
            Ok((id, ())) => id,
            Err(err) => {
                if err.is_panic() {
                    warn!(%err, "a stream service panicked");
                }
                err.id()
            }
        };
        let Some(local_id) = self.task_streams.remove(&id) else {
            return;
        };
        if let Some(stream) = self.streams.remove(&local_id) {
            // If the writer is gone the connection loop ends on its own.
            let _ = self.send(Message::new(A_CLSE, local_id, stream.remote_id, Vec::new()));
        }
    }
}
