//! Trials: enrollment, randomization, follow-up, endpoints, counterfactual twins, replicates,
//! results datasets.
//!
//! Built so far: [`allocation`] (randomization schemes), [`datasets`] (ADaM datasets written to
//! CSV and Parquet), [`endpoints`] (time-to-event and binary endpoints of one patient),
//! [`engine`] (the trial loop around a per-patient simulation closure), [`results`] (results
//! folder: manifest, shards, atomic writes).

pub mod allocation;
pub mod datasets;
pub mod endpoints;
pub mod engine;
pub mod results;
