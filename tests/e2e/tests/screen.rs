//! What a script sees, for its author: `GET /device/{serial}/screen` answers the phone's UI dump
//! in the SDK's node form with a screenshot link, and `/find` tries a selector on the live screen.

use phonefleet_e2e::Fleet;
use serde_json::json;
use vphone::PhoneConfig;

async fn fleet() -> Fleet {
    Fleet::start(vec![PhoneConfig::default()]).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_screen_is_the_dump_in_the_sdks_node_form_with_a_screenshot() {
    let fleet = fleet().await;
    let serial = &fleet.serials()[0];
    let reply = fleet
        .get(&format!("/device/{serial}/screen"))
        .await
        .unwrap();
    assert_eq!(reply["code"], 0, "{reply}");
    let nodes = reply["data"]["nodes"].as_array().expect("nodes");
    // A phone starts on its home screen.
    let icon = nodes
        .iter()
        .find(|n| n["description"] == "Phone")
        .unwrap_or_else(|| panic!("the launcher's Phone icon: {reply}"));
    assert_eq!(
        icon["bounds"],
        json!({"left": 60, "top": 1900, "right": 280, "bottom": 2140})
    );
    assert_eq!(icon["package"], "com.android.launcher3");
    for field in ["text", "resource_id", "class_name", "clickable", "enabled"] {
        assert!(icon.get(field).is_some(), "{field} missing: {icon}");
    }
    let link = reply["data"]["screenshot"].as_str().expect("a link");
    let png = fleet
        .http
        .get(fleet.url(link.trim_start_matches("/api/v1")))
        .send()
        .await
        .unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
    let bytes = png.bytes().await.unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} bytes",
        bytes.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_selector_tried_on_the_live_screen_answers_its_matches_with_bounds() {
    let fleet = fleet().await;
    let serial = &fleet.serials()[0];
    let reply = fleet
        .get(&format!(
            "/device/{serial}/find?description=Phone&clickable=true"
        ))
        .await
        .unwrap();
    assert_eq!(reply["code"], 0, "{reply}");
    assert_eq!(reply["data"]["count"], 1, "{reply}");
    assert_eq!(
        reply["data"]["selector"],
        "description=\"Phone\" clickable=true"
    );
    assert_eq!(reply["data"]["matches"][0]["bounds"]["left"], 60, "{reply}");
    let none = fleet
        .get(&format!("/device/{serial}/find?text=No%20such%20button"))
        .await
        .unwrap();
    assert_eq!(
        (&none["data"]["count"], &none["data"]["matches"]),
        (&json!(0), &json!([]))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_selector_that_cannot_compile_or_an_unknown_part_is_a_40001() {
    let fleet = fleet().await;
    let serial = &fleet.serials()[0];
    for query in ["text_regex=(", "colour=red"] {
        let reply = fleet
            .get(&format!("/device/{serial}/find?{query}"))
            .await
            .unwrap();
        assert_eq!(reply["code"], 40001, "{query}: {reply}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_screen_of_a_phone_adb_does_not_list_is_a_40401_naming_it() {
    let fleet = fleet().await;
    let reply = fleet.get("/device/10.0.0.9:5555/screen").await.unwrap();
    assert_eq!(reply["code"], 40401, "{reply}");
    assert!(
        reply["message"]
            .as_str()
            .is_some_and(|m| m.contains("10.0.0.9:5555")),
        "{reply}"
    );
}
