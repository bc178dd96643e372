//! The `apk` cataloger: Alpine packages from `lib/apk/db/installed` (name, version,
//! architecture, origin, license, owned files, plain-name dependencies).

use std::io::{self, Read};

use shipgate_oci::layers::FileEntry;

use super::{CatalogContext, Cataloger, Issue, read_capped};
use crate::package::{Package, PackageType};
use crate::purl::Purl;

/// The cataloger's name.
pub const NAME: &str = "apk";

const DATABASE: &str = "lib/apk/db/installed";

/// The catalogers of this module.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![Box::new(Apk::default())]
}

#[derive(Debug, Default, Clone)]
struct Record {
    name: String,
    version: String,
    architecture: String,
    origin: String,
    license: String,
    files: Vec<String>,
    depends: Vec<String>,
    database: String,
}

/// The apk cataloger's state.
#[derive(Debug, Default)]
pub struct Apk {
    records: Vec<Record>,
}

impl Cataloger for Apk {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants(&self, entry: &FileEntry) -> bool {
        entry.path == DATABASE
    }

    fn read(
        &mut self,
        entry: &FileEntry,
        content: &mut dyn Read,
        issues: &mut Vec<Issue>,
    ) -> io::Result<()> {
        let Some(bytes) = read_capped(content, super::METADATA_LIMIT)? else {
            issues.push(Issue {
                cataloger: NAME,
                path: entry.path.clone(),
                layer: Some(entry.layer),
                message: format!(
                    "the package database is larger than {} bytes and was not read",
                    super::METADATA_LIMIT
                ),
            });
            return Ok(());
        };
        let (records, problems) = parse(&String::from_utf8_lossy(&bytes), &entry.path);
        self.records.extend(records);
        issues.extend(problems.into_iter().map(|message| Issue {
            cataloger: NAME,
            path: entry.path.clone(),
            layer: Some(entry.layer),
            message,
        }));
        Ok(())
    }

    fn finish(
        self: Box<Self>,
        context: &CatalogContext,
        _files: &[FileEntry],
        _issues: &mut Vec<Issue>,
    ) -> Vec<Package> {
        let distro = context.distro.as_ref();
        self.records
            .into_iter()
            .map(|record| {
                let purl = distro
                    .map(|distro| {
                        let upstream = if record.origin != record.name {
                            record.origin.as_str()
                        } else {
                            ""
                        };
                        Purl::new("apk", &record.name)
                            .namespace(&distro.id.to_ascii_lowercase())
                            .version(&record.version)
                            .qualifier("arch", &record.architecture)
                            .qualifier("distro", &distro.purl_qualifier().unwrap_or_default())
                            .qualifier("upstream", upstream)
                            .to_string()
                    })
                    .unwrap_or_default();
                let licenses = if record.license.is_empty() {
                    Vec::new()
                } else {
                    record
                        .license
                        .split_whitespace()
                        .filter(|l| !matches!(*l, "AND" | "OR" | "WITH"))
                        .map(crate::license::normalise)
                        .collect()
                };
                let mut dependencies = record.depends.clone();
                dependencies.sort();
                dependencies.dedup();
                Package {
                    cpes: crate::cpe::for_os_package(&record.name, &record.version),
                    name: record.name.clone(),
                    version: record.version.clone(),
                    kind: PackageType::Apk,
                    purl,
                    licenses,
                    locations: vec![record.database.clone()],
                    cataloger: NAME,
                    architecture: Some(record.architecture.clone()).filter(|a| !a.is_empty()),
                    source_package: Some(record.origin.clone())
                        .filter(|o| !o.is_empty() && *o != record.name),
                    files: record.files,
                    dependencies,
                }
            })
            .collect()
    }
}

/// Parses an apk `installed` database: records separated by blank lines, `K:value` lines.
fn parse(text: &str, database: &str) -> (Vec<Record>, Vec<String>) {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let mut current = Record::default();
    let mut folder = String::new();
    let mut start = 1usize;
    let mut finish = |record: &mut Record, start: usize, problems: &mut Vec<String>| {
        let done = std::mem::take(record);
        if done.name.is_empty() && done.version.is_empty() && done.files.is_empty() {
            return;
        }
        if done.name.is_empty() {
            problems.push(format!(
                "the record at line {start} has no `P:` (name) line; it is skipped"
            ));
            return;
        }
        records.push(Record {
            database: database.to_owned(),
            ..done
        });
    };
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            finish(&mut current, start, &mut problems);
            folder.clear();
            start = number + 1;
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            problems.push(format!(
                "line {number} is not a `K:value` line; it is ignored"
            ));
            continue;
        };
        match key {
            "P" => current.name = value.to_owned(),
            "V" => current.version = value.to_owned(),
            "A" => current.architecture = value.to_owned(),
            "o" => current.origin = value.to_owned(),
            "L" => current.license = value.to_owned(),
            "F" => folder = value.trim_matches('/').to_owned(),
            "R" => current.files.push(if folder.is_empty() {
                value.to_owned()
            } else {
                format!("{folder}/{value}")
            }),
            "D" => current.depends.extend(
                value
                    .split_whitespace()
                    .filter(|d| !d.starts_with('!') && !d.contains(':'))
                    .map(|d| d.split(['=', '<', '>', '~']).next().unwrap_or(d).to_owned())
                    .filter(|d| !d.is_empty()),
            ),
            _ => {}
        }
    }
    finish(&mut current, start, &mut problems);
    (records, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DB: &str = "C:Q1abc=\nP:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\no:musl\nD:\nF:lib\nR:ld-musl-x86_64.so.1\n\nP:busybox-binsh\nV:1.36.1-r29\nA:x86_64\nL:GPL-2.0-only\no:busybox\nD:busybox=1.36.1-r29 so:libc.musl-x86_64.so.1\nF:bin\nR:sh\n";

    #[test]
    fn records_and_purls() {
        let (records, problems) = parse(DB, DATABASE);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].files, vec!["lib/ld-musl-x86_64.so.1"]);
        assert_eq!(records[1].depends, vec!["busybox"]);
        let apk = Box::new(Apk { records });
        let context = CatalogContext {
            distro: super::super::os_release::parse("ID=alpine\nVERSION_ID=3.20.3\n"),
        };
        let packages = apk.finish(&context, &[], &mut Vec::new());
        assert_eq!(
            packages[0].purl,
            "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3"
        );
        assert_eq!(
            packages[1].purl,
            "pkg:apk/alpine/busybox-binsh@1.36.1-r29?arch=x86_64&distro=alpine-3.20.3&upstream=busybox"
        );
        assert_eq!(packages[1].licenses, vec!["GPL-2.0-only"]);
    }
}
