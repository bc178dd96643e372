//! `shipgate push`: an image with its referrers from an OCI layout to registries, tags
//! last. The work is done by `shipgate_oci::push_source`; this module parses, reports.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use shipgate_core::Exit;
use shipgate_core::output::Output;
use shipgate_oci::push::{BlobEvent, BlobOutcome, BlobStage, BytesSent, PushOptions, PushReport};
use shipgate_oci::{Client, ClientOptions, CredentialSource, Source};

use crate::{Error, Format, PushArgs, RegistryArgs, env_vars};

pub(crate) fn run(args: &PushArgs) -> Result<Exit, Error> {
    // Everything is validated before the first request.
    let source = Source::parse(&args.source)?;
    let destinations = args
        .destinations
        .iter()
        .map(|d| shipgate_oci::parse_destination(d))
        .collect::<Result<Vec<_>, _>>()?;
    let output = Output::from_env().with_json_file(args.output.clone());
    let client = client(&args.registry, &output)?;
    let progress = Progress::new(&output);
    let report = progress.run(|events| {
        shipgate_oci::push_source(
            &client,
            &source,
            &destinations,
            options(&args.registry, events),
        )
    })?;
    finish(&output, args.format, &report);
    Ok(Exit::Pass)
}

/// Blob progress: a bar per upload on a terminal outside CI, else one line per blob.
pub(crate) struct Progress<'a> {
    output: &'a Output,
    bars: Option<MultiProgress>,
    /// The bars of uploads in flight, by `repository@digest`.
    active: Mutex<Vec<(String, ProgressBar, BytesSent)>>,
}

impl<'a> Progress<'a> {
    pub(crate) fn new(output: &'a Output) -> Self {
        let env = output.env();
        let terminal = std::io::stderr().is_terminal() && !env.github_actions && !env.gitlab_ci;
        Self {
            output,
            bars: terminal.then(MultiProgress::new),
            active: Mutex::new(Vec::new()),
        }
    }

    /// Runs `work` with the event callback, refreshing the bars while it runs.
    pub(crate) fn run<T>(&self, work: impl FnOnce(&(dyn Fn(&BlobEvent) + Sync)) -> T) -> T {
        let done = AtomicBool::new(false);
        std::thread::scope(|scope| {
            if self.bars.is_some() {
                scope.spawn(|| {
                    while !done.load(Ordering::Relaxed) {
                        self.refresh();
                        std::thread::sleep(Duration::from_millis(100));
                    }
                });
            }
            let callback = |event: &BlobEvent| self.event(event);
            let result = work(&callback);
            done.store(true, Ordering::Relaxed);
            if let Some(bars) = &self.bars {
                let _ = bars.clear();
            }
            result
        })
    }

    fn refresh(&self) {
        for (_, bar, sent) in self.active.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            bar.set_position(sent.get());
        }
    }

    fn event(&self, event: &BlobEvent) {
        let Some(bars) = &self.bars else {
            if let BlobStage::Done(_) = event.stage {
                self.output.human(&blob_line(event));
            }
            return;
        };
        let mut active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        match &event.stage {
            BlobStage::Uploading(sent) => {
                let bar = bars.add(ProgressBar::new(event.size));
                bar.set_style(
                    ProgressStyle::with_template(
                        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                bar.set_message(short_digest(&event.digest));
                active.push((key(event), bar, sent.clone()));
            }
            BlobStage::Done(_) => {
                if let Some(at) = active.iter().position(|(k, _, _)| *k == key(event)) {
                    let (_, bar, _) = active.remove(at);
                    bar.finish_and_clear();
                    bars.remove(&bar);
                }
                let _ = bars.println(blob_line(event));
            }
        }
    }
}

fn key(event: &BlobEvent) -> String {
    format!("{}@{}", event.repository, event.digest)
}

fn short_digest(digest: &str) -> String {
    let hex = digest.split_once(':').map_or(digest, |(_, hex)| hex);
    hex.chars().take(12).collect()
}

/// The registry client for the flags; the registry password, when it comes from the
/// environment, is masked in CI logs.
pub(crate) fn client(args: &RegistryArgs, output: &Output) -> Result<Client, Error> {
    if let Ok(password) = std::env::var(env_vars::REGISTRY_PASSWORD)
        && !password.is_empty()
    {
        output.mask(&password);
    }
    Ok(Client::new(ClientOptions {
        insecure: args.insecure,
        timeout: Duration::from_secs(args.timeout),
        attempts: args.retries.saturating_add(1),
        credentials: CredentialSource::from_process(),
        ..ClientOptions::default()
    })?)
}

pub(crate) fn options<'a>(
    args: &RegistryArgs,
    progress: &'a (dyn Fn(&BlobEvent) + Sync),
) -> PushOptions<'a> {
    PushOptions {
        jobs: usize::from(args.jobs),
        progress: Some(progress),
    }
}

/// One line per blob: `uploaded sha256:… (1.2 MiB) to registry/name`.
pub(crate) fn blob_line(event: &BlobEvent) -> String {
    let verb = match event.stage {
        BlobStage::Done(BlobOutcome::Present) => "present ",
        BlobStage::Done(BlobOutcome::Mounted) => "mounted ",
        BlobStage::Done(BlobOutcome::Uploaded) => "uploaded",
        BlobStage::Uploading(_) => "sending ",
    };
    format!(
        "{verb} {} ({}) {}",
        event.digest,
        human_size(event.size),
        event.repository
    )
}

fn human_size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let value = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KiB", value / 1024.0)
    } else if bytes < 1024 * 1024 * 1024 {
        format!("{:.1} MiB", value / (1024.0 * 1024.0))
    } else {
        format!("{:.2} GiB", value / (1024.0 * 1024.0 * 1024.0))
    }
}

/// The summary: a JSON document, or one line per destination for people.
pub(crate) fn finish(output: &Output, format: Format, report: &PushReport) {
    for destination in &report.destinations {
        let tags = if destination.tags.is_empty() {
            "no tag".to_owned()
        } else {
            format!("tags {}", destination.tags.join(", "))
        };
        let blobs = destination.blobs;
        output.human(&format!(
            "pushed {} ({tags}; {} referrer{}; blobs: {} uploaded, {} mounted, {} present)",
            destination.reference,
            destination.referrers.len(),
            if destination.referrers.len() == 1 {
                ""
            } else {
                "s"
            },
            blobs.uploaded,
            blobs.mounted,
            blobs.present,
        ));
    }
    if format == Format::Json {
        let value = serde_json::to_value(report).unwrap_or(serde_json::Value::Null);
        output.json(&value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_size(12), "12 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(5 * 1024 * 1024), "5.0 MiB");
    }
}
