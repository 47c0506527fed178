//! TODO(helper): checks in this file.

use crate::analysis::Diagnostic;
use crate::analysis::facts::Ctx;

pub fn missing_ticket(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}

pub fn invalid_owner(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}

pub fn target_date(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}
