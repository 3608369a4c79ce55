//! The within-host model of severe COVID-19: state, parameters, equations and observables.
//!
//! Pure: no I/O and no random numbers. Randomness (the death draw, measurement noise) is
//! injected by the caller. Time `t` is days since infection throughout.
//!
//! - [`Params`] / [`PARAM_INFO`]: every parameter, with unit, bounds and source.
//! - [`Covariates`]: age, sex, weight, comorbidity hazard ratio.
//! - [`Derived`]: per-patient constants (build once, then evaluate the right-hand side).
//! - [`State`]: named state; [`equations::derivative`] is the right-hand side.
//! - [`Observables`] and [`clinical`]: what is measured, the WHO scale and the care rules.
//! - [`dosing`]: the contract for doses entering the body.

pub mod clinical;
pub mod derived;
pub mod dosing;
pub mod equations;
pub mod observables;
pub mod params;
pub mod presets;
pub mod state;

pub use derived::Derived;
pub use dosing::{DoseEvent, DoseInput};
pub use equations::{Inputs, death_hazard, derivative, viral_load};
pub use observables::Observables;
pub use params::{Covariates, PARAM_INFO, ParamError, ParamInfo, Params, Provenance, Sex};
pub use presets::Phenotype;
pub use state::{N_STATES, State};
