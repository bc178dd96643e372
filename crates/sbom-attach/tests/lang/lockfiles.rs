use std::path::Path;

use sbom_attach::catalog::lockfiles;

use crate::support::{catalog_dir, purls, syft_purls};

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lang"))
}

#[test]
fn lock_files_match_syft() {
    let root = fixtures().join("source");
    let (packages, issues) = catalog_dir(&root, lockfiles::catalogers());
    assert!(issues.is_empty(), "{issues:?}");
    let ours = purls(&packages);
    for expected in [
        "pkg:cargo/toml@1.2.1%2Bspec-1.1.0",
        "pkg:npm/%40babel/code-frame@7.0.0",
        "pkg:npm/gitdep@github:user/repo%23abc123",
        "pkg:npm/real-name@2.0.0",
        "pkg:pypi/typing-extensions@4.8.0",
        "pkg:pypi/flask-sqlalchemy@3.0.5",
        "pkg:golang/github.com/new/thing@v1.2.0",
        "pkg:golang/../local",
    ] {
        assert!(ours.contains(expected), "{expected} not in {ours:?}");
    }
    assert!(!ours.iter().any(|p| p.contains("devonly")));
    let winnow = packages
        .iter()
        .find(|p| p.name == "app" && p.kind == sbom_attach::package::PackageType::Cargo)
        .unwrap();
    assert_eq!(winnow.dependencies, ["serde", "toml", "winnow"]);
    if let Some(syft) = syft_purls(&root, false, &["rust-crate", "npm", "python", "go-module"]) {
        assert_eq!(ours, syft);
    }
}

/// syft 1.18 has no uv.lock cataloger; newer releases read every `[[package]]`.
#[test]
fn uv_lock() {
    let root = fixtures().join("source-uv");
    let (packages, issues) = catalog_dir(&root, lockfiles::catalogers());
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(
        purls(&packages).into_iter().collect::<Vec<_>>(),
        [
            "pkg:pypi/idna@3.7",
            "pkg:pypi/myproj@0.1.0",
            "pkg:pypi/zope-interface@6.0"
        ]
    );
    let project = packages.iter().find(|p| p.name == "myproj").unwrap();
    assert_eq!(project.dependencies, ["idna"]);
    assert_eq!(project.locations, ["uv.lock"]);
}
