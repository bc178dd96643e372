//! One module per `shipgate` command.

pub(crate) mod demo;
pub(crate) mod init;
pub(crate) mod plan;
pub(crate) mod promote;
pub(crate) mod push;
pub(crate) mod render;
pub(crate) mod sbom;
pub(crate) mod scan;
pub(crate) mod schema;
pub(crate) mod validate;

use std::path::{Component, Path, PathBuf};

/// `path` relative to `base`, with forward slashes, when `path` is inside `base`.
///
/// Both are made absolute against the current directory first, so `--dir .` and
/// `--spec ./shipgate.yaml` relate correctly.
pub(crate) fn relative_to(path: &Path, base: &Path) -> Option<String> {
    let cwd = std::env::current_dir().ok()?;
    let path = normalize(&cwd.join(path));
    let base = normalize(&cwd.join(base));
    let rest = path.strip_prefix(&base).ok()?;
    Some(
        rest.components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// Removes `.` and resolves `..` lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
