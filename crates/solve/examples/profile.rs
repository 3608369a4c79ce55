//! Time one severe course with and without doses, at several tolerances (used while tuning).
use std::time::Instant;

use model::{Covariates, DoseEvent, DoseInput, Phenotype};
use solve::{PatientProblem, SolverOptions, solve_with};

fn main() {
    let mut p =
        PatientProblem::natural_history(Phenotype::Severe.params(), Covariates::default(), 60.0);
    for with_dex in [false, true] {
        if with_dex {
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
        for rtol in [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-9] {
            let opts = SolverOptions {
                rtol,
                atol_scale: rtol / 1e-4,
                max_step: std::env::var("MAXSTEP").map_or(0.5, |v| v.parse().unwrap_or(0.5)),
                ..SolverOptions::default()
            };
            let start = Instant::now();
            let n = 200;
            let mut t = None;
            for _ in 0..n {
                t = Some(solve_with(&p, &opts).unwrap());
            }
            let t = t.unwrap();
            println!(
                "dex {with_dex} rtol {rtol:e}: {:.0} µs, {} steps, PF nadir {:.6}, p28 {:.6}",
                start.elapsed().as_secs_f64() / n as f64 * 1e6,
                t.steps,
                t.pf_nadir.value,
                t.rows[28].death_probability
            );
        }
    }
}
