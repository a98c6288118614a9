//! `am start|force-stop|broadcast` and `monkey`: intents that launch the app, open profile and sound links,
//! share media into it (SEND/SEND_MULTIPLE), type through ADBKeyboard and register files with the media scanner.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{Ctx, Output};
use crate::app::{Link, PACKAGE, SHARE_ACTIVITY, SPLASH_ACTIVITY};
use crate::instagram::SharedFile;
use crate::state::ADB_KEYBOARD_IME;

const FLAG_ACTIVITY_CLEAR_TASK: u32 = 0x0000_8000;
const FLAG_RECEIVER_FOREGROUND: u32 = 0x0040_0000;
const ACTION_SEND: &str = "android.intent.action.SEND";
const ACTION_SEND_MULTIPLE: &str = "android.intent.action.SEND_MULTIPLE";
const EXTRA_STREAM: &str = "android.intent.extra.STREAM";
/// Instagram's add-to-story intent (CustomStoryShareHandlerActivity).
const ACTION_ADD_TO_STORY: &str = "com.instagram.share.ADD_TO_STORY";

/// The parts of an intent this phone understands.
#[derive(Debug, Default)]
struct Intent {
    action: Option<String>,
    data: Option<String>,
    component: Option<String>,
    package: Option<String>,
    mime: Option<String>,
    flags: u32,
    strings: Vec<(String, String)>,
    /// `--eu KEY URI` extras, in order (a key given again adds another URI).
    uris: Vec<(String, String)>,
}

impl Intent {
    fn parse(args: &[&str]) -> Result<Intent, String> {
        let mut intent = Intent::default();
        let mut args = args.iter();
        let value = |args: &mut std::slice::Iter<'_, &str>, flag: &str| {
            args.next()
                .map(|v| v.to_string())
                .ok_or_else(|| format!("Error: No value specified for {flag}"))
        };
        while let Some(arg) = args.next() {
            match *arg {
                "-a" => intent.action = Some(value(&mut args, arg)?),
                "-d" => intent.data = Some(value(&mut args, arg)?),
                "-n" => intent.component = Some(value(&mut args, arg)?),
                "-p" => intent.package = Some(value(&mut args, arg)?),
                "-f" => {
                    let raw = value(&mut args, arg)?;
                    let parsed = match raw.strip_prefix("0x") {
                        Some(hex) => u32::from_str_radix(hex, 16),
                        None => raw.parse(),
                    };
                    intent.flags |= parsed.map_err(|_| format!("Error: Bad flags {raw}"))?;
                }
                "--activity-clear-task" => intent.flags |= FLAG_ACTIVITY_CLEAR_TASK,
                "--es" => {
                    let key = value(&mut args, arg)?;
                    let val = value(&mut args, arg)?;
                    intent.strings.push((key, val));
                }
                "--eu" => {
                    let key = value(&mut args, arg)?;
                    let val = value(&mut args, arg)?;
                    intent.uris.push((key, val));
                }
                "-t" => intent.mime = Some(value(&mut args, arg)?),
                "--ei" | "--ez" | "--el" | "--ef" => {
                    value(&mut args, arg)?;
                    value(&mut args, arg)?;
                }
                "-c" | "--user" | "-e" | "--receiver-permission" => {
                    value(&mut args, arg)?;
                }
                flag if flag.starts_with('-') => {}
                // As Intent.parseCommandArgs reads a bare argument: a URI, a component, else a
                // package.
                uri if uri.contains(':') => intent.data = Some(uri.to_string()),
                component if component.contains('/') => {
                    intent.component = Some(component.to_string())
                }
                package => intent.package = Some(package.to_string()),
            }
        }
        Ok(intent)
    }

    fn string(&self, key: &str) -> Option<&str> {
        self.strings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `Intent { act=… dat=… flg=… pkg=… cmp=… }` as `am` prints it.
    fn describe(&self, flags: u32) -> String {
        let mut parts = Vec::new();
        if let Some(action) = &self.action {
            parts.push(format!("act={action}"));
        }
        if let Some(data) = &self.data {
            parts.push(format!("dat={data}"));
        }
        if let Some(mime) = &self.mime {
            parts.push(format!("typ={mime}"));
        }
        if flags != 0 {
            parts.push(format!("flg={flags:#x}"));
        }
        if let Some(package) = &self.package {
            parts.push(format!("pkg={package}"));
        }
        if let Some(component) = &self.component {
            parts.push(format!("cmp={component}"));
        }
        if !self.uris.is_empty() {
            parts.push("(has extras)".to_string());
        }
        format!("Intent {{ {} }}", parts.join(" "))
    }
}

pub fn am(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let Some((sub, rest)) = args.split_first() else {
        return Output::fail(1, "usage: am [subcommand] [options]\n");
    };
    let intent = |rest: &[&str]| Intent::parse(rest);
    match *sub {
        "start" | "start-activity" => match intent(rest) {
            Ok(intent) => start(ctx, &intent),
            Err(err) => Output::fail(1, format!("{err}\n")),
        },
        "broadcast" => match intent(rest) {
            Ok(intent) => broadcast(ctx, &intent),
            Err(err) => Output::fail(1, format!("{err}\n")),
        },
        "force-stop" => {
            match rest.last() {
                Some(&PACKAGE) => ctx.phone.app.force_stop(),
                Some(package) if *package == ctx.phone.instagram.package() => {
                    ctx.phone.instagram.force_stop()
                }
                _ => {}
            }
            Output::ok()
        }
        other => Output::fail(1, format!("Error: Unknown command: {other}\n")),
    }
}

fn start(ctx: &mut Ctx<'_>, intent: &Intent) -> Output {
    let mut out = Output::ok();
    out.out(format!("Starting: {}\n", intent.describe(intent.flags)));
    // Real `am start` says so on stdout and exits 0 (field case 11).
    let unresolved = || {
        let mut out = Output::ok();
        out.out(format!(
            "Starting: {}\nError: Activity not started, unable to resolve {}\n",
            intent.describe(intent.flags),
            intent.describe(intent.flags)
        ));
        out
    };
    if let Some(started) = start_instagram(ctx, intent) {
        return if started { out } else { unresolved() };
    }
    let installed = ctx.phone.packages.iter().any(|p| p == PACKAGE);
    if !installed {
        return unresolved();
    }
    ctx.phone.bring_tiktok();
    if let Some(component) = &intent.component {
        let (package, activity) = component.split_once('/').unwrap_or((component, ""));
        let activity = activity
            .strip_prefix('.')
            .map_or(activity.to_string(), |short| format!("{package}.{short}"));
        if package != PACKAGE || !activity.ends_with("Activity") {
            return unresolved();
        }
        if activity == SHARE_ACTIVITY {
            return share(ctx, intent, out).unwrap_or_else(unresolved);
        }
        if activity == SPLASH_ACTIVITY || intent.data.is_none() {
            ctx.phone.app.launch();
            return out;
        }
    }
    if intent.package.as_deref().is_some_and(|p| p != PACKAGE) {
        return unresolved();
    }
    if intent.package.is_some()
        && matches!(
            intent.action.as_deref(),
            Some(ACTION_SEND | ACTION_SEND_MULTIPLE)
        )
    {
        return share(ctx, intent, out).unwrap_or_else(unresolved);
    }
    match intent.data.as_deref().and_then(Link::parse) {
        Some(link) => {
            ctx.phone
                .app
                .open_link(link, intent.flags & FLAG_ACTIVITY_CLEAR_TASK != 0);
            out
        }
        None => unresolved(),
    }
}

/// An intent for Instagram (its package or component, or an instagram.com link): `Some(true)` when
/// it started, `Some(false)` when it names Instagram but cannot start (not installed, not a
/// profile link), `None` when it is not Instagram's.
fn start_instagram(ctx: &mut Ctx<'_>, intent: &Intent) -> Option<bool> {
    let component_package = intent
        .component
        .as_deref()
        .map(|c| c.split_once('/').map_or(c, |(p, _)| p));
    let link = intent
        .data
        .as_deref()
        .is_some_and(|d| d.contains("instagram.com/"));
    let own = ctx.phone.instagram.package().to_string();
    let named = intent.package.as_deref() == Some(own.as_str())
        || component_package == Some(own.as_str())
        || intent.action.as_deref() == Some(ACTION_ADD_TO_STORY);
    if !(named || link && intent.package.is_none()) {
        return None;
    }
    if !ctx.phone.packages.contains(&own) {
        return Some(false);
    }
    let shared = |uris: Vec<&str>| -> Option<Vec<SharedFile>> {
        uris.into_iter()
            .map(|uri| {
                let item = ctx.phone.app.media().resolve(uri)?;
                Some(SharedFile {
                    path: item.path.clone(),
                    uri: uri.to_string(),
                    image: item.kind == crate::media::Kind::Image,
                })
            })
            .collect()
    };
    let streams: Vec<&str> = intent
        .uris
        .iter()
        .filter(|(key, _)| key == EXTRA_STREAM)
        .map(|(_, uri)| uri.as_str())
        .collect();
    let started = match intent.action.as_deref() {
        Some(ACTION_SEND) if streams.len() == 1 => {
            shared(streams).is_some_and(|files| ctx.phone.instagram.share(files))
        }
        Some(ACTION_SEND_MULTIPLE) => {
            shared(streams).is_some_and(|files| ctx.phone.instagram.share(files))
        }
        Some(ACTION_ADD_TO_STORY) => {
            let file = intent.data.as_deref().and_then(|uri| shared(vec![uri]));
            match file.and_then(|mut files| files.pop()) {
                Some(file) => {
                    ctx.phone.instagram.add_to_story(file);
                    true
                }
                None => false,
            }
        }
        _ => match intent.data.as_deref() {
            Some(url) => ctx.phone.instagram.open_link(url),
            None => {
                ctx.phone.instagram.launch();
                true
            }
        },
    };
    if started {
        ctx.phone.bring_instagram();
    }
    Some(started)
}

/// SystemShareActivity: SEND with one `--eu android.intent.extra.STREAM URI`, SEND_MULTIPLE with one or more,
/// and a `video/*` or `image/*` type. `None` when the intent is not one the activity takes.
fn share(ctx: &mut Ctx<'_>, intent: &Intent, out: Output) -> Option<Output> {
    let streams: Vec<String> = intent
        .uris
        .iter()
        .filter(|(key, _)| key == EXTRA_STREAM)
        .map(|(_, uri)| uri.clone())
        .collect();
    let typed = intent
        .mime
        .as_deref()
        .is_some_and(|m| m.starts_with("video/") || m.starts_with("image/"));
    let takes = match intent.action.as_deref() {
        Some(ACTION_SEND) => streams.len() == 1,
        Some(ACTION_SEND_MULTIPLE) => !streams.is_empty(),
        _ => false,
    };
    if !typed || !takes {
        return None;
    }
    ctx.phone.app.share(&streams);
    Some(out)
}

fn broadcast(ctx: &mut Ctx<'_>, intent: &Intent) -> Output {
    let phone = &mut *ctx.phone;
    let typing = phone.ime == ADB_KEYBOARD_IME;
    match intent.action.as_deref() {
        Some("ADB_INPUT_B64") if typing => {
            let decoded = intent
                .string("msg")
                .and_then(|msg| STANDARD.decode(msg.trim()).ok());
            if let Some(bytes) = decoded {
                phone.type_text(&String::from_utf8_lossy(&bytes));
            }
        }
        Some("ADB_INPUT_TEXT") if typing => {
            if let Some(text) = intent.string("msg") {
                phone.type_text(text);
            }
        }
        Some("android.intent.action.MEDIA_SCANNER_SCAN_FILE") => {
            let path = intent
                .data
                .as_deref()
                .and_then(|d| d.strip_prefix("file://"));
            if let Some(path) = path {
                phone.app.scan_media(path, &phone.fs);
                // Instagram's gallery lists what the media store does.
                let items = phone.app.media().items().iter().map(|item| SharedFile {
                    path: item.path.clone(),
                    uri: item.uri(),
                    image: item.kind == crate::media::Kind::Image,
                });
                phone.instagram.set_gallery(items.collect());
            }
        }
        _ => {}
    }
    let mut out = Output::ok();
    out.out(format!(
        "Broadcasting: {}\nBroadcast completed: result=0\n",
        intent.describe(intent.flags | FLAG_RECEIVER_FOREGROUND)
    ));
    out
}

/// `monkey -p PKG -c android.intent.category.LAUNCHER 1`: launches the package.
pub fn monkey(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let package = args
        .iter()
        .position(|a| *a == "-p")
        .and_then(|i| args.get(i + 1));
    match package {
        Some(package) if ctx.phone.packages.iter().any(|p| p == package) => {
            if *package == PACKAGE {
                ctx.phone.bring_tiktok();
                ctx.phone.app.launch();
            } else if *package == ctx.phone.instagram.package() {
                ctx.phone.instagram.launch();
                ctx.phone.bring_instagram();
            }
            let mut out = Output::ok();
            out.out(
                "Events injected: 1\n\
                 ## Network stats: elapsed time=5ms (0ms mobile, 0ms wifi, 5ms not connected)\n",
            );
            out
        }
        _ => Output::fail(251, "** No activities found to run, monkey aborted.\n"),
    }
}
