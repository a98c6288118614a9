//! The field cases of `../shared/field-cases/` that a single adb call meets, replayed on a virtual
//! phone through a real adb server: each phone misbehaves as the case's report says, and the
//! typed device call either reads the truth or fails with words that say what to do.

use std::time::Duration;

use phonefleet_device::adb::{AdbError, AdbServer, Device};
use phonefleet_device::android::{ADB_KEYBOARD_IME, Keyboard, Keyguard};
use phonefleet_device::ui::Dump;
use vphone::testing::AdbServer as TestAdb;
use vphone::{DumpFault, Lock, PhoneConfig, System, VPhone};

const TIKTOK: &str = "com.zhiliaoapp.musically";

/// A phone with `system`, connected to a fresh adb server; the server is returned to keep it alive.
async fn phone(system: System) -> (TestAdb, VPhone, Device) {
    let adb = TestAdb::start().await;
    let phone = VPhone::start(PhoneConfig {
        system,
        ..PhoneConfig::default()
    })
    .await
    .expect("vphone starts");
    adb.connect(&phone).await;
    let device = AdbServer::new(adb.addr()).device(&phone.serial());
    (adb, phone, device)
}

fn dump_failure(result: Result<String, AdbError>) -> String {
    match result {
        Err(AdbError::DumpFailed(why)) => why,
        other => panic!("expected a failed dump, got {other:?}"),
    }
}

#[tokio::test]
async fn case01_a_null_root_is_a_failed_dump_never_the_previous_screen() {
    let (_adb, phone, device) = phone(System::default()).await;
    device
        .dump_ui()
        .await
        .expect("a first dump leaves a file behind");
    phone.push_dump_faults(&[DumpFault::NullRoot]);
    let why = dump_failure(device.dump_ui().await);
    assert!(why.contains("null root node"), "{why}");
    let xml = device.dump_ui().await.expect("the next dump succeeds");
    assert!(xml.contains("<hierarchy"), "{xml}");
}

#[tokio::test]
async fn case02_a_screen_that_never_goes_idle_fails_the_dump_in_uiautomators_words() {
    let system = System {
        idle_wait: Duration::from_millis(300),
        ..System::default()
    };
    let (_adb, phone, device) = phone(system).await;
    phone.push_dump_faults(&[DumpFault::IdleTimeout]);
    let why = dump_failure(device.dump_ui().await);
    assert!(why.contains("could not get idle state"), "{why}");
}

#[tokio::test]
async fn case03_another_uiautomation_client_is_named_with_how_to_stop_it() {
    let (_adb, phone, device) = phone(System::default()).await;
    phone.push_dump_faults(&[DumpFault::AlreadyRegistered]);
    let why = dump_failure(device.dump_ui().await);
    assert!(why.contains("another UI automation tool"), "{why}");
    assert!(why.contains("am force-stop"), "{why}");
}

/// Field case 04's fixture, `fixtures/04-dump-entities-emoji-naf.xml`: one line as uiautomator writes
/// it, with NAF nodes, character references, emoji and a single-quoted attribute.
#[tokio::test]
async fn case04_entities_emoji_and_naf_nodes_parse_to_the_exact_text() {
    let fixture = include_str!("fixtures/04-dump-entities-emoji-naf.xml");
    let (_adb, phone, device) = phone(System::default()).await;
    phone.replay_dump(fixture);
    let xml = device.dump_ui().await.expect("the replayed dump is read");
    let dump = Dump::parse(&xml).expect("it parses");
    let nodes = dump.nodes();
    assert_eq!(nodes.len(), 6);
    assert!(
        nodes[1].text.is_empty() && nodes[1].clickable,
        "{:?}",
        nodes[1]
    );
    assert_eq!(nodes[2].text, "Sample Shop & Co 😀\nsaid \"hi\" <3 'daily'");
    assert_eq!(nodes[3].text, "Café こんにちは 🎉");
    assert_eq!(nodes[3].description, "tab\tseparated\r\ndesc");
    assert_eq!(
        (nodes[4].resource_id.as_str(), nodes[4].text.as_str()),
        ("", "Follow")
    );
}

#[tokio::test]
async fn case10_android_6_runs_commands_over_shell_v1_with_status_and_plain_newlines() {
    let system = System {
        sdk: 23,
        ..System::default()
    };
    let (_adb, _phone, device) = phone(system).await;
    let features = device.features().await.expect("features");
    assert!(!features.iter().any(|f| f == "shell_v2"), "{features:?}");
    let out = device
        .shell("echo one; echo two; false")
        .await
        .expect("shell v1 runs");
    assert_eq!(
        (out.stdout_text().as_str(), out.exit_code),
        ("one\ntwo\n", 1)
    );
    let xml = device.dump_ui().await.expect("a dump over shell v1");
    assert!(!xml.contains('\r'), "CRLF left in the dump");
    assert_eq!(device.android_version().await.expect("version").sdk, 23);
}

#[tokio::test]
async fn case11_opening_a_link_in_a_missing_app_fails_naming_it_despite_exit_zero() {
    let system = System {
        tiktok_installed: false,
        ..System::default()
    };
    let (_adb, _phone, device) = phone(system).await;
    assert!(!device.is_installed(TIKTOK).await.expect("pm path"));
    let err = device
        .open_url("https://www.tiktok.com/@nasa", Some(TIKTOK))
        .await
        .expect_err("am start printed an error");
    let text = err.to_string();
    assert!(
        text.contains(TIKTOK) && text.contains("is it installed"),
        "{text}"
    );
}

#[tokio::test]
async fn case12_a_disabled_adbkeyboard_is_enabled_selected_and_the_old_one_put_back() {
    let system = System {
        keyboard: vphone::Keyboard::Disabled,
        ..System::default()
    };
    let (_adb, _phone, device) = phone(system).await;
    assert_eq!(
        device.keyboard().await.expect("ime list"),
        Keyboard::Disabled
    );
    let previous = device
        .use_adb_keyboard()
        .await
        .expect("enabled and selected")
        .expect("another IME was current");
    assert_eq!(
        device.current_ime().await.expect("settings"),
        ADB_KEYBOARD_IME
    );
    device.set_ime(&previous).await.expect("put back");
    assert_eq!(device.current_ime().await.expect("settings"), previous);
}

#[tokio::test]
async fn case13_refused_input_injection_names_the_setting_to_turn_on() {
    let system = System {
        inject_refused: true,
        ..System::default()
    };
    let (_adb, _phone, device) = phone(system).await;
    let text = device.tap(10, 10).await.expect_err("refused").to_string();
    assert!(text.contains("USB debugging (Security settings)"), "{text}");
}

#[tokio::test]
async fn case14_an_asleep_phone_behind_a_swipe_lock_is_woken_and_opened() {
    let system = System {
        asleep: true,
        lock: Lock::Swipe,
        ..System::default()
    };
    let (_adb, phone, device) = phone(system).await;
    let state = device.screen_state().await.expect("dumpsys");
    assert!(!state.awake);
    device.wake().await.expect("wakeup");
    assert_eq!(
        device.screen_state().await.expect("dumpsys").keyguard,
        Keyguard::Swipe
    );
    device.dismiss_keyguard().await.expect("dismiss");
    let state = device.screen_state().await.expect("dumpsys");
    assert!(state.awake && state.keyguard == Keyguard::None, "{state:?}");
    assert_eq!(phone.state()["keyguard"], false);
}

#[tokio::test]
async fn case14_a_pin_lock_is_secure_and_stays_shut() {
    let system = System {
        asleep: true,
        lock: Lock::Pin,
        ..System::default()
    };
    let (_adb, _phone, device) = phone(system).await;
    device.wake().await.expect("wakeup");
    device
        .dismiss_keyguard()
        .await
        .expect("dismiss asks for the PIN");
    let state = device.screen_state().await.expect("dumpsys");
    assert_eq!(state.keyguard, Keyguard::Secure);
}

#[tokio::test]
async fn case08_phones_sharing_a_factory_serial_are_reached_by_transport_id_and_told_apart() {
    let adb = TestAdb::start().await;
    let shared = System {
        serialno: Some("0123456789ABCDEF".into()),
        ..System::default()
    };
    let mut phones = Vec::new();
    for _ in 0..2 {
        let phone = VPhone::start(PhoneConfig {
            system: shared.clone(),
            ..PhoneConfig::default()
        })
        .await
        .expect("vphone starts");
        adb.connect(&phone).await;
        phones.push(phone);
    }
    let server = AdbServer::new(adb.addr());
    let mut handsets = Vec::new();
    for info in server.devices().await.expect("devices") {
        let id = info.transport_id.expect("adb 29 lists transport ids");
        // The serial is the one every such phone reports; only the transport id picks one.
        let device = server.device_by_transport("0123456789ABCDEF", id);
        let state = device.shell("dumpsys vphone").await.expect("dumpsys");
        let state: serde_json::Value =
            serde_json::from_slice(&state.stdout).expect("the phone's state");
        assert_eq!(info.serial, format!("127.0.0.1:{}", state["serial_port"]));
        handsets.push(device.hardware_id().await.expect("identity"));
    }
    assert_eq!(handsets.len(), 2);
    assert_ne!(handsets[0], handsets[1], "a junk serial is not an identity");
    assert!(
        handsets.iter().all(|h| h.starts_with("android_id:")),
        "{handsets:?}"
    );
}
