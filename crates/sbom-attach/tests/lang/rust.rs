use std::fs;
use std::path::Path;
use std::process::Command;

use sbom_attach::catalog::go;

use crate::support::{catalog_dir, purls, run, syft_purls};

#[test]
fn cargo_auditable_binary_matches_syft() {
    let Some(cargo) = test_support::require_tool("cargo") else {
        return;
    };
    if test_support::require_tool("cargo-auditable").is_none() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let project = work.path().join("auditable-demo");
    fs::create_dir_all(project.join("src")).unwrap();
    let fixture = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/lang/auditable-demo"
    ));
    for file in ["Cargo.toml", "build.rs", "src/main.rs"] {
        fs::copy(fixture.join(file), project.join(file)).unwrap();
    }
    let target = work.path().join("target");
    run(Command::new(cargo)
        .current_dir(&project)
        .args(["auditable", "build", "--release", "--quiet"])
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS"));
    let root = work.path().join("root");
    let bin = root.join("usr/local/bin");
    fs::create_dir_all(&bin).unwrap();
    fs::copy(
        target.join("release/auditable-demo"),
        bin.join("auditable-demo"),
    )
    .unwrap();

    // The executable cataloger of go.rs reads the .dep-v0 section as well.
    let (packages, issues) = catalog_dir(&root, go::catalogers());
    assert!(issues.is_empty(), "{issues:?}");
    let ours = purls(&packages);
    assert!(ours.contains("pkg:cargo/auditable-demo@0.3.1"), "{ours:?}");
    assert!(
        ours.iter().any(|p| p.starts_with("pkg:cargo/itoa@")),
        "{ours:?}"
    );
    // Build-only crates are not in the binary.
    assert!(
        !ours.iter().any(|p| p.starts_with("pkg:cargo/autocfg@")),
        "{ours:?}"
    );
    let root_crate = packages
        .iter()
        .find(|p| p.name == "auditable-demo")
        .unwrap();
    let mut deps = root_crate.dependencies.clone();
    deps.sort();
    assert_eq!(deps, ["itoa", "memchr"]);
    if let Some(syft) = syft_purls(&root, true, &["rust-crate"]) {
        assert_eq!(ours, syft);
    }
}
