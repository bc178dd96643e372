//! `shipgate render`: write (or check) the CI files a spec describes.

use shipgate_core::Exit;
use shipgate_core::generated;
use shipgate_core::output::Output;
use shipgate_render::RenderOptions;

use super::relative_to;
use crate::{Error, RenderArgs};

pub(crate) fn run(args: &RenderArgs) -> Result<Exit, Error> {
    let output = Output::from_env();
    let loaded = shipgate_spec::load(&args.spec.spec)?;
    let spec_path = relative_to(&args.spec.spec, &args.dir).ok_or_else(|| Error::Usage {
        message: format!(
            "the spec {} is not inside the repository directory {}",
            args.spec.spec.display(),
            args.dir.display()
        ),
        hint: Some("pass --dir with the repository root that holds the spec".to_owned()),
    })?;
    let files = shipgate_render::render_ci(
        &loaded.spec,
        &RenderOptions {
            spec_path: spec_path.clone(),
        },
    )?;
    if args.check {
        let stale = generated::check_all(&args.dir, &files)
            .map_err(Error::io("cannot read the rendered files"))?;
        if stale.is_empty() {
            output.human(&format!("{} CI file(s) are up to date", files.len()));
            return Ok(Exit::Pass);
        }
        for file in &stale {
            output.stdout(&file.diff);
            output.human(&format!("{} is out of date", file.path.display()));
        }
        output.human(&format!(
            "hint: regenerate with: shipgate render --spec {spec_path}"
        ));
        return Ok(Exit::GateFailed);
    }
    let changed = generated::write_all(&args.dir, &files)
        .map_err(Error::io("cannot write the rendered files"))?;
    for file in &files {
        let state = if changed.contains(&file.path) {
            "wrote"
        } else {
            "unchanged"
        };
        output.human(&format!("{state} {}", args.dir.join(&file.path).display()));
    }
    Ok(Exit::Pass)
}
