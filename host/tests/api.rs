//! The API contract in-process: the router driven with `oneshot` (axum's testing example), on an
//! in-memory store and a device table of the test's own — no socket, no adb, no phone. One
//! behaviour per test; each asserts the answer *and* that a refused request wrote nothing.
//!
//! The suite (`api/suite.rs`) runs on both backends, one parametrised suite: each test twice, as
//! `sqlite::…` on an in-memory SQLite store and `postgres::…` on a fresh database of the test
//! process's throwaway PostgreSQL cluster.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use phonefleet::config::Config;
use phonefleet::events::Events;
use phonefleet::store::Store;
use phonefleet_device::adb::AdbServer;
use phonefleet_runtime::{Registry, Runtime};
use serde_json::Value;
use tokio::sync::{OnceCell, watch};
use tower::ServiceExt;

mod sqlite {
    async fn store() -> phonefleet::store::Store {
        phonefleet::store::Store::in_memory()
            .await
            .expect("an in-memory store")
    }

    include!("api/suite.rs");
}

mod postgres {
    async fn store() -> phonefleet::store::Store {
        let url = phonefleet_pgtest::Cluster::shared().fresh_database().await;
        phonefleet::store::Store::connect_ephemeral(&url)
            .await
            .expect("a PostgreSQL store")
    }

    include!("api/suite.rs");
}

/// The shipped scripts, compiled once per test binary (into a cache that outlives it).
async fn registry() -> Arc<Registry> {
    static REGISTRY: OnceCell<Arc<Registry>> = OnceCell::const_new();
    REGISTRY
        .get_or_init(|| async {
            let cache = std::env::temp_dir().join("phonefleet-test-compile-cache");
            let runtime = Arc::new(Runtime::new(cache).expect("engine"));
            Arc::new(
                Registry::load(runtime, phonefleet::scripts::BUILTINS, None)
                    .await
                    .expect("the shipped scripts load"),
            )
        })
        .await
        .clone()
}

#[tokio::test]
async fn an_internal_error_answers_a_request_id_and_not_its_cause() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).await.unwrap();
    // Break the database under the host: the accounts table is gone.
    let db = sqlx::SqlitePool::connect_with(phonefleet::store::connect_options(
        &data.path().join(phonefleet::store::DB_FILE),
    ))
    .await
    .unwrap();
    sqlx::query("DROP TABLE accounts")
        .execute(&db)
        .await
        .unwrap();
    let (_devices, table) = watch::channel(Arc::new(Vec::new()));
    let state = phonefleet::assemble(
        &Config::for_data_dir(data.path().to_path_buf()),
        store,
        registry().await,
        vec![(AdbServer::new("127.0.0.1:9".parse().unwrap()), table)],
        Events::default(),
    );
    let response = phonefleet::api::router(state)
        .oneshot(Request::get("/api/v1/account").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let reply: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(reply["code"], 50001);
    assert_eq!(reply["data"]["request_id"], id.as_str());
    let message = reply["message"].as_str().unwrap();
    assert!(message.contains(&id), "{message}");
    assert!(
        !message.contains("accounts") && !message.contains("no such table"),
        "{message}"
    );
}
