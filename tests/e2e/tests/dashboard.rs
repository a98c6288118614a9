//! The web dashboard in a real headless Chromium against a host with vphones: the phones wall's
//! live thumbnails, a task made from the new-task form turning completed live, a failed task's
//! evidence, and the login that keeps the API token in a cookie.

use std::time::Duration;

use phonefleet_e2e::browser::Browser;
use phonefleet_e2e::{Fleet, WAIT, wait_until};
use serde_json::{Value, json};
use vphone::PhoneConfig;

fn base(fleet: &Fleet) -> String {
    format!("http://{}", fleet.host.addr())
}

/// How many screenshots the phone took, from the commands it remembers running.
fn screencaps(phone: &vphone::VPhone) -> usize {
    phone.state()["ran"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|argv| argv[0] == "screencap")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wall_shows_every_phones_live_thumbnail() {
    let fleet = Fleet::start(vec![PhoneConfig::default(); 3]).await.unwrap();
    let browser = Browser::start().await.unwrap();
    browser.client.goto(&base(&fleet)).await.unwrap();
    browser.find("#wall .tile").await.unwrap();
    let mut tiles = Value::Null;
    wait_until("every tile shows its thumbnail", WAIT, async || {
        tiles = browser
            .eval(
                "return [...document.querySelectorAll('#wall .tile')].map(t => ({
                    serial: t.dataset.serial,
                    width: t.querySelector('img').naturalWidth,
                }))",
            )
            .await?;
        let shown = tiles.as_array().into_iter().flatten();
        Ok(tiles.as_array().is_some_and(|t| t.len() == 3)
            && shown.into_iter().all(|t| t["width"] == 240))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}: {tiles}"));
    let mut serials: Vec<String> = tiles
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["serial"].as_str().map(String::from))
        .collect();
    serials.sort();
    let mut expected = fleet.serials();
    expected.sort();
    assert_eq!(serials, expected);
    browser.keep_screenshot("wall").await.unwrap();
    browser.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_viewer_of_a_phone_shares_one_capture_loop_which_stops_when_nobody_looks() {
    let refresh = Duration::from_millis(400);
    let fleet = Fleet::start_with(vec![PhoneConfig::default()], |config| {
        config.thumbnail_refresh_ms = 400;
    })
    .await
    .unwrap();
    let serial = fleet.serials()[0].clone();
    let before = screencaps(&fleet.phones[0]);
    // Four viewers, each asking ten times per refresh period, for eight periods.
    let viewing = (0..4).map(|_| {
        let url = fleet.url(&format!("/device/{serial}/thumbnail"));
        let http = fleet.http.clone();
        async move {
            let mut frames = 0;
            for _ in 0..80 {
                let reply = http.get(&url).send().await.expect("a reply");
                assert_eq!(reply.headers()["content-type"], "image/jpeg");
                frames += usize::from(!reply.bytes().await.expect("a body").is_empty());
                tokio::time::sleep(refresh / 10).await;
            }
            frames
        }
    });
    let frames: usize = futures::future::join_all(viewing).await.into_iter().sum();
    assert_eq!(frames, 320, "every request got a frame");
    let taken = screencaps(&fleet.phones[0]) - before;
    assert!(
        (2..=12).contains(&taken),
        "320 requests over ~8 periods took {taken} screenshots: one loop, not one per viewer"
    );
    // Nobody looks: after three idle periods the loop ends and the phone is left alone.
    let mut last = screencaps(&fleet.phones[0]);
    wait_until("the capture loop stops", WAIT, async || {
        tokio::time::sleep(refresh * 4).await;
        let now = screencaps(&fleet.phones[0]);
        let idle = now == last;
        last = now;
        Ok(idle)
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_created_from_the_form_has_source_ui_and_turns_completed_live() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let serial = fleet.serials()[0].clone();
    let browser = Browser::start().await.unwrap();
    browser
        .client
        .goto(&format!("{}/new", base(&fleet)))
        .await
        .unwrap();
    browser.find("#config-form").await.unwrap();
    // Pick the script the way a person does: in the select, which redraws the form.
    browser
        .eval(
            "const s = document.getElementById('script');
             s.value = 'follow'; s.dispatchEvent(new Event('change')); return true",
        )
        .await
        .unwrap();
    let target = browser
        .find("#config-form [name='root[target_user]']")
        .await
        .unwrap();
    target.send_keys("nasa").await.unwrap();
    browser
        .find(&format!("input[name='serial'][value='{serial}']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // A start a few seconds ahead: the task list shows it waiting before it runs.
    let start = (chrono::Local::now() + chrono::Duration::seconds(6)).to_rfc3339();
    browser
        .find("#start_time")
        .await
        .unwrap()
        .send_keys(&start)
        .await
        .unwrap();
    browser
        .find("#create")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let created = browser.find("#created a").await.unwrap();
    let id: i64 = created.text().await.unwrap().parse().unwrap();

    browser
        .client
        .goto(&format!("{}/tasks", base(&fleet)))
        .await
        .unwrap();
    let row = format!("#tasks tr[data-id='{id}']");
    browser.find(&row).await.unwrap();
    // A mark on the page: it survives only if the page is never reloaded.
    browser
        .eval("window.notReloaded = true; return true")
        .await
        .unwrap();
    let mut seen = Vec::new();
    wait_until("the row turns completed", WAIT, async || {
        let status = browser
            .eval(&format!(
                "const r = document.querySelector(\"{row}\"); return r && r.dataset.status"
            ))
            .await?;
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        Ok(status == "2")
    })
    .await
    .unwrap_or_else(|e| panic!("{e}: statuses seen {seen:?}"));
    assert_eq!(seen.first(), Some(&json!("0")), "it was pending first");
    let still = browser
        .eval("return window.notReloaded === true")
        .await
        .unwrap();
    assert_eq!(still, true, "the row changed without a reload");
    let source = browser
        .eval(&format!(
            "return document.querySelector(\"{row}\").dataset.source"
        ))
        .await
        .unwrap();
    assert_eq!(source, "ui");
    let task = fleet.get(&format!("/task/{id}")).await.unwrap();
    assert_eq!(task["data"]["source"], "ui", "{task}");
    // The follow happened on the phone.
    let following = phonefleet_e2e::following(&fleet.phones[0].state());
    assert!(following.contains(&"nasa".to_string()), "{following:?}");
    browser.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_tasks_page_shows_the_phones_last_screenshot() {
    let fleet = Fleet::start(vec![PhoneConfig {
        missing_users: vec!["ghost_user_404".into()],
        ..PhoneConfig::default()
    }])
    .await
    .unwrap();
    let tasks = fleet
        .run(
            "follow",
            json!({"serials": fleet.serials()}),
            json!({"target_user": "@ghost_user_404"}),
        )
        .await
        .unwrap();
    assert_eq!(tasks[0]["status"], 3, "{}", tasks[0]);
    let id = tasks[0]["id"].as_i64().unwrap();
    let browser = Browser::start().await.unwrap();
    browser
        .client
        .goto(&format!("{}/tasks/{id}", base(&fleet)))
        .await
        .unwrap();
    browser.find("#evidence img").await.unwrap();
    let mut width = Value::Null;
    wait_until("the screenshot is shown", WAIT, async || {
        width = browser
            .eval("return document.querySelector('#evidence img').naturalWidth")
            .await?;
        Ok(width.as_u64().is_some_and(|w| w > 0))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}: {width}"));
    let error = browser.find(".error").await.unwrap().text().await.unwrap();
    assert!(error.contains("ghost_user_404"), "{error}");
    browser.keep_screenshot("task").await.unwrap();
    browser.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_token_the_dashboard_asks_for_it_once_and_keeps_it_in_a_cookie() {
    let fleet = Fleet::start_with(vec![PhoneConfig::default()], |config| {
        config.api_token = Some("s3cret token;=".into());
    })
    .await
    .unwrap();
    let browser = Browser::start().await.unwrap();
    browser.client.goto(&base(&fleet)).await.unwrap();
    // Sent to the login page; a wrong token is refused there.
    browser
        .find("#token")
        .await
        .unwrap()
        .send_keys("wrong")
        .await
        .unwrap();
    browser.find("#login").await.unwrap().click().await.unwrap();
    // The login page answers with itself again: wait for the new page's words, not the old page's
    // empty paragraph.
    let mut problem = String::new();
    wait_until("the login page says why", WAIT, async || {
        let shown = browser
            .eval("const p = document.getElementById('problem'); return p ? p.textContent : ''")
            .await?;
        problem = shown.as_str().unwrap_or_default().to_string();
        Ok(!problem.is_empty())
    })
    .await
    .unwrap();
    assert!(problem.contains("not the host's API token"), "{problem}");
    browser
        .find("#token")
        .await
        .unwrap()
        .send_keys("s3cret token;=")
        .await
        .unwrap();
    browser.find("#login").await.unwrap().click().await.unwrap();
    // The wall, whose requests to the API pass on the cookie alone.
    browser.find("#wall .tile").await.unwrap();
    let cookie_readable = browser.eval("return document.cookie").await.unwrap();
    assert_eq!(cookie_readable, "", "the cookie is HttpOnly");
    browser.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_token_requests_without_the_cookie_or_the_bearer_header_are_refused() {
    let fleet = Fleet::start_with(vec![], |config| {
        config.api_token = Some("s3cret".into());
    })
    .await
    .unwrap();
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = base(&fleet);
    // Pages send a browser to the login page; the API and the form's endpoint answer 401.
    let page = plain.get(format!("{base}/tasks")).send().await.unwrap();
    assert!(page.status().is_redirection(), "{}", page.status());
    assert_eq!(page.headers()["location"], "/login?next=%2Ftasks");
    for (method, path) in [
        (reqwest::Method::GET, "/api/v1/task"),
        (reqwest::Method::GET, "/api/v1/events"),
        (reqwest::Method::POST, "/ui/task"),
    ] {
        let reply = plain
            .request(method.clone(), format!("{base}{path}"))
            .header("cookie", "phonefleet_token=wrong")
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 401, "{method} {path}");
        let body: Value = reply.json().await.unwrap();
        assert_eq!(body["code"], 40101, "{method} {path}: {body}");
    }
    // The login answers the cookie: HttpOnly, SameSite=Strict; with it, the API answers.
    let login = plain
        .post(format!("{base}/login"))
        .form(&[("token", "s3cret"), ("next", "/tasks")])
        .send()
        .await
        .unwrap();
    assert_eq!(login.headers()["location"], "/tasks");
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let value = cookie.split(';').next().unwrap();
    let reply: Value = plain
        .get(format!("{base}/api/v1/task"))
        .header("cookie", value)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["code"], 0, "{reply}");
}

fn phone_with_screen(screen: vphone::Screen) -> PhoneConfig {
    PhoneConfig {
        system: vphone::System {
            screen,
            ..vphone::System::default()
        },
        ..PhoneConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_control_follows_the_same_user_on_every_phone_from_taps_on_the_leader() {
    use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
    let fleet = Fleet::start(vec![
        phone_with_screen(vphone::Screen::FHD),
        phone_with_screen(vphone::Screen::HD),
        phone_with_screen(vphone::Screen::FHD),
    ])
    .await
    .unwrap();
    let serials = fleet.serials();
    let leader = serials[0].clone();
    let browser = Browser::start().await.unwrap();
    browser
        .client
        .goto(&format!(
            "{}/control?serials={}&leader={leader}",
            base(&fleet),
            serials.join(",")
        ))
        .await
        .unwrap();
    // A shell command for all three: each opens the profile on its own phone.
    browser
        .find("#shell")
        .await
        .unwrap()
        .send_keys("am start -a android.intent.action.VIEW -d https://www.tiktok.com/@nasa")
        .await
        .unwrap();
    browser
        .find("#run-shell")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until("the three phones ran the command", WAIT, async || {
        let ok = browser
            .eval("return document.querySelectorAll('#results tr[data-ok=\"true\"]').length")
            .await?;
        Ok(ok == 3)
    })
    .await
    .unwrap();
    // Where the leader shows Follow, in its pixels.
    let found = fleet
        .get(&format!("/device/{leader}/find?text=Follow&clickable=true"))
        .await
        .unwrap();
    let bounds = &found["data"]["matches"][0]["bounds"];
    let center =
        |a: &str, b: &str| (bounds[a].as_f64().unwrap() + bounds[b].as_f64().unwrap()) / 2.0;
    let (x, y) = (center("left", "right"), center("top", "bottom"));
    // The leader's screen as the page shows it, once its picture (and size) arrived.
    let screen = browser.find("#leader-screen[data-ready]").await.unwrap();
    let shown = browser
        .eval(
            "const b = document.getElementById('leader-screen').getBoundingClientRect();
             return [b.width, b.height]",
        )
        .await
        .unwrap();
    let (w, h) = (shown[0].as_f64().unwrap(), shown[1].as_f64().unwrap());
    // W3C actions place the pointer relative to the element's centre.
    let dx = (x / 1080.0 * w - w / 2.0).round();
    let dy = (y / 2400.0 * h - h / 2.0).round();
    let click = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: screen,
            duration: None,
            x: dx,
            y: dy,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    browser.client.perform_actions(click).await.unwrap();
    for (i, phone) in fleet.phones.iter().enumerate() {
        let followed = wait_until(&format!("phone {i} follows nasa"), WAIT, async || {
            Ok(phonefleet_e2e::following(&phone.state()).contains(&"nasa".to_string()))
        })
        .await;
        if let Err(e) = followed {
            let shown = browser
                .eval("return document.getElementById('page').innerText")
                .await
                .unwrap_or_default();
            let state = phone.state();
            panic!(
                "{e}; the page shows {shown}; the phone shows {} and was tapped {}; Follow is at \
                 {bounds} of the leader, shown {w}×{h}",
                state["screen"], state["taps"]
            );
        }
    }
    // The smaller phone was tapped at the same place of its own screen, as the page shows once the
    // tap's answer (not the shell command's) is in.
    let mut at: Vec<f64> = Vec::new();
    wait_until("the page shows where each phone was tapped", WAIT, async || {
        let cell = browser
            .eval(&format!(
                "const c = document.querySelector('#results tr[data-serial=\"{}\"] td:nth-child(3)');
                 return c ? c.textContent : ''",
                serials[1]
            ))
            .await?;
        at = cell
            .as_str()
            .unwrap_or_default()
            .split(", ")
            .filter_map(|v| v.parse().ok())
            .collect();
        Ok(at.len() == 2)
    })
    .await
    .unwrap();
    assert!(
        (at[0] - x * 720.0 / 1080.0).abs() < 12.0 && (at[1] - y * 1600.0 / 2400.0).abs() < 12.0,
        "the HD phone was tapped at {at:?}, the leader at ({x}, {y})"
    );
    browser.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_material_uploaded_from_its_page_is_previewed_with_its_tags() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    // A real PNG: the phone's own screenshot.
    let serial = &fleet.serials()[0];
    let png = fleet
        .http
        .get(fleet.url(&format!("/device/{serial}/screenshot")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("launch day.png");
    std::fs::write(&file, &png).unwrap();
    let browser = Browser::start().await.unwrap();
    browser
        .client
        .goto(&format!("{}/materials", base(&fleet)))
        .await
        .unwrap();
    browser
        .find("#files")
        .await
        .unwrap()
        .send_keys(&file.display().to_string())
        .await
        .unwrap();
    browser
        .find("#tags")
        .await
        .unwrap()
        .send_keys("spring, promo")
        .await
        .unwrap();
    browser
        .find("#upload")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.find("#materials .tile").await.unwrap();
    let mut tile = Value::Null;
    wait_until("the preview shows", WAIT, async || {
        tile = browser
            .eval(
                "const t = document.querySelector('#materials .tile');
                 return {name: t.querySelector('.serial').textContent,
                         width: t.querySelector('img').naturalWidth,
                         tags: [...t.querySelectorAll('.badge')].map(b => b.textContent)}",
            )
            .await?;
        Ok(tile["width"].as_u64().is_some_and(|w| w > 0))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}: {tile}"));
    assert_eq!(tile["name"], "launch day.png");
    assert_eq!(tile["tags"], json!(["spring", "promo"]));
    let listed = fleet.get("/material").await.unwrap();
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(1), "{listed}");
    browser.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_registered_from_its_page_is_listed_with_its_phone() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let browser = Browser::start().await.unwrap();
    browser
        .client
        .goto(&format!("{}/accounts", base(&fleet)))
        .await
        .unwrap();
    let username = browser
        .find("fieldset input[placeholder='username']")
        .await
        .unwrap();
    username.send_keys("@vphone_user").await.unwrap();
    browser
        .find("fieldset input[placeholder='tags, comma-separated']")
        .await
        .unwrap()
        .send_keys("warm")
        .await
        .unwrap();
    browser
        .find("fieldset button")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let row = browser.find("#accounts tbody tr").await.unwrap();
    let text = row.text().await.unwrap();
    assert!(text.contains("@vphone_user"), "{text}");
    assert!(text.contains(&fleet.serials()[0]), "{text}");
    assert!(text.contains("online"), "{text}");
    let accounts = fleet.get("/accounts").await.unwrap();
    assert_eq!(
        accounts["data"]["accounts"][0]["tags"],
        json!(["warm"]),
        "{accounts}"
    );
    browser.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scripts_page_lists_every_loaded_script_with_its_form() {
    let fleet = Fleet::start(vec![]).await.unwrap();
    let browser = Browser::start().await.unwrap();
    browser
        .client
        .goto(&format!("{}/scripts", base(&fleet)))
        .await
        .unwrap();
    browser.find("#scripts tbody tr").await.unwrap();
    let names = browser
        .eval("return [...document.querySelectorAll('#scripts tbody tr')].map(r => r.dataset.name)")
        .await
        .unwrap();
    assert_eq!(
        names,
        json!(["account_warmup", "comment", "follow", "post", "unfollow"])
    );
    browser
        .find("#scripts tr[data-name='post'] a")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The form opens with the script picked.
    browser
        .find("#config-form [name='root[material_source]']")
        .await
        .unwrap();
    browser.close().await.unwrap();
}
