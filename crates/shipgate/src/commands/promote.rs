//! `shipgate promote`: copy an image by digest between registries with every referrer.
//! The work is done by `shipgate_oci::promote`; this module parses and reports.

use shipgate_core::Exit;
use shipgate_core::output::Output;

use super::push::{Progress, client, finish, options};
use crate::{Error, PromoteArgs};

pub(crate) fn run(args: &PromoteArgs) -> Result<Exit, Error> {
    let source = shipgate_oci::parse_destination(&args.source)?;
    let destination = shipgate_oci::parse_destination(&args.destination)?;
    let output = Output::from_env().with_json_file(args.output.clone());
    let client = client(&args.registry, &output)?;
    let progress = Progress::new(&output);
    let report = progress.run(|events| {
        shipgate_oci::promote(
            &client,
            &source,
            &destination,
            options(&args.registry, events),
        )
    })?;
    finish(&output, args.format, &report);
    Ok(Exit::Pass)
}
