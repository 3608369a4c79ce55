//! The default tolerances are proven here: tightening them 10× changes the day-28 death
//! probability and the P/F nadir by less than 1e-3 relative, on every preset, at two ages, with
//! and without a treatment course, and on parameter sets spread across their bounds.

use model::{Covariates, DoseEvent, DoseInput, PARAM_INFO, Params, Phenotype, Sex};
use solve::{PatientProblem, SolverOptions, Trajectory, solve_with};

const MAX_RELATIVE_CHANGE: f64 = 1e-3;

fn treated(mut p: PatientProblem) -> PatientProblem {
    p.doses.push(DoseEvent {
        time_days: p.onset_day + 1.0,
        duration_days: 2.0 / 24.0,
        input: DoseInput::PassiveAntibody {
            amount_id50_ml: 2.2e5,
        },
    });
    p.doses.push(DoseEvent {
        time_days: p.onset_day + 7.0,
        duration_days: 1.0 / 24.0,
        input: DoseInput::MesenchymalStromalCells {
            viable_cells: 7.5e7,
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

fn check(label: &str, problem: &PatientProblem) {
    let default = SolverOptions::default();
    let run = |o: &SolverOptions| -> Trajectory {
        solve_with(problem, o).unwrap_or_else(|e| panic!("{label}: {e}"))
    };
    let a = run(&default);
    let b = run(&default.tightened(10.0));
    let rel = |x: f64, y: f64| (x - y).abs() / y.abs().max(1e-12);
    let (pa, pb) = (a.rows[28].death_probability, b.rows[28].death_probability);
    assert!(
        rel(pa, pb) < MAX_RELATIVE_CHANGE,
        "{label}: day-28 P(death) {pa} vs {pb}"
    );
    let (na, nb) = (a.pf_nadir.value, b.pf_nadir.value);
    assert!(
        rel(na, nb) < MAX_RELATIVE_CHANGE,
        "{label}: P/F nadir {na} vs {nb}"
    );
}

#[test]
fn presets_converge_with_and_without_treatment() {
    for ph in Phenotype::ALL {
        for age in [45.0, 72.0] {
            let cov = Covariates {
                age_years: age,
                sex: Sex::Male,
                ..Covariates::default()
            };
            let p = PatientProblem::natural_history(ph.params(), cov, 40.0);
            check(&format!("{ph} age {age}"), &p);
            check(&format!("{ph} age {age} treated"), &treated(p));
        }
    }
}

#[test]
fn spread_parameter_sets_converge() {
    // Deterministic low-discrepancy points in the unit cube (additive recurrence with the
    // fractional parts of square roots of primes), mapped into each parameter's bounds and
    // pulled half-way toward the default so the sets stay clinically plausible.
    let primes = [
        2.0f64, 3.0, 5.0, 7.0, 11.0, 13.0, 17.0, 19.0, 23.0, 29.0, 31.0, 37.0,
    ];
    for k in 1..=12 {
        let mut params = Params::default();
        for (i, info) in PARAM_INFO.iter().enumerate() {
            let alpha = primes[i % primes.len()].sqrt() + i as f64 * 0.618_033_988_75;
            let u = (k as f64 * alpha).fract();
            let extreme = info.lower + u * (info.upper - info.lower);
            let value = 0.5 * (info.default + extreme);
            params.set(info.name, value).expect("inside bounds");
        }
        let p = PatientProblem::natural_history(params, Covariates::default(), 40.0);
        check(&format!("spread set {k}"), &treated(p));
    }
}
