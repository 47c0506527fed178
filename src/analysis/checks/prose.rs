//! TODO(helper): checks in this file.

use crate::analysis::Diagnostic;
use crate::analysis::facts::Ctx;

pub fn placeholder(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}

pub fn smoke_test_step(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}

pub fn human_error(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}

pub fn missing_rollback_sha(_ctx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}
