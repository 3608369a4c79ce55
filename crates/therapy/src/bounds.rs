//! Range checks shared by every specification: a value outside its documented bounds is a typed
//! error naming the field, never a panic.

use thiserror::Error;

/// A specification value that is out of range or inconsistent.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SpecError {
    /// A number outside its documented bounds (or not finite).
    #[error("`{field}` = {value} is outside [{min}, {max}] {unit}")]
    OutOfBounds {
        /// Field name as written in a protocol.
        field: &'static str,
        /// The value given.
        value: f64,
        /// Lower bound, inclusive.
        min: f64,
        /// Upper bound, inclusive.
        max: f64,
        /// Unit of the field.
        unit: &'static str,
    },
    /// Two fields that contradict each other.
    #[error("{0}")]
    Inconsistent(String),
}

/// `Ok(value)` when `value` is finite and in `[min, max]`.
pub fn check(
    field: &'static str,
    value: f64,
    min: f64,
    max: f64,
    unit: &'static str,
) -> Result<f64, SpecError> {
    if value.is_finite() && (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(SpecError::OutOfBounds {
            field,
            value,
            min,
            max,
            unit,
        })
    }
}

/// Checks a probability (or fraction) in [0, 1].
pub fn check_fraction(field: &'static str, value: f64) -> Result<f64, SpecError> {
    check(field, value, 0.0, 1.0, "(fraction)")
}
