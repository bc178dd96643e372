//! The `go-binary` cataloger: the build information the Go linker embeds in every binary
//! built in module mode (`\xff Go buildinf:`), in the inline format of Go ≥ 1.18 and the
//! pointer format of older toolchains. Each binary gives its main module, its
//! dependencies (replacements applied, as syft does) and a `stdlib` entry for the
//! toolchain, with purls as syft writes them (`pkg:golang/github.com/google/uuid@v1.3.0`,
//! `pkg:golang/stdlib@1.22.5`, `pkg:golang/example.com/app@(devel)`; module paths longer
//! than three elements put the rest in the subpath: `…/semver@v3.3.0#v3`). A `(devel)`
//! main module gets its version from `-ldflags -X …version=…` or a VCS pseudo-version,
//! as syft does. CPEs are syft's generated ones (`google:uuid`, `golang:go` for the
//! stdlib), not its NVD dictionary entries.
//!
//! The one executable cataloger here also reads cargo-auditable data ([`super::rust`]),
//! so every executable is streamed once: the first four bytes decide whether it is ELF,
//! and only ELF files are read whole (up to [`BINARY_LIMIT`]).

use std::io::{self, Read};
use std::sync::LazyLock;

use regex::Regex;
use shipgate_oci::layers::FileEntry;

use super::{CatalogContext, Cataloger, Issue};
use crate::catalog::lockfiles::{package_url, purl_escape};
use crate::package::{Package, PackageType};

/// The name of the cataloger, also [`Package::cataloger`].
const NAME: &str = "go-binary";

/// The largest executable read whole; larger ones are an [`Issue`].
pub const BINARY_LIMIT: u64 = 512 * 1024 * 1024;

/// The smallest file worth opening as an executable.
const BINARY_MIN: u64 = 1024;

/// The magic that starts the build information blob.
const BUILDINFO_MAGIC: &[u8] = b"\xff Go buildinf:";

/// The catalogers of this module: one executable cataloger that reads both the Go build
/// information and the cargo-auditable `.dep-v0` section ([`super::rust`]), so every
/// executable is opened once and streamed, never buffered by the driver for two readers.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![Box::new(ExecutableCataloger::default())]
}

/// Whether `entry` may be an executable worth opening: executable bits set and a plausible
/// size. Shared with the cargo-auditable cataloger.
pub(crate) fn is_candidate_executable(entry: &FileEntry) -> bool {
    entry.mode & 0o111 != 0 && entry.size >= BINARY_MIN
}

/// Reads an executable when it is an ELF file: the first bytes decide, a non-ELF file is
/// left unread. `Ok(None)` for anything that is not ELF or is too large (the latter with
/// an issue).
pub(crate) fn read_elf(
    cataloger: &'static str,
    entry: &FileEntry,
    content: &mut dyn Read,
    issues: &mut Vec<Issue>,
) -> io::Result<Option<Vec<u8>>> {
    let mut head = [0u8; 4];
    let mut got = 0;
    while got < head.len() {
        let n = content.read(&mut head[got..])?;
        if n == 0 {
            return Ok(None);
        }
        got += n;
    }
    if &head != b"\x7fELF" {
        return Ok(None);
    }
    if entry.size > BINARY_LIMIT {
        issues.push(Issue {
            cataloger,
            path: entry.path.clone(),
            layer: Some(entry.layer),
            message: format!(
                "executable of {} bytes is over the {} byte limit; not inspected",
                entry.size, BINARY_LIMIT
            ),
        });
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(entry.size).unwrap_or(0));
    bytes.extend_from_slice(&head);
    content.take(BINARY_LIMIT).read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

/// A minimal ELF reader: section and segment tables, enough to find a section by name
/// and to map virtual addresses to file offsets. Every offset is bounds-checked.
pub(crate) mod elf {
    /// One section of an ELF file.
    #[derive(Debug, Clone)]
    pub(crate) struct Section {
        /// The section name (`.go.buildinfo`, `.dep-v0`).
        pub name: String,
        /// The file offset.
        pub offset: u64,
        /// The size in the file (0 for `SHT_NOBITS`).
        pub size: u64,
    }

    /// One loadable segment.
    #[derive(Debug, Clone)]
    pub(crate) struct Segment {
        /// The virtual address.
        pub vaddr: u64,
        /// The file offset.
        pub offset: u64,
        /// The size in the file.
        pub filesz: u64,
        /// The segment flags (`PF_X` = 1, `PF_W` = 2, `PF_R` = 4).
        pub flags: u32,
    }

    /// A parsed ELF file.
    #[derive(Debug)]
    pub(crate) struct Elf<'a> {
        /// The whole file.
        pub data: &'a [u8],
        /// Big-endian (else little-endian).
        pub big_endian: bool,
        /// The sections (may be empty for a stripped section table).
        pub sections: Vec<Section>,
        /// The `PT_LOAD` segments.
        pub segments: Vec<Segment>,
    }

    impl<'a> Elf<'a> {
        /// Parses the tables of `data`; `None` when it is not a well-formed ELF file.
        pub(crate) fn parse(data: &'a [u8]) -> Option<Self> {
            if data.get(..4)? != b"\x7fELF" {
                return None;
            }
            let is64 = match data.get(4)? {
                1 => false,
                2 => true,
                _ => return None,
            };
            let big_endian = match data.get(5)? {
                1 => false,
                2 => true,
                _ => return None,
            };
            let mut elf = Elf {
                data,
                big_endian,
                sections: Vec::new(),
                segments: Vec::new(),
            };
            let (phoff, shoff, phentsize, phnum, shentsize, shnum, shstrndx) = if is64 {
                (
                    elf.u64_at(0x20)?,
                    elf.u64_at(0x28)?,
                    elf.u16_at(0x36)?,
                    elf.u16_at(0x38)?,
                    elf.u16_at(0x3a)?,
                    elf.u16_at(0x3c)?,
                    elf.u16_at(0x3e)?,
                )
            } else {
                (
                    u64::from(elf.u32_at(0x1c)?),
                    u64::from(elf.u32_at(0x20)?),
                    elf.u16_at(0x2a)?,
                    elf.u16_at(0x2c)?,
                    elf.u16_at(0x2e)?,
                    elf.u16_at(0x30)?,
                    elf.u16_at(0x32)?,
                )
            };
            for i in 0..u64::from(phnum) {
                let base = phoff.checked_add(i.checked_mul(u64::from(phentsize))?)?;
                let base = usize::try_from(base).ok()?;
                let kind = elf.u32_at(base)?;
                if kind != 1 {
                    continue;
                }
                let segment = if is64 {
                    Segment {
                        flags: elf.u32_at(base + 4)?,
                        offset: elf.u64_at(base + 8)?,
                        vaddr: elf.u64_at(base + 16)?,
                        filesz: elf.u64_at(base + 32)?,
                    }
                } else {
                    Segment {
                        offset: u64::from(elf.u32_at(base + 4)?),
                        vaddr: u64::from(elf.u32_at(base + 8)?),
                        filesz: u64::from(elf.u32_at(base + 16)?),
                        flags: elf.u32_at(base + 24)?,
                    }
                };
                elf.segments.push(segment);
            }
            let mut raw = Vec::new();
            for i in 0..u64::from(shnum) {
                let base = shoff.checked_add(i.checked_mul(u64::from(shentsize))?)?;
                let base = usize::try_from(base).ok()?;
                let name = elf.u32_at(base)?;
                let kind = elf.u32_at(base + 4)?;
                let (offset, size) = if is64 {
                    (elf.u64_at(base + 24)?, elf.u64_at(base + 32)?)
                } else {
                    (
                        u64::from(elf.u32_at(base + 16)?),
                        u64::from(elf.u32_at(base + 20)?),
                    )
                };
                // SHT_NOBITS occupies no bytes of the file.
                let size = if kind == 8 { 0 } else { size };
                raw.push((name, offset, size));
            }
            if let Some(&(_, str_off, str_size)) = raw.get(usize::from(shstrndx)) {
                let names = elf.slice(str_off, str_size).unwrap_or(&[]);
                for (name, offset, size) in raw {
                    let name = usize::try_from(name)
                        .ok()
                        .and_then(|start| names.get(start..))
                        .map(|rest| {
                            let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
                            String::from_utf8_lossy(&rest[..end]).into_owned()
                        })
                        .unwrap_or_default();
                    elf.sections.push(Section { name, offset, size });
                }
            }
            Some(elf)
        }

        /// The bytes of the section called `name`.
        pub(crate) fn section(&self, name: &str) -> Option<&'a [u8]> {
            let section = self.sections.iter().find(|s| s.name == name)?;
            self.slice(section.offset, section.size)
        }

        /// `size` bytes at file offset `offset`, when they are inside the file.
        pub(crate) fn slice(&self, offset: u64, size: u64) -> Option<&'a [u8]> {
            let start = usize::try_from(offset).ok()?;
            let end = start.checked_add(usize::try_from(size).ok()?)?;
            self.data.get(start..end)
        }

        /// The bytes from virtual address `addr` to the end of its segment.
        pub(crate) fn at_vaddr(&self, addr: u64) -> Option<&'a [u8]> {
            let segment = self
                .segments
                .iter()
                .find(|s| addr >= s.vaddr && addr - s.vaddr < s.filesz)?;
            let delta = addr - segment.vaddr;
            self.slice(segment.offset.checked_add(delta)?, segment.filesz - delta)
        }

        fn u16_at(&self, at: usize) -> Option<u16> {
            let b: [u8; 2] = self.data.get(at..at.checked_add(2)?)?.try_into().ok()?;
            Some(if self.big_endian {
                u16::from_be_bytes(b)
            } else {
                u16::from_le_bytes(b)
            })
        }

        pub(crate) fn u32_at(&self, at: usize) -> Option<u32> {
            let b: [u8; 4] = self.data.get(at..at.checked_add(4)?)?.try_into().ok()?;
            Some(if self.big_endian {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            })
        }

        pub(crate) fn u64_at(&self, at: usize) -> Option<u64> {
            let b: [u8; 8] = self.data.get(at..at.checked_add(8)?)?.try_into().ok()?;
            Some(if self.big_endian {
                u64::from_be_bytes(b)
            } else {
                u64::from_le_bytes(b)
            })
        }
    }
}

/// The build information of one Go binary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildInfo {
    /// The toolchain (`go1.22.5`).
    pub go_version: String,
    /// The main package path (`path` line).
    pub path: String,
    /// The main module.
    pub main: Option<Module>,
    /// The dependencies, in build-info order.
    pub deps: Vec<Module>,
    /// The build settings (`build` lines), in order.
    pub settings: Vec<(String, String)>,
}

/// One module of a build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Module {
    /// The module path.
    pub path: String,
    /// The version (`v1.2.3`, `(devel)`).
    pub version: String,
    /// The `go.sum` hash (`h1:…`), when recorded.
    pub sum: String,
    /// The replacement, when `go.mod` replaced the module.
    pub replace: Option<Box<Self>>,
}

/// Why a binary's build information could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildInfoError {
    /// The blob or a string it points to lies outside the file.
    Truncated,
    /// The module information text is malformed.
    Malformed(String),
}

impl std::fmt::Display for BuildInfoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Truncated => f.write_str("Go build information is truncated"),
            Self::Malformed(why) => write!(f, "malformed Go build information: {why}"),
        }
    }
}

/// Finds and decodes the build information of the ELF file `data`. `Ok(None)` when the
/// file has none (not a Go binary, or a Go binary built outside module mode with no
/// module information).
pub fn build_info(data: &[u8]) -> Result<Option<BuildInfo>, BuildInfoError> {
    let Some(elf) = elf::Elf::parse(data) else {
        return Ok(None);
    };
    let blob = match elf.section(".go.buildinfo") {
        Some(section) if section.starts_with(BUILDINFO_MAGIC) => section,
        _ => {
            // A stripped section table: search the writable segments, 16-byte aligned.
            let mut found = None;
            for segment in elf.segments.iter().filter(|s| s.flags & 3 == 2) {
                let Some(bytes) = elf.slice(segment.offset, segment.filesz) else {
                    continue;
                };
                if let Some(at) = find_aligned(bytes, BUILDINFO_MAGIC, 16) {
                    found = Some(&bytes[at..]);
                    break;
                }
            }
            match found {
                Some(blob) => blob,
                None => return Ok(None),
            }
        }
    };
    if blob.len() < 32 {
        return Err(BuildInfoError::Truncated);
    }
    let ptr_size = usize::from(blob[14]);
    let flags = blob[15];
    let (version, modinfo) = if flags & 2 != 0 {
        let rest = &blob[32..];
        let (version, rest) = read_varint_string(rest).ok_or(BuildInfoError::Truncated)?;
        let (modinfo, _) = read_varint_string(rest).ok_or(BuildInfoError::Truncated)?;
        (version.to_vec(), modinfo.to_vec())
    } else {
        if ptr_size != 4 && ptr_size != 8 {
            return Err(BuildInfoError::Malformed(format!(
                "pointer size {ptr_size}"
            )));
        }
        let big_endian = flags & 1 != 0;
        let read_ptr = |bytes: &[u8]| -> Option<u64> {
            let b = bytes.get(..ptr_size)?;
            Some(match (ptr_size, big_endian) {
                (4, false) => u64::from(u32::from_le_bytes(b.try_into().ok()?)),
                (4, true) => u64::from(u32::from_be_bytes(b.try_into().ok()?)),
                (_, false) => u64::from_le_bytes(b.try_into().ok()?),
                (_, true) => u64::from_be_bytes(b.try_into().ok()?),
            })
        };
        let read_go_string = |addr: u64| -> Option<Vec<u8>> {
            let header = elf.at_vaddr(addr)?;
            let data = read_ptr(header)?;
            let len = read_ptr(header.get(ptr_size..)?)?;
            let bytes = elf.at_vaddr(data)?;
            Some(bytes.get(..usize::try_from(len).ok()?)?.to_vec())
        };
        let version_addr = read_ptr(&blob[16..]).ok_or(BuildInfoError::Truncated)?;
        let modinfo_addr = read_ptr(&blob[16 + ptr_size..]).ok_or(BuildInfoError::Truncated)?;
        let version = read_go_string(version_addr).ok_or(BuildInfoError::Truncated)?;
        let modinfo = read_go_string(modinfo_addr).unwrap_or_default();
        (version, modinfo)
    };
    let go_version = String::from_utf8_lossy(&version).into_owned();
    // The module information is wrapped in two 16-byte sentinels.
    let modinfo = if modinfo.len() >= 33 && modinfo[modinfo.len() - 17] == b'\n' {
        &modinfo[16..modinfo.len() - 16]
    } else {
        &[][..]
    };
    let mut info = parse_modinfo(&String::from_utf8_lossy(modinfo))?;
    info.go_version = go_version;
    Ok(Some(info))
}

fn find_aligned(haystack: &[u8], needle: &[u8], align: usize) -> Option<usize> {
    let mut at = 0;
    while at + needle.len() <= haystack.len() {
        if haystack[at..].starts_with(needle) {
            return Some(at);
        }
        at += align;
    }
    None
}

fn read_varint_string(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut len: u64 = 0;
    for (at, &byte) in bytes.iter().take(10).enumerate() {
        len |= u64::from(byte & 0x7f) << (7 * at);
        if byte & 0x80 == 0 {
            let len = usize::try_from(len).ok()?;
            let rest = &bytes[at + 1..];
            return (rest.len() >= len).then(|| rest.split_at(len));
        }
    }
    None
}

/// Parses the module information text (`path`, `mod`, `dep`, `=>`, `build` lines).
pub fn parse_modinfo(text: &str) -> Result<BuildInfo, BuildInfoError> {
    let mut info = BuildInfo::default();
    for line in text.lines() {
        let Some((kind, rest)) = line.split_once('\t') else {
            if line.is_empty() {
                continue;
            }
            return Err(BuildInfoError::Malformed(format!(
                "unexpected line {line:?}"
            )));
        };
        let fields: Vec<&str> = rest.split('\t').collect();
        let module = |fields: &[&str]| Module {
            path: fields.first().copied().unwrap_or_default().to_owned(),
            version: fields.get(1).copied().unwrap_or_default().to_owned(),
            sum: fields.get(2).copied().unwrap_or_default().to_owned(),
            replace: None,
        };
        match kind {
            "path" => info.path = rest.to_owned(),
            "mod" => info.main = Some(module(&fields)),
            "dep" => info.deps.push(module(&fields)),
            "=>" => {
                let replacement = Box::new(module(&fields));
                let target = match info.deps.last_mut() {
                    Some(dep) => dep,
                    None => match info.main.as_mut() {
                        Some(main) => main,
                        None => {
                            return Err(BuildInfoError::Malformed(
                                "replacement without a module".to_owned(),
                            ));
                        }
                    },
                };
                target.replace = Some(replacement);
            }
            "build" => {
                let (key, value) = match rest.strip_prefix('"') {
                    Some(_) => {
                        let (key, end) = unquote(rest)
                            .ok_or_else(|| BuildInfoError::Malformed(format!("{line:?}")))?;
                        let value = rest[end..].strip_prefix('=').unwrap_or_default();
                        (key, unquote_value(value))
                    }
                    None => match rest.split_once('=') {
                        Some((key, value)) => (key.to_owned(), unquote_value(value)),
                        None => (rest.to_owned(), String::new()),
                    },
                };
                info.settings.push((key, value));
            }
            _ => {}
        }
    }
    Ok(info)
}

/// A build setting value, unquoted when Go quoted it (values with spaces, quotes, `=`).
fn unquote_value(value: &str) -> String {
    if value.starts_with('"')
        && let Some((unquoted, end)) = unquote(value)
        && end == value.len()
    {
        return unquoted;
    }
    value.to_owned()
}

/// Unquotes a Go-quoted string at the start of `text`: the value and the byte length of
/// the quoted form.
fn unquote(text: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = text.char_indices();
    if chars.next()?.1 != '"' {
        return None;
    }
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Some((out, at + 1)),
            '\\' => {
                let (_, escaped) = chars.next()?;
                match escaped {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    other => out.push(other),
                }
            }
            other => out.push(other),
        }
    }
    None
}

/// Patterns syft recognises in `-ldflags` to give a `(devel)` main module its version
/// (its unescaped `.` included).
const LDFLAGS_PATTERNS: [&str; 2] = [
    r#"(?m)\.([gG]it)?([bB]uild)?[vV]ersion=(['"]?)?(?P<version>v?\d+.\d+.\d+[-\w]*[+\w]*)(['"]?)?(\s|$)"#,
    r#"(?m)\.([tT]ag)=(['"]?)?(?P<version>v?\d+.\d+.\d+[-\w]*[+\w]*)(['"]?)?(\s|$)"#,
];

static LDFLAGS_VERSION: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    LDFLAGS_PATTERNS
        .iter()
        .filter_map(|pattern| Regex::new(pattern).ok())
        .collect()
});

/// The version syft gives a `(devel)` main module: from `-ldflags` (`-X main.version=…`),
/// else a pseudo-version from the VCS settings.
fn main_version(info: &BuildInfo, version: &str) -> String {
    if version != "(devel)" {
        return version.to_owned();
    }
    let setting = |key: &str| {
        info.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    if let Some(ldflags) = setting("-ldflags") {
        for pattern in LDFLAGS_VERSION.iter() {
            if let Some(found) = pattern.captures(ldflags).and_then(|c| c.name("version")) {
                let found = found.as_str();
                return if found.starts_with('v') {
                    found.to_owned()
                } else {
                    format!("v{found}")
                };
            }
        }
    }
    if let Some(revision) = setting("vcs.revision") {
        if let Some(time) = setting("vcs.time") {
            let stamp: String = time.chars().filter(char::is_ascii_digit).take(14).collect();
            let stamp = if stamp.len() == 14 {
                stamp
            } else {
                "00010101000000".to_owned()
            };
            let short: String = revision.chars().take(12).collect();
            return format!("v0.0.0-{stamp}-{short}");
        }
        return revision.to_owned();
    }
    version.to_owned()
}

/// The purl syft writes for a Go module: at most three path elements make the namespace
/// and name (`github.com/org/repo`), the rest is the subpath
/// (`pkg:golang/github.com/Masterminds/semver@v3.3.0#v3`).
pub(crate) fn golang_purl(path: &str, version: &str) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    let (head, subpath) = if segments.len() > 3 {
        (&segments[..3], &segments[3..])
    } else {
        (&segments[..], &[][..])
    };
    let (name, namespace) = head
        .split_last()
        .map_or((path, &[][..]), |(n, ns)| (*n, ns));
    let mut purl = package_url("golang", &namespace.join("/"), name, version, &[]);
    if !subpath.is_empty() {
        purl.push('#');
        let escaped: Vec<String> = subpath.iter().map(|s| purl_escape(s)).collect();
        purl.push_str(&escaped.join("/"));
    }
    purl
}

/// The CPE syft generates for a Go module without a dictionary entry: the first path
/// element after the host as vendor and the rest as product (`github.com/google/uuid` →
/// `google:uuid`); `golang.org/x/…` → `golang:x/…`, `google.golang.org/grpc` →
/// `google:grpc`; nothing for shorter paths or `gopkg.in`.
pub(crate) fn go_cpes(path: &str, version: &str) -> Vec<String> {
    let (host, rest) = path.split_once('/').unwrap_or((path, ""));
    let rest = rest.trim_matches('/');
    let elements: Vec<&str> = rest.split('/').filter(|e| !e.is_empty()).collect();
    let (vendor, product) = match host {
        "golang.org" => ("golang".to_owned(), rest.to_owned()),
        "gopkg.in" => (String::new(), String::new()),
        "google.golang.org" => (
            "google".to_owned(),
            elements.first().copied().unwrap_or_default().to_owned(),
        ),
        _ if elements.len() >= 2 => (elements[0].to_owned(), elements[1..].join("/")),
        _ => (String::new(), String::new()),
    };
    if vendor.is_empty() || product.is_empty() || version.is_empty() || version == "(devel)" {
        return Vec::new();
    }
    crate::cpe::expand_cpes(&vendor, &product, version)
}

/// The packages syft reports for one binary's build information.
pub fn packages(info: &BuildInfo, location: &str) -> Vec<Package> {
    let mut out = Vec::new();
    let new = |path: &str, version: &str| Package {
        name: path.to_owned(),
        version: version.to_owned(),
        kind: PackageType::Go,
        purl: golang_purl(path, version),
        cpes: go_cpes(path, version),
        licenses: Vec::new(),
        locations: vec![location.to_owned()],
        cataloger: NAME,
        architecture: info
            .settings
            .iter()
            .find(|(k, _)| k == "GOARCH")
            .map(|(_, v)| v.clone()),
        source_package: None,
        files: Vec::new(),
        dependencies: Vec::new(),
    };
    let mut dep_names = Vec::new();
    for dep in &info.deps {
        let dep = dep.replace.as_deref().unwrap_or(dep);
        if dep.path.is_empty() {
            continue;
        }
        dep_names.push(dep.path.clone());
        out.push(new(&dep.path, &dep.version));
    }
    let main = match &info.main {
        Some(main) if !main.path.is_empty() => Some(main.clone()),
        _ if !info.path.is_empty() => Some(Module {
            path: info.path.clone(),
            version: "(devel)".to_owned(),
            ..Module::default()
        }),
        _ => None,
    };
    if let Some(main) = main {
        let version = main_version(info, &main.version);
        let mut package = new(&main.path, &version);
        package.dependencies = dep_names.clone();
        out.push(package);
    }
    if let Some(version) = stdlib_version(&info.go_version) {
        let mut package = new("stdlib", &info.go_version);
        package.purl = package_url("golang", "", "stdlib", &version, &[]);
        package.cpes = vec![format!(
            "cpe:2.3:a:golang:go:{}:-:*:*:*:*:*:*",
            crate::cpe::escape(&version)
        )];
        package.licenses = vec!["BSD-3-Clause".to_owned()];
        out.push(package);
    }
    out
}

/// `go1.22.5` → `1.22.5` (experiments and suffixes after a space dropped).
fn stdlib_version(go_version: &str) -> Option<String> {
    let version = go_version.strip_prefix("go")?;
    let version = version.split([' ', '\t']).next().unwrap_or_default();
    (!version.is_empty()).then(|| version.to_owned())
}

/// The executable cataloger: Go build information and cargo-auditable data of ELF
/// executables.
#[derive(Debug, Default)]
pub struct ExecutableCataloger {
    packages: Vec<Package>,
}

impl Cataloger for ExecutableCataloger {
    fn name(&self) -> &'static str {
        "executables"
    }

    fn wants(&self, entry: &FileEntry) -> bool {
        is_candidate_executable(entry)
    }

    fn read(
        &mut self,
        entry: &FileEntry,
        content: &mut dyn Read,
        issues: &mut Vec<Issue>,
    ) -> io::Result<()> {
        let Some(bytes) = read_elf(NAME, entry, content, issues)? else {
            return Ok(());
        };
        self.packages
            .extend(super::rust::catalog_elf(entry, &bytes, issues));
        match build_info(&bytes) {
            Ok(Some(info)) => self.packages.extend(packages(&info, &entry.path)),
            Ok(None) => {}
            Err(error) => issues.push(Issue {
                cataloger: NAME,
                path: entry.path.clone(),
                layer: Some(entry.layer),
                message: error.to_string(),
            }),
        }
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

    const MODINFO: &str = "path\texample.com/hello\nmod\texample.com/hello\t(devel)\t\ndep\texample.com/localdep\tv0.1.0\n=>\t../localdep\t(devel)\t\ndep\tgithub.com/google/uuid\tv1.3.0\th1:abc=\nbuild\t-compiler=gc\nbuild\t-ldflags=\"-X main.version=1.2.3 -s -w\"\nbuild\tGOARCH=amd64\n";

    #[test]
    fn modinfo_lines_parse() {
        let info = parse_modinfo(MODINFO).unwrap();
        assert_eq!(info.path, "example.com/hello");
        assert_eq!(info.deps.len(), 2);
        assert_eq!(
            info.deps[0].replace.as_deref().map(|m| m.path.as_str()),
            Some("../localdep")
        );
        assert_eq!(
            info.settings[1],
            (
                "-ldflags".to_owned(),
                "-X main.version=1.2.3 -s -w".to_owned()
            )
        );
    }

    #[test]
    fn packages_match_syft() {
        let mut info = parse_modinfo(MODINFO).unwrap();
        info.go_version = "go1.19.8".to_owned();
        let purls: Vec<String> = packages(&info, "bin/hello")
            .into_iter()
            .map(|p| p.purl)
            .collect();
        assert_eq!(
            purls,
            [
                "pkg:golang/../localdep@(devel)",
                "pkg:golang/github.com/google/uuid@v1.3.0",
                "pkg:golang/example.com/hello@v1.2.3",
                "pkg:golang/stdlib@1.19.8",
            ]
        );
    }

    #[test]
    fn long_module_paths_use_a_subpath() {
        assert_eq!(
            golang_purl("github.com/Masterminds/semver/v3", "v3.3.0"),
            "pkg:golang/github.com/Masterminds/semver@v3.3.0#v3"
        );
        assert_eq!(
            golang_purl(
                "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
                "v0.49.0"
            ),
            "pkg:golang/go.opentelemetry.io/contrib/instrumentation@v0.49.0#net/http/otelhttp"
        );
        assert_eq!(
            golang_purl("example.com/hello", ""),
            "pkg:golang/example.com/hello"
        );
        assert_eq!(golang_purl("stdlib", "1.22.0"), "pkg:golang/stdlib@1.22.0");
    }

    #[test]
    fn generated_cpes() {
        assert_eq!(
            go_cpes("github.com/google/uuid", "v1.3.0"),
            ["cpe:2.3:a:google:uuid:v1.3.0:*:*:*:*:*:*:*"]
        );
        assert_eq!(
            go_cpes("github.com/lucasb-eyer/go-colorful", "v1.2.0"),
            [
                "cpe:2.3:a:lucasb-eyer:go-colorful:v1.2.0:*:*:*:*:*:*:*",
                "cpe:2.3:a:lucasb-eyer:go_colorful:v1.2.0:*:*:*:*:*:*:*",
                "cpe:2.3:a:lucasb_eyer:go-colorful:v1.2.0:*:*:*:*:*:*:*",
                "cpe:2.3:a:lucasb_eyer:go_colorful:v1.2.0:*:*:*:*:*:*:*",
                "cpe:2.3:a:lucasb:go-colorful:v1.2.0:*:*:*:*:*:*:*",
                "cpe:2.3:a:lucasb:go_colorful:v1.2.0:*:*:*:*:*:*:*",
            ]
        );
        assert_eq!(
            go_cpes("github.com/kevinburke/ssh_config", "v1.2.0"),
            [
                "cpe:2.3:a:kevinburke:ssh-config:v1.2.0:*:*:*:*:*:*:*",
                "cpe:2.3:a:kevinburke:ssh_config:v1.2.0:*:*:*:*:*:*:*",
            ]
        );
        assert_eq!(
            go_cpes("github.com/jedib0t/go-pretty/v6", "v6.6.4")[0],
            "cpe:2.3:a:jedib0t:go-pretty\\/v6:v6.6.4:*:*:*:*:*:*:*"
        );
        assert!(go_cpes("example.com/hello", "(devel)").is_empty());
        assert!(go_cpes("gopkg.in/yaml.v3", "v3.0.1").is_empty());
    }

    #[test]
    fn vcs_pseudo_version() {
        let mut info = parse_modinfo(
            "path\tx.io/a\nmod\tx.io/a\t(devel)\t\nbuild\tvcs.revision=0123456789abcdef0123\nbuild\tvcs.time=2024-03-05T10:11:12Z\n",
        )
        .unwrap();
        info.go_version = "go1.22.1 X:boringcrypto".to_owned();
        let packages = packages(&info, "a");
        assert_eq!(
            packages[0].purl,
            "pkg:golang/x.io/a@v0.0.0-20240305101112-0123456789ab"
        );
        assert_eq!(packages[1].purl, "pkg:golang/stdlib@1.22.1");
    }

    #[test]
    fn garbage_is_not_a_go_binary() {
        assert_eq!(build_info(b"not an elf"), Ok(None));
        let mut elf = b"\x7fELF\x02\x01".to_vec();
        elf.resize(200, 0xff);
        assert_eq!(build_info(&elf), Ok(None));
        // A magic with an inline blob cut short.
        let mut blob = vec![0u8; 0x40];
        blob[..4].copy_from_slice(b"\x7fELF");
        blob[4] = 2;
        blob[5] = 1;
        blob.extend_from_slice(BUILDINFO_MAGIC);
        blob.extend_from_slice(&[8, 2]);
        assert!(build_info(&blob).is_ok());
    }

    #[test]
    fn ldflags_patterns_compile() {
        assert_eq!(LDFLAGS_VERSION.len(), LDFLAGS_PATTERNS.len());
    }

    /// A 64-bit little-endian ELF with one writable segment and no section table, holding
    /// a pre-1.18 (pointer format) build information blob.
    fn pointer_format_elf() -> Vec<u8> {
        const BASE: u64 = 0x40_0000;
        let mut file = vec![0u8; 0x400];
        file[..4].copy_from_slice(b"\x7fELF");
        file[4] = 2;
        file[5] = 1;
        file[0x20..0x28].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
        file[0x36..0x38].copy_from_slice(&56u16.to_le_bytes()); // e_phentsize
        file[0x38..0x3a].copy_from_slice(&1u16.to_le_bytes()); // e_phnum
        let ph = 64;
        file[ph..ph + 4].copy_from_slice(&1u32.to_le_bytes()); // PT_LOAD
        file[ph + 4..ph + 8].copy_from_slice(&6u32.to_le_bytes()); // PF_R | PF_W
        file[ph + 16..ph + 24].copy_from_slice(&BASE.to_le_bytes());
        file[ph + 32..ph + 40].copy_from_slice(&0x400u64.to_le_bytes());
        let blob = 0x100;
        file[blob..blob + 14].copy_from_slice(BUILDINFO_MAGIC);
        file[blob + 14] = 8;
        file[blob + 16..blob + 24].copy_from_slice(&(BASE + 0x140).to_le_bytes());
        file[blob + 24..blob + 32].copy_from_slice(&(BASE + 0x150).to_le_bytes());
        let version = b"go1.16.15";
        let modinfo = format!(
            "{}path\tx.io/old\nmod\tx.io/old\tv1.0.0\th1:x=\ndep\tgolang.org/x/sys\tv0.1.0\th1:y=\n{}",
            "0".repeat(16),
            "1".repeat(16)
        );
        file[0x140..0x148].copy_from_slice(&(BASE + 0x180).to_le_bytes());
        file[0x148..0x150].copy_from_slice(&(version.len() as u64).to_le_bytes());
        file[0x150..0x158].copy_from_slice(&(BASE + 0x200).to_le_bytes());
        file[0x158..0x160].copy_from_slice(&(modinfo.len() as u64).to_le_bytes());
        file[0x180..0x180 + version.len()].copy_from_slice(version);
        file[0x200..0x200 + modinfo.len()].copy_from_slice(modinfo.as_bytes());
        file
    }

    #[test]
    fn pointer_format_of_old_toolchains() {
        let info = build_info(&pointer_format_elf()).unwrap().unwrap();
        assert_eq!(info.go_version, "go1.16.15");
        let purls: Vec<String> = packages(&info, "old").into_iter().map(|p| p.purl).collect();
        assert_eq!(
            purls,
            [
                "pkg:golang/golang.org/x/sys@v0.1.0",
                "pkg:golang/x.io/old@v1.0.0",
                "pkg:golang/stdlib@1.16.15"
            ]
        );
        // A pointer outside every segment is a truncation, not a panic.
        let mut broken = pointer_format_elf();
        broken[0x140..0x148].copy_from_slice(&0xdead_beef_u64.to_le_bytes());
        assert_eq!(build_info(&broken), Err(BuildInfoError::Truncated));
        // Cut anywhere: never a panic.
        let whole = pointer_format_elf();
        for cut in (0..whole.len()).step_by(7) {
            let _ = build_info(&whole[..cut]);
        }
    }

    #[test]
    fn varints_bounds_checked() {
        assert_eq!(read_varint_string(&[3, b'a', b'b']), None);
        assert_eq!(
            read_varint_string(&[2, b'a', b'b', b'c']),
            Some((&b"ab"[..], &b"c"[..]))
        );
        assert_eq!(read_varint_string(&[0xff; 12]), None);
    }
}
