//! The phone's shell: runs a parsed command line against the model with `&&`/`||`/`;`, pipes and
//! redirections, dispatching each command by name; unknown names print `sh: NAME: not found` (127).

mod am;
mod content;
mod files;
mod input;
mod system;

use std::collections::BTreeMap;

use std::future::Future;
use std::pin::Pin;

use crate::android::DumpFault;
use crate::shell::{self, Command, Connector, Part, Redirect, Script, Word};
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
    exec_script(shared, &script, &mut Env::default()).await
}

/// What expansions see: the last exit status (`$?`). Other parameters expand to nothing.
#[derive(Default)]
struct Env {
    status: u8,
}

type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Runs pipelines in order, each when its connector says so; the status is the last one's.
fn exec_script<'a>(shared: &'a Shared, script: &'a Script, env: &'a mut Env) -> Boxed<'a, Output> {
    Box::pin(async move {
        let mut output = Output::ok();
        for (connector, pipeline) in script {
            let runs = match connector {
                Connector::Always => true,
                Connector::IfSuccess => env.status == 0,
                Connector::IfFailure => env.status != 0,
            };
            if !runs {
                continue;
            }
            let mut stdin = Vec::new();
            let last = pipeline.len().saturating_sub(1);
            for (i, command) in pipeline.iter().enumerate() {
                let result = exec_command(shared, command, &stdin, env).await;
                if i == last {
                    env.status = result.code;
                    output.append(result);
                } else {
                    stdin = result.stream(Fd::Out);
                    let mut errors = Output::ok();
                    errors.err(result.stream(Fd::Err));
                    output.append(errors);
                }
            }
        }
        output.code = env.status;
        output
    })
}

async fn exec_command(shared: &Shared, command: &Command, stdin: &[u8], env: &mut Env) -> Output {
    let output = match command {
        Command::Group { script, .. } => exec_script(shared, script, env).await,
        Command::Simple { argv, .. } => {
            let mut words = Vec::with_capacity(argv.len());
            let mut expanded = Output::ok();
            for word in argv {
                let (text, side) = expand(shared, word, env).await;
                expanded.err(side.stream(Fd::Err));
                words.push(text);
            }
            shared.lock().record(&words);
            let argv: Vec<&str> = words.iter().map(String::as_str).collect();
            let mut output = run_simple(shared, &argv, stdin).await;
            if !expanded.chunks().is_empty() {
                let mut both = expanded;
                both.append(output);
                output = both;
            }
            output
        }
    };
    let redirects = command.redirects();
    if redirects.is_empty() {
        return output;
    }
    let mut paths = Vec::with_capacity(redirects.len());
    for redirect in redirects {
        paths.push(match redirect {
            Redirect::Stdout { path, append } => {
                Target::File(expand(shared, path, env).await.0, *append, Fd::Out)
            }
            Redirect::Stderr { path, append } => {
                Target::File(expand(shared, path, env).await.0, *append, Fd::Err)
            }
            Redirect::StderrToStdout => Target::Dup(Fd::Err, Fd::Out),
            Redirect::StdoutToStderr => Target::Dup(Fd::Out, Fd::Err),
        });
    }
    redirect(&mut shared.lock(), output, &paths)
}

/// A word's text: literals as written, `$?` the last status, a substitution its commands' stdout
/// without trailing newlines (their stderr goes to the caller, as in sh).
fn expand<'a>(shared: &'a Shared, word: &'a Word, env: &'a mut Env) -> Boxed<'a, (String, Output)> {
    Box::pin(async move {
        let mut text = String::new();
        let mut side = Output::ok();
        for part in &word.0 {
            match part {
                Part::Lit(lit) => text.push_str(lit),
                Part::Var(name) if name == "?" => text.push_str(&env.status.to_string()),
                Part::Var(_) => {}
                Part::Subst(script) => {
                    let out = exec_script(shared, script, env).await;
                    let stdout = String::from_utf8_lossy(&out.stream(Fd::Out)).into_owned();
                    text.push_str(stdout.trim_end_matches('\n'));
                    side.err(out.stream(Fd::Err));
                }
            }
        }
        (text, side)
    })
}

async fn run_simple(shared: &Shared, argv: &[&str], stdin: &[u8]) -> Output {
    match argv {
        ["sleep", rest @ ..] => system::sleep(rest).await,
        args => {
            let slow = match args {
                ["uiautomator", "dump", ..] => shared.latencies.dump,
                ["input", ..] => shared.latencies.input,
                ["am", "start", ..] => shared.latencies.am_start,
                _ => std::time::Duration::ZERO,
            };
            if !slow.is_zero() {
                // The phone's own time for the command (a model of it, not a wait for anything).
                tokio::time::sleep(slow).await;
            }
            if matches!(args, ["uiautomator", "dump", ..]) {
                let (fault, idle_wait) = {
                    let mut phone = shared.lock();
                    (phone.next_dump_fault(), phone.sys.config.idle_wait)
                };
                if let Some(fault) = fault {
                    if fault == DumpFault::IdleTimeout {
                        tokio::time::sleep(idle_wait).await;
                    }
                    return system::dump_failure(fault);
                }
                if !shared.dump_delay.is_zero() {
                    tokio::time::sleep(shared.dump_delay).await;
                }
            }
            let mut phone = shared.lock();
            let mut ctx = Ctx {
                phone: &mut phone,
                counters: &shared.counters,
                stdin,
            };
            dispatch(&mut ctx, args)
        }
    }
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
        "wm" => system::wm(ctx, args),
        "log" => system::log(ctx, args),
        "logcat" => system::logcat(ctx, args),
        "screencap" => system::screencap(ctx, args),
        "uiautomator" => system::uiautomator(ctx, args),
        "dumpsys" => system::dumpsys(ctx, args),
        other => Output::fail(127, format!("sh: {other}: not found\n")),
    }
}

/// One redirection, its path expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// `>`/`>>` (Out) or `2>`/`2>>` (Err) to a file.
    File(String, bool, Fd),
    /// `2>&1` (Err to where Out goes) or `>&2`.
    Dup(Fd, Fd),
}

/// Where a stream goes after redirections.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sink {
    Stdout,
    Stderr,
    File(String),
}

/// Applies `>`, `>>`, `2>`, `2>>`, `2>&1` and `>&2` left to right, like sh's file-descriptor table.
fn redirect(phone: &mut Phone, output: Output, redirects: &[Target]) -> Output {
    let (mut out_target, mut err_target) = (Sink::Stdout, Sink::Stderr);
    let mut files: BTreeMap<String, (bool, Vec<u8>)> = BTreeMap::new();
    for redirect in redirects {
        match redirect {
            Target::File(path, append, fd) => {
                files.entry(path.clone()).or_insert((*append, Vec::new()));
                match fd {
                    Fd::Out => out_target = Sink::File(path.clone()),
                    Fd::Err => err_target = Sink::File(path.clone()),
                }
            }
            Target::Dup(Fd::Err, _) => err_target = out_target.clone(),
            Target::Dup(Fd::Out, _) => out_target = err_target.clone(),
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
            Sink::Stdout => result.out(&data),
            Sink::Stderr => result.err(&data),
            Sink::File(path) => {
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
