//! `shipgate init`: scaffold shipgate.yaml, a hardened Dockerfile and .dockerignore.

use shipgate_core::Exit;
use shipgate_core::output::Output;

use crate::{Error, InitArgs};

pub(crate) fn run(args: &InitArgs) -> Result<Exit, Error> {
    let output = Output::from_env();
    if !args.dir.is_dir() {
        return Err(Error::Usage {
            message: format!("{} is not a directory", args.dir.display()),
            hint: Some("pass --dir with the repository to scaffold".to_owned()),
        });
    }
    let detection = shipgate_render::scaffold::detect(&args.dir)?;
    output.human(&format!(
        "detected {} project `{}`{}",
        detection.kind,
        detection.name,
        detection
            .server
            .as_ref()
            .map(|server| format!(" ({server})"))
            .unwrap_or_default()
    ));
    let files = shipgate_render::scaffold::scaffold(&detection)?;
    let mut kept = 0;
    for file in &files {
        let target = args.dir.join(&file.path);
        if target.exists() && !args.force {
            kept += 1;
            output.human(&format!(
                "kept {} (it exists; --force overwrites it)",
                target.display()
            ));
            continue;
        }
        if let Some(parent) = target.parent() {
            fs_err::create_dir_all(parent).map_err(Error::io("cannot create a directory"))?;
        }
        fs_err::write(&target, &file.contents)
            .map_err(Error::io("cannot write a scaffold file"))?;
        output.human(&format!("wrote {}", target.display()));
    }
    let spec_path = args.dir.join(shipgate_spec::DEFAULT_SPEC_FILE);
    shipgate_spec::load(&spec_path)?;
    if kept == files.len() {
        output.human("nothing written: every file exists already");
    } else {
        output.human(&format!(
            "next: review {}, then run `shipgate render --dir {}`",
            spec_path.display(),
            args.dir.display()
        ));
    }
    Ok(Exit::Pass)
}
