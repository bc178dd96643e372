//! Dockerfile rules (`SG-DF-…`), one file each under `rules/`.
//!
//! [`audit_file`] reads and parses a Dockerfile ([`parse`]) and runs every rule. A file
//! BuildKit would refuse (no `FROM`, an unknown instruction, an unterminated heredoc) is
//! an [`Error::Dockerfile`] (exit 2), never a pass.

use std::path::{Path, PathBuf};

use crate::rule::Hit;
use crate::{AuditFinding, Error, Result};

pub mod parse;
pub(crate) mod rules;

pub use parse::Dockerfile;

/// Where the build context is, for the rules that look at it.
#[derive(Debug, Clone, Default)]
pub struct DockerfileOptions {
    /// The build context folder. Default: the Dockerfile's folder.
    pub context: Option<PathBuf>,
}

/// What a Dockerfile rule sees.
pub(crate) struct Input<'a> {
    /// The parsed file.
    pub doc: &'a Dockerfile,
    /// Whether a `.dockerignore` applies (in the context, or `<Dockerfile>.dockerignore`
    /// next to the file).
    pub has_dockerignore: bool,
}

/// Audits one Dockerfile; a `.dockerignore` is looked for next to it.
pub fn audit_file(path: &Path) -> Result<Vec<AuditFinding>> {
    audit_file_with(path, &DockerfileOptions::default())
}

/// Audits one Dockerfile with an explicit build context.
pub fn audit_file_with(path: &Path, options: &DockerfileOptions) -> Result<Vec<AuditFinding>> {
    let text = fs_err::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    audit_dockerfile_text(path, &text, options)
}

/// Audits Dockerfile `text` read from `path` (the path names the file in findings and
/// locates the `.dockerignore`; it need not exist).
pub fn audit_dockerfile_text(
    path: &Path,
    text: &str,
    options: &DockerfileOptions,
) -> Result<Vec<AuditFinding>> {
    let doc =
        parse::parse(text).map_err(|e| Error::dockerfile(path, text, e.line, e.message, e.hint))?;
    let has_dockerignore = dockerignore_exists(path, options);
    Ok(audit_parsed(path, &doc, has_dockerignore))
}

/// Audits an already parsed Dockerfile; `has_dockerignore` says whether the build
/// context has a `.dockerignore`.
pub fn audit_parsed(path: &Path, doc: &Dockerfile, has_dockerignore: bool) -> Vec<AuditFinding> {
    let input = Input {
        doc,
        has_dockerignore,
    };
    let mut findings = Vec::new();
    for rule in rules::ALL {
        let info = rule.info();
        let mut hits: Vec<Hit> = Vec::new();
        rule.check(&input, &mut hits);
        for hit in hits {
            findings.push(AuditFinding {
                rule: info.id,
                severity: hit.severity.unwrap_or(info.severity),
                file: path.to_owned(),
                line: hit.line,
                object: hit.object,
                field: None,
                message: hit.message,
                hint: hit.hint.unwrap_or_else(|| info.fix.to_owned()),
            });
        }
    }
    findings.sort_by(|a, b| (a.line, a.rule).cmp(&(b.line, b.rule)));
    findings
}

/// BuildKit reads `<Dockerfile>.dockerignore` next to the Dockerfile first, then
/// `.dockerignore` at the context root.
fn dockerignore_exists(path: &Path, options: &DockerfileOptions) -> bool {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let context = options.context.clone().unwrap_or_else(|| dir.to_owned());
    let specific = path.file_name().map(|name| {
        let mut name = name.to_os_string();
        name.push(".dockerignore");
        dir.join(name)
    });
    context.join(".dockerignore").is_file() || specific.is_some_and(|p| p.is_file())
}
