//! Typed errors for every analysis: bad input is reported, never panicked on.

/// Why an analysis could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// Two columns that must describe the same rows have different lengths.
    #[error("column `{column}` has {found} rows but {expected} were expected")]
    LengthMismatch {
        /// Name of the offending column.
        column: &'static str,
        /// Rows expected (length of the first column).
        expected: usize,
        /// Rows found.
        found: usize,
    },
    /// No observations at all (or none in a group that must have some).
    #[error("no observations: {0}")]
    Empty(&'static str),
    /// A value is outside its domain (negative time, NaN, count above its total...).
    #[error("column `{column}` row {row}: invalid value {value} ({reason})")]
    InvalidValue {
        /// Name of the offending column.
        column: &'static str,
        /// Zero-based row index.
        row: usize,
        /// The offending value.
        value: f64,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An argument outside its domain (alpha not in (0,1), power not in (0,1), ...).
    #[error("argument `{name}`: {reason}")]
    InvalidArgument {
        /// Name of the argument.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The data carry no information about the quantity (no events, a constant covariate...).
    #[error("not estimable: {0}")]
    NotEstimable(String),
    /// An iterative fit did not converge.
    #[error("{method} did not converge in {iterations} iterations")]
    NoConvergence {
        /// Which fit.
        method: &'static str,
        /// Iterations used.
        iterations: usize,
    },
}

/// Check that `found` rows equal `expected` rows.
pub(crate) fn same_len(
    column: &'static str,
    expected: usize,
    found: usize,
) -> Result<(), StatsError> {
    if expected == found {
        Ok(())
    } else {
        Err(StatsError::LengthMismatch {
            column,
            expected,
            found,
        })
    }
}

/// Check that every value of a time column is finite and non-negative.
pub(crate) fn check_times(column: &'static str, time: &[f64]) -> Result<(), StatsError> {
    for (row, &t) in time.iter().enumerate() {
        if !t.is_finite() || t < 0.0 {
            return Err(StatsError::InvalidValue {
                column,
                row,
                value: t,
                reason: "times must be finite and non-negative",
            });
        }
    }
    Ok(())
}

/// Check that every value of a column is finite.
pub(crate) fn check_finite(column: &'static str, x: &[f64]) -> Result<(), StatsError> {
    for (row, &v) in x.iter().enumerate() {
        if !v.is_finite() {
            return Err(StatsError::InvalidValue {
                column,
                row,
                value: v,
                reason: "must be finite",
            });
        }
    }
    Ok(())
}

/// Check that a two-sided confidence level is in (0, 1).
pub(crate) fn check_level(level: f64) -> Result<(), StatsError> {
    if level > 0.0 && level < 1.0 {
        Ok(())
    } else {
        Err(StatsError::InvalidArgument {
            name: "level",
            reason: format!("confidence level must be in (0, 1), got {level}"),
        })
    }
}
