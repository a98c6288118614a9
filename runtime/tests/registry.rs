//! The registry's rules for plugin files: one file serves a script name (the first; a second waits
//! and takes over when the first goes), a plugin cannot take a built-in's name unless the operator
//! allows it, names follow one grammar, and every served script says where it comes from.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use phonefleet_runtime::{Builtin, Origin, PluginDir, Registry, Reload, Runtime};
use phonefleet_test_artifacts::{self as artifacts, MISBEHAVE as V1, MISBEHAVE_V2 as V2};
use tokio::sync::mpsc;

/// Longest a watched change may take to be seen.
const WAIT: Duration = Duration::from_secs(30);

struct Setup {
    registry: Arc<Registry>,
    dir: tempfile::TempDir,
    _cache: tempfile::TempDir,
}

impl Setup {
    /// A registry over a plugin directory holding `files` (name, plugin path) at start, with
    /// `builtins` shipped.
    async fn new(
        files: &[(&str, &str)],
        builtins: &[Builtin],
        may_replace_builtins: bool,
    ) -> Setup {
        let cache = tempfile::tempdir().expect("cache");
        let dir = tempfile::tempdir().expect("plugin dir");
        for (name, from) in files {
            std::fs::copy(from, dir.path().join(name)).expect("copy plugin");
        }
        let runtime = Arc::new(Runtime::new(cache.path().to_path_buf()).expect("engine"));
        let plugin_dir = PluginDir {
            path: dir.path().to_path_buf(),
            may_replace_builtins,
        };
        let registry = Registry::load(runtime, builtins, Some(plugin_dir))
            .await
            .expect("registry");
        Setup {
            registry: Arc::new(registry),
            dir,
            _cache: cache,
        }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The version and origin serving `name`.
    fn serving(&self, name: &str) -> Option<(String, Origin)> {
        self.registry
            .script(name)
            .map(|s| (s.plugin.meta().version.clone(), s.origin))
    }
}

/// The misbehave plugin (version 0.1.0) as a built-in.
fn misbehave_builtin() -> Vec<Builtin> {
    let bytes: &'static [u8] = Box::leak(artifacts::bytes(V1).into_boxed_slice());
    vec![("misbehave", bytes)]
}

/// Waits for the next change the watcher reports.
async fn next(changes: &mut mpsc::UnboundedReceiver<Reload>) -> Reload {
    tokio::time::timeout(WAIT, changes.recv())
        .await
        .expect("a change in time")
        .expect("the watcher runs")
}

fn watch(
    setup: &Setup,
) -> (
    phonefleet_runtime::PluginWatcher,
    mpsc::UnboundedReceiver<Reload>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let watcher = setup
        .registry
        .watch(move |change| {
            let _ = tx.send(change);
        })
        .expect("watch")
        .expect("a plugin directory to watch");
    (watcher, rx)
}

fn file_origin(path: &Path) -> Origin {
    Origin::File(path.to_path_buf())
}

#[tokio::test]
async fn of_two_files_with_one_script_name_the_first_by_file_name_serves() {
    let setup = Setup::new(&[("a.wasm", V2), ("b.wasm", V1)], &[], false).await;
    assert_eq!(
        setup.serving("misbehave"),
        Some(("0.2.0".into(), file_origin(&setup.file("a.wasm"))))
    );
}

#[tokio::test]
async fn a_second_file_with_a_served_name_is_rejected_naming_the_file_that_serves_it() {
    let setup = Setup::new(&[("a.wasm", V1)], &[], false).await;
    let (_watcher, mut changes) = watch(&setup);
    std::fs::copy(V2, setup.file("b.wasm")).expect("copy");
    match next(&mut changes).await {
        Reload::Rejected { file, reason } => {
            assert_eq!(file, setup.file("b.wasm"));
            assert!(
                reason.contains(&format!(
                    "already served by {}",
                    setup.file("a.wasm").display()
                )),
                "{reason}"
            );
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(
        setup.serving("misbehave").map(|s| s.0),
        Some("0.1.0".into())
    );
}

#[tokio::test]
async fn deleting_the_serving_file_hands_its_name_to_the_waiting_one() {
    let setup = Setup::new(&[("a.wasm", V1), ("b.wasm", V2)], &[], false).await;
    let (_watcher, mut changes) = watch(&setup);
    std::fs::remove_file(setup.file("a.wasm")).expect("remove");
    assert!(matches!(next(&mut changes).await, Reload::Removed { .. }));
    assert_eq!(
        next(&mut changes).await,
        Reload::Loaded {
            name: "misbehave".into(),
            version: "0.2.0".into(),
            file: setup.file("b.wasm"),
        }
    );
    assert_eq!(
        setup.serving("misbehave"),
        Some(("0.2.0".into(), file_origin(&setup.file("b.wasm"))))
    );
}

#[tokio::test]
async fn deleting_the_waiting_file_leaves_the_serving_one() {
    let setup = Setup::new(&[("a.wasm", V1), ("b.wasm", V2)], &[], false).await;
    let (_watcher, mut changes) = watch(&setup);
    std::fs::remove_file(setup.file("b.wasm")).expect("remove");
    // A change that does report something follows: the serving file replaced.
    std::fs::copy(V2, setup.file("a.wasm")).expect("copy");
    assert_eq!(
        next(&mut changes).await,
        Reload::Loaded {
            name: "misbehave".into(),
            version: "0.2.0".into(),
            file: setup.file("a.wasm"),
        },
        "removing the waiting file reported nothing"
    );
    std::fs::remove_file(setup.file("a.wasm")).expect("remove");
    assert!(matches!(next(&mut changes).await, Reload::Removed { .. }));
    assert!(
        setup.serving("misbehave").is_none(),
        "no deleted file's version serves"
    );
}

#[tokio::test]
async fn a_plugin_named_like_a_built_in_is_refused_and_the_built_in_serves() {
    let setup = Setup::new(&[], &misbehave_builtin(), false).await;
    let (_watcher, mut changes) = watch(&setup);
    std::fs::copy(V2, setup.file("mine.wasm")).expect("copy");
    match next(&mut changes).await {
        Reload::Rejected { reason, .. } => assert!(
            reason.contains("built in") && reason.contains("--plugins-replace-builtins"),
            "{reason}"
        ),
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(
        setup.serving("misbehave"),
        Some(("0.1.0".into(), Origin::Builtin))
    );
}

#[tokio::test]
async fn an_allowed_plugin_replaces_a_built_in_until_its_file_goes() {
    let setup = Setup::new(&[("mine.wasm", V2)], &misbehave_builtin(), true).await;
    assert_eq!(
        setup.serving("misbehave"),
        Some(("0.2.0".into(), file_origin(&setup.file("mine.wasm"))))
    );
    let (_watcher, mut changes) = watch(&setup);
    std::fs::remove_file(setup.file("mine.wasm")).expect("remove");
    assert_eq!(
        next(&mut changes).await,
        Reload::Removed {
            name: "misbehave".into(),
            file: setup.file("mine.wasm"),
            builtin_restored: true,
        }
    );
    assert_eq!(
        setup.serving("misbehave"),
        Some(("0.1.0".into(), Origin::Builtin))
    );
}

#[tokio::test]
async fn a_plugin_with_a_path_like_name_is_refused_at_load() {
    let renamed = artifacts::misbehave_named("mis/../be");
    let cache = tempfile::tempdir().expect("cache");
    let runtime = Runtime::new(cache.path().to_path_buf()).expect("engine");
    let err = runtime
        .load(&renamed, "renamed plugin")
        .await
        .err()
        .expect("a path-like name is refused");
    assert!(
        err.to_string()
            .contains("script name \"mis/../be\" is not valid"),
        "{err}"
    );
}

#[tokio::test]
async fn a_file_that_renamed_its_script_frees_its_old_name_when_it_takes_the_new_one() {
    let setup = Setup::new(&[("a.wasm", V1)], &[], false).await;
    let (_watcher, mut changes) = watch(&setup);
    std::fs::write(
        setup.file("b.wasm"),
        artifacts::misbehave_named("othername"),
    )
    .expect("b");
    assert!(matches!(next(&mut changes).await, Reload::Loaded { .. }));
    // a.wasm now claims b.wasm's name: it waits, its old version still serving "misbehave".
    std::fs::write(
        setup.file("a.wasm"),
        artifacts::misbehave_named("othername"),
    )
    .expect("a");
    assert!(matches!(next(&mut changes).await, Reload::Rejected { .. }));
    assert_eq!(
        setup.serving("misbehave").map(|s| s.1),
        Some(file_origin(&setup.file("a.wasm")))
    );
    std::fs::remove_file(setup.file("b.wasm")).expect("remove b");
    let mut seen = Vec::new();
    while seen.len() < 3 {
        seen.push(next(&mut changes).await);
    }
    assert!(
        seen.contains(&Reload::Removed {
            name: "misbehave".into(),
            file: setup.file("a.wasm"),
            builtin_restored: false,
        }),
        "{seen:?}"
    );
    assert!(setup.serving("misbehave").is_none(), "{seen:?}");
    assert_eq!(
        setup.serving("othername").map(|s| s.1),
        Some(file_origin(&setup.file("a.wasm")))
    );
}
