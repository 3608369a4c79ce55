//! Errors as the user sees them, and the exit status each one gives.

use std::process::ExitCode;

/// What went wrong, sorted by whose fault it is.
#[derive(Debug)]
pub enum CliError {
    /// The input (protocol, data file, argument value) is wrong: exit status 2.
    Input(miette::Report),
    /// The input was fine but the work failed (I/O, solver): exit status 1.
    Failure(miette::Report),
}

impl CliError {
    pub fn input(e: impl Into<miette::Report>) -> Self {
        CliError::Input(e.into())
    }
    pub fn failure(e: impl Into<miette::Report>) -> Self {
        CliError::Failure(e.into())
    }
}

/// Render the error, if any, on stderr and turn the outcome into an exit status.
pub fn finish(result: Result<(), CliError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Input(report)) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
        Err(CliError::Failure(report)) => {
            eprintln!("{report:?}");
            ExitCode::from(1)
        }
    }
}
