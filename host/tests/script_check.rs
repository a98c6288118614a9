//! `phonefleet script check FILE.wasm`: a loadable script is described with the world it targets;
//! anything else exits non-zero saying why.

use std::process::Command;

const FOLLOW: &str = concat!(env!("OUT_DIR"), "/phonefleet_follow.wasm");

fn check(file: &std::path::Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_phonefleet"))
        .args(["script", "check"])
        .arg(file)
        .output()
        .expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn a_script_component_is_reported_with_its_world_description_and_schema() {
    let (ok, report) = check(FOLLOW.as_ref());
    assert!(ok, "{report}");
    for expected in [
        "world:       phonefleet:script@0.1.0",
        "name:        follow",
        "schema:      compiles",
    ] {
        assert!(
            report.contains(expected),
            "{expected:?} missing from:\n{report}"
        );
    }
}

#[test]
fn a_file_that_is_not_webassembly_fails_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.wasm");
    std::fs::write(&file, "hello").unwrap();
    let (ok, report) = check(&file);
    assert!(!ok);
    assert!(report.contains("not a WebAssembly file"), "{report}");
}

#[test]
fn a_core_module_fails_saying_to_build_a_component() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("core.wasm");
    std::fs::write(&file, [0, b'a', b's', b'm', 1, 0, 0, 0]).unwrap();
    let (ok, report) = check(&file);
    assert!(!ok);
    assert!(report.contains("wasm32-wasip2"), "{report}");
}

#[test]
fn a_missing_file_fails_naming_it() {
    let (ok, report) = check("/nonexistent/script.wasm".as_ref());
    assert!(!ok);
    assert!(report.contains("/nonexistent/script.wasm"), "{report}");
}

#[test]
fn a_plugin_with_a_path_like_script_name_fails_stating_the_grammar() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("renamed.wasm");
    std::fs::write(
        &file,
        phonefleet_test_artifacts::misbehave_named("a/../x?yz"),
    )
    .unwrap();
    let (ok, report) = check(&file);
    assert!(!ok, "{report}");
    assert!(
        report.contains("script name \"a/../x?yz\" is not valid")
            && report.contains("a lowercase ASCII letter"),
        "{report}"
    );
}

#[test]
fn the_report_says_the_oldest_phonefleet_the_script_loads_on() {
    let (ok, report) = check(FOLLOW.as_ref());
    assert!(ok, "{report}");
    assert!(
        report.contains("loads on:    phonefleet 0.1.0 and later"),
        "{report}"
    );
}

#[test]
fn a_plugin_built_for_a_newer_world_fails_naming_the_version() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("newer.wasm");
    let newer = phonefleet_test_artifacts::misbehave_with("script/host@0.1.0", "script/host@0.9.0");
    std::fs::write(&file, newer).unwrap();
    let (ok, report) = check(&file);
    assert!(!ok, "{report}");
    assert!(
        report
            .contains("built for phonefleet:script@0.9.0, newer than the phonefleet:script@0.1.0"),
        "{report}"
    );
}
