//! The `postmortem-lsp` binary: hands the command line to [`postmortem_lsp::cli`].

fn main() -> std::process::ExitCode {
    let code = postmortem_lsp::cli::main();
    // A git stuck past its deadline (a FIFO in `include.path`) must not outlive the command.
    postmortem_lsp::git::kill_all();
    code
}
