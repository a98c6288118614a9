//! File and text commands over the in-memory filesystem: `cat`, `ls`, `rm`, `mkdir`, `echo`, `grep`.
//! Error messages follow toybox (`cat: /x: No such file or directory`).

use chrono::{Local, TimeZone};

use super::{Ctx, Output};
use crate::fs::{MODE_DIR, Stat};

/// Splits `-abc` style flags from operands; `--` ends flags.
fn flags_and_operands<'a>(args: &[&'a str]) -> (String, Vec<&'a str>) {
    let mut flags = String::new();
    let mut operands = Vec::new();
    let mut only_operands = false;
    for arg in args {
        if !only_operands && *arg == "--" {
            only_operands = true;
        } else if !only_operands && arg.len() > 1 && arg.starts_with('-') {
            flags.push_str(&arg[1..]);
        } else {
            operands.push(*arg);
        }
    }
    (flags, operands)
}

pub fn cat(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let (_, paths) = flags_and_operands(args);
    let mut out = Output::ok();
    if paths.is_empty() {
        out.out(ctx.stdin);
    }
    for path in paths {
        match ctx.phone.fs.read(path) {
            Ok(data) => out.out(data),
            Err(err) => {
                out.err(format!("cat: {err}\n"));
                out.code = 1;
            }
        }
    }
    out
}

fn long_line(name: &str, stat: &Stat) -> String {
    let kind = if stat.mode & 0o170_000 == MODE_DIR & 0o170_000 {
        'd'
    } else {
        '-'
    };
    let bits: String = (0..9)
        .rev()
        .map(|i| {
            if stat.mode & (1 << i) == 0 {
                '-'
            } else {
                ['x', 'w', 'r'][i % 3]
            }
        })
        .collect();
    let time = Local
        .timestamp_opt(i64::from(stat.mtime), 0)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    format!(
        "{kind}{bits} 1 root sdcard_rw {} {time} {name}\n",
        stat.size
    )
}

pub fn ls(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let (flags, mut paths) = flags_and_operands(args);
    let long = flags.contains('l');
    if paths.is_empty() {
        paths.push("/");
    }
    let mut out = Output::ok();
    let many = paths.len() > 1;
    for path in paths {
        let is_dir = ctx
            .phone
            .fs
            .stat(path)
            .is_some_and(|s| s.mode & 0o040_000 != 0);
        match ctx.phone.fs.list(path) {
            Ok(entries) => {
                if many && is_dir {
                    out.out(format!("{path}:\n"));
                }
                for (name, stat) in entries {
                    let name = if is_dir { name } else { path.to_string() };
                    if long {
                        out.out(long_line(&name, &stat));
                    } else {
                        out.out(format!("{name}\n"));
                    }
                }
            }
            Err(err) => {
                out.err(format!("ls: {err}\n"));
                out.code = 1;
            }
        }
    }
    out
}

pub fn rm(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let (flags, paths) = flags_and_operands(args);
    let force = flags.contains('f');
    let recursive = flags.contains('r') || flags.contains('R');
    let mut out = Output::ok();
    for path in paths {
        if let Err(err) = ctx.phone.fs.remove(path, recursive)
            && !(force && ctx.phone.fs.stat(path).is_none())
        {
            out.err(format!("rm: {err}\n"));
            out.code = 1;
        }
    }
    out
}

pub fn mkdir(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let (flags, paths) = flags_and_operands(args);
    let parents = flags.contains('p');
    let mut out = Output::ok();
    for path in paths {
        if let Err(err) = ctx.phone.fs.mkdir(path, parents) {
            out.err(format!("mkdir: {err}\n"));
            out.code = 1;
        }
    }
    out
}

pub fn echo(args: &[&str]) -> Output {
    let (newline, words) = match args.split_first() {
        Some((&"-n", rest)) => (false, rest),
        _ => (true, args),
    };
    let mut out = Output::ok();
    out.out(words.join(" "));
    if newline {
        out.out("\n");
    }
    out
}

/// `grep [-i] [-v] [-q] [-c] [-F|-E] PATTERN [FILE...]`: fixed-string matching per line.
pub fn grep(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let (flags, operands) = flags_and_operands(args);
    let Some((pattern, paths)) = operands.split_first() else {
        return Output::fail(2, "usage: grep [-civqFE] PATTERN [FILE...]\n");
    };
    let ignore_case = flags.contains('i');
    let needle = if ignore_case {
        pattern.to_lowercase()
    } else {
        pattern.to_string()
    };
    let mut text = Vec::new();
    let mut out = Output::ok();
    if paths.is_empty() {
        text.extend_from_slice(ctx.stdin);
    }
    for path in paths {
        match ctx.phone.fs.read(path) {
            Ok(data) => text.extend_from_slice(data),
            Err(err) => out.err(format!("grep: {err}\n")),
        }
    }
    let text = String::from_utf8_lossy(&text);
    let matching: Vec<&str> = text
        .lines()
        .filter(|line| {
            let found = if ignore_case {
                line.to_lowercase().contains(&needle)
            } else {
                line.contains(&needle)
            };
            found != flags.contains('v')
        })
        .collect();
    if flags.contains('c') {
        out.out(format!("{}\n", matching.len()));
    } else if !flags.contains('q') {
        for line in &matching {
            out.out(format!("{line}\n"));
        }
    }
    out.code = if matching.is_empty() { 1 } else { 0 };
    out
}
