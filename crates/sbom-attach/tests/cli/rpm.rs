//! The rpm cataloger on a real rpm ≥ 4.16 sqlite database, written by `rpm` itself from a
//! package `rpmbuild` made, compared with syft on the same folder.

use std::path::Path;
use std::process::Command;

use test_support::{require_tool, scrubbed};

use crate::common::run;

const SPEC: &str = "Name: hello-shipgate
Version: 1.2.3
Release: 4.el9
Epoch: 2
Summary: test package
License: MIT and ASL 2.0
BuildArch: x86_64
Requires: bash
%description
test package
%install
mkdir -p %{buildroot}/usr/bin
echo hi > %{buildroot}/usr/bin/hello-shipgate
%files
/usr/bin/hello-shipgate
";

fn success(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A root filesystem with an RHEL os-release and an rpm sqlite database holding one
/// package.
fn rpm_root(dir: &Path) -> Option<std::path::PathBuf> {
    let rpm = require_tool("rpm")?;
    let rpmbuild = require_tool("rpmbuild")?;
    let top = dir.join("rpmbuild");
    fs_err::create_dir_all(top.join("SPECS")).unwrap();
    fs_err::write(top.join("SPECS/hello.spec"), SPEC).unwrap();
    success(
        scrubbed(&rpmbuild)
            .args(["--quiet", "--define"])
            .arg(format!("_topdir {}", top.display()))
            .arg("-bb")
            .arg(top.join("SPECS/hello.spec")),
    );
    let root = dir.join("root");
    let db = root.join("var/lib/rpm");
    fs_err::create_dir_all(&db).unwrap();
    fs_err::create_dir_all(root.join("etc")).unwrap();
    fs_err::write(
        root.join("etc/os-release"),
        "NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"9.4\"\n",
    )
    .unwrap();
    let define = ["--define", "_db_backend sqlite", "--dbpath"];
    success(scrubbed(&rpm).args(define).arg(&db).arg("--initdb"));
    success(
        scrubbed(&rpm)
            .args(define)
            .arg(&db)
            .args(["-i", "--justdb", "--nodeps", "--ignorearch", "--ignoreos"])
            .arg(top.join("RPMS/x86_64/hello-shipgate-1.2.3-4.el9.x86_64.rpm")),
    );
    Some(root)
}

#[test]
fn rpm_sqlite_database_matches_syft() {
    let dir = tempfile::tempdir().unwrap();
    let Some(root) = rpm_root(dir.path()) else {
        return;
    };
    let source = format!("dir:{}", root.display());
    let (code, stdout, stderr) = run(test_support::bin("sbom-attach").args(["generate", &source]));
    assert_eq!(code, 0, "{stderr}");
    let bom: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let component = &bom["components"][0];
    assert_eq!(
        component["purl"],
        "pkg:rpm/redhat/hello-shipgate@1.2.3-4.el9?arch=x86_64&distro=rhel-9.4&epoch=2&upstream=hello-shipgate-1.2.3-4.el9.src.rpm"
    );
    assert_eq!(component["version"], "2:1.2.3-4.el9");
    assert_eq!(
        component["licenses"][0]["license"]["name"],
        "MIT and ASL 2.0"
    );
    let Some(syft) = require_tool("syft") else {
        return;
    };
    let output = scrubbed(syft)
        .args(["-q", &source, "-o", "cyclonedx-json"])
        .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
        .output()
        .unwrap();
    let theirs: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let purls = |bom: &serde_json::Value| -> Vec<(String, String)> {
        bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| {
                Some((
                    c["purl"].as_str()?.to_owned(),
                    c["cpe"].as_str()?.to_owned(),
                ))
            })
            .collect()
    };
    assert_eq!(purls(&bom), purls(&theirs));
}

#[test]
fn a_damaged_rpm_database_is_an_issue() {
    let dir = tempfile::tempdir().unwrap();
    let Some(root) = rpm_root(dir.path()) else {
        return;
    };
    let db = root.join("var/lib/rpm/rpmdb.sqlite");
    let mut bytes = fs_err::read(&db).unwrap();
    bytes.truncate(bytes.len() / 3);
    fs_err::write(&db, bytes).unwrap();
    let (code, stdout, stderr) = run(
        test_support::bin("sbom-attach").args(["generate", &format!("dir:{}", root.display())])
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning: var/lib/rpm/rpmdb.sqlite (rpm)"),
        "{stderr}"
    );
    let bom: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(bom["compositions"][0]["aggregate"], "incomplete");
}
