//! A results folder written by the real engine (`trial::run`), the way `immunotrial run` writes
//! it: the seed protocol (NCT04385043) with fewer patients, simulated, summarised and saved.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use trial::results::{Manifest, ResultsFolder, ShardSpec};

/// The seed protocol's text.
pub fn seed_protocol() -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join("protocols/nct04385043-hyperimmune-plasma.toml"))
        .expect("seed protocol")
}

/// Runs the seed protocol with `patients` patients into `folder` (without the report).
pub fn run_seed_trial(folder: &Path, patients: u32) {
    let text = seed_protocol().replace("patients = 400", &format!("patients = {patients}"));
    assert!(text.contains(&format!("patients = {patients}")));
    let protocol = protocol::parse_protocol("seed.toml", &text).expect("seed protocol parses");
    let out = ResultsFolder::create(folder).expect("results folder");
    let output = trial::run::simulate_trial(&protocol, ShardSpec::WHOLE, &|| {}, Some(&out))
        .expect("trial runs");
    let summary = trial::run::summarise(
        &protocol,
        &output.screening,
        &output.allocation_scheme,
        &output.datasets,
    );
    trial::run::write_results(&out, &text, &protocol, &output, &summary).expect("results");
    Manifest::for_this_run(protocol.simulation.seed, 1, 0.0, ShardSpec::WHOLE)
        .write(folder)
        .expect("manifest");
}
