//! A small POSIX-ish `sh -c` parser: words with single/double quotes and backslash escapes,
//! `&&`, `||`, `;`/newline, `|` pipes, `#` comments and `>`, `>>`, `2>`, `2>>`, `2>&1`, `>&2`.

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redirect {
    Stdout { path: String, append: bool },
    Stderr { path: String, append: bool },
    StderrToStdout,
    StdoutToStderr,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Command {
    pub argv: Vec<String>,
    pub redirects: Vec<Redirect>,
}

/// Commands joined by `|`.
pub type Pipeline = Vec<Command>;

/// A parsed command line: pipelines, each with the connector that precedes it.
pub type Script = Vec<(Connector, Pipeline)>;

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    And,
    Or,
    Pipe,
    Semi,
    Newline,
    Redirect(RedirectOp),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RedirectOp {
    Out { fd: u8, append: bool },
    ErrToOut,
    OutToErr,
}

fn tokenize(input: &str) -> Result<Vec<Token>, ParseError> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().peekable();
    let mut word = String::new();
    // A word may be empty but present ("''"), so track presence separately.
    let mut in_word = false;
    let mut quoted = false;
    macro_rules! end_word {
        () => {
            if in_word {
                tokens.push(Token::Word(std::mem::take(&mut word)));
                in_word = false;
                quoted = false;
            }
        };
    }
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => end_word!(),
            '\n' => {
                end_word!();
                tokens.push(Token::Newline);
            }
            ';' => {
                end_word!();
                tokens.push(Token::Semi);
            }
            '&' => {
                end_word!();
                if chars.next_if_eq(&'&').is_some() {
                    tokens.push(Token::And);
                } else {
                    return Err(ParseError::Unsupported('&'));
                }
            }
            '|' => {
                end_word!();
                if chars.next_if_eq(&'|').is_some() {
                    tokens.push(Token::Or);
                } else {
                    tokens.push(Token::Pipe);
                }
            }
            '>' => {
                let fd = if in_word && !quoted && word == "2" {
                    word.clear();
                    in_word = false;
                    2
                } else {
                    end_word!();
                    1
                };
                let append = chars.next_if_eq(&'>').is_some();
                if !append && chars.next_if_eq(&'&').is_some() {
                    let op = match (fd, chars.next()) {
                        (2, Some('1')) => RedirectOp::ErrToOut,
                        (1, Some('2')) => RedirectOp::OutToErr,
                        _ => return Err(ParseError::Unsupported('&')),
                    };
                    tokens.push(Token::Redirect(op));
                } else {
                    tokens.push(Token::Redirect(RedirectOp::Out { fd, append }));
                }
            }
            '<' | '(' | ')' | '`' => return Err(ParseError::Unsupported(c)),
            '#' if !in_word => while chars.next_if(|c| *c != '\n').is_some() {},
            '\'' => {
                in_word = true;
                quoted = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(ParseError::UnterminatedQuote),
                    }
                }
            }
            '"' => {
                in_word = true;
                quoted = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some('\n') => {}
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(ParseError::UnterminatedQuote),
                        },
                        Some(c) => word.push(c),
                        None => return Err(ParseError::UnterminatedQuote),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(c) => {
                    in_word = true;
                    quoted = true;
                    word.push(c);
                }
                None => {
                    in_word = true;
                    word.push('\\');
                }
            },
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        tokens.push(Token::Word(word));
    }
    Ok(tokens)
}

/// Parses a `sh -c` command line.
pub fn parse(input: &str) -> Result<Script, ParseError> {
    let mut script = Script::new();
    let mut connector = Connector::Always;
    let mut pipeline = Pipeline::new();
    let mut command = Command::default();
    // Set after `&&`, `||`, `|`: a command must follow.
    let mut needs_command = false;
    let mut tokens = tokenize(input)?.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let op_name = match &token {
            Token::And => "&&",
            Token::Or => "||",
            Token::Pipe => "|",
            Token::Semi => ";",
            Token::Newline | Token::Word(_) | Token::Redirect(_) => "",
        };
        match token {
            Token::Word(word) => {
                command.argv.push(word);
                needs_command = false;
            }
            Token::Redirect(op) => {
                let redirect = match op {
                    RedirectOp::ErrToOut => Redirect::StderrToStdout,
                    RedirectOp::OutToErr => Redirect::StdoutToStderr,
                    RedirectOp::Out { fd, append } => {
                        let Some(Token::Word(path)) = tokens.next() else {
                            return Err(ParseError::Unexpected(">".to_string()));
                        };
                        if fd == 2 {
                            Redirect::Stderr { path, append }
                        } else {
                            Redirect::Stdout { path, append }
                        }
                    }
                };
                command.redirects.push(redirect);
            }
            Token::Pipe => {
                if command.argv.is_empty() {
                    return Err(ParseError::Unexpected(op_name.to_string()));
                }
                pipeline.push(std::mem::take(&mut command));
                needs_command = true;
            }
            Token::And | Token::Or | Token::Semi | Token::Newline => {
                if command.argv.is_empty() {
                    // Blank lines, and newlines after `|`/`&&`/`||`, are skipped.
                    if token == Token::Newline {
                        continue;
                    }
                    return Err(ParseError::Unexpected(op_name.to_string()));
                }
                pipeline.push(std::mem::take(&mut command));
                script.push((connector, std::mem::take(&mut pipeline)));
                connector = match token {
                    Token::And => Connector::IfSuccess,
                    Token::Or => Connector::IfFailure,
                    _ => Connector::Always,
                };
                needs_command = matches!(token, Token::And | Token::Or);
            }
        }
    }
    if command.argv.is_empty() {
        if needs_command || !command.redirects.is_empty() {
            return Err(ParseError::Unexpected("end of file".to_string()));
        }
    } else {
        pipeline.push(command);
        script.push((connector, pipeline));
    }
    Ok(script)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argvs(input: &str) -> Vec<Vec<String>> {
        parse(input)
            .unwrap_or_default()
            .into_iter()
            .flat_map(|(_, p)| p.into_iter().map(|c| c.argv))
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
    }

    #[test]
    fn redirections_are_parsed() {
        let script = parse("dump >/dev/null 2>&1 && x 2>> e").unwrap_or_default();
        assert_eq!(
            script[0].1[0].redirects,
            [
                Redirect::Stdout {
                    path: "/dev/null".into(),
                    append: false
                },
                Redirect::StderrToStdout
            ]
        );
        assert_eq!(
            script[1].1[0].redirects,
            [Redirect::Stderr {
                path: "e".into(),
                append: true
            }]
        );
    }

    #[test]
    fn bad_syntax_is_an_error() {
        assert_eq!(parse("echo 'x"), Err(ParseError::UnterminatedQuote));
        assert_eq!(parse("&& x"), Err(ParseError::Unexpected("&&".into())));
        assert_eq!(
            parse("x &&"),
            Err(ParseError::Unexpected("end of file".into()))
        );
        assert_eq!(parse("x & y"), Err(ParseError::Unsupported('&')));
    }
}
