//! The checks, one function per rule. Each takes the shared [`Ctx`] and returns what it found.

use super::Diagnostic;
use super::facts::Ctx;

mod blame;
mod commits;
mod evidence;
mod file_name;
mod header;
mod prevention;
mod prose;
mod references;
mod sections;
mod timeline;
mod times;
mod unfilled;

#[cfg(test)]
pub(crate) mod fixture;
#[cfg(test)]
pub(crate) use commits::tests as commit_fixture;

pub type Check = fn(&Ctx) -> Vec<Diagnostic>;

pub use references::look_up as look_up_references;

/// Every check: the document-level ones, the local ones and `broken-reference` (whose
/// references are found per block, as the local checks, and looked up every time).
pub fn all() -> impl Iterator<Item = Check> {
    let references: Check = references::broken_reference;
    DOCUMENT.iter().chain(LOCAL).copied().chain([references])
}

/// The checks whose findings in one block (the preamble or a section, heading included)
/// depend only on that block's text, which template section it is and whether it is the
/// first of its kind, where the Header table stands in it, and the document's few
/// Header values in [`crate::analysis::incremental`]'s summary. Each also reports nothing
/// outside the block a scoped [`Ctx`] gives it. These are the per-row checks of a long
/// document, so they run once per changed block and their results are cached.
pub const LOCAL: &[Check] = &[
    unfilled::unfilled_section,
    timeline::timeline_format,
    timeline::timeline_order,
    timeline::timeline_missing_event,
    prose::placeholder,
    prevention::missing_ticket,
    prevention::invalid_owner,
    prevention::target_date,
];

/// The checks that look across the document. They read the Header, the list of sections
/// and a few small sections, so they stay cheap and run in full every time.
/// (`broken-reference` is in neither list: its references are found per block, as the
/// local checks, and looked up in the workspace every time.)
pub const DOCUMENT: &[Check] = &[
    sections::missing_section,
    sections::duplicate_section,
    sections::section_order,
    sections::empty_section,
    header::missing_field,
    header::field_values,
    times::time_order,
    times::duration_mismatch,
    times::date_mismatch,
    times::future_time,
    file_name::file_name,
    prose::smoke_test_step,
    blame::human_error,
    prose::missing_rollback_sha,
    evidence::evidence_time,
    commits::commit_exists,
    commits::rollback_target,
    commits::deploy_after_detection,
];
