//! Property test over random parameter sets inside their bounds (10,000 cases): the solve never
//! fails or produces NaN/infinity, epithelial fractions stay in [0, 1] and sum to 1, titers and
//! concentrations stay non-negative, and the WHO score never improves as P/F falls at fixed
//! support.

use model::{Covariates, DoseEvent, DoseInput, PARAM_INFO, Params, Sex};
use proptest::prelude::*;
use solve::{PatientProblem, SolverOptions, solve_with};

/// Slack for round-off in the integrator (the states are O(1) fractions or larger).
const ROUNDING: f64 = 1e-9;

/// Map unit-interval draws into each parameter's bounds: geometric when the bounds span more
/// than two decades (rates, scales), linear otherwise.
fn params_from(unit: &[f64]) -> Params {
    let mut params = Params::default();
    for (info, u) in PARAM_INFO.iter().zip(unit) {
        let value = if info.lower > 0.0 && info.upper / info.lower > 100.0 {
            (info.lower.ln() + u * (info.upper / info.lower).ln()).exp()
        } else {
            info.lower + u * (info.upper - info.lower)
        };
        params
            .set(info.name, value.clamp(info.lower, info.upper))
            .expect("inside bounds");
    }
    params
}

fn doses(onset: f64, plasma_day: f64, msc_day: f64, dex_day: f64) -> Vec<DoseEvent> {
    vec![
        DoseEvent {
            time_days: onset + plasma_day,
            duration_days: 0.08,
            input: DoseInput::PassiveAntibody {
                amount_id50_ml: 2.5e5,
            },
        },
        DoseEvent {
            time_days: onset + msc_day,
            duration_days: 0.0,
            input: DoseInput::MesenchymalStromalCells { viable_cells: 1e8 },
        },
        DoseEvent {
            time_days: onset + dex_day,
            duration_days: 0.0,
            input: DoseInput::Dexamethasone {
                dose_mg: 6.0,
                bioavailability: 0.81,
            },
        },
        DoseEvent {
            time_days: onset + dex_day,
            duration_days: 5.0,
            input: DoseInput::Antiviral { efficacy: 0.7 },
        },
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    #[test]
    fn courses_stay_physical(
        unit in prop::collection::vec(0.0..=1.0f64, PARAM_INFO.len()),
        age in 18.0..100.0f64,
        male in any::<bool>(),
        weight in 40.0..150.0f64,
        treated in any::<bool>(),
        days in (0.0..15.0f64, 0.0..15.0f64, 0.0..15.0f64),
    ) {
        let covariates = Covariates {
            age_years: age,
            sex: if male { Sex::Male } else { Sex::Female },
            weight_kg: weight,
            hr_comorbidity: 1.0,
        };
        let mut problem = PatientProblem::natural_history(params_from(&unit), covariates, 30.0);
        problem.death_threshold = Some(0.7);
        if treated {
            problem.doses = doses(problem.onset_day, days.0, days.1, days.2);
        }
        let options = SolverOptions { record_states: true, ..SolverOptions::default() };
        let t = solve_with(&problem, &options);
        prop_assert!(t.is_ok(), "{:?}", t.err());
        let t = t.unwrap();
        prop_assert_eq!(t.states.len(), t.rows.len());
        for (row, s) in t.rows.iter().zip(&t.states) {
            let values = [
                row.viral_load_log10, row.il6_pg_ml, row.lymphocytes_1e9_l, row.titer_id50,
                row.lung_injury, row.pf_ratio, row.spo2, row.fio2_required,
                row.death_probability, row.dexamethasone_ng_ml, row.immunoregulation,
            ];
            prop_assert!(values.iter().all(|v| v.is_finite()), "day {}: {:?}", row.day, row);
            prop_assert!(s.to_array().iter().all(|v| v.is_finite()), "day {}: {:?}", row.day, s);
            let fractions = [s.target, s.refractory, s.eclipse, s.infected, s.damaged];
            for f in fractions {
                prop_assert!((-ROUNDING..=1.0 + ROUNDING).contains(&f), "fraction {f} in {s:?}");
            }
            prop_assert!((s.epithelium_total() - 1.0).abs() < 1e-6, "sum {}", s.epithelium_total());
            let non_negative = [
                s.titer_endogenous, s.ab_plasma, s.ab_tissue, s.msc_lung, s.dex_gut,
                s.dex_conc, s.il6, s.lymphocytes, s.cum_hazard, s.myeloid, s.effector, s.bcell,
            ];
            prop_assert!(non_negative.iter().all(|v| *v >= -ROUNDING), "negative in {s:?}");
            prop_assert!((0.0..=1.0).contains(&row.death_probability));
        }
        // Death probability never decreases.
        prop_assert!(t.rows.windows(2).all(|w| w[1].death_probability >= w[0].death_probability));
    }
}
