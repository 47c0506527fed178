//! TODO(helper): the LSP server.

use std::process::ExitCode;

/// Serves LSP on stdin/stdout until `exit` or until stdin closes.
pub fn run_stdio() -> ExitCode {
    ExitCode::FAILURE
}
