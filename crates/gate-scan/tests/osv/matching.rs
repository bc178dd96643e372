//! Native OSV matching on a fixture database of real-shaped records (GHSA, PYSEC, DSA, DLA,
//! ALPINE, GO, RUSTSEC, RHSA, UBUNTU) and CycloneDX/SPDX SBOMs.

use std::io::Write;
use std::path::{Path, PathBuf};

use gate_scan::osv::{MatchReport, match_sbom};

fn fixtures() -> PathBuf {
    test_support::workspace_root().join("crates/gate-scan/tests/fixtures/osv")
}

/// The report as a reviewer reads it: counts, warnings, then one line per finding.
fn render(report: &MatchReport) -> String {
    let mut out = format!(
        "format: {}\ncomponents read: {}, checked: {}\nrecords read: {}, bad: {}, git ranges skipped: {}\n\nwarnings:\n",
        report.sbom_format,
        report.components_read,
        report.components_checked,
        report.records_read,
        report.bad_records,
        report.git_ranges_skipped
    );
    for w in &report.warnings {
        out.push_str(&format!("  {w}\n"));
    }
    out.push_str("\nfindings:\n");
    out.push_str(&serde_json::to_string_pretty(&report.findings).unwrap());
    out.push('\n');
    out
}

fn settle(text: &str) -> String {
    text.replace(&fixtures().display().to_string(), "[FIXTURES]")
}

#[test]
fn cyclonedx_against_folder_database() {
    let report = match_sbom(&fixtures().join("sbom.cdx.json"), &fixtures().join("db")).unwrap();
    insta::assert_snapshot!("cyclonedx_folder", settle(&render(&report)));
    let ids: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.id.as_str(), f.package.version.as_str()))
        .collect();
    assert!(ids.contains(&("GHSA-jfh8-c2jp-5v3q", "2.14.1")));
    assert!(
        !ids.contains(&("GHSA-jfh8-c2jp-5v3q", "2.3.2")),
        "2.3.2 is fixed"
    );
    assert!(ids.contains(&("DSA-5532-1", "3.0.11-1~deb12u1")));
    assert!(
        !ids.iter().any(|(id, _)| *id == "DLA-3449-1"),
        "Debian 10 record on Debian 12"
    );
    assert!(!ids.iter().any(|(id, _)| *id == "GHSA-9999-withdrawn"));
    assert!(
        ids.contains(&("GHSA-xvch-5gv4-984h", "0.2.3")),
        "last_affected is inclusive"
    );
    assert!(!ids.contains(&("GHSA-xvch-5gv4-984h", "1.2.6")));
    assert!(ids.contains(&("GHSA-2222-limit-exmp", "3.21.2")));
    assert!(
        !ids.contains(&("GHSA-2222-limit-exmp", "4.18.2")),
        "at or above the limit"
    );
}

#[test]
fn spdx_against_folder_database() {
    let report = match_sbom(&fixtures().join("sbom.spdx.json"), &fixtures().join("db")).unwrap();
    insta::assert_snapshot!("spdx_folder", settle(&render(&report)));
}

/// Builds osv.dev's `all.zip` shape (one JSON file per record at the top level).
fn zip_of(dir: &Path, out: &Path) {
    let file = std::fs::File::create(out).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut stack = vec![dir.to_path_buf()];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        zip.start_file(name, options).unwrap();
        zip.write_all(&std::fs::read(&path).unwrap()).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn zip_database_gives_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let all = dir.path().join("all.zip");
    zip_of(&fixtures().join("db"), &all);
    let sbom = fixtures().join("sbom.cdx.json");
    let from_zip = match_sbom(&sbom, &all).unwrap();
    let from_dir = match_sbom(&sbom, &fixtures().join("db")).unwrap();
    assert_eq!(from_zip.findings, from_dir.findings);
    assert_eq!(from_zip.records_read, from_dir.records_read);
    assert_eq!(from_zip.bad_records, 1);
}

#[test]
fn bad_inputs_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixtures().join("db");
    let sbom = fixtures().join("sbom.cdx.json");

    let truncated = dir.path().join("truncated.json");
    std::fs::write(
        &truncated,
        "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": [",
    )
    .unwrap();
    let error = match_sbom(&truncated, &db).unwrap_err();
    assert!(error.to_string().ends_with("is not valid JSON"), "{error}");

    let unknown = dir.path().join("unknown.json");
    std::fs::write(&unknown, "{\"hello\": 1}").unwrap();
    let error = match_sbom(&unknown, &db).unwrap_err();
    assert_eq!(
        settle(&error.to_string()).replace(&dir.path().display().to_string(), "[TMP]"),
        "[TMP]/unknown.json is not an SBOM gate-scan can read: neither CycloneDX JSON (`bomFormat`) nor SPDX JSON (`spdxVersion`)"
    );

    let xml = dir.path().join("bom.xml");
    std::fs::write(&xml, "<?xml version=\"1.0\"?><bom/>").unwrap();
    let error = match_sbom(&xml, &db).unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("give CycloneDX JSON or SPDX JSON"),
        "{error}"
    );

    let future = dir.path().join("future.json");
    std::fs::write(
        &future,
        "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"2.0\"}",
    )
    .unwrap();
    assert!(match_sbom(&future, &db).is_err());

    let empty_db = dir.path().join("empty");
    std::fs::create_dir(&empty_db).unwrap();
    let error = match_sbom(&sbom, &empty_db).unwrap_err();
    assert!(
        error.to_string().contains("holds no readable OSV record"),
        "{error}"
    );

    let not_zip = dir.path().join("all.zip");
    std::fs::write(&not_zip, "not a zip").unwrap();
    assert!(match_sbom(&sbom, &not_zip).is_err());

    assert!(match_sbom(&dir.path().join("missing.json"), &db).is_err());
    assert!(match_sbom(&sbom, &dir.path().join("missing")).is_err());
    for error in [
        match_sbom(&truncated, &db).unwrap_err(),
        match_sbom(&sbom, &empty_db).unwrap_err(),
    ] {
        use shipgate_core::exit::ExitStatus;
        assert_eq!(error.exit().code(), 2);
    }
}

#[test]
fn package_urls_are_read_tolerantly() {
    use gate_scan::osv::Purl;
    let p = Purl::parse("pkg:npm/%40babel/traverse@7.22.5").unwrap();
    assert_eq!(
        (p.ty.as_str(), p.namespace.as_deref(), p.name.as_str()),
        ("npm", Some("@babel"), "traverse")
    );
    assert_eq!(p.version.as_deref(), Some("7.22.5"));
    // An unencoded `@` in the namespace is not taken for the version separator.
    let p = Purl::parse("pkg:npm/@babel/traverse").unwrap();
    assert_eq!(
        (p.namespace.as_deref(), p.name.as_str(), p.version),
        (Some("@babel"), "traverse", None)
    );
    let p = Purl::parse("pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&upstream=openssl&distro=debian-12#sub/path").unwrap();
    assert_eq!(
        p.qualifiers.get("distro").map(String::as_str),
        Some("debian-12")
    );
    assert_eq!(p.version.as_deref(), Some("3.0.11-1~deb12u1"));
    let p = Purl::parse("pkg:golang/golang.org/x/net@v0.10.0").unwrap();
    assert_eq!(
        (p.namespace.as_deref(), p.name.as_str()),
        (Some("golang.org/x"), "net")
    );
    let p = Purl::parse("pkg:rpm/redhat/glibc@2.34-60.el9?epoch=1&Arch=x86_64").unwrap();
    assert_eq!(p.qualifiers.get("arch").map(String::as_str), Some("x86_64"));
    let p = Purl::parse("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar").unwrap();
    assert_eq!(
        (p.namespace.as_deref(), p.name.as_str()),
        (Some("org.apache.logging.log4j"), "log4j-core")
    );
    let p = Purl::parse("PKG:PyPI/Jinja2@3.1.2".replace("PKG", "pkg").as_str()).unwrap();
    assert_eq!(p.ty, "pypi");
    for bad in ["", "npm/x@1", "pkg:", "pkg:npm", "pkg:/x", "pkg:npm/"] {
        assert!(Purl::parse(bad).is_err(), "accepted {bad:?}");
    }
}

/// Release qualifiers select the records of that release only; codenames are understood.
#[test]
fn distribution_releases_select_records() {
    let dir = tempfile::tempdir().unwrap();
    let sbom = dir.path().join("sbom.json");
    let write = |purls: &[&str]| {
        let components: Vec<serde_json::Value> = purls
            .iter()
            .map(|p| serde_json::json!({"type": "library", "name": "x", "purl": p}))
            .collect();
        let doc = serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": components});
        std::fs::write(&sbom, serde_json::to_string(&doc).unwrap()).unwrap();
    };
    // The fixture database holds one broken record on purpose.
    let warnings = |report: &MatchReport| -> Vec<String> {
        report
            .warnings
            .iter()
            .filter(|w| !w.contains("is not a valid OSV record"))
            .cloned()
            .collect()
    };
    let ids = |report: &MatchReport| -> Vec<String> {
        report
            .findings
            .iter()
            .map(|f| format!("{} {}", f.id, f.package.version))
            .collect()
    };
    let db = fixtures().join("db");
    write(&[
        "pkg:deb/debian/openssl@1.1.1n-0+deb10u4?distro=buster",
        "pkg:deb/debian/openssl@1.1.1n-0+deb10u6?distro=debian-10.13",
        "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.10?distro=jammy",
        "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.10?distro=ubuntu-20.04",
        "pkg:apk/alpine/openssl@3.1.4-r0?distro=alpine-3.19.1",
        "pkg:apk/alpine/openssl@3.1.4-r0?distro=alpine-3.17.0",
        "pkg:rpm/redhat/glibc@2.28-225.el8?distro=rhel-8.8",
        "pkg:rpm/redhat/glibc@2.34-60.el9_2.7?distro=rhel-9.2",
    ]);
    let report = match_sbom(&sbom, &db).unwrap();
    assert_eq!(
        ids(&report),
        [
            "DLA-3449-1 1.1.1n-0+deb10u4",
            "UBUNTU-CVE-2023-3446 3.0.2-0ubuntu1.10",
            "ALPINE-CVE-2023-5678 3.1.4-r0",
            "RHSA-2023:5455 2.28-225.el8",
        ]
    );
    assert!(warnings(&report).is_empty(), "{:?}", report.warnings);

    // Without a release, records of every release are matched, with a warning.
    write(&["pkg:deb/debian/openssl@1.1.1n-0+deb10u4"]);
    let report = match_sbom(&sbom, &db).unwrap();
    assert_eq!(
        ids(&report),
        ["DLA-3449-1 1.1.1n-0+deb10u4", "DSA-5532-1 1.1.1n-0+deb10u4"]
    );
    assert_eq!(
        warnings(&report),
        [
            "pkg:deb/debian/openssl@1.1.1n-0+deb10u4 names no Debian release (`distro` qualifier); records of every release were matched"
        ]
    );

    // A version its ecosystem rejects is a warning, never a silent pass.
    write(&["pkg:pypi/jinja2@not.a.version"]);
    let report = match_sbom(&sbom, &db).unwrap();
    assert!(report.findings.is_empty());
    assert_eq!(
        warnings(&report),
        [
            "pkg:pypi/jinja2@not.a.version: `not.a.version` is not a valid PEP 440 version: expected a release number; not matched"
        ]
    );
}

/// `affected[].ranges` and `versions` evaluated as the OSV schema specifies.
#[test]
fn ranges_are_evaluated_as_the_schema_says() {
    use serde_json::json;
    let cases = [
        (
            json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}, {"introduced": "2.0.0"}, {"fixed": "2.5.0"}]}]),
            json!([]),
            vec![
                ("0.5.0", true),
                ("1.0.0", false),
                ("1.5.0", false),
                ("2.0.0", true),
                ("2.4.9", true),
                ("2.5.0", false),
                ("3.0.0", false),
            ],
        ),
        (
            json!([{"type": "ECOSYSTEM", "events": [{"introduced": "1.0.0"}, {"last_affected": "1.2.0"}]}]),
            json!([]),
            vec![
                ("0.9.0", false),
                ("1.0.0", true),
                ("1.2.0", true),
                ("1.2.1", false),
            ],
        ),
        (
            // Events in any order are sorted before the walk.
            json!([{"type": "SEMVER", "events": [{"introduced": "2.0.0"}, {"fixed": "3.0.0"}, {"introduced": "0"}, {"fixed": "1.0.0"}]}]),
            json!([]),
            vec![
                ("0.5.0", true),
                ("1.5.0", false),
                ("2.5.0", true),
                ("3.5.0", false),
            ],
        ),
        (
            json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"limit": "2.0.0"}]}]),
            json!([]),
            vec![("1.9.9", true), ("2.0.0", false), ("2.0.1", false)],
        ),
        (
            json!([{"type": "ECOSYSTEM", "events": [{"introduced": "1.0.0"}]}]),
            json!([]),
            vec![("0.1.0", false), ("1.0.0-rc.1", false), ("5.0.0", true)],
        ),
        (
            json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}]),
            json!([]),
            vec![("1.0.0-rc.1", true), ("1.0.0", false)],
        ),
        (
            json!([{"type": "GIT", "repo": "https://example.invalid/x.git", "events": [{"introduced": "0"}, {"fixed": "abcdef"}]}]),
            json!(["1.0.0-beta.1", "1.1.0"]),
            vec![("1.0.0-beta.1", true), ("1.0.0", false), ("1.1.0", true)],
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    std::fs::create_dir(&db).unwrap();
    let mut components = Vec::new();
    let mut expected = Vec::new();
    for (i, (ranges, versions, checks)) in cases.iter().enumerate() {
        let name = format!("case{i}");
        let record = json!({
            "id": format!("OSV-TEST-{i}"),
            "modified": "2024-01-01T00:00:00Z",
            "affected": [{"package": {"ecosystem": "npm", "name": name}, "ranges": ranges, "versions": versions}]
        });
        std::fs::write(db.join(format!("{i}.json")), record.to_string()).unwrap();
        for (version, affected) in checks {
            components.push(json!({"type": "library", "name": name, "version": version, "purl": format!("pkg:npm/{name}@{version}")}));
            if *affected {
                expected.push(format!("OSV-TEST-{i} {name}@{version}"));
            }
        }
    }
    let sbom = dir.path().join("sbom.json");
    let doc = json!({"bomFormat": "CycloneDX", "specVersion": "1.7", "components": components});
    std::fs::write(&sbom, doc.to_string()).unwrap();
    let report = match_sbom(&sbom, &db).unwrap();
    let got: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("{} {}@{}", f.id, f.package.name, f.package.version))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(report.git_ranges_skipped, 1);
    // Fixed versions: the `fixed` events above the version in the range that holds it.
    let fixed: Vec<(&str, &[String])> = report
        .findings
        .iter()
        .filter(|f| f.id == "OSV-TEST-0")
        .map(|f| (f.package.version.as_str(), f.fixed_versions.as_slice()))
        .collect();
    let both = ["1.0.0".to_owned(), "2.5.0".to_owned()];
    let last = ["2.5.0".to_owned()];
    assert_eq!(
        fixed,
        [
            ("0.5.0", &both[..]),
            ("2.0.0", &last[..]),
            ("2.4.9", &last[..])
        ]
    );
}

#[test]
fn an_sbom_whose_packages_cannot_be_looked_up_fails_closed() {
    let dir = tempfile::tempdir().unwrap();
    let sbom = dir.path().join("sbom.cdx.json");
    // Packages of an ecosystem OSV does not cover: nothing could be checked.
    std::fs::write(
        &sbom,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"library","name":"x","version":"1","purl":"pkg:conan/x@1"}]}"#,
    )
    .unwrap();
    let error = match_sbom(&sbom, &fixtures().join("db")).unwrap_err();
    assert!(error.to_string().contains("could be matched"), "{error}");
}
