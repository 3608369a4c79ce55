//! Directional checks of the therapies through the model and solver (MODEL.md §8, TRIALS.md
//! cross-cutting facts): plasma early ≥ late, higher titer ≥ lower, MSCs lower IL-6,
//! dexamethasone helps critical more than mild, and a replay of the Peng 2020 case report.

use model::{Covariates, Params, Phenotype};
use solve::{DEFAULT_INCUBATION_DAYS, PatientProblem, Trajectory, solve};
use therapy::msc::{MSC_NEUTRAL, MSC_OPTIMISTIC, MSC_PESSIMISTIC};
use therapy::schedule::ConditionalDoses;
use therapy::{AboGroup, PatientContext, Regimen, give};

const FOLLOW_UP_DAYS: f64 = 28.0;

/// One patient of `params` given `gives` (each a `--give` text), followed 28 days after onset.
fn course_with(params: Params, gives: &[&str]) -> Trajectory {
    let covariates = Covariates::default();
    let patient =
        PatientContext::new(covariates.weight_kg, DEFAULT_INCUBATION_DAYS, AboGroup::O).unwrap();
    let regimen = Regimen {
        name: gives.join(" "),
        items: gives
            .iter()
            .flat_map(|g| give::parse(g).unwrap().items)
            .collect(),
    };
    let treatment = regimen
        .realize(1, 0, &patient, ConditionalDoses::Give)
        .unwrap();
    let mut problem = PatientProblem::natural_history(params, covariates, FOLLOW_UP_DAYS);
    problem.doses = treatment.events;
    solve(&problem).unwrap()
}

fn course(phenotype: Phenotype, gives: &[&str]) -> Trajectory {
    course_with(phenotype.params(), gives)
}

fn death(phenotype: Phenotype, gives: &[&str]) -> f64 {
    course(phenotype, gives).final_death_probability
}

#[test]
fn plasma_helps_early_and_not_late() {
    // MODEL.md §4.2: benefit only before the viral peak (≈ onset) and seroconversion.
    for phenotype in [Phenotype::Severe, Phenotype::Critical] {
        let none = death(phenotype, &[]);
        let early = death(phenotype, &["plasma@0:units=2,titer=1000"]);
        let late = death(phenotype, &["plasma@10:units=2,titer=1000"]);
        assert!(
            early < 0.8 * none,
            "{phenotype:?}: early {early} vs none {none}"
        );
        assert!(early < late, "{phenotype:?}");
        assert!(
            late <= none && (none - late) < 0.01 * none,
            "{phenotype:?}: late {late} vs none {none}"
        );
    }
}

#[test]
fn higher_titer_is_at_least_as_good_as_lower() {
    for phenotype in [Phenotype::Moderate, Phenotype::Severe, Phenotype::Critical] {
        let low = course(phenotype, &["plasma@1:units=2,titer=300"]);
        let high = course(phenotype, &["plasma@1:units=2,titer=3000"]);
        assert!(
            high.final_death_probability <= low.final_death_probability,
            "{phenotype:?}"
        );
        assert!(high.pf_nadir.value >= low.pf_nadir.value, "{phenotype:?}");
        assert!(
            high.viral_peak.value <= low.viral_peak.value,
            "{phenotype:?}"
        );
    }
}

#[test]
fn mscs_lower_il6_after_infusion() {
    // MODEL.md §5.2: IL-6 falls after MSCs (Stem Cell Res Ther 2022; Lanzoni 2021).
    for phenotype in [Phenotype::Severe, Phenotype::Critical] {
        let none = course(phenotype, &[]);
        let msc = course(phenotype, &["msc@7:dose=1e6,infusions=3"]);
        for day in 0..=7 {
            assert_eq!(
                msc.day(day).unwrap().il6_pg_ml,
                none.day(day).unwrap().il6_pg_ml
            );
        }
        for day in 9..=20 {
            let (with, without) = (
                msc.day(day).unwrap().il6_pg_ml,
                none.day(day).unwrap().il6_pg_ml,
            );
            assert!(
                with < without,
                "{phenotype:?} day {day}: {with} vs {without}"
            );
        }
    }
}

#[test]
fn msc_effect_presets_order_the_outcome() {
    let death_with = |preset: &therapy::MscEffectPreset| {
        let mut params = Phenotype::Critical.params();
        preset.apply(&mut params).unwrap();
        course_with(params, &["msc@7"]).final_death_probability
    };
    let (optimistic, neutral, pessimistic) = (
        death_with(&MSC_OPTIMISTIC),
        death_with(&MSC_NEUTRAL),
        death_with(&MSC_PESSIMISTIC),
    );
    assert!(
        optimistic < neutral && neutral < pessimistic,
        "{optimistic} {neutral} {pessimistic}"
    );
}

#[test]
fn dexamethasone_helps_critical_patients_more_than_mild() {
    // RECOVERY: RR 0.64 on IMV, 1.19 (NS) without oxygen. Started at admission (day 7).
    let rr = |phenotype| death(phenotype, &["dexamethasone@7"]) / death(phenotype, &[]);
    let (critical, mild) = (rr(Phenotype::Critical), rr(Phenotype::Mild));
    assert!(critical < 1.0, "{critical}");
    assert!(critical < mild, "critical {critical} vs mild {mild}");
}

#[test]
fn case_report_replay() {
    // Peng 2020 (TRIALS.md §8): standard therapy of the case from admission (day 7), convalescent
    // plasma when still deteriorating (assumed day 10; dates not reported), then three UC-MSC
    // infusions of 1e6 cells/kg. Reported: lymphocytes rose the day after plasma, infiltrates
    // were absorbed after MSCs.
    const CP_DAY: u32 = 10;
    let standard = ["case_report_2020@7"];
    let with_cp = [
        "case_report_2020@7",
        "plasma@10:units=1,volume=200,titer=640",
    ];
    let with_cp_msc = [
        "case_report_2020@7",
        "plasma@10:units=1,volume=200,titer=640",
        "msc@11:dose=1e6,infusions=3",
    ];
    let (s, cp, both) = (
        course(Phenotype::Critical, &standard),
        course(Phenotype::Critical, &with_cp),
        course(Phenotype::Critical, &with_cp_msc),
    );
    let lymph = |t: &Trajectory, d: u32| t.day(d).unwrap().lymphocytes_1e9_l;
    let injury = |t: &Trajectory, d: u32| t.day(d).unwrap().lung_injury;
    // Lymphocytes rise from the day after plasma.
    assert!(lymph(&both, CP_DAY + 1) > lymph(&both, CP_DAY));
    assert!(lymph(&both, CP_DAY + 4) > lymph(&both, CP_DAY + 1));
    // In the model, plasma this late adds almost nothing (late CP is null, MODEL.md §4.2): the
    // rise is the natural course after the IL-6 peak, and MSCs speed it.
    assert!((lymph(&cp, CP_DAY + 4) - lymph(&s, CP_DAY + 4)).abs() < 0.01);
    assert!(lymph(&both, CP_DAY + 4) > lymph(&cp, CP_DAY + 4));
    // Infiltrates absorb faster with MSCs (less lung injury 10 days after plasma).
    assert!(injury(&both, CP_DAY + 10) < injury(&cp, CP_DAY + 10));
    assert!(both.final_death_probability < cp.final_death_probability);
}
