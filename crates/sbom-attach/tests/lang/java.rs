use std::fs;
use std::io::Write;
use std::path::Path;

use sbom_attach::catalog::java;
use zip::write::SimpleFileOptions;

use crate::support::{catalog_dir, purls, syft_purls};

/// Jars Debian ships (`libcommons-lang3-java`, `libcommons-io-java`).
const DEBIAN_JARS: [&str; 2] = [
    "/usr/share/java/commons-lang3.jar",
    "/usr/share/java/commons-io.jar",
];

fn jar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in files {
        writer
            .start_file(*name, SimpleFileOptions::default())
            .unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

const EMPTY_MANIFEST: &[u8] = b"Manifest-Version: 1.0\r\n\r\n";

/// Writes the synthetic archives (manifest-only, bundle, fat jar with nested jars, war…).
pub(crate) fn write_fixtures(dir: &Path) {
    let dep = jar(&[
        ("META-INF/MANIFEST.MF", EMPTY_MANIFEST),
        (
            "META-INF/maven/com.dep/dep/pom.properties",
            b"groupId=com.dep\nartifactId=dep\nversion=2.0\n",
        ),
    ]);
    let deeper = jar(&[(
        "META-INF/maven/com.deep/deep/pom.properties",
        b"groupId=com.deep\nartifactId=deep\nversion=9.9\n",
    )]);
    // No manifest: syft reads nothing from it, nor from what it nests.
    let dep2 = jar(&[
        (
            "META-INF/maven/com.dep/dep2/pom.properties",
            b"groupId=com.dep\nartifactId=dep2\nversion=3.0\n",
        ),
        ("lib/deeper-9.9.jar", &deeper),
    ]);
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "manifest-only-1.2.jar",
            jar(&[(
                "META-INF/MANIFEST.MF",
                b"Manifest-Version: 1.0\r\nImplementation-Title: foo\r\nImplementation-Version: 1.2\r\n\r\n",
            )]),
        ),
        (
            "bundle.jar",
            jar(&[(
                "META-INF/MANIFEST.MF",
                b"Manifest-Version: 1.0\r\nBundle-SymbolicName: org.example.bar;singleton:=true\r\nBundle-Version: 4.5.6\r\nBundle-Name: Bar Bundle\r\nBundle-License: https://example.invalid/LICENSE-2.0.txt\r\n\r\n",
            )]),
        ),
        ("thing-3.4.jar", jar(&[("a/B.class", b"x")])),
        (
            "app-1.0.jar",
            jar(&[
                (
                    "META-INF/MANIFEST.MF",
                    b"Manifest-Version: 1.0\r\nImplementation-Title: app\r\nImplementation-Version: 1.0\r\nMain-Class: x.Main\r\n\r\n",
                ),
                (
                    "META-INF/maven/com.example/app/pom.properties",
                    b"#c\ngroupId=com.example\nartifactId=app\nversion=1.0\n",
                ),
                (
                    "META-INF/maven/com.shaded/shaded-lib/pom.properties",
                    b"groupId=com.shaded\nartifactId=shaded-lib\nversion=5.5\n",
                ),
                ("BOOT-INF/lib/dep-2.0.jar", &dep),
                ("BOOT-INF/lib/dep2-3.0.jar", &dep2),
            ]),
        ),
        (
            "web.war",
            jar(&[
                ("META-INF/MANIFEST.MF", EMPTY_MANIFEST),
                ("WEB-INF/lib/dep-2.0.jar", &dep),
            ]),
        ),
        (
            "weird-name.jar",
            jar(&[(
                "META-INF/MANIFEST.MF",
                b"Manifest-Version: 1.0\r\nSpecification-Title: Spec\r\nSpecification-Version: 0.1\r\nImplementation-Vendor-Id: org.vendor\r\n\r\n",
            )]),
        ),
    ];
    for (name, bytes) in files {
        fs::write(dir.join(name), bytes).unwrap();
    }
}

#[test]
fn archives_match_syft() {
    let root = tempfile::tempdir().unwrap();
    let lib = root.path().join("opt/app/lib");
    fs::create_dir_all(&lib).unwrap();
    write_fixtures(&lib);
    let mut debian = 0;
    for jar in DEBIAN_JARS {
        if Path::new(jar).exists() {
            fs::copy(jar, lib.join(Path::new(jar).file_name().unwrap())).unwrap();
            debian += 1;
        }
    }
    assert!(
        debian == DEBIAN_JARS.len() || !test_support::in_ci(),
        ".ci/run installs libcommons-lang3-java and libcommons-io-java"
    );
    let (packages, issues) = catalog_dir(root.path(), java::catalogers());
    assert!(issues.is_empty(), "{issues:?}");
    let ours = purls(&packages);
    for expected in [
        "pkg:maven/com.example/app@1.0",
        "pkg:maven/com.shaded/shaded-lib@5.5",
        "pkg:maven/com.dep/dep@2.0",
        "pkg:maven/manifest-only/manifest-only@1.2",
        "pkg:maven/org.example.bar/bundle@4.5.6",
        "pkg:maven/org.vendor/weird-name@0.1",
        "pkg:maven/web/web",
    ] {
        assert!(ours.contains(expected), "{expected} not in {ours:?}");
    }
    assert!(
        !ours
            .iter()
            .any(|p| p.contains("dep2") || p.contains("deep") || p.contains("thing"))
    );
    let nested = packages
        .iter()
        .find(|p| p.purl == "pkg:maven/com.dep/dep@2.0" && p.locations[0].ends_with("web.war"))
        .unwrap();
    assert_eq!(nested.locations, ["opt/app/lib/web.war"]);
    if debian == DEBIAN_JARS.len() {
        assert!(
            ours.iter()
                .any(|p| p.starts_with("pkg:maven/org.apache.commons/commons-lang3@"))
        );
    }
    if let Some(syft) = syft_purls(root.path(), true, &["java-archive"]) {
        assert_eq!(ours, syft);
    }
}

#[test]
fn broken_archives_are_issues() {
    let root = tempfile::tempdir().unwrap();
    fs::write(root.path().join("broken.jar"), b"PK\x03\x04garbage").unwrap();
    let mut truncated = jar(&[
        ("META-INF/MANIFEST.MF", EMPTY_MANIFEST),
        ("META-INF/maven/a/b/pom.properties", b"artifactId=b\n"),
    ]);
    truncated.truncate(truncated.len() / 2);
    fs::write(root.path().join("truncated-1.0.jar"), truncated).unwrap();
    let (packages, issues) = catalog_dir(root.path(), java::catalogers());
    assert!(packages.is_empty(), "{packages:?}");
    assert_eq!(issues.len(), 2, "{issues:?}");
}
