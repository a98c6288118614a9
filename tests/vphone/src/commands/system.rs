//! Android system commands: `getprop`, `pm`, `ime`, `wm`, `log`, `logcat`, `screencap`,
//! `uiautomator dump`, `dumpsys`, `sleep` — printing what the real tools print.

use std::time::Duration;

use super::{Ctx, Output};
use crate::android::{DumpFault, Lock, keyguard_xml};
use crate::fs::MODE_FILE;
use crate::logcat::Format;
use crate::png::solid_png;

const DEFAULT_DUMP: &str = "/sdcard/window_dump.xml";

fn props(ctx: &Ctx<'_>) -> Vec<(&'static str, String)> {
    let phone = &ctx.phone;
    vec![
        (
            "ro.build.version.release",
            phone.sys.config.release().to_string(),
        ),
        ("ro.build.version.sdk", phone.sys.config.sdk.to_string()),
        ("ro.product.brand", "vphone".to_string()),
        ("ro.product.device", "vphone".to_string()),
        ("ro.product.manufacturer", "VPhone".to_string()),
        ("ro.product.model", phone.model.clone()),
        ("ro.product.name", "vphone".to_string()),
        (
            "ro.serialno",
            phone
                .sys
                .config
                .serialno
                .clone()
                .unwrap_or_else(|| format!("vphone{}", phone.serial_port)),
        ),
        ("sys.boot_completed", "1".to_string()),
    ]
}

pub fn getprop(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let props = props(ctx);
    let mut out = Output::ok();
    match args.first() {
        Some(key) => {
            let value = props
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str());
            out.out(format!("{}\n", value.unwrap_or_default()));
        }
        None => {
            for (key, value) in props {
                out.out(format!("[{key}]: [{value}]\n"));
            }
        }
    }
    out
}

pub fn pm(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let mut out = Output::ok();
    match args {
        ["list", "packages", rest @ ..] => {
            let filter = rest
                .iter()
                .find(|a| !a.starts_with('-'))
                .copied()
                .unwrap_or("");
            for package in ctx.phone.packages.iter().filter(|p| p.contains(filter)) {
                out.out(format!("package:{package}\n"));
            }
            out
        }
        ["path", package] if ctx.phone.packages.iter().any(|p| p == package) => {
            out.out(format!("package:/data/app/{package}/base.apk\n"));
            out
        }
        ["path", _] => Output {
            code: 1,
            ..Output::ok()
        },
        ["install", rest @ ..] => install(ctx, rest),
        _ => Output::fail(1, "Error: unknown or unsupported pm command\n"),
    }
}

/// `pm install [-r] [-g] [-t] [-d] PATH`: a file that is a zip with an `AndroidManifest.xml`
/// installs the package it names (`package="…"`; a real phone reads the compiled binary manifest
/// and checks the signature, this model takes a plain-text manifest and no signature). Failures as
/// pm words them: `Failure [INSTALL_FAILED_INVALID_URI]` for no such file, `INVALID_APK` for a file
/// that is not an APK, `ALREADY_EXISTS` for an installed package without `-r`.
fn install(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let replace = args.contains(&"-r");
    let Some(path) = args.iter().rev().find(|a| !a.starts_with('-')) else {
        return Output::fail(1, "Error: no package specified\n");
    };
    let Ok(bytes) = ctx.phone.fs.read(path) else {
        return pm_failure("INSTALL_FAILED_INVALID_URI".into());
    };
    let Some(package) = apk_package(bytes) else {
        return pm_failure(format!(
            "INSTALL_FAILED_INVALID_APK: Failed to parse {path}: not an APK (no AndroidManifest.xml)"
        ));
    };
    let installed = ctx.phone.packages.contains(&package);
    if installed && !replace {
        return pm_failure(format!(
            "INSTALL_FAILED_ALREADY_EXISTS: Attempt to re-install {package} without first uninstalling."
        ));
    }
    if !installed {
        ctx.phone.packages.push(package);
    }
    let mut out = Output::ok();
    out.out("Success\n");
    out
}

/// pm's failure: `Failure [WHY]` on stdout, exit status 1 (PackageManagerShellCommand).
fn pm_failure(why: String) -> Output {
    let mut out = Output {
        code: 1,
        ..Output::ok()
    };
    out.out(format!("Failure [{why}]\n"));
    out
}

/// The package an APK's manifest names.
fn apk_package(bytes: &[u8]) -> Option<String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut manifest = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("AndroidManifest.xml").ok()?, &mut manifest)
        .ok()?;
    let start = manifest.find("package=\"")? + "package=\"".len();
    let end = manifest[start..].find('"')? + start;
    Some(manifest[start..end].to_string()).filter(|p| !p.is_empty())
}

/// The input methods installed on the phone (enabled or not).
fn installed_imes(ctx: &Ctx<'_>) -> Vec<String> {
    let mut all = vec![crate::state::LATIN_IME.to_string()];
    if ctx
        .phone
        .packages
        .iter()
        .any(|p| p == "com.android.adbkeyboard")
    {
        all.push(crate::state::ADB_KEYBOARD_IME.to_string());
    }
    all
}

/// `ime list [-a] [-s]`, `ime enable ID`, `ime set ID`, `ime reset`: `set` takes only an enabled
/// IME (field case 12: exit 255 and "cannot be selected" otherwise).
pub fn ime(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let installed = installed_imes(ctx);
    let phone = &mut *ctx.phone;
    let mut out = Output::ok();
    match args {
        ["list", flags @ ..] => {
            let ids = if flags.contains(&"-a") {
                installed
            } else {
                phone.imes.clone()
            };
            for id in &ids {
                if flags.contains(&"-s") {
                    out.out(format!("{id}\n"));
                } else {
                    out.out(format!("{id}:\n  mId={id}\n"));
                }
            }
            out
        }
        ["enable", id] if installed.iter().any(|i| i == id) => {
            if phone.imes.iter().any(|i| i == id) {
                out.out(format!("Input method {id}: already enabled for user #0\n"));
            } else {
                phone.imes.push(id.to_string());
                out.out(format!("Input method {id}: now enabled for user #0\n"));
            }
            out
        }
        ["set", id] if phone.imes.iter().any(|i| i == id) => {
            phone.ime = id.to_string();
            out.out(format!("Input method {id} selected for user #0\n"));
            out
        }
        ["reset"] => {
            phone.ime = crate::state::LATIN_IME.to_string();
            out.out(format!(
                "Reset current and enabled IMEs for user #0\n  Selected: {}\n",
                phone.ime
            ));
            out
        }
        ["enable" | "set", id] => Output::fail(
            255,
            format!("Unknown input method {id} cannot be selected for user #0\n"),
        ),
        _ => Output::fail(1, "ime <command>: list, enable, set, reset\n"),
    }
}

/// `settings get|put secure default_input_method [ID]`: the current input method, as Android keeps it.
pub fn settings(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let phone = &mut *ctx.phone;
    let mut out = Output::ok();
    match args {
        ["get", "secure", "default_input_method"] => out.out(format!("{}\n", phone.ime)),
        ["put", "secure", "default_input_method", id] => phone.ime = id.to_string(),
        // 64 bits, 16 hex digits, one per phone (and app signing key) since Android 8.
        ["get", "secure", "android_id"] => out.out(format!(
            "{:016x}\n",
            0x5eed_0000_0000_0000u64 | u64::from(phone.serial_port)
        )),
        ["get", _, _] => out.out("null\n"),
        _ => return Output::fail(1, "usage: settings [get|put] NAMESPACE KEY [VALUE]\n"),
    }
    out
}

/// `wm size`, `wm density`, `wm dismiss-keyguard`.
pub fn wm(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let screen = ctx.phone.sys.config.screen;
    let mut out = Output::ok();
    match args {
        ["size"] => out.out(format!(
            "Physical size: {}x{}\n",
            screen.width, screen.height
        )),
        ["density"] => out.out(format!("Physical density: {}\n", screen.density)),
        ["dismiss-keyguard"] => ctx.phone.sys.dismiss_keyguard(),
        _ => return Output::fail(1, "Error: unknown or unsupported wm command\n"),
    }
    out
}

/// `log [-p PRIORITY] [-t TAG] MESSAGE...`
pub fn log(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let mut tag = "log".to_string();
    let mut priority = 'I';
    let mut rest = args;
    loop {
        match rest {
            ["-t", value, tail @ ..] => {
                tag = value.to_string();
                rest = tail;
            }
            ["-p", value, tail @ ..] => {
                priority = value.chars().next().unwrap_or('i').to_ascii_uppercase();
                rest = tail;
            }
            _ => break,
        }
    }
    if rest.is_empty() {
        return Output::fail(1, "usage: log [-p PRI] [-t TAG] MESSAGE...\n");
    }
    ctx.phone.logcat.log(priority, &tag, &rest.join(" "));
    Output::ok()
}

/// `logcat -d [-v epoch|threadtime] [-s TAG...]`, `logcat -c`. Without `-d` it also dumps and exits
/// (this phone never streams).
pub fn logcat(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let mut format = Format::ThreadTime;
    let mut tags = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "-c" => {
                ctx.phone.logcat.clear();
                return Output::ok();
            }
            "-v" => {
                format = match args.next() {
                    Some(&"epoch") => Format::Epoch,
                    _ => Format::ThreadTime,
                }
            }
            "-b" | "-t" | "-T" | "-f" | "-r" | "-n" | "--pid" => {
                args.next();
            }
            spec if !spec.starts_with('-') => {
                let tag = spec.split(':').next().unwrap_or_default();
                if tag != "*" && !tag.is_empty() {
                    tags.push(tag.to_string());
                }
            }
            _ => {}
        }
    }
    let mut out = Output::ok();
    out.out(ctx.phone.logcat.dump(format, &tags));
    out
}

pub fn screencap(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let screen = ctx.phone.sys.config.screen;
    let png = solid_png(screen.width, screen.height, &ctx.phone.screen_description());
    match args.iter().find(|a| !a.starts_with('-')) {
        Some(path) => match ctx.phone.fs.write(path, png, MODE_FILE) {
            Ok(()) => Output::ok(),
            Err(err) => Output::fail(1, format!("Error opening file: {err}\n")),
        },
        None => {
            let mut out = Output::ok();
            out.out(png);
            out
        }
    }
}

pub fn uiautomator(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let ["dump", rest @ ..] = args else {
        return Output::fail(
            1,
            "Usage: uiautomator <subcommand> [options]\n    dump [--verbose][--compressed][file]\n",
        );
    };
    let path = rest
        .iter()
        .find(|a| !a.starts_with("--"))
        .copied()
        .unwrap_or(DEFAULT_DUMP);
    if path == "/dev/tty" {
        return Output::fail(
            1,
            "ERROR: could not open /dev/tty: no controlling terminal\n",
        );
    }
    if !ctx.phone.sys.awake {
        // The screen is off: no window to dump (field cases 01, 14).
        return dump_failure(DumpFault::NullRoot);
    }
    let xml = match ctx.phone.sys.replayed_dumps.pop_front() {
        Some(replayed) => replayed,
        None if ctx.phone.sys.keyguard_showing() => {
            let sys = &ctx.phone.sys;
            scale_xml(keyguard_xml(sys.pin_asked), sys.config.screen)
        }
        None => ctx.phone.dump_xml(),
    };
    match ctx.phone.fs.write(path, xml.into_bytes(), MODE_FILE) {
        Ok(()) => {
            let mut out = Output::ok();
            // Real Android misspells "hierarchy" here; scripts match on it.
            out.out(format!("UI hierchary dumped to: {path}\n"));
            out
        }
        Err(err) => Output::fail(1, format!("java.io.FileNotFoundException: {err}\n")),
    }
}

/// What uiautomator prints for a failed dump, and its exit status (0 but for the crash).
pub fn dump_failure(fault: DumpFault) -> Output {
    match fault {
        DumpFault::NullRoot => {
            let mut out = Output::ok();
            out.err("ERROR: null root node returned by UiTestAutomationBridge.\n");
            out
        }
        DumpFault::IdleTimeout => {
            let mut out = Output::ok();
            out.err("ERROR: could not get idle state.\n");
            out
        }
        DumpFault::AlreadyRegistered => Output::fail(
            1,
            "java.lang.IllegalStateException: UiAutomationService android.accessibilityservice.IAccessibilityServiceClient$Stub$Proxy@5f3a2c1already registered!\n\
             \tat android.app.UiAutomationConnection.connect(UiAutomationConnection.java:106)\n\
             \tat com.android.commands.uiautomator.DumpCommand.run(DumpCommand.java:44)\n",
        ),
    }
}

/// A dump written for the 1080-wide layout, its bounds scaled to `screen`.
fn scale_xml(xml: &str, screen: crate::android::Screen) -> String {
    if screen.width == 1080 {
        return xml.to_string();
    }
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(at) = rest.find("bounds=\"") {
        let (head, tail) = rest.split_at(at + "bounds=\"".len());
        out.push_str(head);
        let end = tail.find('"').unwrap_or(tail.len());
        let numbers: Vec<i32> = tail[..end]
            .split(|c: char| !c.is_ascii_digit() && c != '-')
            .filter_map(|n| n.parse().ok())
            .collect();
        if let [l, t, r, b] = numbers[..] {
            out.push_str(&format!(
                "[{},{}][{},{}]",
                screen.physical(l),
                screen.physical(t),
                screen.physical(r),
                screen.physical(b)
            ));
        } else {
            out.push_str(&tail[..end]);
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

pub fn dumpsys(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let mut out = Output::ok();
    match args.first() {
        Some(&"vphone") => {
            let state = ctx.phone.state(ctx.counters);
            out.out(format!("{state:#}\n"));
        }
        Some(&"power") => {
            let wakefulness = if ctx.phone.sys.awake {
                "Awake"
            } else {
                "Asleep"
            };
            out.out(format!(
                "POWER MANAGER (dumpsys power)\n\nPower Manager State:\n  mWakefulness={wakefulness}\n  mWakefulnessChanging=false\n"
            ));
        }
        Some(&"window") => {
            let sys = &ctx.phone.sys;
            out.out(format!(
                "WINDOW MANAGER POLICY STATE (dumpsys window policy)\n    KeyguardServiceDelegate\n      \
                 showing={}\n      showingAndNotOccluded={}\n      inputRestricted={}\n      occluded=false\n      \
                 secure={}\n      dreaming=false\n",
                sys.keyguard_showing(),
                sys.keyguard_showing(),
                sys.keyguard_showing(),
                sys.config.lock == Lock::Pin,
            ));
            let focus = ctx.phone.focus();
            out.out(format!(
                "  mCurrentFocus=Window{{1a2b3c u0 {focus}}}\n  \
                 mFocusedApp=ActivityRecord{{4d5e6f u0 {focus} t12}}\n"
            ));
        }
        _ => {}
    }
    out
}

/// `sleep SECONDS` (fractions allowed), capped at ten minutes.
pub async fn sleep(args: &[&str]) -> Output {
    let seconds = args.first().and_then(|s| s.parse::<f64>().ok());
    match seconds {
        Some(s) if s.is_finite() && s >= 0.0 => {
            tokio::time::sleep(Duration::from_secs_f64(s.min(600.0))).await;
            Output::ok()
        }
        _ => Output::fail(1, "usage: sleep SECONDS\n"),
    }
}
