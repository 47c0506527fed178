//! Snippets built once and rendered two ways: LSP snippet syntax for clients that support it,
//! and plain text (the same text with each tab stop's default) for those that do not.

/// One piece of a snippet.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    /// A tab stop with a default value.
    Tab(u32, String),
    /// A tab stop offering a choice; the first value is the plain-text default.
    Choice(u32, Vec<String>),
    /// Where the cursor ends (`$0`).
    End,
}

/// A snippet under construction. Tab stops number themselves in order of appearance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snippet {
    pieces: Vec<Piece>,
    next: u32,
}

impl Snippet {
    pub fn new() -> Snippet {
        Snippet {
            pieces: Vec::new(),
            next: 1,
        }
    }

    pub fn text(mut self, s: &str) -> Snippet {
        self.pieces.push(Piece::Text(s.to_string()));
        self
    }

    pub fn tab(mut self, default: &str) -> Snippet {
        self.pieces.push(Piece::Tab(self.next, default.to_string()));
        self.next += 1;
        self
    }

    pub fn choice<S: AsRef<str>>(mut self, values: &[S]) -> Snippet {
        let values = values.iter().map(|v| v.as_ref().to_string()).collect();
        self.pieces.push(Piece::Choice(self.next, values));
        self.next += 1;
        self
    }

    pub fn end(mut self) -> Snippet {
        self.pieces.push(Piece::End);
        self
    }

    /// Appends another snippet, renumbering its tab stops after this one's. Its final
    /// cursor position is dropped (a snippet has one).
    pub fn append(mut self, other: Snippet) -> Snippet {
        let offset = self.next - 1;
        for piece in other.pieces {
            self.pieces.push(match piece {
                Piece::Tab(n, d) => Piece::Tab(n + offset, d),
                Piece::Choice(n, v) => Piece::Choice(n + offset, v),
                Piece::End => continue,
                text => text,
            });
        }
        self.next += other.next - 1;
        self
    }

    /// LSP snippet syntax (`${1:default}`, `${2|a,b|}`, `$0`), with `$`, `}` and `\` escaped.
    pub fn to_snippet(&self) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(&escape(t, &['$', '}', '\\'])),
                Piece::Tab(n, d) => {
                    out.push_str(&format!("${{{n}:{}}}", escape(d, &['$', '}', '\\'])))
                }
                Piece::Choice(n, v) => {
                    let values: Vec<String> = v
                        .iter()
                        .map(|x| escape(x, &['$', '}', '\\', ',', '|']))
                        .collect();
                    out.push_str(&format!("${{{n}|{}|}}", values.join(",")));
                }
                Piece::End => out.push_str("$0"),
            }
        }
        out
    }

    /// The text a client without snippet support inserts.
    pub fn to_plain(&self) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) | Piece::Tab(_, t) => out.push_str(t),
                Piece::Choice(_, v) => out.push_str(v.first().map_or("", String::as_str)),
                Piece::End => {}
            }
        }
        out
    }
}

fn escape(s: &str, special: &[char]) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if special.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_both_forms() {
        let s = Snippet::new()
            .text("09:41  (source: ")
            .choice(&["alert", "Slack", "log file"])
            .text(") ")
            .end();
        assert_eq!(
            s.to_snippet(),
            "09:41  (source: ${1|alert,Slack,log file|}) $0"
        );
        assert_eq!(s.to_plain(), "09:41  (source: alert) ");
    }

    #[test]
    fn escapes_and_renumbers() {
        let a = Snippet::new().text("cost $5 {x}").tab("a}b");
        let b = Snippet::new().tab("c").choice(&["d,e", "f|g"]).end();
        let s = a.append(b);
        assert_eq!(
            s.to_snippet(),
            "cost \\$5 {x\\}${1:a\\}b}${2:c}${3|d\\,e,f\\|g|}"
        );
        assert_eq!(s.to_plain(), "cost $5 {x}a}bcd,e");
    }
}
