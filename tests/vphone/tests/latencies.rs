//! A phone with a real phone's latencies takes their time for the slow commands (in the phone's
//! own, paused clock, so the test measures the model, not the machine) and none for the rest.

use std::time::Duration;

use tokio::time::Instant;
use vphone::{Latencies, PhoneConfig, VPhone};

async fn took(phone: &VPhone, command: &str) -> Duration {
    let started = Instant::now();
    let out = phone.run(command).await;
    assert_eq!(out.exit_code, 0, "{command}: {out:?}");
    started.elapsed()
}

#[tokio::test(start_paused = true)]
async fn slow_commands_take_a_real_phones_time_and_others_none() {
    let phone = VPhone::start(PhoneConfig {
        latencies: Latencies::REAL_PHONE,
        ..PhoneConfig::default()
    })
    .await
    .expect("a phone");
    assert_eq!(
        took(&phone, "input tap 10 10").await,
        Duration::from_millis(300)
    );
    assert_eq!(
        took(
            &phone,
            "am start -a android.intent.action.VIEW -d https://www.tiktok.com/@nasa"
        )
        .await,
        Duration::from_millis(500)
    );
    assert_eq!(
        took(&phone, "uiautomator dump /sdcard/window_dump.xml").await,
        Duration::from_millis(1500)
    );
    assert_eq!(
        took(&phone, "getprop ro.product.model").await,
        Duration::ZERO
    );
}

#[tokio::test(start_paused = true)]
async fn a_default_phone_answers_at_once() {
    let phone = VPhone::start(PhoneConfig::default())
        .await
        .expect("a phone");
    assert_eq!(took(&phone, "input tap 10 10").await, Duration::ZERO);
}
