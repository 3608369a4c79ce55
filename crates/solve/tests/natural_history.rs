//! Natural-history targets of MODEL.md §8.8 on the phenotype presets (no treatment).
//! Literature sources: Néant 2021 (peak at onset, clearance 13 vs 16 dpo by age), Borremans 2020
//! (seroconversion ~12 dpo), severe/critical IL-6 and Berlin P/F classes (MODEL.md §3.6, §7.2).

use model::{Covariates, Phenotype};
use solve::{EventKind, PatientProblem, Trajectory, solve};

const YOUNGER: f64 = 45.0;
const OLDER: f64 = 72.0;

fn course(phenotype: Phenotype, age_years: f64) -> Trajectory {
    let covariates = Covariates {
        age_years,
        ..Covariates::default()
    };
    let problem = PatientProblem::natural_history(phenotype.params(), covariates, 60.0);
    solve(&problem).unwrap_or_else(|e| panic!("{phenotype} age {age_years}: {e}"))
}

fn clearance_day(t: &Trajectory) -> f64 {
    t.first(EventKind::ViralClearance).expect("virus cleared") - t.onset_day
}

#[test]
fn viral_peak_is_within_two_days_of_onset() {
    for ph in Phenotype::ALL {
        for age in [YOUNGER, OLDER] {
            let t = course(ph, age);
            let offset = t.viral_peak.time_days - t.onset_day;
            assert!(
                offset.abs() <= 2.0,
                "{ph} age {age}: peak {offset:+.2} d from onset"
            );
        }
    }
}

#[test]
fn viral_load_clears_10_to_18_days_after_onset_and_later_when_older() {
    for ph in Phenotype::ALL {
        let young = clearance_day(&course(ph, YOUNGER));
        let old = clearance_day(&course(ph, OLDER));
        for (age, day) in [(YOUNGER, young), (OLDER, old)] {
            assert!(
                (10.0..=18.0).contains(&day),
                "{ph} age {age}: cleared day {day:.1}"
            );
        }
        assert!(
            old > young,
            "{ph}: cleared day {old:.2} at {OLDER} vs {young:.2} at {YOUNGER}"
        );
        // The course never shows detectable virus again after clearance.
        let t = course(ph, OLDER);
        let after = t.rows.iter().filter(|r| f64::from(r.day) > old);
        assert!(
            after.clone().all(|r| !r.viral_load_detectable),
            "{ph}: rebound"
        );
    }
}

#[test]
fn neutralising_titer_reaches_1_in_20_between_days_7_and_15() {
    for ph in Phenotype::ALL {
        for age in [YOUNGER, OLDER] {
            let t = course(ph, age);
            let first = t.rows.iter().find(|r| r.titer_id50 >= 20.0).map(|r| r.day);
            assert!(
                matches!(first, Some(7..=15)),
                "{ph} age {age}: titer >= 20 first on day {first:?}"
            );
        }
    }
}

#[test]
fn severe_preset_has_hyperinflammation_hypoxaemia_and_lymphopenia() {
    for age in [YOUNGER, OLDER] {
        let t = course(Phenotype::Severe, age);
        let il6 = t.il6_peak.value;
        assert!(
            (30.0..=150.0).contains(&il6),
            "age {age}: IL-6 peak {il6:.1}"
        );
        let pf = t.pf_nadir.value;
        assert!(
            (100.0..=200.0).contains(&pf),
            "age {age}: P/F nadir {pf:.1}"
        );
        let lymph = t.lymphocyte_nadir.value;
        assert!(lymph < 0.8, "age {age}: lymphocyte nadir {lymph:.2}");
        assert!(
            (5..=7).contains(&t.who_peak),
            "age {age}: WHO peak {}",
            t.who_peak
        );
        // The daily rows agree with the exact extremes.
        let row_min = t
            .rows
            .iter()
            .map(|r| r.pf_ratio)
            .fold(f64::INFINITY, f64::min);
        assert!(row_min >= pf - 1e-9 && row_min < pf + 10.0);
    }
}

#[test]
fn critical_preset_needs_invasive_ventilation() {
    for age in [YOUNGER, OLDER] {
        let t = course(Phenotype::Critical, age);
        assert!(
            t.pf_nadir.value < 100.0,
            "age {age}: P/F nadir {:.1}",
            t.pf_nadir.value
        );
        assert!(t.who_peak >= 7, "age {age}: WHO peak {}", t.who_peak);
        let intubated = t.first(EventKind::Intubation).expect("intubated");
        // Intubation happens no later than P/F falls below 100 (immediate rule).
        assert!(intubated <= t.pf_nadir.time_days);
    }
}

#[test]
fn mild_preset_never_needs_oxygen() {
    for age in [YOUNGER, OLDER] {
        let t = course(Phenotype::Mild, age);
        assert!(
            t.pf_nadir.value > 300.0,
            "age {age}: P/F nadir {:.1}",
            t.pf_nadir.value
        );
        assert!(t.who_peak <= 4, "age {age}: WHO peak {}", t.who_peak);
        assert!(t.rows.iter().all(|r| r.pf_ratio > 300.0));
    }
}

#[test]
fn severity_orders_the_presets() {
    let nadirs: Vec<f64> = Phenotype::ALL
        .iter()
        .map(|p| course(*p, OLDER).pf_nadir.value)
        .collect();
    assert!(
        nadirs.windows(2).all(|w| w[0] > w[1]),
        "P/F nadirs {nadirs:?}"
    );
    let risk: Vec<f64> = Phenotype::ALL
        .iter()
        .map(|p| course(*p, OLDER).rows[28].death_probability)
        .collect();
    assert!(
        risk.windows(2).all(|w| w[0] <= w[1]),
        "day-28 death probability {risk:?}"
    );
}
