//! TODO(helper): checks in this file.

use crate::analysis::Diagnostic;
use crate::analysis::facts::Ctx;

pub fn missing_field(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}

pub fn field_values(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}
