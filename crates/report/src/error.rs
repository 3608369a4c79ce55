//! Errors of the report. Missing or unreadable *optional* inputs never error: the section says
//! "not available in this run". Only a missing folder or a failed write is an error.

use std::path::PathBuf;
use thiserror::Error;

/// What stopped the report from being written.
#[derive(Debug, Error)]
pub enum ReportError {
    /// The results folder does not exist or is not a folder.
    #[error("{path}: not a results folder (no such directory)")]
    NotAFolder {
        /// The path given.
        path: PathBuf,
    },
    /// `report.html` could not be written.
    #[error("{path}: cannot write the report: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}
