//! `shipgate plan`: buildx-plan on the spec's `image` and `build` sections.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use buildx_plan::{OutputOptions, SpecOptions};
use shipgate_core::Exit;
use shipgate_core::output::Output;

use crate::{Error, Format, PlanArgs};

pub(crate) fn run(args: &PlanArgs) -> Result<Exit, Error> {
    let env: HashMap<String, String> = std::env::vars().collect();
    let output = Output::from_env()
        .with_json_file(args.output.clone())
        .with_dotenv(args.dotenv.clone());
    run_with(args, &env, &output)
}

fn run_with(
    args: &PlanArgs,
    env: &HashMap<String, String>,
    output: &Output,
) -> Result<Exit, Error> {
    let loaded = shipgate_spec::load(&args.spec.spec)?;
    let given = args
        .repo_metadata
        .as_deref()
        .map(buildx_plan::read_repo_metadata)
        .transpose()?;
    let platforms = args
        .platforms
        .as_deref()
        .map(|list| {
            list.split([',', '\n'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|list| !list.is_empty());
    let options = SpecOptions {
        repo: buildx_plan::repo_metadata(given, !args.no_github_api, env, output),
        created: args.created,
        pr_head_sha: args.pr_head_sha,
        platforms,
        bake_target: Some(args.bake_target.clone()),
        github_api: !args.no_github_api,
    };
    let plan =
        buildx_plan::plan_from_spec(&loaded.spec, &base_dir(&loaded.base_dir), &options, env)?;
    let outputs = OutputOptions {
        format: match args.format {
            Format::Human => buildx_plan::Format::Human,
            Format::Json => buildx_plan::Format::Json,
        },
        sep_tags: "\n".to_owned(),
        sep_labels: "\n".to_owned(),
        sep_annotations: "\n".to_owned(),
        bake_file: args.bake_file.clone(),
        bake_dir: args.bake_dir.clone(),
        allow_empty: args.allow_empty,
    };
    Ok(buildx_plan::write_outputs(&plan, output, &outputs, env)?)
}

/// The spec's directory as the plan resolves paths against it: `.` for a spec in the
/// current directory, so the bake file says `context: "."` rather than an empty path.
fn base_dir(dir: &Path) -> PathBuf {
    if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir.to_owned()
    }
}
