//! Device-level calls through a real adb 29 server to a virtual phone (`vphone`):
//! shell v1/v2, exec, push, stat, features, the live tracker, and a phone that vanishes (also mid-command).

use std::time::{Duration, Instant};

use phonefleet_device::adb::{AdbError, AdbServer, Device};
use phonefleet_device::rules::quote;
use phonefleet_device::tracker::DeviceTracker;
use vphone::testing::AdbServer as TestAdb;
use vphone::{PhoneConfig, VPhone};

const WAIT: Duration = Duration::from_secs(10);

/// Starts a virtual phone, connects the server to it and waits until the server lists it as `device`.
async fn phone_on(client: &AdbServer) -> (VPhone, Device) {
    let phone = VPhone::start(PhoneConfig::default())
        .await
        .expect("vphone starts");
    let serial = phone.serial();
    let mut devices = client.track_devices().await.expect("track");
    let answer = client.connect(&serial).await.expect("connect");
    assert!(answer.contains("connected to"), "{answer}");
    let online = async {
        while let Some(list) = devices.next().await.expect("device list") {
            if list.iter().any(|d| d.serial == serial && d.is_online()) {
                return;
            }
        }
        panic!("tracking ended before {serial} came online");
    };
    tokio::time::timeout(WAIT, online)
        .await
        .expect("phone comes online");
    let device = client.device(&serial);
    (phone, device)
}

#[tokio::test]
async fn connected_phone_is_listed_with_its_properties() {
    let server = TestAdb::start().await;
    let client = AdbServer::new(server.addr());
    let (phone, _device) = phone_on(&client).await;
    let devices = client.devices().await.expect("devices");
    let info = devices
        .iter()
        .find(|d| d.serial == phone.serial())
        .expect("listed");
    assert!(info.is_online(), "{info:?}");
    assert!(
        info.model.is_some() && info.product.is_some() && info.device.is_some(),
        "{info:?}"
    );
    assert!(info.transport_id.is_some(), "{info:?}");
}

#[tokio::test]
async fn features_include_shell_v2() {
    let server = TestAdb::start().await;
    let (_phone, device) = phone_on(&AdbServer::new(server.addr())).await;
    let features = device.features().await.expect("features");
    assert!(features.iter().any(|f| f == "shell_v2"), "{features:?}");
}

#[tokio::test]
async fn shell_returns_stdout_and_exit_code_zero() {
    let server = TestAdb::start().await;
    let (_phone, device) = phone_on(&AdbServer::new(server.addr())).await;
    let out = device.shell("echo hi").await.expect("shell");
    assert_eq!(out.stdout, b"hi\n");
    assert_eq!(out.stderr, b"");
    assert_eq!(out.exit_code, 0);
}

#[tokio::test]
async fn shell_returns_stderr_separately_with_a_failing_exit_code() {
    let server = TestAdb::start().await;
    let (_phone, device) = phone_on(&AdbServer::new(server.addr())).await;
    let out = device.shell("cat /nonexistent").await.expect("shell");
    assert_eq!(out.stdout, b"");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("/nonexistent"),
        "{out:?}"
    );
    assert_eq!(out.exit_code, 1);
}

#[tokio::test]
async fn shell_passes_quoted_arguments_intact() {
    let server = TestAdb::start().await;
    let (_phone, device) = phone_on(&AdbServer::new(server.addr())).await;
    let word = "it's a \"test\" ; 😀";
    let out = device
        .shell(&format!("echo {}", quote(word).expect("no NUL")))
        .await
        .expect("shell");
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{word}\n"));
}

#[tokio::test]
async fn shell_v1_returns_merged_output() {
    let server = TestAdb::start().await;
    let (_phone, device) = phone_on(&AdbServer::new(server.addr())).await;
    assert_eq!(device.shell_v1("echo hi").await.expect("shell"), "hi\n");
}

#[tokio::test]
async fn exec_returns_binary_stdout_unchanged() {
    let server = TestAdb::start().await;
    let (_phone, device) = phone_on(&AdbServer::new(server.addr())).await;
    let png = device.exec("screencap -p").await.expect("exec");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{:?}",
        &png[..png.len().min(16)]
    );
}

#[tokio::test]
async fn pushed_bytes_read_back_with_cat() {
    let server = TestAdb::start().await;
    let (_phone, device) = phone_on(&AdbServer::new(server.addr())).await;
    // Larger than one 64 KiB DATA chunk, and not valid UTF-8.
    let data: Vec<u8> = (0..150_000u32).map(|i| (i % 251) as u8).collect();
    let sent = device
        .push_bytes(&data, "/data/local/tmp/blob.bin", 0o644)
        .await
        .expect("push");
    assert_eq!(sent, data.len() as u64);
    assert_eq!(
        device
            .exec("cat /data/local/tmp/blob.bin")
            .await
            .expect("cat"),
        data
    );
}

#[tokio::test]
async fn pushed_file_reads_back_with_cat() {
    let server = TestAdb::start().await;
    let (_phone, device) = phone_on(&AdbServer::new(server.addr())).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let local = dir.path().join("caption.txt");
    let content = "Hello 🌍 \"quoted\" & <tagged>\n".repeat(5_000);
    std::fs::write(&local, &content).expect("write local file");
    let sent = device
        .push(&local, "/sdcard/caption.txt", 0o644)
        .await
        .expect("push");
    assert_eq!(sent, content.len() as u64);
    let out = device.shell("cat /sdcard/caption.txt").await.expect("cat");
    assert_eq!(String::from_utf8_lossy(&out.stdout), content);
}

#[tokio::test]
async fn push_of_a_missing_local_file_is_an_io_error() {
    let server = TestAdb::start().await;
    let (_phone, device) = phone_on(&AdbServer::new(server.addr())).await;
    let err = device
        .push(
            std::path::Path::new("/nonexistent/file"),
            "/sdcard/x",
            0o644,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AdbError::Io(_)), "{err:?}");
}

#[tokio::test]
async fn stat_of_pushed_file_reports_its_size_and_mode() {
    let server = TestAdb::start().await;
    let (_phone, device) = phone_on(&AdbServer::new(server.addr())).await;
    device
        .push_bytes(b"twelve bytes", "/data/local/tmp/s.txt", 0o644)
        .await
        .expect("push");
    let stat = device
        .stat("/data/local/tmp/s.txt")
        .await
        .expect("stat")
        .expect("exists");
    assert_eq!(stat.size, 12);
    assert_eq!(stat.mode & 0o777, 0o644);
    assert_eq!(stat.mode & 0o170000, 0o100000, "a regular file");
    assert!(stat.mtime > 0);
}

#[tokio::test]
async fn stat_of_missing_path_is_none() {
    let server = TestAdb::start().await;
    let (_phone, device) = phone_on(&AdbServer::new(server.addr())).await;
    assert_eq!(
        device.stat("/data/local/tmp/missing").await.expect("stat"),
        None
    );
}

#[tokio::test]
async fn dropped_phone_is_offline_within_the_timeout() {
    let server = TestAdb::start().await;
    let limit = Duration::from_secs(5);
    let client = AdbServer::new(server.addr()).with_timeout(limit);
    let (phone, device) = phone_on(&client).await;
    device
        .shell("echo hi")
        .await
        .expect("works while the phone is up");
    drop(phone);
    let started = Instant::now();
    let err = device.shell("echo hi").await.unwrap_err();
    assert!(
        matches!(err, AdbError::Offline { ref serial } if serial == device.serial()),
        "{err:?}"
    );
    assert!(started.elapsed() < limit, "took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_phone_dropped_during_a_shell_command_is_lost_within_the_timeout() {
    let server = TestAdb::start().await;
    let limit = Duration::from_secs(3);
    let client = AdbServer::new(server.addr()).with_timeout(limit);
    let (phone, device) = phone_on(&client).await;
    let before = phone.state()["commands"].as_u64().expect("a command count");
    let started = Instant::now();
    let running = tokio::spawn({
        let device = device.clone();
        async move { device.shell("sleep 5").await }
    });
    // Shut the phone down only once the sleep runs on it.
    while phone.state()["commands"].as_u64() == Some(before) {
        assert!(started.elapsed() < limit, "the sleep never started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    phone.shutdown().await;
    let result = tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("the shell call returns")
        .expect("the shell task does not panic");
    let took = started.elapsed();
    assert!(
        matches!(result, Err(AdbError::Lost { ref serial }) if serial == device.serial()),
        "{result:?}"
    );
    assert!(took < limit, "took {took:?}");
}

#[tokio::test]
async fn tracker_sees_a_phone_come_and_go() {
    let server = TestAdb::start().await;
    let client = AdbServer::new(server.addr());
    let tracker = DeviceTracker::spawn(client.clone());
    let mut table = tracker.subscribe();
    let (phone, device) = phone_on(&client).await;
    let serial = device.serial().to_owned();
    let listed = |t: &[phonefleet_device::adb::DeviceInfo]| {
        t.iter().any(|d| d.serial == serial && d.is_online())
    };
    tokio::time::timeout(WAIT, table.wait_for(|t| listed(t)))
        .await
        .expect("phone appears")
        .expect("tracker alive");
    client.disconnect(&serial).await.expect("disconnect");
    drop(phone);
    tokio::time::timeout(
        WAIT,
        table.wait_for(|t| t.iter().all(|d| d.serial != serial)),
    )
    .await
    .expect("phone disappears")
    .expect("tracker alive");
}
