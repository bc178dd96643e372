//! Reads an offline OSV database: a directory of OSV JSON files (searched recursively), one
//! OSV JSON file, or the per-ecosystem `all.zip` osv.dev publishes. Only records that name
//! a wanted (ecosystem, package) are kept, so a large database is streamed, not held.

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::record::Record;
use super::{Error, Key};

/// The parts of a record the first pass reads.
#[derive(serde::Deserialize)]
struct Probe<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(default, borrow)]
    affected: Vec<ProbeAffected<'a>>,
}

#[derive(serde::Deserialize)]
struct ProbeAffected<'a> {
    #[serde(default, borrow)]
    package: Option<ProbePackage<'a>>,
}

#[derive(serde::Deserialize)]
struct ProbePackage<'a> {
    #[serde(default, borrow)]
    ecosystem: Cow<'a, str>,
    #[serde(default, borrow)]
    name: Cow<'a, str>,
}

/// What was read from the database.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    /// Records naming a wanted package.
    pub(crate) records: Vec<Record>,
    /// Every record read (wanted or not).
    pub(crate) records_read: usize,
    /// Entries that were not valid OSV records: `(where, why)`.
    pub(crate) bad: Vec<(String, String)>,
}

/// Calls `keep` on every record of the database.
pub(crate) fn load(
    database: &Path,
    wanted: &HashSet<Key>,
    key_of: &dyn Fn(&str, &str) -> Option<Key>,
) -> Result<Loaded, Error> {
    let mut loaded = Loaded::default();
    let metadata = fs_err::metadata(database).map_err(|source| Error::Read {
        what: "OSV database",
        source,
    })?;
    let take = |place: String, bytes: &[u8], loaded: &mut Loaded| {
        // A cheap first pass reads only the id and the affected packages; the whole record
        // is parsed only when it names a wanted package.
        let probe = match serde_json::from_slice::<Probe<'_>>(bytes) {
            Ok(probe) => probe,
            Err(error) => {
                loaded.bad.push((place, error.to_string()));
                return;
            }
        };
        loaded.records_read += 1;
        if probe.id.trim().is_empty() {
            loaded.bad.push((place, "`id` is empty".to_owned()));
            return;
        }
        let wanted_here = probe.affected.iter().any(|a| {
            a.package
                .as_ref()
                .and_then(|p| key_of(&p.ecosystem, &p.name))
                .is_some_and(|k| wanted.contains(&k))
        });
        if !wanted_here {
            return;
        }
        match serde_json::from_slice::<Record>(bytes) {
            Ok(record) => loaded.records.push(record),
            Err(error) => loaded.bad.push((place, error.to_string())),
        }
    };
    if metadata.is_dir() {
        let mut files = Vec::new();
        walk(database, &mut files)?;
        files.sort();
        for file in files {
            let bytes = fs_err::read(&file).map_err(|source| Error::Read {
                what: "OSV record",
                source,
            })?;
            take(file.display().to_string(), &bytes, &mut loaded);
        }
    } else if database
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        let file = fs_err::File::open(database).map_err(|source| Error::Read {
            what: "OSV database",
            source,
        })?;
        let mut archive = zip::ZipArchive::new(file).map_err(|source| Error::Zip {
            path: database.to_path_buf(),
            source,
        })?;
        let mut bytes = Vec::new();
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index).map_err(|source| Error::Zip {
                path: database.to_path_buf(),
                source,
            })?;
            let name = entry
                .name()
                .map(|n| n.to_string())
                .unwrap_or_else(|_| format!("entry {index}"));
            if !entry.is_file() || !name.to_ascii_lowercase().ends_with(".json") {
                continue;
            }
            let place = format!("{}!{name}", database.display());
            bytes.clear();
            if let Err(error) = entry.read_to_end(&mut bytes) {
                loaded.bad.push((place, error.to_string()));
                continue;
            }
            take(place, &bytes, &mut loaded);
        }
    } else {
        let bytes = fs_err::read(database).map_err(|source| Error::Read {
            what: "OSV record",
            source,
        })?;
        take(database.display().to_string(), &bytes, &mut loaded);
    }
    Ok(loaded)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = fs_err::read_dir(dir).map_err(|source| Error::Read {
        what: "OSV database folder",
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| Error::Read {
            what: "OSV database folder",
            source,
        })?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|source| Error::Read {
            what: "OSV database folder",
            source,
        })?;
        if kind.is_dir() {
            walk(&path, files)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            files.push(path);
        }
    }
    Ok(())
}
