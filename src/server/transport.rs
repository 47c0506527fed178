//! The guard between the client's byte stream and tower-lsp-server: frames are read here with
//! bounded memory, anything that is not a well-formed JSON-RPC message is answered here, and
//! only well-formed messages reach tower-lsp-server.
//!
//! Why: tower-lsp-server's reader ends the whole session at the first frame it cannot decode
//! (invalid JSON, JSON that is not a message, a third header, a `Content-Type` without a
//! charset), and it leaves `$/` requests it does not know unanswered. Here a broken frame
//! costs one error response (`id: null`, as JSON-RPC requires when the id cannot be read),
//! and reading resumes at the next `Content-Length` header.

use serde::Deserialize;
use std::io;
use std::time::Duration;
use tokio::io::{
    AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, BufWriter,
};
use tokio::sync::mpsc::{Sender, channel};
use tower_lsp_server::jsonrpc::{Error, Id, Request, Response};
use tower_lsp_server::{ClientSocket, LanguageServer, LspService, Server};

/// The largest message body accepted. A bigger announced length is refused before a byte of
/// it is stored, so a hostile `Content-Length` cannot make the server reserve memory; 64 MiB
/// holds a post-mortem far larger than any real one.
pub const MAX_BODY: usize = 64 << 20;
/// The longest header line kept; longer ones are malformed (and only their tail is kept, for
/// finding the next frame).
const MAX_LINE: usize = 8 << 10;
const HEADER: &[u8] = b"content-length:";

/// One frame read from the client.
#[derive(Debug, PartialEq, Eq)]
enum Frame {
    Body(Vec<u8>),
    /// A header that cannot be trusted; the reason is for the log.
    Bad(String),
    End,
}

/// Reads frames, resynchronising after a broken header at the next `Content-Length`.
struct Frames<R> {
    input: BufReader<R>,
    /// The largest body accepted.
    limit: usize,
    resync: bool,
}

impl<R: AsyncRead + Unpin> Frames<R> {
    fn new(input: R, limit: usize) -> Frames<R> {
        Frames {
            input: BufReader::new(input),
            limit,
            resync: false,
        }
    }

    /// One line without its `\n` (and `\r`), keeping at most its last [`MAX_LINE`] bytes;
    /// whether it was longer. `None` at the end of input.
    async fn line(&mut self) -> io::Result<Option<(Vec<u8>, bool)>> {
        let mut line = Vec::new();
        let mut cut = false;
        loop {
            let chunk = self.input.fill_buf().await?;
            if chunk.is_empty() {
                return Ok((!line.is_empty()).then_some((line, cut)));
            }
            let newline = chunk.iter().position(|&b| b == b'\n');
            line.extend_from_slice(&chunk[..newline.unwrap_or(chunk.len())]);
            let used = newline.map_or(chunk.len(), |i| i + 1);
            self.input.consume(used);
            if line.len() > MAX_LINE {
                line.drain(..line.len() - MAX_LINE);
                cut = true;
            }
            if newline.is_some() {
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some((line, cut)));
            }
        }
    }

    async fn next(&mut self) -> io::Result<Frame> {
        let mut length = None;
        let mut headers = 0;
        loop {
            let Some((mut line, cut)) = self.line().await? else {
                return Ok(Frame::End);
            };
            // Garbage before a header (the rest of a refused body, stray bytes) is dropped.
            if let Some(at) = rfind_header(&line) {
                line.drain(..at);
                self.resync = false;
            }
            if self.resync {
                continue;
            }
            if line.is_empty() {
                if headers == 0 {
                    continue;
                }
                break;
            }
            headers += 1;
            if cut {
                return Ok(self.bad("a header line is too long"));
            }
            let Some(colon) = line.iter().position(|&b| b == b':') else {
                return Ok(self.bad("a header line has no `:`"));
            };
            if line[..=colon].eq_ignore_ascii_case(HEADER) {
                let value = String::from_utf8_lossy(&line[colon + 1..]);
                match value.trim().parse::<u64>() {
                    Ok(n) if n <= self.limit as u64 => length = Some(n as usize),
                    Ok(n) => {
                        return Ok(self.bad(&format!("a body of {n} bytes is over the limit")));
                    }
                    Err(_) => return Ok(self.bad(&format!("`{}` is not a length", value.trim()))),
                }
            }
        }
        let Some(length) = length else {
            return Ok(self.bad("no Content-Length header"));
        };
        // Stored only as it arrives, never reserved up front.
        let mut body = Vec::with_capacity(length.min(64 << 10));
        (&mut self.input)
            .take(length as u64)
            .read_to_end(&mut body)
            .await?;
        if body.len() < length {
            tracing::warn!("the input ended inside a message");
            return Ok(Frame::End);
        }
        Ok(Frame::Body(body))
    }

    fn bad(&mut self, why: &str) -> Frame {
        self.resync = true;
        Frame::Bad(why.to_string())
    }
}

/// Where the last `Content-Length:` (any case) starts in `line`.
fn rfind_header(line: &[u8]) -> Option<usize> {
    (0..=line.len().checked_sub(HEADER.len())?)
        .rev()
        .find(|&i| line[i..i + HEADER.len()].eq_ignore_ascii_case(HEADER))
}

/// What tower-lsp-server decodes: its own `Message` is private, so this mirrors it exactly
/// (same types, same order), and a body that passes here cannot fail there.
#[derive(Deserialize)]
#[serde(untagged)]
#[allow(dead_code)] // Only whether it parses matters.
enum Message {
    Response(Response),
    Request(Request),
}

/// A body to pass on to tower-lsp-server.
#[derive(Debug, PartialEq, Eq)]
enum Pass {
    Message,
    /// The `exit` notification: the last message the server reads.
    Exit,
}

/// What to do with one body: pass it on, or answer it here.
fn judge(body: &[u8]) -> Result<Pass, Response> {
    let refuse = |error: Error| Response::from_error(Id::Null, error);
    let text = std::str::from_utf8(body).map_err(|_| refuse(Error::parse_error()))?;
    match serde_json::from_str::<Message>(text) {
        Ok(Message::Request(request)) => match request.id() {
            // tower-lsp-server never answers an unknown `$/` request, and LSP defines none.
            Some(id) if request.method().starts_with("$/") => {
                let mut error = Error::method_not_found();
                error.data = Some(request.method().into());
                Err(Response::from_error(id.clone(), error))
            }
            None if request.method() == "exit" => Ok(Pass::Exit),
            _ => Ok(Pass::Message),
        },
        Ok(Message::Response(_)) => Ok(Pass::Message),
        Err(e) if e.is_data() => Err(refuse(Error::invalid_request())),
        Err(_) => Err(refuse(Error::parse_error())),
    }
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Reads the client's frames; passes well-formed ones to `server`, sends answers to `out`.
/// Returns at the end of input or once `exit` is passed on: the client may hold its end
/// open after `exit`, and nothing it sends then is read.
async fn read_input(
    input: impl AsyncRead + Unpin,
    mut server: impl AsyncWrite + Unpin,
    out: Sender<Vec<u8>>,
) {
    let mut frames = Frames::new(input, MAX_BODY);
    loop {
        let answer = match frames.next().await {
            Ok(Frame::End) | Err(_) => return,
            Ok(Frame::Body(body)) => match judge(&body) {
                Ok(pass) => {
                    if server.write_all(&frame(&body)).await.is_err() || pass == Pass::Exit {
                        return;
                    }
                    continue;
                }
                Err(answer) => answer,
            },
            Ok(Frame::Bad(why)) => {
                tracing::warn!("skipping a malformed message header: {why}");
                Response::from_error(Id::Null, Error::parse_error())
            }
        };
        // Not the whole answer: its data can be as large as the message it answers.
        let code = answer.error().map(|e| e.code.code());
        tracing::warn!(id = %answer.id(), ?code, "answering a message the server cannot take");
        // Waits while the output is full: a client that does not read is not read either.
        if let Ok(json) = serde_json::to_vec(&answer)
            && out.send(frame(&json)).await.is_err()
        {
            return;
        }
    }
}

/// Passes the server's frames (trusted, so unlimited) to `out` whole.
async fn read_output(from_server: impl AsyncRead + Unpin, out: Sender<Vec<u8>>) {
    let mut frames = Frames::new(from_server, usize::MAX);
    while let Ok(Frame::Body(body)) = frames.next().await {
        if out.send(frame(&body)).await.is_err() {
            return;
        }
    }
}

/// Frames waiting for the output. A client that stops reading fills them, then the
/// server's own output; from there tower-lsp-server stops taking requests and the guard
/// stops reading: memory stays bounded, as with a full pipe.
const QUEUED_FRAMES: usize = 4;
/// How long the server may take, once the input is over (`exit` or its end), to finish what
/// it is doing. Requests it sent the client may never be answered, and tower-lsp-server
/// waits for every handler (`initialized` waiting for `client/registerCapability`, say)
/// before it returns: past this, it is dropped with whatever it still waits for.
const WIND_DOWN: Duration = Duration::from_millis(250);
/// How long the last frames may take to reach the output once the server stopped.
const LAST_WRITES: Duration = Duration::from_millis(250);

/// Serves `service` on `input`/`output` behind the guard, until `exit` or the end of input.
/// Returns within [`WIND_DOWN`] and [`LAST_WRITES`] of either, whatever is pending.
pub async fn serve<S: LanguageServer>(
    input: impl AsyncRead + Unpin + Send + 'static,
    output: impl AsyncWrite + Unpin + Send + 'static,
    service: LspService<S>,
    socket: ClientSocket,
) {
    let (to_server, server_in) = tokio::io::duplex(64 << 10);
    let (server_out, from_server) = tokio::io::duplex(64 << 10);
    let (out_tx, mut out_rx) = channel::<Vec<u8>>(QUEUED_FRAMES);
    let (over, input_over) = tokio::sync::oneshot::channel::<()>();
    let reader_out = out_tx.clone();
    let reader = tokio::spawn(async move {
        read_input(input, to_server, reader_out).await;
        let _ = over.send(());
    });
    let relay = tokio::spawn(read_output(from_server, out_tx));
    let mut writer = tokio::spawn(async move {
        let mut output = BufWriter::new(output);
        while let Some(bytes) = out_rx.recv().await {
            let written = output.write_all(&bytes).await;
            if written.is_err() || output.flush().await.is_err() {
                return;
            }
        }
    });
    let serving = Server::new(server_in, server_out, socket).serve(service);
    let mut serving = Box::pin(serving);
    let input_over = async {
        let _ = input_over.await;
        tokio::time::sleep(WIND_DOWN).await;
    };
    tokio::select! {
        () = &mut serving => {}
        () = input_over => {
            tracing::info!("stopping with handlers still waiting (for the client, say)");
        }
    }
    // Dropping the server drops its end of the relay, which then ends.
    drop(serving);
    reader.abort();
    let _ = reader.await;
    let last_writes = async {
        let _ = relay.await;
        let _ = (&mut writer).await;
    };
    if tokio::time::timeout(LAST_WRITES, last_writes)
        .await
        .is_err()
    {
        tracing::warn!("the client is not reading: its last messages are dropped");
        writer.abort();
    }
}

#[cfg(test)]
#[path = "transport_tests.rs"]
mod tests;
