//! Runs the benchmark binary in smoke mode (tiny sizes, nothing written) so the benchmarks
//! cannot rot. Asserts only that every figure ran — never on timings: benchmarks are not tests.

use std::process::Command;

#[test]
fn every_figure_runs_in_smoke_mode() {
    let out = Command::new(env!("CARGO_BIN_EXE_phonefleet-bench"))
        .arg("--smoke")
        .output()
        .expect("the benchmark binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "phonefleet-bench --smoke failed:\n{stdout}\n{stderr}"
    );
    for id in 1..=8 {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {id} |")))
            .unwrap_or_else(|| panic!("no row for figure {id}:\n{stdout}"));
        assert!(
            !row.contains("| error |"),
            "figure {id} could not be measured:\n{stdout}\n{stderr}"
        );
    }
    assert!(
        !stdout.contains("could not be measured"),
        "{stdout}\n{stderr}"
    );
}
