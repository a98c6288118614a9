//! A small POSIX-ish `sh -c` parser, as unkind as a real shell to unquoted input: words with
//! single/double quotes and backslash escapes, command substitution (`$(...)` and backticks) and
//! parameters (`$?`, `$NAME`, `${NAME}`) — executed, not refused, so an injection runs here as it
//! would on a phone — `( ... )` groups, `&&`, `||`, `;`/newline, `|` pipes, `#` comments and `>`,
//! `>>`, `2>`, `2>>`, `2>&1`, `>&2`.

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("syntax error: unterminated quoted string")]
    UnterminatedQuote,
    #[error("syntax error: unexpected '{0}'")]
    Unexpected(String),
    #[error("syntax error: '{0}' unsupported")]
    Unsupported(char),
}

/// When a pipeline runs, judged by the exit status of what ran before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connector {
    Always,
    IfSuccess,
    IfFailure,
}

/// One piece of a word, expanded when the command runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text as written (quotes and escapes already removed).
    Lit(String),
    /// `$NAME`, `${NAME}` or `$?`.
    Var(String),
    /// `$(...)` or `` `...` ``: the commands' stdout, trailing newlines removed.
    Subst(Script),
}

/// A word: its parts concatenated once expanded (no field splitting: an unquoted expansion stays
/// one word, which is all the model needs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Word(pub Vec<Part>);

impl Word {
    fn push_char(&mut self, c: char) {
        match self.0.last_mut() {
            Some(Part::Lit(text)) => text.push(c),
            _ => self.0.push(Part::Lit(c.to_string())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redirect {
    Stdout { path: Word, append: bool },
    Stderr { path: Word, append: bool },
    StderrToStdout,
    StdoutToStderr,
}

/// One command of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A command name and its arguments.
    Simple {
        argv: Vec<Word>,
        redirects: Vec<Redirect>,
    },
    /// `( script )`, run as one command.
    Group {
        script: Script,
        redirects: Vec<Redirect>,
    },
}

impl Command {
    pub fn redirects(&self) -> &[Redirect] {
        match self {
            Command::Simple { redirects, .. } | Command::Group { redirects, .. } => redirects,
        }
    }
}

/// Commands joined by `|`.
pub type Pipeline = Vec<Command>;

/// A parsed command line: pipelines, each with the connector that precedes it.
pub type Script = Vec<(Connector, Pipeline)>;

/// Parses a `sh -c` command line.
pub fn parse(input: &str) -> Result<Script, ParseError> {
    let mut parser = Parser {
        chars: input.chars().collect(),
        at: 0,
    };
    let script = parser.script(None)?;
    match parser.peek() {
        None => Ok(script),
        Some(c) => Err(ParseError::Unexpected(c.to_string())),
    }
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn peek2(&self) -> Option<char> {
        self.chars.get(self.at + 1).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.at += 1;
        }
        if self.peek() == Some('#') {
            while self.peek().is_some_and(|c| c != '\n') {
                self.at += 1;
            }
        }
    }

    /// Pipelines until the end (or `close`, left for the caller), joined by `;`, newlines, `&&`, `||`.
    fn script(&mut self, close: Option<char>) -> Result<Script, ParseError> {
        let mut script = Script::new();
        let mut connector = Connector::Always;
        loop {
            // Blank lines, and `;` between pipelines, separate nothing.
            loop {
                self.skip_blanks();
                match self.peek() {
                    Some('\n') => self.at += 1,
                    Some(';') if !script.is_empty() && connector == Connector::Always => {
                        self.at += 1
                    }
                    _ => break,
                }
            }
            match self.peek() {
                None => break,
                Some(c) if Some(c) == close => break,
                _ => {}
            }
            script.push((connector, self.pipeline(close)?));
            self.skip_blanks();
            connector = match (self.peek(), self.peek2()) {
                (Some('&'), Some('&')) => Connector::IfSuccess,
                (Some('|'), Some('|')) => Connector::IfFailure,
                (Some(';' | '\n'), _) => {
                    self.at += 1;
                    connector = Connector::Always;
                    continue;
                }
                _ => break,
            };
            self.at += 2;
            // `&&` and `||` need a command after them (newlines may come first).
            while matches!(self.peek(), Some(' ' | '\t' | '\n')) {
                self.at += 1;
            }
            if self.peek().is_none() || self.peek() == close {
                return Err(ParseError::Unexpected("end of file".to_string()));
            }
        }
        Ok(script)
    }

    fn pipeline(&mut self, close: Option<char>) -> Result<Pipeline, ParseError> {
        let mut pipeline = vec![self.command(close)?];
        loop {
            self.skip_blanks();
            if self.peek() == Some('|') && self.peek2() != Some('|') {
                self.at += 1;
                while matches!(self.peek(), Some(' ' | '\t' | '\n')) {
                    self.at += 1;
                }
                pipeline.push(self.command(close)?);
            } else {
                return Ok(pipeline);
            }
        }
    }

    fn command(&mut self, close: Option<char>) -> Result<Command, ParseError> {
        self.skip_blanks();
        if self.peek() == Some('(') {
            self.at += 1;
            let script = self.script(Some(')'))?;
            if self.bump() != Some(')') {
                return Err(ParseError::Unexpected("end of file".to_string()));
            }
            let mut redirects = Vec::new();
            loop {
                self.skip_blanks();
                match self.redirect()? {
                    Some(redirect) => redirects.push(redirect),
                    None => break,
                }
            }
            return Ok(Command::Group { script, redirects });
        }
        let mut argv = Vec::new();
        let mut redirects = Vec::new();
        loop {
            self.skip_blanks();
            if let Some(redirect) = self.redirect()? {
                redirects.push(redirect);
                continue;
            }
            match self.peek() {
                None | Some(';' | '\n' | '|') => break,
                Some(c) if Some(c) == close => break,
                Some('&') if self.peek2() == Some('&') => break,
                Some('&') => return Err(ParseError::Unsupported('&')),
                Some('(' | ')') if argv.is_empty() => {
                    return Err(ParseError::Unexpected(
                        self.peek().unwrap_or(')').to_string(),
                    ));
                }
                Some('<') => return Err(ParseError::Unsupported('<')),
                _ => argv.push(self.word(close)?),
            }
        }
        if argv.is_empty() {
            let what = self
                .peek()
                .map_or("end of file".to_string(), |c| c.to_string());
            return Err(ParseError::Unexpected(what));
        }
        Ok(Command::Simple { argv, redirects })
    }

    /// A redirection here, if there is one: `>`, `>>`, `2>`, `2>>`, `2>&1`, `>&2`.
    fn redirect(&mut self) -> Result<Option<Redirect>, ParseError> {
        let (fd, skip) = match (self.peek(), self.peek2()) {
            (Some('>'), _) => (1, 1),
            (Some('2'), Some('>')) => (2, 2),
            _ => return Ok(None),
        };
        self.at += skip;
        let append = self.peek() == Some('>');
        if append {
            self.at += 1;
        }
        if !append && self.peek() == Some('&') {
            self.at += 1;
            return match (fd, self.bump()) {
                (2, Some('1')) => Ok(Some(Redirect::StderrToStdout)),
                (1, Some('2')) => Ok(Some(Redirect::StdoutToStderr)),
                _ => Err(ParseError::Unsupported('&')),
            };
        }
        self.skip_blanks();
        if matches!(self.peek(), None | Some(';' | '\n' | '|' | '&' | '>')) {
            return Err(ParseError::Unexpected(">".to_string()));
        }
        let path = self.word(None)?;
        Ok(Some(if fd == 2 {
            Redirect::Stderr { path, append }
        } else {
            Redirect::Stdout { path, append }
        }))
    }

    /// One word, up to an unquoted blank or operator.
    fn word(&mut self, close: Option<char>) -> Result<Word, ParseError> {
        let mut word = Word::default();
        // A word may be empty but present ("''").
        word.0.push(Part::Lit(String::new()));
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\n' | ';' | '|' | '&' | '<' | '>' | '(' => break,
                ')' if close == Some(')') => break,
                ')' => return Err(ParseError::Unexpected(")".to_string())),
                '\'' => {
                    self.at += 1;
                    loop {
                        match self.bump() {
                            Some('\'') => break,
                            Some(c) => word.push_char(c),
                            None => return Err(ParseError::UnterminatedQuote),
                        }
                    }
                }
                '"' => {
                    self.at += 1;
                    loop {
                        match self.peek() {
                            Some('"') => {
                                self.at += 1;
                                break;
                            }
                            Some('\\') => {
                                self.at += 1;
                                match self.bump() {
                                    Some(c @ ('"' | '\\' | '$' | '`')) => word.push_char(c),
                                    Some('\n') => {}
                                    Some(c) => {
                                        word.push_char('\\');
                                        word.push_char(c);
                                    }
                                    None => return Err(ParseError::UnterminatedQuote),
                                }
                            }
                            Some('$') => self.dollar(&mut word)?,
                            Some('`') => self.backtick(&mut word)?,
                            Some(c) => {
                                self.at += 1;
                                word.push_char(c);
                            }
                            None => return Err(ParseError::UnterminatedQuote),
                        }
                    }
                }
                '\\' => {
                    self.at += 1;
                    match self.bump() {
                        Some('\n') => {}
                        Some(c) => word.push_char(c),
                        None => word.push_char('\\'),
                    }
                }
                '$' => self.dollar(&mut word)?,
                '`' => self.backtick(&mut word)?,
                c => {
                    self.at += 1;
                    word.push_char(c);
                }
            }
        }
        Ok(word)
    }

    /// `$(...)`, `${NAME}`, `$NAME`, `$?`; a lone `$` is itself.
    fn dollar(&mut self, word: &mut Word) -> Result<(), ParseError> {
        self.at += 1;
        match self.peek() {
            Some('(') => {
                self.at += 1;
                let script = self.script(Some(')'))?;
                if self.bump() != Some(')') {
                    return Err(ParseError::UnterminatedQuote);
                }
                word.0.push(Part::Subst(script));
            }
            Some('{') => {
                self.at += 1;
                let mut name = String::new();
                loop {
                    match self.bump() {
                        Some('}') => break,
                        Some(c) => name.push(c),
                        None => return Err(ParseError::UnterminatedQuote),
                    }
                }
                word.0.push(Part::Var(name));
            }
            Some('?') => {
                self.at += 1;
                word.0.push(Part::Var("?".to_string()));
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let mut name = String::new();
                while let Some(c) = self
                    .peek()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                {
                    name.push(c);
                    self.at += 1;
                }
                word.0.push(Part::Var(name));
            }
            _ => word.push_char('$'),
        }
        Ok(())
    }

    /// `` `...` ``: the text up to the closing backtick, parsed as a command line.
    fn backtick(&mut self, word: &mut Word) -> Result<(), ParseError> {
        self.at += 1;
        let mut inner = String::new();
        loop {
            match self.bump() {
                Some('`') => break,
                Some('\\') => match self.bump() {
                    Some(c @ ('`' | '\\' | '$')) => inner.push(c),
                    Some(c) => {
                        inner.push('\\');
                        inner.push(c);
                    }
                    None => return Err(ParseError::UnterminatedQuote),
                },
                Some(c) => inner.push(c),
                None => return Err(ParseError::UnterminatedQuote),
            }
        }
        word.0.push(Part::Subst(parse(&inner)?));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Literal argv of each simple command (parts other than text shown as `{...}`).
    fn argvs(input: &str) -> Vec<Vec<String>> {
        fn text(word: &Word) -> String {
            word.0
                .iter()
                .map(|p| match p {
                    Part::Lit(t) => t.clone(),
                    Part::Var(v) => format!("{{${v}}}"),
                    Part::Subst(_) => "{subst}".to_string(),
                })
                .collect()
        }
        parse(input)
            .unwrap_or_default()
            .into_iter()
            .flat_map(|(_, p)| p)
            .filter_map(|c| match c {
                Command::Simple { argv, .. } => Some(argv.iter().map(text).collect()),
                Command::Group { .. } => None,
            })
            .collect()
    }

    #[test]
    fn quotes_and_escapes_make_words() {
        assert_eq!(
            argvs(r#"echo 'a b' "c \"d\" \x" e\ f '' g"#),
            vec![vec!["echo", "a b", "c \"d\" \\x", "e f", "", "g"]]
        );
    }

    #[test]
    fn operators_split_pipelines_with_connectors() {
        let script = parse("true && echo a || echo b; echo c").unwrap_or_default();
        let connectors: Vec<Connector> = script.iter().map(|(c, _)| *c).collect();
        assert_eq!(
            connectors,
            [
                Connector::Always,
                Connector::IfSuccess,
                Connector::IfFailure,
                Connector::Always
            ]
        );
        assert_eq!(argvs("a;b\n\nc;"), vec![vec!["a"], vec!["b"], vec!["c"]]);
        assert_eq!(argvs("a | b"), vec![vec!["a"], vec!["b"]]);
    }

    #[test]
    fn redirections_are_parsed() {
        let script = parse("dump >/dev/null 2>&1 && x 2>> e").unwrap_or_default();
        let lit = |s: &str| Word(vec![Part::Lit(s.into())]);
        assert_eq!(
            script[0].1[0].redirects(),
            [
                Redirect::Stdout {
                    path: lit("/dev/null"),
                    append: false
                },
                Redirect::StderrToStdout
            ]
        );
        assert_eq!(
            script[1].1[0].redirects(),
            [Redirect::Stderr {
                path: lit("e"),
                append: true
            }]
        );
    }

    #[test]
    fn substitutions_and_variables_are_parts_of_words() {
        assert_eq!(argvs("echo a$(touch x)b"), vec![vec!["echo", "a{subst}b"]]);
        assert_eq!(argvs("echo `id`"), vec![vec!["echo", "{subst}"]]);
        assert_eq!(
            argvs("echo \"s=$?\" $HOME ${X}"),
            vec![vec!["echo", "s={$?}", "{$HOME}", "{$X}"]]
        );
        assert_eq!(
            argvs("echo '$(not) `this`'"),
            vec![vec!["echo", "$(not) `this`"]]
        );
    }

    #[test]
    fn a_group_runs_as_one_command() {
        let script = parse("(\necho hi\n); echo \"m$?\"").unwrap_or_default();
        assert!(matches!(script[0].1[0], Command::Group { .. }));
        assert_eq!(script.len(), 2);
    }

    #[test]
    fn bad_syntax_is_an_error() {
        assert_eq!(parse("echo 'x"), Err(ParseError::UnterminatedQuote));
        assert_eq!(parse("&& x"), Err(ParseError::Unexpected("&".into())));
        assert_eq!(
            parse("x &&"),
            Err(ParseError::Unexpected("end of file".into()))
        );
        assert_eq!(parse("x & y"), Err(ParseError::Unsupported('&')));
        assert_eq!(parse("echo $(x"), Err(ParseError::UnterminatedQuote));
    }
}
