//! Posting through the REAL adb server and CLI: push, media scan, `content query`, the share intent,
//! Create → gallery → editor → caption, the sound page, Unicode captions and the timed upload.

#[path = "support/dump.rs"]
mod dump;

use std::time::{Duration, Instant};

use base64::Engine;
use dump::node_center;
use regex::Regex;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use vphone::testing::AdbServer;
use vphone::{PhoneConfig, Popups, VPhone};

const PKG: &str = "com.zhiliaoapp.musically";

struct Rig {
    server: AdbServer,
    phone: VPhone,
    dir: tempfile::TempDir,
}

impl Rig {
    async fn start(config: PhoneConfig) -> Rig {
        let server = AdbServer::start().await;
        let phone = VPhone::start(config).await.expect("phone starts");
        server.connect(&phone).await;
        Rig {
            server,
            phone,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    async fn sh(&self, command: &str) -> String {
        let (out, err, code) = self.server.shell(&self.phone.serial(), command).await;
        assert_eq!(code, 0, "{command}: {out}{err}");
        out
    }

    async fn state(&self) -> Value {
        self.server.phone_state(&self.phone.serial()).await
    }

    async fn dump(&self) -> String {
        self.sh("uiautomator dump /data/local/tmp/u.xml >/dev/null && cat /data/local/tmp/u.xml")
            .await
    }

    async fn tap_at(&self, (x, y): (i32, i32)) {
        self.sh(&format!("input tap {x} {y}")).await;
    }

    /// Dumps the screen and taps the first node whose tag contains `needle`.
    async fn tap(&self, needle: &str) {
        let xml = self.dump().await;
        let at =
            node_center(&xml, needle).unwrap_or_else(|| panic!("no node with {needle} in {xml}"));
        self.tap_at(at).await;
    }

    /// Writes `data` to a host file, pushes it to `/sdcard/DCIM/phonefleet/NAME` and scans it; returns the
    /// sha256 of the bytes.
    async fn push_media(&self, name: &str, data: &[u8]) -> String {
        let local = self.dir.path().join(name);
        std::fs::write(&local, data).expect("write the host file");
        let remote = format!("/sdcard/DCIM/phonefleet/{name}");
        let out = self
            .server
            .adb(&[
                "-s",
                &self.phone.serial(),
                "push",
                local.to_str().expect("utf-8 path"),
                &remote,
            ])
            .await;
        assert!(out.status.success(), "push: {out:?}");
        let scanned = self
            .sh(&format!(
                "am broadcast -a android.intent.action.MEDIA_SCANNER_SCAN_FILE -d file://{remote}"
            ))
            .await;
        assert!(
            scanned.contains("Broadcast completed: result=0"),
            "{scanned}"
        );
        Sha256::digest(data)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Polls the phone's state until `done` holds (at most 10 s).
    async fn wait_state(&self, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let state = self.state().await;
            if done(&state) {
                return state;
            }
            assert!(
                Instant::now() < deadline,
                "{what} never happened: {state:#}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn wait_posted(&self) -> Value {
        self.wait_state("the upload", |s| {
            s["posts"]
                .as_array()
                .is_some_and(|p| p.iter().all(|p| p["status"] == "posted"))
        })
        .await
    }
}

/// Centres of every node whose tag contains `needle`, in document order.
fn centers(xml: &str, needle: &str) -> Vec<(i32, i32)> {
    let node = Regex::new(r"<node [^>]*>").expect("regex");
    node.find_iter(xml)
        .filter(|m| m.as_str().contains(needle))
        .filter_map(|m| node_center(m.as_str(), needle))
        .collect()
}

/// Rows of `content query`: `_id` by `_data`.
fn rows(output: &str) -> Vec<(u64, String)> {
    let row = Regex::new(r"(?m)^Row: \d+ _id=(\d+), _data=(.*)$").expect("regex");
    row.captures_iter(output)
        .map(|c| (c[1].parse().expect("an id"), c[2].to_string()))
        .collect()
}

/// Centres of the gallery's tiles: clickable FrameLayouts 354 px wide, in document order (newest first).
fn tiles(xml: &str) -> Vec<(i32, i32)> {
    let tile = Regex::new(r#"<node [^>]*class="android.widget.FrameLayout"[^>]*clickable="true"[^>]*bounds="\[(\d+),(\d+)\]\[(\d+),(\d+)\]""#)
        .expect("regex");
    tile.captures_iter(xml)
        .filter_map(|c| {
            let n: Vec<i32> = (1..=4).filter_map(|i| c[i].parse().ok()).collect();
            (n.len() == 4 && n[2] - n[0] == 354).then(|| ((n[0] + n[2]) / 2, (n[1] + n[3]) / 2))
        })
        .collect()
}

#[tokio::test]
async fn a_shared_video_is_posted_with_its_bytes_and_caption() {
    let rig = Rig::start(PhoneConfig {
        upload_duration: Duration::from_millis(600),
        ..PhoneConfig::default()
    })
    .await;
    let video: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let sha = rig.push_media("v1.mp4", &video).await;

    let listed = rig
        .sh("content query --uri content://media/external/video/media --projection _id:_data")
        .await;
    let rows = rows(&listed);
    assert_eq!(
        rows,
        vec![(
            1000,
            "/storage/emulated/0/DCIM/phonefleet/v1.mp4".to_string()
        )],
        "{listed}"
    );
    assert_eq!(
        rig.sh("content query --uri content://media/external/images/media")
            .await,
        "No result found.\n"
    );

    let started = rig
        .sh(&format!(
            "am start -a android.intent.action.SEND -t video/mp4 \
             --eu android.intent.extra.STREAM content://media/external/video/media/1000 -p {PKG}"
        ))
        .await;
    assert!(
        started.starts_with("Starting: Intent { act=android.intent.action.SEND typ=video/mp4"),
        "{started}"
    );
    assert_eq!(rig.state().await["screen"], "editor");
    let xml = rig.dump().await;
    assert!(
        xml.contains(r#"text="Trending beat""#),
        "the editor picks a sound: {xml}"
    );
    rig.tap(r#"resource-id="com.zhiliaoapp.musically:id/ntn""#)
        .await;
    assert_eq!(rig.state().await["screen"], "caption");
    assert!(rig.dump().await.contains(r#"text="Add description...""#));

    rig.tap(r#"resource-id="com.zhiliaoapp.musically:id/g19""#)
        .await;
    rig.sh("input text 'Morning%sroutine%s#fyp'").await;
    let xml = rig.dump().await;
    assert!(xml.contains(r#"text="Morning routine #fyp""#), "{xml}");
    assert!(
        xml.contains(r#"text="20/4000""#),
        "the keyboard is up: {xml}"
    );
    assert!(
        !xml.contains(r#"id/qrb""#),
        "Post is under the keyboard: {xml}"
    );
    // The hashtag suggestions cover the compact Post; Back hides the keyboard.
    assert!(xml.contains(r##"text="#fypchallenge""##), "{xml}");
    rig.sh("input keyevent 4").await;
    assert_eq!(rig.state().await["screen"], "caption");
    rig.tap(r#"resource-id="com.zhiliaoapp.musically:id/qrb""#)
        .await;

    let xml = rig.dump().await;
    let percent = Regex::new(r#"text="(\d{1,2})%" resource-id="" class="android.widget.TextView"[^>]*bounds="\[40,200\]"#)
        .expect("regex");
    assert!(
        percent.is_match(&xml),
        "upload progress at the top-left: {xml}"
    );
    assert!(
        xml.contains(r#"content-desc="Create""#),
        "back on the feed: {xml}"
    );
    let state = rig.wait_posted().await;
    assert_eq!(state["uploading"], Value::Null);
    assert!(!percent.is_match(&rig.dump().await));
    let post = &state["posts"][0];
    assert_eq!(post["caption"], "Morning routine #fyp");
    assert_eq!(post["flow"], "share");
    assert_eq!(post["kind"], "video");
    assert_eq!(post["account"], "vphone_user");
    assert_eq!(post["sound"], "Trending beat");
    assert_eq!(
        post["files"],
        json!([{"path": "/sdcard/DCIM/phonefleet/v1.mp4", "uri": "content://media/external/video/media/1000",
                "sha256": sha, "size": video.len()}])
    );
}

#[tokio::test]
async fn share_rejects_what_it_cannot_take() {
    let rig = Rig::start(PhoneConfig::default()).await;
    // A URI the media store does not know: the app opens with a toast, no editor.
    rig.sh(&format!(
        "am start -a android.intent.action.SEND -t video/* \
         --eu android.intent.extra.STREAM content://media/external/video/media/4242 \
         -n {PKG}/com.ss.android.ugc.aweme.share.SystemShareActivity"
    ))
    .await;
    let state = rig.state().await;
    assert_eq!(
        (state["screen"].clone(), state["toast"].clone()),
        (
            json!("feed"),
            json!("Couldn't load this file. Try another one.")
        )
    );
    // SEND without a stream is not something SystemShareActivity resolves; like real `am`, it
    // says so on stdout and exits 0 (field case 11).
    let (out, _err, code) = rig
        .server
        .shell(
            &rig.phone.serial(),
            &format!("am start -a android.intent.action.SEND -t video/* -p {PKG}"),
        )
        .await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Error: Activity not started, unable to resolve"),
        "{out}"
    );
    let (out, err, code) = rig
        .server
        .shell(
            &rig.phone.serial(),
            "content query --uri content://media/external/video/media --projection _id:bogus",
        )
        .await;
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("Invalid column bogus"), "{err}");
}

#[tokio::test]
async fn a_carousel_goes_through_create_gallery_editor_and_caption() {
    let rig = Rig::start(PhoneConfig {
        upload_duration: Duration::from_millis(300),
        popups: Popups {
            publish_prompt: true,
            ..Popups::default()
        },
        ..PhoneConfig::default()
    })
    .await;
    let old = rig.push_media("old.mp4", b"an older video").await;
    let mut shas = Vec::new();
    for (i, name) in ["p1.jpg", "p2.png", "p3.webp"].iter().enumerate() {
        shas.push(rig.push_media(name, format!("image {i}").as_bytes()).await);
    }
    assert_ne!(old, shas[0]);
    rig.sh(&format!(
        "monkey -p {PKG} -c android.intent.category.LAUNCHER 1"
    ))
    .await;
    rig.tap(r#"content-desc="Create""#).await;
    assert_eq!(rig.state().await["screen"], "camera");
    assert!(rig.dump().await.contains(r#"text="Add sound""#));
    rig.tap(r#"resource-id="com.zhiliaoapp.musically:id/ymg""#)
        .await;
    assert_eq!(rig.state().await["screen"], "gallery");

    let xml = rig.dump().await;
    assert!(
        xml.contains(r#"content-desc="Record video""#),
        "the camera stays under the overlay"
    );
    assert_eq!(tiles(&xml).len(), 4, "{xml}");
    assert!(xml.contains(r#"text="Next" resource-id="com.zhiliaoapp.musically:id/uyb" class="android.widget.Button" package="com.zhiliaoapp.musically" content-desc="" checkable="false" checked="false" clickable="false""#), "{xml}");
    rig.tap(r#"text="Photos""#).await;
    rig.tap(r#"text="Select multiple""#).await;
    let tiles = tiles(&rig.dump().await);
    assert_eq!(tiles.len(), 3);
    // Newest first: select oldest → newest so the carousel keeps the push order.
    for at in tiles.iter().rev() {
        rig.tap_at(*at).await;
    }
    let xml = rig.dump().await;
    assert!(xml.contains(r#"text="Next (3)""#), "{xml}");
    assert!(xml.contains(r#"text="1" resource-id="" class="android.widget.TextView" package="com.zhiliaoapp.musically" content-desc="" checkable="true" checked="true""#), "{xml}");
    rig.tap(r#"id/uyb""#).await;
    assert_eq!(rig.state().await["screen"], "editor");

    // A custom sound through the sheet, then both volumes.
    rig.tap(r#"content-desc="Add sound""#).await;
    assert_eq!(rig.state().await["screen"], "sound_sheet");
    rig.sh("input text rainy%sday").await;
    rig.tap(r#"text="rainy day (Remix)""#).await;
    assert!(rig.dump().await.contains(r#"text="rainy day (Remix)""#));
    rig.tap(r#"content-desc="Volume""#).await;
    let xml = rig.dump().await;
    let bars = centers(&xml, r#"class="android.widget.SeekBar""#);
    assert_eq!(bars.len(), 2, "{xml}");
    rig.tap_at((90 + 900 * 20 / 100, bars[0].1)).await;
    rig.tap_at((989, bars[1].1)).await;
    assert!(
        rig.dump()
            .await
            .contains(r#"text="20" resource-id="" class="android.widget.SeekBar""#)
    );
    rig.tap(r#"text="Done""#).await;
    rig.tap(r#"id/ntn""#).await;

    // A product link, a caption typed as ASCII, Post, then the publish prompt.
    rig.tap(r#"text="Add link""#).await;
    rig.tap(r#"text="Product""#).await;
    assert_eq!(rig.state().await["screen"], "product_picker");
    rig.tap(r#"text="Add""#).await;
    assert!(rig.dump().await.contains(r#"text="Phone stand""#));
    rig.tap(r#"id/g19""#).await;
    rig.sh("input text three%sphotos").await;
    rig.sh("input keyevent 4").await;
    rig.tap(r#"id/qrb""#).await;
    assert_eq!(rig.state().await["screen"], "publish_dialog");
    assert!(
        rig.dump()
            .await
            .contains(r#"text="Publish video publicly?""#)
    );
    rig.tap(r#"text="Publish now""#).await;

    let state = rig.wait_posted().await;
    assert_eq!(state["screen"], "feed");
    let post = &state["posts"][0];
    assert_eq!(
        (post["flow"].clone(), post["kind"].clone()),
        (json!("addButton"), json!("images"))
    );
    assert_eq!(post["caption"], "three photos");
    assert_eq!(post["sound"], "rainy day (Remix)");
    assert_eq!(
        (
            post["original_volume"].clone(),
            post["added_volume"].clone()
        ),
        (json!(20), json!(100))
    );
    assert_eq!(post["product_link"], "Phone stand");
    let files: Vec<(&str, &str)> = post["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or(""),
                f["sha256"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        files,
        vec![
            ("/sdcard/DCIM/phonefleet/p1.jpg", shas[0].as_str()),
            ("/sdcard/DCIM/phonefleet/p2.png", shas[1].as_str()),
            ("/sdcard/DCIM/phonefleet/p3.webp", shas[2].as_str()),
        ]
    );
}

#[tokio::test]
async fn emoji_and_cjk_captions_arrive_intact_through_adbkeyboard() {
    let rig = Rig::start(PhoneConfig {
        upload_duration: Duration::from_millis(100),
        ..PhoneConfig::default()
    })
    .await;
    rig.push_media("clip.mp4", b"clip").await;
    rig.sh(&format!(
        "am start -a android.intent.action.SEND_MULTIPLE -t video/* \
         --eu android.intent.extra.STREAM content://media/external/video/media/1000 -p {PKG}"
    ))
    .await;
    rig.tap(r#"id/ntn""#).await;
    rig.tap(r#"id/g19""#).await;
    let caption = "Café ☕️ 日本の夏 🇯🇵👩‍👩‍👧 #旅行";
    // `input text` refuses non-ASCII like a real phone.
    let (_, _, code) = rig
        .server
        .shell(&rig.phone.serial(), &format!("input text '{caption}'"))
        .await;
    assert_eq!(code, 255);
    rig.sh("ime set com.android.adbkeyboard/.AdbIME").await;
    let b64 = base64::engine::general_purpose::STANDARD.encode(caption.as_bytes());
    rig.sh(&format!("am broadcast -a ADB_INPUT_B64 --es msg {b64}"))
        .await;
    assert!(rig.dump().await.contains(&format!("text=\"{caption}\"")));
    rig.sh("input keyevent 4").await;
    rig.tap(r#"id/qrb""#).await;
    let state = rig.wait_posted().await;
    assert_eq!(state["posts"][0]["caption"].as_str(), Some(caption));
    assert_eq!(state["posts"][0]["flow"], "share");
}

#[tokio::test]
async fn use_sound_opens_the_camera_with_the_sound() {
    let rig = Rig::start(PhoneConfig {
        upload_duration: Duration::from_millis(100),
        ..PhoneConfig::default()
    })
    .await;
    rig.push_media("dance.mp4", b"dance").await;
    rig.sh(&format!(
        "am start -f 0x10008000 -a android.intent.action.VIEW -d https://www.tiktok.com/music/Summer%20vibes -p {PKG}"
    ))
    .await;
    assert_eq!(rig.state().await["screen"], "sound_page");
    assert!(rig.dump().await.contains(r#"text="Summer vibes""#));
    rig.tap(r#"text="Use sound""#).await;
    let xml = rig.dump().await;
    assert_eq!(rig.state().await["screen"], "camera");
    assert!(
        xml.contains(r#"text="Summer vibes""#),
        "the camera shows the sound: {xml}"
    );
    rig.tap(r#"id/ymg""#).await;
    rig.tap_at(tiles(&rig.dump().await)[0]).await;
    rig.tap(r#"id/uyb""#).await;
    // The sound can be taken off again in the editor.
    assert!(rig.dump().await.contains(r#"text="Summer vibes""#));
    rig.tap(r#"id/ntn""#).await;
    rig.tap(r#"id/qrb""#).await;
    let state = rig.wait_posted().await;
    let post = &state["posts"][0];
    assert_eq!(
        (
            post["flow"].clone(),
            post["sound"].clone(),
            post["caption"].clone()
        ),
        (json!("useSound"), json!("Summer vibes"), json!(""))
    );
}
