//! One virtual patient in the mechanistic model: screening on the simulated state at the
//! screening day, then the course under an arm's regimens, on the trial clock (days since
//! randomization).
//!
//! Clocks: the model clock is days since infection; the patient's symptom onset is at
//! `incubation_days`; they present (and are screened and randomized the same day) at
//! `onset_to_presentation_days` after onset, rounded to the nearest whole day so that the
//! screening state is one of the solver's daily rows. Trial day k (k = 0 at randomization) is
//! daily row `randomization_day + k`.
//!
//! Counterfactual twins: the death threshold −ln U is drawn once per patient from
//! `stream(seed, Death, id)`, and the plasma-issue and adverse-event streams are keyed by
//! patient, so a patient simulated under every arm differs only by the arm's regimens.
//!
//! Patients come from the population crate ([`population::VirtualPatient`]: covariates,
//! individual parameters with between-patient variability, timeline) and are screened by
//! [`population::screen`] on their untreated course. Regimens may start late by a per-patient
//! delay ([`crate::regimens`]); a patient may be lost to follow-up ([`loss_time`]). TRALI's lung injury (`lung_injury_fraction`) is
//! recorded as an adverse event but not fed back into the model.

use model::Phenotype;
use population::{BaselineState, Covariates, VirtualPatient};
use protocol::{Baseline, Protocol, Value, Variable};
use rand::RngExt;
use solve::{DayRow, EventKind};
use streams::{Purpose, stream};
use therapy::PatientContext;
use therapy::schedule::ConditionalDoses;
use thiserror::Error;

/// Why a patient could not be simulated.
#[derive(Debug, Error)]
pub enum SimulationError {
    /// The regimen or patient context is outside the therapy crate's bounds.
    #[error("patient {patient}: {source}")]
    Spec {
        /// Patient id.
        patient: u64,
        /// Cause.
        source: therapy::SpecError,
    },
    /// Plasma could not be issued.
    #[error("patient {patient}: {message}")]
    Issue {
        /// Patient id.
        patient: u64,
        /// Cause.
        message: String,
    },
    /// The solver failed.
    #[error(transparent)]
    Solve(#[from] Box<solve::SolveFailure>),
}

/// The model phenotype whose parameters `parameters.csv` lists for a population (patients
/// have individual parameters around them).
pub fn phenotype_of(population: &str) -> Phenotype {
    match population {
        name if name.starts_with("icu") => Phenotype::Critical,
        name if name.starts_with("outpatient") => Phenotype::Moderate,
        _ => Phenotype::Severe,
    }
}

/// Everything fixed for one trial.
#[derive(Debug, Clone)]
pub struct Simulator<'a> {
    /// The protocol.
    pub protocol: &'a Protocol,
    /// The population patients are drawn from.
    pub population: &'a population::PopulationSpec,
    /// Master seed.
    pub seed: u64,
    /// Follow-up after randomization, days.
    pub follow_up_days: u32,
}

/// A screened candidate.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The virtual patient.
    pub patient: VirtualPatient,
    /// Covariates (a copy of the patient's).
    pub covariates: Covariates,
    /// Randomization (= screening) day, days since symptom onset.
    pub randomization_day: u32,
    /// Simulated state on the screening day (`None` when excluded on age alone, before any
    /// simulation).
    pub baseline: Option<DayRow>,
    /// The first criterion that failed, as written; `None` when eligible.
    pub failed: Option<String>,
    /// The untreated course's integration state at randomization, from which each arm's
    /// course continues (`None` when not simulated, or once the arms are simulated).
    pub checkpoint: Option<solve::Checkpoint>,
    /// Baseline variables at screening, as the criteria saw them (`None` when excluded before
    /// any simulation); allocation factors are read from it.
    pub baseline_state: Option<BaselineState>,
}

impl Baseline for Candidate {
    fn value(&self, var: Variable) -> Value {
        self.baseline_state
            .as_ref()
            .map_or(Value::Missing, |b| b.value(var))
    }
}

/// One day of a course, trial day k = position in [`Course::days`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CourseDay {
    /// WHO Clinical Progression Scale.
    pub who: u8,
    /// Viral load, log10 copies/mL.
    pub viral_load_log10: f64,
    /// Viral load at or above the limit of detection.
    pub detectable: bool,
    /// IL-6, pg/mL.
    pub il6_pg_ml: f64,
    /// Lymphocytes, 10⁹/L.
    pub lymphocytes_1e9_l: f64,
    /// Neutralising titer, ID50.
    pub titer_id50: f64,
    /// PaO₂/FiO₂, mmHg.
    pub pf_ratio: f64,
}

/// An adverse event on the trial clock.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseAdverseEvent {
    /// Product it is attributed to.
    pub product: &'static str,
    /// Reported term.
    pub term: &'static str,
    /// Onset, days since randomization.
    pub time_days: f64,
    /// AESEV text.
    pub severity: &'static str,
    /// Serious.
    pub serious: bool,
}

/// A patient's course under one arm, on the trial clock.
#[derive(Debug, Clone, PartialEq)]
pub struct Course {
    /// Daily state, trial days 0..=follow-up.
    pub days: Vec<CourseDay>,
    /// Death, days since randomization.
    pub death_days: Option<f64>,
    /// Discharge alive, days since randomization.
    pub discharge_days: Option<f64>,
    /// Adverse events.
    pub adverse_events: Vec<CourseAdverseEvent>,
    /// Any study product administered.
    pub treated: bool,
    /// Lost to follow-up, days since randomization: observation stops here (`None`: followed
    /// to death or to the end of follow-up).
    pub lost_days: Option<f64>,
    /// Realised start delay of the arm's first delayed regimen, days (`None` when no regimen
    /// of the arm has a `start_delay`).
    pub start_delay_days: Option<f64>,
    /// First administration, days since randomization (0 for anything given before it);
    /// `None` when nothing was given.
    pub treatment_start_days: Option<f64>,
    /// Plasma received (units and neutralising dose; zero without plasma).
    pub plasma: crate::supply::PlasmaReceived,
}

fn abo(c: &Covariates) -> therapy::AboGroup {
    match c.abo {
        population::AboGroup::O => therapy::AboGroup::O,
        population::AboGroup::A => therapy::AboGroup::A,
        population::AboGroup::B => therapy::AboGroup::B,
        population::AboGroup::AB => therapy::AboGroup::AB,
    }
}

/// The time (days since randomization) at which patient `id` would be lost to follow-up: an
/// exponential time with the protocol's rate, T = −ln(1 − u) / λ with u from
/// `stream(seed, FollowUp, 2·id + 1)`. `None` without loss to follow-up or when T falls at or
/// after the end of follow-up. The same T holds under every arm; a patient who dies first is
/// not lost ([`Simulator::course`] checks that).
pub fn loss_time(protocol: &Protocol, seed: u64, id: u64) -> Option<f64> {
    let rate = protocol.simulation.loss_to_follow_up?.rate();
    if rate <= 0.0 {
        return None;
    }
    let u: f64 = stream(seed, Purpose::FollowUp, 2 * id + 1).random();
    let t = -(1.0 - u).ln() / rate;
    (t < f64::from(protocol.simulation.follow_up_days)).then_some(t)
}

impl Simulator<'_> {
    /// The protocol's age limits, checked before simulating anything (most screen failures of
    /// an adult inpatient population are on age, and they need no course). The reasons are
    /// worded exactly as [`population::screen`] words them, which checks them first too, so
    /// counts by reason are unchanged.
    fn age_failure(&self, patient: &VirtualPatient) -> Option<String> {
        let age = f64::from(patient.covariates.age_completed_years());
        let p = self.protocol;
        if let Some(min) = p.minimum_age_years.filter(|&min| age < min) {
            return Some(format!("age < minimum ({min} years)"));
        }
        p.maximum_age_years
            .filter(|&max| age > max)
            .map(|max| format!("age > maximum ({max} years)"))
    }

    /// Generates candidate `id` and screens them on their untreated course at the screening
    /// day.
    pub fn screen(&self, id: u64) -> Result<Candidate, SimulationError> {
        self.screen_patient(self.population.patient(self.seed, id))
    }

    /// Screens `patient` (a candidate of this simulator's population, possibly with changed
    /// parameters, as calibration does) on their untreated course at the screening day.
    pub fn screen_patient(&self, patient: VirtualPatient) -> Result<Candidate, SimulationError> {
        if let Some(reason) = self.age_failure(&patient) {
            return Ok(Candidate {
                covariates: patient.covariates.clone(),
                randomization_day: patient.timeline.screening_days_after_onset,
                baseline: None,
                patient,
                failed: Some(reason),
                checkpoint: None,
                baseline_state: None,
            });
        }
        // The untreated course to randomization (= screening), kept so that each arm continues
        // it rather than integrating it again from infection (bit-identical: see
        // `solve::resume`).
        let (trajectory, checkpoint) = solve::solve_to_checkpoint(
            &patient.natural_history_problem(patient.end_of_follow_up(0.0)),
            &solve::SolverOptions::default(),
        )
        .map_err(Box::new)?;
        let day = patient.timeline.screening_days_after_onset;
        let baseline = *trajectory
            .day(day)
            .or(trajectory.rows.last())
            .expect("a solve has at least the onset row");
        let screening = population::screen(self.protocol, &patient, &trajectory);
        let baseline_state = BaselineState::at_screening(&patient, &trajectory);
        let failed = (!screening.eligible).then(|| {
            screening
                .first_failure()
                .unwrap_or("not eligible")
                .to_owned()
        });
        Ok(Candidate {
            covariates: patient.covariates.clone(),
            patient,
            randomization_day: day,
            baseline: Some(baseline),
            checkpoint: failed.is_none().then_some(checkpoint),
            failed,
            baseline_state,
        })
    }

    /// The course of an enrolled candidate under arm `arm`.
    pub fn course(&self, candidate: &Candidate, arm: usize) -> Result<Course, SimulationError> {
        let c = &candidate.covariates;
        let patient = &candidate.patient;
        let id = c.patient_id;
        let day = candidate.randomization_day;
        let spec = |source| SimulationError::Spec {
            patient: id,
            source,
        };
        let arm_regimens = || self.protocol.arm_regimens(&self.protocol.arms[arm]);
        let first_delay = arm_regimens().find_map(|r| r.start_delay.as_ref());
        // The patient's delay draw, needed only when a regimen of the arm is delayed.
        let delay_u = first_delay.map_or(0.0, |_| crate::regimens::delay_uniform(self.seed, id));
        let regimen =
            crate::regimens::arm_regimen_delayed(self.protocol, arm, c, f64::from(day), delay_u)
                .map_err(spec)?;
        let context = PatientContext::new(
            patient.model_covariates.weight_kg,
            patient.timeline.onset_day,
            abo(c),
        )
        .map_err(spec)?;
        let treatment = regimen
            .realize(self.seed, id, &context, ConditionalDoses::Give)
            .map_err(|e| SimulationError::Issue {
                patient: id,
                message: e.to_string(),
            })?;
        let mut problem = patient
            .natural_history_problem(patient.end_of_follow_up(f64::from(self.follow_up_days)));
        let end = problem.end_day;
        problem.doses = treatment
            .events
            .iter()
            .copied()
            .filter(|d| d.time_days <= end)
            .collect();
        let u: f64 = stream(self.seed, Purpose::Death, id).random();
        // U in [0, 1): 1 − U in (0, 1] keeps −ln finite; the floor keeps it positive.
        problem.death_threshold = Some((-(1.0 - u).ln()).max(f64::MIN_POSITIVE));
        let trajectory = match &candidate.checkpoint {
            Some(checkpoint) => match solve::resume(checkpoint, &problem) {
                Ok(trajectory) => trajectory,
                Err(solve::ResumeError::Solve(failure)) => return Err(Box::new(failure).into()),
                // A regimen dosing before randomization: solve from infection.
                Err(_) => solve::solve(&problem).map_err(Box::new)?,
            },
            None => solve::solve(&problem).map_err(Box::new)?,
        };
        let randomized_at = patient.timeline.screening_day;
        let since = |t: f64| (t - randomized_at).max(0.0);
        let death_days = trajectory.first(EventKind::Death).map(since);
        let discharge_days = trajectory
            .events
            .iter()
            .find(|e| e.kind == EventKind::Discharge && e.time_days >= randomized_at)
            .map(|e| since(e.time_days));
        let mut days = Vec::with_capacity(self.follow_up_days as usize + 1);
        let mut last = match candidate.baseline {
            Some(row) => row,
            None => *trajectory
                .rows
                .last()
                .expect("a solve has at least the onset row"),
        };
        for k in 0..=self.follow_up_days {
            let row = trajectory.day(day + k).copied().unwrap_or(last);
            last = row;
            days.push(CourseDay {
                who: row.who_score,
                viral_load_log10: row.viral_load_log10,
                detectable: row.viral_load_detectable,
                il6_pg_ml: row.il6_pg_ml,
                lymphocytes_1e9_l: row.lymphocytes_1e9_l,
                titer_id50: row.titer_id50,
                pf_ratio: row.pf_ratio,
            });
        }
        let adverse_events = treatment
            .adverse_events(self.seed, id)
            .into_iter()
            .map(|e| CourseAdverseEvent {
                product: e.product,
                term: e.term,
                time_days: e.time_days - randomized_at,
                severity: e.severity.aesev(),
                serious: e.seriousness.aeser() == "Y",
            })
            .collect();
        Ok(Course {
            days,
            death_days,
            discharge_days,
            adverse_events,
            treated: !treatment.administrations.is_empty(),
            start_delay_days: first_delay.map(|d| crate::regimens::start_delay_days(d, delay_u)),
            lost_days: loss_time(self.protocol, self.seed, id)
                .filter(|&t| death_days.is_none_or(|d| d > t)),
            treatment_start_days: treatment
                .administrations
                .iter()
                .map(|a| since(a.time_days))
                .reduce(f64::min),
            plasma: crate::supply::received(
                &treatment.plasma,
                death_days.map(|d| f64::from(day) + d),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_PROTOCOL: &str =
        include_str!("../../../protocols/nct04385043-hyperimmune-plasma.toml");

    fn with_loss(loss: &str) -> Protocol {
        let text = SEED_PROTOCOL.replace(
            "follow_up_days = 28",
            &format!("follow_up_days = 28\nloss_to_follow_up = {loss}"),
        );
        protocol::parse_protocol("t.toml", &text).unwrap_or_else(|e| panic!("{:?}", e.diagnostics))
    }

    #[test]
    fn the_share_lost_by_the_day_matches_the_proportion() {
        let p = with_loss("{ proportion = 0.05, by_day = 28 }");
        let n = 20_000u64;
        let lost = (0..n).filter(|&id| loss_time(&p, 99, id).is_some()).count() as f64;
        let share = lost / n as f64;
        // Binomial(n, 0.05): 4 standard deviations.
        let bound = 4.0 * (0.05 * 0.95 / n as f64).sqrt();
        assert!((share - 0.05).abs() < bound, "share {share}, bound {bound}");
        // By day 14 the exponential gives 1 − 0.95^(1/2).
        let by_14 = (0..n)
            .filter(|&id| loss_time(&p, 99, id).is_some_and(|t| t <= 14.0))
            .count() as f64
            / n as f64;
        let expected = 1.0 - 0.95f64.sqrt();
        assert!((by_14 - expected).abs() < 4.0 * (expected * (1.0 - expected) / n as f64).sqrt());
    }

    #[test]
    fn loss_times_are_exponential_with_the_rate_and_none_without_loss() {
        let p = with_loss("{ rate_per_day = 0.01 }");
        // T = −ln(1 − u) / 0.01 from the patient's own stream.
        for id in [0u64, 5, 77] {
            let u: f64 = stream(4, Purpose::FollowUp, 2 * id + 1).random();
            let t = -(1.0 - u).ln() / 0.01;
            assert_eq!(loss_time(&p, 4, id), (t < 28.0).then_some(t));
        }
        let none = protocol::parse_protocol("t.toml", SEED_PROTOCOL).unwrap();
        assert_eq!(loss_time(&none, 4, 0), None);
    }
}
