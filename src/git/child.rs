//! Every git child the process starts: registered while it lives, so that none outlives the
//! server ([`kill_all`]), and given a deadline ([`TIMEOUT`]) after which it is killed and
//! reaped and the caller gets no answer.
//!
//! A repository can make git hang (an `include.path` in `.git/config` naming a FIFO blocks
//! every git command while it reads its configuration), so no caller may wait for git
//! without a deadline.

use std::collections::BTreeMap;
use std::io::Read;
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The longest any git run, or any one answer of a long-lived child, is waited for.
pub const TIMEOUT: Duration = Duration::from_secs(2);

/// Output kept from one run; the rest is read and dropped (our commands print far less).
const MAX_OUTPUT: u64 = 16 << 20;

type Shared = Arc<Mutex<Child>>;

/// The live children, by registration number.
static LIVE: Mutex<BTreeMap<u64, Shared>> = Mutex::new(BTreeMap::new());
static NEXT: AtomicU64 = AtomicU64::new(0);
/// Set by [`kill_all`]: no git is started after it.
static CLOSED: AtomicBool = AtomicBool::new(false);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A registered child. Dropping it kills and reaps the child.
pub struct Live {
    id: u64,
    child: Shared,
    pub stdin: Option<ChildStdin>,
    pub stdout: Option<ChildStdout>,
    pub stderr: Option<ChildStderr>,
}

impl Live {
    /// Starts `cmd` and registers it. `None` when it cannot start, or after [`kill_all`].
    pub fn spawn(cmd: &mut Command) -> Option<Live> {
        // Spawned under the registry's lock, so `kill_all` cannot miss a child started
        // while it runs.
        let mut live = lock(&LIVE);
        if CLOSED.load(Ordering::SeqCst) {
            return None;
        }
        let mut child = cmd.spawn().ok()?;
        let (stdin, stdout, stderr) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take());
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        let child = Arc::new(Mutex::new(child));
        live.insert(id, child.clone());
        Some(Live {
            id,
            child,
            stdin,
            stdout,
            stderr,
        })
    }

    /// Waits for the child to end until `deadline`; past it the child is killed, reaped,
    /// and `None` is returned.
    pub fn finish(&self, deadline: Instant) -> Option<ExitStatus> {
        let mut pause = Duration::from_millis(1);
        loop {
            match lock(&self.child).try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) => {}
                Err(_) => return None,
            }
            let now = Instant::now();
            if now >= deadline {
                return None; // killed and reaped on drop
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        {
            let mut child = lock(&self.child);
            let _ = child.kill();
            let _ = child.wait();
        }
        lock(&LIVE).remove(&self.id);
    }
}

/// Runs `cmd` (stdin and stderr already set) to completion within [`TIMEOUT`]:
/// `Some((succeeded, stdout))`, or `None` when it could not start or did not finish in time
/// (then it was killed and reaped).
pub fn run(cmd: &mut Command) -> Option<(bool, Vec<u8>)> {
    run_within(cmd, TIMEOUT)
}

/// [`run`] with another deadline: for the few runs whose work grows with the repository
/// (listing a large index for `check --staged`), which a fixed 2 s could cut short.
pub fn run_within(cmd: &mut Command, timeout: Duration) -> Option<(bool, Vec<u8>)> {
    cmd.stdout(Stdio::piped());
    collect(cmd, timeout, |live| Some(Box::new(live.stdout.take()?)))
}

/// [`run`], keeping what the child writes to stderr instead of stdout: for telling the
/// user why git refused a repository.
pub fn run_stderr(cmd: &mut Command) -> Option<(bool, Vec<u8>)> {
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    collect(cmd, TIMEOUT, |live| Some(Box::new(live.stderr.take()?)))
}

/// Runs `cmd` within `timeout`, reading at most [`MAX_OUTPUT`] of the stream `take` picks.
fn collect(
    cmd: &mut Command,
    timeout: Duration,
    take: impl FnOnce(&mut Live) -> Option<Box<dyn Read + Send>>,
) -> Option<(bool, Vec<u8>)> {
    let deadline = Instant::now() + timeout;
    let mut live = Live::spawn(cmd)?;
    let stream = take(&mut live)?;
    // Read on a thread so the wait has a deadline; the thread ends when the pipe closes,
    // which killing the child does.
    let (tx, rx) = sync_channel(1);
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut stream = stream;
        let ok = (&mut stream).take(MAX_OUTPUT).read_to_end(&mut out).is_ok()
            && std::io::copy(&mut stream, &mut std::io::sink()).is_ok();
        let _ = tx.send(ok.then_some(out));
    });
    let out = rx
        .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        .ok()
        .flatten();
    let status = live.finish(deadline);
    match (out, status) {
        (Some(out), Some(status)) => Some((status.success(), out)),
        _ => {
            tracing::warn!("git did not answer within {timeout:?}; it was stopped: {cmd:?}");
            None
        }
    }
}

/// Kills and reaps every live git child, and starts no more: for the server's way out.
pub fn kill_all() {
    let live = {
        let mut live = lock(&LIVE);
        CLOSED.store(true, Ordering::SeqCst);
        std::mem::take(&mut *live)
    };
    for child in live.values() {
        let mut child = lock(child);
        let _ = child.kill();
        let _ = child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script])
            .stdin(Stdio::null())
            .stderr(Stdio::null());
        cmd
    }

    #[test]
    fn a_run_that_finishes_gives_its_status_and_output() {
        assert_eq!(run(&mut sh("echo hi")), Some((true, b"hi\n".to_vec())));
        assert_eq!(
            run(&mut sh("echo no; exit 3")),
            Some((false, b"no\n".to_vec()))
        );
    }

    #[test]
    fn a_run_that_hangs_is_killed_within_the_timeout() {
        let started = Instant::now();
        // Output first, then a hang: the answer still waits for the end, and gets none.
        assert_eq!(run(&mut sh("echo partial; exec sleep 30")), None);
        let took = started.elapsed();
        assert!(
            took >= TIMEOUT && took < TIMEOUT + Duration::from_secs(1),
            "{took:?}"
        );
        // A child that closes its output but keeps running is no different.
        assert_eq!(run(&mut sh("exec >&-; exec sleep 30")), None);
    }
}
