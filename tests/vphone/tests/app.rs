//! In-process tests of the TikTok-like app and the shell, driven with `VPhone::run` (the same code path
//! as a `shell,v2:` stream, without adb): follow controls, the unfollow flow, traps, popups, navigation.

#[path = "support/dump.rs"]
mod dump;
#[path = "support/run.rs"]
mod run;

use run::{dump, sh, tap};
use serde_json::{Value, json};
use vphone::{PhoneConfig, Popups, VPhone};

const PKG: &str = "com.zhiliaoapp.musically";

async fn open_profile(phone: &VPhone, user: &str) {
    sh(
        phone,
        &format!(
            "am start -f 0x10008000 -a android.intent.action.VIEW \
             -d https://www.tiktok.com/@{user} -p {PKG}"
        ),
    )
    .await;
}

fn following(phone: &VPhone) -> Value {
    let state = phone.state();
    let account = state["current_account"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    state["following"][account].clone()
}

#[tokio::test]
async fn shell_quoting_operators_and_redirections_behave_like_sh() {
    let phone = VPhone::start(PhoneConfig::default()).await.expect("phone");
    assert_eq!(
        sh(&phone, r#"echo "a  b" 'c;d' e\ f"#).await,
        "a  b c;d e f\n"
    );
    assert_eq!(sh(&phone, "false && echo no; echo yes").await, "yes\n");
    assert_eq!(
        sh(&phone, "echo hi > /sdcard/x.txt; cat /sdcard/x.txt").await,
        "hi\n"
    );
    assert_eq!(
        sh(&phone, "pm list packages | grep musically").await,
        format!("package:{PKG}\n")
    );
    let out = phone.run("cat /missing 2>&1").await;
    assert_eq!(
        (out.stdout, out.exit_code),
        (b"cat: /missing: No such file or directory\n".to_vec(), 1)
    );
    let out = phone.run("echo 'unterminated").await;
    assert_eq!(out.exit_code, 2);
}

#[tokio::test]
async fn unquoted_substitutions_run_as_on_a_real_shell_and_are_recorded() {
    let phone = VPhone::start(PhoneConfig::default()).await.expect("phone");
    assert_eq!(sh(&phone, "echo a$(echo b)c `echo d`").await, "abc d\n");
    assert_eq!(
        sh(&phone, "echo '$(echo not run)'").await,
        "$(echo not run)\n"
    );
    let ran = phone.state()["ran"].clone();
    let names: Vec<&str> = ran
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|argv| argv[0].as_str())
        .collect();
    assert_eq!(names, ["echo", "echo", "echo", "echo"], "{ran}");
}

#[tokio::test]
async fn a_group_passes_on_its_status_to_dollar_question_mark() {
    let phone = VPhone::start(PhoneConfig::default()).await.expect("phone");
    assert_eq!(sh(&phone, "(\nfalse\n); echo \"s=$?\"").await, "s=1\n");
    assert_eq!(
        sh(&phone, "(echo x; true) > /sdcard/g; cat /sdcard/g; echo $?").await,
        "x\n0\n"
    );
}

#[tokio::test]
async fn follow_back_turns_into_friends_and_unfollowing_a_friend_asks_twice() {
    let phone = VPhone::start(PhoneConfig {
        followers_of_me: vec!["@bbc".into()],
        ..PhoneConfig::default()
    })
    .await
    .expect("phone");
    open_profile(&phone, "bbc").await;
    tap(
        &phone,
        "text=\"Follow back\" resource-id=\"com.zhiliaoapp.musically:id/eme\"",
    )
    .await;
    assert_eq!(following(&phone), json!(["bbc"]));
    tap(
        &phone,
        "text=\"Friends\" resource-id=\"com.zhiliaoapp.musically:id/eme\"",
    )
    .await;
    assert_eq!(phone.state()["screen"], "unfollow_sheet");
    tap(&phone, "text=\"Unfollow\"").await;
    assert_eq!(phone.state()["screen"], "unfollow_dialog");
    assert!(
        dump(&phone)
            .await
            .contains("text=\"Unfollow this person?\"")
    );
    assert_eq!(following(&phone), json!(["bbc"]));
    tap(
        &phone,
        "text=\"Unfollow\" resource-id=\"\" class=\"android.widget.Button\"",
    )
    .await;
    assert_eq!(following(&phone), json!([]));
    assert_eq!(phone.state()["screen"], "profile");
    assert!(
        dump(&phone)
            .await
            .contains("text=\"Follow back\" resource-id=\"com.zhiliaoapp.musically:id/eme\"")
    );
}

#[tokio::test]
async fn unfollow_sheet_unfollows_a_plain_follow_at_once() {
    let phone = VPhone::start(PhoneConfig::default()).await.expect("phone");
    open_profile(&phone, "nasa").await;
    tap(
        &phone,
        "text=\"Follow\" resource-id=\"com.zhiliaoapp.musically:id/eme\"",
    )
    .await;
    tap(&phone, "text=\"Following \"").await;
    let xml = dump(&phone).await;
    assert!(xml.contains("text=\"Customise name\""));
    tap(&phone, "text=\"Unfollow\"").await;
    assert_eq!(following(&phone), json!([]));
    assert_eq!(phone.state()["screen"], "profile");
}

#[tokio::test]
async fn suggested_follow_back_follows_the_suggested_user_not_the_profile() {
    let phone = VPhone::start(PhoneConfig::default()).await.expect("phone");
    open_profile(&phone, "nasa").await;
    let xml = dump(&phone).await;
    assert!(xml.contains("text=\"Suggested accounts\""));
    tap(
        &phone,
        "text=\"Follow back\" resource-id=\"\" class=\"android.widget.Button\"",
    )
    .await;
    let followed = following(&phone);
    assert_eq!(followed.as_array().map(Vec::len), Some(1));
    assert_ne!(followed, json!(["nasa"]));
}

#[tokio::test]
async fn follows_are_kept_per_account() {
    let phone = VPhone::start(PhoneConfig {
        accounts: vec!["@Shop_EU".into(), "alt".into()],
        ..PhoneConfig::default()
    })
    .await
    .expect("phone");
    open_profile(&phone, "nasa").await;
    tap(
        &phone,
        "text=\"Follow\" resource-id=\"com.zhiliaoapp.musically:id/eme\"",
    )
    .await;
    let state = phone.state();
    assert_eq!(state["accounts"], json!(["shop_eu", "alt"]));
    assert_eq!(state["following"], json!({"shop_eu": ["nasa"], "alt": []}));
}

#[tokio::test]
async fn search_for_a_missing_user_shows_no_results() {
    let phone = VPhone::start(PhoneConfig {
        missing_users: vec!["nobody123".into()],
        ..PhoneConfig::default()
    })
    .await
    .expect("phone");
    sh(
        &phone,
        &format!("monkey -p {PKG} -c android.intent.category.LAUNCHER 1"),
    )
    .await;
    tap(&phone, "content-desc=\"Search\"").await;
    sh(&phone, "input text nobody123").await;
    tap(
        &phone,
        "text=\"Search\" resource-id=\"com.zhiliaoapp.musically:id/y61\"",
    )
    .await;
    tap(&phone, "text=\"Users\"").await;
    assert!(dump(&phone).await.contains("text=\"No results found\""));
    sh(&phone, "input keyevent KEYCODE_BACK").await;
    assert_eq!(phone.state()["screen"], "feed");
    sh(&phone, "input keyevent 3").await;
    let state = phone.state();
    assert_eq!(
        (state["screen"].as_str(), state["foreground"].as_str()),
        (Some("launcher"), Some("com.android.launcher3"))
    );
}

#[tokio::test]
async fn b64_typing_needs_the_adb_keyboard_ime() {
    let phone = VPhone::start(PhoneConfig::default()).await.expect("phone");
    sh(
        &phone,
        &format!("monkey -p {PKG} -c android.intent.category.LAUNCHER 1"),
    )
    .await;
    tap(&phone, "content-desc=\"Search\"").await;
    sh(&phone, "am broadcast -a ADB_INPUT_B64 --es msg aGk=").await;
    assert!(
        dump(&phone)
            .await
            .contains(&format!("text=\"\" resource-id=\"{PKG}:id/giv\""))
    );
    let out = phone.run("input text 'caf\u{e9}'").await;
    assert_ne!(out.exit_code, 0);
}

#[tokio::test]
async fn notifications_prompt_blocks_taps_until_not_now() {
    let phone = VPhone::start(PhoneConfig {
        popups: Popups {
            notifications_prompt: true,
            ..Popups::default()
        },
        ..PhoneConfig::default()
    })
    .await
    .expect("phone");
    open_profile(&phone, "nasa").await;
    assert_eq!(phone.state()["popup"], "notifications");
    tap(
        &phone,
        "text=\"Follow\" resource-id=\"com.zhiliaoapp.musically:id/eme\"",
    )
    .await;
    assert_eq!(following(&phone), json!([]));
    tap(&phone, "text=\"Not now\"").await;
    assert_eq!(phone.state()["popup"], Value::Null);
    tap(
        &phone,
        "text=\"Follow\" resource-id=\"com.zhiliaoapp.musically:id/eme\"",
    )
    .await;
    assert_eq!(following(&phone), json!(["nasa"]));
}

#[tokio::test]
async fn rate_limit_refuses_follows_with_a_toast() {
    let phone = VPhone::start(PhoneConfig::default()).await.expect("phone");
    phone.set_popups(Popups {
        rate_limit_after: Some(1),
        ..Popups::default()
    });
    for user in ["nasa", "bbc"] {
        open_profile(&phone, user).await;
        tap(
            &phone,
            "text=\"Follow\" resource-id=\"com.zhiliaoapp.musically:id/eme\"",
        )
        .await;
    }
    assert_eq!(following(&phone), json!(["nasa"]));
    assert!(
        dump(&phone)
            .await
            .contains("text=\"You're following too fast. Try again later.\"")
    );
}

#[tokio::test]
async fn captcha_stays_until_force_stop() {
    let phone = VPhone::start(PhoneConfig {
        popups: Popups {
            captcha_after: Some(0),
            ..Popups::default()
        },
        ..PhoneConfig::default()
    })
    .await
    .expect("phone");
    open_profile(&phone, "nasa").await;
    tap(
        &phone,
        "text=\"Follow\" resource-id=\"com.zhiliaoapp.musically:id/eme\"",
    )
    .await;
    assert!(
        dump(&phone)
            .await
            .contains("text=\"Drag the slider to fit the puzzle\"")
    );
    sh(&phone, "input keyevent 4").await;
    assert_eq!(phone.state()["popup"], "captcha");
    sh(&phone, &format!("am force-stop {PKG}")).await;
    let state = phone.state();
    assert_eq!(
        (state["popup"].clone(), state["screen"].clone()),
        (Value::Null, json!("launcher"))
    );
    assert_eq!(following(&phone), json!([]));
}

#[tokio::test]
async fn set_missing_turns_a_profile_into_couldnt_find() {
    let phone = VPhone::start(PhoneConfig::default()).await.expect("phone");
    phone.set_missing("@nasa", true);
    open_profile(&phone, "nasa").await;
    assert_eq!(phone.state()["screen"], "missing_account");
    phone.set_missing("nasa", false);
    open_profile(&phone, "nasa").await;
    assert_eq!(phone.state()["screen"], "profile");
}

#[tokio::test]
async fn pushed_media_can_be_scanned() {
    let phone = VPhone::start(PhoneConfig::default()).await.expect("phone");
    sh(&phone, "echo data > /sdcard/DCIM/a.mp4").await;
    let out = sh(
        &phone,
        "am broadcast -a android.intent.action.MEDIA_SCANNER_SCAN_FILE -d file:///sdcard/DCIM/a.mp4",
    )
    .await;
    assert!(out.ends_with("Broadcast completed: result=0\n"), "{out}");
    let state = phone.state();
    assert_eq!(state["media"], json!(["/sdcard/DCIM/a.mp4"]));
    assert_eq!(state["files"], 1);
}
