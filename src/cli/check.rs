//! TODO(helper): `postmortem-lsp check`.

use super::CheckArgs;

/// Runs `check` and returns the exit code.
pub fn run(_args: &CheckArgs) -> u8 {
    2
}
