//! Survival, binary, ordinal and continuous analyses and trial design. Knows nothing of the
//! model: its inputs are plain columns (slices of `f64`, `bool`, `u32` group labels).
//!
//! Every estimator is checked against R (`survival`, `ordinal`/`MASS`, `cmprsk`, `rpact`) on
//! datasets R ships plus adversarial cases; the R scripts and their outputs live under `tests/`.
//!
//! | need | call |
//! |---|---|
//! | binary endpoint, two arms | [`binary::compare`] (RD Wald + Newcombe, RR, OR, χ², Fisher), [`binary::mantel_haenszel_rr`] |
//! | survival curve, median, RMST | [`survival::kaplan_meier`], [`KaplanMeier::median`](survival::KaplanMeier::median), [`survival::rmst_difference`] |
//! | log-rank (stratified) | [`survival::logrank`] |
//! | Cox model | [`survival::cox::fit`] / [`survival::cox::fit_with`] (Efron/Breslow, strata) |
//! | competing risks | [`survival::aalen_johansen`], [`survival::fine_gray`] |
//! | ordinal (WHO scale) | [`ordinal::polr`], [`ordinal::wilcoxon_mann_whitney`] |
//! | continuous | [`continuous::welch`], [`continuous::ancova_change`] |
//! | design, interim looks | [`design::two_proportions_n`], [`design::schoenfeld_events`], [`design::GroupSequential::lan_demets`] |
//!
//! ```
//! use stats::survival::{cox, kaplan_meier, logrank, Ties};
//! let time = [5.0, 8.0, 12.0, 3.0, 9.0, 15.0, 2.0, 7.0];
//! let event = [true, false, true, true, true, false, true, true];
//! let arm = [0u32, 0, 0, 0, 1, 1, 1, 1];
//! let km = kaplan_meier(&time, &event)?;
//! let median = km.median().estimate; // None when not reached
//! let test = logrank(&time, &event, &arm, None)?;
//! let x: Vec<f64> = arm.iter().map(|&a| a as f64).collect();
//! let fit = cox::fit(&time, &event, &[&x], Ties::Efron)?;
//! println!("{median:?} {} {}", test.p, fit.terms[0].hr);
//! # Ok::<(), stats::StatsError>(())
//! ```

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
