//! The `java-archive` cataloger: jar, war, ear (and the other archive suffixes syft knows),
//! read as syft 1.x reads them:
//!
//! - an archive without `META-INF/MANIFEST.MF` gives nothing (nor do its nested archives);
//! - the main package is named after the file (`guava-31.1-jre.jar` → `guava`, version
//!   `31.1-jre`), else the manifest's name fields; its version comes from the file name,
//!   else `Implementation-Version`, `Specification-Version`, `Plugin-Version`,
//!   `Bundle-Version`;
//! - every `META-INF/maven/**/pom.properties` is a package `pkg:maven/group/artifact@v`;
//!   the one whose artifact matches the file name becomes the main package;
//! - without a pom, the group comes from manifest fields that look like a reverse domain
//!   (`Bundle-SymbolicName`, `Implementation-Vendor-Id`, …), else the name is used;
//! - nested archives (`BOOT-INF/lib/*.jar`, `WEB-INF/lib/*.jar`) are read the same way,
//!   up to a depth and size cap, and reported at the outer archive's path.
//!
//! Not reproduced: syft's built-in artifact→group table for jars without a pom (e.g.
//! `spring-boot` → `org.springframework.boot`), licenses detected from `LICENSE` file
//! text (only `Bundle-License` is read), and Java CPEs.

use std::io::{self, Cursor, Read};

use shipgate_oci::layers::FileEntry;

use super::{CatalogContext, Cataloger, Issue};
use crate::catalog::lockfiles::package_url;
use crate::package::{Package, PackageType};

/// The name of the cataloger, also [`Package::cataloger`].
const NAME: &str = "java-archive";

/// The largest archive read (top level).
pub const ARCHIVE_LIMIT: u64 = 512 * 1024 * 1024;

/// The largest nested archive or metadata entry inflated.
const ENTRY_LIMIT: u64 = 128 * 1024 * 1024;

/// How deep nested archives are followed.
const MAX_DEPTH: usize = 4;

/// The suffixes syft treats as Java archives.
const SUFFIXES: [&str; 10] = [
    ".jar", ".war", ".ear", ".par", ".sar", ".nar", ".jpi", ".hpi", ".kar", ".lpkg",
];

/// The catalogers of this module.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![Box::new(JavaCataloger::default())]
}

/// Whether `path` ends with a Java archive suffix (any case); no allocation, as it runs
/// for every file of an image.
fn is_archive_name(path: &str) -> bool {
    let bytes = path.as_bytes();
    SUFFIXES.iter().any(|suffix| {
        bytes.len() >= suffix.len()
            && bytes[bytes.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    })
}

/// `pkg:maven/group/artifact@version`.
pub(crate) fn maven_purl(group: &str, artifact: &str, version: &str) -> String {
    package_url("maven", group, artifact, version, &[])
}

/// The main section of a `MANIFEST.MF`, continuation lines joined.
pub fn parse_manifest(text: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            if fields.is_empty() {
                continue;
            }
            break;
        }
        if let Some(rest) = line.strip_prefix(' ') {
            if let Some((_, value)) = fields.last_mut() {
                value.push_str(rest);
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            fields.push((key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    fields
}

fn field<'a>(manifest: &'a [(String, String)], key: &str) -> Option<&'a str> {
    manifest
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// A Java archive's file name split into name and version the way syft splits it: the
/// first `-`-separated part that starts with a digit, or is `build<digit>…`, `r<digit>…`
/// or `rc<digit>…`, starts the version (`guava-31.1-jre`, `x-build1`, `t-RC2`); failing
/// that, the first `.`, `_` or `-` followed by a digit (`s_1.0`, `r.1.0`).
pub fn split_file_name(path: &str) -> (String, String) {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = match file.rfind('.') {
        Some(dot) => &file[..dot],
        None => file,
    };
    let digit_after = |text: &str, prefix: &str| {
        text.strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    };
    let parts: Vec<&str> = stem.split('-').collect();
    for (i, part) in parts.iter().enumerate().skip(1) {
        let lower = part.to_ascii_lowercase();
        if digit_after(&lower, "")
            || digit_after(&lower, "build")
            || digit_after(&lower, "r")
            || digit_after(&lower, "rc")
        {
            return (parts[..i].join("-"), parts[i..].join("-"));
        }
    }
    let bytes = stem.as_bytes();
    for (i, byte) in bytes.iter().enumerate().skip(1) {
        if matches!(byte, b'.' | b'_' | b'-') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            return (stem[..i].to_owned(), stem[i + 1..].to_owned());
        }
    }
    (stem.to_owned(), String::new())
}

/// The fields syft reads a group id from, in priority order.
const PRIMARY_GROUP_FIELDS: [&str; 7] = [
    "Bundle-SymbolicName",
    "Extension-Name",
    "Specification-Vendor",
    "Implementation-Vendor",
    "Implementation-Vendor-Id",
    "Implementation-Title",
    "Bundle-Activator",
];
const SECONDARY_GROUP_FIELDS: [&str; 3] = ["Automatic-Module-Name", "Main-Class", "Package"];

fn group_from_manifest(manifest: &[(String, String)]) -> Option<String> {
    for fields in [&PRIMARY_GROUP_FIELDS[..], &SECONDARY_GROUP_FIELDS[..]] {
        for key in fields {
            let Some(value) = field(manifest, key) else {
                continue;
            };
            let value = value.split(';').next().unwrap_or_default().trim();
            if ["com", "org", "net", "io", "be"]
                .iter()
                .any(|domain| value.starts_with(domain))
                && !value.contains(char::is_whitespace)
            {
                return Some(value.to_owned());
            }
        }
    }
    None
}

/// One `pom.properties`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PomProperties {
    /// `groupId`.
    pub group: String,
    /// `artifactId`.
    pub artifact: String,
    /// `version`.
    pub version: String,
}

/// Parses a `pom.properties` (Java properties: `key=value` or `key: value`, `#` comments).
pub fn parse_pom_properties(text: &str) -> PomProperties {
    let mut properties = PomProperties::default();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with(['#', '!']) {
            continue;
        }
        let Some(at) = line.find(['=', ':']) else {
            continue;
        };
        let (key, value) = (line[..at].trim(), line[at + 1..].trim());
        match key {
            "groupId" => properties.group = value.to_owned(),
            "artifactId" => properties.artifact = value.to_owned(),
            "version" => properties.version = value.to_owned(),
            _ => {}
        }
    }
    properties
}

fn new_package(name: &str, version: &str, purl: String, location: &str) -> Package {
    Package {
        name: name.to_owned(),
        version: if version.is_empty() {
            "UNKNOWN".to_owned()
        } else {
            version.to_owned()
        },
        kind: PackageType::Java,
        purl,
        cpes: Vec::new(),
        licenses: Vec::new(),
        locations: vec![location.to_owned()],
        cataloger: NAME,
        architecture: None,
        source_package: None,
        files: Vec::new(),
        dependencies: Vec::new(),
    }
}

/// Reads one archive (`bytes`, named `inner_path`) and appends its packages, reported
/// at `location` (the outermost archive's path).
pub fn catalog_archive(
    bytes: &[u8],
    inner_path: &str,
    location: &str,
    depth: usize,
    out: &mut Vec<Package>,
    problems: &mut Vec<String>,
) {
    let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(archive) => archive,
        Err(error) => {
            problems.push(format!("{inner_path}: not a readable zip archive: {error}"));
            return;
        }
    };
    // Names by index (lossy for non-UTF-8 names; they are only matched, never written).
    let names: Vec<String> = archive
        .file_names_raw()
        .map(|raw| String::from_utf8_lossy(raw).into_owned())
        .collect();
    let Some(manifest_index) = names
        .iter()
        .position(|n| n.eq_ignore_ascii_case("META-INF/MANIFEST.MF"))
    else {
        return;
    };
    let manifest = read_entry(&mut archive, manifest_index, &names, inner_path, problems)
        .map(|data| parse_manifest(&String::from_utf8_lossy(&data)))
        .unwrap_or_default();
    let (file_name, file_version) = split_file_name(inner_path);
    let main_name = [
        Some(file_name.as_str()).filter(|n| !n.is_empty()),
        field(&manifest, "Name"),
        field(&manifest, "Bundle-Name"),
        field(&manifest, "Short-Name"),
        field(&manifest, "Extension-Name"),
        field(&manifest, "Implementation-Title"),
    ]
    .into_iter()
    .flatten()
    .next()
    .unwrap_or_default()
    .to_owned();
    let main_version = [
        Some(file_version.as_str()).filter(|v| !v.is_empty()),
        field(&manifest, "Implementation-Version"),
        field(&manifest, "Specification-Version"),
        field(&manifest, "Plugin-Version"),
        field(&manifest, "Bundle-Version"),
    ]
    .into_iter()
    .flatten()
    .next()
    .unwrap_or_default()
    .to_owned();
    let licenses: Vec<String> = field(&manifest, "Bundle-License")
        .map(|l| vec![l.to_owned()])
        .unwrap_or_default();

    // pom.properties files.
    let mut poms = Vec::new();
    let mut nested = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("meta-inf/maven/") && lower.ends_with("/pom.properties") {
            if let Some(data) = read_entry(&mut archive, index, &names, inner_path, problems) {
                poms.push(parse_pom_properties(&String::from_utf8_lossy(&data)));
            }
        } else if is_archive_name(name) && !name.ends_with('/') {
            nested.push(index);
        }
    }

    let mut main: Option<Package> = None;
    let mut aux = Vec::new();
    for pom in poms {
        if pom.artifact.is_empty() {
            continue;
        }
        let matches_main = main.is_none()
            && !main_name.is_empty()
            && (pom.artifact.starts_with(&main_name) || main_name.ends_with(&pom.artifact));
        let mut package = new_package(
            &pom.artifact,
            &pom.version,
            maven_purl(
                if pom.group.is_empty() {
                    &pom.artifact
                } else {
                    &pom.group
                },
                &pom.artifact,
                &pom.version,
            ),
            location,
        );
        if matches_main {
            package.licenses.clone_from(&licenses);
            main = Some(package);
        } else {
            aux.push(package);
        }
    }
    let main = main.or_else(|| {
        if main_name.is_empty() {
            return None;
        }
        let group = group_from_manifest(&manifest).unwrap_or_else(|| main_name.clone());
        let mut package = new_package(
            &main_name,
            &main_version,
            maven_purl(&group, &main_name, &main_version),
            location,
        );
        package.licenses.clone_from(&licenses);
        Some(package)
    });
    let Some(main) = main else {
        return;
    };
    out.push(main);
    out.extend(aux);

    if depth >= MAX_DEPTH {
        if !nested.is_empty() {
            problems.push(format!(
                "{inner_path}: nested archives deeper than {MAX_DEPTH} levels not read"
            ));
        }
        return;
    }
    for index in nested {
        if let Some(data) = read_entry(&mut archive, index, &names, inner_path, problems) {
            catalog_archive(&data, &names[index], location, depth + 1, out, problems);
        }
    }
}

/// Inflates entry `index` (at most [`ENTRY_LIMIT`] bytes).
fn read_entry(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
    names: &[String],
    inner_path: &str,
    problems: &mut Vec<String>,
) -> Option<Vec<u8>> {
    let name = names.get(index).map_or("?", String::as_str);
    let mut file = match archive.by_index(index) {
        Ok(file) => file,
        Err(error) => {
            problems.push(format!("{inner_path}: {name}: {error}"));
            return None;
        }
    };
    if file.size() > ENTRY_LIMIT {
        problems.push(format!(
            "{inner_path}: {name} is larger than {ENTRY_LIMIT} bytes; not read"
        ));
        return None;
    }
    let mut data = Vec::new();
    match (&mut file).take(ENTRY_LIMIT).read_to_end(&mut data) {
        Ok(_) => Some(data),
        Err(error) => {
            problems.push(format!("{inner_path}: {name}: {error}"));
            None
        }
    }
}

/// The Java archive cataloger.
#[derive(Debug, Default)]
pub struct JavaCataloger {
    packages: Vec<Package>,
}

impl Cataloger for JavaCataloger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants(&self, entry: &FileEntry) -> bool {
        is_archive_name(&entry.path)
    }

    fn read(
        &mut self,
        entry: &FileEntry,
        content: &mut dyn Read,
        issues: &mut Vec<Issue>,
    ) -> io::Result<()> {
        let issue = |message: String| Issue {
            cataloger: NAME,
            path: entry.path.clone(),
            layer: Some(entry.layer),
            message,
        };
        if entry.size > ARCHIVE_LIMIT {
            issues.push(issue(format!(
                "archive of {} bytes is over the {ARCHIVE_LIMIT} byte limit; not read",
                entry.size
            )));
            return Ok(());
        }
        let mut bytes = Vec::with_capacity(usize::try_from(entry.size).unwrap_or(0));
        content.take(ARCHIVE_LIMIT).read_to_end(&mut bytes)?;
        let mut problems = Vec::new();
        catalog_archive(
            &bytes,
            &entry.path,
            &entry.path,
            0,
            &mut self.packages,
            &mut problems,
        );
        issues.extend(problems.into_iter().map(issue));
        Ok(())
    }

    fn finish(
        self: Box<Self>,
        _context: &CatalogContext,
        _files: &[FileEntry],
        _issues: &mut Vec<Issue>,
    ) -> Vec<Package> {
        self.packages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_suffixes() {
        assert!(is_archive_name("opt/app/lib/x.JAR"));
        assert!(is_archive_name("srv/app.war"));
        assert!(!is_archive_name("jar"));
        assert!(!is_archive_name("usr/lib/x.jarx"));
    }

    #[test]
    fn file_names_split() {
        let cases = [
            ("usr/share/java/guava-31.1-jre.jar", ("guava", "31.1-jre")),
            ("manifest-only-1.2.jar", ("manifest-only", "1.2")),
            ("commons-lang3.jar", ("commons-lang3", "")),
            (
                "geronimo-annotation-1.3-spec-1.3.jar",
                ("geronimo-annotation", "1.3-spec-1.3"),
            ),
            ("app-rc1.war", ("app", "rc1")),
            ("maven3-builder-support.jar", ("maven3-builder-support", "")),
            ("x-build1.jar", ("x", "build1")),
            ("y-build.jar", ("y-build", "")),
            ("w-build-2.jar", ("w-build", "2")),
            ("t-RC2.jar", ("t", "RC2")),
            ("u-r1.jar", ("u", "r1")),
            ("j-rc.jar", ("j-rc", "")),
            ("i-M1.jar", ("i-M1", "")),
            ("s_1.0.jar", ("s", "1.0")),
            ("r.1.0.jar", ("r", "1.0")),
            ("q-v1.0.jar", ("q-v1", "0")),
            ("k-1.0_1.jar", ("k", "1.0_1")),
            ("g2-1.jar", ("g2", "1")),
        ];
        for (path, (name, version)) in cases {
            assert_eq!(
                split_file_name(path),
                (name.to_owned(), version.to_owned()),
                "{path}"
            );
        }
    }

    #[test]
    fn manifests_and_poms() {
        let manifest = parse_manifest(
            "Manifest-Version: 1.0\r\nBundle-SymbolicName: org.example.bar;singleton:=true\r\nExport-Package: a,\r\n b\r\n\r\nName: x\r\n",
        );
        assert_eq!(field(&manifest, "export-package"), Some("a,b"));
        assert_eq!(field(&manifest, "Name"), None);
        assert_eq!(
            group_from_manifest(&manifest).as_deref(),
            Some("org.example.bar")
        );
        let pom = parse_pom_properties("#x\ngroupId=com.example\nartifactId: app\nversion = 1.0\n");
        assert_eq!(pom.group, "com.example");
        assert_eq!(pom.artifact, "app");
        assert_eq!(pom.version, "1.0");
    }

    #[test]
    fn broken_archives_are_problems() {
        let mut out = Vec::new();
        let mut problems = Vec::new();
        catalog_archive(
            b"PK\x03\x04garbage",
            "a.jar",
            "a.jar",
            0,
            &mut out,
            &mut problems,
        );
        assert!(out.is_empty());
        assert_eq!(problems.len(), 1);
    }
}
