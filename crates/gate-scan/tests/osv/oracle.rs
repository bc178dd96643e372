//! Version ordering against the real tools on thousands of generated pairs.
//!
//! Each oracle must agree on every pair; in CI a missing tool fails the test.

use std::io::Write;
use std::process::{Command, Stdio};

use gate_scan::version::compare;
use test_support::{in_ci, require_tool};

use crate::{Rng, sign};

/// Our answer for a pair: `-1`/`0`/`1`, or `invalid` when either side is rejected.
fn ours(ecosystem: &str, a: &str, b: &str) -> String {
    match compare(ecosystem, a, b) {
        Ok(o) => sign(o).to_owned(),
        Err(_) => "invalid".to_owned(),
    }
}

fn run_with_stdin(mut command: Command, input: &str) -> String {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn assert_agree(name: &str, ecosystem: &str, pairs: &[(String, String)], answers: &[String]) {
    assert_eq!(
        pairs.len(),
        answers.len(),
        "{name}: oracle answered a different count"
    );
    let mut disagreements = Vec::new();
    for ((a, b), theirs) in pairs.iter().zip(answers) {
        let mine = ours(ecosystem, a, b);
        if &mine != theirs {
            disagreements.push(format!("{a} vs {b}: {name} says {theirs}, we say {mine}"));
        }
    }
    let distinct: std::collections::BTreeSet<&String> = answers.iter().collect();
    eprintln!(
        "{name}: {} pairs, {} disagreements, answers seen: {distinct:?}",
        pairs.len(),
        disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} of {} pairs disagree with {name}:\n{}",
        disagreements.len(),
        pairs.len(),
        disagreements[..disagreements.len().min(40)].join("\n")
    );
}

/// Pairs drawn from a pool, half of them between a version and a small mutation of it.
fn pairs_from(pool: &[String], rng: &mut Rng, count: usize) -> Vec<(String, String)> {
    let mut pairs = Vec::with_capacity(count);
    for i in 0..count {
        let a = pool[rng.below(pool.len())].clone();
        let b = if i % 4 == 0 {
            a.clone()
        } else {
            pool[rng.below(pool.len())].clone()
        };
        pairs.push((a, b));
    }
    pairs
}

fn dpkg_pool(rng: &mut Rng, size: usize) -> Vec<String> {
    let epochs = ["", "", "", "0:", "1:", "2:", "10:"];
    let firsts = ["0", "1", "2", "9", "10", "01", "1.0", "1.2", "2.30"];
    let tokens = [
        "",
        ".",
        ".0",
        ".1",
        ".00",
        ".10",
        "a",
        "b",
        "z",
        "A",
        "Z",
        "~",
        "~~",
        "~rc1",
        "~a",
        "~beta2",
        "+",
        "+b1",
        "+dfsg",
        "+really1.2",
        "git20240101",
        ".a",
        "-",
        "0",
        "1",
        "9",
        "p1",
        ":",
        "~0",
        "+~",
    ];
    let revisions = [
        "",
        "",
        "-0",
        "-1",
        "-2",
        "-10",
        "-1ubuntu1",
        "-1ubuntu0.22.04.1",
        "-1+deb12u1",
        "-1~bpo12+1",
        "-0.1",
        "-1.1",
        "-1~",
        "-a",
        "-1+b2",
        "-01",
        "-1.0~rc1",
    ];
    let mut pool = Vec::with_capacity(size);
    while pool.len() < size {
        let epoch = rng.pick(&epochs);
        let mut upstream = rng.pick(&firsts).to_owned();
        for _ in 0..rng.below(4) {
            upstream.push_str(rng.pick(&tokens));
        }
        let revision = rng.pick(&revisions);
        // `-` inside the upstream version needs a revision; `:` needs an epoch.
        if (upstream.contains('-') && revision.is_empty())
            || (upstream.contains(':') && epoch.is_empty())
        {
            continue;
        }
        pool.push(format!("{epoch}{upstream}{revision}"));
    }
    pool
}

#[test]
fn dpkg_agrees_with_dpkg_compare_versions() {
    let Some(dpkg) = require_tool("dpkg") else {
        return;
    };
    let mut rng = Rng::new(0x6470_6b67);
    let pool = dpkg_pool(&mut rng, 600);
    let pairs = pairs_from(&pool, &mut rng, 3000);
    // One shell runs every comparison (dpkg answers through its exit status).
    let mut script = String::new();
    for (a, b) in &pairs {
        script.push_str(&format!(
            "if {d} --compare-versions '{a}' lt '{b}' 2>/dev/null; then echo -1; elif {d} --compare-versions '{a}' eq '{b}' 2>/dev/null; then echo 0; else echo 1; fi\n",
            d = dpkg.display()
        ));
    }
    let out = run_with_stdin(
        {
            let mut c = Command::new("sh");
            c.arg("-s");
            c
        },
        &script,
    );
    let answers: Vec<String> = out.lines().map(str::to_owned).collect();
    // Every generated version is valid for dpkg, so no `invalid` is expected from us.
    assert_agree("dpkg", "Debian", &pairs, &answers);
    assert_agree("dpkg", "Ubuntu:22.04:LTS", &pairs, &answers);
}

fn pep440_pool(rng: &mut Rng, size: usize) -> Vec<String> {
    let prefixes = ["", "", "", "v", "V", " "];
    let epochs = ["", "", "", "", "0!", "1!", "2!", "01!", "10!"];
    let releases = [
        "0", "1", "1.0", "1.0.0", "1.0.0.0", "01", "1.00", "1.1", "1.10", "1.2.3", "2", "2.0",
        "10.0", "1.0.1", "0.9", "1.01",
    ];
    let pres = [
        "", "", "", "a1", "a", "alpha1", "b2", "beta", "rc1", "RC1", "c1", "pre2", "preview1",
        "-rc.3", ".beta0", "_a_1", "a01", "rc", "b10",
    ];
    let posts = [
        "", "", "", ".post1", "-1", "post", "_r2", ".rev3", "-post0", "post2", ".post", "-r", "-10",
    ];
    let devs = [
        "", "", "", ".dev0", ".dev", "dev1", "-dev2", "_dev_3", ".DEV4",
    ];
    let locals = [
        "", "", "", "", "+ubuntu1", "+1", "+abc.1", "+1.abc", "+a-b_c", "+0", "+01", "+ABC",
        "+1.2", "+1.10", "+a",
    ];
    let broken = [
        "1.0+",
        "1..0",
        "a1",
        "1.0-",
        "1.0.a.b",
        "1.0_",
        "",
        "1!",
        "1.0+a..b",
        "1.0a1b1",
        "1.0 0",
        "1.0dev1post1",
    ];
    let mut pool = Vec::with_capacity(size);
    while pool.len() < size {
        if rng.below(40) == 0 {
            pool.push(rng.pick(&broken).to_owned());
            continue;
        }
        pool.push(format!(
            "{}{}{}{}{}{}{}",
            rng.pick(&prefixes),
            rng.pick(&epochs),
            rng.pick(&releases),
            rng.pick(&pres),
            rng.pick(&posts),
            rng.pick(&devs),
            rng.pick(&locals)
        ));
    }
    pool
}

const PACKAGING_SCRIPT: &str = r#"
import sys
from packaging.version import Version, InvalidVersion
for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    try:
        va, vb = Version(a), Version(b)
    except InvalidVersion:
        print("invalid")
        continue
    print(-1 if va < vb else (0 if va == vb else 1))
"#;

fn python_with(module: &str) -> Option<String> {
    for python in ["python3", "python"] {
        let ok = Command::new(python)
            .args(["-c", &format!("import {module}")])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(python.to_owned());
        }
    }
    assert!(
        !in_ci(),
        "Python module `{module}` is missing; .ci/run must `pip install` it"
    );
    eprintln!("skipping: Python module `{module}` is not installed (CI installs it)");
    None
}

#[test]
fn pep440_agrees_with_python_packaging() {
    let Some(python) = python_with("packaging") else {
        return;
    };
    let mut rng = Rng::new(0x7065_7034);
    let pool = pep440_pool(&mut rng, 1500);
    let pairs = pairs_from(&pool, &mut rng, 6000);
    let input: String = pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
    let mut command = Command::new(python);
    command.args(["-c", PACKAGING_SCRIPT]);
    let answers: Vec<String> = run_with_stdin(command, &input)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_agree("packaging", "PyPI", &pairs, &answers);
}

fn rpm_pool(rng: &mut Rng, size: usize) -> Vec<String> {
    let epochs = ["", "", "", "0:", "1:", "2:", "10:"];
    let versions = [
        "1", "1.0", "1.0.1", "2", "1a", "1.a", "1~rc1", "1^git1", "1.0~beta", "01", "1_2", "1+2",
        "1.0a", "1.0.0", "10", "1.01", "1.0^", "1.0~", "2.a.1", "1.b", "1.A", "1..0", "1.0~~",
        "1^", "1^1~1", "a", "1.0z", "1.0.a1",
    ];
    let releases = [
        "", "", "-1", "-1.el9", "-2.el9_1", "-1.fc38", "-0.1.rc1", "-1~", "-1^1", "-10.el8",
        "-1.el9.1", "-01", "-1a",
    ];
    let mut pool = Vec::with_capacity(size);
    while pool.len() < size {
        pool.push(format!(
            "{}{}{}",
            rng.pick(&epochs),
            rng.pick(&versions),
            rng.pick(&releases)
        ));
    }
    pool
}

#[test]
fn rpm_agrees_with_rpm_vercmp() {
    let Some(rpm) = require_tool("rpm") else {
        return;
    };
    let mut rng = Rng::new(0x0072_706d);
    let pool = rpm_pool(&mut rng, 500);
    let pairs = pairs_from(&pool, &mut rng, 3000);
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("pairs");
    let text: String = pairs.iter().map(|(a, b)| format!("{a} {b}\n")).collect();
    std::fs::write(&list, text).unwrap();
    let lua = format!(
        "%{{lua: local out = {{}}; for line in io.lines('{}') do local a, b = line:match('(%S+) (%S+)'); out[#out + 1] = tostring(rpm.vercmp(a, b)) end; print(table.concat(out, ','))}}",
        list.display()
    );
    let output = Command::new(rpm).args(["--eval", &lua]).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answers: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .trim()
        .split(',')
        .map(str::to_owned)
        .collect();
    assert_agree("rpm", "Red Hat", &pairs, &answers);
    assert_agree("rpm", "Rocky Linux:9", &pairs, &answers);
}

fn semver_pool(rng: &mut Rng, size: usize) -> Vec<String> {
    let cores = [
        "0.0.0",
        "0.0.1",
        "0.1.0",
        "1.0.0",
        "1.0.1",
        "1.1.0",
        "1.2.3",
        "2.0.0",
        "10.0.0",
        "1.10.0",
        "1.2.10",
        "999.999.999",
    ];
    let pres = [
        "",
        "",
        "",
        "-alpha",
        "-alpha.1",
        "-alpha.beta",
        "-beta",
        "-beta.2",
        "-beta.11",
        "-rc.1",
        "-0",
        "-1",
        "-10",
        "-alpha.0",
        "-a-b",
        "-x.7.z.92",
        "-ALPHA",
        "-alpha.1.2",
        "-0a",
        "-1-0",
    ];
    let builds = ["", "", "", "+build.1", "+001", "+exp.sha.5114f85", "+x"];
    let broken = [
        "1.0",
        "1",
        "01.0.0",
        "1.0.0-01",
        "1.0.0-",
        "1.0.0+",
        "a.b.c",
        "1.0.0-a..b",
    ];
    let prefixes = ["", "", "", "", "v", "="];
    let mut pool = Vec::with_capacity(size);
    while pool.len() < size {
        if rng.below(40) == 0 {
            pool.push(rng.pick(&broken).to_owned());
            continue;
        }
        pool.push(format!(
            "{}{}{}{}",
            rng.pick(&prefixes),
            rng.pick(&cores),
            rng.pick(&pres),
            rng.pick(&builds)
        ));
    }
    pool
}

const SEMVER_SCRIPT: &str = r#"
const semver = require("semver");
const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
const out = [];
for (const line of lines) {
  const [a, b] = line.split("\t");
  if (semver.valid(a) === null || semver.valid(b) === null) { out.push("invalid"); continue; }
  out.push(String(semver.compare(a, b)));
}
process.stdout.write(out.join("\n") + "\n");
"#;

#[test]
fn semver_agrees_with_node_semver() {
    let Some(node) = require_tool("node") else {
        return;
    };
    // The `semver` package installed globally (`npm install -g semver`).
    let root = Command::new("npm")
        .args(["root", "-g"])
        .stderr(Stdio::null())
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    if !std::path::Path::new(&root).join("semver").is_dir() {
        assert!(
            !in_ci(),
            "node's `semver` package is missing; .ci/run must `npm install -g semver`"
        );
        eprintln!("skipping: node's `semver` package is not installed globally");
        return;
    }
    let mut rng = Rng::new(0x0073_656d);
    let pool = semver_pool(&mut rng, 800);
    let pairs = pairs_from(&pool, &mut rng, 4000);
    let input: String = pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
    let mut command = Command::new(node);
    command.env("NODE_PATH", &root).args(["-e", SEMVER_SCRIPT]);
    let answers: Vec<String> = run_with_stdin(command, &input)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_agree("node semver", "npm", &pairs, &answers);
    assert_agree("node semver", "SEMVER", &pairs, &answers);
}

fn rubygems_pool(rng: &mut Rng, size: usize) -> Vec<String> {
    let firsts = ["0", "1", "2", "10", "01", "1.0", "1.2.3", "0.0", "3.2.1"];
    let tokens = [
        "", ".0", ".1", ".10", ".00", ".a", ".b", ".beta", ".rc1", ".pre", ".alpha.2", "a", "b2",
        "rc", ".A", ".Z9", "-rc1", "-beta.2", "-pre-1", ".0.a", ".1.0.0", "-1",
    ];
    let broken = ["junk", "1..2", "1.2 3.4", "-1", "1.", ".1", "1-", "a1"];
    let mut pool = Vec::with_capacity(size);
    while pool.len() < size {
        if rng.below(40) == 0 {
            pool.push(rng.pick(&broken).to_owned());
            continue;
        }
        let mut v = rng.pick(&firsts).to_owned();
        for _ in 0..rng.below(3) {
            v.push_str(rng.pick(&tokens));
        }
        // A `-` pre-release may only come once, at the end.
        if v.matches('-').count() > 1 {
            continue;
        }
        pool.push(v);
    }
    pool
}

const RUBYGEMS_SCRIPT: &str = r#"
STDIN.each_line do |line|
  a, b = line.chomp.split("\t", -1)
  begin
    puts(Gem::Version.new(a) <=> Gem::Version.new(b))
  rescue ArgumentError
    puts "invalid"
  end
end
"#;

#[test]
fn rubygems_agrees_with_gem_version() {
    let Some(ruby) = require_tool("ruby") else {
        return;
    };
    let mut rng = Rng::new(0x6765_6d73);
    let pool = rubygems_pool(&mut rng, 600);
    let pairs = pairs_from(&pool, &mut rng, 3000);
    let input: String = pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
    let mut command = Command::new(ruby);
    command.args(["-e", RUBYGEMS_SCRIPT]);
    let answers: Vec<String> = run_with_stdin(command, &input)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_agree("Gem::Version", "RubyGems", &pairs, &answers);
}

fn packagist_pool(rng: &mut Rng, size: usize) -> Vec<String> {
    let cores = [
        "0", "1", "1.0", "1.0.0", "1.0.0.0", "2.1", "10", "01", "1.2.3", "1.10", "0.9",
    ];
    let suffixes = [
        "",
        "",
        "",
        "-dev",
        "-alpha",
        "-alpha1",
        "a2",
        "-beta.3",
        "b",
        "-RC1",
        "rc2",
        "-pl1",
        "p",
        "-patch1",
        "-foo",
        "+build",
        "_1",
        ".x",
        "-dev-master",
        "-beta-2",
        "-stable",
        ".1",
        "..2",
        "-",
        "RC",
        "dev",
        "#1",
    ];
    let mut pool = Vec::with_capacity(size);
    while pool.len() < size {
        let mut v = rng.pick(&cores).to_owned();
        for _ in 0..rng.below(3) {
            v.push_str(rng.pick(&suffixes));
        }
        pool.push(v);
    }
    pool
}

const PHP_SCRIPT: &str = r#"
while (($line = fgets(STDIN)) !== false) {
    [$a, $b] = explode("\t", rtrim($line, "\n"));
    echo version_compare($a, $b), "\n";
}
"#;

#[test]
fn packagist_agrees_with_php_version_compare() {
    let Some(php) = require_tool("php") else {
        return;
    };
    let mut rng = Rng::new(0x0070_6870);
    let pool = packagist_pool(&mut rng, 600);
    let pairs = pairs_from(&pool, &mut rng, 3000);
    let input: String = pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
    let mut command = Command::new(php);
    command.args(["-r", PHP_SCRIPT]);
    let answers: Vec<String> = run_with_stdin(command, &input)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_agree("PHP version_compare", "Packagist", &pairs, &answers);
}
