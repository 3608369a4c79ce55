//! Untreated courses of each named population: mean 28-day death probability, WHO score at
//! screening, peak WHO and screening outcome against the seed protocol.
//! `cargo run -p population --example natural_history -- [patients] [seed]`.

use population::{BaselineState, PopulationSpec, screen};
use std::collections::BTreeMap;

const FOLLOW_UP_DAYS: f64 = 28.0;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2020);
    let text = include_str!("../../../protocols/nct04385043-hyperimmune-plasma.toml");
    let protocol = match protocol::parse_protocol("seed", text) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return;
        }
    };
    for spec in population::spec::all() {
        summarise(&spec, &protocol, n, seed);
    }
}

fn summarise(spec: &PopulationSpec, protocol: &protocol::Protocol, n: u64, seed: u64) {
    let mut death = 0.0;
    let mut who_at_screening = BTreeMap::new();
    let mut who_peak = BTreeMap::new();
    let mut reasons = BTreeMap::new();
    let mut failures = 0;
    for id in 0..n {
        let patient = spec.patient(seed, id);
        let problem = patient.natural_history_problem(patient.end_of_follow_up(FOLLOW_UP_DAYS));
        let Ok(course) = solve::solve(&problem) else {
            failures += 1;
            continue;
        };
        death += course.final_death_probability;
        *who_peak.entry(course.who_peak).or_insert(0) += 1;
        if let Some(b) = BaselineState::at_screening(&patient, &course) {
            *who_at_screening.entry(b.who_score).or_insert(0) += 1;
        }
        let s = screen(protocol, &patient, &course);
        let reason = s.first_failure().unwrap_or("eligible").to_owned();
        *reasons.entry(reason).or_insert(0) += 1;
    }
    println!("## {} (n = {n}, solver failures {failures})", spec.name);
    println!("mean 28-day death probability: {:.3}", death / n as f64);
    println!("WHO at screening: {who_at_screening:?}");
    println!("WHO peak: {who_peak:?}");
    println!("seed-protocol screening: {reasons:?}\n");
}
