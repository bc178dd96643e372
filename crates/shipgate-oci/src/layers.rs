//! Image layers as decompressed tar streams, and the final file list of an image with
//! whiteouts applied across layers, read without unpacking anything to disk.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead, BufReader, Read};

use oci_spec::image::{Descriptor, ImageManifest};
use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

use crate::store::{BlobReader, BlobStore};
use crate::{Error, Result};

/// The prefix of a whiteout file: `.wh.NAME` deletes `NAME` from the layers below.
pub const WHITEOUT_PREFIX: &str = ".wh.";
/// The opaque-directory marker: its folder hides everything the layers below put in it.
pub const OPAQUE_WHITEOUT: &str = ".wh..wh..opq";

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// A plain tar.
    None,
    /// gzip.
    Gzip,
    /// zstd (one or more frames).
    Zstd,
}

impl Compression {
    /// The compression a layer media type declares, or `None` when the media type is
    /// not a known layer type (the stream is then sniffed).
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        match media_type {
            "application/vnd.oci.image.layer.v1.tar"
            | "application/vnd.oci.image.layer.nondistributable.v1.tar"
            | "application/vnd.docker.image.rootfs.diff.tar" => Some(Self::None),
            "application/vnd.oci.image.layer.v1.tar+gzip"
            | "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
            | "application/vnd.docker.image.rootfs.diff.tar.gzip"
            | "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" => Some(Self::Gzip),
            "application/vnd.oci.image.layer.v1.tar+zstd"
            | "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
            | "application/vnd.docker.image.rootfs.diff.tar.zstd" => Some(Self::Zstd),
            _ => None,
        }
    }

    /// The compression the first bytes of a stream show.
    pub fn sniff(magic: &[u8]) -> Self {
        if magic.starts_with(&[0x1f, 0x8b]) {
            Self::Gzip
        } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Self::Zstd
        } else {
            Self::None
        }
    }
}

/// A layer's uncompressed tar stream. The compressed blob is checked against its digest
/// and size as it streams; [`LayerReader::finish`] reads what a tar reader left and
/// reports a mismatch.
pub struct LayerReader<'a> {
    decoder: Decoder<'a>,
    file: String,
}

enum Decoder<'a> {
    Plain(BufReader<BlobReader<'a>>),
    Gzip(flate2::bufread::MultiGzDecoder<BufReader<BlobReader<'a>>>),
    Zstd(Box<ZstdFrames<BufReader<BlobReader<'a>>>>),
}

impl<'a> LayerReader<'a> {
    /// Opens the layer `descriptor` of `store`, decompressing as its media type (or, for
    /// an unknown layer media type, its first bytes) says.
    pub fn open(store: &'a dyn BlobStore, descriptor: &Descriptor) -> Result<Self> {
        let blob = store.open_blob(descriptor)?;
        let file = format!("{} ({})", blob.file(), blob.digest());
        let mut buffered = BufReader::with_capacity(64 * 1024, blob);
        let media_type = descriptor.media_type().to_string();
        let compression = match Compression::from_media_type(&media_type) {
            Some(compression) => compression,
            None if is_layer_like(&media_type) => {
                let magic = buffered
                    .fill_buf()
                    .map_err(|e| Error::from_stream(e, &file))?;
                Compression::sniff(magic)
            }
            None => {
                return Err(Error::UnsupportedMediaType {
                    file,
                    media_type,
                    what: "a layer",
                });
            }
        };
        let decoder = match compression {
            Compression::None => Decoder::Plain(buffered),
            Compression::Gzip => Decoder::Gzip(flate2::bufread::MultiGzDecoder::new(buffered)),
            Compression::Zstd => Decoder::Zstd(Box::new(ZstdFrames::new(buffered))),
        };
        Ok(Self { decoder, file })
    }

    /// The layer blob and digest, for messages.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Reads the rest of the layer (decompressed and compressed) and checks the blob's
    /// digest and size.
    pub fn finish(mut self) -> Result<()> {
        io::copy(&mut self, &mut io::sink()).map_err(|e| Error::from_stream(e, &self.file))?;
        let blob = match self.decoder {
            Decoder::Plain(inner) => inner.into_inner(),
            Decoder::Gzip(inner) => inner.into_inner().into_inner(),
            Decoder::Zstd(inner) => inner.into_inner().into_inner(),
        };
        blob.finish()
    }
}

impl Read for LayerReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.decoder {
            Decoder::Plain(inner) => inner.read(buf),
            Decoder::Gzip(inner) => inner.read(buf),
            Decoder::Zstd(inner) => inner.read(buf),
        }
    }
}

fn is_layer_like(media_type: &str) -> bool {
    media_type.contains(".layer.") || media_type.contains("rootfs") || media_type.ends_with(".tar")
}

/// A zstd stream of any number of frames (skippable frames are skipped).
struct ZstdFrames<R: BufRead> {
    source: R,
    frame: FrameDecoder,
    in_frame: bool,
}

impl<R: BufRead> ZstdFrames<R> {
    fn new(source: R) -> Self {
        Self {
            source,
            frame: FrameDecoder::new(),
            in_frame: false,
        }
    }

    fn into_inner(self) -> R {
        self.source
    }
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.in_frame {
                while self.frame.can_collect() == 0 && !self.frame.is_finished() {
                    self.frame
                        .decode_blocks(&mut self.source, BlockDecodingStrategy::UptoBlocks(1))
                        .map_err(io::Error::other)?;
                }
                let n = self.frame.read(buf)?;
                if n > 0 {
                    return Ok(n);
                }
                if self.frame.is_finished() {
                    self.in_frame = false;
                }
                continue;
            }
            if self.source.fill_buf()?.is_empty() {
                return Ok(0);
            }
            match self.frame.reset(&mut self.source) {
                Ok(()) => self.in_frame = true,
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let skipped = io::copy(
                        &mut (&mut self.source).take(u64::from(length)),
                        &mut io::sink(),
                    )?;
                    if skipped < u64::from(length) {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "truncated zstd skippable frame",
                        ));
                    }
                }
                Err(error) => return Err(io::Error::other(error)),
            }
        }
    }
}

/// The layers of `manifest`, in order, as decompressed tar streams.
pub fn layer_readers<'a>(
    store: &'a dyn BlobStore,
    manifest: &'a ImageManifest,
) -> impl Iterator<Item = Result<(usize, LayerReader<'a>)>> + 'a {
    manifest
        .layers()
        .iter()
        .enumerate()
        .map(move |(index, descriptor)| LayerReader::open(store, descriptor).map(|r| (index, r)))
}

/// What an entry of the final file list is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A folder.
    Directory,
    /// A symbolic link.
    Symlink,
    /// A hard link to another path of the image.
    Hardlink,
    /// A device, FIFO or other special file.
    Other,
}

/// One path of an image's final filesystem.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileEntry {
    /// The path, relative to the root, without a leading `/` or `./`.
    pub path: String,
    /// What it is.
    pub kind: EntryKind,
    /// The size in bytes (regular files).
    pub size: u64,
    /// The permission bits.
    pub mode: u32,
    /// The target of a symbolic or hard link.
    pub link_target: Option<String>,
    /// The index (0-based, in manifest order) of the layer the final version comes from.
    pub layer: usize,
}

/// The final file list of an image: the layers applied in order with whiteouts
/// (`.wh.NAME`, `.wh..wh..opq`) honoured, sorted by path. Layers are read from the top
/// down so that `visit` is called exactly once per regular file of the final filesystem,
/// with its content, and never for a file a later layer hides or replaces.
pub fn flatten(
    store: &dyn BlobStore,
    manifest: &ImageManifest,
    mut visit: impl FnMut(&FileEntry, &mut dyn Read) -> Result<()>,
) -> Result<Vec<FileEntry>> {
    let mut state = Flatten::default();
    for (layer, descriptor) in manifest.layers().iter().enumerate().rev() {
        let mut reader = LayerReader::open(store, descriptor)?;
        let file = reader.file().to_owned();
        {
            let mut archive = tar::Archive::new(Terminated::new(&mut reader));
            let entries = archive.entries().map_err(|e| Error::from_tar(e, &file))?;
            for entry in entries {
                let mut entry = entry.map_err(|e| Error::from_tar(e, &file))?;
                let raw_path = entry.path().map_err(|e| Error::from_tar(e, &file))?;
                let path = clean_path(&raw_path.to_string_lossy());
                if path.is_empty() {
                    continue;
                }
                let header = entry.header();
                let kind = match header.entry_type() {
                    tar::EntryType::Regular | tar::EntryType::Continuous => EntryKind::File,
                    tar::EntryType::Directory => EntryKind::Directory,
                    tar::EntryType::Symlink => EntryKind::Symlink,
                    tar::EntryType::Link => EntryKind::Hardlink,
                    tar::EntryType::XGlobalHeader | tar::EntryType::XHeader => continue,
                    tar::EntryType::GNULongName | tar::EntryType::GNULongLink => continue,
                    _ => EntryKind::Other,
                };
                let link_target = match kind {
                    EntryKind::Symlink | EntryKind::Hardlink => entry
                        .link_name()
                        .map_err(|e| Error::from_tar(e, &file))?
                        .map(|target| {
                            let target = target.to_string_lossy().into_owned();
                            if kind == EntryKind::Hardlink {
                                clean_path(&target)
                            } else {
                                target
                            }
                        }),
                    _ => None,
                };
                let candidate = FileEntry {
                    path,
                    kind,
                    size: if kind == EntryKind::File {
                        entry.size()
                    } else {
                        0
                    },
                    mode: header.mode().unwrap_or(0),
                    link_target,
                    layer,
                };
                if let Some(entry_index) = state.admit(candidate)
                    && state.entries[entry_index].kind == EntryKind::File
                {
                    visit(&state.entries[entry_index], &mut entry)?;
                }
            }
        }
        reader.finish()?;
        state.end_layer();
    }
    let mut entries = state.into_entries();
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

/// A tar stream completed with the block padding and end-of-archive blocks its writer may
/// have left out (umoci 0.4 writes layers that stop right after the last file's data).
/// The blob is digest-checked, so this only forgives a missing trailer: a file cut short
/// by more than its padding is still an unexpected end of file.
struct Terminated<R> {
    inner: R,
    read: u64,
    trailer: Option<u64>,
}

impl<R: Read> Terminated<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            read: 0,
            trailer: None,
        }
    }
}

impl<R: Read> Read for Terminated<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.trailer.is_none() {
            let n = self.inner.read(buf)?;
            if n > 0 || buf.is_empty() {
                self.read += n as u64;
                return Ok(n);
            }
            self.trailer = Some((512 - self.read % 512) % 512 + 1024);
        }
        let left = self.trailer.unwrap_or(0);
        let n = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        buf[..n].fill(0);
        self.trailer = Some(left - n as u64);
        Ok(n)
    }
}

/// The bookkeeping of a top-down pass over the layers.
#[derive(Default)]
struct Flatten {
    entries: Vec<FileEntry>,
    /// Paths already decided, by a higher layer or this one.
    seen: HashMap<String, usize>,
    /// Paths the layers above deleted (with everything below them).
    whiteouts: HashSet<String>,
    /// Folders the layers above made opaque.
    opaque: HashSet<String>,
    /// Whiteouts and opaque markers of the current layer, applied to the layers below.
    pending_whiteouts: Vec<String>,
    pending_opaque: Vec<String>,
    /// Paths decided by the current layer (a later tar entry for the same path wins).
    this_layer: HashSet<String>,
}

impl Flatten {
    /// Records `candidate` unless a higher layer hides or replaces it; returns its index
    /// in `entries` when it belongs to the final filesystem.
    fn admit(&mut self, candidate: FileEntry) -> Option<usize> {
        let (parent, name) = match candidate.path.rsplit_once('/') {
            Some((parent, name)) => (parent, name),
            None => ("", candidate.path.as_str()),
        };
        if name == OPAQUE_WHITEOUT {
            if !self.hidden(parent) {
                self.pending_opaque.push(parent.to_owned());
            }
            return None;
        }
        if let Some(deleted) = name.strip_prefix(WHITEOUT_PREFIX) {
            if !deleted.starts_with(".wh.") {
                let target = if parent.is_empty() {
                    deleted.to_owned()
                } else {
                    format!("{parent}/{deleted}")
                };
                self.pending_whiteouts.push(target);
            }
            return None;
        }
        if self.hidden(&candidate.path) {
            return None;
        }
        if let Some(&index) = self.seen.get(&candidate.path) {
            if self.this_layer.contains(&candidate.path) {
                self.entries[index] = candidate;
                return Some(index);
            }
            return None;
        }
        let path = candidate.path.clone();
        self.entries.push(candidate);
        let index = self.entries.len() - 1;
        self.seen.insert(path.clone(), index);
        self.this_layer.insert(path);
        Some(index)
    }

    /// Whether a higher layer deleted `path`, made one of its folders opaque, or put a
    /// non-folder where one of its folders is.
    fn hidden(&self, path: &str) -> bool {
        if self.whiteouts.contains(path) {
            return true;
        }
        let mut rest = path;
        while let Some((ancestor, _)) = rest.rsplit_once('/') {
            if self.whiteouts.contains(ancestor) || self.opaque.contains(ancestor) {
                return true;
            }
            if let Some(&index) = self.seen.get(ancestor)
                && self.entries[index].kind != EntryKind::Directory
                && !self.this_layer.contains(ancestor)
            {
                return true;
            }
            rest = ancestor;
        }
        // An opaque root hides every path of the layers below.
        self.opaque.contains("")
    }

    fn end_layer(&mut self) {
        self.whiteouts.extend(self.pending_whiteouts.drain(..));
        self.opaque.extend(self.pending_opaque.drain(..));
        self.this_layer.clear();
    }

    fn into_entries(self) -> Vec<FileEntry> {
        self.entries
    }
}

/// A tar member path as the image sees it: no leading `/` or `./`, no trailing `/`.
fn clean_path(path: &str) -> String {
    let trimmed = crate::store::normalize_member(path);
    if trimmed == "." {
        String::new()
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, kind: EntryKind, layer: usize) -> FileEntry {
        FileEntry {
            path: path.to_owned(),
            kind,
            size: 0,
            mode: 0o644,
            link_target: None,
            layer,
        }
    }

    /// Runs the bookkeeping over `layers` (bottom first), like `flatten` does.
    fn apply(layers: &[&[(&str, EntryKind)]]) -> Vec<(String, usize)> {
        let mut state = Flatten::default();
        for (layer, entries) in layers.iter().enumerate().rev() {
            for (path, kind) in entries.iter() {
                state.admit(entry(path, *kind, layer));
            }
            state.end_layer();
        }
        let mut out: Vec<(String, usize)> = state
            .into_entries()
            .into_iter()
            .map(|e| (e.path, e.layer))
            .collect();
        out.sort();
        out
    }

    use EntryKind::{Directory as D, File as F, Symlink as S};

    #[test]
    fn upper_layers_replace_files() {
        let out = apply(&[&[("etc", D), ("etc/a", F)], &[("etc/a", F)]]);
        assert_eq!(out, vec![("etc".into(), 0), ("etc/a".into(), 1)]);
    }

    #[test]
    fn whiteouts_delete_files_and_folders() {
        let out = apply(&[
            &[("a", D), ("a/x", F), ("b", F), ("c", F)],
            &[("a/.wh.x", F), (".wh.b", F)],
            &[("b", F)],
        ]);
        assert_eq!(out, vec![("a".into(), 0), ("b".into(), 2), ("c".into(), 0)]);
        let out = apply(&[&[("a", D), ("a/x", F)], &[(".wh.a", F)]]);
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn opaque_folders_hide_lower_content_only() {
        let out = apply(&[
            &[("a", D), ("a/old", F), ("b", F)],
            &[("a", D), ("a/.wh..wh..opq", F), ("a/new", F)],
        ]);
        assert_eq!(
            out,
            vec![("a".into(), 1), ("a/new".into(), 1), ("b".into(), 0)]
        );
    }

    #[test]
    fn a_file_replacing_a_folder_hides_its_content() {
        let out = apply(&[&[("a", D), ("a/x", F)], &[("a", S)]]);
        assert_eq!(out, vec![("a".into(), 1)]);
    }

    #[test]
    fn a_folder_replacing_a_file_keeps_new_content() {
        let out = apply(&[&[("a", F)], &[("a", D), ("a/x", F)]]);
        assert_eq!(out, vec![("a".into(), 1), ("a/x".into(), 1)]);
    }

    #[test]
    fn unterminated_tar_streams_get_their_trailer() {
        let mut out = Vec::new();
        Terminated::new(&[1u8; 515][..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), 1024 + 1024);
        assert!(out[515..].iter().all(|b| *b == 0));
    }

    #[test]
    fn compression_by_media_type_and_magic() {
        assert_eq!(
            Compression::from_media_type("application/vnd.oci.image.layer.v1.tar+gzip"),
            Some(Compression::Gzip)
        );
        assert_eq!(Compression::from_media_type("application/json"), None);
        assert_eq!(
            Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]),
            Compression::Zstd
        );
        assert_eq!(Compression::sniff(b"usr/"), Compression::None);
    }
}
