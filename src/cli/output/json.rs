//! The JSON format: one array of findings with 1-based lines and character columns
//! (the end column is just past the last character).

use super::Finding;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Item<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    severity: &'static str,
    code: &'static str,
    message: &'a str,
}

pub fn write(found: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    let items: Vec<Item> = found
        .iter()
        .map(|f| Item {
            path: f.path,
            line: f.start.0,
            column: f.start.1,
            end_line: f.end.0,
            end_column: f.end.1,
            severity: f.diagnostic.severity.as_str(),
            code: f.diagnostic.code.as_str(),
            message: &f.diagnostic.message,
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &items)?;
    writeln!(out)
}
