//! A Dockerfile parser that keeps line numbers: parser directives (`# syntax=`,
//! `# escape=`), comments, line continuations, heredocs (`RUN <<EOF`), JSON (exec) and
//! shell forms, flags (`--from=`, `--mount=`), stages (`FROM … AS name`) and the global
//! `ARG`s before the first `FROM`.
//!
//! It follows BuildKit's grammar closely enough to refuse what BuildKit refuses (an
//! unknown instruction, no `FROM`, an unterminated heredoc), so an audit never passes a
//! file that would not build.

use std::ops::Range;

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// The parser directives at the top of the file (`# syntax=…`), names lower-cased.
    pub directives: Vec<Directive>,
    /// Every instruction, in order.
    pub instructions: Vec<Instruction>,
    /// Every build stage, in order; `stages[i].instructions` indexes `instructions`.
    pub stages: Vec<Stage>,
    /// The escape character (`\` unless `# escape=` says otherwise).
    pub escape: char,
    /// Comments that look like a known parser directive (`syntax`, `escape`, `check`) but
    /// come after the top of the file, so BuildKit reads them as plain comments.
    pub ignored_directives: Vec<Directive>,
}

/// A parser directive (`# syntax=docker/dockerfile:1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The name, lower-cased (`syntax`, `escape`, `check`).
    pub name: String,
    /// The value as written.
    pub value: String,
    /// The 1-based line.
    pub line: usize,
}

/// A flag of an instruction (`--from=build`, `--link`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// The name without dashes (`from`, `mount`).
    pub name: String,
    /// The value after `=`, if any.
    pub value: Option<String>,
}

/// A heredoc body (`RUN <<EOF … EOF`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word (`EOF`).
    pub delimiter: String,
    /// The body lines, joined with `\n` (leading tabs removed for `<<-`).
    pub body: String,
    /// The 1-based line of the first body line.
    pub line: usize,
}

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The keyword, upper-cased (`RUN`).
    pub keyword: String,
    /// The 1-based line the instruction starts on.
    pub line: usize,
    /// The 1-based line it ends on (after continuations and heredocs).
    pub end_line: usize,
    /// The leading `--flags`.
    pub flags: Vec<Flag>,
    /// Everything after the keyword and the flags, continuations joined.
    pub args: String,
    /// The arguments when written in JSON (exec) form.
    pub json: Option<Vec<String>>,
    /// The heredoc bodies, in order.
    pub heredocs: Vec<Heredoc>,
    /// The stage it belongs to (`None` for an `ARG` before the first `FROM`).
    pub stage: Option<usize>,
}

impl Instruction {
    /// The value of flag `name` (`from` for `--from=build`).
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|flag| flag.name == name)
            .map(|flag| flag.value.as_deref().unwrap_or(""))
    }

    /// The shell-form words (quotes removed), for `ENV`, `ARG`, `LABEL`, `COPY`,
    /// `EXPOSE`, `USER` and the like.
    pub fn words(&self, escape: char) -> Vec<String> {
        split_words(&self.args, escape)
    }

    /// `key=value` pairs (`ENV`, `LABEL`, `ARG`); the legacy `ENV key value` form gives
    /// one pair. A word without `=` gives a pair without a value (`ARG NAME`).
    pub fn pairs(&self, escape: char) -> Vec<(String, Option<String>)> {
        let words = self.words(escape);
        let legacy = self.keyword == "ENV"
            && words.first().is_some_and(|first| !first.contains('='))
            && words.len() > 1;
        if legacy {
            let name = words[0].clone();
            let value = words[1..].join(" ");
            return vec![(name, Some(value))];
        }
        words
            .into_iter()
            .map(|word| match word.split_once('=') {
                Some((key, value)) => (key.to_owned(), Some(value.to_owned())),
                None => (word, None),
            })
            .collect()
    }

    /// The shell text this instruction runs: the shell form's arguments and every
    /// heredoc body, or the exec form's words joined with spaces.
    pub fn script(&self) -> String {
        let mut out = match &self.json {
            Some(words) => words.join(" "),
            None => self.args.clone(),
        };
        for heredoc in &self.heredocs {
            out.push('\n');
            out.push_str(&heredoc.body);
        }
        out
    }
}

/// One build stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// Its position (0-based).
    pub index: usize,
    /// Its name (`AS build`), lower-cased as BuildKit does.
    pub name: Option<String>,
    /// The base image or earlier stage as written (`golang:1.23`, `$BASE`, `build`).
    pub base: String,
    /// The `--platform` flag, if any.
    pub platform: Option<String>,
    /// The 1-based line of its `FROM`.
    pub line: usize,
    /// Its instructions (the `FROM` included) as a range of [`Dockerfile::instructions`].
    pub instructions: Range<usize>,
}

impl Stage {
    /// How findings name it: `stage build` or `stage 2`.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("stage {name}"),
            None => format!("stage {}", self.index),
        }
    }
}

impl Dockerfile {
    /// The value of parser directive `name` (`syntax`).
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }

    /// The instructions of stage `index`.
    pub fn stage_instructions(&self, index: usize) -> &[Instruction] {
        self.stages.get(index).map_or(&[][..], |stage| {
            &self.instructions[stage.instructions.clone()]
        })
    }

    /// The `ARG`s declared before the first `FROM`, with their defaults.
    pub fn global_args(&self) -> Vec<(String, Option<String>)> {
        self.instructions
            .iter()
            .filter(|i| i.stage.is_none() && i.keyword == "ARG")
            .flat_map(|i| i.pairs(self.escape))
            .collect()
    }

    /// The stage a `FROM` or `--from=` names, when it names an earlier stage (by name or
    /// by index) rather than an image.
    pub fn stage_named(&self, reference: &str, before: usize) -> Option<&Stage> {
        let lower = reference.to_ascii_lowercase();
        self.stages[..before.min(self.stages.len())]
            .iter()
            .find(|stage| stage.name.as_deref() == Some(lower.as_str()))
            .or_else(|| {
                lower
                    .parse::<usize>()
                    .ok()
                    .filter(|&i| i < before)
                    .and_then(|i| self.stages.get(i))
            })
            .or_else(|| {
                // `FROM binaries-$TARGETOS`: a variable BuildKit fills in (the platform
                // ARGs) can only be matched as a wildcard; the first earlier stage whose
                // name fits is taken.
                if !lower.contains('$') {
                    return None;
                }
                let pattern = wildcard_pattern(&lower);
                if pattern.chars().all(|c| c == '*') {
                    // `FROM ${BASE}` alone could name anything.
                    return None;
                }
                self.stages[..before.min(self.stages.len())]
                    .iter()
                    .find(|stage| stage.name.as_deref().is_some_and(|n| glob(&pattern, n)))
            })
    }

    /// The final stage and the earlier stages it is built `FROM`, final first.
    pub fn final_chain(&self) -> Vec<&Stage> {
        let mut chain = Vec::new();
        let mut current = self.stages.last();
        while let Some(stage) = current {
            chain.push(stage);
            current = self.stage_named(&self.expand(&stage.base), stage.index);
        }
        chain
    }

    /// `text` with `$NAME`, `${NAME}` and `${NAME:-default}` replaced by the global
    /// `ARG` defaults; unknown names are left as written.
    pub fn expand(&self, text: &str) -> String {
        let args = self.global_args();
        expand_with(text, &args)
    }
}

impl Dockerfile {
    /// `text` expanded as BuildKit would at instruction `index`: the global `ARG`
    /// defaults, then the `ARG` defaults and `ENV` values of the stages it is built
    /// from and of its own stage up to that instruction. Unknown names stay as written.
    pub fn expand_at(&self, text: &str, index: usize) -> String {
        let globals = self.global_args();
        let mut vars: Vec<(String, Option<String>)> = Vec::new();
        let Some(stage) = self.instructions.get(index).and_then(|i| i.stage) else {
            return expand_with(text, &globals);
        };
        // The stages this one is built from, root first.
        let mut chain = vec![stage];
        let mut current = stage;
        while let Some(parent) = self
            .stages
            .get(current)
            .and_then(|s| self.stage_named(&self.expand(&s.base), s.index))
        {
            chain.push(parent.index);
            current = parent.index;
        }
        for &stage_index in chain.iter().rev() {
            let range = self.stages[stage_index].instructions.clone();
            for (at, instruction) in self.instructions[range].iter().enumerate() {
                if stage_index == stage && self.stages[stage].instructions.start + at >= index {
                    break;
                }
                match instruction.keyword.as_str() {
                    "ARG" => {
                        for (name, value) in instruction.pairs(self.escape) {
                            let value = value.or_else(|| {
                                globals
                                    .iter()
                                    .rev()
                                    .find(|(n, _)| *n == name)
                                    .and_then(|(_, v)| v.clone())
                            });
                            vars.push((name, value));
                        }
                    }
                    "ENV" => vars.extend(instruction.pairs(self.escape)),
                    _ => {}
                }
            }
        }
        expand_with(text, &vars)
    }
}

/// `text` with every `$NAME` and `${…}` replaced by `*`.
fn wildcard_pattern(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        out.push('*');
        let after = &rest[pos + 1..];
        rest = match after.strip_prefix('{') {
            Some(body) => body.find('}').map_or("", |end| &body[end + 1..]),
            None => {
                let len = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                &after[len..]
            }
        };
    }
    out.push_str(rest);
    out
}

/// Whether `name` matches `pattern`, where `*` matches any run of characters.
fn glob(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut middle = &name[first.len()..name.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match middle.find(part) {
            Some(at) => middle = &middle[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Replaces `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME:+word}` with values from
/// `args`.
fn expand_with(text: &str, args: &[(String, Option<String>)]) -> String {
    let lookup = |name: &str| {
        args.iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.clone())
    };
    let mut out = String::new();
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(body) = after.strip_prefix('{') {
            if let Some(end) = body.find('}') {
                let inner = &body[..end];
                if let Some((name, word)) = inner.split_once(":+") {
                    // Declared with a non-empty value: the word; otherwise nothing. An
                    // undeclared name stays as written.
                    let declared = args.iter().any(|(n, _)| n == name);
                    match lookup(name) {
                        Some(value) if !value.is_empty() => out.push_str(word),
                        _ if declared => {}
                        _ => out.push_str(&rest[pos..pos + 2 + end + 1]),
                    }
                    rest = &body[end + 1..];
                    continue;
                }
                let (name, default) = match inner.split_once(":-") {
                    Some((name, default)) => (name, Some(default)),
                    None => (inner, None),
                };
                match lookup(name).or_else(|| default.map(str::to_owned)) {
                    Some(value) => out.push_str(&value),
                    None => out.push_str(&rest[pos..pos + 2 + end + 1]),
                }
                rest = &body[end + 1..];
                continue;
            }
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if len > 0 {
                let name = &after[..len];
                match lookup(name) {
                    Some(value) => out.push_str(&value),
                    None => out.push_str(&rest[pos..pos + 1 + len]),
                }
                rest = &after[len..];
                continue;
            }
        }
        out.push('$');
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Why a Dockerfile cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

const KEYWORDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Instructions whose leading `--name[=value]` words are flags.
const FLAGGED: &[&str] = &["ADD", "COPY", "FROM", "HEALTHCHECK", "RUN"];

/// Instructions that may carry heredocs.
const HEREDOC: &[&str] = &["ADD", "COPY", "RUN"];

/// Parses a Dockerfile.
pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut directives = Vec::new();
    let mut escape = '\\';
    let mut i = 0;
    // Parser directives: `# name=value` lines at the very top; the first other line ends
    // them.
    while i < lines.len() {
        match parse_directive(lines[i]) {
            Some((name, value)) if !directives.iter().any(|d: &Directive| d.name == name) => {
                if name == "escape" {
                    escape = match value.as_str() {
                        "\\" => '\\',
                        "`" => '`',
                        other => {
                            return Err(ParseError {
                                line: i + 1,
                                message: format!("invalid escape directive `{other}`"),
                                hint: "the escape character is `\\` or a backtick".to_owned(),
                            });
                        }
                    };
                }
                directives.push(Directive {
                    name,
                    value,
                    line: i + 1,
                });
                i += 1;
            }
            _ => break,
        }
    }

    let mut instructions: Vec<Instruction> = Vec::new();
    let mut stages: Vec<Stage> = Vec::new();
    let mut ignored_directives = Vec::new();
    while i < lines.len() {
        let trimmed = lines[i].trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            if let Some((name, value)) = parse_directive(trimmed)
                && matches!(name.as_str(), "syntax" | "escape" | "check")
            {
                ignored_directives.push(Directive {
                    name,
                    value,
                    line: i + 1,
                });
            }
            i += 1;
            continue;
        }
        let start = i;
        let mut logical = String::new();
        loop {
            let line = lines[i];
            let t = line.trim_start();
            if i != start && (t.starts_with('#') || t.is_empty()) {
                // Comments and empty lines inside a continuation are dropped.
                i += 1;
                if i >= lines.len() {
                    break;
                }
                continue;
            }
            let end = line.trim_end();
            i += 1;
            match end.strip_suffix(escape) {
                Some(body) => {
                    logical.push_str(body);
                    if i >= lines.len() {
                        break;
                    }
                }
                None => {
                    logical.push_str(line);
                    break;
                }
            }
        }
        let logical = logical.trim();
        let (word, rest) = match logical.find(char::is_whitespace) {
            Some(pos) => (&logical[..pos], logical[pos..].trim_start()),
            None => (logical, ""),
        };
        let keyword = word.to_ascii_uppercase();
        if !KEYWORDS.contains(&keyword.as_str()) {
            return Err(ParseError {
                line: start + 1,
                message: format!("unknown instruction `{word}`"),
                hint: "check the spelling; instructions are FROM, RUN, COPY, ADD, ENV, ARG, \
                       USER, WORKDIR, EXPOSE, LABEL, CMD, ENTRYPOINT, HEALTHCHECK, …"
                    .to_owned(),
            });
        }
        let (flags, args) = if FLAGGED.contains(&keyword.as_str()) {
            split_flags(rest)
        } else {
            (Vec::new(), rest.to_owned())
        };
        let json = if args.starts_with('[') {
            serde_json::from_str::<Vec<String>>(&args).ok()
        } else {
            None
        };
        let mut heredocs = Vec::new();
        if HEREDOC.contains(&keyword.as_str()) && json.is_none() {
            for (delimiter, strip_tabs) in heredoc_markers(&args) {
                let body_line = i + 1;
                let mut body = Vec::new();
                loop {
                    let Some(line) = lines.get(i) else {
                        return Err(ParseError {
                            line: start + 1,
                            message: format!("heredoc `<<{delimiter}` is never closed"),
                            hint: format!("end it with a line holding only `{delimiter}`"),
                        });
                    };
                    i += 1;
                    let candidate = if strip_tabs {
                        line.trim_start_matches('\t')
                    } else {
                        line
                    };
                    if candidate == delimiter {
                        break;
                    }
                    body.push(candidate);
                }
                heredocs.push(Heredoc {
                    delimiter,
                    body: body.join("\n"),
                    line: body_line,
                });
            }
        }
        let stage_index = if keyword == "FROM" {
            let words: Vec<&str> = args.split_whitespace().collect();
            let (base, name) = match words.as_slice() {
                [base] => (*base, None),
                [base, as_word, name] if as_word.eq_ignore_ascii_case("as") => {
                    (*base, Some(name.to_ascii_lowercase()))
                }
                _ => {
                    return Err(ParseError {
                        line: start + 1,
                        message: "FROM takes an image and an optional `AS name`".to_owned(),
                        hint: "write `FROM image[:tag][@digest] [AS name]`".to_owned(),
                    });
                }
            };
            if let Some(last) = stages.last_mut() {
                last.instructions.end = instructions.len();
            }
            stages.push(Stage {
                index: stages.len(),
                name,
                base: base.to_owned(),
                platform: flags
                    .iter()
                    .find(|f| f.name == "platform")
                    .and_then(|f| f.value.clone()),
                line: start + 1,
                instructions: instructions.len()..instructions.len(),
            });
            Some(stages.len() - 1)
        } else if stages.is_empty() {
            if keyword != "ARG" {
                return Err(ParseError {
                    line: start + 1,
                    message: format!("{keyword} before the first FROM"),
                    hint: "only ARG may come before the first FROM".to_owned(),
                });
            }
            None
        } else {
            Some(stages.len() - 1)
        };
        instructions.push(Instruction {
            keyword,
            line: start + 1,
            end_line: i.max(start + 1),
            flags,
            args,
            json,
            heredocs,
            stage: stage_index,
        });
    }
    match stages.last_mut() {
        Some(last) => last.instructions.end = instructions.len(),
        None => {
            return Err(ParseError {
                line: 1,
                message: "no FROM instruction".to_owned(),
                hint: "a Dockerfile starts its first stage with `FROM image`".to_owned(),
            });
        }
    }
    Ok(Dockerfile {
        directives,
        instructions,
        stages,
        escape,
        ignored_directives,
    })
}

/// `# name=value` with a simple lower-case-able name, or nothing.
fn parse_directive(line: &str) -> Option<(String, String)> {
    let body = line.trim().strip_prefix('#')?;
    let (name, value) = body.split_once('=')?;
    let name = name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    Some((name.to_ascii_lowercase(), value.trim().to_owned()))
}

/// Splits the leading `--name[=value]` words off `rest`.
fn split_flags(rest: &str) -> (Vec<Flag>, String) {
    let mut flags = Vec::new();
    let mut rest = rest.trim_start();
    while let Some(body) = rest.strip_prefix("--") {
        let end = body.find(char::is_whitespace).unwrap_or(body.len());
        let word = &body[..end];
        let (name, value) = match word.split_once('=') {
            Some((name, value)) => (name, Some(value.trim_matches('"').to_owned())),
            None => (word, None),
        };
        flags.push(Flag {
            name: name.to_ascii_lowercase(),
            value,
        });
        rest = body[end..].trim_start();
    }
    (flags, rest.to_owned())
}

/// The heredoc delimiters in `args` (`<<EOF`, `<<-EOF`, `<<"EOF"`), with whether leading
/// tabs are stripped.
fn heredoc_markers(args: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let bytes = args.as_bytes();
    let mut pos = 0;
    while let Some(found) = args[pos..].find("<<") {
        let mut at = pos + found + 2;
        if bytes.get(at) == Some(&b'<') {
            // `<<<` is a here-string, not a heredoc.
            pos = at + 1;
            continue;
        }
        let strip_tabs = bytes.get(at) == Some(&b'-');
        if strip_tabs {
            at += 1;
        }
        let quote = match bytes.get(at) {
            Some(&q @ (b'"' | b'\'')) => {
                at += 1;
                Some(q)
            }
            _ => None,
        };
        let len = args[at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(args.len() - at);
        let word = &args[at..at + len];
        let mut end = at + len;
        if let Some(q) = quote
            && bytes.get(end) == Some(&q)
        {
            end += 1;
        }
        if !word.is_empty() && !word.starts_with(|c: char| c.is_ascii_digit()) {
            out.push((word.to_owned(), strip_tabs));
        }
        pos = end.max(pos + found + 2);
    }
    out
}

/// Splits shell-form text into words: whitespace separates, single and double quotes
/// group (and are removed), the escape character escapes the next character.
pub fn split_words(text: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == escape => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            Some(_) => current.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                in_word = true;
            }
            None if c == escape => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            None => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn directives_continuations_and_stages() {
        let text = "# syntax=docker/dockerfile:1\n# escape=\\\n\n# a comment\nARG BASE=debian:12\nFROM --platform=$BUILDPLATFORM golang:1.23 AS Build\nRUN apt-get update && \\\n    # inside\n    apt-get install -y curl\nFROM ${BASE}\nCOPY --from=build /out /app\nCMD [\"/app\"]\n";
        let df = parse(text).unwrap();
        assert_eq!(df.directives.len(), 2);
        assert_eq!(df.directive("syntax").unwrap().value, "docker/dockerfile:1");
        assert_eq!(df.stages.len(), 2);
        assert_eq!(df.stages[0].name.as_deref(), Some("build"));
        assert_eq!(df.stages[0].platform.as_deref(), Some("$BUILDPLATFORM"));
        assert_eq!(df.expand(&df.stages[1].base), "debian:12");
        let run = &df.instructions[2];
        assert_eq!(run.keyword, "RUN");
        assert_eq!((run.line, run.end_line), (7, 9));
        assert_eq!(
            run.args,
            "apt-get update &&     apt-get install -y curl".to_owned()
        );
        let copy = &df.instructions[4];
        assert_eq!(copy.flag("from"), Some("build"));
        assert_eq!(copy.args, "/out /app");
        assert_eq!(df.instructions[5].json, Some(vec!["/app".to_owned()]));
        assert_eq!(df.instructions[0].stage, None);
        assert_eq!(df.final_chain().len(), 1);
    }

    #[test]
    fn expansion_at_an_instruction() {
        let text = "ARG WHO=root\nFROM a AS one\nARG WHO\nENV HOME_USER=app\nFROM one\nUSER $WHO\nUSER ${HOME_USER}\nUSER ${NOPE:-65532}\nUSER $NOPE\n";
        let df = parse(text).unwrap();
        let at = |i: usize| df.expand_at(&df.instructions[i].args, i);
        assert_eq!(at(5), "root");
        assert_eq!(at(6), "app");
        assert_eq!(at(7), "65532");
        assert_eq!(at(8), "$NOPE");
    }

    #[test]
    fn platform_variables_match_stage_names() {
        let text = "ARG DEBUG\nFROM alpine AS base-amd64\nFROM alpine AS base-arm64\nFROM base-$TARGETARCH AS base\nFROM scratch AS out-linux\nFROM scratch AS out-linux-debug\nFROM out-$TARGETOS${DEBUG:+-debug}\n";
        let df = parse(text).unwrap();
        assert_eq!(df.expand(&df.stages[5].base), "out-$TARGETOS");
        let chain: Vec<usize> = df.final_chain().iter().map(|s| s.index).collect();
        assert_eq!(chain, vec![5, 3]);
        assert_eq!(
            df.stage_named("base-$TARGETARCH", 2).map(|s| s.index),
            Some(0)
        );
        assert!(df.stage_named("nope-$X", 3).is_none());
        assert!(df.stage_named("${BASE}", 3).is_none());
        assert!(glob("a*c", "abc") && glob("a*", "a") && !glob("a*c", "ab") && glob("*-*", "x-y"));
    }

    #[test]
    fn heredocs() {
        let text = "FROM alpine\nRUN <<EOF bash\nset -e\napk add curl\nEOF\nCOPY <<-\"A\" /a <<B /b\n\tone\n\tA\ntwo\nB\nUSER 1000\n";
        let df = parse(text).unwrap();
        let run = &df.instructions[1];
        assert_eq!(run.heredocs[0].body, "set -e\napk add curl");
        assert_eq!(run.heredocs[0].line, 3);
        let copy = &df.instructions[2];
        assert_eq!(copy.heredocs.len(), 2);
        assert_eq!(copy.heredocs[0].body, "one");
        assert_eq!(copy.heredocs[1].body, "two");
        assert_eq!(df.instructions[3].line, 11);
    }

    #[test]
    fn errors() {
        assert_eq!(
            parse("RUN true\n").unwrap_err().message,
            "RUN before the first FROM"
        );
        assert_eq!(
            parse("# only\n").unwrap_err().message,
            "no FROM instruction"
        );
        let err = parse("FROM a\nRUNN x\n").unwrap_err();
        assert_eq!(
            (err.line, err.message.as_str()),
            (2, "unknown instruction `RUNN`")
        );
        let err = parse("FROM a\nRUN <<EOF\nx\n").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn env_pairs_and_words() {
        let df = parse("FROM a\nENV A=1 B=\"two words\"\nENV LEGACY value with spaces\n").unwrap();
        assert_eq!(
            df.instructions[1].pairs('\\'),
            vec![
                ("A".to_owned(), Some("1".to_owned())),
                ("B".to_owned(), Some("two words".to_owned()))
            ]
        );
        assert_eq!(
            df.instructions[2].pairs('\\'),
            vec![("LEGACY".to_owned(), Some("value with spaces".to_owned()))]
        );
    }

    #[test]
    fn backtick_escape() {
        let df = parse("# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  c:\\\n").unwrap();
        assert_eq!(df.escape, '`');
        assert_eq!(df.instructions[1].args, "dir   c:\\");
    }
}
