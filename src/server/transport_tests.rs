use super::*;

/// Every frame `input` holds, up to the end.
fn frames(input: &[u8], limit: usize) -> Vec<Frame> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let mut frames = Frames::new(input, limit);
        let mut out = Vec::new();
        loop {
            match frames.next().await.expect("reading a slice cannot fail") {
                Frame::End => return out,
                frame => out.push(frame),
            }
        }
    })
}

fn body(s: &str) -> Frame {
    Frame::Body(s.as_bytes().to_vec())
}

fn is_bad(frame: &Frame) -> bool {
    matches!(frame, Frame::Bad(_))
}

#[test]
fn well_formed_frames_are_read_whole() {
    let input =
        b"Content-Length: 2\r\n\r\n{}Content-Type: x\r\ncontent-length: 3\r\n\r\n[1]\r\n\r\n";
    assert_eq!(frames(input, 100), vec![body("{}"), body("[1]")]);
}

#[test]
fn a_broken_header_costs_one_frame_and_reading_resumes_at_the_next() {
    let input = b"Content-Length: x\r\n\r\n{\"a\":1}Content-Length: 2\r\n\r\n{}";
    let got = frames(input, 100);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(is_bad(&got[0]));
    assert_eq!(got[1], body("{}"));
    // No length at all, and a header line with no colon.
    let got = frames(b"X: 1\r\n\r\nzzContent-Length: 1\r\n\r\n1", 100);
    assert!(is_bad(&got[0]) && got[1] == body("1"), "{got:?}");
    let got = frames(b"hello\r\nContent-Length: 1\r\n\r\n2", 100);
    assert!(is_bad(&got[0]) && got[1] == body("2"), "{got:?}");
}

#[test]
fn an_announced_length_over_the_limit_is_refused_before_reading_it() {
    let input = b"Content-Length: 1000000000000\r\n\r\n{}Content-Length: 2\r\n\r\nok";
    let got = frames(input, 100);
    assert!(is_bad(&got[0]), "{got:?}");
    assert_eq!(got[1], body("ok"));
    assert_eq!(frames(b"Content-Length: 101\r\n\r\n", 100).len(), 1);
    assert_eq!(frames(b"Content-Length: 100\r\n\r\n", 100), vec![]);
}

#[test]
fn an_endless_header_line_is_cut_and_refused() {
    let mut input = b"X: ".to_vec();
    input.extend(std::iter::repeat_n(b'a', 100_000));
    input.extend_from_slice(b"\r\n\r\nContent-Length: 1\r\n\r\n3");
    let got = frames(&input, 100);
    assert!(is_bad(&got[0]) && got[1] == body("3"), "{got:?}");
}

#[test]
fn a_body_cut_short_ends_the_input() {
    assert_eq!(frames(b"Content-Length: 10\r\n\r\n{}", 100), vec![]);
}

fn code(body: &str) -> Option<i64> {
    let answer = judge(body.as_bytes()).err()?;
    Some(answer.error()?.code.code())
}

#[test]
fn bodies_are_judged_as_tower_lsp_server_would_decode_them() {
    assert_eq!(
        code(r#"{"jsonrpc":"2.0","id":1,"method":"initialize"}"#),
        None
    );
    assert_eq!(code(r#"{"jsonrpc":"2.0","method":"initialized"}"#), None);
    assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"result":null}"#), None);
    assert_eq!(
        code(r#"{"jsonrpc":"2.0","id":"a","error":{"code":1,"message":"m"}}"#),
        None
    );
    assert_eq!(code("{"), Some(-32700));
    assert_eq!(code(""), Some(-32700));
    assert_eq!(code("[]"), Some(-32600));
    assert_eq!(code(r#"{"jsonrpc":"1.0","method":"x"}"#), Some(-32600));
    assert_eq!(
        code(r#"{"jsonrpc":"2.0","id":[],"method":"x"}"#),
        Some(-32600)
    );
    assert_eq!(judge(b"\xff").err().map(|r| r.id().clone()), Some(Id::Null));
    // An unknown `$/` request is answered here, with its own id.
    let answer = judge(br#"{"jsonrpc":"2.0","id":4,"method":"$/x"}"#).unwrap_err();
    assert_eq!(answer.id(), &Id::Number(4));
    assert_eq!(answer.error().map(|e| e.code.code()), Some(-32601));
    assert_eq!(code(r#"{"jsonrpc":"2.0","method":"$/x"}"#), None);
}
