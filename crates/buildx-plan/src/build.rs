//! The build plan: platforms, the GitHub Actions matrix (one native runner per platform),
//! layer cache settings and the docker-bake file.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
pub use shipgate_spec::CacheMode;

use crate::error::{Error, Result};
use crate::meta::Meta;

/// How the image is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSettings {
    /// The build context directory.
    pub context: String,
    /// The Dockerfile.
    pub dockerfile: String,
    /// The Dockerfile stage to build.
    pub target: Option<String>,
    /// Platforms, `os/arch[/variant]`.
    pub platforms: Vec<String>,
    /// The layer cache.
    pub cache: CacheMode,
    /// Build arguments.
    pub args: BTreeMap<String, String>,
    /// Build secrets by id, read from the environment variable of the same name in upper
    /// case.
    pub secrets: Vec<String>,
    /// Where the OCI image layout is written (`type=oci,dest=...,tar=false`).
    pub oci_dest: String,
}

impl Default for BuildSettings {
    fn default() -> Self {
        Self {
            context: ".".to_owned(),
            dockerfile: "Dockerfile".to_owned(),
            target: None,
            platforms: vec!["linux/amd64".to_owned()],
            cache: CacheMode::Gha,
            args: BTreeMap::new(),
            secrets: Vec::new(),
            oci_dest: ".shipgate/oci".to_owned(),
        }
    }
}

/// One job of the build matrix.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct MatrixEntry {
    /// The platform built by this job.
    pub platform: String,
    /// The platform as a name part: `linux-arm64`.
    pub slug: String,
    /// The GitHub-hosted runner label.
    pub runner: String,
    /// The runner emulates the platform with QEMU.
    pub qemu: bool,
    /// The bake target building this platform alone.
    pub bake_target: String,
    /// `--cache-from` values.
    pub cache_from: Vec<String>,
    /// `--cache-to` values.
    pub cache_to: Vec<String>,
    /// The OCI layout this job writes.
    pub oci_dest: String,
}

/// Checks `os/arch[/variant]`.
pub fn check_platform(platform: &str) -> Result<()> {
    let parts: Vec<&str> = platform.split('/').collect();
    let ok = (2..=3).contains(&parts.len())
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        });
    if ok {
        Ok(())
    } else {
        Err(Error::value(
            "platform",
            platform,
            "not `os/arch[/variant]`",
            "e.g. `linux/amd64,linux/arm64`",
        ))
    }
}

/// The GitHub-hosted runner for a platform, and whether it needs QEMU.
pub fn runner_for(platform: &str) -> (&'static str, bool) {
    match platform {
        "linux/amd64" | "linux/386" => ("ubuntu-24.04", false),
        "linux/arm64" | "linux/arm64/v8" => ("ubuntu-24.04-arm", false),
        _ => ("ubuntu-24.04", true),
    }
}

fn slug(platform: &str) -> String {
    platform.replace('/', "-")
}

/// The matrix: one entry per platform, cache scoped per platform. `github_actions`: the
/// `gha` cache only exists there.
pub fn matrix(
    settings: &BuildSettings,
    bake_target: &str,
    images: &[String],
    github_actions: bool,
) -> Result<Vec<MatrixEntry>> {
    let multi = settings.platforms.len() > 1;
    let scope_base = images
        .first()
        .map(|i| i.rsplit('/').next().unwrap_or(i).to_owned())
        .unwrap_or_else(|| bake_target.to_owned());
    let mut out = Vec::new();
    for platform in &settings.platforms {
        check_platform(platform)?;
        let slug = slug(platform);
        let (runner, qemu) = runner_for(platform);
        let (cache_from, cache_to) = match settings.cache {
            CacheMode::Gha if github_actions => {
                let scope = format!("{scope_base}-{slug}");
                (
                    vec![format!("type=gha,scope={scope}")],
                    vec![format!("type=gha,mode=max,scope={scope}")],
                )
            }
            CacheMode::Registry => {
                let Some(image) = images.first() else {
                    return Err(Error::value(
                        "cache",
                        "registry",
                        "the registry cache needs an image to store `buildcache` tags in",
                        "set `images`, or use `--cache gha` / `--cache none`",
                    ));
                };
                let reference = format!("{image}:buildcache-{slug}");
                (
                    vec![format!("type=registry,ref={reference}")],
                    vec![format!("type=registry,ref={reference},mode=max")],
                )
            }
            _ => (Vec::new(), Vec::new()),
        };
        out.push(MatrixEntry {
            platform: platform.clone(),
            runner: runner.to_owned(),
            qemu,
            bake_target: if multi {
                format!("{bake_target}-{slug}")
            } else {
                bake_target.to_owned()
            },
            oci_dest: if multi {
                format!("{}/{slug}", settings.oci_dest)
            } else {
                settings.oci_dest.clone()
            },
            slug,
            cache_from,
            cache_to,
        });
    }
    Ok(out)
}

/// Escapes what buildx would interpolate in a JSON bake file (`${` → `$${`,
/// `%{` → `%%{`), in every string and key.
pub fn escape_bake(value: Value) -> Value {
    fn text(s: &str) -> String {
        s.replace("${", "$${").replace("%{", "%%{")
    }
    match value {
        Value::String(s) => Value::String(text(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(escape_bake).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (text(&k), escape_bake(v)))
                .collect(),
        ),
        other => other,
    }
}

/// `{"k": "v"}` from pairs, in order.
pub(crate) fn object(pairs: &[(String, String)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// The action's `args` in the tags bake file.
pub(crate) fn meta_args(meta: &Meta) -> Map<String, Value> {
    let mut args = Map::new();
    args.insert("DOCKER_META_IMAGES".into(), json!(meta.images.join(",")));
    if let Some(version) = &meta.version.main {
        args.insert("DOCKER_META_VERSION".into(), json!(version));
    }
    args
}

/// The full bake file for the gated flow: a target with context, Dockerfile, tags,
/// labels, annotations, platforms, args, secrets, cache and an OCI layout output, plus
/// one target per platform when several are built (what each matrix job runs).
pub fn bake_file(
    meta: &Meta,
    settings: &BuildSettings,
    bake_target: &str,
    matrix: &[MatrixEntry],
) -> Value {
    let mut args = meta_args(meta);
    for (key, value) in &settings.args {
        args.insert(key.clone(), json!(value));
    }
    let mut target = Map::new();
    target.insert("context".into(), json!(settings.context));
    target.insert("dockerfile".into(), json!(settings.dockerfile));
    if let Some(stage) = &settings.target {
        target.insert("target".into(), json!(stage));
    }
    target.insert("tags".into(), json!(meta.tags));
    target.insert("labels".into(), object(&meta.labels));
    target.insert("annotations".into(), json!(meta.annotations));
    target.insert("platforms".into(), json!(settings.platforms));
    target.insert("args".into(), Value::Object(args));
    if !settings.secrets.is_empty() {
        let secrets: Vec<String> = settings
            .secrets
            .iter()
            .map(|id| format!("id={id},env={}", id.to_uppercase().replace('-', "_")))
            .collect();
        target.insert("secret".into(), json!(secrets));
    }
    let cache_from: Vec<&String> = matrix.iter().flat_map(|m| &m.cache_from).collect();
    if !cache_from.is_empty() {
        target.insert("cache-from".into(), json!(cache_from));
    }
    if let [single] = matrix
        && !single.cache_to.is_empty()
    {
        target.insert("cache-to".into(), json!(single.cache_to));
    }
    target.insert(
        "output".into(),
        json!([format!("type=oci,dest={},tar=false", settings.oci_dest)]),
    );
    let mut targets = Map::new();
    targets.insert(bake_target.to_owned(), Value::Object(target));
    if matrix.len() > 1 {
        for entry in matrix {
            let mut per = Map::new();
            per.insert("inherits".into(), json!([bake_target]));
            per.insert("platforms".into(), json!([entry.platform]));
            if !entry.cache_from.is_empty() {
                per.insert("cache-from".into(), json!(entry.cache_from));
                per.insert("cache-to".into(), json!(entry.cache_to));
            }
            per.insert(
                "output".into(),
                json!([format!("type=oci,dest={},tar=false", entry.oci_dest)]),
            );
            targets.insert(entry.bake_target.clone(), Value::Object(per));
        }
    }
    escape_bake(json!({
        "group": {"default": {"targets": [bake_target]}},
        "target": targets,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runners() {
        assert_eq!(runner_for("linux/amd64"), ("ubuntu-24.04", false));
        assert_eq!(runner_for("linux/arm64"), ("ubuntu-24.04-arm", false));
        assert_eq!(runner_for("linux/s390x"), ("ubuntu-24.04", true));
        assert!(check_platform("linux/arm/v7").is_ok());
        assert!(check_platform("linux").is_err());
        assert!(check_platform("Linux/AMD64").is_err());
    }

    #[test]
    fn escapes_interpolation() {
        assert_eq!(
            escape_bake(json!({"a${b}": ["${X} %{y} $z"]})),
            json!({"a$${b}": ["$${X} %%{y} $z"]})
        );
    }
}
