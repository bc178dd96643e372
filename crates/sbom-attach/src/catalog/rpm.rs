//! The `rpm` cataloger: RPM packages from the sqlite database rpm ≥ 4.16 writes
//! (`var/lib/rpm/rpmdb.sqlite`, also `usr/lib/sysimage/rpm/rpmdb.sqlite`): the `Packages`
//! table holds one header blob per package, parsed here for name, version, release,
//! epoch, architecture, source RPM, license, owned files and required names.
//!
//! The database is read from memory by a small read-only reader of the SQLite file
//! format (table b-trees, overflow pages, records), so nothing is written to disk and no
//! C library is built. A write-ahead log next to the database (`rpmdb.sqlite-wal`) that
//! is not empty is reported as an issue: its changes are not read.

use std::io::{self, Read};

use shipgate_oci::layers::FileEntry;

use super::{CatalogContext, Cataloger, Issue, read_capped};
use crate::package::{Package, PackageType};
use crate::purl::Purl;

/// The cataloger's name.
pub const NAME: &str = "rpm";

const DATABASES: [&str; 2] = [
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
];

/// The catalogers of this module.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![Box::new(Rpm::default())]
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Header {
    name: String,
    version: String,
    release: String,
    epoch: Option<i64>,
    architecture: String,
    source_rpm: String,
    license: String,
    files: Vec<String>,
    requires: Vec<String>,
}

/// The rpm cataloger's state.
#[derive(Debug, Default)]
pub struct Rpm {
    headers: Vec<(String, Header)>,
}

impl Cataloger for Rpm {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants(&self, entry: &FileEntry) -> bool {
        DATABASES.contains(&entry.path.as_str())
            || DATABASES
                .iter()
                .any(|db| entry.path.strip_suffix("-wal") == Some(db))
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
        if entry.path.ends_with("-wal") {
            if entry.size > 0 {
                issues.push(issue(
                    "the database has a write-ahead log whose changes are not read".to_owned(),
                ));
            }
            return Ok(());
        }
        let Some(bytes) = read_capped(content, super::METADATA_LIMIT * 4)? else {
            issues.push(issue(format!(
                "the package database is larger than {} bytes and was not read",
                super::METADATA_LIMIT * 4
            )));
            return Ok(());
        };
        let blobs = match sqlite::table_blobs(&bytes, "Packages") {
            Ok(blobs) => blobs,
            Err(message) => {
                issues.push(issue(format!("unreadable rpm database: {message}")));
                return Ok(());
            }
        };
        for (rowid, blob) in blobs {
            match parse_header(&blob) {
                Ok(header) if !header.name.is_empty() => {
                    self.headers.push((entry.path.clone(), header));
                }
                Ok(_) => {}
                Err(message) => issues.push(issue(format!(
                    "package header {rowid} is malformed ({message}); it is skipped"
                ))),
            }
        }
        Ok(())
    }

    fn finish(
        self: Box<Self>,
        context: &CatalogContext,
        _files: &[FileEntry],
        _issues: &mut Vec<Issue>,
    ) -> Vec<Package> {
        let distro = context.distro.as_ref();
        self.headers
            .into_iter()
            .filter(|(_, h)| h.name != "gpg-pubkey")
            .map(|(database, header)| {
                let version_release = if header.release.is_empty() {
                    header.version.clone()
                } else {
                    format!("{}-{}", header.version, header.release)
                };
                let version = match header.epoch {
                    Some(epoch) => format!("{epoch}:{version_release}"),
                    None => version_release.clone(),
                };
                // syft: the namespace is the distribution's ID, `rhel` spelled `redhat`.
                let namespace = match distro.map(|d| d.id.as_str()) {
                    Some("rhel") => "redhat",
                    Some(id) => id,
                    None => "",
                };
                let epoch = header.epoch.map(|e| e.to_string()).unwrap_or_default();
                let purl = Purl::new("rpm", &header.name)
                    .namespace(namespace)
                    .version(&version_release)
                    .qualifier("arch", &header.architecture)
                    .qualifier(
                        "distro",
                        &distro.and_then(|d| d.purl_qualifier()).unwrap_or_default(),
                    )
                    .qualifier("epoch", &epoch)
                    .qualifier("upstream", &header.source_rpm)
                    .to_string();
                let mut dependencies: Vec<String> = header
                    .requires
                    .iter()
                    .filter(|r| !r.contains('(') && !r.starts_with('/') && !r.starts_with("rpmlib"))
                    .cloned()
                    .collect();
                dependencies.sort();
                dependencies.dedup();
                Package {
                    cpes: crate::cpe::for_os_package(&header.name, &version),
                    name: header.name.clone(),
                    version,
                    kind: PackageType::Rpm,
                    purl,
                    licenses: if header.license.is_empty() {
                        Vec::new()
                    } else {
                        vec![crate::license::normalise(&header.license)]
                    },
                    locations: vec![database],
                    cataloger: NAME,
                    architecture: Some(header.architecture.clone()).filter(|a| !a.is_empty()),
                    source_package: Some(header.source_rpm.clone()).filter(|s| !s.is_empty()),
                    files: header.files,
                    dependencies,
                }
            })
            .collect()
    }
}

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_LICENSE: u32 = 1014;
const TAG_ARCH: u32 = 1022;
const TAG_SOURCERPM: u32 = 1044;
const TAG_REQUIRENAME: u32 = 1049;
const TAG_DIRINDEXES: u32 = 1116;
const TAG_BASENAMES: u32 = 1117;
const TAG_DIRNAMES: u32 = 1118;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// Parses an rpm header blob as the database stores it: `il` and `dl` (big-endian
/// counts), `il` index entries of (tag, type, offset, count), then `dl` bytes of data.
fn parse_header(blob: &[u8]) -> Result<Header, String> {
    let be32 = |at: usize| -> Result<u32, String> {
        blob.get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| format!("truncated at byte {at}"))
    };
    let count = be32(0)? as usize;
    let data_len = be32(4)? as usize;
    let index_end = 8usize
        .checked_add(count.checked_mul(16).ok_or("index too large")?)
        .ok_or("index too large")?;
    let data = blob
        .get(index_end..index_end.checked_add(data_len).ok_or("data too large")?)
        .ok_or_else(|| format!("{count} index entries and {data_len} data bytes do not fit"))?;
    let mut header = Header::default();
    let mut dir_indexes: Vec<u32> = Vec::new();
    let mut dir_names: Vec<String> = Vec::new();
    let mut base_names: Vec<String> = Vec::new();
    for i in 0..count {
        let at = 8 + i * 16;
        let tag = be32(at)?;
        let kind = be32(at + 4)?;
        let offset = be32(at + 8)? as usize;
        let n = be32(at + 12)? as usize;
        if offset > data.len() {
            return Err(format!("tag {tag} points past the data"));
        }
        let strings = |n: usize| -> Result<Vec<String>, String> {
            let mut out = Vec::with_capacity(n.min(65_536));
            let mut rest = &data[offset..];
            for _ in 0..n {
                let end = rest
                    .iter()
                    .position(|b| *b == 0)
                    .ok_or_else(|| format!("tag {tag}: unterminated string"))?;
                out.push(String::from_utf8_lossy(&rest[..end]).into_owned());
                rest = &rest[end + 1..];
            }
            Ok(out)
        };
        let ints = |n: usize| -> Result<Vec<u32>, String> {
            let bytes = data
                .get(offset..offset + n.checked_mul(4).ok_or("count too large")?)
                .ok_or_else(|| format!("tag {tag}: integers past the data"))?;
            Ok(bytes
                .chunks_exact(4)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
                .collect())
        };
        let first_string = || -> Result<String, String> {
            match kind {
                TYPE_STRING | TYPE_I18NSTRING | TYPE_STRING_ARRAY => {
                    Ok(strings(1)?.into_iter().next().unwrap_or_default())
                }
                _ => Err(format!("tag {tag} has type {kind}, not a string")),
            }
        };
        match tag {
            TAG_NAME => header.name = first_string()?,
            TAG_VERSION => header.version = first_string()?,
            TAG_RELEASE => header.release = first_string()?,
            TAG_LICENSE => header.license = first_string()?,
            TAG_ARCH => header.architecture = first_string()?,
            TAG_SOURCERPM => header.source_rpm = first_string()?,
            TAG_EPOCH if kind == TYPE_INT32 => {
                header.epoch = ints(1)?.first().map(|e| i64::from(*e));
            }
            TAG_REQUIRENAME if kind == TYPE_STRING_ARRAY => header.requires = strings(n)?,
            TAG_BASENAMES if kind == TYPE_STRING_ARRAY => base_names = strings(n)?,
            TAG_DIRNAMES if kind == TYPE_STRING_ARRAY => dir_names = strings(n)?,
            TAG_DIRINDEXES if kind == TYPE_INT32 => dir_indexes = ints(n)?,
            _ => {}
        }
    }
    for (base, index) in base_names.iter().zip(&dir_indexes) {
        if let Some(dir) = dir_names.get(*index as usize) {
            let path = format!("{dir}{base}");
            header.files.push(path.trim_start_matches('/').to_owned());
        }
    }
    Ok(header)
}

/// A read-only reader of the SQLite file format, enough to list the rows of one table.
mod sqlite {
    /// The most pages visited in one table, against cycles in a damaged file.
    const MAX_PAGES: usize = 1_000_000;

    struct Db<'a> {
        bytes: &'a [u8],
        page_size: usize,
        usable: usize,
    }

    /// Every row of `table` as (rowid, the first BLOB column's bytes).
    pub(super) fn table_blobs(bytes: &[u8], table: &str) -> Result<Vec<(i64, Vec<u8>)>, String> {
        if bytes.len() < 100 || !bytes.starts_with(b"SQLite format 3\0") {
            return Err("not an SQLite 3 database".to_owned());
        }
        let raw_size = u16::from_be_bytes([bytes[16], bytes[17]]) as usize;
        let page_size = if raw_size == 1 { 65_536 } else { raw_size };
        if page_size < 512 || !page_size.is_power_of_two() {
            return Err(format!("invalid page size {page_size}"));
        }
        let reserved = bytes[20] as usize;
        let db = Db {
            bytes,
            page_size,
            usable: page_size.saturating_sub(reserved),
        };
        let mut root = None;
        for (_, record) in db.rows(1)? {
            let columns = parse_record(&record)?;
            let is_table = matches!(columns.first(), Some(Value::Text(t)) if t == "table");
            let named = matches!(columns.get(1), Some(Value::Text(t)) if t == table);
            if is_table && named {
                root = match columns.get(3) {
                    Some(Value::Int(page)) => Some(*page),
                    _ => return Err(format!("table {table} has no root page")),
                };
            }
        }
        let root = root.ok_or_else(|| format!("no table named {table}"))?;
        let root = usize::try_from(root).map_err(|_| "negative root page".to_owned())?;
        let mut out = Vec::new();
        for (rowid, record) in db.rows(root)? {
            let columns = parse_record(&record)?;
            if let Some(blob) = columns.into_iter().find_map(|c| match c {
                Value::Blob(b) => Some(b),
                _ => None,
            }) {
                out.push((rowid, blob));
            }
        }
        Ok(out)
    }

    #[derive(Debug)]
    enum Value {
        Null,
        Int(i64),
        Text(String),
        Blob(Vec<u8>),
    }

    impl Db<'_> {
        fn page(&self, number: usize) -> Result<&[u8], String> {
            let start = number
                .checked_sub(1)
                .and_then(|n| n.checked_mul(self.page_size))
                .ok_or("page 0")?;
            self.bytes
                .get(start..start + self.page_size)
                .ok_or_else(|| format!("page {number} is past the end of the file"))
        }

        /// The (rowid, record) of every cell of the table b-tree rooted at `root`.
        fn rows(&self, root: usize) -> Result<Vec<(i64, Vec<u8>)>, String> {
            let mut out = Vec::new();
            let mut stack = vec![root];
            let mut visited = 0;
            while let Some(number) = stack.pop() {
                visited += 1;
                if visited > MAX_PAGES {
                    return Err("too many pages (a cycle?)".to_owned());
                }
                let page = self.page(number)?;
                let header_at = if number == 1 { 100 } else { 0 };
                let kind = *page.get(header_at).ok_or("empty page")?;
                let cells = u16::from_be_bytes([page[header_at + 3], page[header_at + 4]]) as usize;
                let (header_len, interior) = match kind {
                    0x0d => (8, false),
                    0x05 => (12, true),
                    other => {
                        return Err(format!(
                            "page {number} has type {other:#x}, not a table page"
                        ));
                    }
                };
                let pointers = header_at + header_len;
                let mut children = Vec::new();
                for i in 0..cells {
                    let at = pointers + i * 2;
                    let cell = u16::from_be_bytes([
                        *page.get(at).ok_or("cell pointer past the page")?,
                        *page.get(at + 1).ok_or("cell pointer past the page")?,
                    ]) as usize;
                    if interior {
                        let child = page
                            .get(cell..cell + 4)
                            .ok_or("interior cell past the page")?;
                        children
                            .push(u32::from_be_bytes([child[0], child[1], child[2], child[3]])
                                as usize);
                    } else {
                        out.push(self.leaf_cell(page, cell)?);
                    }
                }
                if interior {
                    let right = &page[header_at + 8..header_at + 12];
                    children.push(u32::from_be_bytes([right[0], right[1], right[2], right[3]]) as usize);
                    // Visit left to right: push in reverse.
                    stack.extend(children.into_iter().rev());
                }
            }
            Ok(out)
        }

        fn leaf_cell(&self, page: &[u8], cell: usize) -> Result<(i64, Vec<u8>), String> {
            let (payload_len, n1) = varint(page.get(cell..).ok_or("cell past the page")?)?;
            let (rowid, n2) = varint(page.get(cell + n1..).ok_or("cell past the page")?)?;
            let payload_len = usize::try_from(payload_len).map_err(|_| "negative payload")?;
            let start = cell + n1 + n2;
            let u = self.usable;
            let x = u - 35;
            let local = if payload_len <= x {
                payload_len
            } else {
                let m = ((u - 12) * 32 / 255) - 23;
                let k = m + ((payload_len - m) % (u - 4));
                if k <= x { k } else { m }
            };
            let mut payload = page
                .get(start..start + local)
                .ok_or("payload past the page")?
                .to_vec();
            if local < payload_len {
                let at = start + local;
                let next = page
                    .get(at..at + 4)
                    .ok_or("overflow pointer past the page")?;
                let mut next = u32::from_be_bytes([next[0], next[1], next[2], next[3]]) as usize;
                let mut hops = 0;
                while payload.len() < payload_len {
                    hops += 1;
                    if next == 0 || hops > MAX_PAGES {
                        return Err("overflow chain ends early".to_owned());
                    }
                    let overflow = self.page(next)?;
                    next = u32::from_be_bytes([overflow[0], overflow[1], overflow[2], overflow[3]])
                        as usize;
                    let take = (payload_len - payload.len()).min(u - 4);
                    payload.extend_from_slice(&overflow[4..4 + take]);
                }
            }
            Ok((rowid, payload))
        }
    }

    fn varint(bytes: &[u8]) -> Result<(i64, usize), String> {
        let mut value: u64 = 0;
        for (i, byte) in bytes.iter().enumerate().take(9) {
            if i == 8 {
                value = (value << 8) | u64::from(*byte);
                return Ok((value as i64, 9));
            }
            value = (value << 7) | u64::from(byte & 0x7f);
            if byte & 0x80 == 0 {
                return Ok((value as i64, i + 1));
            }
        }
        Err("truncated varint".to_owned())
    }

    fn parse_record(record: &[u8]) -> Result<Vec<Value>, String> {
        let (header_len, mut at) = varint(record)?;
        let header_len = usize::try_from(header_len).map_err(|_| "negative record header")?;
        if header_len > record.len() {
            return Err("record header past the record".to_owned());
        }
        let mut types = Vec::new();
        while at < header_len {
            let (serial, n) = varint(&record[at..header_len])?;
            types.push(serial);
            at += n;
        }
        let mut body = header_len;
        let mut values = Vec::with_capacity(types.len());
        for serial in types {
            let (len, value_kind) = match serial {
                0 => (0, 0),
                1 => (1, 1),
                2 => (2, 1),
                3 => (3, 1),
                4 => (4, 1),
                5 => (6, 1),
                6 => (8, 1),
                7 => (8, 2),
                8 | 9 => (0, 3),
                n if n >= 12 && n % 2 == 0 => (((n - 12) / 2) as usize, 4),
                n if n >= 13 => (((n - 13) / 2) as usize, 5),
                n => return Err(format!("reserved serial type {n}")),
            };
            let bytes = record
                .get(body..body + len)
                .ok_or("record value past the record")?;
            body += len;
            values.push(match value_kind {
                0 | 2 => Value::Null,
                1 => {
                    let mut v: i64 = if bytes.first().is_some_and(|b| b & 0x80 != 0) {
                        -1
                    } else {
                        0
                    };
                    for b in bytes {
                        v = (v << 8) | i64::from(*b);
                    }
                    Value::Int(v)
                }
                3 => Value::Int(if serial == 9 { 1 } else { 0 }),
                4 => Value::Blob(bytes.to_vec()),
                _ => Value::Text(String::from_utf8_lossy(bytes).into_owned()),
            });
        }
        Ok(values)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn varints() {
            assert_eq!(varint(&[0x05]).unwrap(), (5, 1));
            assert_eq!(varint(&[0x81, 0x00]).unwrap(), (128, 2));
            assert!(varint(&[0x81]).is_err());
        }

        #[test]
        fn garbage_is_an_error_not_a_panic() {
            assert!(table_blobs(b"not a database", "Packages").is_err());
            let mut fake = b"SQLite format 3\0".to_vec();
            fake.resize(4096, 0);
            fake[16] = 0x10;
            fake[100] = 0x0d;
            fake[103] = 0xff;
            fake[104] = 0xff;
            assert!(table_blobs(&fake, "Packages").is_err());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header blob with the given (tag, type, count, data) entries.
    fn blob(entries: &[(u32, u32, u32, &[u8])]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (tag, kind, count, bytes) in entries {
            index.extend(tag.to_be_bytes());
            index.extend(kind.to_be_bytes());
            index.extend((data.len() as u32).to_be_bytes());
            index.extend(count.to_be_bytes());
            data.extend_from_slice(bytes);
        }
        let mut out = Vec::new();
        out.extend((entries.len() as u32).to_be_bytes());
        out.extend((data.len() as u32).to_be_bytes());
        out.extend(index);
        out.extend(data);
        out
    }

    #[test]
    fn headers_parse() {
        let header = parse_header(&blob(&[
            (TAG_NAME, TYPE_STRING, 1, b"bash\0"),
            (TAG_VERSION, TYPE_STRING, 1, b"5.1.8\0"),
            (TAG_RELEASE, TYPE_STRING, 1, b"6.el9\0"),
            (TAG_EPOCH, TYPE_INT32, 1, &1u32.to_be_bytes()),
            (TAG_ARCH, TYPE_STRING, 1, b"x86_64\0"),
            (TAG_SOURCERPM, TYPE_STRING, 1, b"bash-5.1.8-6.el9.src.rpm\0"),
            (TAG_DIRNAMES, TYPE_STRING_ARRAY, 1, b"/usr/bin/\0"),
            (TAG_BASENAMES, TYPE_STRING_ARRAY, 2, b"bash\0sh\0"),
            (TAG_DIRINDEXES, TYPE_INT32, 2, &[0, 0, 0, 0, 0, 0, 0, 0]),
        ]))
        .unwrap();
        assert_eq!(header.name, "bash");
        assert_eq!(header.epoch, Some(1));
        assert_eq!(header.files, vec!["usr/bin/bash", "usr/bin/sh"]);
        let rpm = Box::new(Rpm {
            headers: vec![(DATABASES[0].to_owned(), header)],
        });
        let context = CatalogContext {
            distro: super::super::os_release::parse("ID=\"rhel\"\nVERSION_ID=\"9.4\"\n"),
        };
        let packages = rpm.finish(&context, &[], &mut Vec::new());
        assert_eq!(
            packages[0].purl,
            "pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&distro=rhel-9.4&epoch=1&upstream=bash-5.1.8-6.el9.src.rpm"
        );
        assert_eq!(packages[0].version, "1:5.1.8-6.el9");
    }

    #[test]
    fn broken_headers_are_errors() {
        assert!(parse_header(&[0, 0, 0, 9]).is_err());
        assert!(parse_header(&[0, 0, 0, 1, 0, 0, 0, 100]).is_err());
        let mut bad = blob(&[(TAG_NAME, TYPE_STRING, 1, b"no terminator")]);
        bad.truncate(bad.len());
        assert!(parse_header(&bad).is_err());
    }
}
