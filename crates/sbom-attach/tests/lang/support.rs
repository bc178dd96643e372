//! Runs catalogers over a folder the way the image driver does (every regular file offered
//! to `wants`, wanted ones streamed to `read`, `finish` with the sorted file list), and
//! runs syft on the same folder as the oracle.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use sbom_attach::catalog::{CatalogContext, Cataloger, Issue};
use sbom_attach::package::Package;
use shipgate_oci::layers::{EntryKind, FileEntry};

/// Every regular file under `root`, as the image driver lists them (sorted, relative).
pub(crate) fn files(root: &Path) -> Vec<FileEntry> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.path().symlink_metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else if meta.is_file() {
                let path = entry.path();
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push(FileEntry {
                    path: relative,
                    kind: EntryKind::File,
                    size: meta.len(),
                    mode: meta.permissions().mode() & 0o7777,
                    link_target: None,
                    layer: 0,
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Runs `catalogers` over `root`.
pub(crate) fn catalog_dir(
    root: &Path,
    mut catalogers: Vec<Box<dyn Cataloger>>,
) -> (Vec<Package>, Vec<Issue>) {
    let files = files(root);
    let mut issues = Vec::new();
    for entry in &files {
        for cataloger in &mut catalogers {
            if cataloger.wants(entry) {
                let mut file = fs::File::open(root.join(&entry.path)).unwrap();
                cataloger.read(entry, &mut file, &mut issues).unwrap();
            }
        }
    }
    let context = CatalogContext::default();
    let mut packages = Vec::new();
    for cataloger in catalogers {
        packages.extend(cataloger.finish(&context, &files, &mut issues));
    }
    (packages, issues)
}

/// The purls of `packages`, as a set.
pub(crate) fn purls(packages: &[Package]) -> BTreeSet<String> {
    packages.iter().map(|p| p.purl.clone()).collect()
}

/// syft's purls for `root`, for artifacts of the given syft types: with the image
/// catalogers (`image`) or the default directory (source) ones. `None` when syft is not
/// installed (a skip outside CI).
pub(crate) fn syft_purls(root: &Path, image: bool, types: &[&str]) -> Option<BTreeSet<String>> {
    Some(
        syft_artifacts(root, image, types)?
            .into_iter()
            .map(|(purl, _)| purl)
            .collect(),
    )
}

/// syft's `(purl, CPEs)` for `root` (see [`syft_purls`]).
pub(crate) fn syft_artifacts(
    root: &Path,
    image: bool,
    types: &[&str],
) -> Option<Vec<(String, Vec<String>)>> {
    syft_source(&format!("dir:{}", root.display()), image, types)
}

/// syft's `(purl, CPEs)` for any syft source (`oci-archive:PATH`, `dir:PATH`).
pub(crate) fn syft_source(
    source: &str,
    image: bool,
    types: &[&str],
) -> Option<Vec<(String, Vec<String>)>> {
    let syft = test_support::require_tool("syft")?;
    let mut command = test_support::scrubbed(syft);
    command.arg("scan").arg(source);
    if image {
        command.args(["--override-default-catalogers", "image"]);
    }
    command
        .args(["-o", "json", "-q"])
        .env("SYFT_CHECK_FOR_APP_UPDATE", "false");
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "syft failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    Some(
        document["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| types.contains(&a["type"].as_str().unwrap_or_default()))
            .map(|a| {
                let cpes = a["cpes"]
                    .as_array()
                    .map(|cpes| {
                        cpes.iter()
                            .filter_map(|c| c["cpe"].as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                (a["purl"].as_str().unwrap().to_owned(), cpes)
            })
            .collect(),
    )
}

/// Runs a command, panicking with its output when it fails.
pub(crate) fn run(command: &mut std::process::Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
