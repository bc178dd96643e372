//! Renders CI files and repository scaffolds from a shipgate spec.
//!
//! Templates live in the repository's `templates/` folder and are embedded in the binary,
//! so an installed `shipgate` needs no files beside it. Handlebars runs in strict mode with
//! HTML escaping off; every user value goes through the `yaml` quoting helper.

pub mod engine;
pub mod github;
pub mod gitlab;
pub mod pins;
pub mod scaffold;

pub use engine::{Error, GeneratedFile, RenderOptions, render_ci};
