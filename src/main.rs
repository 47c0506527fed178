//! The `postmortem-lsp` binary: hands the command line to [`postmortem_lsp::cli`].

fn main() -> std::process::ExitCode {
    postmortem_lsp::cli::main()
}
