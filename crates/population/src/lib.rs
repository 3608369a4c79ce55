//! Virtual patients: covariate and parameter distributions, generation, eligibility
//! screening, frozen cohorts.
//!
//! Built so far: named populations of baseline covariates ([`spec`]), their sampling from the
//! patient's own random stream ([`Covariates`]), and frozen cohorts as CSV ([`cohort`]).
//! Between-patient variability of model parameters needs the model's parameter set and comes
//! later.

pub mod cohort;
mod covariates;
pub mod spec;

pub use covariates::{AboGroup, Covariates, Sex};
pub use spec::{PopulationError, PopulationSpec, SourceRow};
