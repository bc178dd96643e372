//! Copying an image, with every referrer, to registries: blobs first (HEAD to skip those
//! present, cross-repo mount when the registry has them elsewhere, parallel uploads checked
//! while they stream), then manifests and indexes as exact bytes, then referrers (and the
//! fallback referrers index on registries without the API), then tags last. A failure
//! before the tag step moves no tag; running again completes the copy.
//!
//! [`push`] copies from an OCI image layout; [`crate::promote::promote`] from a registry.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};
use serde::Serialize;
use shipgate_core::image_ref::{Digest, ImageRef};

use crate::layout::{ContentKind, parse_json, ref_name};
use crate::registry::{BlobBody, Client};
use crate::{BlobStore, Error, Layout, Result, digest, referrers};

/// Where the content of a copy comes from.
pub(crate) trait Content: Sync {
    /// The source, for messages.
    fn describe(&self, digest: &Digest) -> String;
    /// The exact bytes of a manifest or index, checked against the descriptor.
    fn manifest_bytes(&self, descriptor: &Descriptor) -> Result<Vec<u8>>;
    /// A blob's content for one upload attempt.
    fn open_blob(&self, descriptor: &Descriptor) -> Result<BlobBody>;
    /// The referrers of `subject` the source has.
    fn referrers(&self, subject: &Digest) -> Result<Vec<Descriptor>>;
    /// A repository that already has every blob, to mount from on the same registry.
    fn mount_source(&self) -> Option<&ImageRef>;
}

/// How a copy runs.
#[derive(Clone, Copy)]
pub struct PushOptions<'a> {
    /// How many blobs are uploaded at once.
    pub jobs: usize,
    /// Called once per blob and destination when the blob is in place.
    pub progress: Option<&'a (dyn Fn(&BlobEvent) + Sync)>,
}

impl std::fmt::Debug for PushOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushOptions")
            .field("jobs", &self.jobs)
            .finish_non_exhaustive()
    }
}

impl Default for PushOptions<'_> {
    fn default() -> Self {
        Self {
            jobs: 6,
            progress: None,
        }
    }
}

/// What happened to one blob at one destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlobOutcome {
    /// The repository had it already.
    Present,
    /// Mounted from another repository of the same registry.
    Mounted,
    /// Uploaded.
    Uploaded,
}

/// A progress event about one blob at one destination.
#[derive(Debug, Clone)]
pub struct BlobEvent {
    /// The destination repository (`registry/name`).
    pub repository: String,
    /// The blob.
    pub digest: String,
    /// Its size in bytes.
    pub size: u64,
    /// Where it is.
    pub stage: BlobStage,
}

/// Where a blob is in its push.
#[derive(Debug, Clone)]
pub enum BlobStage {
    /// An upload started; the counter follows the bytes sent (it restarts at 0 when the
    /// upload is retried).
    Uploading(BytesSent),
    /// The blob is in place.
    Done(BlobOutcome),
}

/// How many bytes of a blob have been sent so far, updated while it uploads.
#[derive(Debug, Clone, Default)]
pub struct BytesSent(Arc<AtomicU64>);

impl BytesSent {
    /// The bytes sent so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Counts the bytes a body hands to the HTTP client.
struct Counting {
    inner: Box<dyn std::io::Read + Send>,
    sent: Arc<AtomicU64>,
}

impl std::io::Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sent.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The result of a push or a promotion (the `--format json` document's content).
#[derive(Debug, Clone, Serialize)]
pub struct PushReport {
    /// The source, as given.
    pub source: String,
    /// The digest of the image (manifest or index) pushed.
    pub digest: String,
    /// Its media type.
    pub media_type: String,
    /// One entry per destination.
    pub destinations: Vec<DestinationReport>,
}

/// What one destination received.
#[derive(Debug, Clone, Serialize)]
pub struct DestinationReport {
    /// The repository, `registry/name`.
    pub repository: String,
    /// `registry/name@digest`.
    pub reference: String,
    /// Tags now pointing at the digest.
    pub tags: Vec<String>,
    /// Every referrer pushed (signatures, SBOMs, attestations).
    pub referrers: Vec<ReferrerReport>,
    /// Blob counts.
    pub blobs: BlobCounts,
}

/// How many blobs were skipped, mounted and uploaded.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct BlobCounts {
    /// Present already.
    pub present: usize,
    /// Mounted from another repository.
    pub mounted: usize,
    /// Uploaded.
    pub uploaded: usize,
    /// Bytes uploaded.
    pub uploaded_bytes: u64,
}

/// One referrer pushed.
#[derive(Debug, Clone, Serialize)]
pub struct ReferrerReport {
    /// The referrer manifest's digest.
    pub digest: String,
    /// The manifest it refers to.
    pub subject: String,
    /// Its artifact type.
    pub artifact_type: Option<String>,
    /// Its annotations.
    pub annotations: BTreeMap<String, String>,
    /// Whether the registry indexed it itself (`false`: the fallback tag index was updated).
    pub indexed_by_registry: bool,
}

/// A destination: a repository and the tags to set there.
#[derive(Debug, Clone)]
pub struct Destination {
    /// The repository (its tag and digest are ignored here).
    pub image: ImageRef,
    /// The tags to point at the image, last.
    pub tags: Vec<String>,
}

/// Everything to copy, in push order.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub(crate) root: Option<(Descriptor, Vec<u8>)>,
    pub(crate) blobs: Vec<Descriptor>,
    /// Manifests and indexes of the image, children before the indexes that list them.
    pub(crate) manifests: Vec<(Descriptor, Vec<u8>)>,
    /// Referrers (subject, listing descriptor, bytes), subjects before their referrers.
    pub(crate) referrers: Vec<(Digest, Descriptor, Vec<u8>)>,
}

const MAX_DEPTH: usize = 8;

impl Plan {
    pub(crate) fn build(content: &dyn Content, root: &Descriptor) -> Result<Self> {
        let mut plan = Self::default();
        let mut seen_blobs = HashSet::new();
        let mut seen_manifests = HashSet::new();
        let mut subjects = Vec::new();
        let bytes = plan.visit(
            content,
            root,
            0,
            &mut seen_blobs,
            &mut seen_manifests,
            &mut subjects,
        )?;
        plan.root = Some((root.clone(), bytes));
        // Referrers of every manifest, then referrers of referrers.
        let mut seen_referrers = HashSet::new();
        let mut queue: Vec<Digest> = subjects;
        let mut position = 0;
        while position < queue.len() {
            let subject = queue[position].clone();
            position += 1;
            for listed in content.referrers(&subject)? {
                let digest = digest::from_spec(listed.digest(), &content.describe(&subject))?;
                if !seen_referrers.insert(digest.clone()) {
                    continue;
                }
                let bytes = content.manifest_bytes(&listed)?;
                let file = content.describe(&digest);
                let manifest: ImageManifest =
                    parse_json(&bytes, "referrer manifest", &file, Some(digest.to_string()))?;
                for blob in std::iter::once(manifest.config()).chain(manifest.layers()) {
                    if seen_blobs.insert(blob.digest().to_string()) {
                        plan.blobs.push(blob.clone());
                    }
                }
                let descriptor =
                    referrers::descriptor_for(listed.media_type().clone(), &bytes, &manifest);
                plan.referrers.push((subject.clone(), descriptor, bytes));
                queue.push(digest);
            }
        }
        Ok(plan)
    }

    fn visit(
        &mut self,
        content: &dyn Content,
        descriptor: &Descriptor,
        depth: usize,
        seen_blobs: &mut HashSet<String>,
        seen_manifests: &mut HashSet<String>,
        subjects: &mut Vec<Digest>,
    ) -> Result<Vec<u8>> {
        let digest = digest::from_spec(descriptor.digest(), "a descriptor")?;
        let file = content.describe(&digest);
        let bytes = content.manifest_bytes(descriptor)?;
        if !seen_manifests.insert(digest.to_string()) {
            return Ok(bytes);
        }
        match ContentKind::of(descriptor) {
            ContentKind::Index if depth < MAX_DEPTH => {
                let index: ImageIndex =
                    parse_json(&bytes, "image index", &file, Some(digest.to_string()))?;
                for child in index.manifests() {
                    self.visit(
                        content,
                        child,
                        depth + 1,
                        seen_blobs,
                        seen_manifests,
                        subjects,
                    )?;
                }
            }
            ContentKind::Manifest => {
                let manifest: ImageManifest =
                    parse_json(&bytes, "image manifest", &file, Some(digest.to_string()))?;
                for blob in std::iter::once(manifest.config()).chain(manifest.layers()) {
                    if seen_blobs.insert(blob.digest().to_string()) {
                        self.blobs.push(blob.clone());
                    }
                }
            }
            _ => {
                return Err(Error::UnsupportedMediaType {
                    file,
                    media_type: descriptor.media_type().to_string(),
                    what: "an image manifest or index",
                });
            }
        }
        subjects.push(digest);
        self.manifests.push((descriptor.clone(), bytes.clone()));
        Ok(bytes)
    }
}

/// Copies the planned content to every destination, tags last.
pub(crate) fn copy(
    client: &Client,
    content: &dyn Content,
    source: String,
    root: &Descriptor,
    destinations: &[Destination],
    options: PushOptions<'_>,
) -> Result<PushReport> {
    let plan = Plan::build(content, root)?;
    let (root, root_bytes) = plan
        .root
        .clone()
        .unwrap_or_else(|| (root.clone(), Vec::new()));
    let root_digest = digest::from_spec(root.digest(), "the image descriptor")?;
    let mut reports = Vec::new();
    // Repositories that hold every blob, per registry, for cross-repo mounts.
    let mut holders: Vec<ImageRef> = content.mount_source().cloned().into_iter().collect();
    for destination in destinations {
        let blobs = push_blobs(
            client,
            content,
            &plan,
            &destination.image,
            &holders,
            options,
        )?;
        holders.push(destination.image.clone());
        for (descriptor, bytes) in &plan.manifests {
            client.put_manifest(
                &destination.image,
                descriptor.digest().as_ref(),
                bytes,
                descriptor.media_type().as_ref(),
            )?;
        }
        let referrers = push_referrers(client, &plan, &destination.image)?;
        reports.push(DestinationReport {
            repository: destination.image.name(),
            reference: format!("{}@{root_digest}", destination.image.name()),
            tags: Vec::new(),
            referrers,
            blobs,
        });
    }
    // Tags last, once every destination holds the complete image.
    for (destination, report) in destinations.iter().zip(&mut reports) {
        for tag in &destination.tags {
            client.put_manifest(
                &destination.image,
                tag,
                &root_bytes,
                root.media_type().as_ref(),
            )?;
            report.tags.push(tag.clone());
        }
    }
    Ok(PushReport {
        source,
        digest: root_digest.to_string(),
        media_type: root.media_type().to_string(),
        destinations: reports,
    })
}

fn push_blobs(
    client: &Client,
    content: &dyn Content,
    plan: &Plan,
    image: &ImageRef,
    holders: &[ImageRef],
    options: PushOptions<'_>,
) -> Result<BlobCounts> {
    let mount_from: Vec<&ImageRef> = holders
        .iter()
        .filter(|h| h.registry() == image.registry() && h.repository() != image.repository())
        .collect();
    let next = AtomicUsize::new(0);
    let counts = Mutex::new(BlobCounts::default());
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    let jobs = options.jobs.clamp(1, 32).min(plan.blobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    if first_error
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .is_some()
                    {
                        return;
                    }
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(descriptor) = plan.blobs.get(i) else {
                        return;
                    };
                    match push_blob(client, content, image, &mount_from, descriptor, options) {
                        Ok(outcome) => {
                            let mut counts = counts.lock().unwrap_or_else(|e| e.into_inner());
                            match outcome {
                                BlobOutcome::Present => counts.present += 1,
                                BlobOutcome::Mounted => counts.mounted += 1,
                                BlobOutcome::Uploaded => {
                                    counts.uploaded += 1;
                                    counts.uploaded_bytes += descriptor.size();
                                }
                            }
                            drop(counts);
                            if let Some(progress) = options.progress {
                                progress(&BlobEvent {
                                    repository: image.name(),
                                    digest: descriptor.digest().to_string(),
                                    size: descriptor.size(),
                                    stage: BlobStage::Done(outcome),
                                });
                            }
                        }
                        Err(error) => {
                            let mut slot = first_error.lock().unwrap_or_else(|e| e.into_inner());
                            if slot.is_none() {
                                *slot = Some(error);
                            }
                            return;
                        }
                    }
                }
            });
        }
    });
    if let Some(error) = first_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(error);
    }
    Ok(counts.into_inner().unwrap_or_else(|e| e.into_inner()))
}

fn push_blob(
    client: &Client,
    content: &dyn Content,
    image: &ImageRef,
    mount_from: &[&ImageRef],
    descriptor: &Descriptor,
    options: PushOptions<'_>,
) -> Result<BlobOutcome> {
    let digest = digest::from_spec(descriptor.digest(), "a descriptor")?;
    if client.blob_exists(image, &digest)? {
        return Ok(BlobOutcome::Present);
    }
    for from in mount_from {
        if client.mount_blob(image, &digest, from)? {
            return Ok(BlobOutcome::Mounted);
        }
    }
    let sent = BytesSent::default();
    if let Some(progress) = options.progress {
        progress(&BlobEvent {
            repository: image.name(),
            digest: digest.to_string(),
            size: descriptor.size(),
            stage: BlobStage::Uploading(sent.clone()),
        });
    }
    client.upload_blob(image, &digest, descriptor.size(), &|| {
        let mut body = content.open_blob(descriptor)?;
        sent.0.store(0, Ordering::Relaxed);
        body.reader = Box::new(Counting {
            inner: body.reader,
            sent: sent.0.clone(),
        });
        Ok(body)
    })?;
    Ok(BlobOutcome::Uploaded)
}

fn push_referrers(client: &Client, plan: &Plan, image: &ImageRef) -> Result<Vec<ReferrerReport>> {
    let mut reports = Vec::new();
    let mut fallback: Vec<(Digest, Vec<Descriptor>)> = Vec::new();
    for (subject, descriptor, bytes) in &plan.referrers {
        let answer = client.put_manifest(
            image,
            descriptor.digest().as_ref(),
            bytes,
            descriptor.media_type().as_ref(),
        )?;
        if !answer.subject_indexed {
            match fallback.iter_mut().find(|(s, _)| s == subject) {
                Some((_, list)) => list.push(descriptor.clone()),
                None => fallback.push((subject.clone(), vec![descriptor.clone()])),
            }
        }
        reports.push(ReferrerReport {
            digest: descriptor.digest().to_string(),
            subject: subject.to_string(),
            artifact_type: descriptor.artifact_type().as_ref().map(ToString::to_string),
            annotations: descriptor
                .annotations()
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect(),
            indexed_by_registry: answer.subject_indexed,
        });
    }
    for (subject, descriptors) in fallback {
        client.update_fallback_index(image, &subject, descriptors)?;
    }
    Ok(reports)
}

/// A layout as the source of a copy.
struct LayoutContent {
    layout: Arc<Layout>,
}

impl Content for LayoutContent {
    fn describe(&self, digest: &Digest) -> String {
        self.layout.blob_file(digest)
    }

    fn manifest_bytes(&self, descriptor: &Descriptor) -> Result<Vec<u8>> {
        self.layout.read_blob(descriptor)
    }

    fn open_blob(&self, descriptor: &Descriptor) -> Result<BlobBody> {
        Ok(BlobBody::from_layout(
            self.layout.clone(),
            descriptor.clone(),
        ))
    }

    fn referrers(&self, subject: &Digest) -> Result<Vec<Descriptor>> {
        self.layout.referrers(subject, None)
    }

    fn mount_source(&self) -> Option<&ImageRef> {
        None
    }
}

/// The image of `layout` to push: the entry tagged `tag`, or the only image that is not
/// a referrer. Returns the descriptor and the layout's tag for it, if any.
pub fn select_image(layout: &Layout, tag: Option<&str>) -> Result<(Descriptor, Option<String>)> {
    if let Some(tag) = tag {
        let found = layout.find_tag(tag)?;
        return Ok((plain(found), Some(tag.to_owned())));
    }
    let mut candidates: Vec<&Descriptor> = Vec::new();
    for entry in layout.index().manifests() {
        if candidates.iter().any(|c| c.digest() == entry.digest()) {
            continue;
        }
        if ContentKind::of(entry) == ContentKind::Manifest {
            let bytes = layout.read_blob(entry)?;
            let digest = digest::from_spec(entry.digest(), "index.json")?;
            let manifest: ImageManifest = parse_json(
                &bytes,
                "image manifest",
                &layout.blob_file(&digest),
                Some(digest.to_string()),
            )?;
            if manifest.subject().is_some() {
                continue;
            }
        }
        candidates.push(entry);
    }
    match candidates.as_slice() {
        [] => Err(Error::EmptyLayout {
            layout: layout.path().display().to_string(),
        }),
        [only] => {
            let tag = layout
                .index()
                .manifests()
                .iter()
                .filter(|d| d.digest() == only.digest())
                .find_map(ref_name)
                .map(str::to_owned);
            Ok((plain(only), tag))
        }
        many => Err(Error::AmbiguousImage {
            layout: layout.path().display().to_string(),
            count: many.len(),
            available: layout.tags(),
        }),
    }
}

/// A descriptor without its layout-only tag annotation.
fn plain(descriptor: &Descriptor) -> Descriptor {
    let mut plain = descriptor.clone();
    let annotations = plain.annotations().clone().map(|mut a| {
        a.remove(crate::ANNOTATION_REF_NAME);
        a
    });
    plain.set_annotations(annotations.filter(|a| !a.is_empty()));
    plain
}

/// The tags for `destination`: its own tag, else `fallback` (the source's), else none.
pub fn destination_for(image: &ImageRef, fallback: Option<&str>) -> Destination {
    let tag = image.tag().or(fallback).map(str::to_owned);
    Destination {
        image: image.without_tag_or_digest(),
        tags: tag.into_iter().collect(),
    }
}

/// Pushes the image of `layout` (the entry tagged `tag`, or its only image) with every
/// referrer the layout holds to each destination, tags last. A destination without a tag
/// gets the layout's tag for the image, if any.
pub fn push(
    client: &Client,
    layout: &Layout,
    tag: Option<&str>,
    destinations: &[ImageRef],
    options: PushOptions<'_>,
) -> Result<PushReport> {
    let (root, layout_tag) = select_image(layout, tag)?;
    let root_digest = digest::from_spec(root.digest(), "index.json")?;
    for destination in destinations {
        if let Some(wanted) = destination.digest()
            && *wanted != root_digest
        {
            return Err(Error::InvalidSource {
                input: destination.to_string(),
                reason: format!("the image to push is {root_digest}, not {wanted}"),
            });
        }
    }
    let destinations: Vec<Destination> = destinations
        .iter()
        .map(|d| destination_for(d, layout_tag.as_deref()))
        .collect();
    let content = LayoutContent {
        layout: Arc::new(layout.clone()),
    };
    let source = match tag {
        Some(tag) => format!("{}:{tag}", layout.path().display()),
        None => layout.path().display().to_string(),
    };
    copy(client, &content, source, &root, &destinations, options)
}

/// Parses a destination: `registry:REF` or a plain reference.
pub fn parse_destination(text: &str) -> Result<ImageRef> {
    let reference = text.strip_prefix("registry:").unwrap_or(text);
    Ok(shipgate_core::image_ref::parse(reference)?)
}

/// Pushes any pushable source: an OCI layout folder or archive, or a registry image
/// (promoted to each destination). A `docker-archive:` or `dir:` source is refused.
pub fn push_source(
    client: &Client,
    source: &crate::Source,
    destinations: &[ImageRef],
    options: PushOptions<'_>,
) -> Result<PushReport> {
    use crate::Source;
    match source {
        Source::OciDir { path, tag } => {
            let layout = Layout::open_dir(path)?;
            push(client, &layout, tag.as_deref(), destinations, options)
        }
        Source::OciArchive(path) => {
            let layout = Layout::open_archive(path)?;
            push(client, &layout, None, destinations, options)
        }
        Source::Registry(image) => crate::promote::promote_to(client, image, destinations, options),
        Source::DockerArchive(_) | Source::Dir(_) => Err(Error::UnsupportedSource {
            source_text: source.to_string(),
            what: "a pushable image (export an OCI layout: `buildx build --output type=oci`)",
        }),
    }
}
