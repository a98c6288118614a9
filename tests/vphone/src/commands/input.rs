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
    match args {
        ["tap", x, y] => match (coordinate(x), coordinate(y)) {
            (Some(x), Some(y)) => {
                ctx.phone.app.tap(x, y, &ctx.phone.fs);
                Output::ok()
            }
            _ => invalid("tap"),
        },
        ["swipe", x1, y1, x2, y2, rest @ ..] if rest.len() <= 1 => {
            let points = [x1, y1, x2, y2].map(|v| coordinate(v));
            match points {
                [Some(_), Some(from_y), Some(_), Some(to_y)] => {
                    ctx.phone.app.swipe(from_y, to_y);
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
                ctx.phone.app.key(key);
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
            ctx.phone.app.type_text(&text);
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
