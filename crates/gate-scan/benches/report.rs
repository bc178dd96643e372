//! Reads a generated 100,000-finding Trivy report with `gate-scan report` and, side by
//! side, counts its severities with `jq`; prints both times, the ratio and gate-scan's
//! peak memory against the file size (goal: ≥5× faster than jq, peak < 3× the file).
//!
//! Run with `cargo bench -p gate-scan --bench report`. Peak memory is read with
//! `/usr/bin/time -v` when it is installed.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FINDINGS: usize = 100_000;
const SEVERITIES: [&str; 5] = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"];

/// A report shaped like `trivy image --format json`: 50 results of 2,000 vulnerabilities,
/// each with the fields trivy writes (description, references, CVSS, layer, data source).
fn generate(path: &Path) {
    let mut text = String::with_capacity(FINDINGS * 1_800);
    text.push_str("{\n  \"SchemaVersion\": 2,\n  \"CreatedAt\": \"2026-11-20T09:12:44Z\",\n  \"ArtifactName\": \"ghcr.io/acme/big:1.0\",\n  \"ArtifactType\": \"container_image\",\n  \"Metadata\": {\"OS\": {\"Family\": \"debian\", \"Name\": \"12.8\"}},\n  \"Results\": [\n");
    let per_result = 2_000;
    for r in 0..FINDINGS / per_result {
        if r > 0 {
            text.push_str(",\n");
        }
        write!(text, "    {{\n      \"Target\": \"ghcr.io/acme/big:1.0 (debian 12.8) part {r}\",\n      \"Class\": \"os-pkgs\",\n      \"Type\": \"debian\",\n      \"Vulnerabilities\": [\n").unwrap();
        for v in 0..per_result {
            let i = r * per_result + v;
            let sev = SEVERITIES[i % 5];
            let fixed = if i % 3 == 0 {
                String::new()
            } else {
                format!(
                    "\"FixedVersion\": \"1.{}.{}-1+deb12u1\",\n          ",
                    i % 50,
                    i % 7
                )
            };
            if v > 0 {
                text.push_str(",\n");
            }
            write!(
                text,
                "        {{\n          \"VulnerabilityID\": \"CVE-2024-{i:06}\",\n          \"PkgID\": \"libpkg{p}@1.{a}.0-1\",\n          \"PkgName\": \"libpkg{p}\",\n          \"PkgIdentifier\": {{\"PURL\": \"pkg:deb/debian/libpkg{p}@1.{a}.0-1?arch=amd64\\u0026distro=debian-12.8\", \"UID\": \"{i:016x}\"}},\n          \"InstalledVersion\": \"1.{a}.0-1\",\n          {fixed}\"Status\": \"{status}\",\n          \"Layer\": {{\"DiffID\": \"sha256:d4fc045c9e3a848011de66f34b81f052d4f2c15a17bb196d637e526349601820\"}},\n          \"SeveritySource\": \"nvd\",\n          \"PrimaryURL\": \"https://avd.aquasec.com/nvd/cve-2024-{i:06}\",\n          \"DataSource\": {{\"ID\": \"debian\", \"Name\": \"Debian Security Tracker\", \"URL\": \"https://salsa.debian.org/security-tracker-team/security-tracker\"}},\n          \"Title\": \"libpkg{p}: a \\\"quoted\\\" flaw in the parser\",\n          \"Description\": \"A flaw was found in libpkg{p}. A remote attacker could send a crafted request that makes the parser read past the end of a buffer, causing a denial of service or disclosure of memory.\\nThis affects versions before the fix.\",\n          \"Severity\": \"{sev}\",\n          \"CweIDs\": [\"CWE-125\"],\n          \"VendorSeverity\": {{\"debian\": 1, \"nvd\": {n}}},\n          \"CVSS\": {{\"nvd\": {{\"V3Vector\": \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\", \"V3Score\": 7.5}}}},\n          \"References\": [\"https://security-tracker.debian.org/tracker/CVE-2024-{i:06}\", \"https://nvd.nist.gov/vuln/detail/CVE-2024-{i:06}\"],\n          \"PublishedDate\": \"2024-04-08T14:15:07.66Z\",\n          \"LastModifiedDate\": \"2024-11-01T20:26:29.307Z\"\n        }}",
                p = i % 400,
                a = i % 13,
                status = if i % 3 == 0 { "affected" } else { "fixed" },
                n = 4 - (i % 5),
            )
            .unwrap();
        }
        text.push_str("\n      ]\n    }");
    }
    text.push_str("\n  ]\n}\n");
    std::fs::write(path, text).unwrap();
}

/// One measurement: the best wall time of 3 runs, the CPU time (user + system, from
/// `/usr/bin/time -v`) of that run, stdout, and the peak RSS in KiB.
struct Run {
    wall: Duration,
    cpu: Option<f64>,
    stdout: String,
    peak_kib: Option<u64>,
}

/// Runs a command 3 times (under `/usr/bin/time -v` when installed).
fn measure(program: &str, args: &[&str]) -> Run {
    let time = Path::new("/usr/bin/time");
    let mut best = Run {
        wall: Duration::MAX,
        cpu: None,
        stdout: String::new(),
        peak_kib: None,
    };
    for _ in 0..3 {
        let mut command = if time.is_file() {
            let mut c = Command::new(time);
            c.arg("-v").arg(program);
            c
        } else {
            Command::new(program)
        };
        command
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let start = Instant::now();
        let output = command.output().unwrap();
        let wall = start.elapsed();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let field = |name: &str| {
            stderr
                .lines()
                .find_map(|l| l.trim().strip_prefix(name))
                .map(|v| v.trim().to_owned())
        };
        let cpu = match (
            field("User time (seconds): ").and_then(|v| v.parse::<f64>().ok()),
            field("System time (seconds): ").and_then(|v| v.parse::<f64>().ok()),
        ) {
            (Some(u), Some(s)) => Some(u + s),
            _ => None,
        };
        let peak_kib = field("Maximum resident set size (kbytes): ").and_then(|v| v.parse().ok());
        if wall < best.wall {
            best = Run {
                wall,
                cpu,
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                peak_kib: peak_kib.or(best.peak_kib),
            };
        }
    }
    best
}

fn ratio(a: &Run, b: &Run) -> String {
    let wall = a.wall.as_secs_f64() / b.wall.as_secs_f64();
    match (a.cpu, b.cpu) {
        (Some(x), Some(y)) if y > 0.0 => format!("{wall:.1}x wall, {:.1}x CPU", x / y),
        _ => format!("{wall:.1}x wall"),
    }
}

fn describe(run: &Run) -> String {
    match run.cpu {
        Some(cpu) => format!("{:>7.3} s wall, {cpu:>7.3} s CPU", run.wall.as_secs_f64()),
        None => format!("{:>7.3} s wall", run.wall.as_secs_f64()),
    }
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("trivy-100k.json");
    generate(&report);
    let size = std::fs::metadata(&report).unwrap().len();
    let report = report.to_str().unwrap();
    let gate_scan = env!("CARGO_BIN_EXE_gate-scan");
    let verdict = dir.path().join("verdict.json");
    let json = measure(
        gate_scan,
        &[
            "report",
            report,
            "--fail-on",
            "none",
            "--format",
            "json",
            "--output",
            verdict.to_str().unwrap(),
        ],
    );
    let verdict: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&verdict).unwrap()).unwrap();
    let human = measure(gate_scan, &["report", report, "--fail-on", "none"]);
    let jq = measure(
        "jq",
        &[
            "-c",
            "[.Results[]?.Vulnerabilities[]?.Severity] | group_by(.) | map({(.[0]): length}) | add",
            report,
        ],
    );
    println!(
        "report: {FINDINGS} findings, {:.1} MiB",
        size as f64 / 1_048_576.0
    );
    println!(
        "jq severity count:         {}  {}",
        describe(&jq),
        jq.stdout.trim()
    );
    println!("gate-scan report:          {}", describe(&human));
    println!(
        "gate-scan report --format json (full verdict): {}  {}",
        describe(&json),
        verdict["summary"]["by_severity"]
    );
    println!(
        "speed-up vs jq (goal >= 5x): {} for the gate; {} writing the full JSON verdict",
        ratio(&jq, &human),
        ratio(&jq, &json)
    );
    for (label, run) in [
        ("gate", &human),
        ("gate + JSON verdict", &json),
        ("jq", &jq),
    ] {
        match run.peak_kib {
            Some(peak) => println!(
                "peak memory, {label}: {:.1} MiB = {:.2}x the file (goal for gate-scan < 3x)",
                peak as f64 / 1024.0,
                (peak * 1024) as f64 / size as f64
            ),
            None => println!("peak memory, {label}: /usr/bin/time is not installed"),
        }
    }
    assert_eq!(verdict["summary"]["total"], FINDINGS);
}
