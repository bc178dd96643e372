//! Upload bodies: a blob stream that can cross threads (what the HTTP client needs) and
//! that records a digest or size mismatch so the uploader reports it instead of a
//! transport error.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use shipgate_core::image_ref::Digest;

use crate::digest::Hasher;
use crate::{BlobStore, Error, Layout};

/// Where a stream puts the error that made it fail.
pub(crate) type FailureSlot = Arc<Mutex<Option<Error>>>;

/// A blob's content for one upload attempt.
pub(crate) struct BlobBody {
    /// The bytes; fails (and fills `failure`) when they do not match the digest.
    pub(crate) reader: Box<dyn Read + Send + 'static>,
    /// The content error, if the stream failed because of one.
    pub(crate) failure: FailureSlot,
}

/// How many chunks may wait between the reading thread and the upload.
const CHANNEL_DEPTH: usize = 4;
/// The size of one chunk.
const CHUNK: usize = 256 * 1024;

impl BlobBody {
    /// Streams the blob `descriptor` from `layout` through a reading thread, checked by
    /// the layout's [`crate::BlobReader`].
    pub(crate) fn from_layout(
        layout: Arc<Layout>,
        descriptor: oci_spec::image::Descriptor,
    ) -> Self {
        let failure: FailureSlot = Arc::new(Mutex::new(None));
        let (sender, receiver) = sync_channel(CHANNEL_DEPTH);
        let slot = failure.clone();
        std::thread::spawn(move || produce(&layout, &descriptor, &sender, &slot));
        Self {
            reader: Box::new(ChannelReader {
                receiver,
                current: Vec::new(),
                position: 0,
                done: false,
            }),
            failure,
        }
    }
}

fn produce(
    layout: &Layout,
    descriptor: &oci_spec::image::Descriptor,
    sender: &SyncSender<Option<Vec<u8>>>,
    failure: &FailureSlot,
) {
    let fail = |error: Error| {
        *failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(error);
        let _ = sender.send(None);
    };
    let mut reader = match layout.open_blob(descriptor) {
        Ok(reader) => reader,
        Err(error) => return fail(error),
    };
    // The last chunk is held back until the reader has checked the digest at the end of
    // the stream, so the upload never receives every byte of a blob that is wrong.
    let mut pending: Option<Vec<u8>> = None;
    loop {
        let mut chunk = vec![0u8; CHUNK];
        match reader.read(&mut chunk) {
            Ok(0) => {
                if let Some(last) = pending.take()
                    && sender.send(Some(last)).is_err()
                {
                    return;
                }
                let _ = sender.send(Some(Vec::new()));
                return;
            }
            Ok(n) => {
                chunk.truncate(n);
                if let Some(previous) = pending.replace(chunk)
                    && sender.send(Some(previous)).is_err()
                {
                    // The upload stopped reading.
                    return;
                }
            }
            Err(error) => {
                let file = reader.file().to_owned();
                return fail(Error::from_stream(error, &file));
            }
        }
    }
}

/// The receiving end: `Some(empty)` is the end of the blob, `None` a failure.
struct ChannelReader {
    receiver: Receiver<Option<Vec<u8>>>,
    current: Vec<u8>,
    position: usize,
    done: bool,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.position >= self.current.len() {
            if self.done {
                return Ok(0);
            }
            match self.receiver.recv() {
                Ok(Some(chunk)) if chunk.is_empty() => {
                    self.done = true;
                    return Ok(0);
                }
                Ok(Some(chunk)) => {
                    self.current = chunk;
                    self.position = 0;
                }
                Ok(None) | Err(_) => {
                    return Err(io::Error::other("the blob could not be read"));
                }
            }
        }
        let n = buf.len().min(self.current.len() - self.position);
        buf[..n].copy_from_slice(&self.current[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

/// A stream from elsewhere (a registry) checked against a digest and a size.
pub(crate) struct VerifyingReader<R> {
    inner: R,
    hasher: Option<Hasher>,
    expected: Digest,
    size: u64,
    read: u64,
    name: String,
    failure: FailureSlot,
}

impl<R: Read + Send + 'static> VerifyingReader<R> {
    /// Wraps `inner`, which must hold `size` bytes hashing to `expected`; `name` names the
    /// blob in errors.
    pub(crate) fn body(inner: R, expected: Digest, size: u64, name: String) -> BlobBody {
        let failure: FailureSlot = Arc::new(Mutex::new(None));
        let reader = Self {
            inner,
            hasher: Some(Hasher::for_algorithm(expected.algorithm())),
            expected,
            size,
            read: 0,
            name,
            failure: failure.clone(),
        };
        BlobBody {
            reader: Box::new(reader),
            failure,
        }
    }
}

impl<R: Read> VerifyingReader<R> {
    fn fail(&self, error: Error) -> io::Error {
        let message = error.to_string();
        *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(error);
        io::Error::other(message)
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.hasher.is_none() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n == 0 {
            let Some(hasher) = self.hasher.take() else {
                return Ok(0);
            };
            if self.read != self.size {
                return Err(self.fail(Error::SizeMismatch {
                    file: self.name.clone(),
                    digest: self.expected.to_string(),
                    expected: self.size,
                    actual: self.read.to_string(),
                }));
            }
            let actual = hasher.finish();
            if actual != self.expected.to_string() {
                return Err(self.fail(Error::DigestMismatch {
                    file: self.name.clone(),
                    expected: self.expected.to_string(),
                    actual,
                }));
            }
            return Ok(0);
        }
        self.read += n as u64;
        if self.read > self.size {
            self.hasher = None;
            return Err(self.fail(Error::SizeMismatch {
                file: self.name.clone(),
                digest: self.expected.to_string(),
                expected: self.size,
                actual: format!("{} or more", self.read),
            }));
        }
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&buf[..n]);
        }
        // Check as soon as the last byte arrives: the consumer may stop reading there.
        if self.read == self.size
            && let Some(hasher) = self.hasher.take()
        {
            let actual = hasher.finish();
            if actual != self.expected.to_string() {
                return Err(self.fail(Error::DigestMismatch {
                    file: self.name.clone(),
                    expected: self.expected.to_string(),
                    actual,
                }));
            }
        }
        Ok(n)
    }
}
