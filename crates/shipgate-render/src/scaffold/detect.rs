//! Language-independent detection: the entry point, the git remote, an existing
//! Dockerfile, name sanitising, source walking and port sniffing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;

use regex::Regex;

use super::{
    BuildRecipe, Detection, Error, ExistingDockerfile, Forge, ProjectKind, Result, ServerHint, go,
    node, python, rust,
};

/// What a language module found.
pub(super) struct Project {
    pub(super) kind: ProjectKind,
    /// The raw (unsanitised) project name, when the manifest has one.
    pub(super) name: Option<String>,
    pub(super) description: Option<String>,
    pub(super) license: Option<String>,
    pub(super) server: Option<ServerHint>,
    pub(super) build: BuildRecipe,
}

/// Folders never searched for sources: dependencies, build output, virtualenvs, VCS.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "target",
    "vendor",
    "venv",
    "__pycache__",
    "dist",
    "build",
    "testdata",
    "site-packages",
];

/// At most this many source files are read while looking for imports and ports.
const MAX_SOURCE_FILES: usize = 400;

pub(super) fn detect(dir: &Path) -> Result<Detection> {
    if !dir.is_dir() {
        return Err(Error::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    let mut notes = Vec::new();

    let dockerfile = existing_dockerfile(dir)?;
    let has_dockerignore = dir.join(".dockerignore").is_file();

    let markers = [
        (ProjectKind::Rust, dir.join("Cargo.toml").is_file()),
        (ProjectKind::Go, dir.join("go.mod").is_file()),
        (ProjectKind::Python, python::is_python_project(dir)),
        (ProjectKind::Node, dir.join("package.json").is_file()),
    ];
    let found: Vec<ProjectKind> = markers
        .iter()
        .filter(|(_, present)| *present)
        .map(|(kind, _)| *kind)
        .collect();
    if found.len() > 1 {
        let others: Vec<&str> = found[1..].iter().map(|kind| kind.label()).collect();
        notes.push(format!(
            "this repository also looks like a {} project; the scaffold is for {}",
            others.join(" and "),
            found[0].label()
        ));
    }

    let project = match found.first() {
        Some(ProjectKind::Rust) => Some(rust::detect(dir, &mut notes)?),
        Some(ProjectKind::Go) => Some(go::detect(dir, &mut notes)?),
        Some(ProjectKind::Python) => Some(python::detect(dir, &mut notes)?),
        Some(ProjectKind::Node) => Some(node::detect(dir, &mut notes)?),
        _ => None,
    };

    let dir_name = dir_name(dir);
    let (kind, raw_name, description, license, mut server, build) = match project {
        Some(project) => (
            project.kind,
            project.name.unwrap_or(dir_name),
            project.description,
            project.license,
            project.server,
            Some(project.build),
        ),
        None if dockerfile.is_some() => (ProjectKind::Dockerfile, dir_name, None, None, None, None),
        None => {
            notes.push(
                "no Cargo.toml, go.mod, Python project, package.json or Dockerfile found: \
                 the Dockerfile is a skeleton to complete"
                    .to_owned(),
            );
            (ProjectKind::Unknown, dir_name, None, None, None, None)
        }
    };

    // An existing Dockerfile is the truth about what runs: its EXPOSE wins.
    if let Some(existing) = &dockerfile {
        if let Some(&port) = existing.exposes.first() {
            let framework = server.take().and_then(|hint| hint.framework);
            server = Some(ServerHint { port, framework });
        }
        if server.is_some() && !existing.has_healthcheck {
            notes.push(format!(
                "{} has no HEALTHCHECK; Kubernetes uses the Deployment's probes instead, \
                 Docker and Compose need one",
                existing.path
            ));
        }
    }

    let name = sanitize_name(&raw_name);
    if name != raw_name {
        notes.push(format!(
            "the image is named `{name}`: `{raw_name}` is not a valid image repository name"
        ));
    }

    let (forge, repository) = match git(dir, &["config", "--get", "remote.origin.url"]) {
        Some(url) => match parse_git_remote(&url) {
            Some((forge, repository)) => (Some(forge), Some(repository)),
            None => {
                notes.push(format!(
                    "the `origin` remote ({}) is not on github.com or gitlab.com: \
                     change the image name and the signing identity",
                    redact_userinfo(&url)
                ));
                (None, None)
            }
        },
        None => (None, None),
    };

    Ok(Detection {
        kind,
        name,
        description: description
            .map(|text| one_line(&text))
            .filter(|text| !text.is_empty()),
        license: license
            .map(|text| one_line(&text))
            .filter(|text| !text.is_empty()),
        server,
        has_dockerfile: dockerfile.is_some(),
        dockerfile,
        has_dockerignore,
        repository,
        forge,
        default_branch: default_branch(dir),
        build,
        notes,
    })
}

/// The directory's own name, for projects whose manifest names nothing.
fn dir_name(dir: &Path) -> String {
    let absolute = fs_err::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    absolute
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "app".to_owned())
}

/// Collapses whitespace (newlines included) into single spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Turns any string into a valid image repository path component: lower-case ASCII letters
/// and digits, separated by single `.`, `_` or `-`, starting and ending with a letter or
/// digit. Anything else becomes `-`; an empty result becomes `app`.
///
/// ```
/// # use shipgate_render::scaffold::sanitize_name;
/// assert_eq!(sanitize_name("@acme/Web_API"), "acme-web_api");
/// assert_eq!(sanitize_name("--"), "app");
/// ```
pub fn sanitize_name(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_separator: Option<char> = None;
    for ch in raw.chars() {
        let ch = ch.to_ascii_lowercase();
        if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
            if let Some(separator) = pending_separator.take()
                && !out.is_empty()
            {
                out.push(separator);
            }
            out.push(ch);
        } else if pending_separator.is_none() {
            pending_separator = Some(if matches!(ch, '.' | '_' | '-') {
                ch
            } else {
                '-'
            });
        }
    }
    if out.is_empty() {
        "app".to_owned()
    } else {
        out
    }
}

/// Parses a git remote URL (with [`shipgate_core::ci::parse_remote`]) into its forge and
/// repository path (`owner/name`; on GitLab
/// `group/subgroup/name`). Accepts `https://`, `http://`, `ssh://`, `git://` and scp-like
/// `git@host:owner/name.git` forms; returns `None` for other hosts or malformed URLs.
///
/// ```
/// # use shipgate_render::scaffold::{parse_git_remote, Forge};
/// assert_eq!(
///     parse_git_remote("git@github.com:acme/web.git"),
///     Some((Forge::GitHub, "acme/web".to_owned()))
/// );
/// ```
pub fn parse_git_remote(url: &str) -> Option<(Forge, String)> {
    let (server, path) = shipgate_core::ci::parse_remote(url)?;
    let forge = match server.as_str() {
        "https://github.com" => Forge::GitHub,
        "https://gitlab.com" => Forge::GitLab,
        _ => return None,
    };
    Some((forge, path))
}

/// Drops `user:password@` from a URL before it is shown to the user.
fn redact_userinfo(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('/') {
            Some((authority, path)) if authority.contains('@') => {
                let host = authority
                    .rsplit_once('@')
                    .map_or(authority, |(_, host)| host);
                format!("{scheme}://{host}/{path}")
            }
            _ => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// Runs `git -C dir ARGS` and returns its trimmed stdout, or `None` when git is missing,
/// fails, or prints nothing.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The branch that deploys to staging: the remote's default branch (`origin/HEAD`), else
/// the checked-out branch when it is a usual trunk name, else `main`.
fn default_branch(dir: &Path) -> String {
    let origin_head = git(
        dir,
        &[
            "symbolic-ref",
            "--quiet",
            "--short",
            "refs/remotes/origin/HEAD",
        ],
    );
    if let Some(branch) = origin_head
        .as_deref()
        .and_then(|head| head.strip_prefix("origin/"))
    {
        return branch.to_owned();
    }
    match git(dir, &["symbolic-ref", "--quiet", "--short", "HEAD"]) {
        Some(branch) if matches!(branch.as_str(), "main" | "master" | "trunk") => branch,
        _ => "main".to_owned(),
    }
}

/// Finds and reads `Dockerfile` (or `Containerfile`) at the repository root.
fn existing_dockerfile(dir: &Path) -> Result<Option<ExistingDockerfile>> {
    for name in ["Dockerfile", "Containerfile"] {
        let path = dir.join(name);
        if path.is_file() {
            let text = fs_err::read_to_string(&path)?;
            let (exposes, has_healthcheck) = read_dockerfile(&text);
            return Ok(Some(ExistingDockerfile {
                path: name.to_owned(),
                exposes,
                has_healthcheck,
            }));
        }
    }
    Ok(None)
}

/// The `EXPOSE` ports and whether there is a `HEALTHCHECK`, in the final stage.
fn read_dockerfile(text: &str) -> (Vec<u16>, bool) {
    let mut exposes = Vec::new();
    let mut has_healthcheck = false;
    for instruction in dockerfile_instructions(text) {
        let mut words = instruction.split_whitespace();
        let Some(keyword) = words.next() else {
            continue;
        };
        match keyword.to_ascii_uppercase().as_str() {
            "FROM" => {
                exposes.clear();
                has_healthcheck = false;
            }
            "EXPOSE" => exposes.extend(words.filter_map(|word| {
                let port = word.split('/').next().unwrap_or(word);
                port.parse::<u16>().ok().filter(|port| *port > 0)
            })),
            "HEALTHCHECK" => {
                has_healthcheck = !words.next().is_some_and(|w| w.eq_ignore_ascii_case("NONE"));
            }
            _ => {}
        }
    }
    (exposes, has_healthcheck)
}

/// Joins continuation lines and drops comments and parser directives.
fn dockerfile_instructions(text: &str) -> Vec<String> {
    let mut instructions = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                instructions.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.trim().is_empty() {
        instructions.push(current);
    }
    instructions
}

/// Source files under `dir` whose extension is one of `extensions`, in a stable order
/// (shallow first, then by path), skipping hidden folders, dependencies and build output.
pub(super) fn source_files(dir: &Path, extensions: &[&str], max_depth: usize) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut level = vec![dir.to_path_buf()];
    for _ in 0..=max_depth {
        let mut next = Vec::new();
        let mut files = Vec::new();
        for folder in &level {
            let Ok(entries) = fs_err::read_dir(folder) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let Ok(file_type) = entry.file_type() else {
                    continue;
                };
                if file_type.is_dir() {
                    if !name.starts_with('.') && !SKIPPED_DIRS.contains(&name.as_str()) {
                        next.push(entry.path());
                    }
                } else if file_type.is_file()
                    && extensions
                        .iter()
                        .any(|ext| name.ends_with(&format!(".{ext}")))
                {
                    files.push(entry.path());
                }
            }
        }
        files.sort();
        found.extend(files);
        if found.len() >= MAX_SOURCE_FILES {
            found.truncate(MAX_SOURCE_FILES);
            break;
        }
        next.sort();
        level = next;
    }
    found
}

/// Reads a file as text, or `None` when it cannot be read or is not UTF-8.
pub(super) fn read_text(path: &Path) -> Option<String> {
    fs_err::read_to_string(path).ok()
}

static PORT_PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // process.env.PORT || 3000, os.environ.get("PORT", 8000), PORT ?? 8080
        r#"\bPORT\b["']?\)?\s*(?:\|\||\?\?|,|\bor\b)\s*["']?(\d{2,5})\b"#,
        // ":8080", "0.0.0.0:3000", '127.0.0.1:5000', "[::]:8080"
        r#"["'](?:0\.0\.0\.0|127\.0\.0\.1|localhost|\[::\])?:(\d{2,5})["']"#,
        // app.listen(3000), server.listen(8080, ...)
        r"\.listen\(\s*(\d{2,5})\b",
        // SocketAddr::from(([0, 0, 0, 0], 3000))
        r"\[\s*0\s*,\s*0\s*,\s*0\s*,\s*0\s*\]\s*,\s*(\d{2,5})\b",
        // app.run(port=8080), uvicorn.run(app, port=8000), bind("0.0.0.0", 8080)
        r"\bport\s*=\s*(\d{2,5})\b",
    ]
    .iter()
    .filter_map(|pattern| Regex::new(pattern).ok())
    .collect()
});

/// The first unprivileged port (1024–65535) a source text listens on, by common idioms.
pub(super) fn sniff_port(text: &str) -> Option<u16> {
    PORT_PATTERNS
        .iter()
        .filter_map(|pattern| {
            pattern.captures_iter(text).find_map(|captures| {
                let m = captures.get(1)?;
                let port = m
                    .as_str()
                    .parse::<u16>()
                    .ok()
                    .filter(|port| *port >= 1024)?;
                Some((m.start(), port))
            })
        })
        .min_by_key(|(offset, _)| *offset)
        .map(|(_, port)| port)
}

/// The first port found in `files`, read in order.
pub(super) fn sniff_port_in(files: &[PathBuf]) -> Option<u16> {
    files
        .iter()
        .filter_map(|path| read_text(path))
        .find_map(|text| sniff_port(&text))
}

/// A server hint with the sniffed port, or the framework's usual port and a note saying
/// it is a guess.
pub(super) fn server_hint(
    framework: Option<&str>,
    sniffed: Option<u16>,
    default_port: u16,
    notes: &mut Vec<String>,
) -> ServerHint {
    let port = sniffed.unwrap_or_else(|| {
        notes.push(format!(
            "no listening port found in the sources: assuming {default_port}; change EXPOSE \
             in the Dockerfile if the server listens elsewhere"
        ));
        default_port
    });
    ServerHint {
        port,
        framework: framework.map(str::to_owned),
    }
}

/// Maps a `toml` parse failure to [`Error::Manifest`].
pub(super) fn parse_toml(path: &Path) -> Result<toml::Table> {
    let text = fs_err::read_to_string(path)?;
    text.parse::<toml::Table>()
        .map_err(|error| Error::Manifest {
            path: path.to_path_buf(),
            message: one_line(error.message()),
        })
}

/// A string value at a dotted path of a TOML table, e.g. `package.name`.
pub(super) fn toml_str<'a>(table: &'a toml::Table, path: &str) -> Option<&'a str> {
    toml_get(table, path).and_then(toml::Value::as_str)
}

/// The value at a dotted path of a TOML table.
pub(super) fn toml_get<'a>(table: &'a toml::Table, path: &str) -> Option<&'a toml::Value> {
    let mut parts = path.split('.');
    let mut value = table.get(parts.next()?)?;
    for part in parts {
        value = value.as_table()?.get(part)?;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_names() {
        assert_eq!(sanitize_name("Hello World"), "hello-world");
        assert_eq!(sanitize_name("@scope/pkg"), "scope-pkg");
        assert_eq!(sanitize_name("my__app--x"), "my_app-x");
        assert_eq!(sanitize_name("-.lead.and.trail._"), "lead.and.trail");
        assert_eq!(sanitize_name("Ünïcode"), "n-code");
        assert_eq!(sanitize_name(""), "app");
        assert_eq!(sanitize_name("v2"), "v2");
    }

    #[test]
    fn parses_git_remotes() {
        let github = |path: &str| Some((Forge::GitHub, path.to_owned()));
        assert_eq!(
            parse_git_remote("https://github.com/acme/web.git"),
            github("acme/web")
        );
        assert_eq!(
            parse_git_remote("https://github.com/acme/web"),
            github("acme/web")
        );
        assert_eq!(
            parse_git_remote("https://github.com/acme/web/\n"),
            github("acme/web")
        );
        assert_eq!(
            parse_git_remote("https://tok:x@github.com/Acme/Web.git"),
            github("Acme/Web")
        );
        assert_eq!(
            parse_git_remote("git@github.com:acme/web.git"),
            github("acme/web")
        );
        assert_eq!(parse_git_remote("github.com:acme/web"), github("acme/web"));
        assert_eq!(
            parse_git_remote("ssh://git@github.com/acme/web.git"),
            github("acme/web")
        );
        assert_eq!(
            parse_git_remote("ssh://git@ssh.github.com:443/acme/web.git"),
            github("acme/web")
        );
        assert_eq!(
            parse_git_remote("git://github.com/acme/web.js.git"),
            github("acme/web.js")
        );
        assert_eq!(
            parse_git_remote("git@gitlab.com:group/sub/proj.git"),
            Some((Forge::GitLab, "group/sub/proj".to_owned()))
        );
        assert_eq!(parse_git_remote("https://github.com/acme"), None);
        assert_eq!(
            parse_git_remote("https://github.com/acme/web/tree/main"),
            None
        );
        assert_eq!(
            parse_git_remote("https://git.example.com/acme/web.git"),
            None
        );
        assert_eq!(parse_git_remote("/srv/git/web.git"), None);
        assert_eq!(parse_git_remote("file:///srv/git/web.git"), None);
        assert_eq!(parse_git_remote(""), None);
    }

    #[test]
    fn redacts_credentials_in_remotes() {
        assert_eq!(
            redact_userinfo("https://user:secret@git.example.com/a/b.git"),
            "https://git.example.com/a/b.git"
        );
        assert_eq!(redact_userinfo("git@host:a/b"), "git@host:a/b");
    }

    #[test]
    fn reads_dockerfile_final_stage() {
        let text = "FROM a AS build\nEXPOSE 9999\nFROM b\n# EXPOSE 1\nEXPOSE 8080/tcp \\\n  9090\nHEALTHCHECK --interval=5s \\\n  CMD [\"x\"]\n";
        assert_eq!(read_dockerfile(text), (vec![8080, 9090], true));
        assert_eq!(
            read_dockerfile("FROM b\nEXPOSE $PORT\nHEALTHCHECK NONE\n"),
            (vec![], false)
        );
    }

    #[test]
    fn sniffs_ports() {
        assert_eq!(
            sniff_port("const port = process.env.PORT || 3001;"),
            Some(3001)
        );
        assert_eq!(
            sniff_port(r#"port = int(os.environ.get("PORT", 8000))"#),
            Some(8000)
        );
        assert_eq!(
            sniff_port(r#"http.ListenAndServe(":8081", nil)"#),
            Some(8081)
        );
        assert_eq!(
            sniff_port(r#"TcpListener::bind("0.0.0.0:7000")"#),
            Some(7000)
        );
        assert_eq!(
            sniff_port("let addr = SocketAddr::from(([0, 0, 0, 0], 3000));"),
            Some(3000)
        );
        assert_eq!(sniff_port("app.listen(4000, () => {})"), Some(4000));
        assert_eq!(sniff_port("app.run(host='0.0.0.0', port=5001)"), Some(5001));
        assert_eq!(sniff_port(r#"db = "postgres://localhost:5432/x""#), None);
        assert_eq!(sniff_port(r#"bind(":80")"#), None);
        assert_eq!(sniff_port("nothing here"), None);
    }
}
