use std::path::Path;
use std::process::Command;

use sbom_attach::catalog::node;

use crate::support::{catalog_dir, purls, run, syft_purls};

#[test]
fn npm_installed_packages_match_syft() {
    let Some(npm) = test_support::require_tool("npm") else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let app = root.path().join("srv/app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(
        app.join("package.json"),
        r#"{"name":"demo-app","version":"1.0.0","private":true,"license":"MIT"}"#,
    )
    .unwrap();
    run(Command::new(&npm)
        .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
        .arg(&app)
        .args(["debug", "@sindresorhus/is", "semver"]));
    run(Command::new(&npm)
        .args([
            "install",
            "--global",
            "--no-audit",
            "--no-fund",
            "--silent",
            "--prefix",
        ])
        .arg(root.path().join("usr/local"))
        .arg("ms"));
    // Lock files are the source cataloger's business, not this one's.
    let (packages, issues) = catalog_dir(root.path(), node::catalogers());
    assert!(issues.is_empty(), "{issues:?}");
    let ours = purls(&packages);
    assert!(
        ours.iter()
            .any(|p| p.starts_with("pkg:npm/%40sindresorhus/is@")),
        "{ours:?}"
    );
    assert!(ours.contains("pkg:npm/demo-app@1.0.0"));
    assert!(
        packages
            .iter()
            .any(|p| p.name == "ms"
                && p.locations[0] == "usr/local/lib/node_modules/ms/package.json"),
        "{packages:?}"
    );
    let debug = packages.iter().find(|p| p.name == "debug").unwrap();
    assert_eq!(debug.dependencies, ["ms"]);
    assert_eq!(debug.licenses, ["MIT"]);
    if let Some(syft) = syft_purls(root.path(), true, &["npm"]) {
        assert_eq!(ours, syft);
    }
}

#[test]
fn license_forms_and_odd_manifests() {
    let root = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/lang/node-edge"
    ));
    let (packages, issues) = catalog_dir(root, node::catalogers());
    let license = |name: &str| {
        packages
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.licenses.clone())
            .unwrap()
    };
    assert_eq!(license("lic-obj"), ["ISC"]);
    assert_eq!(license("lic-arr"), ["MIT", "BSD-2-Clause"]);
    assert_eq!(license("lic-legacy"), ["MIT", "Apache-2.0"]);
    assert_eq!(license("nested"), ["(MIT OR Apache-2.0)"]);
    // The broken manifest of an installed package is an issue; the rest still counts.
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].path, "usr/lib/node_modules/broken/package.json");
    let ours = purls(&packages);
    assert!(ours.contains("pkg:npm/nested@2.0.0-beta.1%2Bbuild.5"));
    assert!(ours.contains("pkg:npm/noversion"));
    if let Some(syft) = syft_purls(root, true, &["npm"]) {
        assert_eq!(ours, syft);
    }
}
