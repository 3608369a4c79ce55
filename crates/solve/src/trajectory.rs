//! What a solve returns: daily observables, exact event times, the doses applied, extremes.

use model::clinical::Support;
use model::{Covariates, DoseEvent, Params};

/// One day of the clinical course (all values at the same instant: onset + `day` days).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayRow {
    /// Days since symptom onset.
    pub day: u32,
    /// Days since infection.
    pub time_days: f64,
    /// Viral load, log10 copies/mL (floored at 0; see `viral_load_detectable`).
    pub viral_load_log10: f64,
    /// Viral load at or above the limit of detection.
    pub viral_load_detectable: bool,
    /// Plasma IL-6, pg/mL.
    pub il6_pg_ml: f64,
    /// Blood lymphocytes, 10⁹/L.
    pub lymphocytes_1e9_l: f64,
    /// Plasma neutralising titer, endogenous + passive, ID50.
    pub titer_id50: f64,
    /// Passive part of the titer, ID50.
    pub titer_passive_id50: f64,
    /// Lung injury, fraction of epithelium.
    pub lung_injury: f64,
    /// PaO₂/FiO₂, mmHg.
    pub pf_ratio: f64,
    /// SpO₂ on room air, %.
    pub spo2: f64,
    /// FiO₂ needed for the target PaO₂.
    pub fio2_required: f64,
    /// Oxygen support in use.
    pub support: Support,
    /// WHO Clinical Progression Scale, 0–10.
    pub who_score: u8,
    /// In hospital.
    pub hospitalised: bool,
    /// Alive (false after the death event).
    pub alive: bool,
    /// Cumulative death probability 1 − exp(−Λ) (model probability, independent of the draw).
    pub death_probability: f64,
    /// Dexamethasone plasma concentration, ng/mL.
    pub dexamethasone_ng_ml: f64,
    /// Viable MSCs trapped in the lung, 10⁶ cells.
    pub msc_lung_1e6_cells: f64,
    /// MSC-induced immunoregulatory state, 0–1.
    pub immunoregulation: f64,
}

/// Kinds of exact-time events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// Symptom onset.
    Onset,
    /// Admission.
    Admission,
    /// Intubation.
    Intubation,
    /// Extubation.
    Extubation,
    /// Discharge.
    Discharge,
    /// Death.
    Death,
    /// Viral load fell below the limit of detection (first time).
    ViralClearance,
}

impl EventKind {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Onset => "onset",
            EventKind::Admission => "admission",
            EventKind::Intubation => "intubation",
            EventKind::Extubation => "extubation",
            EventKind::Discharge => "discharge",
            EventKind::Death => "death",
            EventKind::ViralClearance => "viral_clearance",
        }
    }
}

/// One event at its exact time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// Days since infection.
    pub time_days: f64,
    /// Days since symptom onset.
    pub day_since_onset: f64,
}

/// A dose as the solver applied it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AppliedDose {
    /// The dose as given.
    pub dose: DoseEvent,
    /// When its input started, days since infection (equals `dose.time_days`).
    pub started_days: f64,
    /// When its input ended, days since infection (equals start for a bolus).
    pub ended_days: f64,
}

/// The extreme value of an observable and when it happened (days since infection).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extremum {
    /// Days since infection.
    pub time_days: f64,
    /// The value.
    pub value: f64,
}

/// One patient's simulated course.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    /// Patient identifier from the problem.
    pub patient_id: u64,
    /// Onset, days since infection.
    pub onset_day: f64,
    /// One row per whole day since onset, from day 0 to the end of follow-up.
    pub rows: Vec<DayRow>,
    /// Events in time order.
    pub events: Vec<Event>,
    /// Doses in the order applied.
    pub doses: Vec<AppliedDose>,
    /// Lowest P/F over the whole course (exact, from the interpolant).
    pub pf_nadir: Extremum,
    /// Highest viral load, copies/mL.
    pub viral_peak: Extremum,
    /// Highest IL-6, pg/mL.
    pub il6_peak: Extremum,
    /// Lowest lymphocyte count, 10⁹/L.
    pub lymphocyte_nadir: Extremum,
    /// Highest WHO score reached at any time (not just at the daily rows).
    pub who_peak: u8,
    /// Death probability at the end of follow-up.
    pub final_death_probability: f64,
    /// Accepted integrator steps.
    pub steps: usize,
    /// The full model state at each daily row, when [`crate::SolverOptions::record_states`] is
    /// set; empty otherwise.
    pub states: Vec<model::State>,
}

impl Trajectory {
    /// Time (days since infection) of the first event of this kind.
    pub fn first(&self, kind: EventKind) -> Option<f64> {
        self.events
            .iter()
            .find(|e| e.kind == kind)
            .map(|e| e.time_days)
    }

    /// The row for `day` since onset, if within follow-up.
    pub fn day(&self, day: u32) -> Option<&DayRow> {
        self.rows.get(day as usize)
    }
}

/// A solve that did not finish: a recorded outcome naming the patient and its parameters.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("patient {patient_id}: {reason} (covariates {covariates:?}; parameters {params:?})")]
pub struct SolveFailure {
    /// Patient identifier.
    pub patient_id: u64,
    /// The parameters that failed (boxed: failures are rare, results are moved often).
    pub params: Box<Params>,
    /// The covariates.
    pub covariates: Covariates,
    /// What went wrong.
    pub reason: FailureReason,
}

/// Why a solve failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FailureReason {
    /// The problem was invalid.
    #[error("invalid problem: {0}")]
    Invalid(#[from] crate::problem::ProblemError),
    /// The step size underflowed.
    #[error("step size {h:e} too small at t = {t} d")]
    StepTooSmall { t: f64, h: f64 },
    /// The state became NaN or infinite.
    #[error("state not finite at t = {t} d")]
    NonFinite { t: f64 },
    /// Too many steps.
    #[error("more than {max_steps} steps (reached t = {t} d)")]
    TooManySteps { t: f64, max_steps: usize },
}
