//! The driver: reads an image (or a folder) once and runs every cataloger over it.
//!
//! Images are read with [`shipgate_oci::layers::flatten`], top layer first, so whiteouts,
//! opaque folders and replaced files are applied before any cataloger sees a file, and
//! nothing is unpacked to disk. Paths that are symbolic links (`etc/os-release` →
//! `../usr/lib/os-release`) or hard links are offered to the catalogers too: when one
//! wants such a path, the link is resolved inside the image (never outside its root,
//! loops stop after 40 hops) and the target's content is read in a second, targeted pass
//! over the one layer that holds it.
//!
//! A `dir:` source is walked without following symbolic links; links are resolved the
//! same way, inside the folder. A folder without an os-release file is taken for a source
//! checkout, and the lock-file catalogers run on it too.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use shipgate_oci::layers::{EntryKind, FileEntry, LayerReader};
use shipgate_oci::spec::ImageManifest;
use shipgate_oci::{BlobStore, Platform, Source};

use crate::catalog::{self, CatalogContext, Cataloger, Distro, Issue, os_release};
use crate::error::{Error, Result};
use crate::package::Package;

/// The most bytes buffered for one linked file read in the second pass.
const LINK_LIMIT: u64 = 256 * 1024 * 1024;
/// The most bytes buffered for a file several consumers want.
const SHARED_LIMIT: u64 = 256 * 1024 * 1024;
/// How many symbolic links one path may pass through.
const MAX_HOPS: usize = 40;
/// The most bytes of an os-release file read.
const OS_RELEASE_LIMIT: u64 = 64 * 1024;

/// What was scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The source as given (`oci-dir:out`, `registry:ghcr.io/acme/web@sha256:…`).
    pub source: String,
    /// A short name: the repository's last path part, or the folder's name.
    pub name: String,
    /// The registry repository (`ghcr.io/acme/web`), for registry sources.
    pub repository: Option<String>,
    /// The tag the source named, if any.
    pub tag: Option<String>,
    /// The image manifest's digest (`sha256:…`); `None` for folders.
    pub digest: Option<String>,
    /// The digest of the index the manifest was chosen from, if any.
    pub index_digest: Option<String>,
    /// The layer digests, bottom first.
    pub layers: Vec<String>,
    /// The image's platform (`linux/amd64`), when its config says.
    pub platform: Option<String>,
}

/// The result of a scan: the packages, the distribution, and what went wrong on the way.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// What was scanned.
    pub subject: Subject,
    /// The distribution, from os-release.
    pub distro: Option<Distro>,
    /// Every package found, sorted, duplicates removed.
    pub packages: Vec<Package>,
    /// Problems that did not stop the scan; the SBOM is incomplete when there are any.
    pub issues: Vec<Issue>,
    /// How many paths the final filesystem has.
    pub file_count: usize,
}

/// How to reach registries and which platform to read.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// The platform to read from a multi-platform image (default: the host's).
    pub platform: Option<Platform>,
    /// Plain HTTP for every registry.
    pub insecure: bool,
    /// Registry credentials (default: docker's config and credential helpers).
    pub credentials: Option<shipgate_oci::CredentialSource>,
}

impl ScanOptions {
    /// The registry client these options describe.
    pub fn client(&self) -> Result<shipgate_oci::Client> {
        Ok(shipgate_oci::Client::new(shipgate_oci::ClientOptions {
            insecure: self.insecure,
            credentials: self
                .credentials
                .clone()
                .unwrap_or_else(shipgate_oci::CredentialSource::from_process),
            ..shipgate_oci::ClientOptions::default()
        })?)
    }
}

/// Scans `source` with the image catalogers (and, for a source checkout, the lock-file
/// catalogers).
pub fn scan(source: &Source, options: &ScanOptions) -> Result<Catalog> {
    let platform = options.platform.clone().unwrap_or_else(Platform::host);
    match source {
        Source::Dir(path) => scan_dir(path, &source.to_string()),
        Source::Registry(image) => {
            let client = options.client()?;
            let resolved = shipgate_oci::remote::resolve(&client, image, &platform)?;
            let store = shipgate_oci::remote::RegistryStore::new(&client, image);
            let repository = image.name();
            let name = repository
                .rsplit('/')
                .next()
                .unwrap_or(&repository)
                .to_owned();
            let subject = Subject {
                source: source.to_string(),
                name,
                repository: Some(repository),
                tag: image.tag().map(str::to_owned),
                digest: Some(resolved.descriptor.digest().to_string()),
                index_digest: resolved.index.as_ref().map(|d| d.digest().to_string()),
                layers: layer_digests(&resolved.manifest),
                platform: config_platform(&resolved.config),
            };
            scan_image(&store, &resolved.manifest, subject)
        }
        _ => {
            let local = source.open_local(&platform)?;
            let (name, tag) = local_name(source);
            let subject = Subject {
                source: source.to_string(),
                name,
                repository: None,
                tag,
                digest: Some(local.image.descriptor.digest().to_string()),
                index_digest: local.image.index.as_ref().map(|d| d.digest().to_string()),
                layers: layer_digests(&local.image.manifest),
                platform: config_platform(&local.image.config),
            };
            scan_image(local.store.as_ref(), &local.image.manifest, subject)
        }
    }
}

fn layer_digests(manifest: &ImageManifest) -> Vec<String> {
    manifest
        .layers()
        .iter()
        .map(|l| l.digest().to_string())
        .collect()
}

fn config_platform(config: &shipgate_oci::spec::ImageConfiguration) -> Option<String> {
    let os = config.os().to_string();
    let architecture = config.architecture().to_string();
    if os.is_empty() || architecture.is_empty() {
        return None;
    }
    Some(match config.variant() {
        Some(variant) => format!("{os}/{architecture}/{variant}"),
        None => format!("{os}/{architecture}"),
    })
}

/// The name and tag of a local source: the layout tag if given, and the folder or file
/// name without extension.
fn local_name(source: &Source) -> (String, Option<String>) {
    let (path, tag): (&Path, Option<String>) = match source {
        Source::OciDir { path, tag } => (path, tag.clone()),
        Source::OciArchive(path) | Source::DockerArchive(path) | Source::Dir(path) => (path, None),
        Source::Registry(_) => (Path::new("image"), None),
    };
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty() && s != "." && s != "..")
        .unwrap_or_else(|| "image".to_owned());
    (name, tag)
}

/// The catalogers and the os-release files, fed one file at a time.
struct Run {
    catalogers: Vec<Box<dyn Cataloger>>,
    os_release: BTreeMap<String, Vec<u8>>,
    issues: Vec<Issue>,
}

impl Run {
    fn new(catalogers: Vec<Box<dyn Cataloger>>) -> Self {
        Self {
            catalogers,
            os_release: BTreeMap::new(),
            issues: Vec::new(),
        }
    }

    /// Whether anything wants `entry`.
    fn wanted(&self, entry: &FileEntry) -> bool {
        os_release::PATHS.contains(&entry.path.as_str())
            || self.catalogers.iter().any(|c| c.wants(entry))
    }

    /// Feeds one file to everything that wants it. The content is buffered only when more
    /// than one consumer wants it.
    fn feed(&mut self, entry: &FileEntry, content: &mut dyn Read) -> io::Result<()> {
        let os = os_release::PATHS.contains(&entry.path.as_str());
        let wanting: Vec<usize> = (0..self.catalogers.len())
            .filter(|&i| self.catalogers[i].wants(entry))
            .collect();
        if !os && wanting.len() == 1 {
            return self.catalogers[wanting[0]].read(entry, content, &mut self.issues);
        }
        if !os && wanting.is_empty() {
            return Ok(());
        }
        // Shared by several catalogers (executables go to the Go and Rust ones): buffered
        // once, up to the size of the largest binary read.
        let limit = SHARED_LIMIT;
        let Some(bytes) = catalog::read_capped(content, limit)? else {
            self.issues.push(Issue {
                cataloger: "driver",
                path: entry.path.clone(),
                layer: Some(entry.layer),
                message: format!("the file is larger than {limit} bytes and was not read"),
            });
            return Ok(());
        };
        if os {
            let capped = bytes
                .len()
                .min(usize::try_from(OS_RELEASE_LIMIT).unwrap_or(usize::MAX));
            self.os_release
                .insert(entry.path.clone(), bytes[..capped].to_vec());
        }
        for i in wanting {
            self.catalogers[i].read(entry, &mut bytes.as_slice(), &mut self.issues)?;
        }
        Ok(())
    }

    fn distro(&self, files: &[FileEntry]) -> Option<Distro> {
        for path in os_release::PATHS {
            let real = resolve(files, path).unwrap_or_else(|| path.to_owned());
            let content = self
                .os_release
                .get(path)
                .or_else(|| self.os_release.get(&real));
            if let Some(distro) =
                content.and_then(|c| os_release::parse(&String::from_utf8_lossy(c)))
            {
                return Some(distro);
            }
        }
        None
    }

    fn finish(self, files: &[FileEntry], subject: Subject) -> Catalog {
        let distro = self.distro(files);
        let context = CatalogContext {
            distro: distro.clone(),
        };
        let mut issues = self.issues;
        let mut packages = Vec::new();
        for cataloger in self.catalogers {
            packages.extend(cataloger.finish(&context, files, &mut issues));
        }
        packages.sort();
        packages.dedup();
        issues.sort();
        issues.dedup();
        Catalog {
            subject,
            distro,
            packages,
            issues,
            file_count: files.len(),
        }
    }
}

/// A link path some consumer wants, and where its content is.
struct Alias {
    /// The entry as the catalogers see it: the link's path, the target's size and mode.
    entry: FileEntry,
    /// The layer and the tar member holding the content.
    layer: usize,
    member: String,
}

/// Scans an image's layers.
fn scan_image(
    store: &dyn BlobStore,
    manifest: &ImageManifest,
    subject: Subject,
) -> Result<Catalog> {
    let mut run = Run::new(catalog::image_catalogers());
    let mut failure: Option<(String, usize, io::Error)> = None;
    let flattened = shipgate_oci::layers::flatten(store, manifest, |entry, content| {
        if !run.wanted(entry) {
            return Ok(());
        }
        match run.feed(entry, content) {
            Ok(()) => Ok(()),
            Err(error) => {
                let message = error.to_string();
                failure = Some((entry.path.clone(), entry.layer, error));
                Err(shipgate_oci::Error::MalformedTar {
                    file: entry.path.clone(),
                    message,
                })
            }
        }
    });
    let files = match flattened {
        Ok(files) => files,
        Err(error) => {
            return Err(match failure {
                Some((path, layer, source)) => Error::Layer {
                    layer: manifest
                        .layers()
                        .get(layer)
                        .map(|l| l.digest().to_string())
                        .unwrap_or_default(),
                    path,
                    message: layer_error_text(source),
                },
                None => Error::Oci(error),
            });
        }
    };
    let aliases = aliases(&run, &files);
    if !aliases.is_empty() {
        read_aliases(store, manifest, &mut run, aliases)?;
    }
    Ok(run.finish(&files, subject))
}

/// The text of a read error that happened inside a layer stream (a digest or size
/// mismatch carried by the blob reader, a decompression error, an early end).
fn layer_error_text(error: io::Error) -> String {
    match error.get_ref() {
        Some(inner) => inner.to_string(),
        None => error.to_string(),
    }
}

/// The link paths (symbolic and hard) that some consumer wants, with where their
/// content is.
fn aliases(run: &Run, files: &[FileEntry]) -> Vec<Alias> {
    let mut found = Vec::new();
    for link in files {
        let (member, layer, size, mode) = match link.kind {
            EntryKind::Symlink => {
                let Some(real) = resolve(files, &link.path) else {
                    continue;
                };
                let Some(target) = find(files, &real) else {
                    continue;
                };
                match target.kind {
                    EntryKind::File => (real, target.layer, target.size, target.mode),
                    _ => continue,
                }
            }
            EntryKind::Hardlink => {
                let Some(target) = link.link_target.clone() else {
                    continue;
                };
                (target, link.layer, 0, link.mode)
            }
            _ => continue,
        };
        let entry = FileEntry {
            path: link.path.clone(),
            kind: EntryKind::File,
            size,
            mode,
            link_target: None,
            layer,
        };
        // An os-release link to the other os-release path needs no second read: both
        // paths are captured in the first pass and resolved when the distro is read.
        let os_only = os_release::PATHS.contains(&member.as_str())
            && !run.catalogers.iter().any(|c| c.wants(&entry));
        if run.wanted(&entry) && !os_only {
            found.push(Alias {
                entry,
                layer,
                member,
            });
        }
    }
    found
}

fn find<'a>(files: &'a [FileEntry], path: &str) -> Option<&'a FileEntry> {
    files
        .binary_search_by(|f| f.path.as_str().cmp(path))
        .ok()
        .map(|i| &files[i])
}

/// Resolves the symbolic links in `path` inside the image (`..` stops at the root,
/// absolute targets start from the root). `None` on a loop.
pub fn resolve(files: &[FileEntry], path: &str) -> Option<String> {
    let mut pending: Vec<String> = path.split('/').rev().map(str::to_owned).collect();
    let mut resolved: Vec<String> = Vec::new();
    let mut hops = 0;
    while let Some(part) = pending.pop() {
        match part.as_str() {
            "" | "." => continue,
            ".." => {
                resolved.pop();
                continue;
            }
            _ => {}
        }
        resolved.push(part);
        let current = resolved.join("/");
        let Some(entry) = find(files, &current) else {
            continue;
        };
        if entry.kind != EntryKind::Symlink {
            continue;
        }
        hops += 1;
        if hops > MAX_HOPS {
            return None;
        }
        resolved.pop();
        let target = entry.link_target.clone().unwrap_or_default();
        if target.starts_with('/') {
            resolved.clear();
        }
        pending.extend(target.split('/').rev().map(str::to_owned));
    }
    Some(resolved.join("/"))
}

/// Reads the content of wanted links: one pass over each layer that holds a target.
fn read_aliases(
    store: &dyn BlobStore,
    manifest: &ImageManifest,
    run: &mut Run,
    aliases: Vec<Alias>,
) -> Result<()> {
    let mut by_layer: BTreeMap<usize, HashMap<String, Vec<FileEntry>>> = BTreeMap::new();
    for alias in aliases {
        by_layer
            .entry(alias.layer)
            .or_default()
            .entry(alias.member)
            .or_default()
            .push(alias.entry);
    }
    for (layer, wanted) in by_layer {
        let Some(descriptor) = manifest.layers().get(layer) else {
            continue;
        };
        let mut reader = LayerReader::open(store, descriptor)?;
        let file = reader.file().to_owned();
        let mut contents: HashMap<String, Vec<u8>> = HashMap::new();
        {
            let mut archive = tar::Archive::new(&mut reader);
            let entries = archive.entries().map_err(|e| Error::Layer {
                layer: descriptor.digest().to_string(),
                path: file.clone(),
                message: e.to_string(),
            })?;
            for item in entries {
                let mut item = match item {
                    Ok(item) => item,
                    // A missing end-of-archive trailer after every target was found.
                    Err(_) if contents.len() == wanted.len() => break,
                    Err(e) => {
                        return Err(Error::Layer {
                            layer: descriptor.digest().to_string(),
                            path: file.clone(),
                            message: e.to_string(),
                        });
                    }
                };
                let Ok(raw) = item.path() else {
                    continue;
                };
                let path = clean_member(&raw.to_string_lossy());
                if !wanted.contains_key(&path) {
                    continue;
                }
                if !matches!(
                    item.header().entry_type(),
                    tar::EntryType::Regular | tar::EntryType::Continuous
                ) {
                    continue;
                }
                let mut bytes = Vec::new();
                (&mut item)
                    .take(LINK_LIMIT + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::Layer {
                        layer: descriptor.digest().to_string(),
                        path: path.clone(),
                        message: layer_error_text(e),
                    })?;
                if bytes.len() as u64 > LINK_LIMIT {
                    for entry in &wanted[&path] {
                        run.issues.push(Issue {
                            cataloger: "driver",
                            path: entry.path.clone(),
                            layer: Some(layer),
                            message: format!(
                                "the link target {path} is larger than {LINK_LIMIT} bytes and was not read"
                            ),
                        });
                    }
                    continue;
                }
                // A later entry for the same path in the same layer wins.
                contents.insert(path, bytes);
            }
        }
        // The layer was digest-checked by the first pass; check it again here, since this
        // pass feeds catalogers from a second read of the blob.
        reader.finish()?;
        for (member, entries) in &wanted {
            let Some(bytes) = contents.get(member) else {
                continue;
            };
            for entry in entries {
                let mut entry = entry.clone();
                entry.size = bytes.len() as u64;
                run.feed(&entry, &mut bytes.as_slice())
                    .map_err(|e| Error::Layer {
                        layer: descriptor.digest().to_string(),
                        path: entry.path.clone(),
                        message: e.to_string(),
                    })?;
            }
        }
    }
    Ok(())
}

/// A tar member path as the image sees it (see `shipgate_oci::layers`).
fn clean_member(path: &str) -> String {
    let mut name = path;
    loop {
        if let Some(rest) = name.strip_prefix("./") {
            name = rest;
        } else if let Some(rest) = name.strip_prefix('/') {
            name = rest;
        } else {
            break;
        }
    }
    let name = name.trim_end_matches('/');
    if name == "." {
        String::new()
    } else {
        name.to_owned()
    }
}

/// Scans a folder: a root filesystem, or a source checkout.
fn scan_dir(root: &Path, source: &str) -> Result<Catalog> {
    let metadata = fs_err::metadata(root).map_err(|source| Error::ReadInput {
        path: root.to_path_buf(),
        source,
    })?;
    if !metadata.is_dir() {
        return Err(Error::ReadInput {
            path: root.to_path_buf(),
            source: io::Error::other("not a folder"),
        });
    }
    let is_rootfs = os_release::PATHS
        .iter()
        .any(|p| fs_err::symlink_metadata(root.join(p)).is_ok());
    let mut catalogers = catalog::image_catalogers();
    if !is_rootfs {
        catalogers.extend(catalog::source_catalogers());
    }
    let mut run = Run::new(catalogers);
    let mut files = Vec::new();
    walk(root, root, &mut files, &mut run)?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    // Links: resolved inside the folder, read from the real path.
    for link in &files {
        if link.kind != EntryKind::Symlink {
            continue;
        }
        let Some(real) = resolve(&files, &link.path) else {
            continue;
        };
        let Some(target) = find(&files, &real) else {
            continue;
        };
        if target.kind != EntryKind::File {
            continue;
        }
        let entry = FileEntry {
            path: link.path.clone(),
            kind: EntryKind::File,
            size: target.size,
            mode: target.mode,
            link_target: None,
            layer: 0,
        };
        if run.wanted(&entry) {
            read_file(root, &real, &entry, &mut run)?;
        }
    }
    let name = root
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "dir".to_owned());
    let subject = Subject {
        source: source.to_owned(),
        name,
        repository: None,
        tag: None,
        digest: None,
        index_digest: None,
        layers: Vec::new(),
        platform: None,
    };
    Ok(run.finish(&files, subject))
}

fn walk(root: &Path, dir: &Path, files: &mut Vec<FileEntry>, run: &mut Run) -> Result<()> {
    let read_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::ReadInput { path, source }
    };
    let mut children: Vec<PathBuf> = fs_err::read_dir(dir)
        .map_err(read_error(dir))?
        .map(|entry| entry.map(|e| e.path()).map_err(read_error(dir)))
        .collect::<Result<_>>()?;
    children.sort();
    for child in children {
        let metadata = fs_err::symlink_metadata(&child).map_err(read_error(&child))?;
        let relative = child
            .strip_prefix(root)
            .unwrap_or(&child)
            .to_string_lossy()
            .replace('\\', "/");
        let file_type = metadata.file_type();
        #[cfg(unix)]
        let mode = std::os::unix::fs::PermissionsExt::mode(&metadata.permissions()) & 0o7777;
        #[cfg(not(unix))]
        let mode = 0o644;
        let (kind, link_target) = if file_type.is_symlink() {
            let target = fs_err::read_link(&child).map_err(read_error(&child))?;
            (
                EntryKind::Symlink,
                Some(target.to_string_lossy().into_owned()),
            )
        } else if file_type.is_dir() {
            (EntryKind::Directory, None)
        } else if file_type.is_file() {
            (EntryKind::File, None)
        } else {
            (EntryKind::Other, None)
        };
        let entry = FileEntry {
            path: relative.clone(),
            kind,
            size: if kind == EntryKind::File {
                metadata.len()
            } else {
                0
            },
            mode,
            link_target,
            layer: 0,
        };
        if kind == EntryKind::File && run.wanted(&entry) {
            read_file(root, &relative, &entry, run)?;
        }
        files.push(entry);
        if kind == EntryKind::Directory {
            walk(root, &child, files, run)?;
        }
    }
    Ok(())
}

fn read_file(root: &Path, real: &str, entry: &FileEntry, run: &mut Run) -> Result<()> {
    let path = root.join(real);
    let read_error = |source| Error::ReadInput {
        path: path.clone(),
        source,
    };
    let mut file = fs_err::File::open(&path).map_err(read_error)?;
    run.feed(entry, &mut file)
        .map_err(|source| Error::ReadInput {
            path: path.clone(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, kind: EntryKind, target: Option<&str>) -> FileEntry {
        FileEntry {
            path: path.to_owned(),
            kind,
            size: 1,
            mode: 0o644,
            link_target: target.map(str::to_owned),
            layer: 0,
        }
    }

    #[test]
    fn links_resolve_inside_the_root() {
        let mut files = vec![
            entry("etc", EntryKind::Directory, None),
            entry(
                "etc/os-release",
                EntryKind::Symlink,
                Some("../usr/lib/os-release"),
            ),
            entry("usr", EntryKind::Directory, None),
            entry("usr/lib", EntryKind::Directory, None),
            entry("usr/lib/os-release", EntryKind::File, None),
            entry("lib", EntryKind::Symlink, Some("usr/lib")),
            entry("escape", EntryKind::Symlink, Some("../../../../etc/shadow")),
            entry("loop-a", EntryKind::Symlink, Some("loop-b")),
            entry("loop-b", EntryKind::Symlink, Some("/loop-a")),
        ];
        files.sort_by(|a, b| a.path.cmp(&b.path));
        assert_eq!(
            resolve(&files, "etc/os-release").as_deref(),
            Some("usr/lib/os-release")
        );
        assert_eq!(
            resolve(&files, "lib/os-release").as_deref(),
            Some("usr/lib/os-release")
        );
        assert_eq!(resolve(&files, "escape").as_deref(), Some("etc/shadow"));
        assert_eq!(resolve(&files, "loop-a"), None);
    }

    #[test]
    fn member_paths_are_cleaned() {
        assert_eq!(clean_member("./etc/x"), "etc/x");
        assert_eq!(clean_member("/etc/x/"), "etc/x");
        assert_eq!(clean_member("./"), "");
    }
}
