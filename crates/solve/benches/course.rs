//! Benchmark: one 60-day course (severe preset, convalescent plasma at onset + 1 d), and the same
//! with 10 days of oral dexamethasone, single-threaded; then ensemble throughput on all cores
//! with rayon (results collected in id order).
//!
//! Run: `cargo bench -p solve --bench course` (RAYON_NUM_THREADS pins the thread count).
//! A plain timing harness (no criterion) keeps the build small on the 2-core CI machine. Besides
//! wall-clock throughput it prints throughput per CPU-second of this process (Linux
//! /proc/self/stat), which stays meaningful when other jobs share the cores.

use std::hint::black_box;
use std::time::Instant;

use model::{Covariates, DoseEvent, DoseInput, Phenotype};
use rayon::prelude::*;
use solve::{PatientProblem, solve};

fn problem(id: u64, dexamethasone: bool) -> PatientProblem {
    let mut params = Phenotype::Severe.params();
    // Spread the patients a little (deterministic, no RNG needed): ±20 % on the two drivers.
    let u = (id % 1000) as f64 / 1000.0;
    let w = (id * 7919 % 1000) as f64 / 1000.0;
    params.s_myeloid *= 0.8 + 0.4 * u;
    params.f_ifn *= 0.8 + 0.4 * w;
    let mut p = PatientProblem::natural_history(params, Covariates::default(), 60.0);
    p.patient_id = id;
    p.death_threshold = Some(0.1 + 3.0 * w);
    p.doses.push(DoseEvent {
        time_days: p.onset_day + 1.0,
        duration_days: 2.0 / 24.0,
        input: DoseInput::PassiveAntibody {
            amount_id50_ml: 250.0 * 1000.0 * 0.88,
        },
    });
    if dexamethasone {
        for day in 0..10 {
            p.doses.push(DoseEvent {
                time_days: p.onset_day + 7.0 + f64::from(day),
                duration_days: 0.0,
                input: DoseInput::Dexamethasone {
                    dose_mg: 6.0,
                    bioavailability: 0.81,
                },
            });
        }
    }
    p
}

/// CPU seconds used by this process so far (user + system), if /proc is readable.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of stat(5) (utime, stime), counted from the state field (3).
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0) // USER_HZ is 100 on Linux
}

fn single(label: &str, p: &PatientProblem) {
    let reps = 2000;
    let _ = black_box(solve(p));
    let start = Instant::now();
    let mut steps = 0;
    for _ in 0..reps {
        steps = black_box(solve(black_box(p))).map(|t| t.steps).unwrap_or(0);
    }
    let per_course = start.elapsed().as_secs_f64() / f64::from(reps);
    println!(
        "single course, {label}: {:.1} µs ({steps} steps)",
        per_course * 1e6
    );
}

fn ensemble(label: &str, dexamethasone: bool) {
    let n = 40_000u64;
    let problems: Vec<PatientProblem> = (0..n).map(|id| problem(id, dexamethasone)).collect();
    let cpu0 = cpu_seconds();
    let start = Instant::now();
    let results: Vec<_> = problems.par_iter().map(solve).collect();
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    let failed = results.iter().filter(|r| r.is_err()).count();
    let deaths = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter(|t| t.first(solve::EventKind::Death).is_some())
        .count();
    let threads = rayon::current_num_threads();
    println!(
        "ensemble, {label}: {n} courses on {threads} threads in {secs:.2} s wall = {:.0} courses/s \
         ({failed} failed, {deaths} deaths)",
        n as f64 / secs
    );
    if let Some(cpu) = cpu {
        println!(
            "  per CPU-second: {:.0} courses/s per core, i.e. {:.0} courses/s on {threads} uncontended cores",
            n as f64 / cpu,
            n as f64 / cpu * threads as f64
        );
    }
}

fn main() {
    single("severe, 60 d, one plasma dose", &problem(0, false));
    single(
        "severe, 60 d, plasma + 10 x oral dexamethasone",
        &problem(0, true),
    );
    ensemble("severe, one plasma dose", false);
    ensemble("severe, plasma + 10 x dexamethasone", true);
}
