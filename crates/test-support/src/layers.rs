//! Image layers built in tests: tar members (files, folders, links, whiteouts by name),
//! gzip, and `sha256:` digests as OCI descriptors spell them.

use std::io::Write;

use sha2::Digest as _;

/// One member of a test layer.
#[derive(Debug, Clone, Copy)]
pub enum Member<'a> {
    /// A regular file (mode 0644) with its content.
    File(&'a str, &'a [u8]),
    /// A folder (mode 0755).
    Dir(&'a str),
    /// A symbolic link to a target.
    Symlink(&'a str, &'a str),
    /// A hard link to another member of the image.
    Hardlink(&'a str, &'a str),
}

/// An uncompressed layer tar of `members`, in order.
///
/// # Panics
/// When a member cannot be written (a test setup error).
#[allow(clippy::unwrap_used)]
pub fn layer_tar(members: &[Member<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for member in members {
        let mut header = tar::Header::new_gnu();
        match member {
            Member::File(path, data) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_size(data.len() as u64);
                header.set_mode(0o644);
                builder.append_data(&mut header, path, *data).unwrap();
            }
            Member::Dir(path) => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_size(0);
                header.set_mode(0o755);
                builder
                    .append_data(&mut header, path, std::io::empty())
                    .unwrap();
            }
            Member::Symlink(path, target) | Member::Hardlink(path, target) => {
                let (kind, mode) = if matches!(member, Member::Symlink(..)) {
                    (tar::EntryType::Symlink, 0o777)
                } else {
                    (tar::EntryType::Link, 0o644)
                };
                header.set_entry_type(kind);
                header.set_size(0);
                header.set_mode(mode);
                builder.append_link(&mut header, path, target).unwrap();
            }
        }
    }
    builder.into_inner().unwrap()
}

/// `data` gzip-compressed (fast level).
///
/// # Panics
/// Never in practice: writing to a `Vec` does not fail.
#[allow(clippy::unwrap_used)]
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// The digest of `data` as OCI spells it: `sha256:<hex>`.
pub fn sha256(data: &[u8]) -> String {
    let hash = sha2::Sha256::digest(data);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}
