//! TODO(helper): checks in this file.

use crate::analysis::Diagnostic;
use crate::analysis::facts::Ctx;

pub fn time_order(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}

pub fn duration_mismatch(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}

pub fn date_mismatch(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}

pub fn future_time(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}
