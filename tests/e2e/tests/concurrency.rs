//! One task at a time per phone, phones in parallel — shown from the phones' own logs: the host
//! marks every task's start and end in the phone's logcat, and the phone stamps them.

use std::collections::BTreeMap;
use std::time::Duration;

use phonefleet_e2e::Fleet;
use serde_json::json;
use vphone::PhoneConfig;

const PHONES: usize = 20;
const TASKS_PER_PHONE: usize = 5;

/// (task id, start ms, end ms) of every task the phone's logcat shows.
fn task_spans(logcat: &str) -> Vec<(i64, i64, i64)> {
    let mut starts = BTreeMap::new();
    let mut spans = Vec::new();
    for line in logcat.lines() {
        let Some((stamp, rest)) = line.trim().split_once(' ') else {
            continue;
        };
        let Some(message) = rest.split_once("phonefleet: ").map(|(_, m)| m.trim()) else {
            continue;
        };
        let Ok(secs) = stamp.parse::<f64>() else {
            continue;
        };
        let ms = (secs * 1000.0).round() as i64;
        let words: Vec<&str> = message.split_whitespace().collect();
        if let ["task", id, what] = words.as_slice() {
            let Ok(id) = id.parse::<i64>() else { continue };
            match *what {
                "start" => {
                    starts.insert(id, ms);
                }
                "end" => {
                    if let Some(start) = starts.remove(&id) {
                        spans.push((id, start, ms));
                    }
                }
                _ => {}
            }
        }
    }
    spans
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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
    assert!(
        tasks.iter().all(|t| t["status"] == 2),
        "every task completed"
    );

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
