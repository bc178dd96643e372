//! The language catalogers against real artifacts (pip, npm, go, cargo-auditable, Debian
//! jars) and lock files, each compared with syft on the same folder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod go;
mod image;
mod java;
mod lockfiles;
mod node;
mod python;
mod robustness;
mod rust;
mod support;

/// Compares every language cataloger with syft on any folder:
/// `SBOM_LANG_COMPARE=/path cargo test -p sbom-attach --test lang -- --ignored compare`.
#[test]
#[ignore = "manual: needs SBOM_LANG_COMPARE and syft"]
fn compare_folder_with_syft() {
    let Some(dir) = std::env::var_os("SBOM_LANG_COMPARE") else {
        return;
    };
    let root = std::path::Path::new(&dir);
    let mut catalogers = Vec::new();
    catalogers.extend(sbom_attach::catalog::python::catalogers());
    catalogers.extend(sbom_attach::catalog::node::catalogers());
    catalogers.extend(sbom_attach::catalog::go::catalogers());
    catalogers.extend(sbom_attach::catalog::java::catalogers());
    let started = std::time::Instant::now();
    let (packages, issues) = support::catalog_dir(root, catalogers);
    let elapsed = started.elapsed();
    let ours = support::purls(&packages);
    let types = ["python", "npm", "go-module", "rust-crate", "java-archive"];
    let artifacts = support::syft_artifacts(root, true, &types).unwrap();
    let syft: std::collections::BTreeSet<String> =
        artifacts.iter().map(|(purl, _)| purl.clone()).collect();
    // CPEs are reported, not asserted: syft's come from an NVD-derived dictionary first.
    let mut cpe_same = 0;
    let mut cpe_different = Vec::new();
    for (purl, cpes) in &artifacts {
        if let Some(package) = packages.iter().find(|p| &p.purl == purl) {
            if &package.cpes == cpes {
                cpe_same += 1;
            } else {
                cpe_different.push((purl.clone(), package.cpes.clone(), cpes.clone()));
            }
        }
    }
    let only_ours: Vec<_> = ours.difference(&syft).collect();
    let only_syft: Vec<_> = syft.difference(&ours).collect();
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "{} purls ({} packages) in {elapsed:?}; {} issues: {issues:#?}",
            ours.len(),
            packages.len(),
            issues.len()
        );
        eprintln!("only ours: {only_ours:#?}\nonly syft: {only_syft:#?}");
        eprintln!(
            "CPEs equal for {cpe_same}, different for {}: {:#?}",
            cpe_different.len(),
            cpe_different.iter().take(100).collect::<Vec<_>>()
        );
    }
    assert!(only_ours.is_empty() && only_syft.is_empty());
}
