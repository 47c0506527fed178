//! TODO(helper): checks in this file.

use crate::analysis::Diagnostic;
use crate::analysis::facts::Ctx;

pub fn broken_reference(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}
