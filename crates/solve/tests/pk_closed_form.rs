//! The linear PK compartments against their analytic solutions (relative error < 1e-6), and
//! every dose applied at its scheduled time.

use model::{Covariates, DoseEvent, DoseInput, Params, Phenotype};
use solve::{PatientProblem, SolverOptions, Trajectory, solve, solve_with};

const REL_TOL: f64 = 1e-6;

fn run(doses: Vec<DoseEvent>) -> (PatientProblem, Trajectory) {
    let mut problem =
        PatientProblem::natural_history(Phenotype::Severe.params(), Covariates::default(), 30.0);
    problem.doses = doses;
    // Tight tolerances: this checks the equations and the dosing, not the default tolerance.
    let options = SolverOptions::default().tightened(1e6);
    let t = solve_with(&problem, &options).expect("solves");
    (problem, t)
}

fn assert_close(what: &str, got: f64, want: f64) {
    let rel = (got - want).abs() / want.abs();
    assert!(
        rel < REL_TOL,
        "{what}: got {got:e}, analytic {want:e}, relative error {rel:e}"
    );
}

/// Two-compartment micro-constants → (α, β) hybrid rates.
fn hybrid_rates(p: &Params) -> (f64, f64) {
    let sum = p.k_ab_el + p.k_ab_pt + p.k_ab_tp;
    let disc = (sum * sum - 4.0 * p.k_ab_el * p.k_ab_tp).sqrt();
    ((sum + disc) / 2.0, (sum - disc) / 2.0)
}

#[test]
fn passive_antibody_bolus_follows_the_two_compartment_solution() {
    let t_dose = 5.5 + 1.25;
    let amount = 250.0 * 1000.0 * 0.88;
    let dose = DoseEvent {
        time_days: t_dose,
        duration_days: 0.0,
        input: DoseInput::PassiveAntibody {
            amount_id50_ml: amount,
        },
    };
    let (problem, t) = run(vec![dose]);
    let p = &problem.params;
    let (a, b) = hybrid_rates(p);
    let plasma_ml = p.plasma_ml_per_kg * problem.covariates.weight_kg;
    let mut checked = 0;
    for row in t.rows.iter().filter(|r| r.time_days > t_dose) {
        let tau = row.time_days - t_dose;
        let amount_plasma = amount / (a - b)
            * ((a - p.k_ab_tp) * (-a * tau).exp() - (b - p.k_ab_tp) * (-b * tau).exp());
        assert_close(
            "plasma titer",
            row.titer_passive_id50,
            amount_plasma / plasma_ml,
        );
        checked += 1;
    }
    assert!(checked >= 20);
}

#[test]
fn passive_antibody_infusion_follows_the_two_compartment_solution() {
    let (start, duration) = (5.5 + 2.0, 2.0 / 24.0 * 10.0); // a slow 20 h infusion
    let amount = 5.0e5;
    let dose = DoseEvent {
        time_days: start,
        duration_days: duration,
        input: DoseInput::PassiveAntibody {
            amount_id50_ml: amount,
        },
    };
    let (problem, t) = run(vec![dose]);
    let p = &problem.params;
    let (a, b) = hybrid_rates(p);
    let rate = amount / duration;
    let plasma_ml = p.plasma_ml_per_kg * problem.covariates.weight_kg;
    // Response of the plasma compartment to a unit step input, integrated analytically.
    let step = |tau: f64| {
        if tau <= 0.0 {
            return 0.0;
        }
        rate / (a - b)
            * ((a - p.k_ab_tp) / a * (1.0 - (-a * tau).exp())
                - (b - p.k_ab_tp) / b * (1.0 - (-b * tau).exp()))
    };
    for row in t.rows.iter().filter(|r| r.time_days > start) {
        let tau = row.time_days - start;
        let want = (step(tau) - step(tau - duration)) / plasma_ml;
        assert_close(
            "plasma titer during/after infusion",
            row.titer_passive_id50,
            want,
        );
    }
}

#[test]
fn msc_bolus_decays_first_order_from_the_trapped_fraction() {
    let t_dose = 5.5 + 7.3;
    let cells = 75.0e6;
    let dose = DoseEvent {
        time_days: t_dose,
        duration_days: 0.0,
        input: DoseInput::MesenchymalStromalCells {
            viable_cells: cells,
        },
    };
    let (problem, t) = run(vec![dose]);
    let p = &problem.params;
    // Within 8 days the amount stays far above its absolute tolerance, so the check is relative.
    for row in t
        .rows
        .iter()
        .filter(|r| r.time_days > t_dose && r.time_days < t_dose + 8.0)
    {
        let tau = row.time_days - t_dose;
        let want = p.f_trap * cells / 1e6 * (-p.k_msc * tau).exp();
        assert_close("trapped MSCs", row.msc_lung_1e6_cells, want);
    }
}

#[test]
fn oral_dexamethasone_follows_the_bateman_function() {
    let t_dose = 5.5 + 3.4;
    let (dose_mg, f) = (6.0, 0.81);
    let dose = DoseEvent {
        time_days: t_dose,
        duration_days: 0.0,
        input: DoseInput::Dexamethasone {
            dose_mg,
            bioavailability: f,
        },
    };
    let (problem, t) = run(vec![dose]);
    let p = &problem.params;
    let ke = 24.0 * p.dex_clearance / p.dex_volume;
    let ka = p.dex_ka;
    for row in t
        .rows
        .iter()
        .filter(|r| r.time_days > t_dose && r.time_days < t_dose + 5.0)
    {
        let tau = row.time_days - t_dose;
        let mg_per_l =
            f * dose_mg / p.dex_volume * ka / (ka - ke) * ((-ke * tau).exp() - (-ka * tau).exp());
        assert_close(
            "dexamethasone ng/mL",
            row.dexamethasone_ng_ml,
            mg_per_l * 1000.0,
        );
    }
}

#[test]
fn iv_dexamethasone_decays_monoexponentially() {
    let t_dose = 5.5 + 3.4;
    let dose = DoseEvent {
        time_days: t_dose,
        duration_days: 0.0,
        input: DoseInput::Dexamethasone {
            dose_mg: 6.0,
            bioavailability: 1.0,
        },
    };
    let (problem, t) = run(vec![dose]);
    let p = &problem.params;
    let ke = 24.0 * p.dex_clearance / p.dex_volume;
    for row in t
        .rows
        .iter()
        .filter(|r| r.time_days > t_dose && r.time_days < t_dose + 5.0)
    {
        let tau = row.time_days - t_dose;
        let want = 6.0 / p.dex_volume * 1000.0 * (-ke * tau).exp();
        assert_close("dexamethasone ng/mL", row.dexamethasone_ng_ml, want);
    }
}

#[test]
fn every_dose_lands_at_its_scheduled_time() {
    let onset = 5.5;
    let mut doses: Vec<DoseEvent> = (0..10)
        .map(|day| DoseEvent {
            time_days: onset + 7.0 + f64::from(day) + 0.37,
            duration_days: 0.0,
            input: DoseInput::Dexamethasone {
                dose_mg: 6.0,
                bioavailability: 0.81,
            },
        })
        .collect();
    doses.push(DoseEvent {
        time_days: onset + 7.5,
        duration_days: 1.0 / 24.0,
        input: DoseInput::MesenchymalStromalCells { viable_cells: 1e8 },
    });
    doses.push(DoseEvent {
        time_days: onset + 2.0,
        duration_days: 5.0,
        input: DoseInput::Antiviral { efficacy: 0.6 },
    });
    doses.reverse(); // the solver must not rely on input order
    let mut problem =
        PatientProblem::natural_history(Phenotype::Severe.params(), Covariates::default(), 28.0);
    problem.doses = doses.clone();
    let t = solve(&problem).expect("solves");
    assert_eq!(t.doses.len(), doses.len());
    let mut scheduled: Vec<f64> = doses.iter().map(|d| d.time_days).collect();
    scheduled.sort_by(f64::total_cmp);
    let applied: Vec<f64> = t.doses.iter().map(|d| d.started_days).collect();
    assert_eq!(applied, scheduled);
    for a in &t.doses {
        assert_eq!(a.ended_days, a.dose.time_days + a.dose.duration_days);
    }
}

#[test]
fn invalid_doses_are_typed_errors_not_panics() {
    let mut problem =
        PatientProblem::natural_history(Phenotype::Severe.params(), Covariates::default(), 28.0);
    problem.doses = vec![DoseEvent {
        time_days: 8.0,
        duration_days: 1.0,
        input: DoseInput::Antiviral { efficacy: 1.5 },
    }];
    let failure = solve(&problem).expect_err("efficacy > 1 is invalid");
    assert_eq!(failure.patient_id, problem.patient_id);
    assert!(failure.to_string().contains("efficacy"), "{failure}");
}
