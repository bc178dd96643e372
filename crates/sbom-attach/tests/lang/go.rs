use std::fs;
use std::path::Path;
use std::process::Command;

use sbom_attach::catalog::go;

use crate::support::{catalog_dir, purls, run, syft_purls};

/// The uuid module's source as Debian ships it (`golang-github-google-uuid-dev`), so the
/// build needs no module proxy.
const UUID_SOURCE: &str = "/usr/share/gocode/src/github.com/google/uuid";

const MAIN: &str = r#"package main

import (
	"fmt"

	"example.com/localdep"
	"github.com/google/uuid"
)

var version = "dev"

func main() { fmt.Println(uuid.NewString(), localdep.X(), version) }
"#;

fn copy_go_files(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if (name.ends_with(".go") && !name.ends_with("_test.go")) || name == "go.mod" {
            fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// Builds Go binaries into `bin` (a plain one, one with `-ldflags -X main.version`, and
/// one from a git checkout when git is there), using `work` for sources. `None` when Go
/// or the uuid sources are missing (a skip outside CI); else whether the VCS build ran.
pub(crate) fn build_binaries(work: &Path, bin: &Path) -> Option<bool> {
    let go_tool = test_support::require_tool("go")?;
    if !Path::new(UUID_SOURCE).is_dir() {
        assert!(
            !test_support::in_ci(),
            "{UUID_SOURCE} is missing; .ci/run installs golang-github-google-uuid-dev"
        );
        return None;
    }
    let module = work.join("hello");
    let localdep = work.join("localdep");
    fs::create_dir_all(&localdep).unwrap();
    fs::write(
        localdep.join("go.mod"),
        "module example.com/localdep\n\ngo 1.19\n",
    )
    .unwrap();
    fs::write(
        localdep.join("l.go"),
        "package localdep\n\nfunc X() string { return \"x\" }\n",
    )
    .unwrap();
    copy_go_files(
        Path::new(UUID_SOURCE),
        &module.join("vendor/github.com/google/uuid"),
    );
    copy_go_files(&localdep, &module.join("vendor/example.com/localdep"));
    // The version Debian ships (bookworm: 1.3.0); only recorded, never fetched.
    let uuid_version = "v1.3.0";
    fs::write(
        module.join("go.mod"),
        format!(
            "module example.com/hello\n\ngo 1.19\n\nrequire (\n\tgithub.com/google/uuid {uuid_version}\n\texample.com/localdep v0.1.0\n)\n\nreplace example.com/localdep v0.1.0 => ../localdep\n"
        ),
    )
    .unwrap();
    fs::write(
        module.join("vendor/modules.txt"),
        format!(
            "# example.com/localdep v0.1.0 => ../localdep\n## explicit\nexample.com/localdep\n# github.com/google/uuid {uuid_version}\n## explicit\ngithub.com/google/uuid\n# example.com/localdep v0.1.0 => ../localdep\n"
        ),
    )
    .unwrap();
    fs::write(module.join("main.go"), MAIN).unwrap();
    fs::create_dir_all(bin).unwrap();
    let build = |output: &Path, ldflags: &str| {
        run(Command::new(&go_tool)
            .current_dir(&module)
            .args([
                "build",
                "-mod=vendor",
                "-buildvcs=false",
                "-ldflags",
                ldflags,
                "-o",
            ])
            .arg(output)
            .arg(".")
            .env("GOPROXY", "off")
            .env("GOFLAGS", "-mod=vendor")
            .env("GOTOOLCHAIN", "local"));
    };
    build(&bin.join("hello"), "");
    build(&bin.join("hello-versioned"), "-X main.version=1.2.3 -s -w");
    // A build from a git checkout: syft turns the VCS stamp into a pseudo-version.
    let vcs = test_support::require_tool("git").map(|git| {
        let git_run = |args: &[&str]| {
            run(Command::new(&git)
                .current_dir(&module)
                .args(args)
                .env("GIT_AUTHOR_NAME", "t")
                .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
                .env("GIT_COMMITTER_NAME", "t")
                .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
                .env("GIT_AUTHOR_DATE", "2024-03-05T10:11:12Z")
                .env("GIT_COMMITTER_DATE", "2024-03-05T10:11:12Z"));
        };
        git_run(&["init", "--quiet"]);
        git_run(&["add", "--all"]);
        git_run(&["commit", "--quiet", "--message", "init"]);
        run(Command::new(&go_tool)
            .current_dir(&module)
            .args(["build", "-mod=vendor", "-buildvcs=true", "-o"])
            .arg(bin.join("hello-vcs"))
            .arg(".")
            .env("GOPROXY", "off")
            .env("GOFLAGS", "-mod=vendor")
            .env("GOTOOLCHAIN", "local"));
    });
    Some(vcs.is_some())
}

#[test]
fn go_binaries_match_syft() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("root");
    let bin = root.join("usr/local/bin");
    let Some(vcs) = build_binaries(work.path(), &bin) else {
        return;
    };
    // Executables that are not Go binaries give nothing.
    fs::write(bin.join("script.sh"), "#!/bin/sh\necho hi\n".repeat(100)).unwrap();
    fs::copy("/bin/true", bin.join("true")).unwrap();
    for name in ["script.sh", "true"] {
        let path = bin.join(name);
        let mut permissions = fs::metadata(&path).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        fs::set_permissions(&path, permissions).unwrap();
    }

    let (packages, issues) = catalog_dir(&root, go::catalogers());
    assert!(issues.is_empty(), "{issues:?}");
    let ours = purls(&packages);
    section_headers_are_optional(&bin.join("hello"), &ours);
    assert!(
        ours.contains("pkg:golang/example.com/hello@(devel)"),
        "{ours:?}"
    );
    assert!(
        ours.contains("pkg:golang/example.com/hello@v1.2.3"),
        "{ours:?}"
    );
    if vcs {
        assert!(
            ours.iter()
                .any(|p| p.starts_with("pkg:golang/example.com/hello@v0.0.0-20240305101112-")),
            "{ours:?}"
        );
    }
    assert!(ours.contains("pkg:golang/../localdep@(devel)"), "{ours:?}");
    assert!(ours.contains("pkg:golang/github.com/google/uuid@v1.3.0"));
    assert!(
        ours.iter().any(|p| p.starts_with("pkg:golang/stdlib@1.")),
        "{ours:?}"
    );
    assert!(
        packages
            .iter()
            .all(|p| p.locations[0].starts_with("usr/local/bin/hello"))
    );
    if let Some(syft) = syft_purls(&root, true, &["go-module"]) {
        assert_eq!(ours, syft);
    }
}

/// A copy of `binary` without its section table (as `sstrip` leaves it) still yields the
/// same build information, found by scanning the writable segment.
fn section_headers_are_optional(binary: &Path, expected: &std::collections::BTreeSet<String>) {
    let mut bytes = fs::read(binary).unwrap();
    assert_eq!(&bytes[..5], b"\x7fELF\x02", "a 64-bit ELF");
    bytes[0x28..0x30].fill(0); // e_shoff
    bytes[0x3c..0x40].fill(0); // e_shnum, e_shstrndx
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join("hello-sstripped");
    fs::write(&path, bytes).unwrap();
    let mut permissions = fs::metadata(&path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    fs::set_permissions(&path, permissions).unwrap();
    let (packages, issues) = catalog_dir(root.path(), go::catalogers());
    assert!(issues.is_empty(), "{issues:?}");
    let found = purls(&packages);
    assert!(!found.is_empty());
    assert!(found.is_subset(expected), "{found:?}");
}
