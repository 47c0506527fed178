//! `postmortem-lsp hook install`: writes a plain git pre-commit hook that checks the staged
//! post-mortems, for teams that do not use the pre-commit framework.

use crate::git::command::Git;
use crate::scaffold;
use std::path::{Path, PathBuf};

/// Exit code for "could not do it as asked" (an existing hook, no repository), matching
/// `check`'s usage-error code.
const REFUSED: u8 = 2;

/// Installs the hook in the repository holding the current directory. Never replaces an
/// existing hook unless `force` is set, because that hook may be someone's own work.
///
/// The repository's `.git/config` is untrusted: its `core.hooksPath` may name any folder
/// (`~/.local/bin`, say), and `hooks/pre-commit` may be a symbolic link leading out. The hook
/// is written only inside the repository's work tree or git folder by real path, as a new
/// file (`O_EXCL | O_NOFOLLOW`); `--force` removes what is there first (a link itself, never
/// what it points at).
pub fn install(force: bool) -> u8 {
    match place(force) {
        Ok(target) => {
            println!(
                "Installed {}: each commit now checks its staged post-mortems \
                 (skip once with `git commit --no-verify`).",
                target.display()
            );
            0
        }
        Err(e) => {
            eprintln!("postmortem-lsp hook install: {e}");
            REFUSED
        }
    }
}

fn place(force: bool) -> Result<PathBuf, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("no current folder: {e}"))?;
    let repo = crate::git::discover(&cwd).ok_or(
        "this is not inside a git repository (or git did not answer, or the repository's \
         git folder lies outside it); run it from the repository's folder",
    )?;
    let target = hook_path(&cwd)?;
    let inside = scaffold::check_inside(&repo.top, &target)
        .or_else(|_| scaffold::check_inside(&repo.common_dir, &target));
    if inside.is_err() {
        return Err(format!(
            "git would run the hook from {}, outside the repository at {} (its \
             `core.hooksPath`, or a symbolic link); nothing was written. Add the line \
             `postmortem-lsp check --staged` to that hook yourself if you trust it.",
            target.display(),
            repo.top.display()
        ));
    }
    let root = if scaffold::check_inside(&repo.top, &target).is_ok() {
        &repo.top
    } else {
        &repo.common_dir
    };
    // A dangling link counts as there: `exists` would follow it and say no.
    if std::fs::symlink_metadata(&target).is_ok() {
        if !force {
            return Err(format!(
                "{} already exists and was left as it is.\n\
                 Add the line `postmortem-lsp check --staged` to it yourself, or run \
                 `postmortem-lsp hook install --force` to replace it.",
                target.display()
            ));
        }
        std::fs::remove_file(&target)
            .map_err(|e| format!("could not replace {}: {e}", target.display()))?;
    }
    scaffold::write_new_with_mode(root, &target, &script(&binary()), 0o755)
        .map_err(|e| format!("could not write the hook: {e}"))?;
    Ok(target)
}

/// Where git runs the pre-commit hook from. Asking git (rather than assuming `.git/hooks`)
/// gets worktrees, where `.git` is a file, and `core.hooksPath` right.
///
/// Git runs sandboxed and with a deadline, like every other git run (see
/// [`crate::git::command`]).
fn hook_path(cwd: &Path) -> Result<PathBuf, String> {
    let (ok, stdout) = Git::for_hook_path(cwd)
        .arg("rev-parse")
        .arg("--git-path")
        .arg("hooks/pre-commit")
        .output()
        .ok_or("could not run git, or it did not answer within 2 s; is it installed?")?;
    if !ok {
        return Err(
            "this is not inside a git repository; run it from the repository's folder".into(),
        );
    }
    let rel = String::from_utf8(stdout)
        .map_err(|_| "git printed a hook path that is not UTF-8".to_string())?;
    let path = PathBuf::from(rel.trim_end_matches(['\n', '\r']));
    // git prints the path relative to the current directory unless it is elsewhere.
    Ok(cwd.join(path))
}

/// The binary the hook calls: this one, by absolute path, so the hook also works from GUI
/// git clients whose PATH lacks ~/.cargo/bin.
fn binary() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.to_str().map(str::to_owned))
        .unwrap_or_else(|| "postmortem-lsp".to_owned())
}

/// Quotes `s` for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The hook script. It runs `check --staged`, which checks what the commit records (the
/// index, or the temporary index `git commit -a` hands the hook), not the working tree, and
/// costs one `git diff` when the commit touches no post-mortem.
pub fn script(binary: &str) -> String {
    format!(
        r#"#!/bin/sh
# Installed by `postmortem-lsp hook install`: checks the post-mortems staged for this commit,
# as staged (not as they are on disk). Skip it once with `git commit --no-verify`; delete
# this file to remove it.
PM=${{POSTMORTEM_LSP:-{binary}}}
[ -x "$PM" ] || PM=postmortem-lsp
exec "$PM" check --staged
"#,
        binary = shell_quote(binary)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_a_quote_in_the_path() {
        assert_eq!(shell_quote("/a b/it's"), r"'/a b/it'\''s'");
    }

    #[test]
    fn the_script_names_the_binary_and_only_staged_postmortems() {
        let s = script("/opt/pm/postmortem-lsp");
        assert!(s.starts_with("#!/bin/sh\n"));
        assert!(s.contains("PM=${POSTMORTEM_LSP:-'/opt/pm/postmortem-lsp'}"));
        assert!(s.contains("exec \"$PM\" check --staged\n"));
        assert!(!s.contains("{binary}"));
    }
}
