//! The one table of pinned third-party code the rendered CI files use.
//!
//! Every `uses:` of a generated GitHub workflow is `owner/repo[/path]@<40-hex sha> # vX.Y.Z`
//! and every container image of a generated GitLab file is `image@sha256:<digest>`; both
//! come from here and nowhere else, so Renovate/Dependabot (or a maintainer) updates the
//! SHA and its version comment together in one place.
//!
//! Each SHA was checked against its release tag by finding it with the same `# vX.Y.Z`
//! comment in several unrelated public repositories' workflows (the source is named on
//! each entry). Before bumping an entry, confirm the pair with
//! `git ls-remote https://github.com/<owner>/<repo> refs/tags/<version>`; zizmor's online
//! `ref-version-mismatch` audit checks the same thing.

/// A GitHub Action pinned to a full commit SHA, with the release tag that commit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pin {
    /// The action as written before `@`: `owner/repo` or `owner/repo/path`.
    pub action: &'static str,
    /// The full 40-hex commit SHA.
    pub sha: &'static str,
    /// The release tag the SHA is, e.g. `v6.0.2` (written as the `# vX.Y.Z` comment).
    pub version: &'static str,
}

impl Pin {
    /// The `uses:` value with its version comment: `owner/repo@<sha> # vX.Y.Z`.
    pub fn uses(&self) -> String {
        format!("{}@{} # {}", self.action, self.sha, self.version)
    }
}

/// The commit of `shipgate/shipgate` whose `actions/` the generated workflows call.
///
/// A placeholder until the first release: the release process replaces it with the commit
/// of the release tag [`SHIPGATE_VERSION`], and until then a generated workflow that calls a
/// shipgate action cannot run on GitHub.
pub const SHIPGATE_ACTIONS_SHA: &str = "0000000000000000000000000000000000000000";

/// The shipgate release the generated files call (the comment next to
/// [`SHIPGATE_ACTIONS_SHA`] and the shipgate image's tag).
pub const SHIPGATE_VERSION: &str = "v0.1.0";

/// Every action a generated workflow may use.
pub const PINS: &[Pin] = &[
    // actions/checkout v6.0.2: the same SHA with `# v6.0.2` in many public workflows, e.g.
    // release-please and validate-release-assets workflows; v6.0.1 is 8e8c483d…, v6.0.0
    // is 1af3b93b….
    Pin {
        action: "actions/checkout",
        sha: "de0fac2e4500dabe0009e67214ff5f5447ce83dd",
        version: "v6.0.2",
    },
    // actions/upload-artifact v6.0.0: `# v6.0.0` in many public workflows (playwright,
    // uv build and SHA256SUMS upload jobs).
    Pin {
        action: "actions/upload-artifact",
        sha: "b7c566a772e6b6bfb58ed0dc250532a479d7789f",
        version: "v6.0.0",
    },
    // actions/download-artifact v7.0.0 (the release paired with upload-artifact v6):
    // `# v7.0.0` in public test-results and benchmark workflows.
    Pin {
        action: "actions/download-artifact",
        sha: "37930b1c2abaa49bbe596cd826c3c89aef350131",
        version: "v7.0.0",
    },
    // docker/setup-qemu-action v3.6.0: `# v3.6.0` in public pin maps next to
    // setup-buildx v3.10/v3.11.
    Pin {
        action: "docker/setup-qemu-action",
        sha: "29109295f81e9208d7d86ff1c6c12d2833863392",
        version: "v3.6.0",
    },
    // docker/setup-buildx-action v3.11.1: `# v3.11.1` in many public image workflows.
    Pin {
        action: "docker/setup-buildx-action",
        sha: "e468171a9de216ec08956ac3ada2f0791b6bd435",
        version: "v3.11.1",
    },
    // docker/build-push-action v6.18.0: `# v6.18.0` in many public image workflows and
    // pin lists ("docker/build-push-action@2634353… — v6.18.0").
    Pin {
        action: "docker/build-push-action",
        sha: "263435318d21b8e681c14492fe198d362a7d2c83",
        version: "v6.18.0",
    },
    // docker/login-action v3.5.0: `# v3.5.0` in public workflows and pin lists next to
    // setup-buildx v3.11.1 and build-push v6.18.0.
    Pin {
        action: "docker/login-action",
        sha: "184bdaa0721073962dff0199f1fb9940f07167d1",
        version: "v3.5.0",
    },
    // github/codeql-action v4.31.9 (upload-sarif lives in the same repository): `# v4.31.9`
    // in public SARIF upload steps and pin tables.
    Pin {
        action: "github/codeql-action/upload-sarif",
        sha: "5d4e8d1aca955e8d8589aabd499c5cae939e33c7",
        version: "v4.31.9",
    },
    // shipgate's own actions, one per binary, at the release commit (placeholder, see
    // SHIPGATE_ACTIONS_SHA).
    Pin {
        action: "shipgate/shipgate/actions/buildx-plan",
        sha: SHIPGATE_ACTIONS_SHA,
        version: SHIPGATE_VERSION,
    },
    Pin {
        action: "shipgate/shipgate/actions/sbom-attach",
        sha: SHIPGATE_ACTIONS_SHA,
        version: SHIPGATE_VERSION,
    },
    Pin {
        action: "shipgate/shipgate/actions/gate-scan",
        sha: SHIPGATE_ACTIONS_SHA,
        version: SHIPGATE_VERSION,
    },
    Pin {
        action: "shipgate/shipgate/actions/gate-sign",
        sha: SHIPGATE_ACTIONS_SHA,
        version: SHIPGATE_VERSION,
    },
    Pin {
        action: "shipgate/shipgate/actions/push",
        sha: SHIPGATE_ACTIONS_SHA,
        version: SHIPGATE_VERSION,
    },
    Pin {
        action: "shipgate/shipgate/actions/helm-render",
        sha: SHIPGATE_ACTIONS_SHA,
        version: SHIPGATE_VERSION,
    },
];

/// The pin of `action` (`owner/repo[/path]`), if the table has one.
pub fn pin(action: &str) -> Option<&'static Pin> {
    PINS.iter().find(|pin| pin.action == action)
}

/// A container image pinned by digest, with the tag the digest was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImagePin {
    /// The repository, e.g. `quay.io/buildah/stable`.
    pub image: &'static str,
    /// The manifest (index) digest, `sha256:<64 hex>`.
    pub digest: &'static str,
    /// The tag the digest was read from (written as a comment).
    pub version: &'static str,
}

impl ImagePin {
    /// The pinned reference, `image@sha256:…`.
    pub fn reference(&self) -> String {
        format!("{}@{}", self.image, self.digest)
    }

    /// The pinned reference with its tag as a comment: `image@sha256:… # vX.Y.Z`.
    pub fn pinned(&self) -> String {
        format!("{} # {}", self.reference(), self.version)
    }
}

/// The digest of the shipgate image of [`SHIPGATE_VERSION`].
///
/// A placeholder until the first release publishes `ghcr.io/shipgate/shipgate`; the release
/// process writes the index digest here. GitLab jobs run their `script:` in this image, so it
/// must provide `/bin/sh` next to the `shipgate` binary.
pub const SHIPGATE_IMAGE_DIGEST: &str =
    "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// Every container image a generated GitLab file may use.
pub const IMAGES: &[ImagePin] = &[
    ImagePin {
        image: "ghcr.io/shipgate/shipgate",
        digest: SHIPGATE_IMAGE_DIGEST,
        version: SHIPGATE_VERSION,
    },
    // Buildah's official image (built from containers/buildah's contrib/buildahimage).
    // A placeholder digest: no registry was reachable when this table was written, so the
    // index digest of the tag could not be read. Fill it with
    // `skopeo inspect --format '{{.Digest}}' docker://quay.io/buildah/stable:v1.41.3`
    // (the multi-architecture index digest, not a per-platform manifest).
    ImagePin {
        image: "quay.io/buildah/stable",
        digest: "sha256:0000000000000000000000000000000000000000000000000000000000000000",
        version: "v1.41.3",
    },
];

/// The pin of the container image `image`, if the table has one.
pub fn image(image: &str) -> Option<&'static ImagePin> {
    IMAGES.iter().find(|pin| pin.image == image)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_hex(text: &str, len: usize) -> bool {
        text.len() == len
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    fn is_semver_tag(version: &str) -> bool {
        version.strip_prefix('v').is_some_and(|rest| {
            let parts: Vec<&str> = rest.split('.').collect();
            parts.len() == 3
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
    }

    #[test]
    fn every_action_is_pinned_to_a_full_sha_and_an_exact_release() {
        for pin in PINS {
            assert!(is_hex(pin.sha, 40), "{} sha {}", pin.action, pin.sha);
            assert!(
                is_semver_tag(pin.version),
                "{} version {}",
                pin.action,
                pin.version
            );
        }
    }

    #[test]
    fn actions_are_unique() {
        for (i, pin) in PINS.iter().enumerate() {
            assert!(
                PINS[i + 1..].iter().all(|other| other.action != pin.action),
                "{}",
                pin.action
            );
        }
    }

    #[test]
    fn images_are_pinned_by_digest() {
        for pin in IMAGES {
            let hex = pin.digest.strip_prefix("sha256:").unwrap();
            assert!(is_hex(hex, 64), "{} digest {}", pin.image, pin.digest);
            assert!(
                is_semver_tag(pin.version),
                "{} version {}",
                pin.image,
                pin.version
            );
        }
    }

    #[test]
    fn uses_line() {
        assert_eq!(
            pin("actions/checkout").unwrap().uses(),
            "actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2"
        );
        assert!(pin("actions/cache").is_none());
    }
}
