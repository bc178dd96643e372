//! Layouts and archives written by real producers (umoci, skopeo, buildah) read back.

use std::path::Path;
use std::process::Command;

use shipgate_oci::layers::flatten;
use shipgate_oci::{BlobStore, Layout, Platform, Source};
use test_support::{require_tool, scrubbed};

fn run(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The regular files of an image and their content.
fn files_of(
    store: &dyn BlobStore,
    manifest: &shipgate_oci::spec::ImageManifest,
) -> Vec<(String, String)> {
    let mut files = Vec::new();
    flatten(store, manifest, |entry, reader| {
        let mut content = String::new();
        reader.read_to_string(&mut content).unwrap();
        files.push((entry.path.clone(), content));
        Ok(())
    })
    .unwrap();
    files.sort();
    files
}

/// `umoci init` + `umoci new` + `umoci insert` of one file: a tiny image in `DIR:t`.
fn umoci_image(dir: &Path) -> Option<std::path::PathBuf> {
    let umoci = require_tool("umoci")?;
    let layout = dir.join("umoci");
    let file = dir.join("hello.txt");
    fs_err::write(&file, "hello from umoci\n").unwrap();
    run(scrubbed(&umoci).args(["init", "--layout"]).arg(&layout));
    run(scrubbed(&umoci)
        .args(["new", "--image"])
        .arg(format!("{}:t", layout.display())));
    run(scrubbed(&umoci)
        .args(["insert", "--image"])
        .arg(format!("{}:t", layout.display()))
        .arg(&file)
        .arg("/etc/hello.txt"));
    Some(layout)
}

#[test]
fn reads_umoci_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let Some(layout_dir) = umoci_image(dir.path()) else {
        return;
    };
    let layout = Layout::open(&layout_dir).unwrap();
    assert_eq!(layout.tags(), vec!["t".to_owned()]);
    let image = layout.resolve(Some("t"), &Platform::host()).unwrap();
    assert_eq!(
        files_of(layout.store(), &image.manifest),
        vec![("etc/hello.txt".to_owned(), "hello from umoci\n".to_owned())]
    );
}

#[test]
fn reads_skopeo_copies_in_every_local_format() {
    let dir = tempfile::tempdir().unwrap();
    let Some(layout_dir) = umoci_image(dir.path()) else {
        return;
    };
    let Some(skopeo) = require_tool("skopeo") else {
        return;
    };
    let original = Layout::open(&layout_dir).unwrap();
    let host = Platform::host();
    let image = original.resolve(Some("t"), &host).unwrap();
    let expected = files_of(original.store(), &image.manifest);
    let from = format!("oci:{}:t", layout_dir.display());
    let copy = dir.path().join("copy");
    let oci_archive = dir.path().join("image.tar");
    let docker_archive = dir.path().join("docker.tar");
    run(scrubbed(&skopeo)
        .args(["copy", "--quiet", &from])
        .arg(format!("oci:{}:copied", copy.display())));
    run(scrubbed(&skopeo)
        .args(["copy", "--quiet", &from])
        .arg(format!("oci-archive:{}:t", oci_archive.display())));
    run(scrubbed(&skopeo)
        .args(["copy", "--quiet", &from])
        .arg(format!(
            "docker-archive:{}:example.com/tiny:t",
            docker_archive.display()
        )));

    let copied = Source::parse(&format!("oci-dir:{}:copied", copy.display())).unwrap();
    let local = copied.open_local(&host).unwrap();
    assert_eq!(local.image.descriptor.digest(), image.descriptor.digest());
    assert_eq!(
        files_of(local.store.as_ref(), &local.image.manifest),
        expected
    );

    let archived = Source::parse(oci_archive.to_str().unwrap()).unwrap();
    assert_eq!(archived, Source::OciArchive(oci_archive.clone()));
    let local = archived.open_local(&host).unwrap();
    assert_eq!(local.image.descriptor.digest(), image.descriptor.digest());
    assert_eq!(
        files_of(local.store.as_ref(), &local.image.manifest),
        expected
    );

    let saved = Source::parse(docker_archive.to_str().unwrap()).unwrap();
    assert_eq!(saved, Source::DockerArchive(docker_archive.clone()));
    let local = saved.open_local(&host).unwrap();
    assert_eq!(
        local.image.manifest.config().digest(),
        image.manifest.config().digest()
    );
    assert_eq!(
        files_of(local.store.as_ref(), &local.image.manifest),
        expected
    );
}

#[test]
fn reads_buildah_commits() {
    let Some(buildah) = require_tool("buildah") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let runroot = dir.path().join("runroot");
    let buildah_cmd = || {
        let mut command = scrubbed(&buildah);
        command
            .arg("--root")
            .arg(&root)
            .arg("--runroot")
            .arg(&runroot)
            .args(["--storage-driver", "vfs"]);
        command
    };
    let output = buildah_cmd().args(["from", "scratch"]).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let container = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    let file = dir.path().join("app.txt");
    fs_err::write(&file, "built by buildah\n").unwrap();
    run(buildah_cmd()
        .args(["copy", &container])
        .arg(&file)
        .arg("/srv/app.txt"));
    run(buildah_cmd().args(["config", "--env", "MODE=test", &container]));
    let out = dir.path().join("out");
    run(buildah_cmd()
        .args(["commit", "--quiet", &container])
        .arg(format!("oci:{}:b", out.display())));
    run(buildah_cmd().args(["rm", &container]));

    let layout = Layout::open(&out).unwrap();
    let image = layout.resolve(Some("b"), &Platform::host()).unwrap();
    let env = image
        .config
        .config()
        .as_ref()
        .unwrap()
        .env()
        .clone()
        .unwrap();
    assert!(env.iter().any(|e| e == "MODE=test"), "{env:?}");
    assert_eq!(
        files_of(layout.store(), &image.manifest),
        vec![("srv/app.txt".to_owned(), "built by buildah\n".to_owned())]
    );
}
