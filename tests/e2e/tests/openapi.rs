//! The OpenAPI 3.1 document describes the API truthfully: schemathesis (PyPI) generates
//! requests from it and finds no server error and no response outside its declared schema.
//! (That it lists every route is checked in-process: `host/tests/api.rs`.)

use std::time::Duration;

use phonefleet_e2e::Fleet;
use vphone::PhoneConfig;

/// The README's schemathesis command, against a host with one phone. `/device/connect` is left
/// out because it would make adb dial whatever address the fuzzer invents, `/events` because it
/// never ends; `positive_data_acceptance` because our validation checks live state (known phones,
/// loaded scripts, registered accounts) that no schema can express; `negative_data_rejection`
/// because schemathesis sends a multipart upload's "invalid" variants without the invalid part (an
/// array where `POST /material`'s `tags` is a string is left out of the form), then reports the
/// valid request it sent as wrongly accepted. (Bad input is refused with 40001 by the API's own
/// tests, endpoint by endpoint.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_and_no_undeclared_response() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let run = tokio::process::Command::new("schemathesis")
        .arg("run")
        .arg(fleet.url("/openapi.json"))
        .args([
            "--exclude-path",
            "/api/v1/device/connect",
            "--exclude-path",
            "/api/v1/events",
        ])
        .args([
            "--max-examples",
            "50",
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance,negative_data_rejection",
        ])
        .args([
            "--no-color",
            "--generation-database",
            "none",
            "--report-dir",
        ])
        .arg(fleet.data_path().join("schemathesis"))
        .current_dir(fleet.data_path())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(600), run)
        .await
        .expect("schemathesis finished within 10 minutes")
        .expect("schemathesis runs (install it: pip install schemathesis)");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis failed:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = report
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_suffix(" passed")
                .and_then(|l| l.split_whitespace().next()?.parse::<u32>().ok())
        })
        .unwrap_or(0);
    assert!(
        generated >= 500,
        "at least 500 generated cases, got {generated}:\n{report}"
    );
}
