//! Random and truncated input never panics a cataloger: at worst it is an issue.

use std::io::Write;

use sbom_attach::catalog::{CatalogContext, Cataloger, go, java, lockfiles, node, python};
use shipgate_oci::layers::{EntryKind, FileEntry};

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| (self.next() >> 32) as u8).collect()
    }
}

fn entry(path: &str, size: usize, mode: u32) -> FileEntry {
    FileEntry {
        path: path.to_owned(),
        kind: EntryKind::File,
        size: size as u64,
        mode,
        link_target: None,
        layer: 0,
    }
}

fn feed(mut catalogers: Vec<Box<dyn Cataloger>>, path: &str, mode: u32, content: &[u8]) {
    let entry = entry(path, content.len(), mode);
    let mut issues = Vec::new();
    for cataloger in &mut catalogers {
        if cataloger.wants(&entry) {
            cataloger
                .read(&entry, &mut &content[..], &mut issues)
                .unwrap();
        }
    }
    for cataloger in catalogers {
        let _ = cataloger.finish(
            &CatalogContext::default(),
            std::slice::from_ref(&entry),
            &mut issues,
        );
    }
}

fn all() -> Vec<Box<dyn Cataloger>> {
    let mut all = Vec::new();
    all.extend(python::catalogers());
    all.extend(node::catalogers());
    all.extend(go::catalogers());
    all.extend(java::catalogers());
    all.extend(lockfiles::catalogers());
    all
}

fn samples() -> Vec<(&'static str, u32, Vec<u8>)> {
    let mut jar = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    jar.start_file("META-INF/MANIFEST.MF", options).unwrap();
    jar.write_all(b"Manifest-Version: 1.0\r\nBundle-SymbolicName: org.x\r\n\r\n")
        .unwrap();
    jar.start_file("META-INF/maven/a/b/pom.properties", options)
        .unwrap();
    jar.write_all(b"groupId=a\nartifactId=b\nversion=1\n")
        .unwrap();
    let jar = jar.finish().unwrap().into_inner();
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lang/");
    let read = |path: &str| std::fs::read(format!("{fixtures}{path}")).unwrap();
    vec![
        (
            "lib/a-1.0.dist-info/METADATA",
            0o644,
            read("python-edge/Foo_Bar.Baz-1.0.dist-info/METADATA"),
        ),
        (
            "lib/a-1.0.dist-info/RECORD",
            0o644,
            read("python-edge/vcsdist-2.0.dist-info/RECORD"),
        ),
        (
            "lib/a-1.0.dist-info/direct_url.json",
            0o644,
            read("python-edge/vcsdist-2.0.dist-info/direct_url.json"),
        ),
        (
            "node_modules/x/package.json",
            0o644,
            read("node-edge/usr/lib/node_modules/lic-obj/package.json"),
        ),
        (
            "app/package-lock.json",
            0o644,
            read("source/npm-v3/package-lock.json"),
        ),
        ("app/Cargo.lock", 0o644, read("source/rust/Cargo.lock")),
        ("app/poetry.lock", 0o644, read("source/poetry/poetry.lock")),
        ("app/uv.lock", 0o644, read("source-uv/uv.lock")),
        (
            "app/requirements.txt",
            0o644,
            read("source/python/requirements.txt"),
        ),
        ("app/go.mod", 0o644, read("source/go/go.mod")),
        ("opt/app.jar", 0o644, jar),
        ("usr/bin/true", 0o755, std::fs::read("/bin/true").unwrap()),
    ]
}

#[test]
fn truncated_and_corrupted_inputs_never_panic() {
    let mut random = Random(0x5eed_1234_abcd_0001);
    for (path, mode, content) in samples() {
        let step = (content.len() / 40).max(1);
        for cut in (0..content.len()).step_by(step) {
            feed(all(), path, mode, &content[..cut]);
        }
        for _ in 0..20 {
            let mut corrupted = content.clone();
            for _ in 0..8 {
                if corrupted.is_empty() {
                    break;
                }
                let at = (random.next() as usize) % corrupted.len();
                corrupted[at] = (random.next() >> 40) as u8;
            }
            feed(all(), path, mode, &corrupted);
        }
        for len in [0, 1, 4, 64, 4096] {
            let mut noise = random.bytes(len);
            if path.ends_with("true") && noise.len() >= 4 {
                noise[..4].copy_from_slice(b"\x7fELF");
            }
            feed(all(), path, mode, &noise);
        }
    }
}
