//! A virtual patient: covariates, model covariates, individual parameters and timeline.

use crate::comorbidity;
use crate::iiv::{self, Eta};
use crate::spec::{PopulationSpec, Setting};
use crate::{Covariates, Sex};
use model::Params;
use solve::PatientProblem;
use solve::{SolveFailure, Trajectory};
use streams::{ChaCha8Rng, Purpose};

/// Lightest body weight the model accepts, kg ([`model::Covariates::validate`]).
pub const MODEL_MIN_WEIGHT_KG: f64 = 30.0;
/// Heaviest body weight the model accepts, kg ([`model::Covariates::validate`]).
pub const MODEL_MAX_WEIGHT_KG: f64 = 250.0;

/// When things happen to the patient, on the model clock (days since infection; infection is
/// at time 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timeline {
    /// Symptom onset = the incubation period, days since infection.
    pub onset_day: f64,
    /// Screening (= admission and randomisation for inpatients, the enrollment visit for
    /// outpatients), whole days since symptom onset: the population's onset-to-presentation
    /// interval rounded to the nearest day, so screening falls on a daily row of the trajectory.
    pub screening_days_after_onset: u32,
    /// Screening, days since infection (`onset_day + screening_days_after_onset`).
    pub screening_day: f64,
}

impl Timeline {
    fn new(covariates: &Covariates) -> Timeline {
        // Sampled intervals are finite and > 0 (log-normal), so the cast cannot wrap.
        let after_onset = covariates.onset_to_presentation_days.round().max(0.0) as u32;
        Timeline {
            onset_day: covariates.incubation_days,
            screening_days_after_onset: after_onset,
            screening_day: covariates.incubation_days + f64::from(after_onset),
        }
    }
}

/// One virtual patient of a named population.
#[derive(Debug, Clone, PartialEq)]
pub struct VirtualPatient {
    /// Patient id (the key of every random stream of this patient).
    pub id: u64,
    /// The population's name.
    pub population: &'static str,
    /// Where the patient is screened.
    pub setting: Setting,
    /// Baseline covariates, as sampled by [`PopulationSpec::sample`].
    pub covariates: Covariates,
    /// What the model needs of them: age, sex, weight (clamped to the model's 30-250 kg),
    /// and the product of comorbidity hazard ratios ([`comorbidity::COMORBIDITY_HAZARDS`]).
    pub model_covariates: model::Covariates,
    /// Individual model parameters (typical values, covariate effects, random effects,
    /// clamped to bounds: see [`crate::iiv`]).
    pub params: Params,
    /// The patient's random effects, in [`iiv::IIV`] order.
    pub etas: Vec<Eta>,
    /// Infection, onset and screening times.
    pub timeline: Timeline,
}

impl VirtualPatient {
    /// Patient `id` of population `spec` under master seed `seed`. Covariates are drawn first
    /// from `streams::stream(seed, Purpose::Patient, id)` (exactly as
    /// [`PopulationSpec::sample`]), then one η per [`iiv::IIV`] row from the same stream, so the
    /// same id always gets the same covariates and the same physiology.
    pub fn generate(spec: &PopulationSpec, seed: u64, id: u64) -> VirtualPatient {
        let mut rng = streams::stream(seed, Purpose::Patient, id);
        let covariates = spec.sample_from(id, &mut rng);
        Self::from_stream(spec, covariates, &mut rng)
    }

    /// A patient with given covariates (e.g. a row of a frozen cohort,
    /// [`crate::cohort::read_cohort`]): the physiology is drawn from the patient's stream at the
    /// position after the covariate draws, so for an unedited cohort row this is exactly
    /// [`VirtualPatient::generate`] of the same seed and id.
    pub fn with_covariates(
        spec: &PopulationSpec,
        seed: u64,
        covariates: Covariates,
    ) -> VirtualPatient {
        let mut rng = streams::stream(seed, Purpose::Patient, covariates.patient_id);
        // Replay the covariate draws only to move the stream to the physiology draws.
        let _replayed = spec.sample_from(covariates.patient_id, &mut rng);
        Self::from_stream(spec, covariates, &mut rng)
    }

    fn from_stream(
        spec: &PopulationSpec,
        covariates: Covariates,
        rng: &mut ChaCha8Rng,
    ) -> VirtualPatient {
        let id = covariates.patient_id;
        let (params, etas) = iiv::draw_params(spec, &covariates, rng);
        let model_covariates = model::Covariates {
            age_years: covariates.age_years,
            sex: match covariates.sex {
                Sex::Male => model::Sex::Male,
                Sex::Female => model::Sex::Female,
            },
            weight_kg: covariates
                .weight_kg
                .clamp(MODEL_MIN_WEIGHT_KG, MODEL_MAX_WEIGHT_KG),
            hr_comorbidity: comorbidity::hazard_ratio(&covariates),
        };
        VirtualPatient {
            id,
            population: spec.name,
            setting: spec.setting,
            timeline: Timeline::new(&covariates),
            covariates,
            model_covariates,
            params,
            etas,
        }
    }

    /// The model-clock time (days since infection) `days` after screening: the end of a
    /// follow-up of that length, e.g. `end_of_follow_up(28.0)`.
    pub fn end_of_follow_up(&self, days_after_screening: f64) -> f64 {
        self.timeline.screening_day + days_after_screening
    }

    /// The untreated course up to `end_day` (days since infection, e.g.
    /// [`VirtualPatient::end_of_follow_up`]): onset at the incubation period, admission and
    /// start of the death hazard at screening, no doses, no death draw (the trajectory reports
    /// the death probability).
    ///
    /// The solver admits every patient at `hazard_start_day`; for outpatients that is the
    /// enrollment visit, so their course after screening is counted as in hospital.
    pub fn natural_history_problem(&self, end_day: f64) -> PatientProblem {
        PatientProblem {
            patient_id: self.id,
            params: self.params,
            covariates: self.model_covariates,
            doses: Vec::new(),
            onset_day: self.timeline.onset_day,
            hazard_start_day: self.timeline.screening_day,
            end_day,
            death_threshold: None,
        }
    }

    /// Solves the untreated course to `days_after_screening` after screening (e.g. 28).
    pub fn natural_history(&self, days_after_screening: f64) -> Result<Trajectory, SolveFailure> {
        solve::solve(&self.natural_history_problem(self.end_of_follow_up(days_after_screening)))
    }
}

impl PopulationSpec {
    /// Patient `id` of this population: [`VirtualPatient::generate`].
    pub fn patient(&self, seed: u64, id: u64) -> VirtualPatient {
        VirtualPatient::generate(self, seed, id)
    }
}
