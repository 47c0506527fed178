//! Hover: what the thing under the cursor means, as markdown.

use super::facts::Ctx;
use std::ops::Range;

mod commit;
mod evidence;
mod fields;
mod refs;
mod section;
mod ticket;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    /// The text the hover is about.
    pub range: Range<usize>,
    pub markdown: String,
}

/// The hover at `offset`, if there is something to say. A commit SHA the repository
/// knows about wins over the explanation of the Header field it stands in; a `##`
/// heading shows what the template asks of its section.
pub fn hover(ctx: &Ctx, offset: usize) -> Option<Hover> {
    commit::commit_hover(ctx, offset)
        .or_else(|| fields::field_hover(ctx, offset))
        .or_else(|| refs::reference_hover(ctx, offset))
        .or_else(|| evidence::evidence_hover(ctx, offset))
        .or_else(|| ticket::ticket_hover(ctx, offset))
        .or_else(|| section::section_hover(ctx, offset))
}

/// Whether `offset` falls inside `r` (ends included, so a cursor just after a word counts).
pub(crate) fn touches(r: &Range<usize>, offset: usize) -> bool {
    r.start <= offset && offset <= r.end
}
