//! One task at a time per phone, phones in parallel — shown from the phones' own logs: the host
//! marks every task's start and end in the phone's logcat, and the phone stamps them.

use std::time::Duration;

use phonefleet_e2e::{Fleet, task_spans};
use serde_json::json;
use vphone::PhoneConfig;

const PHONES: usize = 20;
const TASKS_PER_PHONE: usize = 3;

phonefleet_e2e::both_backends! {
    async fn twenty_phones_each_run_their_tasks_one_at_a_time_and_all_run_at_once() {
        // A realistic dump latency makes each task last long enough for every phone to be busy at once.
        let phone = PhoneConfig {
            dump_delay: Duration::from_millis(300),
            ..PhoneConfig::default()
        };
        let fleet = Fleet::start(vec![phone; PHONES]).await.unwrap();
        let users: Vec<String> = (0..TASKS_PER_PHONE)
            .map(|i| format!("@creator{i}"))
            .collect();
        let ids = fleet
            .create(&json!({"serials": fleet.serials(), "script_name": "follow",
                             "script_config": {"target_users": users}}))
            .await
            .unwrap();
        assert_eq!(ids.len(), PHONES * TASKS_PER_PHONE);
        let tasks = fleet.wait_finished(&ids).await.unwrap();
        let failed: Vec<_> = tasks.iter().filter(|t| t["status"] != 2).collect();
        assert!(failed.is_empty(), "every task completed: {failed:?}");

        let mut all_spans = Vec::new();
        for serial in fleet.serials() {
            let (logcat, _, _) = fleet
                .adb
                .shell(&serial, "logcat -d -v epoch -s phonefleet")
                .await;
            let mut spans = task_spans(&logcat);
            assert_eq!(
                spans.len(),
                TASKS_PER_PHONE,
                "phone {serial} ran {} tasks:\n{logcat}",
                spans.len()
            );
            spans.sort_by_key(|s| s.1);
            for pair in spans.windows(2) {
                assert!(
                    pair[0].2 <= pair[1].1,
                    "phone {serial} overlapped tasks {pair:?}"
                );
            }
            all_spans.extend(spans.into_iter().map(|(_, start, end)| (start, end)));
        }
        // The most phones busy at one moment: sweep over every start.
        let busiest = all_spans
            .iter()
            .map(|&(at, _)| {
                all_spans
                    .iter()
                    .filter(|&&(s, e)| s <= at && at < e)
                    .count()
            })
            .max()
            .unwrap_or(0);
        assert_eq!(busiest, PHONES, "all {PHONES} phones ran at the same time");
    }
}
