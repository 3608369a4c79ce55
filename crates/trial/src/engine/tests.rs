use super::*;
use crate::allocation::{BlockSizes, Ratio, Scheme};
use crate::datasets::adam::{adcps, adsl, adtte};
use crate::results::merge_by_patient;
use rand::RngExt;
use streams::Purpose;

const SEED: u64 = 42;
const HORIZON: u32 = 28;

fn plan(patients: u64, twins: bool) -> TrialPlan {
    let ratio = Ratio::new(vec![1, 1]).unwrap();
    let blocks = BlockSizes::new(vec![4], &ratio).unwrap();
    TrialPlan {
        study: Study {
            studyid: "SYNTH".into(),
        },
        site_id: "01".into(),
        arms: vec!["Standard care".into(), "Plasma".into()],
        design: Design::new(ratio, Scheme::PermutedBlocks(blocks)).unwrap(),
        population: PopulationSpec::named("hospitalized_severe_2020").unwrap(),
        patients,
        max_screened: 10 * patients,
        seed: SEED,
        horizon_days: HORIZON,
        twins,
    }
}

/// A synthetic course: exponential death time (hazard 0.02/day, ×1.5 from 65 years, ×0.6 in
/// arm 1) from the patient's own Death stream; WHO 5 at baseline, 10 from the death day, else
/// one point better every 4 days down to 2.
fn simulate(c: &Covariates, arm: ArmIndex) -> PatientCourse {
    let u: f64 = streams::stream(SEED, Purpose::Death, c.patient_id).random();
    let mut hazard = 0.02;
    if c.age_years >= 65.0 {
        hazard *= 1.5;
    }
    if arm == 1 {
        hazard *= 0.6;
    }
    let death = -(1.0 - u).ln() / hazard;
    let died = death <= f64::from(HORIZON);
    let daily_who = (0..=HORIZON)
        .map(|k| {
            let t = f64::from(k);
            if died && t >= death.floor() {
                10
            } else {
                5u8.saturating_sub((k / 4) as u8).max(2)
            }
        })
        .collect();
    PatientCourse {
        death_days: died.then_some(death),
        follow_up_days: f64::from(HORIZON),
        daily_who,
    }
}

fn everyone(_: &Covariates) -> bool {
    true
}

fn no_levels(_: &Covariates) -> Vec<u32> {
    Vec::new()
}

fn run_with_threads(threads: usize, plan: &TrialPlan, shard: ShardSpec) -> Vec<PatientResult> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| run(plan, shard, everyone, no_levels, simulate).unwrap())
}

fn csv_of(plan: &TrialPlan, results: &[PatientResult]) -> Vec<Vec<u8>> {
    let (subjects, tte, scores) = records(plan, results);
    [
        adsl(&plan.study, &subjects).unwrap(),
        adtte(&plan.study, &subjects, &tte).unwrap(),
        adcps(&plan.study, &subjects, &scores).unwrap(),
    ]
    .iter()
    .map(|d| d.to_csv_bytes().unwrap())
    .collect()
}

#[test]
fn output_is_identical_for_1_and_4_threads() {
    let plan = plan(60, true);
    let one = run_with_threads(1, &plan, ShardSpec::WHOLE);
    let four = run_with_threads(4, &plan, ShardSpec::WHOLE);
    assert_eq!(one, four);
    assert_eq!(csv_of(&plan, &one), csv_of(&plan, &four));
}

#[test]
fn merged_shards_equal_the_whole_run() {
    let plan = plan(50, false);
    let whole = run_with_threads(2, &plan, ShardSpec::WHOLE);
    let count = 3;
    let shards: Vec<Vec<PatientResult>> = (0..count)
        .rev()
        .map(|i| run_with_threads(2, &plan, ShardSpec::new(i, count).unwrap()))
        .collect();
    let merged = merge_by_patient(shards, |r| r.subject.subject_id).unwrap();
    assert_eq!(merged, whole);
    assert_eq!(csv_of(&plan, &merged), csv_of(&plan, &whole));
}

#[test]
fn blocks_of_four_split_forty_patients_twenty_twenty() {
    let results = run_with_threads(2, &plan(40, false), ShardSpec::WHOLE);
    let in_arm_1 = results
        .iter()
        .filter(|r| r.subject.planned_arm.number == 2)
        .count();
    assert_eq!((results.len(), in_arm_1), (40, 20));
}

#[test]
fn twins_contain_the_randomized_course_and_differ_by_arm() {
    let results = run_with_threads(2, &plan(30, true), ShardSpec::WHOLE);
    let mut differ = 0;
    for r in &results {
        let arm = (r.subject.planned_arm.number - 1) as usize;
        assert_eq!(r.twins.len(), 2);
        assert_eq!(r.course, r.twins[arm]);
        differ += usize::from(r.twins[0] != r.twins[1]);
    }
    // Arm 1 scales the hazard, so the death times differ for everyone who dies in arm 0.
    assert!(differ > 0);
}

#[test]
fn screening_enrolls_only_eligible_patients_in_id_order() {
    let plan = plan(25, false);
    let young = |c: &Covariates| c.age_years < 60.0;
    let results = run(&plan, ShardSpec::WHOLE, young, no_levels, simulate).unwrap();
    assert_eq!(results.len(), 25);
    assert!(
        results
            .iter()
            .all(|r| r.subject.covariates.age_years < 60.0)
    );
    assert!(
        results
            .windows(2)
            .all(|w| w[0].subject.subject_id < w[1].subject.subject_id)
    );
    let nobody = |_: &Covariates| false;
    assert!(matches!(
        run(&plan, ShardSpec::WHOLE, nobody, no_levels, simulate),
        Err(EngineError::NotEnoughEligible { enrolled: 0, .. })
    ));
}

#[test]
fn records_carry_death_and_recovery_endpoints() {
    let plan = plan(40, false);
    let results = run_with_threads(2, &plan, ShardSpec::WHOLE);
    let (subjects, tte, scores) = records(&plan, &results);
    assert_eq!(subjects.len(), 40);
    assert_eq!(tte.len(), 80);
    assert_eq!(scores.len(), 40 * (HORIZON as usize + 1));
    for (r, os) in results.iter().zip(tte.iter().step_by(2)) {
        assert_eq!(os.parameter.code, "OS28");
        match r.course.death_days {
            Some(t) => {
                assert_eq!(os.time_days, t);
                assert_eq!(r.subject.end_of_study, EndOfStudy::Death);
            }
            None => assert_eq!(os.time_days, 28.0),
        }
    }
}
