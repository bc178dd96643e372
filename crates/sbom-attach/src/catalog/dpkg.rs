//! The `dpkg` cataloger: Debian packages from `var/lib/dpkg/status` and from the
//! distroless `var/lib/dpkg/status.d/*` files, with the files each package owns
//! (`var/lib/dpkg/info/NAME[:ARCH].list`) and the licenses its
//! `usr/share/doc/NAME/copyright` names, as syft reads them.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};

use shipgate_oci::layers::{EntryKind, FileEntry};

use super::{CatalogContext, Cataloger, Issue, read_capped};
use crate::package::{Package, PackageType};
use crate::purl::Purl;

/// The cataloger's name.
pub const NAME: &str = "dpkg";

const STATUS: &str = "var/lib/dpkg/status";
const STATUS_D: &str = "var/lib/dpkg/status.d/";
const INFO: &str = "var/lib/dpkg/info/";
const DOC: &str = "usr/share/doc/";
/// Copyright files are scanned for license names only; a larger one is skipped.
const COPYRIGHT_LIMIT: u64 = 4 * 1024 * 1024;
/// A `.list` file larger than this is skipped (with an issue).
const LIST_LIMIT: u64 = 16 * 1024 * 1024;

/// The catalogers of this module.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![Box::new(Dpkg::default())]
}

/// One package paragraph as read.
#[derive(Debug, Clone, Default)]
struct Entry {
    name: String,
    version: String,
    architecture: String,
    source: String,
    source_version: String,
    depends: Vec<String>,
    database: String,
}

/// The dpkg cataloger's state.
#[derive(Debug, Default)]
pub struct Dpkg {
    entries: Vec<Entry>,
    /// `info/` list files by key (`NAME` or `NAME:ARCH`).
    lists: BTreeMap<String, (String, Vec<String>)>,
    /// License names by package name, with the copyright file's path.
    copyrights: BTreeMap<String, (String, Vec<String>)>,
}

impl Cataloger for Dpkg {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants(&self, entry: &FileEntry) -> bool {
        let path = entry.path.as_str();
        if path == STATUS {
            return true;
        }
        if let Some(name) = path.strip_prefix(STATUS_D) {
            return !name.is_empty() && !name.contains('/') && !name.ends_with(".md5sums");
        }
        if let Some(name) = path.strip_prefix(INFO) {
            return name.ends_with(".list") && !name.contains('/');
        }
        if let Some(rest) = path.strip_prefix(DOC) {
            return rest
                .strip_suffix("/copyright")
                .is_some_and(|name| !name.is_empty() && !name.contains('/'));
        }
        false
    }

    fn read(
        &mut self,
        entry: &FileEntry,
        content: &mut dyn Read,
        issues: &mut Vec<Issue>,
    ) -> io::Result<()> {
        let path = entry.path.as_str();
        let issue = |message: String| Issue {
            cataloger: NAME,
            path: entry.path.clone(),
            layer: Some(entry.layer),
            message,
        };
        if let Some(name) = path.strip_prefix(INFO) {
            let key = name.trim_end_matches(".list").to_owned();
            match read_capped(content, LIST_LIMIT)? {
                Some(bytes) => {
                    let files = String::from_utf8_lossy(&bytes)
                        .lines()
                        .filter_map(|line| {
                            let line = line.trim().trim_start_matches('/');
                            (!line.is_empty() && line != ".").then(|| line.to_owned())
                        })
                        .collect();
                    self.lists.insert(key, (entry.path.clone(), files));
                }
                None => issues.push(issue(format!(
                    "the file list is larger than {LIST_LIMIT} bytes; its files are not listed"
                ))),
            }
            return Ok(());
        }
        if let Some(rest) = path.strip_prefix(DOC) {
            let name = rest.trim_end_matches("/copyright").to_owned();
            match read_capped(content, COPYRIGHT_LIMIT)? {
                Some(bytes) => {
                    let licenses = licenses_from_copyright(&String::from_utf8_lossy(&bytes));
                    self.copyrights.insert(name, (entry.path.clone(), licenses));
                }
                None => issues.push(issue(format!(
                    "the copyright file is larger than {COPYRIGHT_LIMIT} bytes; its licenses are not read"
                ))),
            }
            return Ok(());
        }
        let Some(bytes) = read_capped(content, super::METADATA_LIMIT)? else {
            issues.push(issue(format!(
                "the package database is larger than {} bytes and was not read",
                super::METADATA_LIMIT
            )));
            return Ok(());
        };
        let text = String::from_utf8_lossy(&bytes);
        let (entries, problems) = parse_status(&text, &entry.path);
        self.entries.extend(entries);
        issues.extend(problems.into_iter().map(issue));
        Ok(())
    }

    fn finish(
        self: Box<Self>,
        context: &CatalogContext,
        files: &[FileEntry],
        _issues: &mut Vec<Issue>,
    ) -> Vec<Package> {
        let Self {
            entries,
            lists,
            copyrights,
        } = *self;
        let distro = context.distro.as_ref();
        let mut packages = Vec::with_capacity(entries.len());
        for entry in entries {
            let purl = match distro {
                Some(distro) if distro.is_like("debian") => {
                    let upstream = match (entry.source.is_empty(), entry.source_version.is_empty())
                    {
                        (true, _) => String::new(),
                        (false, true) => entry.source.clone(),
                        (false, false) => format!("{}@{}", entry.source, entry.source_version),
                    };
                    Purl::new("deb", &entry.name)
                        .namespace(&distro.id)
                        .version(&entry.version)
                        .qualifier("arch", &entry.architecture)
                        .qualifier("distro", &distro.purl_qualifier().unwrap_or_default())
                        .qualifier("upstream", &upstream)
                        .to_string()
                }
                _ => String::new(),
            };
            let mut locations = vec![entry.database.clone()];
            let list_key = if entry.architecture.is_empty() || entry.architecture == "all" {
                entry.name.clone()
            } else {
                format!("{}:{}", entry.name, entry.architecture)
            };
            let listed = lists.get(&list_key).or_else(|| lists.get(&entry.name));
            let mut owned = Vec::new();
            if let Some((path, list)) = listed {
                locations.push(path.clone());
                owned = list
                    .iter()
                    .filter(|file| {
                        files
                            .binary_search_by(|f| f.path.as_str().cmp(file.as_str()))
                            .is_ok_and(|i| files[i].kind != EntryKind::Directory)
                    })
                    .cloned()
                    .collect();
            }
            let mut licenses = Vec::new();
            // `usr/share/doc/NAME` is often a link to another package's folder.
            let copyright = copyrights.get(&entry.name).or_else(|| {
                let real = crate::scan::resolve(files, &format!("{DOC}{}/copyright", entry.name))?;
                let name = real.strip_prefix(DOC)?.strip_suffix("/copyright")?;
                copyrights.get(name)
            });
            if let Some((path, names)) = copyright {
                locations.push(path.clone());
                licenses = names.iter().map(|n| crate::license::normalise(n)).collect();
                licenses.sort();
                licenses.dedup();
            }
            locations.sort();
            locations.dedup();
            let mut dependencies = entry.depends.clone();
            dependencies.sort();
            dependencies.dedup();
            packages.push(Package {
                cpes: crate::cpe::for_os_package(&entry.name, &entry.version),
                name: entry.name.clone(),
                version: entry.version.clone(),
                kind: PackageType::Deb,
                purl,
                licenses,
                locations,
                cataloger: NAME,
                architecture: Some(entry.architecture.clone()).filter(|a| !a.is_empty()),
                source_package: Some(entry.source.clone())
                    .filter(|s| !s.is_empty() && *s != entry.name),
                files: owned,
                dependencies,
            });
        }
        packages
    }
}

/// Parses a dpkg status file: one paragraph per package, `Key: value` fields with
/// continuation lines. Entries whose `Status` says `deinstall` (removed, config files
/// left) are skipped, as syft does.
fn parse_status(text: &str, database: &str) -> (Vec<Entry>, Vec<String>) {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut line_number = 0usize;
    let mut paragraph: Vec<(String, String)> = Vec::new();
    let mut start_line = 1usize;
    let mut flush = |paragraph: &mut Vec<(String, String)>,
                     start: usize,
                     problems: &mut Vec<String>| {
        if paragraph.is_empty() {
            return;
        }
        let fields: BTreeMap<&str, &str> = paragraph
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let status = fields.get("Status").copied().unwrap_or("");
        let name = fields.get("Package").copied().unwrap_or("").trim();
        if status.contains("deinstall") {
            paragraph.clear();
            return;
        }
        if name.is_empty() {
            problems.push(format!(
                "the paragraph at line {start} has no `Package` field; it is skipped"
            ));
            paragraph.clear();
            return;
        }
        let (source, source_version) = split_source(fields.get("Source").copied().unwrap_or(""));
        let mut depends = Vec::new();
        for key in ["Depends", "Pre-Depends"] {
            if let Some(value) = fields.get(key) {
                depends.extend(dependency_names(value));
            }
        }
        entries.push(Entry {
            name: name.to_owned(),
            version: fields
                .get("Version")
                .copied()
                .unwrap_or("")
                .trim()
                .to_owned(),
            architecture: fields
                .get("Architecture")
                .copied()
                .unwrap_or("")
                .trim()
                .to_owned(),
            source,
            source_version,
            depends,
            database: database.to_owned(),
        });
        paragraph.clear();
    };
    for line in text.lines() {
        line_number += 1;
        if line.trim().is_empty() {
            flush(&mut paragraph, start_line, &mut problems);
            start_line = line_number + 1;
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            match paragraph.last_mut() {
                Some((_, value)) => {
                    value.push('\n');
                    value.push_str(line.trim());
                }
                None => problems.push(format!(
                    "line {line_number} continues a field but no field precedes it"
                )),
            }
            continue;
        }
        match line.split_once(':') {
            Some((key, value)) if !key.trim().is_empty() => {
                paragraph.push((key.trim().to_owned(), value.trim().to_owned()));
            }
            _ => problems.push(format!(
                "line {line_number} is not a `Field: value` line; it is ignored"
            )),
        }
    }
    flush(&mut paragraph, start_line, &mut problems);
    (entries, problems)
}

/// `glibc (2.36-9)` → (`glibc`, `2.36-9`); `glibc` → (`glibc`, ``).
fn split_source(source: &str) -> (String, String) {
    let source = source.trim();
    match source.split_once(' ') {
        Some((name, rest)) => {
            let version = rest
                .trim()
                .strip_prefix('(')
                .and_then(|v| v.strip_suffix(')'))
                .unwrap_or("")
                .trim();
            (name.to_owned(), version.to_owned())
        }
        None => (source.to_owned(), String::new()),
    }
}

/// The package names of a `Depends`-style list (`a (>= 1), b | c:any`).
fn dependency_names(value: &str) -> Vec<String> {
    value
        .split([',', '|'])
        .filter_map(|item| {
            let name = item.split_whitespace().next()?;
            let name = name.split(':').next().unwrap_or(name);
            (!name.is_empty()).then(|| name.to_owned())
        })
        .collect()
}

/// License names a Debian copyright file mentions: `License:` fields (their first word)
/// and `/usr/share/common-licenses/NAME` references, as syft collects them.
pub fn licenses_from_copyright(text: &str) -> Vec<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("License: ") {
            // syft's `^License: (\S*)`: a second space means no license on this line.
            let candidate = rest.split(char::is_whitespace).next().unwrap_or("");
            if let Some(license) = single_license(candidate) {
                found.insert(license);
            }
        }
        let mut rest = line;
        while let Some(at) = rest.find("/usr/share/common-licenses/") {
            let tail = &rest[at + "/usr/share/common-licenses/".len()..];
            let name: String = tail
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
                .collect();
            if let Some(license) = single_license(&name) {
                found.insert(license);
            }
            rest = tail;
        }
    }
    found.into_iter().collect()
}

fn single_license(candidate: &str) -> Option<String> {
    let candidate = candidate.trim();
    if candidate.contains(" or ") || candidate.contains(" and ") {
        return None;
    }
    let candidate = candidate.trim_end_matches('.');
    (!candidate.is_empty() && !candidate.eq_ignore_ascii_case("none")).then(|| candidate.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS_TEXT: &str = "Package: libc6\nStatus: install ok installed\nPriority: optional\nSection: libs\nInstalled-Size: 12000\nMaintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>\nArchitecture: amd64\nMulti-Arch: same\nSource: glibc\nVersion: 2.36-9+deb12u4\nDepends: libgcc-s1\nDescription: GNU C Library: Shared libraries\n Contains the standard libraries.\n\nPackage: bash\nStatus: install ok installed\nArchitecture: amd64\nSource: bash (5.2.15-2)\nVersion: 5.2.15-2+b13\nPre-Depends: libc6 (>= 2.36), libtinfo6 (>= 6) | libncurses6:any\n\nPackage: old\nStatus: deinstall ok config-files\nVersion: 1\n";

    #[test]
    fn status_paragraphs() {
        let (entries, problems) = parse_status(STATUS_TEXT, STATUS);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].name, "libc6");
        assert_eq!(entries[0].source, "glibc");
        assert_eq!(entries[1].source_version, "5.2.15-2");
        assert_eq!(
            entries[1].depends,
            vec!["libc6", "libtinfo6", "libncurses6"]
        );
    }

    #[test]
    fn purls_and_cpes_like_syft() {
        let mut dpkg = Box::new(Dpkg::default());
        let entry = FileEntry {
            path: STATUS.to_owned(),
            kind: EntryKind::File,
            size: STATUS_TEXT.len() as u64,
            mode: 0o644,
            link_target: None,
            layer: 0,
        };
        let mut issues = Vec::new();
        assert!(dpkg.wants(&entry));
        dpkg.read(&entry, &mut STATUS_TEXT.as_bytes(), &mut issues)
            .unwrap();
        let context = CatalogContext {
            distro: super::super::os_release::parse("ID=debian\nVERSION_ID=\"12\"\n"),
        };
        let packages = dpkg.finish(&context, &[entry], &mut issues);
        let purls: Vec<&str> = packages.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(
            purls,
            vec![
                "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc",
                "pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2",
            ]
        );
        assert_eq!(
            packages[0].cpes,
            vec!["cpe:2.3:a:libc6:libc6:2.36-9\\+deb12u4:*:*:*:*:*:*:*"]
        );
    }

    #[test]
    fn copyright_licenses() {
        let text = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: GPL-2+\n\nLicense: BSD-3-clause\n see /usr/share/common-licenses/GPL-2.\n";
        assert_eq!(
            licenses_from_copyright(text),
            vec!["BSD-3-clause", "GPL-2", "GPL-2+"]
        );
    }

    #[test]
    fn malformed_lines_are_issues() {
        let (entries, problems) =
            parse_status(" orphan\nPackage: x\nVersion: 1\nnot a field\n", STATUS);
        assert_eq!(entries.len(), 1);
        assert_eq!(problems.len(), 2, "{problems:?}");
    }
}
