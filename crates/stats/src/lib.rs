//! Survival, binary, ordinal and continuous analyses and trial design. Knows nothing of the
//! model: its inputs are plain columns (slices of `f64`, `bool`, `u32` group labels).
//!
//! Every estimator is checked against R (`survival`, `MASS`, `cmprsk`, `rpact`) on datasets R
//! ships; the R scripts and their outputs live under `tests/`.

// Index loops mirror the formulas (sums over i, a, b) and read better than iterator chains here.
#![allow(clippy::needless_range_loop)]

pub mod binary;
pub mod continuous;
pub mod design;
pub mod dist;
pub mod error;
pub mod linalg;
pub mod ordinal;
pub mod survival;

pub use error::StatsError;
