//! Host-level calls against a real, isolated adb 29 server: version, device list, connect, tracking.
//! Also the error paths that need no phone: no server, unknown serial, a server that never answers.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use phonefleet_device::adb::{AdbError, AdbServer};
use vphone::testing::{AdbServer as TestAdb, free_port};

#[tokio::test]
async fn version_is_41() {
    let server = TestAdb::start().await;
    assert_eq!(
        AdbServer::new(server.addr())
            .version()
            .await
            .expect("version"),
        41
    );
}

#[tokio::test]
async fn fresh_server_lists_no_devices() {
    let server = TestAdb::start().await;
    assert_eq!(
        AdbServer::new(server.addr())
            .devices()
            .await
            .expect("devices"),
        vec![]
    );
}

#[tokio::test]
async fn connect_to_closed_port_is_a_failed_to_connect_error() {
    let server = TestAdb::start().await;
    let target = format!("127.0.0.1:{}", free_port());
    match AdbServer::new(server.addr()).connect(&target).await {
        Err(AdbError::Failed(text)) => assert!(text.starts_with("failed to connect"), "{text}"),
        other => panic!("expected Failed, got {other:?}"),
    }
}

#[tokio::test]
async fn disconnect_of_unknown_device_is_refused() {
    let server = TestAdb::start().await;
    match AdbServer::new(server.addr())
        .disconnect("127.0.0.1:1")
        .await
    {
        Err(AdbError::Failed(text)) => assert!(text.contains("no such device"), "{text}"),
        other => panic!("expected Failed, got {other:?}"),
    }
}

#[tokio::test]
async fn track_devices_yields_an_initial_empty_list() {
    let server = TestAdb::start().await;
    let mut stream = AdbServer::new(server.addr())
        .track_devices()
        .await
        .expect("track");
    let first = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("a list at once");
    assert_eq!(first.expect("no error"), Some(vec![]));
}

#[tokio::test]
async fn unknown_serial_is_offline() {
    let server = TestAdb::start().await;
    match AdbServer::new(server.addr())
        .device("nosuch")
        .shell("echo hi")
        .await
    {
        Err(AdbError::Offline { serial }) => assert_eq!(serial, "nosuch"),
        other => panic!("expected Offline, got {other:?}"),
    }
}

#[tokio::test]
async fn features_of_unknown_serial_is_offline() {
    let server = TestAdb::start().await;
    let err = AdbServer::new(server.addr())
        .device("nosuch")
        .features()
        .await
        .unwrap_err();
    assert!(matches!(err, AdbError::Offline { .. }), "{err:?}");
}

#[tokio::test]
async fn missing_server_is_server_unavailable() {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()));
    let err = AdbServer::new(addr).version().await.unwrap_err();
    assert!(
        matches!(err, AdbError::ServerUnavailable { addr: a, .. } if a == addr),
        "{err:?}"
    );
    assert!(err.to_string().contains("adb start-server"), "{err}");
}

#[tokio::test]
async fn silent_server_times_out() {
    // Accepts connections but never answers.
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let _hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let limit = Duration::from_millis(300);
    let started = Instant::now();
    let err = AdbServer::new(addr)
        .with_timeout(limit)
        .device("x")
        .shell("echo hi")
        .await
        .unwrap_err();
    assert!(
        matches!(err, AdbError::Timeout { after, .. } if after == limit),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
}
