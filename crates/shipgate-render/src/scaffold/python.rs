//! Python: `pyproject.toml`, `requirements*.txt`, `setup.py` / `setup.cfg`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::detect::{
    Project, parse_toml, read_text, server_hint, source_files, toml_get, toml_str,
};
use super::{BuildRecipe, ProjectKind, Result};

/// The Python release of the images when `.python-version` names none.
const DEFAULT_PYTHON: &str = "3.13";

/// True when `dir` holds a Python project.
pub(super) fn is_python_project(dir: &Path) -> bool {
    [
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "requirements.txt",
    ]
    .iter()
    .any(|file| dir.join(file).is_file())
        || !requirements_files(dir).is_empty()
}

/// `requirements*.txt` at the root and `requirements/*.txt`, sorted.
fn requirements_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs_err::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name().is_some_and(|name| {
                let name = name.to_string_lossy();
                name.starts_with("requirements") && name.ends_with(".txt")
            }) && path.is_file()
        })
        .collect();
    let mut nested: Vec<PathBuf> = fs_err::read_dir(dir.join("requirements"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    files.sort();
    nested.sort();
    files.extend(nested);
    files
}

/// A distribution name normalised as PEP 503 does (lower case, `_`/`.` → `-`).
fn normalize(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace(['_', '.'], "-")
}

/// The distribution name of a PEP 508 requirement line, e.g. `Flask[async]>=3` → `flask`.
fn requirement_name(line: &str) -> Option<String> {
    let line = line.split('#').next().unwrap_or(line).trim();
    if line.is_empty() || line.starts_with('-') || line.contains("://") {
        return None;
    }
    let end = line
        .find(|ch: char| !(ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.')))
        .unwrap_or(line.len());
    let name = &line[..end];
    (!name.is_empty()).then(|| normalize(name))
}

pub(super) fn detect(dir: &Path, notes: &mut Vec<String>) -> Result<Project> {
    let pyproject_path = dir.join("pyproject.toml");
    let pyproject = if pyproject_path.is_file() {
        Some(parse_toml(&pyproject_path)?)
    } else {
        None
    };
    let setup_py = read_text(&dir.join("setup.py"));
    let setup_cfg = read_text(&dir.join("setup.cfg"));

    // Dependencies, from every place they can be declared.
    let mut deps = BTreeSet::new();
    let mut requirement_lines = Vec::new();
    for file in requirements_files(dir) {
        if let Some(text) = read_text(&file) {
            requirement_lines.extend(text.lines().map(str::to_owned));
        }
    }
    if let Some(table) = &pyproject {
        if let Some(list) = toml_get(table, "project.dependencies").and_then(toml::Value::as_array)
        {
            requirement_lines.extend(
                list.iter()
                    .filter_map(toml::Value::as_str)
                    .map(str::to_owned),
            );
        }
        if let Some(poetry) =
            toml_get(table, "tool.poetry.dependencies").and_then(toml::Value::as_table)
        {
            deps.extend(poetry.keys().map(|key| normalize(key)));
        }
    }
    deps.extend(
        requirement_lines
            .iter()
            .filter_map(|line| requirement_name(line)),
    );
    // setup.py's install_requires is code: look for the names we care about.
    for text in setup_py.iter().chain(setup_cfg.iter()) {
        let text = text.to_ascii_lowercase();
        for name in [
            "django",
            "fastapi",
            "starlette",
            "flask",
            "gunicorn",
            "uvicorn",
        ] {
            // `"flask>=3"` in setup.py, or an indented `flask>=3` line in setup.cfg.
            let quoted = text.contains(&format!("'{name}")) || text.contains(&format!("\"{name}"));
            let listed = text.lines().any(|line| {
                line.starts_with(char::is_whitespace)
                    && requirement_name(line).as_deref() == Some(name)
            });
            if quoted || listed {
                deps.insert(name.to_owned());
            }
        }
    }
    let has = |name: &str| deps.contains(name);
    // `fastapi[standard]` brings uvicorn.
    let has_uvicorn = has("uvicorn")
        || requirement_lines.iter().any(|line| {
            line.trim_start()
                .to_ascii_lowercase()
                .starts_with("fastapi[standard")
        });

    let name = pyproject
        .as_ref()
        .and_then(|table| {
            toml_str(table, "project.name").or_else(|| toml_str(table, "tool.poetry.name"))
        })
        .map(str::to_owned)
        .or_else(|| setup_py.as_deref().and_then(setup_py_name))
        .or_else(|| setup_cfg.as_deref().and_then(setup_cfg_name));
    let description = pyproject.as_ref().and_then(|table| {
        toml_str(table, "project.description")
            .or_else(|| toml_str(table, "tool.poetry.description"))
            .map(str::to_owned)
    });
    let license = pyproject.as_ref().and_then(|table| {
        toml_str(table, "project.license")
            .or_else(|| toml_str(table, "project.license.text"))
            .or_else(|| toml_str(table, "tool.poetry.license"))
            .map(str::to_owned)
    });

    let requirements = dir
        .join("requirements.txt")
        .is_file()
        .then(|| "requirements.txt".to_owned());
    if requirements.is_none() {
        let others = requirements_files(dir);
        if let Some(first) = others.first() {
            let rel = first
                .strip_prefix(dir)
                .unwrap_or(first)
                .to_string_lossy()
                .replace('\\', "/");
            notes.push(format!(
                "no requirements.txt: the Dockerfile does not install {rel}; add it if the \
                 image needs it"
            ));
        }
    }
    let has_build_system = pyproject
        .as_ref()
        .is_some_and(|table| table.contains_key("build-system"));
    let has_project_table = pyproject.as_ref().is_some_and(|table| {
        table.contains_key("project") || toml_get(table, "tool.poetry").is_some()
    });
    let install_project =
        setup_py.is_some() || has_build_system || (has_project_table && requirements.is_none());
    if install_project && !has_build_system && setup_py.is_none() {
        notes.push(
            "pyproject.toml has no [build-system]: pip builds the project with setuptools; \
             add a build system if `pip install .` fails"
                .to_owned(),
        );
    }
    if dir.join("poetry.lock").is_file()
        || dir.join("uv.lock").is_file()
        || dir.join("Pipfile.lock").is_file()
    {
        notes.push(
            "a Poetry/uv/Pipenv lock file was found, but the Dockerfile installs with pip from \
             requirements.txt or pyproject.toml: export the lock to requirements.txt for pinned \
             builds"
                .to_owned(),
        );
    }

    let sources = source_files(dir, &["py"], 3);
    let texts: Vec<(PathBuf, String)> = sources
        .iter()
        .filter(|path| !is_test_path(dir, path))
        .filter_map(|path| read_text(path).map(|text| (path.clone(), text)))
        .collect();

    let bind = |port: u16| format!("0.0.0.0:{port}");
    let (server, command) = if has("django") {
        let module = texts
            .iter()
            .find(|(path, _)| path.file_name().is_some_and(|f| f == "wsgi.py"))
            .and_then(|(path, _)| module_of(dir, path))
            .unwrap_or_else(|| {
                notes.push(
                    "no wsgi.py found: the Dockerfile serves `config.wsgi`; change it to your \
                     project's WSGI module"
                        .to_owned(),
                );
                "config.wsgi".to_owned()
            });
        let server = Some(server_hint(Some("django"), Some(8000), 8000, notes));
        let command = if has("gunicorn") {
            strings(&["gunicorn", "--bind", &bind(8000), &module])
        } else {
            notes.push(
                "Django without gunicorn: the image runs `manage.py runserver`, a development \
                 server; add gunicorn to the requirements for production"
                    .to_owned(),
            );
            strings(&["python", "manage.py", "runserver", &bind(8000)])
        };
        (server, command)
    } else if has("fastapi") || has("starlette") {
        let framework = if has("fastapi") {
            "fastapi"
        } else {
            "starlette"
        };
        let class = if has("fastapi") {
            "FastAPI"
        } else {
            "Starlette"
        };
        let target = app_target(dir, &texts, class, notes);
        if !has_uvicorn {
            notes.push(format!(
                "{framework} needs an ASGI server: the image runs uvicorn, add it to the \
                 requirements"
            ));
        }
        let server = Some(server_hint(Some(framework), Some(8000), 8000, notes));
        let command = strings(&["uvicorn", &target, "--host", "0.0.0.0", "--port", "8000"]);
        (server, command)
    } else if has("flask") {
        let target = app_target(dir, &texts, "Flask", notes);
        if has("gunicorn") {
            let server = Some(server_hint(Some("flask"), Some(8000), 8000, notes));
            (
                server,
                strings(&["gunicorn", "--bind", &bind(8000), &target]),
            )
        } else {
            notes.push(
                "Flask without gunicorn: the image runs `flask run`, a development server; add \
                 gunicorn to the requirements for production"
                    .to_owned(),
            );
            let server = Some(server_hint(Some("flask"), Some(5000), 5000, notes));
            let command = strings(&[
                "flask", "--app", &target, "run", "--host", "0.0.0.0", "--port", "5000",
            ]);
            (server, command)
        }
    } else if has("gunicorn") || has_uvicorn {
        let runner = if has("gunicorn") {
            "gunicorn"
        } else {
            "uvicorn"
        };
        notes.push(format!(
            "{runner} found without a known framework: the image serves `app:app`; change it \
             to your application"
        ));
        let server = Some(server_hint(Some(runner), Some(8000), 8000, notes));
        let command = if runner == "gunicorn" {
            strings(&["gunicorn", "--bind", &bind(8000), "app:app"])
        } else {
            strings(&["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"])
        };
        (server, command)
    } else {
        (
            None,
            script_command(dir, pyproject.as_ref(), name.as_deref(), notes),
        )
    };

    Ok(Project {
        kind: ProjectKind::Python,
        name,
        description,
        license,
        server,
        build: BuildRecipe::Python {
            python_version: python_version(dir),
            requirements,
            install_project,
            command,
        },
    })
}

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|word| (*word).to_owned()).collect()
}

/// Tests and virtualenvs are not where the application lives.
fn is_test_path(dir: &Path, path: &Path) -> bool {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .components()
        .any(|part| {
            let part = part.as_os_str().to_string_lossy();
            part == "tests" || part == "test" || part.starts_with("test_") || part == "conftest.py"
        })
}

/// The importable module of a source file: `src/` stripped, `/` → `.`, `.py` dropped.
fn module_of(dir: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(dir).ok()?;
    let rel = rel.strip_prefix("src").unwrap_or(rel);
    let text = rel.to_string_lossy().replace('\\', "/");
    let text = text.strip_suffix(".py")?;
    let module = text
        .strip_suffix("/__init__")
        .unwrap_or(text)
        .replace('/', ".");
    (!module.is_empty()).then_some(module)
}

/// `module:variable` of the application object (`app = Flask(__name__)`), or
/// `module:create_app()` for an application factory; `app:app` when nothing is found.
fn app_target(
    dir: &Path,
    texts: &[(PathBuf, String)],
    class: &str,
    notes: &mut Vec<String>,
) -> String {
    let constructor = format!("{class}(");
    for (path, text) in texts {
        for line in text.lines() {
            let line = line.trim();
            if let Some((lhs, rhs)) = line.split_once('=') {
                let variable = lhs.trim();
                let is_identifier = !variable.is_empty()
                    && variable
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
                if is_identifier
                    && rhs.trim_start().starts_with(&constructor)
                    && let Some(module) = module_of(dir, path)
                {
                    return format!("{module}:{variable}");
                }
            }
        }
    }
    for (path, text) in texts {
        if text.contains("def create_app(")
            && text.contains(&constructor)
            && let Some(module) = module_of(dir, path)
        {
            return format!("{module}:create_app()");
        }
    }
    notes.push(format!(
        "no `app = {class}(...)` found: the image serves `app:app`; change it to your application"
    ));
    "app:app".to_owned()
}

/// The command of a project that is not a web server: its first console script, its
/// `__main__`, or `main.py`.
fn script_command(
    dir: &Path,
    pyproject: Option<&toml::Table>,
    name: Option<&str>,
    notes: &mut Vec<String>,
) -> Vec<String> {
    let script = pyproject.and_then(|table| {
        toml_get(table, "project.scripts")
            .or_else(|| toml_get(table, "tool.poetry.scripts"))
            .and_then(toml::Value::as_table)
            .and_then(|scripts| scripts.keys().next().cloned())
    });
    if let Some(script) = script {
        return vec![script];
    }
    if let Some(name) = name {
        let package = name.replace('-', "_").to_ascii_lowercase();
        for base in [dir.join(&package), dir.join("src").join(&package)] {
            if base.join("__main__.py").is_file() {
                return strings(&["python", "-m", &package]);
            }
        }
    }
    for file in ["main.py", "app.py", "__main__.py"] {
        if dir.join(file).is_file() {
            return strings(&["python", file]);
        }
    }
    notes.push(
        "no console script, __main__.py or main.py found: change the Dockerfile's CMD to \
         your program"
            .to_owned(),
    );
    strings(&["python", "main.py"])
}

/// `name="..."` in `setup(...)`.
fn setup_py_name(text: &str) -> Option<String> {
    let start = text.find("name=").or_else(|| text.find("name ="))?;
    let rest = text[start..].split_once('=')?.1.trim_start();
    let quote = rest.chars().next().filter(|ch| *ch == '"' || *ch == '\'')?;
    let value = rest[1..].split(quote).next()?;
    (!value.is_empty()).then(|| value.to_owned())
}

/// `name = ...` under `[metadata]` in setup.cfg.
fn setup_cfg_name(text: &str) -> Option<String> {
    let mut in_metadata = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_metadata = line == "[metadata]";
        } else if in_metadata
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "name"
            && !value.trim().is_empty()
        {
            return Some(value.trim().to_owned());
        }
    }
    None
}

/// `3.12` from `.python-version` (`3.12.4` → `3.12`), else [`DEFAULT_PYTHON`].
fn python_version(dir: &Path) -> String {
    read_text(&dir.join(".python-version"))
        .and_then(|text| {
            let first = text.lines().next()?.trim().to_owned();
            let parts: Vec<&str> = first.split('.').collect();
            let valid =
                parts.len() >= 2 && parts[..2].iter().all(|part| part.parse::<u32>().is_ok());
            valid.then(|| parts[..2].join("."))
        })
        .unwrap_or_else(|| DEFAULT_PYTHON.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_requirement_names() {
        assert_eq!(
            requirement_name("Flask[async]>=3.0 ; python_version>'3'").as_deref(),
            Some("flask")
        );
        assert_eq!(
            requirement_name("zope.interface==6").as_deref(),
            Some("zope-interface")
        );
        assert_eq!(requirement_name("  # comment"), None);
        assert_eq!(requirement_name("-r base.txt"), None);
        assert_eq!(requirement_name("git+https://x/y.git"), None);
    }

    #[test]
    fn reads_setup_names() {
        assert_eq!(
            setup_py_name("setup(\n    name='web-app',\n)").as_deref(),
            Some("web-app")
        );
        assert_eq!(
            setup_cfg_name("[metadata]\nname = tool\n[options]\nname = x").as_deref(),
            Some("tool")
        );
    }
}
