use std::path::Path;
use std::process::Command;

use sbom_attach::catalog::python;

use crate::support::{catalog_dir, purls, run, syft_purls};

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lang"))
}

#[test]
fn pip_installed_distributions_match_syft() {
    let Some(python) = test_support::require_tool("python3") else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let site = root.path().join("usr/local/lib/python3.11/site-packages");
    run(Command::new(python)
        .args(["-m", "pip", "install", "--quiet", "--no-deps", "--target"])
        .arg(&site)
        .args([
            "requests",
            "urllib3",
            "idna",
            "certifi",
            "charset-normalizer",
            "PyYAML",
            "typing_extensions",
            "zope.interface",
        ])
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1"));
    let (packages, issues) = catalog_dir(root.path(), python::catalogers());
    assert!(issues.is_empty(), "{issues:?}");
    let ours = purls(&packages);
    assert!(
        ours.iter().any(|p| p.starts_with("pkg:pypi/pyyaml@")),
        "{ours:?}"
    );
    assert!(
        ours.iter()
            .any(|p| p.starts_with("pkg:pypi/zope-interface@")),
        "{ours:?}"
    );
    let requests = packages.iter().find(|p| p.name == "requests").unwrap();
    assert!(requests.dependencies.contains(&"urllib3".to_owned()));
    assert!(!requests.licenses.is_empty());
    assert!(
        requests
            .files
            .iter()
            .any(|f| f.ends_with("site-packages/requests/__init__.py")),
        "{:?}",
        requests.files
    );
    assert!(requests.locations[0].ends_with("METADATA"));
    if let Some(syft) = syft_purls(root.path(), true, &["python"]) {
        assert_eq!(ours, syft);
    }
}

#[test]
fn edge_cases_match_syft() {
    let root = fixtures().join("python-edge");
    let (packages, issues) = catalog_dir(&root, python::catalogers());
    assert!(issues.is_empty(), "{issues:?}");
    let ours = purls(&packages);
    assert!(ours.contains(
        "pkg:pypi/vcsdist@2.0?vcs_url=git%2Bhttps://example.invalid/org/vcsdist.git%400123abcd"
    ));
    // The interpreter's own egg-info is not a package.
    assert!(!ours.iter().any(|p| p.contains("/python@")));
    let c = packages.iter().find(|p| p.name == "c").unwrap();
    assert_eq!(c.licenses, ["BSD\n line2"]);
    let vcs = packages.iter().find(|p| p.name == "vcsdist").unwrap();
    // RECORD paths never leave the root.
    assert!(vcs.files.contains(&"bin/vcs".to_owned()), "{:?}", vcs.files);
    if let Some(syft) = syft_purls(&root, true, &["python"]) {
        assert_eq!(ours, syft);
    }
}

#[test]
fn malformed_metadata_is_an_issue_not_a_failure() {
    let root = fixtures().join("python-malformed");
    let (packages, issues) = catalog_dir(&root, python::catalogers());
    // The package with a broken direct_url.json is still reported (syft drops it).
    assert_eq!(
        purls(&packages).into_iter().collect::<Vec<_>>(),
        ["pkg:pypi/a@1.0"]
    );
    let mut paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "a-1.0.dist-info/direct_url.json",
            "noname.dist-info/METADATA"
        ]
    );
}
