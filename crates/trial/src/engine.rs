//! The trial loop, independent of the model: enroll → screen → allocate → simulate each
//! patient (under the randomized arm and, for counterfactual twins, under every arm) → endpoints
//! → ADaM records. The per-patient simulation is a closure, so the mechanistic model plugs in
//! later without changing the bookkeeping; tests drive it with a synthetic closure.
//!
//! Determinism: covariates come from each patient's own stream; allocation runs once, in
//! enrollment order, over all enrolled patients (also in a shard, so a shard sees the same arms
//! as a whole run); simulation runs in parallel with rayon but results are collected in
//! patient-id order, so the output is bit-identical for any thread count and, after
//! [`crate::results::merge_by_patient`], for any shard layout.

use crate::allocation::{AllocationError, ArmIndex, Design, Enrollee, allocate};
use crate::datasets::adam::{
    Arm, EndOfStudy, Study, SubjectRecord, TimeToEventRecord, WhoScoreRecord, study_day,
};
use crate::endpoints;
use crate::results::ShardSpec;
use population::{Covariates, PopulationSpec};
use rayon::prelude::*;
use thiserror::Error;

/// Errors of a trial run.
#[derive(Debug, Error)]
pub enum EngineError {
    /// The allocation design rejected the enrolled patients.
    #[error(transparent)]
    Allocation(#[from] AllocationError),
    /// The design's ratio has a different number of arms than the plan.
    #[error("the allocation ratio has {ratio_arms} arms but the trial has {arms}")]
    ArmCount {
        /// Arms in the ratio.
        ratio_arms: usize,
        /// Arms in the plan.
        arms: usize,
    },
    /// Fewer eligible patients than planned were found among the screening limit.
    #[error("only {enrolled} of {planned} patients were eligible among {screened} screened")]
    NotEnoughEligible {
        /// Enrolled.
        enrolled: u64,
        /// Planned.
        planned: u64,
        /// Screened.
        screened: u64,
    },
}

/// What the simulation of one patient under one arm returns to the engine.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientCourse {
    /// Death time, days since randomization, if the patient died during follow-up.
    pub death_days: Option<f64>,
    /// End of follow-up, days since randomization.
    pub follow_up_days: f64,
    /// Daily WHO CPS scores: entry k is study day k + 1 (entry 0 is the baseline day).
    pub daily_who: Vec<u8>,
}

/// A trial to run.
#[derive(Debug, Clone)]
pub struct TrialPlan {
    /// Study identifiers.
    pub study: Study,
    /// Site id written to every subject.
    pub site_id: String,
    /// Arm names, in protocol order (arm index = position).
    pub arms: Vec<String>,
    /// Allocation design (its ratio has one entry per arm).
    pub design: Design,
    /// Population the patients are drawn from.
    pub population: PopulationSpec,
    /// Patients to enroll.
    pub patients: u64,
    /// Most candidates screened before giving up.
    pub max_screened: u64,
    /// Master seed.
    pub seed: u64,
    /// Endpoint horizon, days (e.g. 28).
    pub horizon_days: u32,
    /// Also simulate every patient under every arm (counterfactual twins).
    pub twins: bool,
}

/// One enrolled patient's results.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientResult {
    /// Subject record (ADSL row).
    pub subject: SubjectRecord,
    /// Course under the randomized arm.
    pub course: PatientCourse,
    /// Courses under every arm, in arm order, when twins were asked (else empty).
    pub twins: Vec<PatientCourse>,
}

/// Screens candidates 0, 1, 2, … in order until `plan.patients` are eligible.
fn enroll(
    plan: &TrialPlan,
    eligible: &(impl Fn(&Covariates) -> bool + Sync),
) -> Result<Vec<Covariates>, EngineError> {
    let mut enrolled = Vec::new();
    let mut screened = 0;
    while (enrolled.len() as u64) < plan.patients && screened < plan.max_screened {
        let candidate = plan.population.sample(plan.seed, screened);
        if eligible(&candidate) {
            enrolled.push(candidate);
        }
        screened += 1;
    }
    if (enrolled.len() as u64) < plan.patients {
        return Err(EngineError::NotEnoughEligible {
            enrolled: enrolled.len() as u64,
            planned: plan.patients,
            screened,
        });
    }
    Ok(enrolled)
}

/// Runs the patients of `shard` of a trial. `eligible` screens covariates; `levels` gives a
/// patient's stratification/minimisation factor levels (empty for unstratified designs);
/// `simulate` returns the course of a patient under an arm and must be a pure function of its
/// arguments (draw randomness from the patient's streams). Results are in patient-id order.
pub fn run(
    plan: &TrialPlan,
    shard: ShardSpec,
    eligible: impl Fn(&Covariates) -> bool + Sync,
    levels: impl Fn(&Covariates) -> Vec<u32>,
    simulate: impl Fn(&Covariates, ArmIndex) -> PatientCourse + Sync,
) -> Result<Vec<PatientResult>, EngineError> {
    if plan.design.ratio().arms() != plan.arms.len() {
        return Err(EngineError::ArmCount {
            ratio_arms: plan.design.ratio().arms(),
            arms: plan.arms.len(),
        });
    }
    let enrolled = enroll(plan, &eligible)?;
    let enrollees: Vec<Enrollee> = enrolled
        .iter()
        .map(|c| Enrollee {
            id: c.patient_id,
            levels: levels(c),
        })
        .collect();
    let arms = allocate(&plan.design, plan.seed, &enrollees)?;
    let mine: Vec<(&Covariates, ArmIndex)> = enrolled
        .iter()
        .zip(arms)
        .filter(|(c, _)| shard.contains(c.patient_id))
        .collect();
    // Parallel map; `collect` keeps the input (patient-id) order whatever the thread count.
    Ok(mine
        .par_iter()
        .map(|&(covariates, arm)| {
            let twins: Vec<PatientCourse> = if plan.twins {
                (0..plan.arms.len())
                    .map(|a| simulate(covariates, a))
                    .collect()
            } else {
                Vec::new()
            };
            let course = twins
                .get(arm)
                .cloned()
                .unwrap_or_else(|| simulate(covariates, arm));
            let subject = subject_record(plan, covariates, arm, &course);
            PatientResult {
                subject,
                course,
                twins,
            }
        })
        .collect())
}

fn subject_record(
    plan: &TrialPlan,
    covariates: &Covariates,
    arm: ArmIndex,
    course: &PatientCourse,
) -> SubjectRecord {
    let arm_record = Arm {
        number: arm as i64 + 1,
        name: plan.arms[arm].clone(),
    };
    let died = course.death_days.filter(|&t| t <= course.follow_up_days);
    let end_of_study = match died {
        Some(_) => EndOfStudy::Death,
        None if course.follow_up_days < f64::from(plan.horizon_days) => EndOfStudy::LostToFollowUp,
        None => EndOfStudy::Completed,
    };
    SubjectRecord {
        subject_id: covariates.patient_id,
        site_id: plan.site_id.clone(),
        covariates: covariates.clone(),
        onset_to_randomization_days: covariates.onset_to_presentation_days,
        baseline_who_cps: course.daily_who.first().copied(),
        planned_arm: arm_record.clone(),
        actual_arm: Some(arm_record),
        randomized: true,
        safety: true,
        treatment_start_day: Some(1),
        death_day: died.map(study_day),
        end_of_study_day: study_day(died.unwrap_or(course.follow_up_days)),
        end_of_study,
    }
}

/// ADaM inputs of a run: subjects, OS and time-to-recovery records, daily WHO scores; in
/// patient-id order.
pub fn records(
    plan: &TrialPlan,
    results: &[PatientResult],
) -> (
    Vec<SubjectRecord>,
    Vec<TimeToEventRecord>,
    Vec<WhoScoreRecord>,
) {
    let mut subjects = Vec::with_capacity(results.len());
    let mut tte = Vec::with_capacity(2 * results.len());
    let mut scores = Vec::new();
    for r in results {
        let id = r.subject.subject_id;
        let daily: Vec<WhoScoreRecord> = r
            .course
            .daily_who
            .iter()
            .enumerate()
            .map(|(k, &score)| WhoScoreRecord {
                subject_id: id,
                study_day: k as i64 + 1,
                score,
            })
            .collect();
        tte.push(endpoints::time_to_death(
            id,
            plan.horizon_days,
            r.course.death_days,
            r.course.follow_up_days,
        ));
        tte.push(endpoints::time_to_recovery(id, plan.horizon_days, &daily));
        scores.extend(daily);
        subjects.push(r.subject.clone());
    }
    (subjects, tte, scores)
}

#[cfg(test)]
mod tests;
