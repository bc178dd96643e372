//! Renders any [`miette::Diagnostic`] as plain text that points at the line to fix.
//!
//! Every error shipgate shows goes through [`render`]. A diagnostic with source code and a
//! label comes out as
//!
//! ```text
//! shipgate.yaml:5:3: error[unknown-key]: unknown key `plattforms` in `image`
//!   |
//! 5 |   plattforms: [linux/amd64]
//!   |   ^^^^^^^^^^ not a key of `image`
//!   = hint: did you mean `platforms`?
//! ```
//!
//! so editors and CI logs can jump to `FILE:LINE:COL`, and the text reads the same without
//! colour. Related diagnostics (one per problem found in a pass) are rendered one after
//! another.

use std::fmt::Write as _;

use miette::{Diagnostic, LabeledSpan, Severity, SourceCode};

/// A 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Renders a diagnostic and everything in its `related()` list as plain text.
///
/// The output ends with a newline. It never contains colour codes.
pub fn render(diagnostic: &dyn Diagnostic) -> String {
    let mut out = String::new();
    render_into(&mut out, diagnostic, None);
    out
}

fn severity_word(diagnostic: &dyn Diagnostic) -> &'static str {
    match diagnostic.severity().unwrap_or(Severity::Error) {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "note",
    }
}

fn render_into(out: &mut String, diagnostic: &dyn Diagnostic, inherited: Option<&dyn SourceCode>) {
    let source = diagnostic.source_code().or(inherited);
    let mut related = diagnostic.related().into_iter().flatten().peekable();
    // A container of related diagnostics with nothing of its own to show is not printed.
    let is_container = related.peek().is_some() && diagnostic.labels().is_none();
    if !is_container {
        render_one(out, diagnostic, source);
    }
    for child in related {
        render_into(out, child, source);
    }
    if is_container {
        // The container's own message closes the list, like a compiler's summary line.
        let _ = writeln!(out, "{}: {diagnostic}", severity_word(diagnostic));
        if let Some(help) = diagnostic.help() {
            let _ = writeln!(out, "  = hint: {help}");
        }
    }
}

fn render_one(out: &mut String, diagnostic: &dyn Diagnostic, source: Option<&dyn SourceCode>) {
    let severity = severity_word(diagnostic);
    let code = diagnostic
        .code()
        .map(|code| format!("[{code}]"))
        .unwrap_or_default();
    let labels: Vec<LabeledSpan> = diagnostic.labels().into_iter().flatten().collect();
    let whole = source.and_then(|source| {
        source
            .read_span(&(0, 0).into(), 0, usize::MAX)
            .ok()
            .map(|contents| {
                (
                    contents.name().map(str::to_owned),
                    String::from_utf8_lossy(contents.data()).into_owned(),
                )
            })
    });
    match (labels.first(), whole) {
        (Some(first), Some((name, text))) => {
            let (line, col) = line_col(&text, first.offset());
            let name = name.unwrap_or_else(|| "<input>".to_owned());
            let _ = writeln!(out, "{name}:{line}:{col}: {severity}{code}: {diagnostic}");
            render_snippet(out, &text, &labels);
        }
        _ => {
            let _ = writeln!(out, "{severity}{code}: {diagnostic}");
        }
    }
    let mut cause = diagnostic.source();
    while let Some(error) = cause {
        let _ = writeln!(out, "  = cause: {error}");
        cause = error.source();
    }
    if let Some(help) = diagnostic.help() {
        for (i, line) in help.to_string().lines().enumerate() {
            let lead = if i == 0 { "= hint: " } else { "        " };
            let _ = writeln!(out, "  {lead}{line}");
        }
    }
}

fn render_snippet(out: &mut String, text: &str, labels: &[LabeledSpan]) {
    let mut by_line: Vec<(usize, &LabeledSpan)> = labels
        .iter()
        .map(|label| (line_col(text, label.offset()).0, label))
        .collect();
    by_line.sort_by_key(|(line, label)| (*line, label.offset()));
    let width = by_line.last().map_or(1, |(line, _)| line.to_string().len());
    let gutter = " ".repeat(width);
    let _ = writeln!(out, "{gutter} |");
    let lines: Vec<&str> = text.split('\n').collect();
    let mut previous_line = 0;
    for (line, label) in by_line {
        let source_line = lines
            .get(line - 1)
            .copied()
            .unwrap_or("")
            .trim_end_matches('\r');
        if line != previous_line {
            let _ = writeln!(out, "{line:>width$} | {source_line}");
            previous_line = line;
        }
        let (_, col) = line_col(text, label.offset());
        let line_chars = source_line.chars().count();
        let label_chars = text
            .get(label.offset()..label.offset() + label.len())
            .map_or(1, |s| s.split('\n').next().unwrap_or("").chars().count());
        let carets = label_chars.clamp(1, line_chars.saturating_sub(col - 1).max(1));
        let pad: String = source_line
            .chars()
            .take(col - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let message = label.label().map(|m| format!(" {m}")).unwrap_or_default();
        let _ = writeln!(out, "{gutter} | {pad}{}{message}", "^".repeat(carets));
    }
}

#[cfg(test)]
mod tests {
    use miette::{NamedSource, SourceSpan};

    use super::*;

    #[derive(Debug, thiserror::Error, Diagnostic)]
    #[error("unknown key `plattforms` in `image`")]
    #[diagnostic(code("unknown-key"), help("did you mean `platforms`?"))]
    struct UnknownKey {
        #[source_code]
        src: NamedSource<String>,
        #[label("not a key of `image`")]
        span: SourceSpan,
    }

    #[derive(Debug, thiserror::Error, Diagnostic)]
    #[error("spec is invalid")]
    struct Many {
        #[related]
        items: Vec<UnknownKey>,
    }

    #[test]
    fn renders_file_line_col_snippet_and_hint() {
        let text = "version: 1\nimage:\n  plattforms: [linux/amd64]\n";
        let offset = text.find("plattforms").unwrap();
        let diagnostic = UnknownKey {
            src: NamedSource::new("shipgate.yaml", text.to_owned()),
            span: (offset, "plattforms".len()).into(),
        };
        insta::assert_snapshot!(render(&diagnostic), @r"
        shipgate.yaml:3:3: error[unknown-key]: unknown key `plattforms` in `image`
          |
        3 |   plattforms: [linux/amd64]
          |   ^^^^^^^^^^ not a key of `image`
          = hint: did you mean `platforms`?
        ");
    }

    #[test]
    fn renders_every_related_diagnostic() {
        let text = "a: 1\nplattforms: x\n";
        let offset = text.find("plattforms").unwrap();
        let one = || UnknownKey {
            src: NamedSource::new("f.yaml", text.to_owned()),
            span: (offset, 10).into(),
        };
        let rendered = render(&Many {
            items: vec![one(), one()],
        });
        assert_eq!(
            rendered.matches("f.yaml:2:1: error[unknown-key]").count(),
            2
        );
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncä d", 6), (2, 3));
        assert_eq!(line_col("", 0), (1, 1));
    }
}

/// An error and its causes on one line (`a: b: c`), a cause left out when the text before
/// already says it: for errors of libraries (HTTP, I/O) that hide the useful part in a
/// source.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// One problem in a text file (a spec, a policy), pointing at its line and column: the
/// diagnostic every positioned file reader reports, rendered by [`render`].
#[derive(Debug, Clone)]
pub struct SourceDiagnostic {
    /// Stable kebab-case code, e.g. `unknown-key` (listed in the docs of its reader).
    pub code: &'static str,
    /// What is wrong, in one lower-case sentence.
    pub message: String,
    /// The short text under the carets.
    pub label: String,
    /// How to fix it, when we know.
    pub hint: Option<String>,
    /// Dotted path of the field, e.g. `image.platforms[1]` (empty when not tracked).
    pub path: String,
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column of the problem.
    pub column: usize,
    span: crate::yaml::Span,
    source: std::sync::Arc<miette::NamedSource<std::sync::Arc<str>>>,
}

impl SourceDiagnostic {
    /// A problem at `span` of `source`; the line and column are computed here.
    pub fn new(
        source: &std::sync::Arc<miette::NamedSource<std::sync::Arc<str>>>,
        code: &'static str,
        path: String,
        span: crate::yaml::Span,
        message: String,
        label: String,
        hint: Option<String>,
    ) -> Self {
        let (line, column) = line_col(source.inner(), span.offset);
        Self {
            code,
            message,
            label,
            hint,
            path,
            line,
            column,
            span,
            source: std::sync::Arc::clone(source),
        }
    }
}

impl std::fmt::Display for SourceDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SourceDiagnostic {}

impl Diagnostic for SourceDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.hint
            .as_ref()
            .map(|hint| Box::new(hint) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source.as_ref())
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.label.clone()),
            self.span,
        ))))
    }
}
