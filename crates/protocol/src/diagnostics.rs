//! Typed, located errors: each names the field path, the byte span (and so line:column), what
//! was expected and a hint. The CLI renders them with `miette`; this crate only describes them.

use std::fmt;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::suggest::did_you_mean;

/// One step in a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A table key.
    Key(String),
    /// An array index (0-based).
    Index(usize),
}

/// Where a value lives in the file, e.g. `arm[1].ratio`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(pub Vec<Segment>);

impl FieldPath {
    /// The empty path (the whole document).
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }

    /// This path extended by a key.
    pub fn key(&self, key: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Segment::Key(key.to_string()));
        p
    }

    /// This path extended by an index.
    pub fn index(&self, i: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Segment::Index(i));
        p
    }

    /// Parse a path written as `a.b[0].c` (keys without dots or brackets).
    pub fn parse(text: &str) -> Self {
        let mut p = FieldPath::root();
        for part in text.split('.').filter(|s| !s.is_empty()) {
            let mut pieces = part.split('[');
            if let Some(key) = pieces.next().filter(|k| !k.is_empty()) {
                p = p.key(key);
            }
            for index in pieces {
                if let Ok(i) = index.trim_end_matches(']').parse() {
                    p = p.index(i);
                }
            }
        }
        p
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(top level)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    // Keys that are not bare TOML keys are written quoted, as in TOML.
                    let bare = !k.is_empty()
                        && k.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                    if bare {
                        f.write_str(k)?;
                    } else {
                        write!(f, "{k:?}")?;
                    }
                }
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// One problem in a protocol file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Field path, e.g. `study.allocation` or `arm[1].ratio`.
    pub path: String,
    /// Byte range in the file, when known.
    pub span: Option<Range<usize>>,
    /// 1-based line of the span start (1 when unknown).
    pub line: usize,
    /// 1-based column (in characters) of the span start (1 when unknown).
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What would have been accepted.
    pub expected: Option<String>,
    /// How to fix it (did-you-mean, an example).
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: `{}`: {}",
            self.line, self.column, self.path, self.message
        )?;
        if let Some(e) = &self.expected {
            write!(f, " (expected {e})")?;
        }
        if let Some(h) = &self.hint {
            write!(f, "; {h}")?;
        }
        Ok(())
    }
}

/// A protocol file that could not be accepted, with every problem found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}: {} problem(s) in the protocol", diagnostics.len())]
pub struct ProtocolError {
    /// File name as given by the caller.
    pub file: String,
    /// The file's text (for rendering snippets).
    pub source_text: String,
    /// The problems, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Spans of the parsed document, for turning paths into spans and back.
pub struct Spans<'a> {
    text: &'a str,
    doc: Option<Spanned<DeTable<'a>>>,
}

impl<'a> Spans<'a> {
    /// Parse `text` for its spans (recovering from syntax errors as far as possible).
    pub fn new(text: &'a str) -> Self {
        Self::with_syntax_errors(text).0
    }

    /// Parse `text` for its spans, and return every TOML syntax error found on the way (the
    /// parser recovers, so one run can report several).
    pub fn with_syntax_errors(text: &'a str) -> (Self, Vec<Diagnostic>) {
        let (doc, errors) = DeTable::parse_recoverable(text);
        let spans = Spans {
            text,
            doc: Some(doc),
        };
        let diagnostics = errors.iter().map(|e| spans.from_toml_error(e)).collect();
        (spans, diagnostics)
    }

    /// No document (validating a value built in code): diagnostics carry no span.
    pub fn none() -> Self {
        Spans {
            text: "",
            doc: None,
        }
    }

    /// Build a diagnostic located at `path`.
    pub fn at(
        &self,
        path: &FieldPath,
        message: impl Into<String>,
        expected: Option<String>,
        hint: Option<String>,
    ) -> Diagnostic {
        let span = self.span_of(path);
        self.make(path.to_string(), span, message.into(), expected, hint)
    }

    /// Build a diagnostic at an explicit span.
    pub fn make(
        &self,
        path: String,
        span: Option<Range<usize>>,
        message: String,
        expected: Option<String>,
        hint: Option<String>,
    ) -> Diagnostic {
        let (line, column) = span
            .as_ref()
            .map_or((1, 1), |s| line_column(self.text, s.start));
        Diagnostic {
            path,
            span,
            line,
            column,
            message,
            expected,
            hint,
        }
    }

    /// Span of the value at `path` (for a table in an array of tables: its header).
    pub fn span_of(&self, path: &FieldPath) -> Option<Range<usize>> {
        let doc = self.doc.as_ref()?;
        let mut span = doc.span();
        let mut table: Option<&DeTable> = Some(doc.get_ref());
        let mut value: Option<&DeValue> = None;
        for seg in &path.0 {
            let next = match seg {
                Segment::Key(k) => {
                    table.and_then(|t| t.iter().find(|(key, _)| key.get_ref() == k).map(|(_, v)| v))
                }
                Segment::Index(i) => value.and_then(|v| v.as_array()).and_then(|a| a.get(*i)),
            }?;
            span = next.span();
            value = Some(next.get_ref());
            table = next.get_ref().as_table();
        }
        Some(span)
    }

    /// Span of the string value at `path`, narrowed to `inner` (a byte range in the string's
    /// content) when the string is written literally on one line (no escapes).
    pub fn span_in_string(
        &self,
        path: &FieldPath,
        content: &str,
        inner: Range<usize>,
    ) -> Option<Range<usize>> {
        let span = self.span_of(path)?;
        let raw = self.text.get(span.clone())?;
        for quote in ["\"", "'"] {
            if raw.len() == content.len() + 2
                && raw.starts_with(quote)
                && raw.get(1..raw.len() - 1) == Some(content)
            {
                let start = span.start + 1 + inner.start;
                let end = (span.start + 1 + inner.end).max(start);
                return Some(start..end);
            }
        }
        Some(span)
    }

    /// The path of the innermost key or value whose span contains `offset`.
    pub fn path_at(&self, offset: usize) -> FieldPath {
        let Some(doc) = &self.doc else {
            return FieldPath::root();
        };
        if let Some(path) = locate(doc.get_ref(), offset, FieldPath::root()) {
            return path;
        }
        // Not inside anything the (partly recovered) document holds, e.g. a duplicate key that
        // the parser dropped: take the table of the nearest key before it, plus the word there.
        let mut nearest: Option<(usize, FieldPath)> = None;
        keys_before(doc.get_ref(), offset, &FieldPath::root(), &mut nearest);
        let mut path = nearest.map(|(_, p)| p).unwrap_or_default();
        path.0.pop();
        let word: String = self
            .text
            .get(offset..)
            .unwrap_or("")
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        if !word.is_empty() {
            path = path.key(&word);
        }
        path
    }

    /// Turn a `toml`/serde error into a diagnostic: path from its span, and the serde message
    /// split into what was wrong, what was expected and (for unknown keys and enum values) the
    /// nearest accepted spelling.
    pub fn from_toml_error(&self, error: &toml::de::Error) -> Diagnostic {
        let span = error.span();
        let mut path = span
            .as_ref()
            .map_or_else(FieldPath::root, |s| self.path_at(s.start));
        let message = error.message().trim().to_string();
        let (mut message, mut expected, mut hint) = split_serde_message(&message);
        expected = expected.map(|e| humanize_expected(&e));
        if message.starts_with("invalid type: string")
            && expected.as_deref().is_some_and(|e| e.contains("number"))
        {
            hint = Some("numbers are written without quotes".into());
        } else if message.contains("must be quoted") {
            let at = span.clone().and_then(|r| self.text.get(r)).unwrap_or("");
            if at.trim().is_empty() {
                message = "missing value after `=`".into();
                expected = Some("a value: a number, \"text\", true/false or [ … ]".into());
            } else {
                hint = Some("put text values in double quotes, e.g. \"…\"".into());
            }
        } else if message.starts_with("duplicate key") {
            hint = Some("each key may appear once per table; delete one of them".into());
        }
        if let Some(field) = between(&message, "missing field `", "`") {
            path = path.key(&field);
            message = format!("missing required key `{field}`");
            hint = Some(format!(
                "add `{field} = …` to this table (see docs/protocol.md)"
            ));
            expected = None;
        }
        self.make(path.to_string(), span, message, expected.take(), hint)
    }
}

/// The key with the greatest start at or before `offset`.
fn keys_before(
    table: &DeTable,
    offset: usize,
    path: &FieldPath,
    nearest: &mut Option<(usize, FieldPath)>,
) {
    for (key, value) in table.iter() {
        let here = path.key(key.get_ref());
        let start = key.span().start;
        if start <= offset && nearest.as_ref().is_none_or(|(best, _)| start >= *best) {
            *nearest = Some((start, here.clone()));
        }
        match value.get_ref() {
            DeValue::Table(t) => keys_before(t, offset, &here, nearest),
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let DeValue::Table(t) = item.get_ref() {
                        keys_before(t, offset, &here.index(i), nearest);
                    }
                }
            }
            _ => {}
        }
    }
}

fn locate(table: &DeTable, offset: usize, path: FieldPath) -> Option<FieldPath> {
    for (key, value) in table.iter() {
        let here = path.key(key.get_ref());
        if key.span().contains(&offset) {
            return Some(here);
        }
        if let Some(found) = locate_value(value, offset, &here) {
            return Some(found);
        }
    }
    None
}

fn locate_value(value: &Spanned<DeValue>, offset: usize, path: &FieldPath) -> Option<FieldPath> {
    match value.get_ref() {
        DeValue::Table(t) => {
            if let Some(found) = locate(t, offset, path.clone()) {
                return Some(found);
            }
        }
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if let Some(found) = locate_value(item, offset, &path.index(i)) {
                    return Some(found);
                }
            }
        }
        _ => {}
    }
    let span = value.span();
    (span.contains(&offset) || (span.is_empty() && span.start == offset)).then(|| path.clone())
}

/// Serde's Rust-flavoured "expected" (`u32`, `a sequence`, `struct Plasma`) in the file's words.
fn humanize_expected(expected: &str) -> String {
    match expected {
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number >= 0 (no quotes)".into(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number (no quotes)".into(),
        "f32" | "f64" => "a number (no quotes)".into(),
        "a boolean" => "`true` or `false` (no quotes)".into(),
        "a string" => "text in double quotes".into(),
        "a sequence" => "an array, e.g. [\"a\", \"b\"]".into(),
        other if other.starts_with("struct ") => "a table".into(),
        other => other.to_string(),
    }
}

fn between(text: &str, open: &str, close: &str) -> Option<String> {
    let start = text.find(open)? + open.len();
    let end = text[start..].find(close)? + start;
    Some(text[start..end].to_string())
}

/// The names listed after "expected one of" / "expected" in a serde message.
fn listed_names(expected: &str) -> Vec<String> {
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn split_serde_message(message: &str) -> (String, Option<String>, Option<String>) {
    let first_line = message.lines().next().unwrap_or(message).to_string();
    let Some(at) = first_line.find(", expected ") else {
        return (first_line, None, None);
    };
    let (what, expected) = (
        first_line[..at].to_string(),
        first_line[at + ", expected ".len()..].to_string(),
    );
    let mut hint = None;
    for prefix in ["unknown field `", "unknown variant `"] {
        if let Some(word) = between(&what, prefix, "`") {
            let names = listed_names(&expected);
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            hint = did_you_mean(&word, &names);
        }
    }
    let what = what
        .replace("unknown field", "unknown key")
        .replace("unknown variant", "unknown value");
    (what, Some(expected), hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        // "bé = " is 6 bytes but 5 characters
        assert_eq!(line_column(text, 7), (2, 2));
        assert_eq!(line_column(text, 9), (2, 3));
    }

    #[test]
    fn paths_and_spans_round_trip() {
        let text =
            "[study]\nid = \"x\"\n\n[[arm]]\nlabel = \"a\"\n\n[[arm]]\nlabel = \"b\"\nratio = 0\n";
        let spans = Spans::new(text);
        let path = FieldPath::parse("arm[1].ratio");
        assert_eq!(path.to_string(), "arm[1].ratio");
        let span = spans.span_of(&path).unwrap();
        assert_eq!(&text[span.clone()], "0");
        assert_eq!(spans.path_at(span.start), path);
        assert_eq!(
            spans.path_at(text.find("id").unwrap()).to_string(),
            "study.id"
        );
    }

    #[test]
    fn serde_messages_split_into_parts() {
        let (what, expected, hint) =
            split_serde_message("unknown field `alocation`, expected one of `id`, `allocation`");
        assert_eq!(what, "unknown key `alocation`");
        assert_eq!(expected.as_deref(), Some("one of `id`, `allocation`"));
        assert_eq!(hint.as_deref(), Some("did you mean `allocation`?"));
    }
}
