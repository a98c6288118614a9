//! One host speaking to several adb servers (one adb server holds only so many phones): every
//! server's phones are in one table and run their tasks through their own server, and a network
//! phone connected through the API goes to the server with the fewest phones.

use phonefleet_e2e::{AdbServer, Fleet, following};
use serde_json::json;
use vphone::{PhoneConfig, VPhone};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_of_two_adb_servers_run_their_tasks_through_their_own_server() {
    let second = AdbServer::start().await;
    let mut others = Vec::new();
    for _ in 0..2 {
        let phone = VPhone::start(PhoneConfig::default()).await.unwrap();
        second.connect(&phone).await;
        others.push(phone);
    }
    let addr = second.addr();
    let fleet = Fleet::start_with(vec![PhoneConfig::default(); 3], |c| {
        c.adb_servers.push(addr)
    })
    .await
    .unwrap();
    let all: Vec<String> = fleet
        .serials()
        .into_iter()
        .chain(others.iter().map(VPhone::serial))
        .collect();
    fleet
        .wait_until("both servers' phones online", async || {
            let devices = fleet.get("/device").await?;
            let online = devices["data"].as_array().into_iter().flatten();
            let online: Vec<&str> = online
                .filter(|d| d["online"] == true)
                .filter_map(|d| d["serial"].as_str())
                .collect();
            Ok(all.iter().all(|s| online.contains(&s.as_str())))
        })
        .await
        .unwrap();
    let ids = fleet
        .create(&json!({"serials": all, "script_name": "follow", "script_config": {"target_user": "@nasa"}}))
        .await
        .unwrap();
    for task in fleet.wait_finished(&ids).await.unwrap() {
        assert_eq!(task["status"], 2, "{task}");
    }
    for (adb, phones) in [(&fleet.adb, &fleet.phones), (&second, &others)] {
        for phone in phones {
            let state = adb.phone_state(&phone.serial()).await;
            assert_eq!(following(&state), ["nasa"], "{}", phone.serial());
        }
    }

    // A phone connected through the API joins the server with fewer phones: the second.
    let newcomer = VPhone::start(PhoneConfig::default()).await.unwrap();
    let reply = fleet
        .post("/device/connect", &json!({"address": newcomer.serial()}))
        .await
        .unwrap();
    assert_eq!(reply["code"], 0, "{reply}");
    assert_eq!(
        second.device_state(&newcomer.serial()).await.as_deref(),
        Some("device")
    );
    assert_eq!(fleet.adb.device_state(&newcomer.serial()).await, None);
}
