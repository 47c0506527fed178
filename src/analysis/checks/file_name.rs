//! TODO(helper): checks in this file.

use crate::analysis::Diagnostic;
use crate::analysis::facts::Ctx;

pub fn file_name(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}
