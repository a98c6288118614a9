//! In-process tests of the Instagram-like app, driven with `VPhone::run` as a script would drive it
//! over adb: profile links, the profile's own follow button (never a suggestion's), private
//! accounts' requests, the review interstitial, the unfollow sheet and dialog, search, a missing
//! user and the "Try Again Later" block.

#[path = "support/dump.rs"]
mod dump;
#[path = "support/run.rs"]
mod run;

use dump::node_center;
use run::{dump, sh, tap};
use serde_json::{Value, json};
use vphone::{InstagramConfig, PhoneConfig, VPhone};

const IG: &str = "com.instagram.android";

async fn phone_with(config: InstagramConfig) -> VPhone {
    VPhone::start(PhoneConfig {
        instagram: Some(config),
        ..PhoneConfig::default()
    })
    .await
    .expect("phone")
}

async fn open_profile(phone: &VPhone, user: &str) -> String {
    sh(
        phone,
        &format!(
            "am start -W -a android.intent.action.VIEW -d 'https://www.instagram.com/{user}/?igsh=x' {IG}"
        ),
    )
    .await
}

fn instagram(phone: &VPhone) -> Value {
    phone.state()["instagram"].clone()
}

const FOLLOW_BUTTON: &str = "profile_header_follow_button";

#[tokio::test]
async fn a_profile_link_opens_the_profile_with_its_own_follow_button() {
    let phone = phone_with(InstagramConfig::default()).await;
    open_profile(&phone, "nasa").await;
    let xml = dump(&phone).await;
    assert!(xml.contains(r#"package="com.instagram.android""#), "{xml}");
    assert!(xml.contains(r#"text="nasa" resource-id="com.instagram.android:id/action_bar_title""#));
    assert!(xml.contains(
        r#"text="Follow" resource-id="com.instagram.android:id/profile_header_follow_button""#
    ));
    assert!(
        xml.contains("Suggested for you"),
        "the trap is there: {xml}"
    );
    tap(&phone, FOLLOW_BUTTON).await;
    assert_eq!(instagram(&phone)["following"]["vphone_ig"], json!(["nasa"]));
    let xml = dump(&phone).await;
    assert!(xml.contains(
        r#"text="Following" resource-id="com.instagram.android:id/profile_header_follow_button""#
    ));
}

#[tokio::test]
async fn a_private_accounts_follow_is_a_request() {
    let phone = phone_with(InstagramConfig {
        private_users: vec!["quiet".into()],
        ..InstagramConfig::default()
    })
    .await;
    open_profile(&phone, "quiet").await;
    assert!(dump(&phone).await.contains("This account is private"));
    tap(&phone, FOLLOW_BUTTON).await;
    let state = instagram(&phone);
    assert_eq!(state["requested"]["vphone_ig"], json!(["quiet"]), "{state}");
    assert_eq!(state["following"]["vphone_ig"], json!([]), "{state}");
    assert!(dump(&phone).await.contains(r#"text="Requested""#));
}

#[tokio::test]
async fn a_reviewed_account_asks_before_following() {
    let phone = phone_with(InstagramConfig {
        review_users: vec!["newbie".into()],
        ..InstagramConfig::default()
    })
    .await;
    open_profile(&phone, "newbie").await;
    tap(&phone, FOLLOW_BUTTON).await;
    let xml = dump(&phone).await;
    assert!(
        xml.contains("Review this account before following"),
        "{xml}"
    );
    assert_eq!(instagram(&phone)["following"]["vphone_ig"], json!([]));
    // The dialog's own "Follow" is the last one in the dump.
    let follow = xml.rfind(r#"text="Follow""#).expect("the dialog's Follow");
    let (x, y) = node_center(&xml[follow - 20..], r#"text="Follow""#).expect("bounds");
    sh(&phone, &format!("input tap {x} {y}")).await;
    assert_eq!(
        instagram(&phone)["following"]["vphone_ig"],
        json!(["newbie"])
    );
}

#[tokio::test]
async fn unfollow_goes_through_the_sheet() {
    let phone = phone_with(InstagramConfig::default()).await;
    open_profile(&phone, "nasa").await;
    tap(&phone, FOLLOW_BUTTON).await;
    tap(&phone, FOLLOW_BUTTON).await;
    tap(&phone, "follow_sheet_unfollow_row").await;
    assert_eq!(instagram(&phone)["following"]["vphone_ig"], json!([]));
    assert!(dump(&phone).await.contains(
        r#"text="Follow" resource-id="com.instagram.android:id/profile_header_follow_button""#
    ));
}

#[tokio::test]
async fn searching_lists_the_user_among_look_alikes_and_opens_the_profile() {
    let phone = phone_with(InstagramConfig::default()).await;
    sh(
        &phone,
        &format!("monkey -p {IG} -c android.intent.category.LAUNCHER 1"),
    )
    .await;
    tap(&phone, r#"content-desc="Search and explore""#).await;
    // The first tap on the box only enters search mode.
    tap(&phone, "action_bar_search_hints_text_layout").await;
    assert!(dump(&phone).await.contains("action_bar_search_edit_text"));
    sh(&phone, "input text nasa").await;
    let xml = dump(&phone).await;
    assert!(xml.contains(r#"text="nasa.fan""#) && xml.contains(r#"text="nasa_official""#));
    tap(
        &phone,
        r#"text="nasa" resource-id="com.instagram.android:id/row_search_user_username""#,
    )
    .await;
    let state = instagram(&phone);
    assert_eq!(
        (&state["screen"], &state["screen_user"]),
        (&json!("profile"), &json!("nasa"))
    );
}

#[tokio::test]
async fn a_missing_user_shows_the_page_is_not_available() {
    let phone = VPhone::start(PhoneConfig {
        instagram: Some(InstagramConfig::default()),
        missing_users: vec!["ghost".into()],
        ..PhoneConfig::default()
    })
    .await
    .expect("phone");
    open_profile(&phone, "ghost").await;
    assert!(
        dump(&phone)
            .await
            .contains("Sorry, this page isn't available.")
    );
}

#[tokio::test]
async fn follows_past_the_limit_show_try_again_later_and_change_nothing() {
    let phone = phone_with(InstagramConfig {
        block_after: Some(1),
        ..InstagramConfig::default()
    })
    .await;
    open_profile(&phone, "nasa").await;
    tap(&phone, FOLLOW_BUTTON).await;
    open_profile(&phone, "bbc").await;
    tap(&phone, FOLLOW_BUTTON).await;
    let xml = dump(&phone).await;
    assert!(
        xml.contains("Try Again Later") && xml.contains("igds_alert_dialog_headline"),
        "{xml}"
    );
    assert_eq!(instagram(&phone)["following"]["vphone_ig"], json!(["nasa"]));
}

#[tokio::test]
async fn instagram_and_tiktok_take_turns_in_front() {
    let phone = phone_with(InstagramConfig::default()).await;
    open_profile(&phone, "nasa").await;
    let focus = sh(&phone, "dumpsys window").await;
    assert!(
        focus.contains("com.instagram.android/com.instagram.mainactivity.MainActivity"),
        "{focus}"
    );
    sh(
        &phone,
        "am start -a android.intent.action.VIEW -d https://www.tiktok.com/@nasa -p com.zhiliaoapp.musically",
    )
    .await;
    assert!(
        dump(&phone)
            .await
            .contains(r#"package="com.zhiliaoapp.musically""#)
    );
    assert_eq!(instagram(&phone)["screen"], "none");
    let packages = sh(&phone, "pm list packages").await;
    assert!(
        packages.contains("package:com.instagram.android"),
        "{packages}"
    );
}

#[tokio::test]
async fn a_phone_without_instagram_cannot_open_its_links() {
    let phone = VPhone::start(PhoneConfig::default()).await.expect("phone");
    let out = open_profile(&phone, "nasa").await;
    assert!(out.contains("unable to resolve"), "{out}");
    assert!(!sh(&phone, "pm list packages").await.contains("instagram"));
}

#[tokio::test]
async fn unfollowing_a_private_account_asks_again() {
    let phone = phone_with(InstagramConfig {
        following: vec!["quiet".into()],
        private_users: vec!["quiet".into()],
        ..InstagramConfig::default()
    })
    .await;
    open_profile(&phone, "quiet").await;
    tap(&phone, FOLLOW_BUTTON).await;
    tap(&phone, "follow_sheet_unfollow_row").await;
    assert_eq!(
        instagram(&phone)["following"]["vphone_ig"],
        json!(["quiet"])
    );
    assert!(dump(&phone).await.contains("Unfollow @quiet?"));
    tap(&phone, "com.instagram.android:id/primary_button").await;
    assert_eq!(instagram(&phone)["following"]["vphone_ig"], json!([]));
}
