//! Kubernetes object rules (`SG-K8S-…`), one file each under `rules/`.
//!
//! Reads YAML (several documents per file, split at `---` lines) and JSON (one object or
//! a `List`), keeps every field's position so a finding names a line (JSON files over
//! 1 MiB, such as a whole cluster's `kubectl get -o json`, are read without positions),
//! finds the pod spec of every workload kind
//! (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job,
//! CronJob, PodTemplate) and runs every rule over each container, init container and
//! ephemeral container.
//!
//! Helm charts: audit what a chart renders, not its templates. `helm-render audit`
//! renders first; [`audit_path`] on a folder skips a file that holds Helm template
//! syntax (`{{`) when it does not parse as YAML or sits in a `templates/` folder, and
//! [`audit_path_report`] lists it in [`Report::skipped`] with the reason. Files that hold
//! no Kubernetes object (`Chart.yaml`, `values.yaml`) are skipped the same way. A folder
//! or file with no Kubernetes object at all is an error, never a pass.

use std::path::{Path, PathBuf};

use serde_json::Value;
use shipgate_core::yaml::{self, SpanIndex};

use crate::rule::Hit;
use crate::{AuditFinding, Error, Result};

pub(crate) mod rules;

/// What an audit of manifests found, and what it did not look at.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// The findings, by file, line and rule.
    pub findings: Vec<AuditFinding>,
    /// Files (or documents) that were not audited, with the reason.
    pub skipped: Vec<Skipped>,
    /// How many files were read.
    pub files: usize,
    /// How many Kubernetes objects were audited.
    pub objects: usize,
    /// How many of those were workloads (had a pod spec).
    pub workloads: usize,
}

/// A file or document that was not audited.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// The file.
    pub file: PathBuf,
    /// Why it was skipped.
    pub reason: String,
}

/// Audits a YAML file (several documents allowed), a JSON file or every
/// `*.yaml`/`*.yml`/`*.json` file under a folder. See [`audit_path_report`] for the
/// files that were skipped.
pub fn audit_path(path: &Path) -> Result<Vec<AuditFinding>> {
    Ok(audit_path_report(path)?.findings)
}

/// Like [`audit_path`], with the skipped files and counts.
pub fn audit_path_report(path: &Path) -> Result<Report> {
    let mut loader = Loader::default();
    if path.is_dir() {
        let mut files = Vec::new();
        walk(path, &mut files)?;
        for file in files {
            let text = read(&file)?;
            loader.load(&file, &text, false)?;
        }
    } else {
        let text = read(path)?;
        loader.load(path, &text, true)?;
    }
    loader.finish(path)
}

/// Audits manifests held in memory (`helm template` output, say) as if read from `path`.
pub fn audit_manifest_text(path: &Path, text: &str) -> Result<Report> {
    let mut loader = Loader::default();
    loader.load(path, text, true)?;
    loader.finish(path)
}

/// serde_json's message without its own " at line L column C" (the error prints the
/// position as `FILE:LINE:COL`).
fn json_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(pos) => text[..pos].to_owned(),
        None => text,
    }
}

fn read(path: &Path) -> Result<String> {
    fs_err::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })
}

/// Every `*.yaml`/`*.yml`/`*.json` file under `dir`, sorted, hidden entries left out.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let read_error = |source| Error::Read {
        path: dir.to_owned(),
        source,
    };
    let mut entries: Vec<PathBuf> = fs_err::read_dir(dir)
        .map_err(read_error)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .map_err(read_error)?;
    entries.sort();
    for entry in entries {
        let hidden = entry
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if entry.is_dir() {
            walk(&entry, out)?;
        } else if matches!(
            entry.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(entry);
        }
    }
    Ok(())
}

/// One document read from a file.
struct Document {
    file: usize,
    value: Value,
    spans: Option<SpanIndex>,
    /// The byte offset of the document's chunk in the file (its spans count from there).
    base: usize,
}

/// JSON files larger than this are read without positions (findings carry no line):
/// the position-keeping YAML reader slows down with the size of one document, and a
/// `kubectl get -o json` list of a whole cluster is one document. YAML is split at its
/// `---` lines first, and one Kubernetes object is at most about 1.5 MiB (etcd's limit).
const JSON_POSITION_LIMIT: usize = 1 << 20;

/// A syntax problem: byte offset, message, hint.
type Problem = (usize, String, Option<String>);

/// Parses `text` one document at a time (split at `---` lines), each with its spans and
/// the byte offset they count from.
fn parse_chunks(
    text: &str,
) -> std::result::Result<Vec<(Value, Option<SpanIndex>, usize)>, Problem> {
    let mut out = Vec::new();
    for (base, chunk) in split_documents(text) {
        match yaml::parse_documents(chunk) {
            Ok(nodes) => {
                for node in &nodes {
                    let (value, spans) = yaml::to_json(node);
                    out.push((value, Some(spans), base));
                }
            }
            Err(problems) => {
                let first = problems.into_iter().next();
                return Err(first.map_or((base, "invalid YAML".to_owned(), None), |p| {
                    (base + p.span.offset, p.message, p.hint)
                }));
            }
        }
    }
    Ok(out)
}

/// Splits YAML text at the lines that start a document (`---`), as kubectl does. A chunk
/// holding only comments, blank lines and `%` directives joins the next one.
fn split_documents(text: &str) -> Vec<(usize, &str)> {
    let mut starts = vec![0];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if offset > 0 && (bare == "---" || bare.starts_with("--- ") || bare.starts_with("---\t")) {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts.push(text.len());
    let mut chunks = Vec::new();
    let mut pending: Option<usize> = None;
    for (i, window) in starts.windows(2).enumerate() {
        let (start, end) = (window[0], window[1]);
        let chunk = &text[start..end];
        let last = i + 2 == starts.len();
        let empty = chunk.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#') || t.starts_with('%') || t == "---"
        });
        if empty && !last {
            pending = pending.or(Some(start));
            continue;
        }
        let from = pending.take().unwrap_or(start);
        chunks.push((from, &text[from..end]));
    }
    chunks
}

/// A file that was read.
struct File {
    path: PathBuf,
    /// Byte offset of the start of every line.
    line_starts: Vec<usize>,
}

#[derive(Default)]
struct Loader {
    files: Vec<File>,
    documents: Vec<Document>,
    skipped: Vec<Skipped>,
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// The byte offset of serde_json's 1-based line and column (the column counts bytes).
fn json_offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

impl Loader {
    fn load(&mut self, path: &Path, text: &str, explicit: bool) -> Result<()> {
        let template = text.contains("{{");
        let in_templates = path.components().any(|c| c.as_os_str() == "templates");
        let starts = line_starts(text);
        let skip_template = |loader: &mut Self| {
            loader.skipped.push(Skipped {
                file: path.to_owned(),
                reason: "Helm template syntax (`{{`): audit the rendered manifests \
                         (`helm-render audit` renders the chart first)"
                    .to_owned(),
            });
        };
        if template && in_templates {
            skip_template(self);
            return Ok(());
        }
        let json = path.extension().and_then(|e| e.to_str()) == Some("json");
        if json && !template {
            // JSON is checked as JSON (the YAML reader would accept `"kind": }` as null);
            // the YAML reader then supplies the positions.
            if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
                let offset = json_offset(text, e.line(), e.column());
                return Err(Error::syntax(
                    path,
                    text,
                    offset,
                    format!("invalid JSON: {}", json_message(&e)),
                    None,
                ));
            }
        }
        let parsed = if json && text.len() > JSON_POSITION_LIMIT {
            // Already validated above; see JSON_POSITION_LIMIT.
            match serde_json::from_str::<Value>(text) {
                Ok(value) => vec![(value, None, 0)],
                Err(e) => {
                    let offset = json_offset(text, e.line(), e.column());
                    return Err(Error::syntax(
                        path,
                        text,
                        offset,
                        format!("invalid JSON: {}", json_message(&e)),
                        None,
                    ));
                }
            }
        } else {
            match parse_chunks(text) {
                Ok(parsed) => parsed,
                Err(problem) => {
                    // Outside `templates/`, only a file that is not YAML at all is Helm
                    // syntax worth skipping; a manifest that merely fails to parse is an error.
                    if template && !explicit && !looks_like_manifest(text) {
                        skip_template(self);
                        return Ok(());
                    }
                    if json {
                        // JSON that the YAML reader refuses (tabs, say): read it without
                        // positions.
                        match serde_json::from_str::<Value>(text) {
                            Ok(value) => vec![(value, None, 0)],
                            Err(e) => {
                                let offset = json_offset(text, e.line(), e.column());
                                return Err(Error::syntax(
                                    path,
                                    text,
                                    offset,
                                    format!("invalid JSON: {}", json_message(&e)),
                                    None,
                                ));
                            }
                        }
                    } else {
                        let (offset, message, hint) = problem;
                        return Err(Error::syntax(path, text, offset, message, hint));
                    }
                }
            }
        };
        let file = self.files.len();
        self.files.push(File {
            path: path.to_owned(),
            line_starts: starts,
        });
        let before = self.documents.len();
        for (index, (value, spans, base)) in parsed.into_iter().enumerate() {
            if value.is_null() {
                continue;
            }
            if is_object(&value) {
                self.documents.push(Document {
                    file,
                    value,
                    spans,
                    base,
                });
            } else if !explicit || index > 0 {
                self.skipped.push(Skipped {
                    file: path.to_owned(),
                    reason: format!(
                        "document {} is not a Kubernetes object (no `apiVersion` and `kind`)",
                        index + 1
                    ),
                });
            }
        }
        if explicit && self.documents.len() == before {
            return Err(Error::NoObjects {
                path: path.to_owned(),
            });
        }
        Ok(())
    }

    fn finish(self, path: &Path) -> Result<Report> {
        let mut objects = Vec::new();
        for document in &self.documents {
            let file = &self.files[document.file];
            collect_objects(
                &document.value,
                String::new(),
                (file, document.base),
                document.spans.as_ref(),
                &mut objects,
            );
        }
        if objects.is_empty() {
            return Err(Error::NoObjects {
                path: path.to_owned(),
            });
        }
        let mut findings = Vec::new();
        let mut workloads = 0;
        for object in &objects {
            let Some(pod_ptr) = pod_spec_pointer(object) else {
                continue;
            };
            // A workload without its pod spec (`spec.templat`, say) is not a workload that
            // passed: it is a manifest the audit cannot read.
            let Some(pod) = object.value.pointer(&pod_ptr) else {
                return Err(Error::NoPodSpec {
                    path: object.file.path.clone(),
                    object: object.label(),
                    field: pod_ptr.trim_start_matches('/').replace('/', "."),
                });
            };
            workloads += 1;
            let workload = Workload {
                object,
                pod,
                pod_ptr: format!("{}{pod_ptr}", object.base),
                all: &objects,
            };
            for rule in rules::ALL {
                let info = rule.info();
                let mut hits: Vec<Hit> = Vec::new();
                rule.check(&workload, &mut hits);
                for hit in hits {
                    let pointer = hit.pointer.unwrap_or_else(|| workload.pod_ptr.clone());
                    findings.push(AuditFinding {
                        rule: info.id,
                        severity: hit.severity.unwrap_or(info.severity),
                        file: object.file.path.clone(),
                        line: object.line(&pointer),
                        object: Some(object.label()),
                        field: Some(object.field(&pointer)),
                        message: hit.message,
                        hint: hit.hint.unwrap_or_else(|| info.fix.to_owned()),
                    });
                }
            }
        }
        findings.sort_by(|a, b| {
            (&a.file, a.line, a.rule, &a.field).cmp(&(&b.file, b.line, b.rule, &b.field))
        });
        Ok(Report {
            findings,
            skipped: self.skipped,
            files: self.files.len(),
            objects: objects.len(),
            workloads,
        })
    }
}

/// Whether `value` has a string `apiVersion` and `kind`.
fn is_object(value: &Value) -> bool {
    value.get("apiVersion").is_some_and(Value::is_string)
        && value.get("kind").is_some_and(Value::is_string)
}

fn collect_objects<'a>(
    value: &'a Value,
    base: String,
    (file, offset): (&'a File, usize),
    spans: Option<&'a SpanIndex>,
    out: &mut Vec<Object<'a>>,
) {
    if !is_object(value) {
        return;
    }
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind.ends_with("List")
        && let Some(items) = value.get("items").and_then(Value::as_array)
    {
        for (i, item) in items.iter().enumerate() {
            collect_objects(
                item,
                format!("{base}/items/{i}"),
                (file, offset),
                spans,
                out,
            );
        }
        return;
    }
    let metadata = value.get("metadata");
    out.push(Object {
        file,
        value,
        base,
        offset,
        spans,
        kind,
        name: metadata
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .unwrap_or(""),
        namespace: metadata
            .and_then(|m| m.get("namespace"))
            .and_then(Value::as_str),
    });
}

/// The pod spec's pointer inside a workload object, by kind.
/// Whether `text` says it is a Kubernetes object (an `apiVersion:` and a `kind:` line).
fn looks_like_manifest(text: &str) -> bool {
    let has = |key: &str| text.lines().any(|line| line.trim_start().starts_with(key));
    has("apiVersion:") && has("kind:")
}

fn pod_spec_pointer(object: &Object<'_>) -> Option<String> {
    let pointer = match object.kind {
        "Pod" => "/spec",
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => "/spec/template/spec",
        "CronJob" => "/spec/jobTemplate/spec/template/spec",
        "PodTemplate" => "/template/spec",
        _ => return None,
    };
    Some(pointer.to_owned())
}

/// One Kubernetes object of an audited file.
pub(crate) struct Object<'a> {
    file: &'a File,
    /// The object.
    pub value: &'a Value,
    /// Its JSON pointer in the document (`""`, or `/items/3` inside a `List`).
    pub base: String,
    /// The byte offset its document's spans count from.
    offset: usize,
    spans: Option<&'a SpanIndex>,
    /// `kind`.
    pub kind: &'a str,
    /// `metadata.name`.
    pub name: &'a str,
    /// `metadata.namespace`.
    pub namespace: Option<&'a str>,
}

impl Object<'_> {
    /// `Deployment/web`, with ` (namespace prod)` when it names one.
    pub(crate) fn label(&self) -> String {
        match self.namespace {
            Some(ns) => format!("{}/{} (namespace {ns})", self.kind, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }

    /// The line of the field at `pointer` (or of its nearest ancestor that exists).
    fn line(&self, pointer: &str) -> Option<usize> {
        let span = self.spans?.key_or_value(pointer);
        Some(
            self.file
                .line_starts
                .partition_point(|&s| s <= self.offset + span.offset)
                .max(1),
        )
    }

    /// The dotted field path of `pointer`, relative to the object
    /// (`spec.template.spec.containers[0].image`).
    fn field(&self, pointer: &str) -> String {
        let relative = pointer.strip_prefix(&self.base).unwrap_or(pointer);
        let mut out = String::new();
        for segment in relative.split('/').skip(1) {
            let segment = segment.replace("~1", "/").replace("~0", "~");
            if segment.parse::<usize>().is_ok() {
                out.push_str(&format!("[{segment}]"));
            } else {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&segment);
            }
        }
        out
    }
}

/// What a Kubernetes rule sees: one workload's pod spec.
pub(crate) struct Workload<'a> {
    /// The object.
    pub object: &'a Object<'a>,
    /// Its pod spec.
    pub pod: &'a Value,
    /// The pod spec's absolute JSON pointer.
    pub pod_ptr: String,
    /// Every object audited together (a ServiceAccount may settle a rule).
    pub all: &'a [Object<'a>],
}

impl Workload<'_> {
    /// Whether the pod declares `os.name: windows`: the API server then forbids the
    /// Linux-only security fields (seccomp, capabilities, privileged, read-only root,
    /// privilege escalation), so the rules asking for them do not apply.
    pub(crate) fn is_windows(&self) -> bool {
        self.pod.pointer("/os/name").and_then(Value::as_str) == Some("windows")
    }
}

/// Which list a container is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContainerKind {
    /// `containers`.
    Regular,
    /// `initContainers`.
    Init,
    /// `ephemeralContainers`.
    Ephemeral,
}

/// One container of a pod spec.
pub(crate) struct Container<'a> {
    /// `name`.
    pub name: &'a str,
    /// The container.
    pub value: &'a Value,
    /// Its absolute JSON pointer.
    pub ptr: String,
    /// Which list it is in.
    pub kind: ContainerKind,
}

impl Container<'_> {
    /// `container `web``, `init container `migrate``, `ephemeral container `debug``.
    pub(crate) fn describe(&self) -> String {
        match self.kind {
            ContainerKind::Regular => format!("container `{}`", self.name),
            ContainerKind::Init => format!("init container `{}`", self.name),
            ContainerKind::Ephemeral => format!("ephemeral container `{}`", self.name),
        }
    }

    /// `securityContext.<path>` of the container.
    pub(crate) fn security(&self, path: &str) -> Option<&Value> {
        self.value.pointer(&format!("/securityContext/{path}"))
    }

    /// The pointer of `securityContext.<path>`.
    pub(crate) fn security_ptr(&self, path: &str) -> String {
        format!("{}/securityContext/{path}", self.ptr)
    }
}

impl<'a> Workload<'a> {
    /// Every container: regular, init and ephemeral, in that order.
    pub(crate) fn containers(&self) -> Vec<Container<'a>> {
        let mut out = Vec::new();
        for (key, kind) in [
            ("containers", ContainerKind::Regular),
            ("initContainers", ContainerKind::Init),
            ("ephemeralContainers", ContainerKind::Ephemeral),
        ] {
            let Some(list) = self.pod.get(key).and_then(Value::as_array) else {
                continue;
            };
            for (i, value) in list.iter().enumerate() {
                out.push(Container {
                    name: value.get("name").and_then(Value::as_str).unwrap_or(""),
                    value,
                    ptr: format!("{}/{key}/{i}", self.pod_ptr),
                    kind,
                });
            }
        }
        out
    }

    /// `securityContext.<path>` of the pod.
    pub(crate) fn pod_security(&self, path: &str) -> Option<&'a Value> {
        self.pod.pointer(&format!("/securityContext/{path}"))
    }

    /// The pointer of the pod's `securityContext.<path>`.
    pub(crate) fn pod_security_ptr(&self, path: &str) -> String {
        format!("{}/securityContext/{path}", self.pod_ptr)
    }

    /// The pointer of a pod spec field.
    pub(crate) fn pod_field_ptr(&self, path: &str) -> String {
        format!("{}/{path}", self.pod_ptr)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn splits_at_document_markers() {
        let text = "# head\n%YAML 1.2\n---\na: 1\n--- # two\nb: 2\n---\n---\nc: |\n  ---\n";
        let chunks = split_documents(text);
        let starts: Vec<usize> = chunks.iter().map(|(s, _)| *s).collect();
        assert_eq!(starts, vec![0, 26, 41]);
        assert_eq!(chunks[1].1, "--- # two\nb: 2\n");
        // An indented `---` inside a block scalar is content, not a marker.
        assert!(chunks[2].1.ends_with("c: |\n  ---\n"));
        let parsed = parse_chunks(text).unwrap();
        let values: Vec<String> = parsed.iter().map(|(v, _, _)| v.to_string()).collect();
        assert_eq!(
            values,
            vec![r#"{"a":1}"#, r#"{"b":2}"#, "null", r#"{"c":"---\n"}"#]
        );
    }

    #[test]
    fn positions_count_from_the_file_start() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: x, image: y}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers:\n    - name: x\n      image: y\n";
        let report = audit_manifest_text(Path::new("p.yaml"), text).unwrap();
        let lines: Vec<(String, Option<usize>)> = report
            .findings
            .iter()
            .filter(|f| f.rule == "SG-K8S-010")
            .map(|f| (f.object.clone().unwrap(), f.line))
            .collect();
        assert_eq!(
            lines,
            vec![
                ("Pod/a".to_owned(), Some(5)),
                ("Pod/b".to_owned(), Some(13))
            ]
        );
    }
}
