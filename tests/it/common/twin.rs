//! Two copies of one document in one server: `a` is edited incrementally with the edits under
//! test, `b` is replaced whole with the text the client expects. Identical diagnostics and
//! symbols for both, after every step, show that the server's text of `a` is exact.

use super::Client;
use serde_json::{Value, json};

/// An LSP position, `(line, character)`, possibly past the end or inside a character.
pub type Pos = (u32, u32);

/// `(start, end of content)` of every line: lines break at `\n`, `\r\n` and a lone `\r`, and
/// a text ending in a break has an empty last line.
fn lines(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let width = match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => 2,
            b'\r' | b'\n' => 1,
            _ => 0,
        };
        if width > 0 {
            out.push((start, i));
            start = i + width;
            i = start;
        } else {
            i += 1;
        }
    }
    out.push((start, bytes.len()));
    out
}

/// The byte offset a position names, clamped as LSP clients may expect (and as the server
/// documents): a line past the last is the end of the text, a column past the line's content
/// is the end of the content, and a column inside a character is that character's start.
pub fn clamp(text: &str, (line, col): Pos, utf16: bool) -> usize {
    let Some(&(start, end)) = lines(text).get(line as usize) else {
        return text.len();
    };
    let mut left = col as usize;
    let mut at = start;
    for c in text[start..end].chars() {
        let width = if utf16 { c.len_utf16() } else { c.len_utf8() };
        if width > left {
            break;
        }
        left -= width;
        at += c.len_utf8();
    }
    at
}

/// The position of the end of each line's content, in the encoding's units.
pub fn line_ends(text: &str, utf16: bool) -> Vec<Pos> {
    lines(text)
        .iter()
        .enumerate()
        .map(|(i, &(start, end))| {
            let s = &text[start..end];
            let units = if utf16 {
                s.encode_utf16().count()
            } else {
                s.len()
            };
            (i as u32, units as u32)
        })
        .collect()
}

pub struct Twin {
    pub client: Client,
    pub a: String,
    pub b: String,
    /// What the client believes the text is.
    pub text: String,
    pub utf16: bool,
    version: i64,
}

impl Twin {
    /// Opens `text` twice, as `a` and `b` (URIs with the same file name under two empty
    /// workspaces, so that nothing but the text can tell them apart).
    pub fn open(mut client: Client, dir: &std::path::Path, text: &str, utf16: bool) -> Twin {
        let uri = |ws: &str| {
            format!(
                "file://{}/{ws}/_docs/06_metrics/postmortem_2026-03-14_twin.md",
                dir.display()
            )
        };
        let (a, b) = (uri("a"), uri("b"));
        client.open(&a, 1, text);
        client.open(&b, 1, text);
        // The opening publishes may come in two passes (workspace files and the repository
        // looked up by the second): let both settle, so that later versions of the two
        // copies are checked against the same knowledge of the disk.
        client.settle(&[&a, &b], std::time::Duration::from_millis(300));
        Twin {
            client,
            a,
            b,
            text: text.to_string(),
            utf16,
            version: 1,
        }
    }

    /// Sends `edits` to `a` in one `didChange` as they are (reversed or out-of-bounds
    /// ranges included), applies them to the client's text by the clamping rules, sends that
    /// text to `b`, and compares. `Err` says how `a` and `b` differ.
    pub fn step(&mut self, edits: &[(Pos, Pos, String)]) -> Result<(), String> {
        let mut changes = Vec::new();
        for (start, end, insert) in edits {
            changes.push(json!({ "range": super::range(*start, *end), "text": insert }));
            let x = clamp(&self.text, *start, self.utf16);
            let y = clamp(&self.text, *end, self.utf16);
            self.text.replace_range(x.min(y)..x.max(y), insert);
        }
        self.version += 1;
        let (a, b, version) = (self.a.clone(), self.b.clone(), self.version);
        self.client.change(&a, version, changes);
        self.client
            .change(&b, version, vec![json!({ "text": self.text })]);
        self.compare(version)
    }

    fn compare(&mut self, version: i64) -> Result<(), String> {
        let (a, b) = (self.a.clone(), self.b.clone());
        let in_a = self.client.diagnostics(&a, Some(version));
        let in_b = self.client.diagnostics(&b, Some(version));
        if in_a != in_b {
            return Err(format!(
                "diagnostics differ at version {version}:\n{in_a:?}\n{in_b:?}\ntext: {:?}",
                self.text
            ));
        }
        let symbols = |client: &mut Client, uri: &str| -> Value {
            client.request(
                "textDocument/documentSymbol",
                json!({ "textDocument": { "uri": uri } }),
            )["result"]
                .clone()
        };
        let (sa, sb) = (symbols(&mut self.client, &a), symbols(&mut self.client, &b));
        if sa != sb {
            return Err(format!("symbols differ at version {version}: {sa} / {sb}"));
        }
        Ok(())
    }
}
