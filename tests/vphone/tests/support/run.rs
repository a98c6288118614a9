//! Driving an in-process vphone as a script would, through `VPhone::run` (the code path of a
//! `shell,v2:` stream, without adb): a command that must succeed, a UI dump, a tap on a node.
#![allow(dead_code)] // each test binary uses its own part of this module

use vphone::VPhone;

use crate::dump::node_center;

/// Runs `command`; panics with its stderr unless it exits 0; returns its stdout.
pub async fn sh(phone: &VPhone, command: &str) -> String {
    let out = phone.run(command).await;
    assert_eq!(
        out.exit_code,
        0,
        "{command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The screen as `uiautomator dump` writes it.
pub async fn dump(phone: &VPhone) -> String {
    sh(
        phone,
        "uiautomator dump /sdcard/u.xml >/dev/null && cat /sdcard/u.xml",
    )
    .await
}

/// Dumps the screen and taps the first node whose tag contains `needle`.
pub async fn tap(phone: &VPhone, needle: &str) {
    let xml = dump(phone).await;
    let (x, y) = node_center(&xml, needle).unwrap_or_else(|| panic!("no {needle} in {xml}"));
    sh(phone, &format!("input tap {x} {y}")).await;
}
