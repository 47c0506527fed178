//! `postmortem-lsp hook install`: writes a plain git pre-commit hook that checks the staged
//! post-mortems, for teams that do not use the pre-commit framework.

use crate::git::command::Git;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Exit code for "could not do it as asked" (an existing hook, no repository), matching
/// `check`'s usage-error code.
const REFUSED: u8 = 2;

/// Installs the hook in the repository holding the current directory. Never replaces an
/// existing hook unless `force` is set, because that hook may be someone's own work.
pub fn install(force: bool) -> u8 {
    let target = match hook_path() {
        Ok(path) => path,
        Err(e) => {
            eprintln!("postmortem-lsp hook install: {e}");
            return REFUSED;
        }
    };
    if target.exists() && !force {
        eprintln!(
            "postmortem-lsp hook install: {} already exists and was left as it is.\n\
             Add the line `postmortem-lsp check --staged` to it yourself, or run \
             `postmortem-lsp hook install --force` to replace it.",
            target.display()
        );
        return REFUSED;
    }
    match write_hook(&target, &script(&binary())) {
        Ok(()) => {
            println!(
                "Installed {}: each commit now checks its staged post-mortems \
                 (skip once with `git commit --no-verify`).",
                target.display()
            );
            0
        }
        Err(e) => {
            eprintln!(
                "postmortem-lsp hook install: could not write {}: {e}",
                target.display()
            );
            REFUSED
        }
    }
}

/// Where git runs the pre-commit hook from. Asking git (rather than assuming `.git/hooks`)
/// gets worktrees, where `.git` is a file, and `core.hooksPath` right.
///
/// Git runs sandboxed and with a deadline, like every other git run (see
/// [`crate::git::command`]).
fn hook_path() -> Result<PathBuf, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("no current folder: {e}"))?;
    let (ok, stdout) = Git::for_hook_path(&cwd)
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

fn write_hook(target: &Path, script: &str) -> std::io::Result<()> {
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::File::create(target)?;
    file.write_all(script.as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(target, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
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
