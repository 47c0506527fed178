//! TODO(helper): checks in this file.

use crate::analysis::Diagnostic;
use crate::analysis::facts::Ctx;

pub fn timeline_format(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}

pub fn timeline_order(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}

pub fn timeline_missing_event(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}
