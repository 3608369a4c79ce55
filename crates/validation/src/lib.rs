//! In-silico replicas of published trials: run a replica protocol (one with a `[validation]`
//! table) with many virtual patients, estimate the published effect measure with its
//! Monte-Carlo interval, and say whether it lies inside the published confidence interval;
//! calibrate free model parameters to those targets.
//!
//! [`replica`] (load and run replicas), [`estimate`] (paired and unpaired estimators),
//! [`overrides`] (`name=value` parameter overrides), [`calibrate`] (staged fit),
//! [`nelder_mead`] (the optimiser), [`forest`] (the forest plot, SVG).

#![warn(missing_docs)]

pub mod calibrate;
pub mod estimate;
pub mod forest;
pub mod nelder_mead;
pub mod overrides;
pub mod replica;

pub use overrides::{OverrideError, Overrides};
pub use replica::{Replica, ReplicaResult, Settings};

use thiserror::Error;

/// Errors of replicas and calibration.
#[derive(Debug, Error)]
pub enum ValidationError {
    /// A replica file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// Path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// A replica file is not a valid protocol.
    #[error(transparent)]
    Protocol(Box<protocol::ProtocolError>),
    /// A replica file has no `[validation]` table.
    #[error("{0}: no [validation] table; a replica needs the published result it is compared with")]
    NoValidation(String),
    /// The calibration plan names a replica that was not loaded.
    #[error("no replica called `{0}` in the replica folder")]
    MissingReplica(String),
    /// The population is unknown.
    #[error(transparent)]
    Population(#[from] population::PopulationError),
    /// Too few eligible candidates.
    #[error(
        "{replica}: only {enrolled} of {planned} patients were eligible among {screened} screened"
    )]
    NotEnoughEligible {
        /// Study id.
        replica: String,
        /// Enrolled.
        enrolled: u64,
        /// Planned.
        planned: u64,
        /// Screened.
        screened: u64,
    },
    /// A patient could not be simulated.
    #[error(transparent)]
    Simulation(#[from] trial::simulate::SimulationError),
    /// The trial engine failed otherwise.
    #[error(transparent)]
    Trial(Box<trial::run::TrialError>),
    /// Allocation failed.
    #[error(transparent)]
    Allocation(#[from] trial::allocation::AllocationError),
    /// The estimate could not be computed.
    #[error(transparent)]
    Estimate(#[from] estimate::EstimateError),
    /// A parameter override was refused.
    #[error(transparent)]
    Override(#[from] OverrideError),
}
