//! `push` and `promote` against a real `docker-registry` (which has no referrers API),
//! checked with skopeo; auth with htpasswd; faults injected by the proxy.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use shipgate_core::exit::{Exit, ExitStatus};
use shipgate_core::image_ref::{self, Digest, ImageRef};
use shipgate_oci::registry::auth::{ENV_PASSWORD, ENV_USERNAME};
use shipgate_oci::spec::{Descriptor, MediaType};
use shipgate_oci::{
    Client, ClientOptions, CredentialSource, Error, Layout, LayoutWriter, PushOptions, promote,
    push,
};
use test_support::fault_proxy::{Fault, FaultProxy};
use test_support::registry::Registry;
use test_support::{require_tool, scrubbed};

use crate::common::{Layer, Member, simple_layout, write_image};

const BUNDLE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
const SBOM: &str = "application/vnd.cyclonedx+json";

fn client_with(credentials: CredentialSource) -> Client {
    Client::new(ClientOptions {
        timeout: Duration::from_secs(20),
        backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(1500),
        attempts: 6,
        credentials,
        ..ClientOptions::default()
    })
    .unwrap()
}

fn client() -> Client {
    client_with(CredentialSource::anonymous())
}

fn reference(text: &str) -> ImageRef {
    image_ref::parse(text).unwrap()
}

fn skopeo() -> Option<std::path::PathBuf> {
    require_tool("skopeo")
}

fn run(command: &mut Command) -> std::process::Output {
    command.output().unwrap()
}

/// `skopeo inspect --raw` digest of `reference`, or `None` when the registry has no such tag.
fn skopeo_digest(skopeo: &Path, reference: &str) -> Option<String> {
    let out = run(scrubbed(skopeo).args([
        "inspect",
        "--tls-verify=false",
        "--format",
        "{{.Digest}}",
        &format!("docker://{reference}"),
    ]));
    out.status
        .success()
        .then(|| String::from_utf8(out.stdout).unwrap().trim().to_owned())
}

fn skopeo_raw(skopeo: &Path, reference: &str) -> serde_json::Value {
    let out = run(scrubbed(skopeo).args([
        "inspect",
        "--tls-verify=false",
        "--raw",
        &format!("docker://{reference}"),
    ]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A layout with a two-layer image tagged `v1`, a signature bundle and an SBOM referring
/// to it, and an attestation referring to the SBOM.
fn signed_layout(dir: &Path) -> (Layout, Descriptor, Vec<Descriptor>) {
    let (mut writer, image) = simple_layout(dir);
    let image = plain(&image);
    let signature = writer
        .add_artifact(
            &image,
            BUNDLE,
            &[(MediaType::Other(BUNDLE.to_owned()), b"{\"bundle\":1}")],
            HashMap::from([(
                "dev.sigstore.bundle.predicateType".to_owned(),
                "https://sigstore.dev/cosign/sign/v1".to_owned(),
            )]),
        )
        .unwrap();
    let sbom = writer
        .add_artifact(
            &image,
            SBOM,
            &[(
                MediaType::Other(SBOM.to_owned()),
                b"{\"bomFormat\":\"CycloneDX\"}",
            )],
            HashMap::from([(
                "org.opencontainers.image.created".to_owned(),
                "2026-01-01T00:00:00Z".to_owned(),
            )]),
        )
        .unwrap();
    let sbom_subject = Descriptor::new(
        sbom.media_type().clone(),
        sbom.size(),
        sbom.digest().clone(),
    );
    let attestation = writer
        .add_artifact(
            &sbom_subject,
            BUNDLE,
            &[(MediaType::Other(BUNDLE.to_owned()), b"{\"bundle\":2}")],
            HashMap::new(),
        )
        .unwrap();
    (
        writer.layout().unwrap(),
        image,
        vec![signature, sbom, attestation],
    )
}

fn plain(descriptor: &Descriptor) -> Descriptor {
    Descriptor::new(
        descriptor.media_type().clone(),
        descriptor.size(),
        descriptor.digest().clone(),
    )
}

fn digest_of(descriptor: &Descriptor) -> Digest {
    Digest::parse(descriptor.digest().as_ref()).unwrap()
}

#[test]
fn push_keeps_digests_referrers_and_tags() {
    let Some(skopeo) = skopeo() else { return };
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (layout, image, referrers) = signed_layout(&dir.path().join("layout"));
    let client = client();
    let app = reference(&registry.reference("shipgate/app", "1.0"));
    let mirror = reference(&format!("{}/shipgate/mirror", registry.host()));
    let report = push(
        &client,
        &layout,
        None,
        &[app.clone(), mirror.clone()],
        PushOptions::default(),
    )
    .unwrap();

    assert_eq!(report.digest, image.digest().to_string());
    assert_eq!(report.destinations[0].tags, ["1.0"]);
    // No tag on the second destination: the layout's tag is used.
    assert_eq!(report.destinations[1].tags, ["v1"]);
    // The second repository mounted every blob from the first.
    let mirror_blobs = report.destinations[1].blobs;
    assert_eq!(mirror_blobs.uploaded, 0, "{mirror_blobs:?}");
    assert!(mirror_blobs.mounted > 0);
    assert_eq!(report.destinations[0].referrers.len(), 3);
    assert!(
        report.destinations[0]
            .referrers
            .iter()
            .all(|r| !r.indexed_by_registry)
    );

    // skopeo sees the same manifest digest under both tags.
    assert_eq!(
        skopeo_digest(&skopeo, &registry.reference("shipgate/app", "1.0")).as_deref(),
        Some(report.digest.as_str()),
        "{}",
        registry.log()
    );
    assert_eq!(
        skopeo_digest(&skopeo, &registry.reference("shipgate/mirror", "v1")).as_deref(),
        Some(report.digest.as_str())
    );

    // The fallback index lists both referrers of the image with artifactType and annotations.
    let subject = digest_of(&image);
    let fallback = skopeo_raw(
        &skopeo,
        &registry.reference("shipgate/app", &format!("sha256-{}", subject.hex())),
    );
    let listed = fallback["manifests"].as_array().unwrap();
    assert_eq!(listed.len(), 2, "{fallback:#}");
    assert_eq!(listed[0]["artifactType"], BUNDLE);
    assert_eq!(
        listed[0]["annotations"]["dev.sigstore.bundle.predicateType"],
        "https://sigstore.dev/cosign/sign/v1"
    );
    assert_eq!(listed[1]["artifactType"], SBOM);
    // And the client finds them through the fallback, filtered by artifact type.
    let found = client.referrers(&app, &subject, Some(BUNDLE)).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].digest(), referrers[0].digest());
    assert_eq!(found[0].annotations(), referrers[0].annotations());
    // The referrer of the SBOM too.
    let of_sbom = client
        .referrers(&app, &digest_of(&referrers[1]), None)
        .unwrap();
    assert_eq!(of_sbom.len(), 1);
    assert_eq!(of_sbom[0].digest(), referrers[2].digest());

    // Pulling back with skopeo gives byte-identical blobs.
    let pulled = dir.path().join("pulled");
    let out = run(scrubbed(&skopeo)
        .args([
            "copy",
            "--quiet",
            "--preserve-digests",
            "--src-tls-verify=false",
        ])
        .arg(format!(
            "docker://{}",
            registry.reference("shipgate/app", "1.0")
        ))
        .arg(format!("oci:{}:x", pulled.display())));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = layout.read_manifest(&image).unwrap();
    for blob in std::iter::once(manifest.config()).chain(manifest.layers()) {
        let digest = digest_of(blob);
        let ours = fs_err::read(dir.path().join("layout/blobs/sha256").join(digest.hex())).unwrap();
        let theirs = fs_err::read(pulled.join("blobs/sha256").join(digest.hex())).unwrap();
        assert_eq!(ours, theirs, "blob {digest}");
    }

    // A second push finds everything in place and uploads nothing.
    let again = push(&client, &layout, None, &[app], PushOptions::default()).unwrap();
    assert_eq!(again.destinations[0].blobs.uploaded, 0);
    assert_eq!(again.digest, report.digest);
    // The fallback index did not grow duplicates.
    let fallback = skopeo_raw(
        &skopeo,
        &registry.reference("shipgate/app", &format!("sha256-{}", subject.hex())),
    );
    assert_eq!(fallback["manifests"].as_array().unwrap().len(), 2);
}

#[test]
fn multi_platform_index_pushes_recursively_and_promotes() {
    let Some(skopeo) = skopeo() else { return };
    let Some(registry) = Registry::start() else {
        return;
    };
    let Some(other) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut writer = LayoutWriter::create(dir.path()).unwrap();
    let amd = write_image(
        &mut writer,
        &[Layer::gzip(&[Member::File("a", b"amd64\n")])],
        "linux",
        "amd64",
    );
    let arm = write_image(
        &mut writer,
        &[Layer::gzip(&[Member::File("a", b"arm64\n")])],
        "linux",
        "arm64",
    );
    let mut index = shipgate_oci::spec::ImageIndex::default();
    index.set_schema_version(2);
    index.set_media_type(Some(MediaType::ImageIndex));
    index.set_manifests(vec![amd.clone(), arm.clone()]);
    let index = writer.add_index(&index).unwrap();
    writer.tag(&index, "multi").unwrap();
    writer
        .add_artifact(
            &plain(&arm),
            BUNDLE,
            &[(MediaType::Other(BUNDLE.to_owned()), b"{}")],
            HashMap::new(),
        )
        .unwrap();
    let layout = writer.layout().unwrap();
    let client = client();
    let source = reference(&registry.reference("team/app", "multi"));
    let pushed = push(
        &client,
        &layout,
        Some("multi"),
        std::slice::from_ref(&source),
        PushOptions::default(),
    )
    .unwrap();
    assert_eq!(pushed.digest, index.digest().to_string());
    assert_eq!(pushed.destinations[0].referrers.len(), 1);

    // Promote to another registry (streamed) and to another repository (mounted).
    let elsewhere = reference(&other.reference("prod/app", "stable"));
    let promoted = promote(&client, &source, &elsewhere, PushOptions::default()).unwrap();
    assert_eq!(promoted.digest, pushed.digest);
    assert_eq!(promoted.destinations[0].referrers.len(), 1);
    assert!(promoted.destinations[0].blobs.uploaded > 0);
    let same_registry = reference(&format!("{}/prod/app", registry.host()));
    let mounted = promote(&client, &source, &same_registry, PushOptions::default()).unwrap();
    assert_eq!(mounted.destinations[0].tags, ["multi"]);
    assert_eq!(mounted.destinations[0].blobs.uploaded, 0);
    assert!(mounted.destinations[0].blobs.mounted > 0);

    for reference in [
        other.reference("prod/app", "stable"),
        registry.reference("prod/app", "multi"),
    ] {
        assert_eq!(
            skopeo_digest(&skopeo, &reference).as_deref(),
            Some(pushed.digest.as_str())
        );
    }
    // The signature of the arm64 image came along, with its artifact type.
    let arm_digest = digest_of(&arm);
    let found = client.referrers(&elsewhere, &arm_digest, None).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].artifact_type().as_ref().unwrap().to_string(),
        BUNDLE
    );
}

#[test]
fn htpasswd_auth_works_and_a_wrong_password_is_exit_3() {
    let Some(registry) = Registry::start_with_auth("shipgate", "correct horse") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (writer, _) = simple_layout(dir.path());
    let layout = writer.layout().unwrap();
    let target = reference(&registry.reference("private/app", "v1"));
    let env = |password: &str| {
        CredentialSource::new(
            HashMap::from([
                (ENV_USERNAME.to_owned(), "shipgate".to_owned()),
                (ENV_PASSWORD.to_owned(), password.to_owned()),
            ]),
            None,
        )
    };
    let report = push(
        &client_with(env("correct horse")),
        &layout,
        None,
        std::slice::from_ref(&target),
        PushOptions::default(),
    )
    .unwrap();
    assert_eq!(report.destinations[0].tags, ["v1"]);

    let error = push(
        &client_with(env("wrong")),
        &layout,
        None,
        std::slice::from_ref(&target),
        PushOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(error, Error::RegistryAuth { .. }), "{error:?}");
    assert_eq!(error.exit(), Exit::Environment);
    // The registry's own words, and never the password.
    let text = error.to_string();
    assert!(text.contains("UNAUTHORIZED"), "{text}");
    assert!(!text.contains("wrong"), "{text}");

    let anonymous = push(&client(), &layout, None, &[target], PushOptions::default()).unwrap_err();
    assert!(
        matches!(anonymous, Error::RegistryAuth { .. }),
        "{anonymous:?}"
    );
}

#[test]
fn an_unreachable_registry_is_exit_3() {
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let (writer, _) = simple_layout(dir.path());
    let client = Client::new(ClientOptions {
        attempts: 2,
        backoff: Duration::from_millis(10),
        ..ClientOptions::default()
    })
    .unwrap();
    let target = reference(&format!("127.0.0.1:{port}/x/y:1"));
    let error = push(
        &client,
        &writer.layout().unwrap(),
        None,
        &[target],
        PushOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(error, Error::RegistryUnreachable { .. }),
        "{error:?}"
    );
    assert_eq!(error.exit(), Exit::Environment);
}

#[test]
fn a_corrupt_blob_is_exit_2_and_moves_no_tag() {
    let Some(skopeo) = skopeo() else { return };
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (writer, image) = simple_layout(dir.path());
    let layout = writer.layout().unwrap();
    let manifest = layout.read_manifest(&image).unwrap();
    let layer = digest_of(&manifest.layers()[1]);
    let path = dir.path().join("blobs/sha256").join(layer.hex());
    let mut data = fs_err::read(&path).unwrap();
    data[0] ^= 0xff;
    fs_err::write(&path, data).unwrap();
    let error = push(
        &client(),
        &layout,
        None,
        &[reference(&registry.reference("x/y", "v1"))],
        PushOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(error, Error::DigestMismatch { .. }), "{error:?}");
    assert_eq!(error.exit(), Exit::BadInput);
    assert!(
        error.to_string().contains(&layer.hex().to_string()),
        "{error}"
    );
    assert_eq!(
        skopeo_digest(&skopeo, &registry.reference("x/y", "v1")),
        None
    );
}

#[test]
fn faults_are_retried_and_the_push_completes() {
    let Some(skopeo) = skopeo() else { return };
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (layout, image, _) = signed_layout(dir.path());
    // The first attempt of every distinct request fails (500, 429, a dropped connection
    // or an upload cut short, in turn); the retry passes.
    let attempts = std::sync::Mutex::new(HashMap::<String, usize>::new());
    let proxy = FaultProxy::start(registry.port(), move |method, path, index| {
        let key = match path.find("/uploads/") {
            Some(at) => format!("{method} {}", &path[..at]),
            None => format!("{method} {path}"),
        };
        let mut attempts = attempts.lock().unwrap();
        let count = attempts.entry(key).or_insert(0);
        *count += 1;
        if *count > 1 {
            return Fault::Pass;
        }
        match index % 4 {
            0 => Fault::server_error(),
            1 => Fault::too_many(1),
            2 if method == "PUT" => Fault::CutBody(10),
            _ => Fault::Drop,
        }
    });
    let client = Client::new(ClientOptions {
        attempts: 8,
        timeout: Duration::from_secs(10),
        backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        ..ClientOptions::default()
    })
    .unwrap();
    let target = reference(&format!("{}/faulty/app:v1", proxy.host()));
    let report = push(&client, &layout, None, &[target], PushOptions::default()).unwrap();
    assert_eq!(report.digest, image.digest().to_string());
    assert!(proxy.faults_injected() > 5, "{:?}", proxy.seen());
    assert_eq!(
        skopeo_digest(&skopeo, &registry.reference("faulty/app", "v1")).as_deref(),
        Some(report.digest.as_str())
    );
    let fallback = skopeo_raw(
        &skopeo,
        &registry.reference("faulty/app", &format!("sha256-{}", digest_of(&image).hex())),
    );
    assert_eq!(fallback["manifests"].as_array().unwrap().len(), 2);
}

#[test]
fn a_hanging_registry_times_out_and_the_request_is_retried() {
    let Some(skopeo) = skopeo() else { return };
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (writer, image) = simple_layout(dir.path());
    // The first two requests hang for 10 s; the client gives each one 1 s.
    let proxy = FaultProxy::start(registry.port(), |_, _, index| {
        if index < 2 {
            Fault::Stall(10_000)
        } else {
            Fault::Pass
        }
    });
    let client = Client::new(ClientOptions {
        timeout: Duration::from_secs(1),
        backoff: Duration::from_millis(10),
        ..ClientOptions::default()
    })
    .unwrap();
    let target = reference(&format!("{}/slow/app:v1", proxy.host()));
    let report = push(
        &client,
        &writer.layout().unwrap(),
        None,
        &[target],
        PushOptions::default(),
    )
    .unwrap();
    // The client hung up on both stalled requests (its 1 s timeout, not the proxy's 10 s
    // stall, ended them) and retried them.
    assert_eq!(proxy.stalls_abandoned(), 2, "{:?}", proxy.seen());
    assert_eq!(report.digest, image.digest().to_string());
    assert_eq!(
        skopeo_digest(&skopeo, &registry.reference("slow/app", "v1")).as_deref(),
        Some(report.digest.as_str())
    );
}

#[test]
fn a_push_that_fails_before_the_tags_moves_no_tag() {
    let Some(skopeo) = skopeo() else { return };
    let Some(registry) = Registry::start() else {
        return;
    };
    let client = client();
    // v1 points at a first image.
    let first_dir = tempfile::tempdir().unwrap();
    let (first, _) = simple_layout(first_dir.path());
    let target = reference(&registry.reference("stable/app", "v1"));
    let old = push(
        &client,
        &first.layout().unwrap(),
        None,
        &[target],
        PushOptions::default(),
    )
    .unwrap();

    // A second image, pushed through a proxy that always fails the manifest uploads.
    let dir = tempfile::tempdir().unwrap();
    let mut writer = LayoutWriter::create(dir.path()).unwrap();
    let image = write_image(
        &mut writer,
        &[Layer::gzip(&[Member::File("new", b"new\n")])],
        "linux",
        "amd64",
    );
    writer.tag(&image, "v1").unwrap();
    let layout = writer.layout().unwrap();
    for fault in [Fault::server_error(), Fault::Drop, Fault::too_many(0)] {
        let proxy = FaultProxy::start(registry.port(), move |method, path, _| {
            if method == "PUT" && path.contains("/manifests/") {
                fault
            } else {
                Fault::Pass
            }
        });
        let quick = Client::new(ClientOptions {
            attempts: 3,
            backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            ..ClientOptions::default()
        })
        .unwrap();
        let through = reference(&format!("{}/stable/app:v1", proxy.host()));
        let error = push(&quick, &layout, None, &[through], PushOptions::default()).unwrap_err();
        assert_eq!(error.exit(), Exit::Environment, "{error:?}");
        // The tag still points at the old image.
        assert_eq!(
            skopeo_digest(&skopeo, &registry.reference("stable/app", "v1")).as_deref(),
            Some(old.digest.as_str())
        );
        // And a tag that never existed does not appear.
        let fresh = reference(&format!("{}/fresh/app:v1", proxy.host()));
        push(&quick, &layout, None, &[fresh], PushOptions::default()).unwrap_err();
        assert_eq!(
            skopeo_digest(&skopeo, &registry.reference("fresh/app", "v1")),
            None
        );
    }
    // Re-running without faults completes the push.
    let target = reference(&registry.reference("stable/app", "v1"));
    let new = push(&client, &layout, None, &[target], PushOptions::default()).unwrap();
    assert_eq!(new.digest, image.digest().to_string());
    assert_eq!(
        skopeo_digest(&skopeo, &registry.reference("stable/app", "v1")).as_deref(),
        Some(new.digest.as_str())
    );
}

/// Files of the host's Debian system for a tiny root filesystem: `/bin/sh` with the
/// libraries it loads, and the release files.
fn debian_files() -> Vec<std::path::PathBuf> {
    let mut files = vec![
        std::path::PathBuf::from("/etc/os-release"),
        std::path::PathBuf::from("/etc/debian_version"),
    ];
    let shell = fs_err::canonicalize("/bin/sh").unwrap();
    let ldd = run(Command::new("ldd").arg(&shell));
    for line in String::from_utf8_lossy(&ldd.stdout).lines() {
        if let Some(path) = line.split_whitespace().find(|w| w.starts_with('/')) {
            files.push(path.into());
        }
    }
    files.push(shell);
    files.retain(|f| f.is_file());
    files
}

/// A two-layer image built by buildah from host Debian files, committed to an OCI layout
/// at `out` with the tag `deb`.
fn buildah_layout(dir: &Path, out: &Path) -> Option<()> {
    let buildah = require_tool("buildah")?;
    let root = dir.join("root");
    let runroot = dir.join("runroot");
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
    let checked = |command: &mut Command| {
        let out = run(command);
        assert!(
            out.status.success(),
            "{command:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let files = debian_files();
    let (system, rest) = files.split_at(2);
    let base = checked(buildah_cmd().args(["from", "scratch"]));
    for file in system {
        checked(buildah_cmd().args(["copy", &base]).arg(file).arg(file));
    }
    checked(buildah_cmd().args(["commit", "--quiet", &base, "localhost/base:1"]));
    let top = checked(buildah_cmd().args(["from", "localhost/base:1"]));
    for file in rest {
        checked(buildah_cmd().args(["copy", &top]).arg(file).arg(file));
    }
    checked(buildah_cmd().args(["config", "--cmd", "/bin/sh", &top]));
    checked(
        buildah_cmd()
            .args(["commit", "--quiet", &top])
            .arg(format!("oci:{}:deb", out.display())),
    );
    checked(buildah_cmd().args(["rm", "--all"]));
    Some(())
}

#[test]
fn a_buildah_debian_layout_pushes_and_pulls_back_byte_identical() {
    let Some(skopeo) = skopeo() else { return };
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("layout");
    if buildah_layout(dir.path(), &out).is_none() {
        return;
    }
    let layout = Layout::open(&out).unwrap();
    let target = reference(&registry.reference("debian/tiny", "bookworm"));
    let report = push(
        &client(),
        &layout,
        Some("deb"),
        &[target],
        PushOptions::default(),
    )
    .unwrap();
    let image = layout.find_tag("deb").unwrap();
    assert_eq!(report.digest, image.digest().to_string());
    assert_eq!(
        skopeo_digest(&skopeo, &registry.reference("debian/tiny", "bookworm")).as_deref(),
        Some(report.digest.as_str())
    );
    let manifest = layout.read_manifest(image).unwrap();
    assert_eq!(manifest.layers().len(), 2);
    let pulled = dir.path().join("pulled");
    let copied = run(scrubbed(&skopeo)
        .args([
            "copy",
            "--quiet",
            "--preserve-digests",
            "--src-tls-verify=false",
        ])
        .arg(format!(
            "docker://{}",
            registry.reference("debian/tiny", "bookworm")
        ))
        .arg(format!("oci:{}:x", pulled.display())));
    assert!(
        copied.status.success(),
        "{}",
        String::from_utf8_lossy(&copied.stderr)
    );
    for blob in std::iter::once(manifest.config()).chain(manifest.layers()) {
        let digest = digest_of(blob);
        let ours = fs_err::read(out.join("blobs/sha256").join(digest.hex())).unwrap();
        let theirs = fs_err::read(pulled.join("blobs/sha256").join(digest.hex())).unwrap();
        assert!(ours == theirs, "blob {digest} differs after the round trip");
    }
}

#[test]
fn bearer_challenges_get_a_token_for_the_repository_scope() {
    let Some(skopeo) = skopeo() else { return };
    let Some(registry) = Registry::start() else {
        return;
    };
    let proxy =
        FaultProxy::start_with_bearer(registry.port(), "robot", "s3cret", |_, _, _| Fault::Pass);
    let dir = tempfile::tempdir().unwrap();
    let (writer, image) = simple_layout(dir.path());
    let layout = writer.layout().unwrap();
    let credentials = |password: &str| {
        CredentialSource::new(
            HashMap::from([
                (ENV_USERNAME.to_owned(), "robot".to_owned()),
                (ENV_PASSWORD.to_owned(), password.to_owned()),
            ]),
            None,
        )
    };
    let target = reference(&format!("{}/bearer/app:v1", proxy.host()));
    let report = push(
        &client_with(credentials("s3cret")),
        &layout,
        None,
        std::slice::from_ref(&target),
        PushOptions::default(),
    )
    .unwrap();
    assert_eq!(report.digest, image.digest().to_string());
    assert_eq!(
        skopeo_digest(&skopeo, &registry.reference("bearer/app", "v1")).as_deref(),
        Some(report.digest.as_str())
    );
    let token_requests: Vec<String> = proxy
        .seen()
        .into_iter()
        .filter(|s| s.path.starts_with("/token"))
        .map(|s| s.path)
        .collect();
    // One token for the repository, asked with its pull,push scope, then reused.
    assert_eq!(token_requests.len(), 1, "{token_requests:?}");
    assert!(
        token_requests[0].contains("scope=repository%3Abearer%2Fapp%3Apull%2Cpush"),
        "{token_requests:?}"
    );

    let error = push(
        &client_with(credentials("nope")),
        &layout,
        None,
        &[target],
        PushOptions::default(),
    )
    .unwrap_err();
    assert_eq!(error.exit(), Exit::Environment);
    assert!(
        error
            .to_string()
            .contains("DENIED: bad credentials for the token service"),
        "{error}"
    );
}

#[test]
fn an_oci_archive_pushes_through_push_source() {
    let Some(skopeo) = skopeo() else { return };
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let layout_dir = dir.path().join("layout");
    let (_, image) = simple_layout(&layout_dir);
    let archive = dir.path().join("image.tar");
    crate::common::tar_folder(&layout_dir, &archive);
    let source =
        shipgate_oci::Source::parse(&format!("oci-archive:{}", archive.display())).unwrap();
    let target = shipgate_oci::parse_destination(&format!(
        "registry:{}",
        registry.reference("archive/app", "v2")
    ))
    .unwrap();
    let report =
        shipgate_oci::push_source(&client(), &source, &[target], PushOptions::default()).unwrap();
    assert_eq!(report.digest, image.digest().to_string());
    assert_eq!(
        skopeo_digest(&skopeo, &registry.reference("archive/app", "v2")).as_deref(),
        Some(report.digest.as_str())
    );
    // A registry source is promoted.
    let again = shipgate_oci::Source::parse(&format!(
        "registry:{}",
        registry.reference("archive/app", "v2")
    ))
    .unwrap();
    let copy = reference(&format!("{}/archive/copy", registry.host()));
    let promoted =
        shipgate_oci::push_source(&client(), &again, &[copy], PushOptions::default()).unwrap();
    assert_eq!(promoted.digest, report.digest);
    assert_eq!(promoted.destinations[0].tags, ["v2"]);
    // docker-archive and dir sources cannot be pushed: bad input.
    let rootfs = shipgate_oci::Source::parse(&format!("dir:{}", dir.path().display())).unwrap();
    let error =
        shipgate_oci::push_source(&client(), &rootfs, &[], PushOptions::default()).unwrap_err();
    assert_eq!(error.exit(), Exit::BadInput);
}
