//! The one output sink every shipgate binary writes through.
//!
//! - machine output: one JSON document on stdout (or to `--output FILE`);
//! - human output on stderr;
//! - inside GitHub Actions (`GITHUB_ACTIONS=true`): step outputs to `$GITHUB_OUTPUT`
//!   (heredoc form for multi-line values), a Markdown report to `$GITHUB_STEP_SUMMARY`
//!   (capped under 1 MiB, truncation said), annotations (at most 10 per level per step,
//!   escaped), `::add-mask::` and `::group::`;
//! - inside GitLab CI (`GITLAB_CI=true`): outputs as a dotenv report file.
//!
//! Nothing else in the workspace prints.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

/// GitHub rejects a step summary of 1 MiB or more; stay under it.
pub const SUMMARY_LIMIT: usize = 1024 * 1024 - 1024;
/// GitHub shows at most this many annotations of each level per step.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;
/// Default dotenv report written inside GitLab CI (override with `SHIPGATE_DOTENV`).
pub const DEFAULT_DOTENV: &str = "shipgate.env";

/// An annotation level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnotationLevel {
    /// `::error`.
    Error,
    /// `::warning`.
    Warning,
    /// `::notice`.
    Notice,
}

impl AnnotationLevel {
    fn command(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Notice => "notice",
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Error => 0,
            Self::Warning => 1,
            Self::Notice => 2,
        }
    }
}

impl fmt::Display for AnnotationLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.command())
    }
}

/// Where the CI-specific outputs go, read from the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputEnv {
    /// Running inside GitHub Actions.
    pub github_actions: bool,
    /// `$GITHUB_OUTPUT`.
    pub github_output: Option<PathBuf>,
    /// `$GITHUB_STEP_SUMMARY`.
    pub step_summary: Option<PathBuf>,
    /// The dotenv report inside GitLab CI.
    pub gitlab_dotenv: Option<PathBuf>,
    /// `NO_COLOR` is set (to anything non-empty).
    pub no_color: bool,
}

impl OutputEnv {
    /// Reads the settings from an environment map.
    pub fn from_map(env: &HashMap<String, String>) -> Self {
        let flag = |key: &str| env.get(key).is_some_and(|v| v == "true");
        let path = |key: &str| env.get(key).filter(|v| !v.is_empty()).map(PathBuf::from);
        let gitlab = flag("GITLAB_CI");
        Self {
            github_actions: flag("GITHUB_ACTIONS"),
            github_output: path("GITHUB_OUTPUT"),
            step_summary: path("GITHUB_STEP_SUMMARY"),
            gitlab_dotenv: gitlab
                .then(|| path("SHIPGATE_DOTENV").unwrap_or_else(|| PathBuf::from(DEFAULT_DOTENV))),
            no_color: env.get("NO_COLOR").is_some_and(|v| !v.is_empty()),
        }
    }

    /// Reads the settings from the process environment.
    pub fn from_process() -> Self {
        Self::from_map(&std::env::vars().collect())
    }
}

type Sink = RefCell<Box<dyn Write>>;

/// The output sink. Methods take `&self`; write errors on stdout/stderr are ignored (a
/// closed pipe must not turn a pass into a failure), file errors are returned.
pub struct Output {
    env: OutputEnv,
    stdout: Sink,
    stderr: Sink,
    json_file: Option<PathBuf>,
    annotations: [Cell<usize>; 3],
    colour: bool,
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Output")
            .field("env", &self.env)
            .finish_non_exhaustive()
    }
}

/// Buffers that a captured [`Output`] writes to, for tests.
#[derive(Debug, Clone, Default)]
pub struct Captured {
    stdout: std::rc::Rc<RefCell<Vec<u8>>>,
    stderr: std::rc::Rc<RefCell<Vec<u8>>>,
}

impl Captured {
    /// Everything written to stdout so far.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.borrow()).into_owned()
    }

    /// Everything written to stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.borrow()).into_owned()
    }
}

struct SharedBuffer(std::rc::Rc<RefCell<Vec<u8>>>);

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Output {
    /// The sink for this process: real stdout/stderr and the CI files from the environment.
    pub fn from_env() -> Self {
        let env = OutputEnv::from_process();
        let colour = !env.no_color && io::stderr().is_terminal();
        Self::new(env, Box::new(io::stdout()), Box::new(io::stderr()), colour)
    }

    /// A sink writing to in-memory buffers, with the given CI settings.
    pub fn capture(env: OutputEnv) -> (Self, Captured) {
        let captured = Captured::default();
        let output = Self::new(
            env,
            Box::new(SharedBuffer(captured.stdout.clone())),
            Box::new(SharedBuffer(captured.stderr.clone())),
            false,
        );
        (output, captured)
    }

    fn new(env: OutputEnv, stdout: Box<dyn Write>, stderr: Box<dyn Write>, colour: bool) -> Self {
        Self {
            env,
            stdout: RefCell::new(stdout),
            stderr: RefCell::new(stderr),
            json_file: None,
            annotations: Default::default(),
            colour,
        }
    }

    /// Sends [`Output::json`] to `path` instead of stdout (`--output FILE`).
    pub fn with_json_file(mut self, path: Option<PathBuf>) -> Self {
        self.json_file = path;
        self
    }

    /// The CI settings this sink uses.
    pub fn env(&self) -> &OutputEnv {
        &self.env
    }

    /// True when human output may use colour: stderr is a terminal and NO_COLOR is unset.
    pub fn use_colour(&self) -> bool {
        self.colour
    }

    fn write_stdout(&self, text: &str) {
        let mut out = self.stdout.borrow_mut();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    /// Writes one line of text for people on stderr.
    pub fn human(&self, line: &str) {
        let mut err = self.stderr.borrow_mut();
        let _ = writeln!(err, "{line}");
        let _ = err.flush();
    }

    /// Writes data on stdout as is (a diff, a schema, a rendered file).
    pub fn stdout(&self, text: &str) {
        self.write_stdout(text);
    }

    /// Writes the machine-readable result: one pretty JSON document on stdout, or to the
    /// `--output` file.
    pub fn json(&self, value: &serde_json::Value) {
        let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
        text.push('\n');
        match &self.json_file {
            Some(path) => {
                if let Err(error) = fs_err::write(path, &text) {
                    self.human(&format!("error: {error}"));
                }
            }
            None => self.write_stdout(&text),
        }
    }

    /// Sets a step output: `$GITHUB_OUTPUT` in GitHub Actions, the dotenv report in
    /// GitLab CI, nothing elsewhere.
    pub fn set_output(&self, name: &str, value: &str) -> io::Result<()> {
        if let Some(path) = &self.env.github_output {
            append(path, &github_output_entry(name, value))?;
        }
        if let Some(path) = &self.env.gitlab_dotenv {
            let key: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            // dotenv values are single-line; newlines are escaped as GitLab expects.
            append(path, &format!("{key}={}\n", value.replace('\n', "\\n")))?;
        }
        Ok(())
    }

    /// Appends Markdown to the GitHub step summary, keeping the file under GitHub's 1 MiB
    /// limit and saying so when the report was cut.
    pub fn summary(&self, markdown: &str) -> io::Result<()> {
        let Some(path) = &self.env.step_summary else {
            return Ok(());
        };
        let used = fs_err::metadata(path)
            .map(|m| m.len() as usize)
            .unwrap_or(0);
        let notice = "\n\n> **Note**: this summary was truncated to stay under GitHub's 1 MiB step-summary limit; the full report is in the job's artifacts.\n";
        let room = SUMMARY_LIMIT.saturating_sub(used);
        if markdown.len() <= room {
            return append(path, markdown);
        }
        let mut cut = room.saturating_sub(notice.len());
        while cut > 0 && !markdown.is_char_boundary(cut) {
            cut -= 1;
        }
        // Cut at a line boundary so a Markdown table row is never half-written.
        let cut = markdown[..cut].rfind('\n').map_or(cut, |i| i + 1);
        let mut text = markdown[..cut].to_owned();
        if room >= notice.len() {
            text.push_str(notice);
        }
        append(path, &text)
    }

    /// Emits a GitHub annotation (at most 10 per level per step; the 11th becomes one
    /// notice that more were omitted). Outside GitHub Actions this prints nothing: the
    /// human diagnostics already say it.
    pub fn annotate(
        &self,
        level: AnnotationLevel,
        message: &str,
        file: Option<&str>,
        line: Option<usize>,
        column: Option<usize>,
        title: Option<&str>,
    ) {
        if !self.env.github_actions {
            return;
        }
        let count = &self.annotations[level.index()];
        count.set(count.get() + 1);
        if count.get() > ANNOTATIONS_PER_LEVEL {
            if count.get() == ANNOTATIONS_PER_LEVEL + 1 {
                self.write_stdout(&format!(
                    "::notice::{}\n",
                    escape_data(&format!(
                        "more {level} annotations were omitted (GitHub shows {ANNOTATIONS_PER_LEVEL} per step); see the step log"
                    ))
                ));
            }
            return;
        }
        let mut properties = Vec::new();
        if let Some(file) = file {
            properties.push(format!("file={}", escape_property(file)));
        }
        if let Some(line) = line {
            properties.push(format!("line={line}"));
        }
        if let Some(column) = column {
            properties.push(format!("col={column}"));
        }
        if let Some(title) = title {
            properties.push(format!("title={}", escape_property(title)));
        }
        let properties = if properties.is_empty() {
            String::new()
        } else {
            format!(" {}", properties.join(","))
        };
        self.write_stdout(&format!(
            "::{}{properties}::{}\n",
            level.command(),
            escape_data(message)
        ));
    }

    /// Tells GitHub Actions to mask `secret` in every later log line.
    pub fn mask(&self, secret: &str) {
        if self.env.github_actions && !secret.is_empty() {
            for line in secret.lines().filter(|l| !l.trim().is_empty()) {
                self.write_stdout(&format!("::add-mask::{}\n", escape_data(line)));
            }
        }
    }

    /// Opens a collapsible log group in GitHub Actions.
    pub fn group(&self, title: &str) {
        if self.env.github_actions {
            self.write_stdout(&format!("::group::{}\n", escape_data(title)));
        }
    }

    /// Closes the group opened by [`Output::group`].
    pub fn end_group(&self) {
        if self.env.github_actions {
            self.write_stdout("::endgroup::\n");
        }
    }
}

fn append(path: &std::path::Path, text: &str) -> io::Result<()> {
    let mut file = fs_err::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// Escapes workflow-command message data: `%`, `\r`, `\n`.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value: data escapes plus `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One `$GITHUB_OUTPUT` entry: `name=value`, or a heredoc with a delimiter that does not
/// occur in a multi-line value.
pub fn github_output_entry(name: &str, value: &str) -> String {
    if !value.contains('\n') && !value.contains('\r') {
        return format!("{name}={value}\n");
    }
    let mut attempt = 0u64;
    loop {
        let delimiter = format!("ghadelimiter_{:016x}", random_u64(attempt));
        if !value.contains(&delimiter) {
            return format!("{name}<<{delimiter}\n{value}\n{delimiter}\n");
        }
        attempt += 1;
    }
}

/// A random number from the standard library's per-process random hasher keys.
fn random_u64(salt: u64) -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(salt);
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github(temp: &std::path::Path) -> OutputEnv {
        OutputEnv {
            github_actions: true,
            github_output: Some(temp.join("output")),
            step_summary: Some(temp.join("summary.md")),
            ..OutputEnv::default()
        }
    }

    #[test]
    fn annotations_are_escaped_and_capped() {
        let temp = tempfile::tempdir().unwrap();
        let (output, captured) = Output::capture(github(temp.path()));
        output.annotate(
            AnnotationLevel::Error,
            "100% bad\nsecond line",
            Some("dir/a,b:c.yaml"),
            Some(4),
            Some(3),
            Some("unknown-key"),
        );
        for i in 0..12 {
            output.annotate(
                AnnotationLevel::Warning,
                &format!("w{i}"),
                None,
                None,
                None,
                None,
            );
        }
        let stdout = captured.stdout();
        insta::assert_snapshot!(stdout.lines().next().unwrap(), @"::error file=dir/a%2Cb%3Ac.yaml,line=4,col=3,title=unknown-key::100%25 bad%0Asecond line");
        assert_eq!(stdout.matches("::warning").count(), ANNOTATIONS_PER_LEVEL);
        assert_eq!(
            stdout.matches("::notice::more warning annotations").count(),
            1
        );
    }

    #[test]
    fn nothing_for_ci_outside_github() {
        let (output, captured) = Output::capture(OutputEnv::default());
        output.annotate(AnnotationLevel::Error, "x", None, None, None, None);
        output.mask("secret");
        output.group("g");
        output.end_group();
        output.set_output("a", "b").unwrap();
        output.summary("# hi").unwrap();
        assert_eq!(captured.stdout(), "");
    }

    #[test]
    fn outputs_use_heredocs_for_multiline_values() {
        let temp = tempfile::tempdir().unwrap();
        let (output, _) = Output::capture(github(temp.path()));
        output.set_output("digest", "sha256:abc").unwrap();
        output.set_output("tags", "a:1\na:latest").unwrap();
        let text = std::fs::read_to_string(temp.path().join("output")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "digest=sha256:abc");
        let delimiter = lines[1].strip_prefix("tags<<").unwrap();
        assert!(delimiter.starts_with("ghadelimiter_"));
        assert_eq!(&lines[2..], &["a:1", "a:latest", delimiter]);
    }

    #[test]
    fn gitlab_dotenv() {
        let temp = tempfile::tempdir().unwrap();
        let env = OutputEnv {
            gitlab_dotenv: Some(temp.path().join("shipgate.env")),
            ..OutputEnv::default()
        };
        let (output, _) = Output::capture(env);
        output.set_output("image-digest", "sha256:abc").unwrap();
        let text = std::fs::read_to_string(temp.path().join("shipgate.env")).unwrap();
        assert_eq!(text, "IMAGE_DIGEST=sha256:abc\n");
    }

    #[test]
    fn summary_is_capped_under_one_mebibyte() {
        let temp = tempfile::tempdir().unwrap();
        let (output, _) = Output::capture(github(temp.path()));
        let row = "| CVE-2024-0001 | openssl | high |\n";
        output.summary(&row.repeat(40_000)).unwrap();
        let text = std::fs::read_to_string(temp.path().join("summary.md")).unwrap();
        assert!(text.len() < 1024 * 1024);
        assert!(text.ends_with("artifacts.\n"));
        assert!(text.contains("truncated"));
        // Later summaries in the same step cannot push it over either.
        output.summary(&row.repeat(10)).unwrap();
        assert!(
            std::fs::metadata(temp.path().join("summary.md"))
                .unwrap()
                .len()
                < 1024 * 1024
        );
    }

    #[test]
    fn masks_every_line_of_a_secret() {
        let temp = tempfile::tempdir().unwrap();
        let (output, captured) = Output::capture(github(temp.path()));
        output.mask("line1\nline2");
        assert_eq!(captured.stdout(), "::add-mask::line1\n::add-mask::line2\n");
    }

    #[test]
    fn env_from_map() {
        let env: HashMap<String, String> = [
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_OUTPUT", "/tmp/o"),
            ("GITLAB_CI", "true"),
            ("NO_COLOR", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let parsed = OutputEnv::from_map(&env);
        assert!(parsed.github_actions && parsed.no_color);
        assert_eq!(parsed.gitlab_dotenv, Some(PathBuf::from(DEFAULT_DOTENV)));
    }
}
