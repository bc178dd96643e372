//! Generated files and their drift check, shared by `shipgate render --check` and
//! `cargo xtask codegen --check`.
//!
//! A generator returns [`GeneratedFile`]s; [`write_all`] writes the ones whose contents
//! changed, and [`check_all`] compares them with the tree (line endings normalised) and
//! returns a unified diff for each stale one.

use std::io;
use std::path::{Path, PathBuf};

use similar::TextDiff;

/// One file a generator produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the root it is written under, e.g. `.github/workflows/shipgate.yml`.
    pub path: PathBuf,
    /// The full contents.
    pub contents: String,
}

/// A generated file whose copy in the tree differs from what would be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleFile {
    /// Path relative to the root.
    pub path: PathBuf,
    /// Unified diff from the tree (`a/PATH`) to the generated contents (`b/PATH`).
    pub diff: String,
}

fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n")
}

fn read_existing(path: &Path) -> io::Result<Option<String>> {
    match fs_err::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// Writes every file under `root` whose contents differ, creating directories as needed.
/// Returns the relative paths that were written.
pub fn write_all(root: &Path, files: &[GeneratedFile]) -> io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for file in files {
        let target = root.join(&file.path);
        let current = read_existing(&target)?;
        if current.as_deref().map(normalize) == Some(normalize(&file.contents)) {
            continue;
        }
        if let Some(parent) = target.parent() {
            fs_err::create_dir_all(parent)?;
        }
        fs_err::write(&target, &file.contents)?;
        written.push(file.path.clone());
    }
    Ok(written)
}

/// Compares every file with its copy under `root`; a missing copy diffs against nothing.
pub fn check_all(root: &Path, files: &[GeneratedFile]) -> io::Result<Vec<StaleFile>> {
    let mut stale = Vec::new();
    for file in files {
        let current = normalize(&read_existing(&root.join(&file.path))?.unwrap_or_default());
        let wanted = normalize(&file.contents);
        if current == wanted {
            continue;
        }
        let path = file.path.to_string_lossy().replace('\\', "/");
        let diff = TextDiff::from_lines(&current, &wanted)
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{path}"), &format!("b/{path}"))
            .to_string();
        stale.push(StaleFile {
            path: file.path.clone(),
            diff,
        });
    }
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> GeneratedFile {
        GeneratedFile {
            path: PathBuf::from(path),
            contents: contents.to_owned(),
        }
    }

    #[test]
    fn write_then_check_then_drift() {
        let temp = tempfile::tempdir().unwrap();
        let files = [file("a/b.yml", "one\ntwo\nthree\n"), file("c.txt", "x\n")];
        let stale = check_all(temp.path(), &files).unwrap();
        assert_eq!(stale.len(), 2);
        assert!(stale[0].diff.contains("+one"));

        let written = write_all(temp.path(), &files).unwrap();
        assert_eq!(written.len(), 2);
        assert!(check_all(temp.path(), &files).unwrap().is_empty());
        assert!(write_all(temp.path(), &files).unwrap().is_empty());

        std::fs::write(temp.path().join("a/b.yml"), "one\nTWO\nthree\n").unwrap();
        let stale = check_all(temp.path(), &files).unwrap();
        assert_eq!(stale.len(), 1);
        insta::assert_snapshot!(stale[0].diff, @r"
        --- a/a/b.yml
        +++ b/a/b.yml
        @@ -1,3 +1,3 @@
         one
        -TWO
        +two
         three
        ");
    }

    #[test]
    fn crlf_is_not_drift() {
        let temp = tempfile::tempdir().unwrap();
        std::fs::write(temp.path().join("f"), "a\r\nb\r\n").unwrap();
        assert!(
            check_all(temp.path(), &[file("f", "a\nb\n")])
                .unwrap()
                .is_empty()
        );
    }
}
