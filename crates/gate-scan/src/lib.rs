//! `gate-scan` gates an image on vulnerability and configuration findings from any
//! scanner's report or offline OSV data.
//!
//! - `gate-scan report FILE...` reads Trivy JSON, Grype JSON, SARIF 2.1.0 (Trivy, Grype),
//!   CycloneDX `vulnerabilities` and osv-scanner JSON (format detected from the content),
//!   merges the same vulnerability on the same package across reports, applies the
//!   policy (threshold, only-fixed, caps, reviewed ignores with expiry, VEX, baseline) and
//!   exits 0 (pass), 1 (over policy) or 2 (an input could not be read: never a pass);
//! - `gate-scan sbom FILE --osv DIR|ZIP` matches an SBOM against an offline OSV database;
//! - `gate-scan versions compare --ecosystem E` compares versions read from stdin;
//! - `gate-scan dockerfile FILE` and `gate-scan manifests DIR` gate configuration rules.
//!
//! Outputs: a human summary on stderr, `--format json` (the verdict,
//! `schemas/verdict.v1.schema.json`), the step summary, annotations and step outputs in
//! GitHub Actions, `--sarif`, `--junit`, `--markdown`, and GitLab's container-scanning
//! report (`--gitlab-report`, or by default inside GitLab CI).
//!
//! The umbrella `shipgate scan` calls [`scan_reports`] or [`scan_sbom`] (or, with its own
//! findings, [`gate`]) with a [`GateArgs`] built from the spec's `scan:` section.

pub mod cvss;
mod error;
pub mod finding;
pub mod gate;
pub mod osv;
pub mod policy;
pub mod purl;
pub mod readers;
pub mod render;
mod time;
pub mod verdict;
pub mod version;
pub mod vex;

use std::io::BufRead;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use shipgate_core::exit::Exit;
use shipgate_core::output::{AnnotationLevel, Output};

pub use error::{Error, Result};
pub use gate::{Baseline, Entry, GateRun};
pub use policy::{FailOn, Policy, policy_schema};
pub use readers::{FormatIn, Report, read_report};
pub use verdict::{Verdict, verdict_schema};

/// Command-line arguments of `gate-scan`.
#[derive(Debug, Parser)]
#[command(
    name = "gate-scan",
    version,
    about = "shipgate's gate-scan: gates an image on vulnerability and configuration findings from any scanner's report or offline OSV data",
    after_help = Exit::help_table()
)]
pub struct Cli {
    /// What to gate.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Gate on scanner reports (Trivy, Grype, SARIF, CycloneDX, osv-scanner).
    Report(ReportArgs),
    /// Match an SBOM against an offline OSV database and gate on the result.
    Sbom(SbomArgs),
    /// Version ordering tools, for debugging OSV ranges.
    #[command(subcommand)]
    Versions(VersionsCommand),
    /// Gate a Dockerfile on the container standards.
    Dockerfile(ConfigArgs),
    /// Gate Kubernetes manifests (a file or a folder) on the workload standards.
    Manifests(ConfigArgs),
}

/// `gate-scan report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Scanner reports (JSON); several reports are merged.
    #[arg(
        required = true,
        value_name = "FILE",
        env = "SHIPGATE_REPORTS",
        hide_env_values = true,
        value_delimiter = ','
    )]
    pub files: Vec<PathBuf>,
    /// The report format; detected from the content by default.
    #[arg(
        long,
        value_enum,
        default_value_t,
        env = "SHIPGATE_FORMAT_IN",
        hide_env_values = true
    )]
    pub format_in: FormatIn,
    /// Policy and outputs.
    #[command(flatten)]
    pub gate: GateArgs,
}

/// `gate-scan sbom`.
#[derive(Debug, Clone, Args)]
pub struct SbomArgs {
    /// The SBOM (CycloneDX or SPDX JSON).
    #[arg(value_name = "FILE", env = "SHIPGATE_SBOM", hide_env_values = true)]
    pub sbom: PathBuf,
    /// The OSV database: a folder of OSV JSON records or an osv.dev `all.zip`.
    #[arg(
        long,
        value_name = "DIR|ZIP",
        env = "SHIPGATE_OSV",
        hide_env_values = true
    )]
    pub osv: PathBuf,
    /// Policy and outputs.
    #[command(flatten)]
    pub gate: GateArgs,
}

/// `gate-scan versions`.
#[derive(Debug, Subcommand)]
pub enum VersionsCommand {
    /// Read `A B` pairs on stdin; print -1, 0 or 1 per line (A < B, A = B, A > B).
    Compare {
        /// The OSV ecosystem (`Debian`, `Alpine`, `Red Hat`, `PyPI`, `npm`, `crates.io`,
        /// `Go`, `Maven`, `RubyGems`, `NuGet`).
        #[arg(long, env = "SHIPGATE_ECOSYSTEM", hide_env_values = true)]
        ecosystem: String,
    },
}

/// `gate-scan dockerfile` and `gate-scan manifests`.
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// The Dockerfile, or the manifest file or folder.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
    /// Policy and outputs.
    #[command(flatten)]
    pub gate: GateArgs,
}

/// The machine output on stdout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A summary for people on stderr, nothing on stdout.
    #[default]
    Human,
    /// The verdict as JSON (schemas/verdict.v1.schema.json).
    Json,
    /// The Markdown report.
    Markdown,
}

fn parse_fail_on(value: &str) -> std::result::Result<FailOn, String> {
    FailOn::parse(value).ok_or_else(|| {
        format!("`{value}` is not a severity (none, unknown, low, medium, high, critical)")
    })
}

/// Policy and output flags shared by every gate.
#[derive(Debug, Clone, Default, Args)]
pub struct GateArgs {
    /// Policy file (YAML: fail-on, only-fixed, max, ignore, vex).
    #[arg(
        long,
        value_name = "FILE",
        env = "SHIPGATE_POLICY",
        hide_env_values = true,
        help_heading = "Policy"
    )]
    pub policy: Option<PathBuf>,
    /// Lowest severity that fails the gate [default: high, or the policy's].
    #[arg(long, value_name = "SEVERITY", value_parser = parse_fail_on, env = "SHIPGATE_FAIL_ON", hide_env_values = true, help_heading = "Policy")]
    pub fail_on: Option<FailOn>,
    /// Only findings with a fixed version count.
    #[arg(
        long,
        env = "SHIPGATE_ONLY_FIXED",
        hide_env_values = true,
        help_heading = "Policy"
    )]
    pub only_fixed: bool,
    /// OpenVEX 0.2 or CycloneDX VEX document (repeatable).
    #[arg(
        long,
        value_name = "FILE",
        env = "SHIPGATE_VEX",
        hide_env_values = true,
        value_delimiter = ',',
        help_heading = "Policy"
    )]
    pub vex: Vec<PathBuf>,
    /// A previous JSON verdict: only findings not in it count (new since main).
    #[arg(
        long,
        value_name = "VERDICT.json",
        env = "SHIPGATE_BASELINE",
        hide_env_values = true,
        help_heading = "Policy"
    )]
    pub baseline: Option<PathBuf>,
    /// Machine output on stdout.
    #[arg(
        long,
        value_enum,
        default_value_t,
        env = "SHIPGATE_FORMAT",
        hide_env_values = true,
        help_heading = "Output"
    )]
    pub format: Format,
    /// Write the --format output to FILE instead of stdout.
    #[arg(
        long,
        value_name = "FILE",
        env = "SHIPGATE_OUTPUT",
        hide_env_values = true,
        help_heading = "Output"
    )]
    pub output: Option<PathBuf>,
    /// Write SARIF 2.1.0 (split into FILE, FILE.2.sarif, … to fit GitHub's limits).
    #[arg(
        long,
        value_name = "FILE",
        env = "SHIPGATE_SARIF",
        hide_env_values = true,
        help_heading = "Output"
    )]
    pub sarif: Option<PathBuf>,
    /// Write JUnit XML.
    #[arg(
        long,
        value_name = "FILE",
        env = "SHIPGATE_JUNIT",
        hide_env_values = true,
        help_heading = "Output"
    )]
    pub junit: Option<PathBuf>,
    /// Write the Markdown report.
    #[arg(
        long,
        value_name = "FILE",
        env = "SHIPGATE_MARKDOWN",
        hide_env_values = true,
        help_heading = "Output"
    )]
    pub markdown: Option<PathBuf>,
    /// Write GitLab's container-scanning report [default inside GitLab CI:
    /// gl-container-scanning-report.json].
    #[arg(
        long,
        value_name = "FILE",
        env = "SHIPGATE_GITLAB_REPORT",
        hide_env_values = true,
        help_heading = "Output"
    )]
    pub gitlab_report: Option<PathBuf>,
    /// The dotenv report step outputs go to inside GitLab CI.
    #[arg(
        long,
        value_name = "FILE",
        env = "SHIPGATE_DOTENV",
        hide_env_values = true,
        help_heading = "Output"
    )]
    pub dotenv: Option<PathBuf>,
}

/// Runs `gate-scan` with parsed arguments.
pub fn run(cli: Cli) -> Result<Exit> {
    let gate_args = match &cli.command {
        Command::Report(a) => Some(&a.gate),
        Command::Sbom(a) => Some(&a.gate),
        Command::Dockerfile(a) | Command::Manifests(a) => Some(&a.gate),
        Command::Versions(_) => None,
    };
    let out = Output::from_env();
    let out = match gate_args {
        Some(g) => out.with_dotenv(g.dotenv.clone()),
        None => out,
    };
    run_with(cli, &out, &mut std::io::stdin().lock())
}

/// Runs `gate-scan` writing through `out`, reading `versions compare` pairs from `stdin`.
pub fn run_with(cli: Cli, out: &Output, stdin: &mut dyn BufRead) -> Result<Exit> {
    match cli.command {
        Command::Report(args) => scan_reports(&args.files, args.format_in, &args.gate, out),
        Command::Sbom(args) => scan_sbom(&args.sbom, &args.osv, &args.gate, out),
        Command::Versions(VersionsCommand::Compare { ecosystem }) => {
            compare_versions(&ecosystem, stdin, out)
        }
        Command::Dockerfile(args) => {
            let start = time::now();
            let findings = shipgate_audit::dockerfile::audit_file(&args.path)?;
            let run = config_run("dockerfile", &args.path, findings)?;
            gate(run, &args.gate, out, start)
        }
        Command::Manifests(args) => {
            let start = time::now();
            let findings = shipgate_audit::kubernetes::audit_path(&args.path)?;
            let run = config_run("manifests", &args.path, findings)?;
            gate(run, &args.gate, out, start)
        }
    }
}

/// Gates scanner reports (what `gate-scan report` and `shipgate scan` run): reads each
/// report, decides under `gate`'s policy and writes every output. Returns exit 0 or 1;
/// an unreadable input is an error (exit 2).
pub fn scan_reports(
    files: &[PathBuf],
    format_in: FormatIn,
    gate_args: &GateArgs,
    out: &Output,
) -> Result<Exit> {
    let start = time::now();
    let mut run = GateRun {
        kind: "vulnerabilities".to_owned(),
        ..GateRun::default()
    };
    for path in files {
        let report = read_report(path, format_in)?;
        run.inputs.push(report_input(path, &report));
        run.findings
            .push(report.findings.into_iter().map(Entry::from).collect());
    }
    gate(run, gate_args, out, start)
}

/// Everything one combined gate reads: what `shipgate scan` assembles from the spec.
#[derive(Debug, Clone, Default)]
pub struct ScanInputs {
    /// Scanner reports (Trivy, Grype, SARIF, CycloneDX, osv-scanner).
    pub reports: Vec<PathBuf>,
    /// How to read the reports.
    pub format_in: FormatIn,
    /// An SBOM and the offline OSV database to match it against.
    pub sbom: Option<(PathBuf, PathBuf)>,
    /// A Dockerfile to audit.
    pub dockerfile: Option<PathBuf>,
    /// Kubernetes manifests (a file or a folder) to audit.
    pub manifests: Option<PathBuf>,
}

/// Gates every input of `inputs` in one verdict: findings of all reports are merged as
/// `gate-scan report` merges them, and configuration findings are counted beside them.
/// Nothing to read is a usage error (exit 2), never a pass.
pub fn scan_inputs(inputs: &ScanInputs, gate_args: &GateArgs, out: &Output) -> Result<Exit> {
    let start = time::now();
    let mut run = GateRun {
        kind: "vulnerabilities".to_owned(),
        ..GateRun::default()
    };
    for path in &inputs.reports {
        let report = read_report(path, inputs.format_in)?;
        run.inputs.push(report_input(path, &report));
        run.findings
            .push(report.findings.into_iter().map(Entry::from).collect());
    }
    if let Some((sbom, database)) = &inputs.sbom {
        absorb(&mut run, sbom_run(sbom, database)?);
    }
    if let Some(path) = &inputs.dockerfile {
        let findings = shipgate_audit::dockerfile::audit_file(path)?;
        absorb(&mut run, config_run("dockerfile", path, findings)?);
    }
    if let Some(path) = &inputs.manifests {
        let findings = shipgate_audit::kubernetes::audit_path(path)?;
        absorb(&mut run, config_run("manifests", path, findings)?);
    }
    if run.inputs.is_empty() {
        return Err(Error::Usage {
            name: "inputs",
            value: String::new(),
            message: "nothing to scan: give a report, an SBOM with an OSV database, a Dockerfile or manifests".to_owned(),
        });
    }
    gate(run, gate_args, out, start)
}

/// Adds another run's inputs and findings to `run`.
fn absorb(run: &mut GateRun, other: GateRun) {
    run.inputs.extend(other.inputs);
    run.findings.extend(other.findings);
}

/// The verdict's record of one scanner report.
fn report_input(path: &Path, report: &Report) -> verdict::Input {
    verdict::Input {
        role: "report".to_owned(),
        path: path.display().to_string(),
        sha256: Some(report.sha256.clone()),
        format: Some(report.format.to_owned()),
        tool: Some(report.tool.clone()),
        tool_version: report.tool_version.clone(),
        target: Some(report.target.clone()).filter(|t| !t.is_empty()),
        findings: Some(report.findings.len()),
        notes: report.notes.clone(),
    }
}

/// Gates an SBOM matched against an offline OSV database (what `gate-scan sbom` and
/// `shipgate scan` on the build's SBOM run).
pub fn scan_sbom(sbom: &Path, database: &Path, gate_args: &GateArgs, out: &Output) -> Result<Exit> {
    let start = time::now();
    let run = sbom_run(sbom, database)?;
    gate(run, gate_args, out, start)
}

fn digest_input(role: &str, path: &Path) -> Result<verdict::Input> {
    let sha256 = if path.is_dir() {
        None
    } else {
        let bytes = fs_err::read(path).map_err(|source| Error::Read {
            what: "input",
            path: path.to_owned(),
            source,
        })?;
        Some(readers::sha256_hex(&bytes))
    };
    Ok(verdict::Input {
        role: role.to_owned(),
        path: path.display().to_string(),
        sha256,
        format: None,
        tool: None,
        tool_version: None,
        target: None,
        findings: None,
        notes: Vec::new(),
    })
}

/// Turns configuration findings into a gate run.
pub fn config_run(
    kind: &str,
    path: &Path,
    findings: Vec<shipgate_audit::AuditFinding>,
) -> Result<GateRun> {
    let mut input = digest_input(kind, path)?;
    input.findings = Some(findings.len());
    input.tool = Some("shipgate-audit".to_owned());
    let entries = findings
        .into_iter()
        .map(|a| {
            let file = a.file.display().to_string();
            Entry {
                finding: finding::Finding {
                    id: a.rule.to_owned(),
                    aliases: Vec::new(),
                    severity: a.severity,
                    cvss: Vec::new(),
                    package: finding::PackageRef {
                        name: a.object.clone().unwrap_or_else(|| file.clone()),
                        version: String::new(),
                        purl: None,
                        kind: Some("config".to_owned()),
                        location: Some(file.clone()),
                    },
                    fixed_versions: Vec::new(),
                    // A configuration problem can always be fixed.
                    fix_state: finding::FixState::Fixed,
                    source_tool: "shipgate-audit".to_owned(),
                    target: file,
                    title: Some(match &a.field {
                        Some(field) => format!("{} ({field})", a.message),
                        None => a.message.clone(),
                    }),
                    url: None,
                },
                line: a.line,
                hint: Some(a.hint),
            }
        })
        .collect();
    Ok(GateRun {
        kind: kind.to_owned(),
        findings: vec![entries],
        inputs: vec![input],
    })
}

fn sbom_run(sbom: &Path, database: &Path) -> Result<GateRun> {
    let mut sbom_input = digest_input("sbom", sbom)?;
    let db_input = digest_input("osv-database", database)?;
    let report = native::match_sbom(sbom, database)?;
    sbom_input.findings = Some(report.0.len());
    sbom_input.tool = Some("gate-scan".to_owned());
    sbom_input.notes = report.1;
    Ok(GateRun {
        kind: "vulnerabilities".to_owned(),
        findings: vec![report.0.into_iter().map(Entry::from).collect()],
        inputs: vec![sbom_input, db_input],
    })
}

mod native {
    //! The bridge to the native OSV matcher.
    use std::path::Path;

    use crate::error::Result;
    use crate::finding::Finding;

    /// Findings and notes of matching `sbom` against `database`.
    pub(crate) fn match_sbom(sbom: &Path, database: &Path) -> Result<(Vec<Finding>, Vec<String>)> {
        let report = crate::osv::match_sbom(sbom, database)?;
        let mut notes = vec![format!(
            "{} OSV records read ({} invalid); {} of {} components with a package URL looked up; {} GIT ranges skipped",
            report.records_read,
            report.bad_records,
            report.components_checked,
            report.components_read,
            report.git_ranges_skipped
        )];
        notes.extend(report.warnings);
        Ok((report.findings, notes))
    }

    /// Compares two versions of an ecosystem.
    pub(crate) fn compare(
        ecosystem: &str,
        a: &str,
        b: &str,
    ) -> std::result::Result<std::cmp::Ordering, String> {
        crate::version::compare(ecosystem, a, b).map_err(|e| e.to_string())
    }
}

fn compare_versions(ecosystem: &str, stdin: &mut dyn BufRead, out: &Output) -> Result<Exit> {
    let mut text = String::new();
    for (i, line) in stdin.lines().enumerate() {
        let line = line.map_err(|source| Error::Read {
            what: "standard input",
            path: PathBuf::from("-"),
            source,
        })?;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let mut parts = trimmed.split_whitespace();
        let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(Error::VersionInput {
                line: i + 1,
                message: format!("expected two versions `A B`, found `{trimmed}`"),
            });
        };
        let ordering = native::compare(ecosystem, a, b).map_err(|message| Error::VersionInput {
            line: i + 1,
            message,
        })?;
        text.push_str(match ordering {
            std::cmp::Ordering::Less => "-1\n",
            std::cmp::Ordering::Equal => "0\n",
            std::cmp::Ordering::Greater => "1\n",
        });
    }
    out.stdout(&text);
    Ok(Exit::Pass)
}

/// Builds the policy from a policy file and flags (flags win).
pub fn build_policy(args: &GateArgs) -> Result<Policy> {
    let mut policy = Policy::default();
    if let Some(path) = &args.policy {
        policy.merge_file(policy::load(path)?, policy::today());
    }
    if let Some(fail_on) = args.fail_on {
        policy.fail_on = fail_on;
    }
    if args.only_fixed {
        policy.only_fixed = true;
    }
    policy.vex.extend(args.vex.iter().cloned());
    Ok(policy)
}

/// Decides a gate run under the policy and flags of `args`, writes every output and
/// returns the verdict's exit code (0 pass, 1 over policy). This is the library entry
/// point `shipgate scan` calls.
pub fn gate(mut run: GateRun, args: &GateArgs, out: &Output, start: i64) -> Result<Exit> {
    let verdict = decide(&mut run, args)?;
    write_outputs(&verdict, args, out, start)?;
    Ok(if verdict.passed() {
        Exit::Pass
    } else {
        Exit::GateFailed
    })
}

/// Decides a gate run without writing anything.
pub fn decide(run: &mut GateRun, args: &GateArgs) -> Result<Verdict> {
    let policy = build_policy(args)?;
    if let Some(path) = &policy.file {
        run.inputs.push(digest_input("policy", path)?);
    }
    let vex = vex::VexSet::load(&policy.vex)?;
    for (path, sha256) in &vex.documents {
        let mut input = digest_input("vex", path)?;
        input.sha256 = Some(sha256.clone());
        run.inputs.push(input);
    }
    let baseline = match &args.baseline {
        Some(path) => {
            let (baseline, sha256) = Baseline::load(path)?;
            let mut input = digest_input("baseline", path)?;
            input.sha256 = Some(sha256);
            run.inputs.push(input);
            Some(baseline)
        }
        None => None,
    };
    Ok(gate::decide(
        std::mem::take(run),
        &policy,
        &vex,
        baseline.as_ref(),
    ))
}

fn write_file(what: &'static str, path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs_err::create_dir_all(parent).map_err(|source| Error::Write {
            what,
            path: path.to_owned(),
            source,
        })?;
    }
    fs_err::write(path, text).map_err(|source| Error::Write {
        what,
        path: path.to_owned(),
        source,
    })
}

/// Streams the verdict into a file (no intermediate string for large verdicts).
fn write_json_file(path: &Path, verdict: &Verdict) -> Result<()> {
    use std::io::Write as _;
    let error = |source| Error::Write {
        what: "the --output file",
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs_err::create_dir_all(parent).map_err(error)?;
    }
    let file = fs_err::File::create(path).map_err(error)?;
    let mut writer = std::io::BufWriter::new(file);
    serde_json::to_writer_pretty(&mut writer, verdict).map_err(|e| error(e.into()))?;
    writer.write_all(b"\n").map_err(error)?;
    writer.flush().map_err(error)
}

/// Writes the verdict everywhere `args` and the CI environment ask for.
pub fn write_outputs(verdict: &Verdict, args: &GateArgs, out: &Output, start: i64) -> Result<()> {
    out.human(render::human(verdict).trim_end());
    let wants_markdown = args.format == Format::Markdown
        || args.markdown.is_some()
        || out.env().step_summary.is_some();
    let markdown = if wants_markdown {
        render::markdown::render(verdict, render::markdown::MARKDOWN_LIMIT)
    } else {
        String::new()
    };
    match args.format {
        Format::Human => {}
        Format::Json => {
            // Serialized straight from the verdict: a `Value` tree of 100,000 findings
            // would cost several times the report's size.
            match &args.output {
                Some(path) => write_json_file(path, verdict)?,
                None => {
                    let mut text = serde_json::to_string_pretty(verdict).unwrap_or_default();
                    text.push('\n');
                    out.stdout(&text);
                }
            }
        }
        Format::Markdown => match &args.output {
            Some(path) => write_file("the --output file", path, &markdown)?,
            None => out.stdout(&markdown),
        },
    }
    if !markdown.is_empty() {
        out.summary(&markdown)?;
    }
    if let Some(path) = &args.markdown {
        write_file("the Markdown report", path, &markdown)?;
    }
    let mut sarif_files = Vec::new();
    if let Some(first) = &args.sarif {
        for (path, text) in render::sarif::render(verdict, first) {
            write_file("the SARIF report", &path, &text)?;
            sarif_files.push(path.display().to_string());
        }
    }
    if let Some(path) = &args.junit {
        write_file("the JUnit report", path, &render::junit::render(verdict))?;
    }
    let gitlab = args.gitlab_report.clone().or_else(|| {
        (out.env().gitlab_ci && verdict.kind == "vulnerabilities")
            .then(|| PathBuf::from(render::gitlab::DEFAULT_FILE))
    });
    if let Some(path) = &gitlab {
        write_file(
            "the GitLab container-scanning report",
            path,
            &render::gitlab::render(verdict, start, time::now()),
        )?;
    }
    for f in verdict.findings.iter().filter(|f| f.failing) {
        let (file, line) = if f.package.kind.as_deref() == Some("config") {
            (f.package.location.as_deref(), f.line)
        } else {
            (None, None)
        };
        out.annotate(
            AnnotationLevel::Error,
            &render::one_line(f),
            file,
            line,
            None,
            Some(&format!("gate-scan: {} {}", f.severity, f.id)),
        );
    }
    for e in &verdict.expired_ignores {
        out.annotate(
            AnnotationLevel::Warning,
            &format!(
                "the ignore of {} expired on {} and no longer suppresses {} finding(s): {}",
                e.id, e.expires, e.matched, e.reason
            ),
            None,
            None,
            None,
            Some("gate-scan: expired ignore"),
        );
    }
    let s = &verdict.summary;
    let outputs = [
        ("result", verdict.result.clone()),
        ("findings", s.total.to_string()),
        ("failing", s.failing.to_string()),
        ("critical", s.by_severity.critical.to_string()),
        ("high", s.by_severity.high.to_string()),
        ("medium", s.by_severity.medium.to_string()),
        ("low", s.by_severity.low.to_string()),
        ("unknown", s.by_severity.unknown.to_string()),
        ("fixable", s.fixable.to_string()),
        ("suppressed", s.suppressed.to_string()),
        ("sarif", sarif_files.join("\n")),
    ];
    for (name, value) in outputs {
        out.set_output(name, &value)?;
    }
    Ok(())
}
