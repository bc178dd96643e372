//! Version ordering against each ecosystem's own published test vectors: apk-tools'
//! `test/version.data`, Maven's `ComparableVersionTest` (3.9), `golang.org/x/mod/semver`'s
//! tests, NuGet.Versioning's and RubyGems' `test_gem_version.rb` cases.

use std::cmp::Ordering;

use gate_scan::version::compare;

fn check(ecosystem: &str, a: &str, b: &str, expected: Ordering) {
    let got = compare(ecosystem, a, b).unwrap_or_else(|e| panic!("{ecosystem} {a} vs {b}: {e}"));
    assert_eq!(got, expected, "{ecosystem}: {a} vs {b}");
    let back = compare(ecosystem, b, a).unwrap();
    assert_eq!(back, expected.reverse(), "{ecosystem}: {b} vs {a}");
}

/// Every version in `list` sorts strictly before every later one.
fn check_ascending(ecosystem: &str, list: &[&str]) {
    for (i, low) in list.iter().enumerate() {
        for high in &list[i + 1..] {
            check(ecosystem, low, high, Ordering::Less);
        }
    }
}

fn parse_op(op: &str) -> Ordering {
    match op {
        "<" => Ordering::Less,
        "=" => Ordering::Equal,
        ">" => Ordering::Greater,
        other => panic!("unknown operator {other}"),
    }
}

#[test]
fn apk_matches_apk_tools_version_data() {
    let data = include_str!("../fixtures/osv/apk-version.data");
    let mut checked = 0;
    let mut invalid = 0;
    for line in data.lines() {
        let line = line.split('#').next().unwrap().trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [a, op, b] = parts.as_slice() else {
            panic!("bad line {line}");
        };
        match compare("Alpine:v3.20", a, b) {
            Ok(got) => {
                assert_eq!(got, parse_op(op), "apk: {a} {op} {b}");
                checked += 1;
            }
            Err(_) => invalid += 1,
        }
    }
    eprintln!("apk: {checked} vectors agree, {invalid} skipped as invalid versions");
    assert!(checked > 100);
    // apk itself still orders these; we refuse them as invalid versions.
    assert!(invalid <= 3, "{invalid} vectors rejected");
}

#[test]
fn maven_matches_comparable_version_test() {
    // Maven 3.9's ComparableVersionTest (with MNG-5568, MNG-6572, MNG-6964, MNG-7644,
    // MNG-7714).
    check_ascending(
        "Maven",
        &[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ],
    );
    check_ascending(
        "Maven",
        &[
            "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
            "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11",
            "11", "11.a", "11b", "11c", "11m",
        ],
    );
    for (a, b) in [
        ("1", "1"),
        ("1", "1.0"),
        ("1", "1.0.0"),
        ("1.0", "1.0.0"),
        ("1", "1-0"),
        ("1", "1.0-0"),
        ("1.0", "1.0-0"),
        ("1a", "1-a"),
        ("1a", "1.0-a"),
        ("1a", "1.0.0-a"),
        ("1.0a", "1-a"),
        ("1.0.0a", "1-a"),
        ("1x", "1-x"),
        ("1x", "1.0-x"),
        ("1x", "1.0.0-x"),
        ("1.0x", "1-x"),
        ("1.0.0x", "1-x"),
        ("1cr", "1rc"),
        ("1a1", "1-alpha-1"),
        ("1b2", "1-beta-2"),
        ("1m3", "1-milestone-3"),
        ("1X", "1x"),
        ("1A", "1a"),
        ("1B", "1b"),
        ("1M", "1m"),
        ("1Cr", "1Rc"),
        ("1cR", "1rC"),
        ("1m3", "1Milestone3"),
        ("1m3", "1MileStone3"),
        ("1m3", "1MILESTONE3"),
        ("1ga", "1"),
        ("1release", "1"),
        ("1final", "1"),
        ("1GA", "1"),
        ("1RELeaSE", "1"),
        ("1FinaL", "1"),
        (
            "1-abcdefghijklmnopqrstuvwxyz",
            "1-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        ),
        ("0000000000000000001", "1"),
        ("00000000001", "001"),
        ("0000000000000000000", "0"),
        ("000", "0"),
    ] {
        check("Maven", a, b, Ordering::Equal);
    }
    for (a, b) in [
        ("1", "2"),
        ("1.5", "2"),
        ("1", "2.5"),
        ("1.0", "1.1"),
        ("1.1", "1.2"),
        ("1.0.0", "1.1"),
        ("1.0.1", "1.1"),
        ("1.1", "1.2.0"),
        ("1.0-alpha-1", "1.0"),
        ("1.0-alpha-1", "1.0-alpha-2"),
        ("1.0-alpha-1", "1.0-beta-1"),
        ("1.0-beta-1", "1.0-SNAPSHOT"),
        ("1.0-SNAPSHOT", "1.0"),
        ("1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"),
        ("1.0", "1.0-1"),
        ("1.0-1", "1.0-2"),
        ("1.0.0", "1.0-1"),
        ("2.0-1", "2.0.1"),
        ("2.0.1-klm", "2.0.1-lmn"),
        ("2.0.1", "2.0.1-xyz"),
        ("2.0.1", "2.0.1-123"),
        ("2.0.1-xyz", "2.0.1-123"),
        ("0.7", "2"),
        ("0.2", "1.0.7"),
        // MNG-5568
        ("6.1.0rc3", "6.1.0"),
        ("6.1.0rc3", "6.1H.5-beta"),
        ("6.1.0", "6.1H.5-beta"),
        // MNG-6572
        ("20190126.230843", "1234567890.12345"),
        ("1234567890.12345", "123456789012345.1H.5-beta"),
        (
            "123456789012345.1H.5-beta",
            "12345678901234567890.1H.5-beta",
        ),
        // MNG-6964
        ("1-0.alpha", "1"),
        ("1-0.beta", "1"),
        ("1-0.alpha", "1-0.beta"),
        // MNG-7714
        ("1.0.final-redhat", "1.0-sp1-redhat"),
        // Numbers past 2^31 and 2^63.
        ("1.2147483647", "1.2147483648"),
        ("1.9223372036854775807", "1.9223372036854775808"),
    ] {
        check("Maven", a, b, Ordering::Less);
    }
    // MNG-7644: 1.0.0.X1 < 1.0.0-X2, and 2-X == 2.0.X == 2.0.0.X.
    for x in [
        "abc",
        "alpha",
        "a",
        "beta",
        "b",
        "def",
        "milestone",
        "m",
        "RC",
    ] {
        check(
            "Maven",
            &format!("1.0.0.{x}1"),
            &format!("1.0.0-{x}2"),
            Ordering::Less,
        );
        check(
            "Maven",
            &format!("2-{x}"),
            &format!("2.0.{x}"),
            Ordering::Equal,
        );
        check(
            "Maven",
            &format!("2-{x}"),
            &format!("2.0.0.{x}"),
            Ordering::Equal,
        );
        check(
            "Maven",
            &format!("2.0.{x}"),
            &format!("2.0.0.{x}"),
            Ordering::Equal,
        );
    }
}

#[test]
fn go_matches_x_mod_semver_tests() {
    // Ascending; versions on one line of the x/mod table compare equal.
    let groups: &[&[&str]] = &[
        &["v0.0.0-20191109021931-daa7c04131f5"],
        &["v1.0.0-alpha"],
        &["v1.0.0-alpha.1"],
        &["v1.0.0-alpha.beta"],
        &["v1.0.0-beta"],
        &["v1.0.0-beta.2"],
        &["v1.0.0-beta.11"],
        &["v1.0.0-rc.1"],
        &["v1", "v1.0", "v1.0.0", "1.0.0", "v1.0.0+incompatible"],
        &["v1.2", "v1.2.0"],
        &["v1.2.3-456"],
        &["v1.2.3-456.789"],
        &["v1.2.3-456-789"],
        &["v1.2.3-456a"],
        &["v1.2.3-pre", "v1.2.3-pre+meta"],
        &["v1.2.3-pre.1"],
        &["v1.2.3-zzz"],
        &["v1.2.3", "v1.2.3+meta", "v1.2.3+meta-pre", "1.2.3"],
        &["v2.0.0+incompatible", "2.0.0"],
        &["v2.1.0-0.20200101000000-abcdefabcdef+incompatible"],
        &["v2.1.0"],
    ];
    for (i, group) in groups.iter().enumerate() {
        for a in *group {
            for b in *group {
                check("Go", a, b, Ordering::Equal);
            }
            for later in &groups[i + 1..] {
                for b in *later {
                    check("Go", a, b, Ordering::Less);
                }
            }
        }
    }
    for bad in [
        "bad",
        "v1-alpha.beta.gamma",
        "v1-pre",
        "v1+meta",
        "v1-pre+meta",
        "v1.2-pre",
        "v1.2+meta",
        "v1.2-pre+meta",
        "v1.2.3.4",
        "v01.2.3",
        "v1.02.3",
        "v1.2.03",
        "v1.2.3-01",
        "v1.2.3-",
        "v1.2.3+",
        "v1.2.3-a..b",
    ] {
        assert!(compare("Go", bad, "v1.0.0").is_err(), "Go accepted {bad}");
    }
}

#[test]
fn nuget_matches_nuget_versioning() {
    check_ascending(
        "NuGet",
        &[
            "0.9",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0.1",
            "1.0.1-a",
            "1.0.1",
            "1.1",
            "2.0.0.0-pre",
            "2.0",
        ],
    );
    for (a, b) in [
        ("1.0", "1.0.0"),
        ("1.0.0", "1.0.0.0"),
        ("1", "1.0.0.0"),
        ("1.0.0-BETA", "1.0.0-beta"),
        ("1.0.0-Beta.1", "1.0.0-bEtA.1"),
        ("1.0.0+abc", "1.0.0"),
        ("1.0.0-rc.1+build", "1.0.0-RC.1"),
        ("01.0", "1.0"),
    ] {
        check("NuGet", a, b, Ordering::Equal);
    }
    for bad in ["", "1.0.0.0.0", "a.b", "1.0-", "1..0"] {
        assert!(
            compare("NuGet", bad, "1.0").is_err(),
            "NuGet accepted {bad}"
        );
    }
}

#[test]
fn rubygems_matches_gem_version() {
    check_ascending(
        "RubyGems",
        &[
            "0.0.beta",
            "0.beta.1",
            "1.0.a",
            "1.0.a.2",
            "1.0.a.10",
            "1.0.b1",
            "1.0.0-rc1",
            "1.0",
            "1.0.1",
            "1.8.2.a",
            "1.8.2.a9",
            "1.8.2.a10",
            "1.8.2.b",
            "1.8.2",
            "5.a",
            "5.0.0.rc2",
            "5",
            "9.8.7",
            "10.0",
        ],
    );
    for (a, b) in [
        ("1.0", "1.0.0"),
        ("1.9.3", "1.9.3.0"),
        ("1.0.b1", "1.0.b.1"),
        ("", "0"),
        ("1.0.a", "1.0.a.0"),
        (" 1.0 ", "1.0"),
        ("1.0.0-rc1", "1.0.0.pre.rc1"),
    ] {
        check("RubyGems", a, b, Ordering::Equal);
    }
    for bad in [
        "junk",
        "1.0\n2.0",
        "1..2",
        "1.2 3.4",
        "2.3422222.222.222222222.22222.ads0as.dasd0.ddd2222.2.qd3e.",
    ] {
        assert!(
            compare("RubyGems", bad, "1.0").is_err(),
            "RubyGems accepted {bad}"
        );
    }
}

#[test]
fn ecosystem_names_and_suffixes() {
    assert_eq!(
        compare("Debian:12", "1.0-1", "1.0-1+deb12u1").unwrap(),
        Ordering::Less
    );
    assert_eq!(
        compare("Ubuntu:22.04:LTS", "1:1.0", "2.0").unwrap(),
        Ordering::Greater
    );
    assert_eq!(
        compare("AlmaLinux:9", "0:1.0-1.el9", "1.0-2.el9").unwrap(),
        Ordering::Less
    );
    assert_eq!(
        compare("crates.io", "1.0.0-alpha", "1.0.0").unwrap(),
        Ordering::Less
    );
    assert!(compare("Unknownland", "1", "2").is_err());
    assert!(compare("Debian", "", "1").is_err());
    assert!(compare("PyPI", "not a version", "1").is_err());
    assert!(compare("Alpine", "1.0-1", "1.0").is_err());
    let message = compare("npm", "1.0", "1.0.0").unwrap_err().to_string();
    assert_eq!(
        message,
        "`1.0` is not a valid SemVer version: expected MAJOR.MINOR.PATCH"
    );
}
