//! TODO(helper): checks in this file.

use crate::analysis::Diagnostic;
use crate::analysis::facts::Ctx;

pub fn missing_section(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}

pub fn duplicate_section(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}

pub fn section_order(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}

pub fn empty_section(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}
