//! The one output sink every shipgate binary writes through.
//!
//! - machine output: one JSON document on stdout, or in the `--output` file
//!   ([`Output::json`]); data such as a diff or a schema with [`Output::stdout`];
//! - human output on stderr ([`Output::human`]); colour only when [`use_colour`] says so;
//! - inside GitHub Actions (`GITHUB_ACTIONS=true`): step outputs in `$GITHUB_OUTPUT`
//!   (heredoc form for multi-line values), a Markdown report in `$GITHUB_STEP_SUMMARY`
//!   (capped under 1 MiB, truncation said), annotations (escaped, at most 10 per level per
//!   step), `::add-mask::` and `::group::`;
//! - inside GitLab CI (`GITLAB_CI=true`): step outputs as `NAME=value` lines in the dotenv
//!   report named by `--dotenv` / `SHIPGATE_DOTENV`.
//!
//! Workflow commands (`::error …`, `::add-mask::`, `::group::`) go to stderr, which the
//! Actions runner reads for commands like stdout: stdout stays a single JSON document
//! under `--format json`. Outside GitHub Actions no workflow command is printed.
//!
//! Nothing else in the workspace prints.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::exit::{Exit, ExitStatus};

/// GitHub rejects a step summary of 1 MiB or more; shipgate keeps each step's summary
/// at most this long (1 MiB minus 1 KiB of margin).
pub const SUMMARY_LIMIT: usize = 1024 * 1024 - 1024;
/// GitHub shows at most this many annotations of each level per step.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;
/// The line that closes a step summary cut at [`SUMMARY_LIMIT`].
pub const SUMMARY_TRUNCATED: &str = "\n> **Note**: this summary was truncated to stay under GitHub's 1 MiB step-summary limit; the full report is in the step log and the job's artifacts.\n";

/// The level of a GitHub annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnnotationLevel {
    /// `::error`.
    Error,
    /// `::warning`.
    Warning,
    /// `::notice`.
    Notice,
}

impl AnnotationLevel {
    /// The workflow command: `error`, `warning` or `notice`.
    pub const fn command(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Notice => "notice",
        }
    }

    const fn index(self) -> usize {
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
    /// Running inside GitHub Actions (`GITHUB_ACTIONS=true`): workflow commands are printed.
    pub github_actions: bool,
    /// `$GITHUB_OUTPUT` (only read inside GitHub Actions).
    pub github_output: Option<PathBuf>,
    /// `$GITHUB_STEP_SUMMARY` (only read inside GitHub Actions).
    pub step_summary: Option<PathBuf>,
    /// Running inside GitLab CI (`GITLAB_CI=true`).
    pub gitlab_ci: bool,
    /// The dotenv report step outputs are appended to inside GitLab CI
    /// (`SHIPGATE_DOTENV`, or `--dotenv` through [`Output::with_dotenv`]).
    pub gitlab_dotenv: Option<PathBuf>,
    /// `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
}

impl OutputEnv {
    /// Reads the settings from an environment map.
    pub fn from_map(env: &HashMap<String, String>) -> Self {
        let flag = |key: &str| env.get(key).is_some_and(|v| v == "true");
        let path = |key: &str| env.get(key).filter(|v| !v.is_empty()).map(PathBuf::from);
        let github_actions = flag("GITHUB_ACTIONS");
        let gitlab_ci = flag("GITLAB_CI");
        Self {
            github_actions,
            github_output: path("GITHUB_OUTPUT").filter(|_| github_actions),
            step_summary: path("GITHUB_STEP_SUMMARY").filter(|_| github_actions),
            gitlab_ci,
            gitlab_dotenv: path("SHIPGATE_DOTENV").filter(|_| gitlab_ci),
            no_color: env.get("NO_COLOR").is_some_and(|v| !v.is_empty()),
        }
    }

    /// Reads the settings from the process environment.
    pub fn from_process() -> Self {
        Self::from_map(&std::env::vars().collect())
    }
}

/// True when human output may use colour: stderr is a terminal and `NO_COLOR` is unset
/// or empty.
pub fn use_colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stderr().is_terminal()
}

/// A file the sink could not write.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum OutputError {
    /// Writing a file failed (the cause names the path).
    #[error("cannot write {what}")]
    #[diagnostic(
        code("output-write"),
        help("check that the directory exists and is writable")
    )]
    Write {
        /// What was being written, e.g. "the step summary".
        what: &'static str,
        /// The I/O error, naming the path.
        #[source]
        source: io::Error,
    },
    /// A step output name that `$GITHUB_OUTPUT` or a dotenv file cannot hold.
    #[error("invalid step output name `{name}`")]
    #[diagnostic(
        code("output-name"),
        help("output names are letters, digits, `_` and `-`, starting with a letter or `_`")
    )]
    InvalidName {
        /// The name.
        name: String,
    },
}

impl ExitStatus for OutputError {
    fn exit(&self) -> Exit {
        match self {
            Self::Write { .. } => Exit::Environment,
            Self::InvalidName { .. } => Exit::BadInput,
        }
    }
}

type Stream = Mutex<Box<dyn Write + Send>>;

fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The output sink. Methods take `&self` and the sink can be shared between threads.
///
/// Write errors on stdout and stderr are ignored (a closed pipe must not turn a pass into
/// a failure); errors writing a file are returned.
pub struct Output {
    env: OutputEnv,
    stdout: Stream,
    stderr: Stream,
    json_file: Option<PathBuf>,
    annotations: [AtomicUsize; 3],
    summary_truncated: AtomicBool,
    colour: bool,
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Output")
            .field("env", &self.env)
            .field("json_file", &self.json_file)
            .field("colour", &self.colour)
            .finish_non_exhaustive()
    }
}

/// The in-memory stdout and stderr of a captured [`Output`], for tests.
#[derive(Debug, Clone, Default)]
pub struct Captured {
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Captured {
    /// Everything written to stdout so far.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&lock(&self.stdout)).into_owned()
    }

    /// Everything written to stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&lock(&self.stderr)).into_owned()
    }
}

struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        lock(&self.0).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Output {
    /// The sink for this process: the real stdout and stderr, and the CI files named by
    /// the environment.
    pub fn from_env() -> Self {
        let env = OutputEnv::from_process();
        let colour = !env.no_color && io::stderr().is_terminal();
        Self::new(env, Box::new(io::stdout()), Box::new(io::stderr()), colour)
    }

    /// A sink writing stdout and stderr to memory, with the given CI settings (point the
    /// file paths at a temporary directory). Colour is off.
    pub fn capture(env: OutputEnv) -> (Self, Captured) {
        let captured = Captured::default();
        let output = Self::new(
            env,
            Box::new(SharedBuffer(Arc::clone(&captured.stdout))),
            Box::new(SharedBuffer(Arc::clone(&captured.stderr))),
            false,
        );
        (output, captured)
    }

    fn new(
        env: OutputEnv,
        stdout: Box<dyn Write + Send>,
        stderr: Box<dyn Write + Send>,
        colour: bool,
    ) -> Self {
        Self {
            env,
            stdout: Mutex::new(stdout),
            stderr: Mutex::new(stderr),
            json_file: None,
            annotations: Default::default(),
            summary_truncated: AtomicBool::new(false),
            colour,
        }
    }

    /// Sends [`Output::json`] to `path` instead of stdout (`--output FILE`).
    #[must_use]
    pub fn with_json_file(mut self, path: Option<PathBuf>) -> Self {
        self.json_file = path;
        self
    }

    /// Sets the dotenv report for GitLab CI (`--dotenv FILE`); it is only written when
    /// `GITLAB_CI=true`.
    #[must_use]
    pub fn with_dotenv(mut self, path: Option<PathBuf>) -> Self {
        if self.env.gitlab_ci && path.is_some() {
            self.env.gitlab_dotenv = path;
        }
        self
    }

    /// The CI settings this sink uses.
    pub fn env(&self) -> &OutputEnv {
        &self.env
    }

    /// True when human output may use colour: stderr is a terminal and `NO_COLOR` is unset.
    pub fn use_colour(&self) -> bool {
        self.colour
    }

    fn write_to(stream: &Stream, text: &str) {
        let mut out = lock(stream);
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    /// Writes one line for people on stderr (a newline is added).
    pub fn human(&self, line: &str) {
        Self::write_to(&self.stderr, &format!("{line}\n"));
    }

    /// Writes data on stdout as is: a diff, a schema, a rendered file.
    pub fn stdout(&self, text: &str) {
        Self::write_to(&self.stdout, text);
    }

    /// Writes the machine-readable result: one pretty-printed JSON document on stdout, or
    /// in the `--output` file (its directory is created).
    ///
    /// A file that cannot be written is an error (exit 3); use this rather than
    /// [`Output::json`] wherever `--output` can be set.
    pub fn try_json(&self, value: &serde_json::Value) -> Result<(), OutputError> {
        let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
        text.push('\n');
        match &self.json_file {
            Some(path) => write_file(path, &text).map_err(|source| OutputError::Write {
                what: "the --output file",
                source,
            }),
            None => {
                Self::write_to(&self.stdout, &text);
                Ok(())
            }
        }
    }

    /// Like [`Output::try_json`], for commands whose output cannot fail: a failed
    /// `--output` write is reported on stderr and the document goes to stdout instead.
    pub fn json(&self, value: &serde_json::Value) {
        if let Err(error) = self.try_json(value) {
            Self::write_to(&self.stderr, &crate::diagnostic::render(&error));
            let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
            text.push('\n');
            Self::write_to(&self.stdout, &text);
        }
    }

    /// Sets a step output: in `$GITHUB_OUTPUT` inside GitHub Actions (`name=value`, or a
    /// heredoc for a multi-line value), in the dotenv report inside GitLab CI
    /// (`NAME=value`, upper-cased, `-` → `_`; GitLab holds one line per variable, so the
    /// lines of a multi-line value are joined with spaces). Nothing elsewhere.
    pub fn set_output(&self, name: &str, value: &str) -> Result<(), OutputError> {
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid {
            return Err(OutputError::InvalidName {
                name: name.to_owned(),
            });
        }
        if let Some(path) = &self.env.github_output {
            append(path, &github_output_entry(name, value)).map_err(|source| {
                OutputError::Write {
                    what: "the step output file ($GITHUB_OUTPUT)",
                    source,
                }
            })?;
        }
        if let Some(path) = &self.env.gitlab_dotenv {
            append(path, &dotenv_entry(name, value)).map_err(|source| OutputError::Write {
                what: "the dotenv report",
                source,
            })?;
        }
        Ok(())
    }

    /// Appends Markdown to the GitHub step summary. The summary stays under
    /// [`SUMMARY_LIMIT`]: what does not fit is cut at a line boundary and replaced by
    /// [`SUMMARY_TRUNCATED`]; later summaries of the step are dropped.
    pub fn summary(&self, markdown: &str) -> Result<(), OutputError> {
        let Some(path) = &self.env.step_summary else {
            return Ok(());
        };
        let error = |source| OutputError::Write {
            what: "the step summary ($GITHUB_STEP_SUMMARY)",
            source,
        };
        if self.summary_truncated.load(Ordering::Relaxed) {
            return Ok(());
        }
        let used = match fs_err::metadata(path) {
            Ok(metadata) => usize::try_from(metadata.len()).unwrap_or(usize::MAX),
            Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
            Err(e) => return Err(error(e)),
        };
        if used.saturating_add(markdown.len()) <= SUMMARY_LIMIT {
            return append(path, markdown).map_err(error);
        }
        self.summary_truncated.store(true, Ordering::Relaxed);
        // Another shipgate command in the same step may already have cut the summary.
        let existing = match fs_err::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(error(e)),
        };
        if String::from_utf8_lossy(&existing).contains(SUMMARY_TRUNCATED.trim()) {
            return Ok(());
        }
        let room = SUMMARY_LIMIT.saturating_sub(used);
        let reserve = SUMMARY_TRUNCATED.len() + "\n```\n".len();
        if room < reserve {
            return Ok(());
        }
        let mut cut = room - reserve;
        while !markdown.is_char_boundary(cut) {
            cut -= 1;
        }
        // Cut after a whole line so a table row or list item is never half-written.
        let cut = markdown[..cut].rfind('\n').map_or(0, |i| i + 1);
        let mut text = markdown[..cut].to_owned();
        // Close a code block left open by the cut, so the note renders as text.
        let fences = text
            .lines()
            .filter(|line| line.trim_start().starts_with("```"))
            .count();
        if fences % 2 == 1 {
            text.push_str("```\n");
        }
        text.push_str(SUMMARY_TRUNCATED);
        append(path, &text).map_err(error)
    }

    /// Emits a GitHub annotation `::level file=F,line=L,col=C,title=T::message`, escaped.
    /// `file` is relative to the repository root. At most [`ANNOTATIONS_PER_LEVEL`] are
    /// printed per level; the next one is replaced by a single notice that more were
    /// omitted. Outside GitHub Actions nothing is printed: the human diagnostics say it.
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
        let count = self.annotations[level.index()].fetch_add(1, Ordering::Relaxed) + 1;
        if count > ANNOTATIONS_PER_LEVEL {
            if count == ANNOTATIONS_PER_LEVEL + 1 {
                let note = format!(
                    "more {level} annotations were omitted: GitHub shows {ANNOTATIONS_PER_LEVEL} per step; the step log has every finding"
                );
                Self::write_to(&self.stderr, &format!("::notice::{}\n", escape_data(&note)));
            }
            return;
        }
        Self::write_to(
            &self.stderr,
            &annotation_command(level, message, file, line, column, title),
        );
    }

    /// Tells GitHub Actions to mask `secret` in every later log line (each line of a
    /// multi-line secret separately, as the runner masks line by line).
    pub fn mask(&self, secret: &str) {
        if !self.env.github_actions {
            return;
        }
        for line in secret.lines().filter(|l| !l.trim().is_empty()) {
            Self::write_to(
                &self.stderr,
                &format!("::add-mask::{}\n", escape_data(line)),
            );
        }
    }

    /// Opens a collapsible log group in GitHub Actions.
    pub fn group(&self, title: &str) {
        if self.env.github_actions {
            Self::write_to(&self.stderr, &format!("::group::{}\n", escape_data(title)));
        }
    }

    /// Closes the group opened by [`Output::group`].
    pub fn end_group(&self) {
        if self.env.github_actions {
            Self::write_to(&self.stderr, "::endgroup::\n");
        }
    }
}

fn append(path: &Path, text: &str) -> io::Result<()> {
    let mut file = fs_err::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

fn write_file(path: &Path, text: &str) -> io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs_err::create_dir_all(parent)?;
    }
    fs_err::write(path, text)
}

/// One annotation workflow command, with its trailing newline.
pub fn annotation_command(
    level: AnnotationLevel,
    message: &str,
    file: Option<&str>,
    line: Option<usize>,
    column: Option<usize>,
    title: Option<&str>,
) -> String {
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
    format!("::{level}{properties}::{}\n", escape_data(message))
}

/// Escapes workflow-command message data: `%` → `%25`, `\r` → `%0D`, `\n` → `%0A`.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value: the data escapes plus `:` → `%3A` and
/// `,` → `%2C`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One `$GITHUB_OUTPUT` entry: `name=value`, or for a multi-line value a heredoc
/// `name<<DELIMITER` … `DELIMITER` whose random delimiter does not occur in the value.
pub fn github_output_entry(name: &str, value: &str) -> String {
    if !value.contains(['\n', '\r']) {
        return format!("{name}={value}\n");
    }
    let mut salt = 0u64;
    loop {
        let delimiter = format!("ghadelimiter_{:016x}", random_u64(salt));
        if !value.contains(&delimiter) {
            return format!("{name}<<{delimiter}\n{value}\n{delimiter}\n");
        }
        salt += 1;
    }
}

/// One dotenv line for GitLab: `NAME=value`, the name upper-cased with `-` → `_`, the
/// lines of a multi-line value joined with spaces.
pub fn dotenv_entry(name: &str, value: &str) -> String {
    let key: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => c.to_ascii_uppercase(),
            _ => '_',
        })
        .collect();
    let value = value
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    format!("{key}={value}\n")
}

/// A random number from the standard library's randomly keyed hasher (a fresh key per
/// call), mixed with the time and `salt`.
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

    fn env_map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn github(temp: &Path) -> OutputEnv {
        OutputEnv {
            github_actions: true,
            github_output: Some(temp.join("output")),
            step_summary: Some(temp.join("summary.md")),
            ..OutputEnv::default()
        }
    }

    fn read(path: PathBuf) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn annotations_are_escaped_and_capped() {
        let temp = tempfile::tempdir().unwrap();
        let (output, captured) = Output::capture(github(temp.path()));
        output.annotate(
            AnnotationLevel::Error,
            "100% bad\r\nsecond line: a, b",
            Some("dir/a,b:c.yaml"),
            Some(4),
            Some(3),
            Some("unknown-key: x, y"),
        );
        output.annotate(AnnotationLevel::Notice, "plain", None, None, None, None);
        output.annotate(
            AnnotationLevel::Warning,
            "no column",
            Some("Dockerfile"),
            Some(1),
            None,
            None,
        );
        for i in 0..11 {
            output.annotate(
                AnnotationLevel::Warning,
                &format!("w{i}"),
                None,
                None,
                None,
                None,
            );
        }
        // Errors still have their own budget.
        output.annotate(
            AnnotationLevel::Error,
            "second error",
            None,
            None,
            None,
            None,
        );
        assert_eq!(captured.stdout(), "", "workflow commands keep stdout clean");
        insta::assert_snapshot!(captured.stderr(), @r"
        ::error file=dir/a%2Cb%3Ac.yaml,line=4,col=3,title=unknown-key%3A x%2C y::100%25 bad%0D%0Asecond line: a, b
        ::notice::plain
        ::warning file=Dockerfile,line=1::no column
        ::warning::w0
        ::warning::w1
        ::warning::w2
        ::warning::w3
        ::warning::w4
        ::warning::w5
        ::warning::w6
        ::warning::w7
        ::warning::w8
        ::notice::more warning annotations were omitted: GitHub shows 10 per step; the step log has every finding
        ::error::second error
        ");
    }

    #[test]
    fn nothing_for_ci_outside_ci() {
        let temp = tempfile::tempdir().unwrap();
        // A developer's shell that happens to export GitHub's file variables.
        let env = OutputEnv::from_map(&env_map(&[
            (
                "GITHUB_OUTPUT",
                temp.path().join("output").to_str().unwrap(),
            ),
            (
                "GITHUB_STEP_SUMMARY",
                temp.path().join("summary.md").to_str().unwrap(),
            ),
            (
                "SHIPGATE_DOTENV",
                temp.path().join("x.env").to_str().unwrap(),
            ),
        ]));
        let (output, captured) = Output::capture(env);
        output.annotate(AnnotationLevel::Error, "x", None, None, None, None);
        output.mask("secret");
        output.group("g");
        output.end_group();
        output.set_output("a", "b").unwrap();
        output.summary("# hi").unwrap();
        assert_eq!(captured.stdout(), "");
        assert_eq!(captured.stderr(), "");
        assert_eq!(std::fs::read_dir(temp.path()).unwrap().count(), 0);
    }

    #[test]
    fn human_json_and_data() {
        let (output, captured) = Output::capture(OutputEnv::default());
        output.human("checked 3 files");
        output.json(&serde_json::json!({"valid": true, "diagnostics": []}));
        output.stdout("--- a/x\n");
        insta::assert_snapshot!(captured.stdout(), @r#"
        {
          "valid": true,
          "diagnostics": []
        }
        --- a/x
        "#);
        assert_eq!(captured.stderr(), "checked 3 files\n");
        assert!(!output.use_colour());
    }

    #[test]
    fn json_to_the_output_file() {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("reports/verdict.json");
        let (output, captured) = Output::capture(OutputEnv::default());
        let output = output.with_json_file(Some(path.clone()));
        output
            .try_json(&serde_json::json!({"pass": false}))
            .unwrap();
        assert_eq!(read(path), "{\n  \"pass\": false\n}\n");
        assert_eq!(captured.stdout(), "");

        // A file that cannot be written is an environment error naming the path.
        let blocked = temp.path().join("file");
        std::fs::write(&blocked, "").unwrap();
        let (output, captured) = Output::capture(OutputEnv::default());
        let output = output.with_json_file(Some(blocked.join("x.json")));
        let error = output.try_json(&serde_json::json!(1)).unwrap_err();
        assert_eq!(error.exit(), Exit::Environment);
        let rendered = crate::diagnostic::render(&error);
        assert!(
            rendered.starts_with("error[output-write]: cannot write the --output file"),
            "{rendered}"
        );
        assert!(
            rendered.contains(&blocked.display().to_string()),
            "{rendered}"
        );
        // The infallible form says so on stderr and falls back to stdout.
        output.json(&serde_json::json!(1));
        assert_eq!(captured.stdout(), "1\n");
        assert!(captured.stderr().contains("cannot write the --output file"));
    }

    #[test]
    fn outputs_use_heredocs_for_multiline_values() {
        let temp = tempfile::tempdir().unwrap();
        let (output, _) = Output::capture(github(temp.path()));
        output.set_output("digest", "sha256:abc").unwrap();
        output.set_output("tags", "a:1\na:latest").unwrap();
        output.set_output("empty", "").unwrap();
        let text = read(temp.path().join("output"));
        let delimiter = text
            .lines()
            .find_map(|l| l.strip_prefix("tags<<"))
            .unwrap()
            .to_owned();
        assert!(delimiter.starts_with("ghadelimiter_") && delimiter.len() == 29);
        insta::assert_snapshot!(text.replace(&delimiter, "DELIMITER"), @r"
        digest=sha256:abc
        tags<<DELIMITER
        a:1
        a:latest
        DELIMITER
        empty=
        ");
    }

    #[test]
    fn heredoc_delimiters_differ_and_avoid_the_value() {
        let first = github_output_entry("x", "a\nb");
        let second = github_output_entry("x", "a\nb");
        assert_ne!(first, second);
        let delimiter = first.lines().next().unwrap().strip_prefix("x<<").unwrap();
        let tricky = format!("line\n{delimiter}\nline");
        let entry = github_output_entry("x", &tricky);
        let new_delimiter = entry.lines().next().unwrap().strip_prefix("x<<").unwrap();
        assert!(!tricky.contains(new_delimiter));
        assert!(entry.ends_with(&format!("\n{new_delimiter}\n")));
    }

    #[test]
    fn invalid_output_names_are_refused() {
        let temp = tempfile::tempdir().unwrap();
        let (output, _) = Output::capture(github(temp.path()));
        for name in ["", "a=b", "a<<b", "a b", "1st", "a\nb"] {
            let error = output.set_output(name, "v").unwrap_err();
            assert!(matches!(error, OutputError::InvalidName { .. }), "{name}");
        }
        assert!(!temp.path().join("output").exists());
    }

    #[test]
    fn gitlab_dotenv() {
        let temp = tempfile::tempdir().unwrap();
        let dotenv = temp.path().join("push.env");
        let env = OutputEnv::from_map(&env_map(&[("GITLAB_CI", "true")]));
        assert_eq!(env.gitlab_dotenv, None, "no dotenv path configured");
        let (output, _) = Output::capture(env);
        let output = output.with_dotenv(Some(dotenv.clone()));
        output.set_output("image-digest", "sha256:abc").unwrap();
        output
            .set_output("tags", "ghcr.io/a:1\r\nghcr.io/a:latest\n")
            .unwrap();
        insta::assert_snapshot!(read(dotenv), @r"
        IMAGE_DIGEST=sha256:abc
        TAGS=ghcr.io/a:1 ghcr.io/a:latest
        ");
        // --dotenv outside GitLab CI writes nothing.
        let other = temp.path().join("other.env");
        let (output, _) = Output::capture(OutputEnv::default());
        let output = output.with_dotenv(Some(other.clone()));
        output.set_output("a", "b").unwrap();
        assert!(!other.exists());
    }

    #[test]
    fn summary_is_capped_under_one_mebibyte() {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("summary.md");
        let (output, _) = Output::capture(github(temp.path()));
        output.summary("# Scan\n\n").unwrap();
        let row = "| CVE-2024-0001 | openssl | high |\n";
        output
            .summary(&format!(
                "| id | package | severity |\n{}",
                row.repeat(40_000)
            ))
            .unwrap();
        let text = read(path.clone());
        assert!(text.len() <= SUMMARY_LIMIT && text.len() > SUMMARY_LIMIT - 100);
        assert!(text.starts_with("# Scan\n\n| id |"));
        assert!(text.ends_with(SUMMARY_TRUNCATED));
        let before = text.trim_end_matches(SUMMARY_TRUNCATED);
        assert!(before.ends_with("high |\n"), "cut at a line boundary");
        // Later summaries in the same step are dropped, the note stays last.
        output.summary("## more\n").unwrap();
        assert_eq!(read(path.clone()), text);
        // A second command in the same step sees the note and adds nothing.
        let (second, _) = Output::capture(github(temp.path()));
        second.summary(&row.repeat(10)).unwrap();
        second.summary(&row.repeat(100_000)).unwrap();
        assert_eq!(read(path), text);
    }

    #[test]
    fn summary_cut_inside_a_code_block_closes_it() {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("summary.md");
        let (output, _) = Output::capture(github(temp.path()));
        let line = format!("{}\n", "x".repeat(99));
        let log = format!("## Log\n\n```text\n{}```\n", line.repeat(11_000));
        output.summary(&log).unwrap();
        let text = read(path);
        assert!(text.len() <= SUMMARY_LIMIT);
        let expected_end = format!("{line}```\n{SUMMARY_TRUNCATED}");
        assert!(
            text.ends_with(&expected_end),
            "{}",
            &text[text.len() - 300..]
        );
    }

    #[test]
    fn summary_appends_when_it_fits() {
        let temp = tempfile::tempdir().unwrap();
        let (output, _) = Output::capture(github(temp.path()));
        output.summary("# One\n").unwrap();
        output.summary("# Two\n").unwrap();
        assert_eq!(read(temp.path().join("summary.md")), "# One\n# Two\n");
    }

    #[test]
    fn masks_groups() {
        let temp = tempfile::tempdir().unwrap();
        let (output, captured) = Output::capture(github(temp.path()));
        output.mask("line1\n\nline%2\n");
        output.mask("");
        output.group("push: 3 blobs, 1 manifest");
        output.human("uploaded");
        output.end_group();
        insta::assert_snapshot!(captured.stderr(), @r"
        ::add-mask::line1
        ::add-mask::line%252
        ::group::push: 3 blobs, 1 manifest
        uploaded
        ::endgroup::
        ");
        assert_eq!(captured.stdout(), "");
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
        assert_eq!(escape_property("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce");
    }

    #[test]
    fn env_from_map() {
        let parsed = OutputEnv::from_map(&env_map(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_OUTPUT", "/tmp/o"),
            ("GITHUB_STEP_SUMMARY", "/tmp/s"),
            ("NO_COLOR", "1"),
        ]));
        assert_eq!(
            parsed,
            OutputEnv {
                github_actions: true,
                github_output: Some(PathBuf::from("/tmp/o")),
                step_summary: Some(PathBuf::from("/tmp/s")),
                gitlab_ci: false,
                gitlab_dotenv: None,
                no_color: true,
            }
        );
        // GitHub's files are ignored when not inside GitHub Actions; an empty NO_COLOR
        // does not count.
        let local = OutputEnv::from_map(&env_map(&[("GITHUB_OUTPUT", "/tmp/o"), ("NO_COLOR", "")]));
        assert_eq!(local, OutputEnv::default());
        let gitlab = OutputEnv::from_map(&env_map(&[
            ("GITLAB_CI", "true"),
            ("SHIPGATE_DOTENV", "build.env"),
        ]));
        assert!(gitlab.gitlab_ci);
        assert_eq!(gitlab.gitlab_dotenv, Some(PathBuf::from("build.env")));
    }

    #[test]
    fn output_is_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Output>();
        let temp = tempfile::tempdir().unwrap();
        let (output, captured) = Output::capture(github(temp.path()));
        std::thread::scope(|scope| {
            for i in 0..4 {
                let output = &output;
                scope.spawn(move || {
                    for j in 0..5 {
                        output.annotate(
                            AnnotationLevel::Error,
                            &format!("{i}-{j}"),
                            None,
                            None,
                            None,
                            None,
                        );
                    }
                });
            }
        });
        let stderr = captured.stderr();
        assert_eq!(stderr.matches("::error::").count(), ANNOTATIONS_PER_LEVEL);
        assert_eq!(stderr.matches("::notice::").count(), 1);
    }
}
