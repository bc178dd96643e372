//! The `shipgate.yaml` v1 model.
//!
//! These types are the single source of truth for the spec: the loader deserialises into
//! them, and `schemas/shipgate.v1.schema.json` is generated from them (doc comments become
//! the schema's descriptions). Keys are kebab-case and unknown keys are rejected.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A repository's container pipeline: build, SBOM, scan, sign, push and deploy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[schemars(title = "shipgate.yaml v1")]
pub struct Spec {
    /// Version of the spec format. Always `1`.
    #[schemars(extend("const" = 1))]
    pub version: u32,
    /// The image to build: its name(s), build context, Dockerfile, platforms and tags.
    pub image: Image,
    /// How the image is built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<Build>,
    /// The software bill of materials generated from the built image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sbom: Option<Sbom>,
    /// The vulnerability and configuration gate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<Scan>,
    /// How the image (and its attestations) are signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign: Option<Sign>,
    /// Where the image is pushed once it has passed every gate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push: Option<Push>,
    /// Digest-pinned deploys, one per environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy: Option<Deploy>,
    /// Which CI files `shipgate render` writes, and their settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci: Option<Ci>,
}

/// The image to build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Image {
    /// The image repository, e.g. `ghcr.io/acme/web` (no tag, no digest). Use `names` for several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Several repositories for the same image, e.g. `[ghcr.io/acme/web, docker.io/acme/web]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(min = 1))]
    pub names: Vec<String>,
    /// Build context, relative to the directory of shipgate.yaml.
    #[serde(default = "default_context")]
    pub context: String,
    /// Dockerfile path, relative to the directory of shipgate.yaml.
    #[serde(default = "default_dockerfile")]
    pub dockerfile: String,
    /// Build stage to target in a multi-stage Dockerfile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Platforms to build, as `os/arch[/variant]`, e.g. `[linux/amd64, linux/arm64]`.
    #[serde(default = "default_platforms")]
    #[schemars(length(min = 1))]
    pub platforms: Vec<String>,
    /// Tag rules in docker/metadata-action's grammar, e.g. `type=semver,pattern={{version}}`.
    #[serde(default = "default_tags")]
    pub tags: Vec<String>,
    /// Flavor rules in docker/metadata-action's grammar, e.g. `latest=auto`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flavor: Vec<String>,
    /// Extra OCI labels, added to those computed from the repository.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Extra OCI annotations, added to those computed from the repository.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl Image {
    /// Every repository this image is published under, in the order written.
    pub fn repositories(&self) -> Vec<&str> {
        self.name
            .iter()
            .map(String::as_str)
            .chain(self.names.iter().map(String::as_str))
            .collect()
    }

    /// True when more than one platform is built.
    pub fn is_multi_platform(&self) -> bool {
        self.platforms.len() > 1
    }
}

fn default_context() -> String {
    ".".to_owned()
}

fn default_dockerfile() -> String {
    "Dockerfile".to_owned()
}

fn default_platforms() -> Vec<String> {
    vec!["linux/amd64".to_owned()]
}

/// docker/metadata-action's default tag rules.
pub fn default_tags() -> Vec<String> {
    [
        "type=schedule",
        "type=ref,event=branch",
        "type=ref,event=tag",
        "type=ref,event=pr",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect()
}

/// How the image is built.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Build {
    /// Layer cache: `gha` (GitHub Actions cache), `registry` (a `buildcache` tag) or `none`.
    #[serde(default)]
    pub cache: CacheMode,
    /// Build arguments (`--build-arg`). Not for secrets.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, String>,
    /// Build secrets by id (`RUN --mount=type=secret,id=...`), read from the CI secret or
    /// environment variable of the same name in upper case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
}

/// Where buildx keeps its layer cache between runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CacheMode {
    /// The GitHub Actions cache (`type=gha`); no cache on other CIs.
    #[default]
    Gha,
    /// A `buildcache` tag in the first registry (`type=registry`).
    Registry,
    /// No layer cache.
    None,
}

/// The SBOM generated from the built image.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Sbom {
    /// SBOM format.
    #[serde(default)]
    pub format: SbomFormat,
    /// How the SBOM is published with the image.
    #[serde(default)]
    pub attach: SbomAttach,
}

/// An SBOM document format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SbomFormat {
    /// CycloneDX 1.5 JSON.
    #[default]
    CyclonedxJson,
    /// SPDX 2.3 JSON.
    SpdxJson,
}

/// How the SBOM is published with the image.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SbomAttach {
    /// As an OCI 1.1 referrer of the image manifest.
    #[default]
    Referrer,
    /// As a signed in-toto attestation (needs `sign`).
    Attestation,
    /// Kept as a CI artifact only.
    None,
}

/// The vulnerability and configuration gate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Scan {
    /// Lowest severity that fails the gate; `none` reports without failing.
    #[serde(default)]
    pub fail_on: Severity,
    /// Only fail on vulnerabilities that have a fixed version.
    #[serde(default)]
    pub only_fixed: bool,
    /// Reviewed exceptions: a YAML file of entries with id, reason and expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore: Option<String>,
    /// OpenVEX or CycloneDX VEX documents whose statements are applied to findings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vex: Vec<String>,
    /// Also audit the Dockerfile and the rendered Kubernetes manifests.
    #[serde(default = "default_true")]
    pub misconfig: bool,
}

impl Default for Scan {
    fn default() -> Self {
        Self {
            fail_on: Severity::default(),
            only_fixed: false,
            ignore: None,
            vex: Vec::new(),
            misconfig: true,
        }
    }
}

fn default_true() -> bool {
    true
}

/// A vulnerability severity threshold.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Never fail; report only.
    None,
    /// Low and above.
    Low,
    /// Medium and above.
    Medium,
    /// High and above.
    #[default]
    High,
    /// Critical only.
    Critical,
}

/// How the image and its attestations are signed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Sign {
    /// Keyless signing: the CI's OIDC identity, a Fulcio certificate and a Rekor entry.
    #[serde(default)]
    pub keyless: bool,
    /// A cosign private key: `env://VAR` or a file path. Its password comes from `COSIGN_PASSWORD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Attestations signed alongside the image.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attest: Vec<Attestation>,
    /// Fulcio URL for a private Sigstore deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulcio_url: Option<String>,
    /// Rekor URL for a private Sigstore deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rekor_url: Option<String>,
}

impl Sign {
    /// The name of the environment variable holding the key, for `key: env://VAR`.
    pub fn key_env_var(&self) -> Option<&str> {
        self.key
            .as_deref()
            .and_then(|key| key.strip_prefix("env://"))
    }
}

/// An attestation kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Attestation {
    /// SLSA provenance v1.
    Provenance,
    /// The SBOM as an in-toto predicate.
    Sbom,
    /// The vulnerability scan result.
    Vuln,
    /// The gate's verdict (verification summary).
    Verdict,
}

/// Where the image goes once it has passed every gate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Push {
    /// Repositories to push to; defaults to the image's names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub registries: Vec<String>,
}

/// Digest-pinned deploys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Deploy {
    /// `generated` for shipgate's hardened chart, or the path of the repository's own chart.
    #[serde(default = "default_chart")]
    pub chart: String,
    /// Environments, deployed in order when their trigger matches.
    #[schemars(length(min = 1))]
    pub environments: Vec<Environment>,
}

fn default_chart() -> String {
    "generated".to_owned()
}

/// One deploy environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Environment {
    /// Environment name: lower-case letters, digits and `-` (also the CI environment name).
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub name: String,
    /// When this environment is deployed.
    pub on: Trigger,
    /// Another environment that must have deployed first in the same run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs: Option<String>,
    /// Kubernetes namespace; defaults to the environment name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// URL shown on the CI environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The signing identity the deploy requires before it renders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<Verify>,
}

/// When an environment is deployed: on pushes to a branch, or on tags matching a glob.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Trigger {
    /// A branch name (or glob), e.g. `main`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// A tag glob, e.g. `v*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// The keyless signing identity a deploy requires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Verify {
    /// Certificate identity (SAN), e.g. the workflow URL with a ref glob.
    pub identity: String,
    /// OIDC issuer, e.g. `https://token.actions.githubusercontent.com`.
    pub issuer: String,
}

/// Which CI files `shipgate render` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Ci {
    /// CI systems to render for.
    #[serde(default = "default_providers")]
    #[schemars(length(min = 1))]
    pub providers: Vec<CiProvider>,
    /// The repository's default branch (pull requests against it run the gates).
    #[serde(default = "default_branch")]
    pub default_branch: String,
}

impl Default for Ci {
    fn default() -> Self {
        Self {
            providers: default_providers(),
            default_branch: default_branch(),
        }
    }
}

fn default_providers() -> Vec<CiProvider> {
    vec![CiProvider::Github]
}

fn default_branch() -> String {
    "main".to_owned()
}

/// A CI system shipgate renders for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum CiProvider {
    /// GitHub Actions: `.github/workflows/shipgate.yml`.
    Github,
    /// GitLab CI: `.gitlab-ci.yml`.
    Gitlab,
}
