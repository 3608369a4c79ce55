//! Trials: enrollment, randomization, follow-up, endpoints, counterfactual twins, replicates,
//! results datasets.
//!
//! [`allocation`] (randomization schemes), [`design`] (protocol → allocation design), [`datasets`] (ADaM datasets written to CSV and
//! Parquet), [`endpoints`] (ADTTE records of one patient), [`engine`] (the trial loop around a
//! synthetic per-patient closure, used by tests and benchmarks), [`simulate`] (a virtual patient
//! in the mechanistic model: screening and courses), [`regimens`] (protocol regimens → therapy),
//! [`outcomes`] (endpoint values), [`summary`] (`summary.json`), [`run`] (a protocol end to end,
//! results folder, shard merge), [`results`] (manifest, shards, atomic writes).

pub mod allocation;
pub mod datasets;
pub mod design;
pub mod endpoints;
pub mod engine;
pub mod outcomes;
pub mod regimens;
pub mod results;
pub mod run;
pub mod simulate;
pub mod subgroups;
pub mod summary;
pub mod supply;
