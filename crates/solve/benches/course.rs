//! Benchmark: one 60-day course (severe preset, plasma at onset + 1 d and 10 days of oral
//! dexamethasone), single-threaded; then ensemble throughput on all cores with rayon.
//!
//! Run: `cargo bench -p solve --bench course` (set RAYON_NUM_THREADS to pin the core count).
//! A plain timing harness (no criterion) keeps the build small on the 2-core CI machine.

use std::hint::black_box;
use std::time::Instant;

use model::{Covariates, DoseEvent, DoseInput, Phenotype};
use rayon::prelude::*;
use solve::{PatientProblem, solve};

fn problem(id: u64) -> PatientProblem {
    let mut params = Phenotype::Severe.params();
    // Spread the patients a little (deterministic, no RNG needed): ±20 % on two drivers.
    let u = (id % 1000) as f64 / 1000.0;
    params.s_myeloid *= 0.8 + 0.4 * u;
    params.f_ifn *= 1.2 - 0.4 * ((id * 7919 % 1000) as f64 / 1000.0);
    let mut p = PatientProblem::natural_history(params, Covariates::default(), 60.0);
    p.patient_id = id;
    p.death_threshold = Some(1.0);
    p.doses.push(DoseEvent {
        time_days: p.onset_day + 1.0,
        duration_days: 2.0 / 24.0,
        input: DoseInput::PassiveAntibody {
            amount_id50_ml: 250.0 * 1000.0 * 0.88,
        },
    });
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
    p
}

fn main() {
    // Single course.
    let one = problem(0);
    let reps = 2000;
    let _ = black_box(solve(&one));
    let start = Instant::now();
    let mut steps = 0;
    for _ in 0..reps {
        steps = black_box(solve(black_box(&one)))
            .map(|t| t.steps)
            .unwrap_or(0);
    }
    let per_course = start.elapsed().as_secs_f64() / f64::from(reps);
    println!(
        "single course (severe, 60 d, plasma + 10 x dexamethasone): {:.1} µs ({steps} steps)",
        per_course * 1e6
    );

    // Ensemble on all cores: results collected in id order.
    let n = 20_000u64;
    let problems: Vec<PatientProblem> = (0..n).map(problem).collect();
    let start = Instant::now();
    let results: Vec<_> = problems.par_iter().map(solve).collect();
    let secs = start.elapsed().as_secs_f64();
    let failed = results.iter().filter(|r| r.is_err()).count();
    let deaths = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter(|t| t.first(solve::EventKind::Death).is_some())
        .count();
    println!(
        "ensemble: {n} courses on {} threads in {secs:.2} s = {:.0} courses/s ({failed} failed, {deaths} deaths)",
        rayon::current_num_threads(),
        n as f64 / secs
    );
}
