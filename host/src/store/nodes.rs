//! Nodes of a fleet and the phones each one's adb server lists: a node's registration and lease,
//! declaring a node lost when its lease has run out, and the fleet-wide device table.

use super::{Store, StoreError, on_pool};

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

/// A node of the fleet.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct NodeRow {
    pub name: String,
    pub started_at: i64,
    pub lease_until: i64,
    pub lost_at: Option<i64>,
}

impl Store {
    /// Registers `node` as alive until `lease_until` (a restart under the same name takes the row
    /// over and clears any "lost" mark).
    pub async fn register_node(
        &self,
        node: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, |pool, _Db| sqlx::query(
            "INSERT INTO nodes (name, started_at, lease_until, lost_at) VALUES ($1, $2, $3, NULL) \
             ON CONFLICT (name) DO UPDATE SET started_at = excluded.started_at, \
             lease_until = excluded.lease_until, lost_at = NULL"
        )
        .bind(node)
        .bind(now)
        .bind(lease_until)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Extends `node`'s lease to `lease_until`; false if the node was declared lost meanwhile (its
    /// running tasks were failed by another node: it must not finish them).
    pub async fn renew_lease(&self, node: &str, lease_until: i64) -> Result<bool, StoreError> {
        let done = on_pool!(self, |pool, _Db| sqlx::query(
            "UPDATE nodes SET lease_until = $2 WHERE name = $1 AND lost_at IS NULL"
        )
        .bind(node)
        .bind(lease_until)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(done == 1)
    }

    /// Declares lost every other node whose lease ran out before `now`, and returns their names.
    /// Atomic per node: of two nodes reaping at once, each lost node is claimed by one.
    pub async fn claim_lost_nodes(&self, me: &str, now: i64) -> Result<Vec<String>, StoreError> {
        Ok(on_pool!(self, |pool, _Db| {
            sqlx::query_scalar(
            "UPDATE nodes SET lost_at = $2 WHERE lease_until < $2 AND lost_at IS NULL AND name <> $1 \
             RETURNING name"
        )
        .bind(me)
        .bind(now)
        .fetch_all(pool)
        .await?
        }))
    }

    /// Every node ever registered, by name.
    pub async fn nodes(&self) -> Result<Vec<NodeRow>, StoreError> {
        Ok(on_pool!(self, |pool, _Db| sqlx::query_as(
            "SELECT name, started_at, lease_until, lost_at FROM nodes ORDER BY name"
        )
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
    fn phone(serial: &str) -> (String, String, Option<String>) {
        (serial.into(), "device".into(), None)
    }

    crate::store::both_backends! {
        async fn a_node_past_its_lease_is_declared_lost_once(store: Store) {
            store.register_node("a", 0, 100).await.unwrap();
            store.register_node("b", 0, 100).await.unwrap();
            assert!(store.claim_lost_nodes("a", 50).await.unwrap().is_empty());
            assert_eq!(store.claim_lost_nodes("a", 150).await.unwrap(), ["b"]);
            assert!(store.claim_lost_nodes("a", 160).await.unwrap().is_empty(), "claimed twice");
            assert!(!store.renew_lease("b", 300).await.unwrap(), "a lost node renewed");
            store.register_node("b", 170, 300).await.unwrap();
            assert!(store.renew_lease("b", 400).await.unwrap());
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
            assert_eq!(store.fail_running("a", "interrupted: host a lost", 2).await.unwrap(), [id]);
            let late = crate::store::Outcome::Completed { result: "{}".into() };
            assert!(!store.finish(id, &late, 3, "a").await.unwrap());
            let row = store.task(id).await.unwrap().unwrap();
            assert_eq!(row.error.as_deref(), Some("interrupted: host a lost"));
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
