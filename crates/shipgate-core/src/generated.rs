//! Generated files and their drift check, shared by `shipgate render --check` and
//! `cargo xtask codegen --check`.
//!
//! A generator returns [`GeneratedFile`]s; [`write_all`] writes the ones whose contents
//! changed, and [`check_all`] compares them with the tree and returns a unified diff for
//! each stale one. Line endings are normalised (`\r\n` → `\n`) on both sides, so a
//! checkout with CRLF endings is not drift.

use std::io;
use std::path::{Component, Path, PathBuf};

use similar::TextDiff;

/// One file a generator produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the root it is written under, e.g. `.github/workflows/shipgate.yml`.
    pub path: PathBuf,
    /// The full contents.
    pub contents: String,
}

impl GeneratedFile {
    /// A generated file at `path` (relative) with `contents`.
    pub fn new(path: impl Into<PathBuf>, contents: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            contents: contents.into(),
        }
    }
}

/// A generated file whose copy in the tree differs from what would be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleFile {
    /// Path relative to the root.
    pub path: PathBuf,
    /// True when the file does not exist in the tree at all.
    pub missing: bool,
    /// Unified diff (3 lines of context) from the tree (`a/PATH`) to the generated
    /// contents (`b/PATH`); a missing file diffs against an empty one.
    pub diff: String,
}

fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// `root/path`, refusing a path that is absolute or climbs out of `root`.
fn target(root: &Path, path: &Path) -> io::Result<PathBuf> {
    let inside = path
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !inside || path.as_os_str().is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "generated file path `{}` must be relative and stay inside {}",
                path.display(),
                root.display()
            ),
        ));
    }
    Ok(root.join(path))
}

/// The file's contents (lossy UTF-8, so a binary file is drift, not an error), or `None`
/// when it does not exist.
fn read_existing(path: &Path) -> io::Result<Option<String>> {
    match fs_err::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// Writes every file under `root` whose contents differ (ignoring line endings),
/// creating directories as needed. Returns the relative paths that were written, in
/// input order. Errors name the path.
pub fn write_all(root: &Path, files: &[GeneratedFile]) -> io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for file in files {
        let target = target(root, &file.path)?;
        let current = read_existing(&target)?;
        if current.is_some_and(|text| normalize(&text) == normalize(&file.contents)) {
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

/// Compares every file with its copy under `root` and returns the stale ones, in input
/// order, each with a unified diff. Errors name the path.
pub fn check_all(root: &Path, files: &[GeneratedFile]) -> io::Result<Vec<StaleFile>> {
    let mut stale = Vec::new();
    for file in files {
        let existing = read_existing(&target(root, &file.path)?)?;
        let missing = existing.is_none();
        let current = normalize(&existing.unwrap_or_default());
        let wanted = normalize(&file.contents);
        if !missing && current == wanted {
            continue;
        }
        stale.push(StaleFile {
            path: file.path.clone(),
            missing,
            diff: unified_diff(&file.path, &current, &wanted),
        });
    }
    Ok(stale)
}

/// A unified diff from `old` to `new` with 3 lines of context and `a/PATH` / `b/PATH`
/// headers (forward slashes on every platform). Empty when the texts are equal.
pub fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    let path = path.to_string_lossy().replace('\\', "/");
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_check_then_drift() {
        let temp = tempfile::tempdir().unwrap();
        let files = [
            GeneratedFile::new("a/b.yml", "one\ntwo\nthree\n"),
            GeneratedFile::new("c.txt", "x\n"),
        ];
        let stale = check_all(temp.path(), &files).unwrap();
        assert_eq!(stale.len(), 2);
        assert!(stale.iter().all(|s| s.missing));
        insta::assert_snapshot!(stale[0].diff, @r"
        --- a/a/b.yml
        +++ b/a/b.yml
        @@ -0,0 +1,3 @@
        +one
        +two
        +three
        ");

        let written = write_all(temp.path(), &files).unwrap();
        assert_eq!(
            written,
            vec![PathBuf::from("a/b.yml"), PathBuf::from("c.txt")]
        );
        assert_eq!(
            std::fs::read_to_string(temp.path().join("a/b.yml")).unwrap(),
            "one\ntwo\nthree\n"
        );
        assert!(check_all(temp.path(), &files).unwrap().is_empty());
        assert!(write_all(temp.path(), &files).unwrap().is_empty());

        std::fs::write(temp.path().join("a/b.yml"), "one\nTWO\nthree\n").unwrap();
        let stale = check_all(temp.path(), &files).unwrap();
        assert_eq!(stale.len(), 1);
        assert!(!stale[0].missing);
        insta::assert_snapshot!(stale[0].diff, @r"
        --- a/a/b.yml
        +++ b/a/b.yml
        @@ -1,3 +1,3 @@
         one
        -TWO
        +two
         three
        ");
        assert_eq!(
            write_all(temp.path(), &files).unwrap(),
            vec![PathBuf::from("a/b.yml")]
        );
        assert!(check_all(temp.path(), &files).unwrap().is_empty());
    }

    #[test]
    fn diff_has_three_lines_of_context() {
        let temp = tempfile::tempdir().unwrap();
        let old: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        std::fs::write(temp.path().join("f.yml"), &old).unwrap();
        let new = old.replace("line 10\n", "line ten\n");
        let stale = check_all(temp.path(), &[GeneratedFile::new("f.yml", new)]).unwrap();
        insta::assert_snapshot!(stale[0].diff, @r"
        --- a/f.yml
        +++ b/f.yml
        @@ -7,7 +7,7 @@
         line 7
         line 8
         line 9
        -line 10
        +line ten
         line 11
         line 12
         line 13
        ");
    }

    #[test]
    fn crlf_is_not_drift() {
        let temp = tempfile::tempdir().unwrap();
        std::fs::write(temp.path().join("f"), "a\r\nb\r\n").unwrap();
        let files = [GeneratedFile::new("f", "a\nb\n")];
        assert!(check_all(temp.path(), &files).unwrap().is_empty());
        // Nor is it rewritten.
        assert!(write_all(temp.path(), &files).unwrap().is_empty());
        assert_eq!(std::fs::read(temp.path().join("f")).unwrap(), b"a\r\nb\r\n");
    }

    #[test]
    fn a_missing_final_newline_is_drift() {
        let temp = tempfile::tempdir().unwrap();
        std::fs::write(temp.path().join("f"), "a\nb").unwrap();
        let stale = check_all(temp.path(), &[GeneratedFile::new("f", "a\nb\n")]).unwrap();
        insta::assert_snapshot!(stale[0].diff, @r"
        --- a/f
        +++ b/f
        @@ -1,2 +1,2 @@
         a
        -b
        \ No newline at end of file
        +b
        ");
    }

    #[test]
    fn an_empty_generated_file_that_is_missing_is_stale() {
        let temp = tempfile::tempdir().unwrap();
        let files = [GeneratedFile::new(".keep", "")];
        let stale = check_all(temp.path(), &files).unwrap();
        assert_eq!(stale.len(), 1);
        assert!(stale[0].missing);
        assert_eq!(write_all(temp.path(), &files).unwrap().len(), 1);
        assert!(check_all(temp.path(), &files).unwrap().is_empty());
    }

    #[test]
    fn binary_files_are_drift_not_errors() {
        let temp = tempfile::tempdir().unwrap();
        std::fs::write(temp.path().join("f"), [0xff, 0xfe, b'\n']).unwrap();
        let stale = check_all(temp.path(), &[GeneratedFile::new("f", "text\n")]).unwrap();
        assert_eq!(stale.len(), 1);
    }

    #[test]
    fn paths_must_stay_inside_the_root() {
        let temp = tempfile::tempdir().unwrap();
        let outside = temp.path().join("outside");
        for path in [
            "../escape".to_owned(),
            "a/../../escape".to_owned(),
            outside.display().to_string(),
            String::new(),
        ] {
            let files = [GeneratedFile::new(path.as_str(), "x")];
            let error = write_all(&temp.path().join("root"), &files).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{path}");
            assert!(check_all(temp.path(), &files).is_err(), "{path}");
        }
        assert!(!outside.exists());
        assert!(!temp.path().join("escape").exists());
    }

    #[test]
    fn errors_name_the_path() {
        let temp = tempfile::tempdir().unwrap();
        std::fs::write(temp.path().join("file"), "").unwrap();
        let error = write_all(temp.path(), &[GeneratedFile::new("file/child.yml", "x")])
            .unwrap_err()
            .to_string();
        assert!(error.contains("file"), "{error}");
        // A directory where a file should be.
        std::fs::create_dir(temp.path().join("dir")).unwrap();
        let error = check_all(temp.path(), &[GeneratedFile::new("dir", "x")])
            .unwrap_err()
            .to_string();
        assert!(error.contains("dir"), "{error}");
    }
}
