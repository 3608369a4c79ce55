//! Between-patient variability: distributions, reproducibility, bounds, and severity ordering
//! of the named populations.

use population::{PopulationSpec, VirtualPatient, comorbidity, spec};

const SEED: u64 = 2020;
const N: u64 = 10_000;

fn cohort(name: &str, n: u64) -> Vec<VirtualPatient> {
    let spec = PopulationSpec::named(name).expect("built-in population");
    (0..n).map(|id| spec.patient(SEED, id)).collect()
}

fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// Checks that residuals are N(0, ω²): mean within 4 standard errors (ω/√n) and SD within 4
/// standard errors of a normal sample SD (ω/√(2n)).
fn assert_normal(name: &str, residuals: &[f64], omega: f64) {
    let n = residuals.len() as f64;
    let (mean, sd) = mean_sd(residuals);
    assert!(
        mean.abs() < 4.0 * omega / n.sqrt(),
        "{name}: residual mean {mean} (omega {omega})"
    );
    assert!(
        (sd - omega).abs() < 4.0 * omega / (2.0 * n).sqrt(),
        "{name}: residual SD {sd}, expected {omega}"
    );
}

/// ω of a log-normal with coefficient of variation `cv`: CV² = exp(ω²) − 1.
fn omega_of_cv(cv: f64) -> f64 {
    (1.0_f64 + cv * cv).ln().sqrt()
}

#[test]
fn iiv_draws_match_their_distributions() {
    // hospitalized_severe_2020: severe preset, typical f_ifn 0.2, s_myeloid 0.9, other
    // parameters at the model defaults (docs/population.md).
    let patients = cohort("hospitalized_severe_2020", N);
    let decades = |p: &VirtualPatient| (p.covariates.age_years - 60.0) / 10.0;
    // Parameters without covariate effects: ln P − ln θ ~ N(0, ω²).
    for (name, typical, cv) in [
        ("r0", 11.0, 0.30),
        ("delta", 0.6, 0.30),
        ("rho_x", 1.2, 0.30),
        ("pi_n", 20.0, 0.50),
    ] {
        let residuals: Vec<f64> = patients
            .iter()
            .map(|p| (p.params.get(name).expect("known") / typical).ln())
            .collect();
        assert_normal(name, &residuals, omega_of_cv(cv));
        // The arithmetic CV of the values themselves is the CV of the table.
        let values: Vec<f64> = patients
            .iter()
            .map(|p| p.params.get(name).expect("known"))
            .collect();
        let (mean, sd) = mean_sd(&values);
        assert!(
            (sd / mean - cv).abs() < 0.03,
            "{name}: CV {} expected {cv}",
            sd / mean
        );
        // Median θ·exp(0) = θ.
        let below = values.iter().filter(|&&v| v < typical).count() as f64 / N as f64;
        assert!(
            (below - 0.5).abs() < 0.02,
            "{name}: {below} below the median"
        );
    }
    // s_myeloid: ln θ = ln 0.9 + 0.10 per decade from 60; CV 40 %.
    let residuals: Vec<f64> = patients
        .iter()
        .map(|p| p.params.s_myeloid.ln() - 0.9_f64.ln() - 0.10 * decades(p))
        .collect();
    assert_normal("s_myeloid", &residuals, omega_of_cv(0.40));
    // l0: ln θ = ln 1.8 − 0.05 per decade from 60; CV 30 %.
    let residuals: Vec<f64> = patients
        .iter()
        .map(|p| p.params.l0.ln() - 1.8_f64.ln() + 0.05 * decades(p))
        .collect();
    assert_normal("l0", &residuals, omega_of_cv(0.30));
    // j_scale: θ = 0.33, × 0.75 with chronic lung disease; CV 30 %.
    let residuals: Vec<f64> = patients
        .iter()
        .map(|p| {
            let typical = if p.covariates.chronic_lung_disease {
                0.33 * 0.75
            } else {
                0.33
            };
            (p.params.j_scale / typical).ln()
        })
        .collect();
    assert_normal("j_scale", &residuals, omega_of_cv(0.30));
    // f_ifn: logit-normal, logit θ = logit 0.2 − 0.15 per decade from 60; SD 0.8.
    let residuals: Vec<f64> = patients
        .iter()
        .map(|p| logit(p.params.f_ifn) - logit(0.2) + 0.15 * decades(p))
        .collect();
    assert_normal("f_ifn", &residuals, 0.8);
    // Parameters without IIV keep their default.
    assert!(patients.iter().all(|p| p.params.k_il6 == 1.06));
}

#[test]
fn etas_are_standard_normal_times_omega_and_independent() {
    let patients = cohort("icu_critical", N);
    // Correlation of the first two random effects (r0, delta) is zero within sampling error
    // (SE ≈ 1/√n).
    let a: Vec<f64> = patients.iter().map(|p| p.etas[0].eta).collect();
    let b: Vec<f64> = patients.iter().map(|p| p.etas[1].eta).collect();
    let (ma, sa) = mean_sd(&a);
    let (mb, sb) = mean_sd(&b);
    let cov = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (x - ma) * (y - mb))
        .sum::<f64>()
        / (N as f64 - 1.0);
    let r = cov / (sa * sb);
    assert!(r.abs() < 4.0 / (N as f64).sqrt(), "correlation {r}");
    assert_eq!(patients[0].etas.len(), population::iiv::IIV.len());
}

#[test]
fn same_id_gives_identical_patient_in_any_order() {
    let spec = PopulationSpec::named("hospitalized_severe_2020").expect("built-in");
    let forward: Vec<VirtualPatient> = (0..50).map(|id| spec.patient(SEED, id)).collect();
    let backward: Vec<VirtualPatient> = (0..50).rev().map(|id| spec.patient(SEED, id)).collect();
    for (f, b) in forward.iter().zip(backward.iter().rev()) {
        assert_eq!(f, b);
        // Covariates are exactly those of the covariate sampler (physiology comes after).
        assert_eq!(f.covariates, spec.sample(SEED, f.id));
    }
    // Another seed gives other physiology.
    assert_ne!(spec.patient(SEED + 1, 3).params, forward[3].params);
}

#[test]
fn parameters_and_model_covariates_stay_within_bounds() {
    for spec in spec::all() {
        for id in 0..N {
            let p = spec.patient(SEED, id);
            assert_eq!(p.params.validate(), Ok(()), "{} patient {id}", spec.name);
            assert_eq!(p.model_covariates.validate(), Ok(()), "{}", spec.name);
            assert!(p.timeline.onset_day > 0.0);
            assert!(p.timeline.screening_day >= p.timeline.onset_day);
        }
    }
}

#[test]
fn built_in_multipliers_name_real_parameters() {
    for spec in spec::all() {
        for (name, _) in spec.typical.value.multipliers {
            assert!(model::params::param_info(name).is_some(), "{name}");
        }
    }
    for row in population::iiv::IIV {
        assert!(model::params::param_info(row.parameter).is_some());
    }
    for effect in population::iiv::COVARIATE_EFFECTS {
        assert!(model::params::param_info(effect.parameter).is_some());
    }
}

#[test]
fn comorbidity_hazard_ratio_is_the_product_of_present_conditions() {
    let spec = PopulationSpec::named("hospitalized_severe_2020").expect("built-in");
    let mut c = spec.sample(SEED, 0);
    c.hypertension = false;
    c.diabetes = true;
    c.obesity = true;
    c.bmi_kg_m2 = 36.0;
    c.chronic_lung_disease = true;
    c.immunosuppression = false;
    c.cardiovascular_disease = false;
    c.chronic_kidney_disease = false;
    // 1.63 (lung) × 1.5 (diabetes) × 1.40 (BMI 35-40) = 3.423.
    assert!((comorbidity::hazard_ratio(&c) - 3.423).abs() < 1e-12);
    c.diabetes = false;
    c.chronic_lung_disease = false;
    c.obesity = false;
    c.bmi_kg_m2 = 24.0;
    assert_eq!(comorbidity::hazard_ratio(&c), 1.0);
}

#[test]
fn populations_are_ordered_by_natural_history_death_probability() {
    const PATIENTS: u64 = 200;
    let mean_death = |name: &str| {
        let total: f64 = cohort(name, PATIENTS)
            .iter()
            .map(|p| {
                let problem = p.natural_history_problem(p.end_of_follow_up(28.0));
                solve::solve(&problem)
                    .expect("natural history solves")
                    .final_death_probability
            })
            .sum();
        total / PATIENTS as f64
    };
    let outpatient = mean_death("outpatient_early");
    let hospitalised = mean_death("hospitalized_severe_2020");
    let icu = mean_death("icu_critical");
    assert!(
        outpatient < hospitalised && hospitalised < icu,
        "outpatient {outpatient}, hospitalised {hospitalised}, icu {icu}"
    );
}

#[test]
fn populations_have_their_intended_course_severity() {
    // Peak WHO score of the untreated course: outpatients mostly never need oxygen (WHO ≤ 4),
    // ICU patients mostly reach invasive ventilation (WHO ≥ 7).
    const PATIENTS: u64 = 200;
    let peaks = |name: &str| -> Vec<u8> {
        cohort(name, PATIENTS)
            .iter()
            .map(|p| {
                solve::solve(&p.natural_history_problem(p.end_of_follow_up(28.0)))
                    .expect("solves")
                    .who_peak
            })
            .collect()
    };
    let share =
        |v: &[u8], f: fn(u8) -> bool| v.iter().filter(|&&w| f(w)).count() as f64 / v.len() as f64;
    let outpatient = peaks("outpatient_early");
    assert!(share(&outpatient, |w| w <= 4) > 0.8);
    let hospitalised = peaks("hospitalized_severe_2020");
    assert!(share(&hospitalised, |w| w >= 5) > 0.7);
    let icu = peaks("icu_critical");
    assert!(share(&icu, |w| w >= 7) > 0.6);
}

#[test]
fn a_frozen_cohort_row_gets_the_same_physiology() {
    let spec = PopulationSpec::named("icu_critical").expect("built-in");
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("cohort.csv");
    let covariates: Vec<_> = (0..20).map(|id| spec.sample(SEED, id)).collect();
    population::cohort::write_cohort(&path, &covariates).expect("writes");
    let frozen = population::cohort::read_cohort(&path).expect("reads");
    for row in frozen {
        let id = row.patient_id;
        assert_eq!(
            VirtualPatient::with_covariates(&spec, SEED, row),
            spec.patient(SEED, id)
        );
    }
}
