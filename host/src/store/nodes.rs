//! Nodes of a fleet and the phones each one's adb server lists: a node's registration and lease,
//! declaring a node lost when its lease has run out, and the fleet-wide device table.

use super::{Backend, Store, StoreError, on_pool};

/// A phone as the device table records it: which node's adb server lists it, in what state.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct DeviceRow {
    pub serial: String,
    pub node: String,
    /// adb's state word (`device`, `offline`, `unauthorized`, …).
    pub state: String,
    pub model: Option<String>,
    /// When the node last wrote the row (unix ms).
    pub seen_at: i64,
}

/// The database's clock, in unix milliseconds, as each backend spells it: leases are set and judged
/// by one clock, whatever the nodes' clocks say.
fn db_now(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
        Backend::Postgres => "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
    }
}

impl Store {
    /// Registers `node` as alive for `lease_ms` from now (the database's clock), clearing any
    /// "lost" mark. Refused ([`StoreError::NodeNameTaken`]) while another registration of the name
    /// holds a lease that has not run out: two live hosts must not share a name.
    pub async fn register_node(&self, node: &str, lease_ms: i64) -> Result<(), StoreError> {
        let now = db_now(self.backend());
        // On SQLite the database is this host's alone: a restart always takes its row over.
        let unless_alive = match self.backend() {
            Backend::Sqlite => String::new(),
            Backend::Postgres => {
                format!(" WHERE nodes.lost_at IS NOT NULL OR nodes.lease_until < {now}")
            }
        };
        let sql = format!(
            "INSERT INTO nodes (name, started_at, lease_until, lost_at) VALUES ($1, {now}, {now} + $2, NULL) \
             ON CONFLICT (name) DO UPDATE SET started_at = excluded.started_at, \
             lease_until = excluded.lease_until, lost_at = NULL{unless_alive}"
        );
        let done = on_pool!(self, |pool, _Db| sqlx::query(&sql)
            .bind(node)
            .bind(lease_ms)
            .execute(pool)
            .await?
            .rows_affected());
        if done == 1 {
            return Ok(());
        }
        let held: Option<i64> = on_pool!(self, |pool, _Db| sqlx::query_scalar(&format!(
            "SELECT lease_until - {now} FROM nodes WHERE name = $1"
        ))
        .bind(node)
        .fetch_optional(pool)
        .await?);
        Err(StoreError::NodeNameTaken {
            node: node.to_owned(),
            secs: held.unwrap_or(0).max(0) / 1000 + 1,
        })
    }

    /// Gives `node`'s lease up (a graceful stop): the next survivor to look declares it gone, and
    /// its name is free at once.
    pub async fn release_node(&self, node: &str) -> Result<(), StoreError> {
        on_pool!(self, |pool, _Db| sqlx::query(
            "UPDATE nodes SET lease_until = 0 WHERE name = $1 AND lost_at IS NULL"
        )
        .bind(node)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Extends `node`'s lease to `lease_ms` from now; false if the node was declared lost meanwhile
    /// (its running tasks were failed by another node: it must not finish them).
    pub async fn renew_lease(&self, node: &str, lease_ms: i64) -> Result<bool, StoreError> {
        let sql = format!(
            "UPDATE nodes SET lease_until = {} + $2 WHERE name = $1 AND lost_at IS NULL",
            db_now(self.backend())
        );
        let done = on_pool!(self, |pool, _Db| sqlx::query(&sql)
            .bind(node)
            .bind(lease_ms)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(done == 1)
    }

    /// Declares lost every other node whose lease has run out (by the database's clock), and
    /// returns their names. Atomic per node: of two nodes reaping at once, each lost node is
    /// claimed by one.
    pub async fn claim_lost_nodes(&self, me: &str) -> Result<Vec<String>, StoreError> {
        let now = db_now(self.backend());
        let sql = format!(
            "UPDATE nodes SET lost_at = {now} WHERE lease_until < {now} AND lost_at IS NULL AND name <> $1 \
             RETURNING name"
        );
        Ok(on_pool!(self, |pool, _Db| sqlx::query_scalar(&sql)
            .bind(me)
            .fetch_all(pool)
            .await?))
    }

    /// Records the phones `node`'s adb server lists now, as (serial, state, model): each becomes
    /// the node's (a phone re-plugged elsewhere moves with it), and the node's phones not listed
    /// are removed.
    pub async fn set_node_devices(
        &self,
        node: &str,
        phones: &[(String, String, Option<String>)],
        now: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, |pool, _Db| {
            let mut tx = pool.begin().await?;
            let listed: Vec<&str> = phones.iter().map(|(s, _, _)| s.as_str()).collect();
            let mine: Vec<String> =
                sqlx::query_scalar("SELECT serial FROM devices WHERE node = $1")
                    .bind(node)
                    .fetch_all(&mut *tx)
                    .await?;
            for gone in mine.iter().filter(|s| !listed.contains(&s.as_str())) {
                sqlx::query("DELETE FROM devices WHERE serial = $1 AND node = $2")
                    .bind(gone)
                    .bind(node)
                    .execute(&mut *tx)
                    .await?;
            }
            for (serial, state, model) in phones {
                sqlx::query(
                    "INSERT INTO devices (serial, node, state, model, seen_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (serial) DO UPDATE SET node = excluded.node, state = excluded.state, \
                     model = excluded.model, seen_at = excluded.seen_at",
                )
                .bind(serial)
                .bind(node)
                .bind(state)
                .bind(model)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Removes the phones of `node` from the device table (it was declared lost).
    pub async fn forget_node_devices(&self, node: &str) -> Result<(), StoreError> {
        on_pool!(self, |pool, _Db| sqlx::query(
            "DELETE FROM devices WHERE node = $1"
        )
        .bind(node)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// The phones the other nodes' adb servers list, by serial.
    pub async fn devices_of_other_nodes(&self, me: &str) -> Result<Vec<DeviceRow>, StoreError> {
        Ok(on_pool!(self, |pool, _Db| {
            sqlx::query_as(
            "SELECT serial, node, state, model, seen_at FROM devices WHERE node <> $1 ORDER BY serial"
        )
        .bind(me)
        .fetch_all(pool)
        .await?
        }))
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{Backend, Store, StoreError, on_pool};

    /// Moves `node`'s lease a minute into the past, as if it had stopped renewing.
    async fn expire(store: &Store, node: &str) {
        on_pool!(store, |pool, _Db| sqlx::query(
            "UPDATE nodes SET lease_until = lease_until - 61000 WHERE name = $1"
        )
        .bind(node)
        .execute(pool)
        .await
        .unwrap()
        .rows_affected());
    }

    fn phone(serial: &str) -> (String, String, Option<String>) {
        (serial.into(), "device".into(), None)
    }

    crate::store::both_backends! {
        async fn a_node_past_its_lease_is_declared_lost_once(store: Store) {
            store.register_node("a", 60_000).await.unwrap();
            store.register_node("b", 60_000).await.unwrap();
            assert!(store.claim_lost_nodes("a").await.unwrap().is_empty());
            expire(&store, "b").await;
            assert_eq!(store.claim_lost_nodes("a").await.unwrap(), ["b"]);
            assert!(store.claim_lost_nodes("a").await.unwrap().is_empty(), "claimed twice");
            assert!(!store.renew_lease("b", 60_000).await.unwrap(), "a lost node renewed");
            store.register_node("b", 60_000).await.unwrap();
            assert!(store.renew_lease("b", 60_000).await.unwrap());
        }

        async fn a_name_a_live_node_holds_is_refused_until_its_lease_runs_out(store: Store) {
            store.register_node("a", 60_000).await.unwrap();
            if store.backend() == Backend::Sqlite {
                // One host per SQLite database: its restart takes the name over.
                store.register_node("a", 60_000).await.expect("a restart on SQLite");
                return;
            }
            let Err(StoreError::NodeNameTaken { secs, .. }) = store.register_node("a", 60_000).await else {
                panic!("a second live node took the name");
            };
            assert!((59..=61).contains(&secs), "{secs}");
            expire(&store, "a").await;
            store.register_node("a", 60_000).await.expect("a lapsed name is free again");
            store.release_node("a").await.unwrap();
            store.register_node("a", 60_000).await.expect("a released name is free at once");
        }

        async fn a_phone_listed_by_another_node_moves_to_it(store: Store) {
            store.set_node_devices("a", &[phone("p1"), phone("p2")], 1).await.unwrap();
            store.set_node_devices("b", &[phone("p2")], 2).await.unwrap();
            store.set_node_devices("a", &[phone("p1")], 3).await.unwrap();
            let of_others = store.devices_of_other_nodes("a").await.unwrap();
            assert_eq!(of_others.len(), 1);
            assert_eq!((of_others[0].serial.as_str(), of_others[0].node.as_str()), ("p2", "b"));
            store.forget_node_devices("b").await.unwrap();
            assert!(store.devices_of_other_nodes("a").await.unwrap().is_empty());
        }

        async fn only_the_node_that_runs_a_task_records_its_end(store: Store) {
            let id = store.insert_tasks(&[crate::store::tasks::tests::task("p", 0)], 0).await.unwrap()[0];
            assert!(store.mark_running(id, 1, "a").await.unwrap());
            store.register_node("a", -1000).await.unwrap();
            assert_eq!(store.claim_lost_nodes("b").await.unwrap(), ["a"]);
            assert_eq!(store.fail_lost_node_runs("a", "interrupted: host a lost", 2).await.unwrap(), [id]);
            let late = crate::store::Outcome::Completed { result: "{}".into() };
            assert!(!store.finish(id, &late, 3, "a").await.unwrap());
            let row = store.task(id).await.unwrap().unwrap();
            assert_eq!(row.error.as_deref(), Some("interrupted: host a lost"));
        }

        async fn a_survivor_fails_nothing_of_a_lost_node_that_registered_again(store: Store) {
            let id = store.insert_tasks(&[crate::store::tasks::tests::task("p", 0)], 0).await.unwrap()[0];
            store.register_node("a", -1000).await.unwrap();
            assert_eq!(store.claim_lost_nodes("b").await.unwrap(), ["a"]);
            store.register_node("a", 60_000).await.unwrap();
            assert!(store.mark_running(id, 1, "a").await.unwrap());
            assert!(store.fail_lost_node_runs("a", "lost", 2).await.unwrap().is_empty());
        }

        async fn a_phone_runs_one_task_whichever_node_claims_it(store: Store) {
            let t = crate::store::tasks::tests::task;
            let ids = store.insert_tasks(&[t("p", 0), t("p", 0)], 0).await.unwrap();
            assert!(store.mark_running(ids[0], 1, "a").await.unwrap());
            assert!(!store.mark_running(ids[1], 1, "b").await.unwrap());
            assert_eq!(store.running_by_serial().await.unwrap(), [("p".to_string(), ids[0])]);
        }
    }
}
