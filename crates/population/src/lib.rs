//! Virtual patients: covariate and parameter distributions, generation, eligibility
//! screening, frozen cohorts.
//!
//! - [`spec`]: named populations of baseline covariates, sampled from the patient's own random
//!   stream ([`PopulationSpec::sample`]).
//! - [`VirtualPatient`]: covariates, the model's covariates (with the comorbidity hazard ratio
//!   of [`comorbidity`]), individual parameters with between-patient variability ([`iiv`]),
//!   and the timeline (infection, onset, screening).
//! - [`screening`]: baseline values read from the simulated state at the screening day
//!   ([`BaselineState`], a [`protocol::Baseline`]) and [`screen`] against a protocol.
//! - [`cohort`]: frozen cohorts as CSV.
//!
//! ```
//! use population::{PopulationSpec, BaselineState, screen};
//! let spec = PopulationSpec::named("hospitalized_severe_2020").expect("built-in population");
//! let patient = spec.patient(7, 1);
//! let course = patient.natural_history(28.0).expect("solves"); // 28 days after screening
//! let baseline = BaselineState::at_screening(&patient, &course).expect("screening day simulated");
//! assert!(baseline.who_score >= 4); // inpatients are in hospital at screening
//! ```

pub mod cohort;
pub mod comorbidity;
mod covariates;
pub mod iiv;
mod patient;
pub mod screening;
pub mod spec;

pub use covariates::{AboGroup, Covariates, Sex};
pub use patient::{Timeline, VirtualPatient};
pub use screening::{BaselineState, Screening, screen};
pub use spec::{PopulationError, PopulationSpec, Setting, SourceRow};
