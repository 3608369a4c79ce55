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
//! Not modelled yet (until the population crate adds between-patient variability): every
//! patient of a population shares its phenotype's model parameters; patients differ by age,
//! sex, weight, comorbidities, incubation, onset-to-presentation and their death draw. No
//! treatment delay after randomization and no loss to follow-up are simulated. TRALI's lung
//! injury (`lung_injury_fraction`) is recorded as an adverse event but not fed back into the
//! model.

use model::clinical::Support;
use model::{Params, Phenotype};
use population::Covariates;
use protocol::{Protocol, Value, Variable};
use rand::RngExt;
use solve::{DayRow, EventKind, PatientProblem};
use streams::{Purpose, stream};
use therapy::PatientContext;
use therapy::schedule::ConditionalDoses;
use thiserror::Error;

/// Hazard ratio of death per tracked comorbidity (multiplicative). Assumption: calibrated to
/// the 1.2–1.5 per-condition adjusted hazard ratios of OpenSAFELY (Williamson 2020, Nature
/// 584:430, Table 2); 1.3 is the middle of that range.
pub const COMORBIDITY_DEATH_HR: f64 = 1.3;
/// Endogenous neutralising titer at or above which a patient counts as seropositive, ID50.
/// Assumption: the 1:20 lowest dilution of live-virus microneutralisation assays.
pub const SEROPOSITIVE_MIN_ID50: f64 = 20.0;

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

/// The model phenotype a named population maps to (until the population crate provides
/// per-patient parameters).
pub fn phenotype_of(population: &str) -> Phenotype {
    match population {
        name if name.starts_with("icu") => Phenotype::Critical,
        name if name.starts_with("outpatient") => Phenotype::Moderate,
        _ => Phenotype::Severe,
    }
}

/// Population names accepted in protocols: `hospitalized_severe` is an alias of the population
/// crate's `hospitalized_severe_2020`.
pub fn population_name(name: &str) -> &str {
    match name {
        "hospitalized_severe" => "hospitalized_severe_2020",
        other => other,
    }
}

/// Everything fixed for one trial.
#[derive(Debug, Clone)]
pub struct Simulator<'a> {
    /// The protocol.
    pub protocol: &'a Protocol,
    /// Model parameters of every patient.
    pub params: Params,
    /// Master seed.
    pub seed: u64,
    /// Follow-up after randomization, days.
    pub follow_up_days: u32,
}

/// A screened candidate.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Covariates.
    pub covariates: Covariates,
    /// Randomization (= screening) day, days since symptom onset.
    pub randomization_day: u32,
    /// Simulated state on the screening day.
    pub baseline: DayRow,
    /// The first criterion that failed, as written; `None` when eligible.
    pub failed: Option<String>,
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
}

fn support_level(s: Support) -> &'static str {
    match s {
        Support::RoomAir => "none",
        Support::LowFlow => "low_flow_oxygen",
        Support::HighFlow => "high_flow_oxygen",
        Support::Invasive => "invasive_ventilation",
    }
}

/// Baseline value of `var` for a candidate (covariates and the simulated screening state).
pub fn baseline_value(c: &Covariates, day: u32, row: &DayRow, var: Variable) -> Value {
    let endogenous = (row.titer_id50 - row.titer_passive_id50).max(0.0);
    match var {
        Variable::Age => Value::Number(c.age_years),
        Variable::Sex => Value::Category(match c.sex {
            population::Sex::Female => "female",
            population::Sex::Male => "male",
        }),
        Variable::WeightKg => Value::Number(c.weight_kg),
        Variable::Bmi => Value::Number(c.bmi_kg_m2),
        Variable::DaysSinceOnset => Value::Number(f64::from(day)),
        Variable::WhoScore => Value::Number(f64::from(row.who_score)),
        Variable::PfRatio => Value::Number(row.pf_ratio),
        Variable::Spo2 => Value::Number(row.spo2),
        Variable::RespiratorySupport => Value::Category(support_level(row.support)),
        Variable::RtPcrPositive => Value::Bool(row.viral_load_detectable),
        Variable::Seropositive => Value::Bool(endogenous >= SEROPOSITIVE_MIN_ID50),
        Variable::NeutralizingTiter => Value::Number(endogenous),
        Variable::Il6 => Value::Number(row.il6_pg_ml),
        Variable::LymphocyteCount => Value::Number(row.lymphocytes_1e9_l),
        // Not modelled: criteria on them are false (missing values never satisfy a comparison).
        Variable::Crp | Variable::DaysSinceArdsOnset => Value::Missing,
        Variable::Diabetes => Value::Bool(c.diabetes),
        Variable::Hypertension => Value::Bool(c.hypertension),
        Variable::Obesity => Value::Bool(c.obesity),
        Variable::CardiovascularDisease => Value::Bool(c.cardiovascular_disease),
        Variable::ChronicLungDisease => Value::Bool(c.chronic_lung_disease),
        Variable::ChronicKidneyDisease => Value::Bool(c.chronic_kidney_disease),
        Variable::Immunocompromised => Value::Bool(c.immunosuppression),
        Variable::AboGroup => Value::Category(c.abo.name()),
        Variable::Pregnant => Value::Bool(c.pregnant),
        // Not sampled by the population: nobody is breastfeeding or has a blood-borne infection.
        Variable::Breastfeeding | Variable::BloodBorneInfection => Value::Bool(false),
        Variable::BloodProductHypersensitivity => Value::Bool(c.blood_product_hypersensitivity),
    }
}

fn model_covariates(c: &Covariates) -> model::Covariates {
    model::Covariates {
        age_years: c.age_years,
        sex: match c.sex {
            population::Sex::Female => model::Sex::Female,
            population::Sex::Male => model::Sex::Male,
        },
        weight_kg: c.weight_kg,
        hr_comorbidity: COMORBIDITY_DEATH_HR.powi(c.comorbidity_count() as i32),
    }
}

fn abo(c: &Covariates) -> therapy::AboGroup {
    match c.abo {
        population::AboGroup::O => therapy::AboGroup::O,
        population::AboGroup::A => therapy::AboGroup::A,
        population::AboGroup::B => therapy::AboGroup::B,
        population::AboGroup::AB => therapy::AboGroup::AB,
    }
}

impl Simulator<'_> {
    fn problem(&self, c: &Covariates, randomization_day: u32, end_after: u32) -> PatientProblem {
        let onset = c.incubation_days;
        PatientProblem {
            patient_id: c.patient_id,
            params: self.params,
            covariates: model_covariates(c),
            doses: Vec::new(),
            onset_day: onset,
            hazard_start_day: onset + c.onset_to_presentation_days,
            end_day: onset + f64::from(randomization_day + end_after),
            death_threshold: None,
        }
    }

    /// Screens a candidate on the natural-history state at the screening day.
    pub fn screen(&self, c: Covariates) -> Result<Candidate, SimulationError> {
        let day = c.onset_to_presentation_days.max(0.0).round() as u32;
        let trajectory = solve::solve(&self.problem(&c, day, 0)).map_err(Box::new)?;
        let baseline = *trajectory
            .day(day)
            .or(trajectory.rows.last())
            .expect("a solve has at least the onset row");
        let value = |var: Variable| baseline_value(&c, day, &baseline, var);
        let p = self.protocol;
        let mut failed = None;
        if let Some(lo) = p.minimum_age_years.filter(|&lo| c.age_years < lo) {
            failed = Some(format!("age below the minimum age {lo}"));
        } else if let Some(hi) = p.maximum_age_years.filter(|&hi| c.age_years >= hi + 1.0) {
            failed = Some(format!("age above the maximum age {hi}"));
        }
        if failed.is_none() {
            failed = p
                .inclusion
                .iter()
                .find(|k| !k.expr.eval(&value))
                .map(|k| format!("not: {}", k.text))
                .or_else(|| {
                    p.exclusion
                        .iter()
                        .find(|k| k.expr.eval(&value))
                        .map(|k| k.text.clone())
                });
        }
        Ok(Candidate {
            covariates: c,
            randomization_day: day,
            baseline,
            failed,
        })
    }

    /// The course of an enrolled candidate under arm `arm`.
    pub fn course(&self, candidate: &Candidate, arm: usize) -> Result<Course, SimulationError> {
        let c = &candidate.covariates;
        let id = c.patient_id;
        let day = candidate.randomization_day;
        let spec = |source| SimulationError::Spec {
            patient: id,
            source,
        };
        let regimen =
            crate::regimens::arm_regimen(self.protocol, arm, c, f64::from(day)).map_err(spec)?;
        let context = PatientContext::new(c.weight_kg, c.incubation_days, abo(c)).map_err(spec)?;
        let treatment = regimen
            .realize(self.seed, id, &context, ConditionalDoses::Give)
            .map_err(|e| SimulationError::Issue {
                patient: id,
                message: e.to_string(),
            })?;
        let mut problem = self.problem(c, day, self.follow_up_days);
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
        let trajectory = solve::solve(&problem).map_err(Box::new)?;
        let randomized_at = c.incubation_days + f64::from(day);
        let since = |t: f64| (t - randomized_at).max(0.0);
        let death_days = trajectory.first(EventKind::Death).map(since);
        let discharge_days = trajectory
            .events
            .iter()
            .find(|e| e.kind == EventKind::Discharge && e.time_days >= randomized_at)
            .map(|e| since(e.time_days));
        let mut days = Vec::with_capacity(self.follow_up_days as usize + 1);
        let mut last = candidate.baseline;
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
        })
    }
}
