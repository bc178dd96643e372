//! Catalogers: each reads some files of an image (or a source tree) and turns them into
//! [`Package`]s. The image is read once: [`shipgate_oci::layers::flatten`] (or the
//! `dir:` walker) calls [`Cataloger::wants`] for every regular file of the final
//! filesystem, hands the wanted ones to [`Cataloger::read`] as a stream, and calls
//! [`Cataloger::finish`] when every layer was read.
//!
//! A cataloger never fails the whole run on one bad package: it records an [`Issue`] and
//! goes on, and the SBOM says it is incomplete. Only an unreadable stream (a corrupt
//! layer) is an error, and that comes from the reader, not the cataloger.

use std::io::{self, Read};

use shipgate_oci::layers::FileEntry;

use crate::package::Package;

pub mod apk;
pub mod dpkg;
pub mod go;
pub mod java;
pub mod lockfiles;
pub mod node;
pub mod os_release;
pub mod python;
pub mod rpm;
pub mod rust;

/// The operating system of the image, from `/etc/os-release` (or `/usr/lib/os-release`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Distro {
    /// `ID` (`debian`, `alpine`, `rhel`, …).
    pub id: String,
    /// `VERSION_ID` (`12`, `3.20.3`, `9.4`).
    pub version_id: Option<String>,
    /// `ID_LIKE`, split on spaces.
    pub id_like: Vec<String>,
    /// `PRETTY_NAME`.
    pub pretty_name: Option<String>,
    /// `VERSION_CODENAME`.
    pub codename: Option<String>,
    /// `NAME`.
    pub name: Option<String>,
    /// `HOME_URL`.
    pub home_url: Option<String>,
    /// `BUG_REPORT_URL`.
    pub bug_report_url: Option<String>,
    /// `SUPPORT_URL`.
    pub support_url: Option<String>,
}

impl Distro {
    /// The `distro` purl qualifier syft writes: `ID-VERSION_ID` (`debian-12`,
    /// `alpine-3.20.3`), or the `ID` alone when there is no version.
    pub fn purl_qualifier(&self) -> Option<String> {
        if self.id.is_empty() {
            return None;
        }
        Some(match &self.version_id {
            Some(version) => format!("{}-{version}", self.id),
            None => self.id.clone(),
        })
    }

    /// Whether the distribution is `id` or says it is like `id` (`ID_LIKE`).
    pub fn is_like(&self, id: &str) -> bool {
        self.id == id || self.id_like.iter().any(|like| like == id)
    }
}

/// What catalogers know when they finish: things found by other catalogers.
#[derive(Debug, Clone, Default)]
pub struct CatalogContext {
    /// The distribution, when the image has an os-release file.
    pub distro: Option<Distro>,
}

/// A problem with one package or one file that did not stop the catalog.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Issue {
    /// The cataloger that hit it.
    pub cataloger: &'static str,
    /// The path in the image.
    pub path: String,
    /// The layer (0-based, manifest order) the file came from, when read from an image.
    pub layer: Option<usize>,
    /// What went wrong.
    pub message: String,
}

/// One kind of package evidence.
pub trait Cataloger {
    /// A short stable name (`dpkg`, `python`, …), also used in [`Package::cataloger`].
    fn name(&self) -> &'static str;

    /// Whether the regular file `entry` is something this cataloger reads. Called once
    /// per file of the final filesystem, so it must be cheap (look at the path, size and
    /// mode only).
    fn wants(&self, entry: &FileEntry) -> bool;

    /// Reads one wanted file. Parse problems go to `issues`; an I/O error from `content`
    /// (a corrupt layer) is returned as is.
    fn read(
        &mut self,
        entry: &FileEntry,
        content: &mut dyn Read,
        issues: &mut Vec<Issue>,
    ) -> io::Result<()>;

    /// The packages, once every file was read. `files` is the final file list of the
    /// image (sorted by path), for catalogers that need to know what else exists.
    fn finish(
        self: Box<Self>,
        context: &CatalogContext,
        files: &[FileEntry],
        issues: &mut Vec<Issue>,
    ) -> Vec<Package>;
}

/// The most a cataloger reads of one metadata file; larger files are an [`Issue`], never
/// a memory blow-up.
pub const METADATA_LIMIT: u64 = 64 * 1024 * 1024;

/// Reads at most `limit` bytes of `content`; `Ok(None)` when the file is larger (the rest
/// is left unread; the layer reader skips it).
pub fn read_capped(content: &mut dyn Read, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    content.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        Ok(None)
    } else {
        Ok(Some(bytes))
    }
}

/// Every cataloger that reads images (`registry:`, `oci-dir:`, `oci-archive:`,
/// `docker-archive:`, `dir:` of a root filesystem).
pub fn image_catalogers() -> Vec<Box<dyn Cataloger>> {
    let mut all = Vec::new();
    all.extend(os_release::catalogers());
    all.extend(dpkg::catalogers());
    all.extend(apk::catalogers());
    all.extend(rpm::catalogers());
    all.extend(python::catalogers());
    all.extend(node::catalogers());
    all.extend(rust::catalogers());
    all.extend(go::catalogers());
    all.extend(java::catalogers());
    all
}

/// Every cataloger that reads a source checkout (`dir:` on a repository): lock files.
pub fn source_catalogers() -> Vec<Box<dyn Cataloger>> {
    lockfiles::catalogers()
}
