//! End-to-end tests through the REAL adb server and CLI: each test starts its own adb server and phone,
//! connects them, and checks one behaviour with `adb shell`, `adb push`/`pull` and `exec-out`.

#[path = "support/dump.rs"]
mod dump;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use dump::node_center;
use regex::Regex;
use serde_json::Value;
use vphone::testing::AdbServer;
use vphone::{PhoneConfig, VPhone};

const PKG: &str = "com.zhiliaoapp.musically";

async fn setup(config: PhoneConfig) -> (AdbServer, VPhone) {
    let server = AdbServer::start().await;
    let phone = VPhone::start(config).await.expect("phone starts");
    server.connect(&phone).await;
    (server, phone)
}

async fn state(server: &AdbServer, phone: &VPhone) -> Value {
    let (out, err, code) = server.shell(&phone.serial(), "dumpsys vphone").await;
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("dumpsys vphone prints JSON")
}

async fn dump(server: &AdbServer, phone: &VPhone) -> String {
    let (out, err, code) = server
        .shell(
            &phone.serial(),
            "uiautomator dump /data/local/tmp/u.xml >/dev/null && cat /data/local/tmp/u.xml",
        )
        .await;
    assert_eq!(code, 0, "{err}");
    out
}

/// Dumps the screen, finds the node whose tag contains `needle`, and taps its centre.
async fn tap(server: &AdbServer, phone: &VPhone, needle: &str) {
    let xml = dump(server, phone).await;
    let (x, y) =
        node_center(&xml, needle).unwrap_or_else(|| panic!("no node with {needle} in {xml}"));
    let (_, err, code) = server
        .shell(&phone.serial(), &format!("input tap {x} {y}"))
        .await;
    assert_eq!(code, 0, "{err}");
}

async fn open_profile(server: &AdbServer, phone: &VPhone, user: &str) {
    let command = format!(
        "am start -f 0x10008000 -a android.intent.action.VIEW -d https://www.tiktok.com/@{user} -p {PKG}"
    );
    let (out, err, code) = server.shell(&phone.serial(), &command).await;
    assert_eq!(code, 0, "{out}{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shell_v2_reports_exit_code_and_stderr() {
    let (server, phone) = setup(PhoneConfig::default()).await;
    let (out, err, code) = server
        .shell(&phone.serial(), "echo 'hello world' && nosuchcmd")
        .await;
    assert_eq!(out, "hello world\n");
    assert_eq!(err, "sh: nosuchcmd: not found\n");
    assert_eq!(code, 127);
    let (out, _, code) = server.shell(&phone.serial(), "false || echo rescued").await;
    assert_eq!((out.as_str(), code), ("rescued\n", 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shell_v1_merges_output_without_exit_status() {
    let (server, phone) = setup(PhoneConfig::default()).await;
    let out = server
        .adb(&["-s", &phone.serial(), "shell", "-x", "echo out; cat /nope"])
        .await;
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "out\ncat: /nope: No such file or directory\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_then_pull_round_trips_300_kib() {
    let (server, phone) = setup(PhoneConfig::default()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let local = dir.path().join("clip.mp4");
    let bytes: Vec<u8> = (0..300 * 1024u32).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(&local, &bytes).expect("write local file");
    let local = local.to_string_lossy().into_owned();
    let serial = phone.serial();
    let out = server
        .adb(&[
            "-s",
            &serial,
            "push",
            &local,
            "/sdcard/DCIM/Camera/clip.mp4",
        ])
        .await;
    assert!(out.status.success(), "push: {out:?}");
    let back = dir.path().join("back.mp4").to_string_lossy().into_owned();
    let out = server
        .adb(&["-s", &serial, "pull", "/sdcard/DCIM/Camera/clip.mp4", &back])
        .await;
    assert!(out.status.success(), "pull: {out:?}");
    assert_eq!(std::fs::read(&back).expect("pulled file"), bytes);
    let (listing, _, _) = server
        .shell(&phone.serial(), "ls /sdcard/DCIM/Camera")
        .await;
    assert_eq!(listing, "clip.mp4\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uiautomator_dump_then_cat_shows_the_feed() {
    let (server, phone) = setup(PhoneConfig::default()).await;
    let (out, _, _) = server
        .shell(
            &phone.serial(),
            &format!("monkey -p {PKG} -c android.intent.category.LAUNCHER 1"),
        )
        .await;
    assert!(out.contains("Events injected: 1"), "{out}");
    let (out, _, code) = server
        .shell(
            &phone.serial(),
            "uiautomator dump && cat /sdcard/window_dump.xml",
        )
        .await;
    assert_eq!(code, 0);
    let head = "UI hierchary dumped to: /sdcard/window_dump.xml\n\
                <?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">";
    assert!(out.starts_with(head), "{out}");
    assert!(out.contains("text=\"For You\" resource-id=\"android:id/text1\""));
    let search = format!(
        "resource-id=\"{PKG}:id/irz\" class=\"android.widget.ImageView\" \
         package=\"{PKG}\" content-desc=\"Search\""
    );
    assert!(out.contains(&search));
    assert!(out.contains("bounds=\"[0,0][1080,2400]\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tapping_follow_on_a_profile_follows_that_user() {
    let (server, phone) = setup(PhoneConfig {
        accounts: vec!["@shop_eu".into()],
        ..PhoneConfig::default()
    })
    .await;
    open_profile(&server, &phone, "nasa").await;
    let xml = dump(&server, &phone).await;
    let follow = Regex::new(concat!(
        r#"<node [^>]*text="Follow" resource-id="[^"]*:id/eme"[^>]*"#,
        r#"bounds="\[(\d+),(\d+)\]\[(\d+),(\d+)\]""#
    ))
    .expect("regex");
    let caps = follow
        .captures(&xml)
        .expect("a Follow control on the profile");
    let n = |i: usize| caps[i].parse::<i32>().expect("number");
    let (x, y) = ((n(1) + n(3)) / 2, (n(2) + n(4)) / 2);
    server
        .shell(&phone.serial(), &format!("input tap {x} {y}"))
        .await;
    let state = state(&server, &phone).await;
    assert_eq!(state["following"]["shop_eu"], serde_json::json!(["nasa"]));
    assert_eq!(state["screen"], "profile");
    assert_eq!(state["screen_user"], "nasa");
    assert!(
        dump(&server, &phone)
            .await
            .contains("text=\"Following \" resource-id=\"com.zhiliaoapp.musically:id/eme\"")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_user_shows_couldnt_find_this_account() {
    let (server, phone) = setup(PhoneConfig {
        missing_users: vec!["@ghost_user".into()],
        ..PhoneConfig::default()
    })
    .await;
    open_profile(&server, &phone, "ghost_user").await;
    let xml = dump(&server, &phone).await;
    assert!(xml.contains("text=\"Couldn't find this account\""), "{xml}");
    assert!(!xml.contains(":id/eme"));
    let state = state(&server, &phone).await;
    assert_eq!(state["screen"], "missing_account");
    assert_eq!(state["screen_user"], "ghost_user");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adb_input_b64_types_emoji_and_cjk_into_search() {
    let (server, phone) = setup(PhoneConfig::default()).await;
    let text = "東京 café 😀🎉";
    let b64 = base64::engine::general_purpose::STANDARD.encode(text);
    server
        .shell(
            &phone.serial(),
            &format!("monkey -p {PKG} -c android.intent.category.LAUNCHER 1"),
        )
        .await;
    tap(&server, &phone, "content-desc=\"Search\"").await;
    let (out, _, _) = server
        .shell(&phone.serial(), "ime set com.android.adbkeyboard/.AdbIME")
        .await;
    assert_eq!(
        out,
        "Input method com.android.adbkeyboard/.AdbIME selected for user #0\n"
    );
    let (out, _, code) = server
        .shell(
            &phone.serial(),
            &format!("am broadcast -a ADB_INPUT_B64 --es msg {b64}"),
        )
        .await;
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "Broadcasting: Intent { act=ADB_INPUT_B64 flg=0x400000 }\nBroadcast completed: result=0\n"
    );
    let xml = dump(&server, &phone).await;
    assert!(
        xml.contains(&format!("text=\"{text}\" resource-id=\"{PKG}:id/giv\"")),
        "{xml}"
    );
    assert_eq!(
        state(&server, &phone).await["ime"],
        "com.android.adbkeyboard/.AdbIME"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searching_a_user_and_tapping_the_row_opens_the_profile() {
    let (server, phone) = setup(PhoneConfig::default()).await;
    server
        .shell(
            &phone.serial(),
            &format!("monkey -p {PKG} -c android.intent.category.LAUNCHER 1"),
        )
        .await;
    tap(&server, &phone, "content-desc=\"Search\"").await;
    server
        .shell(&phone.serial(), "input text 'nasa' && input keyevent 66")
        .await;
    tap(&server, &phone, "text=\"Users\"").await;
    tap(
        &server,
        &phone,
        "text=\"nasa\" resource-id=\"com.zhiliaoapp.musically:id/ye2\"",
    )
    .await;
    let state = state(&server, &phone).await;
    assert_eq!(
        (state["screen"].as_str(), state["screen_user"].as_str()),
        (Some("profile"), Some("nasa"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_account_changes_current_account() {
    let (server, phone) = setup(PhoneConfig {
        accounts: vec!["@shop_eu".into(), "@alt".into()],
        ..PhoneConfig::default()
    })
    .await;
    server
        .shell(
            &phone.serial(),
            &format!("monkey -p {PKG} -c android.intent.category.LAUNCHER 1"),
        )
        .await;
    tap(&server, &phone, &format!("resource-id=\"{PKG}:id/mks\"")).await;
    tap(&server, &phone, "content-desc=\"Switch account\"").await;
    let xml = dump(&server, &phone).await;
    assert!(xml.contains("text=\"Switch account\""));
    tap(&server, &phone, "text=\"alt\"").await;
    let state = state(&server, &phone).await;
    assert_eq!(state["current_account"], "alt");
    assert_eq!(state["screen"], "own_profile");
    assert!(dump(&server, &phone).await.contains("text=\"@alt\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logcat_epoch_lines_carry_wall_clock_millis() {
    let (server, phone) = setup(PhoneConfig::default()).await;
    let now = || {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs_f64()
    };
    let before = now();
    server
        .shell(&phone.serial(), "log -t vptask 'task 7 started'")
        .await;
    let after = now();
    server.shell(&phone.serial(), "log -t noise ignored").await;
    let (out, _, code) = server
        .shell(&phone.serial(), "logcat -d -v epoch -s vptask")
        .await;
    assert_eq!(code, 0);
    let line =
        Regex::new(r"^(\d+\.\d{3}) +(\d+) +(\d+) I vptask: task 7 started\n$").expect("regex");
    let caps = line
        .captures(&out)
        .unwrap_or_else(|| panic!("unexpected logcat output {out:?}"));
    let at: f64 = caps[1].parse().expect("epoch seconds");
    assert!(
        before - 0.002 <= at && at <= after + 0.002,
        "{before} <= {at} <= {after}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_screencap_returns_a_png_of_the_screen_size() {
    let (server, phone) = setup(PhoneConfig::default()).await;
    let out = server
        .adb(&["-s", &phone.serial(), "exec-out", "screencap", "-p"])
        .await;
    assert!(out.status.success());
    assert_eq!(&out.stdout[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&out.stdout[16..24], &[0, 0, 4, 56, 0, 0, 9, 96]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_dump_does_not_block_another_stream() {
    let (server, phone) = setup(PhoneConfig {
        dump_delay: Duration::from_millis(1500),
        ..PhoneConfig::default()
    })
    .await;
    let serial = phone.serial();
    let slow = {
        let server = &server;
        let serial = serial.clone();
        async move {
            server
                .adb(&["-s", &serial, "shell", "uiautomator dump"])
                .await
        }
    };
    let fast = async {
        let deadline = Instant::now() + Duration::from_secs(10);
        while phone.state()["commands"] == 0 {
            assert!(Instant::now() < deadline, "the slow dump never started");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let started = Instant::now();
        let (out, _, _) = server.shell(&phone.serial(), "echo quick").await;
        (out, started.elapsed())
    };
    let (slow_out, (fast_out, fast_took)) = tokio::join!(slow, fast);
    assert_eq!(fast_out, "quick\n");
    assert!(
        fast_took < Duration::from_millis(1000),
        "fast command took {fast_took:?}"
    );
    assert!(String::from_utf8_lossy(&slow_out.stdout).contains("UI hierchary dumped to"));
    assert_eq!(phone.state()["max_concurrent_streams"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_makes_adb_see_the_phone_go_offline() {
    let (server, phone) = setup(PhoneConfig::default()).await;
    let serial = phone.serial();
    phone.shutdown().await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        match server.device_state(&serial).await.as_deref() {
            None | Some("offline") => break,
            _ => assert!(Instant::now() < deadline, "{serial} still online"),
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
