//! `shipgate schema`: print the JSON Schema of shipgate.yaml.

use shipgate_core::Exit;
use shipgate_core::output::Output;

use crate::{Error, SchemaArgs};

pub(crate) fn run(args: &SchemaArgs) -> Result<Exit, Error> {
    let text = shipgate_spec::json_schema_text();
    match &args.output {
        Some(path) => {
            fs_err::write(path, text).map_err(Error::io("cannot write the schema"))?;
            Output::from_env().human(&format!("wrote {}", path.display()));
        }
        None => Output::from_env().stdout(&text),
    }
    Ok(Exit::Pass)
}
