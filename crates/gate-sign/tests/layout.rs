//! Signing and verifying images in OCI layouts, through the library and the binary:
//! bundles are stored as referrers the layout lists (what `shipgate push` uploads), the
//! image stays the layout's only image, and every negative case fails with its reason.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::Path;

use gate_sign::bundle::BUNDLE_V03_MEDIA_TYPE;
use gate_sign::intoto::COSIGN_SIGN_PREDICATE;
use gate_sign::store::{SignOptions, sign_layout, verify_layout};
use gate_sign::{PrivateKey, PublicKey};
use shipgate_oci::spec::{Descriptor, ImageIndex, MediaType, Platform as SpecPlatform};
use shipgate_oci::{Layout, LayoutWriter};

const KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgvgOK0A8hPDLUA1cf
aZ7TU5mn1pG9cBhDhTTxCWj5e1yhRANCAAR4Z+rNJ/R6KFEaibrK4VVySGBi2MH1
rBLPWjvVgwClqmLJwjg0V92AZGZPWiZ8GB8KwBJKENtFVd32P+Kczhmj
-----END PRIVATE KEY-----
";
const OTHER_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg3jGHLOkRy5MfDKIG
pbm5z6sebap7zXeHE8gTx14ZxhShRANCAAQH3EjI2iFN/p2Fvvm+LF2efAEWm7Jl
A86b8HN9iDQ8t/iWSI/DJ3HxSS3mY66GUBQiso+fT3HyLfUsSQSg86oS
-----END PRIVATE KEY-----
";

fn image(writer: &mut LayoutWriter, arch: &str) -> Descriptor {
    let config = format!(
        r#"{{"architecture":"{arch}","os":"linux","rootfs":{{"type":"layers","diff_ids":[]}}}}"#
    );
    let config = writer
        .add_blob(MediaType::ImageConfig, config.as_bytes())
        .unwrap();
    let layer = writer
        .add_blob(
            MediaType::ImageLayerGzip,
            &test_support::layers::gzip(b"layer"),
        )
        .unwrap();
    let manifest = shipgate_oci::writer::new_manifest(config, vec![layer]);
    writer.add_manifest(&manifest).unwrap()
}

/// A layout with one image tagged `latest`.
fn single(dir: &Path) -> Descriptor {
    let mut writer = LayoutWriter::create(dir).unwrap();
    let descriptor = image(&mut writer, "amd64");
    writer.tag(&descriptor, "latest").unwrap();
    descriptor
}

fn options() -> SignOptions {
    SignOptions {
        recursive: true,
        created: 1_700_000_000,
    }
}

fn digest(descriptor: &Descriptor) -> shipgate_core::image_ref::Digest {
    LayoutWriter::digest_of(descriptor).unwrap()
}

#[test]
fn sign_writes_a_bundle_referrer_that_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let image = single(dir.path());
    let key = PrivateKey::from_pem(KEY, "k").unwrap();
    let signed = sign_layout(dir.path(), None, &key, &options()).unwrap();
    assert_eq!(signed.len(), 1);
    assert_eq!(signed[0].subject, digest(&image));

    let layout = Layout::open(dir.path()).unwrap();
    let referrers = layout
        .referrers(&digest(&image), Some(BUNDLE_V03_MEDIA_TYPE))
        .unwrap();
    assert_eq!(referrers.len(), 1);
    let annotations = referrers[0].annotations().clone().unwrap();
    assert_eq!(
        annotations,
        HashMap::from([
            (
                "dev.sigstore.bundle.content".to_owned(),
                "dsse-envelope".to_owned()
            ),
            (
                "dev.sigstore.bundle.predicateType".to_owned(),
                COSIGN_SIGN_PREDICATE.to_owned()
            ),
            (
                "org.opencontainers.image.created".to_owned(),
                "2023-11-14T22:13:20Z".to_owned()
            ),
        ])
    );
    // The referrer manifest has cosign v3's shape.
    let manifest = layout.read_manifest(&referrers[0]).unwrap();
    let value = serde_json::to_value(&manifest).unwrap();
    assert_eq!(value["artifactType"], BUNDLE_V03_MEDIA_TYPE);
    assert_eq!(
        value["config"]["digest"],
        "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    );
    assert_eq!(
        value["config"]["mediaType"],
        "application/vnd.oci.empty.v1+json"
    );
    assert_eq!(value["layers"][0]["mediaType"], BUNDLE_V03_MEDIA_TYPE);
    assert_eq!(value["subject"]["digest"], digest(&image).to_string());
    assert_eq!(
        value["subject"]["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );

    // Signatures are deterministic (RFC 6979): signing again adds nothing.
    let again = sign_layout(dir.path(), None, &key, &options()).unwrap();
    assert_eq!(again, signed);
    let reopened = Layout::open(dir.path()).unwrap();
    assert_eq!(reopened.referrers(&digest(&image), None).unwrap().len(), 1);

    // What `shipgate push` picks is still the image, not the signature.
    let (selected, tag) = shipgate_oci::push::select_image(&layout, None).unwrap();
    assert_eq!(selected.digest(), image.digest());
    assert_eq!(tag.as_deref(), Some("latest"));

    let public = key.public_key();
    let verification = verify_layout(dir.path(), None, &public).unwrap();
    assert!(verification.signed(), "{verification:?}");

    let other = PrivateKey::from_pem(OTHER_KEY, "o").unwrap().public_key();
    let verification = verify_layout(dir.path(), None, &other).unwrap();
    assert!(!verification.signed());
    let reason = verification.bundles[0].outcome.clone().unwrap_err();
    assert!(reason.contains("signature"), "{reason}");
}

#[test]
fn an_index_is_signed_with_each_platform_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = LayoutWriter::create(dir.path()).unwrap();
    let mut children = Vec::new();
    for arch in ["amd64", "arm64"] {
        let mut d = image(&mut writer, arch);
        d.set_platform(Some(
            serde_json::from_value::<SpecPlatform>(
                serde_json::json!({"architecture": arch, "os": "linux"}),
            )
            .unwrap(),
        ));
        children.push(d);
    }
    let mut index = ImageIndex::default();
    index.set_schema_version(2);
    index.set_media_type(Some(MediaType::ImageIndex));
    index.set_manifests(children.clone());
    let top = writer.add_index(&index).unwrap();
    writer.tag(&top, "v1").unwrap();
    drop(writer);

    let key = PrivateKey::from_pem(KEY, "k").unwrap();
    let signed = sign_layout(dir.path(), Some("v1"), &key, &options()).unwrap();
    let subjects: Vec<_> = signed.iter().map(|s| s.subject.clone()).collect();
    assert_eq!(
        subjects,
        vec![digest(&top), digest(&children[0]), digest(&children[1])]
    );
    let layout = Layout::open(dir.path()).unwrap();
    for child in &children {
        assert_eq!(layout.referrers(&digest(child), None).unwrap().len(), 1);
    }
    assert!(
        verify_layout(dir.path(), Some("v1"), &key.public_key())
            .unwrap()
            .signed()
    );

    let dir = tempfile::tempdir().unwrap();
    fs_err::create_dir_all(dir.path()).unwrap();
    let mut writer = LayoutWriter::create(dir.path()).unwrap();
    let top = writer.add_index(&index).unwrap();
    let _ = image(&mut writer, "amd64");
    let _ = image(&mut writer, "arm64");
    writer.tag(&top, "v1").unwrap();
    let flat = SignOptions {
        recursive: false,
        ..options()
    };
    assert_eq!(
        sign_layout(dir.path(), Some("v1"), &key, &flat)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_signature_for_another_digest_does_not_verify() {
    // A bundle signed for image A, attached (by hand) as a referrer of image B.
    let dir = tempfile::tempdir().unwrap();
    let mut writer = LayoutWriter::create(dir.path()).unwrap();
    let a = image(&mut writer, "amd64");
    let b = image(&mut writer, "arm64");
    writer.tag(&b, "latest").unwrap();
    let key = PrivateKey::from_pem(KEY, "k").unwrap();
    let statement = gate_sign::intoto::Statement::new(
        vec![gate_sign::intoto::Subject::image(None, &digest(&a))],
        COSIGN_SIGN_PREDICATE,
        None,
    );
    let bundle = gate_sign::store::attest(&statement, &key).to_bytes();
    writer
        .add_artifact(
            &b,
            BUNDLE_V03_MEDIA_TYPE,
            &[(MediaType::from(BUNDLE_V03_MEDIA_TYPE), &bundle)],
            HashMap::new(),
        )
        .unwrap();
    let verification = verify_layout(dir.path(), None, &key.public_key()).unwrap();
    assert!(!verification.signed());
    let reason = verification.bundles[0].outcome.clone().unwrap_err();
    assert!(reason.contains("digest"), "{reason}");
}

fn run(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut command = test_support::bin("gate-sign");
    command.args(args);
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_binary_signs_attests_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let image = single(dir.path());
    let layout = format!("oci-dir:{}", dir.path().display());
    let key = PrivateKey::from_pem(KEY, "k").unwrap();
    let public = dir.path().join("cosign.pub");
    fs_err::write(&public, key.public_key().to_pem()).unwrap();
    let public = public.display().to_string();
    let env = [("GATE_TEST_KEY", KEY), ("SOURCE_DATE_EPOCH", "1700000000")];

    // Not signed yet: exit 1.
    let (code, _, stderr) = run(&["verify", "--key", &public, &layout], &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("no signature bundle refers to"), "{stderr}");

    let (code, stdout, stderr) = run(&["sign", "--key", "env://GATE_TEST_KEY", &layout], &env);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.trim(), digest(&image).to_string());
    assert!(!stdout.contains("PRIVATE") && !stderr.contains("PRIVATE"));
    assert!(!stderr.contains("MIGHAgEA"));

    let predicate = dir.path().join("bom.json");
    fs_err::write(
        &predicate,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5"}"#,
    )
    .unwrap();
    let (code, _, stderr) = run(
        &[
            "attest",
            "--key",
            "env://GATE_TEST_KEY",
            "--type",
            "cyclonedx",
            "--predicate",
            &predicate.display().to_string(),
            &layout,
        ],
        &env,
    );
    assert_eq!(code, Some(0), "{stderr}");

    let (code, stdout, stderr) = run(
        &[
            "verify",
            "--key",
            &public,
            "--require-attestation",
            "cyclonedx",
            &layout,
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.trim(), digest(&image).to_string());
    assert!(
        stderr.contains("verified https://cyclonedx.org/bom"),
        "{stderr}"
    );

    let (code, _, stderr) = run(
        &[
            "verify",
            "--key",
            &public,
            "--require-attestation",
            "slsaprovenance1",
            &layout,
        ],
        &[],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("https://slsa.dev/provenance/v1"),
        "{stderr}"
    );

    // The wrong key: exit 1, says the signature check failed.
    let other = dir.path().join("other.pub");
    fs_err::write(
        &other,
        PrivateKey::from_pem(OTHER_KEY, "o")
            .unwrap()
            .public_key()
            .to_pem(),
    )
    .unwrap();
    let (code, _, stderr) = run(
        &["verify", "--key", &other.display().to_string(), &layout],
        &[],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("does not match the key"), "{stderr}");
}

#[test]
fn bad_input_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    single(dir.path());
    let layout = format!("oci-dir:{}", dir.path().display());
    let public = PublicKey::from_pem(
        &PrivateKey::from_pem(KEY, "k")
            .unwrap()
            .public_key()
            .to_pem(),
        "k",
    )
    .unwrap();
    let pem = dir.path().join("key.pub");
    fs_err::write(&pem, public.to_pem()).unwrap();

    // A public key where a private key is needed, a missing variable, garbage, a registry.
    let (code, _, stderr) = run(&["sign", "--key", &pem.display().to_string(), &layout], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("it is a public key"), "{stderr}");
    let (code, _, stderr) = run(
        &["sign", "--key", "env://GATE_TEST_UNSET_VAR", &layout],
        &[],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("GATE_TEST_UNSET_VAR"), "{stderr}");
    let (code, _, stderr) = run(
        &["sign", "--key", "env://GATE_TEST_KEY", &layout],
        &[(
            "GATE_TEST_KEY",
            "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n",
        )],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(!stderr.contains("c2VjcmV0"), "{stderr}");
    let (code, _, stderr) = run(
        &[
            "sign",
            "--key",
            "env://GATE_TEST_KEY",
            "registry:ghcr.io/acme/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ],
        &[("GATE_TEST_KEY", KEY)],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not built yet"), "{stderr}");

    // A truncated bundle in the layout: verify reports it, exit 1.
    let key = PrivateKey::from_pem(KEY, "k").unwrap();
    sign_layout(dir.path(), None, &key, &options()).unwrap();
    let layout_read = Layout::open(dir.path()).unwrap();
    let image = shipgate_oci::push::select_image(&layout_read, None)
        .unwrap()
        .0;
    let referrer = &layout_read
        .referrers(&digest(&image), Some(BUNDLE_V03_MEDIA_TYPE))
        .unwrap()[0];
    let manifest = layout_read.read_manifest(referrer).unwrap();
    let layer = &manifest.layers()[0];
    let blob = dir.path().join("blobs/sha256").join(digest(layer).hex());
    let data = fs_err::read(&blob).unwrap();
    fs_err::write(&blob, &data[..data.len() / 2]).unwrap();
    let (code, _, stderr) = run(
        &["verify", "--key", &pem.display().to_string(), &layout],
        &[],
    );
    assert_ne!(code, Some(0), "{stderr}");
    assert!(stderr.contains("not verified"), "{stderr}");
}

#[test]
fn shipgate_push_uploads_the_signature_and_it_verifies_from_the_registry() {
    let dir = tempfile::tempdir().unwrap();
    single(dir.path());
    let key = PrivateKey::from_pem(KEY, "k").unwrap();
    sign_layout(dir.path(), None, &key, &options()).unwrap();

    let Some(registry) = test_support::registry::Registry::start() else {
        return;
    };
    let client = shipgate_oci::Client::new(shipgate_oci::ClientOptions::default()).unwrap();
    let destination =
        shipgate_core::image_ref::parse(&registry.reference("test/signed", "v1")).unwrap();
    let layout = Layout::open_dir(dir.path()).unwrap();
    let report = shipgate_oci::push(
        &client,
        &layout,
        None,
        std::slice::from_ref(&destination),
        shipgate_oci::PushOptions::default(),
    )
    .unwrap();
    let subject = shipgate_core::image_ref::Digest::parse(&report.digest).unwrap();

    // distribution 2.x has no referrers API: the fallback index lists the bundle with
    // its artifact type and annotations (what Kyverno and cosign filter on).
    let listed = client
        .referrers(&destination, &subject, Some(BUNDLE_V03_MEDIA_TYPE))
        .unwrap();
    assert_eq!(listed.len(), 1, "{}", registry.log());
    assert_eq!(
        listed[0].artifact_type().as_ref().unwrap().to_string(),
        BUNDLE_V03_MEDIA_TYPE
    );
    assert_eq!(
        listed[0].annotations().as_ref().unwrap()["dev.sigstore.bundle.predicateType"],
        COSIGN_SIGN_PREDICATE
    );
    let manifest = client
        .get_manifest(&destination, listed[0].digest().as_ref())
        .unwrap()
        .expect("the referrer manifest");
    let manifest: shipgate_oci::spec::ImageManifest =
        serde_json::from_slice(&manifest.bytes).unwrap();
    let layer = &manifest.layers()[0];
    let bundle = client
        .get_blob(&destination, &digest(layer), layer.size())
        .unwrap()
        .bytes()
        .unwrap();
    let verified =
        gate_sign::store::verify_bundle(&bundle, &key.public_key(), &subject, "remote").unwrap();
    assert_eq!(verified.statement.predicate_type, COSIGN_SIGN_PREDICATE);
    let other = PrivateKey::from_pem(OTHER_KEY, "o").unwrap().public_key();
    assert!(gate_sign::store::verify_bundle(&bundle, &other, &subject, "remote").is_err());
}

#[test]
fn verify_json_lists_what_verified_and_why_the_rest_did_not() {
    let dir = tempfile::tempdir().unwrap();
    single(dir.path());
    let key = PrivateKey::from_pem(KEY, "k").unwrap();
    sign_layout(dir.path(), None, &key, &options()).unwrap();
    let other = PrivateKey::from_pem(OTHER_KEY, "o").unwrap();
    let predicate = serde_json::json!({"bomFormat": "CycloneDX"});
    gate_sign::store::attest_layout(
        dir.path(),
        None,
        &other,
        "https://cyclonedx.org/bom",
        &predicate,
        &options(),
    )
    .unwrap();
    let public = dir.path().join("cosign.pub");
    fs_err::write(&public, key.public_key().to_pem()).unwrap();
    let layout = format!("oci-dir:{}", dir.path().display());
    let (code, stdout, stderr) = run(
        &[
            "verify",
            "--key",
            &public.display().to_string(),
            "--require-attestation",
            "cyclonedx",
            "--format",
            "json",
            &layout,
        ],
        &[],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("no verified attestation of type https://cyclonedx.org/bom"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["signature"], true);
    assert_eq!(report["verified"], false);
    insta::assert_snapshot!(stdout);
}
