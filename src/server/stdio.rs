//! Standard input and output, each on one dedicated thread. Tokio's own `stdin()` and
//! `stdout()` hand every read, write and flush to its blocking pool, a thread hop (and a
//! wake-up) for each; on a keystroke that was a large part of the round trip. Here one thread
//! blocks in `read` and one in `write`, and the async side only passes buffers over channels.

use std::io::{Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll};
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

/// Standard output, written by its own thread: each write is queued (never blocking the
/// async side) and the thread flushes once the queue is empty. The receiver hears when
/// everything queued before the [`Output`] was dropped is written (or can no longer be).
pub fn stdout() -> (Output, std::sync::mpsc::Receiver<()>) {
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let (done, drained) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("stdout".into())
        .spawn(move || {
            let mut stdout = std::io::stdout().lock();
            // Said on every way out, so a waiting exit never waits for nothing.
            let _done = Signal(done);
            while let Ok(first) = rx.recv() {
                let mut written = stdout.write_all(&first);
                while let (Ok(()), Ok(more)) = (&written, rx.try_recv()) {
                    written = stdout.write_all(&more);
                }
                if written.and_then(|()| stdout.flush()).is_err() {
                    return;
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!("cannot start the stdout thread: {e}");
    }
    (Output { tx }, drained)
}

/// Sends `()` when dropped.
struct Signal(std::sync::mpsc::Sender<()>);

impl Drop for Signal {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

/// The async side of [`stdout`]; writes fail once the thread stopped (the client is gone).
pub struct Output {
    tx: std::sync::mpsc::Sender<Vec<u8>>,
}

impl AsyncWrite for Output {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Poll::Ready(match self.tx.send(buf.to_vec()) {
            Ok(()) => Ok(buf.len()),
            Err(_) => Err(std::io::ErrorKind::BrokenPipe.into()),
        })
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        // The thread flushes whenever it has written everything queued.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
