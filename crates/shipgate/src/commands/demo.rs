//! `shipgate demo`: the whole flow on the bundled example repository.
//!
//! For now the flow is scaffold → validate → render; later stages (build, SBOM, scan,
//! sign, push, deploy) join as their binaries land.

use std::path::Path;

use include_dir::{Dir, include_dir};
use shipgate_core::Exit;
use shipgate_core::generated;
use shipgate_core::output::Output;
use shipgate_render::RenderOptions;

use crate::{DemoArgs, Error};

/// The example repository the demo runs on, embedded so an installed binary needs no files.
static EXAMPLE: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../examples/rust-service");

/// A file that marks a directory as a demo's output, which a later demo may replace.
const MARKER: &str = ".shipgate-demo";

/// Name of the embedded example, as shown to the user.
const EXAMPLE_NAME: &str = "examples/rust-service";

pub(crate) fn run(args: &DemoArgs) -> Result<Exit, Error> {
    let output = Output::from_env();
    let out = &args.out;
    if out.join(MARKER).is_file() {
        // A previous demo's output: start again from scratch.
        fs_err::remove_dir_all(out).map_err(Error::io("cannot clear the previous demo"))?;
    } else if out.exists()
        && fs_err::read_dir(out)
            .map_err(Error::io("cannot read the demo directory"))?
            .next()
            .is_some()
    {
        return Err(Error::Usage {
            message: format!(
                "{} exists, is not empty and is not a previous demo",
                out.display()
            ),
            hint: Some("pass --out with a new directory".to_owned()),
        });
    }

    output.human(&format!(
        "1. scaffold: copy {EXAMPLE_NAME} to {}",
        out.display()
    ));
    write_dir(&EXAMPLE, out)?;
    fs_err::write(
        out.join(MARKER),
        "written by `shipgate demo`; the next demo run replaces this directory\n",
    )
    .map_err(Error::io("cannot write the demo marker"))?;

    let spec_path = out.join(shipgate_spec::DEFAULT_SPEC_FILE);
    output.human(&format!("2. validate: {}", spec_path.display()));
    let loaded = shipgate_spec::load(&spec_path)?;
    output.human(&format!(
        "   valid: image {}, platforms {}",
        loaded.spec.image.repositories().join(", "),
        loaded.spec.image.platforms.join(", ")
    ));

    output.human("3. render: CI files from the spec");
    let files = shipgate_render::render_ci(
        &loaded.spec,
        &RenderOptions {
            spec_path: shipgate_spec::DEFAULT_SPEC_FILE.to_owned(),
        },
    )?;
    generated::write_all(out, &files).map_err(Error::io("cannot write the rendered files"))?;
    for file in &files {
        output.human(&format!("   wrote {}", out.join(&file.path).display()));
    }
    for file in &files {
        output.stdout(&format!(
            "==> {} <==\n{}",
            out.join(&file.path).display(),
            file.contents
        ));
    }
    output.human(&format!(
        "done: the example repository and its CI files are in {}",
        out.display()
    ));
    Ok(Exit::Pass)
}

fn write_dir(dir: &Dir<'_>, out: &Path) -> Result<(), Error> {
    fs_err::create_dir_all(out).map_err(Error::io("cannot create the demo directory"))?;
    for file in dir.files() {
        let target = out.join(file.path());
        if let Some(parent) = target.parent() {
            fs_err::create_dir_all(parent).map_err(Error::io("cannot create a directory"))?;
        }
        fs_err::write(&target, file.contents()).map_err(Error::io("cannot write a demo file"))?;
    }
    for sub in dir.dirs() {
        write_dir(sub, out)?;
    }
    Ok(())
}
