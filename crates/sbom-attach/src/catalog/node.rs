//! The `node` cataloger (not written yet).

use super::Cataloger;

/// The catalogers of this module.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    Vec::new()
}
