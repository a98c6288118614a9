//! The phone's shell: runs a parsed command line against the model with `&&`/`||`/`;`, pipes and
//! redirections, dispatching each command by name; unknown names print `sh: NAME: not found` (127).

mod am;
mod content;
mod files;
mod input;
mod system;

use std::collections::BTreeMap;

use crate::shell::{self, Command, Connector, Redirect};
use crate::state::{Counters, Phone, Shared};

/// Which output stream a chunk went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fd {
    Out,
    Err,
}

/// What a command printed, in order, and its exit status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    chunks: Vec<(Fd, Vec<u8>)>,
    pub code: u8,
}

impl Output {
    /// An empty, successful output.
    pub fn ok() -> Self {
        Self::default()
    }

    /// Prints `message` to stderr and fails with `code`.
    pub fn fail(code: u8, message: impl AsRef<str>) -> Self {
        let mut out = Self {
            code,
            ..Self::default()
        };
        out.err(message.as_ref());
        out
    }

    pub fn out(&mut self, bytes: impl AsRef<[u8]>) {
        self.push(Fd::Out, bytes.as_ref());
    }

    pub fn err(&mut self, bytes: impl AsRef<[u8]>) {
        self.push(Fd::Err, bytes.as_ref());
    }

    fn push(&mut self, fd: Fd, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        match self.chunks.last_mut() {
            Some((last, data)) if *last == fd => data.extend_from_slice(bytes),
            _ => self.chunks.push((fd, bytes.to_vec())),
        }
    }

    pub fn chunks(&self) -> &[(Fd, Vec<u8>)] {
        &self.chunks
    }

    pub fn stream(&self, fd: Fd) -> Vec<u8> {
        self.chunks
            .iter()
            .filter(|(f, _)| *f == fd)
            .flat_map(|(_, data)| data.iter().copied())
            .collect()
    }

    /// stdout and stderr interleaved as printed (what `shell:` v1 and `exec:` deliver).
    pub fn merged(&self) -> Vec<u8> {
        self.chunks
            .iter()
            .flat_map(|(_, data)| data.iter().copied())
            .collect()
    }

    fn append(&mut self, other: Output) {
        for (fd, data) in other.chunks {
            self.push(fd, &data);
        }
        self.code = other.code;
    }
}

/// What a command sees of the phone while it runs.
pub struct Ctx<'a> {
    pub phone: &'a mut Phone,
    pub counters: &'a Counters,
    pub stdin: &'a [u8],
}

/// Runs one `sh -c` command line, as a shell or exec stream does.
pub async fn run(shared: &Shared, line: &str) -> Output {
    let _running = shared.counters.start();
    if !shared.command_delay.is_zero() {
        tokio::time::sleep(shared.command_delay).await;
    }
    let script = match shell::parse(line) {
        Ok(script) => script,
        Err(err) => return Output::fail(2, format!("sh: {err}\n")),
    };
    let mut output = Output::ok();
    let mut status = 0u8;
    for (connector, pipeline) in script {
        let runs = match connector {
            Connector::Always => true,
            Connector::IfSuccess => status == 0,
            Connector::IfFailure => status != 0,
        };
        if !runs {
            continue;
        }
        let mut stdin = Vec::new();
        let last = pipeline.len().saturating_sub(1);
        for (i, command) in pipeline.iter().enumerate() {
            let result = run_command(shared, command, &stdin).await;
            if i == last {
                output.append(result);
            } else {
                stdin = result.stream(Fd::Out);
                let mut errors = Output::ok();
                errors.err(result.stream(Fd::Err));
                output.append(errors);
            }
        }
        status = output.code;
    }
    output.code = status;
    output
}

async fn run_command(shared: &Shared, command: &Command, stdin: &[u8]) -> Output {
    let argv: Vec<&str> = command.argv.iter().map(String::as_str).collect();
    let output = match argv.as_slice() {
        ["sleep", rest @ ..] => system::sleep(rest).await,
        args => {
            if matches!(args, ["uiautomator", "dump", ..]) && !shared.dump_delay.is_zero() {
                tokio::time::sleep(shared.dump_delay).await;
            }
            let mut phone = shared.lock();
            let mut ctx = Ctx {
                phone: &mut phone,
                counters: &shared.counters,
                stdin,
            };
            dispatch(&mut ctx, args)
        }
    };
    if command.redirects.is_empty() {
        return output;
    }
    redirect(&mut shared.lock(), output, &command.redirects)
}

fn dispatch(ctx: &mut Ctx<'_>, argv: &[&str]) -> Output {
    let Some((name, args)) = argv.split_first() else {
        return Output::ok();
    };
    match *name {
        "cmd" => match args {
            ["package", rest @ ..] => system::pm(ctx, rest),
            _ => dispatch(ctx, args),
        },
        "input" => input::input(ctx, args),
        "am" => am::am(ctx, args),
        "monkey" => am::monkey(ctx, args),
        "content" => content::content(ctx, args),
        "cat" => files::cat(ctx, args),
        "ls" => files::ls(ctx, args),
        "rm" => files::rm(ctx, args),
        "mkdir" => files::mkdir(ctx, args),
        "echo" => files::echo(args),
        "grep" => files::grep(ctx, args),
        "true" => Output::ok(),
        "false" => Output {
            code: 1,
            ..Output::ok()
        },
        "getprop" => system::getprop(ctx, args),
        "pm" => system::pm(ctx, args),
        "ime" => system::ime(ctx, args),
        "settings" => system::settings(ctx, args),
        "wm" => system::wm(args),
        "log" => system::log(ctx, args),
        "logcat" => system::logcat(ctx, args),
        "screencap" => system::screencap(ctx, args),
        "uiautomator" => system::uiautomator(ctx, args),
        "dumpsys" => system::dumpsys(ctx, args),
        other => Output::fail(127, format!("sh: {other}: not found\n")),
    }
}

/// Where a stream ends up after redirections.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Stdout,
    Stderr,
    File(String),
}

/// Applies `>`, `>>`, `2>`, `2>>`, `2>&1` and `>&2` left to right, like sh's file-descriptor table.
fn redirect(phone: &mut Phone, output: Output, redirects: &[Redirect]) -> Output {
    let (mut out_target, mut err_target) = (Target::Stdout, Target::Stderr);
    let mut files: BTreeMap<String, (bool, Vec<u8>)> = BTreeMap::new();
    for redirect in redirects {
        match redirect {
            Redirect::Stdout { path, append } => {
                files.entry(path.clone()).or_insert((*append, Vec::new()));
                out_target = Target::File(path.clone());
            }
            Redirect::Stderr { path, append } => {
                files.entry(path.clone()).or_insert((*append, Vec::new()));
                err_target = Target::File(path.clone());
            }
            Redirect::StderrToStdout => err_target = out_target.clone(),
            Redirect::StdoutToStderr => out_target = err_target.clone(),
        }
    }
    let mut result = Output {
        code: output.code,
        ..Output::ok()
    };
    for (fd, data) in output.chunks {
        match if fd == Fd::Out {
            &out_target
        } else {
            &err_target
        } {
            Target::Stdout => result.out(&data),
            Target::Stderr => result.err(&data),
            Target::File(path) => {
                if let Some((_, buffer)) = files.get_mut(path) {
                    buffer.extend_from_slice(&data);
                }
            }
        }
    }
    for (path, (append, data)) in files {
        let written = if append {
            phone.fs.append(&path, &data)
        } else {
            phone.fs.write(&path, data, crate::fs::MODE_FILE)
        };
        if let Err(err) = written {
            result.err(format!("sh: can't create {err}\n"));
            result.code = 1;
        }
    }
    result
}
