//! Where blobs come from (a layout folder, a tar archive) and the reader that checks
//! each blob's digest and size while it streams.

use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use oci_spec::image::Descriptor;
use shipgate_core::image_ref::Digest;

use crate::digest::{self, Hasher};
use crate::{Error, Result};

/// Content-addressed blobs: an image layout folder, an `oci-archive` or a
/// `docker-archive`.
pub trait BlobStore {
    /// The folder or archive, for messages.
    fn location(&self) -> String;

    /// Where the blob with `digest` is, for messages (`out/blobs/sha256/<hex>`).
    fn blob_file(&self, digest: &Digest) -> String;

    /// The raw bytes of the blob with `digest`, unchecked.
    /// [`BlobStore::open_blob`] is the checked way to read it.
    fn open_raw(&self, digest: &Digest) -> Result<Box<dyn Read + '_>>;

    /// Opens the blob `descriptor` points at; the reader fails when the content does not
    /// match the descriptor's digest or size.
    fn open_blob(&self, descriptor: &Descriptor) -> Result<BlobReader<'_>> {
        let digest = digest::from_spec(descriptor.digest(), &self.location())?;
        let inner = self.open_raw(&digest)?;
        Ok(BlobReader::new(
            inner,
            digest.clone(),
            descriptor.size(),
            self.blob_file(&digest),
        ))
    }

    /// Reads a whole blob, checked against its descriptor.
    fn read_blob(&self, descriptor: &Descriptor) -> Result<Vec<u8>> {
        let mut reader = self.open_blob(descriptor)?;
        let mut data = Vec::new();
        reader
            .read_to_end(&mut data)
            .map_err(|e| Error::from_stream(e, reader.file()))?;
        Ok(data)
    }
}

/// A blob stream that hashes what it reads and fails at the end of the stream when the
/// digest or the size does not match (or as soon as it reads past the size).
pub struct BlobReader<'a> {
    inner: Box<dyn Read + 'a>,
    hasher: Option<Hasher>,
    expected: Digest,
    size: u64,
    read: u64,
    file: String,
}

impl<'a> BlobReader<'a> {
    /// Wraps `inner`, which should hold `size` bytes hashing to `expected`; `file` names
    /// the blob in errors.
    pub fn new(inner: Box<dyn Read + 'a>, expected: Digest, size: u64, file: String) -> Self {
        Self {
            inner,
            hasher: Some(Hasher::for_algorithm(expected.algorithm())),
            expected,
            size,
            read: 0,
            file,
        }
    }

    /// The blob's file, for messages.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The digest the blob must have.
    pub fn digest(&self) -> &Digest {
        &self.expected
    }

    /// Reads what is left of the blob and checks it: call this after a consumer (a tar
    /// reader, a decompressor) stopped before the end of the stream.
    pub fn finish(mut self) -> Result<()> {
        io::copy(&mut self, &mut io::sink()).map_err(|e| Error::from_stream(e, &self.file))?;
        Ok(())
    }

    fn check(&mut self) -> io::Result<()> {
        let Some(hasher) = self.hasher.take() else {
            return Ok(());
        };
        if self.read != self.size {
            return Err(io::Error::other(Error::SizeMismatch {
                file: self.file.clone(),
                digest: self.expected.to_string(),
                expected: self.size,
                actual: self.read.to_string(),
            }));
        }
        let actual = hasher.finish();
        if actual != self.expected.to_string() {
            return Err(io::Error::other(Error::DigestMismatch {
                file: self.file.clone(),
                expected: self.expected.to_string(),
                actual,
            }));
        }
        Ok(())
    }
}

impl Read for BlobReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.hasher.is_none() {
            return Ok(0);
        }
        // Never read more than one byte past the declared size.
        let remaining = self.size.saturating_sub(self.read).saturating_add(1);
        let limit = usize::try_from(remaining)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = self.inner.read(&mut buf[..limit])?;
        if n == 0 {
            self.check()?;
            return Ok(0);
        }
        self.read += n as u64;
        if self.read > self.size {
            self.hasher = None;
            return Err(io::Error::other(Error::SizeMismatch {
                file: self.file.clone(),
                digest: self.expected.to_string(),
                expected: self.size,
                actual: format!("{} or more", self.read),
            }));
        }
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// The blobs of an image layout folder: `blobs/<algorithm>/<hex>`.
#[derive(Debug, Clone)]
pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    /// The store of the layout at `root`.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
        }
    }

    /// The path of the blob with `digest`.
    pub fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.root
            .join("blobs")
            .join(digest.algorithm())
            .join(digest.hex())
    }
}

impl BlobStore for DirStore {
    fn location(&self) -> String {
        self.root.display().to_string()
    }

    fn blob_file(&self, digest: &Digest) -> String {
        self.blob_path(digest).display().to_string()
    }

    fn open_raw(&self, digest: &Digest) -> Result<Box<dyn Read + '_>> {
        let path = self.blob_path(digest);
        match fs_err::File::open(&path) {
            Ok(file) => Ok(Box::new(io::BufReader::new(file))),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Err(Error::MissingBlob {
                digest: digest.to_string(),
                file: path.display().to_string(),
            }),
            Err(error) => Err(Error::Read {
                path,
                source: error,
            }),
        }
    }
}

/// The regular files of an uncompressed tar archive, indexed once so each can be read
/// by seeking to it.
#[derive(Debug, Clone)]
pub struct TarIndex {
    path: PathBuf,
    entries: HashMap<String, (u64, u64)>,
    /// Symbolic and hard links between members (`docker save` links repeated layers).
    links: HashMap<String, String>,
}

impl TarIndex {
    /// Reads the headers of the tar archive at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let file = fs_err::File::open(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let shown = path.display().to_string();
        let mut archive = tar::Archive::new(file);
        let mut entries = HashMap::new();
        let mut links = HashMap::new();
        for entry in archive
            .entries_with_seek()
            .map_err(|e| Error::from_tar(e, &shown))?
        {
            let entry = entry.map_err(|e| Error::from_tar(e, &shown))?;
            let kind = entry.header().entry_type();
            let name = entry.path().map_err(|e| Error::from_tar(e, &shown))?;
            let name = normalize_member(&name.to_string_lossy());
            if kind.is_file() || kind == tar::EntryType::Continuous {
                entries.insert(name, (entry.raw_file_position(), entry.size()));
            } else if kind.is_symlink() || kind.is_hard_link() {
                let Some(target) = entry.link_name().map_err(|e| Error::from_tar(e, &shown))?
                else {
                    continue;
                };
                let target = target.to_string_lossy();
                let target = if kind.is_symlink() {
                    resolve_relative(&name, &target)
                } else {
                    normalize_member(&target)
                };
                links.insert(name, target);
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            entries,
            links,
        })
    }

    /// The archive's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the archive has a regular file `name` (or a link to one).
    pub fn contains(&self, name: &str) -> bool {
        self.lookup(name).is_some()
    }

    /// The size of member `name`.
    pub fn size(&self, name: &str) -> Option<u64> {
        self.lookup(name).map(|(_, size)| size)
    }

    /// The offset and size of the regular file `name` names, following links.
    fn lookup(&self, name: &str) -> Option<(u64, u64)> {
        let mut name = name;
        for _ in 0..MAX_LINK_HOPS {
            if let Some(&found) = self.entries.get(name) {
                return Some(found);
            }
            name = self.links.get(name)?;
        }
        None
    }

    /// How a member is named in messages: `archive.tar:blobs/sha256/<hex>`.
    pub fn member_file(&self, name: &str) -> String {
        format!("{}:{name}", self.path.display())
    }

    /// Opens member `name`, or `None` when the archive has no such regular file.
    pub fn open_member(&self, name: &str) -> Result<Option<Box<dyn Read + '_>>> {
        let Some((offset, size)) = self.lookup(name) else {
            return Ok(None);
        };
        let read_error = |source| Error::Read {
            path: self.path.clone(),
            source,
        };
        let mut file = fs_err::File::open(&self.path).map_err(read_error)?;
        file.seek(SeekFrom::Start(offset)).map_err(read_error)?;
        Ok(Some(Box::new(io::BufReader::new(file).take(size))))
    }

    /// Reads a whole member, or `None` when it is missing.
    pub fn read(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let Some(mut reader) = self.open_member(name)? else {
            return Ok(None);
        };
        let mut data = Vec::new();
        reader
            .read_to_end(&mut data)
            .map_err(|source| Error::Read {
                path: self.path.clone(),
                source,
            })?;
        Ok(Some(data))
    }
}

/// How many links a member name may go through.
const MAX_LINK_HOPS: usize = 8;

/// The member a symbolic link at `link` pointing to `target` names.
fn resolve_relative(link: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        link.split('/').collect()
    };
    if !target.starts_with('/') {
        parts.pop();
    }
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// A member name without a leading `./` or `/`.
pub(crate) fn normalize_member(name: &str) -> String {
    let mut name = name;
    loop {
        if let Some(rest) = name.strip_prefix("./") {
            name = rest;
        } else if let Some(rest) = name.strip_prefix('/') {
            name = rest;
        } else {
            break;
        }
    }
    name.trim_end_matches('/').to_owned()
}

/// The blobs of an `oci-archive`: a tar of an image layout.
#[derive(Debug, Clone)]
pub struct ArchiveStore {
    tar: TarIndex,
}

impl ArchiveStore {
    /// The store over an indexed archive.
    pub fn new(tar: TarIndex) -> Self {
        Self { tar }
    }

    /// The archive's index.
    pub fn tar(&self) -> &TarIndex {
        &self.tar
    }

    fn member(digest: &Digest) -> String {
        format!("blobs/{}/{}", digest.algorithm(), digest.hex())
    }
}

impl BlobStore for ArchiveStore {
    fn location(&self) -> String {
        self.tar.path().display().to_string()
    }

    fn blob_file(&self, digest: &Digest) -> String {
        self.tar.member_file(&Self::member(digest))
    }

    fn open_raw(&self, digest: &Digest) -> Result<Box<dyn Read + '_>> {
        let member = Self::member(digest);
        self.tar
            .open_member(&member)?
            .ok_or_else(|| Error::MissingBlob {
                digest: digest.to_string(),
                file: self.tar.member_file(&member),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(data: &'static [u8], digest: &Digest, size: u64) -> BlobReader<'static> {
        BlobReader::new(Box::new(data), digest.clone(), size, "blob".to_owned())
    }

    #[test]
    fn good_blob_reads() {
        let digest = digest::sha256(b"hello");
        let mut out = Vec::new();
        reader(b"hello", &digest, 5).read_to_end(&mut out).unwrap();
        assert_eq!(out, b"hello");
    }

    #[test]
    fn wrong_content_is_a_digest_mismatch() {
        let digest = digest::sha256(b"hello");
        let error = reader(b"HELLO", &digest, 5).finish().unwrap_err();
        assert!(matches!(error, Error::DigestMismatch { .. }), "{error:?}");
    }

    #[test]
    fn short_and_long_blobs_are_size_mismatches() {
        let digest = digest::sha256(b"hello");
        let short = reader(b"hell", &digest, 5).finish().unwrap_err();
        assert!(matches!(short, Error::SizeMismatch { ref actual, .. } if actual == "4"));
        let long = reader(b"hello world", &digest, 5).finish().unwrap_err();
        assert!(
            matches!(long, Error::SizeMismatch { ref actual, .. } if actual == "6 or more"),
            "{long:?}"
        );
    }

    #[test]
    fn symlink_targets_resolve_inside_the_archive() {
        assert_eq!(resolve_relative("abc/layer.tar", "../def.tar"), "def.tar");
        assert_eq!(resolve_relative("abc/layer.tar", "x.tar"), "abc/x.tar");
        assert_eq!(resolve_relative("a/b", "/c/./d"), "c/d");
    }

    #[test]
    fn member_names_are_normalised() {
        assert_eq!(normalize_member("./blobs/sha256/ab"), "blobs/sha256/ab");
        assert_eq!(normalize_member("/etc/"), "etc");
        assert_eq!(normalize_member("."), ".");
    }
}
