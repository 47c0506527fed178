//! Standard input and output, each on one dedicated thread. Tokio's own `stdin()` and
//! `stdout()` hand every read, write and flush to its blocking pool, a thread hop (and a
//! wake-up) for each; on a keystroke that was a large part of the round trip. Here one thread
//! blocks in `read` and one in `write`, and the async side only passes buffers over channels.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc;

/// Standard input, read by its own thread into buffers of up to 64 KiB (at most 16 waiting,
/// so a client that sends faster than the server reads is held back, not stored).
pub fn stdin() -> Input {
    let (tx, rx) = mpsc::channel::<Vec<u8>>(16);
    let spawned = std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || {
            let mut stdin = std::io::stdin().lock();
            let mut buf = vec![0; 64 << 10];
            loop {
                match stdin.read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => {
                        if tx.blocking_send(buf[..n].to_vec()).is_err() {
                            return;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => return,
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!("cannot start the stdin thread: {e}");
    }
    Input {
        rx,
        pending: Vec::new(),
        at: 0,
    }
}

/// The async side of [`stdin`]; the end of input when the thread stops.
pub struct Input {
    rx: mpsc::Receiver<Vec<u8>>,
    pending: Vec<u8>,
    at: usize,
}

impl AsyncRead for Input {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.at == self.pending.len() {
            match self.rx.poll_recv(cx) {
                Poll::Ready(Some(chunk)) => {
                    self.pending = chunk;
                    self.at = 0;
                }
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
        let n = buf.remaining().min(self.pending.len() - self.at);
        let at = self.at;
        buf.put_slice(&self.pending[at..at + n]);
        self.at += n;
        Poll::Ready(Ok(()))
    }
}

/// At most this many bytes wait for the stdout thread (those being written included); past
/// it, writes wait, as they would on a full pipe, so a client that does not read holds the
/// server back instead of making it store everything it would have sent.
const QUEUED_BYTES: usize = 1 << 20;

/// What the async side and the stdout thread share.
#[derive(Default)]
struct Queue {
    chunks: VecDeque<Vec<u8>>,
    /// Bytes queued or being written.
    bytes: usize,
    /// The writer waiting for room.
    waker: Option<Waker>,
    /// The async side is gone: write what is queued, then stop.
    closed: bool,
    /// The thread stopped (the client is gone): writes fail.
    stopped: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    /// Rung when chunks arrive or the async side is gone.
    ready: Condvar,
}

impl Shared {
    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Standard output, written by its own thread: each write is queued (up to
/// [`QUEUED_BYTES`]) and the thread flushes once the queue is empty. The receiver hears when
/// everything queued before the [`Output`] was dropped is written (or can no longer be).
pub fn stdout() -> (Output, std::sync::mpsc::Receiver<()>) {
    let shared = Arc::new(Shared {
        queue: Mutex::default(),
        ready: Condvar::new(),
    });
    let (done, drained) = std::sync::mpsc::channel();
    let thread_side = shared.clone();
    let spawned = std::thread::Builder::new()
        .name("stdout".into())
        .spawn(move || {
            // Said on every way out, so a waiting exit never waits for nothing.
            let _done = Signal(done);
            let _stopped = Stopped(thread_side.clone());
            write_queued(&thread_side);
        });
    if let Err(e) = spawned {
        tracing::error!("cannot start the stdout thread: {e}");
        shared.queue().stopped = true;
    }
    (Output { shared }, drained)
}

/// The stdout thread: writes the queued chunks until the async side is gone and the queue
/// empty, or a write fails.
fn write_queued(shared: &Shared) {
    let mut stdout = std::io::stdout().lock();
    loop {
        let chunks = {
            let mut queue = shared.queue();
            while queue.chunks.is_empty() && !queue.closed {
                queue = shared.ready.wait(queue).unwrap_or_else(|e| e.into_inner());
            }
            if queue.chunks.is_empty() {
                return;
            }
            std::mem::take(&mut queue.chunks)
        };
        let mut written = 0;
        for chunk in &chunks {
            if stdout.write_all(chunk).is_err() {
                return;
            }
            written += chunk.len();
        }
        let mut queue = shared.queue();
        queue.bytes -= written;
        if let Some(waker) = queue.waker.take() {
            waker.wake();
        }
        let idle = queue.chunks.is_empty();
        drop(queue);
        if idle && stdout.flush().is_err() {
            return;
        }
    }
}

/// Sends `()` when dropped.
struct Signal(std::sync::mpsc::Sender<()>);

impl Drop for Signal {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

/// Marks the thread stopped when dropped, waking a writer waiting for room.
struct Stopped(Arc<Shared>);

impl Drop for Stopped {
    fn drop(&mut self) {
        let mut queue = self.0.queue();
        queue.stopped = true;
        if let Some(waker) = queue.waker.take() {
            waker.wake();
        }
    }
}

/// The async side of [`stdout`]; writes fail once the thread stopped (the client is gone).
pub struct Output {
    shared: Arc<Shared>,
}

impl AsyncWrite for Output {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let mut queue = self.shared.queue();
        if queue.stopped {
            return Poll::Ready(Err(std::io::ErrorKind::BrokenPipe.into()));
        }
        if queue.bytes >= QUEUED_BYTES {
            queue.waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = buf.len().min(QUEUED_BYTES - queue.bytes);
        queue.chunks.push_back(buf[..n].to_vec());
        queue.bytes += n;
        drop(queue);
        self.shared.ready.notify_one();
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        // The thread flushes whenever it has written everything queued.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        self.shared.queue().closed = true;
        self.shared.ready.notify_one();
    }
}
