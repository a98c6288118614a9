//! Task creation, all of it: checks a request in the contract's order (script name, script, then
//! every other rule), asks the script to split its config, fans out over targets, inserts atomically.

use std::collections::HashMap;

use chrono::{DateTime, Local, NaiveTime, TimeZone, Timelike};
use phonefleet_runtime::{
    ConfigViolation, FileRoots, HostPathKind, HttpGrant, Redactor, host_paths, redact_config,
    secrets,
};
use rand::Rng;
use serde::Deserialize;
use serde_json::Value;

use super::{Source, TaskError, Tasks};
use crate::accounts::normalize;
use crate::apps::App;
use crate::clock::now_ms;
use crate::events::Event;
use crate::store::NewTask;

/// The body of `POST /api/v1/task`.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTask {
    pub serials: Option<Vec<String>>,
    pub usernames: Option<Vec<String>>,
    /// Device groups by name (ours): each of their phones is a target as if named in `serials`.
    pub groups: Option<Vec<String>>,
    /// The script to run (see GET /api/v1/script).
    #[schema(value_type = String, required = true, min_length = 1)]
    pub script_name: Option<String>,
    /// Validated against the script's JSON Schema.
    #[schema(value_type = Object, required = true)]
    pub script_config: Option<Value>,
    #[serde(default)]
    pub enable_multi_account: bool,
    pub start_time: Option<String>,
    pub min_interval: Option<u32>,
    pub max_interval: Option<u32>,
}

/// The longest spacing between two tasks of a request on one phone, in minutes: a week. Longer
/// waits are better scheduled with `start_time`, and unbounded ones overflow the calendar.
pub const MAX_INTERVAL_MINUTES: u32 = 7 * 24 * 60;

/// Who the tasks of a request run for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub serial: String,
    pub username: Option<String>,
    /// The app: the account's; in device mode the request's (`script_config.app`, else the
    /// server's `--default-app`).
    pub app: App,
}

fn violation(path: &str, message: impl Into<String>) -> ConfigViolation {
    ConfigViolation {
        path: path.to_string(),
        message: message.into(),
    }
}

/// How far in the past an RFC 3339 `start_time` may be and still mean "now" (a client's clock a
/// little behind the host's).
pub const PAST_START_TOLERANCE_MS: i64 = 5 * 60_000;
/// How far ahead a `start_time` may be: a year (beyond it lies no plan a fleet keeps, and dates
/// past year 9999 have no RFC 3339 form).
pub const MAX_START_AHEAD_MS: i64 = 366 * 24 * 3_600_000;

/// Parses `start_time` into Unix milliseconds, never earlier than `now` (so a task cannot jump
/// ahead of those already waiting):
/// - `HH:MM`: the next time the local clock shows it; the current minute means now;
/// - RFC 3339: that moment; up to [`PAST_START_TOLERANCE_MS`] in the past means now, further back
///   is refused, and so is anything more than a year ahead.
pub fn parse_start_time(text: &str, now: DateTime<Local>) -> Result<i64, String> {
    let now_ms = now.timestamp_millis();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        let at = at.timestamp_millis();
        if at > now_ms + MAX_START_AHEAD_MS {
            return Err(format!(
                "start_time {text:?} is more than a year ahead: schedule it closer"
            ));
        }
        if at < now_ms - PAST_START_TOLERANCE_MS {
            return Err(format!(
                "start_time {text:?} is {} minutes in the past: leave start_time out to start now",
                (now_ms - at) / 60_000
            ));
        }
        return Ok(at.max(now_ms));
    }
    let time = NaiveTime::parse_from_str(text, "%H:%M").map_err(|_| {
        format!("start_time {text:?} is neither \"HH:MM\" nor an RFC 3339 timestamp")
    })?;
    if now.time().hour() == time.hour() && now.time().minute() == time.minute() {
        return Ok(now_ms);
    }
    let mut day = now.date_naive();
    for _ in 0..3 {
        // A local time can be skipped by a DST change; try the following day then.
        if let Some(at) = Local.from_local_datetime(&day.and_time(time)).earliest()
            && at > now
        {
            return Ok(at.timestamp_millis());
        }
        day = day.succ_opt().ok_or("start_time is out of range")?;
    }
    Err(format!(
        "start_time {text:?} does not occur in the next days"
    ))
}

/// Request-level checks that need no script: targets given exactly once, times, intervals.
/// Returns every violation, not just the first.
pub fn check_request(
    req: &CreateTask,
    now: DateTime<Local>,
) -> Result<Option<i64>, Vec<ConfigViolation>> {
    let mut errors = Vec::new();
    let devices = [&req.serials, &req.groups]
        .iter()
        .any(|list| list.as_ref().is_some_and(|l| !l.is_empty()));
    let usernames = req.usernames.as_ref().is_some_and(|u| !u.is_empty());
    match (devices, usernames) {
        (true, true) => errors.push(violation(
            "",
            "give either serials or usernames, not both (groups count as serials)",
        )),
        (false, false) => errors.push(violation(
            "",
            "give serials or groups (device mode) or usernames (account mode)",
        )),
        _ => {}
    }
    if usernames && req.enable_multi_account {
        errors.push(violation(
            "/enable_multi_account",
            "enable_multi_account applies to device mode (serials) only",
        ));
    }
    for (field, list, what) in [
        ("serials", &req.serials, "phone"),
        ("usernames", &req.usernames, "account"),
        ("groups", &req.groups, "group"),
    ] {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, item) in list.iter().flatten().enumerate() {
            // Accounts match case-insensitively; serials are as adb spells them.
            let key = match field {
                "usernames" => normalize(item).to_lowercase(),
                "groups" => item.trim().to_lowercase(),
                _ => item.trim().to_owned(),
            };
            if key.is_empty() {
                errors.push(violation(&format!("/{field}/{i}"), "must not be empty"));
            } else if let Some(first) = seen.get(&key) {
                errors.push(violation(
                    &format!("/{field}/{i}"),
                    format!(
                        "{item:?} is already at /{field}/{first}: name each {what} once, or its task \
                         would run twice"
                    ),
                ));
            } else {
                seen.insert(key, i);
            }
        }
    }
    match req.script_config {
        Some(Value::Object(_)) => {}
        Some(_) => errors.push(violation(
            "/script_config",
            "script_config must be a JSON object",
        )),
        None => errors.push(violation("/script_config", "script_config is required")),
    }
    for (field, minutes) in [
        ("min_interval", req.min_interval),
        ("max_interval", req.max_interval),
    ] {
        if minutes.is_some_and(|m| m > MAX_INTERVAL_MINUTES) {
            errors.push(violation(
                &format!("/{field}"),
                format!("{field} is at most {MAX_INTERVAL_MINUTES} minutes (a week)"),
            ));
        }
    }
    let (min, max) = (req.min_interval.unwrap_or(0), req.max_interval.unwrap_or(0));
    if max < min {
        errors.push(violation(
            "/max_interval",
            format!("max_interval ({max}) is less than min_interval ({min})"),
        ));
    }
    let start = match &req.start_time {
        None => None,
        Some(text) => match parse_start_time(text, now) {
            Ok(at) => Some(at),
            Err(e) => {
                errors.push(violation("/start_time", e));
                None
            }
        },
    };
    if errors.is_empty() {
        Ok(start)
    } else {
        Err(errors)
    }
}

/// `part` with a fresh random seed (53 bits, exact in every JSON client) in each top-level field
/// the schema marks `"x-task-seed": true` that the part leaves empty: every task gets its own,
/// recorded in its config so the task can be replayed.
fn with_task_seeds(schema: &Value, part: &Value, rng: &mut impl Rng) -> Value {
    let mut part = part.clone();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return part;
    };
    if let Some(fields) = part.as_object_mut() {
        for (key, prop) in props {
            let marked = prop.get("x-task-seed") == Some(&Value::Bool(true));
            if marked && fields.get(key).is_none_or(Value::is_null) {
                fields.insert(key.clone(), Value::from(rng.random::<u64>() >> 11));
            }
        }
    }
    part
}

/// Rows for each target × the parts planned for its app. Tasks on the same phone are spaced by
/// random [min, max] minutes after the previous one's scheduled start. Each row gets its own seed
/// where the schema marks one (`x-task-seed`), and its config shows the secrets the schema marks
/// (`writeOnly`) redacted; the row carries them to be sealed.
pub fn fan_out(
    script_name: &str,
    schema: &Value,
    targets: &[Target],
    parts: &HashMap<App, Vec<Value>>,
    start_at: i64,
    (min, max): (u32, u32),
    source: Source,
) -> Vec<NewTask> {
    let mut rng = rand::rng();
    let mut next_start: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    let mut rows = Vec::with_capacity(targets.len() * parts.len());
    for target in targets {
        for part in parts.get(&target.app).into_iter().flatten() {
            let at = match next_start.get(target.serial.as_str()) {
                None => start_at,
                Some(prev) => prev + i64::from(rng.random_range(min..=max)) * 60_000,
            };
            next_start.insert(&target.serial, at);
            let part = with_task_seeds(schema, part, &mut rng);
            rows.push(NewTask {
                serial: target.serial.clone(),
                username: target.username.clone(),
                app: target.app,
                script_name: script_name.to_string(),
                script_config: redact_config(schema, &part).to_string(),
                source: source.as_str().to_string(),
                start_at: at,
                secrets: secrets(schema, &part),
                pinned_node: None,
            });
        }
    }
    rows
}

/// The apps a script drives, from the `app` field of its config schema: an `enum`, or `oneOf` /
/// `anyOf` of `const`s, through local `$ref`s (`null` branches, as of an optional field, skipped).
/// `None` when the schema has no `app` field or names no app in it (a free-form string): the
/// script takes any app and asks the host which one (`host.app`).
pub fn apps_driven(schema: &Value) -> Option<Vec<App>> {
    /// The app names a (sub)schema allows.
    fn names(schema: &Value, field: &Value, depth: usize) -> Vec<App> {
        let resolved = field
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
            .and_then(|name| schema.get("$defs")?.get(name));
        if let Some(target) = resolved.filter(|_| depth < 8) {
            return names(schema, target, depth + 1);
        }
        let parse = |v: &Value| v.as_str().and_then(|n| App::parse(n).ok());
        let mut apps: Vec<App> = field
            .get("const")
            .and_then(parse)
            .into_iter()
            .chain(
                field
                    .get("enum")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(parse),
            )
            .collect();
        for key in ["oneOf", "anyOf"] {
            for branch in field
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                apps.extend(names(schema, branch, depth + 1));
            }
        }
        apps
    }
    let field = schema.get("properties")?.get("app")?;
    let apps = names(schema, field, 0);
    (!apps.is_empty()).then_some(apps)
}

/// One violation per app among `targets` the script does not drive.
fn unsupported_apps(
    script: &str,
    driven: Option<&[App]>,
    targets: &[Target],
) -> Vec<ConfigViolation> {
    let Some(driven) = driven else {
        return Vec::new();
    };
    let mut refused: Vec<App> = targets
        .iter()
        .map(|t| t.app)
        .filter(|app| !driven.contains(app))
        .collect();
    refused.sort_by_key(|a| a.as_str());
    refused.dedup();
    let drives: Vec<&str> = driven.iter().map(|a| a.as_str()).collect();
    refused
        .into_iter()
        .map(|app| {
            violation(
                "/script_config/app",
                format!(
                    "script {script} does not drive {app} (it drives {}); the task's app is its \
                     account's, else script_config.app, else the server's --default-app",
                    drives.join(", ")
                ),
            )
        })
        .collect()
}

/// Prefixes schema violations of the config with its place in the request.
pub fn in_config(violations: Vec<ConfigViolation>) -> Vec<ConfigViolation> {
    violations
        .into_iter()
        .map(|v| ConfigViolation {
            path: format!("/script_config{}", v.path),
            message: v.message,
        })
        .collect()
}

/// The error for violations found so far.
pub fn invalid(errors: Vec<ConfigViolation>) -> TaskError {
    let message = match errors.as_slice() {
        [one] if one.path.is_empty() => one.message.clone(),
        [one] => format!("{}: {}", one.path, one.message),
        many => format!("{} problems with the request; see data.errors", many.len()),
    };
    TaskError::Invalid { message, errors }
}

impl Tasks {
    /// Validates a request, plans it with its script and inserts every task, or none.
    /// Returns each new task's id and when it starts (Unix milliseconds), in order.
    /// `source` is recorded with each task (`api` for the REST API, `ui` for the dashboard).
    pub async fn create(
        &self,
        req: CreateTask,
        source: Source,
    ) -> Result<Vec<(i64, i64)>, TaskError> {
        let name = req
            .script_name
            .as_deref()
            .map(str::trim)
            .unwrap_or_default();
        if name.is_empty() {
            return Err(TaskError::MissingScriptName);
        }
        let plugin = self
            .registry
            .get(name)
            .ok_or_else(|| TaskError::UnknownScript {
                name: name.to_string(),
                available: self
                    .registry
                    .all()
                    .iter()
                    .map(|p| p.plugin.name().to_string())
                    .collect(),
            })?;
        let mut errors = Vec::new();
        let start = check_request(&req, Local::now()).unwrap_or_else(|e| {
            errors.extend(e);
            None
        });
        if let Some(config) = &req.script_config
            && config.is_object()
        {
            errors.extend(in_config(plugin.validate(config)));
            errors.extend(in_config(host_path_violations(
                &plugin.meta().config_schema,
                config,
                &self.file_roots,
            )));
            if let Err(refused) = HttpGrant::for_config(&plugin.meta().config_schema, config) {
                errors.extend(in_config(refused));
            }
        }
        let request_app = self.request_app(&req).unwrap_or_else(|e| {
            // The schema may have said so already.
            if !errors.iter().any(|said| said.path == e.path) {
                errors.push(e);
            }
            self.default_app
        });
        let targets = self.targets(&req, request_app).await?.unwrap_or_else(|e| {
            errors.extend(e);
            Vec::new()
        });
        let driven = apps_driven(&plugin.meta().config_schema);
        // A config naming an app the schema refuses is already said at that path.
        if !errors.iter().any(|e| e.path == "/script_config/app") {
            errors.extend(unsupported_apps(plugin.name(), driven.as_deref(), &targets));
        }
        // Files on this host's disk are there for its own phones only: such tasks stay on this node.
        let names_host_files = req
            .script_config
            .as_ref()
            .is_some_and(|c| !host_paths(&plugin.meta().config_schema, c).is_empty());
        let pinned_node =
            (names_host_files && self.fleet.is_shared()).then(|| self.node().to_owned());
        if pinned_node.is_some() {
            errors.extend(self.phones_without_host_files(&targets).await?);
        }
        if !errors.is_empty() {
            return Err(invalid(errors));
        }
        let config = req.script_config.as_ref().cloned().unwrap_or_default();
        // A script whose config names the app plans once per app of the request's targets, so a
        // combination the app lacks is refused here.
        let mut parts: HashMap<App, Vec<Value>> = HashMap::new();
        for target in &targets {
            if parts.contains_key(&target.app) {
                continue;
            }
            let mut config = config.clone();
            if driven.is_some()
                && let Some(fields) = config.as_object_mut()
            {
                fields.insert("app".into(), Value::from(target.app.as_str()));
            }
            let mut planned = plugin.plan(&config).await.map_err(|e| {
                invalid(vec![ConfigViolation {
                    path: "/script_config".into(),
                    message: e,
                }])
            })?;
            if driven.is_some() {
                // Each task's config says its app, whatever the script's plan kept.
                for part in planned.iter_mut().filter_map(Value::as_object_mut) {
                    part.insert("app".into(), Value::from(target.app.as_str()));
                }
            }
            // What a plan wrote is granted as what a request says: its origins must be grantable.
            for part in &planned {
                HttpGrant::for_config(&plugin.meta().config_schema, part).map_err(|refused| {
                    invalid(
                        refused
                            .into_iter()
                            .map(|v| ConfigViolation {
                                path: format!("/script_config{}", v.path),
                                message: format!("the script's plan wrote it: {}", v.message),
                            })
                            .collect(),
                    )
                })?;
            }
            parts.insert(target.app, planned);
        }
        let now = now_ms();
        let intervals = (req.min_interval.unwrap_or(0), req.max_interval.unwrap_or(0));
        let mut rows = fan_out(
            plugin.name(),
            &plugin.meta().config_schema,
            &targets,
            &parts,
            start.unwrap_or(now),
            intervals,
            source,
        );
        for row in &mut rows {
            row.pinned_node.clone_from(&pinned_node);
        }
        // The request's secrets stay hidden wherever a plan copied them.
        let request_secrets = Redactor::new(
            secrets(&plugin.meta().config_schema, &config)
                .into_iter()
                .map(|(_, value)| value),
        );
        // Most requests hold none: their rows are not parsed again.
        for row in rows.iter_mut().filter(|_| !request_secrets.is_empty()) {
            if let Ok(mut shown) = serde_json::from_str::<Value>(&row.script_config) {
                request_secrets.redact_json(&mut shown);
                row.script_config = shown.to_string();
            }
        }
        let ids = self.store.insert_tasks(&rows, now).await?;
        self.events.publish(Event::TaskCreated {
            task_ids: ids.clone(),
        });
        self.scheduler.wake();
        Ok(ids
            .into_iter()
            .zip(rows.iter().map(|r| r.start_at))
            .collect())
    }

    /// The targets whose phones another node lists: a config naming files on this host cannot run
    /// there (one violation per phone, at the request's top level).
    async fn phones_without_host_files(
        &self,
        targets: &[Target],
    ) -> Result<Vec<ConfigViolation>, TaskError> {
        let here = self.phones.current();
        let elsewhere = self.devices_elsewhere().await?;
        let mut refused: Vec<ConfigViolation> = Vec::new();
        for target in targets
            .iter()
            .filter(|t| !here.iter().any(|p| p.name == t.serial))
        {
            let Some(device) = elsewhere.iter().find(|d| d.serial == target.serial) else {
                continue;
            };
            if refused
                .iter()
                .any(|v| v.message.contains(&format!("{:?}", target.serial)))
            {
                continue;
            }
            refused.push(violation(
                "/script_config",
                format!(
                    "the config names files on this host ({}), but phone {:?} is on host {}: \
                     create the task through {} with the files there, or post files from the \
                     material library, which every host reaches",
                    self.node(),
                    target.serial,
                    device.node,
                    device.node
                ),
            ));
        }
        Ok(refused)
    }

    /// The request's app for targets without an account: `script_config.app`, else the
    /// server's default. A name that is no app is a violation at `/script_config/app`.
    fn request_app(&self, req: &CreateTask) -> Result<App, ConfigViolation> {
        match req.script_config.as_ref().and_then(|c| c.get("app")) {
            Some(Value::String(name)) => {
                App::parse(name).map_err(|e| violation("/script_config/app", e))
            }
            _ => Ok(self.default_app),
        }
    }

    /// Who the tasks run for: each serial (or each of its accounts with `enable_multi_account`),
    /// or each username's account, each with its app. Unknown phones and accounts are named.
    async fn targets(
        &self,
        req: &CreateTask,
        request_app: App,
    ) -> Result<Result<Vec<Target>, Vec<ConfigViolation>>, TaskError> {
        let mut errors = Vec::new();
        let mut targets = Vec::new();
        let violation = |path: String, message: String| ConfigViolation { path, message };
        if let Some(usernames) = req.usernames.as_ref().filter(|u| !u.is_empty()) {
            for (i, name) in usernames.iter().enumerate() {
                match self.store.account_by_username(normalize(name)).await? {
                    Some(account) if account.status == "disabled" => errors.push(violation(
                        format!("/usernames/{i}"),
                        format!(
                            "account @{} is disabled: enable it with PUT /api/v1/account/{} {{\"status\": \"active\"}}",
                            account.username, account.id
                        ),
                    )),
                    Some(account) => targets.push(Target {
                        app: App::parse(&account.app).unwrap_or(request_app),
                        serial: account.serial,
                        username: Some(account.username),
                    }),
                    None => errors.push(violation(
                        format!("/usernames/{i}"),
                        format!("no account {name:?} is registered (see GET /api/v1/account)"),
                    )),
                }
            }
            return Ok(if errors.is_empty() {
                Ok(targets)
            } else {
                Err(errors)
            });
        }
        let phones = self.phones.current();
        // Phones the fleet's other nodes list: their tasks are created here and run there.
        let elsewhere = self.phones_elsewhere().await?;
        let accounts = if req.enable_multi_account {
            self.store.accounts().await?
        } else {
            Vec::new()
        };
        // The phones named, then each group's not named yet, each once: (its path, serial).
        let mut named: Vec<(String, String)> = req
            .serials
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, serial)| (format!("/serials/{i}"), serial.clone()))
            .collect();
        for (i, name) in req.groups.iter().flatten().enumerate() {
            match self.store.group_by_name(name.trim()).await? {
                Some(group) => {
                    for serial in group.serials {
                        if !named.iter().any(|(_, s)| *s == serial) {
                            named.push((format!("/groups/{i}"), serial));
                        }
                    }
                }
                None => errors.push(violation(
                    format!("/groups/{i}"),
                    format!("no group {name:?} exists (see GET /api/v1/group)"),
                )),
            }
        }
        for (path, serial) in named {
            let serial = &serial;
            if !phones.iter().any(|p| &p.name == serial) && !elsewhere.contains(serial) {
                errors.push(violation(
                    path,
                    format!(
                        "unknown device {serial:?}: ADB does not list it (see GET /api/v1/device)"
                    ),
                ));
            } else if req.enable_multi_account {
                let on_phone: Vec<_> = accounts
                    .iter()
                    .filter(|a| &a.serial == serial && a.status != "disabled")
                    .collect();
                if on_phone.is_empty() {
                    errors.push(violation(
                        path,
                        format!(
                            "phone {serial:?} has no active registered accounts for enable_multi_account"
                        ),
                    ));
                }
                targets.extend(on_phone.into_iter().map(|a| Target {
                    serial: serial.clone(),
                    username: Some(a.username.clone()),
                    app: App::parse(&a.app).unwrap_or(request_app),
                }));
            } else {
                targets.push(Target {
                    serial: serial.clone(),
                    username: None,
                    app: request_app,
                });
            }
        }
        Ok(if errors.is_empty() {
            Ok(targets)
        } else {
            Err(errors)
        })
    }
}

/// Host paths a config names (through `x-host-path` fields) that cannot be used: missing, outside
/// the host's file roots, not what the field wants (a file, a directory), or media whose bytes
/// are not what its name says.
fn host_path_violations(
    schema: &serde_json::Value,
    config: &serde_json::Value,
    roots: &FileRoots,
) -> Vec<ConfigViolation> {
    host_paths(schema, config)
        .into_iter()
        .filter_map(|p| {
            let what = match p.kind {
                HostPathKind::File => "file",
                HostPathKind::Dir => "directory",
            };
            let problem = match roots.confine(&p.path) {
                Err(why) => Some(format!("host {what} {why}")),
                Ok(real) => {
                    let fits = match p.kind {
                        HostPathKind::File => real.is_file(),
                        HostPathKind::Dir => real.is_dir(),
                    };
                    if !fits {
                        Some(format!("host path {:?} is not a {what}", p.path))
                    } else if p.kind == HostPathKind::File {
                        crate::media_sniff::mismatch(&p.path, &real)
                    } else {
                        None
                    }
                }
            };
            problem.map(|message| ConfigViolation {
                path: p.pointer,
                message,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Local> {
        let today = Local::now().date_naive();
        Local
            .from_local_datetime(&today.and_hms_opt(h, m, 0).unwrap())
            .earliest()
            .unwrap()
    }

    #[test]
    fn start_time_later_today_is_today() {
        let now = at(9, 0);
        let due = parse_start_time("10:30", now).unwrap();
        let due = Local.timestamp_millis_opt(due).unwrap();
        assert_eq!(
            (due.date_naive(), due.hour(), due.minute()),
            (now.date_naive(), 10, 30)
        );
    }

    #[test]
    fn start_time_already_past_is_tomorrow() {
        let now = at(11, 0);
        let due = Local
            .timestamp_millis_opt(parse_start_time("10:30", now).unwrap())
            .unwrap();
        assert_eq!(due.date_naive(), now.date_naive().succ_opt().unwrap());
    }

    #[test]
    fn start_time_accepts_rfc3339() {
        let now = DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
            .unwrap()
            .with_timezone(&Local);
        let ms = parse_start_time("2026-11-28T14:30:00+01:00", now).unwrap();
        assert_eq!(
            ms,
            DateTime::parse_from_rfc3339("2026-11-28T13:30:00Z")
                .unwrap()
                .timestamp_millis()
        );
    }

    #[test]
    fn start_time_in_the_current_minute_is_now() {
        let now = at(10, 30) + chrono::Duration::seconds(42);
        assert_eq!(parse_start_time("10:30", now), Ok(now.timestamp_millis()));
    }

    #[test]
    fn a_start_past_a_year_ahead_is_refused() {
        let refused = parse_start_time("9999-12-31T23:59:00-12:00", at(10, 30)).unwrap_err();
        assert!(refused.contains("a year ahead"), "{refused}");
    }

    #[test]
    fn a_moment_ago_is_now_and_long_ago_is_refused() {
        let now = at(10, 30);
        let moment_ago = (now - chrono::Duration::seconds(90)).to_rfc3339();
        assert_eq!(
            parse_start_time(&moment_ago, now),
            Ok(now.timestamp_millis())
        );
        let yesterday = (now - chrono::Duration::days(1)).to_rfc3339();
        let refused = parse_start_time(&yesterday, now).unwrap_err();
        assert!(refused.contains("1440 minutes in the past"), "{refused}");
    }

    #[test]
    fn start_time_rejects_garbage() {
        assert!(parse_start_time("25:99", Local::now()).is_err());
    }

    #[test]
    fn request_with_both_serials_and_usernames_is_refused() {
        let req = CreateTask {
            serials: Some(vec!["a".into()]),
            usernames: Some(vec!["b".into()]),
            script_config: Some(serde_json::json!({})),
            ..Default::default()
        };
        assert!(check_request(&req, Local::now()).is_err());
    }

    #[test]
    fn max_interval_below_min_interval_is_refused() {
        let req = CreateTask {
            serials: Some(vec!["a".into()]),
            script_config: Some(serde_json::json!({})),
            min_interval: Some(5),
            max_interval: Some(1),
            ..Default::default()
        };
        let errors = check_request(&req, Local::now()).unwrap_err();
        assert_eq!(errors[0].path, "/max_interval");
    }

    #[test]
    fn fan_out_is_targets_times_parts_with_spacing_per_phone() {
        let targets = [
            Target {
                serial: "p1".into(),
                username: None,
                app: App::Tiktok,
            },
            Target {
                serial: "p2".into(),
                username: None,
                app: App::Tiktok,
            },
        ];
        let parts = HashMap::from([(
            App::Tiktok,
            vec![
                serde_json::json!({"n": 1}),
                serde_json::json!({"n": 2}),
                serde_json::json!({"n": 3}),
            ],
        )]);
        let rows = fan_out(
            "follow",
            &serde_json::json!({}),
            &targets,
            &parts,
            1_000,
            (2, 2),
            Source::Api,
        );
        assert_eq!(rows.len(), 6);
        let p1: Vec<i64> = rows
            .iter()
            .filter(|r| r.serial == "p1")
            .map(|r| r.start_at)
            .collect();
        assert_eq!(p1, vec![1_000, 121_000, 241_000]);
    }

    #[test]
    fn each_target_gets_the_parts_planned_for_its_app() {
        let targets = [
            Target {
                serial: "p1".into(),
                username: Some("tt".into()),
                app: App::Tiktok,
            },
            Target {
                serial: "p1".into(),
                username: Some("ig".into()),
                app: App::Instagram,
            },
        ];
        let parts = HashMap::from([
            (App::Tiktok, vec![serde_json::json!({"app": "tiktok"})]),
            (
                App::Instagram,
                vec![serde_json::json!({"app": "instagram"})],
            ),
        ]);
        let rows = fan_out(
            "post",
            &serde_json::json!({}),
            &targets,
            &parts,
            0,
            (0, 0),
            Source::Api,
        );
        let apps: Vec<(App, &str)> = rows
            .iter()
            .map(|r| (r.app, r.script_config.as_str()))
            .collect();
        assert_eq!(
            apps,
            [
                (App::Tiktok, r#"{"app":"tiktok"}"#),
                (App::Instagram, r#"{"app":"instagram"}"#)
            ]
        );
    }

    #[test]
    fn the_apps_a_script_drives_come_from_its_schemas_app_field() {
        let schema = |app: Value| serde_json::json!({"properties": {"app": app}});
        assert_eq!(
            apps_driven(&schema(serde_json::json!({"enum": ["tiktok"]}))),
            Some(vec![App::Tiktok])
        );
        assert_eq!(
            apps_driven(&schema(serde_json::json!({"oneOf": [
                {"const": "tiktok", "description": "TikTok"},
                {"const": "instagram", "description": "Instagram"}
            ]}))),
            Some(vec![App::Tiktok, App::Instagram])
        );
        assert_eq!(
            apps_driven(&serde_json::json!({
                "properties": {"app": {"$ref": "#/$defs/App", "default": "tiktok"}},
                "$defs": {"App": {"type": "string", "enum": ["tiktok"]}}
            })),
            Some(vec![App::Tiktok])
        );
        assert_eq!(
            apps_driven(&serde_json::json!({
                "properties": {"app": {"anyOf": [{"$ref": "#/$defs/App"}, {"type": "null"}]}},
                "$defs": {"App": {"oneOf": [{"const": "instagram"}]}}
            })),
            Some(vec![App::Instagram]),
            "an optional field"
        );
        assert_eq!(
            apps_driven(&serde_json::json!({"properties": {"app": {"type": "string"}}})),
            None,
            "a free-form string names no app"
        );
        assert_eq!(apps_driven(&serde_json::json!({"properties": {}})), None);
    }

    #[test]
    fn a_target_on_an_app_the_script_does_not_drive_is_refused_once_per_app() {
        let target = |username: &str, app| Target {
            serial: "p1".into(),
            username: Some(username.into()),
            app,
        };
        let targets = [
            target("a", App::Instagram),
            target("b", App::Tiktok),
            target("c", App::Instagram),
        ];
        let refused = unsupported_apps("post", Some(&[App::Tiktok]), &targets);
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert_eq!(refused[0].path, "/script_config/app");
        assert!(
            refused[0]
                .message
                .starts_with("script post does not drive instagram (it drives tiktok)"),
            "{refused:?}"
        );
        assert!(unsupported_apps("post", None, &targets).is_empty());
    }
}
