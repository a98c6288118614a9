//! A live device table kept from `host:track-devices-l`, re-connecting when the adb server goes away.
//! Consumers read the current table or wait for changes through a `tokio::sync::watch` channel.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::adb::{AdbError, AdbServer, DeviceInfo};

/// First delay before re-connecting to the server.
const BACKOFF_MIN: Duration = Duration::from_millis(100);
/// Longest delay between re-connection attempts.
const BACKOFF_MAX: Duration = Duration::from_secs(2);

/// The current device table of one adb server, kept live by a background task.
///
/// While the server is unreachable the table is empty. Dropping the tracker stops the task.
#[derive(Debug)]
pub struct DeviceTracker {
    table: watch::Receiver<Arc<Vec<DeviceInfo>>>,
    task: JoinHandle<()>,
}

impl DeviceTracker {
    /// Starts tracking `server` on the current tokio runtime.
    pub fn spawn(server: AdbServer) -> DeviceTracker {
        let (tx, table) = watch::channel(Arc::new(Vec::new()));
        let task = tokio::spawn(track(server, tx));
        DeviceTracker { table, task }
    }

    /// A receiver that sees every change of the table.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Vec<DeviceInfo>>> {
        self.table.clone()
    }

    /// The table as it is now.
    pub fn current(&self) -> Arc<Vec<DeviceInfo>> {
        self.table.borrow().clone()
    }
}

impl Drop for DeviceTracker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Holds `host:track-devices-l` open, publishing each list, and re-connects with bounded backoff.
async fn track(server: AdbServer, tx: watch::Sender<Arc<Vec<DeviceInfo>>>) {
    let mut backoff = BACKOFF_MIN;
    let mut unreachable = false;
    let version = Arc::new(AtomicU32::new(0));
    loop {
        match server.track_devices().await {
            Ok(mut stream) => {
                if unreachable {
                    tracing::info!(addr = %server.addr(), "adb server reachable again; tracking devices");
                    unreachable = false;
                }
                // Asked beside the stream, so a server slow to answer does not delay the table.
                tokio::spawn(note_version(server.clone(), Arc::clone(&version)));
                loop {
                    match stream.next().await {
                        Ok(Some(devices)) => {
                            backoff = BACKOFF_MIN;
                            publish(&tx, devices);
                        }
                        Ok(None) => {
                            tracing::debug!(addr = %server.addr(), "adb server closed the device tracking stream");
                            break;
                        }
                        Err(e) => {
                            tracing::debug!(addr = %server.addr(), error = %e, "device tracking stream broke");
                            break;
                        }
                    }
                }
            }
            Err(e) => {
                if !unreachable {
                    warn_unreachable(&server, &e);
                    unreachable = true;
                }
            }
        }
        // Without a server no device is reachable.
        publish(&tx, Vec::new());
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// Replaces the table when it changed, waking subscribers only then.
fn publish(tx: &watch::Sender<Arc<Vec<DeviceInfo>>>, devices: Vec<DeviceInfo>) {
    tx.send_if_modified(|table| {
        if **table == devices {
            false
        } else {
            *table = Arc::new(devices);
            true
        }
    });
}

/// Reads the server's `host:version` and warns when it differs from the one seen before: another
/// adb binary killed the server and started its own (field case 09; scrcpy#527).
/// `seen` holds the last version read (0 before the first).
async fn note_version(server: AdbServer, seen: Arc<AtomicU32>) {
    let Ok(now) = server.version().await else {
        return;
    };
    let before = seen.swap(now, Ordering::Relaxed);
    if before != 0 && before != now {
        tracing::warn!(
            addr = %server.addr(),
            "the adb server was restarted by a different adb (version {before} before, {now} now): \
             every tool on this machine should use one adb binary, or they keep killing each other's server"
        );
    }
}

/// Logs, once per outage, that the server cannot be reached.
fn warn_unreachable(server: &AdbServer, error: &AdbError) {
    tracing::warn!(addr = %server.addr(), error = %error, "cannot track devices; retrying until the adb server answers");
}

#[cfg(test)]
mod tests {
    //! Against a fake server that speaks just `host:track-devices-l`, so each step is driven by the test.

    use std::net::{Ipv4Addr, SocketAddr};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;

    const WAIT: Duration = Duration::from_secs(5);

    async fn listener() -> (TcpListener, SocketAddr) {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        (listener, addr)
    }

    /// Accepts the tracker's connection, checks its request and answers OKAY; answers the
    /// `host:version` questions that come beside it as adb 1.0.41 does.
    async fn accept_track(listener: &TcpListener) -> TcpStream {
        loop {
            let (mut socket, _) = tokio::time::timeout(WAIT, listener.accept())
                .await
                .expect("tracker connects")
                .expect("accept");
            let mut len = [0u8; 4];
            socket.read_exact(&mut len).await.expect("length");
            let len =
                usize::from_str_radix(std::str::from_utf8(&len).expect("ascii"), 16).expect("hex");
            let mut request = vec![0u8; len];
            socket.read_exact(&mut request).await.expect("request");
            if request == b"host:version" {
                socket.write_all(b"OKAY00040029").await.expect("write");
                continue;
            }
            assert_eq!(request, b"host:track-devices-l");
            socket.write_all(b"OKAY").await.expect("write");
            return socket;
        }
    }

    async fn send_list(socket: &mut TcpStream, body: &str) {
        socket
            .write_all(format!("{:04x}{body}", body.len()).as_bytes())
            .await
            .expect("write");
    }

    async fn next_table(rx: &mut watch::Receiver<Arc<Vec<DeviceInfo>>>) -> Arc<Vec<DeviceInfo>> {
        tokio::time::timeout(WAIT, rx.changed())
            .await
            .expect("a change")
            .expect("tracker alive");
        rx.borrow_and_update().clone()
    }

    fn serials(table: &[DeviceInfo]) -> Vec<&str> {
        table.iter().map(|d| d.serial.as_str()).collect()
    }

    const ONE_PHONE: &str =
        "127.0.0.1:5555         device product:p model:M device:d transport_id:1\n";

    #[tokio::test]
    async fn table_starts_empty() {
        let (_listener, addr) = listener().await;
        let tracker = DeviceTracker::spawn(AdbServer::new(addr));
        assert!(tracker.current().is_empty());
    }

    #[tokio::test]
    async fn each_list_from_the_server_becomes_the_table() {
        let (listener, addr) = listener().await;
        let tracker = DeviceTracker::spawn(AdbServer::new(addr));
        let mut rx = tracker.subscribe();
        let mut conn = accept_track(&listener).await;
        send_list(&mut conn, ONE_PHONE).await;
        assert_eq!(serials(&next_table(&mut rx).await), ["127.0.0.1:5555"]);
        send_list(&mut conn, "").await;
        assert!(next_table(&mut rx).await.is_empty());
        assert!(tracker.current().is_empty());
    }

    #[tokio::test]
    async fn server_going_away_empties_the_table_and_tracking_resumes() {
        let (listener, addr) = listener().await;
        let tracker = DeviceTracker::spawn(AdbServer::new(addr));
        let mut rx = tracker.subscribe();
        let mut conn = accept_track(&listener).await;
        send_list(&mut conn, ONE_PHONE).await;
        assert_eq!(next_table(&mut rx).await.len(), 1);
        drop(conn);
        assert!(next_table(&mut rx).await.is_empty());
        let mut again = accept_track(&listener).await;
        send_list(&mut again, ONE_PHONE).await;
        assert_eq!(serials(&next_table(&mut rx).await), ["127.0.0.1:5555"]);
    }

    #[tokio::test]
    async fn tracker_connects_once_the_server_starts() {
        let (listener, addr) = listener().await;
        drop(listener);
        let tracker = DeviceTracker::spawn(AdbServer::new(addr));
        let mut rx = tracker.subscribe();
        // Nothing listens yet: the tracker keeps retrying with backoff.
        let listener = TcpListener::bind(addr)
            .await
            .expect("re-bind the same port");
        let mut conn = accept_track(&listener).await;
        send_list(&mut conn, ONE_PHONE).await;
        assert_eq!(serials(&next_table(&mut rx).await), ["127.0.0.1:5555"]);
    }

    #[tokio::test]
    async fn dropping_the_tracker_stops_its_task() {
        let (listener, addr) = listener().await;
        let tracker = DeviceTracker::spawn(AdbServer::new(addr));
        let mut rx = tracker.subscribe();
        let _conn = accept_track(&listener).await;
        drop(tracker);
        // The task owned the only sender; once it is gone, `changed` reports the channel closed.
        let closed = tokio::time::timeout(WAIT, rx.changed())
            .await
            .expect("task ends");
        assert!(closed.is_err());
    }
}
