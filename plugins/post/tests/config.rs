//! Native tests of the post script's pure logic: config parsing and defaults, the generated JSON Schema with its
//! host-path marks and conditional requirements, captions from spintax, material picking and device names.

use phonefleet_post::{
    AddSound, ContentType, Post, PostConfig, PostWay, device_paths, from_list, pick_caption,
};
use phonefleet_sdk::materials::MediaKind;
use serde_json::{Value, json};

fn schema() -> Value {
    phonefleet_sdk::config_schema::<PostConfig>()
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema()).expect("the schema compiles")
}

fn errors(config: &Value) -> Vec<String> {
    validator()
        .iter_errors(config)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

fn parse(v: Value) -> PostConfig {
    serde_json::from_value(v).expect("config parses")
}

#[test]
fn schema_file_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schemas/post.json");
    if let Err(stale) =
        phonefleet_sdk::check_schema_file(path.as_ref(), &schema(), "phonefleet-post")
    {
        panic!("{stale}");
    }
}

#[test]
fn schema_is_2020_12_closed_and_marks_host_paths() {
    let s = schema();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(s["additionalProperties"], false);
    assert_eq!(s["title"], "post");
    assert_eq!(
        s["properties"]["material_list"]["items"]["x-host-path"],
        "file"
    );
    assert_eq!(s["properties"]["material_path"]["x-host-path"], "dir");
    for key in [
        "content_type",
        "image_count",
        "captions",
        "post_way",
        "material_list",
        "material_source",
        "material_path",
        "materials_tags",
        "upload_wait_time",
        "sound_wait_time",
        "add_sound",
        "sound_name",
        "custom_sound_keyword",
        "origin_sound_volume",
        "add_sound_volume",
        "add_product_link",
        "placement",
    ] {
        assert!(s["properties"].get(key).is_some(), "schema lacks {key}");
    }
    assert!(
        s.get("required")
            .is_none_or(|r| r.as_array().unwrap().is_empty()),
        "no key is always required"
    );
    let info = phonefleet_sdk::__private::describe::<Post>();
    assert_eq!(info.name, "post");
    assert_eq!(
        serde_json::from_str::<Value>(&info.config_schema).unwrap(),
        s
    );
}

#[test]
fn defaults_follow_the_contract() {
    let c = parse(json!({}));
    assert_eq!(c, PostConfig::default());
    assert_eq!(c.content_type, ContentType::Video);
    assert_eq!(
        (c.image_count, c.upload_wait_time, c.sound_wait_time),
        (1, 30, 10)
    );
    assert_eq!((c.origin_sound_volume, c.add_sound_volume), (50, 50));
    assert_eq!(c.add_sound, AddSound::Default);
    let s = schema();
    let defaults: Vec<Value> = [
        "content_type",
        "image_count",
        "post_way",
        "material_source",
        "upload_wait_time",
        "add_sound",
        "placement",
        "add_product_link",
    ]
    .iter()
    .map(|k| s["properties"][k]["default"].clone())
    .collect();
    assert_eq!(
        defaults,
        vec![
            json!(0),
            json!(1),
            json!("share"),
            json!("materialLibrary"),
            json!(30),
            json!("-1"),
            json!("reel"),
            json!(0)
        ]
    );
    // Serialising gives back the canonical forms, which parse again.
    let round = serde_json::to_value(&c).unwrap();
    assert_eq!(round["add_sound"], "-1");
    assert_eq!(parse(round), c);
}

#[test]
fn schema_accepts_the_contract() {
    for ok in [
        json!({}),
        json!({"content_type": 1, "image_count": 3, "material_list": ["/m/a.jpg", "/m/b.jpg", "/m/c.jpg"]}),
        json!({"captions": "{Hi|Hello} 👋 {日本|世界}", "post_way": "addButton", "materials_tags": "dance,fun"}),
        json!({"material_source": "localFolder", "material_path": "/media"}),
        json!({"material_source": "localFolder", "material_list": ["/m/v.mp4"]}),
        json!({"post_way": "useSound", "sound_name": "Summer vibes", "sound_wait_time": 20}),
        json!({"add_sound": "custom", "custom_sound_keyword": "rain"}),
        json!({"add_sound": -1}),
        json!({"add_sound": 0}),
        json!({"add_sound": 1}),
        json!({"add_sound": "1"}),
        json!({"upload_wait_time": 0}),
        json!({"upload_wait_time": 3600}),
        json!({"origin_sound_volume": 0, "add_sound_volume": 100, "add_product_link": 1, "placement": "story"}),
    ] {
        assert!(errors(&ok).is_empty(), "{ok} rejected: {:?}", errors(&ok));
        let config = parse(ok.clone());
        assert_eq!(config.check(), Ok(()), "{ok}");
    }
}

#[test]
fn schema_rejects_bad_values_and_unknown_keys() {
    for bad in [
        json!({"bogus": 1}),
        json!({"content_type": 2}),
        json!({"content_type": "0"}),
        json!({"image_count": 0}),
        json!({"post_way": "email"}),
        json!({"material_list": "/m/a.mp4"}),
        json!({"material_source": "ftp"}),
        json!({"upload_wait_time": -5}),
        json!({"upload_wait_time": 3601}),
        json!({"add_sound": 2}),
        json!({"add_sound": "yes"}),
        json!({"add_sound": true}),
        json!({"origin_sound_volume": 101}),
        json!({"add_sound_volume": -1}),
        json!({"add_product_link": 2}),
        json!({"placement": "feed"}),
    ] {
        assert!(!errors(&bad).is_empty(), "{bad} accepted");
        // Out-of-range values that still fit the Rust type are caught by check().
        let run_rejects = match serde_json::from_value::<PostConfig>(bad.clone()) {
            Err(_) => true,
            Ok(config) => config.check().is_err(),
        };
        assert!(run_rejects, "{bad} passes run's own checks");
    }
    let errs = errors(&json!({"upload_wait_time": -5}));
    assert!(
        errs.iter().any(|e| e.contains("/upload_wait_time")),
        "{errs:?}"
    );
}

#[test]
fn conditional_requirements_are_in_the_schema() {
    let cases = [
        (json!({"material_source": "localFolder"}), "/material_path"),
        (
            json!({"material_source": "localFolder", "material_path": ""}),
            "/material_path",
        ),
        (
            json!({"material_source": "localFolder", "material_list": []}),
            "/material_path",
        ),
        (json!({"post_way": "useSound"}), "sound_name"),
        (
            json!({"post_way": "useSound", "sound_name": ""}),
            "/sound_name",
        ),
        (json!({"add_sound": "custom"}), "custom_sound_keyword"),
        (
            json!({"add_sound": "custom", "custom_sound_keyword": ""}),
            "/custom_sound_keyword",
        ),
    ];
    for (config, mentions) in cases {
        let errs = errors(&config);
        let material = mentions.trim_start_matches('/');
        assert!(
            errs.iter().any(|e| e.contains(material)),
            "{config}: {errs:?} should name {mentions}"
        );
        let checked = parse(config.clone()).check();
        assert!(
            checked.as_ref().is_err_and(|e| e.contains(material)),
            "{config}: {checked:?}"
        );
    }
}

#[test]
fn add_sound_takes_strings_and_integers() {
    for (value, want) in [
        (json!("-1"), AddSound::Default),
        (json!(-1), AddSound::Default),
        (json!("0"), AddSound::Off),
        (json!(0), AddSound::Off),
        (json!("1"), AddSound::On),
        (json!(1), AddSound::On),
        (json!("custom"), AddSound::Custom),
    ] {
        let c = parse(json!({"add_sound": value, "custom_sound_keyword": "k"}));
        assert_eq!(c.add_sound, want, "{value}");
        assert_eq!(
            serde_json::to_value(c).unwrap()["add_sound"],
            json!(want.as_str())
        );
    }
    for bad in [
        json!(2),
        json!("2"),
        json!(1.5),
        json!(null),
        json!("Custom"),
    ] {
        assert!(
            serde_json::from_value::<PostConfig>(json!({"add_sound": bad})).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn captions_pick_one_spin_per_task() {
    let text = "{Good {morning|evening}|Hello} ☕️ {日本の夏|🇯🇵👩‍👩‍👧}";
    let options = phonefleet_sdk::spintax::expand(text, 100);
    assert_eq!(options.len(), 6);
    for id in 1..100 {
        assert!(options.contains(&pick_caption(text, id)), "task {id}");
        assert_eq!(pick_caption(text, id), pick_caption(text, id));
    }
    assert_eq!(pick_caption("  plain 📷  ", 5), "plain 📷");
    assert_eq!(pick_caption("", 5), "");
}

#[test]
fn plan_is_one_task_and_checks_the_config() {
    let tasks = phonefleet_sdk::__private::plan::<Post>(
        r#"{"captions": "{a|b}", "post_way": "addButton"}"#,
    )
    .unwrap();
    assert_eq!(tasks.len(), 1);
    let task: Value = serde_json::from_str(&tasks[0]).unwrap();
    assert_eq!(task["captions"], "{a|b}");
    assert!(validator().is_valid(&task), "{task}");
    let err = phonefleet_sdk::__private::plan::<Post>(r#"{"post_way": "useSound"}"#).unwrap_err();
    assert_eq!(err, "sound_name is required when post_way is useSound");
    assert!(
        phonefleet_sdk::__private::plan::<Post>(r#"{"nope": 1}"#)
            .unwrap_err()
            .contains("nope")
    );
}

#[test]
fn material_list_picks_the_kind_in_order() {
    let list: Vec<String> = ["/m/a.jpg", " ", "/m/v.MP4", "/m/b.png", "/m/c.webp"]
        .map(String::from)
        .to_vec();
    assert_eq!(from_list(&list, MediaKind::Video, 1).unwrap(), ["/m/v.MP4"]);
    assert_eq!(
        from_list(&list, MediaKind::Image, 2).unwrap(),
        ["/m/a.jpg", "/m/b.png"]
    );
    assert_eq!(
        from_list(&list, MediaKind::Image, 4).unwrap_err(),
        "material_list has 3 images, 4 needed"
    );
    assert_eq!(
        from_list(&["/m/x.jpg".into()], MediaKind::Video, 1).unwrap_err(),
        "material_list has 0 videos, 1 needed"
    );
    assert!(
        from_list(&["/m/notes.txt".into()], MediaKind::Video, 1)
            .unwrap_err()
            .contains("/m/notes.txt")
    );
    let c = parse(json!({"content_type": 1, "image_count": 3}));
    assert_eq!(
        (
            c.media_count(),
            parse(json!({"image_count": 3})).media_count()
        ),
        (3, 1)
    );
    assert_eq!(c.post_way, PostWay::Share);
}

#[test]
fn device_paths_are_safe_and_distinct() {
    let paths = device_paths(&[
        "/a/v1.mp4".into(),
        "/b/v1.mp4".into(),
        "/c/my clip.mov".into(),
    ]);
    assert_eq!(
        paths,
        [
            "/sdcard/DCIM/phonefleet/v1.mp4",
            "/sdcard/DCIM/phonefleet/2_v1.mp4",
            "/sdcard/DCIM/phonefleet/my_clip.mov"
        ]
    );
}
