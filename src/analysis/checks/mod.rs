//! The checks, one function per rule. Each takes the shared [`Ctx`] and returns what it found.

use super::Diagnostic;
use super::facts::Ctx;

mod commits;
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

/// Every check, in the order its results are most useful to read.
pub const ALL: &[Check] = &[
    sections::missing_section,
    sections::duplicate_section,
    sections::section_order,
    sections::empty_section,
    unfilled::unfilled_section,
    header::missing_field,
    header::field_values,
    times::time_order,
    times::duration_mismatch,
    times::date_mismatch,
    times::future_time,
    file_name::file_name,
    timeline::timeline_format,
    timeline::timeline_order,
    timeline::timeline_missing_event,
    prose::placeholder,
    prose::smoke_test_step,
    prose::human_error,
    prose::missing_rollback_sha,
    prevention::missing_ticket,
    prevention::invalid_owner,
    prevention::target_date,
    references::broken_reference,
    commits::commit_exists,
    commits::rollback_target,
    commits::deploy_after_detection,
];
