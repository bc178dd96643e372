//! Independent checks that the signatures are real ECDSA P-256 / SHA-256 signatures:
//! Python's `cryptography` package and `openssl dgst` verify what gate-sign signs (over a
//! simple-signing payload and over a DSSE PAE), and gate-sign verifies what they sign.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::process::Command;

use gate_sign::dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE, pae};
use gate_sign::intoto::{COSIGN_SIGN_PREDICATE, Statement, Subject};
use gate_sign::simple_signing::Payload;
use gate_sign::{PrivateKey, PublicKey};
use shipgate_core::image_ref::Digest;

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Python 3 with the `cryptography` package, or `None` (skip) outside CI.
fn python_cryptography() -> Option<std::path::PathBuf> {
    let python = test_support::require_tool("python3")?;
    let ok = Command::new(&python)
        .args(["-c", "import cryptography"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(python);
    }
    assert!(
        !test_support::in_ci(),
        "the Python package `cryptography` is missing; .ci/run must install it"
    );
    eprintln!("skipping: the Python package `cryptography` is not installed");
    None
}

fn generated_key(dir: &std::path::Path) -> PrivateKey {
    let openssl = test_support::require_tool("openssl").unwrap_or_else(|| "openssl".into());
    let path = dir.join("key.pem");
    let status = Command::new(openssl)
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    PrivateKey::from_pem(&fs_err::read_to_string(&path).unwrap(), "key.pem").unwrap()
}

fn messages() -> Vec<(&'static str, Vec<u8>)> {
    let digest = Digest::parse(DIGEST).unwrap();
    let payload = Payload::new("ghcr.io/acme/app", &digest, &BTreeMap::new()).to_bytes();
    let statement = Statement::new(
        vec![Subject::image(None, &digest)],
        COSIGN_SIGN_PREDICATE,
        None,
    );
    let pae = pae(IN_TOTO_PAYLOAD_TYPE, &statement.to_bytes());
    vec![("simple-signing payload", payload), ("DSSE PAE", pae)]
}

const PY_VERIFY: &str = r#"
import sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
key = serialization.load_pem_public_key(open(sys.argv[1], "rb").read())
assert isinstance(key.curve, ec.SECP256R1)
key.verify(open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read(), ec.ECDSA(hashes.SHA256()))
print("ok")
"#;

const PY_SIGN: &str = r#"
import sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
key = ec.generate_private_key(ec.SECP256R1())
open(sys.argv[1], "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
open(sys.argv[2], "wb").write(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
open(sys.argv[3], "wb").write(key.sign(open(sys.argv[4], "rb").read(), ec.ECDSA(hashes.SHA256())))
"#;

#[test]
fn python_cryptography_verifies_our_signatures() {
    let Some(python) = python_cryptography() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key = generated_key(dir.path());
    let public = dir.path().join("key.pub");
    fs_err::write(&public, key.public_key().to_pem()).unwrap();
    for (what, message) in messages() {
        let signature = gate_sign::store::sign_payload(&message, &key);
        fs_err::write(dir.path().join("sig"), &signature).unwrap();
        fs_err::write(dir.path().join("msg"), &message).unwrap();
        let output = Command::new(&python)
            .args(["-c", PY_VERIFY])
            .arg(&public)
            .arg(dir.path().join("sig"))
            .arg(dir.path().join("msg"))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        // A flipped byte must not verify.
        let mut tampered = message.clone();
        tampered[0] ^= 1;
        fs_err::write(dir.path().join("msg"), &tampered).unwrap();
        let output = Command::new(&python)
            .args(["-c", PY_VERIFY])
            .arg(&public)
            .arg(dir.path().join("sig"))
            .arg(dir.path().join("msg"))
            .output()
            .unwrap();
        assert!(
            !output.status.success(),
            "{what}: a tampered message verified"
        );
    }
}

#[test]
fn we_verify_python_cryptography_signatures_and_read_its_keys() {
    let Some(python) = python_cryptography() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (what, message) in messages() {
        let paths = ["key.pem", "key.pub", "sig", "msg"].map(|n| dir.path().join(n));
        fs_err::write(&paths[3], &message).unwrap();
        let output = Command::new(&python)
            .args(["-c", PY_SIGN])
            .args(&paths)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let public =
            PublicKey::from_pem(&fs_err::read_to_string(&paths[1]).unwrap(), "key.pub").unwrap();
        let signature = fs_err::read(&paths[2]).unwrap();
        gate_sign::store::verify_payload(&message, &signature, &public)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(gate_sign::store::verify_payload(b"other", &signature, &public).is_err());
        // Its PKCS#8 private key is one we sign with, and it matches its public key.
        let private =
            PrivateKey::from_pem(&fs_err::read_to_string(&paths[0]).unwrap(), "key.pem").unwrap();
        assert_eq!(private.public_key(), public);
    }
}

#[test]
fn python_verifies_a_dsse_envelope_we_wrote() {
    let Some(python) = python_cryptography() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key = generated_key(dir.path());
    let digest = Digest::parse(DIGEST).unwrap();
    let statement = Statement::new(
        vec![Subject::image(None, &digest)],
        COSIGN_SIGN_PREDICATE,
        None,
    );
    let envelope = Envelope::sign(IN_TOTO_PAYLOAD_TYPE, &statement.to_bytes(), &key);
    fs_err::write(
        dir.path().join("env.json"),
        serde_json::to_vec(&envelope).unwrap(),
    )
    .unwrap();
    fs_err::write(dir.path().join("key.pub"), key.public_key().to_pem()).unwrap();
    // Python rebuilds the PAE itself from the envelope JSON, per the DSSE spec.
    let script = r#"
import sys, json, base64
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
env = json.load(open(sys.argv[1]))
payload = base64.b64decode(env["payload"])
t = env["payloadType"].encode()
pae = b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)
key = serialization.load_pem_public_key(open(sys.argv[2], "rb").read())
key.verify(base64.b64decode(env["signatures"][0]["sig"]), pae, ec.ECDSA(hashes.SHA256()))
"#;
    let output = Command::new(&python)
        .args(["-c", script])
        .arg(dir.path().join("env.json"))
        .arg(dir.path().join("key.pub"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn openssl_verifies_a_simple_signing_signature() {
    let Some(openssl) = test_support::require_tool("openssl") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key = generated_key(dir.path());
    let (_, payload) = messages().remove(0);
    let signature = gate_sign::store::sign_payload(&payload, &key);
    fs_err::write(dir.path().join("payload.json"), &payload).unwrap();
    fs_err::write(dir.path().join("sig.der"), &signature).unwrap();
    fs_err::write(dir.path().join("key.pub"), key.public_key().to_pem()).unwrap();
    let output = Command::new(openssl)
        .current_dir(dir.path())
        .args([
            "dgst",
            "-sha256",
            "-verify",
            "key.pub",
            "-signature",
            "sig.der",
            "payload.json",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "Verified OK"
    );
}
