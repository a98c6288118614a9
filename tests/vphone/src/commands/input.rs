//! `input tap|swipe|keyevent|text`: touch and key events delivered to whatever is on screen.
//! `input text` takes ASCII only, with `%s` for a space, as on a real phone.

use super::{Ctx, Output};
use crate::app::Key;

const SOURCES: [&str; 8] = [
    "touchscreen",
    "touchpad",
    "keyboard",
    "mouse",
    "dpad",
    "gamepad",
    "stylus",
    "trackball",
];

pub fn input(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let args = match args.split_first() {
        Some((source, rest)) if SOURCES.contains(source) => rest,
        _ => args,
    };
    if ctx.phone.sys.config.inject_refused && !args.is_empty() {
        // MIUI/HyperOS without "USB debugging (Security settings)", Android 12+ wording (case 13).
        let what = args.first().copied().unwrap_or_default();
        return Output::fail(
            255,
            format!(
                "Exception occurred while executing '{what}':\n\
                 java.lang.SecurityException: Injecting input events requires the caller (or the source of the \
                 instrumentation, if any) to have the INJECT_EVENTS permission.\n\
                 \tat android.os.Parcel.createExceptionOrNull(Parcel.java:3011)\n"
            ),
        );
    }
    let screen = ctx.phone.sys.config.screen;
    match args {
        ["tap", x, y] => match (coordinate(x), coordinate(y)) {
            (Some(x), Some(y)) => {
                let sys = &mut ctx.phone.sys;
                if !sys.app_visible() {
                    // The keyguard (or a dark screen) takes the tap.
                    return Output::ok();
                }
                let (x, y) = (screen.layout(x), screen.layout(y));
                let hit = ctx.phone.tap(x, y);
                if let Some(fault) = ctx.phone.sys.config.dump_fault_after_tap
                    && hit
                {
                    ctx.phone.sys.dump_faults.push_front(fault);
                }
                Output::ok()
            }
            _ => invalid("tap"),
        },
        ["swipe", x1, y1, x2, y2, rest @ ..] if rest.len() <= 1 => {
            let points = [x1, y1, x2, y2].map(|v| coordinate(v));
            match points {
                [Some(_), Some(from_y), Some(_), Some(to_y)] => {
                    let (from_y, to_y) = (screen.layout(from_y), screen.layout(to_y));
                    let sys = &mut ctx.phone.sys;
                    if !sys.awake {
                        return Output::ok();
                    }
                    if sys.keyguard_showing() {
                        if from_y - to_y > 300 {
                            sys.dismiss_keyguard();
                        }
                        return Output::ok();
                    }
                    if ctx.phone.instagram_in_front() {
                        ctx.phone.instagram.swipe(from_y, to_y);
                    } else {
                        ctx.phone.app.swipe(from_y, to_y);
                    }
                    Output::ok()
                }
                _ => invalid("swipe"),
            }
        }
        ["keyevent", codes @ ..] if !codes.is_empty() => {
            let mut keys = Vec::new();
            for code in codes.iter().filter(|c| !c.starts_with("--")) {
                match keycode(code) {
                    Some(key) => keys.push(key),
                    None => return invalid("keyevent"),
                }
            }
            for key in keys.into_iter().flatten() {
                let sys = &mut ctx.phone.sys;
                match key {
                    Key::Wake => sys.wake(),
                    Key::Sleep => sys.sleep(),
                    Key::Power if sys.awake => sys.sleep(),
                    Key::Power => sys.wake(),
                    Key::Menu => sys.dismiss_keyguard(),
                    app_key if sys.app_visible() => ctx.phone.key(app_key),
                    _ => {}
                }
            }
            Output::ok()
        }
        ["text", words @ ..] if !words.is_empty() => {
            let text = words.join(" ").replace("%s", " ");
            if !text.is_ascii() {
                return Output::fail(
                    255,
                    "Exception occurred while executing 'text':\njava.lang.NullPointerException: \
                     Attempt to get length of null array\n",
                );
            }
            if ctx.phone.sys.app_visible() {
                ctx.phone.type_text(&text);
            }
            Output::ok()
        }
        _ => Output::fail(
            1,
            "Usage: input [<source>] <command> [<arg>...]\n\
             The commands and default sources are:\n      \
             text <string>\n      \
             keyevent <key code number or name> ...\n      \
             tap <x> <y>\n      \
             swipe <x1> <y1> <x2> <y2> [duration(ms)]\n",
        ),
    }
}

fn coordinate(value: &str) -> Option<i32> {
    let v: f64 = value.parse().ok()?;
    v.is_finite().then(|| v.round() as i32)
}

fn invalid(command: &str) -> Output {
    Output::fail(
        1,
        format!("Error: Invalid arguments for command: {command}\n"),
    )
}

/// A key code number or `KEYCODE_` name: `Some(Some(key))` for keys the app handles,
/// `Some(None)` for valid keys it ignores, `None` for garbage.
fn keycode(code: &str) -> Option<Option<Key>> {
    let name = code.strip_prefix("KEYCODE_").unwrap_or(code);
    let key = match name {
        "3" | "HOME" => Some(Key::Home),
        "4" | "BACK" => Some(Key::Back),
        "26" | "POWER" => Some(Key::Power),
        "82" | "MENU" => Some(Key::Menu),
        "223" | "SLEEP" => Some(Key::Sleep),
        "224" | "WAKEUP" => Some(Key::Wake),
        "66" | "ENTER" => Some(Key::Enter),
        "67" | "DEL" => Some(Key::Delete),
        _ if name.parse::<u16>().is_ok() => None,
        _ if code.starts_with("KEYCODE_")
            && !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') =>
        {
            None
        }
        _ => return None,
    };
    Some(key)
}
