//! Protocol diagnostics as `miette` reports: file:line:column, the field path, a labelled
//! snippet saying what was expected, and the hint.

use miette::{Diagnostic as MietteDiagnostic, NamedSource, SourceSpan};
use protocol::{Diagnostic, ProtocolError};

/// One located problem, ready for miette.
#[derive(Debug, thiserror::Error, MietteDiagnostic)]
#[error("{location}: `{path}`: {message}")]
pub struct Located {
    location: String,
    path: String,
    message: String,
    #[source_code]
    source_code: NamedSource<String>,
    #[label("{label}")]
    span: Option<SourceSpan>,
    label: String,
    #[help]
    help: Option<String>,
}

/// Reports for every diagnostic in `error`, in file order.
pub fn reports(error: &ProtocolError) -> Vec<miette::Report> {
    error
        .diagnostics
        .iter()
        .map(|d| miette::Report::new(located(&error.file, &error.source_text, d)))
        .collect()
}

fn located(file: &str, text: &str, d: &Diagnostic) -> Located {
    Located {
        location: format!("{file}:{}:{}", d.line, d.column),
        path: d.path.clone(),
        message: d.message.clone(),
        source_code: NamedSource::new(file, text.to_string()),
        span: d
            .span
            .clone()
            .map(|s| SourceSpan::from(s.start..s.end.max(s.start))),
        label: d
            .expected
            .as_ref()
            .map_or_else(|| "here".to_string(), |e| format!("expected {e}")),
        help: d.hint.clone(),
    }
}

/// Parse and validate a protocol; on problems print every diagnostic on stderr and return a
/// bad-input error (exit status 2).
pub fn load_protocol(name: &str, text: &str) -> Result<protocol::Protocol, crate::exit::CliError> {
    protocol::parse_protocol(name, text).map_err(|error| {
        for report in reports(&error) {
            eprintln!("{report:?}");
        }
        crate::exit::CliError::input(miette::miette!("{error}"))
    })
}
